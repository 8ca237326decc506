"""Identifiers are unique in their table; references point at rows that exist.

Both come straight from the schema: a slot marked `identifier` and a slot whose range
is another class. Both are worked out once, in Links, which the rules share.
"""

from __future__ import annotations

import polars as pl

from sufficiency_standard.catalogue import Entry, declare
from sufficiency_standard.check.issue_rows import locations, row_issues, shown
from sufficiency_standard.check.links import FIRST, Links
from sufficiency_standard.check.values import ROW_INDEX, TypedTable
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


def check_identifiers(table: TypedTable, links: Links) -> list[Issue]:
    identifier = table.table.identifier
    if identifier is None:
        return []
    name = identifier.name
    repeats = links.repeats(table.table.name)
    if repeats.is_empty():
        return []
    indices = repeats.get_column(ROW_INDEX).to_list()
    firsts = repeats.get_column(FIRST).to_list()
    values = table.frame.get_column(name).gather(repeats.get_column(ROW_INDEX)).to_list()
    first_places = locations(table, name, firsts)
    return row_issues(
        "KEY-DUPLICATE",
        table,
        name,
        indices,
        values=values,
        personal=identifier.is_personal,
        related=[(place,) for place in first_places],
        shown=[shown(identifier, value) for value in values],
        field_title=identifier.title,
        table=table.table.name,
        first=[
            place.cell or place.path or f"row {index + 1}"
            for place, index in zip(first_places, firsts, strict=True)
        ],
    )


def check_references(table: TypedTable, links: Links) -> list[Issue]:
    issues: list[Issue] = []
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
        values = dangling.get_column(field.name).to_list()
        issues += row_issues(
            "KEY-REFERENCE",
            table,
            field.name,
            dangling.get_column(ROW_INDEX).to_list(),
            values=values,
            personal=field.is_personal,
            related=(
                Location(
                    table=target.table.name,
                    field=target_field.name,
                    source=target.source.source,
                ),
            ),
            shown=[shown(field, value) for value in values],
            field_title=field.title,
            target_title=target_field.title,
            target_table=target.table.name,
        )
    return issues
