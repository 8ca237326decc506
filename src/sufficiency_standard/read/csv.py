"""CSV files (one `<table>.csv` per table), given one by one, in a folder or in a zip.

The header row is found the way it is in a sheet: the row among the first 20 that names
the most fields (title rows above it are skipped). The first rows are parsed with the
csv module to find it and to choose the separator (comma; semicolon or tab only when
they name strictly more fields); polars then reads the rest as text, which scales to
millions of rows. Row numbers are record numbers, as a spreadsheet shows the file (a
quoted value spanning lines is one row). A file polars cannot read as a rectangle
(rows longer than the header) is read again with the csv module, and a file neither
can read (an unclosed quote) cannot be read at all.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import polars as pl

from sufficiency_standard.catalogue import make_issue
from sufficiency_standard.issues import InputError, Issue, Location
from sufficiency_standard.read.encoding import decode_text
from sufficiency_standard.read.found import Found, GivenTable
from sufficiency_standard.read.headers import (
    HEADER_SEARCH_ROWS,
    FieldMatcher,
    header_not_found,
    match_table_name,
)
from sufficiency_standard.read.limits import read_file_bytes, refuse_wide
from sufficiency_standard.read.source import PendingTable, SourceTable
from sufficiency_standard.read.tabular import build_table, raw_column
from sufficiency_standard.standard import Standard, Table

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
_HEAD_CHARACTERS = 1 << 18  # enough text for the first 20 records of any real file
_SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs"}
_CONTAINER = "CSV file"


def read_csv_file(path: Path, standard: Standard) -> Found:
    """One CSV file given directly; its name says its table. It is read when needed."""
    found = Found(kind="csv", container=_CONTAINER)
    table = _table_or_unknown(found, path.name, path.name, standard)
    if table is not None:
        found.tables.append(GivenTable(table.name, path.name, _pending(path, table)))
    return found


def read_csv_folder(folder: Path, standard: Standard) -> Found:
    """Every file of a folder (not its subfolders): CSV files by name, others as unknown.
    Each file is read when its table is needed."""
    found = Found(kind="csv", container=_CONTAINER)
    for path in sorted(folder.iterdir()):
        if not path.is_file() or _is_hidden(path.name):
            continue
        table = _table_or_unknown(found, path.name, path.name, standard)
        if table is not None:
            found.tables.append(GivenTable(table.name, path.name, _pending(path, table)))
    return found


def _pending(path: Path, table: Table) -> PendingTable:
    """A CSV file on disk, to be read as `table` when needed."""

    def load() -> tuple[SourceTable | None, list[Issue]]:
        found = Found(kind="csv", container=_CONTAINER)
        _read_csv_path(found, path, name=path.name, source=path.name, table=table)
        (given,) = found.tables
        assert not isinstance(given.table, PendingTable)
        return given.table, found.issues

    return PendingTable(table.name, path.name, load)


def _read_csv_path(found: Found, path: Path, *, name: str, source: str, table: Table) -> None:
    """One CSV file on disk: as read_csv_data reads its bytes, but plain UTF-8 text (what
    almost every file is) is left to polars to read from the file, without holding the
    file and its decoded text in memory; anything else takes read_csv_data's way."""
    if not _read_plain_utf8(found, path, name=name, source=source, table=table):
        read_csv_data(found, _file_bytes(path), name=name, source=source, table=table)


# The first _HEAD_CHARACTERS characters of a UTF-8 file are within these first bytes.
_HEAD_BYTES = 4 * _HEAD_CHARACTERS + 4
_NUL_CHECKED = 65536  # as decode_text, which refuses a NUL byte among the first bytes
_NOT_PLAIN_STARTS = (
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
)


