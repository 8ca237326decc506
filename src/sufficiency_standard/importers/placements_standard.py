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

The Greater Manchester variant records the search instead: how many foster, supported
and residential homes were searched (their sum is read as providers approached) and,
for each kind of home, whether it was searched (the standard has no field for that).
A GM return has no placement type, date of referral, location or URN column: the
import report says once which fields such a file can never fill.
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
    RowByRowImport,
    SourceRow,
    Table,
    code_of,
    codes_by_key,
    leading,
    parse_count,
    parse_date,
    parse_money,
    standard_codes,
)
from sufficiency_standard.national.crosswalk import crossing
from sufficiency_standard.national.vocabulary import vocabulary

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
    "total_weekly_cost": leading("total_weekly_cost", "cost_total_weekly"),
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
# Greater Manchester's search columns: how many homes of each kind were searched...
_SEARCH_TOTALS = tuple(
    f"placement_search_{kind}_total_number"
    for kind in ("foster", "supported_accommodation", "residential")
)
# ... and, for each kind of home (903 code, supported accommodation category, children's
# home registration category), whether it was searched.
_SEARCHED_KINDS = tuple(
    f"placement_search_{kind}"
    for kind in (
        "foster_U4",
        "foster_U5",
        "foster_U6",
        "supported_accommodation_solo",
        "supported_accommodation_shared_lac",
        "supported_accommodation_shared_other",
        "supported_accommodation_shared_lodgings",
        "residential_ebd",
        "residential_mhd",
        "residential_si",
        "residential_alc",
        "residential_drug",
        "residential_ld",
        "residential_pd",
    )
)
COLUMNS |= {name: leading(name) for name in (*_SEARCH_TOTALS, *_SEARCHED_KINDS)}
# Columns a return may lack (the GM variant has none of them) -> what the standard then
# cannot be given, and why it matters.
_ABSENT = {
    "placement_type": (
        "placements.placement_type",
        "the file has no placement_type column (a Greater Manchester return never has one), "
        "so no placement has a type: add it from the case-management system before you "
        "validate.",
    ),
    "date_entry_referral": (
        "referrals.referral_date",
        "the file has no date_entry_referral column (a Greater Manchester return never has "
        "one), so no search or needs assessment has a date: add the referral dates before "
        "you validate.",
    ),
    "placement_location": (
        "placements.placement_location",
        "the file has no placement_location column (a Greater Manchester return never has "
        "one), so no placement has a location.",
    ),
    "provider_URN": (
        "placements.setting_urn",
        "the file has no provider_URN column (a Greater Manchester return never has one), so "
        "no placement names its setting.",
    ),
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
    "education_continuity": ("placements", "education_disrupted"),
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
        # A diagnosis not yet made: whether the child has the condition is not known.
        "Referral in progress": "Unknown",
    }
)
_IN_PROGRESS = "referralinprogress"
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
_NOT_CARRIED |= dict.fromkeys(
    _SEARCHED_KINDS,
    "the standard has no field for which kinds of home were searched (only for how "
    "suitable each kind is, and how many providers were approached).",
)


def _urgency(text: str | None) -> str | None:
    """The standard's urgency for a national urgency category, in any spelling the
    national context, taxonomy or templates use ("< 5 days", "<5 days", "Today")."""
    needed_by = vocabulary().properties["neededBy"]
    concept = vocabulary().concept_from_label(needed_by, text or "")
    return crossing("neededBy", "referrals").to_ours(concept) if concept else None


_REQUIRED = {"placements.placement_type", "referrals.referral_date"}
_UNKNOWN_PROVIDER = "UNKNOWN-PROVIDER"
_COST_COMPONENTS = ("core_weekly", "additional_support_weekly", "education_weekly", "other_weekly")
_NOT_A_CODE = "the value is not one of the standard's codes for this field."


def import_placements_standard(
    paths: Sequence[str | Path], **options: Unpack[ImportOptions]
) -> ImportOutput:
    """Build a submission from one or more regional placements-standard files. The
    national template (its Data Collection sheet, guidance row, drop-down and checklist
    sheets) is the national standard's own: it is handed to that importer, which reads
    it whole, and the report says so."""
    from sufficiency_standard.importers.national_standard import import_national_standard
    from sufficiency_standard.national.excel import is_national_template

    if paths and all(is_national_template(Path(p)) for p in paths):
        submission, report = import_national_standard(paths, **options)
        report.add(
            "derived",
            "the file is the national placements standard's Excel template, so it was read "
            "as `sufficiency import national-standard` reads it.",
            source=", ".join(Path(p).name for p in paths),
        )
        return submission, report
    return _PlacementsStandard.run(paths, options)


