"""Importers from the SSDA903 return, the regional placements standard and the PNW census,
on real-shaped files with the quirks LA files have."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from sufficiency_standard.importers import import_command
from sufficiency_standard.importers.placements_standard import import_placements_standard
from sufficiency_standard.importers.pnw_census import import_pnw_census
from sufficiency_standard.importers.ssda903 import (
    Episode,
    import_ssda903,
    placement_type_for,
    runs_of,
)
from sufficiency_standard.issues import InputError
from sufficiency_standard.standard import load_standard
from sufficiency_standard.validation import validate

DATA = Path(__file__).parent / "data"
SSDA903 = [DATA / "ssda903" / name for name in ("header.csv", "episodes.csv", "uasc.csv")]
PLACEMENTS_STANDARD = DATA / "placements_standard" / "placements_standard_return.csv"
PNW_CENSUS = DATA / "pnw_census" / "pnw_census_2025.csv"
EXTRACT = dt.date(2025, 5, 1)
STANDARD = load_standard(None)


@pytest.fixture(scope="module")
def from_903():
    return import_ssda903(SSDA903, la_code="E06000023", extract_date=EXTRACT)


def placements_of(submission, child):
    return sorted(
        (p for p in submission["placements"] if p["child_id"] == child),
        key=lambda p: p["start_date"],
    )


# -- SSDA903 ---------------------------------------------------------------------------


def test_903_import_validates(from_903):
    submission, report = from_903
    result = validate(submission)
    assert result.valid, [i.message for i in result.issues if i.severity == "error"]
    assert report.complete


def test_903_children_have_month_of_birth_sex_ethnicity_and_uasc(from_903):
    children = {c["child_id"]: c for c in from_903[0]["children"]}
    assert children["L0012345"] == {
        "child_id": "L0012345",
        "birth_month": "2012-03",
        "sex": "M",  # historic 1
        "ethnicity": "WBRI",
        "uasc": "No",
    }
    assert children["L0023456"]["sex"] == "F"  # historic 2
    assert children["L0023456"]["ethnicity"] == "MWBC"  # written in lower case
    assert children["L0034567"]["uasc"] == "Yes"  # in the UASC table, no DUC
    assert "ethnicity" not in children["L0056789"]  # XXXX is no code


def test_903_episodes_in_one_home_are_one_placement(from_903):
    (only,) = placements_of(from_903[0], "L0012345")
    # S then L in the same home, then T (the same carers) with a new PLACE code of the
    # same type (U6 -> U4): one home, so one placement, still open.
    assert (only["start_date"], only["end_date"]) == (dt.date(2023, 6, 1), None)
    assert (only["place_code"], only["placement_type"]) == ("U6", "Foster")
    # a missing postcode in a later episode does not split the placement
    (only,) = placements_of(from_903[0], "L0045678")
    assert only["placement_location"] == "TA1 2"


def test_903_temporary_move_is_no_placement_and_does_not_end_the_home(from_903):
    (home,) = placements_of(from_903[0], "L0023456")
    assert (home["place_code"], home["start_date"], home["end_date"]) == (
        "K2",
        dt.date(2024, 4, 15),
        dt.date(2025, 2, 1),
    )
    assert home["placement_type"] == "Residential"
    assert home["end_reason"] == "LEFTCARE"  # left care (E11): the 903 gives REC, no reason
    assert not any(p["place_code"].startswith("T") for p in from_903[0]["placements"])
    (note,) = [n for n in from_903[1].notes.values() if "temporary move (PLACE" in n.reason]
    assert note.kind == "not carried" and "T4" in note.values


def test_903_placement_type_comes_from_the_standards_rules():
    for rule in STANDARD.table("placements").rules:
        thens = [c for c in rule.then if c.field == "placement_type" and c.values]
        whens = [c for c in rule.when if c.field == "place_code" and c.values]
        if len(thens) == len(whens) == 1 and len(thens[0].values) == 1:
            for code in whens[0].values:
                assert placement_type_for(code, STANDARD)[0] == thens[0].values[0]
    assert placement_type_for("P2", STANDARD)[0] == "Other"  # Supported accommodation or Other
    assert placement_type_for("T1", STANDARD) == (None, ())


def test_903_provider_is_a_placeholder_for_its_kind_with_ownership_from_the_schema(from_903):
    providers = {p["provider_id"]: p for p in from_903[0]["providers"]}
    ownership = STANDARD.table("providers").field("ownership").code_list
    expected = {v.ssda903_code: v.value for v in ownership.values if v.ssda903_code}
    assert providers["SSDA903-PR4"]["ownership"] == expected["PR4"]
    assert "ownership" not in providers["SSDA903-PR0"]  # parents: no ownership
    report = from_903[1].render()
    assert "placeholder provider" in report


def test_903_urn_becomes_a_setting_and_postcodes_are_cut_to_sectors(from_903):
    submission = from_903[0]
    settings = {s["setting_urn"]: s for s in submission["settings"]}
    assert settings["SC123456"]["setting_type"] == "Children's home"
    assert "XXXXXXX" not in settings
    locations = {
        p["placement_location"] for p in submission["placements"] if "placement_location" in p
    }
    assert locations <= {"BS16 1", "M1 1", "LS1 4", "TA1 2"}


def test_903_report_lists_what_could_not_be_carried(from_903):
    report = from_903[1].render()
    assert "HOME_POST" in report and "UPN" in report
    assert "no postcode of placement" in report
    assert "XXXX" in report  # the unknown ethnicity is shown (it is a code, not a person)
    assert "14/03/2012" not in report and "L0012345" not in report


def test_903_without_an_la_code_says_it_must_be_given():
    submission, report = import_ssda903(SSDA903[:2], extract_date=EXTRACT)
    assert not report.complete
    assert "--la-code" in report.render()
    assert {i.field for i in validate(submission).issues if i.severity == "error"} == {"la_code"}


def test_903_return_from_a_temporary_move_rejoins_the_placement_whatever_its_rne():
    def episode(row, start, end, rne, place):
        return Episode(row, "C", start, rne, place, "PR1", end, "X1", "", "BS161QY", None)

    d = dt.date
    runs = runs_of(
        [
            episode(2, d(2024, 1, 1), d(2024, 2, 1), "S", "U4"),
            episode(3, d(2024, 2, 1), d(2024, 2, 8), "P", "T3"),
            episode(4, d(2024, 2, 8), None, "P", "U4"),
        ]
    )
    assert [[e.row for e in run.episodes] for run in runs] == [[2, 4], [3]]


def test_903_a_file_that_is_not_903_is_refused(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("name,age\nA,3\n")
    with pytest.raises(InputError, match="not a 903"):
        import_ssda903([other, SSDA903[1]])


# -- the regional placements standard --------------------------------------------------


def test_placements_standard_reads_headers_with_guidance_and_maps_codes():
    submission, report = import_placements_standard(
        [PLACEMENTS_STANDARD], la_code="E08000003", extract_date=dt.date(2025, 7, 1)
    )
    needs = {n["child_id"]: n for n in submission["needs_assessments"]}
    assert needs["RCC-70011"]["additional_support"] == [
        "Transport to school",
        "Therapeutic support",
    ]
    assert needs["RCC-70011"]["communication_requirements"] == ["BSL", "Makaton"]
    assert needs["RCC-70011"]["risk_to_child_criminal_exploitation"] == (
        "Present (level not recorded)"
    )
    assert needs["RCC-70013"]["additional_support"] == ["Respite worker"]
    referrals = {r["child_id"]: r for r in submission["referrals"]}
    assert referrals["RCC-70011"]["cared_alongside"] == "Only with older children"
    # The national urgency categories are carried as such: no needed-by date is made up.
    assert referrals["RCC-70011"]["urgency"] == "Today"
    assert referrals["RCC-70013"]["urgency"] == "Within 5 days"
    assert referrals["RCC-70012"]["urgency"] == "More than 5 days"
    assert all(r.get("needed_by_date") is None for r in submission["referrals"])
    placements = {p["child_id"]: p for p in submission["placements"]}
    assert placements["RCC-70012"]["placement_type"] == "Supported accommodation"
    assert placements["RCC-70011"]["placement_location"] == "M14 5"
    costs = {c["placement_id"]: c for c in submission["costs"]}
    assert str(costs[placements["RCC-70011"]["placement_id"]]["total_weekly_cost"]) == "4000.00"
    text = report.render()
    assert "Local notes" in text and "officers' names" in text and "Unsure" in text


def test_placements_standard_output_validates_but_for_what_the_report_says_is_missing():
    submission, report = import_placements_standard(
        [PLACEMENTS_STANDARD], la_code="E08000003", extract_date=dt.date(2025, 7, 1)
    )
    assert report.of_kind("not filled") == []
    filled = {note.target for note in report.of_kind("placeholder")}
    assert "needs_assessments.assessment_tool" in filled  # the return names no tool
    errors = [i for i in validate(submission).issues if i.severity == "error"]
    assert errors == []


# -- the PNW census --------------------------------------------------------------------


def test_pnw_census_validates_and_takes_the_la_from_the_placing_authority():
    submission, report = import_pnw_census([PNW_CENSUS], extract_date=dt.date(2025, 3, 31))
    assert submission["la_code"] == "E08000003"  # Manchester
    result = validate(submission)
    assert result.valid, [i.message for i in result.issues if i.severity == "error"]
    children = {c["child_id"]: c for c in submission["children"]}
    assert children["PNW-151627"]["sex"] == "F"  # "Fenale"
    assert children["PNW-151627"]["ethnicity"] == "APKN"
    assert children["PNW-186835"].get("ethnicity") is None  # "White" is no single code
    placements = {p["child_id"]: p for p in submission["placements"]}
    assert placements["PNW-151627"]["placement_type"] == "Parent and child"
    assert placements["PNW-200001"]["placement_type"] == "Supported accommodation"
    costs = {c["placement_id"]: c for c in submission["costs"]}
    cost = costs[placements["PNW-186835"]["placement_id"]]
    assert (cost["cost_basis"], str(cost["education_contribution"])) == ("Actual", "605.50")
    text = report.render()
    assert "month of birth" in text and "Sub Regional Contract - Other" in text


def test_pnw_census_reads_a_workbook_too(tmp_path):
    import csv

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Social care"
    with PNW_CENSUS.open(encoding="cp1252", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    path = tmp_path / "census.xlsx"
    workbook.save(path)
    submission, _ = import_pnw_census([path], extract_date=dt.date(2025, 3, 31))
    assert len(submission["placements"]) == 3


# -- the command -----------------------------------------------------------------------


def test_import_command_writes_the_submission_and_its_report(tmp_path):
    out = tmp_path / "from-903.xlsx"
    result = import_command("ssda903", SSDA903, out, la_code="E06000023", extract_date=EXTRACT)
    assert out.exists() and result.report_path.exists()
    assert result.validation.valid
    with pytest.raises(InputError, match="already exists"):
        import_command("ssda903", SSDA903, out, la_code="E06000023")
    with pytest.raises(InputError, match="not a format"):
        import_command("cla-census", SSDA903, tmp_path / "x.json")
