"""The LinkML schema is clean, fully described, and uses the names fixed by the brief.

The names below are copied from /work/shared/design/standard-brief.md, which fixes them
for 0.1.0 because tests outside the project use them. They are hard-coded here on
purpose: a rename in the schema must fail this test, not follow it silently.
"""

from __future__ import annotations

import enum
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from linkml_runtime.utils.schemaview import SchemaView

from sufficiency_standard import models
from sufficiency_standard.shipped import compiled_standard
from sufficiency_standard.standard import load_standard

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schema"
LINT_CONFIG = ROOT / ".linkmllint.yaml"

# fmt: off
BRIEF_CLASSES = {
    "submission": "Submission",
    "children": "Child",
    "referrals": "Referral",
    "needs_assessments": "NeedsAssessment",
    "placements": "Placement",
    "providers": "Provider",
    "settings": "Setting",
    "costs": "Cost",
}

RISKS = [
    "risk_to_child_self_harm",
    "risk_to_child_sexual_exploitation",
    "risk_to_child_criminal_exploitation",
    "risk_to_child_drugs_alcohol",
    "risk_to_child_eating_disorder",
    "risk_to_child_going_missing",
    "risk_to_others_physical_harm",
    "risk_to_others_sexual_harm",
    "risk_to_others_fire_setting",
    "risk_to_others_harm_to_animals",
    "risk_to_others_criminal_exploitation",
]

BRIEF_FIELDS = {
    "submission": [
        "standard_version", "la_code", "period_start", "period_end", "extract_date",
        "source_system",
    ],
    "children": ["child_id", "birth_month", "sex", "ethnicity", "uasc"],
    "referrals": [
        "referral_id", "child_id", "referral_date", "needed_by_date", "planned_or_emergency",
        "siblings_to_place_with", "family_location", "close_to_family_recommended",
        "in_education", "continue_current_school", "school_location",
        "foster_care_suitability", "residential_care_suitability",
        "supported_accommodation_suitability", "cared_alongside", "pets",
        "minimum_adult_ratio", "outcome", "providers_approached", "offers_received",
    ],
    "needs_assessments": [
        "needs_id", "child_id", "referral_id", "assessment_date", "assessment_tool",
        "communication_needs", "communication_requirements", "adaptation_to_home",
        "cultural_needs", "deprivation_of_liberty", "mental_health_diagnosis",
        "neurodevelopmental_diagnosis", "learning_disability", "additional_support", *RISKS,
    ],
    "placements": [
        "placement_id", "child_id", "referral_id", "start_date", "end_date", "placement_type",
        "place_code", "provider_id", "setting_urn", "host_la_code", "placement_location",
        "distance_miles", "location_preferable", "location_reason", "education_continuity",
        "siblings_placed_together", "sourcing_route", "end_reason",
    ],
    "providers": [
        "provider_id", "provider_name", "ownership", "private_equity_backed", "company_number",
    ],
    "settings": [
        "setting_urn", "provider_id", "setting_type", "registration_type", "host_la_code",
        "location", "registered_places", "ofsted_rating", "last_inspection_date",
    ],
    "costs": [
        "cost_id", "placement_id", "cost_start_date", "cost_end_date", "cost_basis",
        "core_weekly", "additional_support_weekly", "education_weekly", "health_weekly",
        "other_weekly", "total_weekly_cost", "social_care_contribution",
        "education_contribution", "health_contribution",
    ],
}

YES_NO = ["Yes", "No"]
YES_NO_UNKNOWN = ["Yes", "No", "Unknown"]
YES_NO_NA = ["Yes", "No", "Not applicable"]
SUITABILITY = ["Preferred", "Suitable but not preferred", "Unsuitable", "Not specified"]
RISK_LEVELS = ["No known risk", "Low", "High", "Present (level not recorded)"]

