"""What one input (a workbook, a CSV file, a folder or zip of them, a JSON document) yields."""

from __future__ import annotations

from dataclasses import dataclass, field

from sufficiency_standard.issues import Issue
from sufficiency_standard.read.source import InputKind, PendingTable, SourceTable


@dataclass(frozen=True)
class GivenTable:
    """A table found in an input; `table` is None when it could not be read (no header),
    and pending when it is read only when needed."""

    name: str
    source: str
    table: SourceTable | PendingTable | None


@dataclass
class Found:
    kind: InputKind
    container: str  # how a missing table would be named: "sheet in extract.xlsx", "CSV file"
    tables: list[GivenTable] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
