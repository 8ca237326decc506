"""Reading workbooks, CSV files and JSON documents into text tables with cell positions.

Every input here is a small real file written in tmp_path by a real writer (openpyxl,
the csv module, json, zipfile).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import zipfile
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sufficiency_standard.issues import InputError, Severity
from sufficiency_standard.read import archive as archive_module
from sufficiency_standard.read import read_json_object, read_submission
from sufficiency_standard.read.headers import FieldMatcher, column_letter
from sufficiency_standard.read.source import SourceSubmission
from sufficiency_standard.read.values import number_text
from sufficiency_standard.standard import load_standard

STANDARD = load_standard()


class Basis(StrEnum):
    AGREED = "Agreed"


PLACEMENT_HEADER = ["placement_id", "child_id", "start_date", "placement_type", "provider_id"]


def codes(submission: SourceSubmission, code: str) -> list:
    return [issue for issue in submission.issues if issue.code == code]


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def all_tables_csv(folder: Path) -> Path:
    """A folder with a minimal CSV file for every table."""
    folder.mkdir(parents=True, exist_ok=True)
    for table in STANDARD.tables:
        names = [f.name for f in table.fields if f.required]
        write_csv(folder / f"{table.name}.csv", [names, [f"{n}-1" for n in names]])
    return folder


# -- workbooks ---------------------------------------------------------------------------


def test_title_rows_above_header_keep_cell_references_right(tmp_path):
    path = write_workbook(
        tmp_path / "extract.xlsx",
        {
            "placements": [
                ["Placements return 2024-25"],
                ["Fill in one row per placement"],
                PLACEMENT_HEADER,
                ["P1", "C1", dt.date(2024, 4, 1), "Foster", "PR1"],
                ["P2", "C2", dt.date(2024, 5, 1), "Foster", "PR1"],
                ["P3", "C3", "31/02/2024", "Residential", "PR2"],
            ]
        },
    )
    placements = read_submission([path], STANDARD).tables["placements"]
    assert list(placements.row_numbers) == [4, 5, 6]
    assert placements.cell("start_date", 2) == "C6"
    assert placements.frame["start_date"].to_list() == ["2024-04-01", "2024-05-01", "31/02/2024"]
    assert placements.source == "extract.xlsx, sheet placements"


def test_table_starting_in_a_later_column_keeps_its_column_letters(tmp_path):
    path = tmp_path / "t.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "children"
    sheet["C4"], sheet["D4"] = "child_id", "sex"
    sheet["C5"], sheet["D5"] = "C1", "F"
    workbook.save(path)
    children = read_submission([path], STANDARD).tables["children"]
    assert children.columns == {"child_id": "C", "sex": "D"}
    assert children.cell("sex", 0) == "D5"


def test_workbook_cells_become_text_without_losing_bad_values(tmp_path):
    path = write_workbook(
        tmp_path / "extract.xlsx",
        {
            "costs": [
                [
                    "cost_id",
                    "placement_id",
                    "cost_start_date",
                    "total_weekly_cost",
                    "core_weekly",
                    "cost_end_date",
                    "cost_basis",
                ],
                [
                    "K1",
                    "P1",
                    dt.date(2024, 4, 1),
                    1234.5,
                    12.0,
                    dt.datetime(2024, 5, 1, 13, 30),
                    True,
                ],
                ["K2", "P1", 45000, 0.1 + 0.2, "£1,234.50", "not a date", None],
            ]
        },
    )
    frame = read_submission([path], STANDARD).tables["costs"].frame
    assert frame.row(0, named=True) == {
        "cost_id": "K1",
        "placement_id": "P1",
        "cost_start_date": "2024-04-01",
        "total_weekly_cost": "1234.5",
        "core_weekly": "12",
        "cost_end_date": "2024-05-01T13:30:00",
        "cost_basis": "TRUE",
    }
    # An Excel serial typed as a plain number stays a number; checking interprets it.
    assert frame.row(1, named=True) == {
        "cost_id": "K2",
        "placement_id": "P1",
        "cost_start_date": "45000",
        "total_weekly_cost": "0.3",
        "core_weekly": "£1,234.50",
        "cost_end_date": "not a date",
        "cost_basis": None,
    }


def test_multi_line_header_with_guidance_matches_on_its_first_line(tmp_path):
    header = [f"{name}\nGuidance: what to enter\n(required)" for name in PLACEMENT_HEADER]
    path = write_workbook(tmp_path / "t.xlsx", {"placements": [header, ["P1", "C1"]]})
    submission = read_submission([path], STANDARD)
    placements = submission.tables["placements"]
    assert list(placements.columns) == PLACEMENT_HEADER
    assert codes(submission, "COLUMN-RENAMED") == []


def test_headers_by_title_alias_case_or_brackets_are_matched_and_noted(tmp_path):
    header = [
        "PLACEMENT ID",
        "CHILD",
        "Placement Start Date (DD/MM/YYYY)",
        "placement-type",
        "PROVIDER_ID",
        "Distance (miles)",  # the title exactly, as the template writes it: no note
    ]
    path = write_workbook(tmp_path / "t.xlsx", {"placements": [header, ["P1", "C1", "x"]]})
    submission = read_submission([path], STANDARD)
    columns = submission.tables["placements"].columns
    assert columns == {
        "placement_id": "A",
        "child_id": "B",
        "start_date": "C",
        "placement_type": "D",
        "provider_id": "E",
        "distance_miles": "F",
    }
    renamed = codes(submission, "COLUMN-RENAMED")
    assert [issue.cell for issue in renamed] == ["A1", "B1", "C1", "D1", "E1"]
    assert all(issue.severity is Severity.INFORMATION for issue in renamed)
    assert 'Column C header "Placement Start Date (DD/MM/YYYY)"' in renamed[2].message


def test_bracketed_header_is_unknown_when_another_column_names_the_field(tmp_path):
    header = [*PLACEMENT_HEADER, "Start date (original)"]
    path = write_workbook(tmp_path / "t.xlsx", {"placements": [header, ["P1"]]})
    submission = read_submission([path], STANDARD)
    assert submission.tables["placements"].columns["start_date"] == "C"
    assert [issue.cell for issue in codes(submission, "COLUMN-UNKNOWN")] == ["F1"]
    assert codes(submission, "COLUMN-DUPLICATE") == []


def test_duplicate_unknown_and_missing_columns_are_each_reported_once(tmp_path):
    header = ["placement_id", "child_id", "Extra", "child_id", "start_date", "placement_type"]
    rows = [header, ["P1", "C1", "note", "C9", "2024-04-01", "Foster"], ["P2", "C2"]]
    path = write_workbook(tmp_path / "t.xlsx", {"placements": rows})
    submission = read_submission([path], STANDARD)
    placements = submission.tables["placements"]

    duplicate = codes(submission, "COLUMN-DUPLICATE")
    assert len(duplicate) == 1 and duplicate[0].severity is Severity.ERROR
    assert "Columns B, D of t.xlsx, sheet placements" in duplicate[0].message
    assert placements.columns["child_id"] == "B"  # the first is kept
    assert placements.frame["child_id"].to_list() == ["C1", "C2"]

    unknown = codes(submission, "COLUMN-UNKNOWN")
    assert [(issue.cell, issue.severity) for issue in unknown] == [("C1", Severity.WARNING)]
    missing = codes(submission, "COLUMN-MISSING")
    assert [issue.field for issue in missing] == ["provider_id"]  # required fields only
    assert "Extra" not in placements.frame.columns


def test_blank_rows_and_columns_are_dropped_and_other_rows_keep_their_numbers(tmp_path):
    path = tmp_path / "t.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "placements"
    sheet.append(PLACEMENT_HEADER)
    sheet.append(["P1", "C1"])
    sheet.append([None, "   ", None])  # only spaces: blank
    sheet.append(["P3", "C3"])
    sheet["A10"] = None
    sheet["H12"] = ""  # formatted but empty cells far out
    sheet["H12"].number_format = "0.00"
    workbook.save(path)
    submission = read_submission([path], STANDARD)
    placements = submission.tables["placements"]
    assert list(placements.row_numbers) == [2, 4]
    assert placements.cell("child_id", 1) == "B4"
    assert codes(submission, "COLUMN-NO-HEADER") == []


def test_values_under_no_header_are_reported(tmp_path):
    rows = [PLACEMENT_HEADER, ["P1", "C1", None, None, None, None, "stray"]]
    path = write_workbook(tmp_path / "t.xlsx", {"placements": rows})
    submission = read_submission([path], STANDARD)
    assert [issue.cell for issue in codes(submission, "COLUMN-NO-HEADER")] == ["G1"]


def test_excel_error_cells_are_kept_as_their_error_and_reported(tmp_path):
    rows = [["provider_id", "provider_name"], ["PR1", "#N/A"], ["#REF!", "Acme"]]
    path = write_workbook(tmp_path / "t.xlsx", {"providers": rows})  # openpyxl writes errors
    submission = read_submission([path], STANDARD)
    assert submission.tables["providers"].frame.rows() == [("PR1", "#N/A"), ("#REF!", "Acme")]
    errors = codes(submission, "CELL-ERROR")
    assert [(issue.cell, issue.field, issue.value) for issue in errors] == [
        ("B2", "provider_name", "#N/A"),
        ("A3", "provider_id", "#REF!"),
    ]


def test_sheets_unknown_missing_hidden_and_without_header(tmp_path):
    path = tmp_path / "t.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.create_sheet("Placements").append(PLACEMENT_HEADER)  # name case ignored
    workbook.create_sheet("children").append(["Children in care"])
    hidden = workbook.create_sheet("lists")
    hidden.sheet_state = "hidden"
    workbook.save(path)
    submission = read_submission([path], STANDARD)

    assert set(submission.tables) == {"placements"}
    assert submission.tables["placements"].frame.height == 0
    unknown = codes(submission, "SHEET-UNKNOWN")
    assert [issue.location.source for issue in unknown] == ["t.xlsx, sheet Notes"]
    assert [issue.table for issue in codes(submission, "HEADER-NOT-FOUND")] == ["children"]
    missing = {issue.table for issue in codes(submission, "SHEET-MISSING")}
    assert missing == set(STANDARD.table_names) - {"placements", "children"}
    missing = [issue.message for issue in codes(submission, "SHEET-MISSING")]
    assert any("There is no costs sheet in t.xlsx" in message for message in missing)


# -- files that cannot be read -----------------------------------------------------------


def test_empty_workbook_file_is_refused(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.xlsx is empty"):
        read_submission([path], STANDARD)


def test_csv_renamed_to_xlsx_is_refused(tmp_path):
    path = write_csv(tmp_path / "extract.xlsx", [PLACEMENT_HEADER, ["P1"]])
    with pytest.raises(InputError, match=r"extract\.xlsx is not an Excel workbook.*CSV"):
        read_submission([path], STANDARD)


def test_truncated_workbook_is_refused(tmp_path):
    path = write_workbook(tmp_path / "cut.xlsx", {"placements": [PLACEMENT_HEADER] * 50})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"cut\.xlsx is damaged or incomplete"):
        read_submission([path], STANDARD)


def test_password_protected_workbook_is_refused(tmp_path):
    path = tmp_path / "locked.xlsx"
    header = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)
    path.write_bytes(header + "EncryptedPackage".encode("utf-16-le") + bytes(1000))
    with pytest.raises(InputError, match=r"locked\.xlsx is password-protected"):
        read_submission([path], STANDARD)


def test_old_excel_file_is_refused_with_advice(tmp_path):
    path = tmp_path / "old.xlsx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(2000))
    with pytest.raises(InputError, match=r"old\.xlsx is an Excel 97-2003 workbook"):
        read_submission([path], STANDARD)


def test_workbook_without_sheets_is_refused(tmp_path):
    source = write_workbook(tmp_path / "one.xlsx", {"placements": [PLACEMENT_HEADER]})
    path = tmp_path / "none.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as emptied:
        for member in original.infolist():
            data = original.read(member)
            if member.filename == "xl/workbook.xml":
                start, end = data.index(b"<sheets>"), data.index(b"</sheets>") + 9
                data = data[:start] + b"<sheets/>" + data[end:]
            emptied.writestr(member, data)
    with pytest.raises(InputError, match=r"none\.xlsx has no sheets"):
        read_submission([path], STANDARD)


def test_sheet_reaching_far_beyond_its_table_is_refused_before_it_is_loaded(tmp_path):
    path = tmp_path / "stray.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "placements"
    sheet.append(PLACEMENT_HEADER)
    sheet["XFD1048576"] = "x"  # would need some 17 billion cells in calamine
    workbook.save(path)
    with pytest.raises(InputError, match=r"stray\.xlsx, sheet placements, reaches cell XFD1048576"):
        read_submission([path], STANDARD)


def write_zip_bomb(path: Path, member: str) -> Path:
    zeros = bytes(1 << 20)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb,
        bomb.open(member, "w") as stream,
    ):
        for _ in range(48):  # 48 MiB of zeros compress to about 50 KiB
            stream.write(zeros)
    return path


def test_zip_bomb_workbook_is_refused_before_decompressing(tmp_path):
    path = write_zip_bomb(tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml")
    assert path.stat().st_size < 200_000
    with pytest.raises(InputError, match=r"bomb\.xlsx looks like a zip bomb"):
        read_submission([path], STANDARD)


def test_zip_bomb_of_csv_files_is_refused(tmp_path):
    path = write_zip_bomb(tmp_path / "bomb.zip", "placements.csv")
    with pytest.raises(InputError, match=r"bomb\.zip looks like a zip bomb"):
        read_submission([path], STANDARD)


def test_zip_too_large_once_decompressed_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(archive_module, "MAX_TOTAL_UNCOMPRESSED", 1000)
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w") as big:
        big.writestr("placements.csv", "x" * 2000)
    with pytest.raises(InputError, match=r"big\.zip would decompress to"):
        read_submission([path], STANDARD)


def test_missing_path_and_unknown_kind_of_file_are_refused(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_submission([tmp_path / "nowhere.xlsx"], STANDARD)
    other = tmp_path / "extract.pdf"
    other.write_bytes(b"%PDF-1.4")
    with pytest.raises(InputError, match=r"extract\.pdf is not a kind of file"):
        read_submission([other], STANDARD)


# -- CSV ---------------------------------------------------------------------------------

COST_HEADER = ["cost_id", "placement_id", "cost_start_date", "total_weekly_cost"]


@pytest.mark.parametrize(
    ("encoding", "noted_as"),
    [
        ("utf-8", None),
        ("utf-8-sig", "UTF-8 with a byte order mark"),
        ("utf-16", "UTF-16"),
        ("cp1252", "Windows-1252"),
    ],
)
def test_csv_encodings_are_read_and_noted(tmp_path, encoding, noted_as):
    path = write_csv(
        tmp_path / "costs.csv", [COST_HEADER, ["K1", "P1", "01/04/2024", "£1,234.50"]], encoding
    )
    submission = read_submission([path], STANDARD)
    assert submission.tables["costs"].frame["total_weekly_cost"].to_list() == ["£1,234.50"]
    noted = [(i.location.source, i.message) for i in codes(submission, "FILE-ENCODING")]
    if noted_as is None:
        assert noted == []
    else:
        ((source, message),) = noted
        assert source == "costs.csv" and message.endswith(f"was read as {noted_as}.")


def test_csv_that_is_neither_utf8_nor_windows_1252_is_refused(tmp_path):
    path = tmp_path / "costs.csv"
    path.write_bytes(b"cost_id,placement_id\nK\x81,P1\n")
    with pytest.raises(InputError, match=r"costs\.csv is neither UTF-8 nor Windows-1252"):
        read_submission([path], STANDARD)


def test_csv_title_rows_and_quoted_line_breaks_count_as_spreadsheet_rows(tmp_path):
    rows = [
        ["Costs extract", "", ""],
        [],
        COST_HEADER,
        ["K1", "P1", "2024-04-01", "100"],
        ["K2", "P1\nsecond line", "2024-05-01", "200"],
        ["", "", "", ""],
        ["K3", "P2", "", " 300 "],
        [],
        [],
    ]
    path = write_csv(tmp_path / "costs.csv", rows)
    submission = read_submission([path], STANDARD)
    costs = submission.tables["costs"]
    assert list(costs.row_numbers) == [4, 5, 7]
    assert costs.cell("total_weekly_cost", 2) == "D7"
    assert costs.frame["total_weekly_cost"].to_list() == ["100", "200", " 300 "]  # not stripped
    assert costs.frame["cost_start_date"].to_list() == ["2024-04-01", "2024-05-01", None]
    assert costs.source == "costs.csv"
    assert codes(submission, "COLUMN-RENAMED") == []


def test_semicolon_separated_csv_is_read_and_noted(tmp_path):
    path = write_csv(tmp_path / "costs.csv", [COST_HEADER, ["K1", "P1", "x", "1,5"]], delimiter=";")
    submission = read_submission([path], STANDARD)
    assert submission.tables["costs"].frame.row(0) == ("K1", "P1", "x", "1,5")
    assert [issue.severity for issue in codes(submission, "FILE-DELIMITER")] == [
        Severity.INFORMATION
    ]


def test_csv_rows_longer_than_the_header_keep_every_value(tmp_path):
    rows = [COST_HEADER, ["K1", "P1", "x", "1"], ["K2", "P1", "y", "2", "extra"], [], ["K3"]]
    path = write_csv(tmp_path / "costs.csv", rows)
    submission = read_submission([path], STANDARD)
    costs = submission.tables["costs"]
    assert costs.frame["cost_id"].to_list() == ["K1", "K2", "K3"]
    assert list(costs.row_numbers) == [2, 3, 5]
    assert [issue.cell for issue in codes(submission, "COLUMN-NO-HEADER")] == ["E1"]


@pytest.mark.parametrize("ragged", [False, True], ids=["read by polars", "read by csv module"])
def test_quoted_empty_csv_cells_are_blank(tmp_path, ragged):
    """A writer that quotes every cell writes an empty one as "": it is blank (null), as
    an unquoted empty cell is, and a row of them is a blank row."""
    rows = [COST_HEADER, ["K1", "", "x", ""], ["", "", "", ""], ["K3", "P1", "", " "]]
    if ragged:  # a row longer than the header: polars refuses it, the csv module reads it
        rows.append(["K4", "P1", "y", "4", ""])
    path = tmp_path / "costs.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows(rows)
    assert b'"K1","",' in path.read_bytes()
    costs = read_submission([path], STANDARD).tables["costs"]
    expected = [(2, ("K1", None, "x", None)), (4, ("K3", "P1", None, " "))]
    if ragged:
        expected.append((5, ("K4", "P1", "y", "4")))
    assert list(zip(costs.row_numbers, costs.frame.rows(), strict=True)) == expected


def test_csv_with_an_unclosed_quote_is_refused_with_its_line(tmp_path):
    path = tmp_path / "costs.csv"
    path.write_text('cost_id,placement_id\nK1,"P1\nK2,P2\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"costs\.csv cannot be read as CSV.*line"):
        read_submission([path], STANDARD)


def test_csv_without_header_row_is_reported(tmp_path):
    path = write_csv(tmp_path / "costs.csv", [["a", "b"], ["1", "2"]])
    submission = read_submission([path], STANDARD)
    assert "costs" not in submission.tables
    (issue,) = codes(submission, "HEADER-NOT-FOUND")
    assert issue.table == "costs" and "none of the first 2 rows" in issue.message
    assert "costs" not in {i.table for i in codes(submission, "SHEET-MISSING")}


def test_empty_csv_file_has_no_header(tmp_path):
    path = tmp_path / "costs.csv"
    path.write_bytes(b"")
    submission = read_submission([path], STANDARD)
    assert [issue.table for issue in codes(submission, "HEADER-NOT-FOUND")] == ["costs"]


def test_folder_of_csv_files_reads_every_table(tmp_path):
    folder = all_tables_csv(tmp_path / "extract")
    (folder / "README.txt").write_text("notes", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    submission = read_submission([folder], STANDARD)
    assert list(submission.tables) == list(STANDARD.table_names)
    assert submission.tables["placements"].frame["placement_id"].to_list() == ["placement_id-1"]
    assert [issue.code for issue in submission.issues] == ["SHEET-UNKNOWN"]


def test_zip_of_csv_files_in_a_subfolder_is_read(tmp_path):
    folder = all_tables_csv(tmp_path / "extract")
    path = tmp_path / "extract.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in folder.iterdir():
            archive.write(file, f"extract/{file.name}")
        archive.writestr("__MACOSX/extract/._costs.csv", b"\x00\x05\x16\x07")
    submission = read_submission([path], STANDARD)
    assert list(submission.tables) == list(STANDARD.table_names)
    assert submission.issues == []
    assert submission.tables["costs"].source == "extract.zip, file extract/costs.csv"


def test_several_csv_files_combine_and_a_table_given_twice_is_an_error(tmp_path):
    first = write_csv(tmp_path / "costs.csv", [COST_HEADER, ["K1"]])
    (tmp_path / "other").mkdir()
    second = write_csv(tmp_path / "other" / "Costs.csv", [COST_HEADER, ["K2"]])
    children = write_csv(tmp_path / "children.csv", [["child_id"], ["C1"]])
    submission = read_submission([first, children, second], STANDARD)
    assert submission.tables["costs"].frame["cost_id"].to_list() == ["K1"]  # first kept
    assert submission.tables["children"].frame["child_id"].to_list() == ["C1"]
    (duplicate,) = codes(submission, "SHEET-DUPLICATE")
    assert "(costs.csv; Costs.csv)" in duplicate.message
    missing = {issue.table for issue in codes(submission, "SHEET-MISSING")}
    assert missing == set(STANDARD.table_names) - {"costs", "children"}
    assert submission.inputs == [first, children, second]


def test_csv_file_not_named_after_a_table_is_unknown(tmp_path):
    path = write_csv(tmp_path / "export.csv", [COST_HEADER])
    submission = read_submission([path], STANDARD)
    assert [issue.location.source for issue in codes(submission, "SHEET-UNKNOWN")] == ["export.csv"]


text_cells = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(text_cells, min_size=4, max_size=4), min_size=1, max_size=6))
def test_any_text_written_by_the_csv_module_reads_back_cell_for_cell(tmp_path, rows):
    path = write_csv(tmp_path / "costs.csv", [COST_HEADER, *rows])
    costs = read_submission([path], STANDARD).tables["costs"]
    expected = [
        (number, tuple(cell or None for cell in row))
        for number, row in enumerate(rows, start=2)
        if any(cell.strip() for cell in row)
    ]
    assert list(zip(costs.row_numbers, costs.frame.rows(), strict=True)) == expected


# -- JSON --------------------------------------------------------------------------------


def write_json(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_json_document_values_become_text_with_paths(tmp_path):
    path = write_json(
        tmp_path / "extract.json",
        {
            "$schema": "https://example.org/schema.json",
            "standard_version": "0.1.0",
            "la_code": "E06000066",
            "period_start": "2024-04-01",
            "children": [{"child_id": "C1", "uasc": True, "extra": "x"}, {"child_id": 42}],
            "needs_assessments": [
                {
                    "needs_id": "N1",
                    "communication_requirements": ["BSL", "Makaton"],
                    "additional_support": [],
                },
            ],
            "costs": [
                {
                    "cost_id": "K1",
                    "total_weekly_cost": 1234.5,
                    "core_weekly": 12.0,
                    "health_weekly": {"amount": 3},
                    "cost_basis": ["Agreed"],
                }
            ],
        },
    )
    submission = read_submission([path], STANDARD)
    assert list(submission.tables) == list(STANDARD.table_names)  # missing lists are empty
    assert codes(submission, "SHEET-MISSING") == []

    top = submission.tables["submission"]
    assert top.frame.row(0, named=True)["la_code"] == "E06000066"
    assert top.frame.row(0, named=True)["extract_date"] is None  # left to checking
    assert top.path("la_code", 0) == "/la_code"

    children = submission.tables["children"]
    assert children.frame["child_id"].to_list() == ["C1", "42"]
    assert children.frame["uasc"].to_list() == ["true", None]
    assert children.path("uasc", 0) == "/children/0/uasc"
    assert children.row_numbers is None and children.cell("uasc", 0) is None

    needs = submission.tables["needs_assessments"].frame.row(0, named=True)
    assert needs["communication_requirements"] == "BSL; Makaton"
    assert needs["additional_support"] is None

    cost = submission.tables["costs"].frame.row(0, named=True)
    assert (cost["total_weekly_cost"], cost["core_weekly"]) == ("1234.5", "12")
    assert cost["health_weekly"] == '{"amount": 3}'  # kept for checking to report
    assert cost["cost_basis"] == '["Agreed"]'  # not multivalued: kept as JSON

    (unknown,) = codes(submission, "COLUMN-UNKNOWN")
    assert unknown.path == "/children/0/extra"
    assert submission.tables["referrals"].frame.height == 0
    assert "referral_id" in submission.tables["referrals"].frame.columns


def test_json_rows_and_lists_of_the_wrong_kind_are_reported(tmp_path):
    path = write_json(
        tmp_path / "extract.json",
        {
            "children": [{"child_id": "C1"}, "C2"],
            "placements": {"placement_id": "P1"},
            "extras": [1, 2],
            "costs": None,
        },
    )
    submission = read_submission([path], STANDARD)
    wrong = codes(submission, "JSON-WRONG-TYPE")
    assert [issue.path for issue in wrong] == ["/children/1", "/placements"]
    # The row stays, so later rows keep their index in the document.
    assert submission.tables["children"].frame["child_id"].to_list() == ["C1", None]
    assert [issue.path for issue in codes(submission, "SHEET-UNKNOWN")] == ["/extras"]
    assert submission.tables["costs"].frame.height == 0


def test_invalid_json_is_refused_with_line_and_column(tmp_path):
    path = tmp_path / "extract.json"
    path.write_text('{\n  "la_code": "E06000066",\n  "children": [\n}', encoding="utf-8")
    with pytest.raises(InputError, match=r"extract\.json is not valid JSON: .* line 4, column 1"):
        read_submission([path], STANDARD)


def test_json_that_is_not_an_object_is_refused(tmp_path):
    path = write_json(tmp_path / "extract.json", [{"child_id": "C1"}])
    with pytest.raises(InputError, match=r"extract\.json is not a submission"):
        read_submission([path], STANDARD)


def test_json_text_with_half_a_character_is_refused_at_its_path(tmp_path):
    """A \\u escape of a lone UTF-16 surrogate is not text (no UTF-8 file can hold it):
    the file is refused with where it is, not a traceback; an escaped pair is a character."""
    path = tmp_path / "extract.json"
    path.write_text(
        '{"la_code": "E06000066", "children": [{"child_id": "C1", "sex": "F\\ud83d"}]}',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"extract\.json .* not a character at /children/0/sex"):
        read_submission([path], STANDARD)
    path.write_text(
        '{"la_code": "E06000066", "source_system": "Case \\ud83d\\ude00"}', encoding="utf-8"
    )
    submission = read_submission([path], STANDARD)
    assert submission.tables["submission"].frame["source_system"][0] == "Case \U0001f600"


# -- the pieces ----------------------------------------------------------------------------


def test_column_letters_follow_the_spreadsheet():
    assert [column_letter(i) for i in (0, 25, 26, 51, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "ZZ",
        "AAA",
    ]


def test_numbers_are_written_as_a_person_would_type_them():
    assert number_text(12.0, excel=True) == "12"
    assert number_text(1234.5, excel=True) == "1234.5"
    assert number_text(0.1 + 0.2, excel=True) == "0.3"  # as Excel shows it
    assert number_text(0.1 + 0.2, excel=False) == "0.30000000000000004"
    assert number_text(1e-7, excel=True) == "0.0000001"


def test_every_field_name_title_and_alias_names_its_own_field():
    for table in STANDARD.tables:
        matcher = FieldMatcher(table)
        for field in table.fields:
            for spelling in (field.name, field.title, *field.aliases):
                found = matcher.match(spelling)
                assert found is not None and found.field.name == field.name, (
                    f"{table.name}: {spelling!r} does not name {field.name}"
                )


def test_submission_given_as_a_dict_with_python_values_is_read():
    document = {
        "period_start": dt.date(2024, 4, 1),
        "costs": [
            {"cost_id": "K1", "total_weekly_cost": Decimal("1234.50"), "cost_basis": Basis.AGREED}
        ],
    }
    submission = read_json_object(document, "submission", STANDARD)
    assert submission.inputs == [] and submission.issues == []
    assert submission.tables["submission"].frame["period_start"].to_list() == ["2024-04-01"]
    cost = submission.tables["costs"].frame.row(0, named=True)
    assert (cost["total_weekly_cost"], cost["cost_basis"]) == ("1234.50", "Agreed")


# -- the xlsx reader's shortcuts, each against the careful way ---------------------------


def rewrite_member(path: Path, member: str, change, compression: int = zipfile.ZIP_DEFLATED):
    """Rewrite one member of the zip file at `path` with change(its bytes)."""
    with zipfile.ZipFile(path) as original:
        members = [(info, original.read(info)) for info in original.infolist()]
    with zipfile.ZipFile(path, "w") as rewritten:
        for info, data in members:
            if info.filename == member:
                data = change(data)
                info.compress_type = compression
            rewritten.writestr(info, data)


def write_error_workbook(path: Path, writer: str) -> Path:
    """A providers sheet with two error cells and an apostrophe in a text cell, as `writer`
    writes it: openpyxl (shared strings), xlsxwriter (inline strings; errors as the results
    of formulas, as Excel writes them) or xlsxwriter with single-quoted attributes."""
    if writer == "openpyxl":
        rows = [["provider_id", "provider_name"], ["PR1", "#DIV/0!"], ["#N/A", "O'Brien's"]]
        return write_workbook(path, {"providers": rows})
    import re

    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("providers")
    sheet.write_row(0, 0, ["provider_id", "provider_name"])
    sheet.write_string(1, 0, "PR1")
    sheet.write_formula(1, 1, "=1/0", None, "#DIV/0!")
    sheet.write_formula(2, 0, "=NA()", None, "#N/A")
    sheet.write_string(2, 1, "O'Brien's")
    book.close()
    if writer == "xlsxwriter, single quotes":
        single = re.compile(rb'(\s[\w:]+)="([^"]*)"')
        rewrite_member(path, "xl/worksheets/sheet1.xml", lambda xml: single.sub(rb"\1='\2'", xml))
    return path


@pytest.mark.parametrize("piece", [None, 40, 97])
@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter", "xlsxwriter, single quotes"])
def test_error_cells_are_found_however_the_sheet_is_written_and_cut(
    tmp_path, monkeypatch, writer, piece
):
    """The scan looks for t='e' only in text holding a single quote, and reads the XML in
    pieces; it finds every error cell that the careful way (the whole XML parsed for error
    cells, whatever the scan found) finds, and they are read and reported."""
    from sufficiency_standard.read import sheet_xml

    if piece is not None:
        monkeypatch.setattr(sheet_xml, "_CHUNK", piece)
    path = write_error_workbook(tmp_path / "t.xlsx", writer)
    with zipfile.ZipFile(path) as archive:
        part = sheet_xml.sheet_parts(archive)["providers"]
        xml = archive.read(part)
        scan = sheet_xml.scan_sheet(archive, part, "t.xlsx", "providers")
    assert (b"t='e'" in xml) == (writer == "xlsxwriter, single quotes")
    careful = sheet_xml._error_cells(xml)
    assert careful == {(1, 1): "#DIV/0!", (2, 0): "#N/A"}
    assert scan.has_error_cell and scan.errors == careful

    submission = read_submission([path], STANDARD)
    rows = [("PR1", "#DIV/0!"), ("#N/A", "O'Brien's")]
    assert submission.tables["providers"].frame.rows() == rows
    assert [
        (issue.cell, issue.field, issue.value) for issue in codes(submission, "CELL-ERROR")
    ] == [
        ("B2", "provider_name", "#DIV/0!"),
        ("A3", "provider_id", "#N/A"),
    ]


@given(
    st.lists(
        st.sampled_from([b't="e"', b"t='e'", b"t='s'", b"'", b'"', b"t=", b"e", b"<c r='A1'", b"x"])
    ).map(b"".join)
)
def test_the_error_marker_search_finds_what_looking_for_both_markers_finds(text):
    from sufficiency_standard.read.sheet_xml import _ERROR_MARKERS, _has_error_marker

    assert _has_error_marker(text) == any(marker in text for marker in _ERROR_MARKERS)


def test_a_sheet_without_error_cells_is_not_parsed_for_them(tmp_path, monkeypatch):
    """No t="e" (and no single quote at all): the error cells are not looked for."""
    from sufficiency_standard.read import sheet_xml

    path = write_workbook(tmp_path / "t.xlsx", {"providers": [["provider_id"], ["PR1"]]})
    monkeypatch.setattr(sheet_xml, "_error_cells", lambda xml: pytest.fail("parsed"))
    with zipfile.ZipFile(path) as archive:
        part = sheet_xml.sheet_parts(archive)["providers"]
        assert b"'" not in archive.read(part)
        scan = sheet_xml.scan_sheet(archive, part, "t.xlsx", "providers")
    assert (scan.has_error_cell, scan.errors, scan.last_row) == (False, {}, 2)


def test_a_damaged_sheet_is_refused_whatever_the_order_sheets_are_read_in(tmp_path):
    """A sheet whose bytes do not match its checksum is refused (sheets are read small
    ones first, but the error is the first damaged sheet's in the workbook's order)."""
    path = write_error_workbook(tmp_path / "t.xlsx", "xlsxwriter")
    rewrite_member(path, "xl/worksheets/sheet1.xml", bytes, zipfile.ZIP_STORED)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"<t>PR1</t>", b"<t>PR2</t>", 1))
    with pytest.raises(InputError, match=r"t\.xlsx is damaged: sheet providers cannot be read"):
        read_submission([path], STANDARD)


def test_small_sheets_are_read_first_and_what_is_found_keeps_the_workbooks_order(
    tmp_path, monkeypatch
):
    """Sheets a quarter the size of the largest or less are read first, so that calamine
    parses them while the largest is scanned; what is read and reported is the same as
    reading the sheets one by one in the workbook's order."""
    from sufficiency_standard.read import xlsx as xlsx_module
    from sufficiency_standard.read.sheet_xml import sheet_parts

    placements = [PLACEMENT_HEADER]
    placements += [[f"P{i}", f"C{i}", "2024-04-01", "Foster", "PR1"] for i in range(1, 2000)]
    placements += [["P2000", "C1", "31/02/2024", "Foster", "#N/A"]]
    sheets = {
        "providers": [["provider_id", "provider_name"], ["PR1", "#REF!"]],
        "placements": placements,
        "children": [["child_id", "sex"], ["C1", "X"], ["C2", "F"]],
        "Notes": [["Anything"]],
    }
    path = write_workbook(tmp_path / "t.xlsx", sheets)
    with zipfile.ZipFile(path) as archive:
        parts = sheet_parts(archive)
        sizes = {name: archive.getinfo(parts[name]).file_size for name in sheets}
    assert xlsx_module._reading_order(sizes)[-1] == "placements"
    assert xlsx_module._reading_order(sizes)[0] != "placements"

    read = read_submission([path], STANDARD)
    monkeypatch.setattr(xlsx_module, "_reading_order", list)  # the workbook's order
    careful = read_submission([path], STANDARD)
    assert read.issues == careful.issues
    assert {"CELL-ERROR", "SHEET-UNKNOWN"} <= {issue.code for issue in read.issues}
    assert read.tables.keys() == careful.tables.keys() == {"providers", "placements", "children"}
    for name, table in read.tables.items():
        assert table.frame.equals(careful.tables[name].frame)
        assert list(table.row_numbers) == list(careful.tables[name].row_numbers)


