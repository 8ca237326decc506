"""Turn each table's raw text into typed columns, one whole column at a time.

What LA spreadsheets really hold is accepted when it is unambiguous (Excel serial
dates, dd/mm/yyyy, "£1,234.50", "Y" for Yes, codes in any case) and reported once per
column as information; what cannot be read is an error at its cell. Day-first only:
a date such as 04/13/2025 is an error, never read as 13 April.

The result is a TypedTable per table: every field of the standard as a typed column
(null where blank, unreadable or absent), so that the checks after this one can use
plain polars expressions.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import polars as pl

from sufficiency_standard.catalogue import Entry, declare, make_issue
from sufficiency_standard.check.issue_rows import cell_issues, location
from sufficiency_standard.check.patterns import matches_only_plain_text
from sufficiency_standard.issues import Issue, Severity
from sufficiency_standard.read.source import SourceTable
from sufficiency_standard.standard import Field, Table

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFORMATION

declare(
    Entry(
        "VALUE-REQUIRED",
        E,
        "value",
        "Required value missing",
        "{field_title} is required, but this cell is blank.",
    ),
    Entry(
        "VALUE-RECOMMENDED",
        W,
        "value",
        "Recommended value missing",
        "{field_title} is blank in {count} of {total} rows of {table}. It is not "
        "required, but the sufficiency analysis needs it.",
    ),
    Entry(
        "VALUE-DATE",
        E,
        "value",
        "Not a date",
        "{field_title} must be a date between 1900 and 2099, written as 2025-04-03 or "
        "03/04/2025 (day first, a four-digit year, no time of day but midnight); {shown} "
        "is not.",
    ),
    Entry(
        "VALUE-INTEGER",
        E,
        "value",
        "Not a whole number",
        "{field_title} must be a whole number such as 2; {shown} is not.",
    ),
    Entry(
        "VALUE-NUMBER",
        E,
        "value",
        "Not a number",
        "{field_title} must be a number such as {example}; {shown} is not.",
    ),
    Entry(
        "VALUE-MONEY-PLACES",
        E,
        "value",
        "Money with more than 2 decimal places",
        "{field_title} is money and has at most 2 decimal places (pounds and pence); "
        "{shown} has more.",
    ),
    Entry(
        "VALUE-CODE",
        E,
        "value",
        "Not one of the allowed codes",
        "{field_title}: {shown} is not an allowed value. Use one of: {allowed}.",
    ),
    Entry(
        "VALUE-PATTERN",
        E,
        "value",
        "Not in the required form",
        "{field_title}: {shown} is not in the right form. {hint}",
    ),
    Entry(
        "VALUE-MINIMUM",
        E,
        "value",
        "Below the minimum",
        "{field_title} must be {minimum} or more; {shown} is less.",
    ),
    Entry(
        "VALUE-MAXIMUM",
        E,
        "value",
        "Above the maximum",
        "{field_title} must be {maximum} or less; {shown} is more.",
    ),
    Entry(
        "VALUE-NORMALISED",
        INFO,
        "value",
        "Value read in the standard's form",
        "{count_values} in {field_title} {was_were} {what}, and {was_were} read in the "
        "standard's form{example}.",
    ),
)

# Date forms accepted besides ISO: (strptime format, what it is, for the message).
_DAY_FIRST_FORMATS = (
    ("%d/%m/%Y", "written day/month/year"),
    ("%d-%m-%Y", "written day-month-year"),
    ("%d.%m.%Y", "written day.month.year"),
)
_EXCEL_EPOCH = pl.date(1899, 12, 30)
# Excel serial numbers from 1 January 1950 to 31 December 2099: outside this range a
# bare number in a date column is far more likely a mistake than a date.
_SERIAL_RANGE = (18264, 73050)
_YEAR_RANGE = (1900, 2099)
_MONEY_TEXT = r"^-?£?\s*-?(\d{1,3}(,\d{3})+|\d+)(\.\d*)?$|^-?£?\s*-?\.\d+$"
_YES_WORDS = ("y", "yes", "true", "1")
_NO_WORDS = ("n", "no", "false", "0")
_MAX_LISTED_CODES = 12


@dataclass
class TypedTable:
    """A table with every field as a typed column, and the source positions."""

    table: Table
    source: SourceTable | None  # None when the submission has no such table at all
    frame: pl.DataFrame  # one column per field of the standard, plus ROW_INDEX
    blank: dict[str, pl.Series]  # per field given in the source: which rows were blank
    unreadable: dict[str, pl.Series]  # per field given: rows whose text could not be read
    _readable: dict[tuple[str, ...], pl.Series] = dataclasses.field(
        default_factory=dict, repr=False, compare=False
    )

    def judgeable(self, *field_names: str) -> pl.DataFrame:
        """ROW_INDEX and these fields, in the rows a rule on them can judge: an unreadable
        value has its own error, and reading it as blank would only add a second, wrong
        one. Only these columns are copied, however wide the table."""
        mask = self.readable(field_names)
        columns = self.frame.select(ROW_INDEX, *field_names)
        return columns if mask.all() else columns.filter(mask)

    def readable(self, field_names: tuple[str, ...] | list[str]) -> pl.Series:
        """Rows where none of these fields holds text that could not be read."""
        key = tuple(field_names)
        if key not in self._readable:
            mask = pl.repeat(True, self.height, dtype=pl.Boolean, eager=True)
            for name in field_names:
                if name in self.unreadable:
                    mask = mask & ~self.unreadable[name]
            self._readable[key] = mask
        return self._readable[key]

    @property
    def height(self) -> int:
        return self.frame.height

    def records(self) -> list[dict[str, Any]]:
        """Each row as its typed values (dates, numbers, codes, lists), with the text as
        read where a cell could not be typed, so that nothing is lost when the rows are
        written out again. Blank cells are None."""
        rows = list(self.frame.drop(ROW_INDEX).iter_rows(named=True))
        if self.source is not None:
            raw = self.source.frame
            for column, unreadable in self.unreadable.items():
                for index in unreadable.arg_true():
                    rows[index][column] = raw.get_column(column)[index]
        return rows

    def release_text(self) -> None:
        """Let go of the text as read; where each cell was is kept for locations."""
        if self.source is not None:
            self.source = dataclasses.replace(self.source, frame=self.source.frame.clear())


ROW_INDEX = "__row_index"  # position of the row in the source table (0-based)


def dtype_of(field: Field) -> pl.DataType:
    """A field's typed column. A code is held as a polars Enum of its code list: four
    bytes a row, where text would keep the whole file's text of the column alive."""
    kinds: dict[str, pl.DataType] = {
        "date": pl.Date(),
        "integer": pl.Int64(),
        "decimal": pl.Float64(),
    }
    if field.multivalued:
        return pl.List(kinds.get(field.kind, pl.String()))
    if field.kind == "enum" and field.code_list is not None:
        return pl.Enum(field.code_list.codes)
    return kinds.get(field.kind, pl.String())


