"""The rules the registry gained in 0.3.0, each on real files.

For each rule, tests/data/rules-0.3.0/ (written by scripts/make_rule_examples.py) holds
the example submission with one change that breaks it and one close to it that it
allows. Written as JSON, CSV files and a workbook, the invalid one is reported by that
rule at its row and field and by nothing else new; the valid one adds no issue at all.
Validated under 0.2.0, which was released without them, neither is judged by them.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from scripts_loader import load_script
from typer.testing import CliRunner

from sufficiency_standard import validate
from sufficiency_standard.catalogue import ENTRIES
from sufficiency_standard.check.rules import RULES, rules_of
from sufficiency_standard.cli import app
from sufficiency_standard.diff import compare_versions
from sufficiency_standard.issues import Issue
from sufficiency_standard.read.headers import column_letter
from sufficiency_standard.shipped import compiled_standard
from sufficiency_standard.standard import load_standard
from sufficiency_standard.write import write_csv_folder, write_json, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "rules-0.3.0"
CASES: list[dict[str, Any]] = json.loads((DATA / "cases.json").read_text(encoding="utf-8"))
VERSION = "0.3.0"
STANDARD = load_standard(VERSION)
NEW_CODES = {r.entry.code for r in RULES if r.since == VERSION}
FORMATS = ("json", "csv", "xlsx")


make_rule_examples = load_script("make_rule_examples")
BASE = make_rule_examples.base_submission()


def _read(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _written(submission: dict[str, Any], folder: Path, kind: str) -> Path:
    """The submission as a file (or folder) of one format."""
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        write_csv_folder(submission, folder / "csv", VERSION)
        return folder / "csv"
    path = folder / f"submission.{kind}"
    (write_xlsx if kind == "xlsx" else write_json)(submission, path, VERSION)
    return path


def _key(issue: Issue) -> tuple[Any, ...]:
    return (issue.code, issue.table, issue.field, issue.row, issue.cell, issue.path)


@cache
def _base_issues(kind: str, folder: Path) -> frozenset[tuple[Any, ...]]:
    return frozenset(_key(i) for i in validate(_written(BASE, folder, kind)).issues)


def _new_issues(path: Path, kind: str, tmp_root: Path) -> list[Issue]:
    """The issues of a file that the example itself (in the same format) does not have."""
    base = _base_issues(kind, tmp_root / f"base-{kind}")
    return [i for i in validate(path).issues if _key(i) not in base]


@pytest.fixture(scope="module")
def tmp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rules-030")


def _personal_values(submission: dict[str, Any]) -> set[str]:
    """Every personal value in a submission (IDs of children and their records, postcodes,
    months of birth): none may be quoted in a message."""
    found = set()
    for table in STANDARD.tables:
        rows = [submission] if table.one_row else submission.get(table.name, [])
        for field in table.fields:
            if field.is_personal:
                found |= {str(row[field.name]) for row in rows if row.get(field.name)}
    return found


# ---------------------------------------------------------------- the examples


# Rules that cannot be broken alone at one cell, tested in tests/test_hardening_inputs.py:
# a cost period's basis is required in 0.3.0, so one left blank is VALUE-REQUIRED too;
# an empty submission has no cell to point at.
NOT_AT_ONE_CELL = {"COST-OVERLAP-NO-BASIS", "SUB-EMPTY"}


def test_every_rule_new_in_030_has_its_examples() -> None:
    assert {case["code"] for case in CASES} == NEW_CODES - NOT_AT_ONE_CELL
    assert len(CASES) == len(NEW_CODES - NOT_AT_ONE_CELL)
    for case in CASES:
        assert (DATA / case["invalid"]).is_file()
        assert (DATA / case["valid"]).is_file()


def test_rule_examples_are_current(tmp_path: Path) -> None:
    make_rule_examples.make_rule_examples(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert sorted(p.name for p in DATA.iterdir()) == written
    for name in written:
        assert (tmp_path / name).read_text(encoding="utf-8") == (DATA / name).read_text(
            encoding="utf-8"
        ), f"{name}: run python scripts/make_rule_examples.py"


def test_the_example_breaks_no_rule_new_in_030() -> None:
    assert not {i.code for i in validate(BASE).issues} & NEW_CODES


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("case", CASES, ids=[c["code"] for c in CASES])
def test_invalid_example_breaks_its_rule_alone_at_its_cell(
    case: dict[str, Any], kind: str, tmp_path: Path, tmp_root: Path
) -> None:
    submission = _read(case["invalid"])
    path = DATA / case["invalid"] if kind == "json" else _written(submission, tmp_path, kind)
    new = _new_issues(path, kind, tmp_root)
    assert [i.code for i in new] == [case["code"]], [(i.code, i.message) for i in new]
    issue = new[0]
    table, field, row = case["table"], case["field"], case["row_index"]
    assert (issue.table, issue.field) == (table, field)
    assert issue.severity == ENTRIES[case["code"]].severity
    if kind == "json":
        assert issue.path == f"/{table}/{row}/{field}"
    else:
        column = [f.name for f in STANDARD.table(table).fields].index(field)
        assert (issue.row, issue.cell) == (row + 2, f"{column_letter(column)}{row + 2}")
    assert issue.related, "a rule across fields points at the other cells too"
    assert "{" not in issue.message
    assert not issue.personal
    assert not [v for v in _personal_values(submission) if v in issue.message]


@pytest.mark.parametrize("case", CASES, ids=[c["code"] for c in CASES])
def test_valid_example_adds_no_issue(case: dict[str, Any], tmp_root: Path) -> None:
    new = _new_issues(DATA / case["valid"], "json", tmp_root)
    assert new == [], [(i.code, i.message) for i in new]


@pytest.mark.parametrize("case", CASES, ids=[c["code"] for c in CASES])
def test_a_rule_new_in_030_is_not_checked_under_020(case: dict[str, Any], tmp_path: Path) -> None:
    submission = {**_read(case["invalid"]), "standard_version": "0.2.0"}
    path = tmp_path / "pinned.json"
    path.write_text(json.dumps(submission), encoding="utf-8")
    report = validate(path, standard_version="0.2.0")
    assert report.standard.version == "0.2.0"
    assert case["code"] not in {i.code for i in report.issues}


def test_released_versions_keep_their_rules() -> None:
    for released in ("0.1.0", "0.2.0"):
        assert not {r.entry.code for r in rules_of(released)} & NEW_CODES
    assert {r.entry.code for r in rules_of(VERSION)} >= NEW_CODES


def test_diff_lists_the_new_rules_with_their_severity() -> None:
    whats = {c.what: c.level for c in compare_versions("0.2.0", VERSION)}
    for code in NEW_CODES:
        severity = ENTRIES[code].severity.value
        level = "breaking" if severity == "error" else "addition"
        assert whats[f"rule {code} added ({severity})"] == level
    result = CliRunner().invoke(app, ["diff", "0.2.0", VERSION])
    assert result.exit_code == 0, result.output
    printed = " ".join(result.stdout.split())
    assert all(code in printed for code in NEW_CODES)


# ---------------------------------------------------------------- more about some rules


def _issues_of(code: str, submission: dict[str, Any]) -> list[Issue]:
    return [i for i in validate(submission).issues if i.code == code]


@pytest.mark.parametrize(
    ("code", "placement_type", "start", "reported"),
    [
        ("K3", "Supported accommodation", "2024-03-31", True),
        ("K3", "Supported accommodation", "2024-04-01", False),
        ("H5", "Supported accommodation", "2025-03-31", False),
        ("H5", "Supported accommodation", "2025-04-01", True),
        ("P2", "Other", "2025-04-01", True),
        ("Z1", "Other", "2025-04-01", True),
        ("Z11", "Other", "2025-03-31", True),
        ("Z14", "Other", "2025-04-01", False),
        ("U6", "Foster", "2001-01-01", False),
    ],
)
def test_place_codes_are_judged_by_the_dates_the_schema_gives(
    code: str, placement_type: str, start: str, reported: bool
) -> None:
    submission = copy.deepcopy(BASE)
    submission["placements"][3].update(
        place_code=code, placement_type=placement_type, start_date=start
    )
    found = _issues_of("PLC-PLACE-NOT-IN-FORCE", submission)
    assert [(i.path, i.value) for i in found] == (
        [("/placements/3/place_code", code)] if reported else []
    )


def test_the_place_code_dates_come_from_the_compiled_standard() -> None:
    values = compiled_standard(VERSION)["enums"]["PlaceCodeEnum"]["values"]
    limited = {v["value"] for v in values if v.get("in_force_from") or v.get("in_force_until")}
    assert {"K3", "H5", "P2", "Z1", "Z11", "Z12", "Z13", "Z14"} <= limited


def test_a_placement_that_ended_before_the_period_is_reported_at_its_end() -> None:
    submission = copy.deepcopy(BASE)
    placement = next(p for p in submission["placements"] if p["placement_id"] == "P4008")
    placement.update(end_date="2025-03-14", end_reason="CARPL")
    found = _issues_of("PLC-OUTSIDE-PERIOD", submission)
    assert [(i.field, [r.field for r in i.related]) for i in found] == [
        ("end_date", ["period_start"])
    ]
    assert "ended on 2025-03-14, before" in found[0].message


@pytest.mark.parametrize(
    ("kind", "urgency", "reported"),
    [
        ("Planned", "Today", True),
        ("Planned", "Within 5 days", True),
        ("Planned", "More than 5 days", False),
        ("Emergency", "More than 5 days", True),
        ("Emergency", "Today", False),
    ],
)
def test_planned_or_emergency_is_judged_by_the_urgency_when_there_is_no_date(
    kind: str, urgency: str, reported: bool
) -> None:
    submission = copy.deepcopy(BASE)
    referral = submission["referrals"][0]
    referral.pop("needed_by_date", None)
    referral.update(planned_or_emergency=kind, urgency=urgency)
    found = _issues_of("REF-EMERGENCY-DATES", submission)
    assert [(i.path, [r.field for r in i.related]) for i in found] == (
        [("/referrals/0/planned_or_emergency", ["urgency"])] if reported else []
    )


def test_a_provider_entered_twice_under_one_id_is_a_duplicate_only() -> None:
    submission = copy.deepcopy(BASE)
    submission["providers"].append(copy.deepcopy(submission["providers"][1]))
    codes = [i.code for i in validate(submission).issues]
    assert "KEY-DUPLICATE" in codes
    assert "PRV-SAME-NATIONAL-ID" not in codes


def test_an_unreadable_identifier_is_not_also_reported_as_missing() -> None:
    submission = copy.deepcopy(BASE)
    submission["providers"][1]["company_number"] = "8123456"  # a digit lost
    codes = [i.code for i in validate(submission).issues]
    assert "VALUE-PATTERN" in codes
    assert "PRV-NATIONAL-ID" not in codes


def test_capacity_with_a_negative_count_is_not_summed() -> None:
    submission = copy.deepcopy(BASE)
    submission["fostering_capacity"][0]["vacant_places"] = -1
    codes = [i.code for i in validate(submission).issues]
    assert "VALUE-MINIMUM" in codes
    assert "CAP-PLACES-SUM" not in codes
