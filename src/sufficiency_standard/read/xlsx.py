"""Excel workbooks (.xlsx): one visible sheet per table, every cell kept as text.

Cells are read raw with python-calamine (no type inference that could blank a bad
value) and turned into text here: dates as ISO dates, numbers without ".0", booleans as
TRUE/FALSE. Error cells (#N/A), which calamine reads as empty, are found in the sheet's
XML first (see sheet_xml), kept as their error text and reported. Hidden sheets (lists
behind drop-downs, workings) are not read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import queue
import threading
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import python_calamine

from sufficiency_standard.catalogue import make_issue
from sufficiency_standard.collector import collector_paused
from sufficiency_standard.issues import InputError, Location
from sufficiency_standard.read import headers
from sufficiency_standard.read.archive import open_zip
from sufficiency_standard.read.found import Found, GivenTable
from sufficiency_standard.read.headers import (
    HEADER_SEARCH_ROWS,
    FieldMatcher,
    column_letter,
    find_header_row,
    header_not_found,
    match_table_name,
)
from sufficiency_standard.read.sheet_xml import has_values, scan_sheet, sheet_parts
from sufficiency_standard.read.source import SourceTable
from sufficiency_standard.read.tabular import build_table, empty_as_null, raw_column
from sufficiency_standard.read.values import datetime_text, number_text
from sufficiency_standard.sheets import OWN_SHEETS
from sufficiency_standard.standard import Standard, Table

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def is_workbook_zip(archive: zipfile.ZipFile) -> bool:
    return "xl/workbook.xml" in archive.namelist()


def read_workbook(path: Path, standard: Standard) -> Found:
    """Every visible sheet of a workbook as a table of the standard (or SHEET-UNKNOWN)."""
    name = path.name
    _refuse_what_is_not_xlsx(path)
    with collector_paused(), open_zip(path, "an Excel workbook") as archive:
        if not is_workbook_zip(archive):
            raise InputError(f"{name} is a zip file but not an Excel workbook (.xlsx).")
        parts = sheet_parts(archive)
        try:
            workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        except Exception as error:  # calamine raises several kinds for a damaged file
            raise InputError(
                f"{name} is damaged and cannot be read: {_first_line(error)}"
            ) from None
        worksheets = [
            sheet
            for sheet in workbook.sheets_metadata
            if sheet.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]
        visible = [
            sheet
            for sheet in worksheets
            if sheet.visible == python_calamine.SheetVisibleEnum.Visible
        ]
        if not worksheets:
            raise InputError(f"{name} has no sheets.")
        found = Found(kind="xlsx", container=f"sheet in {name}")
        if visible:
            _note_hidden_sheets(found, archive, parts, worksheets, name, standard)
        plan = [
            (sheet, f"{name}, sheet {sheet.name}", match_table_name(sheet.name, standard))
            for sheet in visible or worksheets
        ]
        # The sheets of tables are read in the order _reading_order gives (see
        # _SheetReader), each into its own Found; what they found is then put together
        # in the workbook's order.
        read: dict[str, Found] = {}
        failed: dict[str, BaseException] = {}
        tables = {sheet.name: (source, table) for sheet, source, table in plan if table}
        order = _reading_order({sheet: _part_size(archive, parts.get(sheet)) for sheet in tables})
        with _SheetReader(archive, workbook, parts, name, order) as sheets:
            for _ in order:
                sheet_name, cells, error = sheets.next()
                if error is not None:
                    failed[sheet_name] = error
                    continue
                source, table = tables[sheet_name]
                rows, errors = cells
                read[sheet_name] = Found(kind="xlsx", container=found.container)
                _read_sheet(read[sheet_name], table, source, rows, errors, sheet_name)
        for sheet, source, table in plan:
            if table is None and sheet.name in OWN_SHEETS:
                continue  # the template's guidance or a report's own pages
            if table is None:
                found.issues.append(
                    make_issue(
                        "SHEET-UNKNOWN",
                        Location(source=source),
                        source=source,
                        expected=", ".join(standard.table_names),
                    )
                )
                continue
            if sheet.name in failed:  # the first sheet that cannot be read, in order
                raise failed[sheet.name]
            found.tables.extend(read[sheet.name].tables)
            found.issues.extend(read[sheet.name].issues)
    return found


def _note_hidden_sheets(
    found: Found,
    archive: zipfile.ZipFile,
    parts: dict[str, str],
    worksheets: list[Any],
    name: str,
    standard: Standard,
) -> None:
    """SHEET-HIDDEN for each hidden sheet that holds data (not the template's own lists),
    so that nothing in the workbook is left out without a word."""
    for sheet in worksheets:
        if sheet.visible == python_calamine.SheetVisibleEnum.Visible or sheet.name in OWN_SHEETS:
            continue
        if not has_values(archive, parts.get(sheet.name)):
            continue
        table = match_table_name(sheet.name, standard)
        source = f"{name}, sheet {sheet.name}"
        found.issues.append(
            make_issue(
                "SHEET-HIDDEN",
                Location(source=source),
                source=source,
                table_note=f" (by its name, the {table.name} table)" if table else "",
            )
        )


def _reading_order(sizes: dict[str, int]) -> list[str]:
    """The sheets in the order they are read: those a quarter the size of the largest or
    less first, then the others; largest first in each.

    Calamine cannot start on a sheet until its XML has been scanned, and scanning is
    some four times faster than parsing: starting with the smaller sheets, scanned in a
    moment, lets calamine parse them while the largest is scanned, rather than wait for
    that scan. The large ones then go largest first, so that little is left to turn
    into text once the last one is parsed.
    """
    largest = max(sizes.values(), default=0)
    return sorted(sizes, key=lambda sheet: (sizes[sheet] * 4 > largest, -sizes[sheet]))


def _part_size(archive: zipfile.ZipFile, part: str | None) -> int:
    """How large a sheet's XML is (0 when unknown)."""
    try:
        return archive.getinfo(part).file_size if part else 0
    except KeyError:
        return 0


class _SheetReader:
    """The cells of a workbook's sheets, in the order given, read ahead in two threads.

    One thread scans each sheet's XML (see sheet_xml), the other has calamine parse
    each sheet once its scan has passed; calamine parses without holding Python's lock,
    so the sheets ahead are scanned and parsed while this one is turned into text (in
    the order _reading_order gives: small sheets, then the largest first).
    A sheet that cannot be read comes with its InputError instead, and the others are
    still read (a sheet is parsed only after its scan passed), so that the caller can
    raise the error of the first such sheet in the workbook's order.
    """

    def __init__(
        self,
        archive: zipfile.ZipFile,
        workbook: python_calamine.CalamineWorkbook,
        parts: dict[str, str],
        name: str,
        sheets: list[str],
    ) -> None:
        self._archive, self._workbook, self._parts, self._name = archive, workbook, parts, name
        self._sheets = sheets
        self._scans: queue.Queue[tuple[str, Any, BaseException | None]] = queue.Queue()
        self._cells: queue.Queue[tuple[str, Any, BaseException | None]] = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._scan_all, name="xlsx-scan", daemon=True),
            threading.Thread(target=self._parse_all, name="xlsx-parse", daemon=True),
        ]

    def __enter__(self) -> _SheetReader:
        if self._sheets:
            for thread in self._threads:
                thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        parser = self._threads[1]
        while parser.is_alive():
            # Take what the parser holds, so that it can put it, see the stop and end.
            with contextlib.suppress(queue.Empty):
                self._cells.get(timeout=0.05)
        for thread in self._threads:
            if thread.ident is not None:
                thread.join()

    def next(self) -> tuple[str, Any, BaseException | None]:
        """The next sheet: its name, and its rows and error cells or its error."""
        return self._cells.get()

    def _scan_all(self) -> None:
        for sheet in self._sheets:
            if self._stop.is_set():
                break
            try:
                # Before calamine sees the sheet: it allocates every cell up to the farthest.
                scan, error = (
                    scan_sheet(self._archive, self._parts.get(sheet), self._name, sheet),
                    None,
                )
            except BaseException as problem:  # raised in the caller's thread, in turn
                scan, error = None, problem
            self._scans.put((sheet, scan, error))

    def _parse_all(self) -> None:
        for sheet in self._sheets:
            scanned, scan, error = self._scans.get()
            assert scanned == sheet
            cells = None
            if error is None and not self._stop.is_set():
                try:
                    cells = (self._parse(sheet), scan.errors)
                except BaseException as problem:
                    error = problem
            self._cells.put((sheet, cells, error))
            if self._stop.is_set():
                return

    def _parse(self, sheet: str) -> list[list[Any]]:
        try:
            return self._workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as error:
            raise InputError(
                f"{self._name} is damaged: sheet {sheet} cannot be read: {_first_line(error)}"
            ) from None


