"""Single-field checks from the schema: required, recommended, minimum and maximum, money.

Each runs as one polars filter over a whole typed column; only the failing rows are
turned into Python objects.
"""

from __future__ import annotations

import polars as pl

from sufficiency_standard.catalogue import make_issue
from sufficiency_standard.check.issue_rows import cell_issues, location
from sufficiency_standard.check.values import ROW_INDEX, TypedTable
from sufficiency_standard.issues import Issue
from sufficiency_standard.standard import Field

# Spreadsheet arithmetic leaves binary noise (1234.5600000000002): ignore below this.
_FLOAT_NOISE = 1e-6


def _is_money(field: Field) -> bool:
    return bool(field.unit) and "GBP" in str(field.unit.get("ucum_code", ""))


def _failing(table: TypedTable, mask: pl.Expr, field: Field) -> tuple[list[int], list[object]]:
    """The rows where `mask` holds, and their values."""
    failing = table.frame.select(ROW_INDEX, field.name).filter(mask.fill_null(False))
    return failing.get_column(ROW_INDEX).to_list(), failing.get_column(field.name).to_list()


def _number_text(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def check_fields(table: TypedTable) -> list[Issue]:
    """Required and recommended values, ranges and money, for every field of a table.

    Blank means blank in the source: an unreadable cell already has its own error.
    """
    issues: list[Issue] = []
    raw_blank = table.blank
    row_index = table.frame.get_column(ROW_INDEX)
    for field in table.table.fields:
        column = pl.col(field.name)
        title = field.title
        if field.required and field.name in raw_blank:
            rows = row_index.filter(raw_blank[field.name]).to_list()
            issues += cell_issues(
                table, field, "VALUE-REQUIRED", rows, [None] * len(rows), field_title=title
            )
        if field.recommended and field.name in raw_blank and table.height:
            blank = int(raw_blank[field.name].sum())
            if blank:
                first = int(row_index[raw_blank[field.name].arg_max()])
                issues.append(
                    make_issue(
                        "VALUE-RECOMMENDED",
                        location(table, field.name, first),
                        count=blank,
                        total=table.height,
                        table=table.table.name,
                        field_title=title,
                    )
                )
        if field.kind not in ("integer", "decimal") or field.multivalued:
            continue
        if field.minimum is not None:
            rows, values = _failing(table, column < field.minimum, field)
            issues += cell_issues(
                table, field, "VALUE-MINIMUM", rows, [_number_text(v) for v in values],
                field_title=title, minimum=_number_text(field.minimum),
            )  # fmt: skip
        if field.maximum is not None:
            rows, values = _failing(table, column > field.maximum, field)
            issues += cell_issues(
                table, field, "VALUE-MAXIMUM", rows, [_number_text(v) for v in values],
                field_title=title, maximum=_number_text(field.maximum),
            )  # fmt: skip
        if _is_money(field):
            pence = column * 100
            off_pence = (pence - pence.round(0)).abs() > _FLOAT_NOISE
            rows, values = _failing(table, off_pence, field)
            issues += cell_issues(
                table, field, "VALUE-MONEY-PLACES", rows, [_number_text(v) for v in values],
                shown_as=[repr(v) for v in values], field_title=title,
            )  # fmt: skip
    return issues
