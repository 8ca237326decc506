"""The needs-adjusted provider price model: log weekly cost on what makes a placement
dear for any provider, with one random effect per provider and placement type.

A linear mixed model fitted by restricted maximum likelihood (REML), so that how much
providers really differ (the between-provider variance) is estimated from the data and
each provider's effect is its best linear unbiased prediction: pulled towards zero
(the typical provider) the fewer placements it rests on. Numpy only: every matrix the
fit needs is small (fixed effects by fixed effects, plus a diagonal per group).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from sufficiency_standard.analytics.inputs import RegionData, financial_year

Z95 = 1.959964  # the normal quantile of a two-sided 95% interval
_LOG_RATIO_BOUNDS = (-14.0, 6.0)  # log(between / within variance) searched
KINSHIP_CODES = ("U1", "U2", "U3")  # foster care with a relative or friend
NEEDS_FLAGS = (
    "ehc_plan",
    "mental_health_diagnosis",
    "neurodevelopmental_diagnosis",
    "learning_disability",
    "deprivation_of_liberty",
    "adaptation_to_home",
    "communication_needs",
)
RISK_CAP = 8  # risks present: 0, 1, ..., 7 and "8 or more" (too few beyond to tell apart)


@dataclass
class MixedFit:
    """A fitted random-intercept model y = X beta + u[group] + e."""

    beta: np.ndarray
    beta_cov: np.ndarray  # the fixed effects' covariance (GLS)
    effects: np.ndarray  # each group's predicted effect (shrunk)
    effect_se: np.ndarray  # its posterior (prediction error) standard deviation
    within_var: float  # sigma^2: a placement's own spread around its provider
    between_var: float  # tau^2: how much providers' prices differ
    columns: list[str]


def fit_random_intercepts(
    y: np.ndarray, x: np.ndarray, groups: np.ndarray, columns: list[str] | None = None
) -> MixedFit:
    """REML fit of a random intercept per group (`groups`: integer codes 0..q-1).

    Each observation belongs to one group, so the groups' part of the mixed model
    equations is diagonal and the likelihood needs only a p x p determinant."""
    n, p = x.shape
    q = int(groups.max()) + 1 if n else 0
    if n <= p:
        raise ValueError(f"{n} observations cannot fit {p} fixed effects")
    size = np.bincount(groups, minlength=q).astype(float)  # Z'Z
    ztx = np.zeros((q, p))
    np.add.at(ztx, groups, x)  # Z'X
    zty = np.bincount(groups, weights=y, minlength=q)  # Z'y
    xtx, xty, yty = x.T @ x, x.T @ y, float(y @ y)

    def solve(log_ratio: float) -> tuple[float, np.ndarray, np.ndarray, float, float]:
        ratio = math.exp(log_ratio)  # tau^2 / sigma^2
        d = size + 1.0 / ratio  # the groups' block of the equations (diagonal)
        # Absorb the groups: the fixed effects' equations with V^-1 = I - Z D^-1 Z'.
        a = xtx - ztx.T @ (ztx / d[:, None])
        b = xty - ztx.T @ (zty / d)
        beta = np.linalg.solve(a, b)
        quad = yty - float(zty @ (zty / d)) - float(beta @ b)  # y'Py
        sigma2 = quad / (n - p)
        _, logdet_a = np.linalg.slogdet(a)
        loglik = -0.5 * (
            (n - p) * math.log(sigma2) + float(np.log1p(ratio * size).sum()) + logdet_a
        )
        return loglik, beta, d, sigma2, ratio

    # A coarse grid, then golden sections around its best point (REML is smooth in it).
    grid = np.linspace(*_LOG_RATIO_BOUNDS, 41)
    values = [solve(g)[0] for g in grid]
    best = int(np.argmax(values))
    lo = grid[max(best - 1, 0)]
    hi = grid[min(best + 1, len(grid) - 1)]
    golden = (math.sqrt(5) - 1) / 2
    c, e = hi - golden * (hi - lo), lo + golden * (hi - lo)
    fc, fe = solve(c)[0], solve(e)[0]
    for _ in range(60):
        if fc > fe:
            hi, e, fe = e, c, fc
            c = hi - golden * (hi - lo)
            fc = solve(c)[0]
        else:
            lo, c, fc = c, e, fe
            e = lo + golden * (hi - lo)
            fe = solve(e)[0]
    _, beta, d, sigma2, ratio = solve((lo + hi) / 2)
    effects = (zty - ztx @ beta) / d
    # Prediction error variance of each effect, the fixed effects' uncertainty included:
    # the groups' block of the inverse of the mixed model equations' matrix.
    a = xtx - ztx.T @ (ztx / d[:, None])
    g = ztx / d[:, None]  # D^-1 Z'X
    a_inv = np.linalg.inv(a)
    pev = 1.0 / d + np.einsum("ij,jk,ik->i", g, a_inv, g)
    return MixedFit(
        beta=beta,
        beta_cov=sigma2 * a_inv,
        effects=effects,
        effect_se=np.sqrt(sigma2 * pev),
        within_var=sigma2,
        between_var=sigma2 * ratio,
        columns=columns or [f"x{i}" for i in range(p)],
    )


def design(
    frame: pl.DataFrame, numeric: list[str], categorical: list[str]
) -> tuple[np.ndarray, list[str], dict[str, str]]:
    """The fixed effects' matrix: the numeric columns as they are (they carry the
    intercept: the year shares add up to 1) and one indicator per level of each
    categorical column but its commonest; then any column the others already span is
    dropped, so the model is identified whatever the data lack. Also returns each
    categorical column's reference level (the one left out)."""
    blocks = [frame.select(numeric).to_numpy().astype(float)]
    names = list(numeric)
    references = {}
    for column in categorical:
        counts = frame.get_column(column).value_counts()
        counts = counts.sort(["count", column], descending=[True, False])
        levels = counts.get_column(column).to_list()
        references[column] = levels[0]
        for level in levels[1:]:
            blocks.append((frame.get_column(column) == level).to_numpy().astype(float)[:, None])
            names.append(f"{column}={level}")
    x = np.hstack(blocks)
    gram = x.T @ x  # p x p: the rank tests stay cheap however many placements
    kept: list[int] = []
    for j in range(x.shape[1]):
        trial = [*kept, j]
        if np.linalg.matrix_rank(gram[np.ix_(trial, trial)], hermitian=True) == len(trial):
            kept.append(j)
    return x[:, kept], [names[j] for j in kept], references


