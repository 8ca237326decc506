"""The national Children's Social Care Placements Standard (draft 2026) -> children,
referrals, needs assessments, placements, providers and costs.

Reads its JSON-LD (one record, a list or a graph; context inline or by reference) and
both of its Excel templates (April and June 2026). Each national record is one search
with its outcome, so it becomes one search (referral), the needs recorded with it, and,
when it has an actual placement, one placement at the provider it names and one cost
period. Every national value has a field here (the schema's crosswalk says which), so
nothing is lost; what the national record lacks and this standard requires (a
placement's start date, an assessment tool) is derived or filled with a placeholder,
and the import report says which.

Officers' names (the national quality-assurance part) are staff personal data: they are
kept in the LA's own copy only (fields marked sharing: drop), so `sufficiency
pseudonymise` removes them and a hub never loads them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Unpack

from sufficiency_standard.importers.common import (
    ImportOptions,
    ImportOutput,
    RowNotes,
    SubmissionBuilder,
    unique_id,
)
from sufficiency_standard.issues import InputError
from sufficiency_standard.national.crosswalk import Crossing, crossings
from sufficiency_standard.national.record import NationalRecord, Unreadable
from sufficiency_standard.national.vocabulary import vocabulary
from sufficiency_standard.standard import load_standard

_UNKNOWN_PROVIDER = "UNKNOWN-PROVIDER"
_TEMPLATE_EXAMPLE_CHILD = "ABCD2012"  # the example in both templates and the JSON-LD
# Our tables each national part fills (child_id and referral_id are keys, filled apart).
_KEYS = {"child_id", "referral_id"}


def import_national_standard(
    paths: Sequence[str | Path], **options: Unpack[ImportOptions]
) -> ImportOutput:
    """Build a submission from national JSON-LD files and Excel templates."""
    records: list[NationalRecord] = []
    notes: list[tuple[str, str]] = []
    for path in map(Path, paths):
        found, read_notes = read_national(path)
        records += found
        notes += [(path.name, note) for note in read_notes]
    standard = load_standard(options.get("standard_version"))
    builder = _NationalImport(standard, [], options)
    builder.report.inputs = [Path(p).name for p in paths]
    for source, note in notes:
        where, _, reason = note.partition(": ") if note.startswith(source) else ("", "", note)
        kind = "derived" if " template (" in reason else "not carried"
        builder.report.add(kind, reason, source=where or source)
    for number, record in enumerate(records, start=1):
        builder.add_record(record, number)
    return builder.finish_submission()


def read_national(path: Path) -> tuple[list[NationalRecord], list[str]]:
    """The national records of one file: JSON-LD, or a workbook in a national template."""
    if not path.is_file():
        raise InputError(f"{path} does not exist or is not a file.")
    suffix = path.suffix.lower()
    if suffix in (".jsonld", ".json"):
        from sufficiency_standard.national.jsonld import read_jsonld

        return read_jsonld(path)
    if suffix in (".xlsx", ".xlsm"):
        from sufficiency_standard.national.excel import read_template

        return read_template(path)
    raise InputError(
        f"{path.name}: a national standard file is JSON-LD (.jsonld or .json) or its Excel "
        "template (.xlsx)."
    )


class _NationalImport(SubmissionBuilder):
    title = "the national placements standard"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.referral_ids: set[str] = set()
        self.crossings = crossings(self.standard.version)

    def add_record(self, record: NationalRecord, number: int) -> None:
        at = RowNotes(self.report, record.source, record.location.row or number)
        values = self._readable(record, at)
        child = values.get("childId")
        if not child:
            at.note("not carried", "the record has no childId, so it was left out.")
            return
        if child == _TEMPLATE_EXAMPLE_CHILD:
            at.note(
                "derived",
                "this is the national template's own example record (child ABCD2012), "
                "imported like any other: delete it from the file if it is not one of yours.",
                "children.child_id",
            )
        self.child(child)
        referral = self._fill("referrals", values, at)
        referral["child_id"] = child
        referral["referral_id"] = self._referral_id(record, values, child, at)
        placed = record.has_part("ActualPlacement")
        referral["outcome"] = "Placed" if placed else None
        self.submission["referrals"].append(referral)
        if referral.get("referral_date") is None:
            at.note("not filled", "the record has no referralDate.", "referrals.referral_date")
        needs = self._fill("needs_assessments", values, at)
        needs.update(
            needs_id=f"{referral['referral_id']}-needs",
            child_id=child,
            referral_id=referral["referral_id"],
            assessment_date=referral.get("referral_date"),
            assessment_tool="Not recorded",
        )
        at.note(
            "derived",
            "the needs are those recorded with the referral, so dated by its referralDate.",
            "needs_assessments.assessment_date",
        )
        at.note(
            "placeholder",
            'the national standard does not name the needs assessment tool: "Not recorded".',
            "needs_assessments.assessment_tool",
        )
        self._other_risks(values, needs, at)
        self.submission["needs_assessments"].append(needs)
        if placed:
            self._placement(values, referral, needs, at)

    def _readable(self, record: NationalRecord, at: RowNotes) -> dict[str, Any]:
        """The record's values, with each value that could not be read noted, not lost."""
        values: dict[str, Any] = {}
        for prop, value in record.values.items():
            items = value if isinstance(value, list) else [value]
            kept = [self._meant(prop, v, at) for v in items]
            kept = [v for v in kept if v is not None]
            if isinstance(value, list):
                values[prop] = kept or None
            elif kept:
                values[prop] = kept[0]
        return values

    def _meant(self, prop: str, value: Any, at: RowNotes) -> Any:
        """A value as read, or the concept its label names (JSON-LD processors drop a
        label in an IRI-typed property such as outOfLAReason, but its author meant the
        concept); None, noted, when it cannot be read at all."""
        if not isinstance(value, Unreadable):
            return value
        target = self._target_of(prop)
        known = vocabulary().properties.get(prop)
        meant = vocabulary().concept_from_label(known, value.text) if known else None
        if meant is not None:
            at.note(
                "derived",
                f"{prop} is written as a label JSON-LD processors do not read as a concept; "
                "it was read as the concept the label names.",
                target,
                value.text,
            )
            return meant
        at.note("not carried", f"{prop} {value.reason}.", target)
        return None

    def _target_of(self, prop: str) -> str | None:
        return next((c.target for c in self.crossings if c.prop.name == prop), None)

    def _fill(self, table: str, values: dict[str, Any], at: RowNotes) -> dict[str, Any]:
        """The row of `table` from the record's values, by the crosswalk."""
        row: dict[str, Any] = {}
        for found in self.crossings:
            if found.table != table or found.field.name in _KEYS:
                continue
            value = values.get(found.prop.name)
            if value is None:
                continue
            converted = self._converted(found, value, at)
            if converted is not None:
                row[found.field.name] = converted
        return row

    def _converted(self, found: Crossing, value: Any, at: RowNotes) -> Any:
        converted = found.to_ours(value)
        if converted is None:
            at.note(
                "not carried",
                f"{found.prop.name} has no counterpart among the codes of {found.field.name}.",
                found.target,
                value,
            )
        elif found.match == "inverse":
            at.note(
                "derived",
                f"{found.prop.name} asks the opposite question, so the answer was turned round.",
                found.target,
            )
        if found.field.kind == "string" and found.field.multivalued and isinstance(converted, str):
            converted = [converted]
        return converted

    def _referral_id(
        self, record: NationalRecord, values: dict[str, Any], child: str, at: RowNotes
    ) -> str:
        given = values.get("placementId")
        if given:
            if given in self.referral_ids:
                at.note(
                    "derived",
                    "the placementId is used by an earlier record, so this search's ID was "
                    "made unique.",
                    "referrals.referral_id",
                )
            return unique_id(given, self.referral_ids)
        wanted = (record.record_id or "").rsplit("/", 1)[-1].rsplit(":", 1)[-1] or child
        at.note(
            "derived",
            "the record has no placementId, so the search's ID is made from its @id, or its "
            "childId.",
            "referrals.referral_id",
        )
        return unique_id(wanted, self.referral_ids)

    def _other_risks(self, values: dict[str, Any], needs: dict[str, Any], at: RowNotes) -> None:
        """The April template's free-text other risks to others."""
        texts = values.get("riskToOthersOther")
        if texts:
            needs["other_risks"] = list(texts)
            needs["risk_to_others_other"] = "Present (level not recorded)"
            at.note(
                "derived",
                "a risk to others described in risk_to_others_other is a risk present.",
                "needs_assessments.risk_to_others_other",
            )

    def _placement(
        self, values: dict[str, Any], referral: dict[str, Any], needs: dict[str, Any], at: RowNotes
    ) -> None:
        start: dt.date | None = values.get("placementDate")
        placement = self._fill("placements", values, at)
        placement_id = unique_id(f"{referral['referral_id']}-placement", self.placement_ids)
        placement.update(
            placement_id=placement_id,
            child_id=referral["child_id"],
            referral_id=referral["referral_id"],
            needs_id=needs["needs_id"],
            start_date=start,
        )
        if start is None:
            at.note(
                "not filled",
                "the national record has no placement start date, nor a placementDate.",
                "placements.start_date",
            )
        else:
            at.note(
                "derived",
                "the placement starts on its placementDate (the June 2026 template: "
                '"Date of agreed placement start").',
                "placements.start_date",
            )
        if "placement_type" not in placement:
            at.note("not filled", "the record has no placementType.", "placements.placement_type")
        urn = values.get("providerURN")
        pattern = self.standard.table("providers").field("ofsted_provider_urn").pattern or ".*"
        if urn and re.fullmatch(pattern, urn):
            placement["provider_id"] = self.provider(urn, None, ofsted_provider_urn=urn)
        else:
            if urn:
                at.note(
                    "not carried",
                    "providerURN is not an Ofsted provider URN (up to four letters and 6 to 10 "
                    "digits).",
                    "providers.ofsted_provider_urn",
                )
            placement["provider_id"] = self.provider(
                _UNKNOWN_PROVIDER, "Provider not given in the record"
            )
            at.note(
                "placeholder",
                "the record names no provider by an Ofsted URN, so the placement points at a "
                "placeholder provider.",
                "placements.provider_id",
            )
        self.submission["placements"].append(placement)
        cost = self._fill("costs", values, at)
        if cost:
            cost.update(
                cost_id=f"{placement_id}-cost",
                placement_id=placement_id,
                cost_start_date=start,
                cost_basis="Actual",
            )
            self.submission["costs"].append(cost)
            at.note(
                "derived",
                "the cost period starts with the placement: the national record gives no "
                "date the price started.",
                "costs.cost_start_date",
            )
            at.note(
                "derived",
                'the national total is "the actual weekly fee paid": basis Actual.',
                "costs.cost_basis",
            )
            if cost.get("total_weekly_cost") is None:
                at.note(
                    "not filled", "the record has no totalWeeklyCost.", "costs.total_weekly_cost"
                )

    def finish_submission(self) -> ImportOutput:
        return self.finish_from_dates(
            (r.get("referral_date") for r in self.submission["referrals"]),
            "the earliest referral date",
            "the national standard does not name the LA: give its GSS code (--la-code).",
        )


__all__ = ["import_national_standard", "read_national"]