def test_the_reading_order_puts_small_sheets_first_then_the_largest():
    from sufficiency_standard.read.xlsx import _reading_order

    sizes = {"a": 10, "b": 400, "c": 100, "d": 99, "e": 0, "f": 300}
    assert _reading_order(sizes) == ["c", "d", "a", "e", "b", "f"]
    assert _reading_order({"a": 5, "b": 5}) == ["a", "b"]  # the workbook's order for ties
    assert _reading_order({"a": 0, "b": 0}) == ["a", "b"]  # sizes unknown
    assert _reading_order({}) == []


def test_the_garbage_collector_is_paused_while_a_workbook_is_read_then_resumed(
    tmp_path, monkeypatch
):
    import gc

    from sufficiency_standard.read import xlsx as xlsx_module

    during = []
    read_sheet = xlsx_module._read_sheet
    monkeypatch.setattr(
        xlsx_module, "_read_sheet", lambda *args: (during.append(gc.isenabled()), read_sheet(*args))
    )
    path = write_workbook(tmp_path / "t.xlsx", {"providers": [["provider_id"], ["PR1"]]})
    stray = write_workbook(tmp_path / "stray.xlsx", {"placements": [PLACEMENT_HEADER]})
    rewrite_member(
        stray, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b'r="A1"', b'r="XFD1048576"')
    )
    assert gc.isenabled()
    read_submission([path], STANDARD)
    assert during == [False] and gc.isenabled()
    with pytest.raises(InputError, match="reaches cell XFD1048576"):
        read_submission([stray], STANDARD)
    assert gc.isenabled()
    gc.disable()
    try:
        read_submission([path], STANDARD)
        assert not gc.isenabled()  # left as it was
    finally:
        gc.enable()


