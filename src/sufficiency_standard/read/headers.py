"""Which column is which field, which sheet or file is which table, and where the header is.

A header cell matches a field when, ignoring case, spaces, underscores, hyphens and
other punctuation, it is the field's name, its title or one of its aliases. A cell whose
first line is the name and whose further lines are guidance matches on its first line.
Trailing text in brackets ("Start date (DD/MM/YYYY)") is ignored only when nothing else
matches and the rest names exactly one field that no other column already names.
A header that is not exactly the field's name or title (as the Excel template writes
it) is noted as COLUMN-RENAMED, so the officer sees how each column was read.

An LA's mapping file (sufficiency_standard.mapping) reaches the readers as a
MappedStandard of MappedTables: its headers beat every other spelling, its headers to
ignore are skipped without a warning, and its sheet names name their tables. Without a
mapping nothing here behaves differently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sufficiency_standard.catalogue import make_issue
from sufficiency_standard.issues import Issue, Location
from sufficiency_standard.personal_data import personal_header
from sufficiency_standard.standard import Field, Standard, Table

HEADER_SEARCH_ROWS = 20  # title and instruction rows above the header are skipped
_MAX_HEADER_SHOWN = 60

_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")
_SURROUNDING_PUNCTUATION = re.compile(r"^\W+|\W+$")
_TRAILING_BRACKETS = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")


def normalise(text: str) -> str:
    """The letters and digits of a name, case-folded: "Start date" -> "startdate"."""
    return _NOT_LETTER_OR_DIGIT.sub("", unicodedata.normalize("NFKC", text).casefold())


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    """The 0-based index of a column letter: "A" -> 0, "AA" -> 26."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


def first_line(text: str) -> str:
    """The first non-blank line of a header cell, stripped."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def shown_header(text: str) -> str:
    """A header as quoted in a message: its first line, cut short if long."""
    line = first_line(text)
    return line if len(line) <= _MAX_HEADER_SHOWN else line[: _MAX_HEADER_SHOWN - 1] + "…"


@dataclass(frozen=True)
class MappedTable(Table):
    """A table with an LA's own headers for its fields, from a mapping file."""

    local_headers: Mapping[str, str] = field(default_factory=dict)  # normalised -> field
    ignored_headers: frozenset[str] = frozenset()  # normalised headers to skip quietly


@dataclass(frozen=True)
class MappedStandard(Standard):
    """A standard whose sheets and files may also go by an LA's own names."""

    local_sheet_names: Mapping[str, str] = field(default_factory=dict)  # normalised -> table


@dataclass(frozen=True)
class HeaderMatch:
    """A header cell read as a field."""

    field: Field
    # The cell's first line is the field's name or title exactly, as the standard and its
    # Excel template write them: nothing worth a note.
    exact: bool
    by_brackets: bool  # matched only once trailing bracketed text was ignored


class FieldMatcher:
    """Matches header texts to the fields of one table."""

    def __init__(self, table: Table) -> None:
        self.table = table
        # key -> (priority, field names); a name beats a title, which beats an alias, and
        # a key that names two fields at its best priority names neither.
        best: dict[str, tuple[int, set[str]]] = {}
        for table_field in table.fields:
            spellings = [(0, table_field.name), (1, table_field.title)]
            spellings += [(2, alias) for alias in table_field.aliases]
            for priority, spelling in spellings:
                key = normalise(spelling)
                if not key:
                    continue
                held = best.get(key)
                if held is None or priority < held[0]:
                    best[key] = (priority, {table_field.name})
                elif priority == held[0]:
                    held[1].add(table_field.name)
        # The LA's own headers, from its mapping, beat the standard's spellings.
        self._ignored: frozenset[str] = frozenset()
        if isinstance(table, MappedTable):
            for key, name in table.local_headers.items():
                best[key] = (-1, {name})
            self._ignored = table.ignored_headers
        self._by_key = {
            key: table.field(next(iter(names)))
            for key, (_, names) in best.items()
            if len(names) == 1
        }

    def _lookup(self, text: str) -> Field | None:
        key = normalise(text)
        return self._by_key.get(key) if key else None

    def match(self, header: str | None) -> HeaderMatch | None:
        """The field a header cell names, or None."""
        if header is None or not header.strip():
            return None
        line = first_line(header)
        found = self._lookup(header) or self._lookup(line)
        by_brackets = False
        if found is None:
            stripped = line
            while True:
                shorter = _TRAILING_BRACKETS.sub("", stripped)
                if shorter == stripped or not shorter:
                    break
                stripped = shorter
                found = self._lookup(stripped)
                if found is not None:
                    by_brackets = True
                    break
        if found is None:
            return None
        spellings = (found.name, found.title)
        exact = line in spellings or _SURROUNDING_PUNCTUATION.sub("", line) in spellings
        return HeaderMatch(found, exact=exact, by_brackets=by_brackets)

    def ignored(self, header: str) -> bool:
        """Whether a mapping file says to skip this header without a warning."""
        return bool(self._ignored) and (
            normalise(header) in self._ignored or normalise(first_line(header)) in self._ignored
        )

    def score(self, row: Sequence[str | None]) -> int:
        """How many different fields a row of cells names (to find the header row)."""
        return len({m.field.name for m in map(self.match, row) if m is not None})


