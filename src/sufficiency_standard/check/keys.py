"""Identifiers are unique in their table; references point at rows that exist.

Both come straight from the schema: a slot marked `identifier` and a slot whose range
is another class. Both are worked out once, in Links, which the rules share.
"""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from sufficiency_standard.catalogue import Entry, declare, make_issue
from sufficiency_standard.check.links import Links
from sufficiency_standard.check.values import ROW_INDEX, TypedTable, location, shown
from sufficiency_standard.issues import Issue, Location, Severity

declare(
    Entry(
        "KEY-DUPLICATE",
        Severity.ERROR,
        "key",
        "Identifier used twice",
        "{field_title}: {shown} is used by more than one row of {table}; each row "
        "needs its own. It is first used at {first}.",
    ),
    Entry(
        "KEY-REFERENCE",
        Severity.ERROR,
        "key",
        "Reference to a missing row",
        "{field_title}: {shown} does not match the {target_title} of any row of {target_table}.",
    ),
)


def _where(table: TypedTable, field_name: str, index: int) -> str:
    place = location(table, field_name, index)
    return place.cell or place.path or f"row {index + 1}"


def check_identifiers(table: TypedTable, links: Links) -> Iterator[Issue]:
    identifier = table.table.identifier
    if identifier is None:
        return
    name = identifier.name
    repeats = links.repeats(table.table.name)
    if repeats.is_empty():
        return
    values = table.frame.get_column(name).gather(repeats.get_column(ROW_INDEX))
    for (index, first), value in zip(repeats.iter_rows(), values, strict=True):
        yield make_issue(
            "KEY-DUPLICATE",
            location(table, name, index),
            value=value,
            personal=identifier.is_personal,
            related=(location(table, name, first),),
            shown=shown(identifier, value),
            field_title=identifier.title,
            table=table.table.name,
            first=_where(table, name, first),
        )


def check_references(table: TypedTable, links: Links) -> Iterator[Issue]:
    for field in table.table.fields:
        if field.references is None or field.name not in table.blank:
            continue
        target = links.tables[field.references]
        if target.source is None:
            continue  # the whole table is missing: reported once as SHEET-MISSING
        target_field = target.table.field(field.references_field or "")
        # The rows with a value that no row of the target has, in order.
        dangling = table.frame.select(ROW_INDEX, field.name).filter(
            pl.col(field.name).is_not_null()
            & links.target_rows(table.table.name, field.name).is_null()
        )
        for index, value in dangling.iter_rows():
            yield make_issue(
                "KEY-REFERENCE",
                location(table, field.name, index),
                value=value,
                personal=field.is_personal,
                related=(
                    Location(
                        table=target.table.name,
                        field=target_field.name,
                        source=target.source.source,
                    ),
                ),
                shown=shown(field, value),
                field_title=field.title,
                target_title=target_field.title,
                target_table=target.table.name,
            )
