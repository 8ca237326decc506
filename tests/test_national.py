"""The national placements standard: its vocabulary, reading its JSON-LD, validating it as
its shape does, import into this standard and export back (the round trip), on the nine
national examples and on generated records covering every code of every taxonomy.

The national team's own engine (jsonld.js + rdf-validate-shacl, tests/national_engine)
is the reference: the `national_verdicts` fixture skips, saying why, without Node.js.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from sufficiency_standard.importers import import_command
from sufficiency_standard.importers.national_standard import import_national_standard
from sufficiency_standard.national.check import check_records
from sufficiency_standard.national.crosswalk import concepts_without_code, crossings
from sufficiency_standard.national.export import export_national
from sufficiency_standard.national.jsonld import read_jsonld, write_jsonld
from sufficiency_standard.national.record import NationalRecord, Unreadable
from sufficiency_standard.national.vocabulary import vocabulary
from sufficiency_standard.validation import validate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "src" / "sufficiency_standard" / "national" / "reference" / "examples"
VALID = sorted(EXAMPLES.glob("valid-*.jsonld"))
INVALID = sorted(EXAMPLES.glob("invalid-*.jsonld"))
OPTIONS = {"la_code": "E06000066", "extract_date": __import__("datetime").date(2024, 6, 30)}
# Each invalid example fails for its reason (the error codes it raises, no more).
REASONS = {
    "invalid-bad-enum": {"NAT-NOT-A-CONCEPT"},
    "invalid-cost-out-of-range": {"NAT-SENSE-CHECK"},
    "invalid-missing-required": {"NAT-PART-MISSING"},
    "invalid-negative-cost": {"NAT-OUT-OF-RANGE"},
    "invalid-other-missing-text": {"NAT-OTHER-TEXT"},
    "invalid-postcode": {"NAT-PATTERN"},
}


def _meant(record: NationalRecord) -> dict:
    """A record's values as its author meant them: a label JSON-LD processors drop
    (outOfLAReason "Court order") read as its concept."""
    vocab = vocabulary()
    values = {}
    for prop, value in record.values.items():
        if isinstance(value, Unreadable):
            value = vocab.concept_from_label(vocab.properties[prop], value.text)
        values[prop] = value
    return values


def _round_trip(tmp_path: Path, source: Path) -> list[NationalRecord]:
    submission = tmp_path / "submission.json"
    result = import_command("national-standard", [source], submission, **OPTIONS)
    assert result.validation.valid, [i.message for i in result.validation.issues][:5]
    out = tmp_path / "back.jsonld"
    export_national(submission, out)
    return read_jsonld(out)[0]


# -- the vocabulary ----------------------------------------------------------------


def test_the_vocabulary_is_what_the_national_artefacts_compile_to():
    """The drift check: scripts/compile_national.py recompiles and compares."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "compile_national.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_national_value_has_a_place_in_this_standard():
    """The crosswalk in the schema covers every national property and every concept of
    every national taxonomy, so nothing national is lost on import."""
    assert concepts_without_code() == {}
    named = {c.prop.name for c in crossings()}
    national = {p.name for p in vocabulary().properties.values() if p.kind != "link"}
    assert national - named == set()


def test_labels_in_every_spelling_the_templates_use_are_read():
    vocab = vocabulary()
    props = vocab.properties
    assert vocab.concept_from_label(props["neededBy"], "< 5days") == "pu:WithinFiveDays"
    assert vocab.concept_from_label(props["placementType"], "Residential ") == "pt:Residential"
    assert vocab.concept_from_label(props["fosterCareSuitability"], " Unsuitable") == (
        "sl:Unsuitable"
    )
    assert vocab.concept_from_label(props["outOfLAReason"], "Court Order") == "olr:CourtOrder"
    assert vocab.concept_from_label(props["neededBy"], "Soon") is None
    # JSON-LD reads only the context's own terms, prefixed names and IRIs.
    assert vocab.concept_from_jsonld(props["neededBy"], "< 5 days") == "pu:WithinFiveDays"
    assert vocab.concept_from_jsonld(props["neededBy"], "Within 5 days") is None
    assert vocab.concept_from_jsonld(props["outOfLAReason"], "Court order") is None
    assert vocab.concept_from_jsonld(props["outOfLAReason"], "olr:CourtOrder") == ("olr:CourtOrder")


# -- validating national JSON-LD ---------------------------------------------------


@pytest.mark.parametrize("example", VALID, ids=lambda p: p.stem)
def test_valid_national_examples_pass_validate(example):
    report = validate(example)
    assert report.standard.source == "national"
    assert report.valid, [i.message for i in report.issues]
    assert "conforms to the national" in report.verdict()


