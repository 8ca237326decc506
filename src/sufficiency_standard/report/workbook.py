"""The report as a workbook: the user's own workbook back with the cells marked.

Each cell with an issue is filled (red for errors, amber for warnings) and carries the
messages as a comment; a "Validation summary" sheet comes first, and an "All issues"
sheet lists every issue, so that inputs that were not workbooks get a report too.
The marked copy holds the user's own data, as their file did; the comments and the
lists never add a personal value unless asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from sufficiency_standard.catalogue import ENTRIES
from sufficiency_standard.collector import collector_paused
from sufficiency_standard.issues import Issue, Severity
from sufficiency_standard.report.model import Report, issue_dict
from sufficiency_standard.sheets import ALL_ISSUES_SHEET, SUMMARY_SHEET

_FILL = {
    Severity.ERROR: PatternFill("solid", fgColor="F8C9C0"),
    Severity.WARNING: PatternFill("solid", fgColor="FFE9A8"),
}
_BOLD = Font(bold=True)
_COLUMNS = ("severity", "code", "title", "source", "table", "cell", "path", "field", "message")


# What `progress` is told, in order: a large workbook spends minutes in the first and last.
WORKBOOK_STAGES = ("opening", "marking", "listing", "saving")


@collector_paused()
def render_workbook(
    report: Report,
    out: Path,
    workbook_input: Path | None,
    show_values: bool = False,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Write the report workbook to `out`; `progress` is told each stage as it starts."""
    step = progress or (lambda _stage: None)
    step("opening")
    if workbook_input is not None:
        from sufficiency_standard.report.marked_copy import write_marked_copy

        # The user's workbook copied part by part, only the marked cells' styles changed:
        # loading it into openpyxl and saving it took many times as long as validating
        # it. openpyxl remains for what the copy leaves to it (a marked sheet with its own
        # comments, a file it cannot read as a workbook).
        if write_marked_copy(report, workbook_input, out, show_values, step):
            return
    book = _users_workbook(workbook_input) if workbook_input is not None else None
    step("marking")
    if book is not None:
        _mark_cells(book, report.issues, show_values)
    else:
        # Nothing of the user's to keep: a workbook written row by row, several times
        # faster for the tens of thousands of issues of a large submission.
        book = Workbook(write_only=True)
    step("listing")
    _summary_sheet(book, report)
    _issues_sheet(book, report, show_values)
    step("saving")
    book.save(out)


def _users_workbook(path: Path) -> Workbook | None:
    """The user's workbook to mark, or None when openpyxl cannot open it (calamine, which
    read it, is more lenient): the report then lists the issues without the marked copy."""
    try:
        return load_workbook(path)
    except Exception:  # openpyxl raises many kinds for a file it cannot read
        return None


