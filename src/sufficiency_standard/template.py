"""The Excel template: an empty workbook for an LA to fill in, generated from the standard.

Built from the same compiled standard as the validator, so a filled-in template passes
`sufficiency validate` with no edits to its headers. Headers are the fields' titles
(the validator matches titles as well as names); each carries its description as a
comment. Coded columns get drop-down lists that point at a hidden "Code lists" sheet,
because Excel caps an inline list at 255 characters and some code lists are longer.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sufficiency_standard.sheets import CODE_LISTS_SHEET, GUIDANCE_SHEET
from sufficiency_standard.shipped import resolve_version
from sufficiency_standard.standard import CodeList, Field, Standard, Table, load_standard

DOCS_URL = "https://sufficiency-standard.github.io/sufficiency-standard/"
LAST_ROW = 1_048_576  # Excel's last row: drop-downs and formats cover the whole column

DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "£#,##0.00"
INTEGER_FORMAT = "0"
TEXT_FORMAT = "@"  # stops Excel turning 2011-04 into a date or 01234567 into a number

REQUIRED_FILL = PatternFill("solid", fgColor="FFD966")
RECOMMENDED_FILL = PatternFill("solid", fgColor="FFF2CC")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
BOLD = Font(bold=True)
_COMMENT_AUTHOR = "Placement Sufficiency Data Standard"
_LISTED_CODES = 40  # a comment lists at most this many codes; the drop-down has them all


def is_money(field: Field) -> bool:
    """Money fields are the ones measured in pounds (UCUM [GBP])."""
    return bool(field.unit and "GBP" in str(field.unit.get("ucum_code", "")))


def number_format(field: Field) -> str | None:
    if field.kind == "date":
        return DATE_FORMAT
    if is_money(field):
        return MONEY_FORMAT
    if field.kind == "integer":
        return INTEGER_FORMAT
    if field.kind in ("string", "enum"):
        return TEXT_FORMAT
    return None


def default_file_name(version: str) -> str:
    return f"sufficiency-template-{version}.xlsx"


def _status(field: Field) -> str:
    if field.required:
        return "(required)"
    return "(recommended)" if field.recommended else "(optional)"


def header_comment(field: Field) -> str:
    """What a person filling the column needs: meaning, whether required, what to type."""
    lines = [f"{field.title} {_status(field)}", "", field.description, ""]
    if field.questions:
        lines += [f"Regional questions it answers: {', '.join(field.questions)}.", ""]
    elif field.kept_because:
        lines += [f"Why it is asked: {field.kept_because}", ""]
    if field.code_list is not None:
        codes = field.code_list.codes
        listed = ", ".join(codes[:_LISTED_CODES]) + (", ..." if len(codes) > _LISTED_CODES else "")
        if field.multivalued:
            lines.append(f"One or more of: {listed}. Separate several with ; (ESOL; BSL).")
        else:
            lines.append(f"Choose from the list: {listed}.")
    elif field.kind == "date":
        lines.append("A date, such as 2025-04-03 (or 03/04/2025, day first).")
    elif is_money(field):
        lines.append("Pounds a week, excluding VAT, at most 2 decimal places.")
    elif field.kind == "integer":
        lines.append("A whole number.")
    elif field.kind == "decimal":
        unit = (field.unit or {}).get("symbol")
        lines.append("A number" + (f" in {unit}." if unit else "."))
    if field.pattern:
        example = f" such as {field.examples[0]}" if field.examples else ""
        lines.append(f"Form{example}: {field.pattern}")
    if field.minimum is not None:
        lines.append(f"At least {field.minimum:g}.")
    if field.references:
        lines.append(
            f"Must match a {field.references_field or field.name} on the {field.references} sheet."
        )
    if field.is_personal:
        lines.append("Personal data: never names, full dates of birth or full postcodes.")
    lines.append(f"Field name: {field.name}")
    return "\n".join(lines).strip()


def _comment(text: str) -> Comment:
    lines = sum(1 + len(line) // 45 for line in text.splitlines())
    return Comment(text, _COMMENT_AUTHOR, width=320, height=min(40 + 15 * lines, 600))


def _column_width(field: Field) -> float:
    longest_code = max((len(c) for c in field.code_list.codes), default=0) if field.code_list else 0
    sample = max((len(e) for e in field.examples), default=0)
    return float(min(max(len(field.title), longest_code, sample, 10) + 3, 45))


class _CodeListSheet:
    """The hidden sheet that holds every code list a drop-down points at."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.ranges: dict[str, str] = {}

    def range_for(self, code_list: CodeList) -> str:
        if code_list.name not in self.ranges:
            column = get_column_letter(len(self.ranges) + 1)
            self.sheet[f"{column}1"] = code_list.name
            self.sheet[f"{column}1"].font = BOLD
            for row, code in enumerate(code_list.codes, start=2):
                cell = self.sheet[f"{column}{row}"]
                cell.value = code
                cell.number_format = TEXT_FORMAT
            self.sheet.column_dimensions[column].width = max(len(c) for c in code_list.codes) + 2
            last = len(code_list.codes) + 1
            self.ranges[code_list.name] = (
                f"{quote_sheetname(CODE_LISTS_SHEET)}!${column}$2:${column}${last}"
            )
        return self.ranges[code_list.name]


