"""The national standard's Excel templates (April and June 2026): read into national
records, and written from them.

A template has three sheets: "Checklist and QA" (guidance), "Data Collection" (row 1
group headers, row 2 the column names, row 3 guidance under each column, records from
row 4, where the template ships its own example record) and "Data Validation and Drop
Downs" (the drop-down lists). Only the Data Collection table is read; the other sheets
are noted as not read.

Reading is tolerant of how people fill the template in: any spelling of a drop-down
value the vocabulary knows, Yes/No/True/False/Y/N, several values of a multi-select
column separated by commas or semicolons, "NA" for a count, Excel or text dates, money
as numbers or as text ("£1,200.50"). A value that cannot be read is kept as
`Unreadable` with its cell, never dropped.

Writing fills a copy of the shipped template, keeping its sheets, headers, guidance and
drop-downs, each value spelled as the template's drop-down lists spell it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from sufficiency_standard.importers.common import parse_date, visible_sheets
from sufficiency_standard.issues import InputError, Location
from sufficiency_standard.national.record import NationalRecord, Unreadable
from sufficiency_standard.national.vocabulary import Property, Vocabulary, vocabulary
from sufficiency_standard.read.headers import (
    HEADER_SEARCH_ROWS,
    column_letter,
    first_line,
    normalise,
)

DATA_SHEET = "Data Collection"
FIRST_DATA_ROW = 4  # under the group headers, the column names and the guidance
RISK_TO_OTHERS_OTHER = "riskToOthersOther"  # April's free text; not in the national JSON-LD

TEMPLATES = {
    "2026-04": "National-Placement-Standard-Excel-20260427.xlsx",
    "2026-06": "National-Placement-Standard-Excel-20260624.xlsx",
}
_TEMPLATE_NAMES = {"2026-04": "April 2026", "2026-06": "June 2026"}

DATE_FORMAT = "DD/MM/YYYY"
MONEY_FORMAT = "[$£-809]#,##0.00"  # the template's own, on cost_total_weekly's example
_PENNY = Decimal("0.01")

# The template's columns -> national properties, in the template's order. Several
# spellings are accepted for one column: the Data Collection and drop-down sheets spell
# some headers differently, and the drop-down sheet keeps the older total_weekly_cost.
COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("child_ID", "childId", ()),
    ("when_placement_is_needed_by", "neededBy", ()),
    ("number_of_siblings_to_place_with", "siblingCount", ()),
    ("is_preferred_location_local", "isPreferredLocationLocal", ()),
    ("out_of_LA_reason", "outOfLAReason", ()),
    ("communication_language_learning_needs", "communicationNeeds", ()),
    ("specific_communication_and_language_requirements", "specificCommunicationRequirement", ()),
    ("adaptation_to_the_home", "homeAdaptationRequired", ()),
    ("cultural_needs", "culturalNeeds", ()),
    ("who_can_the_child_be_cared_for_alongside", "livingCompanions", ()),
    ("can_child_live_with_pets", "pets", ()),
    ("additional_support", "additionalSupport", ()),
    ("additional_support_other", "additionalSupportOther", ()),
    ("dol", "deprivationOfLiberty", ()),
    ("foster_care_suitability", "fosterCareSuitability", ()),
    ("residential_care_suitability", "residentialCareSuitability", ()),
    (
        "supported_accommodation",
        "supportedAccommodationSuitability",
        ("supported_accomodation", "supported_accommodation_suitability"),
    ),
    ("risk_to_child_self_harm", "riskSelfHarm", ()),
    ("risk_to_child_criminal_exploitation", "riskCriminalExploitation", ()),
    ("risk_to_child_drug_and_alcohol_use", "riskDrugAlcohol", ()),
    ("risk_to_child_eating_disorder", "riskEatingDisorder", ()),
    ("risk_to_child_going_missing", "riskMissing", ()),
    ("risk_to_others_physical_harm", "riskToOthersPhysical", ()),
    ("risk_to_others_sexual_harm", "riskToOthersSexual", ()),
    ("risk_to_others_fire_setting", "riskToOthersFire", ()),
    ("risk_to_others_harm_to_animals", "riskToOthersAnimals", ()),
    ("risk_to_others_criminal_exploitation", "riskToOthersCriminal", ()),
    ("risk_to_others_other", RISK_TO_OTHERS_OTHER, ()),  # April only
    ("cost_core_weekly", "coreWeeklyCost", ()),
    ("cost_additional_support_weekly", "additionalSupportWeeklyCost", ()),
    ("cost_education_weekly", "educationWeeklyCost", ()),
    ("cost_other_weekly", "otherWeeklyCost", ()),
    ("cost_total_weekly", "totalWeeklyCost", ("total_weekly_cost",)),
    ("placement_location", "placementLocation", ()),
    (
        "preferrability_of_placement_location",
        "isLocationPreferred",
        ("preferability_of_placement_location",),
    ),
    # "Was child's education disrupted as a result of this placement?": inverted.
    ("education_continuity", "isEducationContinuous", ()),
    ("provider_URN", "providerURN", ()),
    ("how_many_siblings_were_placed_together", "siblingsPlacedTogether", ()),
    ("placement_type", "placementType", ()),
    ("name_of_officer_referral", "referralOfficerName", ()),
    ("Date_entry_referral", "referralDate", ()),
    ("name_of_officer_placement", "placementOfficerName", ()),
    ("date_entry_placement", "placementDate", ()),
    ("name_of_officer_placement_cost", "costOfficerName", ()),
    ("date_entry_placement_cost", "costDate", ()),
)
INVERTED = frozenset({"isEducationContinuous"})  # Yes in the template means False
_HEADER_OF = {prop: header for header, prop, _ in COLUMNS}
_PROPERTY_OF: dict[str, str] = {}
for _header, _prop, _more in COLUMNS:
    for _spelling in (_header, _prop, *_more):  # the national name is accepted too
        _PROPERTY_OF[normalise(_spelling)] = _prop

_MIN_COLUMNS = 5  # a sheet "has the template's table" when its header names this many
_IGNORED_SHEETS = (
    (re.compile(r"drop\s*-?\s*downs?|data\s*validation", re.I), "the template's drop-down lists"),
    (re.compile(r"checklist|\bQA\b|guidance|instructions?", re.I), "guidance"),
)
_SPLIT = re.compile(r"[,;\n]")
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}
_NO_COUNT = {"na", "n/a", "none", "nil"}  # "If child has no siblings, input NA": 0
_TEXT_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%d-%b-%Y", "%d-%B-%Y", "%B %d %Y", "%b %d %Y")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


# -- reading ------------------------------------------------------------------------------


@dataclass
class _Sheet:
    name: str
    rows: list[list[Any]]


def read_template(path: Path) -> tuple[list[NationalRecord], list[str]]:
    """The records of a filled-in national template, and notes on what was not read:
    the sheets left out, the template recognised, columns the template does not have."""
    if not path.exists():
        raise InputError(f"{path} does not exist.")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(
            f"{path.name}: the national template is an .xlsx workbook; this is not one."
        )
    sheets = [
        _Sheet(name, [list(row) for row in sheet.to_python(skip_empty_area=False)])
        for name, sheet in visible_sheets(path)
    ]
    notes: list[str] = []
    chosen = _data_sheet(sheets)
    if chosen is None:
        raise InputError(
            f"{path.name} has no '{DATA_SHEET}' sheet with the national template's columns "
            "(child_ID and the others in its header row)."
        )
    sheet, header_index = chosen
    for other in sheets:
        if other is sheet:
            continue
        why = next((why for rx, why in _IGNORED_SHEETS if rx.search(other.name)), None)
        what = why or f"not the '{DATA_SHEET}' sheet"
        notes.append(f"{path.name}, sheet {other.name}: {what}, not read.")

    source = f"{path.name}, sheet {sheet.name}"
    header = [_text(cell) for cell in sheet.rows[header_index]]
    columns, column_notes = _columns(header, source)
    notes.insert(0, f"{source}: {_version_note(columns)}")

    start = header_index + 1
    if start < len(sheet.rows) and _is_guidance(sheet.rows[start], columns):
        start += 1
    vocab = vocabulary()
    records = []
    unknown_values: Counter[int] = Counter()
    for index in range(start, len(sheet.rows)):
        cells = sheet.rows[index]
        if not any(_text(cell) for cell in cells):
            continue
        row = index + 1
        record = NationalRecord(
            source=source,
            location=Location(row=row, cell=f"A{row}", source=source, sheet=sheet.name),
        )
        for col, prop in columns.items():
            raw = cells[col] if col < len(cells) else None
            if _text(raw) is None:
                continue
            where = Location(
                field=prop,
                row=row,
                cell=f"{column_letter(col)}{row}",
                source=source,
                sheet=sheet.name,
            )
            record.put(prop, _read_value(vocab, prop, raw), where)
        for col, cell in enumerate(cells):
            if col not in columns and _text(cell) is not None:
                unknown_values[col] += 1
        records.append(record)
    for col, header_note in column_notes.items():
        count = unknown_values.get(col, 0)
        notes.append(f"{header_note} ({count} value{'' if count == 1 else 's'} not read).")
    for col, count in sorted(unknown_values.items()):
        if col not in column_notes:
            notes.append(
                f"{source}: column {column_letter(col)} has {count} value"
                f"{'' if count == 1 else 's'} but no header: not read."
            )
    return records, notes


# Columns only the national template has (the regional returns name these facts otherwise).
_NATIONAL_ONLY = {
    normalise(h) for h in ("is_preferred_location_local", "out_of_LA_reason", "cost_total_weekly")
}


def is_national_template(path: Path) -> bool:
    """Whether a workbook is a national template (its Data Collection sheet has columns
    only the national template has), so a regional importer can hand it over."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    try:
        for name, sheet in visible_sheets(path):
            if normalise(name) != normalise(DATA_SHEET):
                continue
            rows = sheet.to_python(skip_empty_area=False)[:10]
            headers = {_header_key(cell) for row in rows for cell in row}
            return bool(headers & _NATIONAL_ONLY)
    except InputError:
        return False
    return False


