"""The national regional-care placements standard (one row per placement, as the regional
care co-operative pipelines collect it) -> children, referrals, needs assessments,
placements, providers, settings and costs.

Columns are found as the regional pipelines find them: a header cell is a column when
it starts with the column's name as a whole word, so guidance written after the name
("child_ID (the ID in your case-management system)") does not matter. The national,
Greater Manchester and South East variants, and the older April 2026 names
(core_cost, other_costs...), are all read. Codes are mapped to the standard's; the few
the standard words differently ("A worker for respite", "Risk present") are listed
below, and anything else is reported, never guessed.

Each row becomes one child, one search (referral) that ended in a placement, one needs
assessment, one placement and one cost period. The return has no date of referral,
assessment or cost change, so: the search is dated by `date_entry_referral` (when the
referral was entered), the assessment by that date too, and the cost period starts
with the placement. `when_placement_is_needed_by` gives the needed-by date only for
"Today" (the referral date) and "< 5 days" (five days after it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sufficiency_standard.importers.common import (
    ImportReport,
    Table,
    code_of,
    codes_by_key,
    empty_submission,
    find_table,
    leading,
    parse_count,
    parse_date,
    parse_money,
    read_grids,
    standard_codes,
    unique_id,
)
from sufficiency_standard.issues import InputError
from sufficiency_standard.postcodes import generalise_postcode
from sufficiency_standard.standard import Standard, load_standard

# source column -> the names it has had in the national, GM and SE specifications
COLUMNS = {
    "child_ID": leading("child_ID"),
    "when_placement_is_needed_by": leading("when_placement_is_needed_by"),
    "number_of_siblings_to_place_with": leading("number_of_siblings_to_place_with"),
    "preferred_location_for_home_search": leading("preferred_location_for_home_search"),
    "preferred_location_reason": leading(
        "preferred_location_diff_la_reason", "preferred_location_for_outside_LA_home_search_reason"
    ),
    "communication_language_learning_needs": leading("communication_language_learning_needs"),
    "specific_communication_and_language_requirements": leading(
        "specific_communication_and_language_requirements"
    ),
    "adaptation_to_the_home": leading("adaptation_to_the_home"),
    "cultural_needs": leading("cultural_needs"),
    "who_can_the_child_be_cared_for_alongside": leading("who_can_the_child_be_cared_for_alongside"),
    "can_child_live_with_pets": leading("can_child_live_with_pets"),
    "additional_support": leading("additional_support"),
    "mental_health_diagnosis": leading("mental_health_diagnosis"),
    "neurodevelopmental_diagnosis": leading("neurodevelopmental_diagnosis"),
    "open_to_CAMHS": leading("open_to_CAMHS"),
    "dol": leading("dol"),
    "needs_assessment": leading("needs_assessment"),
    "uasc": leading("uasc"),
    "foster_care_suitability": leading("foster_care_suitability"),
    "residential_care_suitability": leading("residential_care_suitability"),
    "supported_accommodation_suitability": leading("supported_accommodation_suitability"),
    "risk_to_child_self_harm": leading("risk_to_child_self_harm"),
    "risk_to_child_sexual_exploitation": leading(
        "risk_to_child_sexual_exploitation", "sexual_exploitation"
    ),
    "risk_to_child_criminal_exploitation": leading("risk_to_child_criminal_exploitation"),
    "risk_to_child_drug_and_alcohol_use": leading("risk_to_child_drug_and_alcohol_use"),
    "risk_to_child_eating_disorder": leading("risk_to_child_eating_disorder"),
    "risk_to_child_going_missing": leading("risk_to_child_going_missing"),
    "risk_to_others_physical_harm": leading("risk_to_others_physical_harm"),
    "risk_to_others_sexual_harm": leading("risk_to_others_sexual_harm"),
    "risk_to_others_fire_setting": leading("risk_to_others_fire_setting"),
    "risk_to_others_harm_to_animals": leading("risk_to_others_harm_to_animals"),
    "risk_to_others_criminal_exploitation": leading("risk_to_others_criminal_exploitation"),
    "placement_start_date": leading("placement_start_date"),
    "core_weekly": leading("cost_core_weekly", "core_cost"),
    "additional_support_weekly": leading(
        "cost_additional_support_weekly", "additional_support_cost"
    ),
    "education_weekly": leading("cost_education_weekly", "education_cost"),
    "other_weekly": leading("cost_other_weekly", "other_costs"),
    "total_weekly_cost": leading("total_weekly_cost"),
    "placement_location": leading("placement_location"),
    "preferability_of_placement_location": leading("preferability_of_placement_location"),
    "location_reason": leading("placement_location_non_preferable_reason", "isLocationPreferred"),
    "education_continuity": leading("education_continuity"),
    "provider_URN": leading("provider_URN"),
    "how_many_siblings_were_placed_together": leading("how_many_siblings_were_placed_together"),
    "placement_type": leading("placement_type"),
    "placement_type_offers": leading("placement_type_offers"),
    "placement_sourced": leading("placement_sourced"),
    "date_entry_referral": leading("date_entry_referral"),
    "name_of_officer_referral": leading("name_of_officer_referral"),
    "name_of_officer_placement": leading("name_of_officer_placement"),
    "date_entry_placement": leading("date_entry_placement", "date_entry_placement_admin"),
    "name_of_officer_placement_cost": leading("name_of_officer_placement_cost"),
    "date_entry_placement_cost": leading("date_entry_placement_cost"),
}

# Coded source column -> (table, field) of the standard it fills.
_CODED = {
    "communication_language_learning_needs": ("needs_assessments", "communication_needs"),
    "specific_communication_and_language_requirements": (
        "needs_assessments",
        "communication_requirements",
    ),
    "adaptation_to_the_home": ("needs_assessments", "adaptation_to_home"),
    "cultural_needs": ("needs_assessments", "cultural_needs"),
    "additional_support": ("needs_assessments", "additional_support"),
    "mental_health_diagnosis": ("needs_assessments", "mental_health_diagnosis"),
    "neurodevelopmental_diagnosis": ("needs_assessments", "neurodevelopmental_diagnosis"),
    "dol": ("needs_assessments", "deprivation_of_liberty"),
    "needs_assessment": ("needs_assessments", "assessment_tool"),
    "who_can_the_child_be_cared_for_alongside": ("referrals", "cared_alongside"),
    "can_child_live_with_pets": ("referrals", "pets"),
    "foster_care_suitability": ("referrals", "foster_care_suitability"),
    "residential_care_suitability": ("referrals", "residential_care_suitability"),
    "supported_accommodation_suitability": ("referrals", "supported_accommodation_suitability"),
    "uasc": ("children", "uasc"),
    "preferability_of_placement_location": ("placements", "location_preferable"),
    "location_reason": ("placements", "location_reason"),
    "education_continuity": ("placements", "education_continuity"),
    "placement_type": ("placements", "placement_type"),
    "placement_sourced": ("placements", "sourcing_route"),
}
_RISKS = {
    "risk_to_child_self_harm": "risk_to_child_self_harm",
    "risk_to_child_sexual_exploitation": "risk_to_child_sexual_exploitation",
    "risk_to_child_criminal_exploitation": "risk_to_child_criminal_exploitation",
    "risk_to_child_drug_and_alcohol_use": "risk_to_child_drugs_alcohol",
    "risk_to_child_eating_disorder": "risk_to_child_eating_disorder",
    "risk_to_child_going_missing": "risk_to_child_going_missing",
    "risk_to_others_physical_harm": "risk_to_others_physical_harm",
    "risk_to_others_sexual_harm": "risk_to_others_sexual_harm",
    "risk_to_others_fire_setting": "risk_to_others_fire_setting",
    "risk_to_others_harm_to_animals": "risk_to_others_harm_to_animals",
    "risk_to_others_criminal_exploitation": "risk_to_others_criminal_exploitation",
}
_CODED |= {column: ("needs_assessments", target) for column, target in _RISKS.items()}

# The regional wording of codes the standard words differently.
_SYNONYMS = codes_by_key(
    {
        "Only with other older children": "Only with older children",
        "Only with other younger children": "Only with younger children",
        "A worker for respite": "Respite worker",
        "Taxis to school": "Transport to school",
        "N/A": "None",
        "Risk present": "Present (level not recorded)",
        "Other - formalised needs assessment tool": "Other formalised tool",
        "Other formalised need assessment tool": "Other formalised tool",
        "Other - social worker assessment": "Social worker assessment",
        "Other social worker assessment": "Social worker assessment",
        "RCC contract": "Regional contract",
        "Secure Welfare Hub": "Secure welfare",
        "CYP / parental preference": "CYP/parental preference",
    }
)
_NOT_CARRIED = {
    "preferred_location_for_home_search": "the standard has no field for whether a location "
    "was preferred for the search.",
    "preferred_location_reason": "the standard has no field for why a search looked outside "
    "the LA.",
    "open_to_CAMHS": "the standard has no field for being open to CAMHS.",
    "date_entry_placement": "the date the placement was entered is not part of the standard.",
    "date_entry_placement_cost": "the date the cost was entered is not part of the standard.",
    "name_of_officer_referral": "officers' names are personal data the standard leaves out.",
    "name_of_officer_placement": "officers' names are personal data the standard leaves out.",
    "name_of_officer_placement_cost": "officers' names are personal data the standard leaves out.",
}
_NEEDED_BY = {"today": 0, "<5days": 5}  # days after the referral date
_UNKNOWN_PROVIDER = "UNKNOWN-PROVIDER"


def import_placements_standard(
    paths: Sequence[str | Path],
    *,
    la_code: str | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    extract_date: dt.date | None = None,
    standard_version: str | None = None,
) -> tuple[dict[str, Any], ImportReport]:
    """Build a submission from one or more regional placements-standard files."""
    standard = load_standard(standard_version)
    tables = _tables([Path(p) for p in paths])
    report = ImportReport("the regional placements standard", [t.grid.name for t in tables])
    submission = empty_submission(standard)
    rows = _Rows(standard, report, submission)
    for table in tables:
        for _, header in table.unread_columns():
            report.add(
                "not carried",
                "not a column of the regional placements standard.",
                source=f"{table.grid.name}, column {header}",
            )
        for row, cells in table.body:
            rows.add(table, row, cells)
    if rows.unknown_provider:
        submission["providers"].append(
            {"provider_id": _UNKNOWN_PROVIDER, "provider_name": "Provider not given in the return"}
        )
    dates = [p["start_date"] for p in submission["placements"] if p.get("start_date")]
    _fill_submission(
        submission, standard, report, la_code, period_start, period_end, extract_date, dates
    )
    report.rows_written = {
        t.name: len(submission[t.name]) for t in standard.tables if not t.one_row
    }
    return submission, report


def _tables(paths: Sequence[Path]) -> list[Table]:
    tables = []
    for path in paths:
        for grid in read_grids(path):
            table = find_table(grid, COLUMNS)
            if table is not None and "child_ID" in table.columns:
                tables.append(table)
    if not tables:
        raise InputError(
            "No regional placements-standard table was found: no sheet or file has a "
            "child_ID column."
        )
    return tables


class _Rows:
    """Turns each row into the standard's rows, noting what could not be carried."""

    def __init__(self, standard: Standard, report: ImportReport, submission: dict[str, Any]):
        self.standard = standard
        self.report = report
        self.submission = submission
        self.children: dict[str, dict[str, Any]] = {}
        self.taken: set[str] = set()
        self.unknown_provider = False
        self.settings: set[str] = set()
        self.urn = re.compile(standard.table("settings").field("setting_urn").pattern or ".*")

    def code(self, table: Table, row: int, cells: list[str | None], column: str) -> str | None:
        """The standard's code for a coded column's value, or None (noted when not blank)."""
        text = table.value(cells, column)
        if not text:
            return None
        target_table, target_field = _CODED[column]
        spec = self.standard.table(target_table).field(target_field)
        codes = standard_codes(self.standard, target_table, target_field)
        if spec.multivalued:
            items = [item.strip() for item in re.split(r"[;,]", text) if item.strip()]
            found = [
                code_of(item, codes) or code_of(code_of(item, _SYNONYMS), codes) for item in items
            ]
            if all(found):
                return "; ".join(dict.fromkeys(found))  # type: ignore[arg-type]
        else:
            found_code = code_of(text, codes) or code_of(code_of(text, _SYNONYMS), codes)
            if found_code:
                return found_code
        self.report.add(
            "not carried",
            "the value is not one of the standard's codes for this field.",
            source=table.grid.name,
            target=f"{target_table}.{target_field}",
            row=row,
            value=text,
        )
        return None

    def add(self, table: Table, row: int, cells: list[str | None]) -> None:
        source = table.grid.name
        child = (table.value(cells, "child_ID") or "").strip()
        if not child:
            self.report.add(
                "not carried",
                "the row has no child_ID, so it was left out.",
                source=source,
                row=row,
            )
            return
        for column, reason in _NOT_CARRIED.items():
            if table.value(cells, column):
                self.report.add("not carried", reason, source=f"{source}, column {column}", row=row)

        def coded(column: str) -> str | None:
            return self.code(table, row, cells, column)

        child_record = self.children.get(child)
        if child_record is None:
            child_record = self.children[child] = {"child_id": child}
            self.submission["children"].append(child_record)
        if (uasc := coded("uasc")) and "uasc" not in child_record:
            child_record["uasc"] = uasc

        start = parse_date(table.value(cells, "placement_start_date"))
        key = f"{start:%Y%m%d}" if start else f"row{row}"
        placement_id = unique_id(f"{child}-{key}", self.taken)
        referral_id = f"{placement_id}-search"
        needs_id = f"{placement_id}-needs"
        referral_date = parse_date(table.value(cells, "date_entry_referral"))

        referral: dict[str, Any] = {
            "referral_id": referral_id,
            "child_id": child,
            "referral_date": referral_date,
            "needed_by_date": None,
            "siblings_to_place_with": parse_count(
                table.value(cells, "number_of_siblings_to_place_with")
            ),
            "outcome": "Placed",
            "offers_received": parse_count(table.value(cells, "placement_type_offers")),
        }
        for column in (
            "foster_care_suitability",
            "residential_care_suitability",
            "supported_accommodation_suitability",
            "who_can_the_child_be_cared_for_alongside",
            "can_child_live_with_pets",
        ):
            referral[_CODED[column][1]] = coded(column)
        if referral_date is None:
            self.report.add(
                "not filled",
                "the return has no date of referral: date_entry_referral is blank or not a date.",
                source=source,
                target="referrals.referral_date",
                row=row,
            )
        else:
            self.report.add(
                "derived",
                "the search is dated by when the referral was entered (date_entry_referral).",
                source=source,
                target="referrals.referral_date",
                row=row,
            )
        needed = table.value(cells, "when_placement_is_needed_by")
        days = _NEEDED_BY.get(re.sub(r"\s+", "", (needed or "").casefold()))
        if days is not None and referral_date is not None:
            referral["needed_by_date"] = referral_date + dt.timedelta(days=days)
            self.report.add(
                "derived",
                "the needed-by date is the referral date plus the days when_placement_is_needed_by"
                " allows.",
                source=source,
                target="referrals.needed_by_date",
                row=row,
            )
        else:
            self.report.add(
                "not filled",
                "the standard needs the latest date the home was needed by; the return gives it "
                "only for Today and < 5 days.",
                source=source,
                target="referrals.needed_by_date",
                row=row,
                value=needed,
            )
        self.submission["referrals"].append(referral)

        needs: dict[str, Any] = {
            "needs_id": needs_id,
            "child_id": child,
            "referral_id": referral_id,
            "assessment_date": referral_date,
        }
        for column, (target_table, target_field) in _CODED.items():
            if target_table == "needs_assessments":
                needs[target_field] = coded(column)
        if referral_date is None:
            self.report.add(
                "not filled",
                "the needs were recorded with the referral, which has no date.",
                source=source,
                target="needs_assessments.assessment_date",
                row=row,
            )
        self.submission["needs_assessments"].append(needs)

        placement: dict[str, Any] = {
            "placement_id": placement_id,
            "child_id": child,
            "referral_id": referral_id,
            "start_date": start,
            "placement_type": coded("placement_type"),
            "provider_id": _UNKNOWN_PROVIDER,
            "location_preferable": coded("preferability_of_placement_location"),
            "location_reason": coded("location_reason"),
            "education_continuity": coded("education_continuity"),
            "siblings_placed_together": parse_count(
                table.value(cells, "how_many_siblings_were_placed_together")
            ),
            "sourcing_route": coded("placement_sourced"),
        }
        if start is None:
            self.report.add(
                "not filled",
                "placement_start_date is blank or not a date.",
                source=source,
                target="placements.start_date",
                row=row,
            )
        if placement["placement_type"] is None:
            self.report.add(
                "not filled",
                "the placement type is blank or not one the standard knows.",
                source=source,
                target="placements.placement_type",
                row=row,
            )
        self.unknown_provider = True
        self.report.add(
            "placeholder",
            "the return names the setting (provider_URN) but not the provider, so the placement "
            "points at a placeholder provider: replace it with the provider's Ofsted reference.",
            source=source,
            target="placements.provider_id",
            row=row,
        )
        location = table.value(cells, "placement_location")
        if location:
            sector = generalise_postcode(location)
            if sector:
                placement["placement_location"] = sector
            else:
                self.report.add(
                    "not carried",
                    "placement_location is not a postcode (the standard holds a postcode sector).",
                    source=source,
                    target="placements.placement_location",
                    row=row,
                )
        urn = (table.value(cells, "provider_URN") or "").strip().upper()
        if urn:
            if self.urn.match(urn):
                placement["setting_urn"] = urn
                if urn not in self.settings:
                    self.settings.add(urn)
                    self.submission["settings"].append(
                        {"setting_urn": urn, "provider_id": _UNKNOWN_PROVIDER}
                    )
            else:
                self.report.add(
                    "not carried",
                    "provider_URN is not an Ofsted URN (SC and 6 digits, or 7 digits).",
                    source=source,
                    target="placements.setting_urn",
                    row=row,
                    value=urn,
                )
        self.submission["placements"].append(placement)

        total = parse_money(table.value(cells, "total_weekly_cost"))
        components = {
            name: parse_money(table.value(cells, name))
            for name in (
                "core_weekly",
                "additional_support_weekly",
                "education_weekly",
                "other_weekly",
            )
        }
        if total is not None or any(v is not None for v in components.values()):
            cost = {
                "cost_id": f"{placement_id}-cost",
                "placement_id": placement_id,
                "cost_start_date": start,
                "total_weekly_cost": total,
            } | components
            self.submission["costs"].append(cost)
            self.report.add(
                "derived",
                "the cost period starts with the placement: the return gives no date the price "
                "started.",
                source=source,
                target="costs.cost_start_date",
                row=row,
            )
            if total is None:
                self.report.add(
                    "not filled",
                    "total_weekly_cost is blank or not an amount.",
                    source=source,
                    target="costs.total_weekly_cost",
                    row=row,
                )


def _fill_submission(
    submission: dict[str, Any],
    standard: Standard,
    report: ImportReport,
    la_code: str | None,
    period_start: dt.date | None,
    period_end: dt.date | None,
    extract_date: dt.date | None,
    dates: list[dt.date],
) -> None:
    """The submission row: from the options, else derived (and said so)."""
    extract = extract_date or dt.date.today()
    if extract_date is None:
        report.add(
            "derived",
            "the extract date is the day of the import.",
            source="options",
            target="submission.extract_date",
        )
    if period_end is None:
        period_end = extract
        report.add(
            "derived",
            "the period ends on the extract date.",
            source="options",
            target="submission.period_end",
        )
    if period_start is None:
        period_start = min(dates, default=period_end)
        report.add(
            "derived",
            "the period starts on the earliest date in the file.",
            source="options",
            target="submission.period_start",
        )
    if not la_code:
        report.add(
            "not filled",
            "the file does not name the LA: give its GSS code (--la-code).",
            source="options",
            target="submission.la_code",
        )
    submission.update(
        standard_version=standard.version,
        la_code=la_code,
        period_start=period_start,
        period_end=period_end,
        extract_date=extract,
    )
