"""Carry a submission from the version it declares to a newer version of the standard.

Each version that needs it ships a migration (standards/<version>/migration.yaml, from
schema/migrations/): renamed fields, changed codes, and values for newly required
fields where a safe one exists, and codes that a newer version reads more narrowly
(recode). Upgrading applies them in turn, writes a new file in
the input's format, and lists every change it made and every value it could not carry.
The input is never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sufficiency_standard.check import check_submission
from sufficiency_standard.check.values import TypedTable
from sufficiency_standard.issues import InputError
from sufficiency_standard.read import read_submission
from sufficiency_standard.shipped import resolve_version, shipped_versions, version_folder
from sufficiency_standard.standard import load_standard
from sufficiency_standard.validation import choose_version, declared_version
from sufficiency_standard.write import write_csv_folder, write_into_template, write_json

MIGRATION_FILE = "migration.yaml"
Rows = dict[str, list[dict[str, Any]]]  # table name -> its rows


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


@dataclass
class Change:
    """One thing the upgrade did, or could not do."""

    table: str
    field: str
    rows: list[int]  # positions in the table (0-based)
    what: str

    def places(self, tabular: bool) -> str:
        """Where, as the user would look: spreadsheet rows, or JSON item paths."""
        if not self.rows:
            return ""
        if tabular:
            return "rows " + ", ".join(str(r + 2) for r in self.rows)
        return ", ".join(f"/{self.table}/{r}" for r in self.rows)


@dataclass
class UpgradeResult:
    source_version: str
    target_version: str
    output: Path
    tabular_input: bool
    changes: list[Change] = field(default_factory=list)
    not_carried: list[Change] = field(default_factory=list)


def migration(version: str) -> dict[str, Any] | None:
    """The migration into `version` from the version before it, if it has one."""
    path = version_folder(version) / MIGRATION_FILE
    if not path.is_file():
        return None
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _rows_from(typed: dict[str, TypedTable]) -> Rows:
    """Each table as a list of rows of the values it holds (see TypedTable.records)."""
    return {
        name: [{k: v for k, v in row.items() if v is not None} for row in table.records()]
        for name, table in typed.items()
        if table.source is not None
    }


def _apply(
    step: dict[str, Any], tables: dict[str, list[dict[str, Any]]], result: UpgradeResult
) -> None:
    target = step["to"]
    for table, renames in (step.get("renames") or {}).items():
        for old, new in renames.items():
            moved = [i for i, row in enumerate(tables.get(table, [])) if old in row]
            for i in moved:
                tables[table][i][new] = tables[table][i].pop(old)
            if moved:
                result.changes.append(Change(table, new, moved, f"renamed from {old} ({target})"))
    for table, fields in (step.get("codes") or {}).items():
        for name, mapping in fields.items():
            changed = []
            for i, row in enumerate(tables.get(table, [])):
                value = row.get(name)
                values = value if isinstance(value, list) else [value]
                if any(v in mapping for v in values):
                    new = [mapping.get(v, v) for v in values]
                    row[name] = new if isinstance(value, list) else new[0]
                    changed.append(i)
            if changed:
                codes = ", ".join(f"{a} -> {b}" for a, b in mapping.items())
                result.changes.append(Change(table, name, changed, f"codes changed ({codes})"))
    for recode in step.get("recode") or []:
        table, name, value = recode["table"], recode["field"], recode["value"]
        recoded = []
        for i, row in enumerate(tables.get(table, [])):
            if _applies(row, recode.get("when")) and row.get(name) not in (None, "", value):
                row[name] = value
                recoded.append(i)
        if recoded:
            result.changes.append(
                Change(table, name, recoded, f'set to "{value}": {" ".join(recode["why"].split())}')
            )
    for fill in step.get("fill") or []:
        table, name, value = fill["table"], fill["field"], fill["value"]
        filled = []
        for i, row in enumerate(tables.get(table, [])):
            if _applies(row, fill.get("when")) and row.get(name) in (None, ""):
                row[name] = value
                filled.append(i)
        if filled:
            result.changes.append(
                Change(
                    table, name, filled, f'filled with "{value}": {" ".join(fill["why"].split())}'
                )
            )


def _applies(row: dict[str, Any], when: dict[str, Any] | None) -> bool:
    """Whether a row meets a migration step's condition: each field equal to the value
    given, or to one of the values of a list."""
    return all(
        row.get(k) in v if isinstance(v, list) else row.get(k) == v for k, v in (when or {}).items()
    )


def _write(submission: dict[str, Any], out: Path, version: str) -> None:
    """In the format the output's name asks for: .xlsx, .json, or else a CSV folder.

    A workbook is the new version's template filled in, so the LA keeps its guidance,
    drop-downs and header notes (and gets the new version's)."""
    if out.suffix.lower() in (".xlsx", ".xlsm"):
        write_into_template(submission, out, version)
    elif out.suffix.lower() == ".json":
        write_json(submission, out, version)
    else:
        write_csv_folder(submission, out, version)


def default_output(source: Path, version: str) -> Path:
    suffix = source.suffix if source.is_file() and source.suffix.lower() != ".csv" else ""
    stem = source.stem if suffix else source.name
    return source.with_name(f"{stem}-{version}{suffix}")


def upgrade(source: Path, to_version: str, out: Path | None = None) -> UpgradeResult:
    """Upgrade the submission at `source` to `to_version`, writing a new file."""
    target = resolve_version(to_version)
    first = load_standard(None)
    declared = declared_version(read_submission([source], first))
    origin = choose_version(declared, None).version
    if _key(origin) > _key(target):
        raise InputError(f"{source.name} follows {origin}, newer than {target}: cannot go back")
    out = out or default_output(source, target)
    if out.resolve() == source.resolve():
        raise InputError("the upgraded file must not overwrite the input; give another --out")
    if out.exists():
        raise InputError(f"{out} already exists; give another --out or remove it first")

    old_standard = load_standard(origin)
    submission = read_submission([source], old_standard)
    _, typed = check_submission(submission, old_standard)
    tables = _rows_from(typed)
    header = (tables.pop("submission", None) or [{}])[0]
    result = UpgradeResult(origin, target, out, tabular_input=source.suffix.lower() != ".json")
    for issue in submission.issues:
        if issue.code in ("COLUMN-UNKNOWN", "SHEET-UNKNOWN", "PERSONAL-COLUMN", "PERSONAL-VALUES"):
            result.not_carried.append(
                Change(issue.table or "", issue.field or "", [], issue.message)
            )

    for version in shipped_versions():
        if _key(origin) < _key(version) <= _key(target) and (step := migration(version)):
            _apply(step, tables, result)

    new_standard = load_standard(target)
    for name, rows in tables.items():
        known = (
            {f.name for f in new_standard.table(name).fields}
            if name in new_standard.table_names
            else set()
        )
        for field_name in sorted({k for row in rows for k in row} - known):
            positions = [i for i, row in enumerate(rows) if field_name in row]
            result.not_carried.append(
                Change(name, field_name, positions, f"not a field of {target}; not carried over")
            )
    header["standard_version"] = target
    result.changes.append(Change("submission", "standard_version", [], f"{origin} -> {target}"))
    _write({**header, **tables}, out, target)
    return result
