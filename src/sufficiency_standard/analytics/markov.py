"""The demand model's daily Markov baseline: how many children are in each state each
night, the daily rate of each move between states (and out of care), the daily number
entering each state, and the projection of the population with its variance.

A state is an age band and a placement category (episodes.py); "not in care" is where
children go when they leave. The rate of a move from state s to t is the mean, over the
days of the reference period on which s held anyone, of the moves that day over the
children in s the night before: the regional demand model's estimator, so its rates can
be checked against ours. Arrays are days x states, built in one pass (numpy bincount),
so a national hub's million placements take seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from sufficiency_standard.analytics.episodes import BAND_LABELS, CATEGORIES, NOT_IN_CARE

STATES: tuple[tuple[int, str], ...] = tuple(
    (band, name) for band in range(len(BAND_LABELS)) for name in CATEGORIES
)
"""Every in-care state, as (age band index, placement category): index band x 4 + category."""
SIZE = len(STATES)
LEFT = SIZE  # the column of a move out of care


def _state(band: pl.Expr, name: pl.Expr) -> pl.Expr:
    index = name.replace_strict(
        {c: i for i, c in enumerate(CATEGORIES)}, default=None, return_dtype=pl.Int64
    )
    return band.cast(pl.Int64) * len(CATEGORIES) + index


def _days(column: pl.Expr, first: dt.date) -> pl.Expr:
    return (column - pl.lit(first, pl.Date)).dt.total_days().cast(pl.Int64)


@dataclass
class History:
    """What happened each day from `first` to `last`: `stock[d, s]` children in state s
    on night d; `moves[d, s, t]` moves from s to t on day d (t = LEFT: out of care);
    `entries[d, s]` children entering care into s on day d."""

    first: dt.date
    last: dt.date
    stock: np.ndarray
    moves: np.ndarray
    entries: np.ndarray

    def index(self, day: dt.date) -> int:
        return (day - self.first).days

    def stock_on(self, day: dt.date) -> np.ndarray:
        return self.stock[self.index(day)].astype(float)


def history(episodes: pl.DataFrame, first: dt.date, last: dt.date) -> History:
    """Daily stock, moves and entries from linked episodes (episodes.prepare). Each LA
    counts only between its `observed_from` and `observed_until`: before, its earlier
    episodes are missing; after, its open ones are unknown."""
    days = (last - first).days + 1
    lower = pl.max_horizontal("start", "observed_from", pl.lit(first, pl.Date))
    upper = pl.min_horizontal(
        pl.coalesce(pl.col("end") - pl.duration(days=1), pl.col("observed_until")),
        "observed_until",
        pl.lit(last, pl.Date),
    )
    frame = episodes.select(
        _state(pl.col("band"), pl.col("category")).alias("state"),
        _days(lower, first).alias("lower"),
        _days(upper, first).alias("upper"),
        _days(pl.col("end"), first).alias("end"),
        _days(pl.max_horizontal("observed_from", pl.lit(first, pl.Date)), first).alias("seen"),
        _days(pl.col("observed_until"), first).alias("until"),
        _days(pl.col("start"), first).alias("start"),
        pl.when(pl.col("to_category") == NOT_IN_CARE)
        .then(LEFT)
        .otherwise(_state(pl.col("to_band"), pl.col("to_category")))
        .alias("to"),
        "entry",
    )
    stays = frame.filter(pl.col("upper") >= pl.col("lower"))
    width = SIZE
    change = np.bincount(
        (stays["lower"] * width + stays["state"]).to_numpy(), minlength=(days + 1) * width
    ) - np.bincount(
        ((stays["upper"] + 1) * width + stays["state"]).to_numpy(), minlength=(days + 1) * width
    )
    stock = np.cumsum(change.reshape(days + 1, width), axis=0)[:days]
    # A move counts when the child was counted the night before it.
    moved = frame.filter(
        pl.col("end").is_not_null()
        & (pl.col("end") > pl.col("seen"))
        & (pl.col("end") <= pl.col("until") + 1)
        & (pl.col("end") < days)
        & pl.col("to").is_not_null()
    )
    moves = np.bincount(
        ((moved["end"] * width + moved["state"]) * (width + 1) + moved["to"]).to_numpy(),
        minlength=days * width * (width + 1),
    ).reshape(days, width, width + 1)
    entered = frame.filter(
        pl.col("entry")
        & (pl.col("start") >= pl.col("seen"))
        & (pl.col("start") <= pl.col("until"))
        & (pl.col("start") < days)
    )
    entries = np.bincount(
        (entered["start"] * width + entered["state"]).to_numpy(), minlength=days * width
    ).reshape(days, width)
    return History(first, last, stock, moves, entries)


@dataclass
class Rates:
    """Daily rates fitted over [start, end]: `daily[s, t]` (t = LEFT: leaving care),
    `entries[s]` children a day entering s; `moves`, `entrants`, `child_nights` and
    `days_held` are the counts behind them."""

    start: dt.date
    end: dt.date
    daily: np.ndarray
    entries: np.ndarray
    moves: np.ndarray
    entrants: np.ndarray
    child_nights: np.ndarray
    days_held: np.ndarray

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def matrix(self) -> np.ndarray:
        """M with M[t, s] the chance a child in s is in t the next day (columns sum to
        the chance of still being in care); a move within a state is a stay. Should the
        rates out of a state add up to more than 1, they are scaled down to 1."""
        daily = self.daily.copy()
        np.fill_diagonal(daily[:, :SIZE], 0.0)
        out = daily.sum(axis=1)
        scale = np.where(out > 1.0, 1.0 / np.where(out > 0, out, 1.0), 1.0)
        daily *= scale[:, None]
        matrix = daily[:, :SIZE].T.copy()
        matrix[np.diag_indices(SIZE)] = 1.0 - daily.sum(axis=1)
        return matrix

    def frame(self, year_days: float = 365.24) -> pl.DataFrame:
        """Every rate seen (moves, leaving care, ageing and entries) as rows a region can
        set beside its demand model's: annual rate = daily rate x days in a year."""
        rows = []
        for s, (band, name) in enumerate(STATES):
            for t in range(SIZE + 1):
                if self.moves[s, t] == 0 and self.daily[s, t] == 0:
                    continue
                to_band, to_name = (band, NOT_IN_CARE) if t == LEFT else STATES[t]
                rows.append(
                    (
                        BAND_LABELS[band],
                        name,
                        BAND_LABELS[to_band],
                        to_name,
                        int(self.moves[s, t]),
                        int(self.child_nights[s]),
                        float(self.daily[s, t]),
                    )
                )
        for t, (band, name) in enumerate(STATES):
            if self.entrants[t]:
                rows.append(
                    (
                        "",
                        NOT_IN_CARE,
                        BAND_LABELS[band],
                        name,
                        int(self.entrants[t]),
                        0,
                        float(self.entries[t]),
                    )
                )
        schema = {
            "age_band": pl.String,
            "from": pl.String,
            "to_age_band": pl.String,
            "to": pl.String,
            "transitions": pl.Int64,
            "child_nights": pl.Int64,
            "daily_rate": pl.Float64,
        }
        frame = pl.DataFrame(rows, schema=schema, orient="row")
        kind = (
            pl.when(pl.col("from") == NOT_IN_CARE)
            .then(pl.lit("entry"))
            .when(pl.col("to") == NOT_IN_CARE)
            .then(pl.lit("leaves care"))
            .when(pl.col("age_band") != pl.col("to_age_band"))
            .then(pl.lit("ageing"))
            .otherwise(pl.lit("move"))
        )
        return frame.with_columns(
            kind.alias("kind"),
            (pl.col("daily_rate") * year_days).alias("annual_rate"),
            pl.lit(self.start).alias("reference_start"),
            pl.lit(self.end).alias("reference_end"),
        )


