"""The shipped JSON-LD context and SHACL shapes say what our validator says, where SHACL can.

A submission becomes JSON-LD as LinkML's JSON-LD dumper would make it: the version's
context, each record typed by its class and identified by its ID (so that a reference,
which the context makes an IRI, lands on the record it names). pySHACL then checks it
against the version's shapes. The valid example conforms, and every case of
tests/data/invalid/ that breaks a required value, a code list, a pattern, a minimum, a
reference or a unique ID fails under both pySHACL and our validator, as do values of the
wrong datatype.

What SHACL as LinkML generates it cannot express, so these are left to our validator:
the class rules (a value required or allowed only when another field holds a value, such
as PLC-PLACE-* or REF-NO-HOME-REASON), date order (an end before its start), sums (cost
components adding up to the total) and other comparisons between fields or records. A
duplicated ID is caught only because the two rows become one node with two values of a
field; two identical rows would be one record to SHACL.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pyshacl = pytest.importorskip(
    "pyshacl", reason="needs the linked-data extra: pip install 'sufficiency-standard[linked-data]'"
)
rdflib = pytest.importorskip("rdflib", reason="needs the linked-data extra (rdflib)")

from sufficiency_standard.shipped import compiled_standard, version_folder  # noqa: E402
from sufficiency_standard.validation import validate  # noqa: E402

# rdflib's own JSON-LD parser still builds a ConjunctiveGraph.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "example-submission.json"
INVALID = ROOT / "tests" / "data" / "invalid"
CASES = json.loads((INVALID / "cases.json").read_text(encoding="utf-8"))
VERSION = json.loads(EXAMPLE.read_text(encoding="utf-8"))["standard_version"]
BASE = "https://example.org/submission/"
SUFF = "https://w3id.org/sufficiency-standard/"
# Kinds of constraint whose SHACL result is on the field the case breaks.
ON_THE_FIELD = {"required", "enum", "pattern", "minimum"}
IDENTIFIERS = {
    (t["name"], f["name"])
    for t in compiled_standard(VERSION)["tables"]
    for f in t["fields"]
    if f["identifier"]
}


def to_jsonld(document: dict[str, Any], version: str = VERSION) -> dict[str, Any]:
    """A JSON submission as JSON-LD: the context, a @type and an @id on every record.

    A decimal given as a JSON number is written as its text: JSON-LD turns a JSON number
    with a fraction into the double form (4.205E2), which is no xsd:decimal, and rdflib
    keeps a float that pySHACL refuses as one. A value that is no number stays as it is.
    """
    folder = version_folder(version)
    context = json.loads((folder / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    tables = {t["name"]: t for t in compiled_standard(version)["tables"]}
    out: dict[str, Any] = {"@context": [context, {"@base": BASE}], "@type": "Submission"}
    for key, value in document.items():
        table = tables.get(key)
        if table is None or not isinstance(value, list):
            out[key] = value
            continue
        decimals = {f["name"] for f in table["fields"] if f["kind"] == "decimal"}
        identifier = next((f["name"] for f in table["fields"] if f["identifier"]), None)
        records = []
        for row in value:
            record = {"@type": table["class"]}
            for name, cell in row.items():
                is_number = isinstance(cell, int | float) and not isinstance(cell, bool)
                record[name] = str(Decimal(str(cell))) if name in decimals and is_number else cell
            if identifier and isinstance(row.get(identifier), str):
                record["@id"] = row[identifier]
            records.append(record)
        out[key] = records
    return out


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(version_folder(VERSION) / "shacl.ttl", format="turtle")


def shacl_results(document: dict[str, Any], shapes: rdflib.Graph) -> list[str] | None:
    """None if the document conforms; else the paths (field names) of its violations."""
    data = rdflib.Graph().parse(data=json.dumps(to_jsonld(document)), format="json-ld", base=BASE)
    conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes)
    if conforms:
        return None
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    return sorted(str(p).removeprefix(SUFF) for p in report.objects(None, sh.resultPath))


def test_linked_data_files_ship_with_the_version() -> None:
    folder = version_folder(VERSION)
    assert (folder / "context.jsonld").is_file()
    assert (folder / "shacl.ttl").is_file() and (folder / "owl.ttl").is_file()
    owl = rdflib.Graph().parse(folder / "owl.ttl", format="turtle")
    assert (None, rdflib.RDF.type, rdflib.OWL.Ontology) in owl


def test_the_valid_example_conforms(shapes: rdflib.Graph) -> None:
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert validate(document).valid
    assert shacl_results(document, shapes) is None


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_pyshacl_and_the_validator_agree_on_an_invalid_case(
    case: dict[str, Any], shapes: rdflib.Graph
) -> None:
    document = json.loads((INVALID / case["file"]).read_text(encoding="utf-8"))
    assert not validate(document).valid
    paths = shacl_results(document, shapes)
    if case["constraint"] == "rule":
        assert paths is None, "SHACL from LinkML does not carry class rules; now it does?"
        return
    assert paths is not None, f"pySHACL finds {case['file']} valid"
    if case["constraint"] in ON_THE_FIELD:
        # A record without its ID is a blank node, which the Submission's list refuses.
        missing_id = (
            case["constraint"] == "required" and (case["table"], case["field"]) in IDENTIFIERS
        )
        where = case["table"] if missing_id else case["field"]
        assert where in paths, paths


WRONG_DATATYPES = [
    ("costs", "total_weekly_cost", "four hundred"),
    ("placements", "start_date", "2025-02-30"),
    ("referrals", "referral_date", 20250401),
]


@pytest.mark.parametrize(("table", "field", "value"), WRONG_DATATYPES)
def test_a_value_of_the_wrong_datatype_is_invalid_to_both(
    table: str, field: str, value: Any, shapes: rdflib.Graph
) -> None:
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    broken = copy.deepcopy(document)
    assert field in broken[table][0]
    broken[table][0][field] = value
    assert not validate(broken).valid
    paths = shacl_results(broken, shapes)
    assert paths is not None and field in paths, paths
