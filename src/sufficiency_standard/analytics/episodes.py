"""Placements as the demand model sees them: episodes cleaned, split at age-band
birthdays and linked, each in one state (age band x placement category) from its start
to its end, with the state it went to.

The rules are those of the regions' demand model (data-to-insight/cs-demand-model and
its regional app), so that its rates can be reproduced from the same 903 data:
1. episodes without a child, start or birth date go;
2. two episodes of a child starting on the same day: the one ending latest is kept (an
   open one only if none has ended);
3. two episodes of a child ending on the same day (or both open): the earlier start;
4. an episode running past the next one's start (or open) ends when the next starts;
5. an episode whose reason for new episode (903 RNE) is L, T or U (legal status or
   placement status changed, the child did not move) and that starts the day the
   previous one ends is folded into the previous one;
6. an episode crossing a birthday at 1, 5, 10 or 16 is split there: the child moves to
   the next age band in the same placement category.
Two departures, both for the hub's data: an episode with no night (start = end) is
dropped (a move through it is a move to the next home), and each LA's data is read only
between its first and last days held, so that LAs whose submissions start or stop at
different dates still give unbiased daily rates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from sufficiency_standard.analytics.inputs import AGE_BANDS, age_band_label

_DAY = pl.duration(days=1)

FOSTERING = "Fostering"
RESIDENTIAL = "Residential"
SUPPORTED = "Supported"
OTHER = "Other"
NOT_IN_CARE = "Not in care"
CATEGORIES = (FOSTERING, RESIDENTIAL, SUPPORTED, OTHER)
"""The demand model's placement categories, in its order."""

BAND_LABELS = tuple(age_band_label(lower, upper) for lower, upper in AGE_BANDS)
BIRTHDAYS = tuple(lower for lower, _ in AGE_BANDS[1:])
"""The birthdays that start a new age band: 1, 5, 10 and 16 (16-18+ has no end)."""

PLACE_CATEGORIES: dict[str, str] = {
    **{code: FOSTERING for code in ("U1", "U2", "U3", "U4", "U5", "U6")},
    **{code: RESIDENTIAL for code in ("K2", "R1", "P3", "S1")},
    **{code: SUPPORTED for code in ("H5", "K3", "P2")},
}
"""903 placement codes to the regional demand model's categories; any other is Other."""

TYPE_CATEGORIES: dict[str, str] = {
    "Foster": FOSTERING,
    "Residential": RESIDENTIAL,
    "Residential school": RESIDENTIAL,  # S1
    "Supported accommodation": SUPPORTED,  # H5, K3
    "Secure": OTHER,  # K1
    "Parent and child": OTHER,
    "Other": OTHER,
}
"""The standard's placement types, for placements without a 903 code."""

MERGED_REASONS = ("L", "T", "U")
"""903 reasons for a new episode that the demand model folds into the previous one."""

RAW_COLUMNS = {
    "child": pl.String,
    "la_code": pl.String,
    "birth": pl.Date,
    "start": pl.Date,
    "end": pl.Date,
    "place_code": pl.String,
    "placement_type": pl.String,
    "rne": pl.String,
    "observed_from": pl.Date,
    "observed_until": pl.Date,
}
"""What every source is turned into before cleaning: one row per 903 episode or hub
placement; `end` is the day the episode ended (its last night is the day before), empty
while open; `observed_from`/`observed_until` the first and last days its LA's data covers."""


def category(
    place_code: pl.Expr, placement_type: pl.Expr, codes: Mapping[str, str] = PLACE_CATEGORIES
) -> pl.Expr:
    """The placement category: from the 903 code where there is one (it is what the
    demand model reads), else from the standard's placement type."""
    from_code = place_code.replace_strict(codes, default=OTHER, return_dtype=pl.String)
    from_type = placement_type.replace_strict(
        TYPE_CATEGORIES, default=OTHER, return_dtype=pl.String
    )
    return pl.when(place_code.is_not_null()).then(from_code).otherwise(from_type)


def from_placements(placements: pl.DataFrame) -> pl.DataFrame:
    """The hub's placements (RegionData.placements) as raw episodes. A child is an LA's
    child (`child_key`); each LA is observed from its first period's start to its last
    period's end."""
    windows = placements.group_by("la_code").agg(
        pl.col("period_start").min().alias("observed_from"),
        pl.col("period_end").max().alias("observed_until"),
    )
    return (
        placements.join(windows, on="la_code", how="left")
        .select(
            pl.col("child_key").alias("child"),
            "la_code",
            pl.col("birth_month").alias("birth"),
            pl.col("start_date").alias("start"),
            pl.col("end_date").alias("end"),
            "place_code",
            "placement_type",
            pl.lit(None, pl.String).alias("rne"),
            "observed_from",
            "observed_until",
        )
        .cast(RAW_COLUMNS)  # type: ignore[arg-type]
    )