def _data_sheet(sheets: Sequence[_Sheet]) -> tuple[_Sheet, int] | None:
    """The Data Collection sheet and its header row's index; else the sheet (not a
    drop-down or guidance sheet) whose header names the most template columns."""
    best: tuple[int, _Sheet, int] | None = None
    for sheet in sheets:
        found = _header_row(sheet)
        if found is None:
            continue
        index, score = found
        if normalise(sheet.name) == normalise(DATA_SHEET):
            return sheet, index
        if any(rx.search(sheet.name) for rx, _ in _IGNORED_SHEETS):
            continue  # the drop-down sheet repeats the column names over its lists
        if best is None or score > best[0]:
            best = (score, sheet, index)
    return (best[1], best[2]) if best else None


def _header_row(sheet: _Sheet) -> tuple[int, int] | None:
    """The index of the row among the first that names child_ID and the most template
    columns, and how many it names."""
    best: tuple[int, int] | None = None
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        props = {_PROPERTY_OF.get(_header_key(cell)) for cell in row}
        props.discard(None)
        enough = "childId" in props and len(props) >= _MIN_COLUMNS
        if enough and (best is None or len(props) > best[1]):
            best = (index, len(props))
    return best


def _header_key(cell: Any) -> str:
    text = _text(cell)
    return normalise(first_line(text)) if text else ""


