"""Importers: build the standard's tables from what LAs already produce.

- `ssda903`: the SSDA903 return's header and episodes tables (and its UASC table);
- `national-standard`: the national Children's Social Care Placements Standard (its
  JSON-LD and its Excel templates);
- `placements-standard`: the regional care co-operatives' placements returns (national,
  Greater Manchester and South East variants);
- `pnw-census`: the Placements North West census.

Each returns a submission dict (the JSON shape of models.Submission) and an
ImportReport of every value it could not carry over, fill or copy as it was.
`import_command` is the body of `sufficiency import`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sufficiency_standard.importers.common import ImportOutput, ImportReport, write_submission
from sufficiency_standard.importers.national_standard import import_national_standard
from sufficiency_standard.importers.placements_standard import import_placements_standard
from sufficiency_standard.importers.pnw_census import import_pnw_census
from sufficiency_standard.importers.ssda903 import import_ssda903
from sufficiency_standard.issues import InputError
from sufficiency_standard.report.model import Report

Importer = Callable[..., ImportOutput]

IMPORTERS: dict[str, Importer] = {
    "ssda903": import_ssda903,
    "national-standard": import_national_standard,
    "placements-standard": import_placements_standard,
    "pnw-census": import_pnw_census,
}


@dataclass
class ImportResult:
    written: Path
    report_path: Path
    report: ImportReport
    validation: Report


def import_command(
    format_name: str,
    inputs: Sequence[str | Path],
    out: str | Path,
    *,
    la_code: str | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    extract_date: dt.date | None = None,
    standard_version: str | None = None,
) -> ImportResult:
    """`sufficiency import`: import, write the submission, write the import report beside
    it (`<out>.import-report.txt`), and validate what was written."""
    from sufficiency_standard.standard import load_standard
    from sufficiency_standard.validation import validate

    importer = IMPORTERS.get(format_name)
    if importer is None:
        raise InputError(
            f"{format_name} is not a format that can be imported: use one of "
            f"{', '.join(IMPORTERS)}."
        )
    out = Path(out)
    if out.exists() and (out.is_file() or any(out.iterdir())):
        raise InputError(f"{out} already exists: give another --out, or delete it first.")
    standard = load_standard(standard_version)
    submission, report = importer(
        inputs,
        la_code=la_code,
        period_start=period_start,
        period_end=period_end,
        extract_date=extract_date,
        standard_version=standard.version,
    )
    written = write_submission(submission, out, standard.version)
    report_path = out.with_name(out.name + ".import-report.txt")
    report_path.write_text(report.render(), encoding="utf-8")
    return ImportResult(written, report_path, report, validate(written, standard.version))


__all__ = ["IMPORTERS", "ImportReport", "ImportResult", "import_command"]
