"""The Excel template matches the standard and, once filled in, validates.

An LA fills the template by hand, so everything is checked as Excel will see it: the
workbook is written, read back with openpyxl, and its data validations, formats and
headers compared with the standard.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sufficiency_standard import STANDARD_VERSION
from sufficiency_standard.shipped import UnknownVersionError
from sufficiency_standard.standard import Field, Standard, load_standard
from sufficiency_standard.template import (
    CODE_LISTS_SHEET,
    DATE_FORMAT,
    GUIDANCE_SHEET,
    MONEY_FORMAT,
    TEXT_FORMAT,
    is_money,
    template_command,
    write_template,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "example-submission.json"


@pytest.fixture(scope="module")
def standard() -> Standard:
    return load_standard()


@pytest.fixture(scope="module")
def template_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("template") / "template.xlsx")


@pytest.fixture(scope="module")
def workbook(template_path: Path) -> Workbook:
    return load_workbook(template_path)


def validation_of(sheet: Worksheet, cell: str) -> DataValidation | None:
    found = [dv for dv in sheet.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) <= 1, f"{sheet.title}!{cell} has {len(found)} data validations"
    return found[0] if found else None


def list_values(workbook: Workbook, formula: str) -> tuple[str, ...]:
    """The values a list validation offers, read from the range its formula names."""
    sheet_part, range_part = formula.lstrip("=").rsplit("!", 1)
    sheet = workbook[sheet_part.strip("'").replace("''", "'")]
    return tuple(
        row[0].value for row in sheet[range_part.replace("$", "")] if row[0].value is not None
    )


def test_sheets_are_guidance_then_every_table_then_hidden_code_lists(
    workbook: Workbook, standard: Standard
) -> None:
    assert workbook.sheetnames == [GUIDANCE_SHEET, *standard.table_names, CODE_LISTS_SHEET]
    assert workbook[CODE_LISTS_SHEET].sheet_state == "hidden"
    assert workbook.active.title == GUIDANCE_SHEET


def test_guidance_says_which_version_it_follows(workbook: Workbook) -> None:
    text = " ".join(
        str(cell.value)
        for row in workbook[GUIDANCE_SHEET].iter_rows()
        for cell in row
        if cell.value is not None
    )
    assert f"version {STANDARD_VERSION} of the standard" in text
    assert "sufficiency validate" in text


def test_headers_are_the_titles_in_the_standards_order(
    workbook: Workbook, standard: Standard
) -> None:
    for table in standard.tables:
        sheet = workbook[table.name]
        assert [c.value for c in sheet[1]] == [f.title for f in table.fields], table.name
        assert sheet.freeze_panes == "A2", table.name


def test_each_header_explains_its_field_and_marks_required_ones(
    workbook: Workbook, standard: Standard
) -> None:
    for table in standard.tables:
        sheet = workbook[table.name]
        for index, field in enumerate(table.fields, start=1):
            header = sheet.cell(row=1, column=index)
            assert header.comment is not None, f"{table.name}.{field.name}"
            assert field.description in header.comment.text
            assert f"Field name: {field.name}" in header.comment.text
            assert ("(required)" in header.comment.text) == field.required
            assert bool(header.font.bold) == field.required


def test_every_enum_column_has_a_drop_down_of_exactly_the_schemas_values(
    workbook: Workbook, standard: Standard
) -> None:
    checked = 0
    for table in standard.tables:
        sheet = workbook[table.name]
        for index, field in enumerate(table.fields, start=1):
            validation = validation_of(sheet, f"{get_column_letter(index)}2")
            if field.code_list is None:
                assert validation is None or validation.type != "list", field.name
                continue
            assert validation is not None, f"{table.name}.{field.name} has no drop-down"
            assert validation.type == "list"
            assert list_values(workbook, validation.formula1) == field.code_list.codes
            assert validation.showErrorMessage
            # Several codes go in one cell ("ESOL; BSL"): a list cannot refuse them.
            assert (validation.errorStyle == "information") == field.multivalued
            if not table.one_row:
                assert f"{get_column_letter(index)}5000" in validation.sqref
            checked += 1
    assert checked == sum(f.code_list is not None for t in standard.tables for f in t.fields)


def test_date_money_number_and_text_columns_are_formatted(
    workbook: Workbook, standard: Standard
) -> None:
    def expected(field: Field) -> str | None:
        if field.kind == "date":
            return DATE_FORMAT
        if is_money(field):
            return MONEY_FORMAT
        if field.kind in ("string", "enum"):
            return TEXT_FORMAT
        return None

    money = 0
    for table in standard.tables:
        sheet = workbook[table.name]
        for index, field in enumerate(table.fields, start=1):
            format_wanted = expected(field)
            if format_wanted is None:
                continue
            money += format_wanted == MONEY_FORMAT
            column = sheet.column_dimensions[get_column_letter(index)]
            assert column.number_format == format_wanted, f"{table.name}.{field.name}"
    assert money >= 1


def test_submission_sheet_has_the_version_filled_in(workbook: Workbook, standard: Standard) -> None:
    table = standard.table("submission")
    column = [f.name for f in table.fields].index("standard_version") + 1
    assert workbook["submission"].cell(row=2, column=column).value == STANDARD_VERSION


def test_template_command_writes_the_default_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    written = template_command(None, None)
    assert written == Path(f"sufficiency-template-{STANDARD_VERSION}.xlsx")
    assert (tmp_path / written).is_file()
    major_minor = ".".join(STANDARD_VERSION.split(".")[:2])
    assert template_command(tmp_path / "mine.xlsx", major_minor) == tmp_path / "mine.xlsx"


def test_template_command_refuses_an_unknown_version(tmp_path: Path) -> None:
    with pytest.raises(UnknownVersionError):
        template_command(tmp_path / "t.xlsx", "99.0")


# -- filling it in ------------------------------------------------------------------


def cell_value(field: Field, value: Any) -> Any:
    """A JSON value as a person would type it into the template."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if field.kind == "date":
        return dt.date.fromisoformat(value)
    return value