@pytest.mark.parametrize("example", INVALID, ids=lambda p: p.stem)
def test_each_invalid_national_example_fails_for_its_reason(example):
    report = validate(example)
    errors = {i.code for i in report.issues if i.severity == "error"}
    assert not report.valid
    assert errors == REASONS[example.stem]
    for issue in report.issues:
        if issue.code != "NAT-READ-NOTE":
            assert issue.location.path and issue.location.path.startswith("$")


def test_validate_agrees_with_the_national_engine_on_the_nine_examples(national_verdicts):
    verdicts = national_verdicts([*VALID, *INVALID])
    for path, verdict in verdicts.items():
        assert validate(path).valid == verdict.conforms, path.name


def test_validate_names_the_json_path_and_hides_personal_values():
    report = validate(EXAMPLES / "invalid-postcode.jsonld")
    (pattern,) = [i for i in report.issues if i.code == "NAT-PATTERN"]
    assert pattern.location.path == "$.actualPlacement.placementLocation"
    assert pattern.personal  # the value is shown only when asked for
    bad_enum = validate(EXAMPLES / "invalid-bad-enum.jsonld")
    paths = {i.location.path for i in bad_enum.issues if i.code == "NAT-NOT-A-CONCEPT"}
    assert paths == {
        "$.placementRequirements.specificCommunicationRequirement",
        "$.placementRequirements.pets",
        "$.riskAssessment.riskSelfHarm",
    }


def test_a_label_json_ld_processors_drop_is_a_warning_not_a_silent_pass():
    report = validate(EXAMPLES / "valid-placement.jsonld")
    (dropped,) = report.issues
    assert dropped.code == "NAT-DROPPED"
    assert "olr:CourtOrder" in dropped.message


def test_a_list_and_a_graph_of_records_with_the_context_by_reference_are_read(tmp_path):
    records = [json.loads(p.read_text()) for p in VALID]
    listing = tmp_path / "list.jsonld"
    listing.write_text(json.dumps(records))
    graph = tmp_path / "graph.jsonld"
    context = json.loads((EXAMPLES.parent / "context.jsonld").read_text())["@context"]
    graph.write_text(
        json.dumps(
            {
                "@context": context,
                "@graph": [{k: v for k, v in r.items() if k != "@context"} for r in records],
            }
        )
    )
    for path in (listing, graph):
        found, _ = read_jsonld(path)
        assert [r.get("childId") for r in found] == ["NEEDEDBY001", "OTHER001", "ABCD2012"]
        assert validate(path).valid


def test_a_file_that_is_not_json_is_refused_with_its_name(tmp_path):
    bad = tmp_path / "record.jsonld"
    bad.write_text("{ not json")
    with pytest.raises(Exception) as raised:
        read_jsonld(bad)
    assert "record.jsonld is not JSON" in str(raised.value)


# -- import and the round trip -----------------------------------------------------


@pytest.mark.parametrize("example", VALID, ids=lambda p: p.stem)
def test_national_to_ours_to_national_returns_every_national_value(tmp_path, example):
    (source,) = read_jsonld(example)[0]
    (back,) = _round_trip(tmp_path, example)
    expected = _meant(source)
    if "placementId" not in expected:
        # A record without one gets its search's ID (made from its @id) on the way back.
        assert back.values.pop("placementId") == source.record_id.rsplit(":", 1)[-1]
    assert back.values == expected


def test_the_round_trip_output_conforms_under_the_national_engine(tmp_path, national_verdicts):
    outs = []
    for example in VALID:
        folder = tmp_path / example.stem
        folder.mkdir()
        _round_trip(folder, example)
        outs.append(folder / "back.jsonld")
    for path, verdict in national_verdicts(outs).items():
        assert verdict.conforms, (path.parent.name, verdict.results)
        assert verdict.dropped == []