def _read_sheet(
    found: Found,
    table: Table,
    source: str,
    rows: list[list[Any]],
    errors: dict[tuple[int, int], str],
    sheet_name: str,
) -> None:
    for (row_index, column_index), error in errors.items():
        if row_index < len(rows) and column_index < len(rows[row_index]):
            rows[row_index][column_index] = error
    head = [[cell_text(value) for value in row] for row in rows[:HEADER_SEARCH_ROWS]]
    header_index = find_header_row(head, FieldMatcher(table))
    if header_index is None:
        found.issues.append(header_not_found(table, source, len(head)))
        found.tables.append(GivenTable(table.name, source, None))
        return
    width = len(rows[header_index])
    body_rows = rows[header_index + 1 :]
    columns: Iterable[Sequence[Any]] = zip(*body_rows, strict=True) if body_rows else [()] * width
    body = empty_as_null(
        pl.DataFrame(
            {raw_column(i): column_text(column) for i, column in enumerate(columns)},
            schema={raw_column(i): pl.String for i in range(width)},
        )
    )
    header_row = header_index + 1
    source_table, issues = build_table(
        table,
        kind="xlsx",
        source=source,
        header=head[header_index],
        header_row=header_row,
        body=body,
    )
    source_table.sheet = sheet_name
    _months_as_shown(source_table, table, rows, header_index)
    found.tables.append(GivenTable(table.name, source, source_table))
    found.issues.extend(issues)

    if not errors:
        return
    letters = {letter: field_name for field_name, letter in source_table.columns.items()}
    kept_rows = set(source_table.row_numbers or ())
    for (row_index, column_index), error in sorted(errors.items()):
        field_name = letters.get(column_letter(column_index))
        if field_name is None or row_index + 1 not in kept_rows:
            continue
        cell = f"{column_letter(column_index)}{row_index + 1}"
        found.issues.append(
            make_issue(
                "CELL-ERROR",
                Location(
                    table=table.name, field=field_name, row=row_index + 1, cell=cell, source=source
                ),
                value=error,
                personal=table.field(field_name).is_personal,
                cell=cell,
                source=source,
                error=error,
            )
        )


