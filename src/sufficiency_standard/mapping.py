"""An LA's own names for the standard's sheets, columns and codes: the mapping file.

An LA that cannot rename its extract's headers (a report its case-management system
writes, a workbook other teams rely on) describes them once in a YAML file and passes it
with `--mapping`. The format, documented for people in docs/guides/mapping.md:

    mapping_version: 1            # the version of this format
    standard_version: 0.2.0       # optional: the version of the standard it was written for
    tables:
      placements:                 # a table of the standard
        sheet: Placements 2024-25 # the LA's sheet (or CSV file stem); a list is allowed
        columns:                  # field: the LA's header (a list is allowed)
          start_date: Placement Start Date (DD/MM/YYYY)
          end_date:
            header: Plcmt End
            confirm: close match  # left by `mapping init`: check, then delete this line
        ignore:                   # the LA's headers to skip without a warning
          - Social worker
        values:                   # field: {the LA's value: the standard's code}
          placement_type:
            Resi: Residential

Values are read as the text written, so `Yes`, `1` or `01` are never turned into
booleans or numbers. Every mistake is an error naming the file and line, because a
mapping that silently does not apply is worse than none.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

import polars as pl
import yaml

from sufficiency_standard.issues import InputError
from sufficiency_standard.read.encoding import decode_text
from sufficiency_standard.read.headers import (
    HEADER_SEARCH_ROWS,
    FieldMatcher,
    MappedStandard,
    MappedTable,
    first_line,
    match_table_name,
    normalise,
)
from sufficiency_standard.read.limits import read_file_bytes
from sufficiency_standard.read.source import SourceSubmission, SourceTable
from sufficiency_standard.standard import CodeList, Field, Standard, Table, load_standard

MAPPING_FORMAT_VERSION = 1
_TOP_KEYS = ("mapping_version", "standard_version", "tables")
_TABLE_KEYS = ("sheet", "columns", "ignore", "values")
_COLUMN_KEYS = ("header", "confirm")
_CLOSE_MATCH = 0.75  # difflib ratio from which `mapping init` offers a header to confirm
_MULTIVALUE_SPLIT = (";", ",")
_VALUE_ROWS = 5_000  # rows `mapping init` reads below the header for code mappings
_VALUES_PROPOSED = 50  # distinct non-code values of one column it proposes codes for


class MappingError(InputError):
    """A mapping file that cannot be used: the message names the file and the line."""


@dataclass(frozen=True)
class ColumnEntry:
    field: str
    headers: tuple[str, ...]
    line: int
    confirm: str | None = None


@dataclass(frozen=True)
class ValueEntry:
    local: str
    code: str
    line: int


@dataclass(frozen=True)
class TableEntry:
    name: str
    line: int
    sheets: tuple[tuple[str, int], ...] = ()
    columns: tuple[ColumnEntry, ...] = ()
    ignore: tuple[str, ...] = ()
    values: dict[str, tuple[ValueEntry, ...]] = field(default_factory=dict)
    value_lines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceMapping:
    """A parsed mapping file; `applied_to` checks it against a version of the standard."""

    name: str  # the file's name, for messages
    tables: tuple[TableEntry, ...]
    standard_version: str | None = None

    def _error(self, line: int, message: str) -> MappingError:
        return MappingError(f"{self.name}, line {line}: {message}")

    def check(self, standard: Standard) -> None:
        """Raise MappingError for the first entry that does not fit `standard`."""
        self.applied_to(standard)

    def applied_to(self, standard: Standard) -> MappedStandard:
        """The standard as the readers should see it with this mapping."""
        by_table = {entry.name: entry for entry in self.tables}
        sheet_names: dict[str, str] = {}
        for entry in self.tables:
            if entry.name not in standard.table_names:
                raise self._error(
                    entry.line,
                    f"{entry.name} is not a table of the standard"
                    f"{_did_you_mean(entry.name, standard.table_names)}. The tables are: "
                    f"{', '.join(standard.table_names)}.",
                )
            for sheet, line in entry.sheets:
                key = normalise(sheet)
                held = sheet_names.get(key)
                if held is not None and held != entry.name:
                    raise self._error(
                        line, f'the sheet "{sheet}" is already given for the {held} table.'
                    )
                sheet_names[key] = entry.name
        tables = tuple(
            self._mapped_table(table, by_table.get(table.name)) for table in standard.tables
        )
        plain = {f.name: getattr(standard, f.name) for f in fields(Standard)}
        return MappedStandard(**(plain | {"tables": tables}), local_sheet_names=sheet_names)

    def _mapped_table(self, table: Table, entry: TableEntry | None) -> MappedTable:
        plain = {f.name: getattr(table, f.name) for f in fields(Table) if f.name != "_by_name"}
        if entry is None:
            return MappedTable(**plain)
        headers: dict[str, str] = {}
        header_lines: dict[str, int] = {}
        for column in entry.columns:
            if not table.has_field(column.field):
                raise self._error(
                    column.line,
                    f"{column.field} is not a field of the {table.name} table"
                    f"{_did_you_mean(column.field, [f.name for f in table.fields])}.",
                )
            if column.confirm is not None:
                raise self._error(
                    column.line,
                    f"the header for {table.name}.{column.field} is waiting to be confirmed "
                    f"({column.confirm}). Check it, then delete its `confirm:` line.",
                )
            for header in column.headers:
                key = normalise(header)
                if not key:
                    raise self._error(column.line, "a header must have letters or digits.")
                held = headers.get(key)
                if held is not None and held != column.field:
                    raise self._error(
                        column.line,
                        f'the header "{header}" is already given for {held} '
                        f"(line {header_lines[key]}).",
                    )
                headers[key] = column.field
                header_lines[key] = column.line
        for field_name, entries in entry.values.items():
            line = entry.value_lines[field_name]
            if not table.has_field(field_name):
                raise self._error(
                    line,
                    f"{field_name} is not a field of the {table.name} table"
                    f"{_did_you_mean(field_name, [f.name for f in table.fields])}.",
                )
            spec = table.field(field_name)
            if spec.code_list is None:
                raise self._error(
                    line,
                    f"{table.name}.{field_name} has no code list, so its values cannot be mapped.",
                )
            codes = {normalise(code): code for code in spec.code_list.codes}
            for value in entries:
                if normalise(value.code) not in codes:
                    raise self._error(
                        value.line,
                        f'"{value.code}" is not a code of {table.name}.{field_name}'
                        f"{_did_you_mean(value.code, spec.code_list.codes)}. The codes are: "
                        f"{', '.join(spec.code_list.codes)}.",
                    )
        ignored = frozenset(normalise(header) for header in entry.ignore)
        return MappedTable(**plain, local_headers=headers, ignored_headers=ignored)

    def value_lookup(self, table: Table, field_name: str) -> dict[str, str]:
        """The LA's values (as `_value_key` spells them) -> the standard's codes."""
        entry = next((t for t in self.tables if t.name == table.name), None)
        spec = table.field(field_name)
        if entry is None or field_name not in entry.values or spec.code_list is None:
            return {}
        codes = {normalise(code): code for code in spec.code_list.codes}
        return {_value_key(v.local): codes[normalise(v.code)] for v in entry.values[field_name]}

    def map_values(self, submission: SourceSubmission, standard: Standard | None = None) -> None:
        """Replace the LA's code values in the tables as read by the standard's codes
        (in a pending table, once it is read)."""
        standard = standard or load_standard(None)
        for entry in self.tables:
            if not entry.values or entry.name not in standard.table_names:
                continue
            table = standard.table(entry.name)
            source = submission.tables.get(entry.name)
            if source is not None:
                self._map_table_values(source, table, entry)
            elif entry.name in submission.pending:
                change = functools.partial(self._map_table_values, table=table, entry=entry)
                submission.pending[entry.name] = submission.pending[entry.name].then(change)

    def _map_table_values(self, source: SourceTable, table: Table, entry: TableEntry) -> None:
        replaced = []
        for field_name in entry.values:
            if field_name not in source.frame.columns or not table.has_field(field_name):
                continue
            lookup = self.value_lookup(table, field_name)
            multivalued = table.field(field_name).multivalued
            column = source.frame.get_column(field_name)
            changes = {
                text: _mapped_text(text, lookup, multivalued)
                for text in column.drop_nulls().unique().to_list()
            }
            changes = {old: new for old, new in changes.items() if new != old}
            if changes:
                replaced.append(pl.col(field_name).replace(changes))
        if replaced:
            source.frame = source.frame.with_columns(replaced)


def _value_key(text: str) -> str:
    return " ".join(text.casefold().split())


def _mapped_text(text: str, lookup: dict[str, str], multivalued: bool) -> str:
    whole = lookup.get(_value_key(text))
    if whole is not None or not multivalued:
        return whole if whole is not None else text
    items = [text]
    for separator in _MULTIVALUE_SPLIT:
        items = [part for item in items for part in item.split(separator)]
    items = [item.strip() for item in items if item.strip()]
    return "; ".join(lookup.get(_value_key(item), item) for item in items)


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


# -- reading the YAML with line numbers -------------------------------------------------


_MAPPING_FILE_BYTES = 16 << 20  # a mapping is a few kilobytes of YAML


def load_mapping(path: str | Path) -> SourceMapping:
    """Parse a mapping file; every mistake in its shape is a MappingError naming the line."""
    path = Path(path)
    try:
        data = read_file_bytes(path, limit=_MAPPING_FILE_BYTES)
    except InputError as error:
        raise MappingError(str(error)) from None
    return parse_mapping(decode_text(data, path.name).text, path.name)


def parse_mapping(text: str, name: str = "the mapping") -> SourceMapping:
    """Parse mapping YAML given as text (`name` stands for it in messages)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise MappingError(f"{name}{where}: this is not valid YAML ({problem}).") from None
    parser = _Parser(name)
    if root is None:
        raise MappingError(f"{name} is empty: it needs a `tables:` section.")
    top = parser.mapping(root, "the mapping file", _TOP_KEYS)
    if "mapping_version" in top:
        node = top["mapping_version"][1]
        version = parser.scalar(node, "mapping_version")
        if version != str(MAPPING_FORMAT_VERSION):
            raise parser.error(
                node,
                f"mapping_version {version} is not one this package reads "
                f"(it reads version {MAPPING_FORMAT_VERSION}).",
            )
    standard_version = None
    if "standard_version" in top:
        standard_version = parser.scalar(top["standard_version"][1], "standard_version")
    if "tables" not in top:
        raise parser.error(root, "the mapping needs a `tables:` section.")
    tables_node = top["tables"][1]
    tables = []
    for table_name, (key_node, body) in parser.mapping(tables_node, "tables", None).items():
        tables.append(parser.table(table_name, key_node, body))
    return SourceMapping(name=name, tables=tuple(tables), standard_version=standard_version)


