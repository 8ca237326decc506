"""The placements-standard importer on a Greater Manchester return, written as the GM
workbook is from the columns and code lists of liia-tools-pipeline's
placements_standard_schema_2026_jun_GM spec: its search columns and "Referral in
progress" are read, and the report says once what a GM return can never fill."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from sufficiency_standard.importers.placements_standard import import_placements_standard

SEARCHED = [
    "placement_search_foster_U4",
    "placement_search_foster_U5",
    "placement_search_foster_U6",
    "placement_search_supported_accommodation_solo",
    "placement_search_supported_accommodation_shared_lac",
    "placement_search_supported_accommodation_shared_other",
    "placement_search_supported_accommodation_shared_lodgings",
    "placement_search_residential_ebd",
    "placement_search_residential_mhd",
    "placement_search_residential_si",
    "placement_search_residential_alc",
    "placement_search_residential_drug",
    "placement_search_residential_ld",
    "placement_search_residential_pd",
]
ROW = {
    "child_ID": None,
    "when_placement_is_needed_by": "< 5 days",
    "number_of_siblings_to_place_with": 0,
    "preferred_location_for_home_search": "Yes",
    "communication_language_learning_needs": "No",
    "specific_communication_and_language_requirements": "None",
    "adaptation_to_the_home": "No",
    "cultural_needs": "Not required",
    "who_can_the_child_be_cared_for_alongside": "No preference",
    "can_child_live_with_pets": "Yes - can",
    "additional_support": "N/A",
    "mental_health_diagnosis": "No",
    "neurodevelopmental_diagnosis": None,
    "open_to_CAMHS": "Referral in progress",
    "dol": "No",
    "needs_assessment": "CANS",
    "foster_care_suitability": "Preferred",
    "residential_care_suitability": "Unsuitable",
    "supported_accommodation_suitability": "Not specified",
    "risk_to_child_self_harm": "No known risk",
    "risk_to_child_criminal_exploitation": "Risk present",
    "risk_to_child_drug_and_alcohol_use": "No known risk",
    "risk_to_child_eating_disorder": "No known risk",
    "risk_to_child_going_missing": "No known risk",
    "risk_to_others_physical_harm": "No known risk",
    "risk_to_others_sexual_harm": "No known risk",
    "risk_to_others_fire_setting": "No known risk",
    "risk_to_others_harm_to_animals": "No known risk",
    "risk_to_others_criminal_exploitation": "No known risk",
    "placement_search_foster_total_number": 12,
    **dict.fromkeys(SEARCHED, "N/A"),
    "placement_search_supported_accommodation_total_number": 0,
    "placement_search_residential_total_number": 3,
    "placement_start_date": None,
    "total_weekly_cost": 950.0,
    "preferability_of_placement_location": "No",
    "placement_location_non_preferable_reason": "CYP / parental preference",
    "education_continuity": "Yes",
    "how_many_siblings_were_placed_together": 0,
    "placement_type_offers": 2,
    "placement_sourced": "RCC contract",
}
DIAGNOSES = ["Yes", "No", "Referral in progress"]


@pytest.fixture(scope="module")
def gm_return(tmp_path_factory):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "placements_standard"
    sheet.append(list(ROW))
    for n, diagnosis in enumerate(DIAGNOSES):
        row = ROW | {
            "child_ID": f"GM-{n}",
            "neurodevelopmental_diagnosis": diagnosis,
            "placement_start_date": dt.datetime(2026, 4, 1 + n),
            "placement_search_foster_U4": "Yes",
        }
        sheet.append(list(row.values()))
    path = tmp_path_factory.mktemp("gm") / "gm_return.xlsx"
    workbook.save(path)
    return import_placements_standard([path], la_code="E08000001", extract_date=dt.date(2026, 7, 1))


def test_gm_search_columns_are_read_or_reported(gm_return):
    submission, report = gm_return
    assert [r["providers_approached"] for r in submission["referrals"]] == [15, 15, 15]
    text = report.render()
    assert "not a column of the regional placements standard" not in text
    left = {n.source.rsplit("column ", 1)[-1] for n in report.of_kind("not carried")}
    # Which kinds of home were searched ("Yes", "No", "N/A"): each column named, with why.
    assert set(SEARCHED) <= left
    assert any("kinds of home were searched" in n.reason for n in report.of_kind("not carried"))


def test_gm_referral_in_progress_is_an_unknown_diagnosis(gm_return):
    submission, report = gm_return
    diagnoses = [n["neurodevelopmental_diagnosis"] for n in submission["needs_assessments"]]
    assert diagnoses == ["Yes", "No", "Unknown"]
    derived = [
        n
        for n in report.of_kind("derived")
        if n.target == "needs_assessments.neurodevelopmental_diagnosis"
    ]
    assert len(derived) == 1 and derived[0].count == 1


def test_gm_report_says_once_what_a_gm_return_never_fills(gm_return):
    _, report = gm_return
    never = {n.target: n for n in report.of_kind("not filled")}
    assert set(never) == {"placements.placement_type", "referrals.referral_date"}
    assert all(n.count == 1 and "Greater Manchester" in n.reason for n in never.values())
    for target in ("placements.placement_location", "placements.setting_urn"):
        assert any(
            n.target == target and "Greater Manchester" in n.reason
            for n in report.of_kind("not carried")
        )
    assert not report.complete