def _text_safe(value: object) -> object:
    """A value as a workbook may hold it: a control character cannot be stored, and is
    written as its code."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m[0]):02x}", value)
    return value


def append_row(
    sheet: Worksheet | WriteOnlyWorksheet, values: list, font: Font | None = None
) -> None:
    """A row at the end of a sheet, in either kind of workbook, with a font if given.
    Text is always text: a value such as `=HYPERLINK(...)` from an LA's file or a file
    name never becomes a live formula in the report."""
    values = [_text_safe(value) for value in values]
    if isinstance(sheet, WriteOnlyWorksheet):
        cells = []
        for value in values:
            if font is not None or (isinstance(value, str) and value.startswith("=")):
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                if font is not None:
                    cell.font = font
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        return
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"
        if font is not None:
            cell.font = font


def _mark_cells(book: Workbook, issues: list[Issue], show_values: bool) -> None:
    notes: dict[tuple[str, str], list[Issue]] = {}
    for issue in issues:
        place = issue.location
        if place.sheet and place.cell and place.sheet in book.sheetnames:
            notes.setdefault((place.sheet, place.cell), []).append(issue)
    for (sheet, cell_ref), found in notes.items():
        try:
            cell = book[sheet][cell_ref]
        except (ValueError, IndexError, KeyError):
            continue  # a place openpyxl cannot address (past Excel's last row)
        if isinstance(cell, MergedCell):
            continue  # inside a merged range: only its first cell can be marked
        worst = min(found, key=lambda i: list(Severity).index(i.severity)).severity
        if worst in _FILL:
            cell.fill = _FILL[worst]
        text = "\n".join(f"{i.code}: {i.message}" for i in found)
        if show_values and any(i.personal for i in found):
            text += f'\nValue: "{found[0].value}"'
        cell.comment = Comment(_text_safe(text), "sufficiency validate", width=360, height=120)


# The fonts of the report sheets' rows, by name (the marked copy writes them itself).
_FONTS = {"title": Font(bold=True, size=14), "bold": _BOLD}

# The report sheets' column widths, by column letter.
SUMMARY_WIDTHS = {"A": 28, "C": 45, "E": 24}
ISSUES_WIDTHS = {"I": 90}


def summary_rows(report: Report) -> list[tuple[list, str | None]]:
    """The rows of the summary sheet, each with the name of its font (or None)."""
    rows: list[tuple[list, str | None]] = [
        ([report.verdict()], "title"),
        ([f"Checked against version {report.standard.version}: {report.standard.reason}."], None),
        ([], None),
        (["Errors", report.counts["error"]], None),
        (["Warnings", report.counts["warning"]], None),
        (["Notes", report.counts["information"]], None),
        ([], None),
        (["Code", "Severity", "What", "Count", "First place", "How to fix"], "bold"),
    ]
    for code, issues in report.by_code().items():
        entry = ENTRIES[code]
        first = issues[0].location
        place = f"{first.sheet or first.table or ''} {first.cell or first.path or ''}".strip()
        rows.append(
            ([code, entry.severity.value, entry.title, len(issues), place, entry.docs_url], None)
        )
    return rows


def _summary_sheet(book: Workbook, report: Report) -> None:
    sheet = book.create_sheet(SUMMARY_SHEET, 0)
    for column, width in SUMMARY_WIDTHS.items():
        sheet.column_dimensions[column].width = width
    for values, font in summary_rows(report):
        append_row(sheet, values, _FONTS.get(font or ""))


# Excel shows at most 1,048,576 rows: the header, the issues, and a last row saying how
# many more there are when a submission has more issues than that.
_EXCEL_ROWS = 1_048_576


def issues_columns(show_values: bool) -> tuple[str, ...]:
    return (*_COLUMNS, "value") if show_values else _COLUMNS


def issues_row_count(report: Report) -> int:
    """The rows of the issues sheet: the header, the issues listed, and the last row
    saying how many more there are when they do not all fit."""
    room = _EXCEL_ROWS - 2
    listed = len(report.issues) if len(report.issues) <= room + 1 else room
    return listed + 1 + (listed < len(report.issues))


def issues_rows(report: Report, show_values: bool) -> Iterator[tuple[list, str | None]]:
    """The rows of the issues sheet, each with the name of its font (or None)."""
    columns = issues_columns(show_values)
    room = _EXCEL_ROWS - 2
    listed = report.issues if len(report.issues) <= room + 1 else report.issues[:room]
    yield list(columns), "bold"
    for issue in listed:
        document = issue_dict(issue, show_values)
        yield [document.get(column) for column in columns], None
    if len(listed) < len(report.issues):
        more = len(report.issues) - len(listed)
        note = (
            f"... and {more:,} more issues, past the {_EXCEL_ROWS:,} rows a sheet can "
            "hold: the JSON report (--format json) lists every issue."
        )
        yield [None] * (len(_COLUMNS) - 1) + [note], None


def _issues_sheet(book: Workbook, report: Report, show_values: bool) -> None:
    sheet = book.create_sheet(ALL_ISSUES_SHEET, 1)
    columns = issues_columns(show_values)
    # Set before the rows: a workbook written row by row takes them first.
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{issues_row_count(report)}"
    for column, width in ISSUES_WIDTHS.items():
        sheet.column_dimensions[column].width = width
    for values, font in issues_rows(report, show_values):
        append_row(sheet, values, _FONTS.get(font or ""))
