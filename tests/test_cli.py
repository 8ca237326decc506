"""The `sufficiency` command as a user runs it: exit codes, report formats, bad files
and personal values kept out of reports."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from sufficiency_standard.cli import app
from sufficiency_standard.write import write_csv_folder, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_XLSX = ROOT / "examples" / "example-submission.xlsx"
EXAMPLE = json.loads((ROOT / "examples" / "example-submission.json").read_text(encoding="utf-8"))
REPORT_SCHEMA = json.loads(
    (ROOT / "src" / "sufficiency_standard" / "report" / "report.schema.json").read_text()
)
runner = CliRunner()

# Personal values planted in a broken submission; no report may show them by default.
SECRET_CHILD = "C-SECRET-4471"
SECRET_POSTCODE = "TA1 2QZ"
SECRET_BIRTH = "2011-14"


def broken_submission() -> dict[str, Any]:
    broken = copy.deepcopy(EXAMPLE)
    broken["referrals"][0]["child_id"] = SECRET_CHILD  # a reference to no child
    broken["referrals"][1]["family_location"] = SECRET_POSTCODE  # a full postcode
    broken["children"][2]["birth_month"] = SECRET_BIRTH  # not a month
    broken["placements"][0]["placement_type"] = "Fostr"
    return broken


@pytest.fixture
def broken_workbook(tmp_path: Path) -> Path:
    path = tmp_path / "broken.xlsx"
    write_xlsx(broken_submission(), path)
    return path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it."""
    command = [sys.executable, "-m", "sufficiency_standard", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)


# ---------------------------------------------------------------- exit codes


def test_valid_example_exits_0_with_a_verdict() -> None:
    result = run("validate", str(EXAMPLE_XLSX))
    assert result.returncode == 0, result.stderr
    assert "meets the Placement Sufficiency Data Standard" in " ".join(result.stdout.split())
    assert "Traceback" not in result.stderr


def test_invalid_workbook_exits_1_and_names_sheet_and_cell(broken_workbook: Path) -> None:
    result = runner.invoke(app, ["validate", str(broken_workbook)])
    assert result.exit_code == 1
    assert "does not meet" in " ".join(result.stdout.split())
    assert "placements G2" in result.stdout  # placement_type of the first placement
    assert "VALUE-CODE" in result.stdout


def test_help_is_quick_to_load_and_needs_no_polars() -> None:
    probe = "import sys, sufficiency_standard.cli; print('polars' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout.strip() == "False"
    assert run("--help").returncode == 0


# ---------------------------------------------------------------- formats


