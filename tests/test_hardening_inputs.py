"""Regressions for issue 19's reading items (1, 5, 10, 15, 18): inputs that once crashed
the process, ran for minutes, were read without limit or dropped without a word."""

from __future__ import annotations

import datetime as dt
import json
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sufficiency_standard import validate
from sufficiency_standard.cli import app
from sufficiency_standard.read.archive import MAX_RATIO
from sufficiency_standard.read.limits import MAX_COLUMNS
from sufficiency_standard.write import write_csv_folder, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = json.loads((ROOT / "examples" / "example-submission.json").read_text(encoding="utf-8"))
runner = CliRunner()


def _example() -> dict:
    return json.loads(json.dumps(EXAMPLE))


def _rewrite(source: Path, target: Path, change) -> Path:
    """A copy of a zip (a workbook) with each member's bytes passed through `change`."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for member in old.infolist():
            new.writestr(member.filename, change(member.filename, old.read(member)))
    return target


def _far_cell(attribute: bytes, row: bytes = b'r="1048576"'):
    def change(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet2.xml":
            far = (
                b"<row " + row + b"><c " + attribute + b' t="inlineStr"><is><t>x</t></is></c></row>'
            )
            data = data.replace(b"</sheetData>", far + b"</sheetData>")
        return data

    return change


def _junk_after_relationships(name: str, data: bytes) -> bytes:
    if name == "xl/_rels/workbook.xml.rels":
        return data + b"<junk"
    return _far_cell(b'r="XFD1048576"')(name, data)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (_far_cell(b"r='XFD1048576'"), "cell XFD1048576: column XFD"),
        (_far_cell(b'\tr="XFD1048576"'), "cell XFD1048576: column XFD"),
        (_far_cell(b'r = "XFD1048576"', b"r = '1048576'"), "cell XFD1048576: column XFD"),
        (_far_cell(b'r="xfd1048576"'), "cell XFD1048576: column XFD"),
        (_junk_after_relationships, "cell XFD1048576: column XFD"),
        (_far_cell(b"r='AZ2000000'", b"r='2000000'"), "beyond the last cell Excel has"),
    ],
    ids=["single-quotes", "tab", "spaces", "lower-case", "junk-after-rels", "past-excel"],
)
def test_a_sheet_reaching_too_far_written_any_way_is_refused_not_a_crash(tmp_path, change, said):
    source = write_xlsx(_example(), tmp_path / "in.xlsx")
    crafted = _rewrite(source, tmp_path / "far.xlsx", change)
    result = runner.invoke(app, ["validate", str(crafted)])
    assert result.exit_code == 2, result.output
    assert (said in result.output and "Ctrl+End" in result.output) or "Excel has" in said


def test_a_far_reference_in_single_quotes_refused_in_a_subprocess(tmp_path):
    """The crash was an abort in calamine's allocation (exit 134): only a real process
    shows it, so one real run."""
    import subprocess
    import sys

    source = write_xlsx(_example(), tmp_path / "in.xlsx")
    crafted = _rewrite(source, tmp_path / "far.xlsx", _far_cell(b"r='XFD1048576'"))
    done = subprocess.run(
        [sys.executable, "-m", "sufficiency_standard", "validate", str(crafted)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr


def test_a_sheet_a_little_wider_than_z_with_unusual_quotes_is_still_read(tmp_path):
    source = write_xlsx(_example(), tmp_path / "in.xlsx")
    crafted = _rewrite(source, tmp_path / "wide.xlsx", _far_cell(b"r='AB12'", b"r='12'"))
    result = runner.invoke(app, ["validate", str(crafted), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.output)["issues"] is not None


def test_a_workbook_row_wider_than_any_table_is_refused_with_a_reason(tmp_path):
    path = write_xlsx(_example(), tmp_path / "in.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["placements"]
    for column in range(1, MAX_COLUMNS + 10):
        sheet.cell(row=3, column=column, value=f"v{column}")
    book.save(path)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert f"past the first {MAX_COLUMNS:,} columns" in result.output


def test_a_csv_header_of_a_million_columns_is_refused_quickly(tmp_path):
    folder = tmp_path / "in"
    write_csv_folder(_example(), folder)
    header = "placement_id," + ",".join(f"h{i}" for i in range(1_000_000))
    (folder / "placements.csv").write_text(header + "\nP1\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2, result.output
    assert "columns, more than the 2,048" in result.output


def test_a_csv_row_far_wider_than_its_header_is_refused(tmp_path):
    folder = tmp_path / "in"
    write_csv_folder(_example(), folder)
    path = folder / "placements.csv"
    path.write_text(path.read_text(encoding="utf-8") + "x," * 5000 + "\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2, result.output
    assert "columns" in result.output


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("name", ["placements.csv", "submission.json"])
def test_a_file_that_is_a_link_to_a_device_is_refused(tmp_path, name):
    link = tmp_path / name
    os.symlink("/dev/zero", link)
    result = runner.invoke(app, ["validate", str(link)])
    assert result.exit_code == 2, result.output
    assert "not a regular file" in result.output


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_key_file_that_is_a_link_to_a_device_is_refused(tmp_path):
    link = tmp_path / "key"
    os.symlink("/dev/zero", link)
    source = ROOT / "examples" / "example-submission.json"
    result = runner.invoke(
        app, ["pseudonymise", str(source), "--out", str(tmp_path / "o.json"), "-k", str(link)]
    )
    assert result.exit_code == 2, result.output
    assert "not a regular file" in result.output


def test_a_zip_of_many_members_each_under_the_bomb_limit_is_refused(tmp_path):
    packed = tmp_path / "in.zip"
    member = ("placement_id\n" + "P1\n" * 3_000_000).encode()  # 9 MB, compresses >1000x
    assert len(member) < 10 << 20
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(3):
            archive.writestr(f"part{number}/placements.csv", member)
    result = runner.invoke(app, ["validate", str(packed)])
    assert result.exit_code == 2, result.output
    assert "zip bomb" in result.output and f"{MAX_RATIO}" not in "x"


def test_a_second_copy_of_a_table_in_a_zip_is_reported_not_read(tmp_path):
    folder = tmp_path / "csv"
    write_csv_folder(_example(), folder)
    packed = tmp_path / "in.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
        archive.writestr("zz-copy/placements.csv", "not,a,table\n\x00")
    report = validate(packed)
    assert "SHEET-DUPLICATE" in {issue.code for issue in report.issues}


# -- nothing dropped without a word (item 10) -----------------------------------------


def test_duplicate_json_keys_are_reported(tmp_path):
    text = json.dumps(EXAMPLE).replace(
        '"siblings_to_place_with": 0', '"siblings_to_place_with": 0, "siblings_to_place_with": 1', 1
    )
    path = tmp_path / "dup.json"
    path.write_text(text, encoding="utf-8")
    issues = [issue for issue in validate(path).issues if issue.code == "JSON-DUPLICATE-KEY"]
    assert len(issues) == 1 and '"siblings_to_place_with"' in issues[0].message


def test_a_hidden_sheet_with_data_is_noted(tmp_path):
    path = write_xlsx(_example(), tmp_path / "in.xlsx")
    book = openpyxl.load_workbook(path)
    extra = book.copy_worksheet(book["placements"])
    extra.title = "Placements 2024"
    extra.sheet_state = "hidden"
    book.save(path)
    issues = [issue for issue in validate(path).issues if issue.code == "SHEET-HIDDEN"]
    assert len(issues) == 1 and "Placements 2024" in issues[0].message


def test_a_zip_member_outside_the_zip_is_noted(tmp_path):
    folder = tmp_path / "csv"
    write_csv_folder(_example(), folder)
    packed = tmp_path / "in.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
        archive.writestr("../providers.csv", "provider_id\nX1\n")
    issues = [issue for issue in validate(packed).issues if issue.code == "FILE-OUTSIDE-ZIP"]
    assert len(issues) == 1 and "../providers.csv" in issues[0].message


def _date_verdicts(tmp_path: Path, value: object) -> dict[str, set[str]]:
    """The issue codes about placements' start date, read from CSV, JSON and xlsx."""
    submission = _example()
    submission["placements"][0]["start_date"] = value
    folder = tmp_path / "csv"
    write_csv_folder(submission, folder)
    document = tmp_path / "in.json"
    document.write_text(json.dumps(submission), encoding="utf-8")
    workbook = write_xlsx(submission, tmp_path / "in.xlsx")
    found = {}
    for kind, path in (("csv", folder), ("json", document), ("xlsx", workbook)):
        found[kind] = {
            issue.code
            for issue in validate(path).issues
            if issue.location.field == "start_date" and issue.code.startswith("VALUE-")
        }
    return found


