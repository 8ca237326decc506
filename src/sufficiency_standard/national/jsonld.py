"""The national standard's JSON-LD, read and written without a JSON-LD processor.

Reading accepts one record, a list of records or a graph (`@graph`), with the national
context inline or by reference. The context is never fetched: whatever a document
references, it is read with the national context shipped here, and the notes say so
when the document's own context differs. Values are read as a JSON-LD processor reads
them (`Vocabulary.concept_from_jsonld`), so a check gives the national engine's verdict;
a value it cannot read is kept as written (`Unreadable`), with the reason.

Writing produces what every engine reads alike (the national one and pySHACL):
concepts as prefixed names, which every JSON-LD processor expands (unlike the context's
labels in outOfLAReason), money as text (see `_money`), and the context inline.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from sufficiency_standard.issues import InputError, Location
from sufficiency_standard.national.record import NationalRecord, Unreadable
from sufficiency_standard.national.vocabulary import Property, vocabulary

_PLACEMENT = "Placement"


def national_context() -> dict[str, Any]:
    """The national JSON-LD context shipped with the package."""
    text = resources.files("sufficiency_standard.national").joinpath("reference/context.jsonld")
    return json.loads(text.read_text(encoding="utf-8"))["@context"]


def looks_national(document: Any) -> bool:
    """Whether a parsed JSON document is national JSON-LD (a Placement, a list or a graph
    of them) rather than a submission of this standard."""
    nodes = document.get("@graph", [document]) if isinstance(document, dict) else document
    if not isinstance(nodes, list) or not nodes:
        return False
    return any(isinstance(n, dict) and _type_of(n) == _PLACEMENT for n in nodes)


def read_jsonld(path: Path) -> tuple[list[NationalRecord], list[str]]:
    """The records of a national JSON-LD file, and notes on how it was read."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path.name} cannot be read as UTF-8 text: {error}") from error
    try:
        document = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path.name} is not JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from error
    return read_document(document, path.name)


def read_document(document: Any, source: str) -> tuple[list[NationalRecord], list[str]]:
    notes = list(_context_notes(document, source))
    if isinstance(document, dict) and "@graph" in document:
        nodes, base = document["@graph"], "$['@graph']"
    elif isinstance(document, list):
        nodes, base = document, "$"
    else:
        nodes, base = [document], None
    if not isinstance(nodes, list):
        raise InputError(f"{source}: @graph is not a list of records.")
    by_id = {n["@id"]: n for n in nodes if isinstance(n, dict) and isinstance(n.get("@id"), str)}
    records = []
    for i, node in enumerate(nodes):
        path = "$" if base is None else f"{base}[{i}]"
        if not isinstance(node, dict):
            raise InputError(f"{source}: {path} is not a JSON object.")
        if _type_of(node) != _PLACEMENT:
            if node.get("@id") in _referenced(nodes):
                continue  # a part that a record points at by @id
            notes.append(
                f"{source}: {path} is not a national placement record (its @type is "
                f"{node.get('@type')!r}), so it was not read."
            )
            continue
        records.append(_record(node, path, source, by_id, notes))
    if not records:
        raise InputError(f"{source} holds no national placement record (@type Placement).")
    return records, notes


def _context_notes(document: Any, source: str) -> Iterator[str]:
    contexts = [n.get("@context") for n in _nodes(document) if isinstance(n, dict)]
    if isinstance(document, dict) and "@graph" in document:
        contexts.append(document.get("@context"))
    ours = national_context()
    for context in contexts:
        for item in context if isinstance(context, list) else [context]:
            if isinstance(item, dict) and item != ours:
                yield (
                    f"{source}: its inline @context is not the national one; it was read "
                    "with the national context all the same."
                )
                return
            if isinstance(item, str) and not item.endswith("context.jsonld"):
                yield (
                    f"{source}: its @context {item!r} was not fetched; it was read with "
                    "the national context shipped with this tool."
                )
                return


def _nodes(document: Any) -> list[Any]:
    if isinstance(document, dict) and "@graph" in document:
        graph = document["@graph"]
        return graph if isinstance(graph, list) else []
    return document if isinstance(document, list) else [document]


def _referenced(nodes: Sequence[Any]) -> set[str]:
    links = {link for _, link in vocabulary().classes if link}
    return {
        n[link]
        for n in nodes
        if isinstance(n, dict)
        for link in links
        if isinstance(n.get(link), str)
    }


def _type_of(node: dict[str, Any]) -> str | None:
    types = node.get("@type")
    for t in types if isinstance(types, list) else [types]:
        if isinstance(t, str):
            return t.removeprefix("pl:").removeprefix(vocabulary().prefixes["pl"])
    return None


def _key_of(key: str) -> str:
    return key.removeprefix("pl:").removeprefix(vocabulary().prefixes["pl"])