def _validation(field: Field, code_lists: _CodeListSheet) -> DataValidation | None:
    """The data validation of a column: a drop-down for codes, a range check for numbers."""
    if field.code_list is not None:
        validation = DataValidation(
            type="list", formula1=code_lists.range_for(field.code_list), allow_blank=True
        )
        validation.showDropDown = False  # (sic) False shows the in-cell arrow
        if field.multivalued:
            # A cell may hold several codes ("ESOL; BSL"), which no list contains.
            validation.errorStyle = "information"
            validation.promptTitle = "One or more codes"
            validation.prompt = "Pick one, or type several separated by ;"
            validation.showInputMessage = True
        else:
            validation.errorTitle = "Not an allowed value"
            validation.error = f"{field.title} must be one of the values in the list."
        validation.showErrorMessage = True
        return validation
    minimum = field.minimum
    if field.kind == "integer" and minimum is not None:
        validation = DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1=f"{minimum:g}", allow_blank=True
        )
        validation.error = f"{field.title} is a whole number, {minimum:g} or more."
    elif field.kind == "decimal" and minimum is not None:
        validation = DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1=f"{minimum:g}",
            allow_blank=True,
        )
        validation.error = f"{field.title} is a number, {minimum:g} or more."
    elif field.kind == "date":
        # On or after 1 January 1900 (serial 1): a check that the cell holds a date.
        validation = DataValidation(
            type="date", operator="greaterThanOrEqual", formula1="1", allow_blank=True
        )
        validation.error = f"{field.title} is a date, such as 2025-04-03."
    else:
        return None
    validation.errorTitle = "Not a valid value"
    validation.showErrorMessage = True
    return validation


def _table_sheet(sheet: Worksheet, table: Table, code_lists: _CodeListSheet, version: str) -> None:
    last_row = 2 if table.one_row else LAST_ROW
    for index, field in enumerate(table.fields, start=1):
        column = get_column_letter(index)
        header = sheet.cell(row=1, column=index, value=field.title)
        header.comment = _comment(header_comment(field))
        header.alignment = Alignment(vertical="top", wrap_text=True)
        header.fill = (
            REQUIRED_FILL
            if field.required
            else RECOMMENDED_FILL
            if field.recommended
            else HEADER_FILL
        )
        header.font = Font(bold=field.required)
        dimension = sheet.column_dimensions[column]
        dimension.width = _column_width(field)
        style = number_format(field)
        if style is not None:
            dimension.number_format = style
            if table.one_row:
                sheet.cell(row=2, column=index).number_format = style
        validation = _validation(field, code_lists)
        if validation is not None:
            validation.add(f"{column}2:{column}{last_row}")
            sheet.add_data_validation(validation)
    if table.one_row and table.has_field("standard_version"):
        index = [f.name for f in table.fields].index("standard_version") + 1
        sheet.cell(row=2, column=index, value=version)
    sheet.freeze_panes = "A2"