def _date(column: str) -> pl.Expr:
    """A 903 date as either ISO (2021-04-01) or the DfE's 01/04/2021."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    return pl.coalesce(
        text.str.to_date("%Y-%m-%d", strict=False), text.str.to_date("%d/%m/%Y", strict=False)
    )


def from_903(
    header: pl.DataFrame,
    episodes: pl.DataFrame,
    observed_from: dt.date | None = None,
    observed_until: dt.date | None = None,
) -> pl.DataFrame:
    """903 header and episodes (columns CHILD, DOB; CHILD, DECOM, DEC, PLACE and, when
    present, RNE, LA, YEAR) as raw episodes. The header's latest row per child gives the
    birth date. The data is taken to cover, as the regional demand model takes it, 1 April
    of the first collection year to the 31 March after the latest date in it, unless the
    window is given."""
    if "YEAR" in header.columns:
        header = header.sort("YEAR", descending=True)
    births = header.select(
        pl.col("CHILD").cast(pl.String).alias("child"), _date("DOB").alias("birth")
    ).unique("child", keep="first", maintain_order=True)
    frame = episodes.with_columns(
        pl.col("CHILD").cast(pl.String).alias("child"),
        _date("DECOM").alias("start"),
        _date("DEC").alias("end"),
    )
    latest = frame.select(pl.max_horizontal(pl.col("start").max(), pl.col("end").max())).item()
    if observed_until is None and latest is not None:
        year = latest.year + (latest.month >= 4)
        observed_until = dt.date(year, 3, 31)
    if observed_from is None:
        if "YEAR" in frame.columns:
            observed_from = dt.date(int(frame.get_column("YEAR").cast(pl.Int32).min()) - 1, 4, 1)  # type: ignore[arg-type]
        else:
            observed_from = frame.get_column("start").min()  # type: ignore[assignment]
    columns = frame.columns
    return (
        frame.join(births, on="child", how="left")
        .select(
            "child",
            (pl.col("LA").cast(pl.String) if "LA" in columns else pl.lit("903")).alias("la_code"),
            "birth",
            "start",
            "end",
            pl.col("PLACE").cast(pl.String).str.strip_chars().alias("place_code"),
            pl.lit(None, pl.String).alias("placement_type"),
            (
                pl.col("RNE").cast(pl.String).str.strip_chars()
                if "RNE" in columns
                else pl.lit(None, pl.String)
            ).alias("rne"),
            pl.lit(observed_from, pl.Date).alias("observed_from"),
            pl.lit(observed_until, pl.Date).alias("observed_until"),
        )
        .cast(RAW_COLUMNS)  # type: ignore[arg-type]
    )


def read_903(header: str | Path, episodes: str | Path) -> pl.DataFrame:
    """Raw episodes from a 903 header CSV and an episodes CSV (every column as text)."""
    return from_903(
        pl.read_csv(header, infer_schema=False), pl.read_csv(episodes, infer_schema=False)
    )


def as_of(raw: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """Raw episodes as they were known on `day`: later starts dropped, later ends
    forgotten, nothing observed after it (a back-test fits on this)."""
    when = pl.lit(day, pl.Date)
    return raw.filter(pl.col("start") <= when).with_columns(
        pl.when(pl.col("end") > when).then(None).otherwise(pl.col("end")).alias("end"),
        pl.min_horizontal("observed_until", when).alias("observed_until"),
    )


def clean(raw: pl.DataFrame, merge: bool = True) -> pl.DataFrame:
    """Rules 1 to 5 (see the module's docstring): one chain of non-overlapping episodes
    per child, sorted."""
    frame = raw.filter(
        pl.col("child").is_not_null()
        & pl.col("start").is_not_null()
        & pl.col("birth").is_not_null()
    ).sort("child", "start", "end", nulls_last=False)
    # Rule 2: sorted with open ends first, the last of a start is the latest end.
    frame = frame.unique(["child", "start"], keep="last", maintain_order=True)
    # Rule 3: the first of an end (nulls equal) is the earliest start.
    frame = frame.unique(["child", "end"], keep="first", maintain_order=True)
    # Rule 4.
    following = pl.col("start").shift(-1).over("child")
    frame = frame.with_columns(
        pl.when(pl.col("end").is_null() | (pl.col("end") > following))
        .then(following)
        .otherwise(pl.col("end"))
        .alias("end")
    )
    if merge:
        frame = _merge_status_changes(frame)
    return frame


def _merge_status_changes(frame: pl.DataFrame) -> pl.DataFrame:
    """Rule 5: an L/T/U episode continuing the previous one is the same placement."""
    skip = (
        pl.col("rne").is_in(MERGED_REASONS).fill_null(False)
        & (pl.col("child") == pl.col("child").shift(1))
        & (pl.col("start") == pl.col("end").shift(1))
    ).fill_null(False)
    frame = frame.with_columns((~skip).cum_sum().alias("_kept"))
    ends = frame.group_by("_kept").agg(pl.col("end").last().alias("_last_end"))
    return (
        frame.filter(~skip)
        .join(ends, on="_kept", how="left")
        .with_columns(pl.col("_last_end").alias("end"))
        .drop("_kept", "_last_end")
    )


def _birthday(years: int) -> pl.Expr:
    return pl.col("birth").dt.offset_by(f"{years}y")


def band_on(day: pl.Expr) -> pl.Expr:
    """The age band (0 to 4) on a day: how many band birthdays have passed (the demand
    model's 16-18+ band has no end)."""
    return pl.sum_horizontal([(day >= _birthday(y)).cast(pl.Int8) for y in BIRTHDAYS]).cast(pl.Int8)


def split_at_birthdays(frame: pl.DataFrame) -> pl.DataFrame:
    """Rule 6: an episode crossing band birthdays becomes one piece per band; an open
    one is split up to its LA's last day held. A birthday on the day it ends splits
    nothing (the child leaves from the band they were in)."""
    frame = frame.with_row_index("_episode").with_columns(
        pl.coalesce(pl.col("end"), pl.col("observed_until") + _DAY).alias("_horizon")
    )
    cuts = (
        frame.select(
            "_episode",
            "start",
            "_horizon",
            pl.concat_list([_birthday(y) for y in BIRTHDAYS]).alias("_piece"),
        )
        .explode("_piece")
        .filter((pl.col("_piece") > pl.col("start")) & (pl.col("_piece") < pl.col("_horizon")))
        .select("_episode", "_piece")
    )
    if cuts.is_empty():
        return frame.drop("_episode", "_horizon")
    pieces = (
        pl.concat([frame.select("_episode", pl.col("start").alias("_piece")), cuts])
        .sort("_episode", "_piece")
        .with_columns(pl.col("_piece").shift(-1).over("_episode").alias("_next"))
    )
    return (
        pieces.join(frame, on="_episode", how="left")
        .with_columns(
            pl.col("_piece").alias("start"),
            pl.coalesce(pl.col("_next"), pl.col("end")).alias("end"),
        )
        .drop("_episode", "_horizon", "_piece", "_next")
        .sort("child", "start")
    )


def link(frame: pl.DataFrame, codes: Mapping[str, str] = PLACE_CATEGORIES) -> pl.DataFrame:
    """Each episode's state and where it went: `band`, `category`, `entry` (no episode
    ended the day it started), `to_band`/`to_category` (the next episode's state when it
    starts the day this ends, Not in care when none does, empty while open)."""
    frame = frame.filter(pl.col("end").is_null() | (pl.col("end") > pl.col("start")))
    frame = frame.sort("child", "start").with_columns(
        band_on(pl.col("start")).alias("band"),
        category(pl.col("place_code"), pl.col("placement_type"), codes).alias("category"),
    )
    same_child_next = pl.col("child").shift(-1) == pl.col("child")
    contiguous = same_child_next.fill_null(False) & (pl.col("start").shift(-1) == pl.col("end"))
    previous_end = pl.when(pl.col("child").shift(1) == pl.col("child")).then(pl.col("end").shift(1))
    return frame.with_columns(
        (previous_end.is_null() | (previous_end != pl.col("start"))).fill_null(True).alias("entry"),
        pl.when(pl.col("end").is_null())
        .then(None)
        .when(contiguous)
        .then(pl.col("band").shift(-1))
        .otherwise(pl.col("band"))
        .alias("to_band"),
        pl.when(pl.col("end").is_null())
        .then(None)
        .when(contiguous)
        .then(pl.col("category").shift(-1))
        .otherwise(pl.lit(NOT_IN_CARE))
        .alias("to_category"),
    )


def prepare(
    raw: pl.DataFrame,
    merge: bool = True,
    split: bool = True,
    codes: Mapping[str, str] = PLACE_CATEGORIES,
) -> pl.DataFrame:
    """Raw episodes as the demand model reads them (rules 1 to 6, then linked).
    `merge`/`split`/`codes` reproduce older versions of the model (data-to-insight's
    cs-demand-model 0.5.1 did neither and knew fewer codes)."""
    frame = clean(raw, merge=merge)
    if split:
        frame = split_at_birthdays(frame)
    return link(frame, codes)


__all__ = [
    "BAND_LABELS",
    "CATEGORIES",
    "FOSTERING",
    "NOT_IN_CARE",
    "OTHER",
    "PLACE_CATEGORIES",
    "RAW_COLUMNS",
    "RESIDENTIAL",
    "SUPPORTED",
    "TYPE_CATEGORIES",
    "as_of",
    "band_on",
    "category",
    "clean",
    "from_903",
    "from_placements",
    "link",
    "prepare",
    "read_903",
    "split_at_birthdays",
]
