"""What every importer shares: reading an LA's file as a grid of text, dates and money as
LAs write them, and the import report of every value that could not be carried over.

The report is the importer's promise: nothing read is lost silently. Each note says
what happened to a column or value (not carried over, a required value not filled, a
value derived rather than copied, a placeholder written) and in which rows, so an
officer can fix the source or fill the gap before validating.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from sufficiency_standard.issues import InputError
from sufficiency_standard.read.encoding import decode_text
from sufficiency_standard.read.headers import HEADER_SEARCH_ROWS, first_line, normalise
from sufficiency_standard.standard import Standard
from sufficiency_standard.write import write_csv_folder, write_json, write_xlsx

NoteKind = Literal["not carried", "not filled", "derived", "placeholder"]
_KIND_TITLES: dict[str, str] = {
    "not filled": "Required by the standard but not filled: add these before you validate",
    "not carried": "Not carried over",
    "placeholder": "Placeholders written where the source has no value: replace them if you can",
    "derived": "Derived rather than copied: check these",
}
_ROWS_SHOWN = 8
_VALUES_SHOWN = 5


@dataclass
class ImportNote:
    """One kind of thing that happened to many cells: what, why, and in which rows."""

    kind: NoteKind
    reason: str  # plain English; never quotes a personal value
    target: str | None  # "placements.end_reason", or None for a source column left out
    source: str  # "episodes.csv", "episodes.csv, column HOME_POST"
    rows: list[int] = field(default_factory=list)  # as a spreadsheet shows them
    values: list[str] = field(default_factory=list)  # examples; only values that are not personal
    count: int = 0


@dataclass
class ImportReport:
    """Everything an importer could not carry over, filled in or had to derive."""

    importer: str
    inputs: list[str]
    notes: dict[tuple[str, str | None, str, str], ImportNote] = field(default_factory=dict)
    rows_written: dict[str, int] = field(default_factory=dict)

    def add(
        self,
        kind: NoteKind,
        reason: str,
        *,
        source: str,
        target: str | None = None,
        row: int | None = None,
        value: object = None,
        count: int = 1,
    ) -> None:
        """Note one cell (or `count` cells); notes with the same reason are grouped."""
        key = (kind, target, source, reason)
        note = self.notes.get(key)
        if note is None:
            note = self.notes[key] = ImportNote(kind, reason, target, source)
        note.count += count
        if row is not None:
            note.rows.append(row)
        shown = None if value is None else str(value)
        if shown is not None and shown not in note.values and len(note.values) < _VALUES_SHOWN:
            note.values.append(shown)

    def of_kind(self, kind: NoteKind) -> list[ImportNote]:
        return [note for note in self.notes.values() if note.kind == kind]

    @property
    def complete(self) -> bool:
        """Whether every value the standard requires could be filled."""
        return not self.of_kind("not filled")

    def render(self) -> str:
        """The report as plain text, for a person and for a file beside the output."""
        written = ", ".join(f"{count} {name}" for name, count in self.rows_written.items())
        lines = [f"Import from {self.importer} ({', '.join(self.inputs)}): wrote {written}."]
        for kind, title in _KIND_TITLES.items():
            notes = self.of_kind(kind)  # type: ignore[arg-type]
            if not notes:
                continue
            lines += ["", f"{title}:"]
            for note in notes:
                where = note.source + (f" -> {note.target}" if note.target else "")
                rows = ""
                if note.rows:
                    shown = ", ".join(map(str, note.rows[:_ROWS_SHOWN]))
                    more = (
                        f" and {len(note.rows) - _ROWS_SHOWN} more"
                        if len(note.rows) > _ROWS_SHOWN
                        else ""
                    )
                    rows = f" Rows {shown}{more}."
                values = f" Values: {', '.join(note.values)}." if note.values else ""
                times = f" ({note.count})" if note.count > 1 else ""
                lines.append(f"  - {where}{times}: {note.reason}{rows}{values}")
        if not self.notes:
            lines += ["", "Every value was carried over."]
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        return {
            "importer": self.importer,
            "inputs": self.inputs,
            "rows_written": self.rows_written,
            "notes": [
                {
                    "kind": n.kind,
                    "target": n.target,
                    "source": n.source,
                    "reason": n.reason,
                    "count": n.count,
                    "rows": n.rows,
                    "values": n.values,
                }
                for n in self.notes.values()
            ],
        }


# -- grids of text ----------------------------------------------------------------------


@dataclass
class Grid:
    """A sheet or CSV file as text cells; `row_numbers[i]` is how row i is shown."""

    name: str
    rows: list[list[str | None]]
    row_numbers: list[int]


def read_grids(path: Path) -> list[Grid]:
    """Every visible sheet of a workbook, or the one grid of a CSV file."""
    if not path.exists():
        raise InputError(f"{path} does not exist.")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _workbook_grids(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return [_csv_grid(path)]
    raise InputError(f"{path.name}: give a CSV file or an .xlsx workbook.")


def _csv_grid(path: Path) -> Grid:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path.name} cannot be opened: {error.strerror or error}.") from None
    text = decode_text(data, path.name).text
    head = text.split("\n", 1)[0]
    separator = max((",", ";", "\t"), key=head.count)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error as error:
        raise InputError(f"{path.name} cannot be read as CSV: {error}.") from None
    rows = [[cell.strip() or None for cell in record] for record in records]
    return Grid(path.name, rows, list(range(1, len(rows) + 1)))


def _workbook_grids(path: Path) -> list[Grid]:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises several kinds for a damaged file
        raise InputError(f"{path.name} cannot be read as a workbook: {error}") from None
    grids = []
    for sheet in workbook.sheets_metadata:
        if sheet.visible != python_calamine.SheetVisibleEnum.Visible:
            continue
        raw = workbook.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
        rows = [[_cell_text(value) for value in row] for row in raw]
        grids.append(Grid(f"{path.name}, sheet {sheet.name}", rows, list(range(1, len(rows) + 1))))
    return grids


def _cell_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip() or None


ColumnSpec = Mapping[str, Callable[[str], bool]]
"""A source column's name -> whether a header cell's first line is that column."""


@dataclass
class Table:
    """A source table found in a grid: its columns by name, and its rows."""

    grid: Grid
    columns: dict[str, int]  # source column name -> index
    header_row: int  # as shown
    headers: list[str | None]
    body: list[tuple[int, list[str | None]]]  # (row number as shown, cells)

    def value(self, cells: list[str | None], column: str) -> str | None:
        index = self.columns.get(column)
        return cells[index] if index is not None and index < len(cells) else None

    def unread_columns(self) -> list[tuple[int, str]]:
        used = set(self.columns.values())
        return [(i, first_line(h)) for i, h in enumerate(self.headers) if h and i not in used]


def find_table(grid: Grid, spec: ColumnSpec) -> Table | None:
    """The header row (among the first rows) that names the most columns, and the rows under it."""
    best: tuple[int, int] | None = None
    for index, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        score = len(_match_columns(row, spec))
        if score and (best is None or score > best[0]):
            best = (score, index)
    if best is None:
        return None
    index = best[1]
    header = grid.rows[index]
    body = [
        (grid.row_numbers[i], row)
        for i, row in enumerate(grid.rows[index + 1 :], start=index + 1)
        if any(cell for cell in row)
    ]
    return Table(grid, _match_columns(header, spec), grid.row_numbers[index], header, body)


def _match_columns(row: Sequence[str | None], spec: ColumnSpec) -> dict[str, int]:
    """Each column name -> the first header cell it matches; each cell is used once."""
    found: dict[str, int] = {}
    used: set[int] = set()
    keys = [(i, first_line(cell)) for i, cell in enumerate(row) if cell]
    for name, matches in spec.items():
        for index, key in keys:
            if index not in used and key and matches(key):
                found[name] = index
                used.add(index)
                break
    return found


def named(*names: str) -> Callable[[str], bool]:
    """A column whose header is one of these names (compared without case or punctuation)."""
    keys = {normalise(name) for name in names}
    return lambda line: normalise(line) in keys


def leading(*names: str) -> Callable[[str], bool]:
    """A column whose header starts with one of these names as a whole word ("child_ID
    (guidance...)"), as the regional pipelines match their headers."""
    keys = {name.casefold() for name in names}

    def matches(line: str) -> bool:
        word = _LEADING_WORD.match(line)
        return word is not None and word.group(1).casefold() in keys

    return matches


def containing(*parts: str, unless: Sequence[str] = ()) -> Callable[[str], bool]:
    """A column whose header holds one of these words (and none of `unless`)."""
    wanted = [normalise(p) for p in parts]
    unwanted = [normalise(p) for p in unless]

    def matches(line: str) -> bool:
        key = normalise(line)
        return any(w in key for w in wanted) and not any(u in key for u in unwanted)

    return matches


# -- values as LAs write them -----------------------------------------------------------

_LEADING_WORD = re.compile(r"\s*([A-Za-z0-9_]+)")
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d")


def parse_date(text: str | None) -> dt.date | None:
    """A date written day first or as ISO (a time after it is ignored); None otherwise."""
    if not text:
        return None
    text = text.strip().split(" ")[0].split("T")[0]
    for form in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def parse_money(text: str | None) -> Decimal | None:
    """An amount such as "£1,234.50" or "845.2"; None when it is not a number."""
    if not text:
        return None
    cleaned = re.sub(r"[£,\s]", "", text)
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def parse_count(text: str | None) -> int | None:
    if not text:
        return None
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return int(number) if number == number.to_integral_value() and number >= 0 else None


def code_of(text: str | None, codes: Mapping[str, str]) -> str | None:
    """The standard's code for a source value, compared without case, spaces or punctuation."""
    if not text:
        return None
    return codes.get(normalise(text))


def codes_by_key(pairs: Mapping[str, str]) -> dict[str, str]:
    """A lookup keyed as `code_of` compares."""
    return {normalise(source): code for source, code in pairs.items()}


def standard_codes(standard: Standard, table: str, field_name: str) -> dict[str, str]:
    """The code list of a field, keyed as `code_of` compares (so "white british" finds nothing
    but "wbri" finds WBRI)."""
    spec = standard.table(table).field(field_name)
    return {normalise(code): code for code in (spec.code_list.codes if spec.code_list else ())}


def unique_id(wanted: str, taken: set[str]) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`... if it is taken; the result is then taken."""
    candidate, number = wanted, 1
    while candidate in taken:
        number += 1
        candidate = f"{wanted}-{number}"
    taken.add(candidate)
    return candidate


def empty_submission(standard: Standard) -> dict[str, Any]:
    """A submission dict with every list table present and empty."""
    return {table.name: [] for table in standard.tables if not table.one_row}


def write_submission(submission: Mapping[str, Any], out: Path, version: str) -> Path:
    """Write by the name given: .json a document, .xlsx a workbook, anything else a CSV folder."""
    suffix = out.suffix.lower()
    if suffix == ".json":
        return write_json(submission, out, version)
    if suffix == ".xlsx":
        return write_xlsx(submission, out, version)
    if suffix:
        raise InputError(f"{out.name}: write to a .json or .xlsx file, or to a folder.")
    write_csv_folder(submission, out, version)
    return out