@dataclass
class _Parsed:
    """The expressions that read one column: its typed value and its per-row verdicts."""

    value: pl.Expr
    bad: pl.Expr | None = None  # the text cannot be read as this kind
    bad_code: str = ""
    normalised: tuple[tuple[pl.Expr, str], ...] = ()  # (mask, what it was) to report
    # The fast path: rows where `fast` holds are read as `fast_value`, readable and in
    # the standard's form (no verdict holds), exactly as the expressions above would
    # read them. Almost every cell of real data is one of them, so the expressions
    # above run only on the few others (see _read_columns). `fast` is tested on the
    # raw text, so it must hold only for text that is not blank and has no
    # surrounding spaces.
    fast: pl.Expr | None = None
    fast_value: pl.Expr | None = None


def _text(name: str) -> pl.Expr:
    """The cell text with surrounding spaces removed; blank means null."""
    stripped = pl.col(name).str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped)


def _given(name: str) -> pl.Expr:
    """The cell text in the frame the parsers read, which type_table has already made
    `_text` (stripped, blank as null), so that no parser strips each column again."""
    return pl.col(name)


# A time of midnight after a date (how Excel writes a date cell into CSV, in either
# order of day and year): the date alone is meant. Any other time of day is not a date.
_MIDNIGHT = r"[T ]00:00(:00(\.0+)?)?$"


