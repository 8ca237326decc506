"""The mapping file: an LA's own sheet names, headers and codes read as the standard's."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sufficiency_standard.check import check_submission
from sufficiency_standard.cli import app
from sufficiency_standard.issues import Severity
from sufficiency_standard.mapping import (
    MappingError,
    guess_mapping,
    load_mapping,
    mapping_init_command,
    parse_mapping,
)
from sufficiency_standard.read import read_submission
from sufficiency_standard.standard import load_standard
from sufficiency_standard.validation import validate
from sufficiency_standard.write import write_xlsx

EXAMPLE = Path(__file__).parents[1] / "examples" / "example-submission.json"
STANDARD = load_standard(None)
runner = CliRunner()

# The LA's names: sheet "Placements 24-25", a few headers, and "Resi"/"IFA" for types.
LA_MAPPING = """\
mapping_version: 1
tables:
  placements:
    sheet: Placements 24-25
    columns:
      start_date: Placement Start Date (DD/MM/YYYY)
      placement_type: Type of home
    ignore:
      - Social worker
    values:
      placement_type:
        Resi: Residential
        IFA: Foster
        In-house foster: Foster
"""


def la_workbook(path: Path) -> Path:
    """The example submission as an LA might keep it: its own sheet name, headers, codes."""
    write_xlsx(json.loads(EXAMPLE.read_text()), path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["placements"]
    sheet.title = "Placements 24-25"
    header = {cell.value: cell for cell in sheet[1]}
    header["start_date"].value = "Placement Start Date (DD/MM/YYYY)"
    header["placement_type"].value = "Type of home"
    sheet.cell(row=1, column=sheet.max_column + 1, value="Social worker")
    local = {"Residential": "Resi", "Foster": "In-house foster"}
    column = header["placement_type"].column
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row=row, column=column)
        cell.value = local.get(cell.value, cell.value)
        sheet.cell(row=row, column=sheet.max_column, value="A. Worker")
    workbook.save(path)
    return path


def codes_of(issues) -> set[str]:
    return {issue.code for issue in issues}


def errors_of(path: Path, mapping=None) -> list:
    submission = read_submission([path], STANDARD, mapping)
    found, _ = check_submission(submission, STANDARD)
    return [i for i in [*submission.issues, *found] if i.severity is Severity.ERROR]


# -- reading with a mapping -------------------------------------------------------------


def test_la_sheet_headers_and_codes_are_read_as_the_standards(tmp_path):
    path = la_workbook(tmp_path / "la.xlsx")
    mapping = parse_mapping(LA_MAPPING, "la.yaml")
    submission = read_submission([path], STANDARD, mapping)
    placements = submission.tables["placements"].frame
    assert set(placements.get_column("placement_type").to_list()) <= set(
        STANDARD.table("placements").field("placement_type").code_list.codes
    )
    assert "start_date" in placements.columns
    assert errors_of(path, mapping) == []
    # the ignored header is skipped without a warning; the renamed ones are noted
    assert "COLUMN-UNKNOWN" not in codes_of(submission.issues)
    assert "COLUMN-RENAMED" in codes_of(submission.issues)


def test_without_the_mapping_the_same_workbook_reports_what_it_does_not_know(tmp_path):
    path = la_workbook(tmp_path / "la.xlsx")
    codes = codes_of(errors_of(path))
    assert {"SHEET-MISSING"} <= codes


def test_reading_without_a_mapping_is_unchanged(tmp_path):
    path = write_xlsx(json.loads(EXAMPLE.read_text()), tmp_path / "plain.xlsx")
    empty = parse_mapping("tables: {}\n", "empty.yaml")
    plain = read_submission([path], STANDARD)
    mapped = read_submission([path], STANDARD, empty)
    assert [i.message for i in plain.issues] == [i.message for i in mapped.issues]
    for name, table in plain.tables.items():
        assert table.frame.equals(mapped.tables[name].frame)


def test_multivalued_codes_are_mapped_item_by_item(tmp_path):
    document = json.loads(EXAMPLE.read_text())
    for row in document["needs_assessments"]:
        row["communication_requirements"] = "Sign language, Makaton"
    path = write_xlsx(document, tmp_path / "needs.xlsx")
    mapping = parse_mapping(
        "tables:\n  needs_assessments:\n    values:\n      communication_requirements:\n"
        "        Sign language: BSL\n",
        "m.yaml",
    )
    frame = read_submission([path], STANDARD, mapping).tables["needs_assessments"].frame
    assert set(frame.get_column("communication_requirements").to_list()) == {"BSL; Makaton"}


def test_yaml_values_are_read_as_written_not_as_booleans_or_numbers():
    mapping = parse_mapping(
        "tables:\n  children:\n    values:\n      sex: {1: M, 2: F}\n      uasc: {Y: Yes, N: No}\n",
        "m.yaml",
    )
    children = STANDARD.table("children")
    assert mapping.value_lookup(children, "sex") == {"1": "M", "2": "F"}
    assert mapping.value_lookup(children, "uasc") == {"y": "Yes", "n": "No"}


@pytest.mark.skipif(
    "mapping" not in inspect.signature(validate).parameters,
    reason="validation.validate does not take mapping= yet (the lead applies that change)",
)
def test_validate_takes_a_mapping_file(tmp_path):
    path = la_workbook(tmp_path / "la.xlsx")
    mapping_file = tmp_path / "la.yaml"
    mapping_file.write_text(LA_MAPPING)
    assert validate(path, mapping=mapping_file).valid  # type: ignore[call-arg]
    assert not validate(path).valid


# -- mistakes in a mapping name their line ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("tables:\n  placments:\n    sheet: x\n", 2, 'did you mean "placements"'),
        ("tables:\n  placements:\n    colums: {}\n", 3, 'did you mean "columns"'),
        ("tables:\n  placements:\n    columns:\n      strat_date: X\n", 4, "start_date"),
        (
            "tables:\n  placements:\n    values:\n      placement_type:\n"
            "        Resi: Residental\n",
            5,
            'did you mean "Residential"',
        ),
        ("tables:\n  children:\n    columns:\n      sex: A\n      sex: B\n", 5, "first on line 4"),
        ("tabels:\n  children: {}\n", 1, 'did you mean "tables"'),
        ("mapping_version: 7\ntables: {}\n", 1, "mapping_version 7"),
        ("tables:\n  children:\n    columns:\n      sex: [\n", 5, "not valid YAML"),
        (
            "tables:\n  children:\n    values:\n      child_id:\n        a: b\n",
            4,
            "has no code list",
        ),
        (
            "tables:\n  children:\n    columns:\n      sex: Gender\n      ethnicity: gender\n",
            5,
            "already given for sex",
        ),
        (
            "tables:\n  children:\n    columns:\n      sex:\n        header: Gendr\n"
            "        confirm: close match\n",
            4,
            "waiting to be confirmed",
        ),
    ],
)
def test_a_mistake_in_the_mapping_is_an_error_naming_its_line(text, line, words):
    with pytest.raises(MappingError) as raised:
        parse_mapping(text, "la.yaml").check(STANDARD)
    message = str(raised.value)
    assert message.startswith(f"la.yaml, line {line}:"), message
    assert words in message


def test_a_missing_mapping_file_is_an_error(tmp_path):
    with pytest.raises(MappingError, match="cannot be opened"):
        load_mapping(tmp_path / "nowhere.yaml")


# -- mapping init ----------------------------------------------------------------------


def la_extract(path: Path) -> Path:
    """An LA's own workbook: an exact header, an alias, a near miss and a local column."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Placments"
    sheet.append(["Placements extract, March 2025"])
    sheet.append(
        ["placement_id", "LA child ID", "Placement start date", "Plcement type", "Social worker"]
    )
    sheet.append(["P1", "C1", "2025-01-02", "Foster", "A. Worker"])
    other = workbook.create_sheet("Lookups")
    other.append(["Code", "Meaning"])
    workbook.save(path)
    return path


