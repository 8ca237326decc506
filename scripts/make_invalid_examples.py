"""Write tests/data/invalid/: one broken copy of the example submission per schema constraint.

Each file is examples/example-submission.json with exactly one change that breaks
exactly one constraint of the schema: a required value removed, a value that does not
match its pattern, a code not in its code list, a number below its minimum (or above
its maximum), a duplicated ID, an ID that points at no row, or a broken class rule.
The constraints are enumerated from the compiled standard, never listed by hand, so a
constraint added to the schema gets its own case (and the tests fail until it does).

For each constraint the script tries the rows of its table in order and keeps the
first change after which that constraint, and no other, is broken. cases.json lists
every file with what it breaks and where, for the tests and for validator authors; its
also_breaks names what cannot help breaking too (a reference that does not match its
pattern cannot name any row either).

    python scripts/make_invalid_examples.py            # into tests/data/invalid/
    python scripts/make_invalid_examples.py --out DIR
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sufficiency_standard.standard import (
    Condition,
    Field,
    SchemaRule,
    Standard,
    Table,
    load_standard,
)
from sufficiency_standard.write import write_json

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "examples" / "example-submission.json"
OUT = ROOT / "tests" / "data" / "invalid"

ConstraintKind = str  # required, pattern, enum, minimum, maximum, identifier, reference, rule

# Realistic mistakes for patterned fields, each with the value it should have been. A
# field gets the first mistake whose correct form fits its pattern and which does not.
PATTERN_MISTAKES = (
    ("TA1 2AB", "TA1 2"),  # a full postcode where a sector or district belongs
    ("E07000187", "E06000066"),  # a district council (Mendip) where an upper-tier LA belongs
    ("2011-13", "2011-12"),  # a month that does not exist
    ("0.1", "0.1.0"),  # a version without its patch number
    ("1234567", "01234567"),  # a company number that lost its leading zero
    ("SC12345", "SC123456"),  # an Ofsted URN with a digit missing
)
NOT_A_CODE = "Other (see notes)"  # free text typed where a code belongs


@dataclass(frozen=True)
class Constraint:
    """One constraint of the schema: a kind on a table's field, or one of its class rules."""

    table: str
    kind: ConstraintKind
    field: str | None = None  # None for a rule
    rule_code: str | None = None  # rules only

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.table, self.kind, self.rule_code or self.field or "")


def constraints(standard: Standard) -> list[Constraint]:
    """Every constraint the compiled standard carries, in schema order."""
    found = []
    for table in standard.tables:
        for spec in table.fields:
            checks = {
                "required": spec.required,
                "pattern": spec.pattern is not None,
                "enum": spec.code_list is not None,
                "minimum": spec.minimum is not None,
                "maximum": spec.maximum is not None,
                "identifier": spec.identifier,
                "reference": spec.references is not None,
            }
            found += [Constraint(table.name, kind, spec.name) for kind, on in checks.items() if on]
        found += [Constraint(table.name, "rule", rule_code=rule.code) for rule in table.rules]
    return found


# ---------------------------------------------------------------- what a submission breaks


