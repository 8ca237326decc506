"""Reading a submission: workbooks, CSV files (alone, in a folder or a zip) and JSON.

`read_submission` turns the files a person gives into one SourceSubmission: every table
as text columns with each cell's position, and the problems found on the way (unknown or
missing sheets and columns, header rows, encodings). It raises InputError only when an
input cannot be read at all. With an LA's mapping file (sufficiency_standard.mapping) its
sheet names and headers are read as the standard's, and its code values are replaced by
the standard's codes before anything is checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sufficiency_standard.catalogue import make_issue
from sufficiency_standard.issues import InputError, Location
from sufficiency_standard.read.archive import open_zip
from sufficiency_standard.read.csv import CSV_SUFFIXES, read_csv_file, read_csv_folder, read_csv_zip
from sufficiency_standard.read.found import Found
from sufficiency_standard.read.json import empty_json_table, read_document, read_json
from sufficiency_standard.read.source import PendingTable, SourceSubmission, SourceTable
from sufficiency_standard.read.xlsx import is_workbook_zip, read_workbook
from sufficiency_standard.standard import Standard

if TYPE_CHECKING:  # the mapping module imports the readers
    from sufficiency_standard.mapping import SourceMapping

__all__ = [
    "SourceSubmission",
    "SourceTable",
    "open_submission",
    "read_input",
    "read_json_object",
    "read_submission",
]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
ACCEPTED = (
    "an Excel workbook (.xlsx), CSV files (.csv, or a folder or .zip of them) or a JSON "
    "document (.json)"
)


def read_submission(
    paths: Sequence[str | Path],
    standard: Standard,
    mapping: SourceMapping | None = None,
) -> SourceSubmission:
    """Read one submission from one or more inputs, combined (e.g. several CSV files)."""
    return open_submission(paths, standard, mapping).read_all()


def open_submission(
    paths: Sequence[str | Path],
    standard: Standard,
    mapping: SourceMapping | None = None,
) -> SourceSubmission:
    """As read_submission, but CSV files on disk are left pending (see
    SourceSubmission.take): a validator can then hold one table's text at a time."""
    inputs = [Path(p) for p in ([paths] if isinstance(paths, str | Path) else paths)]
    if not inputs:
        raise InputError(f"No input was given: give {ACCEPTED}.")
    if mapping is not None:
        standard = mapping.applied_to(standard)
    submission = _combine([read_input(path, standard) for path in inputs], inputs, standard)
    if mapping is not None:
        mapping.map_values(submission, standard)
    return submission


def read_json_object(
    document: Mapping[str, Any],
    name: str,
    standard: Standard,
    mapping: SourceMapping | None = None,
) -> SourceSubmission:
    """A submission given as a dict in the JSON shape (Python dates, decimals, enums allowed);
    `name` stands for the document in messages."""
    submission = _combine([read_document(document, name, standard)], [], standard)
    if mapping is not None:
        mapping.check(standard)  # a mapping that does not fit the standard is an error
        mapping.map_values(submission, standard)
    return submission


def _combine(found: list[Found], inputs: list[Path], standard: Standard) -> SourceSubmission:
    issues = [issue for each in found for issue in each.issues]
    tables: dict[str, SourceTable | PendingTable] = {}
    sources: dict[str, list[str]] = {}
    for each in found:
        for given in each.tables:
            sources.setdefault(given.name, []).append(given.source)
            if given.table is not None and len(sources[given.name]) == 1:
                tables[given.name] = given.table
    for name, given_in in sources.items():
        if len(given_in) > 1:
            issues.append(
                make_issue(
                    "SHEET-DUPLICATE",
                    Location(table=name, source=given_in[1]),
                    table=name,
                    sources="; ".join(given_in),
                )
            )

    json_inputs = [each for each in found if each.kind == "json"]
    for table in standard.tables:
        if table.name in sources:
            continue
        if json_inputs:
            # A document without a list for a table has no rows of it.
            tables[table.name] = empty_json_table(table, json_inputs[0].tables[0].source)
        else:
            issues.append(
                make_issue(
                    "SHEET-MISSING",
                    Location(table=table.name),
                    table=table.name,
                    container=_container(found, table.name),
                )
            )
    order = [t.name for t in standard.tables]
    ordered = [tables[name] for name in order if name in tables]
    return SourceSubmission(
        inputs=inputs,
        tables={t.name: t for t in ordered if isinstance(t, SourceTable)},
        issues=issues,
        pending={t.name: t for t in ordered if isinstance(t, PendingTable)},
        order=order,
    )


def read_input(path: Path, standard: Standard) -> Found:
    """What one path holds, by its kind."""
    if not path.exists():
        raise InputError(f"{path} does not exist.")
    if path.is_dir():
        return read_csv_folder(path, standard)
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return read_workbook(path, standard)
    if suffix in CSV_SUFFIXES:
        return read_csv_file(path, standard)
    if suffix == ".json":
        return read_json(path, standard)
    if suffix == ".zip":
        with open_zip(path, "a zip file") as archive:
            if not is_workbook_zip(archive):
                return read_csv_zip(archive, path.name, standard)
        return read_workbook(path, standard)
    if suffix == ".xls":
        raise InputError(
            f"{path.name} is an Excel 97-2003 workbook (.xls): save it as Excel Workbook (.xlsx)."
        )
    raise InputError(f"{path.name} is not a kind of file that can be read: give {ACCEPTED}.")


def _container(found: list[Found], table: str) -> str:
    kinds = {each.container for each in found}
    if len(kinds) == 1:
        container = kinds.pop()
        return f"{container} ({table}.csv)" if container == "CSV file" else container
    return "sheet or CSV file"
