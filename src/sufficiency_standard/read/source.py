"""What reading produces: every table of a submission as raw text, with positions.

Readers never judge values: a cell is kept exactly as text (Excel dates as ISO text,
numbers as their shortest text) so that checking can report what the user typed.
"""

from __future__ import annotations

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
    row_numbers: list[int] | None = None  # tabular: each frame row's number as shown (1-based)
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


@dataclass
class SourceSubmission:
    """A whole submission as read, with the problems found while reading it."""

    inputs: list[Path]
    tables: dict[str, SourceTable]
    issues: list[Issue] = field(default_factory=list)
