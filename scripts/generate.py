"""Regenerate every artefact that comes from the LinkML schema in schema/.

Build-time only (needs the `build` extra, which brings linkml). Writes, for the
schema's version:

- src/sufficiency_standard/standards/<version>/schema.yaml   the schema, imports merged
- src/sufficiency_standard/standards/<version>/jsonschema.json  JSON Schema 2020-12
- src/sufficiency_standard/standards/<version>/standard.json    the compiled standard the
  validator reads at run time (tables, fields, code lists, rules) without linkml
- src/sufficiency_standard/standards/<version>/context.jsonld   JSON-LD context
- src/sufficiency_standard/standards/<version>/shacl.ttl        SHACL shapes (Turtle)
- src/sufficiency_standard/standards/<version>/owl.ttl          OWL ontology (Turtle)
- src/sufficiency_standard/models.py                           Pydantic v2 classes

`python scripts/generate.py --check` regenerates in memory and exits 1 on any drift.
"""

from __future__ import annotations

import argparse
import ast
import json
import pprint
import re
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import yaml
from linkml.generators.jsonldcontextgen import ContextGenerator
from linkml.generators.jsonschemagen import JsonSchemaGenerator
from linkml.generators.owlgen import OwlSchemaGenerator
from linkml.generators.pydanticgen import PydanticGenerator
from linkml.generators.shaclgen import ShaclGenerator
from linkml_runtime.utils.rdf_canonicalize import canonicalize_rdf_graph
from linkml_runtime.utils.schemaview import SchemaView
from rdflib.namespace import SH

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schema" / "sufficiency.yaml"
PACKAGE = ROOT / "src" / "sufficiency_standard"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "https://w3id.org/sufficiency-standard"

# LinkML built-in types -> the value kinds the validator knows.
VALUE_KINDS = {
    "string": "string",
    "date": "date",
    "integer": "integer",
    "decimal": "decimal",
    "float": "decimal",
    "boolean": "boolean",
}


def python_member_name(value: str, annotations: dict[str, Any]) -> str:
    """A readable Python enum member name for a permissible value.

    The schema may name it (annotation python_name); otherwise the value in upper
    snake case: "Suitable but not preferred" -> SUITABLE_BUT_NOT_PREFERRED.
    """
    if "python_name" in annotations:
        return str(annotations["python_name"])
    name = re.sub(r"[^0-9A-Za-z]+", "_", value.replace("'", "")).strip("_").upper()
    if not name or name[0].isdigit():
        name = "V_" + name
    return name


def annotation_values(element: Any) -> dict[str, Any]:
    return {tag: ann.value for tag, ann in (element.annotations or {}).items()}


def compile_condition(slot_name: str, condition: Any) -> dict[str, Any]:
    """One slot condition of a class rule -> {field, present|required|in}."""
    compiled: dict[str, Any] = {"field": slot_name}
    if condition.value_presence and str(condition.value_presence) == "PRESENT":
        compiled["present"] = True
    if condition.value_presence and str(condition.value_presence) == "ABSENT":
        compiled["absent"] = True
    if condition.required:
        compiled["required"] = True
    values = []
    if condition.equals_string is not None:
        values.append(condition.equals_string)
    for alternative in condition.any_of or []:
        if alternative.equals_string is None:
            raise SystemExit(f"unsupported rule condition on {slot_name}: {alternative}")
        values.append(alternative.equals_string)
    if values:
        compiled["in"] = values
    if len(compiled) == 1:
        raise SystemExit(f"rule condition on {slot_name} says nothing the compiler knows")
    return compiled


