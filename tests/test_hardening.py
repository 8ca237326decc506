"""Regressions for what fuzzing and a new user's first hour found (issue 19): each input
here once gave a traceback or let something through."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sufficiency_standard.cli import app
from sufficiency_standard.sheets import ALL_ISSUES_SHEET, SUMMARY_SHEET
from sufficiency_standard.write import write_csv_folder, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = json.loads((ROOT / "examples" / "example-submission.json").read_text(encoding="utf-8"))
runner = CliRunner()


def _headers_only_csv(folder: Path) -> Path:
    write_csv_folder(EXAMPLE, folder)
    for path in folder.glob("*.csv"):
        header = path.read_text(encoding="utf-8").splitlines()[0]
        path.write_text(header + "\n", encoding="utf-8")
    return folder


def _headers_only_xlsx(path: Path) -> Path:
    write_xlsx(EXAMPLE, path)
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        if sheet.max_row > 1:
            sheet.delete_rows(2, sheet.max_row - 1)
    book.save(path)
    return path


@pytest.mark.parametrize("make", [_headers_only_csv, _headers_only_xlsx], ids=["csv", "xlsx"])
@pytest.mark.parametrize("report_format", ["console", "json", "html", "xlsx"])
def test_sheets_with_a_header_and_no_rows_are_reported_not_a_traceback(
    tmp_path, make, report_format
):
    source = make(tmp_path / ("in.xlsx" if make is _headers_only_xlsx else "in"))
    arguments = ["validate", str(source), "--format", report_format]
    if report_format in ("xlsx", "html"):
        arguments += ["--output", str(tmp_path / f"report.{report_format}")]
    result = runner.invoke(app, arguments)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 1, result.output
    if report_format == "console":
        assert "SUB-ONE-ROW" in result.output
    if report_format == "json":
        codes = {issue["code"] for issue in json.loads(result.output)["issues"]}
        assert "SUB-ONE-ROW" in codes


def test_upgrade_of_sheets_with_no_rows_is_not_a_traceback(tmp_path):
    source = _headers_only_csv(tmp_path / "in")
    result = runner.invoke(
        app, ["upgrade", str(source), "--to", "0.3.0", "--out", str(tmp_path / "out.json")]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1, 2)


FORMULA = '=HYPERLINK("evil","click")'


def _sheet_cells(path: Path, sheet_name: str) -> list:
    book = openpyxl.load_workbook(path)
    return [cell for row in book[sheet_name].iter_rows() for cell in row]


@pytest.mark.parametrize("as_workbook", [False, True], ids=["csv", "xlsx"])
def test_report_workbook_writes_values_and_file_names_as_text_never_formulas(tmp_path, as_workbook):
    submission = json.loads(json.dumps(EXAMPLE))
    submission["placements"][0]["placement_type"] = FORMULA
    if not as_workbook:  # a workbook cannot hold control characters; a CSV file can
        submission["placements"][1]["placement_type"] = "Foster\x07\x1b[2J"
    if as_workbook:
        source = write_xlsx(submission, tmp_path / "in.xlsx")
        inputs = [str(source)]
    else:
        folder = tmp_path / "in"
        write_csv_folder(submission, folder)
        (folder / f"{FORMULA}.csv").write_text("a,b\n1,2\n", encoding="utf-8")
        inputs = [str(folder)]
    out = tmp_path / "report.xlsx"
    result = runner.invoke(
        app, ["validate", *inputs, "--format", "xlsx", "--output", str(out), "--show-values"]
    )
    assert result.exit_code == 1, result.output
    cells = _sheet_cells(out, ALL_ISSUES_SHEET) + _sheet_cells(out, SUMMARY_SHEET)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert any(FORMULA in text for text in texts)
    if not as_workbook:  # the control character, shown by its code
        assert any("\\x07" in text for text in texts)


def test_control_characters_in_values_never_reach_the_terminal(tmp_path):
    submission = json.loads(json.dumps(EXAMPLE))
    submission["placements"][1]["placement_type"] = "Foster\x07\x1b]0;title\x07\x1b[2J"
    folder = tmp_path / "in"
    write_csv_folder(submission, folder)
    for arguments in (["validate", str(folder), "--show-values"], ["validate", str(folder)]):
        result = runner.invoke(app, arguments)
        assert result.exit_code == 1
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "\\x1b" in result.output  # shown, as its code
    hub = str(tmp_path / "h.duckdb")
    runner.invoke(app, ["hub", "init", hub])
    result = runner.invoke(app, ["hub", "ingest", hub, str(folder)])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\\x1b" in result.output
