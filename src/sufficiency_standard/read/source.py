"""What reading produces: every table of a submission as raw text, with positions.

Readers never judge values: a cell is kept exactly as text (Excel dates as ISO text,
numbers as their shortest text) so that checking can report what the user typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl

from sufficiency_standard.issues import Issue

InputKind = Literal["xlsx", "csv", "json"]


@dataclass
class SourceTable:
    """One table as read: a text column per recognised field, and where each cell is."""

    name: str  # the standard's table name, e.g. "placements"
    kind: InputKind
    source: str  # what a person would open: "extract.xlsx, sheet placements" or "placements.csv"
    frame: pl.DataFrame  # one pl.String column per recognised field, named by field; None = blank
    # Tabular: each frame row's number as shown (1-based); a range when no row was skipped.
    row_numbers: Sequence[int] | None = None
    columns: dict[str, str] = field(default_factory=dict)  # tabular: field -> column letter
    json_pointer: str | None = None  # JSON: "/placements"; row i is at f"{json_pointer}/{i}"
    sheet: str | None = None  # xlsx: the sheet's name as it is in the workbook

    def cell(self, field_name: str, index: int) -> str | None:
        """The cell reference ("D14") of a field in frame row `index`, for tabular inputs."""
        if self.row_numbers is None or field_name not in self.columns:
            return None
        return f"{self.columns[field_name]}{self.row_numbers[index]}"

    def row(self, index: int) -> int | None:
        return None if self.row_numbers is None else self.row_numbers[index]

    def path(self, field_name: str | None, index: int) -> str | None:
        if self.json_pointer is None:
            return None
        base = f"{self.json_pointer}/{index}" if self.json_pointer != "" else ""
        return f"{base}/{field_name}" if field_name else base


# Reads a table whose input has been found but not yet read: the table (None when it
# turned out to have no header) and the problems found while reading it.
TableLoad = Callable[[], tuple[SourceTable | None, list[Issue]]]


@dataclass(frozen=True)
class PendingTable:
    """A table to be read when it is needed, so that a large submission can be read,
    checked and let go of one table at a time instead of all held as text at once."""

    name: str
    source: str
    load: TableLoad

    def then(self, change: Callable[[SourceTable], None]) -> PendingTable:
        """The same table with `change` made to it once it is read."""

        def load() -> tuple[SourceTable | None, list[Issue]]:
            table, issues = self.load()
            if table is not None:
                change(table)
            return table, issues

        return PendingTable(self.name, self.source, load)


@dataclass
class SourceSubmission:
    """A whole submission as read, with the problems found while reading it.

    Tables in `pending` have been found but not read: `take` reads one (for a single
    pass over the submission), `read_all` reads them all into `tables`.
    """

    inputs: list[Path]
    tables: dict[str, SourceTable]
    issues: list[Issue] = field(default_factory=list)
    pending: dict[str, PendingTable] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # the tables' order (the standard's)

    def take(self, name: str) -> SourceTable | None:
        """Table `name`, read now if it is pending, and not kept here if it was (the
        caller holds it as long as it needs it); what reading it found joins `issues`."""
        if name in self.pending:
            table, issues = self.pending.pop(name).load()
            self.issues.extend(issues)
            return table
        return self.tables.get(name)

    def read(self, name: str) -> SourceTable | None:
        """Table `name`, read now and kept if it is pending."""
        table = self.take(name)
        if table is not None:
            self.tables[name] = table
        return table

    def read_all(self) -> SourceSubmission:
        """Read every pending table into `tables`, in the order of the standard."""
        for name in list(self.pending):
            self.read(name)
        order = {name: i for i, name in enumerate(self.order)}
        self.tables = dict(sorted(self.tables.items(), key=lambda item: order.get(item[0], 0)))
        return self
