"""The catalogue of everything the validator can report, each declared once.

Each entry has a stable code, a severity, a plain-English message template (fields
named by their titles), the stage that finds it, and the docs anchor. Checks and
readers create issues only through `make_issue`, and the docs' rule catalogue is
generated from this module, so a rule's wording lives here and nowhere else.
Rules that the schema itself declares (class rules such as PLC-PLACE-FOSTER) are
added from the standard by `schema_rule_entry`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sufficiency_standard.issues import Issue, Location, Severity

Stage = Literal["file", "structure", "value", "key", "rule", "quality"]

DOCS_BASE = "https://sufficiency-standard.github.io/sufficiency-standard/reference/rules/"


@dataclass(frozen=True)
class Entry:
    """One kind of issue."""

    code: str
    severity: Severity
    stage: Stage
    title: str
    message: str  # str.format template; placeholders are named in `params`
    fields: tuple[str, ...] = ()  # the fields it touches ("" = any field)
    tables: tuple[str, ...] = ()  # the tables it applies to (empty = any)

    @property
    def anchor(self) -> str:
        return self.code.lower()

    @property
    def docs_url(self) -> str:
        return f"{DOCS_BASE}#{self.anchor}"


E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFORMATION

ENTRIES: dict[str, Entry] = {}


def declare(*entries: Entry) -> None:
    for entry in entries:
        if entry.code in ENTRIES:
            raise ValueError(f"issue code {entry.code} declared twice")
        ENTRIES[entry.code] = entry


declare(
    # -- reading: the file, its sheets and its columns -----------------------------
    Entry(
        "FILE-ENCODING", INFO, "file", "Text encoding detected", "{source} was read as {encoding}."
    ),
    Entry(
        "SHEET-MISSING",
        E,
        "structure",
        "Missing sheet or file",
        "There is no {table} {container}. Every submission has one, even when it has no rows.",
    ),
    Entry(
        "SHEET-UNKNOWN",
        W,
        "structure",
        "Unknown sheet or file",
        "{source} is not a table of the standard and was not checked. The tables are: {expected}.",
    ),
    Entry(
        "SHEET-HIDDEN",
        W,
        "structure",
        "Hidden sheet not read",
        "{source} is hidden and holds data, so it was not read{table_note}. If it should "
        "be checked, unhide it (right-click a sheet tab, Unhide).",
    ),
    Entry(
        "FILE-OUTSIDE-ZIP",
        W,
        "structure",
        "File in a zip not read",
        "{source} names a place outside the zip ({member}), so it was not read. Make the "
        "zip again from the folder of CSV files.",
    ),
    Entry(
        "JSON-DUPLICATE-KEY",
        W,
        "structure",
        "Key given twice",
        "{where} gives {key} more than once; only the last value was read ({count}). Give "
        "each key once.",
    ),
    Entry(
        "SHEET-DUPLICATE",
        E,
        "structure",
        "Table given twice",
        "The {table} table is given twice ({sources}). Give each table once.",
    ),
    Entry(
        "HEADER-NOT-FOUND",
        E,
        "structure",
        "No header row",
        "No header row was found in {source}: none of the first {rows_searched} rows "
        "names the table's columns (such as {example_columns}).",
    ),
    Entry(
        "COLUMN-MISSING",
        E,
        "structure",
        "Missing required column",
        "The required column {field_title} ({field}) is missing from {source}.",
    ),
    Entry(
        "COLUMN-UNKNOWN",
        W,
        "structure",
        "Unknown column",
        "Column {column} ({header}) of {source} is not a field of the {table} table "
        "and was not checked.",
    ),
    Entry(
        "COLUMN-DUPLICATE",
        E,
        "structure",
        "Column given twice",
        "Columns {columns} of {source} are all {field_title} ({field}). Keep one.",
    ),
    Entry(
        "COLUMN-RENAMED",
        INFO,
        "structure",
        "Column header matched",
        'Column {column} header "{header}" was read as {field_title} ({field}).',
    ),
    Entry(
        "FILE-DELIMITER",
        INFO,
        "file",
        "Separator detected",
        "{source} was read with {delimiter} between values, not commas.",
    ),
    Entry(
        "COLUMN-NO-HEADER",
        W,
        "structure",
        "Values without a header",
        "Column {column} of {source} has values but no header, so it was not checked. "
        "Give it a header or delete it.",
    ),
    Entry(
        "JSON-WRONG-TYPE",
        E,
        "structure",
        "Wrong kind of JSON value",
        "{path} in {source} should be {expected}, not {actual}; it was read as empty.",
    ),
    # JSON values mean what the JSON Schema says: a list is a JSON list, not text joined
    # as a cell joins it (an error, as the schema makes it); a value of another JSON type
    # is read as a cell would be, so it still counts, and warned of once per field and type.
    Entry(
        "JSON-NOT-A-LIST",
        E,
        "value",
        "Not a JSON list",
        "{field} must be a list such as {example} in JSON; {what}.",
    ),
    Entry(
        "JSON-VALUE-TYPE",
        W,
        "value",
        "JSON value of another type",
        "{field} is {actual} {where}, but in JSON the standard wants {expected}. Values "
        "like this are still read and checked, so they count.",
    ),
    Entry(
        "CELL-ERROR",
        E,
        "value",
        "Excel error in a cell",
        "Cell {cell} of {source} shows the Excel error {error} instead of a value. Fix "
        "the formula, or type the value.",
    ),
)
# The checks' entries are declared in their own modules (check/*), beside the code
# that finds them; importing sufficiency_standard.check registers them.


def entry(code: str) -> Entry:
    return ENTRIES[code]


SEVERITY_MEANING = {
    Severity.ERROR: "the submission is not valid until it is fixed",
    Severity.WARNING: "the submission is still valid, but check the data",
    Severity.INFORMATION: "the validator read something in the standard's form and says so",
}


def message_pattern(template: str) -> str:
    """A message template with its placeholders shown as <field title>, <value>..."""
    return re.sub(r"\{([a-z_]+)\}", lambda m: f"<{m.group(1).replace('_', ' ')}>", template)


def explanation(code: str) -> str:
    """A rule's explanation in plain text, from the catalogue alone: what `sufficiency
    explain` prints and the HTML report carries, so that it needs no web site."""
    found = ENTRIES[code]
    lines = [
        f"{found.code}: {found.title}",
        f"Severity: {found.severity.value} ({SEVERITY_MEANING[found.severity]}).",
        f"What the report says: {message_pattern(found.message)}",
    ]
    if found.fields:
        lines.append("Fields: " + ", ".join(found.fields) + ".")
    if found.tables:
        lines.append("Tables: " + ", ".join(found.tables) + ".")
    lines.append(f"More: {found.docs_url}")
    return "\n".join(lines)


def make_issue(
    code: str,
    location: Location | None = None,
    *,
    value: object = None,
    personal: bool = False,
    related: tuple[Location, ...] = (),
    **params: object,
) -> Issue:
    """An Issue of a declared kind, its message filled from the template."""
    declared = ENTRIES[code]
    return Issue(  # positional: made in half the time (once per issue)
        code,
        declared.severity,
        declared.message.format_map(params),
        location or Location(),
        None if value is None else str(value),
        personal,
        related,
    )