def _parse_date(name: str, kind: str) -> _Parsed:
    text = _given(name)
    iso_exact = text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    at_midnight = text.str.contains(_MIDNIGHT)
    date_part = pl.when(at_midnight).then(text.str.replace(_MIDNIGHT, "")).otherwise(None)
    iso_midnight = (
        pl.when(date_part.str.contains(r"^\d{4}-\d{2}-\d{2}$"))
        .then(date_part.str.strptime(pl.Date, "%Y-%m-%d", strict=False))
        .otherwise(None)
    )
    # Day first, with a four-digit year (strptime alone reads 3/4/25 as the year 25).
    day_first_text = pl.coalesce(date_part, text)
    four_digit_year = day_first_text.str.contains(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$")
    day_first = [
        pl.when(four_digit_year)
        .then(day_first_text.str.strptime(pl.Date, fmt, strict=False))
        .otherwise(None)
        for fmt, _ in _DAY_FIRST_FORMATS
    ]
    serial_number = text.cast(pl.Int64, strict=False)
    # A serial is read in every kind of input: a date column formatted as General in
    # Excel shows (and a CSV export writes) 45789; the note says what the cell held.
    serial = (
        pl.when(serial_number.is_between(*_SERIAL_RANGE))
        .then(_EXCEL_EPOCH + pl.duration(days=serial_number))
        .otherwise(None)
    )
    iso = pl.when(text.str.contains(r"^\d{4}-\d{1,2}-\d{1,2}$")).then(iso_exact).otherwise(None)
    read = pl.coalesce(iso, iso_midnight, *day_first, serial)
    # Years outside this range are typing mistakes (and year 0 has no Python date).
    value = pl.when(read.dt.year().is_between(*_YEAR_RANGE)).then(read)
    canonical = iso.is_not_null() & (text == iso.dt.to_string("%Y-%m-%d"))
    read_ok = value.is_not_null()
    normalised = [
        (read_ok & iso.is_not_null() & ~canonical, "written without leading zeros"),
        (read_ok & iso.is_null() & at_midnight, "written with a midnight time"),
    ]
    for parsed, (_, what) in zip(day_first, _DAY_FIRST_FORMATS, strict=True):
        normalised.append((read_ok & iso.is_null() & ~at_midnight & parsed.is_not_null(), what))
    normalised.append((read_ok & serial.is_not_null(), "an Excel serial number for a date"))
    # Fast: an ISO date as the standard writes it (so iso, and canonical), in range.
    fast = text.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$") & iso_exact.is_between(
        pl.date(_YEAR_RANGE[0], 1, 1), pl.date(_YEAR_RANGE[1], 12, 31)
    )
    return _Parsed(
        value,
        text.is_not_null() & value.is_null(),
        "VALUE-DATE",
        tuple(normalised),
        fast=fast,
        fast_value=iso_exact,
    )


def _parse_integer(name: str) -> _Parsed:
    text = _given(name)
    as_number = text.str.replace_all(",", "").cast(pl.Float64, strict=False)
    whole = as_number.is_not_null() & (as_number == as_number.floor())
    value = pl.when(whole).then(as_number.cast(pl.Int64, strict=False)).otherwise(None)
    thousands = text.str.contains(",") & value.is_not_null()
    trailing_zero = text.str.contains(r"\.0*$") & value.is_not_null()
    return _Parsed(
        value,
        text.is_not_null() & value.is_null(),
        "VALUE-INTEGER",
        (
            (thousands, "written with thousands separators"),
            (trailing_zero, "a whole number written with decimals"),
        ),
        # Fast: what polars reads as a whole number (a sign and digits, nothing else),
        # short enough that the float above holds it exactly. One parse, no pattern.
        fast=text.cast(pl.Int64, strict=False).is_not_null() & (text.str.len_bytes() <= 15),
        fast_value=text.cast(pl.Int64, strict=False),
    )


