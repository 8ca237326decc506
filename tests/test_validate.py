"""The validator end to end: the example passes in every format, each invalid example
fails for exactly its one reason at the right cell or path, and the same data gives
the same issues whatever format it comes in.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from sufficiency_standard import validate
from sufficiency_standard.issues import InputError, Issue, Severity
from sufficiency_standard.read.headers import column_letter
from sufficiency_standard.standard import load_standard
from sufficiency_standard.write import write_csv_folder, write_json, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE = json.loads((EXAMPLES / "example-submission.json").read_text(encoding="utf-8"))
INVALID = ROOT / "tests" / "data" / "invalid"
CASES = json.loads((INVALID / "cases.json").read_text(encoding="utf-8"))
STANDARD = load_standard()

CODE_OF_CONSTRAINT = {
    "required": "VALUE-REQUIRED",
    "pattern": "VALUE-PATTERN",
    "enum": "VALUE-CODE",
    "minimum": "VALUE-MINIMUM",
    "identifier": "KEY-DUPLICATE",
    "reference": "KEY-REFERENCE",
}


def errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity is Severity.ERROR]


def expected_code(case: dict[str, Any]) -> str:
    if case["constraint"] == "pattern" and str(case.get("field", "")).endswith("location"):
        # A full postcode in a postcode-area field is personal data (issue 19, item 9).
        return "PERSONAL-POSTCODE"
    return (
        case["rule_code"]
        if case["constraint"] == "rule"
        else CODE_OF_CONSTRAINT[case["constraint"]]
    )


def expected_cell(case: dict[str, Any]) -> str:
    table = STANDARD.table(case["table"])
    column = [f.name for f in table.fields].index(case["field"])
    return f"{column_letter(column)}{case['row_index'] + 2}"


def expected_path(case: dict[str, Any]) -> str:
    if case["table"] == "submission":
        return f"/{case['field']}"
    return f"/{case['table']}/{case['row_index']}/{case['field']}"


# ---------------------------------------------------------------- the valid example


@pytest.mark.parametrize(
    "example",
    ["example-submission.xlsx", "example-submission.json", "csv"],
)
def test_example_submission_is_valid_in_every_format(example: str) -> None:
    report = validate(EXAMPLES / example)
    assert errors(report.issues) == []
    assert report.valid
    assert report.standard.version == STANDARD.version
    assert report.standard.source == "declared"
    assert report.rows["placements"] == len(EXAMPLE["placements"])


def test_example_submission_has_no_warnings() -> None:
    report = validate(EXAMPLES / "example-submission.xlsx")
    assert [i for i in report.issues if i.severity is Severity.WARNING] == []


def test_a_submission_given_as_a_dict_is_validated() -> None:
    report = validate(EXAMPLE)
    assert report.valid


# ---------------------------------------------------------------- invalid examples


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_invalid_json_example_fails_for_its_one_reason_at_its_path(case: dict[str, Any]) -> None:
    report = validate(INVALID / case["file"])
    found = errors(report.issues)
    assert not report.valid
    assert [i.code for i in found] == [expected_code(case)], [i.message for i in found]
    assert expected_path(case) in _places(found[0], "path")
    assert found[0].table == case["table"]
    assert case["field"] in _places(found[0], "field")


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_invalid_example_as_workbook_fails_at_its_cell(
    case: dict[str, Any], tmp_path: Path
) -> None:
    submission = json.loads((INVALID / case["file"]).read_text(encoding="utf-8"))
    workbook = tmp_path / "case.xlsx"
    write_xlsx(submission, workbook)
    report = validate(workbook)
    found = errors(report.issues)
    assert [i.code for i in found] == [expected_code(case)], [i.message for i in found]
    assert expected_cell(case) in _places(found[0], "cell")


def _places(issue: Issue, kind: str) -> set[str | None]:
    """Where an issue points: its own cell, and for a duplicated ID or a rule across
    fields also the other cells involved."""
    return {getattr(issue.location, kind)} | {getattr(place, kind) for place in issue.related}


# ---------------------------------------------------------------- same data, same issues


def _broken_submission() -> dict[str, Any]:
    """The example with several kinds of mistakes at once."""
    broken = copy.deepcopy(EXAMPLE)
    broken["placements"][0]["placement_type"] = "Fostr"
    broken["placements"][1]["end_date"] = "2020-01-01"
    broken["costs"][0]["total_weekly_cost"] = -5
    broken["children"][1]["birth_month"] = "2011-13"
    broken["referrals"][0]["child_id"] = "NO-SUCH-CHILD"
    return broken


def _signature(issues: list[Issue]) -> list[tuple[str, str | None, str | None]]:
    return sorted((i.code, i.table, i.field) for i in issues if i.code != "VALUE-NORMALISED")


def test_the_same_data_gives_the_same_issues_in_xlsx_csv_and_json(tmp_path: Path) -> None:
    broken = _broken_submission()
    write_json(broken, tmp_path / "broken.json")
    write_xlsx(broken, tmp_path / "broken.xlsx")
    write_csv_folder(broken, tmp_path / "csv")
    from_json = validate(tmp_path / "broken.json").issues
    from_xlsx = validate(tmp_path / "broken.xlsx").issues
    from_csv = validate(tmp_path / "csv").issues
    assert _signature(from_json) == _signature(from_xlsx) == _signature(from_csv)
    assert {
        "VALUE-CODE",
        "PLC-END-BEFORE-START",
        "VALUE-MINIMUM",
        "VALUE-PATTERN",
        "KEY-REFERENCE",
    } <= {i.code for i in from_xlsx}


def test_rows_and_cells_in_csv_match_the_workbook(tmp_path: Path) -> None:
    broken = _broken_submission()
    write_xlsx(broken, tmp_path / "broken.xlsx")
    write_csv_folder(broken, tmp_path / "csv")
    cells = lambda issues: sorted((i.code, i.table, i.cell) for i in issues)  # noqa: E731
    assert cells(validate(tmp_path / "broken.xlsx").issues) == cells(
        validate(tmp_path / "csv").issues
    )


def test_the_garbage_collector_is_paused_while_validating_then_resumed(monkeypatch) -> None:
    """Tens of thousands of issues and no reference cycles: full collections would only
    walk them. The collector is resumed afterwards, also after an input error."""
    import gc

    import sufficiency_standard.validation as validation

    during = []
    check = validation.check_submission

    def recording(*args, **kwargs):
        during.append(gc.isenabled())
        return check(*args, **kwargs)

    monkeypatch.setattr(validation, "check_submission", recording)
    assert gc.isenabled()
    validate(ROOT / "examples" / "example-submission.json")
    assert during == [False] and gc.isenabled()
    with pytest.raises(InputError):
        validate(ROOT / "examples" / "no-such-file.xlsx")
    assert gc.isenabled()


def test_the_garbage_collector_is_paused_while_a_report_is_written(tmp_path) -> None:
    """Each report is made of tens of thousands of new objects and no cycles; the
    collector is paused while any report is made (0.05 s of a JSON report at 1M rows)
    and resumed afterwards, also after an error."""
    import gc
    import io

    from rich.console import Console

    from sufficiency_standard.report.console import render_console
    from sufficiency_standard.report.html import render_html
    from sufficiency_standard.report.json_document import write_json
    from sufficiency_standard.report.workbook import render_workbook

    submission = copy.deepcopy(EXAMPLE)
    submission["children"][0]["sex"] = "Q"
    report = validate(submission)
    seen: list[bool] = []

    class Watched(list):
        """The report's issues, noting whether the collector runs when they are read."""

        def __iter__(self):
            seen.append(gc.isenabled())
            return super().__iter__()

        def __getitem__(self, index):
            seen.append(gc.isenabled())
            return super().__getitem__(index)

    report.issues = Watched(report.issues)
    renderers = {
        "json": lambda: write_json(report, io.BytesIO()),
        "console": lambda: render_console(report, Console(file=io.StringIO())),
        "html": lambda: render_html(report),
        "workbook": lambda: render_workbook(report, tmp_path / "report.xlsx", None),
    }
    for name, render in renderers.items():
        seen.clear()
        render()
        assert seen and not any(seen), name
        assert gc.isenabled(), name
    with pytest.raises(AttributeError):
        write_json(report, None)  # type: ignore[arg-type]
    assert gc.isenabled()


