"""Each rule of the registry (what the schema cannot say) on a real workbook and JSON
file: the example with one mistake, reported by its code at the cell or path to fix."""

from __future__ import annotations

import copy
import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sufficiency_standard import validate
from sufficiency_standard.check.rules import RULES, rules_of
from sufficiency_standard.read.headers import column_letter
from sufficiency_standard.standard import load_standard
from sufficiency_standard.write import write_csv_folder, write_json, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = json.loads((ROOT / "examples" / "example-submission.json").read_text(encoding="utf-8"))
STANDARD = load_standard()

Mutation = Callable[[dict[str, Any]], None]


def _set(table: str, row: int, **values: Any) -> Mutation:
    def mutate(submission: dict[str, Any]) -> None:
        target = submission if table == "submission" else submission[table][row]
        target.update(values)

    return mutate


# (code, the mistake, where it must be reported: table, field, row index)
CASES: list[tuple[str, Mutation, str, str, int]] = [
    (
        "SUB-PERIOD-ORDER",
        _set("submission", 0, period_end="2025-03-01"),
        "submission",
        "period_end",
        0,
    ),
    (
        "PLC-END-BEFORE-START",
        _set("placements", 1, end_date="2025-04-01"),
        "placements",
        "end_date",
        1,
    ),
    (
        "REF-NEEDED-BEFORE-REFERRAL",
        _set("referrals", 0, needed_by_date="2025-04-01"),
        "referrals",
        "needed_by_date",
        0,
    ),
    (
        "COST-END-BEFORE-START",
        _set("costs", 0, cost_end_date="2025-05-01"),
        "costs",
        "cost_end_date",
        0,
    ),
    (
        "DATE-AFTER-EXTRACT",
        _set("placements", 0, start_date="2026-05-01"),
        "placements",
        "start_date",
        0,
    ),
    ("CHILD-AGE-LIMIT", _set("children", 0, birth_month="1995-01"), "placements", "start_date", 0),
    (
        "CHILD-DATE-BEFORE-BIRTH",
        _set("children", 0, birth_month="2025-06"),
        "placements",
        "start_date",
        0,
    ),
    (
        "COST-OUTSIDE-PLACEMENT",
        _set("costs", 0, cost_start_date="2025-05-01"),
        "costs",
        "cost_start_date",
        0,
    ),
    ("COST-OVERLAP", _set("costs", 1, cost_start_date="2026-04-01"), "costs", "cost_start_date", 1),
    ("COST-COMPONENTS-SUM", _set("costs", 0, core_weekly=300), "costs", "total_weekly_cost", 0),
    (
        "COST-CONTRIBUTIONS-SUM",
        _set("costs", 0, social_care_contribution=400),
        "costs",
        "total_weekly_cost",
        0,
    ),
    ("PLC-OVERLAP", _set("placements", 2, start_date="2025-09-01"), "placements", "start_date", 2),
    (
        "PLC-DISTANCE-FAR",
        _set("placements", 0, distance_miles=412.5),
        "placements",
        "distance_miles",
        0,
    ),
    (
        "COST-OUTLIER",
        _set(
            "costs",
            0,
            core_weekly=15,
            additional_support_weekly=35,
            total_weekly_cost=50,
            social_care_contribution=50,
        ),
        "costs",
        "total_weekly_cost",
        0,
    ),
    (
        "PLC-RESIDENTIAL-UNDER-10",
        _set("children", 1, birth_month="2018-01"),
        "placements",
        "placement_type",
        2,
    ),
    (
        "LIST-NONE-WITH-OTHERS",
        _set("needs_assessments", 0, communication_requirements=["None", "BSL"]),
        "needs_assessments",
        "communication_requirements",
        0,
    ),
]


def _cell(table: str, field: str, row: int) -> str:
    names = [f.name for f in STANDARD.table(table).fields]
    return f"{column_letter(names.index(field))}{row + 2}"


def _path(table: str, field: str, row: int) -> str:
    return f"/{field}" if table == "submission" else f"/{table}/{row}/{field}"


def test_every_registry_rule_has_a_case_here() -> None:
    """Rules up to 0.2.0 are tested here; those of 0.3.0 by their example files
    (tests/data/rules-0.3.0, tests/test_rules_030.py)."""
    tested = {case[0] for case in CASES} | {"SUB-ONE-ROW"}
    assert {r.entry.code for r in rules_of("0.2.0")} == tested
    examples = json.loads((ROOT / "tests" / "data" / "rules-0.3.0" / "cases.json").read_text())
    newer = {r.entry.code for r in RULES} - {r.entry.code for r in rules_of("0.2.0")}
    # Two rules of 0.3.0 are not at one cell: see NOT_AT_ONE_CELL in tests/test_rules_030.py.
    assert newer - {"COST-OVERLAP-NO-BASIS", "SUB-EMPTY"} == {case["code"] for case in examples}


