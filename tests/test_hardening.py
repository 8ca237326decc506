"""Regressions for what fuzzing and a new user's first hour found (issue 19): each input
here once gave a traceback or let something through."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
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


def test_a_json_integer_of_thousands_of_digits_is_a_value_error_not_a_crash(tmp_path):
    text = json.dumps(EXAMPLE).replace(
        '"siblings_to_place_with": 0', '"siblings_to_place_with": ' + "9" * 5000, 1
    )
    assert "9" * 5000 in text
    path = tmp_path / "big.json"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    issues = json.loads(result.output)["issues"]
    assert [i["path"] for i in issues] == ["/referrals/0/siblings_to_place_with"]


def test_a_zip_whose_member_name_is_not_utf8_is_refused_with_a_reason(tmp_path):
    folder = tmp_path / "csv"
    write_csv_folder(EXAMPLE, folder)
    packed = tmp_path / "in.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        for member in sorted(folder.iterdir()):
            archive.write(member, member.name)
    data = bytearray(packed.read_bytes())
    # The name of the first member, in its local header and the central directory, made
    # one byte that is not UTF-8, with the header flag that says the names are UTF-8.
    first = sorted(p.name for p in folder.iterdir())[0].encode()
    local = data.find(first)
    central = data.find(first, local + 1)
    for start, flag_at in ((local, local - 30 + 6), (central, central - 46 + 8)):
        data[start] = 0xFF
        flags = struct.unpack("<H", data[flag_at : flag_at + 2])[0] | 0x800
        data[flag_at : flag_at + 2] = struct.pack("<H", flags)
    packed.write_bytes(bytes(data))
    result = runner.invoke(app, ["validate", str(packed)])
    assert result.exit_code == 2, result.output
    assert "not text" in result.output and "Traceback" not in result.output


def test_a_fault_of_the_tool_exits_3_with_one_line_not_1(tmp_path):
    script = (
        "import sufficiency_standard.cli as cli\n"
        "def broken(*args, **kwargs):\n"
        "    raise KeyError('planted')\n"
        "cli.app = broken\n"
        "cli.main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1 and "internal error: KeyError" in done.stderr
    assert "Traceback" not in done.stderr


def test_version_and_short_help_options():
    from sufficiency_standard.__about__ import __version__

    shown = runner.invoke(app, ["--version"])
    assert shown.exit_code == 0 and __version__ in shown.output and "0.3.0" in shown.output
    for arguments in (["-h"], ["validate", "-h"], ["hub", "-h"]):
        result = runner.invoke(app, arguments)
        assert result.exit_code == 0 and "Usage" in result.output
