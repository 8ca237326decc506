"""The user's workbook marked, written as a copy of its zip rather than through openpyxl.

Loading a large workbook into openpyxl's objects and saving it again took many times as
long as validating it (issue 19). Here every part of the workbook is copied as it is,
except:

- xl/styles.xml: two fills (red, amber) and, for each style a marked cell had, the same
  style with the fill; the bold fonts and styles of the report sheets;
- each worksheet: read as a stream; only the `s` (style) attribute of a marked `<c>`
  is rewritten, and a marked cell that is not in the file (an empty required cell) is
  added in its row (the row too, if need be); every other byte is kept. A sheet with
  marks gets a comments part and the legacy VML drawing Excel shows them with;
- the two report sheets, written here as new parts, first in the workbook (the
  summary is the sheet it opens on);
- workbook.xml, its relationships and [Content_Types].xml, for the parts added.

`write_marked_copy` returns False, having written nothing, for what it does not handle:
a file that is not a workbook it can read, a sheet that already has comments or a VML
drawing (merging two sets of notes shapes is left to openpyxl, which the caller then
uses, as before), or a workbook that already has sheets named as the report's. Shared
and inline strings, formulas, dates, merged cells, tables and the rest are untouched.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import column_index_from_string, get_column_letter

from sufficiency_standard.issues import Issue, Severity
from sufficiency_standard.report import workbook as _book
from sufficiency_standard.report.model import Report
from sufficiency_standard.sheets import ALL_ISSUES_SHEET, SUMMARY_SHEET

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL_TYPE = REL_NS + "/"
_WORKSHEET = _REL_TYPE + "worksheet"
_COMMENTS = _REL_TYPE + "comments"
_VML = _REL_TYPE + "vmlDrawing"
_CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"

_FILL_COLOUR = {Severity.ERROR: "FFF8C9C0", Severity.WARNING: "FFFFE9A8"}
_AUTHOR = "sufficiency validate"
_CHUNK = 1 << 20
_MAX_ROW, _MAX_COLUMN = 1_048_576, 16_384
_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")
_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class Unsupported(Exception):
    """What the copy does not handle: the caller falls back to openpyxl."""


# -- what to mark --------------------------------------------------------------------------


@dataclass
class _Mark:
    """One marked cell: its fill (None for notes only) and its comment."""

    row: int
    column: int
    severity: Severity | None
    text: str

    @property
    def ref(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"


@dataclass
class _Sheet:
    """A worksheet of the user's workbook, and what happens to it."""

    name: str
    part: str
    marks: dict[tuple[int, int], _Mark] = field(default_factory=dict)
    comments_part: str = ""
    vml_part: str = ""
    vml_rel_id: str = ""
    rels: bytes | None = None  # the sheet's relationships, rewritten when marked
    rels_part: str = ""


