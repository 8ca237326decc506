"""One version of the standard as the tools see it: tables, fields, code lists, rules.

Built from the compiled standard.json that scripts/generate.py writes from the LinkML
schema, so the validator, template and docs never read LinkML at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, Literal

from sufficiency_standard.shipped import compiled_standard, resolve_version

ValueKind = Literal["string", "date", "integer", "decimal", "boolean", "enum"]


@dataclass(frozen=True)
class CodeValue:
    """One permissible value of a code list."""

    value: str
    title: str
    description: str
    python_name: str
    ssda903_meaning: str | None = None
    ssda903_code: str | None = None
    # The first and last day of the collection years in which an SSDA903 code may be
    # used (ISO dates), and the national placements standard's concept for the value.
    in_force_from: str | None = None
    in_force_until: str | None = None
    national_concept: str | None = None
    # How close the national concept is, when not the same (close, broader).
    national_match: str | None = None

    @property
    def first_day(self) -> date | None:
        """The first day the code may be used (None: no limit)."""
        return date.fromisoformat(self.in_force_from) if self.in_force_from else None

    @property
    def last_day(self) -> date | None:
        """The last day the code may be used (None: no limit)."""
        return date.fromisoformat(self.in_force_until) if self.in_force_until else None


@dataclass(frozen=True)
class CodeList:
    """A code list (LinkML enum)."""

    name: str
    title: str
    description: str
    values: tuple[CodeValue, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(v.value for v in self.values)


@dataclass(frozen=True)
class Field:
    """One column of a table (a LinkML slot as used by one class)."""

    name: str
    title: str
    description: str
    kind: ValueKind
    range: str
    required: bool
    recommended: bool
    multivalued: bool
    identifier: bool
    references: str | None
    references_field: str | None
    pattern: str | None
    minimum: float | None
    maximum: float | None
    unit: dict[str, Any] | None
    aliases: tuple[str, ...]
    examples: tuple[str, ...]
    personal_data: str | None
    sharing: str
    code_list: CodeList | None = None
    # Which regional questions the field answers (schema/questions.yaml), and its
    # counterpart in the national placements standard; empty before 0.3.0.
    questions: tuple[str, ...] = ()
    national_property: str | None = None
    national_match: str | None = None
    kept_because: str | None = None

    @property
    def is_personal(self) -> bool:
        return self.personal_data is not None


@dataclass(frozen=True)
class Condition:
    """One side of a schema rule on one field: present, required, absent, or one of some
    values."""

    field: str
    present: bool = False
    required: bool = False
    values: tuple[str, ...] | None = None
    absent: bool = False


@dataclass(frozen=True)
class SchemaRule:
    """A class rule from the schema: when every `when` holds, every `then` must."""

    code: str
    title: str
    description: str
    when: tuple[Condition, ...]
    then: tuple[Condition, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.field for c in (*self.when, *self.then)))


@dataclass(frozen=True)
class Table:
    """One table (sheet, CSV file, JSON list) of a submission."""

    name: str
    class_name: str
    title: str
    description: str
    one_row: bool
    fields: tuple[Field, ...]
    rules: tuple[SchemaRule, ...]
    # Other names LAs give the table's sheet or file; empty before 0.3.0.
    aliases: tuple[str, ...] = ()
    _by_name: dict[str, Field] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({f.name: f for f in self.fields})

    def field(self, name: str) -> Field:
        return self._by_name[name]

    def has_field(self, name: str) -> bool:
        return name in self._by_name

    @property
    def identifier(self) -> Field | None:
        return next((f for f in self.fields if f.identifier), None)


@dataclass(frozen=True)
class Standard:
    """A version of the standard."""

    version: str
    name: str
    title: str
    description: str
    json_schema_id: str
    tables: tuple[Table, ...]
    code_lists: dict[str, CodeList]

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    @property
    def table_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tables)


def _condition(raw: dict[str, Any]) -> Condition:
    values = raw.get("in")
    return Condition(
        field=raw["field"],
        present=bool(raw.get("present")),
        required=bool(raw.get("required")),
        values=tuple(values) if values is not None else None,
        absent=bool(raw.get("absent")),
    )


@cache
def load_standard(version: str | None = None) -> Standard:
    """The standard of a shipped version (None: the latest)."""
    raw = compiled_standard(resolve_version(version))
    code_lists = {
        name: CodeList(
            name=name,
            title=body["title"] or name,
            description=body["description"] or "",
            values=tuple(
                CodeValue(
                    value=v["value"],
                    title=v["title"],
                    description=v["description"] or "",
                    python_name=v["python_name"],
                    ssda903_meaning=v.get("ssda903_meaning"),
                    ssda903_code=v.get("ssda903_code"),
                    in_force_from=v.get("in_force_from"),
                    in_force_until=v.get("in_force_until"),
                    national_concept=v.get("national_concept"),
                    national_match=v.get("national_match"),
                )
                for v in body["values"]
            ),
        )
        for name, body in raw["enums"].items()
    }
    tables = []
    for t in raw["tables"]:
        fields = tuple(
            Field(
                name=f["name"],
                title=f["title"],
                description=f["description"] or "",
                kind=f["kind"],
                range=f["range"],
                required=f["required"],
                recommended=f["recommended"],
                multivalued=f["multivalued"],
                identifier=f["identifier"],
                references=f["references"],
                references_field=f["references_field"],
                pattern=f["pattern"],
                minimum=f["minimum"],
                maximum=f["maximum"],
                unit=f["unit"],
                aliases=tuple(f["aliases"]),
                examples=tuple(str(e) for e in f["examples"]),
                personal_data=f["personal_data"],
                sharing=f["sharing"],
                code_list=code_lists.get(f["enum"]) if f["enum"] else None,
                questions=tuple(f.get("questions", ())),
                national_property=f.get("national_property"),
                national_match=f.get("national_match"),
                kept_because=f.get("kept_because"),
            )
            for f in t["fields"]
        )
        rules = tuple(
            SchemaRule(
                code=r["code"],
                title=r["title"],
                description=r["description"],
                when=tuple(_condition(c) for c in r["when"]),
                then=tuple(_condition(c) for c in r["then"]),
            )
            for r in t["rules"]
        )
        tables.append(
            Table(
                name=t["name"],
                class_name=t["class"],
                title=t["title"],
                description=t["description"] or "",
                one_row=t["one_row"],
                fields=fields,
                rules=rules,
                aliases=tuple(t.get("aliases") or ()),
            )
        )
    return Standard(
        version=raw["version"],
        name=raw["name"],
        title=raw["title"],
        description=raw["description"],
        json_schema_id=raw["json_schema_id"],
        tables=tuple(tables),
        code_lists=code_lists,
    )
