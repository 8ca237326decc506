"""The region's data as the analyses read it: the hub's current tables for the LAs
asked for, as they stood on the report's date, with the star schema's facts built
from them.

"As of" a date means: nothing that started after it, and whatever was still going on
it is treated as open (an end date after it is forgotten), so a report as of last
March shows what the region could have known then, as far as the data sent since
allows (a later submission may correct an earlier period: the hub's current rows are
used, not the rows the hub held on that date).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from sufficiency_standard.hub.star import StarSchema, current_tables
from sufficiency_standard.hub.store import Hub

_DAY = pl.duration(days=1)

AGE_BANDS = ((0, 1), (1, 5), (5, 10), (10, 16), (16, 18))
"""The demand model's age bands, in whole years: 0-1, 1-5, 5-10, 10-16, 16-18+."""


def age_band_label(lower: int, upper: int) -> str:
    return f"{lower} to {upper}" if upper < 18 else f"{lower}+"


def financial_year(column: pl.Expr) -> pl.Expr:
    """The financial year a date falls in, as its first calendar year (2024 for 2024-25)."""
    return (column.dt.year() - (column.dt.month() < 4).cast(pl.Int32)).cast(pl.Int32)


def financial_year_label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def age_in_years(birth_month: pl.Expr, on: pl.Expr) -> pl.Expr:
    """Whole years of age on a date, from the birth month (the standard keeps the month
    only: a child is taken to be born on the 1st, so an age is at most a month early)."""
    months = (on.dt.year() - birth_month.dt.year()) * 12 + (on.dt.month() - birth_month.dt.month())
    return (months // 12).cast(pl.Int32)


@dataclass
class RegionData:
    """What every analysis starts from. Build it with `RegionData.from_hub`."""

    hub: Hub
    current: dict[str, pl.DataFrame]
    as_of: dt.date
    la_codes: list[str] | None = None
    threshold: int = 5
    region: str = ""
    la_names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_hub(
        cls,
        hub: Hub,
        as_of: dt.date | None = None,
        la_codes: list[str] | None = None,
        threshold: int | None = None,
    ) -> RegionData:
        """`as_of`: the report's date (default: the last day of the latest period held).
        `threshold`: counts below it are suppressed (default: the hub configuration's)."""
        tables = current_tables(hub, la_codes)
        if as_of is None:
            ends = [t.get_column("period_end").max() for t in tables.values() if t.height]
            as_of = max((e for e in ends if e is not None), default=dt.date.today())
        config = hub.config
        held = sorted(set(tables["placements"].get_column("la_code").to_list()))
        return cls(
            hub=hub,
            current=_as_of(tables, as_of),
            as_of=as_of,
            la_codes=la_codes,
            threshold=config.small_number_threshold if threshold is None else threshold,
            region=config.region or "",
            la_names={code: config.la_name(code) or code for code in held},
        )

    @cached_property
    def star(self) -> dict[str, pl.DataFrame]:
        """The star schema of the data as of the report's date."""
        return StarSchema(self.hub, self.la_codes, current=self.current).tables()

    @cached_property
    def placements(self) -> pl.DataFrame:
        """Placements with what most analyses need beside them: namespaced keys, the
        last bed night, the child's birth month (a date: the 1st), age and age band at
        start, and the financial year of the start."""
        children = self.current["children"].select(
            "la_code",
            "child_id",
            pl.concat_str("birth_month", pl.lit("-01"))
            .str.to_date("%Y-%m-%d", strict=False)
            .alias("birth_month"),
        )
        frame = self.current["placements"].join(
            children.unique(["la_code", "child_id"], keep="last"),
            on=["la_code", "child_id"],
            how="left",
        )
        age = age_in_years(pl.col("birth_month"), pl.col("start_date"))
        return frame.with_columns(
            pl.concat_str("la_code", pl.lit("/"), "placement_id").alias("placement_key"),
            pl.concat_str("la_code", pl.lit("/"), "child_id").alias("child_key"),
            pl.coalesce(pl.col("end_date") - _DAY, pl.col("period_end")).alias("last_night"),
            age.alias("age_at_start"),
            age_band(age).alias("age_band"),
            financial_year(pl.col("start_date")).alias("start_year"),
        )

    @property
    def las(self) -> list[str]:
        return sorted(self.la_names)

    def la_name(self, code: str) -> str:
        return self.la_names.get(code, code)


def age_band(age: pl.Expr) -> pl.Expr:
    """The demand model's band of an age in whole years (16+ includes 18 and over)."""
    expr = pl.lit(None, pl.String)
    for lower, upper in AGE_BANDS:  # the last "when" written is the first tested
        expr = pl.when(age >= lower).then(pl.lit(age_band_label(lower, upper))).otherwise(expr)
    return pl.when(age.is_null()).then(None).otherwise(expr)


def _as_of(tables: dict[str, pl.DataFrame], as_of: dt.date) -> dict[str, pl.DataFrame]:
    """The tables as known on `as_of`: later starts dropped, later ends forgotten."""
    day = pl.lit(as_of)
    after = pl.lit(as_of + dt.timedelta(days=1))
    out = dict(tables)
    out["placements"] = (
        tables["placements"]
        .filter(pl.col("start_date") <= day)
        .with_columns(
            pl.when(pl.col("end_date") > after)
            .then(None)
            .otherwise(pl.col("end_date"))
            .alias("end_date"),
            pl.when(pl.col("end_date") > after)
            .then(None)
            .otherwise(pl.col("end_reason"))
            .alias("end_reason"),
            pl.min_horizontal("period_end", day).alias("period_end"),
        )
    )
    out["costs"] = (
        tables["costs"]
        .filter(pl.col("cost_start_date") <= day)
        .with_columns(
            pl.when(pl.col("cost_end_date") > day)
            .then(day)
            .otherwise(pl.col("cost_end_date"))
            .alias("cost_end_date"),
            pl.min_horizontal("period_end", day).alias("period_end"),
        )
    )
    out["referrals"] = tables["referrals"].filter(pl.col("referral_date") <= day)
    out["needs_assessments"] = tables["needs_assessments"].filter(
        pl.col("assessment_date").is_null() | (pl.col("assessment_date") <= day)
    )
    out["fostering_capacity"] = tables["fostering_capacity"].filter(pl.col("capacity_date") <= day)
    return out


__all__ = [
    "AGE_BANDS",
    "RegionData",
    "age_band",
    "age_band_label",
    "age_in_years",
    "financial_year",
    "financial_year_label",
]