def fit(past: History, start: dt.date, end: dt.date) -> Rates:
    """Rates over the reference period [start, end]: for each state, the mean over its
    days with anyone in it the night before of moves / that stock; entries a day."""
    first = max(past.index(start), 1)
    last = past.index(end)
    if last < first:
        raise ValueError(f"no days to fit on between {start} and {end}")
    before = past.stock[first - 1 : last].astype(float)
    moves = past.moves[first : last + 1].astype(float)
    held = before > 0
    ratios = np.divide(moves, before[:, :, None], out=np.zeros_like(moves), where=held[:, :, None])
    days_held = held.sum(axis=0)
    daily = ratios.sum(axis=0) / np.maximum(days_held, 1)[:, None]
    # Entries on the period's first day count too (they need no night before).
    opening = max(past.index(start), 0)
    entrants = past.entries[opening : last + 1].sum(axis=0)
    days = last - opening + 1
    return Rates(
        start=past.first + dt.timedelta(days=first),
        end=end,
        daily=daily,
        entries=entrants / days,
        moves=moves.sum(axis=0),
        entrants=entrants,
        child_nights=before.sum(axis=0),
        days_held=days_held,
    )


@dataclass
class Projection:
    """Expected children in each state on each recorded day after the origin, and the
    covariance of those numbers."""

    days: np.ndarray
    mean: np.ndarray  # (recorded days, states)
    covariance: np.ndarray  # (recorded days, states, states)

    def total(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Expected sum and its standard deviation of weighted states (rows of weights:
        groups, e.g. one per placement category) on each recorded day."""
        mean = self.mean @ weights.T
        variance = np.einsum("gs,dst,gt->dg", weights, self.covariance, weights)
        return mean, np.sqrt(np.maximum(variance, 0.0))


def project(rates: Rates, population: np.ndarray, record: list[int]) -> Projection:
    """pop(d+1) = M pop(d) + entries, day by day, recording the days asked for (0 is the
    origin). The covariance follows in closed form: each child in s moves as one draw of
    a multinomial with M's column s, entries are Poisson, so
    V(d+1) = M V(d) M' + diag(M pop(d)) - M diag(pop(d)) M' + diag(entries).
    The rates are taken as known: the interval is the chance in who moves, not doubt
    about the rates themselves."""
    matrix = rates.matrix()
    entries = rates.entries
    mean = population.astype(float).copy()
    covariance = np.zeros((SIZE, SIZE))
    wanted = set(record)
    means, covariances = {}, {}
    for day in range(max(record) + 1):
        if day in wanted:
            means[day], covariances[day] = mean.copy(), covariance.copy()
        spread = matrix * mean[None, :]
        covariance = (
            matrix @ covariance @ matrix.T
            + np.diag(spread.sum(axis=1))
            - spread @ matrix.T
            + np.diag(entries)
        )
        mean = matrix @ mean + entries
    return Projection(
        days=np.array(record),
        mean=np.stack([means[d] for d in record]),
        covariance=np.stack([covariances[d] for d in record]),
    )


def category_weights() -> np.ndarray:
    """One row per placement category, then one for everyone in care."""
    weights = np.zeros((len(CATEGORIES) + 1, SIZE))
    for s, (_, name) in enumerate(STATES):
        weights[CATEGORIES.index(name), s] = 1.0
    weights[-1] = 1.0
    return weights


__all__ = [
    "LEFT",
    "SIZE",
    "STATES",
    "History",
    "Projection",
    "Rates",
    "category_weights",
    "fit",
    "history",
    "project",
]