def _record(
    node: dict[str, Any], path: str, source: str, by_id: dict[str, Any], notes: list[str]
) -> NationalRecord:
    vocab = vocabulary()
    record = NationalRecord(source, Location(path=path, source=source))
    if isinstance(node.get("@id"), str):
        record.record_id = node["@id"]
    parts: list[tuple[str, dict[str, Any], str]] = [(_PLACEMENT, node, path)]
    for cls, link in vocab.classes:
        if link is None:
            continue
        key = next((k for k in node if _key_of(k) == link), None)
        if key is None:
            continue
        part = node[key]
        if isinstance(part, str):
            part = by_id.get(part)
        if not isinstance(part, dict):
            record.put(link, Unreadable(str(part), "is not an object"), _at(path, key, source))
            continue
        record.put(link, True, _at(path, key, source))
        if isinstance(part.get("@id"), str):
            record.part_ids[cls] = part["@id"]
        parts.append((cls, part, f"{path}.{key}"))
    for cls, part, at in parts:
        known = {p.name: p for p in vocab.of_class(cls)}
        for key, raw in part.items():
            name = _key_of(key)
            if key.startswith("@") or name in {link for _, link in vocab.classes if link}:
                continue
            where = _at(at, key, source)
            prop = known.get(name)
            elsewhere = vocab.properties.get(name)
            if prop is None and elsewhere is not None and elsewhere.kind != "link":
                # Written in the wrong part (placementId in PlacementAvailability): JSON-LD
                # keeps it, the shape does not look for it there; it is still the record's.
                notes.append(
                    f"{source}: {at}.{key} belongs to the national {elsewhere.cls}, not to "
                    f"{cls}: it was read as the record's, but the national shape does not "
                    "check it there."
                )
                if record.get(name) is None:
                    record.put(name, _value(elsewhere, raw), where)
                continue
            if prop is None:
                extra = "riskToOthersOther" if name in ("riskOther", "riskToOthersOther") else None
                if extra:
                    record.put(name, _texts(raw), where)  # on the page, not in the context
                notes.append(
                    f"{source}: {at}.{key} is not a property of the national {cls} in its "
                    "context, so JSON-LD processors ignore it"
                    + ("; it was kept." if extra else "; it was not read.")
                )
                continue
            record.put(name, _value(prop, raw), where)
    return record


def _at(path: str, key: str, source: str) -> Location:
    return Location(path=f"{path}.{key}", source=source)


def _texts(raw: Any) -> list[str]:
    return [str(v) for v in (raw if isinstance(raw, list) else [raw]) if v is not None]


def _value(prop: Property, raw: Any) -> Any:
    values = raw if isinstance(raw, list) else [raw]
    read = [_one(prop, v) for v in values if v is not None]
    if prop.multivalued or len(read) > 1:
        return read
    return read[0] if read else None


def _one(prop: Property, raw: Any) -> Any:
    """One JSON value as the national engine reads it (see the module's docstring)."""
    vocab = vocabulary()
    if isinstance(raw, dict):
        raw = raw.get("@id", raw.get("@value", raw))
    if isinstance(raw, dict | list):
        return Unreadable(json.dumps(raw, default=str), "is not a single value")
    kind = prop.kind
    if kind == "concept":
        if not isinstance(raw, str):
            return Unreadable(str(raw), "is not text naming a concept")
        found = vocab.concept_from_jsonld(prop, raw)
        if found:
            return found
        return Unreadable(raw, "is not a concept of the national context")
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        return Unreadable(str(raw), "is not true or false (a JSON boolean)")
    if kind == "integer":
        if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
            return Unreadable(str(raw), "is not a whole number")
        if raw != int(raw) or raw < 0:
            return Unreadable(str(raw), "is not a whole number of zero or more")
        return int(raw)
    if kind == "decimal":
        if isinstance(raw, bool):
            return Unreadable(str(raw), "is not an amount")
        if isinstance(raw, int | Decimal):
            return Decimal(raw)
        if isinstance(raw, str) and re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", raw.strip()):
            return Decimal(raw.strip())  # text typed xsd:decimal by the context: valid
        return Unreadable(str(raw), "is not an amount")
    if kind == "date":
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                pass
        return Unreadable(str(raw), "is not a date written YYYY-MM-DD")
    if not isinstance(raw, str):
        return Unreadable(str(raw), "is not text")
    return raw


# -- writing -------------------------------------------------------------------------


def _money(amount: Decimal) -> str:
    """An amount as text ("4500.00"), which the context types xsd:decimal. The only form
    every tool reads exactly: a JSON number with pence (4500.5) becomes "4.5005E3" under
    jsonld.js, not a valid decimal, and Python JSON-LD parsers read any JSON number as a
    float, which pySHACL does not take for a decimal."""
    return f"{amount:.2f}"


def record_to_jsonld(record: NationalRecord, record_id: str) -> dict[str, Any]:
    """One record as a JSON-LD node (without @context)."""
    vocab = vocabulary()
    node: dict[str, Any] = {"@id": record_id, "@type": _PLACEMENT}
    for prop in vocab.of_class(_PLACEMENT):
        if prop.kind != "link" and (value := record.get(prop.name)) is not None:
            node[prop.name] = _json(value)
    for cls, link in vocab.classes:
        if link is None:
            continue
        part: dict[str, Any] = {"@id": f"{record_id}/{cls}", "@type": cls}
        for prop in vocab.of_class(cls):
            value = record.get(prop.name)
            if value is not None and not isinstance(value, Unreadable):
                part[prop.name] = _json(value)
        if cls == "RiskAssessment" and record.get("riskToOthersOther"):
            part[vocab.prefixes["pl"] + "riskToOthersOther"] = record.get("riskToOthersOther")
        if len(part) > 2 or record.get(link):
            node[link] = part
    return node


def _json(value: Any) -> Any:
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, Decimal):
        return _money(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write_jsonld(
    records: Sequence[NationalRecord], ids: Sequence[str], out: Path, context: str = "inline"
) -> None:
    """Write the records as one JSON-LD document: a graph, with the national context
    inline (or, with context="reference", as the relative reference "context.jsonld")."""
    graph = [record_to_jsonld(r, i) for r, i in zip(records, ids, strict=True)]
    document = {
        "@context": national_context() if context == "inline" else "context.jsonld",
        "@graph": graph,
    }
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