BRIEF_CODES = {
    ("children", "sex"): ["M", "F", "U"],
    ("children", "ethnicity"): [
        "WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND",
        "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
    ],
    ("children", "uasc"): ["Yes", "No", "Not yet established", "Unknown"],
    ("referrals", "planned_or_emergency"): ["Planned", "Emergency"],
    ("referrals", "close_to_family_recommended"): YES_NO,
    ("referrals", "in_education"): YES_NO_NA,
    ("referrals", "continue_current_school"): YES_NO_NA,
    ("referrals", "foster_care_suitability"): SUITABILITY,
    ("referrals", "residential_care_suitability"): SUITABILITY,
    ("referrals", "supported_accommodation_suitability"): SUITABILITY,
    ("referrals", "cared_alongside"): [
        "Solo placement recommended",
        "With other children recommended",
        "Only with older children",
        "Only with younger children",
        "No preference",
    ],
    ("referrals", "pets"): ["Yes - must", "Yes - can", "No", "Unknown"],
    ("referrals", "minimum_adult_ratio"): [
        "1:1", "2:1", "More than 2:1", "Standard ratio", "Not specified", "Not applicable",
    ],
    ("referrals", "outcome"): ["Placed", "No suitable home found", "Withdrawn", "Ongoing"],
    ("needs_assessments", "assessment_tool"): [
        "BERRI", "CANS", "Other formalised tool", "Social worker assessment",
    ],
    ("needs_assessments", "communication_needs"): ["Yes", "No", "Not specified"],
    ("needs_assessments", "communication_requirements"): [
        "ESOL", "BSL", "Makaton", "Other", "None",
    ],
    ("needs_assessments", "adaptation_to_home"): YES_NO,
    ("needs_assessments", "cultural_needs"): ["Required", "Not required", "Not known", "Other"],
    ("needs_assessments", "deprivation_of_liberty"): YES_NO,
    ("needs_assessments", "mental_health_diagnosis"): YES_NO_UNKNOWN,
    ("needs_assessments", "neurodevelopmental_diagnosis"): YES_NO_UNKNOWN,
    ("needs_assessments", "learning_disability"): YES_NO_UNKNOWN,
    ("needs_assessments", "additional_support"): [
        "Additional supervision",
        "Therapeutic support",
        "Respite worker",
        "Transport to school",
        "Other",
        "None",
    ],
    **{("needs_assessments", risk): RISK_LEVELS for risk in RISKS},
    ("placements", "placement_type"): [
        "Foster", "Residential", "Supported accommodation", "Secure", "Parent and child", "Other",
    ],
    ("placements", "place_code"): [
        "A3", "A4", "A5", "A6", "H5", "K1", "K2", "K3", "P1", "P2", "P3", "R1", "R2", "R3",
        "R5", "S1", "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1",
    ],
    ("placements", "location_preferable"): YES_NO,
    ("placements", "location_reason"): [
        "CYP/parental preference",
        "Safeguarding requirement",
        "Provision within distance exists but is not available",
        "Provision within distance does not exist",
        "Carer moving out of area",
        "Legal reasons",
        "Not applicable",
    ],
    ("placements", "education_continuity"): YES_NO_NA,
    ("placements", "sourcing_route"): [
        "Regional contract",
        "Other regional contract",
        "Direct award / off framework",
        "Local contract or framework",
        "Block contract",
        "Remand",
        "Secure welfare",
    ],
    ("placements", "end_reason"): [
        "CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ",
        "PLACE", "CUSTOD", "OTHER",
    ],
    ("providers", "ownership"): [
        "Local authority", "Other local authority", "Other public", "Private", "Voluntary",
    ],
    ("providers", "private_equity_backed"): YES_NO_UNKNOWN,
    ("settings", "setting_type"): [
        "Children's home",
        "Secure children's home",
        "Independent fostering agency",
        "Supported accommodation",
        "Residential special school",
        "Other",
    ],
    ("settings", "registration_type"): [
        "Ofsted",
        "CQC only",
        "Unregistered",
        "Care Inspectorate Scotland",
        "Care Inspectorate Wales",
    ],
    ("settings", "ofsted_rating"): [
        "Outstanding",
        "Good",
        "Requires improvement to be good",
        "Inadequate",
        "Not yet inspected",
    ],
    ("costs", "cost_basis"): ["Agreed", "Actual"],
}

