"""The national placements standard as the tools read it: its properties, what the SHACL
shape asks of each, and its concepts with every spelling the context and the templates
use. Compiled from the national artefacts by scripts/compile_national.py into
vocabulary.json, so the run time needs neither rdflib nor the network.

Concepts are named by prefixed name, as the national context does ("pu:WithinFiveDays").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Constraint:
    """One sh:property node of the shape (several may check one property)."""

    severity: str  # "Violation" or "Warning"
    message: str | None
    min_count: int | None = None
    max_count: int | None = None
    datatype: str | None = None
    allowed: tuple[str, ...] = ()
    pattern: str | None = None
    max_length: int | None = None
    min_inclusive: Decimal | None = None
    max_inclusive: Decimal | None = None


@dataclass(frozen=True)
class Property:
    """A national property: its class, what it holds, and how JSON-LD spells it."""

    name: str
    cls: str
    kind: str  # concept, boolean, integer, decimal, date, string or link
    required: bool
    multivalued: bool
    constraints: tuple[Constraint, ...]
    iri: str
    jsonld_type: str | None  # "@vocab", "@id", an xsd datatype, or None
    vocab: str | None  # the @vocab a value is read against
    spellings: dict[str, str]  # the context's own terms for concepts -> prefixed names
    concepts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Concept:
    name: str  # "pu:WithinFiveDays"
    iri: str
    label: str
    alt_labels: tuple[str, ...]
    notation: str


@dataclass(frozen=True)
class Condition:
    """ "When `property` holds `has_value`, `requires` must be given" (the Other texts)."""

    shape: str
    property: str
    has_value: str
    requires: str
    message: str


@dataclass(frozen=True)
class Vocabulary:
    source: str
    prefixes: dict[str, str]
    classes: tuple[tuple[str, str | None], ...]  # (class, the Placement's link to it)
    properties: dict[str, Property]
    conditions: tuple[Condition, ...]
    concepts: dict[str, Concept]

    def of_class(self, cls: str) -> list[Property]:
        return [p for p in self.properties.values() if p.cls == cls]

    def link_of(self, cls: str) -> str | None:
        return dict(self.classes)[cls]

    def expand(self, name: str) -> str:
        """A prefixed name as a full IRI."""
        prefix, _, local = name.partition(":")
        return self.prefixes[prefix] + local

    def compact(self, iri: str) -> str | None:
        """A full IRI as the prefixed name of a known concept, or None."""
        for name, concept in self.concepts.items():
            if concept.iri == iri:
                return name
        return None

    def label(self, concept: str) -> str:
        return self.concepts[concept].label

    def concept_from_jsonld(self, prop: Property, text: str) -> str | None:
        """The concept a JSON-LD processor makes of a string value, exactly as JSON-LD 1.1
        expands it: a term of the property's scoped context, a prefixed name or an
        absolute IRI, else (for "@vocab" typing only) the @vocab plus the text. None when
        the result is not a concept the vocabulary knows."""
        if prop.jsonld_type == "@vocab" and text in prop.spellings:
            return self._named(prop.spellings[text])
        prefix, colon, _ = text.partition(":")
        if colon and prefix in self.prefixes:
            return self._named(text)
        if re.match(r"^[a-z][a-z0-9+.-]*:", text):
            return self.compact(text)
        if prop.jsonld_type == "@vocab" and prop.vocab:
            return self.compact(prop.vocab + text)
        return None  # "@id" typing: a relative IRI, which processors drop or misread

    def concept_from_label(self, prop: Property, text: str) -> str | None:
        """The concept a person meant: any spelling the context, the taxonomy or the
        Excel templates use, ignoring case, spaces, hyphens and a trailing comma."""
        wanted = _key(text)
        if not wanted:
            return None
        for concept in prop.concepts:
            if wanted in self._keys(prop, concept):
                return concept
        return None

    def _keys(self, prop: Property, concept: str) -> set[str]:
        found = self.concepts[concept]
        spellings = [t for t, c in prop.spellings.items() if self._named(c) == concept]
        texts = [found.label, *found.alt_labels, found.notation, concept.split(":", 1)[1]]
        return {_key(t) for t in [*texts, *spellings]}

    def _named(self, name: str) -> str | None:
        return name if name in self.concepts else None


def _key(text: str) -> str:
    """A spelling reduced to what distinguishes it: "< 5days", "<5 days" and "Less than 5
    days" stay apart, but case, spaces and stray punctuation do not count."""
    return re.sub(r"[\s\-_,.]+", "", text.casefold())


@cache
def vocabulary() -> Vocabulary:
    """The shipped vocabulary (compiled from the national artefacts)."""
    raw: dict[str, Any] = json.loads(
        resources.files(__package__).joinpath("vocabulary.json").read_text(encoding="utf-8")
    )
    properties = {}
    for name, body in raw["properties"].items():
        term = body["jsonld"] or {}
        properties[name] = Property(
            name=name,
            cls=body["class"],
            kind=body["kind"],
            required=body["required"],
            multivalued=body["multivalued"],
            constraints=tuple(_constraint(c) for c in body["constraints"]),
            iri=raw["prefixes"]["pl"] + name,
            jsonld_type=term.get("type"),
            vocab=term.get("vocab"),
            spellings=dict(term.get("spellings") or {}),
            concepts=tuple(body.get("concepts", ())),
        )
    return Vocabulary(
        source=raw["source"],
        prefixes=raw["prefixes"],
        classes=tuple((c["name"], c["link"]) for c in raw["classes"]),
        properties=properties,
        conditions=tuple(Condition(**c) for c in raw["conditions"]),
        concepts={
            name: Concept(name, c["iri"], c["label"], tuple(c["alt_labels"]), c["notation"])
            for name, c in raw["concepts"].items()
        },
    )


def _constraint(body: dict[str, Any]) -> Constraint:
    def number(key: str) -> Decimal | None:
        return Decimal(body[key]) if key in body else None

    return Constraint(
        severity=body["severity"],
        message=body.get("message"),
        min_count=body.get("min_count"),
        max_count=body.get("max_count"),
        datatype=body.get("datatype"),
        allowed=tuple(body.get("in", ())),
        pattern=body.get("pattern"),
        max_length=body.get("max_length"),
        min_inclusive=number("min_inclusive"),
        max_inclusive=number("max_inclusive"),
    )