def test_numbers_with_blank_cells_from_a_workbook_are_written_as_each_cell_is(tmp_path):
    """A column of numbers with blank cells (all of its text empty) skips the text cells;
    with a text cell too, it keeps it. Either way each cell is what cell_text gives it."""
    import python_calamine

    from sufficiency_standard.read.xlsx import cell_text

    header = ["cost_id", "total_weekly_cost", "health_contribution"]
    rows = [header] + [
        [f"K{i}", None if i % 3 == 0 else 1000 + i / 7, "about 10" if i == 5 else i * 0.1]
        for i in range(1, 300)
    ]
    path = write_workbook(tmp_path / "t.xlsx", {"costs": rows})
    costs = read_submission([path], STANDARD).tables["costs"]
    raw = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("costs")
    cells = raw.to_python(skip_empty_area=False)[1:]
    for field, column in (("total_weekly_cost", 1), ("health_contribution", 2)):
        assert costs.frame[field].to_list() == [cell_text(row[column]) for row in cells]
    assert costs.frame["total_weekly_cost"].null_count() == 99


# Unicode's White_Space characters, which \\s matches in polars' regular expressions.
_EVERY_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.text(alphabet=st.sampled_from([*_EVERY_SPACE, "!", "a", "~", "\x7f", "\x80", "é",
                                          "\u2fff", "\u3001", "中", "😀", "\x1f"]), max_size=4),
        min_size=1, max_size=30,
    )
)  # fmt: skip
def test_the_quick_test_for_text_never_passes_a_value_starting_with_white_space(values):
    """Blank rows are found by comparing each row's first value with two bounds; where
    that says "starts with text", the regular expression agrees (it is not consulted)."""
    import polars as pl

    from sufficiency_standard.read.tabular import _starts_with_text

    column = pl.Series(values, dtype=pl.String)
    quick = _starts_with_text(column).to_list()
    starts_with_text = column.str.contains(r"^\S").to_list()
    assert all(exact for fast, exact in zip(quick, starts_with_text, strict=True) if fast)
    # Every white space character of the regular expression is one the bounds catch.
    assert not any(_starts_with_text(pl.Series([c + "x" for c in _EVERY_SPACE])).to_list())


def test_blank_rows_of_every_kind_of_white_space_are_dropped_and_others_kept(tmp_path):
    """A row of only white space (any kind) is blank; a row whose first value starts
    with a space or a letter such as é but holds text is kept, with its row number."""
    path = tmp_path / "children.csv"
    rows = ["child_id,sex", "C1,F", "\u3000,\u00a0", " C2,M", "\t, ", "é3,F", "\u2003C4,M"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    submission = read_submission([path], STANDARD)
    table = submission.tables["children"]
    assert table.frame["child_id"].to_list() == ["C1", " C2", "é3", "\u2003C4"]
    assert list(table.row_numbers) == [2, 4, 6, 7]