def _marks(issues: list[Issue], show_values: bool) -> dict[str, dict[tuple[int, int], _Mark]]:
    """The cells to mark, by sheet, as the openpyxl path marks them."""
    notes: dict[tuple[str, str], list[Issue]] = {}
    for issue in issues:
        place = issue.location
        if place.sheet and place.cell:
            notes.setdefault((place.sheet, place.cell), []).append(issue)
    order = list(Severity)
    marks: dict[str, dict[tuple[int, int], _Mark]] = {}
    for (sheet, cell_ref), found in notes.items():
        matched = _CELL_REF.match(cell_ref)
        if matched is None:
            continue  # a place no workbook can address
        column = column_index_from_string(matched[1])
        row = int(matched[2])
        if not (1 <= row <= _MAX_ROW and 1 <= column <= _MAX_COLUMN):
            continue
        worst = min(found, key=lambda i: order.index(i.severity)).severity
        text = "\n".join(f"{i.code}: {i.message}" for i in found)
        if show_values and any(i.personal for i in found):
            text += f'\nValue: "{found[0].value}"'
        marks.setdefault(sheet, {})[(row, column)] = _Mark(
            row, column, worst if worst in _FILL_COLOUR else None, _xml_text(text)
        )
    return marks


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value: str) -> str:
    """Text as a workbook may hold it: a character XML cannot carry is written as its
    code (as the openpyxl path does for control characters)."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m[0]):02x}", value)


# -- small XML parts, edited as text -------------------------------------------------------


def _attribute(tag: str, name: str) -> str | None:
    found = re.search(rf"""(?:^|\s){re.escape(name)}\s*=\s*(["'])(.*?)\1""", tag, re.S)
    return None if found is None else html.unescape(found[2])


def _prefix(text: str, element: str, namespace: str) -> str:
    """The prefix ("" or "x:") of the root `element`, which must be in `namespace`."""
    root = re.search(rf"<(?:([A-Za-z_][\w.-]*):)?{element}\b([^>]*)>", text)
    if root is None:
        raise Unsupported(f"no {element} element")
    prefix = root[1]
    declared = _attribute(root[2], f"xmlns:{prefix}" if prefix else "xmlns")
    if declared != namespace:
        raise Unsupported(f"{element} in namespace {declared}")
    return f"{prefix}:" if prefix else ""


def _relationships(text: str) -> list[dict[str, str]]:
    out = []
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", text):
        out.append(
            {
                "Id": _attribute(tag, "Id") or "",
                "Type": _attribute(tag, "Type") or "",
                "Target": _attribute(tag, "Target") or "",
                "TargetMode": _attribute(tag, "TargetMode") or "",
            }
        )
    return out


def _resolve(base_part: str, target: str) -> str:
    """A relationship's target as a part name in the zip."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _new_id(taken: set[str]) -> str:
    number = len(taken) + 1
    while f"rId{number}" in taken:
        number += 1
    taken.add(f"rId{number}")
    return f"rId{number}"


def _free_name(taken: set[str], pattern: str) -> str:
    number = 1
    while pattern.format(number).lower() in taken:
        number += 1
    name = pattern.format(number)
    taken.add(name.lower())
    return name


def _add_relationships(text: str | None, added: list[tuple[str, str, str]]) -> bytes:
    """Relationships (id, type, target) added to a relationships part, or a new one."""
    rows = "".join(
        f"<Relationship Id={quoteattr(i)} Type={quoteattr(t)} Target={quoteattr(target)}/>"
        for i, t, target in added
    )
    if text is None:
        return (
            _XML_DECLARATION
            + f'<Relationships xmlns="{PKG_REL_NS}">{rows}</Relationships>'.encode()
        )
    prefix = _prefix(text, "Relationships", PKG_REL_NS)
    if prefix:
        rows = rows.replace("<Relationship ", f"<{prefix}Relationship ")
    closing = f"</{prefix}Relationships>"
    if closing in text:
        return text.replace(closing, rows + closing, 1).encode("utf-8")
    emptied = re.sub(rf"<{prefix}Relationships\b([^>]*?)\s*/>", rf"<{prefix}Relationships\1>", text)
    if emptied == text:
        raise Unsupported("relationships part without an end")
    return (emptied + rows + closing).encode("utf-8")


# -- styles -------------------------------------------------------------------------------


@dataclass
class _Styles:
    """xl/styles.xml with the fills, fonts and styles the report adds."""

    text: str
    prefix: str
    xfs: list[str]  # the existing cellXfs, as text
    added_xfs: list[str] = field(default_factory=list)
    fill_ids: dict[Severity, int] = field(default_factory=dict)
    marked: dict[tuple[int, Severity], int] = field(default_factory=dict)
    bold_xf: int = 0
    title_xf: int = 0

    @classmethod
    def parse(cls, text: str) -> _Styles:
        prefix = _prefix(text, "styleSheet", MAIN_NS)
        block = re.search(rf"<{prefix}cellXfs\b[^>]*>(.*?)</{prefix}cellXfs>", text, re.S)
        if block is None:
            raise Unsupported("no cellXfs")
        xfs = re.findall(rf"<{prefix}xf\b(?:[^>]*?/>|[^>]*>.*?</{prefix}xf>)", block[1], re.S)
        if not xfs:
            raise Unsupported("no cell styles")
        styles = cls(text, prefix, xfs)
        fills = styles._append(
            "fills",
            "fill",
            [
                f'<{prefix}fill><{prefix}patternFill patternType="solid">'
                f'<{prefix}fgColor rgb="{colour}"/><{prefix}bgColor indexed="64"/>'
                f"</{prefix}patternFill></{prefix}fill>"
                for colour in _FILL_COLOUR.values()
            ],
        )
        styles.fill_ids = dict(zip(_FILL_COLOUR, fills, strict=True))
        fonts = re.search(rf"<{prefix}fonts\b[^>]*>(.*?)</{prefix}fonts>", styles.text, re.S)
        first = None
        if fonts is not None:
            first = re.search(rf"<{prefix}font\b[^>]*?(?:/>|>.*?</{prefix}font>)", fonts[1], re.S)
        base = first[0] if first is not None else f"<{prefix}font/>"
        base = re.sub(rf"<{prefix}(?:b|sz)\b[^>]*?/>", "", base)
        base = re.sub(rf"^<{prefix}font\b([^>]*?)\s*/>$", rf"<{prefix}font\1></{prefix}font>", base)
        opening = re.match(rf"<{prefix}font\b[^>]*>", base)
        assert opening is not None
        head, rest = base[: opening.end()], base[opening.end() :]
        bold, title = styles._append(
            "fonts",
            "font",
            [
                f'{head}<{prefix}b/><{prefix}sz val="11"/>{rest}',
                f'{head}<{prefix}b/><{prefix}sz val="14"/>{rest}',
            ],
        )
        styles.bold_xf = styles._xf(
            f'<{prefix}xf numFmtId="0" fontId="{bold}" fillId="0" borderId="0" xfId="0" '
            'applyFont="1"/>'
        )
        styles.title_xf = styles._xf(
            f'<{prefix}xf numFmtId="0" fontId="{title}" fillId="0" borderId="0" xfId="0" '
            'applyFont="1"/>'
        )
        return styles

    def _append(self, container: str, element: str, added: list[str]) -> list[int]:
        """Elements added at the end of a list (fills, fonts): their indexes."""
        p = self.prefix
        opening = re.search(rf"<{p}{container}\b([^>]*?)(/?)>", self.text)
        if opening is None:
            raise Unsupported(f"no {container}")
        if opening[2]:  # <fonts/>: an empty list
            inner, end = "", opening.end()
        else:
            closing = self.text.find(f"</{p}{container}>", opening.end())
            if closing < 0:
                raise Unsupported(f"{container} without an end")
            inner = self.text[opening.end() : closing]
            end = closing + len(f"</{p}{container}>")
        existing = len(re.findall(rf"<{p}{element}\b", inner))
        attributes = re.sub(r"""\scount\s*=\s*["']\d*["']""", "", opening[1])
        count = existing + len(added)
        rebuilt = (
            f'<{p}{container}{attributes} count="{count}">{inner}{"".join(added)}</{p}{container}>'
        )
        self.text = self.text[: opening.start()] + rebuilt + self.text[end:]
        return list(range(existing, count))

    def _xf(self, xf: str) -> int:
        self.added_xfs.append(xf)
        return len(self.xfs) + len(self.added_xfs) - 1

    def marked_style(self, style: int, severity: Severity) -> int:
        """The style `style` with the fill of `severity`, added once."""
        key = (style, severity)
        if key not in self.marked:
            if not 0 <= style < len(self.xfs):
                style = 0
            xf = self.xfs[style]
            opening = re.match(rf"<{self.prefix}xf\b([^>]*?)(/?)>", xf)
            assert opening is not None
            attributes = re.sub(r'\s(?:fillId|applyFill)\s*=\s*["\'][^"\']*["\']', "", opening[1])
            attributes += f' fillId="{self.fill_ids[severity]}" applyFill="1"'
            changed = f"<{self.prefix}xf{attributes}{opening[2]}>" + xf[opening.end() :]
            self.marked[key] = self._xf(changed)
        return self.marked[key]

    def render(self) -> bytes:
        p = self.prefix
        block = re.search(rf"<{p}cellXfs\b([^>]*)>(.*?)</{p}cellXfs>", self.text, re.S)
        assert block is not None
        opening = re.sub(r'\scount\s*=\s*["\']\d*["\']', "", block[1])
        count = len(self.xfs) + len(self.added_xfs)
        rebuilt = (
            f'<{p}cellXfs{opening} count="{count}">{block[2]}{"".join(self.added_xfs)}</{p}cellXfs>'
        )
        return (self.text[: block.start()] + rebuilt + self.text[block.end() :]).encode("utf-8")


# -- the worksheets, streamed ------------------------------------------------------------


def _chunks(source: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with source.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            yield chunk


_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>|<(?:\w+:)?sheetData\b[^>]*/>")


def _merged_cells(chunks: Iterable[bytes]) -> list[tuple[int, int, int, int]]:
    """The merged ranges of a sheet (after its rows): (first row, first column, last row,
    last column) each."""
    tail = b""
    carry = b""
    found_end = False
    for chunk in chunks:
        if found_end:
            tail += chunk
            continue
        text = carry + chunk
        end = _SHEET_DATA_END.search(text)
        if end is not None:
            found_end = True
            tail = text[end.end() :]
        else:
            carry = text[-32:]
    ranges = []
    for ref in re.findall(rb"""<(?:\w+:)?mergeCell\b[^>]*?\sref\s*=\s*["']([^"']+)""", tail):
        corners = ref.decode("ascii", "replace").upper().split(":")
        parsed = [_CELL_REF.match(corner) for corner in corners]
        if len(parsed) != 2 or parsed[0] is None or parsed[1] is None:
            continue
        first_column, last_column = (column_index_from_string(p[1]) for p in parsed)
        first_row, last_row = (int(p[2]) for p in parsed)
        ranges.append((first_row, first_column, last_row, last_column))
    return ranges


def _inside_merged(row: int, column: int, ranges: list[tuple[int, int, int, int]]) -> bool:
    """Whether a cell is in a merged range but not its first cell (openpyxl's MergedCell,
    which cannot be marked)."""
    return any(
        top <= row <= bottom and left <= column <= right and (row, column) != (top, left)
        for top, left, bottom, right in ranges
    )


_R_ATTRIBUTE = re.compile(rb"""(\sr\s*=\s*)(["'])([^"']*)\2""")
_S_ATTRIBUTE = re.compile(rb"""(\ss\s*=\s*)(["'])([^"']*)\2""")
_SPANS = re.compile(rb"""(\sspans\s*=\s*)(["'])(\d+):(\d+)\2""")
_REF_PARTS = re.compile(rb"^\$?([A-Za-z]{1,3})\$?(\d+)$")


class _SheetWriter:
    """One worksheet's XML, rewritten as it streams past."""

    def __init__(self, sheet: _Sheet, styles: _Styles, select: bool) -> None:
        self.sheet = sheet
        self.styles = styles
        self.unselect = select
        self.cells: dict[int, dict[int, int]] = {}  # row -> column -> new style
        for mark in sheet.marks.values():
            if mark.severity is not None:
                self.cells.setdefault(mark.row, {})[mark.column] = -1  # set per cell
        self.rows = sorted(self.cells)
        self.next = 0  # the index in self.rows of the next row to mark
        self.last_row = 0
        self.prefix = b""
        self.row_pattern = re.compile(rb"<row\b([^>]*?)(/?)>")
        self.cell_pattern = re.compile(rb"<c\b([^>]*?)(/?)>")

    # The style a marked cell gets, from its own.
    def _style(self, row: int, column: int, old: int) -> int:
        mark = self.sheet.marks[(row, column)]
        assert mark.severity is not None
        return self.styles.marked_style(old, mark.severity)

    def write(self, chunks: Iterable[bytes], out) -> None:
        buffer = b""
        stage = "head"
        for chunk in chunks:
            buffer += chunk
            if stage == "head":
                opening = re.search(rb"<(?:(\w+):)?sheetData\b[^>]*?(/?)>", buffer)
                if opening is None:
                    if len(buffer) > 64 * _CHUNK:
                        raise Unsupported("no sheetData")
                    continue
                self.prefix = (opening[1] + b":") if opening[1] else b""
                head = self._head(buffer[: opening.start()])
                if opening[2]:  # <sheetData/>: no rows at all
                    out.write(head + b"<" + self.prefix + b"sheetData>")
                    out.write(self._rows_until(None))
                    out.write(b"</" + self.prefix + b"sheetData>")
                    buffer = buffer[opening.end() :]
                    stage = "tail"
                    continue
                out.write(head + buffer[opening.start() : opening.end()])
                buffer = buffer[opening.end() :]
                stage = "rows"
                self.row_close = b"</" + self.prefix + b"row>"
                self.row_open = b"<" + self.prefix + b"row"
                self.data_close = b"</" + self.prefix + b"sheetData>"
                p = re.escape(self.prefix)
                self.row_pattern = re.compile(rb"<" + p + rb"row\b([^>]*?)(/?)>")
                self.cell_pattern = re.compile(rb"<" + p + rb"c\b([^>]*?)(/?)>")
            if stage == "rows":
                end = buffer.find(self.data_close)
                if end >= 0:
                    out.write(self._segment(buffer[:end]))
                    out.write(self._rows_until(None))
                    buffer = buffer[end:]
                    stage = "tail"
                else:
                    cut = buffer.rfind(self.row_close)
                    if cut >= 0:
                        cut += len(self.row_close)
                        out.write(self._segment(buffer[:cut]))
                        buffer = buffer[cut:]
        if stage == "head":
            raise Unsupported("no sheetData")
        if stage == "rows":
            raise Unsupported("rows without an end")
        out.write(self._tail(buffer))

    def _head(self, head: bytes) -> bytes:
        """The part before the rows: the summary sheet is the one selected now; the
        dimension covers any cell added."""
        if self.unselect:
            head = re.sub(
                rb"""(<(?:\w+:)?sheetView\b[^>]*?)\stabSelected\s*=\s*(["'])(?:1|true)\2""",
                rb"\1",
                head,
            )
        if self.rows:
            dimension = re.search(
                rb"""(<(?:\w+:)?dimension\b[^>]*?\sref\s*=\s*)(["'])([^"']*)\2""", head
            )
            if dimension is not None:
                head = (
                    head[: dimension.start()] + self._dimension(dimension) + head[dimension.end() :]
                )
        return head

    def _dimension(self, found: re.Match[bytes]) -> bytes:
        corners = [_REF_PARTS.match(c) for c in found[3].split(b":")]
        if not corners or any(c is None for c in corners):
            return found[0]
        columns = [column_index_from_string(c[1].decode().upper()) for c in corners]  # type: ignore[index]
        rows = [int(c[2]) for c in corners]  # type: ignore[index]
        for row, cells in self.cells.items():
            rows.append(row)
            columns.extend(cells)
        ref = f"{get_column_letter(min(columns))}{min(rows)}"
        if (max(columns), max(rows)) != (min(columns), min(rows)):
            ref += f":{get_column_letter(max(columns))}{max(rows)}"
        return found[1] + found[2] + ref.encode() + found[2]

    def _tail(self, tail: bytes) -> bytes:
        """The part after the rows, with the drawing of the comments in its place."""
        if not self.sheet.vml_rel_id:
            return tail
        p = self.prefix.decode()
        element = (
            f'<{p}legacyDrawing xmlns:r="{REL_NS}" r:id="{self.sheet.vml_rel_id}"/>'
        ).encode()
        later = re.search(
            rf"<(?:{p}(?:legacyDrawingHF|drawingHF|picture|oleObjects|controls|webPublishItems"
            rf"|tableParts|extLst)\b|mc:AlternateContent\b)|</{p}worksheet>".encode(),
            tail,
        )
        if later is None:
            raise Unsupported("worksheet without an end")
        return tail[: later.start()] + element + tail[later.start() :]

    # -- rows --

    def _rows_until(self, limit: int | None) -> bytes:
        """New rows for the marked cells of rows not in the file, before row `limit`."""
        out = []
        while self.next < len(self.rows) and (limit is None or self.rows[self.next] < limit):
            row = self.rows[self.next]
            self.next += 1
            out.append(self._new_row(row))
        return b"".join(out)

    def _new_row(self, row: int) -> bytes:
        cells = b"".join(self._new_cell(row, column) for column in sorted(self.cells[row]))
        p = self.prefix
        return b"<" + p + b'row r="%d">' % row + cells + b"</" + p + b"row>"

    def _new_cell(self, row: int, column: int) -> bytes:
        ref = f"{get_column_letter(column)}{row}".encode()
        style = self._style(row, column, 0)
        return b"<" + self.prefix + b'c r="' + ref + b'" s="%d"/>' % style

    def _segment(self, segment: bytes) -> bytes:
        """Whole rows: those with marks rewritten, the rest as they are."""
        if self.next >= len(self.rows):
            return segment
        fast = self._segment_by_search(segment)
        return fast if fast is not None else self._segment_row_by_row(segment)

    def _segment_by_search(self, segment: bytes) -> bytes | None:
        """The common case, quickly: every row says its number first, in double quotes,
        and each row to mark is there; None otherwise."""
        opening = self.row_open + b' r="'
        if segment.count(self.row_open) != segment.count(opening):
            return None
        last = segment.rfind(opening)
        if last < 0:
            return segment  # no row starts here
        digits = segment[last + len(opening) : segment.find(b'"', last + len(opening))]
        if not digits.isdigit():
            return None
        last_row = int(digits)
        out = []
        position = 0
        index = self.next
        while index < len(self.rows) and self.rows[index] <= last_row:
            row = self.rows[index]
            start = segment.find(opening + b'%d"' % row, position)
            if start < 0:
                return None  # a row not in the file: the slow way adds it in its place
            found = self.row_pattern.match(segment, start)
            if found is None:
                return None
            end = self._row_end(segment, found)
            out.append(segment[position:start])
            out.append(self._row(segment[start:end], found, row))
            position = end
            index += 1
        self.next = index
        self.last_row = last_row
        out.append(segment[position:])
        return b"".join(out)

    def _row_end(self, segment: bytes, found: re.Match[bytes]) -> int:
        if found[2]:
            return found.end()
        end = segment.find(self.row_close, found.end())
        if end < 0:
            raise Unsupported("row without an end")
        return end + len(self.row_close)

    def _segment_row_by_row(self, segment: bytes) -> bytes:
        out = []
        position = 0
        for found in self.row_pattern.finditer(segment):
            if found.start() < position:
                continue  # inside a row already copied (cannot be: rows do not nest)
            number = _R_ATTRIBUTE.search(found[1])
            row = (
                int(number[3]) if number is not None and number[3].isdigit() else self.last_row + 1
            )
            self.last_row = row
            if self.next < len(self.rows) and self.rows[self.next] < row:
                out.append(segment[position : found.start()])
                out.append(self._rows_until(row))
                position = found.start()
            if self.next < len(self.rows) and self.rows[self.next] == row:
                self.next += 1
                end = self._row_end(segment, found)
                out.append(segment[position : found.start()])
                out.append(self._row(segment[found.start() : end], found, row))
                position = end
            if self.next >= len(self.rows):
                break
        out.append(segment[position:])
        return b"".join(out)

    def _row(self, text: bytes, opening: re.Match[bytes], row: int) -> bytes:
        """A row with its marked cells restyled and the missing ones added."""
        wanted = dict(self.cells[row])
        head_end = opening.end() - opening.start()
        head = text[:head_end]
        body = b"" if opening[2] else text[head_end : len(text) - len(self.row_close)]
        out = []
        position = 0
        column = 0
        for cell in self.cell_pattern.finditer(body):
            reference = _R_ATTRIBUTE.search(cell[1])
            parts = _REF_PARTS.match(reference[3]) if reference is not None else None
            if parts is not None:
                column = column_index_from_string(parts[1].decode().upper())
            else:
                column += 1
            for missing in sorted(c for c in wanted if c < column):
                out.append(body[position : cell.start()])
                out.append(self._new_cell(row, missing))
                position = cell.start()
                del wanted[missing]
            if column in wanted:
                del wanted[column]
                style = _S_ATTRIBUTE.search(cell[1])
                old = int(style[3]) if style is not None and style[3].isdigit() else 0
                new = b"%d" % self._style(row, column, old)
                if style is not None:
                    attributes = cell[1][: style.start(3)] + new + cell[1][style.end(3) :]
                else:
                    attributes = cell[1] + b' s="' + new + b'"'
                out.append(body[position : cell.start()])
                out.append(b"<" + self.prefix + b"c" + attributes + cell[2] + b">")
                position = cell.end()
        out.append(body[position:])
        out.extend(self._new_cell(row, c) for c in sorted(wanted))
        if wanted:
            head = self._spans(head, max(wanted))
        if opening[2]:  # <row .../>: now with cells
            head = re.sub(rb"\s*/>$", b">", head)
        return head + b"".join(out) + self.row_close

    @staticmethod
    def _spans(head: bytes, column: int) -> bytes:
        spans = _SPANS.search(head)
        if spans is None or int(spans[4]) >= column:
            return head
        return head[: spans.start(4)] + b"%d" % column + head[spans.end(4) :]


# -- comments --------------------------------------------------------------------------------


def _comments_xml(marks: list[_Mark]) -> bytes:
    comments = "".join(
        f'<comment ref="{mark.ref}" authorId="0"><text><t xml:space="preserve">'
        f"{escape(mark.text)}</t></text></comment>"
        for mark in marks
    )
    return (
        _XML_DECLARATION
        + (
            f'<comments xmlns="{MAIN_NS}"><authors><author>{_AUTHOR}</author></authors>'
            f"<commentList>{comments}</commentList></comments>"
        ).encode()
    )


def _vml_xml(marks: list[_Mark], first_block: int) -> tuple[bytes, int]:
    """The legacy drawing of a sheet's comments (Excel draws notes from it), and the
    number of 1,024-shape blocks it uses."""
    blocks = len(marks) // 1024 + 1
    shapes = []
    for number, mark in enumerate(marks):
        shapes.append(
            f'<v:shape id="_x0000_s{first_block * 1024 + 1 + number}" type="#_x0000_t202" '
            'style="position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:360px;'
            'height:120px;z-index:1;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
            '<v:fill color2="#ffffe1"/><v:shadow color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            '<div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note">'
            "<x:MoveWithCells/><x:SizeWithCells/><x:AutoFill>False</x:AutoFill>"
            f"<x:Row>{mark.row - 1}</x:Row><x:Column>{mark.column - 1}</x:Column>"
            "</x:ClientData></v:shape>"
        )
    idmap = ",".join(str(first_block + i) for i in range(blocks))
    text = (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{idmap}"/></o:shapelayout>'
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
        'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
        '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        f"{''.join(shapes)}</xml>"
    )
    return text.encode("utf-8"), blocks


# -- the report sheets -------------------------------------------------------------------


def _cell_xml(ref: str, value: object, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float) and value == value and abs(value) != float("inf"):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    text = escape(_xml_text(str(value)))
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _report_sheet(
    rows: Iterable[tuple[list, str | None]],
    styles: _Styles,
    widths: dict[str, float],
    *,
    selected: bool = False,
    frozen: bool = False,
    filter_ref: str | None = None,
) -> Iterator[bytes]:
    """A report sheet's XML, in pieces."""
    view = '<sheetView workbookViewId="0"' + (' tabSelected="1"' if selected else "") + ">"
    if frozen:
        view += (
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        )
    view += "</sheetView>"
    columns = "".join(
        f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
        for n, width in sorted((column_index_from_string(c), w) for c, w in widths.items())
    )
    yield (
        _XML_DECLARATION.decode()
        + f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        + f'<sheetViews>{view}</sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{columns}</cols>" if columns else "")
        + "<sheetData>"
    ).encode("utf-8")
    font_style = {"bold": styles.bold_xf, "title": styles.title_xf}
    batch: list[str] = []
    for number, (values, font) in enumerate(rows, 1):
        style = font_style.get(font or "", 0)
        cells = "".join(
            _cell_xml(f"{get_column_letter(column)}{number}", value, style)
            for column, value in enumerate(values, 1)
        )
        if cells:
            batch.append(f'<row r="{number}">{cells}</row>')
        if len(batch) >= 2000:
            yield "".join(batch).encode("utf-8")
            batch = []
    batch.append("</sheetData>")
    if filter_ref:
        batch.append(f'<autoFilter ref="{filter_ref}"/>')
    batch.append(
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        "</worksheet>"
    )
    yield "".join(batch).encode("utf-8")


# -- the workbook ----------------------------------------------------------------------------


def _sheets_of(workbook_text: str, prefix: str, rels: list[dict[str, str]], book_part: str):
    by_id = {r["Id"]: r for r in rels}
    r_prefix = None
    root = re.search(rf"<{prefix}workbook\b([^>]*)>", workbook_text)
    assert root is not None
    for name, value in re.findall(r"""xmlns:([\w.-]+)\s*=\s*["']([^"']*)["']""", root[1]):
        if value == REL_NS:
            r_prefix = name
    if r_prefix is None:
        raise Unsupported("no relationships prefix")
    sheets = []
    for tag in re.findall(rf"<{prefix}sheet\b[^>]*>", workbook_text):
        name = _attribute(tag, "name")
        rel = by_id.get(_attribute(tag, f"{r_prefix}:id") or "")
        if name is None or rel is None:
            raise Unsupported("a sheet without its part")
        sheets.append((name, rel, tag))
    return sheets, r_prefix


def write_marked_copy(
    report: Report,
    source: Path,
    out: Path,
    show_values: bool,
    step: Callable[[str], None],
) -> bool:
    """Write the marked copy of `source` with the report sheets to `out`; False, with
    nothing written, when this workbook needs the openpyxl path."""
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile, ValueError):
        return False
    # Whatever goes wrong in reading this workbook's parts (a file that is not quite a
    # workbook, a part this copy does not expect), the caller's openpyxl path, which
    # copes or lists the issues without a marked copy, runs instead: hence Exception.
    with archive:
        try:
            plan = _Plan.make(archive, report, show_values)
        except Exception:
            return False
        handle, temporary = tempfile.mkstemp(
            prefix=".report-", suffix=".xlsx", dir=out.resolve().parent
        )
        os.close(handle)
        try:
            plan.write(archive, Path(temporary), report, show_values, step)
            os.replace(temporary, out)
        except Exception:
            return False
        finally:
            Path(temporary).unlink(missing_ok=True)
    return True


@dataclass
class _Plan:
    """What the copy changes, worked out from the small parts before any is written."""

    book_part: str
    content_types: bytes
    workbook: bytes
    workbook_rels: bytes
    styles_part: str
    styles: _Styles
    sheets: dict[str, _Sheet]  # by part
    summary_part: str
    issues_part: str
    issues_filter: str

    @classmethod
    def make(cls, archive: zipfile.ZipFile, report: Report, show_values: bool) -> _Plan:
        names = {info.filename for info in archive.infolist()}
        taken = {name.lower() for name in names}

        def text(part: str) -> str:
            return archive.read(part).decode("utf-8")

        package_rels = _relationships(text("_rels/.rels"))
        office = [r for r in package_rels if r["Type"].endswith("/officeDocument")]
        if len(office) != 1:
            raise Unsupported("no workbook part")
        book_part = _resolve("", office[0]["Target"])
        book_rels_part = _rels_part(book_part)
        book_text = text(book_part)
        prefix = _prefix(book_text, "workbook", MAIN_NS)
        book_rels_text = text(book_rels_part)
        book_rels = _relationships(book_rels_text)
        sheets, r_prefix = _sheets_of(book_text, prefix, book_rels, book_part)
        if {name for name, _, _ in sheets} & {SUMMARY_SHEET, ALL_ISSUES_SHEET}:
            raise Unsupported("the workbook already has sheets named as the report's")
        styles_rel = [r for r in book_rels if r["Type"] == _REL_TYPE + "styles"]
        if len(styles_rel) != 1:
            raise Unsupported("no styles part")
        styles_part = _resolve(book_part, styles_rel[0]["Target"])
        styles = _Styles.parse(text(styles_part))

        marks = _marks(report.issues, show_values)
        worksheets: dict[str, _Sheet] = {}
        for name, rel, _ in sheets:
            if rel["Type"] != _WORKSHEET or rel["TargetMode"] == "External":
                continue
            part = _resolve(book_part, rel["Target"])
            if part not in names:
                raise Unsupported("a sheet part missing")
            worksheets[part] = _Sheet(name, part)
        for part, sheet in worksheets.items():
            cells = marks.get(sheet.name)
            if not cells:
                continue
            sheet.rels_part = _rels_part(part)
            rels_text = text(sheet.rels_part) if sheet.rels_part in names else None
            rels = _relationships(rels_text) if rels_text is not None else []
            if any(r["Type"] in (_COMMENTS, _VML) for r in rels):
                # Its own comments, or a VML drawing (form controls, older notes): merging
                # ours into them is left to openpyxl, for this rare workbook.
                raise Unsupported("a marked sheet that already has comments or a drawing")
            merged = _merged_cells(_chunks(archive, archive.getinfo(part)))
            kept = {
                key: mark
                for key, mark in cells.items()
                if not _inside_merged(mark.row, mark.column, merged)
            }
            if not kept:
                continue
            sheet.marks = kept
            sheet.comments_part = _free_name(taken, "xl/comments{}.xml")
            sheet.vml_part = _free_name(taken, "xl/drawings/vmlDrawing{}.vml")
            ids = {r["Id"] for r in rels}
            comments_id, sheet.vml_rel_id = _new_id(ids), _new_id(ids)
            folder = posixpath.dirname(part)
            sheet.rels = _add_relationships(
                rels_text,
                [
                    (comments_id, _COMMENTS, posixpath.relpath(sheet.comments_part, folder)),
                    (sheet.vml_rel_id, _VML, posixpath.relpath(sheet.vml_part, folder)),
                ],
            )

        # The report sheets: new parts, first in the workbook.
        summary_part = _free_name(taken, "xl/worksheets/sheet{}.xml")
        issues_part = _free_name(taken, "xl/worksheets/sheet{}.xml")
        ids = {r["Id"] for r in book_rels}
        summary_id, issues_id = _new_id(ids), _new_id(ids)
        book_folder = posixpath.dirname(book_part)
        workbook_rels = _add_relationships(
            book_rels_text,
            [
                (summary_id, _WORKSHEET, posixpath.relpath(summary_part, book_folder)),
                (issues_id, _WORKSHEET, posixpath.relpath(issues_part, book_folder)),
            ],
        )
        sheet_ids = [int(_attribute(tag, "sheetId") or 0) for _, _, tag in sheets]
        next_id = max(sheet_ids, default=0) + 1
        columns = _book.issues_columns(show_values)
        issues_filter = f"A1:{get_column_letter(len(columns))}{_book.issues_row_count(report)}"
        workbook = _edit_workbook(
            book_text,
            prefix,
            r_prefix,
            [
                (SUMMARY_SHEET, next_id, summary_id),
                (ALL_ISSUES_SHEET, next_id + 1, issues_id),
            ],
            issues_filter,
        )
        overrides = [(summary_part, _CT_WORKSHEET), (issues_part, _CT_WORKSHEET)]
        overrides += [(s.comments_part, _CT_COMMENTS) for s in worksheets.values() if s.marks]
        marked_any = any(s.marks for s in worksheets.values())
        content_types = _edit_content_types(text("[Content_Types].xml"), overrides, marked_any)
        return cls(
            book_part,
            content_types,
            workbook,
            workbook_rels,
            styles_part,
            styles,
            worksheets,
            summary_part,
            issues_part,
            issues_filter,
        )

    def write(
        self,
        archive: zipfile.ZipFile,
        target: Path,
        report: Report,
        show_values: bool,
        step: Callable[[str], None],
    ) -> None:
        step("marking")
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as out:
            small: dict[str, bytes] = {
                "[Content_Types].xml": self.content_types,
                self.book_part: self.workbook,
                _rels_part(self.book_part): self.workbook_rels,
            }
            for sheet in self.sheets.values():
                if sheet.rels is not None:
                    small[sheet.rels_part] = sheet.rels
            written: set[str] = set()
            for info in archive.infolist():
                name = info.filename
                if name in written:
                    continue  # a name twice in a zip: the first is kept
                written.add(name)
                big = info.file_size > (1 << 31)
                if name in small:
                    out.writestr(name, small.pop(name))
                elif name == self.styles_part:
                    continue  # written last: the marked styles are known then
                elif name in self.sheets:
                    sheet = self.sheets[name]
                    with out.open(name, "w", force_zip64=big) as stream:
                        _SheetWriter(sheet, self.styles, True).write(_chunks(archive, info), stream)
                else:
                    with archive.open(info) as part, out.open(name, "w", force_zip64=big) as stream:
                        while chunk := part.read(_CHUNK):
                            stream.write(chunk)
            for name, data in small.items():  # the sheets' new relationships parts
                out.writestr(name, data)
            block = 1
            for sheet in self.sheets.values():
                if not sheet.marks:
                    continue
                ordered = sorted(sheet.marks.values(), key=lambda m: (m.row, m.column))
                out.writestr(sheet.comments_part, _comments_xml(ordered))
                vml, blocks = _vml_xml(ordered, block)
                block += blocks
                out.writestr(sheet.vml_part, vml)
            step("listing")
            with out.open(self.summary_part, "w") as stream:
                for piece in _report_sheet(
                    _book.summary_rows(report),
                    self.styles,
                    _book.SUMMARY_WIDTHS,
                    selected=True,
                ):
                    stream.write(piece)
            with out.open(self.issues_part, "w", force_zip64=True) as stream:
                for piece in _report_sheet(
                    _book.issues_rows(report, show_values),
                    self.styles,
                    _book.ISSUES_WIDTHS,
                    frozen=True,
                    filter_ref=self.issues_filter,
                ):
                    stream.write(piece)
            step("saving")
            out.writestr(self.styles_part, self.styles.render())


# Deflate's fastest level: on the benchmark's 100k workbook (37 MiB), writing the copy
# took 4.6 s at level 1 against 7.1 s at the default 6, for 49 MiB against 38 MiB.
_LEVEL = 1


def _edit_workbook(
    text: str,
    prefix: str,
    r_prefix: str,
    added: list[tuple[str, int, str]],
    issues_filter: str,
) -> bytes:
    """workbook.xml with the report sheets first, and the summary the sheet shown."""
    sheets = "".join(
        f'<{prefix}sheet name={quoteattr(name)} sheetId="{number}" {r_prefix}:id="{rel}"/>'
        for name, number, rel in added
    )
    opening = re.search(rf"<{prefix}sheets\b[^>]*?>", text)
    if opening is None or opening[0].endswith("/>"):
        raise Unsupported("no sheets")
    text = text[: opening.end()] + sheets + text[opening.end() :]
    # Sheets are numbered by position in defined names (print areas, filters) and views.
    text = re.sub(
        r"""(\slocalSheetId\s*=\s*)(["'])(\d+)\2""",
        lambda m: f"{m[1]}{m[2]}{int(m[3]) + len(added)}{m[2]}",
        text,
    )
    text = re.sub(
        rf"<{prefix}workbookView\b[^>]*>",
        lambda m: re.sub(r"""\s(?:activeTab|firstSheet)\s*=\s*(["'])\d*\1""", "", m[0]),
        text,
    )
    escaped = (
        escape(f"'{ALL_ISSUES_SHEET}'!")
        + "$A$1:$"
        + re.sub(r"(\d+)$", r"$\1", issues_filter.split(":")[1])
    )
    name = (
        f'<{prefix}definedName name="_xlnm._FilterDatabase" localSheetId="1" hidden="1">'
        f"{escaped}</{prefix}definedName>"
    )
    names = re.search(rf"<{prefix}definedNames\b[^>]*?(/?)>", text)
    if names is not None and not names[1]:
        text = text[: names.end()] + name + text[names.end() :]
    elif names is not None:
        text = (
            text[: names.start()]
            + f"<{prefix}definedNames>{name}</{prefix}definedNames>"
            + text[names.end() :]
        )
    else:
        later = re.search(
            rf"<{prefix}(?:calcPr|oleSize|customWorkbookViews|pivotCaches|smartTagPr|"
            rf"smartTagTypes|webPublishing|fileRecoveryPr|webPublishObjects|extLst)\b|</{prefix}workbook>",
            text,
        )
        if later is None:
            raise Unsupported("workbook without an end")
        block = f"<{prefix}definedNames>{name}</{prefix}definedNames>"
        text = text[: later.start()] + block + text[later.start() :]
    return text.encode("utf-8")


def _edit_content_types(text: str, overrides: list[tuple[str, str]], vml: bool) -> bytes:
    prefix = _prefix(text, "Types", "http://schemas.openxmlformats.org/package/2006/content-types")
    added = "".join(
        f"<{prefix}Override PartName={quoteattr('/' + part)} ContentType={quoteattr(kind)}/>"
        for part, kind in overrides
    )
    if vml and not re.search(r"""Extension\s*=\s*["']vml["']""", text, re.I):
        added = f'<{prefix}Default Extension="vml" ContentType="{_CT_VML}"/>' + added
    closing = f"</{prefix}Types>"
    if closing not in text:
        raise Unsupported("content types without an end")
    return text.replace(closing, added + closing, 1).encode("utf-8")
