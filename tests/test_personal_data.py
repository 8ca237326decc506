"""Issue 19, item 9 and 14: personal data never passes as ready to send, and a file whose
IDs are not pseudonymised says so; no report shows the personal value itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from sufficiency_standard import validate
from sufficiency_standard.catalogue import ENTRIES
from sufficiency_standard.issues import Severity
from sufficiency_standard.personal_data import is_nhs_number, is_upn, personal_header

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_XLSX = ROOT / "examples" / "example-submission.xlsx"

NHS = "9434765919"  # a valid NHS number (the modulus 11 check holds)
UPN = "H801200001001"  # a valid unique pupil number (its check letter holds)


def _upn_check_letter(body: str) -> str:
    """The DfE's check letter, worked out here independently of the package."""
    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
    return letters[sum(int(c) * w for c, w in zip(body, range(2, 14), strict=True)) % 23]


def test_nhs_numbers_and_upns_are_recognised_by_their_check_characters() -> None:
    assert is_nhs_number(NHS) and is_nhs_number("943 476 5919")
    assert not is_nhs_number("9434765918") and not is_nhs_number("123456789")
    assert _upn_check_letter(UPN[1:]) == UPN[0] and is_upn(UPN)
    assert not is_upn("A801200001001") and not is_upn("H80120000100")


@pytest.mark.parametrize(
    ("header", "what"),
    [
        ("Child name", "names"),
        ("Surname", "names"),
        ("Notes", "free-text notes"),
        ("Case notes", "free-text notes"),
        ("DOB", "full dates of birth"),
        ("NHS number", "NHS numbers"),
        ("UPN", "unique pupil numbers (UPNs)"),
        ("Home address", "addresses"),
        ("DOB month", None),
        ("Provider", None),
    ],
)
def test_headers_that_name_personal_data(header: str, what: str | None) -> None:
    assert personal_header(header) == what


def _workbook(tmp_path: Path, change) -> Path:
    book = openpyxl.load_workbook(EXAMPLE_XLSX)
    change(book)
    path = tmp_path / "extract.xlsx"
    book.save(path)
    return path


def _add_column(sheet, header: str, values: list[str]) -> str:
    column = sheet.max_column + 1
    sheet.cell(1, column, header)
    for row, value in enumerate(values, start=2):
        sheet.cell(row, column, value)
    return sheet.cell(1, column).column_letter


def test_a_child_name_column_and_notes_make_the_submission_not_valid(tmp_path: Path) -> None:
    def change(book) -> None:
        _add_column(book["children"], "Child name", ["Amelia Hart", "Tom Reid"])
        _add_column(book["placements"], "Notes", ["Settled well, sees mum on Fridays"])

    report = validate(_workbook(tmp_path, change))
    assert not report.valid
    personal = [i for i in report.issues if i.code == "PERSONAL-COLUMN"]
    assert [(i.table, i.cell, i.severity) for i in personal] == [
        ("children", "G1", Severity.ERROR),
        ("placements", "AB1", Severity.ERROR),
    ]
    assert "looks like names" in personal[0].message
    assert "sufficiency pseudonymise" in personal[0].message
    assert "Delete the column" in personal[0].message
    assert not [i for i in report.issues if i.code == "COLUMN-UNKNOWN"]


def test_nhs_numbers_upns_and_full_postcodes_in_unknown_columns(tmp_path: Path) -> None:
    def change(book) -> None:
        _add_column(book["children"], "Ref 1", [NHS, "4010232137"])
        _add_column(book["children"], "Ref 2", [UPN])
        _add_column(book["children"], "Where", ["TA1 2QZ"])
        _add_column(book["children"], "Local ref", ["1234567890", "1111111112"])

    report = validate(_workbook(tmp_path, change))
    found = {i.cell: i.message for i in report.issues if i.code == "PERSONAL-VALUES"}
    assert set(found) == {"G1", "H1", "I1"}
    assert "NHS numbers (2 values)" in found["G1"]
    assert "unique pupil numbers (UPNs) (1 value)" in found["H1"]
    assert "full postcodes" in found["I1"]
    assert not report.valid
    for message in found.values():  # the values themselves are never in a message
        assert NHS not in message and UPN not in message and "TA1 2QZ" not in message


