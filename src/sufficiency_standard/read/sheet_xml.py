"""What a workbook's sheet XML says that calamine does not: error cells, and sheet extent.

Calamine reads a cell showing an Excel error (#N/A, #REF!) as empty, which would hide
exactly the values a placements officer must fix, so error cells are found here.
Calamine also allocates every cell of the rectangle from A1 to the farthest cell before
returning anything: one stray value in XFD1048576 (or a crafted file) would need tens
of gigabytes and kill the process, so a sheet reaching too far is refused first.

Both come from one streaming pass over the decompressed XML with byte searches and
regular expressions that start with a literal (fast in CPython); the full parse of
error cells runs only when an error cell is present.
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

MAX_SHEET_CELLS = 30_000_000  # Excel's 1,048,576 rows x 28 columns; ~1 GB in calamine
_NARROW_COLUMNS = 26  # a sheet whose cell references all have one letter reaches Z at most
_CHUNK = 1 << 22
_CARRY = 32  # bytes kept from one chunk to the next, so no marker is cut in two

_ERROR_MARKERS = (b't="e"', b"t='e'")
# A reference past column Z, or past row 999,999: rare, so these searches are cheap.
_FAR_REFERENCE = re.compile(rb' r="(?:([A-Z]{2,})([0-9]+)|[A-Z]([0-9]{7,}))"')
_ANY_REFERENCE = re.compile(rb' r="[A-Z]+([0-9]+)"')
_ROW_ELEMENT = b'<row r="'
_DIGITS = re.compile(rb"[0-9]+")

_ERROR_CELL = re.compile(rb"""<(?:\w+:)?c\s([^>]*?\st=["']e["'][^>]*)>""")
_CELL_REFERENCE = re.compile(rb"""\br=["']([A-Z]{1,3})([0-9]+)["']""")
_CELL_VALUE = re.compile(rb"""<(?:\w+:)?v>([^<]*)<""")
_CELL_END = re.compile(rb"""</(?:\w+:)?c>""")


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member holding its XML (best effort: {} if unusual)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
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
    if part is None or part not in archive.namelist():
        return scan
    try:
        _scan(archive, part, scan)
        if scan.last_column > _NARROW_COLUMNS:
            scan.last_row = max(scan.last_row, _last_referenced_row(archive, part))
        cells = scan.last_row * max(scan.last_column, _NARROW_COLUMNS)
        if cells > MAX_SHEET_CELLS:
            far = f"{column_letter(max(scan.last_column, 1) - 1)}{scan.last_row}"
            raise InputError(
                f"{name}, sheet {sheet}, reaches cell {far}: {cells:,} cells, too many to "
                "read. Delete what is far beyond the table (Ctrl+End shows the last cell)."
            )
        if scan.has_error_cell:
            scan.errors = _error_cells(archive.read(part))
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:
        raise InputError(f"{name} is damaged: sheet {sheet} cannot be read ({error}).") from None
    return scan


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


def _scan(archive: zipfile.ZipFile, part: str, scan: SheetScan) -> None:
    for text in _chunks(archive, part):
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
