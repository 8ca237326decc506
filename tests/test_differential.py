"""The validator and JSON Schema agree, field by field, on random single-table records.

Hypothesis builds one record of a table, each field absent, valid or invalid in a way
both judges understand. The record goes into a submission otherwise taken from the
example, is judged by the validator (its value-level issues) and by JSON Schema
(Draft 2020-12 with format checking, its errors under that record), and the two sets of
fields found wrong must be equal.

Left out on purpose, because the two differ by design: forms the validator accepts and
normalises (dd/mm/yyyy dates, "y" for Yes, codes in another case), cross-field rules,
references, and money with more than two decimal places (JSON Schema cannot say it).
"""

from __future__ import annotations

import copy
import json
import re
import string
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from sufficiency_standard import json_schema
from sufficiency_standard.catalogue import ENTRIES
from sufficiency_standard.standard import Field, load_standard
from sufficiency_standard.validation import validate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = json.loads((ROOT / "examples" / "example-submission.json").read_text(encoding="utf-8"))
STANDARD = load_standard()
VALIDATOR = Draft202012Validator(json_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
TABLES = ("children", "placements", "costs", "needs_assessments")
FIELD_STAGES = {"value"}

ABSENT = object()
_TEXT = st.text(string.ascii_letters + string.digits + " -'", min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s != ""
)


def _valid_pattern_value(field: Field) -> st.SearchStrategy[str]:
    regex = st.from_regex(field.pattern, fullmatch=True).filter(lambda s: "\n" not in s)
    return st.one_of(st.sampled_from(field.examples), regex) if field.examples else regex


def _invalid_pattern_value(field: Field) -> st.SearchStrategy[str]:
    tidy = lambda s: " ".join(s.upper().split())  # noqa: E731 - the validator's tidying
    return _TEXT.filter(lambda s: not re.search(field.pattern or "", tidy(s)))


def _field_value(field: Field) -> st.SearchStrategy[tuple[str, Any]]:
    """(verdict, value): verdict is "ok" or "bad" for both judges."""
    if field.kind == "enum":
        assert field.code_list is not None
        codes = list(field.code_list.codes)
        known = {c.lower() for c in codes} | {"y", "n", "yes", "no", "true", "false", "1", "0"}
        bad_code = _TEXT.filter(lambda s: " ".join(s.lower().split()) not in known)
        if field.multivalued:
            good = st.lists(st.sampled_from(codes), min_size=1, max_size=3, unique=True)
            bad = st.tuples(st.sampled_from(codes), bad_code).map(list)
        else:
            good, bad = st.sampled_from(codes), bad_code
    elif field.kind == "date":
        good = st.dates().filter(lambda d: 1950 <= d.year <= 2025).map(lambda d: d.isoformat())
        bad = st.sampled_from(["2024-02-30", "2024-13-01", "yesterday", "01/13/2024", "2024/01/05"])
    elif field.kind == "integer":
        low = int(field.minimum) if field.minimum is not None else -1000
        good = st.integers(min_value=low, max_value=low + 50)
        bad = (
            st.integers(max_value=low - 1, min_value=low - 50)
            if field.minimum is not None
            else st.sampled_from(["many", "2.5"])
        )
    elif field.kind == "decimal":
        low = field.minimum if field.minimum is not None else -1000
        good = st.integers(min_value=int(low * 100), max_value=int(low * 100) + 900_000).map(
            lambda pence: pence / 100
        )
        bad = (
            st.integers(min_value=-90_000, max_value=-1).map(lambda pence: pence / 100)
            if field.minimum is not None
            else st.sampled_from(["lots"])
        )
    elif field.pattern:
        good, bad = _valid_pattern_value(field), _invalid_pattern_value(field)
    elif field.multivalued:  # free text, several values: a JSON array of strings
        good, bad = st.lists(_TEXT, min_size=1, max_size=3), st.nothing()
    else:
        good, bad = _TEXT, st.nothing()
    choices = [good.map(lambda v: ("ok", v)), bad.map(lambda v: ("bad", v))]
    if not field.required:
        choices.append(st.just(("ok", ABSENT)))
    else:
        choices.append(st.just(("bad", ABSENT)))
    return st.one_of(choices)


@st.composite
def single_records(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    table = STANDARD.table(draw(st.sampled_from(TABLES)))
    record: dict[str, Any] = {}
    for field in table.fields:
        if field.identifier or field.references:
            continue  # keys are judged by the validator alone; keep the example's
        _, value = draw(_field_value(field))
        if value is not ABSENT:
            record[field.name] = value
    return table.name, record


def _json_schema_fields(submission: dict[str, Any], table: str) -> set[str]:
    wrong = set()
    for error in VALIDATOR.iter_errors(submission):
        path = list(error.absolute_path)
        if len(path) < 2 or path[0] != table or path[1] != 0:
            continue
        if "allOf" in error.absolute_schema_path:
            continue  # a class rule: cross-field, not field-level
        if len(path) >= 3:
            wrong.add(str(path[2]))
        elif error.validator == "required":
            wrong.add(re.match(r"'(\w+)'", error.message).group(1))
    return wrong


def _validator_fields(submission: dict[str, Any], table: str) -> set[str]:
    report = validate(submission)
    prefix = f"/{table}/0/"
    return {
        issue.field
        for issue in report.issues
        if ENTRIES[issue.code].stage in FIELD_STAGES
        and issue.severity.value == "error"
        and (issue.path or "").startswith(prefix)
        and issue.field is not None
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(single_records())
def test_field_verdicts_agree_with_json_schema(generated: tuple[str, dict[str, Any]]) -> None:
    table, record = generated
    submission = copy.deepcopy(EXAMPLE)
    keys = {
        f.name: submission[table][0][f.name]
        for f in STANDARD.table(table).fields
        if (f.identifier or f.references) and f.name in submission[table][0]
    }
    submission[table][0] = {**keys, **record}
    assert _validator_fields(submission, table) == _json_schema_fields(submission, table)