def _columns(header: list[str | None], source: str) -> tuple[dict[int, str], dict[int, str]]:
    """Column index -> national property; and a note for each column not read."""
    columns: dict[int, str] = {}
    notes: dict[int, str] = {}
    seen: dict[str, int] = {}
    for col, cell in enumerate(header):
        if not cell:
            continue
        prop = _PROPERTY_OF.get(_header_key(cell))
        letter = column_letter(col)
        if prop is None:
            notes[col] = (
                f"{source}: column {letter} '{first_line(cell)}' is not a column of the "
                "national template: not read"
            )
        elif prop in seen:
            notes[col] = (
                f"{source}: column {letter} '{first_line(cell)}' repeats column "
                f"{column_letter(seen[prop])}: not read"
            )
        else:
            columns[col] = prop
            seen[prop] = col
    return columns, notes


def _version_note(columns: dict[int, str]) -> str:
    props = set(columns.values())
    june = {prop for _, prop, _ in COLUMNS} - {RISK_TO_OTHERS_OTHER}
    if props == june | {RISK_TO_OTHERS_OTHER}:
        return "the April 2026 template (2026-04: with risk_to_others_other)."
    if props == june:
        return "the June 2026 template (2026-06: without risk_to_others_other)."
    missing = [_HEADER_OF[p] for p in _HEADER_OF if p not in props]
    return "the national template's columns, but not exactly its April or June 2026 layout" + (
        f" (without {', '.join(missing)})." if missing else "."
    )