BRIEF_REQUIRED = {
    "submission": ["standard_version", "la_code", "period_start", "period_end", "extract_date"],
    "children": ["child_id"],
    "referrals": ["referral_id", "child_id", "referral_date", "needed_by_date"],
    "needs_assessments": ["needs_id", "child_id", "assessment_date"],
    "placements": ["placement_id", "child_id", "start_date", "placement_type", "provider_id"],
    "providers": ["provider_id"],
    "settings": ["setting_urn", "provider_id"],
    "costs": ["cost_id", "placement_id", "cost_start_date", "total_weekly_cost"],
}

BRIEF_REFERENCES = {
    ("referrals", "child_id"): "children",
    ("needs_assessments", "child_id"): "children",
    ("needs_assessments", "referral_id"): "referrals",
    ("placements", "child_id"): "children",
    ("placements", "referral_id"): "referrals",
    ("placements", "provider_id"): "providers",
    ("placements", "setting_urn"): "settings",
    ("settings", "provider_id"): "providers",
    ("costs", "placement_id"): "placements",
}

# fmt: on

PERSONAL_FIELDS = ["child_id", "birth_month", "family_location", "school_location"]

# Counts and money are ">= 0" in the brief.
BRIEF_NOT_NEGATIVE = {
    "referrals": ["siblings_to_place_with", "providers_approached", "offers_received"],
    "placements": ["distance_miles", "siblings_placed_together"],
    "settings": ["registered_places"],
    "costs": BRIEF_FIELDS["costs"][5:],
}

# The brief fixes the shape of 0.1.0; later versions only add to it (test_versions
# holds them to semver), so the brief is checked against the frozen 0.1.0.
STANDARD = load_standard("0.1.0")
LATEST = load_standard()  # what the generated Python models follow


@pytest.fixture(scope="module")
def view() -> SchemaView:
    return SchemaView(str(SCHEMA_DIR / "sufficiency.yaml"), merge_imports=True)