def test_a_serial_number_as_text_in_a_date_has_one_verdict_in_every_format(tmp_path):
    found = _date_verdicts(tmp_path, "45789")
    assert found["csv"] == found["json"] == found["xlsx"] == {"VALUE-NORMALISED"}
    report = validate(tmp_path / "csv")
    (note,) = [i for i in report.issues if i.code == "VALUE-NORMALISED"]
    assert "Excel serial number" in note.message and '"45789" as "2025-05-12"' in note.message


def test_a_month_of_birth_stored_as_an_excel_date_is_read_as_the_month_shown(tmp_path):
    path = write_xlsx(_example(), tmp_path / "in.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["children"]
    column = [cell.value for cell in sheet[1]].index("birth_month") + 1
    sheet.cell(row=2, column=column, value=dt.datetime(2009, 2, 1)).number_format = "yyyy-mm"
    sheet.cell(row=3, column=column, value=dt.datetime(2009, 2, 17)).number_format = "yyyy-mm"
    book.save(path)
    issues = [i for i in validate(path).issues if i.location.field == "birth_month"]
    # The first of a month is the month Excel shows; another day is a full date of birth.
    assert [(i.code, i.location.cell) for i in issues] == [("PERSONAL-DATE-OF-BIRTH", "B3")]


# -- dates (item 15) ------------------------------------------------------------------


def test_a_two_digit_year_is_one_error_not_also_read_as_none(tmp_path):
    found = _date_verdicts(tmp_path, "3/4/25")
    assert found["csv"] == {"VALUE-DATE"}
    messages = [i.message for i in validate(tmp_path / "csv").issues]
    assert not any("None" in message for message in messages)
    assert any("four-digit year" in message for message in messages)


@pytest.mark.parametrize(
    "value", ["12/05/2025 00:00", "2025-05-12 00:00:00", "12/05/2025 00:00:00"]
)
def test_a_midnight_time_is_accepted_in_both_orders(tmp_path, value):
    assert _date_verdicts(tmp_path, value)["csv"] == {"VALUE-NORMALISED"}


def test_a_time_of_day_in_a_date_is_a_clear_error(tmp_path):
    assert _date_verdicts(tmp_path, "12/05/2025 14:30")["csv"] == {"VALUE-DATE"}
    (issue,) = [i for i in validate(tmp_path / "csv").issues if i.code == "VALUE-DATE"]
    assert "no time of day" in issue.message


# -- checks users expect (item 18) ----------------------------------------------------


def test_more_offers_than_providers_approached_is_warned_of():
    submission = _example()
    submission["referrals"][0].update(providers_approached=2, offers_received=5)
    (issue,) = [i for i in validate(submission).issues if i.code == "REF-OFFERS-APPROACHED"]
    assert "5 offers" in issue.message and "2 providers" in issue.message
    submission["referrals"][0].update(providers_approached=-1, offers_received=0)
    codes = [i.code for i in validate(submission).issues]
    assert "VALUE-MINIMUM" in codes and "REF-OFFERS-APPROACHED" not in codes


def test_a_cost_period_with_a_blank_basis_overlapping_another_is_an_error():
    submission = _example()
    copy = dict(submission["costs"][0], cost_id="K-copy", cost_basis=None)
    submission["costs"].append(copy)
    issues = [i for i in validate(submission).issues if i.code == "COST-OVERLAP-NO-BASIS"]
    assert len(issues) == 1


def test_a_submission_with_every_table_empty_is_an_error(tmp_path):
    empty = {key: ([] if isinstance(value, list) else value) for key, value in EXAMPLE.items()}
    path = tmp_path / "empty.json"
    path.write_text(json.dumps(empty), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1 and "SUB-EMPTY" in result.output
    assert "SUB-EMPTY" not in {
        i.code for i in validate(ROOT / "examples" / "example-submission.json").issues
    }


# -- the report workbook (item 6) -----------------------------------------------------


def test_the_report_workbook_tells_its_stages_in_order(tmp_path):
    from sufficiency_standard.report.workbook import WORKBOOK_STAGES, render_workbook

    submission = _example()
    submission["placements"][0]["start_date"] = "not a date"
    source = write_xlsx(submission, tmp_path / "in.xlsx")
    told: list[str] = []
    render_workbook(validate(source), tmp_path / "report.xlsx", source, progress=told.append)
    assert tuple(told) == WORKBOOK_STAGES
    assert openpyxl.load_workbook(tmp_path / "report.xlsx").sheetnames[0] == "Validation summary"


def test_the_report_workbook_shows_progress_on_a_terminal(tmp_path, monkeypatch):
    from sufficiency_standard import cli

    monkeypatch.setattr(cli, "_PROGRESS_BYTES", 10)
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    source = write_xlsx(_example(), tmp_path / "in.xlsx")
    out = tmp_path / "report.xlsx"
    result = runner.invoke(app, ["validate", str(source), "-f", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and "Report written" in result.output