def placement_prices(data: RegionData, years: list[int]) -> pl.DataFrame:
    """One row per costed placement: the mean of its log weekly cost over the financial
    years (`years`) it was costed in, each year's share of its costed nights, and what
    the price is adjusted for.

    A year's weekly cost is seven times its spend over its costed nights (Actual over
    Agreed night by night, as the star resolves them), so a placement's price changes
    within the model only where its cost periods change; each placement is one
    observation, whatever its length, because its price was set once."""
    costs = data.star["fact_cost_days"].with_columns(
        financial_year(pl.col("date_key").cast(pl.String).str.to_date("%Y%m%d")).alias("year")
    )
    costs = costs.filter(pl.col("year").is_in(years))
    yearly = (
        costs.group_by("placement_key", "year")
        .agg(pl.col("costed_nights").sum(), pl.col("spend").cast(pl.Float64).sum())
        .filter((pl.col("costed_nights") > 0) & (pl.col("spend") > 0))
        .with_columns(
            (7 * pl.col("spend") / pl.col("costed_nights")).log().alias("log_weekly"),
            (pl.col("costed_nights") / pl.col("costed_nights").sum().over("placement_key")).alias(
                "share"
            ),
        )
    )
    shares = (
        yearly.with_columns(pl.format("year_{}", "year").alias("column"))
        .pivot(on="column", index="placement_key", values="share")
        .fill_null(0.0)
    )
    year_columns = [f"year_{y}" for y in years if f"year_{y}" in shares.columns]
    per_placement = yearly.group_by("placement_key").agg(
        (pl.col("share") * pl.col("log_weekly")).sum().alias("log_weekly"),
        pl.col("costed_nights").sum(),
    )
    return (
        per_placement.join(shares.select("placement_key", *year_columns), on="placement_key")
        .join(_placement_features(data), on="placement_key", how="inner")
        .filter(pl.col("provider_key").is_not_null())
        .sort("placement_key")
    )