@pytest.mark.parametrize("kind", ["xlsx", "json"])
@pytest.mark.parametrize(
    ("code", "mutate", "table", "field", "row"), CASES, ids=[c[0] for c in CASES]
)
def test_rule_is_reported_at_the_cell_to_fix(
    tmp_path: Path, kind: str, code: str, mutate: Mutation, table: str, field: str, row: int
) -> None:
    submission = copy.deepcopy(EXAMPLE)
    mutate(submission)
    path = tmp_path / f"case.{kind}"
    (write_xlsx if kind == "xlsx" else write_json)(submission, path)
    report = validate(path)
    found = [i for i in report.issues if i.code == code]
    assert found, [i.code for i in report.issues]
    places = {(i.table, i.field, i.cell if kind == "xlsx" else i.path) for i in found}
    where = _cell(table, field, row) if kind == "xlsx" else _path(table, field, row)
    assert (table, field, where) in places


def test_the_example_itself_breaks_no_rule() -> None:
    report = validate(EXAMPLE)
    rule_codes = {r.entry.code for r in RULES}
    assert [i.code for i in report.issues if i.code in rule_codes] == []


def test_temporary_moves_may_overlap_other_placements(tmp_path: Path) -> None:
    submission = copy.deepcopy(EXAMPLE)
    submission["placements"][2].update(
        start_date="2025-09-01", place_code="T1", placement_type="Other"
    )
    report = validate(submission)
    assert "PLC-OVERLAP" not in {i.code for i in report.issues}


def test_a_cross_table_error_points_at_both_cells(tmp_path: Path) -> None:
    submission = copy.deepcopy(EXAMPLE)
    submission["costs"][0]["cost_start_date"] = "2025-05-01"
    write_xlsx(submission, tmp_path / "case.xlsx")
    issue = next(
        i for i in validate(tmp_path / "case.xlsx").issues if i.code == "COST-OUTSIDE-PLACEMENT"
    )
    assert issue.cell == _cell("costs", "cost_start_date", 0)
    assert [(r.table, r.cell) for r in issue.related] == [
        ("placements", _cell("placements", "start_date", 0))
    ]


def test_a_submission_sheet_with_two_rows_is_reported(tmp_path: Path) -> None:
    write_csv_folder(EXAMPLE, tmp_path / "csv")
    submission_csv = tmp_path / "csv" / "submission.csv"
    with submission_csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    with submission_csv.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([*rows, rows[1]])
    report = validate(tmp_path / "csv")
    assert [(i.code, i.row) for i in report.issues if i.code == "SUB-ONE-ROW"] == [
        ("SUB-ONE-ROW", 3)
    ]


def test_overlaps_are_found_among_references_to_missing_rows(tmp_path: Path) -> None:
    """Rows whose reference points at no row are grouped by the value itself: two cost
    periods of a placement that is not in the submission still must not overlap, and
    no period is compared with another placement's."""
    submission = copy.deepcopy(EXAMPLE)
    first, second = submission["costs"][0], submission["costs"][1]
    first.update(placement_id="P-MISSING", cost_end_date="2026-05-01")
    second.update(placement_id="P-MISSING")  # starts 2026-04-06, before the first ends
    submission["costs"][2]["placement_id"] = "P-ALSO-MISSING"
    write_csv_folder(submission, tmp_path / "csv")
    report = validate(tmp_path / "csv")
    overlaps = [
        (i.row, [r.row for r in i.related]) for i in report.issues if i.code == "COST-OVERLAP"
    ]
    assert overlaps == [(3, [2])]
    missing = sorted(i.row for i in report.issues if i.code == "KEY-REFERENCE")
    assert missing == [2, 3, 4]


@pytest.mark.parametrize("copy_first", [False, True])
def test_a_reference_to_a_repeated_identifier_points_at_its_first_row(
    tmp_path: Path, copy_first: bool
) -> None:
    """A placement ID used twice: its costs are judged against the first placement with
    it (the duplicate is reported at the second)."""
    submission = copy.deepcopy(EXAMPLE)
    placements = submission["placements"]
    cost = submission["costs"][0]
    owner = next(p for p in placements if p["placement_id"] == cost["placement_id"])
    elsewhen = {**owner, "start_date": "2020-01-06", "end_date": "2020-03-01"}
    if copy_first:
        placements.insert(0, elsewhen)
    else:
        placements.append(elsewhen)
    write_csv_folder(submission, tmp_path / "csv")
    report = validate(tmp_path / "csv")
    duplicate_row = len(placements) + 1 if not copy_first else placements.index(owner) + 2
    assert [i.row for i in report.issues if i.code == "KEY-DUPLICATE"] == [duplicate_row]
    outside = [
        (i.row, [(r.table, r.row) for r in i.related])
        for i in report.issues
        if i.code == "COST-OUTSIDE-PLACEMENT"
    ]
    if copy_first:  # every cost of the placement is outside the copy's dates
        first_costs = [
            n + 2
            for n, c in enumerate(submission["costs"])
            if c["placement_id"] == cost["placement_id"]
        ]
        assert outside == [(row, [("placements", 2)]) for row in first_costs]
    else:
        assert outside == []
