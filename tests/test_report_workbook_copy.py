"""The xlsx report's marked copy (issue 19): the user's workbook copied part by part, only
the marked cells' styles changed, on workbooks made by real writers (openpyxl and
xlsxwriter) with shared strings, formulas, dates, merged cells, comments and several
sheets."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.comments import Comment
from python_calamine import CalamineWorkbook

from sufficiency_standard import validate
from sufficiency_standard.issues import Issue, Location, Severity
from sufficiency_standard.report import workbook as workbook_module
from sufficiency_standard.report.model import Report
from sufficiency_standard.report.workbook import WORKBOOK_STAGES, render_workbook
from sufficiency_standard.sheets import ALL_ISSUES_SHEET, SUMMARY_SHEET
from sufficiency_standard.write import write_xlsx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = json.loads((ROOT / "examples" / "example-submission.json").read_text(encoding="utf-8"))
RED, AMBER = "F8C9C0", "FFE9A8"


def _broken() -> dict:
    broken = copy.deepcopy(EXAMPLE)
    broken["placements"][0]["placement_type"] = "Fostr"
    broken["children"][2]["birth_month"] = "2011-14"
    broken["placements"][1]["placement_id"] = None  # an empty required cell
    return broken


def _xlsxwriter_copy(source: Path, target: Path, comment: bool = True) -> Path:
    """The same sheets written by xlsxwriter (shared strings, its own styles), and a
    "Notes" sheet with formulas, dates, merged cells and a comment, and styled cells."""
    values = openpyxl.load_workbook(source)
    book = xlsxwriter.Workbook(str(target))
    bold = book.add_format({"bold": True})
    dated = book.add_format({"num_format": "dd/mm/yyyy", "italic": True})
    for sheet in values.worksheets:
        out = book.add_worksheet(sheet.title)
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue  # never written: an empty cell is not in the XML
                style = bold if cell.row == 1 else None
                if isinstance(cell.value, dt.datetime | dt.date):
                    out.write_datetime(cell.row - 1, cell.column - 1, cell.value, dated)
                else:
                    out.write(cell.row - 1, cell.column - 1, cell.value, style)
    notes = book.add_worksheet("Notes")
    notes.write("A1", "Total", bold)
    notes.write_formula("B1", "=SUM(C1:C3)", None, 6)
    for number in (1, 2, 3):
        notes.write_number(f"C{number}", number)
    notes.write_datetime("A2", dt.datetime(2025, 4, 1), dated)
    notes.merge_range("A5:C6", "Merged note", bold)
    if comment:
        notes.write_comment("A1", "The LA's own comment")
    book.close()
    return target


def _report(path: Path, extra: list[Issue] = ()) -> Report:
    found = validate(path)
    return Report(
        found.standard, found.inputs, [*found.issues, *extra], found.rows, found.table_order
    )


def _marked_cells(report: Report) -> dict[tuple[str, str], list[Issue]]:
    marked: dict[tuple[str, str], list[Issue]] = {}
    for issue in report.issues:
        if issue.location.sheet and issue.location.cell:
            marked.setdefault((issue.location.sheet, issue.location.cell), []).append(issue)
    return marked


def _style(cell) -> tuple:
    return (
        cell.number_format,
        repr(cell.font),
        repr(cell.fill),
        repr(cell.border),
        repr(cell.alignment),
        repr(cell.protection),
    )


def _no_openpyxl_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(_path):
        raise AssertionError("the openpyxl path ran")

    monkeypatch.setattr(workbook_module, "_users_workbook", refused)


@pytest.fixture(params=["openpyxl", "xlsxwriter"])
def workbook(request, tmp_path: Path) -> Path:
    source = write_xlsx(_broken(), tmp_path / "openpyxl.xlsx")
    if request.param == "openpyxl":
        return source
    return _xlsxwriter_copy(source, tmp_path / "xlsxwriter.xlsx")


def test_the_copy_marks_cells_and_keeps_every_value_and_other_style(
    workbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_openpyxl_path(monkeypatch)
    report = _report(workbook)
    out = tmp_path / "report.xlsx"
    stages: list[str] = []
    render_workbook(report, out, workbook, progress=stages.append)
    assert stages == list(WORKBOOK_STAGES)

    before, after = openpyxl.load_workbook(workbook), openpyxl.load_workbook(out)
    assert after.sheetnames == [SUMMARY_SHEET, ALL_ISSUES_SHEET, *before.sheetnames]
    assert after.active.title == SUMMARY_SHEET
    marked = _marked_cells(report)
    assert ("placements", "G2") in marked
    for sheet in before.worksheets:
        copied = after[sheet.title]
        assert copied.merged_cells.ranges == sheet.merged_cells.ranges
        for row in sheet.iter_rows():
            for cell in row:
                twin = copied[cell.coordinate]
                assert twin.value == cell.value, (sheet.title, cell.coordinate)
                if (sheet.title, cell.coordinate) in marked:
                    assert twin.number_format == cell.number_format
                    assert repr(twin.font) == repr(cell.font)
                else:
                    assert _style(twin) == _style(cell), (sheet.title, cell.coordinate)
                    if sheet.title != "Notes":
                        assert twin.comment is None
    for (sheet, ref), issues in marked.items():
        cell = after[sheet][ref]
        worst = min(issues, key=lambda i: list(Severity).index(i.severity)).severity
        colour = {Severity.ERROR: RED, Severity.WARNING: AMBER}.get(worst)
        if colour:
            assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb.endswith(colour)
        assert cell.comment.text == "\n".join(f"{i.code}: {i.message}" for i in issues)
        assert cell.comment.author == "sufficiency validate"
    if "Notes" in before.sheetnames:
        notes = after["Notes"]
        assert notes["B1"].value == "=SUM(C1:C3)"
        assert notes["A2"].value == dt.datetime(2025, 4, 1)
        assert notes["A1"].comment.text == "The LA's own comment"

    # python-calamine reads the same values (dates, formulas' cached results and all).
    read_before, read_after = CalamineWorkbook.from_path(workbook), CalamineWorkbook.from_path(out)
    assert read_after.sheet_names == [SUMMARY_SHEET, ALL_ISSUES_SHEET, *read_before.sheet_names]
    for name in read_before.sheet_names:
        assert read_after.get_sheet_by_name(name).to_python() == (
            read_before.get_sheet_by_name(name).to_python()
        )


def test_an_empty_required_cell_is_created_in_its_row_in_column_order(
    workbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_openpyxl_path(monkeypatch)
    report = _report(workbook)
    required = [i for i in report.issues if i.code == "VALUE-REQUIRED" and i.table == "placements"]
    assert [i.cell for i in required] == ["A3"]
    out = tmp_path / "report.xlsx"
    render_workbook(report, out, workbook)
    cell = openpyxl.load_workbook(out)["placements"]["A3"]
    assert cell.value is None and cell.fill.fgColor.rgb.endswith(RED)
    assert "VALUE-REQUIRED" in cell.comment.text
    number = openpyxl.load_workbook(workbook).sheetnames.index("placements") + 1
    with zipfile.ZipFile(out) as archive:
        placements = archive.read(f"xl/worksheets/sheet{number}.xml").decode()
    row = re.search(r'<row r="3"[^>]*>(.*?)</row>', placements)[1]
    references = re.findall(r'<c r="([A-Z]+)3"', row)
    assert references[0] == "A" and references == sorted(references, key=lambda c: (len(c), c))


def test_cells_in_missing_rows_past_the_end_and_merged_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issues made up on purpose: a cell in a row the sheet does not have, past its last
    row, a warning and a note, and a cell inside a merged range (only a merged range's
    first cell can be marked, as before)."""
    _no_openpyxl_path(monkeypatch)
    source = write_xlsx(_broken(), tmp_path / "in.xlsx")
    workbook = _xlsxwriter_copy(source, tmp_path / "x.xlsx", comment=False)

    def issue(code: str, severity: Severity, cell: str, sheet: str = "Notes") -> Issue:
        return Issue(code, severity, f"made up at {cell}", Location(sheet=sheet, cell=cell))

    extra = [
        issue("VALUE-CODE", Severity.ERROR, "B4"),  # row 4 is not in the file
        issue("VALUE-RECOMMENDED", Severity.WARNING, "D40"),  # past the last row
        issue("VALUE-NORMALISED", Severity.INFORMATION, "C2"),  # a note: no fill
        issue("VALUE-CODE", Severity.ERROR, "B6"),  # inside A5:C6, not its first cell
        issue("VALUE-CODE", Severity.ERROR, "A5"),  # the merged range's first cell
        issue("VALUE-CODE", Severity.ERROR, "B2", sheet="No such sheet"),
    ]
    out = tmp_path / "report.xlsx"
    render_workbook(_report(workbook, extra), out, workbook)
    notes = openpyxl.load_workbook(out)["Notes"]
    assert (
        notes["B4"].fill.fgColor.rgb.endswith(RED) and "made up at B4" in notes["B4"].comment.text
    )
    assert notes["D40"].fill.fgColor.rgb.endswith(AMBER)
    assert notes["C2"].fill.fill_type is None and notes["C2"].value == 2
    assert "VALUE-NORMALISED" in notes["C2"].comment.text
    assert notes["A5"].value == "Merged note" and notes["A5"].fill.fgColor.rgb.endswith(RED)
    assert notes["B6"].comment is None
    assert next(notes.iter_rows(min_row=4, max_row=4, values_only=True))[1] is None
    assert CalamineWorkbook.from_path(out).get_sheet_by_name("Notes").to_python()[0][:3] == [
        "Total",
        6.0,
        1.0,
    ]


