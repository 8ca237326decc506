"""Pseudonymisation for sharing: keyed, deterministic, consistent across tables, and
leaving no original identifier, birth date or full postcode in the output bytes."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import stat
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sufficiency_standard.importers import import_command
from sufficiency_standard.pseudonymise import (
    PseudonymisationError,
    keygen_command,
    pseudonym,
    pseudonymise_command,
    pseudonymise_submission,
    read_key,
)
from sufficiency_standard.read import read_json_object
from sufficiency_standard.standard import load_standard
from sufficiency_standard.validation import validate
from sufficiency_standard.write import write_json

DATA = Path(__file__).parent / "data"
SSDA903 = [DATA / "ssda903" / name for name in ("header.csv", "episodes.csv", "uasc.csv")]
EXAMPLE = Path(__file__).parents[1] / "examples" / "example-submission.json"
STANDARD = load_standard(None)

CHILD_IDS = ["L0012345", "L0023456", "L0034567", "L0045678", "L0056789", "L0067890"]
BIRTH_DATES = ["14/03/2012", "02/11/2009", "21/07/2007", "30/09/2015", "11/01/2017"]
FULL_POSTCODES = ["BS16 1QY", "M1 1AE", "LS1 4DY", "TA1 2AB", "BS7 8AA", "M14 5RT", "LS6 2QA"]


def all_text(path: Path) -> bytes:
    """Every byte a reader of the output could see: files of a folder, members of a zip."""
    if path.is_dir():
        return b"".join(all_text(p) for p in sorted(path.iterdir()))
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return b"".join(archive.read(name) for name in archive.namelist())
    return path.read_bytes()


def forms_of(date_text: str) -> list[str]:
    day = dt.datetime.strptime(date_text, "%d/%m/%Y").date()
    return [date_text, day.isoformat(), f"{day:%d-%m-%Y}", f"{day:%Y%m%d}"]


@pytest.fixture
def key_file(tmp_path):
    return keygen_command(tmp_path / "la.key")


@pytest.fixture
def example():
    return json.loads(EXAMPLE.read_text())


def shared(example, key: bytes, la_code: str | None = None):
    document = copy.deepcopy(example)
    if la_code:
        document["la_code"] = la_code
    submission = read_json_object(document, "example", STANDARD)
    return pseudonymise_submission(submission, STANDARD, key)


# -- keys ------------------------------------------------------------------------------


def test_keygen_writes_a_random_key_only_its_owner_can_read(tmp_path):
    path = keygen_command(tmp_path / "a.key")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(read_key(path)) == 32
    assert read_key(path) != read_key(keygen_command(tmp_path / "b.key"))
    with pytest.raises(PseudonymisationError, match="never overwritten"):
        keygen_command(path)


@pytest.mark.parametrize("content", ["", "not hex", "00ff"])
def test_a_bad_or_short_key_is_refused(tmp_path, content):
    path = tmp_path / "bad.key"
    path.write_text(content)
    with pytest.raises(PseudonymisationError):
        read_key(path)


def test_pseudonymise_refuses_to_run_without_a_key_and_writes_nothing(tmp_path, example):
    source = write_json(example, tmp_path / "in.json")
    for missing in (None, tmp_path / "no.key"):
        with pytest.raises(PseudonymisationError, match="key"):
            pseudonymise_command([source], missing, tmp_path / "out.json")
    assert not (tmp_path / "out.json").exists()


# -- what the pseudonyms are -----------------------------------------------------------


def test_pseudonyms_are_keyed_hashes_of_the_documented_length():
    key = bytes(range(32))
    made = pseudonym(key, "E06000023", "child_id", "L0012345")
    assert len(made) == 16 and int(made, 16) >= 0
    assert made == pseudonym(key, "E06000023", "child_id", "L0012345")
    assert made != pseudonym(key, "E06000023", "placement_id", "L0012345")


def test_the_same_child_has_the_same_pseudonym_every_month(example, key_file):
    key = read_key(key_file)
    april, _ = shared(example, key)
    may_document = copy.deepcopy(example)
    may_document["period_start"] = "2025-05-01"
    may_document["children"] = list(reversed(may_document["children"]))
    may, _ = shared(may_document, key)
    assert {c["child_id"] for c in april["children"]} == {c["child_id"] for c in may["children"]}


def test_two_las_with_the_same_child_id_get_different_pseudonyms(example, tmp_path):
    key = read_key(keygen_command(tmp_path / "one.key"))
    other_key = read_key(keygen_command(tmp_path / "two.key"))
    first, _ = shared(example, key, "E06000023")
    same_key_other_la, _ = shared(example, key, "E06000024")
    other_la, _ = shared(example, other_key, "E06000024")
    ids = [{c["child_id"] for c in s["children"]} for s in (first, same_key_other_la, other_la)]
    assert not ids[0] & ids[1] and not ids[0] & ids[2] and not ids[1] & ids[2]


def test_foreign_keys_stay_consistent_across_tables(example, key_file):
    result, _ = shared(example, read_key(key_file))
    children = {c["child_id"] for c in result["children"]}
    placements = {p["placement_id"] for p in result["placements"]}
    referrals = {r["referral_id"] for r in result["referrals"]}
    assert {p["child_id"] for p in result["placements"]} <= children
    assert {r["child_id"] for r in result["referrals"]} <= children
    assert {c["placement_id"] for c in result["costs"]} <= placements
    assert {p["referral_id"] for p in result["placements"] if p["referral_id"]} <= referrals
    assert validate(result).valid


def test_postcodes_are_cut_to_sector_or_district(example, key_file):
    document = copy.deepcopy(example)
    document["placements"][0]["placement_location"] = "ta2 8pq"
    document["referrals"][0]["family_location"] = "somewhere"
    submission = read_json_object(document, "example", STANDARD)
    sector, manifest = pseudonymise_submission(submission, STANDARD, read_key(key_file))
    assert sector["placements"][0]["placement_location"] == "TA2 8"
    assert sector["referrals"][0]["family_location"] is None  # not a postcode: removed
    removed = {(c.table, c.field): c.removed for c in manifest.changes}
    assert removed[("referrals", "family_location")] == 1
    district, _ = pseudonymise_submission(
        submission, STANDARD, read_key(key_file), postcode_level="district"
    )
    assert district["placements"][0]["placement_location"] == "TA2"


def test_a_field_marked_drop_is_not_written(example, key_file):
    children = STANDARD.table("children")
    dropped = dataclasses.replace(children.field("uasc"), sharing="drop")
    fields = tuple(dropped if f.name == "uasc" else f for f in children.fields)
    table = dataclasses.replace(children, fields=fields, _by_name={})
    tables = tuple(table if t.name == "children" else t for t in STANDARD.tables)
    standard = dataclasses.replace(STANDARD, tables=tables)
    submission = read_json_object(example, "example", standard)
    result, manifest = pseudonymise_submission(submission, standard, read_key(key_file))
    assert all("uasc" not in child for child in result["children"])
    assert any(c.field == "uasc" and c.action == "dropped" for c in manifest.changes)


def test_a_submission_without_an_la_code_is_refused(example, key_file):
    document = dict(example, la_code="")
    submission = read_json_object(document, "example", STANDARD)
    with pytest.raises(PseudonymisationError, match="la_code"):
        pseudonymise_submission(submission, STANDARD, read_key(key_file))


# -- the command and its output --------------------------------------------------------


@pytest.mark.parametrize("out_name", ["shared", "shared.json", "shared.xlsx"])
def test_no_original_identifier_birth_date_postcode_or_key_in_the_output(
    tmp_path, key_file, out_name
):
    imported = import_command(
        "ssda903",
        SSDA903,
        tmp_path / "from-903.json",
        la_code="E06000023",
        extract_date=dt.date(2025, 5, 1),
    )
    result = pseudonymise_command([imported.written], key_file, tmp_path / out_name)
    assert result.validation.valid
    for path in (result.written, result.manifest_path):
        seen = all_text(path)
        for child in CHILD_IDS:
            assert child.encode() not in seen, child
        for birth in BIRTH_DATES:
            for form in forms_of(birth):
                assert form.encode() not in seen, form
        for postcode in FULL_POSTCODES:
            for form in (postcode, postcode.replace(" ", "")):
                assert form.encode() not in seen and form.lower().encode() not in seen, form
        assert key_file.read_text().strip().encode() not in seen


def test_the_manifest_says_what_was_changed_and_holds_no_original(tmp_path, key_file, example):
    source = write_json(example, tmp_path / "in.json")
    result = pseudonymise_command([source], key_file, tmp_path / "out.json")
    manifest = json.loads(result.manifest_path.read_text())
    actions = {(f["table"], f["field"]): f["action"] for f in manifest["fields"]}
    assert actions[("children", "child_id")] == "pseudonymised"
    assert actions[("placements", "placement_location")] == "generalised"
    assert manifest["la_code"] == example["la_code"]
    assert len(manifest["key_id"]) == 8
    text = result.manifest_path.read_text()
    for child in example["children"]:
        assert child["child_id"] not in text
    with pytest.raises(PseudonymisationError, match="already exists"):
        pseudonymise_command([source], key_file, tmp_path / "out.json")
    with pytest.raises(PseudonymisationError, match="not over its input"):
        pseudonymise_command([source], key_file, source)


def test_from_903_to_a_valid_pseudonymised_submission_in_three_steps(tmp_path, key_file):
    """The guide's path: import the 903, fill in the costs sheet, pseudonymise."""
    workbook_path = tmp_path / "submission.xlsx"
    imported = import_command(
        "ssda903", SSDA903, workbook_path, la_code="E06000023", extract_date=dt.date(2025, 5, 1)
    )
    assert imported.validation.valid

    # The LA fills in the costs sheet by hand (as it would from its finance system).
    workbook = openpyxl.load_workbook(workbook_path)
    placements = workbook["placements"]
    header = [cell.value for cell in placements[1]]
    rows = [
        dict(zip(header, (c.value for c in row), strict=True))
        for row in placements.iter_rows(min_row=2)
    ]
    costs = workbook["costs"]
    cost_header = [cell.value for cell in costs[1]]
    # U6 -> U4 with the same carers (RNE T) is one foster placement, coded U6.
    foster_or_home = ("K2", "U4", "U6")
    for number, placement in enumerate(r for r in rows if r["place_code"] in foster_or_home):
        values = {
            "cost_id": f"K{number}",
            "placement_id": placement["placement_id"],
            "cost_start_date": placement["start_date"],
            "cost_end_date": placement["end_date"],
            "cost_basis": "Agreed",
            "total_weekly_cost": 4200 if placement["place_code"] == "K2" else 480,
        }
        costs.append([values.get(name) for name in cost_header])
    workbook.save(workbook_path)
    filled = validate(workbook_path)
    assert filled.valid and filled.rows["costs"] == 3

    result = pseudonymise_command([workbook_path], key_file, tmp_path / "to-share.xlsx")
    assert result.validation.valid, [i.message for i in result.validation.issues]
    assert result.validation.rows["costs"] == 3
    seen = all_text(result.written)
    assert not any(child.encode() in seen for child in CHILD_IDS)


def test_shared_json_holds_numbers_dates_and_lists_as_the_json_schema_says(tmp_path, key_file):
    """The shared file is read back with no complaint about JSON types: money and counts
    are numbers, multivalued fields lists (before 0.3.0 it held the cells' text)."""
    result = pseudonymise_command([EXAMPLE], key_file, tmp_path / "shared.json")
    document = json.loads(result.written.read_text())
    costs = document["costs"][0]
    assert isinstance(costs["total_weekly_cost"], (int, float))
    assert isinstance(document["needs_assessments"][0]["additional_support"], list)
    codes = {issue.code for issue in validate(result.written).issues}
    assert not codes & {"JSON-VALUE-TYPE", "JSON-NOT-A-LIST"}, codes
    assert result.validation.valid