def _placement_features(data: RegionData) -> pl.DataFrame:
    """What a price is compared like for like on: placement type, whether the LA runs
    the service itself, kinship care, crisis, the needs assessed and the age band."""
    placements = data.placements
    providers = (
        data.current["providers"]
        .sort("period_end")
        .unique(["la_code", "provider_id"], keep="last")
        .select("la_code", "provider_id", "ownership")
    )
    needs = _needs(data.current["needs_assessments"])
    frame = (
        placements.join(providers, on=["la_code", "provider_id"], how="left")
        .join(needs, on=["la_code", "needs_id"], how="left")
        .with_columns(
            pl.when(pl.col("ownership") == "Local authority")
            .then(pl.lit("own"))
            .otherwise(pl.lit("bought"))
            .alias("sector"),
            pl.col("place_code").is_in(KINSHIP_CODES).cast(pl.Float64).alias("kinship"),
            (pl.col("crisis_placement") == "Yes").fill_null(False).cast(pl.Float64).alias("crisis"),
            pl.col("age_band").fill_null("unknown"),
            pl.col("risks").fill_null("not assessed"),
            *(pl.col(f).fill_null(0.0) for f in NEEDS_FLAGS),
        )
        .with_columns(pl.concat_str("placement_type", pl.lit(" / "), "sector").alias("kind"))
    )
    return frame.select(
        "placement_key",
        "child_key",
        "la_code",
        "provider_key",
        "placement_type",
        "kind",
        "kinship",
        "crisis",
        "risks",
        "age_band",
        *NEEDS_FLAGS,
    )


def _needs(assessments: pl.DataFrame) -> pl.DataFrame:
    """Per needs assessment: how many risks it records as present (any level) and a
    flag for each other need it records as there."""
    risks = [c for c in assessments.columns if c.startswith("risk_to_")]
    present = pl.sum_horizontal(
        [(pl.col(c).is_not_null() & (pl.col(c) != "No known risk")).cast(pl.Int32) for c in risks]
    )
    flags = [
        pl.col(f).is_in(["Yes", "Required"]).fill_null(False).cast(pl.Float64).alias(f)
        for f in NEEDS_FLAGS
    ]
    return (
        assessments.sort("period_end")
        .unique(["la_code", "needs_id"], keep="last")
        .select(
            "la_code",
            "needs_id",
            pl.when(present >= RISK_CAP)
            .then(pl.lit(f"{RISK_CAP}+"))
            .otherwise(present.cast(pl.String))
            .alias("risks"),
            *flags,
        )
    )


@dataclass
class PriceIndex:
    """The provider price index and the fit behind it."""

    frame: pl.DataFrame  # provider_key, placement_type, placements, children, index, ...
    fit: MixedFit
    observations: int
    references: dict[str, str]  # each categorical's reference level


def price_index(data: RegionData, years: list[int]) -> PriceIndex | None:
    """Each provider's needs-adjusted price for each placement type it provides,
    relative to the typical provider (1.0), with a 95% interval. None when too few
    placements are costed to fit the model."""
    prices = placement_prices(data, years)
    if prices.height < 30:
        return None
    year_columns = [c for c in prices.columns if c.startswith("year_")]
    numeric = [*year_columns, "kinship", "crisis", *NEEDS_FLAGS]
    x, names, references = design(prices, numeric, ["kind", "risks", "age_band"])
    groups = prices.select(
        pl.concat_str("provider_key", pl.lit("\x00"), "placement_type").alias("group")
    ).to_series()
    labels, codes = np.unique(groups.to_numpy(), return_inverse=True)
    fit = fit_random_intercepts(prices.get_column("log_weekly").to_numpy(), x, codes, names)
    keys = [label.split("\x00") for label in labels]
    effects = pl.DataFrame(
        {
            "provider_key": [k[0] for k in keys],
            "placement_type": [k[1] for k in keys],
            "effect": fit.effects,
            "se": fit.effect_se,
        }
    )
    counts = prices.group_by("provider_key", "placement_type").agg(
        pl.col("placement_key").n_unique().alias("placements"),
        pl.col("child_key").n_unique().alias("children"),
        pl.col("crisis").sum().cast(pl.Int64).alias("crisis_placements"),
    )
    frame = effects.join(counts, on=["provider_key", "placement_type"]).with_columns(
        pl.col("effect").exp().alias("index"),
        (pl.col("effect") - Z95 * pl.col("se")).exp().alias("lower"),
        (pl.col("effect") + Z95 * pl.col("se")).exp().alias("upper"),
    )
    return PriceIndex(frame=frame, fit=fit, observations=prices.height, references=references)


__all__ = [
    "MixedFit",
    "PriceIndex",
    "design",
    "fit_random_intercepts",
    "placement_prices",
    "price_index",
]
