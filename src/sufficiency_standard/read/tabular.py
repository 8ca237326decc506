"""A grid of text cells (a sheet, a CSV file) -> one SourceTable with cell positions.

Shared by the workbook and CSV readers once they have found the header row: matches
the header, drops fully blank rows (keeping every other row's number as shown, so cell
references stay right), and keeps one text column per recognised field.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from sufficiency_standard.catalogue import make_issue
from sufficiency_standard.issues import Issue, Location
from sufficiency_standard.personal_data import unknown_column_values
from sufficiency_standard.read.headers import FieldMatcher, column_letter, map_header, shown_header
from sufficiency_standard.read.source import InputKind, SourceTable
from sufficiency_standard.standard import Table

_ROW_INDEX = "__row_index__"


# Text ordered by code point: a value at or above "!" starts with a character above the
# ASCII spaces, and the only white space above that lies from U+0085 to U+3000.
_ABOVE_ASCII_SPACE, _UNICODE_SPACE_FROM, _UNICODE_SPACE_TO = "!", "\u0080", "\u3001"


def _starts_with_text(values: pl.Series) -> pl.Series:
    """True where a value certainly starts with a character that is not white space.

    Two comparisons, a tenth of the time of a regular expression per value; a value it
    leaves in doubt (a leading space, or a first letter such as é in the range where
    Unicode has spaces) is looked at whole by the caller.
    """
    return (values >= _ABOVE_ASCII_SPACE) & (
        (values < _UNICODE_SPACE_FROM) | (values >= _UNICODE_SPACE_TO)
    )


def raw_column(index: int) -> str:
    """The name of a grid column in the raw frames the readers build."""
    return f"c{index}"


def empty_as_null(body: pl.DataFrame) -> pl.DataFrame:
    """`body` with "" (an empty cell, as some readers give it) as null; only the columns
    that hold one are rewritten."""
    if not body.width or not body.height:
        return body
    holds_empty = body.select((pl.col(n).str.len_bytes() == 0).any() for n in body.columns).row(0)
    emptied = [n for n, empty in zip(body.columns, holds_empty, strict=True) if empty]
    if not emptied:
        return body
    return body.with_columns(pl.when(pl.col(n) != "").then(pl.col(n)).alias(n) for n in emptied)


def build_table(
    table: Table,
    *,
    kind: InputKind,
    source: str,
    header: Sequence[str | None],
    header_row: int,
    body: pl.DataFrame,
) -> tuple[SourceTable, list[Issue]]:
    """The table below a header row.

    `body` holds the rows under the header, in file order, as String columns named by
    `raw_column(i)`; its row j is shown as row `header_row + 1 + j`. It may be wider than
    the header (cells past the last header cell). An empty cell is null, never "" (see
    `empty_as_null`), so that blank means null everywhere after reading.
    """
    width = body.width
    header = list(header) + [None] * (width - len(header))
    layout = map_header(header, FieldMatcher(table), source=source, header_row=header_row)
    issues = list(layout.issues)

    names = [raw_column(i) for i in range(width)]

    # A row is blank when every cell is empty or spaces. A row's first non-empty cell
    # settles almost every row; only rows whose first value is spaces need all their cells.
    if width:
        first_value = body.get_column(names[0])
        if first_value.null_count():  # else it is every row's first value, not copied
            first_value = body.select(pl.coalesce(names).alias("first"))["first"]
        has_text = _starts_with_text(first_value).fill_null(False)
        doubtful = first_value.is_not_null() & ~has_text
        if doubtful.any():
            deeper = body.filter(doubtful).select(
                pl.concat_str(names, ignore_nulls=True).str.contains(r"\S").alias("text")
            )["text"]
            has_text = has_text.scatter(doubtful.arg_true(), deeper)
        kept = body.with_row_index(_ROW_INDEX)
        if not has_text.all():
            kept = kept.filter(has_text)
    else:
        kept = body.with_row_index(_ROW_INDEX)
    if kept.height == body.height:  # no blank row: the numbers follow one another
        row_numbers: range | list[int] = range(header_row + 1, header_row + 1 + kept.height)
    else:
        row_numbers = (kept[_ROW_INDEX].cast(pl.Int64) + (header_row + 1)).to_list()

    for index in layout.headerless:
        values = kept[raw_column(index)]
        if values.null_count() < len(values) and values.str.contains(r"\S").any():
            letter = column_letter(index)
            issues.append(
                make_issue(
                    "COLUMN-NO-HEADER",
                    Location(
                        table=table.name,
                        row=header_row,
                        cell=f"{letter}{header_row}",
                        source=source,
                    ),
                    column=letter,
                    source=source,
                )
            )

    for index in layout.unknown:  # a column it does not know may still hold personal data
        if found := unknown_column_values(kept[raw_column(index)]):
            letter = column_letter(index)
            issues.append(
                make_issue(
                    "PERSONAL-VALUES",
                    Location(
                        table=table.name,
                        row=header_row,
                        cell=f"{letter}{header_row}",
                        source=source,
                    ),
                    column=letter,
                    header=shown_header(header[index] or ""),
                    source=source,
                    what=found[0],
                    count="1 value" if found[1] == 1 else f"{found[1]:,} values",
                )
            )

    frame = kept.select(
        pl.col(raw_column(index)).alias(field_name) for field_name, index in layout.columns.items()
    )
    source_table = SourceTable(
        name=table.name,
        kind=kind,
        source=source,
        frame=frame,
        row_numbers=row_numbers,
        columns={name: column_letter(index) for name, index in layout.columns.items()},
    )
    return source_table, issues
