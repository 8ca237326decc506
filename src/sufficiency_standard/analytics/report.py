"""The region's sufficiency report: every section's tables, built from one hub as of
one date, with what it was built from."""

from __future__ import annotations

import datetime as dt
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from sufficiency_standard.__about__ import __version__
from sufficiency_standard.analytics.inputs import RegionData
from sufficiency_standard.analytics.tables import Section, Table, finish
from sufficiency_standard.hub.store import Hub

SECTIONS = ("demand", "supply", "placements", "cost", "providers", "forecast")
"""The report's sections in reading order: each is a module of this package with
`section(data: RegionData) -> Section`."""


@dataclass
class RegionReport:
    region: str
    as_of: dt.date
    las: dict[str, str]
    threshold: int
    standard_version: str
    generated_at: dt.datetime
    tool_version: str
    sections: list[Section]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]


def build_report(
    hub: Hub,
    as_of: dt.date | None = None,
    la_codes: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
    sections: tuple[str, ...] = SECTIONS,
) -> RegionReport:
    """Run every analysis over the hub's current data. `la_codes` limits the report to
    those LAs; `as_of` sets the date the report looks from (default: the end of the
    latest period held)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    data = RegionData.from_hub(hub, as_of=as_of, la_codes=la_codes)
    data.star  # noqa: B018  (built once, timed on its own)
    timings["data"] = time.perf_counter() - started
    built = [coverage(data)]
    for key in sections:
        if progress:
            progress(key)
        started = time.perf_counter()
        module = importlib.import_module(f"sufficiency_standard.analytics.{key}")
        built.append(module.section(data))
        timings[key] = time.perf_counter() - started
    _check_names(built)
    return RegionReport(
        region=data.region,
        as_of=data.as_of,
        las={code: data.la_name(code) for code in data.las},
        threshold=data.threshold,
        standard_version=hub.version,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        tool_version=__version__,
        sections=built,
        timings=timings,
    )


def coverage(data: RegionData) -> Section:
    """What the report is built from: each LA's current submissions and what they hold."""
    placements = data.current["placements"]
    referrals = data.current["referrals"]
    frame = (
        data.hub.submissions()
        .filter(pl.col("state") == "current")
        .filter(pl.col("la_code").is_in(data.las))
        .group_by("la_code")
        .agg(
            pl.col("period_start").min().alias("first_period_start"),
            pl.col("period_end").max().alias("last_period_end"),
            pl.len().alias("submissions"),
        )
        .join(
            placements.group_by("la_code").agg(pl.len().alias("placements")),
            on="la_code",
            how="left",
        )
        .join(
            referrals.group_by("la_code").agg(pl.len().alias("searches")), on="la_code", how="left"
        )
        .with_columns(
            pl.col("la_code")
            .replace_strict(data.la_names, default=pl.col("la_code"))
            .alias("la_name"),
            pl.col("placements", "searches").fill_null(0),
        )
        .select(
            "la_code",
            "la_name",
            "first_period_start",
            "last_period_end",
            "submissions",
            "placements",
            "searches",
        )
        .sort("la_code")
    )
    table = finish(
        Table(
            name="coverage",
            title="What the report is built from",
            description="Each LA's current submissions (a resubmission replaces the one it "
            "corrects) and the placements and searches they hold up to the report's date.",
            frame=frame,
            counts=("placements", "searches"),
        ),
        data.threshold,
    )
    total = frame.get_column("placements").sum()
    return Section(
        key="coverage",
        title="What this report covers",
        introduction=f"Built from the regional hub's current data for {len(data.las)} "
        f"LA{'s' if len(data.las) != 1 else ''}, as of {data.as_of:%-d %B %Y}: nothing that "
        "started after that date is counted, and anything still going on then is counted "
        f"as open. Counts from 1 to {data.threshold - 1} are withheld everywhere (shown as "
        f"'<{data.threshold}' here and left empty in the tables), so that no child can be "
        "recognised; no row in this report is about one child.",
        tables=[table],
        findings=[
            f"{total:,} placements and {frame.get_column('searches').sum():,} searches "
            f"from {frame.height} LA{'s' if frame.height != 1 else ''}."
        ]
        if total >= data.threshold
        else [],
    )


def _check_names(sections: list[Section]) -> None:
    seen: dict[str, str] = {}
    for section in sections:
        for table in section.tables:
            if table.name in seen:
                raise ValueError(
                    f"two tables are named {table.name!r} ({seen[table.name]}, {section.key})"
                )
            seen[table.name] = section.key


__all__ = ["SECTIONS", "RegionReport", "build_report", "coverage"]
