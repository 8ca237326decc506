"""Compile the national placements standard's artefacts into the vocabulary the run-time
tools read: src/sufficiency_standard/national/vocabulary.json.

Build-time only (rdflib, in the `build` and `test` extras). Reads the copy kept in
src/sufficiency_standard/national/reference/: the SHACL shape (what a record must hold),
the JSON-LD context (how plain JSON keys and values become the ontology) and the SKOS
taxonomies (the concepts' labels). Whatever in the shape this compiler does not know is
an error, so a new national release cannot be half-read.

`python scripts/compile_national.py --check` compiles in memory and exits 1 on drift.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph
from rdflib.collection import Collection
from rdflib.namespace import SH, SKOS, XSD

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = ROOT / "src" / "sufficiency_standard" / "national"
REFERENCE = NATIONAL / "reference"
OUT = NATIONAL / "vocabulary.json"
PL = "https://ns.socialcaredata.io/placements/"

# Shape keys the compiler reads -> the name in the vocabulary.
_CONSTRAINTS = {
    SH.minCount: "min_count",
    SH.maxCount: "max_count",
    SH.datatype: "datatype",
    SH.nodeKind: "node_kind",
    SH["in"]: "in",
    SH["class"]: "class",
    SH.pattern: "pattern",
    SH.maxLength: "max_length",
    SH.minInclusive: "min_inclusive",
    SH.maxInclusive: "max_inclusive",
    SH.severity: "severity",
    SH.message: "message",
}
_IGNORED = {SH.path, SH.name, SH.description, SH.order, SH.group}
_DATATYPES = {
    XSD.string: "string",
    XSD.boolean: "boolean",
    XSD.nonNegativeInteger: "integer",
    XSD.decimal: "decimal",
    XSD.date: "date",
}


def _curie(iri: str, prefixes: dict[str, str]) -> str:
    """The shortest prefixed name of an IRI, as the national context names it."""
    best = max(
        ((p, ns) for p, ns in prefixes.items() if iri.startswith(ns)),
        key=lambda pair: len(pair[1]),
        default=None,
    )
    if best is None:
        raise SystemExit(f"no prefix of the national context covers {iri}")
    return f"{best[0]}:{iri[len(best[1]) :]}"


def _local(iri: str) -> str:
    return iri.removeprefix(PL)


def _constraint(graph: Graph, node: Any, prefixes: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for predicate, value in graph.predicate_objects(node):
        if predicate in _IGNORED:
            continue
        key = _CONSTRAINTS.get(predicate)
        if key is None:
            raise SystemExit(f"the shape uses {predicate}, which this compiler does not know")
        if key == "in":
            out[key] = [_curie(str(v), prefixes) for v in Collection(graph, value)]
        elif key == "datatype":
            if value not in _DATATYPES:
                raise SystemExit(f"the shape uses the datatype {value}, not known here")
            out[key] = _DATATYPES[value]
        elif key in ("node_kind", "severity"):
            out[key] = str(value).rsplit("#", 1)[1]
        elif key == "class":
            out[key] = _local(str(value))
        elif key in ("min_count", "max_count", "max_length"):
            out[key] = int(value)
        elif key in ("min_inclusive", "max_inclusive"):
            out[key] = str(value.toPython())
        else:
            out[key] = str(value)
    out.setdefault("severity", "Violation")
    return out


def _conditional(graph: Graph, shape: Any, prefixes: dict[str, str]) -> dict[str, Any]:
    """sh:not [ P hasValue V ; Q maxCount 0 ]: "when P is V, Q must be given"."""
    inner = graph.value(shape, SH["not"])
    parts = list(graph.objects(inner, SH.property))
    when = next(p for p in parts if graph.value(p, SH.hasValue) is not None)
    then = next(p for p in parts if graph.value(p, SH.maxCount) is not None)
    if len(parts) != 2 or int(graph.value(then, SH.maxCount)) != 0:
        raise SystemExit(f"{shape}: a sh:not this compiler does not know")
    return {
        "shape": str(shape).rsplit("#", 1)[1],
        "property": _local(str(graph.value(when, SH.path))),
        "has_value": _curie(str(graph.value(when, SH.hasValue)), prefixes),
        "requires": _local(str(graph.value(then, SH.path))),
        "message": str(graph.value(shape, SH.message)),
    }


def _context_terms(context: dict[str, Any]) -> dict[str, Any]:
    """Per property: how the context types its values and spells its concepts."""
    terms: dict[str, Any] = {}
    for key, definition in context.items():
        if key.startswith("@") or key[0].isupper():
            continue  # keywords, and the classes
        if isinstance(definition, str):
            if definition.endswith(("/", "#")):
                continue  # a prefix
            definition = {"@id": definition}
        scoped = definition.get("@context", {})
        terms[key] = {
            "iri": definition["@id"],
            "type": definition.get("@type"),
            "container": definition.get("@container"),
            "vocab": scoped.get("@vocab"),
            "spellings": {k: v for k, v in scoped.items() if not k.startswith("@")},
        }
    return terms


def compile_vocabulary() -> dict[str, Any]:
    context = json.loads((REFERENCE / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("/", "#"))}
    prefixes.pop("ex", None)
    terms = _context_terms(context)

    taxonomies = Graph()
    for path in sorted((REFERENCE / "ttl").glob("taxonomy-*.ttl")):
        taxonomies.parse(path, format="turtle")
    concepts: dict[str, Any] = {}
    for concept in sorted(taxonomies.subjects(RDF.type, SKOS.Concept)):
        concepts[_curie(str(concept), prefixes)] = {
            "iri": str(concept),
            "label": str(taxonomies.value(concept, SKOS.prefLabel)),
            "alt_labels": sorted(str(v) for v in taxonomies.objects(concept, SKOS.altLabel)),
            "notation": str(taxonomies.value(concept, SKOS.notation) or ""),
        }

    shape = Graph().parse(REFERENCE / "shacl-shape.ttl", format="turtle")
    classes: list[dict[str, Any]] = []
    properties: dict[str, Any] = {}
    conditions: list[dict[str, Any]] = []
    for node in shape.subjects(RDF.type, SH.NodeShape):
        if shape.value(node, SH["not"]) is not None:
            conditions.append(_conditional(shape, node, prefixes))
            continue
        cls = _local(str(shape.value(node, SH.targetClass)))
        classes.append({"name": cls})
        for prop in shape.objects(node, SH.property):
            name = _local(str(shape.value(prop, SH.path)))
            entry = properties.setdefault(name, {"class": cls, "constraints": []})
            entry["constraints"].append(_constraint(shape, prop, prefixes))
    # The Placement links to its parts: part class -> the property that links it.
    links = {
        c["class"]: name for name, p in properties.items() for c in p["constraints"] if "class" in c
    }
    for entry in classes:
        entry["link"] = links.get(entry["name"])
    order = {name: i for i, name in enumerate(terms)}
    classes.sort(key=lambda c: order.get(c["link"] or "", -1))
    for name, entry in properties.items():
        # None: the context does not name it (placementId), so a JSON-LD processor
        # drops the key and the shape never sees it.
        entry["jsonld"] = terms.get(name)
        constraints = entry["constraints"]
        kinds = {c.get("datatype") or ("concept" if "in" in c else None) for c in constraints}
        kinds |= {"link" for c in entry["constraints"] if "class" in c}
        kinds.discard(None)
        if len(kinds) != 1:
            raise SystemExit(f"{name}: cannot tell what kind of value it holds ({kinds})")
        entry["kind"] = kinds.pop()
        entry["multivalued"] = not any(c.get("max_count") == 1 for c in entry["constraints"])
        entry["required"] = any(c.get("min_count", 0) >= 1 for c in entry["constraints"])
        if entry["kind"] == "concept":
            entry["concepts"] = next(c["in"] for c in entry["constraints"] if "in" in c)
            missing = [c for c in entry["concepts"] if c not in concepts]
            if missing:
                raise SystemExit(f"{name}: the shape allows {missing}, no taxonomy defines them")
    # Properties the context names but the shape does not check (the Other free texts
    # are checked; officers and dates are): none today, but say so if one appears.
    for name, term in terms.items():
        if name not in properties and term["iri"].startswith("pl:") and name[0].islower():
            raise SystemExit(f"the context names {name}, which the shape does not check")
    for cond in conditions:
        properties[cond["requires"]].setdefault("kind", "string")
    conditions.sort(key=lambda c: c["shape"])
    return {
        "source": "SocialCareData/standard at commit ac47964 (draft, 2026): "
        "shacl/shacl-shape.ttl, shacl/context.jsonld and ttl/taxonomy-*.ttl",
        "licence": "MIT (machine-readable artefacts), Crown copyright",
        "prefixes": prefixes,
        "classes": classes,
        "properties": dict(sorted(properties.items(), key=lambda kv: order.get(kv[0], 999))),
        "conditions": conditions,
        "concepts": concepts,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the vocabulary is stale")
    args = parser.parse_args()
    text = json.dumps(compile_vocabulary(), indent=1, ensure_ascii=False) + "\n"
    if args.check:
        stale = not OUT.exists() or OUT.read_text(encoding="utf-8") != text
        print(("stale: " if stale else "up to date: ") + str(OUT.relative_to(ROOT)))
        return 1 if stale else 0
    OUT.write_text(text, encoding="utf-8")
    print("wrote: " + str(OUT.relative_to(ROOT)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
