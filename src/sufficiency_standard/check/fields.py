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


def _failing(table: TypedTable, mask: pl.Series, field: Field) -> tuple[list[int], list[object]]:
    """The rows where `mask` holds, and their values."""
    if not mask.any():
        return [], []
    failing = table.frame.select(ROW_INDEX, field.name).filter(mask)
    return failing.get_column(ROW_INDEX).to_list(), failing.get_column(field.name).to_list()


def _range_tests(table: TypedTable) -> dict[tuple[str, str], pl.Series]:
    """(field, code) -> the rows failing that range or money test, for every numeric
    field: worked out in one pass over the table, polars running the tests side by side."""
    tests: dict[tuple[str, str], pl.Expr] = {}
    for field in table.table.fields:
        if field.kind not in ("integer", "decimal") or field.multivalued:
            continue
        column = pl.col(field.name)
        if field.minimum is not None:
            tests[field.name, "VALUE-MINIMUM"] = column < field.minimum
        if field.maximum is not None:
            tests[field.name, "VALUE-MAXIMUM"] = column > field.maximum
        if _is_money(field):
            pence = column * 100
            tests[field.name, "VALUE-MONEY-PLACES"] = (pence - pence.round(0)).abs() > _FLOAT_NOISE
    if not tests:
        return {}
    masks = table.frame.select(
        test.fill_null(False).alias(str(number)) for number, test in enumerate(tests.values())
    )
    return dict(zip(tests, masks.get_columns(), strict=True))


_RANGE_CODES = ("VALUE-MINIMUM", "VALUE-MAXIMUM", "VALUE-MONEY-PLACES")  # _range_tests' codes


def _range_params(field: Field, code: str, values: list[object]) -> dict[str, object]:
    """What a range or money message says besides the field and the value."""
    if code == "VALUE-MINIMUM":
        return {"minimum": _number_text(field.minimum)}
    if code == "VALUE-MAXIMUM":
        return {"maximum": _number_text(field.maximum)}
    return {"shown_as": [repr(v) for v in values]}


def _number_text(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def check_fields(table: TypedTable) -> list[Issue]:
    """Required and recommended values, ranges and money, for every field of a table.

    Blank means blank in the source: an unreadable cell already has its own error.
    """
    issues: list[Issue] = []
    raw_blank = table.blank
    row_index = table.frame.get_column(ROW_INDEX)
    failed = _range_tests(table)
    for field in table.table.fields:
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
        for code in _RANGE_CODES:
            if (field.name, code) in failed:
                rows, values = _failing(table, failed[field.name, code], field)
                issues += cell_issues(
                    table, field, code, rows, [_number_text(v) for v in values],
                    field_title=title, **_range_params(field, code, values),
                )  # fmt: skip
    return issues