def _every_code_records() -> list[NationalRecord]:
    """Records that between them use every concept of every national taxonomy, each
    Other with its free text, and every optional value."""
    vocab = vocabulary()
    concept_props = [p for p in vocab.properties.values() if p.kind == "concept"]
    width = max(len(p.concepts) for p in concept_props)
    records = []
    for i in range(width):
        record = NationalRecord(
            "generated", __import__("sufficiency_standard.issues").issues.Location(row=i + 1)
        )
        record.put("childId", f"CHILD{i:03d}")
        record.put("placementId", f"SEARCH{i:03d}")
        for _, link in vocab.classes:
            if link:
                record.put(link, True)
        for prop in concept_props:
            concept = prop.concepts[i % len(prop.concepts)]
            record.put(prop.name, [concept] if prop.multivalued else concept)
        for condition in vocab.conditions:
            if (
                condition.has_value in (record.get(condition.property) or [])
                or record.get(condition.property) == condition.has_value
            ):
                record.put(condition.requires, [f"what the other is, {i}"])
        record.put("siblingCount", i)
        record.put("siblingsPlacedTogether", i % 2)
        for flag in (
            "isPreferredLocationLocal",
            "homeAdaptationRequired",
            "deprivationOfLiberty",
            "isLocationPreferred",
            "isEducationContinuous",
        ):
            record.put(flag, i % 2 == 0)
        record.put("coreWeeklyCost", Decimal("2500.50") + i)
        record.put("additionalSupportWeeklyCost", Decimal("100.25"))
        record.put("educationWeeklyCost", Decimal("0.00"))
        record.put("otherWeeklyCost", Decimal("12.00"))
        record.put("totalWeeklyCost", Decimal("2612.75") + i)
        record.put("placementLocation", ["TA3", "BS10", "N18", "M1"][i % 4])
        record.put("providerURN", f"RP{900000 + i}")
        date = __import__("datetime").date
        record.put("referralDate", date(2024, 4, 1 + i))
        record.put("placementDate", date(2024, 5, 1 + i))
        record.put("costDate", date(2024, 5, 2 + i))
        record.put("referralOfficerName", f"Officer R{i}")
        record.put("placementOfficerName", f"Officer P{i}")
        record.put("costOfficerName", f"Officer C{i}")
        records.append(record)
    return records


def test_generated_records_with_every_code_round_trip_and_conform(tmp_path, national_verdicts):
    records = _every_code_records()
    source = tmp_path / "every-code.jsonld"
    write_jsonld(records, [f"urn:test:{r.get('placementId')}" for r in records], source)
    used = {
        (prop, c)
        for r in records
        for prop, v in r.values.items()
        if vocabulary().properties.get(prop) and vocabulary().properties[prop].kind == "concept"
        for c in (v if isinstance(v, list) else [v])
    }
    every = {
        (p.name, c)
        for p in vocabulary().properties.values()
        if p.kind == "concept"
        for c in p.concepts
    }
    assert used == every
    assert check_records(read_jsonld(source)[0]) == []
    back = _round_trip(tmp_path, source)
    assert [r.values for r in back] == [_meant(r) for r in read_jsonld(source)[0]]
    verdicts = national_verdicts([source, tmp_path / "back.jsonld"])
    assert all(v.conforms for v in verdicts.values()), verdicts


@pytest.mark.parametrize("example", INVALID, ids=lambda p: p.stem)
def test_invalid_examples_import_with_nothing_lost_silently(example):
    _, report = import_national_standard([example], **OPTIONS)
    (source,) = read_jsonld(example)[0]
    unreadable = [
        p
        for p, v in source.values.items()
        if isinstance(v, Unreadable)
        or (isinstance(v, list) and any(isinstance(x, Unreadable) for x in v))
    ]
    noted = {n.target for n in report.notes.values()}
    for prop in unreadable:
        target = next(c.target for c in crossings() if c.prop.name == prop)
        assert target in noted, prop


def test_officer_names_stay_in_the_la_and_are_dropped_before_sharing(tmp_path):
    from sufficiency_standard.pseudonymise import keygen_command, pseudonymise_command

    submission = tmp_path / "submission.json"
    import_command(
        "national-standard", [EXAMPLES / "valid-placement.jsonld"], submission, **OPTIONS
    )
    held = json.loads(submission.read_text())["referrals"][0]
    assert held["placement_officer"] == "Beth Green"
    assert held["referral_officer"] == "Alex Brown"
    shared = tmp_path / "shared.json"
    pseudonymise_command([submission], keygen_command(tmp_path / "la.key"), shared)
    text = shared.read_text()
    for name in ("Beth Green", "Alex Brown", "Casey White"):
        assert name not in text


def test_export_without_officer_names_says_the_records_cannot_conform(tmp_path):
    submission = tmp_path / "submission.json"
    import_command(
        "national-standard", [EXAMPLES / "valid-placement.jsonld"], submission, **OPTIONS
    )
    result = export_national(submission, tmp_path / "out.jsonld", officer_names=False)
    assert {i.code for i in result.issues} == {"NAT-REQUIRED"}
    assert "Beth Green" not in (tmp_path / "out.jsonld").read_text()
    assert any("placementOfficerName" in n.reason for n in result.report.of_kind("not filled"))


