"""Regional tables: each LA's rows beside the region's, the report's window, and the
suppression that keeps a region total from giving away an LA's withheld count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from sufficiency_standard.analytics.inputs import RegionData
from sufficiency_standard.analytics.tables import SUPPRESSED, Table, finish

REGION = "Region"  # the la_code of a row that counts every LA in the report


def window(data: RegionData) -> tuple[dt.date, dt.date]:
    """The report's window: from the first day of the earliest period the hub holds for
    these LAs to the report's date. Records before it came only as history carried into
    the first period (placements still open, searches still going on), so they are not
    a full count of anything."""
    starts = [
        t.get_column("period_start").min()
        for t in (data.current["placements"], data.current["referrals"])
        if t.height
    ]
    first = min((s for s in starts if s is not None), default=data.as_of)
    return first, data.as_of


def with_region(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows twice: as each LA's and as the region's (la_code "Region"), so one
    group_by gives both levels, medians included."""
    return pl.concat([frame, frame.with_columns(pl.lit(REGION).alias("la_code"))])


def label_las(frame: pl.DataFrame, data: RegionData) -> pl.DataFrame:
    """The LA's name beside its code."""
    names = pl.col("la_code").replace_strict(
        {**data.la_names, REGION: data.region or "All LAs"}, default=pl.col("la_code")
    )
    at = frame.columns.index("la_code") + 1
    return frame.insert_column(at, frame.select(names.alias("la_name")).to_series())


def finish_with_region(table: Table, threshold: int, keys: Sequence[str]) -> Table:
    """Suppress small numbers, and withhold a region row whenever an LA row in the same
    group (same `keys`) was suppressed: the region's total less the LAs shown would give
    the withheld count away."""
    finish(table, threshold)
    frame = table.frame
    hidden = (
        frame.filter((pl.col("la_code") != REGION) & pl.col(SUPPRESSED))
        .select(*keys)
        .unique()
        .with_columns(pl.lit(True).alias("_hide"))
    )
    if not hidden.height:
        return table
    marked = frame.join(hidden, on=list(keys), how="left", nulls_equal=True).with_columns(
        ((pl.col("la_code") == REGION) & pl.col("_hide").fill_null(False)).alias("_hide")
    )
    withheld = [
        pl.when(pl.col("_hide")).then(None).otherwise(pl.col(c)).alias(c)
        for c in (*table.counts, *table.derived)
    ]
    table.frame = marked.with_columns(
        *withheld, (pl.col(SUPPRESSED) | pl.col("_hide")).alias(SUPPRESSED)
    ).drop("_hide")
    return table


def region_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("la_code") == REGION)


def money(value: float) -> str:
    """Pounds as a sentence says them: £17.0m, £203k, -£45."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1e6:
        return f"{sign}£{value / 1e6:.1f}m"
    if value >= 1e3:
        return f"{sign}£{value / 1e3:.0f}k"
    return f"{sign}£{value:.0f}"


def percent(share: float) -> str:
    return f"{100 * share:.0f}%"


__all__ = [
    "REGION",
    "finish_with_region",
    "label_las",
    "money",
    "percent",
    "region_rows",
    "window",
    "with_region",
]
