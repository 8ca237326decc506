"""What a workbook's sheet XML says that calamine does not: error cells, and sheet extent.

Calamine reads a cell showing an Excel error (#N/A, #REF!) as empty, which would hide
exactly the values a placements officer must fix, so error cells are found here.
Calamine also allocates every cell of the rectangle from A1 to the farthest cell before
returning anything: one stray value in XFD1048576 (or a crafted file) would need tens
of gigabytes and kill the process, so a sheet reaching too far is refused first.

Both come from one streaming pass over the decompressed XML with byte searches and
regular expressions that start with a literal (fast in CPython); the full parse of
error cells runs only when an error cell is present. Those searches know the form every
writer uses (r="B7"); a sheet that names a cell or row any other way XML allows (single
quotes, a tab or spaces around "=", lower case) is parsed as XML instead, with a
streaming parser that stops as soon as the sheet reaches too far.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree

from sufficiency_standard.issues import InputError
from sufficiency_standard.read.headers import column_letter
from sufficiency_standard.read.limits import MAX_COLUMNS

MAX_SHEET_CELLS = 30_000_000  # Excel's 1,048,576 rows x 28 columns; ~1 GB in calamine
# No LA table has more than a few dozen columns; a sheet reaching past column CBT has a
# stray value far to the right (or was made to be slow: each column costs a polars column).
MAX_SHEET_COLUMNS = MAX_COLUMNS
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384  # what Excel itself can hold
_NARROW_COLUMNS = 26  # a sheet whose cell references all have one letter reaches Z at most
_CHUNK = 1 << 22
_CARRY = 32  # bytes kept from one chunk to the next, so no marker is cut in two

_ERROR_MARKERS = (b't="e"', b"t='e'")
# A reference past column Z, or past row 999,999: rare, so these searches are cheap.
_FAR_REFERENCE = re.compile(rb' r="(?:([A-Z]{2,})([0-9]+)|[A-Z]([0-9]{7,}))"')
_ANY_REFERENCE = re.compile(rb' r="[A-Z]+([0-9]+)"')
_ROW_ELEMENT = b'<row r="'
_DIGITS = re.compile(rb"[0-9]+")

# An r attribute written other than as r="A1" (single quotes, white space other than one
# space before it, any around "=", lower-case letters): then the sheet is parsed as XML.
# Byte searches (memchr speed); text such as "Mr='x'" only makes the parse happen.
_ODD_MARKERS = tuple(
    marker.encode()
    for marker in (
        "r='", "\tr=", "\nr=", "\rr=", "r =", "r\t=", "r\n=", "r\r=", "r= ", "r=\t",
        "r=\n", "r=\r",
    )
)  # fmt: skip
_LOWER_REFERENCE = re.compile(rb' r="[a-z]')
_ERROR_CELL = re.compile(rb"""<(?:\w+:)?c\s([^>]*?\st=["']e["'][^>]*)>""")
_CELL_REFERENCE = re.compile(rb"""\br=["']([A-Z]{1,3})([0-9]+)["']""")
_CELL_VALUE = re.compile(rb"""<(?:\w+:)?v>([^<]*)<""")
_CELL_END = re.compile(rb"""</(?:\w+:)?c>""")


def _root(data: bytes) -> ElementTree.Element:
    """The root element of an XML document, read as far as its end tag: what comes after
    it (junk a lenient reader such as calamine's ignores) does not hide the document."""
    parser = ElementTree.XMLPullParser(events=("start", "end"))
    root: ElementTree.Element | None = None
    try:
        parser.feed(data)
        for event, element in parser.read_events():
            if event == "start" and root is None:
                root = element
            elif event == "end" and element is root:
                return root
        parser.close()
    except ElementTree.ParseError:
        for event, element in parser.read_events():
            if event == "end" and element is root:
                return root
        raise
    assert root is not None
    return root


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member holding its XML (best effort: {} if unusual)."""
    try:
        workbook = _root(archive.read("xl/workbook.xml"))
        relationships = _root(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, zlib.error, OSError):
        return {}
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in relationships
        if rel.tag.endswith("Relationship")
    }
    parts = {}
    for sheet in workbook.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        # The relationship namespace differs between transitional and strict files.
        relationship = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        target = targets.get(relationship)
        if not target:
            continue
        if target.startswith("/"):
            part = target.lstrip("/")
        else:
            part = posixpath.normpath(posixpath.join("xl", target))
        parts[sheet.get("name", "")] = part
    return parts


_VALUE_MARKERS = (b"<v>", b"<is>", b":v>", b":is>")


def has_values(archive: zipfile.ZipFile, part: str | None) -> bool:
    """Whether a sheet's XML holds any cell value (best effort: False if unreadable)."""
    if part is None or part not in archive.namelist():
        return False
    try:
        return any(marker in text for text in _chunks(archive, part) for marker in _VALUE_MARKERS)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
        return False


@dataclass
class SheetScan:
    """What one pass over a sheet's XML found."""

    has_error_cell: bool = False
    last_row: int = 0
    last_column: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col), 0-based


def scan_sheet(archive: zipfile.ZipFile, part: str | None, name: str, sheet: str) -> SheetScan:
    """Check a sheet's extent (InputError if too large to read) and find its error cells."""
    scan = SheetScan()
    names = archive.namelist()
    if part is None or part not in names:
        # Which part calamine reads is not known: every worksheet part must pass.
        for other in names:
            if other.startswith("xl/worksheets/") and other.endswith(".xml"):
                _check_extent(archive, other, name, sheet, SheetScan())
        return scan
    try:
        _check_extent(archive, part, name, sheet, scan)
        if scan.has_error_cell:
            scan.errors = _error_cells(archive.read(part))
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:
        raise InputError(f"{name} is damaged: sheet {sheet} cannot be read ({error}).") from None
    return scan


def _check_extent(
    archive: zipfile.ZipFile, part: str, name: str, sheet: str, scan: SheetScan
) -> None:
    """Fill `scan` from the part's XML; InputError when the sheet reaches too far."""
    try:
        odd = _scan(archive, part, scan)
        if odd:
            _parse_extent(archive, part, name, sheet, scan)
        elif scan.last_column > _NARROW_COLUMNS:
            scan.last_row = max(scan.last_row, _last_referenced_row(archive, part))
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:
        raise InputError(f"{name} is damaged: sheet {sheet} cannot be read ({error}).") from None
    _refuse_far(scan.last_row, scan.last_column, name, sheet)


def _refuse_far(last_row: int, last_column: int, name: str, sheet: str) -> None:
    cells = last_row * max(last_column, _NARROW_COLUMNS)
    far = f"{column_letter(max(last_column, 1) - 1)}{last_row}"
    fix = "Delete what is far beyond the table (Ctrl+End shows the last cell)."
    if last_row > EXCEL_ROWS or last_column > EXCEL_COLUMNS:
        raise InputError(
            f"{name}, sheet {sheet}, names cell {far}, beyond the last cell Excel has "
            f"(XFD{EXCEL_ROWS}): the workbook is damaged or was not made by a spreadsheet."
        )
    if last_column > MAX_SHEET_COLUMNS:
        raise InputError(
            f"{name}, sheet {sheet}, reaches cell {far}: column "
            f"{column_letter(last_column - 1)} is past the first {MAX_SHEET_COLUMNS:,} "
            f"columns, far more than any table has. {fix}"
        )
    if cells > MAX_SHEET_CELLS:
        raise InputError(
            f"{name}, sheet {sheet}, reaches cell {far}: {cells:,} cells, too many to read. {fix}"
        )


def _parse_extent(
    archive: zipfile.ZipFile, part: str, name: str, sheet: str, scan: SheetScan
) -> None:
    """The sheet's extent as calamine will see it, from parsing its XML (for sheets whose
    references are written in an unusual way): rows and cells without a reference follow
    the one before. Stops, refusing the sheet, as soon as it reaches too far."""
    row = column = 0
    try:
        with archive.open(part) as stream:
            for event, element in ElementTree.iterparse(stream, events=("start", "end")):
                local = element.tag.rpartition("}")[2]
                if event == "end":
                    if local == "row":
                        element.clear()  # a row read is let go of: memory stays flat
                    continue
                if local == "row":
                    number = _row_number(element.get("r"))
                    row = number if number is not None else row + 1
                    column = 0
                    scan.last_row = max(scan.last_row, row)
                elif local == "c":
                    reference = _CELL_REFERENCE_TEXT.fullmatch((element.get("r") or "").strip())
                    if reference is not None:
                        column = _column_number(reference.group(1).upper().encode())
                        scan.last_row = max(scan.last_row, int(reference.group(2)))
                    else:
                        column += 1
                    scan.last_column = max(scan.last_column, column)
                else:
                    continue
                if scan.last_row > EXCEL_ROWS or scan.last_column > MAX_SHEET_COLUMNS:
                    break  # refused by the caller; no need to read on
    except ElementTree.ParseError as error:
        raise InputError(
            f"{name} is damaged: sheet {sheet} is not well-formed XML ({error})."
        ) from None


_CELL_REFERENCE_TEXT = re.compile(r"([A-Za-z]{1,7})([0-9]{1,12})")


def _row_number(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) <= 12 else None


def _chunks(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    carried = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            yield carried + chunk
            carried = chunk[-_CARRY:]


def _has_error_marker(text: bytes) -> bool:
    """Whether t="e" or t='e' is in the text. Writers quote attributes with double quotes,
    so t='e' is looked for only where a single quote is (found at memchr speed)."""
    double, single = _ERROR_MARKERS
    return double in text or (b"'" in text and single in text)


def _scan(archive: zipfile.ZipFile, part: str, scan: SheetScan) -> bool:
    """Fill `scan` from the canonical references; True when some reference is written in
    a form these searches do not read (then the XML must be parsed)."""
    odd = False
    for text in _chunks(archive, part):
        if not odd:
            odd = any(marker in text for marker in _ODD_MARKERS) or bool(
                _LOWER_REFERENCE.search(text)
            )
        if not scan.has_error_cell:
            scan.has_error_cell = _has_error_marker(text)
        for far in _FAR_REFERENCE.finditer(text):
            letters, row, tall_row = far.groups()
            if letters is not None:
                scan.last_column = max(scan.last_column, _column_number(letters))
                scan.last_row = max(scan.last_row, int(row))
            else:
                scan.last_row = max(scan.last_row, int(tall_row))
        # Rows come in order, so the last row element of a chunk is its farthest.
        start = text.rfind(_ROW_ELEMENT)
        if start >= 0:
            digits = _DIGITS.match(text, start + len(_ROW_ELEMENT))
            if digits is not None:
                scan.last_row = max(scan.last_row, int(digits.group()))
    return odd


def _last_referenced_row(archive: zipfile.ZipFile, part: str) -> int:
    """The farthest row any cell names (a slower pass, for sheets wider than Z only)."""
    last = 0
    for text in _chunks(archive, part):
        rows = _ANY_REFERENCE.findall(text)
        if rows:
            last = max(last, max(map(int, rows)))
    return last


def _error_cells(xml: bytes) -> dict[tuple[int, int], str]:
    errors = {}
    for cell in _ERROR_CELL.finditer(xml):
        reference = _CELL_REFERENCE.search(cell.group(1))
        end = _CELL_END.search(xml, cell.end())
        if reference is None or end is None or cell.group(1).endswith(b"/"):
            continue
        value = _CELL_VALUE.search(xml, cell.end(), end.start())
        if value is None:
            continue
        row = int(reference.group(2))
        column = _column_number(reference.group(1))
        errors[(row - 1, column - 1)] = value.group(1).decode("utf-8", "replace")
    return errors


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number
