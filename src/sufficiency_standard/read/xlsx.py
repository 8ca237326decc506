"""Excel workbooks (.xlsx): one visible sheet per table, every cell kept as text.

Cells are read raw with python-calamine (no type inference that could blank a bad
value) and turned into text here: dates as ISO dates, numbers without ".0", booleans as
TRUE/FALSE. Error cells (#N/A), which calamine reads as empty, are found in the sheet's
XML first (see sheet_xml), kept as their error text and reported. Hidden sheets (lists
behind drop-downs, workings) are not read.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import python_calamine

from sufficiency_standard.catalogue import make_issue
from sufficiency_standard.issues import InputError, Location
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
from sufficiency_standard.read.sheet_xml import scan_sheet, sheet_parts
from sufficiency_standard.read.tabular import build_table, raw_column
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
    with open_zip(path, "an Excel workbook") as archive:
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
        for sheet in visible or worksheets:
            source = f"{name}, sheet {sheet.name}"
            table = match_table_name(sheet.name, standard)
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
            # Before calamine sees the sheet: it allocates every cell up to the farthest.
            scan = scan_sheet(archive, parts.get(sheet.name), name, sheet.name)
            try:
                rows = workbook.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
            except Exception as error:
                raise InputError(
                    f"{name} is damaged: sheet {sheet.name} cannot be read: {_first_line(error)}"
                ) from None
            _read_sheet(found, table, source, rows, scan.errors, sheet.name)
    return found


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
    body = pl.DataFrame(
        {raw_column(i): column_text(column) for i, column in enumerate(columns)},
        schema={raw_column(i): pl.String for i in range(width)},
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
    found.tables.append(GivenTable(table.name, source, source_table))
    found.issues.extend(issues)

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
    if bool not in kinds:
        distinct = set(values)
        if all(value == value for value in distinct):
            texts = {value: cell_text(value) for value in distinct}
            return [texts[value] for value in values]
    return [cell_text(value) for value in values]


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
