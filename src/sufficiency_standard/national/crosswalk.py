"""The crosswalk between this standard and the national one, as the schema states it
(`national_property` and `national_match` on fields, `national_concept` on codes), and
the conversion of one value each way. Import and export both read it, so a field's
national counterpart is written once, in the schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sufficiency_standard.national.vocabulary import Property, vocabulary
from sufficiency_standard.standard import Field, Standard, load_standard

# other_risks holds both national free-text risks: converted apart, not by the crosswalk.
_FREE_TEXT_RISKS = "riskOther, riskToOthersOther"


@dataclass(frozen=True)
class Crossing:
    """One of our fields and the national property holding the same fact."""

    table: str
    field: Field
    prop: Property
    match: str  # exact, close, broader or inverse

    @property
    def target(self) -> str:
        return f"{self.table}.{self.field.name}"

    def to_national(self, value: Any) -> Any:
        """Our value as the national one (None: it has no national counterpart)."""
        if value is None:
            return None
        if isinstance(value, list | tuple):
            converted = [self.to_national(v) for v in value]
            return [v for v in converted if v is not None] or None
        if self.prop.kind == "boolean":
            flag = {"Yes": True, "No": False}.get(value)
            return None if flag is None else (not flag if self.match == "inverse" else flag)
        if self.prop.kind == "concept":
            code = _code_list_values(self.field).get(value)
            return code.national_concept if code else None
        return value

    def to_ours(self, value: Any) -> Any:
        """The national value as ours (None: none of our codes stands for it)."""
        if value is None:
            return None
        if isinstance(value, list):
            converted = [self.to_ours(v) for v in value]
            return converted if all(v is not None for v in converted) else None
        if self.prop.kind == "boolean":
            flag = (not value) if self.match == "inverse" else value
            return "Yes" if flag else "No"
        if self.prop.kind == "concept":
            return _codes_of_concepts(self.field).get(value)
        return value


def _code_list_values(field: Field) -> dict[str, Any]:
    return {v.value: v for v in field.code_list.values} if field.code_list else {}


def _codes_of_concepts(field: Field) -> dict[str, str]:
    """National concept -> our code: the code that stands for exactly that concept, else
    the only code that stands for it at all ("Transport to school" for "Taxis to
    school"). Two candidates and no exact one is a fault in the schema."""
    candidates: dict[str, list[Any]] = {}
    for value in field.code_list.values if field.code_list else ():
        if value.national_concept:
            candidates.setdefault(value.national_concept, []).append(value)
    found: dict[str, str] = {}
    for concept, values in candidates.items():
        exact = [v for v in values if v.national_match in (None, "exact")]
        chosen = exact if exact else values
        if len(chosen) != 1:
            raise ValueError(f"{field.name}: {concept} stands for several of our codes")
        found[concept] = chosen[0].value
    return found


@cache
def crossings(version: str | None = None) -> tuple[Crossing, ...]:
    """Every field with a national property (child_id once per table)."""
    standard = load_standard(version)
    return _crossings(standard)


def _crossings(standard: Standard) -> tuple[Crossing, ...]:
    vocab = vocabulary()
    found = []
    for table in standard.tables:
        for field in table.fields:
            prop = field.national_property
            if not prop or prop == _FREE_TEXT_RISKS:
                continue
            found.append(
                Crossing(table.name, field, vocab.properties[prop], field.national_match or "exact")
            )
    return tuple(found)


def crossing(prop: str, table: str | None = None, version: str | None = None) -> Crossing:
    """The crossing of a national property (in `table` when several tables hold it)."""
    for found in crossings(version):
        if found.prop.name == prop and (table is None or found.table == table):
            return found
    raise KeyError(prop)


def concepts_without_code(version: str | None = None) -> dict[str, list[str]]:
    """National property -> its concepts none of our codes stands for exactly (checked
    by the tests to be empty: every national value converts our way)."""
    missing: dict[str, list[str]] = {}
    for found in crossings(version):
        if found.prop.kind != "concept":
            continue
        ours = _codes_of_concepts(found.field)
        lost = [c for c in found.prop.concepts if c not in ours]
        if lost:
            missing[found.prop.name] = lost
    return missing
