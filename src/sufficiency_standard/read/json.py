"""JSON documents: the Submission object, its own fields at the top and a list per table.

Every value becomes text, as a cell would be: numbers as written (whole numbers without
".0"), true/false, the items of a multivalued field joined with "; ". A value of the
wrong shape (an object, or a list for a single-valued field) is kept as its JSON text so
that checking reports it. Keys are the field names exactly; any other key is reported
and not read, except "$schema"-style keys, which describe the document itself.
Every table has a column for every field, so checking finds required values that are
absent from a row; a table with no list is simply empty.

A document's values mean what the JSON Schema says, not what a cell would: a multivalued
field is a list (text joined with "; " is a cell's way, and an error here), and a value of
another JSON type than the schema's (an ID as a number, money as text) is warned of, once
per field and type, though still read as a cell would be so that nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import Enum
from itertools import chain
from pathlib import Path
from typing import Any

import polars as pl

from sufficiency_standard.catalogue import make_issue
from sufficiency_standard.issues import InputError, Issue, Location
from sufficiency_standard.personal_data import personal_header
from sufficiency_standard.read.encoding import decode_text
from sufficiency_standard.read.found import Found, GivenTable
from sufficiency_standard.read.limits import read_file_bytes
from sufficiency_standard.read.source import SourceTable
from sufficiency_standard.read.values import datetime_text, number_text
from sufficiency_standard.standard import Field, Standard, Table

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
    data = read_file_bytes(path)
    if not data.strip():
        raise InputError(f"{name} is empty.")
    decoded = decode_text(data, name)
    duplicates: dict[str, int] = {}

    def pairs_to_dict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        # JSON allows a key twice and json.loads keeps the last: said, not silently lost.
        made = dict(pairs)
        if len(made) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    duplicates[key] = duplicates.get(key, 0) + 1
                seen.add(key)
        return made

    try:
        document = json.loads(decoded.text, parse_int=_integer, object_pairs_hook=pairs_to_dict)
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
    found = read_document(document, name, standard, json_types=True)
    for key, count in duplicates.items():
        found.issues.append(
            make_issue(
                "JSON-DUPLICATE-KEY",
                Location(source=name),
                where=name,
                key=json.dumps(key, ensure_ascii=False),
                count="once more" if count == 1 else f"{count:,} more times",
            )
        )
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


def read_document(
    document: Any, name: str, standard: Standard, *, json_types: bool = False
) -> Found:
    """A Submission document already parsed (from a file, or given as a dict).

    `json_types`: report values whose JSON type is not the JSON Schema's (a document read
    from JSON text). A dict given directly is read as cells are ("; "-joined lists and
    numbers as text too): pseudonymisation hands over the text it read in that form."""
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
            table = _list_table(found, lists[key], value, name, json_types=json_types)
            found.tables.append(GivenTable(key, name, table))
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
                _unknown_key(
                    key,
                    Location(table=top.name, path=f"/{_escaped(key)}", source=name),
                    f"at /{_escaped(key)}",
                    name,
                    top.name,
                )
            )
    top_table = _frame_table(top, [top_row], "", name, found.issues if json_types else None)
    found.tables.insert(0, GivenTable(top.name, name, top_table))
    return found


def empty_json_table(table: Table, source: str) -> SourceTable:
    """The table of a document that has no list for it."""
    return _frame_table(table, [], f"/{table.name}", source, None)


def _list_table(
    found: Found, table: Table, rows: Any, source: str, *, json_types: bool
) -> SourceTable:
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
    return _frame_table(table, objects, pointer, source, found.issues if json_types else None)


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
            _unknown_key(
                key,
                Location(table=table.name, path=path, source=source),
                f"in {rows_text}, first at {path}",
                source,
                table.name,
            )
        )


def _unknown_key(key: str, where: Location, header: str, source: str, table: str) -> Issue:
    """A key the standard does not know: an error when it names personal data."""
    if what := personal_header(key):
        return make_issue(
            "PERSONAL-COLUMN", where, column=f'"{key}"', header=header, source=source, what=what
        )
    return make_issue(
        "COLUMN-UNKNOWN", where, column=f'"{key}"', header=header, source=source, table=table
    )


def _frame_table(
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    pointer: str,
    source: str,
    type_issues: list[Issue] | None,
) -> SourceTable:
    """The rows as a table of text; values of a type the JSON Schema does not allow are
    reported into `type_issues` (None: not looked for)."""
    columns = {}
    for table_field in table.fields:
        name = table_field.name
        values = [row.get(name) for row in rows]
        kinds = set(map(type, values))
        if type_issues is not None and _may_be_wrong(table_field, values, kinds):
            type_issues.extend(_json_type_issues(table, table_field, values, pointer, source))
        columns[name] = _column_text(values, kinds, multivalued=table_field.multivalued)
    frame = pl.DataFrame(columns, schema={f.name: pl.String for f in table.fields})
    # An empty string is as blank as a missing key.
    frame = frame.with_columns(pl.when(pl.col(n) != "").then(pl.col(n)).alias(n) for n in columns)
    return SourceTable(
        name=table.name, kind="json", source=source, frame=frame, json_pointer=pointer
    )


_SCALARS = {str, int, float, type(None)}


def _integer(text: str) -> int | Decimal:
    """A JSON integer. Python refuses to make an int of more than 4,300 digits (a guard
    against slow conversions); such a number is held as a Decimal, and reported as any
    other value out of range, rather than stopping the reading."""
    return int(text) if len(text) <= 4000 else Decimal(text)


# The Python types json.loads gives for what the JSON Schema allows for each kind of field
# (and null): a column of only these is right without looking at each value.
_SCHEMA_TYPES: dict[str, set[type]] = {
    "string": {str, type(None)},
    "enum": {str, type(None)},
    "date": {str, type(None)},
    "integer": {int, float, type(None)},  # 2.0 is an integer to JSON Schema; 2.5 fails checking
    "decimal": {int, float, type(None)},
    "boolean": {bool, type(None)},
}
_LIST_TYPES = {list, tuple, type(None)}  # tuple: from a dict given directly
# What `_json_kind` calls the types each kind of field allows (a Python date in a dict
# given directly is a date as much as "2025-04-01" is).
_SCHEMA_KINDS: dict[str, set[str]] = {
    "string": {"text"},
    "enum": {"text"},
    "date": {"text", "a date"},
    "integer": {"a number"},
    "decimal": {"a number"},
    "boolean": {"a true/false value"},
}
_LIST_SEPARATORS = re.compile(r"[;,]")  # as checking splits a cell of codes
_TEXT_SEPARATOR = re.compile(";")  # free text has commas of its own


def _may_be_wrong(field: Field, values: list[Any], kinds: set[type]) -> bool:
    """Whether a column may hold a value the JSON Schema does not allow, told from its
    types, and for lists from their distinct items (a few codes), without a loop in Python
    over every value; only then is each value looked at, for where it is."""
    if not field.multivalued:
        return not kinds <= _SCHEMA_TYPES[field.kind]
    if not kinds <= _LIST_TYPES:
        return True
    try:
        items = set(chain.from_iterable(filter(None, values)))
    except TypeError:  # an object or a list in a list
        return True
    codes = _codes(field)
    return not set(map(type, items)) <= _SCHEMA_TYPES[field.kind] or any(
        _joined(item, codes) for item in items
    )


def _codes(field: Field) -> frozenset[str] | None:
    return frozenset(field.code_list.codes) if field.code_list is not None else None


def _joined(item: Any, codes: frozenset[str] | None) -> bool:
    """An item of a list of codes that is several codes written as a cell joins them."""
    return (
        codes is not None
        and isinstance(item, str)
        and _LIST_SEPARATORS.search(item) is not None
        and item.strip() not in codes
    )


def _json_type_issues(
    table: Table, field: Field, values: list[Any], pointer: str, source: str
) -> list[Issue]:
    """JSON-NOT-A-LIST for each value of a multivalued field that is not a list (or an
    item that is several joined), and one JSON-VALUE-TYPE for each type a field (or the
    items of its lists) has where the JSON Schema has another, at its first path."""
    issues: list[Issue] = []
    wanted = _SCHEMA_KINDS[field.kind]
    codes = _codes(field)
    # (JSON type, an item of a list?) -> [how many, first path, first value]
    mismatched: dict[tuple[str, bool], list[Any]] = {}
    for index, value in enumerate(values):
        if value is None:
            continue
        path = f"{pointer}/{index}/{field.name}" if pointer else f"/{field.name}"
        if not field.multivalued:
            kind = _json_kind(value)
            if kind not in wanted:
                mismatched.setdefault((kind, False), [0, path, value])[0] += 1
            continue
        if not isinstance(value, list | tuple):
            issues.append(_not_a_list(table, field, value, path, source))
            continue
        for number, item in enumerate(value):
            kind = _json_kind(item)
            if kind not in wanted:
                mismatched.setdefault((kind, True), [0, f"{path}/{number}", item])[0] += 1
            elif _joined(item, codes):
                issues.append(_not_a_list(table, field, value, path, source, item=number))
    for (kind, _), (count, path, value) in mismatched.items():
        issues.append(
            make_issue(
                "JSON-VALUE-TYPE",
                Location(table=table.name, field=field.name, path=path, source=source),
                value=value_text(value),
                personal=field.is_personal,
                field=field.name,
                actual=kind,
                where=f"at {path}" + (f" (and {count - 1:,} more)" if count > 1 else ""),
                expected=_wanted_text(field, value),
            )
        )
    return issues


def _json_kind(value: Any) -> str:
    """A value's JSON type, as a message names it; a Python value's as JSON would hold it."""
    if isinstance(value, Enum):
        return _json_kind(value.value)
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    if value is None:
        return "null"
    return f"a Python {type(value).__name__}"


def _wanted_text(field: Field, value: Any) -> str:
    """What the JSON Schema has for a field (or an item of it), with an example: `value`
    written as it should be, when it can be (and is not personal)."""
    plain = not field.is_personal and type(value) in (str, int, float, bool)
    text = value_text(value) if plain else None
    was = f" (not {json.dumps(value, ensure_ascii=False)})" if plain else ""
    if field.kind in ("integer", "decimal"):
        whole = field.kind == "integer"
        if text is not None and re.fullmatch(_JSON_INTEGER if whole else _JSON_NUMBER, text):
            example = text + was
        else:
            money = "GBP" in (field.unit or {}).get("ucum_code", "")
            example = "2" if whole else "1234.50" if money else "12.5"
        return f"{'a whole number' if whole else 'a number'} without quotes, such as {example}"
    if field.kind == "boolean":
        return "true or false without quotes"
    if field.kind == "date":
        return 'a date as text in quotes, such as "2025-04-01"'
    if field.kind == "enum" and field.code_list is not None:
        codes = field.code_list.codes
        example = json.dumps(text if text in codes else codes[0], ensure_ascii=False)
        example += was if text in codes else ""
        return f"text in quotes, one of its codes such as {example}"
    if text is not None:
        return f"text in quotes, such as {json.dumps(text, ensure_ascii=False)}{was}"
    if field.examples:
        return f"text in quotes, such as {json.dumps(field.examples[0], ensure_ascii=False)}"
    return "text in quotes"


# Numbers as JSON writes them, so that text of one can be written without its quotes.
_JSON_INTEGER = r"-?(0|[1-9]\d*)"
_JSON_NUMBER = r"-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?"


def _not_a_list(
    table: Table, field: Field, value: Any, path: str, source: str, *, item: int | None = None
) -> Issue:
    """A multivalued field's value that is not a list, or whose item `item` is text of
    several values joined: the message shows it as the list it should be."""
    given = value if item is None else value[item]
    if field.is_personal:
        shown = "text" if isinstance(given, str) else _json_kind(given)
    elif isinstance(given, str):
        shown = f"the text {json.dumps(given, ensure_ascii=False)}"
    elif isinstance(given, bool | int | float):
        shown = f"{_json_kind(given)} ({json.dumps(given)})"
    else:
        shown = _json_kind(given)
    return make_issue(
        "JSON-NOT-A-LIST",
        Location(
            table=table.name,
            field=field.name,
            path=path if item is None else f"{path}/{item}",
            source=source,
        ),
        value=value_text(given),
        personal=field.is_personal,
        field=field.name,
        example=_list_example(field, None if field.is_personal else value),
        what=f"it is {shown}" if item is None else f"its item {item} is {shown}",
    )


def _list_example(field: Field, value: Any) -> str:
    """A list as JSON writes it: `value` (text, or a list) split where a cell would be
    (codes at ";" and ",", free text at ";" only), or else two of the field's codes."""
    if isinstance(value, str | list | tuple):
        items = [value] if isinstance(value, str) else value
        texts = [value_text(each) for each in items if not isinstance(each, list | tuple | Mapping)]
        separators = _LIST_SEPARATORS if field.code_list is not None else _TEXT_SEPARATOR
        parts = [
            part.strip()
            for text in texts
            if text is not None
            for part in separators.split(text)
            if part.strip()
        ]
        if parts or value == "":
            return json.dumps(parts, ensure_ascii=False)
    codes = list(field.code_list.codes[:2]) if field.code_list is not None else ["…", "…"]
    return json.dumps(codes, ensure_ascii=False)


def _column_text(values: list[Any], kinds: set[type], *, multivalued: bool) -> list[Any]:
    """A column of JSON values (of these Python types) as text; "" is made None by the caller."""
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