@pytest.mark.parametrize("schema_file", sorted(SCHEMA_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_schema_file_passes_linkml_lint(schema_file: Path) -> None:
    linter = Path(sys.executable).with_name("linkml-lint")
    command = [str(linter) if linter.exists() else "linkml-lint"]
    result = subprocess.run(
        [*command, "--config", str(LINT_CONFIG), "--format", "json", str(schema_file)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    problems = json.loads(result.stdout or "[]")
    assert problems == [], problems
    assert result.returncode == 0, result.stderr


def test_every_class_slot_enum_and_code_has_a_description(view: SchemaView) -> None:
    undescribed = [f"class {name}" for name, c in view.all_classes().items() if not c.description]
    undescribed += [f"slot {name}" for name, s in view.all_slots().items() if not s.description]
    for name, enum_def in view.all_enums().items():
        if not enum_def.description:
            undescribed.append(f"enum {name}")
        undescribed += [
            f"{name}: {value}"
            for value, pv in enum_def.permissible_values.items()
            if not pv.description
        ]
    assert undescribed == []


def test_tables_and_classes_are_named_as_in_the_brief() -> None:
    assert {t.name: t.class_name for t in STANDARD.tables} == BRIEF_CLASSES
    assert list(STANDARD.table_names) == list(BRIEF_CLASSES)


@pytest.mark.parametrize("table", list(BRIEF_FIELDS))
def test_every_field_of_the_brief_is_in_its_table_in_order(table: str) -> None:
    names = [f.name for f in STANDARD.table(table).fields]
    missing = [name for name in BRIEF_FIELDS[table] if name not in names]
    assert missing == []
    assert [name for name in names if name in BRIEF_FIELDS[table]] == BRIEF_FIELDS[table]


@pytest.mark.parametrize(("table", "field"), list(BRIEF_CODES), ids="{0[0]}.{0[1]}".format)
def test_code_list_is_as_in_the_brief(table: str, field: str) -> None:
    code_list = STANDARD.table(table).field(field).code_list
    assert code_list is not None, f"{table}.{field} has no code list"
    assert sorted(code_list.codes) == sorted(BRIEF_CODES[table, field])


def test_every_field_with_a_code_list_is_checked_against_the_brief() -> None:
    with_codes = {
        (t.name, f.name) for t in STANDARD.tables for f in t.fields if f.code_list is not None
    }
    assert with_codes <= set(BRIEF_CODES), with_codes - set(BRIEF_CODES)


def test_required_fields_identifiers_and_references_are_as_in_the_brief() -> None:
    for table in STANDARD.tables:
        required = [f.name for f in table.fields if f.required]
        assert required == BRIEF_REQUIRED[table.name], table.name
        if not table.one_row:
            assert table.identifier is not None
            assert table.identifier.name == BRIEF_FIELDS[table.name][0]
    references = {
        (t.name, f.name): f.references for t in STANDARD.tables for f in t.fields if f.references
    }
    assert references == BRIEF_REFERENCES


def test_counts_and_money_cannot_be_negative() -> None:
    for table, fields in BRIEF_NOT_NEGATIVE.items():
        for name in fields:
            assert STANDARD.table(table).field(name).minimum == 0, f"{table}.{name}"


def test_python_enum_members_have_readable_names() -> None:
    upper_snake = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
    unreadable = ("HYPHEN", "COLON", "APOSTROPHE", "SOLIDUS", "AMPERSAND")
    generated = {
        name: cls
        for name, cls in vars(models).items()
        if isinstance(cls, type) and issubclass(cls, enum.Enum) and cls is not enum.Enum
    }
    assert set(LATEST.code_lists) <= set(generated)
    for name, code_list in LATEST.code_lists.items():
        members = {
            member.value: member_name for member_name, member in generated[name].__members__.items()
        }
        assert set(members) == set(code_list.codes), name
        for code in code_list.values:
            member_name = members[code.value]
            assert member_name == code.python_name, (name, code.value)
            assert member_name.isidentifier() and upper_snake.match(member_name), member_name
            assert not any(word in member_name for word in unreadable), member_name


@pytest.mark.parametrize("field_name", PERSONAL_FIELDS)
def test_personal_data_is_marked(field_name: str) -> None:
    uses = [t.field(field_name) for t in STANDARD.tables if t.has_field(field_name)]
    assert uses, field_name
    for spec in uses:
        assert spec.personal_data in ("direct_identifier", "quasi_identifier", "special_category")
        assert spec.sharing in ("pseudonymise", "generalise", "keep", "drop")


# ---------------------------------------------------------------- questions and burden

FITNESS = ROOT.parent / "shared" / "design" / "standard-fitness.md"


def _structural(table: str, field: Any) -> bool:
    """Keys and the submission's own metadata serve every question alike."""
    return table == "submission" or field.identifier or field.references is not None


def test_every_regional_question_has_fields_or_says_why_it_is_left_out() -> None:
    questions = {q["id"]: q for q in compiled_standard()["questions"]}
    answered = {q for table in LATEST.tables for f in table.fields for q in f.questions}
    for question_id, question in questions.items():
        assert (question_id in answered) != bool(question.get("left_out")), question_id
    assert answered <= questions.keys(), answered - questions.keys()


def test_the_questions_are_those_of_the_fitness_check() -> None:
    if not FITNESS.is_file():
        pytest.skip(f"{FITNESS} is not on this machine")
    listed = re.findall(r"^\| ([A-Z]{2,3}-\d\d) \|", FITNESS.read_text(encoding="utf-8"), re.M)
    assert [q["id"] for q in compiled_standard()["questions"]] == listed


def test_every_field_serves_a_question_or_says_why_it_is_kept() -> None:
    unexplained = [
        f"{table.name}.{f.name}"
        for table in LATEST.tables
        for f in table.fields
        if not _structural(table.name, f) and not f.questions and not f.kept_because
    ]
    assert unexplained == []
