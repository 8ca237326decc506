"""The national standard's Excel templates (April and June 2026), read and written.

Real files throughout: the shipped templates, workbooks written with openpyxl as an
officer's would be, and the writer's own output read back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from sufficiency_standard.issues import InputError, Location
from sufficiency_standard.national.excel import (
    COLUMNS,
    DATA_SHEET,
    TEMPLATES,
    read_template,
    write_template,
)
from sufficiency_standard.national.record import NationalRecord, Unreadable
from sufficiency_standard.national.vocabulary import vocabulary

TEMPLATE_DIR = (
    Path(__file__).parent.parent / "src/sufficiency_standard/national/reference/templates"
)
APRIL = TEMPLATE_DIR / TEMPLATES["2026-04"]
JUNE = TEMPLATE_DIR / TEMPLATES["2026-06"]
LAYOUTS = ["2026-04", "2026-06"]
NOT_IN_JUNE = {"riskToOthersOther"}
HEADERS = [header for header, _, _ in COLUMNS]


def _columns_of(template: str) -> list[str]:
    props = [prop for _, prop, _ in COLUMNS]
    return [p for p in props if p not in NOT_IN_JUNE] if template == "2026-06" else props


# -- the shipped templates -----------------------------------------------------------------


@pytest.mark.parametrize("path", [APRIL, JUNE], ids=LAYOUTS)
def test_a_shipped_template_reads_as_its_example_record_alone(path: Path) -> None:
    records, notes = read_template(path)

    assert len(records) == 1  # not the guidance row, not the drop-down sheet's lists
    record = records[0]
    assert record.location.row == 4
    assert record.source == f"{path.name}, sheet Data Collection"
    values = record.values
    assert values == {
        "childId": "ABCD2012",
        "neededBy": "pu:WithinFiveDays",  # "< 5 days"
        "siblingCount": 2,
        "isPreferredLocationLocal": False,
        "outOfLAReason": "olr:CourtOrder",  # "Court Order"; the drop-down says "Court order"
        "communicationNeeds": "yns:NotSpecified",
        "specificCommunicationRequirement": ["cn:ESOL"],
        "homeAdaptationRequired": True,
        "culturalNeeds": "cln:Required",
        "livingCompanions": "la:OnlyWithYoungerChildren",
        "pets": "pa:No",
        "additionalSupport": ["st:TaxisToSchool"],
        "deprivationOfLiberty": True,
        "fosterCareSuitability": "sl:Preferred",
        "residentialCareSuitability": "sl:SuitableButNotPreferred",
        "supportedAccommodationSuitability": "sl:Unsuitable",
        "riskSelfHarm": "rl:RiskPresent",
        "riskCriminalExploitation": "rl:NoKnownRisk",
        "riskDrugAlcohol": "rl:NoKnownRisk",
        "riskEatingDisorder": "rl:NoKnownRisk",
        "riskMissing": "rl:RiskPresent",
        "riskToOthersPhysical": "rl:NoKnownRisk",
        "riskToOthersSexual": "rl:NoKnownRisk",
        "riskToOthersFire": "rl:NoKnownRisk",
        "riskToOthersAnimals": "rl:NoKnownRisk",
        "riskToOthersCriminal": "rl:NoKnownRisk",
        "totalWeeklyCost": Decimal("23000"),
        "placementLocation": "N18",
        "isLocationPreferred": True,
        "isEducationContinuous": True,  # education_continuity "No": not disrupted
        "providerURN": "ABCD10293002",
        "siblingsPlacedTogether": 1,
        "placementType": "pt:Residential",
        "referralOfficerName": "ABCS",
        "referralDate": dt.date(2024, 2, 12),
        "placementOfficerName": "ABBC",
        "placementDate": dt.date(2024, 3, 21),
        "costOfficerName": "ABBC",
        "costDate": dt.date(2024, 4, 30),
    }
    assert isinstance(values["totalWeeklyCost"], Decimal)
    assert record.at("neededBy").cell == "B4"
    assert record.at("childId") == Location(
        table=None,
        field="childId",
        row=4,
        cell="A4",
        source=f"{path.name}, sheet Data Collection",
        sheet="Data Collection",
    )
    assert any("Checklist and QA" in note and "not read" in note for note in notes)
    assert any("Data Validation and Drop Downs" in note and "not read" in note for note in notes)


def test_the_template_is_recognised_by_its_columns() -> None:
    _, april = read_template(APRIL)
    _, june = read_template(JUNE)
    assert "April 2026" in april[0]
    assert "June 2026" in june[0]


def test_the_april_free_text_risk_to_others_is_kept(tmp_path: Path) -> None:
    workbook = load_workbook(APRIL)
    sheet = workbook[DATA_SHEET]
    column = HEADERS.index("risk_to_others_other") + 1
    sheet.cell(4, column, "Threats to staff")
    path = tmp_path / "april.xlsx"
    workbook.save(path)

    (record,), _ = read_template(path)

    assert record.get("riskToOthersOther") == ["Threats to staff"]
    assert record.at("riskToOthersOther").cell == "AB4"


# -- a workbook as an officer fills it in ------------------------------------------------


def _officer_workbook(path: Path, rows: list[dict[str, Any]], *, sheet: str = DATA_SHEET) -> None:
    """A workbook laid out as the template (title row, headers as the June template
    spells them, guidance), with a checklist and a drop-down sheet beside it."""
    workbook = Workbook()
    checklist = workbook.active
    checklist.title = "Checklist and QA"
    checklist["B2"] = "Cover Note\nThis short quality assurance checklist..."
    data = workbook.create_sheet(sheet)
    headers = [h for h in HEADERS if h != "risk_to_others_other"]
    spelled = {
        "supported_accommodation": "supported_accomodation",
        "cultural_needs": "cultural_needs\n",
    }
    data["A1"] = "Determinants of placement availability"
    for col, header in enumerate(headers, start=1):
        data.cell(2, col, spelled.get(header, header))
        data.cell(3, col, f"{header.replace('_', ' ')}\n\nGuidance about this column.")
    for offset, row in enumerate(rows):
        for header, value in row.items():
            data.cell(4 + offset, headers.index(header) + 1, value)
    lists = workbook.create_sheet("Data Validation and Drop Downs")
    for col, header in enumerate(headers, start=1):
        lists.cell(2, col, header)
    lists["A6"], lists["B6"], lists["B7"] = "free text", "Today", "< 5 days"
    workbook.save(path)


ODD = {
    "child_ID": "C-1",
    "when_placement_is_needed_by": "< 5days",
    "number_of_siblings_to_place_with": "NA",
    "is_preferred_location_local": "n",
    "out_of_LA_reason": "Court order",
    "communication_language_learning_needs": "Yes",
    "specific_communication_and_language_requirements": "ESOL; BSL",
    "adaptation_to_the_home": "FALSE",
    "cultural_needs": "Not Known",
    "who_can_the_child_be_cared_for_alongside": "Solo placement recommended",
    "can_child_live_with_pets": "Yes-can",
    "additional_support": "Therapeutic support, Other;A worker for respite",
    "additional_support_other": "A mentor, twice a week",
    "dol": "Y",
    "foster_care_suitability": " Unsuitable",
    "residential_care_suitability": "Suitable but not preferred,",
    "supported_accommodation": "not specified",
    "risk_to_child_self_harm": "risk present",
    "cost_core_weekly": "£1,200.50",
    "cost_additional_support_weekly": 0.1 + 0.2,
    "cost_education_weekly": 350,
    "cost_other_weekly": "0",
    "cost_total_weekly": 1550.8,
    "placement_location": "M1",
    "preferrability_of_placement_location": True,
    "education_continuity": "Yes",
    "provider_URN": 1234567,
    "how_many_siblings_were_placed_together": "0",
    "placement_type": "Residential ",
    "name_of_officer_referral": "J Smith",
    "Date_entry_referral": "12/02/2024",
    "date_entry_placement": "3 March 2024",
    "date_entry_placement_cost": dt.datetime(2024, 4, 30),
}


def test_odd_spellings_read_as_the_concepts_meant(tmp_path: Path) -> None:
    path = tmp_path / "filled.xlsx"
    _officer_workbook(path, [ODD])

    (record,), notes = read_template(path)

    assert record.values == {
        "childId": "C-1",
        "neededBy": "pu:WithinFiveDays",
        "siblingCount": 0,  # "NA": no siblings
        "isPreferredLocationLocal": False,
        "outOfLAReason": "olr:CourtOrder",
        "communicationNeeds": "yns:Yes",
        "specificCommunicationRequirement": ["cn:ESOL", "cn:BSL"],
        "homeAdaptationRequired": False,
        "culturalNeeds": "cln:NotKnown",
        "livingCompanions": "la:SoloPlacement",
        "pets": "pa:YesCan",
        "additionalSupport": ["st:TherapeuticSupport", "st:Other", "st:WorkerForRespite"],
        "additionalSupportOther": ["A mentor, twice a week"],
        "deprivationOfLiberty": True,
        "fosterCareSuitability": "sl:Unsuitable",
        "residentialCareSuitability": "sl:SuitableButNotPreferred",
        "supportedAccommodationSuitability": "sl:NotSpecified",
        "riskSelfHarm": "rl:RiskPresent",
        "coreWeeklyCost": Decimal("1200.50"),
        "additionalSupportWeeklyCost": Decimal("0.30"),  # not 0.30000000000000004
        "educationWeeklyCost": Decimal("350"),
        "otherWeeklyCost": Decimal("0"),
        "totalWeeklyCost": Decimal("1550.80"),
        "placementLocation": "M1",
        "isLocationPreferred": True,
        "isEducationContinuous": False,  # "Was education disrupted?" Yes
        "providerURN": "1234567",
        "siblingsPlacedTogether": 0,
        "placementType": "pt:Residential",
        "referralOfficerName": "J Smith",
        "referralDate": dt.date(2024, 2, 12),
        "placementDate": dt.date(2024, 3, 3),
        "costDate": dt.date(2024, 4, 30),
    }
    assert str(record.get("additionalSupportWeeklyCost")) == "0.30"
    assert any("June 2026" in note for note in notes)


def test_a_sheet_of_another_name_is_read_when_it_has_the_templates_columns(
    tmp_path: Path,
) -> None:
    path = tmp_path / "renamed.xlsx"
    _officer_workbook(path, [ODD, {"child_ID": "C-2"}], sheet="Sheet1")

    records, notes = read_template(path)

    assert [r.get("childId") for r in records] == ["C-1", "C-2"]
    assert records[0].source == "renamed.xlsx, sheet Sheet1"
    assert any("Data Validation and Drop Downs" in note for note in notes)


def test_values_that_cannot_be_read_are_kept_with_their_cells(tmp_path: Path) -> None:
    path = tmp_path / "unreadable.xlsx"
    _officer_workbook(
        path,
        [
            {
                "child_ID": "C-1",
                "when_placement_is_needed_by": "next week",
                "foster_care_suitability": "Maybe",
                "specific_communication_and_language_requirements": "ESOL, Braille",
                "dol": "Possibly",
                "number_of_siblings_to_place_with": "two",
                "cost_total_weekly": "about £900",
                "Date_entry_referral": "soon",
            }
        ],
    )

    (record,), _ = read_template(path)

    assert record.get("neededBy") == Unreadable("next week", record.get("neededBy").reason)
    assert record.get("fosterCareSuitability").text == "Maybe"
    assert record.at("fosterCareSuitability").cell == "O4"
    comms = record.get("specificCommunicationRequirement")
    assert comms[0] == "cn:ESOL" and isinstance(comms[1], Unreadable)
    assert comms[1].text == "Braille"
    for prop, text, cell in [
        ("deprivationOfLiberty", "Possibly", "N4"),
        ("siblingCount", "two", "C4"),
        ("totalWeeklyCost", "about £900", "AF4"),
        ("referralDate", "soon", "AN4"),
    ]:
        value = record.get(prop)
        assert isinstance(value, Unreadable), prop
        assert value.text == text and value.reason
        assert record.at(prop).cell == cell
        assert record.at(prop).sheet == "Data Collection"


def test_a_column_the_template_does_not_have_is_noted_not_read(tmp_path: Path) -> None:
    path = tmp_path / "extra.xlsx"
    _officer_workbook(path, [ODD])
    workbook = load_workbook(path)
    sheet = workbook[DATA_SHEET]
    sheet.cell(2, 60, "social_worker_notes")
    sheet.cell(4, 60, "private words")
    workbook.save(path)

    (record,), notes = read_template(path)

    (note,) = [n for n in notes if "social_worker_notes" in n]
    assert "not read" in note and "1 value" in note
    assert "private words" not in " ".join(notes)
    assert "social_worker_notes" not in record.values


def test_the_header_is_found_under_title_rows(tmp_path: Path) -> None:
    path = tmp_path / "titled.xlsx"
    _officer_workbook(path, [ODD])
    workbook = load_workbook(path)
    workbook[DATA_SHEET].insert_rows(1, amount=3)
    workbook[DATA_SHEET]["A1"] = "Placements found, quarter 1"
    workbook.save(path)

    (record,), _ = read_template(path)

    assert record.location.row == 7
    assert record.get("neededBy") == "pu:WithinFiveDays"
    assert record.at("neededBy").cell == "B7"


@pytest.mark.parametrize("template", LAYOUTS)
def test_an_empty_template_has_no_records(tmp_path: Path, template: str) -> None:
    out = tmp_path / "empty.xlsx"
    write_template([], out, template)

    records, notes = read_template(out)

    assert records == []  # the guidance row is not a record
    assert notes[0].startswith("empty.xlsx, sheet Data Collection: the ")


def test_blank_rows_are_not_records(tmp_path: Path) -> None:
    path = tmp_path / "gaps.xlsx"
    _officer_workbook(path, [ODD, {}, {}, {"child_ID": "C-9"}])

    records, _ = read_template(path)

    assert [(r.location.row, r.get("childId")) for r in records] == [(4, "C-1"), (7, "C-9")]


# -- writing ------------------------------------------------------------------------------


def _every_concept_records(template: str) -> list[NationalRecord]:
    """Records that between them hold every concept of every concept property the
    template has a column for, and a value of every other column."""
    vocab = vocabulary()
    props = _columns_of(template)
    concept_props = [p for p in props if vocab.properties.get(p, None) is not None]
    widest = max(len(vocab.properties[p].concepts) for p in concept_props)
    records = []
    for i in range(widest + 1):
        record = NationalRecord(source="made", location=Location())
        for prop in props:
            spec = vocab.properties.get(prop)
            if spec is None:  # riskToOthersOther
                record.put(prop, [f"Other risk {i}"])
            elif spec.kind == "concept":
                concepts = spec.concepts
                if spec.multivalued:
                    chosen = list(concepts) if i == widest else [concepts[i % len(concepts)]]
                    record.put(prop, chosen)
                else:
                    record.put(prop, concepts[i % len(concepts)])
            elif spec.kind == "boolean":
                record.put(prop, i % 2 == 0)
            elif spec.kind == "integer":
                record.put(prop, i)
            elif spec.kind == "decimal":
                record.put(prop, Decimal(f"{1000 + i}.{i:02d}"))
            elif spec.kind == "date":
                record.put(prop, dt.date(2026, 1 + i % 12, 1 + i))
            elif spec.multivalued:
                record.put(prop, [f"{prop} {i}"])
            else:
                record.put(prop, f"{prop} {i}")
        records.append(record)
    return records


@pytest.mark.parametrize("template", LAYOUTS)
def test_written_records_read_back_equal(tmp_path: Path, template: str) -> None:
    records = _every_concept_records(template)
    vocab = vocabulary()
    for prop in _columns_of(template):
        spec = vocab.properties.get(prop)
        if spec is not None and spec.kind == "concept":
            held = set()
            for record in records:
                value = record.get(prop)
                held.update(value if isinstance(value, list) else [value])
            assert held == set(spec.concepts), prop
    out = tmp_path / f"national-{template}.xlsx"

    notes = write_template(records, out, template)
    read, _ = read_template(out)

    assert notes == []
    assert [r.values for r in read] == [r.values for r in records]
    assert [r.location.row for r in read] == list(range(4, 4 + len(records)))


@pytest.mark.parametrize("template", LAYOUTS)
def test_the_written_workbook_keeps_the_templates_sheets_and_guidance(
    tmp_path: Path, template: str
) -> None:
    shipped = load_workbook(TEMPLATE_DIR / TEMPLATES[template])
    records = _every_concept_records(template)
    out = tmp_path / "out.xlsx"
    write_template(records, out, template)
    written = load_workbook(out)

    assert written.sheetnames == shipped.sheetnames
    for name in ("Checklist and QA", "Data Validation and Drop Downs"):
        assert _cells(written[name]) == _cells(shipped[name])
    for row in (1, 2, 3):
        assert [c.value for c in written[DATA_SHEET][row]] == [
            c.value for c in shipped[DATA_SHEET][row]
        ]
    sheet = written[DATA_SHEET]
    assert sheet["A4"].value != "ABCD2012"  # the example record is gone
    assert sheet.max_row >= 3 + len(records)


def _cells(sheet: Any) -> dict[str, Any]:
    return {c.coordinate: c.value for row in sheet.iter_rows() for c in row if c.value is not None}


def test_values_are_spelled_as_the_templates_drop_downs_spell_them(tmp_path: Path) -> None:
    record = NationalRecord(source="made", location=Location())
    record.put("childId", "=HYPERLINK(1)")
    record.put("neededBy", "pu:WithinFiveDays")
    record.put("placementType", "pt:Residential")
    record.put("fosterCareSuitability", "sl:SuitableButNotPreferred")
    record.put("specificCommunicationRequirement", ["cn:ESOL", "cn:BSL"])
    record.put("isEducationContinuous", True)
    record.put("deprivationOfLiberty", False)
    record.put("totalWeeklyCost", Decimal("1200.50"))
    record.put("referralDate", dt.date(2026, 6, 1))
    record.put("siblingCount", 0)
    out = tmp_path / "april.xlsx"

    write_template([record], out, "2026-04")
    sheet = load_workbook(out)[DATA_SHEET]
    column = {h: i + 1 for i, h in enumerate(HEADERS)}

    def cell(header: str) -> Any:
        return sheet.cell(4, column[header])

    assert cell("child_ID").value == "=HYPERLINK(1)" and cell("child_ID").data_type == "s"
    assert cell("when_placement_is_needed_by").value == "< 5days"
    assert cell("placement_type").value == "Residential "  # April's list has the space
    assert cell("foster_care_suitability").value == "Suitable but not preferred"
    assert cell("specific_communication_and_language_requirements").value == "ESOL, BSL"
    assert cell("education_continuity").value == "No"  # continuous: not disrupted
    assert cell("dol").value == "No"
    assert cell("cost_total_weekly").value == 1200.5
    assert "£" in cell("cost_total_weekly").number_format
    assert cell("Date_entry_referral").value == dt.datetime(2026, 6, 1)
    assert cell("Date_entry_referral").is_date
    assert cell("number_of_siblings_to_place_with").value == 0


@pytest.mark.parametrize("template", LAYOUTS)
def test_drop_downs_cover_every_written_row(tmp_path: Path, template: str) -> None:
    records = [
        NationalRecord(source="made", location=Location(), values={"childId": f"C{i}"})
        for i in range(25)
    ]
    out = tmp_path / "many.xlsx"
    write_template(records, out, template)
    sheet = load_workbook(out)[DATA_SHEET]
    column = {h: i + 1 for i, h in enumerate(_headers_of(sheet))}

    def validated(cell: str) -> list[str]:
        return [dv.formula1 for dv in sheet.data_validations.dataValidation if cell in dv.sqref]

    needed_by = get_column_letter(column["when_placement_is_needed_by"])
    placement_type = get_column_letter(column["placement_type"])
    for row in (4, 10, 28):
        assert validated(f"{needed_by}{row}") == ['"Today,< 5days,> 5 days"']
        assert len(validated(f"{placement_type}{row}")) == 1
    assert validated("A8") == []  # the template's stray needed-by list on child_ID
    foster = get_column_letter(column["foster_care_suitability"])
    assert "Suitable but not preferred" in validated(f"{foster}4")[0]


def _headers_of(sheet: Any) -> list[str]:
    return [str(c.value).strip() for c in sheet[2]]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("2026-04", {"riskSexualExploitation", "placementId", "culturalNeedsOther"}),
        (
            "2026-06",
            {"riskSexualExploitation", "placementId", "culturalNeedsOther", "riskToOthersOther"},
        ),
    ],
)
def test_notes_name_what_the_template_cannot_hold(
    tmp_path: Path, template: str, expected: set[str]
) -> None:
    records = []
    for i in range(3):
        record = NationalRecord(source="made", location=Location())
        record.put("childId", f"C{i}")
        record.put("riskSexualExploitation", "rl:RiskPresent")
        record.put("placementId", f"secret-placement-{i}")
        record.put("riskToOthersOther", ["secret risk words"])
        if i == 0:
            record.put("culturalNeedsOther", ["secret culture words"])
        records.append(record)

    notes = write_template(records, tmp_path / "out.xlsx", template)

    named = {note.split(":", 1)[0] for note in notes}
    assert named == expected
    text = " ".join(notes)
    assert "secret" not in text
    (sexual,) = [n for n in notes if n.startswith("riskSexualExploitation")]
    assert "3 records" in sexual
    (cultural,) = [n for n in notes if n.startswith("culturalNeedsOther")]
    assert "1 record" in cultural


def test_unreadable_values_are_written_as_they_were(tmp_path: Path) -> None:
    path = tmp_path / "unreadable.xlsx"
    _officer_workbook(path, [{"child_ID": "C-1", "foster_care_suitability": "Maybe"}])
    records, _ = read_template(path)
    out = tmp_path / "again.xlsx"

    write_template(records, out)
    (record,), _ = read_template(out)

    assert record.get("fosterCareSuitability").text == "Maybe"


def test_an_unknown_template_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="2025-01"):
        write_template([], tmp_path / "out.xlsx", "2025-01")


# -- files that are not a template ----------------------------------------------------------


def test_a_csv_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "national.csv"
    path.write_text("child_ID,when_placement_is_needed_by\nC1,Today\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"national\.csv"):
        read_template(path)


def test_a_corrupt_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip file")
    with pytest.raises(InputError, match=r"broken\.xlsx") as caught:
        read_template(path)
    assert "\n" not in str(caught.value)


def test_a_workbook_without_the_data_collection_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    workbook = Workbook()
    workbook.active["A1"] = "child_ID"
    workbook.active["B1"] = "something else"
    workbook.save(path)
    with pytest.raises(InputError, match=r"other\.xlsx.*Data Collection"):
        read_template(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.xlsx"):
        read_template(tmp_path / "missing.xlsx")