def _parse_decimal(name: str) -> _Parsed:
    text = _given(name)
    readable = text.str.contains(_MONEY_TEXT)
    cleaned = text.str.replace_all(r"[£,\s]", "")
    value = pl.when(readable).then(cleaned.cast(pl.Float64, strict=False)).otherwise(None)
    return _Parsed(
        value,
        text.is_not_null() & value.is_null(),
        "VALUE-NUMBER",
        (
            (text.str.contains("£") & value.is_not_null(), "written with a £ sign"),
            (text.str.contains(",") & value.is_not_null(), "written with thousands separators"),
        ),
        # Fast: a plain number (no £, commas or spaces to clean away).
        fast=text.str.contains(r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$"),
        fast_value=text.cast(pl.Float64, strict=False),
    )


def _code_lookup(field: Field) -> dict[str, str]:
    """Accepted spellings (lower case, single spaces) -> the code."""
    assert field.code_list is not None
    codes = field.code_list.codes
    lookup = {" ".join(code.lower().split()): code for code in codes}
    if "Yes" in codes and "No" in codes:
        lookup.update({word: "Yes" for word in _YES_WORDS})
        lookup.update({word: "No" for word in _NO_WORDS})
    return lookup


def _parse_code(name: str, field: Field) -> _Parsed:
    lookup = _code_lookup(field)
    codes = set(field.code_list.codes) if field.code_list else set()
    if field.multivalued:
        items = (
            _given(name)
            .str.split(";")
            .list.eval(pl.element().str.split(","))
            .list.eval(pl.element().explode().str.strip_chars())
            .list.eval(pl.element().filter(pl.element() != ""))
        )
        keys = items.list.eval(pl.element().str.to_lowercase().str.replace_all(r"\s+", " "))
        value = keys.list.eval(pl.element().replace_strict(lookup, default=None))
        bad = value.list.eval(pl.element().is_null()).list.any()
        differs = (pl.concat_list(items).list.join("; ") != value.list.join("; ")) & ~bad
        # Fast: codes written as the code list writes them, joined by "; " as the
        # standard writes a list (so items, keys and values are the codes themselves).
        plain = "|".join(
            _regex_literal(code) for code in sorted(codes) if _plain_code(code, lookup)
        )
        return _Parsed(
            pl.when(bad).then(None).otherwise(value),
            bad,
            "VALUE-CODE",
            ((differs.fill_null(False), "a list written another way"),),
            fast=_given(name).str.contains(f"^(?:{plain})(?:; (?:{plain}))*$") if plain else None,
            fast_value=_given(name).str.split("; "),
        )
    text = _given(name)
    key = text.str.to_lowercase().str.replace_all(r"\s+", " ")
    value = (
        pl.when(text.is_in(list(codes)))
        .then(text)
        .otherwise(key.replace_strict(lookup, default=None))
    )
    yes_no = value.is_in(["Yes", "No"]) & ~text.is_in(list(codes))
    other_spelling = value.is_not_null() & (value != text) & ~yes_no
    enum = dtype_of(field)
    as_enum = text.cast(enum, strict=False)
    return _Parsed(
        value.cast(enum),
        text.is_not_null() & value.is_null(),
        "VALUE-CODE",
        (
            (yes_no, "a yes/no answer written another way"),
            (other_spelling, "written in another case or with extra spaces"),
        ),
        # Fast: the text is one of the codes as written (and no code has surrounding
        # spaces), which is what reading it as the Enum tells, in one look-up.
        fast=as_enum.is_not_null()
        if all(_plain_text(code) for code in codes)
        else text.is_in([code for code in sorted(codes) if _plain_text(code)]),
        fast_value=as_enum,
    )


def _plain_text(code: str) -> bool:
    """Text that stays as it is when surrounding spaces are removed, and is not blank."""
    return code != "" and code == code.strip()


# Bytes that are a whole character and not white space: ASCII from "!" to DEL.
_PLAIN_BYTES = (0x21, 0x7F)


def _plainly_text(text: pl.Expr) -> pl.Expr:
    """True where text certainly is not blank and has no surrounding spaces: its first
    and last bytes are ASCII characters other than white space, so its first and last
    characters are. Two byte look-ups, a third of the time of a regular expression;
    text it leaves in doubt (one that starts or ends with a letter such as é, or with
    white space) is read the full way, which removes exactly Unicode's white space."""
    raw = text.cast(pl.Binary)
    return raw.bin.get(0, null_on_oob=True).is_between(*_PLAIN_BYTES) & raw.bin.get(
        -1, null_on_oob=True
    ).is_between(*_PLAIN_BYTES)


def _regex_literal(text: str) -> str:
    """`text` matched literally in a (Rust) regular expression."""
    return "".join(f"\\{c}" if c in "\\.+*?()|[]{}^$" else c for c in text)


def _plain_code(code: str, lookup: dict[str, str]) -> bool:
    """A code that, alone in a list cell, is read as itself and as written: no separators,
    no stray spaces, and its own spelling in the lookup."""
    return (
        code.isascii()
        and re.fullmatch(r"[^\s,;]+(?: [^\s,;]+)*", code) is not None
        and lookup.get(" ".join(code.lower().split())) == code
    )


def _parse_string(name: str, field: Field) -> _Parsed:
    text = _given(name)
    if not field.pattern:
        return _Parsed(text, fast=_plainly_text(text), fast_value=text)
    # Codes in any case and with stray spaces: "ta1  2" is read as "TA1 2".
    tidied = text.str.to_uppercase().str.replace_all(r"\s+", " ")
    exact = text.str.contains(field.pattern)
    value = pl.when(exact).then(text).when(tidied.str.contains(field.pattern)).then(tidied)
    return _Parsed(
        value.otherwise(None),
        text.is_not_null() & value.otherwise(None).is_null(),
        "VALUE-PATTERN",
        ((~exact & value.otherwise(None).is_not_null(), "written in another case or spacing"),),
        # What the pattern matches is plain text already when no text it matches can be
        # blank or start or end with white space (true of every pattern of the standard).
        fast=exact if matches_only_plain_text(field.pattern) else exact & _plainly_text(text),
        fast_value=text,
    )


def _parser(field: Field, kind: str) -> _Parsed:
    name = field.name
    if field.kind == "date":
        return _parse_date(name, kind)
    if field.kind == "integer":
        return _parse_integer(name)
    if field.kind == "decimal":
        return _parse_decimal(name)
    if field.kind == "enum":
        return _parse_code(name, field)
    return _parse_string(name, field)


def _pattern_hint(field: Field) -> str:
    example = f'"{field.examples[0]}"' if field.examples else "the example in the guidance"
    first_sentence = field.description.split(". ")[0].rstrip(".")
    return f"{first_sentence}, such as {example}."


def _value_issue_params(field: Field, code: str) -> dict[str, object]:
    """What the message of an unreadable value says besides the value (the same for
    every row of a column, so worked out once per column)."""
    key = (id(field), code)
    cached = _VALUE_ISSUE_PARAMS.get(key)
    if cached is not None and cached[0] is field:
        return cached[1]
    params: dict[str, object] = {"field_title": field.title}
    if code == "VALUE-CODE":
        assert field.code_list is not None
        codes = field.code_list.codes
        listed = ", ".join(codes[:_MAX_LISTED_CODES])
        more = len(codes) - _MAX_LISTED_CODES
        params["allowed"] = listed + (f" (and {more} more in the code list)" if more > 0 else "")
    elif code == "VALUE-PATTERN":
        params["hint"] = _pattern_hint(field)
    elif code == "VALUE-NUMBER":
        params["example"] = "1234.50" if field.unit else "12.5"
    _VALUE_ISSUE_PARAMS[key] = (field, params)
    return params


# (id of a field, code) -> (the field, the parameters); the field is kept so that an id
# reused by another object is never taken for it.
_VALUE_ISSUE_PARAMS: dict[tuple[int, str], tuple[Field, dict[str, object]]] = {}


def type_table(
    table: Table, source: SourceTable | None, *, fast_path: bool = True
) -> tuple[TypedTable, list[Issue]]:
    """Read every column of one table; report what could not be read and what was tidied.

    `fast_path=False` runs every parsing expression on every row (the reference the
    tests compare the fast path with); the result is the same either way.
    """
    issues: list[Issue] = []
    raw = source.frame if source is not None else pl.DataFrame()
    kind = source.kind if source is not None else "json"
    if kind == "json":
        # A JSON row simply leaves out what it does not have: every field is "given".
        missing = [f.name for f in table.fields if f.name not in raw.columns]
        raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias(name) for name in missing)
    present = [f for f in table.fields if f.name in raw.columns]
    parsers = {f.name: _parser(f, kind) for f in present}

    columns = _read_columns(raw, parsers, fast_path=fast_path)
    typed = raw.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias(ROW_INDEX)).with_columns(
        [columns[f.name].value.alias(f.name) for f in present]
        + [pl.lit(None, dtype=dtype_of(f)).alias(f.name) for f in table.fields if f not in present]
    )
    blank = {f.name: columns[f.name].blank for f in present}
    unreadable = {
        name: columns[name].bad for name, parsed in parsers.items() if parsed.bad is not None
    }
    # In one piece: a file is read in many (one per block of rows), and every check
    # after this one gathers, joins or sorts faster on one.
    frame = typed.select(ROW_INDEX, *[f.name for f in table.fields]).rechunk()
    typed_table = TypedTable(table, source, frame, blank, unreadable)

    for field in present:
        column = columns[field.name]
        issues.extend(_unreadable(raw, typed_table, field, parsers[field.name], column))
        issues.extend(_normalised(raw, typed, typed_table, field, parsers[field.name], column))
    return typed_table, issues


