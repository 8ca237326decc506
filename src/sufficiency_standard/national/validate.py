"""`sufficiency validate record.jsonld`: a national JSON-LD file checked against the
national standard's shape, reported as any submission is (same report forms, exit codes
and plain-English messages, each naming the record's JSON path)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from sufficiency_standard.catalogue import make_issue
from sufficiency_standard.issues import Location
from sufficiency_standard.national.check import check_records
from sufficiency_standard.national.jsonld import looks_national, read_document
from sufficiency_standard.report.model import Report, VersionChoice

_SNIFF = 1 << 16  # JSON-LD names its context or types near its start
NATIONAL_SHAPE_VERSION = "1.0.0"  # owl:versionInfo of the national shape (draft 2026)


def national_report(path: Path, progress: Callable[[str], None] | None = None) -> Report | None:
    """The report on a national JSON-LD file, or None when the file is not one (it is then
    read as a submission of this standard)."""
    if not path.is_file() or path.suffix.lower() not in (".jsonld", ".json"):
        return None
    try:
        with path.open("rb") as handle:
            start = handle.read(_SNIFF)
        if b'"@context"' not in start and b'"@graph"' not in start and b'"@type"' not in start:
            return None  # a submission of this standard: not parsed twice
        document = json.loads(path.read_text(encoding="utf-8-sig"), parse_float=Decimal)
    except (OSError, ValueError):  # not UTF-8, not JSON, a number too long to read
        return None  # the submission reader says why, in its own words
    if not looks_national(document):
        return None
    step = progress or (lambda _stage: None)
    step("reading")
    records, notes = read_document(document, path.name)
    step("checking")
    issues = [make_issue("NAT-READ-NOTE", Location(source=path.name), note=note) for note in notes]
    issues += check_records(records)
    step("reporting")
    choice = VersionChoice(NATIONAL_SHAPE_VERSION, "national")
    return Report(choice, [path.name], issues, {"national records": len(records)})