def _read_plain_utf8(found: Found, path: Path, *, name: str, source: str, table: Table) -> bool:
    """Read a file that is plain UTF-8 (no byte order mark) with a header that polars can
    read under, exactly as read_csv_data would; False, having added nothing to `found`,
    for any other file. Polars checks that the rows it reads are UTF-8 (and fails when
    they are not, and then this is False); the rows above the header, which it skips, are
    within the start of the file that is decoded here."""
    try:
        with path.open("rb") as handle:
            start = handle.read(_HEAD_BYTES)
            whole = not handle.read(1)
    except OSError:
        return False
    if start.startswith(_NOT_PLAIN_STARTS) or b"\x00" in start[:_NUL_CHECKED]:
        return False
    try:
        text = codecs.getincrementaldecoder("utf-8")("strict").decode(start, final=whole)
    except UnicodeDecodeError:
        return False
    if "\n" not in text:
        return False  # one line, or old Mac line endings: read_csv_data's way
    head_text = text[:_HEAD_CHARACTERS]
    best = _best_header(head_text, table)
    if best is None:
        return False
    _, separator, header_index, head = best
    if not whole and len(head) <= header_index + 1:
        return False  # the header might end beyond the text decoded here
    header = head[header_index]
    refuse_wide(len(header), name, "header row")
    body = _body_by_polars(path, separator, header_index, header)
    if body is None:
        return False
    _add_table(found, table, source, separator, header, header_index, body)
    return True


def _file_bytes(path: Path) -> bytes:
    return read_file_bytes(path)


def read_csv_zip(archive: zipfile.ZipFile, name: str, standard: Standard) -> Found:
    """Every CSV file in a zip (already opened and checked by `archive.open_zip`)."""
    found = Found(kind="csv", container=_CONTAINER)
    members = []
    for member in archive.infolist():
        parts = PurePosixPath(member.filename).parts
        if member.is_dir():
            continue
        if ".." in parts or member.filename.startswith("/"):
            # Never extracted anyway; said so, as it may be a table given the wrong way.
            found.issues.append(
                make_issue(
                    "FILE-OUTSIDE-ZIP",
                    Location(source=f"{name}, file {member.filename}"),
                    source=f"{name}, file {member.filename}",
                    member=member.filename,
                )
            )
            continue
        if not any(_is_hidden(part) for part in parts):
            members.append(member)
    read: set[str] = set()
    for member in sorted(members, key=lambda member: member.filename):
        file_name = PurePosixPath(member.filename).name
        source = f"{name}, file {member.filename}"
        table = _table_or_unknown(found, file_name, source, standard)
        if table is None:
            continue
        if table.name in read:
            # A second file for a table is reported (SHEET-DUPLICATE) and not checked,
            # so it is not read either.
            found.tables.append(GivenTable(table.name, source, None))
            continue
        read.add(table.name)
        try:
            data = archive.read(member)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:
            raise InputError(
                f"{name} is damaged: {member.filename} cannot be read ({error})."
            ) from None
        read_csv_data(found, data, name=f"{member.filename} in {name}", source=source, table=table)
    return found


def _is_hidden(name: str) -> bool:
    # macOS leaves __MACOSX/ and ._ files in zips; Excel leaves ~$ lock files in folders.
    return name.startswith((".", "~$")) or name == "__MACOSX"


def _table_or_unknown(
    found: Found, file_name: str, source: str, standard: Standard
) -> Table | None:
    path = PurePosixPath(file_name)
    table = None
    if path.suffix.lower() in CSV_SUFFIXES:
        table = match_table_name(path.stem, standard)
    if table is None:
        found.issues.append(
            make_issue(
                "SHEET-UNKNOWN",
                Location(source=source),
                source=source,
                expected=", ".join(standard.table_names),
            )
        )
    return table


def read_csv_data(found: Found, data: bytes, *, name: str, source: str, table: Table) -> None:
    """Read one CSV file's bytes as `table` into `found`."""
    decoded = decode_text(data, name)
    if decoded.encoding is not None:
        found.issues.append(
            make_issue(
                "FILE-ENCODING",
                Location(table=table.name, source=source),
                source=source,
                encoding=decoded.encoding,
            )
        )
    text, payload = decoded.text, decoded.utf8
    if "\n" not in text and "\r" in text:  # old Mac line endings
        text, payload = text.replace("\r", "\n"), payload.replace(b"\r", b"\n")

    head_text = text[:_HEAD_CHARACTERS]
    best = _best_header(head_text, table)
    if best is None:
        rows_searched = len(_records(head_text, ",", HEADER_SEARCH_ROWS))
        found.issues.append(header_not_found(table, source, rows_searched))
        found.tables.append(GivenTable(table.name, source, None))
        return
    _, separator, header_index, head = best
    header = head[header_index]
    refuse_wide(len(header), name, "header row")
    body = _body_by_polars(payload, separator, header_index, header)
    if body is None:
        header, body = _body_by_csv_module(text, separator, header_index, name)
    _add_table(found, table, source, separator, header, header_index, body)


