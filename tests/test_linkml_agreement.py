"""Stock LinkML tools, the JSON Schema and our validator mean the same thing.

A standard whose data two tools read differently fails its purpose, so the examples
are judged three ways: `linkml validate` (LinkML's own validator, JSON Schema plugin),
the published JSON Schema, and `sufficiency validate`. LinkML's own CSV loader reads the
standard's CSV files, because the schema declares how a multivalued cell is written.
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
from linkml.validator import Validator
from linkml.validator.plugins import JsonschemaValidationPlugin
from linkml_runtime.loaders import csv_loader
from linkml_runtime.utils.schemaview import SchemaView

import sufficiency_standard as s
from sufficiency_standard.shipped import schema_path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "example-submission.json"
INVALID = ROOT / "tests" / "data" / "invalid"
CASES = json.loads((INVALID / "cases.json").read_text(encoding="utf-8"))
# Identifiers and references span rows: neither LinkML's JSON Schema plugin nor the JSON
# Schema can see them, only our validator.
ACROSS_ROWS = {"identifier", "reference"}


@pytest.fixture(scope="module")
def linkml() -> Validator:
    return Validator(
        str(schema_path()), validation_plugins=[JsonschemaValidationPlugin(closed=True)]
    )


@pytest.fixture(scope="module")
def json_schema() -> Draft202012Validator:
    return Draft202012Validator(s.json_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def _without_nulls(value: Any) -> Any:
    """The document as `linkml validate` loads a file: a null value is no value."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _linkml_messages(linkml: Validator, document: dict[str, Any]) -> list[str]:
    found = linkml.iter_results(_without_nulls(document), "Submission")
    return [result.message for result in found]


def _linkml_cli(path: Path) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).with_name("linkml")
    return subprocess.run(
        [str(command), "validate", "-s", str(schema_path()), "-C", "Submission", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_example_is_valid_to_linkml_json_schema_and_us(
    linkml: Validator, json_schema: Draft202012Validator
) -> None:
    document = _read(EXAMPLE)
    assert _linkml_messages(linkml, document) == []
    assert list(json_schema.iter_errors(document)) == []
    report = s.validate(EXAMPLE)
    # Nothing but the note that the IDs are not yet pseudonymised (issue 19, item 14).
    assert report.valid and {i.code for i in report.issues} <= {"NOT-PSEUDONYMISED"}


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_each_invalid_example_fails_under_linkml_exactly_when_json_schema_says(
    case: dict[str, Any], linkml: Validator, json_schema: Draft202012Validator
) -> None:
    document = _read(INVALID / case["file"])
    by_linkml = _linkml_messages(linkml, document)
    by_json_schema = list(json_schema.iter_errors(document))
    ours = [i for i in s.validate(INVALID / case["file"]).issues if i.severity.value == "error"]
    assert ours, f"our validator finds nothing wrong with {case['file']}"
    if case["constraint"] in ACROSS_ROWS:
        assert by_linkml == [] and by_json_schema == []
    else:
        assert by_linkml, f"linkml validate finds nothing wrong with {case['file']}"
        assert by_json_schema


def test_an_open_placement_with_a_null_end_date_needs_no_end_reason(
    tmp_path: Path, linkml: Validator, json_schema: Draft202012Validator
) -> None:
    """PLC-END-REASON means the same to LinkML, the JSON Schema and us: null is absent."""
    document = _read(EXAMPLE)
    open_placement = next(p for p in document["placements"] if "end_date" not in p)
    open_placement["end_date"] = None
    open_placement.pop("end_reason", None)
    path = tmp_path / "open.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert _linkml_messages(linkml, document) == []
    stock = _linkml_cli(path)
    assert stock.returncode == 0 and "No issues found" in stock.stdout, stock.stdout
    assert list(json_schema.iter_errors(document)) == []
    assert "PLC-END-REASON" not in {i.code for i in s.validate(path).issues}

    ended = copy.deepcopy(document)
    placement = next(p for p in ended["placements"] if p.get("end_reason"))
    del placement["end_reason"]
    path.write_text(json.dumps(ended), encoding="utf-8")
    assert any("end_reason" in m for m in _linkml_messages(linkml, ended))
    stock = _linkml_cli(path)
    assert stock.returncode != 0 and "end_reason" in stock.stdout, stock.stdout
    assert list(json_schema.iter_errors(ended))
    assert "PLC-END-REASON" in {i.code for i in s.validate(path).issues}


def test_linkml_csv_loader_reads_a_multivalued_cell_as_the_json_list() -> None:
    view = SchemaView(str(schema_path()))
    assert view.schema.annotations["list_delimiter"].value == ";"
    loaded = csv_loader.load_as_dict(
        str(ROOT / "examples" / "csv" / "needs_assessments.csv"),
        index_slot="needs_assessments",
        schemaview=view,
    )["needs_assessments"]
    from_csv = {row["needs_id"]: row.get("additional_support") for row in loaded}
    from_json = {
        row["needs_id"]: row.get("additional_support")
        for row in _read(EXAMPLE)["needs_assessments"]
    }
    assert any(isinstance(v, list) and len(v) > 1 for v in from_json.values())
    assert from_csv == from_json


RULE_EXAMPLES = ROOT / "tests" / "data" / "rules-0.3.0"
RULE_CASES = json.loads((RULE_EXAMPLES / "cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", RULE_CASES, ids=[case["code"] for case in RULE_CASES])
def test_rules_beyond_the_schema_are_ours_alone_and_their_examples_schema_valid(
    case: dict[str, Any], linkml: Validator, json_schema: Draft202012Validator
) -> None:
    """A rule across rows or tables (or arithmetic) is beyond LinkML and JSON Schema: both
    examples of such a rule are valid to them, and only our validator tells them apart."""
    for kind in ("valid", "invalid"):
        path = RULE_EXAMPLES / case[kind]
        document = _read(path)
        assert _linkml_messages(linkml, document) == [], path.name
        assert list(json_schema.iter_errors(document)) == [], path.name
        found = {issue.code for issue in s.validate(path).issues}
        assert (case["code"] in found) == (kind == "invalid"), (path.name, found)