def test_json_report_follows_its_published_schema(broken_workbook: Path) -> None:
    result = runner.invoke(app, ["validate", str(broken_workbook), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    Draft202012Validator(REPORT_SCHEMA).validate(document)
    assert document["valid"] is False
    assert document["counts"]["error"] == len(
        [i for i in document["issues"] if i["severity"] == "error"]
    )
    code_issue = next(i for i in document["issues"] if i["code"] == "VALUE-CODE")
    assert (code_issue["table"], code_issue["field"], code_issue["row"], code_issue["cell"]) == (
        "placements",
        "placement_type",
        2,
        "G2",
    )


def test_json_report_of_a_json_input_gives_paths(tmp_path: Path) -> None:
    source = tmp_path / "broken.json"
    source.write_text(json.dumps(broken_submission()), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(source), "--format", "json"])
    document = json.loads(result.stdout)
    Draft202012Validator(REPORT_SCHEMA).validate(document)
    code_issue = next(i for i in document["issues"] if i["code"] == "VALUE-CODE")
    assert code_issue["path"] == "/placements/0/placement_type"
    assert code_issue["cell"] is None


def test_html_report_is_one_self_contained_page(broken_workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(
        app, ["validate", str(broken_workbook), "--format", "html", "--output", str(out)]
    )
    assert result.exit_code == 1
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert "does not meet" in page and "VALUE-CODE" in page
    assert "<script" not in page and "<link" not in page  # nothing to fetch


def test_xlsx_report_marks_the_users_own_cells(broken_workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    result = runner.invoke(
        app, ["validate", str(broken_workbook), "--format", "xlsx", "--output", str(out)]
    )
    assert result.exit_code == 1
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:2] == ["Validation summary", "All issues"]
    cell = book["placements"]["G2"]
    assert cell.value == "Fostr"
    assert "VALUE-CODE" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("F8C9C0")


def test_xlsx_report_lists_no_more_issues_than_a_sheet_holds(
    broken_workbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Excel shows 1,048,576 rows; past that, the last row says how many more issues
    there are and where they all are. (The limit is made small here.)"""
    from sufficiency_standard.report import workbook as workbook_module

    out = tmp_path / "report.xlsx"
    runner.invoke(app, ["validate", str(broken_workbook), "--format", "xlsx", "-o", str(out)])
    every = list(openpyxl.load_workbook(out)["All issues"].iter_rows(values_only=True))
    issues = len(every) - 1
    assert issues >= 4
    monkeypatch.setattr(workbook_module, "_EXCEL_ROWS", 4)
    runner.invoke(app, ["validate", str(broken_workbook), "--format", "xlsx", "-o", str(out)])
    rows = list(openpyxl.load_workbook(out)["All issues"].iter_rows(values_only=True))
    assert len(rows) == 4
    assert rows[:3] == every[:3]
    assert rows[3][-1].startswith(f"... and {issues - 2:,} more issues")
    assert "--format json" in rows[3][-1]
    monkeypatch.setattr(workbook_module, "_EXCEL_ROWS", issues + 1)  # exactly full
    runner.invoke(app, ["validate", str(broken_workbook), "--format", "xlsx", "-o", str(out)])
    assert list(openpyxl.load_workbook(out)["All issues"].iter_rows(values_only=True)) == every


def test_xlsx_report_of_csv_files_lists_every_issue_as_the_json_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no workbook of the user's to mark, the report is a new workbook (written row
    by row): the summary, then every issue in the JSON report's order; past the row
    limit (made small here) a last row says how many more there are."""
    from sufficiency_standard.report import workbook as workbook_module

    write_csv_folder(broken_submission(), tmp_path / "csv")
    out, report = tmp_path / "report.xlsx", tmp_path / "report.json"
    run("validate", str(tmp_path / "csv"), "--format", "json", "-o", str(report))
    runner.invoke(app, ["validate", str(tmp_path / "csv"), "--format", "xlsx", "-o", str(out)])
    issues = json.loads(report.read_text(encoding="utf-8"))["issues"]
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Validation summary", "All issues"]
    summary = list(book["Validation summary"].iter_rows(values_only=True))
    assert summary[3][:2] == ("Errors", sum(i["severity"] == "error" for i in issues))
    assert book["Validation summary"]["A1"].font.b
    sheet = book["All issues"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("severity", "code") and all(c.font.b for c in sheet[1])
    assert [(r[1], r[5], r[8]) for r in rows[1:]] == [
        (i["code"], i["cell"], i["message"]) for i in issues
    ]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:I{len(rows)}"
    monkeypatch.setattr(workbook_module, "_EXCEL_ROWS", 4)
    runner.invoke(app, ["validate", str(tmp_path / "csv"), "--format", "xlsx", "-o", str(out)])
    capped = list(openpyxl.load_workbook(out)["All issues"].iter_rows(values_only=True))
    assert capped[:3] == rows[:3]
    assert capped[3][-1].startswith(f"... and {len(issues) - 2:,} more issues")


def test_xlsx_report_needs_an_output_file(broken_workbook: Path) -> None:
    result = runner.invoke(app, ["validate", str(broken_workbook), "--format", "xlsx"])
    assert result.exit_code == 2
    assert "--output" in result.stderr


# ---------------------------------------------------------------- personal values


@pytest.mark.parametrize("report_format", ["console", "json", "html"])
def test_reports_never_show_personal_values_by_default(
    broken_workbook: Path, tmp_path: Path, report_format: str
) -> None:
    out = tmp_path / f"report.{report_format}"
    result = runner.invoke(
        app, ["validate", str(broken_workbook), "--format", report_format, "--output", str(out)]
    )
    text = out.read_text(encoding="utf-8") + result.stdout + result.stderr
    assert "KEY-REFERENCE" in text and "VALUE-PATTERN" in text
    for secret in (SECRET_CHILD, SECRET_POSTCODE, SECRET_BIRTH):
        assert secret not in text


def test_xlsx_report_comments_and_lists_hold_no_personal_values(
    broken_workbook: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.xlsx"
    runner.invoke(app, ["validate", str(broken_workbook), "--format", "xlsx", "-o", str(out)])
    book = openpyxl.load_workbook(out)
    added = [book["Validation summary"], book["All issues"]]
    text = " ".join(str(c.value) for sheet in added for row in sheet.iter_rows() for c in row)
    comments = " ".join(
        c.comment.text for sheet in book for row in sheet.iter_rows() for c in row if c.comment
    )
    for secret in (SECRET_CHILD, SECRET_POSTCODE, SECRET_BIRTH):
        assert secret not in text and secret not in comments


def test_show_values_puts_personal_values_in_the_report(broken_workbook: Path) -> None:
    result = runner.invoke(
        app, ["validate", str(broken_workbook), "--format", "json", "--show-values"]
    )
    values = {i.get("value") for i in json.loads(result.stdout)["issues"]}
    assert {SECRET_CHILD, SECRET_POSTCODE, SECRET_BIRTH} <= values


# ---------------------------------------------------------------- files that cannot be read


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))


def _truncated(path: Path) -> None:
    path.write_bytes(EXAMPLE_XLSX.read_bytes()[:2000])


BAD_FILES = {
    "empty.xlsx": lambda p: p.write_bytes(b""),
    "text-named.xlsx": lambda p: p.write_text("child_id,sex\nC1,M\n"),
    "truncated.xlsx": _truncated,
    "protected.xlsx": lambda p: p.write_bytes(
        bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le")
    ),
    "bomb.xlsx": _zip_bomb,
    "children.csv": lambda p: p.write_bytes(b"child_id,sex\nC\x81\x8d\x90,M\n"),
    "broken.json": lambda p: p.write_text('{"children": [ {"child_id": "C1",, } ]}'),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_unreadable_input_gets_one_clear_line_and_exit_2(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    BAD_FILES[name](path)
    result = run("validate", str(path))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert name in lines[0]


def test_a_missing_path_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nowhere.xlsx")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_csv_folder_with_a_missing_file_reports_the_sheet(tmp_path: Path) -> None:
    write_csv_folder(EXAMPLE, tmp_path / "csv")
    (tmp_path / "csv" / "settings.csv").unlink()
    result = runner.invoke(app, ["validate", str(tmp_path / "csv"), "--format", "json"])
    assert result.exit_code == 1
    codes = [i["code"] for i in json.loads(result.stdout)["issues"]]
    assert codes.count("SHEET-MISSING") == 1


def test_a_folder_with_an_unreadable_csv_file_exits_2_naming_the_file(tmp_path: Path) -> None:
    """CSV files are read as their tables are checked; one that cannot be read at all
    still stops the run with its name and line, and no report."""
    folder = tmp_path / "extract"
    write_csv_folder(EXAMPLE, folder)
    (folder / "costs.csv").write_text('cost_id,placement_id\nK1,"P1\nK2,P2\n', encoding="utf-8")
    output = tmp_path / "report.json"
    result = run("validate", str(folder), "--format", "json", "--output", str(output))
    assert result.returncode == 2, result.stderr
    message = " ".join(result.stderr.split())
    assert "costs.csv cannot be read as CSV" in message and "line" in message
    assert "Traceback" not in result.stderr
    assert not output.exists()


@pytest.mark.parametrize("report_format", ["console", "json", "html", "xlsx"])
def test_a_report_that_cannot_be_written_is_refused_before_validating(
    tmp_path: Path, report_format: str
) -> None:
    """A missing folder or a folder given as the file: a one-line reason, exit code 2,
    no traceback, and nothing validated for nothing."""
    for output, reason in [
        (tmp_path / "no-such-folder" / f"report.{report_format}", "does not exist"),
        (tmp_path, "it is a folder"),
    ]:
        result = run("validate", str(EXAMPLE_XLSX), "--format", report_format,
                     "--output", str(output))  # fmt: skip
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert f"cannot write the report to {output}: " in result.stderr
        assert reason in result.stderr


def test_the_json_report_to_standard_output_is_the_same_as_to_a_file(tmp_path: Path) -> None:
    """Written as UTF-8 bytes either way, with the same text."""
    source = tmp_path / "broken.xlsx"
    write_xlsx(broken_submission(), source)
    to_file = tmp_path / "report.json"
    written = run("validate", str(source), "--format", "json", "--output", str(to_file))
    printed = subprocess.run(
        [sys.executable, "-m", "sufficiency_standard", "validate", str(source), "--format",
         "json"], capture_output=True, cwd=ROOT, timeout=120)  # fmt: skip
    assert written.returncode == printed.returncode == 1
    assert printed.stdout == to_file.read_bytes()
    assert json.loads(printed.stdout)["counts"]["error"] >= 4


# ---------------------------------------------------------------- process settings


def test_the_command_sets_polars_allocator_before_the_users_options(monkeypatch) -> None:
    """The command keeps freed memory a little longer, pooled per processor on Linux (a
    run that reads large tables one after another reuses it); options a user has set
    come after it, so that theirs win."""
    from sufficiency_standard.cli import (
        POLARS_ALLOCATOR,
        polars_allocator_setting,
        tune_polars_allocator,
    )

    assert polars_allocator_setting("linux") == "dirty_decay_ms:2000,percpu_arena:percpu"
    assert polars_allocator_setting("darwin") == "dirty_decay_ms:2000"
    ours = polars_allocator_setting()
    monkeypatch.delenv(POLARS_ALLOCATOR, raising=False)
    tune_polars_allocator()
    assert os.environ[POLARS_ALLOCATOR] == ours
    for given, expected in [
        ("narenas:1", f"{ours},narenas:1"),
        ("dirty_decay_ms:100", f"{ours},dirty_decay_ms:100"),
        # What polars writes when it is loaded is its own choice, not the user's.
        ("dirty_decay_ms:500,muzzy_decay_ms:1000", ours),
        ("dirty_decay_ms:500,muzzy_decay_ms:1000,narenas:1", f"{ours},narenas:1"),
        (
            "dirty_decay_ms:500,muzzy_decay_ms:1000,thp:always,metadata_thp:always",
            ours,
        ),
        ("dirty_decay_ms:500,muzzy_decay_ms:-1,narenas:1", f"{ours},narenas:1"),  # polars 1.38
        # Only what polars puts first is its own.
        (
            "narenas:1,dirty_decay_ms:500,muzzy_decay_ms:1000",
            f"{ours},narenas:1,dirty_decay_ms:500,muzzy_decay_ms:1000",
        ),
    ]:
        monkeypatch.setenv(POLARS_ALLOCATOR, given)
        tune_polars_allocator()
        assert os.environ[POLARS_ALLOCATOR] == expected, given


def test_the_allocator_is_tuned_when_started_by_a_program_that_loaded_polars() -> None:
    """Polars writes its own allocator settings into the environment when it is loaded,
    and every process a Python program that uses polars starts inherits them (a
    benchmark runner, a hub's pipeline): the command still tunes the allocator. Fails
    if polars changes what it writes."""
    script = (
        "import os, subprocess, sys\n"
        "import polars\n"
        "child = 'from sufficiency_standard.cli import tune_polars_allocator as t, "
        "POLARS_ALLOCATOR as n; import os; t(); print(os.environ[n])'\n"
        "subprocess.run([sys.executable, '-c', child], check=True)\n"
    )
    from sufficiency_standard.cli import POLARS_ALLOCATOR, polars_allocator_setting

    env = {name: value for name, value in os.environ.items() if name != POLARS_ALLOCATOR}
    printed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.strip() == polars_allocator_setting()


def test_the_console_script_runs_its_command_with_the_collector_off(monkeypatch) -> None:
    """The one command the process runs does so with the cyclic garbage collector off,
    and the process ends without teardown once the command has finished."""
    import gc

    from sufficiency_standard import cli

    seen: dict[str, object] = {}

    class Exited(Exception):
        pass

    def command(prog_name: str) -> None:
        seen["collector running"] = gc.isenabled()
        raise SystemExit(1)

    def exit_now(code: int) -> None:
        seen["exit code"] = code
        raise Exited

    monkeypatch.setattr(cli, "app", command)
    monkeypatch.setattr(cli.os, "_exit", exit_now)
    try:
        with pytest.raises(Exited):
            cli.main()
    finally:
        gc.enable()
    assert seen == {"collector running": False, "exit code": 1}


@pytest.mark.skipif(sys.platform != "linux", reason="polars' allocator as built for Linux")
def test_the_allocator_setting_is_one_polars_takes_without_complaint() -> None:
    """jemalloc prints a complaint for a setting it does not know; polars loaded with the
    command's setting on this platform prints nothing."""
    from sufficiency_standard.cli import POLARS_ALLOCATOR, polars_allocator_setting

    env = {**os.environ, POLARS_ALLOCATOR: polars_allocator_setting()}
    loaded = subprocess.run(
        [sys.executable, "-c", "import polars; polars.DataFrame({'a': [1]}).sum()"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert loaded.returncode == 0 and loaded.stderr == ""
    env[POLARS_ALLOCATOR] += ",no_such_option:1"  # and a complaint would be seen
    loaded = subprocess.run(
        [sys.executable, "-c", "import polars"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert "<jemalloc>" in loaded.stderr


def test_progress_is_shown_only_on_a_terminal(monkeypatch, tmp_path: Path) -> None:
    """A large input gets a progress display on a terminal; to a file or a pipe there is
    none (and rich is not loaded for it); TTY_COMPATIBLE=1 asks rich for one anyway."""
    from sufficiency_standard import cli

    big = tmp_path / "placements.csv"
    big.write_text("placement_id\n" + "P1\n" * 10, encoding="utf-8")
    for name in cli._TERMINAL_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert cli._progress_console([big]) is None
    monkeypatch.setattr(cli, "_PROGRESS_BYTES", 10)
    assert cli._progress_console([big]) is None  # large, but not a terminal
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert cli._progress_console([big]) is not None
    monkeypatch.setattr(cli, "_PROGRESS_BYTES", 10**9)
    assert cli._progress_console([big]) is None  # a terminal, but small


def test_html_report_lists_the_first_places_of_each_kind_and_counts_the_rest() -> None:
    """A page a browser opens at once however many issues there are: each kind lists its
    first places, in order, and says how many more the JSON and workbook reports list."""
    from sufficiency_standard.issues import Issue, Location, Severity
    from sufficiency_standard.report.html import LISTED_PER_CODE, render_html
    from sufficiency_standard.report.model import Report, VersionChoice

    def issue(code: str, row: int) -> Issue:
        place = Location("costs", "total_weekly_cost", row, f"K{row}", None, "costs.csv")
        return Issue(code, Severity.ERROR, f"message of row {row}", place, "x")

    many = [issue("VALUE-NUMBER", row) for row in range(2, LISTED_PER_CODE + 52)]
    few = [issue("VALUE-CODE", row) for row in range(2, 5)]
    report = Report(VersionChoice("0.2.0", "default"), ["costs.csv"], many + few, {"costs": 9})
    page = render_html(report)
    assert page.count("message of row") == LISTED_PER_CODE + 3
    assert f"message of row {LISTED_PER_CODE + 1}<" in page  # the first ones, in order
    assert f"message of row {LISTED_PER_CODE + 2}<" not in page
    assert page.count("more of this kind") == 1 and "… and 50 more of this kind" in page
    assert "1,050)" in page  # the kind's heading counts them all
    whole = render_html(report, per_code=None)
    assert whole.count("message of row") == LISTED_PER_CODE + 53
    assert "more of this kind" not in whole