def test_a_full_date_of_birth_and_a_full_postcode_are_personal_data(tmp_path: Path) -> None:
    def change(book) -> None:
        book["children"]["B2"] = "2012-06-17"
        book["children"]["B3"] = "17/02/2009"
        book["children"]["B4"] = "2011-04-01"  # a month, as a spreadsheet stores one
        referrals = book["referrals"]
        column = [c.value for c in referrals[1]].index("family_location") + 1
        referrals.cell(2, column, "TA1 2QZ")

    report = validate(_workbook(tmp_path, change))
    dob = [i.cell for i in report.issues if i.code == "PERSONAL-DATE-OF-BIRTH"]
    assert dob == ["B2", "B3"]
    postcode = [i for i in report.issues if i.code == "PERSONAL-POSTCODE"]
    assert len(postcode) == 1 and postcode[0].personal
    # Reported once, as personal data, not again as a value in the wrong form.
    assert not [i for i in report.issues if i.code == "VALUE-PATTERN" and i.cell in dob]
    assert not report.valid


def test_an_nhs_number_as_child_id_is_personal_data() -> None:
    submission = json.loads((ROOT / "examples" / "example-submission.json").read_text())
    numbers = ["9434765919", "4010232137", "4505577104"]
    old = [child["child_id"] for child in submission["children"][:3]]
    for table in ("children", "referrals", "needs_assessments", "placements"):
        for row in submission.get(table, []):
            if row.get("child_id") in old:
                row["child_id"] = numbers[old.index(row["child_id"])]
    report = validate(submission)
    found = [i for i in report.issues if i.code == "PERSONAL-IDENTIFIER"]
    assert found and found[0].table == "children" and "NHS numbers" in found[0].message
    assert not report.valid


def test_the_age_limit_message_does_not_show_the_birth_year(tmp_path: Path) -> None:
    def change(book) -> None:
        book["children"]["B2"] = "1990-01"

    report = validate(_workbook(tmp_path, change))
    [issue] = [i for i in report.issues if i.code == "CHILD-AGE-LIMIT"][:1]
    assert "1990" not in issue.message and "born" not in issue.message


def test_raw_ids_are_noted_and_pseudonymised_ones_are_not(tmp_path: Path) -> None:
    report = validate(EXAMPLE_XLSX)
    [note] = [i for i in report.issues if i.code == "NOT-PSEUDONYMISED"]
    assert note.severity is Severity.INFORMATION and report.valid
    assert "sufficiency pseudonymise" in note.message and "Child ID" in note.message

    key = tmp_path / "la.key"
    cli = [sys.executable, "-m", "sufficiency_standard"]
    subprocess.run([*cli, "keygen", "--out", str(key)], check=True, capture_output=True)
    shared = tmp_path / "shared.xlsx"
    made = subprocess.run(
        [*cli, "pseudonymise", str(EXAMPLE_XLSX), "-k", str(key), "--out", str(shared)],
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    after = validate(shared)
    assert after.valid and not [i for i in after.issues if i.code == "NOT-PSEUDONYMISED"]


def test_personal_data_codes_are_in_the_catalogue() -> None:
    for code in (
        "PERSONAL-COLUMN",
        "PERSONAL-VALUES",
        "PERSONAL-DATE-OF-BIRTH",
        "PERSONAL-POSTCODE",
        "PERSONAL-IDENTIFIER",
    ):
        assert ENTRIES[code].severity is Severity.ERROR


def test_console_report_hides_the_personal_values(tmp_path: Path) -> None:
    def change(book) -> None:
        book["children"]["B2"] = "2012-06-17"

    path = _workbook(tmp_path, change)
    cli = [sys.executable, "-m", "sufficiency_standard", "validate", str(path)]
    hidden = subprocess.run(cli, capture_output=True, text=True)
    assert hidden.returncode == 1 and "PERSONAL-DATE-OF-BIRTH" in hidden.stdout
    assert "2012-06-17" not in hidden.stdout
    shown = subprocess.run([*cli, "--show-values"], capture_output=True, text=True)
    assert "2012-06-17" in shown.stdout