def _is_guidance(cells: list[Any], columns: dict[int, str]) -> bool:
    """Whether the row under the header is the template's guidance ("Child ID\\n\\n Please
    enter..."): most of its texts run over several lines or are long."""
    texts = [_text(cells[col]) for col in columns if col < len(cells)]
    texts = [t for t in texts if t]
    if not texts:
        return False
    wordy = sum(1 for t in texts if "\n" in t or len(t) > 60)
    return wordy * 2 >= len(texts)


def _text(value: Any) -> str | None:
    """A cell as text, stripped; None when blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip() or None


def _read_value(vocab: Vocabulary, prop: str, raw: Any) -> Any:
    text = _text(raw) or ""
    spec = vocab.properties.get(prop)
    if spec is None:  # riskToOthersOther: April's free text, kept as written
        return [text]
    if spec.kind == "concept":
        return _concepts(vocab, spec, text) if spec.multivalued else _concept(vocab, spec, text)
    if spec.kind == "boolean":
        return _boolean(raw, text, inverted=prop in INVERTED)
    if spec.kind == "integer":
        return _count(raw, text)
    if spec.kind == "decimal":
        return _money(raw, text)
    if spec.kind == "date":
        return _date(raw, text)
    return [text] if spec.multivalued else text


def _concept(vocab: Vocabulary, spec: Property, text: str) -> str | Unreadable:
    concept = vocab.concept_from_label(spec, text)
    if concept is None:
        # The template's guidance spells it "Supported Accomodation".
        concept = vocab.concept_from_label(
            spec, re.sub("accomodation", "accommodation", text, flags=re.I)
        )
    if concept is None:
        return Unreadable(text, "is not one of the template's choices for this column")
    return concept


def _concepts(vocab: Vocabulary, spec: Property, text: str) -> list[str | Unreadable]:
    whole = vocab.concept_from_label(spec, text)
    if whole is not None:
        return [whole]
    values: list[str | Unreadable] = []
    for part in _SPLIT.split(text):
        if part.strip():
            value = _concept(vocab, spec, part.strip())
            if value not in values:
                values.append(value)
    return values


def _boolean(raw: Any, text: str, *, inverted: bool) -> bool | Unreadable:
    if isinstance(raw, bool):
        value = raw
    elif text.casefold() in _TRUE:
        value = True
    elif text.casefold() in _FALSE:
        value = False
    else:
        return Unreadable(text, "is not Yes or No")
    return not value if inverted else value


def _count(raw: Any, text: str) -> int | Unreadable:
    # The April guidance: "If child has no siblings, input NA"; the national ontology
    # counts 0 "if the child has no siblings or is not to be placed with siblings".
    if text.casefold() in _NO_COUNT:
        return 0
    try:
        number = Decimal(str(raw) if isinstance(raw, int | float) else text)
    except InvalidOperation:
        return Unreadable(text, "is not a whole number")
    if not number.is_finite() or number != number.to_integral_value() or number < 0:
        return Unreadable(text, "is not a whole number of 0 or more")
    return int(number)


def _money(raw: Any, text: str) -> Decimal | Unreadable:
    if isinstance(raw, float):  # a binary float: to the penny, without its artefacts
        return Decimal(repr(raw)).quantize(_PENNY, rounding=ROUND_HALF_UP)
    if isinstance(raw, int) and not isinstance(raw, bool):
        return Decimal(raw)
    try:
        amount = Decimal(re.sub(r"[£,\s]", "", text))
    except InvalidOperation:
        return Unreadable(text, "is not an amount of money")
    return amount if amount.is_finite() else Unreadable(text, "is not an amount of money")


def _date(raw: Any, text: str) -> dt.date | Unreadable:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 1 <= raw < 2958466:
        return _EXCEL_EPOCH + dt.timedelta(days=int(raw))  # a date cell formatted as number
    found = parse_date(text)
    if found is not None:
        return found
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.replace(",", " "))
    cleaned = " ".join(cleaned.split())
    for form in _TEXT_DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, form).date()
        except ValueError:
            continue
    return Unreadable(text, "is not a date")


# -- writing ------------------------------------------------------------------------------


def write_template(
    records: list[NationalRecord], out: Path, template: str = "2026-06"
) -> list[str]:
    """Write records into a copy of the shipped template (April "2026-04" or June
    "2026-06"), one row each from row 4; the notes say which values the template has no
    column for (counted, by property)."""
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if template not in TEMPLATES:
        raise InputError(
            f"{template!r} is not a national template: give one of {', '.join(TEMPLATES)}."
        )
    vocab = vocabulary()
    shipped = resources.files(__package__).joinpath("reference", "templates", TEMPLATES[template])
    with resources.as_file(shipped) as template_path:
        workbook = openpyxl.load_workbook(template_path)
    sheet = workbook[DATA_SHEET]
    header_row = FIRST_DATA_ROW - 2
    columns: dict[str, int] = {}  # property -> 1-based column
    for cell in sheet[header_row]:
        prop = _PROPERTY_OF.get(_header_key(cell.value))
        if prop is not None and prop not in columns:
            columns[prop] = cell.column
    lists = _drop_down_lists(workbook, sheet, columns, vocab)
    _extend_validations(sheet, columns, lists, vocab, max(FIRST_DATA_ROW + len(records) - 1, 10))

    styles = {col: copy(sheet.cell(FIRST_DATA_ROW, col)._style) for col in columns.values()}
    for row in sheet.iter_rows(min_row=FIRST_DATA_ROW):
        for cell in row:
            cell.value = None  # the template's example record

    missing: Counter[str] = Counter()
    cleaned: Counter[str] = Counter()
    for offset, record in enumerate(records):
        row = FIRST_DATA_ROW + offset
        for prop, value in record.values.items():
            col = columns.get(prop)
            if col is None:
                link = vocab.properties.get(prop)
                if link is None or link.kind != "link":  # the parts are the row itself
                    missing[prop] += 1
                continue
            cell = sheet.cell(row, col)
            cell._style = copy(styles[col])
            spec = vocab.properties.get(prop)
            written = _cell_value(vocab, spec, prop, value, lists.get(prop, ()))
            if isinstance(written, str):
                safe = ILLEGAL_CHARACTERS_RE.sub("", written)
                if safe != written:
                    cleaned[prop] += 1
                cell.value = safe
                cell.data_type = "s"  # text, even when it starts with "="
            else:
                cell.value = written
            if spec is not None and spec.kind == "date" and isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            elif spec is not None and spec.kind == "decimal" and isinstance(value, Decimal):
                cell.number_format = MONEY_FORMAT
            elif spec is not None and spec.kind == "integer" and isinstance(value, int):
                cell.number_format = "0"

    try:
        workbook.save(out)
    except OSError as error:
        raise InputError(f"{out} cannot be written: {error.strerror or error}.") from None

    name = _TEMPLATE_NAMES[template]
    notes = []
    for prop, count in missing.items():
        notes.append(
            f"{prop}: the {name} template has no column for it; not written "
            f"({count} record{'' if count == 1 else 's'})."
        )
    for prop, count in cleaned.items():
        notes.append(
            f"{prop}: control characters Excel cannot hold were removed "
            f"({count} record{'' if count == 1 else 's'})."
        )
    return notes


def _cell_value(
    vocab: Vocabulary, spec: Property | None, prop: str, value: Any, choices: Sequence[str]
) -> Any:
    if isinstance(value, Unreadable):
        return value.text  # kept as it was written, so the check can still name it
    if isinstance(value, list):
        parts = [_cell_value(vocab, spec, prop, item, choices) for item in value]
        separator = ", " if spec is not None and spec.kind == "concept" else "; "
        return separator.join(str(p) for p in parts if p is not None and p != "")
    if spec is None:
        return str(value)
    if spec.kind == "concept" and isinstance(value, str) and value in vocab.concepts:
        return _spelling(vocab, spec, value, choices)
    if spec.kind == "boolean" and isinstance(value, bool):
        return "Yes" if value != (prop in INVERTED) else "No"
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | Decimal | dt.date):
        return value
    return str(value)


def _spelling(vocab: Vocabulary, spec: Property, concept: str, choices: Sequence[str]) -> str:
    """The concept as the template's drop-down spells it, else its taxonomy label."""
    for choice in choices:
        if vocab.concept_from_label(spec, choice) == concept:
            return choice
    return vocab.label(concept)


