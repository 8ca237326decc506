"""The national standard's nine examples under its own engine, and where pySHACL differs.

The national team checks JSON-LD with jsonld.js and rdf-validate-shacl (Node.js), with no
base IRI; tests/national_engine/ pins that engine and tests/national_engine_support.py
runs it. Under it, valid-*.jsonld conform and each invalid-*.jsonld fails for its one
reason. Two things it does not say out loud, pinned here:

1. outOfLAReason is typed "@id" in the context, not "@vocab", so its plain values
   ("Court order", "Other", "CourtOrder") are relative IRIs, not the terms of its scoped
   context. With no base jsonld.js drops those triples without a word: the shape never
   sees outOfLAReason. With a file's base they become file:///.../Other and fail sh:in.
   Written as a compact IRI (olr:CourtOrder) or in full, it is checked.
2. pySHACL over rdflib's JSON-LD parser gets two of the valid examples wrong, and adds
   reasons to most invalid ones: rdflib resolves outOfLAReason against the file, and
   keeps a JSON number typed xsd:decimal as a Python float or int, which pySHACL's
   sh:datatype xsd:decimal refuses (it wants a Decimal).

These are what docs/snippets/national-engines.md tells users; if a new rdflib or pySHACL
changes them, the pySHACL tests fail and say so.
"""

from __future__ import annotations

import copy
import json
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from national_engine_support import (
    CONTEXT,
    ENGINE,
    EXAMPLES,
    SHAPE,
    Result,
    Verdict,
    engine_versions,
)

NAMES = sorted(p.name for p in EXAMPLES.glob("*.jsonld"))
PL = "https://ns.socialcaredata.io/placements/"
OLR = PL + "outof-la-reason#"
COSTS = (
    "totalWeeklyCost",
    "coreWeeklyCost",
    "additionalSupportWeeklyCost",
    "educationWeeklyCost",
    "otherWeeklyCost",
)
# (path, constraint, severity, shape) of every result each invalid example gets, and no more.
V, W = "Violation", "Warning"
REASONS: dict[str, set[tuple[str | None, str, str, str | None]]] = {
    "invalid-postcode.jsonld": {
        ("placementLocation", "PatternConstraintComponent", V, "ActualPlacementShape"),
        ("placementLocation", "MaxLengthConstraintComponent", V, "ActualPlacementShape"),
    },
    "invalid-negative-cost.jsonld": {
        ("otherWeeklyCost", "MinInclusiveConstraintComponent", V, "ActualPlacementShape"),
    },
    "invalid-cost-out-of-range.jsonld": {
        ("totalWeeklyCost", "MinInclusiveConstraintComponent", W, "ActualPlacementShape"),
    },
    "invalid-missing-required.jsonld": {
        ("riskAssessment", "MinCountConstraintComponent", V, "PlacementShape"),
    },
    "invalid-other-missing-text.jsonld": {
        (None, "NotConstraintComponent", V, "CulturalNeedsOtherCheckShape"),
        (None, "NotConstraintComponent", V, "SpecificCommunicationRequirementOtherCheckShape"),
        (None, "NotConstraintComponent", V, "AdditionalSupportOtherCheckShape"),
    },
    "invalid-bad-enum.jsonld": {
        (
            "specificCommunicationRequirement",
            "InConstraintComponent",
            V,
            "PlacementRequirementsShape",
        ),
        ("pets", "InConstraintComponent", V, "PlacementRequirementsShape"),
        ("riskSelfHarm", "InConstraintComponent", V, "RiskAssessmentShape"),
    },
}