class _Parser:
    """Walks the composed YAML nodes, so each error can name its line."""

    def __init__(self, name: str) -> None:
        self.name = name

    def error(self, node: yaml.Node, message: str) -> MappingError:
        return MappingError(f"{self.name}, line {node.start_mark.line + 1}: {message}")

    def mapping(
        self, node: yaml.Node, what: str, allowed: Sequence[str] | None
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if _is_null(node):
            return {}
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} should be a list of `key: value` lines.")
        found: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, f"a key in {what}")
            if allowed is not None and key not in allowed:
                raise self.error(
                    key_node,
                    f"{key} is not a key of {what}{_did_you_mean(key, allowed)}. "
                    f"The keys are: {', '.join(allowed)}.",
                )
            if key in found:
                first = found[key][0].start_mark.line + 1
                raise self.error(
                    key_node, f"{key} is given twice in {what} (first on line {first})."
                )
            found[key] = (key_node, value_node)
        return found

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or _is_null(node):
            raise self.error(node, f"{what} should be a single value.")
        return node.value.strip()

    def strings(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        """One text or a list of texts."""
        if isinstance(node, yaml.SequenceNode):
            items = tuple(self.scalar(item, f"each item of {what}") for item in node.value)
            if not items:
                raise self.error(node, f"{what} is an empty list.")
            return items
        return (self.scalar(node, what),)

    def table(self, name: str, key_node: yaml.Node, body: yaml.Node) -> TableEntry:
        parts = self.mapping(body, f"the {name} table", _TABLE_KEYS)
        line = key_node.start_mark.line + 1
        sheets: tuple[tuple[str, int], ...] = ()
        if "sheet" in parts:
            node = parts["sheet"][1]
            sheets = tuple((s, node.start_mark.line + 1) for s in self.strings(node, "sheet"))
        columns = []
        if "columns" in parts:
            entries = self.mapping(parts["columns"][1], f"the {name} columns", None)
            for field_name, (field_key, value) in entries.items():
                columns.append(self.column(name, field_name, field_key, value))
        ignore: tuple[str, ...] = ()
        if "ignore" in parts and not _is_null(parts["ignore"][1]):
            ignore = self.strings(parts["ignore"][1], "ignore")
        values: dict[str, tuple[ValueEntry, ...]] = {}
        value_lines: dict[str, int] = {}
        if "values" in parts:
            for field_name, (field_key, codes) in self.mapping(
                parts["values"][1], f"the {name} values", None
            ).items():
                pairs = self.mapping(codes, f"the values of {name}.{field_name}", None)
                if not pairs:
                    raise self.error(codes, f"give at least one `value: code` for {field_name}.")
                seen: dict[str, int] = {}
                entries_for_field = []
                for local, (local_key, code_node) in pairs.items():
                    key = _value_key(local)
                    if key in seen:
                        raise self.error(
                            local_key,
                            f'"{local}" is given twice for {field_name} (first on line '
                            f"{seen[key]}).",
                        )
                    seen[key] = local_key.start_mark.line + 1
                    code = self.scalar(code_node, f'the code for "{local}"')
                    entries_for_field.append(ValueEntry(local, code, seen[key]))
                values[field_name] = tuple(entries_for_field)
                value_lines[field_name] = field_key.start_mark.line + 1
        return TableEntry(
            name=name,
            line=line,
            sheets=sheets,
            columns=tuple(columns),
            ignore=ignore,
            values=values,
            value_lines=value_lines,
        )

    def column(
        self, table: str, field_name: str, key_node: yaml.Node, value: yaml.Node
    ) -> ColumnEntry:
        line = key_node.start_mark.line + 1
        if isinstance(value, yaml.MappingNode):
            parts = self.mapping(value, f"{table}.{field_name}", _COLUMN_KEYS)
            if "header" not in parts:
                raise self.error(value, f"{table}.{field_name} needs a `header:`.")
            headers = self.strings(parts["header"][1], "header")
            confirm = None
            if "confirm" in parts:
                node = parts["confirm"][1]
                confirm = (
                    "marked by mapping init" if _is_null(node) else self.scalar(node, "confirm")
                )
            return ColumnEntry(field_name, headers, line, confirm)
        if _is_null(value):
            raise self.error(key_node, f"give the header of {table}.{field_name}, or delete it.")
        return ColumnEntry(field_name, self.strings(value, f"the header of {field_name}"), line)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


# -- `mapping init`: a starter mapping from a workbook's headers ---------------------------


@dataclass(frozen=True)
class HeaderGuess:
    """How `mapping init` read one header."""

    header: str
    field: str | None
    how: str  # "exact", "alias", "close" or "none"
    score: float = 1.0


@dataclass(frozen=True)
class ValueGuess:
    """The code `mapping init` proposes for one of the LA's values in a coded column."""

    local: str
    code: str | None
    how: str  # "case", "synonym", "abbreviation" or "none"


@dataclass
class SheetGuess:
    """How `mapping init` read one sheet or CSV file."""

    sheet: str
    table: str | None
    how: str  # "exact", "alias", "close", "headers" or "none"
    headers: list[HeaderGuess] = field(default_factory=list)
    values: dict[str, list[ValueGuess]] = field(default_factory=dict)  # field -> its values
    values_left: dict[str, int] = field(default_factory=dict)  # field -> values not proposed


def guess_mapping(path: str | Path, standard_version: str | None = None) -> list[SheetGuess]:
    """Match every sheet (or CSV file) and header of an extract to the standard."""
    standard = load_standard(standard_version)
    return [_guess_sheet(sheet, rows, standard) for sheet, rows in _header_rows(Path(path))]


def _header_rows(path: Path) -> list[tuple[str, list[list[str | None]]]]:
    """The first rows of each sheet of a workbook, or of a CSV file (or a folder of them)."""
    if not path.exists():
        raise InputError(f"{path} does not exist.")
    if path.is_dir():
        return [item for p in sorted(path.iterdir()) if p.is_file() for item in _header_rows(p)]
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        text = decode_text(read_file_bytes(path), path.name).text
        dialect = "excel-tab" if suffix == ".tsv" else "excel"
        rows = []
        for row in csv.reader(io.StringIO(text, newline=""), dialect=dialect):
            rows.append([cell or None for cell in row])
            if len(rows) >= HEADER_SEARCH_ROWS + _VALUE_ROWS:
                break
        return [(path.stem, rows)]
    if suffix in (".xlsx", ".xlsm"):
        # Here, not at the top: validation imports this module and needs no importer.
        from sufficiency_standard.importers.common import visible_sheets

        found = []
        for name, sheet in visible_sheets(path):
            rows = sheet.to_python(nrows=HEADER_SEARCH_ROWS + _VALUE_ROWS)
            found.append((name, [[_cell_text(v) for v in r] for r in rows]))
        return found
    raise InputError(f"{path.name}: give an .xlsx workbook or CSV files to read headers from.")


def _cell_text(value: object) -> str | None:
    """A workbook cell as text, or None when blank (a whole number without ".0")."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (str, int, float)):
        return str(value) if str(value).strip() else None
    return None


def _guess_sheet(sheet: str, rows: list[list[str | None]], standard: Standard) -> SheetGuess:
    table = match_table_name(sheet, standard)
    how = "exact" if table is not None else "none"
    if table is not None and normalise(sheet) in {normalise(a) for a in table.aliases}:
        how = "alias"  # "Placement episodes"
    if table is None:
        names = {normalise(t.name): t for t in standard.tables}
        names |= {normalise(t.title): t for t in standard.tables}
        close = difflib.get_close_matches(normalise(sheet), list(names), n=1, cutoff=_CLOSE_MATCH)
        if close:
            table, how = names[close[0]], "close"
    if table is None:
        # A sheet named anything ("Sheet1") whose headers name a table's fields.
        scores = [
            (max((FieldMatcher(t).score(r) for r in rows[:HEADER_SEARCH_ROWS]), default=0), i)
            for i, t in enumerate(standard.tables)
        ]
        best, index = max(scores)
        if best >= 2:
            table, how = standard.tables[index], "headers"
    if table is None:
        return SheetGuess(sheet, None, "none")
    index = _header_index(rows, table)
    if index is None:
        return SheetGuess(sheet, table.name, how)
    header = [cell for cell in rows[index] if cell]
    guess = SheetGuess(sheet, table.name, how, _guess_headers(header, table))
    _guess_values(guess, table, rows[index], rows[index + 1 :])
    return guess


def _header_index(rows: list[list[str | None]], table: Table) -> int | None:
    """The row that names most fields; failing that, the row with the most text cells."""
    matcher = FieldMatcher(table)
    scored = [
        (matcher.score(row), sum(1 for c in row if c and not c.isdigit()), -i)
        for i, row in enumerate(rows[:HEADER_SEARCH_ROWS])
    ]
    return -max(scored)[2] if scored else None


def _guess_values(
    guess: SheetGuess, table: Table, header: list[str | None], data: list[list[str | None]]
) -> None:
    """Propose a code for each value of a coded column that is not one of its codes."""
    positions: dict[str, int] = {}
    for position, cell in enumerate(header):
        if cell:
            positions.setdefault(cell, position)
    for header_guess in guess.headers:
        spec = table.field(header_guess.field) if header_guess.field else None
        if spec is None or spec.code_list is None:
            continue
        position = positions[header_guess.header]
        found: dict[str, str] = {}  # _value_key -> the value as first written
        for row in data:
            text = row[position] if position < len(row) else None
            if not text:
                continue
            items = [text]
            if spec.multivalued:
                for separator in _MULTIVALUE_SPLIT:
                    items = [part for item in items for part in item.split(separator)]
            for item in (i.strip() for i in items):
                if item and item not in spec.code_list.codes:
                    found.setdefault(_value_key(item), item)
        if not found:
            continue
        locals_ = sorted(found.values(), key=str.casefold)
        guess.values[spec.name] = [
            _guess_code(local, spec.code_list) for local in locals_[:_VALUES_PROPOSED]
        ]
        if len(locals_) > _VALUES_PROPOSED:
            guess.values_left[spec.name] = len(locals_) - _VALUES_PROPOSED


def _guess_code(local: str, code_list: CodeList) -> ValueGuess:
    """The code an LA's value stands for: the same code in other case or spacing, a code's
    title or SSDA903 meaning ("Male" for M), or the start of exactly one code or title
    ("Resi" for Residential, "M" for Male); otherwise none, for the user to give."""
    key = normalise(local)
    if not key:
        return ValueGuess(local, None, "none")
    for value in code_list.values:
        if normalise(value.value) == key:
            return ValueGuess(local, value.value, "case")
    for value in code_list.values:
        if key in {normalise(value.title), normalise(value.ssda903_meaning or "")}:
            return ValueGuess(local, value.value, "synonym")
    for spelling in ("value", "title"):
        starts = [
            v.value for v in code_list.values if normalise(getattr(v, spelling)).startswith(key)
        ]
        if not starts:
            continue
        # "Resi" starts Residential and Residential school: the shorter one, which the
        # longer one extends, is meant.
        shortest = min(starts, key=len)
        if all(normalise(code).startswith(normalise(shortest)) for code in starts):
            return ValueGuess(local, shortest, "abbreviation")
        return ValueGuess(local, None, "none")
    return ValueGuess(local, None, "none")


def _guess_headers(header: list[str], table: Table) -> list[HeaderGuess]:
    matcher = FieldMatcher(table)
    guesses: list[HeaderGuess] = []
    taken: set[str] = set()
    pending: list[str] = []
    for text in header:
        found = matcher.match(text)
        if found is None or found.field.name in taken:
            pending.append(text)
            continue
        taken.add(found.field.name)
        guesses.append(HeaderGuess(text, found.field.name, "exact" if found.exact else "alias"))
    spellings: dict[str, Field] = {}
    for spec in table.fields:
        for spelling in (spec.name, spec.title, *spec.aliases):
            spellings.setdefault(normalise(spelling), spec)
    for text in pending:
        candidates = {k: f for k, f in spellings.items() if f.name not in taken}
        key = normalise(first_line(text))
        close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=_CLOSE_MATCH)
        if close:
            spec = candidates[close[0]]
            score = difflib.SequenceMatcher(None, key, close[0]).ratio()
            taken.add(spec.name)
            guesses.append(HeaderGuess(text, spec.name, "close", score))
        else:
            guesses.append(HeaderGuess(text, None, "none", 0.0))
    return guesses


def render_mapping(
    guesses: list[SheetGuess], source_name: str, standard_version: str | None = None
) -> str:
    """The starter mapping as commented YAML, every entry marked with how it was matched."""
    standard = load_standard(standard_version)
    lines = [
        f"# Mapping for {source_name}, written by `sufficiency mapping init`.",
        "# Check every entry. A close match is marked `confirm:`: check its header, then",
        "# delete the `confirm:` line; validation refuses a mapping with one left. See",
        "# https://sufficiency-standard.github.io/sufficiency-standard/guides/mapping/",
        f"mapping_version: {MAPPING_FORMAT_VERSION}",
        f"standard_version: {_quoted(standard.version)}",
        "tables:",
    ]
    seen_tables: set[str] = set()
    for guess in guesses:
        if guess.table is None:
            lines.append(f"  # Sheet {_quoted(guess.sheet)} names no table of the standard.")
            continue
        if guess.table in seen_tables:
            lines.append(
                f"  # Sheet {_quoted(guess.sheet)} also looks like {guess.table}: give each "
                "table once."
            )
            continue
        seen_tables.add(guess.table)
        table = standard.table(guess.table)
        sheet_note = {
            "exact": "the standard's name for the table",
            "alias": "another name the standard knows for the table",
            "close": "a close match to the table's name: check it",
            "headers": "its headers name this table's fields: check it",
        }[guess.how]
        lines += [f"  {table.name}:", f"    sheet: {_quoted(guess.sheet)}  # {sheet_note}"]
        matched = [h for h in guess.headers if h.field is not None]
        unmatched = [h for h in guess.headers if h.field is None]
        lines.append("    columns:" if matched else "    columns: {}")
        for header in matched:
            spec = table.field(header.field or "")
            shown = _quoted(first_line(header.header))
            if header.how == "close":
                note = f"close match to {spec.title}, {header.score:.0%} alike"
                lines += [
                    f"      {spec.name}:",
                    f"        header: {shown}",
                    f"        confirm: {_quoted(note)}",
                ]
            else:
                what = "exact" if header.how == "exact" else f"read as {spec.title}"
                lines.append(f"      {spec.name}: {shown}  # {what}")
        missing = [
            f.name for f in table.fields if f.required and f.name not in {h.field for h in matched}
        ]
        if missing:
            lines.append(f"      # required, no header found: {', '.join(missing)}")
        lines += _render_values(guess, table)
        if unmatched:
            lines.append(
                "    # Headers that name no field. Uncomment to skip them without a warning:"
            )
            lines.append("    # ignore:")
            lines += [f"    #   - {_quoted(first_line(h.header))}" for h in unmatched]
    return "\n".join(lines) + "\n"


_VALUE_NOTES = {
    "case": "the code {code}, written differently",
    "synonym": "{title}: the code {code}",
    "abbreviation": "short for {code}: check it",
}


def _render_values(guess: SheetGuess, table: Table) -> list[str]:
    """The `values:` section: a proposed code for each value that is not one, with why;
    values with no proposal are left commented out for the user to fill in."""
    if not guess.values:
        return []
    proposed = any(v.code for values in guess.values.values() for v in values)
    lines = ["    values:" if proposed else "    # values:"]
    for field_name, values in guess.values.items():
        spec = table.field(field_name)
        code_list = spec.code_list
        if code_list is None:
            continue
        titles = {v.value: v.title for v in code_list.values}
        choices = ", ".join(code_list.codes[:12]) + (", ..." if len(code_list.codes) > 12 else "")
        field_proposed = any(v.code for v in values)
        lines.append(f"      {field_name}:" if field_proposed else f"      # {field_name}:")
        for value in values:
            if value.code is not None:
                note = _VALUE_NOTES[value.how].format(code=value.code, title=titles[value.code])
                lines.append(f"        {_quoted(value.local)}: {_quoted(value.code)}  # {note}")
            else:
                lines.append(
                    f"        # {_quoted(value.local)}: ...  # no code found: give one of {choices}"
                )
        left = guess.values_left.get(field_name)
        if left:
            lines.append(f"        # and {left} more values that are not codes: map them by hand")
    return lines


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def mapping_init_command(
    path: str | Path, out: str | Path | None = None, standard_version: str | None = None
) -> tuple[Path, list[SheetGuess]]:
    """`sufficiency mapping init`: write the starter mapping (default: <file>.mapping.yaml).

    Refuses to overwrite a file, since a mapping is often edited by hand.
    """
    path = Path(path)
    target = Path(out) if out is not None else path.with_name(f"{path.stem}.mapping.yaml")
    if target.exists():
        raise InputError(f"{target} already exists: give another --out, or delete it first.")
    guesses = guess_mapping(path, standard_version)
    target.write_text(render_mapping(guesses, path.name, standard_version), encoding="utf-8")
    return target, guesses