def test_mapping_init_matches_exactly_then_by_alias_then_closely(tmp_path):
    guesses = guess_mapping(la_extract(tmp_path / "extract.xlsx"))
    placements = next(g for g in guesses if g.table == "placements")
    assert placements.how == "close"
    how = {h.header: (h.field, h.how) for h in placements.headers}
    assert how["placement_id"] == ("placement_id", "exact")
    assert how["LA child ID"] == ("child_id", "alias")
    assert how["Placement start date"] == ("start_date", "alias")
    assert how["Plcement type"] == ("placement_type", "close")
    assert how["Social worker"] == (None, "none")
    assert next(g for g in guesses if g.sheet == "Lookups").table is None


def test_mapping_init_writes_a_mapping_that_works_once_close_matches_are_confirmed(tmp_path):
    extract = la_extract(tmp_path / "extract.xlsx")
    written, _ = mapping_init_command(extract, tmp_path / "extract.yaml")
    text = written.read_text()
    assert "confirm:" in text and "# exact" in text and "Lookups" in text
    with pytest.raises(MappingError, match="waiting to be confirmed"):
        load_mapping(written).check(STANDARD)
    confirmed = "".join(line for line in text.splitlines(True) if "confirm:" not in line)
    written.write_text(confirmed)
    mapping = load_mapping(written)
    frame = read_submission([extract], STANDARD, mapping).tables["placements"].frame
    assert frame.get_column("placement_type").to_list() == ["Foster"]


def test_mapping_init_never_overwrites(tmp_path):
    extract = la_extract(tmp_path / "extract.xlsx")
    (tmp_path / "extract.yaml").write_text("mine\n")
    with pytest.raises(Exception, match="already exists"):
        mapping_init_command(extract, tmp_path / "extract.yaml")


