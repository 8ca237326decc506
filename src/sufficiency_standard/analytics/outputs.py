"""The report's tables as files: one CSV per table with a manifest, and one workbook
with a sheet per table. Both hold exactly the suppressed frames the HTML shows."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Font

from sufficiency_standard.analytics.report import RegionReport
from sufficiency_standard.analytics.tables import SUPPRESSED, Table
from sufficiency_standard.report.workbook import append_row

_BOLD = Font(bold=True)
_SHEET_NAME_LIMIT = 31  # Excel's


def _rounded(frame: pl.DataFrame) -> pl.DataFrame:
    """Floats to 4 decimals: a model's 15 digits are noise to a reader."""
    return frame.with_columns(pl.col(pl.Float32, pl.Float64).round(4))


def write_tables(report: RegionReport, folder: Path) -> list[Path]:
    """Every table as `<name>.csv` (UTF-8, ISO dates, empty = withheld or unknown) and
    `tables.json`, which says what each holds."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    manifest = {
        "region": report.region,
        "as_of": report.as_of.isoformat(),
        "las": report.las,
        "small_number_threshold": report.threshold,
        "suppression": f"Counts from 1 to {report.threshold - 1}, and the figures computed "
        f"from them, are empty, with `{SUPPRESSED}` true in their row.",
        "standard_version": report.standard_version,
        "generated_at": report.generated_at.isoformat(),
        "generated_by": f"sufficiency-standard {report.tool_version}",
        "tables": [],
    }
    for section in report.sections:
        for table in section.tables:
            path = folder / f"{table.name}.csv"
            _rounded(table.frame).write_csv(path)
            written.append(path)
            manifest["tables"].append(
                {
                    "name": table.name,
                    "file": path.name,
                    "section": section.key,
                    "title": table.title,
                    "description": table.description,
                    "notes": table.notes,
                    "counts": list(table.counts),
                    "withheld_with_counts": list(table.derived),
                    "answers": list(table.answers),
                    "rows": table.frame.height,
                    "columns": {n: str(t) for n, t in table.frame.schema.items()},
                }
            )
    path = folder / "tables.json"
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written.append(path)
    return written


def sheet_names(tables: list[Table]) -> dict[str, str]:
    """A unique sheet name of at most 31 characters for each table."""
    names: dict[str, str] = {}
    used: set[str] = {"Contents"}
    for table in tables:
        base = table.name[:_SHEET_NAME_LIMIT]
        name, number = base, 2
        while name.lower() in {u.lower() for u in used}:
            suffix = f"~{number}"
            name = base[: _SHEET_NAME_LIMIT - len(suffix)] + suffix
            number += 1
        used.add(name)
        names[table.name] = name
    return names


def write_workbook(report: RegionReport, path: Path) -> Path:
    """A contents sheet, then one sheet per table: its title, what it holds, its notes,
    then the table. Text is always text (a provider's name never becomes a formula)."""
    book = Workbook(write_only=True)
    tables = report.tables
    names = sheet_names(tables)
    contents = book.create_sheet("Contents")
    append_row(contents, [f"Sufficiency report: {report.region}"], Font(bold=True, size=14))
    append_row(contents, [f"As of {report.as_of.isoformat()}; LAs: {', '.join(report.las)}"])
    append_row(
        contents,
        [
            f"Counts from 1 to {report.threshold - 1}, and the figures computed from them, "
            "are left empty (withheld so that no child can be recognised)."
        ],
    )
    append_row(contents, [])
    append_row(contents, ["Sheet", "Section", "Table", "What it holds"], _BOLD)
    by_name = {t.name: s for s in report.sections for t in s.tables}
    for table in tables:
        append_row(
            contents, [names[table.name], by_name[table.name].title, table.title, table.description]
        )
    for table in tables:
        sheet = book.create_sheet(names[table.name])
        append_row(sheet, [table.title], Font(bold=True, size=13))
        append_row(sheet, [table.description])
        for note in table.notes:
            append_row(sheet, [note])
        append_row(sheet, [])
        frame = _rounded(table.frame)
        append_row(sheet, frame.columns, _BOLD)
        for row in frame.iter_rows():
            append_row(sheet, [_cell(value) for value in row])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _cell(value: object) -> object:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


__all__ = ["sheet_names", "write_tables", "write_workbook"]
