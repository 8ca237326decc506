"""The example submission is valid and the same in every format; each invalid example
breaks exactly the constraint it is named after.

JSON Schema and the Pydantic models are used as two independent judges of the
single-field constraints and the class rules. Unique IDs and references between tables
are beyond both, so those invalid examples must pass them: only the validator can
catch them.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pydantic
import pytest
from jsonschema import Draft202012Validator
from scripts_loader import load_script

from sufficiency_standard import json_schema, models
from sufficiency_standard.standard import Field, load_standard
from sufficiency_standard.write import (
    EXCEL_DATE_FORMAT,
    EXCEL_DECIMAL_FORMAT,
    MULTIVALUE_SEPARATOR,
    submission_to_tables,
    write_csv_folder,
    write_xlsx,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE_JSON = EXAMPLES / "example-submission.json"
EXAMPLE_XLSX = EXAMPLES / "example-submission.xlsx"
EXAMPLE_CSV = EXAMPLES / "csv"
INVALID = ROOT / "tests" / "data" / "invalid"
CASES = json.loads((INVALID / "cases.json").read_text(encoding="utf-8"))
STANDARD = load_standard()
ONLY_THE_VALIDATOR_SEES = ("identifier", "reference")


make_examples = load_script("make_examples")
make_invalid_examples = load_script("make_invalid_examples")


def read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    return read_json(EXAMPLE_JSON)


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    return Draft202012Validator(json_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


# ---------------------------------------------------------------- one format, one shape


def normalised(value: Any, spec: Field) -> Any:
    """A cell or JSON value as one comparable Python value, whatever format it came from."""
    if value is None or value == "" or value == []:
        return None
    if spec.multivalued:
        items = value.split(MULTIVALUE_SEPARATOR) if isinstance(value, str) else value
        return tuple(normalised_single(item, spec.kind) for item in items)
    return normalised_single(value, spec.kind)


def normalised_single(value: Any, kind: str) -> Any:
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        return value if isinstance(value, date) else date.fromisoformat(value)
    if kind == "integer":
        return int(value)
    if kind == "decimal":
        return Decimal(str(value))
    return str(value)


def tables_from_json(submission: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    tables = {}
    for table in STANDARD.tables:
        rows = [submission] if table.one_row else submission.get(table.name, [])
        tables[table.name] = [
            {f.name: normalised(row.get(f.name), f) for f in table.fields} for row in rows
        ]
    return tables


def tables_from_csv(folder: Path) -> dict[str, list[dict[str, Any]]]:
    tables = {}
    for table in STANDARD.tables:
        with (folder / f"{table.name}.csv").open(encoding="utf-8", newline="") as handle:
            header, *rows = list(csv.reader(handle))
        assert header == [f.name for f in table.fields], table.name
        tables[table.name] = [
            {f.name: normalised(cell, f) for f, cell in zip(table.fields, row, strict=True)}
            for row in rows
        ]
    return tables


def tables_from_xlsx(path: Path) -> dict[str, list[dict[str, Any]]]:
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == list(STANDARD.table_names)
    tables = {}
    for table in STANDARD.tables:
        header, *rows = workbook[table.name].iter_rows(values_only=True)
        assert list(header) == [f.name for f in table.fields], table.name
        tables[table.name] = [
            {f.name: normalised(cell, f) for f, cell in zip(table.fields, row, strict=True)}
            for row in rows
        ]
    return tables


def workbook_cells(path: Path) -> dict[str, list[list[tuple[Any, str]]]]:
    workbook = openpyxl.load_workbook(path)
    return {
        sheet.title: [[(c.value, c.number_format) for c in row] for row in sheet.iter_rows()]
        for sheet in workbook
    }


def test_csv_files_hold_the_same_data_as_the_json(example: dict[str, Any]) -> None:
    assert tables_from_csv(EXAMPLE_CSV) == tables_from_json(example)


def test_workbook_holds_the_same_data_as_the_json(example: dict[str, Any]) -> None:
    assert tables_from_xlsx(EXAMPLE_XLSX) == tables_from_json(example)


def test_workbook_has_real_dates_and_numbers() -> None:
    workbook = openpyxl.load_workbook(EXAMPLE_XLSX)
    for table in STANDARD.tables:
        sheet = workbook[table.name]
        for column, spec in enumerate(table.fields, start=1):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                if cell.value is None or spec.multivalued:
                    continue
                where = f"{table.name}!{cell.coordinate}"
                if spec.kind == "date":
                    assert isinstance(cell.value, datetime), where
                    assert cell.number_format == EXCEL_DATE_FORMAT, where
                elif spec.kind == "integer":
                    assert isinstance(cell.value, int), where
                elif spec.kind == "decimal":
                    assert isinstance(cell.value, (int, float)), where
                    assert cell.number_format == EXCEL_DECIMAL_FORMAT, where
                else:
                    assert isinstance(cell.value, str), where


def test_writing_a_model_dump_gives_the_same_tables(
    example: dict[str, Any], tmp_path: Path
) -> None:
    dumped = models.Submission.model_validate(example).model_dump(exclude_none=True)
    write_csv_folder(dumped, tmp_path / "csv")
    write_xlsx(dumped, tmp_path / "dump.xlsx")
    expected = tables_from_json(example)
    assert tables_from_csv(tmp_path / "csv") == expected
    assert tables_from_xlsx(tmp_path / "dump.xlsx") == expected


def test_submission_to_tables_gives_every_field_of_every_table(example: dict[str, Any]) -> None:
    tables = submission_to_tables(example)
    assert list(tables) == list(STANDARD.table_names)
    assert len(tables["submission"]) == 1
    for table in STANDARD.tables:
        expected_rows = 1 if table.one_row else len(example[table.name])
        assert len(tables[table.name]) == expected_rows
        assert all(list(row) == [f.name for f in table.fields] for row in tables[table.name])


# ---------------------------------------------------------------- the example is valid and current


def test_example_is_valid_json_schema(
    example: dict[str, Any], validator: Draft202012Validator
) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(example)]
    assert errors == []


def test_example_loads_into_the_models(example: dict[str, Any]) -> None:
    submission = models.Submission.model_validate(example)
    assert submission.la_code == "E06000066"
    assert len(submission.placements) == len(example["placements"])


def test_example_files_are_current(tmp_path: Path) -> None:
    make_examples.make_examples(tmp_path)
    assert (tmp_path / "example-submission.json").read_text(encoding="utf-8") == (
        EXAMPLE_JSON.read_text(encoding="utf-8")
    ), "run python scripts/make_examples.py"
    written = sorted(p.name for p in (tmp_path / "csv").iterdir())
    assert sorted(p.name for p in EXAMPLE_CSV.iterdir()) == written
    for name in written:
        assert (tmp_path / "csv" / name).read_text(encoding="utf-8") == (
            EXAMPLE_CSV / name
        ).read_text(encoding="utf-8"), f"{name}: run python scripts/make_examples.py"
    assert workbook_cells(tmp_path / "example-submission.xlsx") == workbook_cells(EXAMPLE_XLSX)


def test_invalid_examples_are_current(tmp_path: Path) -> None:
    make_invalid_examples.make_invalid_examples(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert sorted(p.name for p in INVALID.iterdir()) == written
    for name in written:
        assert (tmp_path / name).read_text(encoding="utf-8") == (INVALID / name).read_text(
            encoding="utf-8"
        ), f"{name}: run python scripts/make_invalid_examples.py"


# ---------------------------------------------------------------- each invalid example


def case_key(case: dict[str, Any]) -> tuple[str, str, str]:
    return (case["table"], case["constraint"], case["rule_code"] or case["field"])


def test_every_constraint_of_the_standard_has_an_invalid_example() -> None:
    expected = {c.key for c in make_invalid_examples.constraints(STANDARD)}
    covered = [case_key(case) for case in CASES]
    assert len(covered) == len(set(covered)), "two cases for one constraint"
    assert set(covered) == expected
    assert all((INVALID / case["file"]).is_file() for case in CASES)


def changed_fields(original: dict[str, Any], changed: dict[str, Any]) -> list[tuple[str, int, str]]:
    """Every (table, row index, field) whose value differs between two submissions."""
    found = []
    for table in STANDARD.tables:
        before = [original] if table.one_row else original.get(table.name, [])
        after = [changed] if table.one_row else changed.get(table.name, [])
        assert len(before) == len(after), table.name
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            for spec in table.fields:
                if old.get(spec.name, None) != new.get(spec.name, None):
                    found.append((table.name, index, spec.name))
    return found


def expected_json_path(case: dict[str, Any]) -> list[Any]:
    row = [] if case["table"] == "submission" else [case["table"], case["row_index"]]
    return row if case["constraint"] in ("required", "rule") else [*row, case["field"]]


def starts_with(sequence: list[Any] | tuple[Any, ...], prefix: list[Any]) -> bool:
    return list(sequence[: len(prefix)]) == prefix


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_invalid_example_differs_from_the_example_in_one_place(
    case: dict[str, Any], example: dict[str, Any]
) -> None:
    changed = read_json(INVALID / case["file"])
    assert changed_fields(example, changed) == [(case["table"], case["row_index"], case["field"])]


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_invalid_example_is_judged_by_json_schema_at_its_row_and_field(
    case: dict[str, Any], validator: Draft202012Validator
) -> None:
    errors = list(validator.iter_errors(read_json(INVALID / case["file"])))
    if case["constraint"] in ONLY_THE_VALIDATOR_SEES:
        assert errors == [], "JSON Schema cannot see IDs across rows; only the validator can"
        return
    assert errors, case["reason"]
    path = expected_json_path(case)
    misplaced = [(list(e.absolute_path), e.message) for e in errors]
    assert all(starts_with(list(e.absolute_path), path) for e in errors), misplaced
    if case["constraint"] == "required":
        assert any(f"'{case['field']}' is a required property" in e.message for e in errors)


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_invalid_example_is_judged_by_the_models_at_its_row_and_field(
    case: dict[str, Any],
) -> None:
    document = read_json(INVALID / case["file"])
    if case["constraint"] in ONLY_THE_VALIDATOR_SEES:
        models.Submission.model_validate(document)  # the models cannot see IDs across rows
        return
    with pytest.raises(pydantic.ValidationError) as raised:
        models.Submission.model_validate(document)
    errors = raised.value.errors()
    path = expected_json_path(case)
    if case["constraint"] == "required":
        path = [*path, case["field"]]
    assert all(starts_with(e["loc"], path) for e in errors), [(e["loc"], e["msg"]) for e in errors]
    if case["constraint"] == "rule":
        assert any(case["rule_code"] in e["msg"] for e in errors)
