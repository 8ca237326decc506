"""A JSON document means what the JSON Schema says ("One meaning everywhere").

A multivalued field is a JSON list: text joined with "; " (a cell's way) is an error at
its path in JSON, while CSV and workbook cells keep it. A value of another JSON type than
the schema's (an ID as a number, money as text) is still read, so it counts, and is
warned of once per field and type at its first path. Each case is a real file written
with json.dumps and validated through the library and the command.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from sufficiency_standard import json_schema, validate
from sufficiency_standard.issues import Issue, Severity
from sufficiency_standard.report.model import Report
from sufficiency_standard.write import write_csv_folder, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PATH = ROOT / "examples" / "example-submission.json"
EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
REPORT_SCHEMA = json.loads(
    (ROOT / "src" / "sufficiency_standard" / "report" / "report.schema.json").read_text()
)
NEW_CODES = ("JSON-NOT-A-LIST", "JSON-VALUE-TYPE")
SUPPORT = "/needs_assessments/0/additional_support"


def example(**changes: Any) -> dict[str, Any]:
    """The example with values replaced: "table/index/field" (or a top field) -> value."""
    document = copy.deepcopy(EXAMPLE)
    for where, value in changes.items():
        *row, name = where.split("/")
        target = document[row[0]][int(row[1])] if row else document
        target[name] = value
    return document


def write(tmp_path: Path, document: dict[str, Any], name: str = "submission.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def of(report: Report, code: str) -> list[Issue]:
    return [issue for issue in report.issues if issue.code == code]


def at(report: Report, path: str) -> list[str]:
    return [issue.code for issue in report.issues if issue.path == path]


def run_cli(path: Path) -> tuple[int, dict[str, Any]]:
    """`sufficiency validate <path> --format json` as a user runs it: exit code, report."""
    command = [sys.executable, "-m", "sufficiency_standard", "validate", str(path)]
    done = subprocess.run(
        [*command, "--format", "json"], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert "Traceback" not in done.stderr, done.stderr
    report = json.loads(done.stdout)
    Draft202012Validator(REPORT_SCHEMA).validate(report)
    return done.returncode, report


def cli_issue(report: dict[str, Any], code: str) -> tuple[str, str | None, str | None]:
    (issue,) = [i for i in report["issues"] if i["code"] == code]
    return issue["severity"], issue["path"], issue["field"]


# -- what is right stays right ---------------------------------------------------------


def test_the_example_document_gets_no_new_issue(tmp_path):
    """The example as shipped, and as json.dumps writes it, is judged as before: the same
    issues (none) as the same document given as a dict, which is read as cells are."""
    as_dict = [(i.code, i.path) for i in validate(copy.deepcopy(EXAMPLE)).issues]
    for path in (EXAMPLE_PATH, write(tmp_path, EXAMPLE)):
        report = validate(path)
        assert not [i for i in report.issues if i.code in NEW_CODES]
        assert [(i.code, i.path) for i in report.issues] == as_dict


def test_the_example_agrees_with_the_json_schema_on_lists_and_types():
    """What these checks hold a document to is what the JSON Schema says."""
    errors = Draft202012Validator(json_schema()).iter_errors(EXAMPLE)
    assert [e.message for e in errors if e.validator == "type"] == []


def test_joined_codes_in_csv_and_workbook_cells_are_read_as_before(tmp_path):
    """Only JSON changes: a cell holds a list as "; "-joined text."""
    write_csv_folder(EXAMPLE, tmp_path / "csv")
    cells = (tmp_path / "csv" / "needs_assessments.csv").read_text(encoding="utf-8")
    assert "Additional supervision; Therapeutic support" in cells
    write_xlsx(EXAMPLE, tmp_path / "submission.xlsx")
    for path in (tmp_path / "csv", tmp_path / "submission.xlsx"):
        report = validate(path)
        assert report.valid, [i.message for i in report.issues]
        assert not [i for i in report.issues if i.code in NEW_CODES]


def test_a_dict_given_directly_is_read_as_cells_are():
    """The importers and pseudonymisation hand over dicts of cell text (lists joined,
    numbers as text); validate() of a dict does not hold them to JSON types."""
    document = example(
        **{
            "needs_assessments/0/additional_support": "Therapeutic support; Other",
            "costs/0/total_weekly_cost": "420.00",
        }
    )
    report = validate(document)
    assert not [i for i in report.issues if i.code in NEW_CODES]
    assert report.valid


# -- a multivalued field is a JSON list ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "example_list", "what"),
    [
        (
            "Therapeutic support; Other",
            '["Therapeutic support", "Other"]',
            'it is the text "Therapeutic support; Other"',
        ),
        (
            "Therapeutic support, Other",
            '["Therapeutic support", "Other"]',
            'it is the text "Therapeutic support, Other"',
        ),
        ("Other", '["Other"]', 'it is the text "Other"'),  # one code is not a list either
        ("", "[]", 'it is the text ""'),
        (3, '["Additional supervision", "Therapeutic support"]', "it is a number (3)"),
        (
            {"code": "Other"},
            '["Additional supervision", "Therapeutic support"]',
            "it is an object",
        ),
    ],
)
def test_a_multivalued_field_that_is_not_a_list_is_an_error_at_its_path(
    tmp_path, value, example_list, what
):
    path = write(tmp_path, example(**{"needs_assessments/0/additional_support": value}))
    report = validate(path)
    (issue,) = of(report, "JSON-NOT-A-LIST")
    assert issue.severity is Severity.ERROR
    assert (issue.path, issue.table, issue.field) == (
        SUPPORT,
        "needs_assessments",
        "additional_support",
    )
    assert issue.location.source == "submission.json"
    assert issue.message == (
        f"additional_support must be a list such as {example_list} in JSON; {what}."
    )
    assert not report.valid
    assert "JSON-VALUE-TYPE" not in at(report, SUPPORT)  # one issue for one mistake


def test_joined_codes_are_still_read_so_the_one_error_is_the_list(tmp_path):
    """The text is read as a cell's would be: its codes count, and no second error (not
    an allowed code, a rule on the list) comes from it."""
    path = write(
        tmp_path,
        example(**{"needs_assessments/0/additional_support": "Therapeutic support; Other"}),
    )
    report = validate(path)
    assert [i.code for i in report.issues if i.severity is Severity.ERROR] == ["JSON-NOT-A-LIST"]
    # The same list, written as a list, is valid: the text meant the same codes.
    listed = example(**{"needs_assessments/0/additional_support": ["Therapeutic support", "Other"]})
    assert validate(write(tmp_path, listed, "listed.json")).valid


def test_an_item_holding_several_codes_is_an_error_at_the_item(tmp_path):
    field = "needs_assessments/1/communication_requirements"
    path = write(tmp_path, example(**{field: ["ESOL", "BSL, Makaton"]}))
    (issue,) = of(validate(path), "JSON-NOT-A-LIST")
    assert issue.severity is Severity.ERROR
    assert issue.path == f"/{field}/1"
    assert issue.message == (
        'communication_requirements must be a list such as ["ESOL", "BSL", "Makaton"] in '
        'JSON; its item 1 is the text "BSL, Makaton".'
    )


def test_a_personal_multivalued_value_is_not_quoted(tmp_path):
    """other_risks is free text about a child: the message never shows it."""
    secret = "Risk known to the police; other"
    path = write(tmp_path, example(**{"needs_assessments/0/other_risks": secret}))
    (issue,) = of(validate(path), "JSON-NOT-A-LIST")
    assert issue.path == "/needs_assessments/0/other_risks"
    assert issue.personal and issue.value == secret
    assert "police" not in issue.message and issue.message.endswith("; it is text.")


# -- a value of another JSON type is warned of, and still counts -------------------------


def test_values_of_another_json_type_are_warned_of_once_per_field_and_type(tmp_path):
    total = EXAMPLE["costs"][1]["total_weekly_cost"]
    document = example(
        **{
            "source_system": True,
            "referrals/0/siblings_to_place_with": "0",
            "costs/0/total_weekly_cost": "420.00",  # money as text, twice: one warning
            "costs/1/total_weekly_cost": f"{total:.2f}",
        }
    )
    document["children"].append({"child_id": 4321, "birth_month": "2012-01", "sex": "F"})
    added = len(document["children"]) - 1
    report = validate(write(tmp_path, document))

    warnings = {issue.path: issue for issue in of(report, "JSON-VALUE-TYPE")}
    assert set(warnings) == {
        "/source_system",
        "/referrals/0/siblings_to_place_with",
        "/costs/0/total_weekly_cost",
        f"/children/{added}/child_id",
    }
    assert {issue.severity for issue in warnings.values()} == {Severity.WARNING}
    assert warnings["/costs/0/total_weekly_cost"].message == (
        "total_weekly_cost is text at /costs/0/total_weekly_cost (and 1 more), but in JSON "
        'the standard wants a number without quotes, such as 420.00 (not "420.00"). Values '
        "like this are still read and checked, so they count."
    )
    assert warnings["/referrals/0/siblings_to_place_with"].message.startswith(
        "siblings_to_place_with is text at /referrals/0/siblings_to_place_with, but in JSON "
        "the standard wants a whole number without quotes"
    )
    assert warnings["/source_system"].message.startswith(
        "source_system is a true/false value at /source_system, but in JSON the standard "
        "wants text in quotes"
    )
    # The child's ID is personal: named, never shown.
    child = warnings[f"/children/{added}/child_id"]
    assert (child.table, child.field, child.personal, child.value) == (
        "children",
        "child_id",
        True,
        "4321",
    )
    assert child.message.startswith("child_id is a number at ") and "4321" not in child.message
    # Every value still counted: the totals add up, the child exists, nothing is an error.
    assert report.valid, [i.message for i in report.issues if i.severity is Severity.ERROR]
    assert report.rows["children"] == len(document["children"])


def test_a_number_for_a_code_is_warned_of_besides_the_code_error(tmp_path):
    path = write(tmp_path, example(**{"children/0/sex": 1}))
    report = validate(path)
    assert sorted(at(report, "/children/0/sex")) == ["JSON-VALUE-TYPE", "VALUE-CODE"]
    (warning,) = of(report, "JSON-VALUE-TYPE")
    assert warning.severity is Severity.WARNING
    assert "sex is a number at /children/0/sex" in warning.message
    assert "one of its codes such as" in warning.message


def test_a_number_for_a_date_is_not_a_date_and_is_warned_of(tmp_path):
    """A date is text in JSON ("2025-04-01", as the example has it); a number there is
    not read as an Excel serial date, so it is the date error, and the type warning says
    how JSON writes a date."""
    report = validate(write(tmp_path, example(period_start=20250401)))
    assert sorted(at(report, "/period_start")) == ["JSON-VALUE-TYPE", "VALUE-DATE"]
    (warning,) = of(report, "JSON-VALUE-TYPE")
    assert 'a date as text in quotes, such as "2025-04-01"' in warning.message
    assert not report.valid


def test_an_item_of_another_type_in_a_list_is_warned_of_at_the_item(tmp_path):
    path = write(
        tmp_path, example(**{"needs_assessments/3/communication_requirements": ["ESOL", 7]})
    )
    (warning,) = of(validate(path), "JSON-VALUE-TYPE")
    assert warning.path == "/needs_assessments/3/communication_requirements/1"
    assert warning.message.startswith("communication_requirements is a number at ")


def test_an_object_in_a_text_field_is_no_longer_silent(tmp_path):
    """provider_name is free text: its JSON text was read as a name without a word."""
    path = write(tmp_path, example(**{"providers/0/provider_name": {"name": "Acme"}}))
    (warning,) = of(validate(path), "JSON-VALUE-TYPE")
    assert (warning.path, warning.severity) == ("/providers/0/provider_name", Severity.WARNING)
    assert warning.message.startswith("provider_name is an object at /providers/0/provider_name")


# -- the command -------------------------------------------------------------------------


def test_the_command_reports_both_with_their_json_paths(tmp_path):
    document = example(
        **{
            "needs_assessments/0/additional_support": "Therapeutic support; Other",
            "costs/0/total_weekly_cost": "420.00",
        }
    )
    code, report = run_cli(write(tmp_path, document))
    assert code == 1 and report["valid"] is False
    assert cli_issue(report, "JSON-NOT-A-LIST") == ("error", SUPPORT, "additional_support")
    assert cli_issue(report, "JSON-VALUE-TYPE") == (
        "warning",
        "/costs/0/total_weekly_cost",
        "total_weekly_cost",
    )


def test_the_command_passes_the_example_with_no_new_issue(tmp_path):
    code, report = run_cli(write(tmp_path, EXAMPLE))
    assert code == 0 and report["valid"] is True
    assert not [i for i in report["issues"] if i["code"] in NEW_CODES]
