"""`sufficiency upgrade` of a filled-in template writes the new version's template, filled.

An LA that upgrades the workbook it keeps should not lose the guidance sheet, the
drop-downs and the header notes it works with (issue 19, item 16).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from sufficiency_standard import validate
from sufficiency_standard.cli import app
from sufficiency_standard.issues import Severity
from sufficiency_standard.sheets import CODE_LISTS_SHEET, GUIDANCE_SHEET
from sufficiency_standard.standard import load_standard
from sufficiency_standard.write import write_into_template

SUBMISSION_020 = Path(__file__).parent / "data" / "versions" / "submission-0.2.0.json"
runner = CliRunner()


def filled_020_template(path: Path) -> Path:
    """The 0.2.0 template as `sufficiency template` writes it, filled with a submission."""
    result = runner.invoke(
        app, ["template", "--standard-version", "0.2.0", "--out", str(path)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    data = json.loads(SUBMISSION_020.read_text(encoding="utf-8"))
    standard = load_standard("0.2.0")
    workbook = openpyxl.load_workbook(path)
    for table in standard.tables:
        sheet = workbook[table.name]
        titles = [cell.value for cell in sheet[1]]
        assert titles == [f.title for f in table.fields]
        rows = [data] if table.one_row else data.get(table.name, [])
        for row_number, row in enumerate(rows, start=2):
            for column, spec in enumerate(table.fields, start=1):
                value = row.get(spec.name)
                if isinstance(value, list):
                    value = "; ".join(value)
                elif spec.kind == "date" and isinstance(value, str):
                    value = date.fromisoformat(value)
                sheet.cell(row=row_number, column=column, value=value)
    workbook.save(path)
    return path


def test_an_upgraded_template_keeps_guidance_drop_downs_and_notes(tmp_path: Path) -> None:
    source = filled_020_template(tmp_path / "our-return.xlsx")
    assert validate(source).valid
    out = tmp_path / "our-return-0.3.0.xlsx"
    result = runner.invoke(app, ["upgrade", str(source), "--to", "0.3.0", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output

    standard = load_standard("0.3.0")
    workbook = openpyxl.load_workbook(out)
    assert GUIDANCE_SHEET in workbook.sheetnames
    assert "version 0.3.0" in " ".join(
        str(c.value) for row in workbook[GUIDANCE_SHEET].iter_rows() for c in row if c.value
    )
    assert workbook[CODE_LISTS_SHEET].sheet_state == "hidden"
    placements = workbook["placements"]
    table = standard.table("placements")
    assert [c.value for c in placements[1]] == [f.title for f in table.fields]
    assert all(cell.comment is not None for cell in placements[1])
    assert placements.data_validations.dataValidation, "no drop-downs"
    type_column = [f.name for f in table.fields].index("placement_type") + 1
    letter = placements.cell(row=1, column=type_column).column_letter
    assert any(
        f"{letter}2" in str(v.sqref) and v.type == "list"
        for v in placements.data_validations.dataValidation
    )
    # fostering_capacity is new in 0.3.0: its sheet is there, headed, for the LA to fill.
    assert [c.value for c in workbook["fostering_capacity"][1]] == [
        f.title for f in standard.table("fostering_capacity").fields
    ]

    # The data rows: every placement, upgraded, in the template's columns.
    before = json.loads(SUBMISSION_020.read_text(encoding="utf-8"))["placements"]
    titles = {f.title: f.name for f in table.fields}
    header = [titles[c.value] for c in placements[1]]
    rows = [
        dict(zip(header, values, strict=True))
        for values in placements.iter_rows(min_row=2, values_only=True)
        if any(v is not None for v in values)
    ]
    assert [r["placement_id"] for r in rows] == [p["placement_id"] for p in before]
    by_id = {r["placement_id"]: r for r in rows}
    assert by_id["P4010"]["placement_type"] == "Residential school"  # S1, recoded
    assert "education_continuity" not in header
    swapped = {"Yes": "No", "No": "Yes", "Not applicable": "Not applicable"}
    for placement in before:
        upgraded = by_id[placement["placement_id"]]
        assert upgraded["education_disrupted"] == swapped[placement["education_continuity"]]
        assert upgraded["start_date"].date() == date.fromisoformat(placement["start_date"])
    start = placements.cell(row=2, column=[f.name for f in table.fields].index("start_date") + 1)
    assert start.number_format == "yyyy-mm-dd"
    submission = workbook["submission"]
    version_column = [f.name for f in standard.table("submission").fields].index("standard_version")
    assert submission.cell(row=2, column=version_column + 1).value == "0.3.0"

    report = validate(out)
    assert report.standard.version == "0.3.0"
    assert report.valid, [i.message for i in report.issues if i.severity is Severity.ERROR]


def test_text_that_looks_like_a_formula_stays_text_in_the_template(tmp_path: Path) -> None:
    data = json.loads(SUBMISSION_020.read_text(encoding="utf-8"))
    data["providers"][0]["provider_name"] = '=HYPERLINK("evil","click")'
    out = write_into_template(data, tmp_path / "out.xlsx", "0.2.0")
    cells = [c for row in openpyxl.load_workbook(out)["providers"].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