def test_codes_of_csv_files_read_when_needed_are_mapped_once_read(tmp_path):
    """CSV files in a folder are read table by table as they are checked; the mapping's
    codes are applied to each as it is read, as to a workbook's sheets."""
    from sufficiency_standard.read import open_submission
    from sufficiency_standard.write import write_csv_folder

    document = json.loads(EXAMPLE.read_text())
    local = {"Residential": "Resi", "Foster": "In-house foster"}
    for row in document["placements"]:
        row["placement_type"] = local.get(row["placement_type"], row["placement_type"])
    folder = tmp_path / "csv"
    write_csv_folder(document, folder)
    mapping = parse_mapping(LA_MAPPING.replace("    sheet: Placements 24-25\n", ""), "la.yaml")
    opened = open_submission([folder], STANDARD, mapping)
    assert "placements" in opened.pending and "placements" not in opened.tables
    types = set(opened.take("placements").frame.get_column("placement_type").to_list())
    assert types <= set(STANDARD.table("placements").field("placement_type").code_list.codes)
    assert "placements" not in opened.pending  # taken: read once, not kept
    report = validate(folder, mapping=mapping)
    assert not [i for i in report.issues if i.code == "VALUE-CODE"]
    assert [i.code for i in validate(folder).issues if i.code == "VALUE-CODE"]  # unmapped


def episodes_workbook(path: Path) -> Path:
    """An LA's workbook with its own spellings: a "Placement episodes" sheet, "DOB month",
    "Placement Start", and codes in its own words (foster, Resi, Male, M)."""
    workbook = openpyxl.Workbook()
    children = workbook.active
    children.title = "Children"
    children.append(["Child ID", "DOB month", "Sex", "Gender", "UASC"])
    children.append(["C1", "2011-04", "Male", "M", "no"])
    children.append(["C2", "2012-09", "female", "F", "No"])
    children.append(["C3", "2010-01", "M", "Non binary", "Yes"])
    episodes = workbook.create_sheet("Placement episodes")
    episodes.append(["Placement ID", "Child ID", "Placement Start", "Placement type"])
    episodes.append(["P1", "C1", "2025-01-02", "foster"])
    episodes.append(["P2", "C2", "2025-02-03", "Resi"])
    episodes.append(["P3", "C3", "2025-03-04", "FOSTER"])
    episodes.append(["P4", "C3", "2025-03-05", "Kinship"])
    episodes.append(["P5", "C3", "2025-03-06", "Foster"])
    workbook.save(path)
    return path


def test_mapping_init_knows_la_spellings_of_sheets_and_headers(tmp_path):
    guesses = {g.sheet: g for g in guess_mapping(episodes_workbook(tmp_path / "la.xlsx"))}
    assert guesses["Placement episodes"].table == "placements"
    assert guesses["Placement episodes"].how == "alias"
    how = {h.header: (h.field, h.how) for h in guesses["Placement episodes"].headers}
    assert how["Placement Start"] == ("start_date", "alias")
    children = {h.header: (h.field, h.how) for h in guesses["Children"].headers}
    assert children["DOB month"] == ("birth_month", "alias")


def test_mapping_init_proposes_codes_for_values_that_are_not_codes(tmp_path):
    guesses = {g.sheet: g for g in guess_mapping(episodes_workbook(tmp_path / "la.xlsx"))}
    types = {
        v.local: (v.code, v.how) for v in guesses["Placement episodes"].values["placement_type"]
    }
    assert types == {
        "foster": ("Foster", "case"),  # FOSTER is the same value: given once
        "Kinship": (None, "none"),
        "Resi": ("Residential", "abbreviation"),
    }
    children = guesses["Children"].values
    assert {v.local: v.code for v in children["sex"]} == {"female": "F", "Male": "M"}
    assert {v.local: v.code for v in children["gender"]} == {
        "F": "Female",
        "M": "Male",
        "Non binary": "Non-binary",
    }
    assert {v.local: v.code for v in children["uasc"]} == {"no": "No"}


def test_the_proposed_code_mappings_apply_and_the_rest_are_left_to_the_user(tmp_path):
    extract = episodes_workbook(tmp_path / "la.xlsx")
    result = runner.invoke(
        app, ["mapping", "init", str(extract), "--out", str(tmp_path / "la.yaml")]
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "la.yaml").read_text()
    assert '"Resi": "Residential"  # short for Residential: check it' in text
    assert '"Male": "M"  # Male: the code M' in text
    assert '# "Kinship": ...  # no code found: give one of Foster, Residential' in text
    mapping = load_mapping(tmp_path / "la.yaml")
    submission = read_submission([extract], STANDARD, mapping)
    placements = submission.tables["placements"].frame
    assert placements.get_column("placement_type").to_list() == [
        "Foster",
        "Residential",
        "Foster",
        "Kinship",  # left for the user: validation will say it is not a code
        "Foster",
    ]
    assert placements.get_column("start_date").to_list()[0] is not None
    children = submission.tables["children"].frame
    assert children.get_column("sex").to_list() == ["M", "F", "M"]
    assert children.get_column("birth_month").to_list()[0] == "2011-04"
    codes = {i.code for i in validate(extract, mapping=mapping).issues}
    assert "SHEET-UNKNOWN" not in codes