class _PlacementsStandard(RowByRowImport):
    """Turns each row into the standard's rows, noting what could not be carried."""

    title = "the regional placements standard"
    columns = COLUMNS
    key_column = "child_ID"
    none_found = (
        "No regional placements-standard table was found: no sheet or file has a child_ID column."
    )
    unknown_column = "not a column of the regional placements standard."

    def coded(self, row: SourceRow, column: str) -> str | None:
        """The standard's code for a coded column's value, in the standard's words or the
        region's, or None (noted when not blank)."""
        target_table, target_field = _CODED[column]
        codes = standard_codes(self.standard, target_table, target_field)

        def code(text: str) -> str | None:
            return code_of(text, codes) or code_of(code_of(text, _SYNONYMS), codes)

        def every_code(text: str) -> list[str] | None:
            items = [item.strip() for item in re.split(r"[;,]", text) if item.strip()]
            found = [code(item) for item in items]
            return list(dict.fromkeys(found)) if all(found) else None  # type: ignore[arg-type]

        multivalued = self.standard.table(target_table).field(target_field).multivalued
        target = f"{target_table}.{target_field}"
        found = self.code(row, column, target, every_code if multivalued else code, _NOT_A_CODE)
        if re.sub(r"\W", "", (row.value(column) or "").casefold()) == _IN_PROGRESS:
            row.note(
                "derived",
                'a referral for diagnosis is in progress, so "Unknown" was written: the '
                "diagnosis is not yet known.",
                target,
                row.value(column),
            )
        return found

    def note_unread_columns(self, table: Table, reason: str) -> None:
        """Unknown columns, and once per file the fields it can never fill because it lacks
        their column (as a Greater Manchester return does)."""
        super().note_unread_columns(table, reason)
        for column, (target, why) in _ABSENT.items():
            if column not in table.columns:
                kind = "not filled" if target in _REQUIRED else "not carried"
                self.report.add(kind, why, source=table.grid.name, target=target)

    def add(self, row: SourceRow) -> None:
        child = self.child_id(row, "child_ID")
        if child is None:
            return
        self.note_values_left_out(row, _NOT_CARRIED)
        child_record = self.child(child)
        if (uasc := self.coded(row, "uasc")) and "uasc" not in child_record:
            child_record["uasc"] = uasc

        start = parse_date(row.value("placement_start_date"))
        placement_id = self.placement_id(child, start, row.row_number)
        referral = self._add_referral(row, child, placement_id)
        self._add_needs(row, referral, placement_id)
        self._add_placement(row, referral, placement_id, start)
        total = parse_money(row.value("total_weekly_cost"))
        components = {name: parse_money(row.value(name)) for name in _COST_COMPONENTS}
        if total is not None or any(v is not None for v in components.values()):
            self.add_cost(
                row,
                placement_id,
                start,
                total,
                components,
                dated="the cost period starts with the placement: the return gives no date the "
                "price started.",
                no_total="total_weekly_cost is blank or not an amount.",
                # The national total is "the actual weekly fee paid".
                basis="Actual",
            )

    def _add_referral(self, row: SourceRow, child: str, placement_id: str) -> dict[str, Any]:
        """The search that ended in this placement, dated by when the referral was entered."""
        referral_date = parse_date(row.value("date_entry_referral"))
        referral: dict[str, Any] = {
            "referral_id": f"{placement_id}-search",
            "child_id": child,
            "referral_date": referral_date,
            "urgency": None,
            "siblings_to_place_with": parse_count(row.value("number_of_siblings_to_place_with")),
            "outcome": "Placed",
            "offers_received": parse_count(row.value("placement_type_offers")),
        }
        searched = [parse_count(row.value(column)) for column in _SEARCH_TOTALS]
        if any(n is not None for n in searched):
            referral["providers_approached"] = sum(n or 0 for n in searched)
            row.note(
                "derived",
                "providers approached is the sum of the homes searched by kind "
                "(placement_search_*_total_number).",
                "referrals.providers_approached",
            )
        for column in (
            "foster_care_suitability",
            "residential_care_suitability",
            "supported_accommodation_suitability",
            "who_can_the_child_be_cared_for_alongside",
            "can_child_live_with_pets",
        ):
            referral[_CODED[column][1]] = self.coded(row, column)
        if referral_date is None and "date_entry_referral" in row.table.columns:
            row.note(
                "not filled",
                "the return has no date of referral: date_entry_referral is blank or not a date.",
                "referrals.referral_date",
            )
        elif referral_date is not None:
            row.note(
                "derived",
                "the search is dated by when the referral was entered (date_entry_referral).",
                "referrals.referral_date",
            )
        needed = row.value("when_placement_is_needed_by")
        urgency = _urgency(needed)
        if urgency is not None:
            referral["urgency"] = urgency
            row.note(
                "derived",
                "the urgency is the national category in when_placement_is_needed_by; the "
                "return gives no needed-by date, and none is made up.",
                "referrals.urgency",
            )
        else:
            row.note(
                "not filled",
                "the standard needs a needed-by date or an urgency; when_placement_is_needed_by "
                "is blank or not a national urgency category.",
                "referrals.urgency",
                needed,
            )
        self.submission["referrals"].append(referral)
        return referral

    def _add_needs(self, row: SourceRow, referral: dict[str, Any], placement_id: str) -> None:
        """The needs recorded with the referral, so dated by it too."""
        needs: dict[str, Any] = {
            "needs_id": f"{placement_id}-needs",
            "child_id": referral["child_id"],
            "referral_id": referral["referral_id"],
            "assessment_date": referral["referral_date"],
        }
        for column, (target_table, target_field) in _CODED.items():
            if target_table == "needs_assessments":
                needs[target_field] = self.coded(row, column)
        if needs.get("assessment_tool") is None:
            needs["assessment_tool"] = "Not recorded"
            row.note(
                "placeholder",
                'the return does not name the needs assessment tool: "Not recorded".',
                "needs_assessments.assessment_tool",
            )
        if referral["referral_date"] is None and "date_entry_referral" in row.table.columns:
            row.note(
                "not filled",
                "the needs were recorded with the referral, which has no date.",
                "needs_assessments.assessment_date",
            )
        self.submission["needs_assessments"].append(needs)

    def _add_placement(
        self, row: SourceRow, referral: dict[str, Any], placement_id: str, start: dt.date | None
    ) -> None:
        """The placement the search ended in, at a placeholder provider: the return names
        only the setting."""
        placement: dict[str, Any] = {
            "placement_id": placement_id,
            "child_id": referral["child_id"],
            "referral_id": referral["referral_id"],
            # The needs recorded with the referral: those in force when the child was placed.
            "needs_id": f"{placement_id}-needs",
            "start_date": start,
            "placement_type": self.coded(row, "placement_type"),
            "provider_id": self.provider(_UNKNOWN_PROVIDER, "Provider not given in the return"),
            "location_preferable": self.coded(row, "preferability_of_placement_location"),
            "location_reason": self.coded(row, "location_reason"),
            # The national question is "was education disrupted?", as the standard's is.
            "education_disrupted": self.coded(row, "education_continuity"),
            "siblings_placed_together": parse_count(
                row.value("how_many_siblings_were_placed_together")
            ),
            "sourcing_route": self.coded(row, "placement_sourced"),
        }
        if start is None:
            row.note(
                "not filled",
                "placement_start_date is blank or not a date.",
                "placements.start_date",
            )
        if placement["placement_type"] is None and "placement_type" in row.table.columns:
            row.note(
                "not filled",
                "the placement type is blank or not one the standard knows.",
                "placements.placement_type",
            )
        row.note(
            "placeholder",
            "the return names the setting (provider_URN) but not the provider, so the placement "
            "points at a placeholder provider: replace it with the provider's Ofsted reference.",
            "placements.provider_id",
        )
        self.locate(
            row,
            placement,
            row.value("placement_location"),
            "placement_location is not a postcode (the standard holds a postcode sector).",
        )
        self.place_in_setting(
            row, placement, row.value("provider_URN"), _UNKNOWN_PROVIDER, "provider_URN"
        )
        self.submission["placements"].append(placement)

    def finish_submission(self) -> ImportOutput:
        """The submission row: from the options, else derived (and said so)."""
        return self.finish_from_dates(
            (p.get("start_date") for p in self.submission["placements"]),
            "the earliest date in the file",
            "the file does not name the LA: give its GSS code (--la-code).",
        )
