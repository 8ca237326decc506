"""What the region spends on placements, by the standard's one definition of spend:
by placement type, provider and financial year, the cost of a bed night, the nights
with no cost recorded, and each year's change in spend split into volume, mix and
price.

Spend and costed nights come from the star's fact_cost_days (Actual over Agreed night
by night, nothing outside the placement), bed nights from fact_placement_days: the
definition is applied once, there.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import polars as pl

from sufficiency_standard.analytics.inputs import RegionData, financial_year, financial_year_label
from sufficiency_standard.analytics.regional import money
from sufficiency_standard.analytics.tables import Chart, Section, Table, finish

PARTS = ("volume", "mix", "costed_share", "price")
PART_TITLES = {
    "volume": "More or fewer bed nights",
    "mix": "A different mix of placement types",
    "costed_share": "More or fewer nights costed",
    "price": "Dearer or cheaper nights within each type",
}
_WITHHELD = ("bed_nights", "costed_nights", "spend", "cost_per_night")


def _month(date_key: str = "date_key") -> pl.Expr:
    return pl.col(date_key).cast(pl.String).str.to_date("%Y%m%d")


def years_held(data: RegionData) -> dict[int, bool]:
    """The financial years the LAs' submissions cover (up to the report's date), each
    with whether every LA covers all of it: only complete years are compared."""
    windows = _windows(data)
    if windows.is_empty():
        return {}
    first = min(windows.get_column("first"))
    last = max(windows.get_column("last"))
    out = {}
    for year in range(_fy(first), _fy(last) + 1):
        start, end = dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
        out[year] = all(
            f <= start and end <= la_last
            for f, la_last in windows.select("first", "last").iter_rows()
        )
    return out


def _fy(day: dt.date) -> int:
    return day.year - (day.month < 4)


def _windows(data: RegionData) -> pl.DataFrame:
    """Each LA's first and last day held, the last no later than the report's date."""
    return (
        data.star["dim_la"]
        .select(
            "la_code",
            pl.col("first_period_start").alias("first"),
            pl.min_horizontal("last_period_end", pl.lit(data.as_of)).alias("last"),
        )
        .filter(pl.col("first") <= pl.col("last"))
    )


def held_facts(data: RegionData, name: str) -> pl.DataFrame:
    """A monthly fact of the star within each LA's window, with its financial year.
    (Placements carried into the first period bring their earlier months with them;
    those months are not the region's spend in those years, so they go.)"""
    windows = _windows(data)
    month = _month()
    return (
        data.star[name]
        .join(windows, on="la_code")
        .filter((month >= pl.col("first").dt.month_start()) & (month <= pl.col("last")))
        .with_columns(financial_year(month).alias("year"))
        .drop("first", "last")
    )


def _counts(nights: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    return nights.group_by(*by).agg(
        pl.col("placement_key").n_unique().cast(pl.Int64).alias("placements"),
        pl.col("child_key").n_unique().cast(pl.Int64).alias("children"),
        pl.col("bed_nights").sum().alias("bed_nights"),
    )


def _spend(costs: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    return costs.group_by(*by).agg(
        pl.col("costed_nights").sum().alias("costed_nights"),
        pl.col("spend").sum().cast(pl.Float64).round(2).alias("spend"),
    )


def _yearly(nights: pl.DataFrame, costs: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Placements, children, bed nights, costed nights, spend and cost per night by
    financial year and `by`."""
    keys = ["year", *by]
    frame = (
        _counts(nights, keys)
        .join(_spend(costs, keys), on=keys, how="full", coalesce=True)
        .with_columns(
            pl.col("placements", "children", "bed_nights", "costed_nights").fill_null(0),
            pl.col("spend").fill_null(0.0),
        )
        .with_columns(
            pl.when(pl.col("costed_nights") > 0)
            .then((pl.col("spend") / pl.col("costed_nights")).round(2))
            .alias("cost_per_night"),
            pl.when(pl.col("bed_nights") > 0)
            .then((1 - pl.col("costed_nights") / pl.col("bed_nights")).clip(0.0, 1.0).round(4))
            .alias("uncosted_share"),
        )
    )
    return frame.sort(keys)


def _labelled(frame: pl.DataFrame, complete: dict[int, bool]) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("year")
        .map_elements(financial_year_label, return_dtype=pl.String)
        .alias("financial_year"),
        pl.col("year").replace_strict(complete, default=False).alias("complete_year"),
    )


def shapley_parts(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """The change of a product of factors, split among them symmetrically (Shapley):
    each factor's part is its effect averaged over every order in which the factors
    could change, so the parts add up exactly to the change.

    `before`, `after`: factors x items (the product is over factors, then summed over
    items). Returns the parts, factors x items."""
    k = before.shape[0]
    parts = np.zeros_like(before, dtype=float)
    for factor in range(k):
        others = [f for f in range(k) if f != factor]
        for size in range(k):
            weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
            for changed in itertools.combinations(others, size):
                levels = np.where(np.isin(np.arange(k), changed)[:, None], after, before)
                with_factor = levels.copy()
                with_factor[factor] = after[factor]
                parts[factor] += weight * (with_factor.prod(axis=0) - levels.prod(axis=0))
    return parts


def decompose(by_type: pl.DataFrame, first: int, second: int) -> pl.DataFrame:
    """Spend change between two years split into volume (total bed nights), mix (each
    type's share of them), costed share (the share of a type's nights with a cost) and
    price (spend per costed night within the type): per type, parts adding up to its
    change. `by_type`: year, placement_type, bed_nights, costed_nights, spend."""
    one = by_type.filter(pl.col("year") == first)
    two = by_type.filter(pl.col("year") == second)
    types = sorted(set(one.get_column("placement_type")) | set(two.get_column("placement_type")))

    def factors(frame: pl.DataFrame) -> np.ndarray:
        rows = {r["placement_type"]: r for r in frame.iter_rows(named=True)}
        total = float(sum(r["bed_nights"] for r in rows.values()))
        out = np.full((4, len(types)), np.nan)
        for i, kind in enumerate(types):
            r = rows.get(kind)
            beds = float(r["bed_nights"]) if r else 0.0
            costed = float(r["costed_nights"]) if r else 0.0
            out[0, i] = total
            out[1, i] = beds / total if total else 0.0
            if beds:
                out[2, i] = costed / beds
            if costed:
                out[3, i] = float(r["spend"]) / costed
        return out

    before, after = factors(one), factors(two)
    # A share or price with nothing to measure it by (a type absent one year) is taken
    # as the other year's, so that the type's coming or going is all mix.
    for f in (2, 3):
        before[f] = np.where(np.isnan(before[f]), after[f], before[f])
        after[f] = np.where(np.isnan(after[f]), before[f], after[f])
    before, after = np.nan_to_num(before), np.nan_to_num(after)
    parts = shapley_parts(before, after)
    return pl.DataFrame(
        {
            "placement_type": types,
            **{name: parts[i] for i, name in enumerate(PARTS)},
            "total": after.prod(axis=0) - before.prod(axis=0),
        }
    )


def _rounded_parts(frame: pl.DataFrame) -> pl.DataFrame:
    """Parts in pounds and pence that still add up to the total shown: the price part
    takes the rounding (at most a few pence)."""
    rounded = frame.with_columns(pl.col(*PARTS[:-1], "total").round(2))
    return rounded.with_columns(
        (pl.col("total") - pl.sum_horizontal(PARTS[:-1])).round(2).alias("price")
    )


def section(data: RegionData) -> Section:
    """Spend by type, provider and year; cost per bed night; uncosted nights; change."""
    threshold = data.threshold
    complete = years_held(data)
    costs = held_facts(data, "fact_cost_days")
    nights = held_facts(data, "fact_placement_days")
    providers = data.star["dim_provider"].select("provider_key", "provider_name", "ownership")

    by_type = _yearly(nights, costs, ["placement_type"])
    type_table = _labelled(by_type, complete).select(
        "financial_year",
        "complete_year",
        "placement_type",
        "placements",
        "children",
        "bed_nights",
        "costed_nights",
        "uncosted_share",
        "spend",
        "cost_per_night",
    )
    spend_by_type = Table(
        name="spend_by_type",
        answers=("UC-07", "SOM-03"),
        title="Spend by placement type and financial year",
        description=(
            "Spend on each type of placement in each financial year, by the standard's "
            "definition: each bed night at a seventh of the weekly cost that covers it, "
            "the Actual cost where there is one, else the Agreed. Bed nights with no "
            "cost recorded are counted as not costed, never as free."
        ),
        frame=type_table,
        counts=("placements", "children"),
        derived=(*_WITHHELD, "uncosted_share"),
        chart=Chart(
            kind="bar",
            x="financial_year",
            y="spend",
            series="placement_type",
            stacked=True,
            y_label="Spend (£)",
        ),
        notes=[
            "placements and children: those with a bed night of the type in the year; "
            "a row resting on fewer than the threshold is withheld.",
            "complete_year is false for a year the submissions cover only in part "
            "(or not for every LA): its totals are not a whole year's.",
        ],
    )
    per_night = Table(
        name="cost_per_night",
        answers=("SOM-06", "UC-07"),
        title="Cost of a bed night by placement type",
        description=(
            "Spend divided by the bed nights that have a cost: what a night of each type "
            "of placement cost on average. It moves with prices and with the needs of the "
            "children placed (see the provider price index for like-for-like prices)."
        ),
        frame=type_table.select(
            "financial_year",
            "complete_year",
            "placement_type",
            "placements",
            "children",
            "costed_nights",
            "spend",
            "cost_per_night",
            (pl.col("cost_per_night") * 7).round(2).alias("cost_per_week"),
        ),
        counts=("placements", "children"),
        derived=("costed_nights", "spend", "cost_per_night", "cost_per_week"),
        chart=Chart(
            kind="line",
            x="financial_year",
            y="cost_per_night",
            series="placement_type",
            y_label="£ a bed night",
        ),
    )

    by_provider = _labelled(_yearly(nights, costs, ["provider_key"]), complete)
    provider_table = (
        by_provider.join(providers, on="provider_key", how="left")
        .select(
            "financial_year",
            "complete_year",
            pl.col("provider_key").alias("provider_id"),
            "provider_name",
            "ownership",
            "placements",
            "children",
            "bed_nights",
            "costed_nights",
            "spend",
            "cost_per_night",
        )
        .sort("financial_year", "spend", descending=[False, True], nulls_last=True)
    )
    spend_by_provider = Table(
        name="spend_by_provider",
        answers=("SOM-01", "SOM-03", "SOM-04", "SOM-05", "SOM-06"),
        title="Spend by provider and financial year",
        description=(
            "Spend with each provider (merged across LAs on its national identifiers) in "
            "each financial year, all placement types together. An LA's own services are "
            "providers too."
        ),
        frame=provider_table,
        counts=("placements", "children"),
        derived=_WITHHELD,
        chart=Chart(
            kind="bar",
            x="provider_name",
            y="spend",
            series="financial_year",
            y_label="Spend (£)",
        ),
        notes=["provider_id is the hub's merged provider key."],
    )

    by_la = _labelled(_yearly(nights, costs, ["la_code"]), complete)
    uncosted = Table(
        name="uncosted_nights",
        answers=("SOM-04", "SOM-06"),
        title="Bed nights with no cost recorded, by LA",
        description=(
            "The share of each LA's bed nights that no cost period covers. Spend compared "
            "between LAs or years is only comparable where these shares are alike (an LA "
            "that does not cost its in-house foster placements has many)."
        ),
        frame=by_la.select(
            "financial_year",
            "complete_year",
            "la_code",
            pl.col("la_code").map_elements(data.la_name, return_dtype=pl.String).alias("la_name"),
            "placements",
            "bed_nights",
            "costed_nights",
            (pl.col("bed_nights") - pl.col("costed_nights")).clip(0).alias("uncosted_nights"),
            "uncosted_share",
        ),
        counts=("placements",),
        derived=("bed_nights", "costed_nights", "uncosted_nights", "uncosted_share"),
        chart=Chart(
            kind="bar",
            x="la_name",
            y="uncosted_share",
            series="financial_year",
            y_label="Share of bed nights not costed",
        ),
    )

    change, change_by_type = _changes(by_type, complete)
    tables = [spend_by_type, per_night, spend_by_provider, uncosted, *change]
    if change_by_type is not None:
        tables.append(change_by_type)
    findings = _findings(by_type, by_la, complete, change[0].frame, data)
    return Section(
        key="cost",
        title="Spend on placements",
        introduction=(
            "What the region's LAs spent on placements, counted the same way for every "
            "LA: each night a child spends in a placement is a bed night, and its cost "
            "is a seventh of the weekly cost that covered it (what was actually invoiced "
            "where the LA recorded it, otherwise the agreed price). Nights with no cost "
            "recorded are shown separately, never as free. The change in spend from one "
            "year to the next is split into four parts: more or fewer bed nights "
            "(volume), a different mix of placement types (mix), more or fewer nights "
            "with a cost recorded (costed share), and dearer or cheaper nights within "
            "each type (price). The parts add up exactly to the change."
        ),
        tables=[finish(t, threshold) for t in tables],
        findings=findings,
    )


def _changes(by_type: pl.DataFrame, complete: dict[int, bool]) -> tuple[list[Table], Table | None]:
    whole = sorted(y for y, ok in complete.items() if ok)
    pairs = [(a, b) for a, b in itertools.pairwise(whole) if b == a + 1]
    rows, type_rows = [], []
    for first, second in pairs:
        parts = decompose(by_type, first, second)
        counts = by_type.filter(pl.col("year").is_in([first, second]))
        held = {(r["year"], r["placement_type"]): r for r in counts.iter_rows(named=True)}
        label = {"from_year": financial_year_label(first), "to_year": financial_year_label(second)}
        spend = {
            y: sum(r["spend"] for (yy, _), r in held.items() if yy == y) for y in (first, second)
        }
        totals = parts.select(pl.col(*PARTS, "total").sum())
        rows.append(
            {
                **label,
                "placements_from": sum(
                    r["placements"] for (yy, _), r in held.items() if yy == first
                ),
                "placements_to": sum(
                    r["placements"] for (yy, _), r in held.items() if yy == second
                ),
                "spend_from": round(spend[first], 2),
                "spend_to": round(spend[second], 2),
                **totals.row(0, named=True),
            }
        )
        for r in parts.iter_rows(named=True):
            kind = r["placement_type"]
            a, b = held.get((first, kind)), held.get((second, kind))
            type_rows.append(
                {
                    **label,
                    "placement_type": kind,
                    "placements_from": a["placements"] if a else 0,
                    "placements_to": b["placements"] if b else 0,
                    **{name: r[name] for name in (*PARTS, "total")},
                }
            )
    schema = {
        "from_year": pl.String,
        "to_year": pl.String,
        "placements_from": pl.Int64,
        "placements_to": pl.Int64,
        "spend_from": pl.Float64,
        "spend_to": pl.Float64,
        **{name: pl.Float64 for name in (*PARTS, "total")},
    }
    wide = _rounded_parts(pl.DataFrame(rows, schema=schema, orient="row"))
    wide = wide.with_columns(
        pl.concat_str("from_year", pl.lit(" to "), "to_year").alias("change")
    ).select(
        "from_year", "to_year", "change", *[c for c in schema if c not in ("from_year", "to_year")]
    )
    method = (
        "Symmetric (Shapley) decomposition of spend = bed nights x type share x costed "
        "share x spend per costed night, type by type: each part is its factor's effect "
        "averaged over every order in which the four could change, so the parts add up "
        "exactly to the change (the price part takes the rounding to the penny). A type "
        "present in only one of the two years counts as mix."
    )
    spend_change = Table(
        name="spend_change",
        answers=("UC-07",),
        title="Why spend changed from one year to the next",
        description=(
            "The change in the region's spend between consecutive complete financial "
            "years, split into volume, mix, costed share and price."
        ),
        frame=wide,
        counts=("placements_from", "placements_to"),
        derived=("spend_from", "spend_to", *PARTS, "total"),
        chart=Chart(kind="bar", x="change", y="total", y_label="Change in spend (£)"),
        notes=[
            method,
            "Price is the change in spend per costed night within each placement type: "
            "it includes changes in the needs of the children placed and in the kind of "
            "placement within a type (in-house or agency fostering, for example).",
        ],
    )
    long = wide.unpivot(
        index=["from_year", "to_year", "change"],
        on=list(PARTS),
        variable_name="part",
        value_name="amount",
    ).with_columns(pl.col("part").replace_strict(PART_TITLES).alias("part_title"))
    parts_table = Table(
        name="spend_change_parts",
        answers=("UC-07",),
        title="The parts of each year's change in spend",
        description="The same split as the table of spend change, one row per part, for the chart.",
        frame=long,
        chart=Chart(
            kind="bar",
            x="change",
            y="amount",
            series="part_title",
            stacked=True,
            y_label="Change in spend (£)",
        ),
        notes=[method],
    )
    by_type_table = None
    if type_rows:
        typed = _rounded_parts(
            pl.DataFrame(
                type_rows,
                schema={
                    "from_year": pl.String,
                    "to_year": pl.String,
                    "placement_type": pl.String,
                    "placements_from": pl.Int64,
                    "placements_to": pl.Int64,
                    **{name: pl.Float64 for name in (*PARTS, "total")},
                },
                orient="row",
            )
        )
        by_type_table = Table(
            name="spend_change_by_type",
            answers=("UC-07",),
            title="Each placement type's part of the change in spend",
            description=(
                "The split of the change in spend, type by type: the rows of each pair of "
                "years add up to the region's change."
            ),
            frame=typed,
            counts=("placements_from", "placements_to"),
            derived=(*PARTS, "total"),
            chart=Chart(
                kind="bar",
                x="placement_type",
                y="total",
                series="to_year",
                y_label="Change in spend (£)",
            ),
            notes=[method],
        )
    return [spend_change, parts_table], by_type_table


def _findings(
    by_type: pl.DataFrame,
    by_la: pl.DataFrame,
    complete: dict[int, bool],
    change: pl.DataFrame,
    data: RegionData,
) -> list[str]:
    out = []
    whole = sorted(y for y, ok in complete.items() if ok)
    if not whole:
        return ["No financial year is covered in full by every LA's submissions."]
    last = whole[-1]
    year = by_type.filter(pl.col("year") == last)
    spend = float(year.get_column("spend").sum())
    beds = int(year.get_column("bed_nights").sum())
    costed = int(year.get_column("costed_nights").sum())
    label = financial_year_label(last)
    if spend > 0 and costed:
        out.append(
            f"In {label} the region spent {money(spend)} on {beds:,} bed nights, "
            f"{money(spend / costed)} a costed night on average; "
            f"{1 - costed / beds:.0%} of bed nights had no cost recorded."
        )
        top = year.sort("spend", descending=True).row(0, named=True)
        if top["placements"] >= data.threshold and beds:
            out.append(
                f"{top['placement_type']} placements took {top['spend'] / spend:.0%} of "
                f"spend for {top['bed_nights'] / beds:.0%} of bed nights."
            )
    if change.height:
        r = change.row(-1, named=True)
        total = r["total"]
        if r["spend_from"]:
            parts = ", ".join(
                f"{name.replace('_', ' ')} {'+' if r[name] >= 0 else ''}{money(r[name])}"
                for name in PARTS
            )
            out.append(
                f"From {r['from_year']} to {r['to_year']} spend changed by "
                f"{'+' if total >= 0 else ''}{money(total)} "
                f"({total / r['spend_from']:+.1%}): {parts}."
            )
    las = by_la.filter(pl.col("year") == last).sort("uncosted_share", descending=True)
    if las.height > 1:
        worst = las.row(0, named=True)
        if worst["uncosted_share"] and worst["uncosted_share"] >= 0.2:
            out.append(
                f"{data.la_name(worst['la_code'])} had no cost recorded for "
                f"{worst['uncosted_share']:.0%} of its bed nights in {label}: its spend is "
                "not comparable with the other LAs'."
            )
    return out


__all__ = ["decompose", "held_facts", "section", "shapley_parts", "years_held"]
