"""Retention: delete what the region agreed not to keep.

A submission whose period ended more than `retention_years` before the day of pruning
is deleted whole: its bytes, its report, its rows, whatever its state. The hub's log
keeps one line per deletion (IDs and periods, never personal data), so the deletion
itself is on record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from sufficiency_standard.hub.database import HubError
from sufficiency_standard.hub.layout import SUBMISSIONS
from sufficiency_standard.hub.store import Hub


@dataclass
class PruneResult:
    cutoff: dt.date
    deleted: list[int]  # submission IDs
    rows_deleted: int


def retention_cutoff(years: int, today: dt.date) -> dt.date:
    """Periods that ended before this day are past retention."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def prune(hub: Hub, *, today: dt.date | None = None, dry_run: bool = False) -> PruneResult:
    years = hub.config.retention_years
    if years is None:
        raise HubError(
            "the hub's configuration sets no retention_years; set it (`hub configure`) first"
        )
    cutoff = retention_cutoff(years, today or dt.date.today())
    register = hub.submissions()
    past = register.filter(
        pl.col("period_end").is_not_null() & (pl.col("period_end") < cutoff)
    ).get_column("submission_id")
    # A rejected submission that could not say its period is kept until its receipt
    # is past retention.
    undated = register.filter(
        pl.col("period_end").is_null() & (pl.col("received_at").dt.date() < cutoff)
    ).get_column("submission_id")
    doomed = sorted([*past.to_list(), *undated.to_list()])
    rows = 0
    for submission_id in doomed:
        for name in hub.tables:
            rows += int(
                hub.database.scalar(
                    f'SELECT count(*) FROM "{name}" WHERE "submission_id" = ?', [submission_id]
                )
            )
    if dry_run or not doomed:
        return PruneResult(cutoff, doomed, rows)
    with hub.database.writing():
        for submission_id in doomed:
            for name in hub.tables:
                hub.database.execute(
                    f'DELETE FROM "{name}" WHERE "submission_id" = ?', [submission_id]
                )
            hub.database.execute(
                f'DELETE FROM "{SUBMISSIONS}" WHERE "submission_id" = ?', [submission_id]
            )
            hub.log("pruned", submission_id, f"period ended before {cutoff} ({years} years)")
    return PruneResult(cutoff, doomed, rows)
