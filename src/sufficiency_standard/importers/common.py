"""What every importer shares: reading an LA's file as a grid of text, dates and money as
LAs write them, the import report of every value that could not be carried over, and the
steps of building a submission from source rows (`SubmissionBuilder`).

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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar, Literal, TypedDict

from sufficiency_standard.issues import InputError
from sufficiency_standard.postcodes import generalise_postcode
from sufficiency_standard.read.encoding import decode_text
from sufficiency_standard.read.headers import HEADER_SEARCH_ROWS, first_line, normalise
from sufficiency_standard.standard import Standard, load_standard
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
    heading: str = "Import from"  # "Export to" for an export, which shares the form

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
        lines = [f"{self.heading} {self.importer} ({', '.join(self.inputs)}): wrote {written}."]
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
    grids = []
    for name, sheet in visible_sheets(path):
        raw = sheet.to_python(skip_empty_area=False)
        rows = [[_cell_text(value) for value in row] for row in raw]
        grids.append(Grid(f"{path.name}, sheet {name}", rows, list(range(1, len(rows) + 1))))
    return grids


def visible_sheets(path: Path) -> list[tuple[str, Any]]:
    """Each sheet a person sees in a workbook (name, calamine sheet): hidden ones hold
    lookups and workings, not data."""
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises several kinds for a damaged file
        raise InputError(f"{path.name} cannot be read as a workbook: {error}") from None
    return [
        (sheet.name, workbook.get_sheet_by_name(sheet.name))
        for sheet in workbook.sheets_metadata
        if sheet.visible == python_calamine.SheetVisibleEnum.Visible
    ]


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


# Two-digit years (05/05/19, as some case management systems export): 00 to 69 are read
# as 2000 to 2069 and 70 to 99 as 1970 to 1999. No child in care was born before 1970
# and no return runs past 2069, so every date a 903 or census holds reads right.
TWO_DIGIT_YEAR_PIVOT = 70
_SHORT_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2})$")


def parse_date(text: str | None) -> dt.date | None:
    """A date written day first (with a four- or two-digit year, see
    `TWO_DIGIT_YEAR_PIVOT`) or as ISO (a time after it is ignored); None otherwise."""
    if not text:
        return None
    text = text.strip().split(" ")[0].split("T")[0]
    short = _SHORT_DATE.match(text)
    if short:
        day, month, year = (int(part) for part in short.groups())
        year += 2000 if year < TWO_DIGIT_YEAR_PIVOT else 1900
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
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


# -- building a submission row by row ---------------------------------------------------

ImportOutput = tuple[dict[str, Any], ImportReport]
"""What an importer returns: the submission dict and its import report."""


class ImportOptions(TypedDict, total=False):
    """What `sufficiency import` can be told that the source files may not say."""

    la_code: str | None
    period_start: dt.date | None
    period_end: dt.date | None
    extract_date: dt.date | None
    standard_version: str | None


def find_tables(
    paths: Sequence[str | Path], spec: ColumnSpec, key_column: str, none_found: str
) -> list[Table]:
    """Every sheet or file given whose header has `key_column`: an importer that reads one
    table per file takes as many files as the LA splits its return into."""
    tables = []
    for path in paths:
        for grid in read_grids(Path(path)):
            table = find_table(grid, spec)
            if table is not None and key_column in table.columns:
                tables.append(table)
    if not tables:
        raise InputError(none_found)
    return tables


@dataclass(frozen=True)
class RowNotes:
    """Where the notes about one source row go, so each names the file and the row."""

    report: ImportReport
    source: str
    row_number: int  # as a spreadsheet shows it

    def note(
        self, kind: NoteKind, reason: str, target: str | None = None, value: object = None
    ) -> None:
        self.report.add(
            kind, reason, source=self.source, target=target, row=self.row_number, value=value
        )


@dataclass(frozen=True)
class SourceRow(RowNotes):
    """A row of a source table, read by its columns' names."""

    table: Table
    cells: list[str | None]

    def value(self, column: str) -> str | None:
        return self.table.value(self.cells, column)

    def text(self, column: str) -> str:
        """The value stripped, and "" when blank, for IDs and codes compared as written."""
        return (self.value(column) or "").strip()