def _guidance_sheet(sheet: Worksheet, standard: Standard) -> None:
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 110
    rows: list[tuple[str, str]] = [
        (f"{standard.title}: data template", ""),
        ("Version", f"This workbook follows version {standard.version} of the standard."),
        (
            "What it is",
            "One LA's extract for one period: one sheet per table of the "
            "standard, one row per record. Send it to your regional hub once it validates.",
        ),
        ("", ""),
        (
            "How to fill it in",
            "Fill one sheet per table, one row per record, from row 2 "
            "down. Do not rename the sheets or change the headers in row 1.",
        ),
        ("", "Hover over a header to read what the column means and what to type."),
        (
            "",
            "Dark yellow headers are required; light yellow ones are recommended; "
            "blue ones are optional. Leave a cell blank when the answer is not known.",
        ),
        (
            "",
            "Coded columns have drop-down lists: choose from them. Where a column takes "
            "several codes, separate them with ; (for example ESOL; BSL).",
        ),
        ("", "Dates as dates (2025-04-03). Money in pounds a week, excluding VAT."),
        (
            "",
            "IDs link the sheets: a placement's Child ID must be a Child ID on the "
            "children sheet, its Provider ID one on the providers sheet, and so on.",
        ),
        (
            "",
            "Never enter names, full dates of birth (use the month of birth, 2011-04), "
            "full postcodes (use the sector, TA1 2) or notes about a child.",
        ),
        ("", "The submission sheet has exactly one row; its Standard version is filled in."),
        ("", ""),
        ("How to check it", "sufficiency validate this-file.xlsx"),
        (
            "",
            "sufficiency validate this-file.xlsx --format xlsx --output report.xlsx "
            "(this workbook back with the problem cells marked)",
        ),
        ("", "Exit code 0: valid. 1: not valid, see the report. 2: the file could not be read."),
        ("Field reference", DOCS_URL + "reference/"),
        ("", ""),
        *_minimal_set(standard),
        ("", ""),
        ("Sheet", "What one row is"),
    ]
    rows += [(table.name, table.description) for table in standard.tables]
    for row_number, (label, text) in enumerate(rows, start=1):
        sheet.cell(row=row_number, column=1, value=label or None).font = BOLD
        cell = sheet.cell(row=row_number, column=2, value=text or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.cell(row=len(rows) - len(standard.tables), column=2).font = BOLD


def _minimal_set(standard: Standard) -> list[tuple[str, str]]:
    """The fields to fill first, table by table: what the region cannot do without
    (required), then what most of its questions need (recommended)."""
    rows = [
        (
            "The minimal set",
            "Fill these first: required fields, then recommended ones. The other columns "
            "answer fewer of the region's questions.",
        )
    ]
    for table in standard.tables:
        required = [f.title for f in table.fields if f.required]
        recommended = [f.title for f in table.fields if f.recommended and not f.required]
        text = "Required: " + ", ".join(required) + "."
        if recommended:
            text += " Recommended: " + ", ".join(recommended) + "."
        rows.append((table.name, text))
    return rows


def build_template(version: str | None = None) -> Workbook:
    """The template workbook of a shipped version of the standard (None: the newest)."""
    standard = load_standard(version)
    workbook = Workbook()
    guidance = workbook.active
    guidance.title = GUIDANCE_SHEET
    _guidance_sheet(guidance, standard)
    table_sheets = [(workbook.create_sheet(table.name), table) for table in standard.tables]
    code_list_sheet = workbook.create_sheet(CODE_LISTS_SHEET)
    code_list_sheet.sheet_state = "hidden"
    code_lists = _CodeListSheet(code_list_sheet)
    for sheet, table in table_sheets:
        _table_sheet(sheet, table, code_lists, standard.version)
    workbook.properties.title = f"{standard.title} {standard.version}: data template"
    workbook.properties.creator = _COMMENT_AUTHOR
    return workbook


def write_template(path: str | Path, version: str | None = None) -> Path:
    """Write the template for a version of the standard (None: the newest) to `path`."""
    target = Path(path)
    build_template(version).save(target)
    return target


def template_command(out: Path | None, standard_version: str | None) -> Path:
    """What `sufficiency template` does; raises UnknownVersionError for a bad version."""
    version = resolve_version(standard_version)
    return write_template(out or Path(default_file_name(version)), version)
