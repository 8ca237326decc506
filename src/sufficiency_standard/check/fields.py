"""Single-field checks from the schema: required, recommended, minimum and maximum, money.

Each runs as one polars filter over a whole typed column; only the failing rows are
turned into Python objects.
"""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from sufficiency_standard.catalogue import make_issue
from sufficiency_standard.check.values import ROW_INDEX, TypedTable, location, shown
from sufficiency_standard.issues import Issue
from sufficiency_standard.standard import Field

# Spreadsheet arithmetic leaves binary noise (1234.5600000000002): ignore below this.
_FLOAT_NOISE = 1e-6


def _is_money(field: Field) -> bool:
    return bool(field.unit) and "GBP" in str(field.unit.get("ucum_code", ""))


def _failing(table: TypedTable, mask: pl.Expr, field: Field) -> Iterator[tuple[int, object]]:
    yield from table.frame.filter(mask.fill_null(False)).select(ROW_INDEX, field.name).iter_rows()


def _number_text(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def check_fields(table: TypedTable) -> Iterator[Issue]:
    """Required and recommended values, ranges and money, for every field of a table.

    Blank means blank in the source: an unreadable cell already has its own error.
    """
    raw_blank = table.blank
    for field in table.table.fields:
        column = pl.col(field.name)
        if field.required and field.name in raw_blank:
            blank_rows = table.frame.filter(raw_blank[field.name]).get_column(ROW_INDEX)
            for index in blank_rows:
                yield make_issue(
                    "VALUE-REQUIRED",
                    location(table, field.name, index),
                    field_title=field.title,
                )
        if field.recommended and field.name in raw_blank and table.height:
            blank = int(raw_blank[field.name].sum())
            if blank:
                first = int(table.frame.filter(raw_blank[field.name]).get_column(ROW_INDEX)[0])
                yield make_issue(
                    "VALUE-RECOMMENDED",
                    location(table, field.name, first),
                    count=blank,
                    total=table.height,
                    table=table.table.name,
                    field_title=field.title,
                )
        if field.kind not in ("integer", "decimal") or field.multivalued:
            continue
        if field.minimum is not None:
            for index, value in _failing(table, column < field.minimum, field):
                yield make_issue(
                    "VALUE-MINIMUM",
                    location(table, field.name, index),
                    value=_number_text(value),
                    field_title=field.title,
                    minimum=_number_text(field.minimum),
                    shown=shown(field, _number_text(value)),
                )
        if field.maximum is not None:
            for index, value in _failing(table, column > field.maximum, field):
                yield make_issue(
                    "VALUE-MAXIMUM",
                    location(table, field.name, index),
                    value=_number_text(value),
                    field_title=field.title,
                    maximum=_number_text(field.maximum),
                    shown=shown(field, _number_text(value)),
                )
        if _is_money(field):
            pence = column * 100
            off_pence = (pence - pence.round(0)).abs() > _FLOAT_NOISE
            for index, value in _failing(table, off_pence, field):
                yield make_issue(
                    "VALUE-MONEY-PLACES",
                    location(table, field.name, index),
                    value=_number_text(value),
                    field_title=field.title,
                    shown=shown(field, repr(value)),
                )
