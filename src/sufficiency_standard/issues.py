"""What the validator finds: one Issue per problem, pointing at a cell or JSON path.

Every module that finds problems (reading, checking) produces these; reporting only
renders them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How much an issue matters: errors make a submission invalid; the rest do not."""

    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a value is: a cell of a sheet or CSV file, or a path in a JSON document."""

    table: str | None = None
    field: str | None = None
    row: int | None = None  # as the spreadsheet or CSV editor shows it, header included
    cell: str | None = None  # "D14"; tabular inputs only
    path: str | None = None  # "/placements/3/end_date"; JSON inputs only
    source: str | None = None  # the file, and the sheet for a workbook
    sheet: str | None = None  # the sheet's own name in a workbook, to mark the cell


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem, or one note, about a submission."""

    code: str
    severity: Severity
    message: str
    location: Location = field(default_factory=Location)
    value: str | None = None  # the offending value as read; reports hide personal ones
    personal: bool = False  # the value is personal data (hidden unless asked)
    related: tuple[Location, ...] = ()  # the other end of a cross-table problem

    @property
    def table(self) -> str | None:
        return self.location.table

    @property
    def field(self) -> str | None:
        return self.location.field

    @property
    def row(self) -> int | None:
        return self.location.row

    @property
    def cell(self) -> str | None:
        return self.location.cell

    @property
    def path(self) -> str | None:
        return self.location.path


class InputError(Exception):
    """The input cannot be read at all (exit code 2): a one-line reason for a person."""