@dataclass
class _Column:
    """One field as read: its typed value and its verdicts."""

    value: pl.Series
    blank: pl.Series  # the cell is blank (after removing surrounding spaces)
    bad: pl.Series  # the text cannot be read (all False when the parser has no such test)
    bad_rows: pl.Series  # the rows of `bad`, in order
    normalised: list[tuple[int, int | None]]  # per normalised verdict: (count, first row)


def _read_columns(
    raw: pl.DataFrame, parsers: dict[str, _Parsed], *, fast_path: bool
) -> dict[str, _Column]:
    """Every field read from its raw text.

    The fast path tests the raw text (not even stripped: what it accepts has no
    surrounding spaces) with each parser's cheap expression and reads those cells with
    its fast value; a column whose cells are all read so is kept as it is when its
    value is its text. The full expressions run, on the stripped text, only on the
    rows the fast path does not settle, and their results are put in place.
    """
    height = raw.height
    fast_names = [name for name, parsed in parsers.items() if fast_path and parsed.fast is not None]
    # Lazily, so that what the mask and the value share (a parsed date) is worked out once.
    first = (
        raw.lazy()
        .select(
            *(
                (pl.col(name).is_null() | parsers[name].fast.fill_null(False)).alias(
                    f"__fast:{name}"
                )
                for name in fast_names
            ),
            # Unmasked: what it gives for the other rows is replaced below.
            *(
                parsers[name].fast_value.alias(name)
                for name in fast_names
                if not parsers[name].fast_value.meta.eq(_given(name))
            ),
        )
        .collect()
    )
    columns: dict[str, _Column] = {}
    none = pl.repeat(False, height, dtype=pl.Boolean, eager=True)
    for name, parsed in parsers.items():
        if name in fast_names and first.get_column(f"__fast:{name}").all():
            # Every cell is blank or read by the fast path (most columns): nothing to
            # read again, report or put in place.
            columns[name] = _Column(
                (first.get_column(name) if name in first.columns else raw.get_column(name)).alias(
                    name
                ),
                raw.get_column(name).is_null(),
                none,
                pl.Series(dtype=pl.UInt32),
                [(0, None)] * len(parsed.normalised),
            )
            continue
        full = [_given(name).is_null().alias("__blank"), parsed.value.alias(name)]
        if parsed.bad is not None:
            full.append(parsed.bad.fill_null(False).alias("__bad"))
        full.extend(
            mask.fill_null(False).alias(f"__norm{number}")
            for number, (mask, _) in enumerate(parsed.normalised)
        )
        if name in fast_names:
            slow_mask = ~first.get_column(f"__fast:{name}")
            rows = slow_mask.arg_true()
            # In one piece: the rows left are few, and the full expressions, a dozen for
            # a date, would otherwise run once for each of the file's blocks of rows.
            texts = raw.select(name).filter(slow_mask).rechunk()
            fast_value = first.get_column(name) if name in first.columns else raw.get_column(name)
        else:
            rows = pl.int_range(height, eager=True, dtype=pl.UInt32)
            texts = raw.select(name)
            fast_value = None
        slow = texts.select(_text(name).alias(name)).select(full)
        blank = raw.get_column(name).is_null()
        bad = pl.repeat(False, height, dtype=pl.Boolean, eager=True)
        if fast_value is None:
            value, blank = slow.get_column(name), slow.get_column("__blank")
            if parsed.bad is not None:
                bad = slow.get_column("__bad")
        elif rows.len():
            value = _put(fast_value, rows, slow.get_column(name), height)
            blank = _put(blank, rows, slow.get_column("__blank"), height)
            if parsed.bad is not None:
                bad = _put(bad, rows, slow.get_column("__bad"), height)
        else:
            value = fast_value
        normalised = []
        for number in range(len(parsed.normalised)):
            hits = slow.get_column(f"__norm{number}").arg_true()
            normalised.append((hits.len(), int(rows[hits[0]]) if hits.len() else None))
        bad_rows = rows.filter(slow.get_column("__bad")) if parsed.bad is not None else rows[:0]
        columns[name] = _Column(value.alias(name), blank, bad, bad_rows, normalised)
    return columns