def _rows(submission: dict[str, Any], table: Table) -> list[dict[str, Any]]:
    return [submission] if table.one_row else submission.get(table.name) or []


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _values(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _condition_holds(row: dict[str, Any], condition: Condition) -> bool:
    value = row.get(condition.field)
    if condition.absent:
        return _blank(value)
    if (condition.present or condition.required) and _blank(value):
        return False
    return condition.values is None or value in condition.values


def _rule_broken(row: dict[str, Any], rule: SchemaRule) -> bool:
    return all(_condition_holds(row, c) for c in rule.when) and not all(
        _condition_holds(row, c) for c in rule.then
    )


def _field_broken(kind: ConstraintKind, spec: Field, value: Any) -> bool:
    """Whether one value breaks a single-field constraint (blank values break only required)."""
    if kind == "required":
        return _blank(value)
    if _blank(value):
        return False
    items = _values(value)
    if kind == "pattern":
        return any(not isinstance(v, str) or not re.search(spec.pattern, v) for v in items)
    if kind == "enum":
        return any(v not in spec.code_list.codes for v in items)
    if kind == "minimum":
        return any(isinstance(v, (int, float)) and v < spec.minimum for v in items)
    if kind == "maximum":
        return any(isinstance(v, (int, float)) and v > spec.maximum for v in items)
    return False


def broken_constraints(submission: dict[str, Any], standard: Standard) -> set[tuple[str, str, str]]:
    """The keys (see Constraint.key) of every schema constraint the submission breaks."""
    broken = set()
    ids = {
        t.name: [row.get(t.identifier.name) for row in _rows(submission, t)]
        for t in standard.tables
        if t.identifier is not None
    }
    for constraint in constraints(standard):
        table = standard.table(constraint.table)
        rows = _rows(submission, table)
        if constraint.kind == "rule":
            rule = next(r for r in table.rules if r.code == constraint.rule_code)
            is_broken = any(_rule_broken(row, rule) for row in rows)
        elif constraint.kind == "identifier":
            present = [v for v in ids[table.name] if not _blank(v)]
            is_broken = len(present) != len(set(present))
        elif constraint.kind == "reference":
            spec = table.field(constraint.field)
            targets = set(ids[spec.references])
            is_broken = any(
                not _blank(row.get(spec.name)) and row.get(spec.name) not in targets for row in rows
            )
        else:
            spec = table.field(constraint.field)
            is_broken = any(
                _field_broken(constraint.kind, spec, row.get(spec.name)) for row in rows
            )
        if is_broken:
            broken.add(constraint.key)
    return broken


# ---------------------------------------------------------------- the one change per constraint


@dataclass(frozen=True)
class Change:
    """One change to one row: set `field` to `value`, or remove it when `remove`."""

    row_index: int
    field: str
    value: Any = None
    remove: bool = False

    def apply(self, submission: dict[str, Any], table: Table) -> dict[str, Any]:
        changed = copy.deepcopy(submission)
        row = _rows(changed, table)[self.row_index]
        if self.remove:
            del row[self.field]
        else:
            row[self.field] = self.value
        return changed


def _rows_with_field_first(rows: list[dict[str, Any]], name: str) -> list[int]:
    """Row indexes, those holding a value for `name` first: changing a value reads better."""
    return sorted(range(len(rows)), key=lambda i: _blank(rows[i].get(name)))


def _pattern_mistake(spec: Field, current: Any) -> str:
    if spec.name == "standard_version":
        # A version without its patch number, which still names this version (the
        # newest X.Y.z), so the submission is checked against the standard it breaks.
        return ".".join(str(current).split(".")[:2])
    for mistake, correct in PATTERN_MISTAKES:
        if re.search(spec.pattern, correct) and not re.search(spec.pattern, mistake):
            return mistake
    generic = f"{current} ?"
    if re.search(spec.pattern, generic):
        raise AssertionError(f"no value breaks the pattern of {spec.name}")
    return generic


def _missing_id(spec: Field, existing: list[Any], standard: Standard) -> str:
    """An ID shaped like the real ones (so any pattern still holds) that no row has."""
    target = standard.table(spec.references).identifier
    for current in existing:
        candidate = re.sub(r"[0-9]", "9", str(current))
        pattern = target.pattern or spec.pattern
        if candidate not in existing and (pattern is None or re.search(pattern, candidate)):
            return candidate
    raise AssertionError(f"no missing ID can be made for {spec.name}")


def _field_changes(
    constraint: Constraint, table: Table, submission: dict[str, Any], standard: Standard
) -> Iterator[Change]:
    spec = table.field(constraint.field)
    rows = _rows(submission, table)
    for i in _rows_with_field_first(rows, spec.name):
        current = rows[i].get(spec.name)
        if constraint.kind == "required":
            if not _blank(current):
                yield Change(i, spec.name, remove=True)
        elif constraint.kind == "pattern":
            mistake = _pattern_mistake(spec, current)
            yield Change(i, spec.name, [mistake] if spec.multivalued else mistake)
        elif constraint.kind == "enum":
            yield Change(i, spec.name, [NOT_A_CODE] if spec.multivalued else NOT_A_CODE)
        elif constraint.kind in ("minimum", "maximum"):
            step = (1 if spec.kind == "integer" else 5) * (
                -1 if constraint.kind == "minimum" else 1
            )
            limit = spec.minimum if constraint.kind == "minimum" else spec.maximum
            value = int(limit) + step if spec.kind == "integer" else float(limit) + step
            yield Change(i, spec.name, value)
        elif constraint.kind == "identifier":
            for j, other in enumerate(rows):
                if j != i and not _blank(other.get(spec.name)):
                    yield Change(i, spec.name, other[spec.name])
        elif constraint.kind == "reference":
            existing = [
                row.get(spec.references_field)
                for row in _rows(submission, standard.table(spec.references))
            ]
            yield Change(i, spec.name, _missing_id(spec, existing, standard))


def _rule_changes(rule: SchemaRule, table: Table, submission: dict[str, Any]) -> Iterator[Change]:
    """First make a rule apply where its outcome does not hold (a PLACE code that disagrees
    with the placement type); then break the outcome where the rule applies."""
    rows = _rows(submission, table)
    for i in range(len(rows)):
        for condition in rule.when:
            for value in condition.values or ():
                yield Change(i, condition.field, value)
    for i, row in enumerate(rows):
        if not all(_condition_holds(row, c) for c in rule.when):
            continue
        for condition in rule.then:
            if condition.values is None:
                if not _blank(row.get(condition.field)):
                    yield Change(i, condition.field, remove=True)
                continue
            code_list = table.field(condition.field).code_list
            for value in code_list.codes if code_list else ():
                if value not in condition.values:
                    yield Change(i, condition.field, value)


def _unavoidably_also_broken(constraint: Constraint, table: Table) -> tuple[ConstraintKind, ...]:
    """Constraints that cannot hold when this one is broken: an ID that does not match its
    pattern cannot be the ID of any row, so a reference with a pattern breaks both."""
    if constraint.kind == "pattern" and table.field(constraint.field).references is not None:
        return ("reference",)
    return ()


def _candidate_changes(
    constraint: Constraint, table: Table, submission: dict[str, Any], standard: Standard
) -> Iterator[Change]:
    if constraint.kind == "rule":
        rule = next(r for r in table.rules if r.code == constraint.rule_code)
        return _rule_changes(rule, table, submission)
    return _field_changes(constraint, table, submission, standard)


@dataclass(frozen=True)
class Case:
    """One invalid example: the constraint it breaks and the change that breaks it."""

    constraint: Constraint
    change: Change
    reason: str
    also_breaks: tuple[ConstraintKind, ...] = ()

    @property
    def file(self) -> str:
        kind = (
            f"rule-{self.constraint.rule_code}"
            if self.constraint.kind == "rule"
            else self.constraint.kind
        )
        return f"{self.constraint.table}.{self.change.field}.{kind}.json"

    def entry(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "constraint": self.constraint.kind,
            "rule_code": self.constraint.rule_code,
            "table": self.constraint.table,
            "field": self.change.field,
            "row_index": self.change.row_index,
            "reason": self.reason,
            "also_breaks": list(self.also_breaks),
        }


def _row_name(table: Table, row: dict[str, Any], index: int) -> str:
    if table.one_row:
        return "The submission"
    if table.identifier is not None and not _blank(row.get(table.identifier.name)):
        return f"Row {index} of {table.name} ({row[table.identifier.name]})"
    return f"Row {index} of {table.name}"


def _reason(constraint: Constraint, change: Change, table: Table, original: dict[str, Any]) -> str:
    row = _rows(original, table)[change.row_index]
    who = _row_name(table, row, change.row_index)
    value = json.dumps(change.value, ensure_ascii=False)
    field = change.field
    if constraint.kind == "required":
        return f"{who} has no {field}, which is required."
    if constraint.kind == "rule":
        rule = next(r for r in table.rules if r.code == constraint.rule_code)
        done = f"{field} is removed" if change.remove else f"{field} is set to {value}"
        return f"{who} breaks rule {rule.code} ({rule.description.rstrip('.')}): {done}."
    spec = table.field(field)
    if constraint.kind == "pattern":
        also = f", so it names no row of {spec.references}" if spec.references else ""
        return f"{who} has {field} {value}, which does not match the pattern {spec.pattern}{also}."
    if constraint.kind == "enum":
        return f"{who} has {field} {value}, which is not a code of {spec.code_list.name}."
    if constraint.kind == "minimum":
        return f"{who} has {field} {value}, below its minimum of {spec.minimum:g}."
    if constraint.kind == "maximum":
        return f"{who} has {field} {value}, above its maximum of {spec.maximum:g}."
    if constraint.kind == "identifier":
        return f"{who} has {field} {value}, which another row of {table.name} already has."
    target = f"{spec.references_field} of any row of {spec.references}"
    return f"{who} has {field} {value}, which is not the {target}."


def invalid_cases(submission: dict[str, Any], standard: Standard) -> list[Case]:
    """One case per constraint: the first candidate change that breaks that constraint alone."""
    if broken := broken_constraints(submission, standard):
        raise ValueError(f"the example itself breaks {sorted(broken)}")
    cases = []
    for constraint in constraints(standard):
        table = standard.table(constraint.table)
        also = _unavoidably_also_broken(constraint, table)
        wanted = {constraint.key} | {
            Constraint(table.name, kind, constraint.field).key for kind in also
        }
        for change in _candidate_changes(constraint, table, submission, standard):
            if broken_constraints(change.apply(submission, table), standard) == wanted:
                reason = _reason(constraint, change, table, submission)
                cases.append(Case(constraint, change, reason, also))
                break
        else:
            raise ValueError(f"no single change to the example breaks only {sorted(wanted)}")
    return cases


def make_invalid_examples(
    out: Path, source: Path = SOURCE, version: str | None = None
) -> list[Path]:
    """Write every case and cases.json into `out` (emptied of old cases first)."""
    standard = load_standard(version)
    submission = json.loads(source.read_text(encoding="utf-8"))
    cases = invalid_cases(submission, standard)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.json"):
        stale.unlink()
    written = [
        write_json(
            case.change.apply(submission, standard.table(case.constraint.table)),
            out / case.file,
            version,
        )
        for case in cases
    ]
    index = out / "cases.json"
    index.write_text(
        json.dumps([case.entry() for case in cases], indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return [*written, index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write into")
    args = parser.parse_args(argv)
    written = make_invalid_examples(args.out)
    print(f"wrote {len(written) - 1} invalid cases and cases.json to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