def test_unmarked_sheets_and_rows_are_copied_byte_for_byte(tmp_path: Path) -> None:
    workbook = _xlsxwriter_copy(write_xlsx(_broken(), tmp_path / "in.xlsx"), tmp_path / "x.xlsx")
    report = _report(workbook)
    out = tmp_path / "report.xlsx"
    render_workbook(report, out, workbook)
    with zipfile.ZipFile(workbook) as old, zipfile.ZipFile(out) as new:
        assert old.read("xl/sharedStrings.xml") == new.read("xl/sharedStrings.xml")
        marked_sheets = {sheet for sheet, _ in _marked_cells(report)}
        names = openpyxl.load_workbook(workbook).sheetnames
        for number, name in enumerate(names, 1):
            part = f"xl/worksheets/sheet{number}.xml"
            before, after = old.read(part), new.read(part)
            before = re.sub(rb' tabSelected="1"', b"", before)
            if name not in marked_sheets:
                assert after == before, name
                continue
            # Marked: the same bytes once the marked cells' style attributes and the
            # cells and drawing added are taken out.
            after = re.sub(rb'<c r="[A-Z]+\d+" s="\d+"/>', b"", after)
            after = re.sub(rb"<legacyDrawing [^>]*/>", b"", after)
            strip = re.compile(rb' s="\d+"')
            assert strip.sub(b"", after) == strip.sub(b"", before), name
            assert len(after) - len(before) < 200 * len(_marked_cells(report))