def _put(column: pl.Series, rows: pl.Series, values: pl.Series, height: int) -> pl.Series:
    """`column` with `values` at `rows` (ascending), as a new Series."""
    if rows.len() == height:
        return values.alias(column.name)
    values = values.cast(column.dtype)
    if not column.dtype.is_nested():
        return column.clone().scatter(rows, values)
    positions = pl.int_range(height, eager=True, dtype=pl.Int64).scatter(
        rows, pl.int_range(height, height + rows.len(), eager=True, dtype=pl.Int64)
    )
    return pl.concat([column, values]).gather(positions).alias(column.name)


def _unreadable(
    raw: pl.DataFrame, table: TypedTable, field: Field, parsed: _Parsed, column: _Column
) -> list[Issue]:
    if parsed.bad is None or not column.bad_rows.len():
        return []
    texts = raw.get_column(field.name).gather(column.bad_rows).to_list()
    params = _value_issue_params(field, parsed.bad_code)
    return cell_issues(table, field, parsed.bad_code, column.bad_rows.to_list(), texts, **params)


def _normalised(
    raw: pl.DataFrame,
    typed: pl.DataFrame,
    table: TypedTable,
    field: Field,
    parsed: _Parsed,
    column: _Column,
) -> Iterator[Issue]:
    for (_, what), (count, first) in zip(parsed.normalised, column.normalised, strict=True):
        if not count or first is None:
            continue
        text = raw[field.name][first]
        read_as = typed[field.name][first]
        if isinstance(read_as, pl.Series):
            read_as = "; ".join(read_as.to_list())
        example = "" if field.is_personal else f', for example "{text}" as "{read_as}"'
        yield make_issue(
            "VALUE-NORMALISED",
            location(table, field.name, first),
            value=text,
            personal=field.is_personal,
            count_values=f"{count:,} value" + ("" if count == 1 else "s"),
            what=what,
            was_were="was" if count == 1 else "were",
            field_title=field.title,
            example=example,
        )