# A field of a month and year (birth_month): "2009-02", as its pattern says.
_MONTH_PATTERN = "^[0-9]{4}-(0[1-9]|1[0-2])$"


def _months_as_shown(
    source_table: SourceTable, table: Table, rows: list[list[Any]], header_index: int
) -> None:
    """A month typed into Excel as 2009-02 is stored as the date 2009-02-01 and shown as
    2009-02 (with a yyyy-mm format): read it as the month it shows. A date on another day
    is a full date, kept as it is (and reported: the standard never holds one)."""
    for field_name, letter in source_table.columns.items():
        if table.field(field_name).pattern != _MONTH_PATTERN:
            continue
        column = source_table.frame.get_column(field_name)
        if not column.str.contains(r"^[0-9]{4}-[0-9]{2}-01$").any():
            continue  # no cell read as the first of a month: nothing to look at
        index = headers.column_index(letter)
        numbers = source_table.row_numbers or ()
        values = column.to_list()
        changed = False
        for position, row_number in enumerate(numbers):
            row = rows[row_number - 1] if row_number - 1 < len(rows) else ()
            cell = row[index] if index < len(row) else None
            if isinstance(cell, dt.date) and cell.day == 1:
                if isinstance(cell, dt.datetime) and cell.time() != dt.time(0):
                    continue
                values[position] = f"{cell.year:04d}-{cell.month:02d}"
                changed = True
        if changed:
            source_table.frame = source_table.frame.with_columns(
                pl.Series(field_name, values, dtype=pl.String)
            )


# -- cells as text ---------------------------------------------------------------------


def _time_text(value: dt.time) -> str:
    return value.isoformat(timespec="seconds" if not value.microsecond else "milliseconds")


_CELL_TEXT: dict[type, Callable[[Any], str | None]] = {
    str: lambda value: value or None,
    float: lambda value: number_text(value, excel=True),
    int: str,
    bool: lambda value: "TRUE" if value else "FALSE",
    dt.datetime: datetime_text,
    dt.date: dt.date.isoformat,
    dt.time: _time_text,
    dt.timedelta: str,
}


def cell_text(value: Any) -> str | None:
    """One calamine cell value as text; None when the cell is empty."""
    if value is None:
        return None
    convert = _CELL_TEXT.get(type(value))
    return convert(value) if convert is not None else str(value)


