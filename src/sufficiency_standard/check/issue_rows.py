"""Issues made many at a time, for the rows a check finds.

A check can find a whole column wrong (an LA's dates written month first: a million
cells). Made one by one, each issue cost about ten microseconds of Python; here the
places of all of a check's rows are worked out together and each message is filled
from a template whose fixed parts are filled once.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sufficiency_standard.catalogue import ENTRIES
from sufficiency_standard.issues import Issue, Location

if TYPE_CHECKING:
    from sufficiency_standard.check.values import TypedTable
    from sufficiency_standard.standard import Field


def location(table: TypedTable, field_name: str | None, index: int) -> Location:
    """Where a cell of `table` is, for an issue."""
    source = table.source
    if source is None:
        return Location(table.table.name, field_name)
    if index >= table.height:  # about a table with no such row (a sheet with no rows)
        return Location(table.table.name, field_name, source=source.source, sheet=source.sheet)
    # Positional: a frozen dataclass is made in half the time so.
    return Location(
        table.table.name,
        field_name,
        source.row(index),
        source.cell(field_name, index) if field_name else None,
        source.path(field_name, index),
        source.source,
        source.sheet,
    )


def locations(
    table: TypedTable, field_names: str | Sequence[str | None] | None, indices: Sequence[int]
) -> list[Location]:
    """location() of many rows at once: of one field, or of each row's own field."""
    name = table.table.name
    fields: Sequence[str | None] = (
        [field_names] * len(indices)
        if field_names is None or isinstance(field_names, str)
        else field_names
    )
    source = table.source
    if source is None:
        return [Location(name, field) for field in fields]
    numbers = source.row_numbers
    rows: list[int | None] = (
        [None] * len(indices) if numbers is None else [numbers[index] for index in indices]
    )
    letters = source.columns if numbers is not None else {}
    cells = [
        None if field is None or field not in letters else f"{letters[field]}{row}"
        for field, row in zip(fields, rows, strict=True)
    ]
    paths: list[str | None] = (
        [None] * len(indices)
        if source.json_pointer is None
        else [source.path(field, index) for field, index in zip(fields, indices, strict=True)]
    )
    file, sheet = source.source, source.sheet
    return [
        Location(name, field, row, cell, path, file, sheet)
        for field, row, cell, path in zip(fields, rows, cells, paths, strict=True)
    ]


def one_place_each(
    table: TypedTable, field_names: str | Sequence[str | None] | None, indices: Sequence[int]
) -> list[tuple[Location, ...]]:
    """For row_issues' `related`: one place per row (the other end of each issue)."""
    return [(place,) for place in locations(table, field_names, indices)]


def shown(field: Field, value: str | None) -> str:
    """How a message quotes a value: never a personal value."""
    if field.is_personal:
        return "the value"
    return f'"{value}"'


def cell_issues(
    table: TypedTable,
    field: Field,
    code: str,
    indices: Sequence[int],
    values: Sequence[str | None],
    /,
    *,
    shown_as: Sequence[str] | None = None,
    **params: object,
) -> list[Issue]:
    """Issues of many cells of one field, each with its value: the message's {shown} is
    the value quoted (or `shown_as`, quoted; "the value" when personal), the rest of
    `params` the same for every cell."""
    return row_issues(
        code,
        table,
        field.name,
        indices,
        values=values,
        personal=field.is_personal,
        shown=shown(field, None)
        if field.is_personal
        else [f'"{text}"' for text in (shown_as if shown_as is not None else values)],
        **params,
    )


def row_issues(
    code: str,
    table: TypedTable,
    field_names: str | Sequence[str | None] | None,
    indices: Sequence[int],
    /,
    *,
    values: Sequence[str | None] | None = None,
    personal: bool = False,
    related: Sequence[tuple[Location, ...]] | tuple[Location, ...] = (),
    **params: object,
) -> list[Issue]:
    """One issue of `code` per row `indices[i]` of `table`, at its field (one for all,
    or one per row), as make_issue() makes them.

    A parameter of the message given as a list has one value per row; any other is the
    same for every row. `related` is one tuple of places for every row, or a sequence
    of them, one per row.
    """
    declared = ENTRIES[code]
    count = len(indices)
    places = locations(table, field_names, indices)
    messages = _messages(declared.message, params, count)
    values = [None] * count if values is None else values
    related_rows = [related] * count if isinstance(related, tuple) else related
    severity = declared.severity
    return [
        Issue(code, severity, message, place, value, personal, others)
        for message, place, value, others in zip(
            messages, places, values, related_rows, strict=True
        )
    ]


def _messages(template: str, params: dict[str, object], count: int) -> list[str]:
    """The template filled `count` times: fixed parameters once, into a format string
    whose only fields are the listed ones, which each row then fills in one
    str.format call (the same formatting, done in C)."""
    pattern = ""
    listed: list[Sequence[object]] = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        pattern += _escaped(literal)
        if name is None:
            continue
        value = params[name]
        if isinstance(value, list):
            if len(value) != count:
                raise ValueError(f"{name} has {len(value)} values for {count} rows")
            converted = f"!{conversion}" if conversion else ""
            pattern += "{" + str(len(listed)) + converted + (f":{spec}" if spec else "") + "}"
            listed.append(value)
        else:
            pattern += _escaped(_formatted(value, spec or "", conversion))
    if not listed:
        return [pattern.format()] * count
    return list(map(pattern.format, *listed))


def _escaped(text: str) -> str:
    """Text that str.format gives back as it is."""
    return text.replace("{", "{{").replace("}", "}}")


def _formatted(value: object, spec: str, conversion: str | None) -> str:
    if conversion == "r":
        value = repr(value)
    elif conversion == "s":
        value = str(value)
    elif conversion == "a":
        value = ascii(value)
    return format(value, spec)
