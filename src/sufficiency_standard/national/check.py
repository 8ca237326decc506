"""The national SHACL shape's checks on national records, in plain English.

Each constraint of the compiled shape (vocabulary.json) is checked here as SHACL would
check it on the record's graph, so the verdict is the national engine's: a record that
raises no error conforms. The messages name the property, the part of the record it
belongs to, and the JSON path or cell; they quote a value only when it is a code or an
amount, never a name, an ID or free text.

One difference, on purpose: a concept written as a label in a property the context
types as an IRI (outOfLAReason: "Court order") is dropped by JSON-LD processors, so the
national engine never sees it. It is read here as the concept its author meant, with a
warning that other tools will not read it (NAT-DROPPED).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from sufficiency_standard.catalogue import INFO, E, Entry, W, declare, make_issue
from sufficiency_standard.issues import Issue
from sufficiency_standard.national.record import NationalRecord, Unreadable
from sufficiency_standard.national.vocabulary import Constraint, Property, vocabulary

declare(
    Entry(
        "NAT-PART-MISSING",
        E,
        "structure",
        "National record without a required part",
        "The record has no {part} ({link}): the national standard requires one in every record.",
    ),
    Entry(
        "NAT-REQUIRED",
        E,
        "value",
        "Required national value missing",
        "{property} ({part}) is not given: the national standard requires it.{hint}",
    ),
    Entry(
        "NAT-TOO-MANY",
        E,
        "value",
        "More than one national value",
        "{property} ({part}) has {count} values: the national standard allows one.",
    ),
    Entry(
        "NAT-NOT-A-CONCEPT",
        E,
        "value",
        "Not a national code",
        "{property} ({part}) is {value_text}, which is not one of its national values: {allowed}.",
    ),
    Entry(
        "NAT-WRONG-TYPE",
        E,
        "value",
        "National value of the wrong kind",
        "{property} ({part}) {reason}: the national standard wants {expected}.",
    ),
    Entry(
        "NAT-PATTERN",
        E,
        "value",
        "National value not in its form",
        "{property} ({part}) is not in the form the national standard wants: {explained}",
    ),
    Entry(
        "NAT-OUT-OF-RANGE",
        E,
        "value",
        "National value out of its range",
        "{property} ({part}) is {value_text}, below {minimum}: {explained}",
    ),
    Entry(
        "NAT-SENSE-CHECK",
        E,
        "quality",
        "National amount outside its expected range",
        "{property} ({part}) is {value_text}, outside the expected range of {expected}. "
        "The national shape marks this a warning, but a record with any finding does not "
        "conform to it: check the amount, and correct it if it is wrong.",
    ),
    Entry(
        "NAT-OTHER-TEXT",
        E,
        "rule",
        "Other without its free text",
        "{property} ({part}) is Other, but {requires} (the free text saying what it is) is "
        "not given.",
    ),
    Entry(
        "NAT-DROPPED",
        W,
        "value",
        "National value that JSON-LD processors drop",
        "{property} ({part}) is written {value_text}, which JSON-LD processors cannot read "
        "as a concept ({property} takes an IRI, and the context's labels do not apply to "
        "it), so they drop it and the national engine never checks it. It was read as "
        "{concept}: write {curie} so that every tool reads it.",
    ),
    Entry(
        "NAT-READ-NOTE",
        INFO,
        "file",
        "How a national file was read",
        "{note}",
    ),
)

_EXPECTED = {
    "boolean": "true or false",
    "integer": "a whole number of zero or more",
    "decimal": "an amount in pounds",
    "date": "a date written YYYY-MM-DD",
    "string": "text",
    "concept": "one of its national values",
}
_SHOWN_KINDS = {"concept", "decimal", "integer", "boolean", "date"}


def check_records(records: Sequence[NationalRecord]) -> list[Issue]:
    """Every problem the national shape finds in the records, in record order."""
    found: list[Issue] = []
    for record in records:
        found.extend(_check(record))
    return found


def _check(record: NationalRecord) -> Iterator[Issue]:
    vocab = vocabulary()
    present = {"Placement"}
    for cls, link in vocab.classes:
        if link is None:
            continue
        if record.has_part(cls):
            present.add(cls)
            continue
        required = vocab.properties[link].required
        if required:
            yield make_issue("NAT-PART-MISSING", record.location, part=cls, link=_quoted(link))
    for prop in vocab.properties.values():
        if prop.kind == "link" or prop.cls not in present:
            continue
        yield from _check_property(record, prop)
    for condition in vocab.conditions:
        if vocab.properties[condition.property].cls not in present:
            continue
        values = _as_list(record.get(condition.property))
        if condition.has_value in values and not record.get(condition.requires):
            yield make_issue(
                "NAT-OTHER-TEXT",
                record.at(condition.property),
                property=_quoted(condition.property),
                part=vocab.properties[condition.property].cls,
                requires=_quoted(condition.requires),
            )


def _check_property(record: NationalRecord, prop: Property) -> Iterator[Issue]:
    value = record.get(prop.name)
    values = _as_list(value)
    at = record.at(prop.name)
    names = {"property": _quoted(prop.name), "part": prop.cls}
    for constraint in prop.constraints:
        if constraint.min_count and len(values) < constraint.min_count:
            yield make_issue("NAT-REQUIRED", at, hint=_hint(prop), **names)
        if constraint.max_count is not None and len(values) > constraint.max_count:
            yield make_issue("NAT-TOO-MANY", at, count=len(values), **names)
    for one in values:
        yield from _check_value(prop, one, at, names)


def _check_value(prop: Property, one: Any, at: Any, names: dict[str, str]) -> Iterator[Issue]:
    vocab = vocabulary()
    shown = prop.kind in _SHOWN_KINDS
    value_text = _shown(one)
    if isinstance(one, Unreadable):
        if prop.kind == "concept":
            meant = vocab.concept_from_label(prop, one.text)
            if meant and prop.jsonld_type == "@id":
                yield make_issue(
                    "NAT-DROPPED",
                    at,
                    value=one.text,
                    value_text=_quoted(one.text),
                    concept=vocab.label(meant),
                    curie=_quoted(meant),
                    **names,
                )
                return
            yield make_issue(
                "NAT-NOT-A-CONCEPT",
                at,
                value=one.text,
                value_text=_quoted(one.text)
                + (f" (did you mean {_quoted(meant)}?)" if meant else ""),
                allowed=_allowed(prop),
                **names,
            )
            return
        yield make_issue(
            "NAT-WRONG-TYPE",
            at,
            value=one.text,
            personal=not shown,
            reason=one.reason,
            expected=_EXPECTED[prop.kind],
            **names,
        )
        return
    for constraint in prop.constraints:
        yield from _check_constraint(prop, constraint, one, value_text, at, names)


def _check_constraint(
    prop: Property,
    constraint: Constraint,
    one: Any,
    value_text: str,
    at: Any,
    names: dict[str, str],
) -> Iterator[Issue]:
    if constraint.allowed and one not in constraint.allowed:
        yield make_issue(
            "NAT-NOT-A-CONCEPT",
            at,
            value=one,
            value_text=_quoted(str(one)),
            allowed=_allowed(prop),
            **names,
        )
    if isinstance(one, str) and (
        (constraint.pattern and not re.search(constraint.pattern, one))
        or (constraint.max_length is not None and len(one) > constraint.max_length)
    ):
        yield make_issue(
            "NAT-PATTERN",
            at,
            value=one,
            personal=True,
            explained=constraint.message or f"the pattern {constraint.pattern}",
            **names,
        )
        return
    if prop.kind not in ("decimal", "integer"):
        return
    low, high = constraint.min_inclusive, constraint.max_inclusive
    outside = (low is not None and one < low) or (high is not None and one > high)
    if not outside:
        return
    if constraint.severity == "Warning":
        expected = (
            f"£{low:,} to £{high:,}" if low is not None and high is not None else f"up to £{high:,}"
        )
        yield make_issue(
            "NAT-SENSE-CHECK", at, value=one, value_text=value_text, expected=expected, **names
        )
    else:
        yield make_issue(
            "NAT-OUT-OF-RANGE",
            at,
            value=one,
            value_text=value_text,
            minimum=low,
            explained=constraint.message or "",
            **names,
        )


def _hint(prop: Property) -> str:
    if prop.kind == "concept":
        return f" Its values: {_allowed(prop)}."
    return ""


def _allowed(prop: Property) -> str:
    vocab = vocabulary()
    return ", ".join(f"{vocab.label(c)} ({c})" for c in prop.concepts)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _quoted(text: str) -> str:
    return f'"{text}"'


def _shown(value: Any) -> str:
    if isinstance(value, Unreadable):
        return _quoted(value.text)
    if hasattr(value, "as_tuple"):
        return f"£{value:,}"
    return str(value)