def _drop_down_lists(
    workbook: Any, sheet: Any, columns: dict[str, int], vocab: Vocabulary
) -> dict[str, list[str]]:
    """Each drop-down property's entries: from the sheet's list validations, else from
    the drop-down sheet (its header row names the columns, its lists are under them)."""
    found: dict[str, list[str]] = {}
    by_column = {col: prop for prop, col in columns.items()}
    for validation in sheet.data_validations.dataValidation:
        entries = _list_entries(validation)
        if entries is None:
            continue
        for col in _validation_columns(validation):
            prop = by_column.get(col)
            if prop is not None and _is_drop_down(vocab, prop) and prop not in found:
                found[prop] = entries
    lists_sheet = next(
        (ws for ws in workbook.worksheets if _IGNORED_SHEETS[0][0].search(ws.title)), None
    )
    if lists_sheet is None:
        return found
    for row in lists_sheet.iter_rows(max_row=HEADER_SEARCH_ROWS):
        props = {cell.column: _PROPERTY_OF.get(_header_key(cell.value)) for cell in row}
        if "childId" not in props.values():
            continue
        for col, prop in props.items():
            if prop is None or prop in found or not _is_drop_down(vocab, prop):
                continue
            entries = []
            for (cell,) in lists_sheet.iter_rows(min_row=row[0].row + 1, min_col=col, max_col=col):
                text = cell.value if isinstance(cell.value, str) else None
                if text and "\n" not in text and len(text) <= 60:  # not the guidance
                    entries.append(text)
            if entries:
                found[prop] = entries
        break
    return found