def _records(text: str, separator: str, limit: int) -> list[list[str | None]]:
    """The first records of a file's text, as far as they can be parsed with `separator`."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    records: list[list[str | None]] = []
    try:
        for record in itertools.islice(reader, limit):
            records.append([cell or None for cell in record])
    except csv.Error:
        pass  # not this separator, or a record cut off at the end of the text read
    return records


def _body_by_polars(
    payload: bytes | Path, separator: str, header_index: int, header: list[str | None]
) -> pl.DataFrame | None:
    """The rows under the header, or None when polars cannot read them as a rectangle."""
    width = len(header)
    try:
        frame = pl.read_csv(
            payload,
            has_header=False,
            separator=separator,
            quote_char='"',
            skip_rows=header_index,
            schema={raw_column(i): pl.String for i in range(width)},
            infer_schema=False,
            # A quoted empty cell ("") is as blank as an empty one, and null like it.
            null_values=[""],
            truncate_ragged_lines=False,
            raise_if_empty=False,
        )
    except (pl.exceptions.PolarsError, ValueError):
        return None
    # The first row read must be the header found, or records were counted differently.
    if frame.height == 0 or [cell or None for cell in frame.row(0)] != header:
        return None
    return frame.slice(1)


def _body_by_csv_module(
    text: str, separator: str, header_index: int, name: str
) -> tuple[list[str | None], pl.DataFrame]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    try:
        records = list(reader)
    except csv.Error as error:
        raise InputError(
            f"{name} cannot be read as CSV: {error} on line {reader.line_num} "
            "(often a quote that is not closed)."
        ) from None
    header: list[str | None] = [cell or None for cell in records[header_index]]
    rows = records[header_index + 1 :]
    width = max([len(header), *map(len, rows)])
    refuse_wide(width, name)
    columns: dict[str, list[str | None]] = {raw_column(i): [] for i in range(width)}
    for row in rows:
        for index in range(width):
            columns[raw_column(index)].append((row[index] or None) if index < len(row) else None)
    body = pl.DataFrame(columns, schema={column: pl.String for column in columns})
    return header, body


def _best_header(
    head_text: str, table: Table
) -> tuple[int, str, int, list[list[str | None]]] | None:
    """(score, separator, header row index, first rows) of the separator whose header row
    names the most fields; None when no row names any."""
    matcher = FieldMatcher(table)
    best: tuple[int, str, int, list[list[str | None]]] | None = None
    for separator in _SEPARATORS:
        head = _records(head_text, separator, HEADER_SEARCH_ROWS)
        scores = [matcher.score(row) for row in head]
        score = max(scores, default=0)
        if score and (best is None or score > best[0]):
            best = (score, separator, scores.index(score), head)
    return best


def _add_table(
    found: Found,
    table: Table,
    source: str,
    separator: str,
    header: list[str | None],
    header_index: int,
    body: pl.DataFrame,
) -> None:
    """The table below the header row, with a note when the file was not comma-separated."""
    if separator != ",":
        found.issues.append(
            make_issue(
                "FILE-DELIMITER",
                Location(table=table.name, source=source),
                source=source,
                delimiter=_SEPARATORS[separator],
            )
        )
    source_table, issues = build_table(
        table,
        kind="csv",
        source=source,
        header=header,
        header_row=header_index + 1,
        body=body,
    )
    found.tables.append(GivenTable(table.name, source, source_table))
    found.issues.extend(issues)