def compile_standard(view: SchemaView) -> dict[str, Any]:
    """The schema as the plain structure the run-time validator reads."""
    schema = view.schema
    enums: dict[str, Any] = {}
    for enum_name, enum in view.all_enums().items():
        values = []
        for value, pv in enum.permissible_values.items():
            notes = annotation_values(pv)
            values.append(
                {
                    "value": value,
                    "title": pv.title or value,
                    "description": pv.description,
                    "python_name": python_member_name(value, notes),
                    **{k: v for k, v in notes.items() if k != "python_name"},
                }
            )
        enums[enum_name] = {"title": enum.title, "description": enum.description, "values": values}

    table_of_class = {
        name: annotation_values(cls)["table_name"]
        for name, cls in view.all_classes().items()
        if "table_name" in annotation_values(cls)
    }
    tables = []
    for class_name, table_name in table_of_class.items():
        cls = view.get_class(class_name)
        fields = []
        for slot in view.class_induced_slots(class_name):
            if slot.range in table_of_class and slot.inlined_as_list:
                continue  # the Submission's lists of other tables, not columns
            notes = {}
            for ancestor in reversed(view.slot_ancestors(slot.name)):  # nearest wins
                notes.update(annotation_values(view.get_slot(ancestor)))
            is_reference = slot.range in table_of_class
            if is_reference:
                target_class = view.get_class(slot.range)
                kind = "string"
            elif slot.range in enums:
                kind = "enum"
            else:
                kind = VALUE_KINDS[slot.range]
            unit = None
            if slot.unit:
                unit = {k: v for k, v in slot.unit._as_dict.items() if v}
            fields.append(
                {
                    "name": slot.name,
                    "title": slot.title or slot.name,
                    "description": slot.description,
                    "kind": kind,
                    "range": slot.range,
                    "enum": slot.range if kind == "enum" else None,
                    "required": bool(slot.required or slot.identifier),
                    "recommended": bool(slot.recommended),
                    "multivalued": bool(slot.multivalued),
                    "identifier": bool(slot.identifier),
                    "references": table_of_class[slot.range] if is_reference else None,
                    "references_field": view.get_identifier_slot(target_class.name).name
                    if is_reference
                    else None,
                    "pattern": slot.pattern,
                    "minimum": slot.minimum_value,
                    "maximum": slot.maximum_value,
                    "unit": unit,
                    "aliases": list(slot.aliases or []),
                    "examples": [e.value for e in slot.examples or []],
                    "personal_data": notes.get("personal_data"),
                    "sharing": notes.get("sharing", "keep"),
                    **_regional_notes(slot, notes),
                }
            )
        rules = []
        for rule in cls.rules or []:
            notes = annotation_values(rule)
            rules.append(
                {
                    "code": notes["code"],
                    "title": rule.title,
                    "description": rule.description,
                    "when": [
                        compile_condition(name, cond)
                        for name, cond in rule.preconditions.slot_conditions.items()
                    ],
                    "then": [
                        compile_condition(name, cond)
                        for name, cond in rule.postconditions.slot_conditions.items()
                    ],
                }
            )
        tables.append(
            {
                "name": table_name,
                "class": class_name,
                "title": cls.title or class_name,
                "description": cls.description,
                "one_row": bool(cls.tree_root),
                "aliases": list(cls.aliases or []),
                "fields": fields,
                "rules": rules,
            }
        )
    return {
        "name": schema.name,
        "title": schema.title,
        "description": schema.description,
        "version": schema.version,
        "id": schema.id,
        "json_schema_id": json_schema_id(schema.version),
        "license": schema.license,
        "tables": tables,
        "enums": enums,
        **_questions(view),
    }


def _regional_notes(slot: Any, notes: dict[str, Any]) -> dict[str, Any]:
    """The questions a field answers, its national counterpart and why it is kept; only
    the keys a schema gives, so that versions without them compile as they did."""
    found: dict[str, Any] = {}
    if slot.in_subset:
        found["questions"] = [str(name) for name in slot.in_subset]
    for key in ("national_property", "national_match", "kept_because"):
        if key in notes:
            found[key] = " ".join(str(notes[key]).split())
    return found


def _questions(view: SchemaView) -> dict[str, Any]:
    """The regional questions (LinkML subsets) with what the schema says of each, and how
    a multivalued cell is written (the schema's list_delimiter annotation)."""
    subsets = view.all_subsets()
    extra: dict[str, Any] = {}
    if subsets:
        extra["questions"] = [
            {
                "id": name,
                "question": subset.description,
                **{k: " ".join(str(v).split()) for k, v in annotation_values(subset).items()},
            }
            for name, subset in subsets.items()
        ]
    delimiter = annotation_values(view.schema).get("list_delimiter")
    if delimiter is not None:
        extra["list_delimiter"] = delimiter
    return extra


def json_schema_id(version: str) -> str:
    return f"{ID_BASE}/{version}/jsonschema.json"


def _null_is_absent(condition: dict[str, Any]) -> None:
    """A rule's "value is present" test must not be met by null (LinkML writes `{}`), and
    its "value is absent" test (LinkML writes `not required`) must be met by null."""
    for name in condition.get("required", []):
        if condition.get("properties", {}).get(name) == {}:
            condition["properties"][name] = {"not": {"type": "null"}}
    absent = condition.get("not", {}).get("required")
    if absent:
        del condition["not"]
        condition.setdefault("allOf", []).extend(
            {"anyOf": [{"not": {"required": [name]}}, {"properties": {name: {"type": "null"}}}]}
            for name in absent
        )


