"""What changed between two versions of the standard, and the version bump it needs.

Compares the compiled standards (tables, fields, code lists, schema rules) and the
registry rules that belong to each version. Each change is graded:

- breaking: a removed or added table (every submission has a sheet or file for each
  table); a removed field or code; a newly required field; a narrower pattern, range or
  type; a new error rule (data that passed may now fail);
- addition: a new optional field or code, a relaxed requirement, a removed rule;
- wording: titles, descriptions, aliases, examples.

Semantic versioning: breaking needs a major bump, additions a minor one, wording a
patch. While the standard is 0.x a breaking change needs at least a minor bump
(semver allows anything before 1.0.0; the project holds itself to this).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sufficiency_standard.shipped import compiled_standard

Level = Literal["breaking", "addition", "wording"]
Bump = Literal["major", "minor", "patch", "none"]

_LEVEL_ORDER = {"wording": 1, "addition": 2, "breaking": 3}
_BUMP_ORDER = {"none": 0, "patch": 1, "minor": 2, "major": 3}
_WORDING_KEYS = ("title", "description", "aliases", "examples", "unit")
_TIGHTENING_KEYS = (
    "kind",
    "range",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "multivalued",
    "references",
    "identifier",
)


@dataclass(frozen=True)
class Change:
    level: Level
    what: str


def _version_tuple(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch


def declared_bump(old: str, new: str) -> Bump:
    a, b = _version_tuple(old), _version_tuple(new)
    if b[0] > a[0]:
        return "major"
    if b[0] == a[0] and b[1] > a[1]:
        return "minor"
    if b[:2] == a[:2] and b[2] > a[2]:
        return "patch"
    return "none"


def required_bump(changes: list[Change], old_version: str) -> Bump:
    if not changes:
        return "none"
    worst = max(changes, key=lambda c: _LEVEL_ORDER[c.level]).level
    if worst == "breaking":
        return "minor" if _version_tuple(old_version)[0] == 0 else "major"
    return "minor" if worst == "addition" else "patch"


_WHY = {
    "breaking": "a breaking change (data valid before may not be now)",
    "addition": "an addition",
    "wording": "a change of wording",
}


def bump_sentence(changes: list[Change], old_version: str, new_version: str) -> str:
    """Which bump the changes need and why (the change that needs it), and what the new
    number is, in words: "is not a newer version" rather than "a none bump"."""
    needed = required_bump(changes, old_version)
    if needed == "none":
        needs = "No version bump is needed: nothing changed"
    else:
        worst = max(changes, key=lambda c: _LEVEL_ORDER[c.level])
        zero = (
            " (while the standard is 0.x)"
            if worst.level == "breaking" and needed == "minor"
            else ""
        )
        needs = (
            f"Needs a {needed} version bump{zero or ''}, because of {_WHY[worst.level]}: "
            f"{worst.what}"
        )
    declared = declared_bump(old_version, new_version)
    if declared == "none":
        is_ = f"{new_version} is not a newer version than {old_version}"
    else:
        is_ = f"{new_version} is a {declared} bump"
    return f"{needs}; {is_}."


def bump_is_enough(changes: list[Change], old_version: str, new_version: str) -> bool:
    return (
        _BUMP_ORDER[declared_bump(old_version, new_version)]
        >= _BUMP_ORDER[required_bump(changes, old_version)]
    )


def _by_name(items: list[dict[str, Any]], key: str = "name") -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in items}


def _compare_fields(table: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    old_fields, new_fields = _by_name(old["fields"]), _by_name(new["fields"])
    for name in old_fields.keys() - new_fields.keys():
        changes.append(Change("breaking", f"field {table}.{name} removed"))
    for name in sorted(new_fields.keys() - old_fields.keys()):
        required = new_fields[name]["required"]
        changes.append(
            Change(
                "breaking" if required else "addition",
                f"field {table}.{name} added" + (" (required)" if required else ""),
            )
        )
    for name in sorted(old_fields.keys() & new_fields.keys()):
        before, after = old_fields[name], new_fields[name]
        if after["required"] and not before["required"]:
            changes.append(Change("breaking", f"field {table}.{name} is now required"))
        elif before["required"] and not after["required"]:
            changes.append(Change("addition", f"field {table}.{name} is no longer required"))
        for key in _TIGHTENING_KEYS:
            if before.get(key) != after.get(key):
                changes.append(
                    Change(
                        "breaking",
                        f"field {table}.{name}: {key} changed "
                        f"from {before.get(key)!r} to {after.get(key)!r}",
                    )
                )
        for key in (*_WORDING_KEYS, "recommended", "personal_data", "sharing"):
            if before.get(key) != after.get(key):
                changes.append(Change("wording", f"field {table}.{name}: {key} changed"))
    return changes


def _compare_rules(table: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    old_rules, new_rules = _by_name(old["rules"], "code"), _by_name(new["rules"], "code")
    for code in sorted(new_rules.keys() - old_rules.keys()):
        changes.append(Change("breaking", f"rule {code} added to {table}"))
    for code in sorted(old_rules.keys() - new_rules.keys()):
        changes.append(Change("addition", f"rule {code} removed from {table}"))
    for code in sorted(old_rules.keys() & new_rules.keys()):
        before, after = old_rules[code], new_rules[code]
        if (before["when"], before["then"]) != (after["when"], after["then"]):
            changes.append(Change("breaking", f"rule {code} of {table} changed"))
        elif before != after:
            changes.append(Change("wording", f"rule {code} of {table}: wording changed"))
    return changes


def _compare_code_lists(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    for name in sorted(old.keys() - new.keys()):
        changes.append(Change("breaking", f"code list {name} removed"))
    for name in sorted(new.keys() - old.keys()):
        changes.append(Change("addition", f"code list {name} added"))
    for name in sorted(old.keys() & new.keys()):
        before, after = (
            _by_name(old[name]["values"], "value"),
            _by_name(new[name]["values"], "value"),
        )
        for value in sorted(before.keys() - after.keys()):
            changes.append(Change("breaking", f"code {value!r} removed from {name}"))
        for value in sorted(after.keys() - before.keys()):
            changes.append(Change("addition", f"code {value!r} added to {name}"))
        for value in sorted(before.keys() & after.keys()):
            if before[value] != after[value]:
                changes.append(Change("wording", f"code {value!r} of {name}: wording changed"))
        if (old[name]["title"], old[name]["description"]) != (
            new[name]["title"],
            new[name]["description"],
        ):
            changes.append(Change("wording", f"code list {name}: wording changed"))
    return changes


def _registry_rules(old_version: str, new_version: str) -> list[Change]:
    from sufficiency_standard.check.rules import rules_of

    old_codes = {r.entry.code: r for r in rules_of(old_version)}
    changes = []
    for registered in rules_of(new_version):
        if registered.entry.code not in old_codes:
            level: Level = "breaking" if registered.entry.severity.value == "error" else "addition"
            changes.append(
                Change(
                    level, f"rule {registered.entry.code} added ({registered.entry.severity.value})"
                )
            )
    return changes


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from the compiled standard `old` to `new`."""
    changes: list[Change] = []
    old_tables, new_tables = _by_name(old["tables"]), _by_name(new["tables"])
    for name in sorted(old_tables.keys() - new_tables.keys()):
        changes.append(Change("breaking", f"table {name} removed"))
    for name in sorted(new_tables.keys() - old_tables.keys()):
        # Every submission carries every table's sheet or file, even with no rows, so a
        # file made for the old version lacks it.
        changes.append(Change("breaking", f"table {name} added (every submission has its sheet)"))
    for name in [t["name"] for t in old["tables"] if t["name"] in new_tables]:
        before, after = old_tables[name], new_tables[name]
        changes += _compare_fields(name, before, after)
        changes += _compare_rules(name, before, after)
        if (before["title"], before["description"]) != (after["title"], after["description"]):
            changes.append(Change("wording", f"table {name}: wording changed"))
    changes += _compare_code_lists(old["enums"], new["enums"])
    changes += _registry_rules(old["version"], new["version"])
    if (old["title"], old["description"]) != (new["title"], new["description"]):
        changes.append(Change("wording", "the standard's title or description changed"))
    return sorted(changes, key=lambda c: -_LEVEL_ORDER[c.level])


def compare_versions(old_version: str, new_version: str) -> list[Change]:
    return compare(compiled_standard(old_version), compiled_standard(new_version))
