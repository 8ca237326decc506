"""JSON documents: the Submission object, its own fields at the top and a list per table.

Every value becomes text, as a cell would be: numbers as written (whole numbers without
".0"), true/false, the items of a multivalued field joined with "; ". A value of the
wrong shape (an object, or a list for a single-valued field) is kept as its JSON text so
that checking reports it. Keys are the field names exactly; any other key is reported
and not read, except "$schema"-style keys, which describe the document itself.
Every table has a column for every field, so checking finds required values that are
absent from a row; a table with no list is simply empty.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import polars as pl

from sufficiency_standard.catalogue import make_issue
from sufficiency_standard.issues import InputError, Issue, Location
from sufficiency_standard.read.encoding import decode_text
from sufficiency_standard.read.found import Found, GivenTable
from sufficiency_standard.read.source import SourceTable
from sufficiency_standard.read.values import datetime_text, number_text
from sufficiency_standard.standard import Standard, Table

MULTIVALUE_SEPARATOR = "; "

_KIND_NAMES = {
    dict: "an object",
    list: "a list",
    str: "text",
    int: "a number",
    float: "a number",
    bool: "true or false",
    type(None): "null",
}


def read_json(path: Path, standard: Standard) -> Found:
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{name} cannot be opened: {error.strerror or error}.") from None
    if not data.strip():
        raise InputError(f"{name} is empty.")
    decoded = decode_text(data, name)
    try:
        document = json.loads(decoded.text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{name} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    except RecursionError:
        raise InputError(f"{name} is nested too deeply to be a submission.") from None
    if _SURROGATE_ESCAPE.search(decoded.text):
        where = _half_character(document, "")
        if where is not None:
            raise InputError(
                f"{name} has text that is not a character at {where or '/'}: a \\u escape of "
                "half of a UTF-16 pair (often text cut in the middle of an emoji). Remove it "
                "or write the whole character."
            )
    found = read_document(document, name, standard)
    if decoded.encoding is not None:
        found.issues.insert(
            0,
            make_issue(
                "FILE-ENCODING", Location(source=name), source=name, encoding=decoded.encoding
            ),
        )
    return found


# A \\u escape of a UTF-16 surrogate: in pairs it is a character, alone it is not text
# (no file can hold it as UTF-8), so the document is searched only when one is seen.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _half_character(value: Any, pointer: str) -> str | None:
    """The JSON pointer of the first key or text holding a lone surrogate, if any."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return pointer
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            shown = key.encode("utf-8", "backslashreplace").decode("utf-8")
            here = pointer + "/" + _escaped(shown)
            if _half_character(key, here) is not None:
                return here
            found = _half_character(item, here)
            if found is not None:
                return found
    elif isinstance(value, list):
        for number, item in enumerate(value):
            found = _half_character(item, f"{pointer}/{number}")
            if found is not None:
                return found
    return None


def read_document(document: Any, name: str, standard: Standard) -> Found:
    """A Submission document already parsed (from a file, or given as a dict)."""
    if not isinstance(document, Mapping):
        raise InputError(
            f"{name} is not a submission: the document is {_kind(document)}, not an object "
            "holding the submission's fields and a list per table."
        )
    found = Found(kind="json", container="list")
    top = next(table for table in standard.tables if table.one_row)
    lists = {table.name: table for table in standard.tables if not table.one_row}
    top_row: dict[str, Any] = {}
    for key, value in document.items():
        key = str(key)
        if key in lists:
            found.tables.append(GivenTable(key, name, _list_table(found, lists[key], value, name)))
        elif top.has_field(key):
            top_row[key] = value
        elif key.startswith("$"):
            continue
        elif isinstance(value, list | tuple):
            source = f"{name}, list {key}"
            found.issues.append(
                make_issue(
                    "SHEET-UNKNOWN",
                    Location(path=f"/{_escaped(key)}", source=name),
                    source=source,
                    expected=", ".join(standard.table_names),
                )
            )
        else:
            found.issues.append(
                make_issue(
                    "COLUMN-UNKNOWN",
                    Location(table=top.name, path=f"/{_escaped(key)}", source=name),
                    column=f'"{key}"',
                    header=f"at /{_escaped(key)}",
                    source=name,
                    table=top.name,
                )
            )
    found.tables.insert(0, GivenTable(top.name, name, _frame_table(top, [top_row], "", name)))
    return found


