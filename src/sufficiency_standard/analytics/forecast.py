"""The forecast section: the regions' demand-model baseline fitted on the hub, scored
against what happened, and turned into spend from what children's homes actually cost.

- forecast: children in care by placement category for 24 months after the report's
  date, with the +/- 2 sigma interval of the Markov model (markov.py);
- backtest: the same model fitted only on what was known 12 and 24 months earlier,
  against the children actually in care since;
- spend_forecast: projected bed nights x each category's recent spend per costed night
  (the hub's costed nights) x its costed share, carried forward with the year-on-year
  change in the price of the same placements;
- transition_rates: every daily rate, so a region can set it beside its demand model's.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from sufficiency_standard.analytics import episodes as ep
from sufficiency_standard.analytics import markov
from sufficiency_standard.analytics.inputs import RegionData
from sufficiency_standard.analytics.regional import money
from sufficiency_standard.analytics.tables import Chart, Section, Table, finish

HORIZON_MONTHS = 24
REFERENCE_YEARS = 3  # the rates are fitted on at most the last three years before an origin
BACKTEST_MONTHS = (12, 24)  # origins this many months before the data's end
MINIMUM_FIT_DAYS = 365  # an origin needs a year of data before it
YEAR_DAYS = 365.24
ALL = "All children in care"
GROUPS = (*ep.CATEGORIES, ALL)


def month_dates(origin: dt.date, months: int) -> list[dt.date]:
    """The origin and the same day of each month after it (the month's last day when
    shorter): month 0 is the origin."""
    series = pl.Series([origin]).dt.offset_by
    return [origin] + [series(f"{k}mo").item() for k in range(1, months + 1)]


def reference_start(first: dt.date, origin: dt.date, years: int = REFERENCE_YEARS) -> dt.date:
    back = pl.Series([origin]).dt.offset_by(f"-{years}y").item() + dt.timedelta(days=1)
    return max(first + dt.timedelta(days=1), back)


@dataclass
class Baseline:
    """The model fitted on what was known at `origin`, projected to the days recorded."""

    origin: dt.date
    rates: markov.Rates
    population: np.ndarray
    projection: markov.Projection


def fit_baseline(
    raw: pl.DataFrame, origin: dt.date, days: int, years: int = REFERENCE_YEARS
) -> Baseline:
    """Fit on the raw episodes as known at `origin` and project `days` days, every day
    recorded."""
    known = ep.prepare(ep.as_of(raw, origin))
    first = known.get_column("observed_from").min()
    past = markov.history(known, first, origin)  # type: ignore[arg-type]
    rates = markov.fit(past, reference_start(first, origin, years), origin)  # type: ignore[arg-type]
    population = past.stock_on(origin)
    projection = markov.project(rates, population, list(range(days + 1)))
    return Baseline(origin, rates, population, projection)


def forecast_frame(baseline: Baseline, months: list[dt.date]) -> pl.DataFrame:
    """Expected children by category (and all) at each month, with a 2-sigma interval."""
    weights = markov.category_weights()
    offsets = [(m - baseline.origin).days for m in months]
    mean, sd = baseline.projection.total(weights)
    origin_stock = weights @ baseline.population
    rows = []
    for k, (month, day) in enumerate(zip(months, offsets, strict=True)):
        for g, group in enumerate(GROUPS):
            rows.append(
                (
                    month,
                    k,
                    group,
                    int(origin_stock[g]),
                    float(mean[day, g]),
                    float(max(mean[day, g] - 2 * sd[day, g], 0.0)),
                    float(mean[day, g] + 2 * sd[day, g]),
                )
            )
    return pl.DataFrame(
        rows,
        schema={
            "month": pl.Date,
            "months_ahead": pl.Int64,
            "placement_category": pl.String,
            "stock_at_origin": pl.Int64,
            "expected": pl.Float64,
            "lower": pl.Float64,
            "upper": pl.Float64,
        },
        orient="row",
    )


def stock_by_group(past: markov.History, day: dt.date) -> np.ndarray:
    return markov.category_weights() @ past.stock_on(day)


def backtest_frame(
    raw: pl.DataFrame, end: dt.date, origins: tuple[int, ...] = BACKTEST_MONTHS
) -> pl.DataFrame:
    """From each origin `origins` months before `end` that has a year of data before
    it: the forecast made then (on what was known then) against the children in care
    on each month since, counted from the current data."""
    current = ep.prepare(raw)
    first = raw.get_column("observed_from").min()
    actual = markov.history(current, first, end)  # type: ignore[arg-type]
    weights = markov.category_weights()
    frames = []
    for back in origins:
        origin = pl.Series([end]).dt.offset_by(f"-{back}mo").item()
        if (origin - first).days < MINIMUM_FIT_DAYS:  # type: ignore[operator]
            continue
        months = month_dates(origin, back)
        baseline = fit_baseline(raw, origin, (months[-1] - origin).days)
        mean, sd = baseline.projection.total(weights)
        for k, month in enumerate(months[1:], start=1):
            day = (month - origin).days
            seen = stock_by_group(actual, month)
            for g, group in enumerate(GROUPS):
                frames.append(
                    (
                        origin,
                        k,
                        month,
                        group,
                        float(mean[day, g]),
                        float(max(mean[day, g] - 2 * sd[day, g], 0.0)),
                        float(mean[day, g] + 2 * sd[day, g]),
                        int(seen[g]),
                    )
                )
    frame = pl.DataFrame(
        frames,
        schema={
            "origin": pl.Date,
            "months_ahead": pl.Int64,
            "month": pl.Date,
            "placement_category": pl.String,
            "forecast": pl.Float64,
            "lower": pl.Float64,
            "upper": pl.Float64,
            "actual": pl.Int64,
        },
        orient="row",
    )
    return frame.with_columns(
        pl.when(pl.col("actual") > 0)
        .then((pl.col("forecast") - pl.col("actual")) / pl.col("actual") * 100)
        .alias("percentage_error"),
        pl.concat_str(
            "placement_category", pl.lit(", from "), pl.col("origin").dt.strftime("%b %Y")
        ).alias("line"),
    )


def backtest_summary(frame: pl.DataFrame, threshold: int) -> pl.DataFrame:
    """Mean absolute percentage error by months ahead, over the placement categories with
    at least `threshold` children (each origin and category one figure), and for all
    children; and how often the actual fell inside the interval."""
    usable = frame.filter(pl.col("actual") >= max(threshold, 1))
    by_category = (
        usable.filter(pl.col("placement_category") != ALL)
        .group_by("months_ahead")
        .agg(
            pl.col("percentage_error").abs().mean().alias("mape_categories"),
            pl.col("actual").is_between(pl.col("lower"), pl.col("upper")).mean().alias("covered"),
        )
    )
    total = (
        usable.filter(pl.col("placement_category") == ALL)
        .group_by("months_ahead")
        .agg(pl.col("percentage_error").abs().mean().alias("mape_all"))
    )
    return by_category.join(total, on="months_ahead", how="full", coalesce=True).sort(
        "months_ahead"
    )


# -- spend ---------------------------------------------------------------------------


@dataclass
class Prices:
    """Each category's spend per costed night and share of bed nights costed over the
    year before the origin, and the yearly price change assumed after it."""

    per_night: dict[str, float]
    costed_share: dict[str, float]
    inflation: float
    inflation_source: str
    placements_compared: int
    year_start: dt.date
    year_end: dt.date


def _placement_categories(data: RegionData) -> pl.DataFrame:
    return data.placements.select(
        "placement_key",
        ep.category(pl.col("place_code"), pl.col("placement_type")).alias("placement_category"),
    ).unique("placement_key")


def _month_key(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + 1


def prices(data: RegionData, origin: dt.date) -> Prices:
    """From the hub's costed nights: the year before the origin's price per costed night
    by category; the inflation assumption is the like-for-like change, the nightly price
    of the same placements in that year over the year before (a night-weighted geometric
    mean), so a change in the mix of homes is not taken for a change in price."""
    star = data.star
    year_end = origin
    year_start = pl.Series([origin]).dt.offset_by("-1y").item() + dt.timedelta(days=1)
    before_start = pl.Series([year_start]).dt.offset_by("-1y").item()
    latest = (_month_key(year_start), _month_key(year_end))
    earlier = (_month_key(before_start), _month_key(year_start) - 1)
    kinds = _placement_categories(data)
    costs = star["fact_cost_days"].join(kinds, on="placement_key", how="left")
    nights = star["fact_placement_days"].join(kinds, on="placement_key", how="left")
    in_year = pl.col("date_key").is_between(*latest)
    spent = (
        costs.filter(in_year)
        .group_by("placement_category")
        .agg(
            pl.col("spend").cast(pl.Float64).sum().alias("spend"),
            pl.col("costed_nights").sum().alias("costed"),
        )
    )
    slept = (
        nights.filter(in_year)
        .group_by("placement_category")
        .agg(pl.col("bed_nights").sum().alias("nights"))
    )
    table = slept.join(spent, on="placement_category", how="left").fill_null(0)
    per_night, share = {}, {}
    for row in table.iter_rows(named=True):
        name = row["placement_category"]
        per_night[name] = row["spend"] / row["costed"] if row["costed"] else 0.0
        share[name] = min(row["costed"] / row["nights"], 1.0) if row["nights"] else 0.0

    def nightly(bounds: tuple[int, int]) -> pl.DataFrame:
        return (
            costs.filter(pl.col("date_key").is_between(*bounds))
            .group_by("placement_key")
            .agg(
                (pl.col("spend").cast(pl.Float64).sum() / pl.col("costed_nights").sum()).alias(
                    "price"
                ),
                pl.col("costed_nights").sum().alias("nights"),
            )
            .filter(pl.col("price") > 0)
        )

    pairs = nightly(latest).join(nightly(earlier), on="placement_key", suffix="_before")
    if pairs.height >= 20:
        log_change = (pairs["price"] / pairs["price_before"]).log()
        weights = pairs["nights"].cast(pl.Float64)
        inflation = math.exp(float((log_change * weights).sum() / weights.sum())) - 1
        source = "the like-for-like change in the data"
    else:
        inflation, source = 0.0, "held flat (too few placements costed in both years)"
    return Prices(per_night, share, inflation, source, pairs.height, year_start, year_end)


def spend_frame(baseline: Baseline, months: list[dt.date], price: Prices) -> pl.DataFrame:
    """Projected spend a month by category: nights expected x costed share x price,
    grown by the inflation assumption from the middle of the priced year. The interval
    is the population's (each day's 2-sigma summed over the month: the days of a month
    move together), not any doubt about prices."""
    weights = markov.category_weights()[: len(ep.CATEGORIES)]
    unit = np.array(
        [price.per_night.get(c, 0.0) * price.costed_share.get(c, 0.0) for c in ep.CATEGORIES]
    )
    spend_weights = np.vstack([weights * unit[:, None], (weights * unit[:, None]).sum(axis=0)])
    nights_mean, _ = baseline.projection.total(np.vstack([weights, weights.sum(axis=0)]))
    spend_mean, spend_sd = baseline.projection.total(spend_weights)
    middle = price.year_start + (price.year_end - price.year_start) / 2
    origin_stock = markov.category_weights() @ baseline.population
    rows = []
    for k in range(1, len(months)):
        first = (months[k - 1] - baseline.origin).days + 1
        last = (months[k] - baseline.origin).days
        days = slice(first, last + 1)
        mid_day = baseline.origin + dt.timedelta(days=(first + last) / 2)
        grown = (1 + price.inflation) ** ((mid_day - middle).days / YEAR_DAYS)
        for g, group in enumerate(GROUPS):
            expected = float(spend_mean[days, g].sum()) * grown
            spread = 2 * float(spend_sd[days, g].sum()) * grown
            rows.append(
                (
                    months[k],
                    k,
                    group,
                    int(origin_stock[g]),
                    float(nights_mean[days, g].sum()),
                    expected,
                    max(expected - spread, 0.0),
                    expected + spread,
                )
            )
    return pl.DataFrame(
        rows,
        schema={
            "month": pl.Date,
            "months_ahead": pl.Int64,
            "placement_category": pl.String,
            "stock_at_origin": pl.Int64,
            "bed_nights": pl.Float64,
            "expected": pl.Float64,
            "lower": pl.Float64,
            "upper": pl.Float64,
        },
        orient="row",
    ).with_columns(pl.col("expected", "lower", "upper").round(0))


# -- the section ---------------------------------------------------------------------


def _small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def _without_disclosing_total(frame: pl.DataFrame, count: str, by: list[str], threshold: int):
    """Drop the all-children row of any period where a category's count is suppressed:
    the total would give it away by subtraction."""
    if threshold <= 1:
        return frame
    small = (
        frame.filter(pl.col("placement_category") != ALL)
        .group_by(by)
        .agg(((pl.col(count) > 0) & (pl.col(count) < threshold)).any().alias("_small"))
    )
    return (
        frame.join(small, on=by, how="left")
        .filter(~((pl.col("placement_category") == ALL) & pl.col("_small").fill_null(False)))
        .drop("_small")
    )


def section(data: RegionData) -> Section:
    """The forecast section of the regional report."""
    threshold = data.threshold
    raw = ep.from_placements(data.placements)
    origin = data.as_of
    tables: list[Table] = []
    findings: list[str] = []
    if raw.is_empty():
        return Section("forecast", "Forecast", INTRODUCTION, [], ["No placements to model."])
    behind = (
        raw.group_by("la_code")
        .agg(pl.col("observed_until").max())
        .filter(pl.col("observed_until") < origin)
        .get_column("la_code")
        .to_list()
    )
    months = month_dates(origin, HORIZON_MONTHS)
    baseline = fit_baseline(raw, origin, (months[-1] - origin).days)
    rates = baseline.rates

    forecast = forecast_frame(baseline, months)
    forecast = _without_disclosing_total(forecast, "stock_at_origin", ["month"], threshold)
    tables.append(
        finish(
            Table(
                name="forecast",
                answers=("UC-06",),
                title="Children in care: the demand model's baseline",
                description="Children expected in care on each month's date by placement "
                "category, projected day by day from the report's date with the rates of "
                "the reference period, with the interval of +/- 2 standard deviations.",
                frame=forecast,
                counts=["stock_at_origin"],
                derived=["expected", "lower", "upper"],
                chart=Chart(
                    kind="line",
                    x="month",
                    y="expected",
                    series="placement_category",
                    lower="lower",
                    upper="upper",
                    y_label="Children in care",
                ),
                notes=[
                    f"Rates fitted on {rates.start:%d %B %Y} to {rates.end:%d %B %Y}.",
                    "Month 0 is the children in care on the report's date, counted.",
                    "A category with fewer than the threshold of children on the report's "
                    "date is withheld throughout (its projection starts from that count), "
                    "and the all-children line with it.",
                    "The interval is the chance in who moves, enters and leaves with the "
                    "rates as fitted; doubt about the rates themselves would widen it.",
                ],
            ),
            threshold,
        )
    )

    backtest = backtest_frame(raw, origin)
    summary = backtest_summary(backtest, threshold)
    backtest = _without_disclosing_total(backtest, "actual", ["origin", "months_ahead"], threshold)
    tables.append(
        finish(
            Table(
                name="backtest",
                answers=("UC-06",),
                title="Back-test: the baseline fitted earlier against what happened",
                description="From origins 12 and 24 months before the report's date, the "
                "model fitted only on what was known then, against the children actually in "
                "care on each month's date (counted from the current data).",
                frame=backtest,
                counts=["actual"],
                derived=["forecast", "lower", "upper", "percentage_error"],
                chart=Chart(
                    kind="line",
                    x="months_ahead",
                    y="percentage_error",
                    series="line",
                    y_label="Forecast error (% of actual)",
                    reference=0.0,
                ),
                notes=[
                    "An origin needs a year of data before it; one without is left out.",
                    "Percentage error: (forecast - actual) / actual x 100.",
                ],
            ),
            threshold,
        )
    )

    price = prices(data, origin)
    spend = spend_frame(baseline, months, price)
    spend = _without_disclosing_total(spend, "stock_at_origin", ["month"], threshold)
    tables.append(
        finish(
            Table(
                name="spend_forecast",
                answers=("UC-07",),
                title="Spend: the baseline's bed nights at recent actual prices",
                description="Projected spend each month: expected bed nights x the share of "
                "nights costed x spend per costed night in the year to the report's date, "
                f"grown by {price.inflation:.1%} a year ({price.inflation_source}).",
                frame=spend,
                counts=["stock_at_origin"],
                derived=["bed_nights", "expected", "lower", "upper"],
                chart=Chart(
                    kind="line",
                    x="month",
                    y="expected",
                    series="placement_category",
                    lower="lower",
                    upper="upper",
                    y_label="Spend in the month (£)",
                ),
                notes=[
                    "Prices per costed night: "
                    + "; ".join(
                        f"{c} £{price.per_night.get(c, 0.0):,.0f} "
                        f"({price.costed_share.get(c, 0.0):.0%} of nights costed)"
                        for c in ep.CATEGORIES
                    )
                    + f" ({price.year_start:%d %B %Y} to {price.year_end:%d %B %Y}).",
                    f"Inflation: {price.inflation:.1%} a year, {price.inflation_source} "
                    f"({price.placements_compared} placements costed in both years).",
                    "Spend is on the hub's basis: nights not costed (in-house carers an LA "
                    "does not cost per placement) stay uncosted, as in the data.",
                    "The interval is the population's only, not the prices'.",
                ],
            ),
            threshold,
        )
    )

    transition = rates.frame(YEAR_DAYS).with_columns(
        pl.concat_str(
            pl.col("age_band"),
            pl.lit(" "),
            pl.col("from"),
            pl.lit(" to "),
            pl.col("to_age_band"),
            pl.lit(" "),
            pl.col("to"),
        )
        .str.strip_chars()
        .alias("transition")
    )
    tables.append(
        finish(
            Table(
                name="transition_rates",
                answers=("UC-06",),
                title="The baseline's daily rates",
                description="Each move between states (age band and placement category), "
                "out of care, into the next age band and into care: the daily rate as the "
                "demand model fits it, the yearly rate (x 365.24) and the counts behind it.",
                frame=transition.select(
                    "kind",
                    "age_band",
                    "from",
                    "to_age_band",
                    "to",
                    "transition",
                    "transitions",
                    "child_nights",
                    "daily_rate",
                    "annual_rate",
                    "reference_start",
                    "reference_end",
                ),
                counts=["transitions"],
                derived=["child_nights", "daily_rate", "annual_rate"],
                chart=Chart(
                    kind="bar",
                    x="transition",
                    y="annual_rate",
                    series="kind",
                    y_label="Rate a year",
                ),
                notes=[
                    "Moves within a category (to another home of the same kind) are shown "
                    "but do not change the projection.",
                    "Entries: from Not in care, the daily rate is children entering a day.",
                ],
            ),
            threshold,
        )
    )

    findings.extend(_findings(forecast, summary, spend, price, origin, threshold))
    if behind:
        findings.append(
            f"{len(behind)} LA(s) ({', '.join(sorted(behind))}) hold no data up to the "
            "report's date: their children are not in the forecast."
        )
    return Section(
        key="forecast",
        title="Forecast: the demand model's baseline",
        introduction=INTRODUCTION,
        tables=tables,
        findings=findings,
    )


INTRODUCTION = (
    "This is the regions' demand model rebuilt on the hub's data: a Markov baseline. "
    "Each child in care is in a state (an age band and a kind of home: fostering, "
    "residential, supported or other); from the placements of the last three years we "
    "measure how often, on an ordinary day, children in each state move to another, "
    "grow into the next age band or leave care, and how many enter each state. Rolling "
    "those daily rates forward from today's children gives the baseline: what happens if "
    "the next two years behave like the recent past. It is a scenario to plan against, "
    "not a prediction: it does not know about policy changes, new homes or a rise in "
    "demand. The back-test shows how far such a baseline, made one and two years ago, "
    "was from what happened; the spend forecast prices the baseline's bed nights at what "
    "this region's placements actually cost in the last year."
)


def _findings(
    forecast: pl.DataFrame,
    summary: pl.DataFrame,
    spend: pl.DataFrame,
    price: Prices,
    origin: dt.date,
    threshold: int,
) -> list[str]:
    out = []
    last = forecast.get_column("months_ahead").max()
    total = forecast.filter(
        (pl.col("placement_category") == ALL) & pl.col("expected").is_not_null()
    )
    if total.height:
        now = total.filter(pl.col("months_ahead") == 0)["expected"].item()
        end = total.filter(pl.col("months_ahead") == last).row(0, named=True)
        out.append(
            f"On {origin:%d %B %Y} {now:,.0f} children were in care; the baseline expects "
            f"{end['expected']:,.0f} in {last} months (between {end['lower']:,.0f} and "
            f"{end['upper']:,.0f})."
        )
    shown = forecast.filter(
        (pl.col("placement_category") != ALL) & pl.col("expected").is_not_null()
    )
    if shown.height:
        change = (
            shown.group_by("placement_category")
            .agg(
                pl.col("expected").filter(pl.col("months_ahead") == 0).first().alias("now"),
                pl.col("expected").filter(pl.col("months_ahead") == last).first().alias("then"),
            )
            .with_columns(((pl.col("then") - pl.col("now")) / pl.col("now")).alias("change"))
            .sort(pl.col("change").abs(), descending=True)
        )
        top = change.row(0, named=True)
        if top["now"]:
            direction = "grow" if top["change"] > 0 else "shrink"
            out.append(
                f"The largest relative change is in {top['placement_category'].lower()}: "
                f"expected to {direction} by {abs(top['change']):.0%} "
                f"({top['now']:,.0f} to {top['then']:,.0f})."
            )
    for months in (12, 24):
        row = summary.filter(pl.col("months_ahead") == months)
        if row.height and row["mape_categories"].item() is not None:
            r = row.row(0, named=True)
            total_error = (
                f"; all children in care by {r['mape_all']:.1f}%"
                if r["mape_all"] is not None
                else ""
            )
            out.append(
                f"Back-test, {months} months ahead: the baseline was off by "
                f"{r['mape_categories']:.1f}% on average across placement categories with "
                f"at least {threshold} children{total_error}; {r['covered']:.0%} of the "
                "actual counts fell inside its interval."
            )
    spent = spend.filter(
        (pl.col("placement_category") == ALL)
        & (pl.col("months_ahead") <= 12)
        & pl.col("expected").is_not_null()
    )
    if spent.height == 12:
        out.append(
            f"At this region's recent prices, grown {price.inflation:.1%} a year "
            f"({price.inflation_source}), the baseline's next 12 months cost "
            f"{money(spent['expected'].sum())} (between {money(spent['lower'].sum())} and "
            f"{money(spent['upper'].sum())}) on the hub's costed basis."
        )
    return out


__all__ = [
    "ALL",
    "BACKTEST_MONTHS",
    "HORIZON_MONTHS",
    "Baseline",
    "Prices",
    "backtest_frame",
    "backtest_summary",
    "fit_baseline",
    "forecast_frame",
    "month_dates",
    "prices",
    "section",
    "spend_frame",
]
