"""What every analysis hands to the report: named tables, each with the chart drawn
from it and the words that explain it, small numbers already suppressed.

A table is the unit of the report: its frame is written as `<name>.csv`, becomes a
sheet of the workbook, and its chart (if any) is drawn from the same frame, so the
numbers behind a chart are always the numbers in the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

SUPPRESSED = "suppressed"  # the column that says a row's small counts were withheld


@dataclass(frozen=True)
class Chart:
    """How to draw a table. `x` is the category or time axis, `y` the value(s);
    `series` splits lines or bars; `lower`/`upper` draw an interval (a band on a
    line chart, a whisker on a point chart)."""

    kind: Literal["bar", "line", "point"]
    x: str
    y: str
    series: str | None = None
    lower: str | None = None
    upper: str | None = None
    y_label: str = ""
    reference: float | None = None  # a horizontal (bar/line) or vertical (point) line
    stacked: bool = False


@dataclass
class Table:
    """One output table. `counts` are the columns of people or records that are
    suppressed when small; `derived` are the figures computed from those counts
    (shares, medians, rates), withheld with them. `answers` names the questions of the
    standard (its LinkML subsets) the table answers, for the docs and the manifest."""

    name: str
    title: str
    description: str
    frame: pl.DataFrame
    counts: Sequence[str] = ()
    derived: Sequence[str] = ()
    chart: Chart | None = None
    notes: list[str] = field(default_factory=list)
    answers: Sequence[str] = ()  # the standard's questions it answers (SOM-01, UC-03, ...)


@dataclass
class Section:
    """A part of the report: a title, a plain-words introduction, what it found
    (sentences computed from the tables) and its tables."""

    key: str
    title: str
    introduction: str
    tables: list[Table]
    findings: list[str] = field(default_factory=list)


def suppress(
    frame: pl.DataFrame, counts: Sequence[str], derived: Sequence[str], threshold: int
) -> pl.DataFrame:
    """Withhold small numbers: in each row where a count is between 1 and threshold - 1,
    that count and every derived figure become empty and `suppressed` is true.

    Zero is shown (it discloses no one). Primary suppression only: a total elsewhere
    may still allow a withheld cell to be worked out by subtraction, so the report shows
    no totals beside suppressed cells."""
    if threshold <= 1 or not counts:
        return frame.with_columns(pl.lit(False).alias(SUPPRESSED))
    small = pl.any_horizontal(
        [(pl.col(c) > 0) & (pl.col(c) < threshold) for c in counts]
    ).fill_null(False)
    withheld = [
        pl.when(small).then(None).otherwise(pl.col(c)).alias(c) for c in (*counts, *derived)
    ]
    return frame.with_columns(*withheld, small.alias(SUPPRESSED))


def finish(table: Table, threshold: int) -> Table:
    """The table as the report may show it: small numbers suppressed."""
    table.frame = suppress(table.frame, table.counts, table.derived, threshold)
    return table


__all__ = ["SUPPRESSED", "Chart", "Section", "Table", "finish", "suppress"]