def load(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def keys(results: list[Result]) -> set[tuple[str | None, str, str, str | None]]:
    return {(r.path, r.constraint, r.severity, r.shape) for r in results}


def write(folder: Path, name: str, document: dict[str, Any]) -> Path:
    """A variant of an example, with the shipped context inline (so that rdflib, which
    resolves "../context.jsonld" against the file, finds it too)."""
    document = copy.deepcopy(document)
    document["@context"] = json.loads(CONTEXT.read_text(encoding="utf-8"))["@context"]
    path = folder / name
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def out_of_la_terms() -> dict[str, str]:
    """outOfLAReason's scoped terms ("Court order" -> "olr:CourtOrder"), from the context."""
    context = json.loads(CONTEXT.read_text(encoding="utf-8"))["@context"]
    return context["outOfLAReason"]["@context"]


def portable(document: dict[str, Any]) -> dict[str, Any]:
    """An example written the way both engines read alike: outOfLAReason as a compact
    IRI, every cost as a string."""
    document = copy.deepcopy(document)
    availability = document["placementAvailability"]
    if "outOfLAReason" in availability:
        value = availability["outOfLAReason"]
        availability["outOfLAReason"] = out_of_la_terms().get(value, value)
    actual = document.get("actualPlacement", {})
    for name in COSTS:
        if isinstance(actual.get(name), int | float):
            actual[name] = f"{Decimal(str(actual[name])):.2f}"
    return document


@pytest.fixture(scope="module")
def verdicts(national_verdicts) -> dict[str, Verdict]:
    """The national engine's verdict on each of the nine examples, as its team runs it."""
    found = national_verdicts([EXAMPLES / name for name in NAMES])
    return {path.name: verdict for path, verdict in found.items()}


# -- the engine ------------------------------------------------------------------------


def test_the_engine_is_pinned_exactly() -> None:
    pins = engine_versions()
    assert set(pins) == {"jsonld", "rdf-validate-shacl", "n3", "@rdfjs/dataset"}
    assert all(version[0].isdigit() for version in pins.values()), pins
    lock = json.loads((ENGINE / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"][""]["dependencies"] == pins
    for name, version in pins.items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    assert (
        "tests/national_engine/node_modules/" in (ENGINE.parent.parent / ".gitignore").read_text()
    )


def test_the_engine_reports_its_pinned_versions(national_verdicts) -> None:
    done = subprocess.run(
        ["node", str(ENGINE / "validate.mjs"), str(SHAPE), str(CONTEXT), str(EXAMPLES / NAMES[0])],
        capture_output=True,
        text=True,
        check=True,
        cwd=ENGINE,
    )
    report = json.loads(done.stdout)
    assert report["engine"] == engine_versions()
    assert report["base"] is None


# -- the nine examples under the national engine ---------------------------------------


def test_there_are_nine_examples() -> None:
    assert len(NAMES) == 9
    assert set(REASONS) == {n for n in NAMES if n.startswith("invalid-")}


@pytest.mark.parametrize("name", NAMES)
def test_each_example_behaves_as_named(name: str, verdicts: dict[str, Verdict]) -> None:
    verdict = verdicts[name]
    if name.startswith("valid-"):
        assert verdict.conforms, verdict.results
        assert verdict.results == []
    else:
        assert not verdict.conforms


@pytest.mark.parametrize("name", sorted(REASONS))
def test_each_invalid_example_fails_for_its_reason(name: str, verdicts: dict[str, Verdict]) -> None:
    assert keys(verdicts[name].results) == REASONS[name]


def test_the_failing_values_are_the_ones_the_examples_break(verdicts: dict[str, Verdict]) -> None:
    values = {
        name: sorted((r.path, r.value) for r in verdicts[name].results if r.path)
        for name in REASONS
    }
    assert values["invalid-postcode.jsonld"] == [("placementLocation", "NOT A POSTCODE")] * 2
    assert values["invalid-negative-cost.jsonld"] == [("otherWeeklyCost", "-50")]
    assert values["invalid-cost-out-of-range.jsonld"] == [("totalWeeklyCost", "50")]
    assert values["invalid-bad-enum.jsonld"] == [
        ("pets", PL + "pets-allowance#MaybePets"),
        ("riskSelfHarm", PL + "risk-level#Severe"),
        ("specificCommunicationRequirement", PL + "communication-need#XYZ"),
    ]
    # Out of range is only a Warning, yet SHACL's conforms is false for any result.
    assert verdicts["invalid-cost-out-of-range.jsonld"].violations == []


# -- finding 1: outOfLAReason is a relative IRI -----------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_without_a_base_outoflareason_never_reaches_the_shape(
    name: str, verdicts: dict[str, Verdict]
) -> None:
    written = load(name)["placementAvailability"].get("outOfLAReason")
    verdict = verdicts[name]
    assert "outOfLAReason>" not in verdict.nquads
    assert verdict.dropped == ([written] if written else [])
    assert all(r.path != "outOfLAReason" for r in verdict.results)


def test_other_without_its_text_is_not_caught_for_outoflareason(
    verdicts: dict[str, Verdict], national_verdicts, tmp_path: Path
) -> None:
    # invalid-other-missing-text also gives outOfLAReason "OutOfLAReasonOther" with no
    # text; its check shape never fires, as the value is dropped. As olr:... it does.
    name = "invalid-other-missing-text.jsonld"
    assert "OutOfLAReasonOtherCheckShape" not in {r.shape for r in verdicts[name].results}
    document = load(name)
    document["placementAvailability"]["outOfLAReason"] = "olr:OutOfLAReasonOther"
    path = write(tmp_path, name, document)
    verdict = national_verdicts([path])[path]
    assert keys(verdict.results) == REASONS[name] | {
        (None, "NotConstraintComponent", V, "OutOfLAReasonOtherCheckShape")
    }


def test_with_a_file_base_valid_other_options_fails_on_outoflareason(national_verdicts) -> None:
    path = EXAMPLES / "valid-other-options.jsonld"
    verdict = national_verdicts([path], base=path.as_uri())[path]
    assert not verdict.conforms
    assert keys(verdict.results) == {
        ("outOfLAReason", "InConstraintComponent", V, "PlacementAvailabilityShape")
    }
    assert verdict.results[0].value == (EXAMPLES / "Other").as_uri()


def test_with_a_file_base_a_value_with_a_space_is_still_dropped(national_verdicts) -> None:
    # "Court order" resolves to file:///.../Court order, which is no IRI (the space).
    path = EXAMPLES / "valid-placement.jsonld"
    verdict = national_verdicts([path], base=path.as_uri())[path]
    assert verdict.conforms
    assert verdict.dropped == [f"{EXAMPLES.as_uri()}/Court order"]


@pytest.mark.parametrize(
    ("written", "conforms"),
    [
        ("olr:CourtOrder", True),
        (OLR + "CourtOrder", True),
        ({"@id": "olr:CourtOrder"}, True),
        ("olr:Nonsense", False),
        (OLR + "Nonsense", False),
    ],
)
def test_outoflareason_is_checked_when_written_as_an_iri(
    written: Any, conforms: bool, national_verdicts, tmp_path: Path
) -> None:
    document = load("valid-placement.jsonld")
    document["placementAvailability"]["outOfLAReason"] = written
    path = write(tmp_path, "valid-placement.jsonld", document)
    verdict = national_verdicts([path])[path]
    assert "outOfLAReason>" in verdict.nquads and verdict.dropped == []
    assert verdict.conforms is conforms, verdict.results
    if not conforms:
        assert keys(verdict.results) == {
            ("outOfLAReason", "InConstraintComponent", V, "PlacementAvailabilityShape")
        }


# -- costs: what each way of writing a decimal becomes under the national engine -------


@pytest.mark.parametrize(
    ("written", "literal", "conforms"),
    [
        (4500.00, "4500", True),  # JSON's 4500.00 is the number 4500: an integer
        (4500, "4500", True),
        ("4500.50", "4500.50", True),
        ({"@value": "4500.50", "@type": "xsd:decimal"}, "4500.50", True),
        # JSON-LD writes a number with a fraction in xsd:double's form, and keeps the
        # context's datatype: an ill-typed xsd:decimal, refused by sh:datatype.
        (4500.5, "4.5005E3", False),
    ],
)
def test_a_cost_under_the_national_engine(
    written: Any, literal: str, conforms: bool, national_verdicts, tmp_path: Path
) -> None:
    document = load("valid-placement.jsonld")
    document["actualPlacement"]["totalWeeklyCost"] = written
    path = write(tmp_path, "cost.jsonld", document)
    verdict = national_verdicts([path])[path]
    xsd_decimal = "<http://www.w3.org/2001/XMLSchema#decimal>"
    assert f'<{PL}totalWeeklyCost> "{literal}"^^{xsd_decimal}' in verdict.nquads
    assert verdict.conforms is conforms, verdict.results
    if not conforms:
        assert keys(verdict.results) == {
            ("totalWeeklyCost", "DatatypeConstraintComponent", V, "ActualPlacementShape")
        }


# -- finding 2: pySHACL over rdflib's JSON-LD parser -----------------------------------

try:
    import pyshacl
    import rdflib
except ImportError:  # the linked-data extra is not installed: these tests skip
    pyshacl = rdflib = None
SH = "http://www.w3.org/ns/shacl#"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
CHANGED = (
    f"rdflib {getattr(rdflib, '__version__', '?')} / pySHACL "
    f"{getattr(pyshacl, '__version__', '?')} no longer behave as "
    "docs/snippets/national-engines.md says: check and update it, and this test"
)


@pytest.fixture(scope="module")
def shapes() -> Any:
    if rdflib is None:
        pytest.skip("needs the linked-data extra: pip install 'sufficiency-standard[linked-data]'")
    return rdflib.Graph().parse(SHAPE, format="turtle")


def parse(path: Path) -> Any:
    """A JSON-LD file as rdflib reads it (its base: the file's own URL)."""
    return rdflib.Graph().parse(path, format="json-ld")


def one(graph: Any, predicate: Any) -> Any:
    """The one object of predicate in graph."""
    (value,) = set(graph.objects(None, predicate))
    return value


def pyshacl_results(graph: Any, shapes: Any) -> tuple[bool, list[Result]]:
    sh = rdflib.Namespace(SH)
    conforms, report, _text = pyshacl.validate(graph, shacl_graph=shapes)
    results = []
    for node in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        path = report.value(node, sh.resultPath)
        source = report.value(node, sh.sourceShape)
        if isinstance(source, rdflib.BNode):
            source = next(shapes.subjects(sh.property, source), source)
        value = report.value(node, sh.value)
        results.append(
            Result(
                focus=str(report.value(node, sh.focusNode)),
                path=str(path).rsplit("/", 1)[-1] if path else None,
                value=str(value) if value is not None else None,
                datatype=str(value.datatype) if isinstance(value, rdflib.Literal) else None,
                severity=str(report.value(node, sh.resultSeverity)).rsplit("#", 1)[-1],
                constraint=str(report.value(node, sh.sourceConstraintComponent)).rsplit("#")[-1],
                shape=str(source).rsplit("#", 1)[-1] if isinstance(source, rdflib.URIRef) else None,
                message=str(report.value(node, sh.resultMessage) or ""),
            )
        )
    return conforms, results


def _decimal(path: str) -> tuple[str | None, str, str, str | None]:
    return (path, "DatatypeConstraintComponent", V, "ActualPlacementShape")


OUT_OF_LA = ("outOfLAReason", "InConstraintComponent", V, "PlacementAvailabilityShape")
# What pySHACL reports on each example beyond the national engine's results (it misses none).
PYSHACL_EXTRA: dict[str, set[tuple[str | None, str, str, str | None]]] = {
    "valid-placement.jsonld": {OUT_OF_LA, *map(_decimal, COSTS)},
    "valid-other-options.jsonld": {OUT_OF_LA},
    "valid-neededby-symbolic.jsonld": set(),
    "invalid-bad-enum.jsonld": {OUT_OF_LA},
    "invalid-cost-out-of-range.jsonld": {OUT_OF_LA, _decimal("totalWeeklyCost")},
    "invalid-missing-required.jsonld": {OUT_OF_LA},
    "invalid-negative-cost.jsonld": {_decimal(c) for c in COSTS if c != "educationWeeklyCost"},
    "invalid-other-missing-text.jsonld": {OUT_OF_LA},
    "invalid-postcode.jsonld": {OUT_OF_LA, _decimal("totalWeeklyCost")},
}


def pyshacl_mark(test):
    """Skip without the linked-data extra; rdflib's JSON-LD parser still builds a
    ConjunctiveGraph, which warns."""
    test = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")(
        test
    )
    return pytest.mark.skipif(
        pyshacl is None,
        reason="needs the linked-data extra: pip install 'sufficiency-standard[linked-data]'",
    )(test)


@pyshacl_mark
def test_pyshacl_gets_two_valid_examples_wrong(shapes: Any) -> None:
    conforming = {name for name in NAMES if pyshacl_results(parse(EXAMPLES / name), shapes)[0]}
    # Every invalid example still fails; of the valid ones only valid-neededby-symbolic
    # (no cost, no outOfLAReason) conforms.
    assert conforming == {"valid-neededby-symbolic.jsonld"}, CHANGED


@pyshacl_mark
@pytest.mark.parametrize("name", NAMES)
def test_what_pyshacl_adds_to_the_national_verdict(
    name: str, shapes: Any, verdicts: dict[str, Verdict]
) -> None:
    _conforms, results = pyshacl_results(parse(EXAMPLES / name), shapes)
    national = keys(verdicts[name].results)
    assert national <= keys(results), CHANGED
    assert keys(results) - national == PYSHACL_EXTRA[name], CHANGED


@pyshacl_mark
def test_rdflib_keeps_a_json_number_as_a_float_or_int_that_pyshacl_refuses(
    shapes: Any,
) -> None:
    graph = parse(EXAMPLES / "valid-placement.jsonld")
    total = one(graph, rdflib.URIRef(PL + "totalWeeklyCost"))
    # JSON's 4500.00 is Python's float 4500.0; rdflib writes it "4500.0" (a well-formed
    # xsd:decimal, not 4.5E3) but keeps the float as its value.
    assert total == rdflib.Literal("4500.0", datatype=XSD_DECIMAL), CHANGED
    assert not total.ill_typed and type(total.value) is float, CHANGED
    graph = parse(EXAMPLES / "invalid-cost-out-of-range.jsonld")
    total = one(graph, rdflib.URIRef(PL + "totalWeeklyCost"))
    assert str(total) == "50" and type(total.value) is int, CHANGED
    # pySHACL's sh:datatype xsd:decimal wants a Python Decimal: the same text read as
    # text (through N-Triples) passes, so the value's Python type is the cause.
    reread = rdflib.Graph().parse(data=graph.serialize(format="nt"), format="nt")
    total = one(reread, rdflib.URIRef(PL + "totalWeeklyCost"))
    assert isinstance(total.value, Decimal)
    _conforms, results = pyshacl_results(reread, shapes)
    assert "DatatypeConstraintComponent" not in {r.constraint for r in results}, CHANGED


@pyshacl_mark
def test_rdflib_resolves_outoflareason_against_the_file() -> None:
    predicate = rdflib.URIRef(PL + "outOfLAReason")
    other = one(parse(EXAMPLES / "valid-other-options.jsonld"), predicate)
    assert other == rdflib.URIRef((EXAMPLES / "Other").as_uri()), CHANGED
    court = one(parse(EXAMPLES / "invalid-bad-enum.jsonld"), predicate)
    assert court == rdflib.URIRef((EXAMPLES / "CourtOrder").as_uri()), CHANGED
    # An @id with a space becomes "" in rdflib, that is the document itself.
    court = one(parse(EXAMPLES / "valid-placement.jsonld"), predicate)
    assert court == rdflib.URIRef((EXAMPLES / "valid-placement.jsonld").as_uri()), CHANGED


@pyshacl_mark
@pytest.mark.parametrize("name", NAMES)
def test_written_portably_both_engines_agree(
    name: str, shapes: Any, national_verdicts, verdicts: dict[str, Verdict], tmp_path: Path
) -> None:
    # outOfLAReason as olr:..., costs as strings: pySHACL then says what the national
    # engine says, and the national engine still says what it said of the example
    # (and now checks outOfLAReason, which adds the 'Other' check on the one example
    # that gives Other without its text).
    path = write(tmp_path, name, portable(load(name)))
    national = national_verdicts([path])[path]
    conforms, results = pyshacl_results(parse(path), shapes)
    assert keys(results) == keys(national.results)
    assert conforms is national.conforms is name.startswith("valid-")
    expected = set(REASONS.get(name, set()))
    if name == "invalid-other-missing-text.jsonld":
        expected.add((None, "NotConstraintComponent", V, "OutOfLAReasonOtherCheckShape"))
    assert keys(national.results) == expected