class SubmissionBuilder:
    """One import: the submission being built and its report, with the steps every source
    format shares, so each importer keeps only how its own format reads."""

    title: ClassVar[str]
    """The source format, as the import report names it."""
    tables_written: ClassVar[tuple[str, ...] | None] = None
    """The tables the import report counts; None counts every list table."""

    def __init__(self, standard: Standard, tables: Sequence[Table], options: ImportOptions):
        self.standard = standard
        self.options = options
        self.report = ImportReport(self.title, [table.grid.name for table in tables])
        self.submission = empty_submission(standard)
        self.children: dict[str, dict[str, Any]] = {}
        self.providers: dict[str, dict[str, Any]] = {}
        self.settings: dict[str, dict[str, Any]] = {}
        self.placement_ids: set[str] = set()
        self.urn_pattern = re.compile(
            standard.table("settings").field("setting_urn").pattern or ".*"
        )

    # -- the source's rows and columns

    def rows_of(self, table: Table) -> Iterator[SourceRow]:
        for number, cells in table.body:
            yield SourceRow(self.report, table.grid.name, number, table, cells)

    def child_id(self, row: SourceRow, column: str, shown: str | None = None) -> str | None:
        """The row's child ID; a row without one is left out, and the report says so (naming
        the column as `shown`, or as `column`)."""
        child = row.text(column)
        if not child:
            row.note("not carried", f"the row has no {shown or column}, so it was left out.")
        return child or None

    def note_unread_columns(self, table: Table, reason: str) -> None:
        """Columns the importer does not know: reported once each, never guessed at."""
        for _, header in table.unread_columns():
            self.report.add("not carried", reason, source=f"{table.grid.name}, column {header}")

    def note_values_left_out(
        self,
        row: SourceRow,
        reasons: Mapping[str, str],
        shown: Callable[[str], str] = str,
    ) -> None:
        """Each filled column of the row that the standard has no place for, and why."""
        for column, reason in reasons.items():
            if row.value(column):
                source = f"{row.source}, column {shown(column)}"
                self.report.add("not carried", reason, source=source, row=row.row_number)

    def code(
        self,
        row: SourceRow,
        column: str,
        target: str,
        codes: Mapping[str, str] | Callable[[str], str | None],
        unknown: str,
    ) -> str | None:
        """The standard's code for a coded column's value (looked up in `codes`, or found
        by it); None when blank, or when it has none, which the report notes as `unknown`."""
        text = row.value(column)
        if not text:
            return None
        code = code_of(text, codes) if isinstance(codes, Mapping) else codes(text)
        if code is None:
            row.note("not carried", unknown, target, text)
        return code

    # -- the standard's rows

    def child(self, child_id: str) -> dict[str, Any]:
        """The child's row, written the first time the child is seen."""
        record = self.children.get(child_id)
        if record is None:
            record = self.children[child_id] = {"child_id": child_id}
            self.submission["children"].append(record)
        return record

    def placement_id(self, child_id: str, start: dt.date | None, row: int) -> str:
        """The child and start date (or source row) as an ID, unique in this import."""
        wanted = f"{child_id}-{start:%Y%m%d}" if start else f"{child_id}-row{row}"
        return unique_id(wanted, self.placement_ids)

    def provider(self, provider_id: str, name: str | None, **details: Any) -> str:
        """The provider's ID, its row written the first time it is seen (with the details
        that are not None)."""
        if provider_id not in self.providers:
            record = {"provider_id": provider_id, "provider_name": name}
            record |= {key: value for key, value in details.items() if value is not None}
            self.providers[provider_id] = record
            self.submission["providers"].append(record)
        return provider_id

    def place_in_setting(
        self,
        at: RowNotes,
        placement: dict[str, Any],
        urn_text: str | None,
        provider_id: str,
        urn_column: str,
        details: Callable[[], dict[str, Any]] = dict,
    ) -> None:
        """Point the placement at its setting by Ofsted URN, writing the setting (with
        `details`) the first time it is seen; a value that is no URN is noted."""
        urn = (urn_text or "").strip().upper()
        if not urn:
            return
        if not self.urn_pattern.match(urn):
            at.note(
                "not carried",
                f"{urn_column} is not an Ofsted URN (SC and 6 digits, or 7 digits).",
                "placements.setting_urn",
                urn,
            )
            return
        placement["setting_urn"] = urn
        if urn not in self.settings:
            setting = {"setting_urn": urn, "provider_id": provider_id} | details()
            self.settings[urn] = setting
            self.submission["settings"].append(setting)

    def locate(
        self, at: RowNotes, placement: dict[str, Any], postcode: str | None, not_a_postcode: str
    ) -> None:
        """The placement's location cut to a postcode sector (a full postcode can point at a
        carer's home); a value that is no postcode is noted."""
        if not postcode:
            return
        sector = generalise_postcode(postcode)
        if sector:
            placement["placement_location"] = sector
        else:
            at.note("not carried", not_a_postcode, "placements.placement_location")

    def add_cost(
        self,
        row: SourceRow,
        placement_id: str,
        start: dt.date | None,
        total: Decimal | None,
        amounts: Mapping[str, Decimal | None],
        *,
        dated: str,
        no_total: str,
        basis: str | None = None,
    ) -> None:
        """A cost period of the placement; the report says how it is dated (no source gives
        the day a price started) and whether it lacks the total."""
        cost: dict[str, Any] = {
            "cost_id": f"{placement_id}-cost",
            "placement_id": placement_id,
            "cost_start_date": start,
        }
        if basis:
            cost["cost_basis"] = basis
        cost |= {"total_weekly_cost": total} | dict(amounts)
        self.submission["costs"].append(cost)
        row.note("derived", dated, "costs.cost_start_date")
        if total is None:
            row.note("not filled", no_total, "costs.total_weekly_cost")

    # -- the submission row

    def note_option(self, kind: NoteKind, field_name: str, reason: str) -> None:
        """A note on a submission value the options give (or should have given)."""
        self.report.add(kind, reason, source="options", target=f"submission.{field_name}")

    def extract_date(self) -> dt.date:
        """The extract date given, else the day of the import (noted)."""
        given = self.options.get("extract_date")
        if given is None:
            reason = "the extract date is the day of the import."
            self.note_option("derived", "extract_date", reason)
        return given or dt.date.today()

    def finish_from_dates(
        self, dates: Iterable[dt.date | None], earliest: str, no_la_code: str
    ) -> ImportOutput:
        """The submission row from the options, else derived and said so: the period
        ends on the extract date and starts on the earliest of `dates` (`earliest` says
        which dates they are)."""
        extract = self.extract_date()
        period_end = self.options.get("period_end")
        if period_end is None:
            period_end = extract
            self.note_option("derived", "period_end", "the period ends on the extract date.")
        period_start = self.options.get("period_start")
        if period_start is None:
            period_start = min((d for d in dates if d), default=period_end)
            self.note_option("derived", "period_start", f"the period starts on {earliest}.")
        la_code = self.options.get("la_code")
        self.need_la_code(la_code, no_la_code)
        return self.finish(la_code, period_start, period_end, extract)

    def need_la_code(self, la_code: str | None, reason: str) -> None:
        if not la_code:
            self.note_option("not filled", "la_code", reason)

    def finish(
        self,
        la_code: str | None,
        period_start: dt.date,
        period_end: dt.date,
        extract_date: dt.date,
        **more: Any,
    ) -> ImportOutput:
        """Fill the submission row, count what was written, and hand both over."""
        self.submission.update(
            standard_version=self.standard.version,
            la_code=la_code,
            period_start=period_start,
            period_end=period_end,
            extract_date=extract_date,
            **more,
        )
        names = self.tables_written or [t.name for t in self.standard.tables if not t.one_row]
        self.report.rows_written = {name: len(self.submission[name]) for name in names}
        return self.submission, self.report


class RowByRowImport(SubmissionBuilder):
    """An import of a format whose tables are all of one kind, each row standing alone:
    subclasses say how to find the tables and what a row becomes."""

    columns: ClassVar[ColumnSpec]
    key_column: ClassVar[str]  # a table is one the importer reads when it has this column
    none_found: ClassVar[str]  # the error when no table has it
    unknown_column: ClassVar[str]  # the report's reason for a column not in `columns`

    @classmethod
    def run(cls, paths: Sequence[str | Path], options: ImportOptions) -> ImportOutput:
        """The whole import: find the tables, add each row, then fill the submission row."""
        standard = load_standard(options.get("standard_version"))
        tables = find_tables(paths, cls.columns, cls.key_column, cls.none_found)
        builder = cls(standard, tables, options)
        for table in tables:
            builder.note_unread_columns(table, cls.unknown_column)
            for row in builder.rows_of(table):
                builder.add(row)
        return builder.finish_submission()

    def add(self, row: SourceRow) -> None:
        """Write what the row gives, noting what it cannot."""
        raise NotImplementedError

    def finish_submission(self) -> ImportOutput:
        """The submission row from the options or the rows read (saying which), then `finish`."""
        raise NotImplementedError


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
