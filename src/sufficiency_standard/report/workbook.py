"""The report as a workbook: the user's own workbook back with the cells marked.

Each cell with an issue is filled (red for errors, amber for warnings) and carries the
messages as a comment; a "Validation summary" sheet comes first, and an "All issues"
sheet lists every issue, so that inputs that were not workbooks get a report too.
The marked copy holds the user's own data, as their file did; the comments and the
lists never add a personal value unless asked.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from sufficiency_standard.catalogue import ENTRIES
from sufficiency_standard.issues import Issue, Severity
from sufficiency_standard.report.model import Report, issue_dict
from sufficiency_standard.sheets import ALL_ISSUES_SHEET, SUMMARY_SHEET

_FILL = {
    Severity.ERROR: PatternFill("solid", fgColor="F8C9C0"),
    Severity.WARNING: PatternFill("solid", fgColor="FFE9A8"),
}
_BOLD = Font(bold=True)
_COLUMNS = ("severity", "code", "title", "source", "table", "cell", "path", "field", "message")


def render_workbook(
    report: Report, out: Path, workbook_input: Path | None, show_values: bool = False
) -> None:
    book = load_workbook(workbook_input) if workbook_input is not None else Workbook()
    if workbook_input is None:
        book.remove(book.active)
    _mark_cells(book, report.issues, show_values)
    _summary_sheet(book, report)
    _issues_sheet(book, report, show_values)
    book.save(out)


def _mark_cells(book: Workbook, issues: list[Issue], show_values: bool) -> None:
    notes: dict[tuple[str, str], list[Issue]] = {}
    for issue in issues:
        place = issue.location
        if place.sheet and place.cell and place.sheet in book.sheetnames:
            notes.setdefault((place.sheet, place.cell), []).append(issue)
    for (sheet, cell_ref), found in notes.items():
        cell = book[sheet][cell_ref]
        worst = min(found, key=lambda i: list(Severity).index(i.severity)).severity
        if worst in _FILL:
            cell.fill = _FILL[worst]
        text = "\n".join(f"{i.code}: {i.message}" for i in found)
        if show_values and any(i.personal for i in found):
            text += f'\nValue: "{found[0].value}"'
        cell.comment = Comment(text, "sufficiency validate", width=360, height=120)


def _summary_sheet(book: Workbook, report: Report) -> None:
    sheet = book.create_sheet(SUMMARY_SHEET, 0)
    sheet.append([report.verdict()])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"Checked against version {report.standard.version}: {report.standard.reason}."])
    sheet.append([])
    sheet.append(["Errors", report.counts["error"]])
    sheet.append(["Warnings", report.counts["warning"]])
    sheet.append(["Notes", report.counts["information"]])
    sheet.append([])
    sheet.append(["Code", "Severity", "What", "Count", "First place", "How to fix"])
    for cell in sheet[sheet.max_row]:
        cell.font = _BOLD
    for code, issues in report.by_code().items():
        entry = ENTRIES[code]
        first = issues[0].location
        sheet.append(
            [
                code,
                entry.severity.value,
                entry.title,
                len(issues),
                f"{first.sheet or first.table or ''} {first.cell or first.path or ''}".strip(),
                entry.docs_url,
            ]
        )
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["C"].width = 45
    sheet.column_dimensions["E"].width = 24


# Excel shows at most 1,048,576 rows: the header, the issues, and a last row saying how
# many more there are when a submission has more issues than that.
_EXCEL_ROWS = 1_048_576


def _issues_sheet(book: Workbook, report: Report, show_values: bool) -> None:
    sheet = book.create_sheet(ALL_ISSUES_SHEET, 1)
    columns = (*_COLUMNS, "value") if show_values else _COLUMNS
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = _BOLD
    room = _EXCEL_ROWS - 2
    listed = report.issues if len(report.issues) <= room + 1 else report.issues[:room]
    for issue in listed:
        document = issue_dict(issue, show_values)
        sheet.append([document.get(column) for column in columns])
    if len(listed) < len(report.issues):
        more = len(report.issues) - len(listed)
        sheet.append(
            [
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                f"... and {more:,} more issues, past the {_EXCEL_ROWS:,} rows a sheet can "
                "hold: the JSON report (--format json) lists every issue.",
            ]
        )
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    sheet.column_dimensions["I"].width = 90
