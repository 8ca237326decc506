"""The needs-adjusted provider price index: which providers charge more or less than
the typical provider for the same placement, for children with the same needs.

The model is in price_model.py; this module turns it into the report's tables and the
words a commissioner reads.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from sufficiency_standard.analytics.cost import years_held
from sufficiency_standard.analytics.inputs import RegionData, financial_year_label
from sufficiency_standard.analytics.price_model import Z95, MixedFit, PriceIndex, price_index
from sufficiency_standard.analytics.tables import Chart, Section, Table, finish

TITLE = "Provider prices, like for like"
NEED_LABELS = {
    "kinship": "Care by family and friends",
    "crisis": "Crisis placement",
    "ehc_plan": "An EHC plan",
    "mental_health_diagnosis": "A mental health diagnosis",
    "neurodevelopmental_diagnosis": "A neurodevelopmental diagnosis",
    "learning_disability": "A learning disability",
    "deprivation_of_liberty": "A deprivation of liberty order",
    "adaptation_to_home": "Adaptations to the home needed",
    "communication_needs": "Communication needs",
}


def _introduction(threshold: int) -> str:
    return (
        "This index compares what each provider charges with what the typical provider "
        "charges for the same kind of placement, for a child with the same needs. It "
        "starts from each placement's weekly cost (what was invoiced where the LA "
        "recorded it, otherwise the agreed price) and allows for what makes any "
        "placement dearer whoever provides it: the type of placement, whether the LA "
        "runs the service itself, care by family and friends, an emergency (crisis) "
        "placement, the risks and other needs recorded in the child's needs assessment, "
        "the child's age and the year (prices rise every April). What is left is the "
        "provider's own price level. "
        "An index of 1.20 means the provider charged about 20% more than the typical "
        "provider for placements like these; 0.90 means about 10% less. "
        "The interval is the range the provider's price level very probably (95%) lies "
        "in: where it lies wholly above 1 the provider is clearly dearer, wholly below 1 "
        "clearly cheaper; where it includes 1 the data cannot tell the provider from a "
        "typical one. "
        "A provider with few placements tells us little, so its index is pulled towards "
        "1 the less we know: no provider is called dear on the strength of two expensive "
        "placements. How far to pull is learned from how much providers with many "
        "placements really differ. "
        f"Providers with fewer than {threshold} placements of a type are not shown. "
        "Crisis placements are kept and compared with other crisis placements. The index "
        "compares prices for the needs the LAs recorded: needs no assessment records, or "
        "a home's location or quality, may explain part of a difference."
    )


def _term_label(name: str, references: dict[str, str], first_year: str | None) -> str:
    if name.startswith("year_"):
        return f"Financial year {financial_year_label(int(name[5:]))} (against {first_year})"
    if "=" in name:
        column, level = name.split("=", 1)
        reference = references.get(column, "")
        if column == "kind":
            return f"{_kind(level)} (against {_kind(reference)})"
        if column == "risks":
            if level == "not assessed":
                return f"No needs assessment named (against {reference} risks present)"
            return f"{level} risk{'' if level == '1' else 's'} present (against {reference})"
        if column == "age_band":
            return f"Aged {level} at the start (against {reference})"
        return f"{column} {level} (against {reference})"
    return NEED_LABELS.get(name, name.replace("_", " ").capitalize() + " recorded")


def _kind(kind: str) -> str:
    placement_type, _, sector = kind.partition(" / ")
    return f"{placement_type}, " + ("the LA's own" if sector == "own" else "bought in")


def adjustments(result: PriceIndex) -> pl.DataFrame:
    """What the model found each factor does to a weekly price, as a multiplier with a
    95% interval (the years against the first year)."""
    fit = result.fit
    names = fit.columns
    years = [i for i, n in enumerate(names) if n.startswith("year_")]
    first = years[0] if years else None
    first_label = financial_year_label(int(names[first][5:])) if first is not None else None
    rows = []
    for i, name in enumerate(names):
        if i == first:
            continue
        contrast = np.zeros(len(names))
        contrast[i] = 1.0
        if i in years and first is not None:
            contrast[first] = -1.0
        estimate = float(contrast @ fit.beta)
        se = math.sqrt(max(float(contrast @ fit.beta_cov @ contrast), 0.0))
        rows.append(
            {
                "term": name,
                "description": _term_label(name, result.references, first_label),
                "multiplier": round(math.exp(estimate), 4),
                "lower": round(math.exp(estimate - Z95 * se), 4),
                "upper": round(math.exp(estimate + Z95 * se), 4),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "term": pl.String,
            "description": pl.String,
            "multiplier": pl.Float64,
            "lower": pl.Float64,
            "upper": pl.Float64,
        },
        orient="row",
    )


def index_frame(result: PriceIndex, data: RegionData) -> pl.DataFrame:
    """The index table: one row per provider and placement type. A type only one
    provider offers has no index (there is no one to compare it with)."""
    names = data.star["dim_provider"].select("provider_key", "provider_name", "ownership")
    frame = (
        result.frame.join(names, on="provider_key", how="left")
        .with_columns(
            pl.col("provider_key").n_unique().over("placement_type").alias("providers_compared")
        )
        .with_columns(
            *(
                pl.when(pl.col("providers_compared") > 1).then(pl.col(c).round(4)).alias(c)
                for c in ("index", "lower", "upper")
            )
        )
        .with_columns(
            pl.when(pl.col("lower") > 1)
            .then(pl.lit("dearer"))
            .when(pl.col("upper") < 1)
            .then(pl.lit("cheaper"))
            .when(pl.col("index").is_not_null())
            .then(pl.lit("not clearly different"))
            .alias("compared_with_typical"),
            pl.concat_str(
                pl.coalesce("provider_name", "provider_key"),
                pl.lit(" ("),
                "placement_type",
                pl.lit(")"),
            ).alias("provider"),
        )
    )
    return frame.select(
        pl.col("provider_key").alias("provider_id"),
        "provider_name",
        "ownership",
        "placement_type",
        "provider",
        pl.col("placements").cast(pl.Int64),
        pl.col("children").cast(pl.Int64),
        pl.col("providers_compared").cast(pl.Int64),
        "index",
        "lower",
        "upper",
        "compared_with_typical",
    ).sort("placement_type", "index", descending=[False, True], nulls_last=True)


def section(data: RegionData) -> Section:
    """The provider price index, the adjustments behind it, and which providers are
    clearly dearer or cheaper."""
    threshold = data.threshold
    years = sorted(years_held(data))
    try:
        result = price_index(data, years) if years else None
    except np.linalg.LinAlgError:
        result = None
    if result is None:
        return Section(
            key="providers",
            title=TITLE,
            introduction=_introduction(threshold),
            tables=[],
            findings=["Too few placements have a cost recorded to compare providers' prices."],
        )
    frame = index_frame(result, data)
    fit = result.fit
    method = (
        "A linear mixed model of each placement's log weekly cost (the mean over the "
        "financial years it was costed in, each year's weekly cost being seven times its "
        "spend over its costed nights) on the financial years (each year's share of the "
        "placement's costed nights), placement type by who runs it (the LA itself or "
        "bought in), kinship care, crisis, the number of risks present in the "
        "placement's needs assessment (a level for each count; 'not assessed' where the "
        "placement names no assessment), the other needs recorded, and the age band at "
        "the start; with a random effect for each provider and placement type. The "
        "between-provider variance is estimated by restricted maximum likelihood; each "
        "index is exp(the provider's predicted effect), and its interval exp(effect +/- "
        "1.96 x the posterior standard deviation), which allows for the uncertainty of "
        "the adjustments but not of the variances."
    )
    index_table = Table(
        name="provider_price_index",
        answers=("SW-02", "UC-05", "SW-03"),
        title="Needs-adjusted price index by provider and placement type",
        description=(
            "Each provider's price for a type of placement against the typical provider "
            "(1.0), like for like: the same type of placement, needs, age and year. "
            "The interval is 95%."
        ),
        frame=frame,
        counts=("placements", "children"),
        derived=("index", "lower", "upper", "compared_with_typical"),
        chart=Chart(
            kind="point",
            x="provider",
            y="index",
            lower="lower",
            upper="upper",
            reference=1.0,
            y_label="Price index (typical provider = 1)",
        ),
        notes=[
            method,
            f"{result.observations:,} costed placements; providers' prices differ with a "
            f"standard deviation of {math.expm1(math.sqrt(fit.between_var)):.1%}, a "
            f"placement's own price around its provider's with one of "
            f"{math.expm1(math.sqrt(fit.within_var)):.1%}.",
            "provider_id is the hub's merged provider key; placements and children are "
            "those with a cost in the years compared. providers_compared: the providers "
            "of the type in the model; a type only one provider offers has no index.",
        ],
    )
    adjust = Table(
        name="price_adjustments",
        answers=("UC-05", "SE-02", "NC-03"),
        title="What makes a placement dearer, whoever provides it",
        description=(
            "The model's adjustments, as multipliers of the weekly price with 95% "
            "intervals: 1.06 means 6% dearer than the comparison named."
        ),
        frame=adjustments(result),
        chart=Chart(
            kind="point",
            x="description",
            y="multiplier",
            lower="lower",
            upper="upper",
            reference=1.0,
            y_label="Multiplier of the weekly price",
        ),
        notes=[method],
    )
    tables = [finish(index_table, threshold), finish(adjust, threshold)]
    return Section(
        key="providers",
        title=TITLE,
        introduction=_introduction(threshold),
        tables=tables,
        findings=_findings(tables[0].frame, fit),
    )


def _findings(frame: pl.DataFrame, fit: MixedFit) -> list[str]:
    shown = frame.filter(pl.col("index").is_not_null())
    out = []
    for verdict, word in (("dearer", "more"), ("cheaper", "less")):
        rows = shown.filter(pl.col("compared_with_typical") == verdict).sort(
            "index", descending=verdict == "dearer"
        )
        if rows.height:
            parts = [
                f"{r['provider']} {r['index']:.2f} ({r['lower']:.2f} to {r['upper']:.2f})"
                for r in rows.iter_rows(named=True)
            ]
            out.append(
                f"Clearly {verdict} than the typical provider for like-for-like "
                f"placements ({word} than it, the whole 95% interval on one side of 1): "
                + "; ".join(parts)
                + "."
            )
    if shown.height and not out:
        out.append(
            "No provider's price is clearly different from the typical provider's for "
            "like-for-like placements."
        )
    if shown.height:
        unclear = shown.filter(pl.col("compared_with_typical") == "not clearly different")
        out.append(
            f"{unclear.height} of the {shown.height} providers and types shown cannot be "
            "told from the typical provider."
        )
    out.extend(_year_finding(fit))
    return out


def _year_finding(fit: MixedFit) -> list[str]:
    """Like-for-like price rises: the last year on the one before, and on the first."""
    years = [(int(n[5:]), i) for i, n in enumerate(fit.columns) if n.startswith("year_")]
    if len(years) < 2:
        return []
    (first, i0), (before, i1), (last, i2) = years[0], years[-2], years[-1]
    recent = math.expm1(fit.beta[i2] - fit.beta[i1])
    text = (
        f"Like-for-like prices rose {recent:.1%} from {financial_year_label(before)} to "
        f"{financial_year_label(last)}"
    )
    if first != before:
        since = math.expm1(fit.beta[i2] - fit.beta[i0])
        text += f" and {since:.1%} since {financial_year_label(first)}"
    return [text.replace("rose -", "fell ") + "."]


__all__ = ["adjustments", "index_frame", "section"]
