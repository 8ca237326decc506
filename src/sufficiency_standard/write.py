"""Write a submission in the standard's three formats: JSON, a folder of CSV files, a workbook.

A submission is given as a plain dict in the JSON shape of `models.Submission`: the
submission's own fields at the top level and one list of rows per other table. The
tables, their columns and each column's kind come from the compiled standard, so a
table or field added to the schema is written without a change here. The writers are
faithful rather than judging: a value that is not what its field expects (as in the
invalid examples) is written as it is, as text.

The project uses them to publish the example submission in every format from one JSON
file, and tests use them to build inputs in each format.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from sufficiency_standard.standard import Field, Standard, Table, load_standard

SubmissionDict = Mapping[str, Any]
"""A submission in the JSON shape of models.Submission."""

MULTIVALUE_SEPARATOR = "; "
"""Between the values of a multivalued field in one CSV or workbook cell."""

EXCEL_DATE_FORMAT = "yyyy-mm-dd"
EXCEL_DECIMAL_FORMAT = "0.00"


def submission_to_tables(
    submission: SubmissionDict, version: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Every table of the standard, in its order, as rows with every field (None when blank).

    The submission table has exactly one row. Keys the standard does not know are left
    out, since a table has no column for them.
    """
    standard = load_standard(version)
    return {
        table.name: [
            {f.name: row.get(f.name) for f in table.fields} for row in _rows(submission, table)
        ]
        for table in standard.tables
    }


def write_json(submission: SubmissionDict, path: str | Path, version: str | None = None) -> Path:
    """Write the submission as a JSON document (UTF-8, indented), fields in the standard's order.

    Values are kept as given; keys the standard does not know follow the known ones.
    """
    standard = load_standard(version)
    document = _in_standard_order(submission, standard)
    text = json.dumps(document, indent=2, ensure_ascii=False, default=_json_value) + "\n"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_csv_folder(
    submission: SubmissionDict, folder: str | Path, version: str | None = None
) -> list[Path]:
    """Write one `<table>.csv` per table (UTF-8, header = field names); return the paths."""
    standard = load_standard(version)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table, rows in _tables(submission, standard):
        path = folder / f"{table.name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(f.name for f in table.fields)
            for row in rows:
                writer.writerow(_cell_text(row.get(f.name), f) for f in table.fields)
        written.append(path)
    return written


def write_xlsx(submission: SubmissionDict, path: str | Path, version: str | None = None) -> Path:
    """Write an Excel workbook with one sheet per table, named and ordered as the standard.

    Dates are real Excel dates, integers and decimals real numbers (decimals shown with
    two places), so the workbook looks like one an LA would fill in.
    """
    standard = load_standard(version)
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "sufficiency-standard"
    for table, rows in _tables(submission, standard):
        sheet = workbook.create_sheet(table.name)
        sheet.append([f.name for f in table.fields])
        for header in sheet[1]:
            header.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append([_cell_value(row.get(f.name), f) for f in table.fields])
        for column, spec in enumerate(table.fields, start=1):
            letter = sheet.cell(row=1, column=column).column_letter
            sheet.column_dimensions[letter].width = max(12, len(spec.name) + 2)
            number_format = _number_format(spec)
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                if isinstance(cell.value, str) and cell.data_type == "f":
                    cell.data_type = "s"  # text that starts with "=" is not a formula
                elif number_format and isinstance(cell.value, (date, int, float)):
                    cell.number_format = number_format
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_into_template(
    submission: SubmissionDict, path: str | Path, version: str | None = None
) -> Path:
    """Write the submission into the version's Excel template (as `sufficiency template`
    makes it), so a workbook given back to an LA keeps the guidance sheet, the headers'
    notes and the drop-downs it needs to go on editing it.

    The template's headers are the fields' titles, one column per field in the
    standard's order; values are written as `write_xlsx` writes them.
    """
    # Here, not at the top: the template module imports the standard's loaders too.
    from sufficiency_standard.template import build_template, number_format

    standard = load_standard(version)
    workbook = build_template(standard.version)
    for table, rows in _tables(submission, standard):
        sheet = workbook[table.name]
        formats = [number_format(spec) for spec in table.fields]
        for row_number, row in enumerate(rows, start=2):
            for column, spec in enumerate(table.fields, start=1):
                value = _cell_value(row.get(spec.name), spec)
                cell = sheet.cell(row=row_number, column=column)
                cell.value = value
                if value is None:
                    continue
                if isinstance(value, str):
                    cell.data_type = "s"  # text that starts with "=" is not a formula
                style = formats[column - 1]
                if style is not None and (isinstance(value, str) == (style == "@")):
                    cell.number_format = style
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _rows(submission: SubmissionDict, table: Table) -> list[Mapping[str, Any]]:
    if table.one_row:
        return [submission]
    return list(submission.get(table.name) or [])


def _tables(
    submission: SubmissionDict, standard: Standard
) -> Iterable[tuple[Table, list[Mapping[str, Any]]]]:
    return ((table, _rows(submission, table)) for table in standard.tables)


def _in_standard_order(submission: SubmissionDict, standard: Standard) -> dict[str, Any]:
    top = next(t for t in standard.tables if t.one_row)
    lists = [t for t in standard.tables if not t.one_row]
    document = _ordered(submission, [f.name for f in top.fields] + [t.name for t in lists])
    for table in lists:
        rows = document.get(table.name)
        if isinstance(rows, list):
            names = [f.name for f in table.fields]
            document[table.name] = [
                _ordered(row, names) if isinstance(row, Mapping) else row for row in rows
            ]
    return document


def _ordered(record: Mapping[str, Any], names: list[str]) -> dict[str, Any]:
    known = {name: record[name] for name in names if name in record}
    return known | {key: value for key, value in record.items() if key not in known}


def _json_value(value: Any) -> Any:
    """JSON for the Python values a model dump holds (dates, decimals, enums)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.date()
    return value


def _cell_text(value: Any, spec: Field) -> str:
    """A CSV cell: ISO dates, numbers as their shortest text, values joined by "; "."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return MULTIVALUE_SEPARATOR.join(_cell_text(item, spec) for item in value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return _number_text(value)
    return str(value)


def _number_text(value: int | float | Decimal) -> str:
    if isinstance(value, int):
        return str(value)
    return format(Decimal(str(value)).normalize(), "f")


def _cell_value(value: Any, spec: Field) -> Any:
    """A workbook cell: a date, an int, a float or text, as the field's kind says."""
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return _cell_text(value, spec)
    if spec.kind == "date":
        return _as_date(value)
    if spec.kind in ("integer", "decimal") and not isinstance(value, bool):
        return _as_number(value, integer=spec.kind == "integer")
    if isinstance(value, (str, int, float, bool)):
        return value
    return _cell_text(value, spec)


def _as_date(value: Any) -> date | str:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return str(value)


def _as_number(value: Any, *, integer: bool) -> int | float | str:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if integer and number == number.to_integral_value():
        return int(number)
    return float(number)


def _number_format(spec: Field) -> str | None:
    if spec.multivalued:
        return None
    return {"date": EXCEL_DATE_FORMAT, "decimal": EXCEL_DECIMAL_FORMAT}.get(spec.kind)