def find_header_row(rows: Sequence[Sequence[str | None]], matcher: FieldMatcher) -> int | None:
    """The index of the row among the first few that names the most fields, or None."""
    best_index, best_score = None, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = matcher.score(row)
        if score > best_score:
            best_index, best_score = index, score
    return best_index


def header_not_found(table: Table, source: str, rows_searched: int) -> Issue:
    rows_searched = min(rows_searched, HEADER_SEARCH_ROWS)
    return make_issue(
        "HEADER-NOT-FOUND",
        Location(table=table.name, source=source),
        source=source,
        # "the first 1 rows" reads badly; an empty or one-row file was searched in full.
        rows_searched=rows_searched if rows_searched >= 2 else HEADER_SEARCH_ROWS,
        example_columns=", ".join(f.name for f in table.fields[:3]),
    )


@dataclass
class HeaderLayout:
    """Which column holds which field, and what was wrong with the header row."""

    columns: dict[str, int] = field(default_factory=dict)  # field name -> 0-based column
    headerless: list[int] = field(default_factory=list)  # columns with a blank header
    unknown: list[int] = field(default_factory=list)  # columns the standard does not know
    issues: list[Issue] = field(default_factory=list)


def map_header(
    header: Sequence[str | None],
    matcher: FieldMatcher,
    *,
    source: str,
    header_row: int,
) -> HeaderLayout:
    """Read a header row: one column per field, each problem reported once."""
    table = matcher.table
    layout = HeaderLayout()
    matches: dict[int, HeaderMatch] = {}
    unknown: list[int] = []
    for index, text in enumerate(header):
        if text is None or not text.strip():
            layout.headerless.append(index)
            continue
        found = matcher.match(text)
        if found is None and matcher.ignored(text):
            continue
        if found is None:
            unknown.append(index)
        else:
            matches[index] = found

    # A bracketed header only counts when no plainly matching column names its field.
    plainly_named = {m.field.name for m in matches.values() if not m.by_brackets}
    for index, found in list(matches.items()):
        if found.by_brackets and found.field.name in plainly_named:
            del matches[index]
            unknown.append(index)

    by_field: dict[str, list[int]] = {}
    for index in sorted(matches):
        by_field.setdefault(matches[index].field.name, []).append(index)

    def where(index: int, field_name: str | None = None) -> Location:
        return Location(
            table=table.name,
            field=field_name,
            row=header_row,
            cell=f"{column_letter(index)}{header_row}",
            source=source,
        )

    for field_name, indexes in by_field.items():
        kept = indexes[0]
        layout.columns[field_name] = kept
        found = matches[kept]
        if not found.exact:
            layout.issues.append(
                make_issue(
                    "COLUMN-RENAMED",
                    where(kept, field_name),
                    column=column_letter(kept),
                    header=shown_header(header[kept] or ""),
                    field_title=found.field.title,
                    field=field_name,
                )
            )
        if len(indexes) > 1:
            layout.issues.append(
                make_issue(
                    "COLUMN-DUPLICATE",
                    where(indexes[1], field_name),
                    columns=", ".join(column_letter(i) for i in indexes),
                    source=source,
                    field_title=found.field.title,
                    field=field_name,
                )
            )
    for index in sorted(unknown):
        if what := personal_header(header[index] or ""):
            layout.issues.append(
                make_issue(
                    "PERSONAL-COLUMN",
                    where(index),
                    column=column_letter(index),
                    header=shown_header(header[index] or ""),
                    source=source,
                    what=what,
                )
            )
            continue
        layout.unknown.append(index)
        layout.issues.append(
            make_issue(
                "COLUMN-UNKNOWN",
                where(index),
                column=column_letter(index),
                header=shown_header(header[index] or ""),
                source=source,
                table=table.name,
            )
        )
    for table_field in table.fields:
        if table_field.required and table_field.name not in layout.columns:
            layout.issues.append(
                make_issue(
                    "COLUMN-MISSING",
                    Location(table=table.name, field=table_field.name, source=source),
                    field_title=table_field.title,
                    field=table_field.name,
                    source=source,
                )
            )
    return layout


def match_table_name(name: str, standard: Standard) -> Table | None:
    """The table a sheet or file stem names ("Placements", "needs-assessments"), or None."""
    key = normalise(name)
    if not key:
        return None
    if isinstance(standard, MappedStandard) and key in standard.local_sheet_names:
        return standard.table(standard.local_sheet_names[key])
    for table in standard.tables:
        title = normalise(table.title)
        names = {normalise(table.name), title, title + "s", normalise(table.class_name)}
        if key in names | {normalise(alias) for alias in table.aliases}:
            return table
    return None
