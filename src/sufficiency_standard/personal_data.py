"""Personal data that must never leave the LA: names, free-text notes, full dates of
birth, full postcodes, NHS numbers and unique pupil numbers (UPNs).

The standard never asks for them, but an extract made from a case-management system
can carry them: in a column the standard does not know (which is otherwise only noted
and skipped), or in one of its own fields (a full date in the month of birth). Either
is an error, so a submission that carries them is never "ready to send"; the message
says what it looks like and how to remove it, and never shows the value itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import polars as pl

from sufficiency_standard.catalogue import INFO, E, Entry, declare, make_issue
from sufficiency_standard.issues import Issue, Location

if TYPE_CHECKING:
    from sufficiency_standard.read.source import SourceTable
    from sufficiency_standard.standard import Table

_HOW = (
    "Delete the column (or the values) before sending, or write the submission again "
    "with `sufficiency pseudonymise`, which keeps only the standard's fields."
)

declare(
    Entry(
        "PERSONAL-COLUMN",
        E,
        "structure",
        "Column of personal data",
        "Column {column} ({header}) of {source} looks like {what}, which must never be "
        "sent. " + _HOW,
    ),
    Entry(
        "PERSONAL-VALUES",
        E,
        "structure",
        "Personal data in a column",
        "Column {column} ({header}) of {source} holds what look like {what} "
        "({count}), which must never be sent. " + _HOW,
    ),
    Entry(
        "PERSONAL-DATE-OF-BIRTH",
        E,
        "value",
        "Full date of birth",
        "{field_title} holds a full date of birth; the standard takes only the month "
        "of birth (such as 2011-04). Remove the day, or use `sufficiency pseudonymise`.",
        fields=("birth_month",),
    ),
    Entry(
        "PERSONAL-POSTCODE",
        E,
        "value",
        "Full postcode",
        "{field_title} holds a full postcode; the standard takes only the postcode "
        "sector (such as TA1 2) or district (TA1). Cut it, or use `sufficiency "
        "pseudonymise`, which does.",
    ),
    Entry(
        "PERSONAL-IDENTIFIER",
        E,
        "value",
        "NHS number or UPN as an ID",
        "{field_title} holds what look like {what} ({count}); an ID must be the LA's "
        "own, or a pseudonym of it. Use `sufficiency pseudonymise` before sending.",
    ),
    Entry(
        "NOT-PSEUDONYMISED",
        INFO,
        "quality",
        "IDs not pseudonymised",
        "{fields} hold the LA's own IDs, not pseudonyms. Before sending the file "
        "outside the LA, run `sufficiency pseudonymise` and send the file it writes.",
    ),
)

# -- what personal data looks like ----------------------------------------------------

_HEADER_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"^(full )?names?$|\b(child|children|young person|carer|parent|mother|father|"
            r"first|last|family|given|middle|full|preferred|sur|fore)\s*names?\b|"
            r"\b(surname|forenames?)\b"
        ),
        "names",
    ),
    (re.compile(r"\b(d\.?o\.?b|date of birth|birth ?date|birthday)\b"), "full dates of birth"),
    (re.compile(r"\bnhs\b"), "NHS numbers"),
    (re.compile(r"\b(upn|unique pupil)"), "unique pupil numbers (UPNs)"),
    (re.compile(r"\baddress"), "addresses"),
    (
        re.compile(r"\b(notes?|comments?|free ?text|narrative|remarks|case ?notes?)\b"),
        "free-text notes",
    ),
)


def personal_header(header: str) -> str | None:
    """What personal data a header names ("names", "free-text notes"...), or None.

    A header that names only a month or a year of birth, or a sector, is not personal.
    """
    text = re.sub(r"[_\-]+", " ", header.strip().lower())
    for pattern, what in _HEADER_KINDS:
        if pattern.search(text):
            if what == "full dates of birth" and re.search(r"\b(month|year|yyyy ?mm)\b", text):
                return None
            return what
    return None


_FULL_POSTCODE = r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$"
# A full date with its day: 2011-04-17, 17/04/2011, 17-04-2011, 17.04.11 (any time after).
_FULL_DATE = (
    r"^\s*([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-]([0-9]{2}|[0-9]{4}))"
    r"([ T].*)?$"
)
_NHS_SHAPE = r"^[0-9]{3} ?[0-9]{3} ?[0-9]{4}$"
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_SHAPE = rf"^[{_UPN_LETTERS}][0-9]{{11}}[0-9{_UPN_LETTERS}]$"


def is_nhs_number(text: str) -> bool:
    """Ten digits whose last is the modulus 11 check digit of the other nine."""
    digits = text.replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(digits[:9])) % 11
    return check != 10 and (check % 11) == int(digits[9])


def is_upn(text: str) -> bool:
    """A unique pupil number: a check letter, eleven digits and a digit (or, for a
    temporary UPN, a letter), the check letter being the weighted sum modulo 23."""
    upn = text.strip().upper()
    if not re.fullmatch(_UPN_SHAPE, upn):
        return False
    values = [int(c) if c.isdigit() else _UPN_LETTERS.index(c) for c in upn[1:]]
    total = sum(value * weight for value, weight in zip(values, range(2, 14), strict=True))
    return upn[0] == _UPN_LETTERS[total % 23]


def _count_text(count: int) -> str:
    return "1 value" if count == 1 else f"{count:,} values"


def _checked_identifiers(values: pl.Series) -> tuple[str, int] | None:
    """What a column's values look like when most are NHS numbers or UPNs, and how many."""
    for shape, valid, what in (
        (_NHS_SHAPE, is_nhs_number, "NHS numbers"),
        (_UPN_SHAPE, is_upn, "unique pupil numbers (UPNs)"),
    ):
        shaped = values.filter(values.str.to_uppercase().str.contains(shape)).unique()
        if shaped.is_empty():
            continue
        # A real ID of this shape passes the check one time in 11 (or 23): most passing
        # means the column holds the real numbers.
        passing = sum(1 for value in shaped.to_list() if valid(value))
        if passing and passing >= 0.8 * len(shaped):
            return what, passing
    return None