def empty_json_table(table: Table, source: str) -> SourceTable:
    """The table of a document that has no list for it."""
    return _frame_table(table, [], f"/{table.name}", source)


def _list_table(found: Found, table: Table, rows: Any, source: str) -> SourceTable:
    pointer = f"/{table.name}"
    if rows is None:
        rows = []
    elif not isinstance(rows, list | tuple):
        found.issues.append(_wrong_type(table, pointer, source, "a list of rows", rows))
        rows = []
    objects: list[Mapping[str, Any]] = []
    for index, row in enumerate(rows):
        if isinstance(row, Mapping):
            objects.append(row)
        else:
            found.issues.append(
                _wrong_type(table, f"{pointer}/{index}", source, "an object (one row)", row)
            )
            objects.append({})
    _report_unknown_keys(found, table, objects, pointer, source)
    return _frame_table(table, objects, pointer, source)


def _report_unknown_keys(
    found: Found, table: Table, rows: Sequence[Mapping[str, Any]], pointer: str, source: str
) -> None:
    known = {f.name for f in table.fields}
    unknown = set().union(*(row.keys() for row in rows)) - known if rows else set()
    if not unknown:
        return
    first: dict[str, int] = {}
    counts = dict.fromkeys(unknown, 0)
    for index, row in enumerate(rows):
        for key in row.keys() - known:
            counts[key] += 1
            first.setdefault(key, index)
    for key in sorted(unknown, key=first.__getitem__):
        path = f"{pointer}/{first[key]}/{_escaped(key)}"
        rows_text = "1 row" if counts[key] == 1 else f"{counts[key]:,} rows"
        found.issues.append(
            make_issue(
                "COLUMN-UNKNOWN",
                Location(table=table.name, path=path, source=source),
                column=f'"{key}"',
                header=f"in {rows_text}, first at {path}",
                source=source,
                table=table.name,
            )
        )


def _frame_table(
    table: Table, rows: Sequence[Mapping[str, Any]], pointer: str, source: str
) -> SourceTable:
    columns = {}
    for table_field in table.fields:
        name = table_field.name
        values = [row.get(name) for row in rows]
        columns[name] = _column_text(values, multivalued=table_field.multivalued)
    frame = pl.DataFrame(columns, schema={f.name: pl.String for f in table.fields})
    # An empty string is as blank as a missing key.
    frame = frame.with_columns(pl.when(pl.col(n) != "").then(pl.col(n)).alias(n) for n in columns)
    return SourceTable(
        name=table.name, kind="json", source=source, frame=frame, json_pointer=pointer
    )


_SCALARS = {str, int, float, type(None)}


def _column_text(values: list[Any], *, multivalued: bool) -> list[Any]:
    """A column of JSON values as text; "" is made None by the caller."""
    kinds = set(map(type, values))
    if kinds <= {str, type(None)}:
        return values
    if kinds <= _SCALARS:  # no booleans (equal to 0 and 1) or lists (unhashable)
        distinct = set(values)
        if all(value == value for value in distinct):  # no NaN
            texts = {value: value_text(value) for value in distinct}
            return [texts[value] for value in values]
    return [value_text(value, multivalued=multivalued) for value in values]


def value_text(value: Any, *, multivalued: bool = False) -> str | None:
    """A JSON value (or a Python value from a dict given directly) as the text of a cell."""
    if value is None:
        return None
    if isinstance(value, Enum):  # before str: a StrEnum member is a str
        return value_text(value.value, multivalued=multivalued)
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(value, excel=False)
    if isinstance(value, list | tuple) and multivalued:
        items = [value_text(item) for item in value]
        return MULTIVALUE_SEPARATOR.join(item for item in items if item is not None) or None
    if isinstance(value, dt.datetime):
        return datetime_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return json.dumps(value, ensure_ascii=False, default=str)


def _escaped(key: str) -> str:
    """A key as one step of a JSON pointer (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def _kind(value: Any) -> str:
    return _KIND_NAMES.get(type(value), type(value).__name__)


def _wrong_type(table: Table, path: str, source: str, expected: str, value: Any) -> Issue:
    return make_issue(
        "JSON-WRONG-TYPE",
        Location(table=table.name, path=path, source=source),
        path=path,
        source=source,
        expected=expected,
        actual=_kind(value),
    )