def test_a_marked_sheet_with_its_own_comments_goes_the_openpyxl_way(tmp_path: Path) -> None:
    """Merging notes into a sheet's own comments and drawing is left to openpyxl: the
    LA's comment and ours are both there."""
    source = write_xlsx(_broken(), tmp_path / "in.xlsx")
    book = openpyxl.load_workbook(source)
    book["placements"]["B2"].comment = Comment("Checked by the team", "LA")
    book.save(source)
    out = tmp_path / "report.xlsx"
    render_workbook(_report(source), out, source)
    placements = openpyxl.load_workbook(out)["placements"]
    assert placements["B2"].comment.text == "Checked by the team"
    assert "VALUE-CODE" in placements["G2"].comment.text
    assert placements["G2"].fill.fgColor.rgb.endswith(RED)


def test_a_workbook_that_already_has_the_report_sheets_goes_the_openpyxl_way(
    tmp_path: Path,
) -> None:
    source = write_xlsx(_broken(), tmp_path / "in.xlsx")
    first = tmp_path / "first.xlsx"
    render_workbook(_report(source), first, source)
    book = openpyxl.load_workbook(first)
    for sheet in book.worksheets:  # a report whose marks were cleared, validated again
        for row in sheet.iter_rows():
            for cell in row:
                cell.comment = None
    book.save(first)
    again = tmp_path / "again.xlsx"
    render_workbook(_report(first), again, first)
    names = openpyxl.load_workbook(again).sheetnames
    # As before: openpyxl names the new ones apart ("Validation summary1").
    assert names[:4] == [
        f"{SUMMARY_SHEET}1",
        f"{ALL_ISSUES_SHEET}1",
        SUMMARY_SHEET,
        ALL_ISSUES_SHEET,
    ]


def test_the_report_sheets_of_the_copy_match_the_new_workbooks(tmp_path: Path) -> None:
    """The summary and the list of issues read the same whether the copy wrote them or
    openpyxl did (for an input that is not a workbook)."""
    source = write_xlsx(_broken(), tmp_path / "in.xlsx")
    report = _report(source)
    copied, fresh = tmp_path / "copied.xlsx", tmp_path / "fresh.xlsx"
    render_workbook(report, copied, source, show_values=True)
    render_workbook(report, fresh, None, show_values=True)
    a, b = openpyxl.load_workbook(copied), openpyxl.load_workbook(fresh)
    for name in (SUMMARY_SHEET, ALL_ISSUES_SHEET):
        assert list(a[name].iter_rows(values_only=True)) == list(
            b[name].iter_rows(values_only=True)
        )
    assert a[SUMMARY_SHEET]["A1"].font.b and a[SUMMARY_SHEET]["A1"].font.sz == 14
    assert all(cell.font.b for cell in a[ALL_ISSUES_SHEET][1])
    assert a[ALL_ISSUES_SHEET].freeze_panes == "A2"
    assert a[ALL_ISSUES_SHEET].auto_filter.ref == b[ALL_ISSUES_SHEET].auto_filter.ref
    assert a[ALL_ISSUES_SHEET].column_dimensions["I"].width == 90
    assert a[SUMMARY_SHEET].column_dimensions["A"].width == 28


def test_a_file_that_is_not_a_workbook_still_gets_the_listing(tmp_path: Path) -> None:
    source = write_xlsx(_broken(), tmp_path / "in.xlsx")
    report = _report(source)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip at all")
    out = tmp_path / "report.xlsx"
    render_workbook(report, out, broken)
    assert openpyxl.load_workbook(out).sheetnames == [SUMMARY_SHEET, ALL_ISSUES_SHEET]
