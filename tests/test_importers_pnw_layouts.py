"""The PNW census importer on both layouts the census has had, written as the census
workbooks are (one sheet, a header with guidance under each name) from the columns and
code lists of liia-tools-pipeline's PNW specification (pnw_census_schema_2022_mar and
_2025_dec): every 2022-2024 distance reason is carried or reported, post-18 rows are not
children in care, and the census's gender, registration and provision codes all map."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from sufficiency_standard.importers.pnw_census import import_pnw_census
from sufficiency_standard.validation import validate

CENSUS_DATE = dt.date(2024, 3, 31)

# The 2022-2024 layout (2022_mar spec), its headers as the workbook words them.
HEADERS_2022 = [
    "Looked after child?\nAll placements on this social care sheet should be looked after",
    "Placing Authority\nThis is the authority that acts as the Corporate Parent",
    "Identifier \nThis is the unique reference for the child.",
    "Age\nThis will be rounded down",
    "Gender",
    "Ethnic Group\n(Please select from drop down list)",
    "How the placement was sourced\n(Please select from drop down list)",
    "Placement start date (DD/MM/YYYY)",
    "Organisation",
    "Provider ID",
    "Establishment",
    "Registration type",
    "Establishment registration URN ",
    "Host Authority\n(Local authority where the provision is located)",
    "Primary Placing at Distance Reason\n(please select from drop down list)",
    "Type of provision\n(Please select from drop down list)",
    "UASC (Unaccompanied Asylum Seeking Child)",
    "Total weekly cost (actual weekly fee paid)",
    "Contribution from Social Care",
    "Contribution from Education",
    "Contribution from Health",
]
# Every "Primary Placing at Distance Reason" code of the 2022_mar spec, and what the
# standard holds for it (None: reported as not carried).
REASONS_2022 = {
    "Placement available locally but provider refused due to need": (
        "Provision within distance exists but is not available"
    ),
    "Placement available locally but provider refused due to matching": (
        "Provision within distance exists but is not available"
    ),
    "Requirement for DOLS or LPS placement": "Provision within distance does not exist",
    "Requirement for specialist SEND provision": "Provision within distance does not exist",
    "Requirement for other specialist provision": "Provision within distance does not exist",
    "Requirement to place quickly": "Provision within distance exists but is not available",
    "Requirement to place at distance (eg CSE/CCE/Parental choice/move to near family or "
    "support)": None,
    "No placement available locally": "Provision within distance exists but is not available",
    "Other (please specify)": None,
    "Unknown": None,
    "Not applicable": "Not applicable",
    "N/A": "Not applicable",
}
GENDERS = ["Male (including trans male)", "Female (including trans female)", "Non-binary", "Other"]
REGISTRATIONS = ["Ofsted", "CQC", "Unregistered", "Unknown"]
PROVISIONS_2022 = ["Other - FFA", "Fostering - Independent Foster Care (IFA)", "SaILs"]


def _write(path: Path, headers: list[str], rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Social care"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture(scope="module")
def census_2022(tmp_path_factory):
    rows = []
    for n, reason in enumerate(REASONS_2022):
        rows.append(
            [
                "Yes",
                "Bolton",
                f"PNW22-{n:03d}",
                12,
                GENDERS[n % 4],
                "Indian",
                "Local Contract or Framework",
                dt.datetime(2023, 1 + n % 12, 3),
                "Provider Ltd",
                f"SC{100000 + n}",
                "Home",
                REGISTRATIONS[n % 4],
                f"SC{200000 + n}",
                "Bury",
                reason,
                PROVISIONS_2022[n % 3],
                "No",
                1000,
                1000,
                0,
                0,
            ]
        )
    path = _write(tmp_path_factory.mktemp("pnw") / "census_2024.xlsx", HEADERS_2022, rows)
    return import_pnw_census([path], extract_date=CENSUS_DATE)


def test_pnw_2022_distance_reasons_are_carried_or_reported(census_2022):
    submission, report = census_2022
    placements = {p["child_id"]: p for p in submission["placements"]}
    for n, expected in enumerate(REASONS_2022.values()):
        assert placements[f"PNW22-{n:03d}"].get("location_reason") == expected
    carried = sum(1 for p in placements.values() if p.get("location_reason"))
    assert carried == 9  # of 12 codes; the other three are in the report
    left = [n for n in report.of_kind("not carried") if n.target == "placements.location_reason"]
    assert sorted(v for n in left for v in n.values) == sorted(
        [k for k, v in REASONS_2022.items() if v is None]
    )


def test_pnw_gender_registration_and_ffa_map_to_the_standards_codes(census_2022):
    submission, report = census_2022
    children = {c["child_id"]: c for c in submission["children"]}
    assert [children[f"PNW22-{n:03d}"]["sex"] for n in range(4)] == ["M", "F", "U", "U"]
    assert any(n.target == "children.sex" for n in report.of_kind("derived"))
    placements = {p["child_id"]: p for p in submission["placements"]}
    assert placements["PNW22-000"]["placement_type"] == "Foster"  # Other - FFA
    settings = {s["setting_urn"]: s for s in submission["settings"]}
    registrations = [
        settings[p["setting_urn"]].get("registration_type") for p in placements.values()
    ]
    assert {"Ofsted", "CQC only", "Unregistered", None} == set(registrations)
    unknown = [n for n in report.of_kind("not carried") if n.target == "settings.registration_type"]
    assert unknown and "Unknown" in unknown[0].reason
    result = validate(submission)
    assert [i.message for i in result.issues if i.severity == "error"] == []


# The 2025 layout (2025_dec spec): new columns, the standard's own distance reasons, and
# the looked-after column now telling children in care from post-18 placements.
HEADERS_2025 = [
    "Looked after child?",
    "Placing Authority",
    "Identifier",
    "Age",
    "Gender",
    "Ethnic Group",
    "How the placement was sourced",
    "Placement start date (DD/MM/YYYY)",
    "Organisation",
    "Provider Ofsted (or equivalent) URN",
    "Provider Company number",
    "Establishment",
    "Primary registration type",
    "Establishment URN",
    "Placing at Distance Reason\n(please select from drop down list)",
    "Type of provision",
    "UASC (Unaccompanied Asylum Seeking Child)",
    "Total weekly cost (actual weekly fee paid)",
    "Contribution from Social Care",
    "Contribution from Education",
    "Contribution from Health",
    "Does this placement cost include additional packages?",
    "Deprivation of Liberty Safeguards in place?",
    "Does this CYP require a solo placement?",
]
REASONS_2025 = [
    "CYP/Parental preference",
    "Safeguarding requirement",
    "Provision within distance exists but is not available",
    "Provision within distance does not exist",
    "Carer moving out of area",
    "Legal reasons",
    "Not applicable",
]


@pytest.fixture(scope="module")
def census_2025(tmp_path_factory):
    rows = []
    for n, reason in enumerate(REASONS_2025):
        looked_after = "Post 18 (CSC placement)" if n >= 5 else "Looked after child (under 18)"
        rows.append(
            [
                looked_after,
                "Wigan",
                f"PNW25-{n:03d}",
                17 if n >= 5 else 14,
                "Female (including trans female)",
                "African",
                "Block Contract - Local",
                dt.datetime(2025, 6, 1 + n),
                "Provider Ltd",
                f"SC{300000 + n}",
                f"0123456{n}",
                "Home",
                "Ofsted",
                f"SC{400000 + n}",
                reason,
                "Fostering - Mainstream"
                if n < 5
                else "Supported Accommodation - Category 4: Supported Lodgings",
                "No",
                900,
                900,
                0,
                0,
                "No",
                "No",
                "No, and is not in a solo placement",
            ]
        )
    path = _write(tmp_path_factory.mktemp("pnw") / "census_2025.xlsx", HEADERS_2025, rows)
    return import_pnw_census([path], extract_date=dt.date(2025, 12, 31))


def test_pnw_2025_reasons_are_the_standards_own(census_2025):
    submission, _ = census_2025
    reasons = {p["child_id"]: p.get("location_reason") for p in submission["placements"]}
    assert reasons == {
        "PNW25-000": "CYP/parental preference",
        "PNW25-001": "Safeguarding requirement",
        "PNW25-002": "Provision within distance exists but is not available",
        "PNW25-003": "Provision within distance does not exist",
        "PNW25-004": "Carer moving out of area",
    }
    assert submission["la_code"] == "E08000010"  # Wigan


def test_pnw_post_18_rows_are_not_children_in_care(census_2025):
    submission, report = census_2025
    assert {c["child_id"] for c in submission["children"]} == {f"PNW25-{n:03d}" for n in range(5)}
    left = [n for n in report.of_kind("not carried") if "post-18" in n.reason]
    assert len(left) == 1 and left[0].count == 2
    assert "Post 18 (CSC placement)" in report.render()
    result = validate(submission)
    assert [i.message for i in result.issues if i.severity == "error"] == []