def _is_drop_down(vocab: Vocabulary, prop: str) -> bool:
    spec = vocab.properties.get(prop)
    return spec is not None and spec.kind in ("concept", "boolean")


def _list_entries(validation: Any) -> list[str] | None:
    formula = validation.formula1 or ""
    if validation.type != "list" or not (formula.startswith('"') and formula.endswith('"')):
        return None
    return formula[1:-1].split(",")


def _validation_columns(validation: Any) -> set[int]:
    columns: set[int] = set()
    for cells in validation.sqref.ranges:
        columns.update(range(cells.min_col, cells.max_col + 1))
    return columns


def _extend_validations(
    sheet: Any,
    columns: dict[str, int],
    lists: dict[str, list[str]],
    vocab: Vocabulary,
    last_row: int,
) -> None:
    """Make each drop-down cover its columns from row 4 to the last record (the template
    sets them on rows 6-10 only). A column that is not a drop-down loses its validation:
    the shipped templates set the needed-by list on A8 too, child_ID's column. A list
    missing a concept of its property gains the concept's label, in the taxonomy's
    order: the foster-care list lacks "Suitable but not preferred", which its guidance
    offers. `lists` is updated to match."""
    from openpyxl.worksheet.cell_range import MultiCellRange

    by_column = {col: prop for prop, col in columns.items()}
    for validation in list(sheet.data_validations.dataValidation):
        entries = _list_entries(validation)
        if entries is None:
            continue
        keep = sorted(
            col
            for col in _validation_columns(validation)
            if _is_drop_down(vocab, by_column.get(col, ""))
        )
        if not keep:
            sheet.data_validations.dataValidation.remove(validation)
            continue
        validation.sqref = MultiCellRange(
            " ".join(
                f"{column_letter(c - 1)}{FIRST_DATA_ROW}:{column_letter(c - 1)}{last_row}"
                for c in keep
            )
        )
        spec = vocab.properties[by_column[keep[0]]]
        if spec.kind != "concept":
            continue
        present = {vocab.concept_from_label(spec, e) for e in entries}
        if all(c in present for c in spec.concepts):
            continue
        completed = [
            next((e for e in entries if vocab.concept_from_label(spec, e) == c), vocab.label(c))
            for c in spec.concepts
        ]
        completed += [e for e in entries if e not in completed]
        if completed != entries and len(",".join(completed)) < 250:  # Excel's limit: 255
            validation.formula1 = '"' + ",".join(completed) + '"'
            for col in keep:
                lists[by_column[col]] = completed


__all__ = ["COLUMNS", "TEMPLATES", "read_template", "write_template"]
