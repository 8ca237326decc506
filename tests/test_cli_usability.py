"""Issue 19, items 13, 16, 17 and 19: the CLI's flags, exit codes, `explain`, and the
wording a new user meets."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_XLSX = ROOT / "examples" / "example-submission.xlsx"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sufficiency_standard", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=120)


def test_boolean_options_are_plain_flags_in_help() -> None:
    done = run("validate", "--help")
    assert done.returncode == 0
    assert "<bool>" not in done.stdout
    assert "--show-values" in done.stdout and "--quiet" in done.stdout


def test_usage_errors_have_their_own_exit_code() -> None:
    assert run("validate", str(EXAMPLE_XLSX), "--no-such-option").returncode == 4
    assert run("validate").returncode == 4  # missing argument
    assert run("validate", "missing.xlsx").returncode == 2  # unreadable input
    assert "4 the command was used wrongly" in " ".join(run("--help").stdout.split())


def test_quiet_prints_no_report() -> None:
    done = run("validate", str(EXAMPLE_XLSX), "--quiet")
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
    assert run("--quiet", "validate", str(EXAMPLE_XLSX)).stdout == ""


def test_out_and_output_are_the_same_option(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    assert run("validate", str(EXAMPLE_XLSX), "-f", "json", "--out", str(report)).returncode == 0
    assert report.read_text().startswith("{")
    template = tmp_path / "template.xlsx"
    assert run("template", "--output", str(template)).returncode == 0
    assert template.is_file()


def test_the_xlsx_report_never_overwrites_the_input(tmp_path: Path) -> None:
    workbook = tmp_path / "extract.xlsx"
    shutil.copy(EXAMPLE_XLSX, workbook)
    before = workbook.read_bytes()
    done = run("validate", str(workbook), "--format", "xlsx", "--output", str(workbook))
    assert done.returncode == 2 and "is the input itself" in done.stderr
    assert workbook.read_bytes() == before


def test_explain_prints_a_rule_offline() -> None:
    done = run("explain", "value-code")
    assert done.returncode == 0
    assert done.stdout.startswith("VALUE-CODE: ") and "Severity: error" in done.stdout
    schema_rule = run("explain", "PLC-PLACE-FOSTER")
    assert schema_rule.returncode == 0 and "placements" in schema_rule.stdout
    assert run("explain", "NO-SUCH-RULE").returncode == 2


def test_html_report_carries_each_rules_explanation(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(EXAMPLE_XLSX)
    book["placements"]["G2"] = "Fostr"
    broken = tmp_path / "broken.xlsx"
    book.save(broken)
    page = tmp_path / "report.html"
    done = run("validate", str(broken), "--format", "html", "--out", str(page))
    assert done.returncode == 1
    html = page.read_text()
    assert '<pre class="explain">VALUE-CODE: ' in html
    assert "1 error<" in html  # not "1 errors"


def test_diff_says_why_a_bump_is_needed_and_words_the_reverse() -> None:
    forward = run("diff", "0.2.0", "0.3.0").stdout
    assert "Needs a minor version bump" in forward and "because of a breaking change" in forward
    reverse = run("diff", "0.3.0", "0.2.0")
    assert "a none bump" not in reverse.stdout
    assert "0.2.0 is not a newer version than 0.3.0" in reverse.stdout
    same = run("diff", "0.3.0", "0.3.0").stdout
    assert "No version bump is needed" in same and "1 changes" not in same


def test_texts_name_the_current_version() -> None:
    from sufficiency_standard import STANDARD_VERSION

    examples = (ROOT / "examples" / "README.md").read_text()
    assert f"version {STANDARD_VERSION} of the standard" in examples
    assert f"'{STANDARD_VERSION}'" in (ROOT / "src/sufficiency_standard/__init__.py").read_text()


def test_the_la_guide_shows_places_as_the_tool_prints_them(tmp_path: Path) -> None:
    guide = (ROOT / "docs" / "guides" / "la-data-teams.md").read_text()
    assert "placements!E7" not in guide and "`placements E7`" in guide
    assert "pip install sufficiency-standard " not in guide
    book = openpyxl.load_workbook(EXAMPLE_XLSX)
    book["placements"]["E7"] = "not a date"
    broken = tmp_path / "broken.xlsx"
    book.save(broken)
    assert "placements E7" in run("validate", str(broken)).stdout