def test_issues_follow_the_standards_table_order(tmp_path) -> None:
    """Errors first; within them the whole input, then the tables as the standard orders
    them (submission, children, ... costs), not by name."""
    submission = copy.deepcopy(EXAMPLE)
    submission["costs"][0]["total_weekly_cost"] = -5
    submission["placements"][0]["placement_type"] = "Fostr"
    submission["children"][0]["sex"] = "Q"
    submission["la_code"] = "nope"
    write_csv_folder(submission, tmp_path / "csv")
    (tmp_path / "csv" / "notes.csv").write_text("a\n1\n", encoding="utf-8")  # unknown file
    report = validate(tmp_path / "csv")
    errors = [i.table for i in report.issues if i.severity is Severity.ERROR]
    assert errors == ["submission", "children", "placements", "costs"]
    kinds = [i.severity for i in report.issues]
    assert kinds == sorted(
        kinds, key=[Severity.ERROR, Severity.WARNING, Severity.INFORMATION].index
    )


def test_a_report_orders_issues_as_its_documentation_says() -> None:
    """Most severe first; the whole input, the standard's tables in its order, any other
    table by name; then row, path, cell and code; issues equal in all of these keep the
    order they were found in. Checked on every mix of these keys, shuffled."""
    import itertools
    import random

    from sufficiency_standard.issues import Location
    from sufficiency_standard.report.model import Report, VersionChoice

    order = ("submission", "children", "costs")
    places = [
        Location(table, "f", row, cell, path, "x.csv")
        for table, row, cell, path in itertools.product(
            [None, "costs", "children", "zebra", "apples", "submission"],
            [None, 9, 14, 100],
            [None, "D9", "D14", "AA9"],
            [None, "/costs/0/f", "/costs/10/f"],
        )
    ]
    issues = [
        Issue(code, severity, f"{number}", place)
        for number, (place, severity, code) in enumerate(
            itertools.product(places, list(Severity), ["B-CODE", "A-CODE"])
        )
    ]
    issues += [Issue("A-CODE", Severity.ERROR, f"again {n}", places[7]) for n in range(3)]
    shuffled = issues[:]
    random.Random(6).shuffle(shuffled)

    def expected_key(issue: Issue) -> tuple:
        table = issue.table
        if table is None:
            group: tuple = (-1, 0, "")
        elif table in order:
            group = (0, order.index(table), "")
        else:
            group = (1, 0, table)
        return (
            list(Severity).index(issue.severity),
            group,
            -1 if issue.row is None else issue.row,
            issue.path or "",
            issue.cell or "",
            issue.code,
        )

    report = Report(VersionChoice("0.2.0", "default"), [], shuffled[:], table_order=order)
    assert report.issues == sorted(shuffled, key=expected_key)
    again = [i.message for i in shuffled if i.message.startswith("again")]
    assert [i.message for i in report.issues if i.message.startswith("again")] == again
