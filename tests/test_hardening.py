"""Regressions for what fuzzing and a new user's first hour found (issue 19): each input
here once gave a traceback or let something through."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sufficiency_standard.cli import app
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