def unknown_column_values(values: pl.Series) -> tuple[str, int] | None:
    """What personal data a column the standard does not know holds, and how many values."""
    text = values.drop_nulls().str.strip_chars()
    if text.is_empty():
        return None
    found = _checked_identifiers(text)
    if found:
        return found
    postcodes = int(text.str.contains(_FULL_POSTCODE).sum())
    if postcodes:
        return "full postcodes", postcodes
    return None


# -- the standard's own fields ---------------------------------------------------------


def _place(source: SourceTable, field_name: str, index: int) -> Location:
    return Location(
        source.name,
        field_name,
        source.row(index),
        source.cell(field_name, index),
        source.path(field_name, index),
        source.source,
        source.sheet,
    )


def _is_postcode_area(pattern: str | None) -> bool:
    return bool(pattern) and pattern.startswith("^[A-Z]{1,2}[0-9][A-Z0-9]?")  # type: ignore[union-attr]


def _cells(
    code: str, source: SourceTable, field_name: str, title: str, rows: Sequence[int], values
) -> Iterable[Issue]:
    for index, value in zip(rows, values, strict=True):
        yield make_issue(
            code,
            _place(source, field_name, index),
            value=value,
            personal=True,
            field_title=title,
        )


def personal_field_issues(table: Table, source: SourceTable | None) -> list[Issue]:
    """Full dates of birth, full postcodes, NHS numbers and UPNs in the standard's own
    fields of one table, as read (text)."""
    if source is None or source.frame.is_empty():
        return []
    issues: list[Issue] = []
    frame = source.frame.with_row_index("__i")
    for spec in table.fields:
        if spec.name not in frame.columns or frame.schema[spec.name] != pl.String:
            continue
        column = pl.col(spec.name)
        if spec.name == "birth_month":
            # The first of a month is how a spreadsheet stores a month: not a full date.
            wrong = column.str.contains(_FULL_DATE) & ~column.str.contains(
                r"^\s*([0-9]{4}-[0-9]{1,2}-0?1|0?1[/.\-][0-9]{1,2}[/.\-][0-9]{2,4})([ T].*)?$"
            )
            code = "PERSONAL-DATE-OF-BIRTH"
        elif _is_postcode_area(spec.pattern):
            wrong = column.str.strip_chars().str.contains(_FULL_POSTCODE)
            code = "PERSONAL-POSTCODE"
        else:
            if spec.identifier or spec.references or spec.sharing == "pseudonymise":
                found = _checked_identifiers(
                    frame.get_column(spec.name).drop_nulls().str.strip_chars()
                )
                if found:
                    first = frame.filter(column.is_not_null()).get_column("__i")[0]
                    issues.append(
                        make_issue(
                            "PERSONAL-IDENTIFIER",
                            _place(source, spec.name, first),
                            field_title=spec.title,
                            what=found[0],
                            count=_count_text(found[1]),
                        )
                    )
            continue
        hits = frame.filter(wrong.fill_null(False)).select("__i", spec.name)
        issues += _cells(
            code,
            source,
            spec.name,
            spec.title,
            hits.get_column("__i").to_list(),
            hits.get_column(spec.name).to_list(),
        )
    return issues


_PSEUDONYM = r"^[0-9a-f]{16}$"  # what `sufficiency pseudonymise` writes


def raw_identifiers(table: Table, source: SourceTable | None) -> list[tuple[Location, str]]:
    """Where each ID column of a table holds the LA's own IDs rather than pseudonyms
    (the first such cell) and the column's title: not yet the file to send."""
    if source is None or source.frame.is_empty():
        return []
    found = []
    for spec in table.fields:
        # Only a table's own IDs: references repeat what their table's IDs say.
        if spec.sharing != "pseudonymise" or spec.references or spec.name not in source.frame:
            continue
        text = pl.col(spec.name).str.strip_chars()
        raw = source.frame.with_row_index("__i").filter(
            text.is_not_null() & ~text.str.contains(_PSEUDONYM)
        )
        if raw.height:
            found.append((_place(source, spec.name, raw["__i"][0]), spec.title))
    return found


def not_pseudonymised_issue(found: Sequence[tuple[Location, str]]) -> list[Issue]:
    """One note for the whole submission when its IDs are not pseudonyms."""
    if not found:
        return []
    titles = [title for _, title in found]
    fields = titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]
    return [make_issue("NOT-PSEUDONYMISED", found[0][0], fields=fields)]