def fill_template(path: Path, submission: dict[str, Any], standard: Standard) -> None:
    workbook = load_workbook(path)
    for table in standard.tables:
        sheet = workbook[table.name]
        by_title = {cell.value: cell.column for cell in sheet[1]}
        records = [submission] if table.one_row else submission.get(table.name, [])
        for row, record in enumerate(records, start=2):
            for field in table.fields:
                value = record.get(field.name)
                if value is not None:
                    sheet.cell(
                        row=row, column=by_title[field.title], value=cell_value(field, value)
                    )
    workbook.save(path)


def test_template_filled_with_the_example_data_is_valid(tmp_path: Path, standard: Standard) -> None:
    validation = pytest.importorskip("sufficiency_standard.validation")
    submission = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    path = write_template(tmp_path / "filled.xlsx")
    fill_template(path, submission, standard)

    report = validation.validate(path)

    errors = [f"{i.code}: {i.message}" for i in report.issues if i.severity.value == "error"]
    assert report.valid, errors
    for table in standard.tables:
        rows = 1 if table.one_row else len(submission.get(table.name, []))
        assert report.rows.get(table.name) == rows, table.name
    warnings = [i for i in report.issues if i.severity.value == "warning"]
    # The only warning allowed is that the Guidance sheet is not a table.
    assert all(i.code == "SHEET-UNKNOWN" and GUIDANCE_SHEET in i.message for i in warnings), [
        i.message for i in warnings
    ]


def test_guidance_lists_the_minimal_set_of_every_table_first(template_path: Path) -> None:
    standard = load_standard()
    guidance = load_workbook(template_path)[GUIDANCE_SHEET]
    labels = [row[0] for row in guidance.iter_rows(values_only=True)]
    assert "The minimal set" in labels
    rows = {
        row[0]: row[1]
        for row in guidance.iter_rows(values_only=True)
        if row[0] and str(row[1] or "").startswith("Required: ")
    }
    for table in standard.tables:
        text = rows[table.name]
        for field in table.fields:
            if field.required:
                assert field.title in text.split(" Recommended:")[0], (table.name, field.name)
            elif field.recommended:
                assert field.title in text.split(" Recommended:")[1], (table.name, field.name)


def test_a_header_comment_names_the_questions_its_column_answers(template_path: Path) -> None:
    standard = load_standard()
    sheet = load_workbook(template_path)["placements"]
    headers = {cell.value: cell for cell in sheet[1]}
    distance = standard.table("placements").field("distance_miles")
    assert distance.questions
    comment = headers[distance.title].comment.text
    assert f"Regional questions it answers: {', '.join(distance.questions)}." in comment