def test_the_example_submission_exports_and_our_check_agrees_with_the_engine(
    tmp_path, national_verdicts
):
    out = tmp_path / "example.jsonld"
    result = export_national(
        ROOT / "examples" / "example-submission.json", out, placement_officer="Placements team"
    )
    assert result.records
    # One record per file, so the engine's verdict is per record.
    single = []
    for i, (record, record_id) in enumerate(zip(result.records, result.ids, strict=True)):
        path = tmp_path / f"record-{i}.jsonld"
        write_jsonld([record], [record_id], path)
        single.append(path)
    verdicts = national_verdicts(single)
    for path in single:
        ours = check_records(read_jsonld(path)[0])
        assert (ours == []) == verdicts[path].conforms, (path.name, ours, verdicts[path].results)


# -- the Excel templates -------------------------------------------------------------

TEMPLATES = ROOT / "src" / "sufficiency_standard" / "national" / "reference" / "templates"


@pytest.mark.parametrize(
    ("template", "edition"),
    [
        ("National-Placement-Standard-Excel-20260427.xlsx", "2026-04"),
        ("National-Placement-Standard-Excel-20260624.xlsx", "2026-06"),
    ],
)
def test_both_templates_import_whole_and_export_back_equal(tmp_path, template, edition):
    from sufficiency_standard.national.excel import read_template

    source = TEMPLATES / template
    (original,) = read_template(source)[0]
    submission = tmp_path / "submission.json"
    result = import_command("national-standard", [source], submission, **OPTIONS)
    assert result.validation.valid
    written = json.loads(submission.read_text())
    (placement,) = written["placements"]
    (cost,) = written["costs"]
    assert Decimal(str(cost["total_weekly_cost"])) == Decimal("23000")  # cost_total_weekly kept
    # "Was education disrupted?" No: not inverted into "disrupted".
    assert placement["education_disrupted"] == "No"
    assert [c["child_id"] for c in written["children"]] == ["ABCD2012"]  # no guidance row
    out = tmp_path / "back.xlsx"
    export_national(submission, out, template=edition)
    (back,) = read_template(out)[0]
    assert back.values == original.values


def test_the_regional_importer_hands_the_national_template_over(tmp_path):
    report = import_command(
        "placements-standard",
        [TEMPLATES / "National-Placement-Standard-Excel-20260624.xlsx"],
        tmp_path / "s.json",
        **OPTIONS,
    ).report
    notes = [n.reason for n in report.notes.values()]
    assert any("national placements standard's Excel template" in n for n in notes)
    written = json.loads((tmp_path / "s.json").read_text())
    assert len(written["children"]) == 1  # the drop-down sheet is not read as children
    assert written["costs"][0]["total_weekly_cost"] == 23000


def test_the_cli_exports_national_json_ld_and_says_whether_it_conforms(tmp_path):
    from typer.testing import CliRunner

    from sufficiency_standard.cli import app

    submission = tmp_path / "s.json"
    import_command(
        "national-standard", [EXAMPLES / "valid-placement.jsonld"], submission, **OPTIONS
    )
    runner = CliRunner()
    done = runner.invoke(
        app, ["export", "national-standard", str(submission), "--out", str(tmp_path / "n.jsonld")]
    )
    assert done.exit_code == 0, done.output
    assert "every one conforms" in done.output
    assert (tmp_path / "n.jsonld.export-report.txt").exists()
    done = runner.invoke(
        app,
        [
            "export",
            "national-standard",
            str(submission),
            "--out",
            str(tmp_path / "m.jsonld"),
            "--without-officer-names",
        ],
    )
    assert done.exit_code == 1
    assert "placementOfficerName" in done.output
    done = runner.invoke(
        app, ["export", "national-standard", str(submission), "--out", str(tmp_path / "x.csv")]
    )
    assert done.exit_code == 2
    assert "x.csv" in done.output


def test_the_console_report_gives_a_long_json_path_its_own_line():
    from typer.testing import CliRunner

    from sufficiency_standard.cli import app

    done = CliRunner().invoke(app, ["validate", str(EXAMPLES / "invalid-bad-enum.jsonld")])
    assert done.exit_code == 1
    lines = done.output.splitlines()
    place = lines.index("   $.placementRequirements.specificCommunicationRequirement")
    assert lines[place + 1].strip().startswith('"specificCommunicationRequirement"')
    assert "1 record." in done.output
    assert "each points at its JSON path" in done.output


def test_records_that_reference_the_context_get_it_beside_them(tmp_path, national_verdicts):
    submission = tmp_path / "s.json"
    import_command(
        "national-standard", [EXAMPLES / "valid-placement.jsonld"], submission, **OPTIONS
    )
    out = tmp_path / "out" / "records.jsonld"
    out.parent.mkdir()
    export_national(submission, out, context="reference")
    assert json.loads(out.read_text())["@context"] == "context.jsonld"
    assert (out.parent / "context.jsonld").exists()
    assert national_verdicts([out])[out].conforms