def build_json_schema(schema_file: Path, version: str) -> str:
    generated = json.loads(
        JsonSchemaGenerator(str(schema_file), top_class="Submission").serialize()
    )
    generated.pop("$schema", None)
    generated.pop("$id", None)
    for definition in generated["$defs"].values():
        # A class with one rule carries its if/then itself; with several, in allOf.
        for condition in [definition, *definition.get("allOf", [])]:
            _null_is_absent(condition.get("if", {}))
            _null_is_absent(condition.get("then", {}))
    document = {"$schema": JSON_SCHEMA_DIALECT, "$id": json_schema_id(version), **generated}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def build_jsonld_context(schema_file: Path) -> str:
    """The JSON-LD context, keys sorted so that a LinkML upgrade reordering them is no drift.

    LinkML's "comments" block names the temporary file it read; ours says where it comes from.
    """
    generated = json.loads(ContextGenerator(str(schema_file), metadata=False).serialize())
    generated.pop("comments", None)
    document = {
        "comments": {"description": "Generated by scripts/generate.py from schema/ with LinkML."},
        **generated,
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _turtle(text: str) -> str:
    """LinkML's Turtle, with any generation stamp dropped so that a rerun gives the same bytes.

    Its serialiser already sorts subjects and names blank nodes canonically (c14n).
    """
    lines = [
        line
        for line in text.splitlines()
        if not re.search(r"generation_date|source_file_date|pav:generatedOn|dcterms:created", line)
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def build_shacl(schema_file: Path) -> str:
    """LinkML's shapes, less the pattern it puts on a reference (sh:nodeKind sh:IRI).

    There the pattern would be matched against the whole IRI of the record referred to
    (https://.../SC123456), which no valid reference matches; the referred record's own
    identifier keeps the pattern, and a malformed reference names no record (sh:class).
    """
    graph = ShaclGenerator(str(schema_file), metadata=False).as_graph()
    for shape in list(graph.subjects(SH.nodeKind, SH.IRI)):
        graph.remove((shape, SH.pattern, None))
    return _turtle(canonicalize_rdf_graph(graph, output_format="turtle"))


def build_owl(schema_file: Path) -> str:
    # metadata keeps the owl:Ontology header (title, version, licence; no date). The three
    # defaults are deprecated; set as they are, so that a LinkML upgrade cannot drift them.
    generator = OwlSchemaGenerator(
        str(schema_file),
        metadata=True,
        skip_vacuous_min_zero_cardinality_axioms=False,
        skip_vacuous_local_range_axioms=False,
        consolidate_cardinality_axioms=False,
    )
    return _turtle(generator.serialize())


# Slot properties that an is_a child takes from its ancestors when it does not set them.
# SchemaView drops falsy ones such as `minimum_value: 0` and never passes on `unit`, so
# the merged schema spells them out for every generator to see.
INHERITED_SLOT_PROPERTIES = (
    "range",
    "pattern",
    "minimum_value",
    "maximum_value",
    "unit",
    "multivalued",
)


def merged_schema() -> dict[str, Any]:
    """The schema with its own imports merged into one document and inheritance spelled out.

    linkml:types stays an import; every generator reads this document.
    """
    merged = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    merged["imports"] = ["linkml:types"]
    for part, key in (("enums", "enums"), ("slots", "slots"), ("questions", "subsets")):
        piece = yaml.safe_load((SCHEMA.parent / f"{part}.yaml").read_text(encoding="utf-8"))
        merged.setdefault(key, {}).update(piece[key])
    slots = merged["slots"]

    def inherited(name: str, key: str) -> Any:
        slot = slots[name]
        if key in slot:
            return slot[key]
        return inherited(slot["is_a"], key) if "is_a" in slot else None

    for name, slot in slots.items():
        if "is_a" not in slot:
            continue
        for key in INHERITED_SLOT_PROPERTIES:
            value = inherited(name, key)
            if value is not None and key not in slot:
                slot[key] = value
    return merged


def dump_schema(schema: dict[str, Any]) -> str:
    header = "# Generated by scripts/generate.py from schema/. Do not edit.\n"
    return header + yaml.safe_dump(schema, sort_keys=False, allow_unicode=True, width=100)


RULE_HELPER = '''

def _rule_holds(record: BaseModel, condition: dict[str, Any]) -> bool:
    value = getattr(record, condition["field"])
    if isinstance(value, Enum):
        value = value.value
    if condition.get("absent"):
        return value is None
    if condition.get("present") or condition.get("required"):
        if value is None:
            return False
    if "in" in condition:
        return value in condition["in"]
    return True


def _check_rules(record: BaseModel, rules: list[dict[str, Any]]) -> None:
    """Apply the class rules of the schema (if every `when` holds, every `then` must)."""
    broken = [
        f"{rule['code']}: {rule['description']}"
        for rule in rules
        if all(_rule_holds(record, c) for c in rule["when"])
        and not all(_rule_holds(record, c) for c in rule["then"])
    ]
    if broken:
        raise ValueError("; ".join(broken))
'''


def build_models(schema_file: Path, compiled: dict[str, Any]) -> str:
    source = PydanticGenerator(str(schema_file), metadata_mode="None").serialize()
    # Readable enum member names: rename inside each generated Enum class.
    enum_names = {
        name: {v["value"]: v["python_name"] for v in enum["values"]}
        for name, enum in compiled["enums"].items()
    }
    lines = source.splitlines()
    current_enum = None
    for i, line in enumerate(lines):
        header = re.match(r"^class (\w+)\(str, Enum\):", line)
        if header:
            current_enum = enum_names.get(header.group(1))
            continue
        if line.startswith("class "):
            current_enum = None
        member = re.match(r"^    (\w+) = (.+)$", line)
        if current_enum is not None and member:
            value = ast.literal_eval(member.group(2))
            lines[i] = f"    {current_enum[value]} = {member.group(2)}"
    source = "\n".join(lines) + "\n"
    source = source.replace(
        "from pydantic import (", "from pydantic import (\n    model_validator,", 1
    )
    source = source.replace("\nmetamodel_version", RULE_HELPER + "\n\nmetamodel_version", 1)
    for table in compiled["tables"]:
        if not table["rules"]:
            continue
        block = (
            "\n    _schema_rules: ClassVar[list[dict[str, Any]]] = "
            + textwrap.indent(
                pprint.pformat(table["rules"], width=88, sort_dicts=False), "    "
            ).lstrip()
            + "\n\n"
            '    @model_validator(mode="after")\n'
            "    def check_schema_rules(self):\n"
            '        """The class rules of the schema, which field types alone cannot say."""\n'
            "        _check_rules(self, self._schema_rules)\n"
            "        return self\n"
        )
        start = source.index(f"\nclass {table['class']}(")
        following = source.find("\nclass ", start + 1)
        following = len(source) if following == -1 else following
        body = source[start:following].rstrip("\n") + "\n" + block + "\n\n"
        source = source[:start] + body + source[following:].lstrip("\n")
    header = (
        '"""Pydantic v2 classes of the Placement Sufficiency Data Standard.\n\n'
        "Generated by scripts/generate.py from schema/ with LinkML; do not edit.\n"
        '"""\n'
    )
    return header + source


def artefacts() -> dict[Path, str]:
    merged_text = dump_schema(merged_schema())
    with tempfile.TemporaryDirectory() as work:
        schema_file = Path(work) / "sufficiency.yaml"
        schema_file.write_text(merged_text, encoding="utf-8")
        view = SchemaView(str(schema_file))
        compiled = compile_standard(view)
        version = compiled["version"]
        folder = PACKAGE / "standards" / version
        migration = SCHEMA.parent / "migrations" / f"{version}.yaml"
        carried = (
            {folder / "migration.yaml": migration.read_text(encoding="utf-8")}
            if migration.exists()
            else {}
        )
        return {
            **carried,
            folder / "schema.yaml": merged_text,
            folder / "jsonschema.json": build_json_schema(schema_file, version),
            folder / "standard.json": json.dumps(compiled, indent=2, ensure_ascii=False) + "\n",
            folder / "context.jsonld": build_jsonld_context(schema_file),
            folder / "shacl.ttl": build_shacl(schema_file),
            folder / "owl.ttl": build_owl(schema_file),
            PACKAGE / "models.py": build_models(schema_file, compiled),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if any artefact is stale")
    args = parser.parse_args()
    stale = []
    for path, text in artefacts().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if (path.parent / "release.json").exists():
            print(
                f"error: version {path.parent.name} is released and frozen, but the schema "
                f"no longer gives the same {path.name}. Raise `version` in schema/*.yaml "
                "(see docs/releasing.md) instead of changing a released version.",
                file=sys.stderr,
            )
            return 2
        stale.append(path.relative_to(ROOT))
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in stale:
        print(("stale: " if args.check else "wrote: ") + str(path))
    if args.check and stale:
        print("Run `python scripts/generate.py` and commit the result.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