def column_text(values: Sequence[Any]) -> Sequence[str | None]:
    """A column of calamine cell values as text ("" for an empty cell is made None later).

    A column of text alone needs no conversion; any other column repeats few distinct
    values (dates, prices, counts), so each distinct value is converted once. Booleans
    are equal to 0 and 1 and NaN to nothing, so columns holding them go cell by cell.
    """
    kinds = set(map(type, values))
    if kinds <= {str}:
        return values
    if float in kinds and kinds <= {float, str}:
        return _numbers_text(values, kinds)
    if bool not in kinds:
        distinct = set(values)
        if all(value == value for value in distinct):
            texts = {value: cell_text(value) for value in distinct}
            return list(map(texts.__getitem__, values))
    return [cell_text(value) for value in values]


_PLAIN_DECIMAL = r"^-?(0|[1-9][0-9]*)\.[0-9]*[1-9]$"


def _numbers_text(values: Sequence[Any], kinds: set[type]) -> pl.Series:
    """A column of numbers (and text, such as empty cells) as text, as cell_text writes
    each; the numbers (most often all different: prices) are converted by polars.

    A whole number below 10**15 is its integer. Any other number that polars writes in
    plain decimals with at most 15 digits, that reads back as the same number and is at
    least 0.0001, is what number_text writes: such a decimal lies within half a unit of
    the number's last binary digit, and only one decimal of 15 significant digits can,
    the 15-digit rounding that Python's "%.15g" writes the same way. The rest (tiny,
    huge, noisy binary fractions such as 0.30000000000000004, NaN) go through cell_text
    one by one.
    """
    if kinds == {float}:
        numbers = pl.Series(values, dtype=pl.Float64)
    else:
        numbers = pl.Series([v if type(v) is float else None for v in values], dtype=pl.Float64)
    n, t = pl.col("n"), pl.col("t")
    whole = (n == n.floor()) & (n.abs() < 1e15)
    plain = (
        t.str.contains(_PLAIN_DECIMAL)
        # At most 15 digits, the leading 0 of "0.5" and any zeros after it included.
        & (t.str.len_bytes() <= 16 + (n < 0).cast(pl.UInt32))
        & (t.cast(pl.Float64, strict=False) == n)
        & (n.abs() >= 1e-4)
    )
    text = (
        numbers.to_frame("n")
        .lazy()
        .with_columns(n.cast(pl.String).alias("t"))
        .select(
            pl.when(whole)
            # Not strict: NaN and infinity are never whole, but some polars versions cast
            # every row before choosing.
            .then(n.cast(pl.Int64, strict=False).cast(pl.String))
            .when(plain)
            .then(t)
            .otherwise(None)
            .alias("text")
        )
        .collect()
        .to_series()
    )
    rest = (text.is_null() & numbers.is_not_null()).arg_true()
    if rest.len():
        text = text.scatter(rest, pl.Series([cell_text(values[i]) for i in rest], dtype=pl.String))
    # The other cells are text; most often all empty (blank cells), and so already None.
    if kinds == {float} or values.count("") == numbers.null_count():
        return text
    texts = pl.Series([(v or None) if type(v) is str else None for v in values], dtype=pl.String)
    return text.zip_with(numbers.is_not_null(), texts)


# -- what is not a readable workbook ---------------------------------------------------


def _refuse_what_is_not_xlsx(path: Path) -> None:
    name = path.name
    try:
        with path.open("rb") as handle:
            start = handle.read(4096)
    except OSError as error:
        raise InputError(f"{name} cannot be opened: {error.strerror or error}.") from None
    if not start:
        raise InputError(f"{name} is empty (0 bytes).")
    if start.startswith(_OLE2_MAGIC):
        if _ENCRYPTED_PACKAGE in path.read_bytes():
            raise InputError(
                f"{name} is password-protected: save a copy without a password and try again."
            )
        raise InputError(
            f"{name} is an Excel 97-2003 workbook (.xls) or another Office file, not an .xlsx "
            "workbook: save it as Excel Workbook (.xlsx)."
        )
    if not start.startswith(_ZIP_MAGIC):
        if _looks_like_text(start):
            raise InputError(
                f"{name} is not an Excel workbook: it is a text or CSV file with an Excel "
                "name. Rename it to .csv, or save it from Excel as .xlsx."
            )
        raise InputError(f"{name} is not an Excel workbook (.xlsx).")


def _looks_like_text(start: bytes) -> bool:
    if b"\x00" in start:
        return start.startswith((b"\xff\xfe", b"\xfe\xff"))
    try:
        start.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(start) - 3  # a character cut off at the end
    return True


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
