"""A submission of this standard -> national records: one per search (referral), with
its outcome, conformant to the national SHACL shape where the submission holds what
the shape requires.

Which rows a record is made of: the search; the needs assessment recorded with it (the
placement's own, else the latest for the search); the first placement the search ended
in; that placement's first cost period. The export report (the import report's form)
lists every value the national standard cannot hold, every value derived, and every
required national value the submission does not give, record by record.

Officers' names (kept in an LA's own copy only) are written, because the national shape
requires the placement officer's name, unless `officer_names=False`; a pseudonymised
submission holds none, and the report then says which records cannot conform.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sufficiency_standard.importers.common import ImportReport
from sufficiency_standard.issues import InputError, Issue, Location
from sufficiency_standard.national.check import check_records
from sufficiency_standard.national.crosswalk import Crossing, crossings
from sufficiency_standard.national.record import NationalRecord
from sufficiency_standard.national.vocabulary import vocabulary

_OFFICERS = ("referralOfficerName", "placementOfficerName", "costOfficerName")
# Our table -> which of a search's rows (see _rows_of) holds its fields.
_ROW_OF_TABLE = {
    "referrals": "referral",
    "needs_assessments": "needs",
    "placements": "placement",
    "providers": "provider",
    "costs": "cost",
}


@dataclass
class ExportResult:
    records: list[NationalRecord]
    ids: list[str]
    report: ImportReport
    issues: list[Issue]  # what the national shape finds in the records written


def submission_to_records(
    tables: Mapping[str, Sequence[Mapping[str, Any]]],
    source: str,
    *,
    officer_names: bool = True,
    placement_officer: str | None = None,
) -> tuple[list[NationalRecord], list[str], ImportReport]:
    """National records from a submission's tables (rows as dicts of typed values)."""
    report = ImportReport("the national placements standard", [source], heading="Export to")
    la = (tables.get("submission") or [{}])[0].get("la_code") or "LA"
    by_referral: dict[str, dict[str, list[Mapping[str, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for table in ("needs_assessments", "placements"):
        for row in tables.get(table, ()):
            if row.get("referral_id"):
                by_referral[row["referral_id"]][table].append(row)
    costs: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in tables.get("costs", ()):
        costs[row["placement_id"]].append(row)
    providers = {row["provider_id"]: row for row in tables.get("providers", ())}
    walk = [c for c in crossings() if c.field.name not in ("child_id", "referral_id")]
    records, ids = [], []
    for number, referral in enumerate(tables.get("referrals", ()), start=1):
        rows = _rows_of(referral, by_referral[referral["referral_id"]], costs, providers)
        record = NationalRecord(source, Location(table="referrals", row=number + 1))
        record.put("childId", referral["child_id"])
        record.put("placementId", referral["referral_id"])
        for cls, link in vocabulary().classes:
            if link and (cls != "ActualPlacement" or rows["placement"]):
                record.put(link, True)
        notes = _Notes(report, number + 1)
        for found in walk:
            row = rows.get(_ROW_OF_TABLE[found.table])
            if row is None or found.field.name not in row:
                continue
            _put(record, found, row[found.field.name], notes)
        _officers(record, officer_names, placement_officer, notes)
        _derive(record, referral, rows, notes)
        if rows["needs"] and rows["needs"].get("other_risks"):
            record.put("riskToOthersOther", list(rows["needs"]["other_risks"]))
        records.append(record)
        ids.append(f"urn:sufficiency-standard:{la}:search:{referral['referral_id']}")
    report.rows_written = {"national records": len(records)}
    return records, ids, report


def _rows_of(
    referral: Mapping[str, Any],
    linked: Mapping[str, list[Mapping[str, Any]]],
    costs: Mapping[str, list[Mapping[str, Any]]],
    providers: Mapping[str, Mapping[str, Any]],
) -> dict[str, Mapping[str, Any] | None]:
    def first(rows: Sequence[Mapping[str, Any]], key: str) -> Mapping[str, Any] | None:
        return min(rows, key=lambda r: r.get(key) or dt.date.max, default=None)

    placement = first(linked["placements"], "start_date")
    needs_by_id = {n["needs_id"]: n for n in linked["needs_assessments"]}
    needs = (placement and needs_by_id.get(placement.get("needs_id"))) or max(
        linked["needs_assessments"],
        key=lambda r: r.get("assessment_date") or dt.date.min,
        default=None,
    )
    cost = first(costs.get(placement["placement_id"], []), "cost_start_date") if placement else None
    provider = providers.get(placement["provider_id"]) if placement else None
    return {
        "referral": referral,
        "needs": needs,
        "placement": placement,
        "cost": cost,
        "provider": provider,
    }


class _Notes:
    def __init__(self, report: ImportReport, row: int) -> None:
        self.report, self.row = report, row

    def __call__(self, kind: str, reason: str, target: str, value: Any = None) -> None:
        self.report.add(kind, reason, source="referrals", target=target, row=self.row, value=value)  # type: ignore[arg-type]


def _put(record: NationalRecord, found: Crossing, value: Any, notes: _Notes) -> None:
    if value is None or value == [] or value == ():
        return
    if found.field.multivalued and isinstance(value, str):
        value = [part.strip() for part in value.split(";") if part.strip()]  # free text, typed
    if found.prop.kind == "decimal" and isinstance(value, float):
        value = Decimal(repr(value))  # money is typed as a float: its shortest exact form
    if found.prop.name == "placementLocation":
        value = str(value).split(" ")[0]  # a district: the national standard holds no sector
    converted = found.to_national(list(value) if isinstance(value, tuple) else value)
    if converted is None:
        notes(
            "not carried",
            f"the national {found.prop.name} has nothing that stands for this value.",
            found.target,
            value,
        )
        return
    if (
        found.prop.kind == "string"
        and found.prop.multivalued is False
        and isinstance(converted, list)
    ):
        converted = "; ".join(converted)
    if found.match in ("broader", "close") and found.prop.kind == "concept":
        codes = {v.value: v for v in found.field.code_list.values} if found.field.code_list else {}
        for one in value if isinstance(value, list | tuple) else [value]:
            code = codes.get(one)
            if code is not None and code.national_match in ("broader", "close"):
                notes(
                    "derived",
                    f"the national {found.prop.name} has only a broader value for this one.",
                    found.target,
                    one,
                )
    record.put(found.prop.name, converted)


def _derive(
    record: NationalRecord,
    referral: Mapping[str, Any],
    rows: Mapping[str, Mapping[str, Any] | None],
    notes: _Notes,
) -> None:
    """National values the submission holds in another form."""
    if (
        record.get("neededBy") is None
        and referral.get("needed_by_date")
        and referral.get("referral_date")
    ):
        days = (referral["needed_by_date"] - referral["referral_date"]).days
        concept = (
            "pu:Today" if days <= 0 else "pu:WithinFiveDays" if days <= 5 else "pu:MoreThanFiveDays"
        )
        record.put("neededBy", concept)
        notes(
            "derived",
            "neededBy is the national category of the days from the referral to the "
            "needed-by date.",
            "referrals.urgency",
        )
    placement, cost = rows["placement"], rows["cost"]
    if placement and record.get("placementDate") is None and placement.get("start_date"):
        record.put("placementDate", placement["start_date"])
        notes(
            "derived",
            "placementDate is the placement's start date (the June 2026 template: \"Date of "
            'agreed placement start").',
            "referrals.placement_recorded_date",
        )
    if cost and record.get("costDate") is None and cost.get("cost_start_date"):
        record.put("costDate", cost["cost_start_date"])
        notes(
            "derived",
            "costDate is the start of the placement's first cost period.",
            "referrals.cost_recorded_date",
        )
    for prop in vocabulary().properties.values():
        if prop.required and prop.kind != "link" and record.get(prop.name) is None:
            if prop.cls == "ActualPlacement" and not placement:
                continue
            target = next((c.target for c in crossings() if c.prop.name == prop.name), "")
            notes(
                "not filled",
                f"the national standard requires {prop.name}, and the submission does not "
                "give it: the record will not conform.",
                target,
            )


def _officers(
    record: NationalRecord, officer_names: bool, placement_officer: str | None, notes: _Notes
) -> None:
    if not officer_names:
        for prop in _OFFICERS:
            record.put(prop, None)
    if record.get("placementOfficerName") is None and placement_officer:
        record.put("placementOfficerName", placement_officer)
        notes(
            "placeholder",
            "placementOfficerName is the name given with --placement-officer.",
            "referrals.placement_officer",
        )


def _context_beside(out: Path, report: ImportReport) -> None:
    """The national context written beside records that reference it, so they resolve."""
    from sufficiency_standard.national.jsonld import national_context

    beside = out.with_name("context.jsonld")
    text = json.dumps({"@context": national_context()}, indent=2, ensure_ascii=False) + "\n"
    if not beside.exists():
        beside.write_text(text, encoding="utf-8")
    elif json.loads(beside.read_text(encoding="utf-8")) != json.loads(text):
        report.add(
            "not carried",
            "context.jsonld beside the records is not the national context, and was left "
            "as it is: the records reference it.",
            source=beside.name,
        )


def export_national(
    submission: Path,
    out: Path,
    *,
    template: str = "2026-06",
    context: str = "inline",
    officer_names: bool = True,
    placement_officer: str | None = None,
    standard_version: str | None = None,
) -> ExportResult:
    """`sufficiency export national-standard`: read a submission, write national records
    (JSON-LD, or the Excel template by the name of `out`), and check them."""
    from sufficiency_standard.validation import validate_typed

    suffix = out.suffix.lower()
    if suffix not in (".jsonld", ".json", ".xlsx"):
        raise InputError(f"{out.name}: write national records to a .jsonld or .xlsx file.")
    validation, typed = validate_typed(submission, standard_version)
    if not typed or "referrals" not in typed:
        raise InputError(f"{submission} has no referrals table to export.")
    tables = {name: table.frame.to_dicts() for name, table in typed.items()}
    records, ids, export_report = submission_to_records(
        tables,
        submission.name,
        officer_names=officer_names,
        placement_officer=placement_officer,
    )
    if not validation.valid:
        export_report.add(
            "not filled",
            f"the submission does not meet the standard ({validation.counts['error']} "
            "errors): values it holds in error were exported as they were read, or not at "
            "all. Validate it and fix it first.",
            source=submission.name,
        )
    if not records:
        raise InputError(f"{submission} holds no search (referral) to export.")
    if suffix == ".xlsx":
        from sufficiency_standard.national.excel import write_template

        for note in write_template(records, out, template):
            export_report.add("not carried", note, source=out.name)
    else:
        from sufficiency_standard.national.jsonld import write_jsonld

        write_jsonld(records, ids, out, context)
        if context == "reference":
            _context_beside(out, export_report)
    return ExportResult(records, ids, export_report, check_records(records))
