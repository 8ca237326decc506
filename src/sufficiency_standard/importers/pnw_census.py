"""The Placements North West census (one row per child in placement, with provider, host
authority and weekly cost split by funder) -> children, placements, providers, settings
and costs.

Columns are found as the census pipeline finds them: by words in the first line of the
header ("Placing Authority\nThis is the authority that..." is Placing Authority), so the
guidance under each header does not matter, and the 2019 to 2025 layouts all read.

The 2022-2024 layout's "Primary Placing at Distance Reason" is read through the
schema's `pnw_census_2022` annotations of the location reasons; the 2025 layout's
"Placing at Distance Reason" uses the standard's own reasons. A "Post 18 (CSC
placement)" row (2025 layout) is a care leaver's arrangement, not a child in care, so it
is left out and the import report counts it.

The census is a snapshot: its weekly cost is the cost on the census date, so the cost
period starts on the census date (the period end), not with the placement. The census
gives the child's age, not their month of birth, and the host authority by name, not
by code: neither is carried over, and the import report says so.
"""

from __future__ import annotations

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
    containing,
    named,
    parse_date,
    parse_money,
    standard_codes,
)
from sufficiency_standard.read.headers import normalise
from sufficiency_standard.shipped import compiled_standard
from sufficiency_standard.standard import Standard

# Order matters: a header is taken by the first column it matches.
COLUMNS = {
    "looked_after": containing("looked after"),
    "placing_authority": containing("placing authority"),
    "identifier": containing("identifier"),
    "age": named("Age"),
    "gender": containing("gender"),
    "ethnic_group": containing("ethnic"),
    "sourced": containing("placement was sourced"),
    "start_date": containing("placement start"),
    "organisation": containing("organisation"),
    "company_number": containing("provider company number"),
    "provider_id": containing("provider id", "provider ofsted"),
    "registration_type": containing("registration type"),
    "urn": containing("establishment registration urn", "establishment urn"),
    "establishment": containing("establishment"),
    "host_authority": containing("host authority"),
    "distance_reason": containing("placing at distance reason"),
    "provision": containing("type of provision"),
    "uasc": containing("uasc"),
    "total": containing("weekly cost"),
    "social_care": containing("social care"),
    "education": containing("education"),
    "health": containing("health"),
    "send_category": containing("send category"),
    "send_need": containing("send need"),
    "send": named("SEND"),
    "packages": containing("additional packages"),
    "dols": containing("deprivation of liberty"),
    "solo": containing("solo placement"),
}

# GSS codes of the placing authorities the census lists (Greater Manchester).
PLACING_AUTHORITIES = {
    "Bolton": "E08000001",
    "Bury": "E08000002",
    "Manchester": "E08000003",
    "Oldham": "E08000004",
    "Rochdale": "E08000005",
    "Salford": "E08000006",
    "Stockport": "E08000007",
    "Tameside": "E08000008",
    "Trafford": "E08000009",
    "Wigan": "E08000010",
}
_GENDER = codes_by_key(
    {
        "Male (including trans male)": "M",
        "M": "M",
        "Male": "M",
        "Female (including trans female)": "F",
        "F": "F",
        "F1": "F",
        "Female": "F",
        "Fenale": "F",
        # The census records gender; these give no sex, so the standard's "not known".
        "Non-binary": "U",
        "Other": "U",
    }
)
_NO_SEX = {"nonbinary", "other"}
# Census 2021 ethnic groups -> the 903 codes. "Gypsy or Irish Traveller" is two 903
# codes (WIRT, WROM) and "Unknown" could be refused or not obtained: neither is guessed.
_ETHNICITY = codes_by_key(
    {
        "Indian": "AIND",
        "Pakistani": "APKN",
        "Bangladeshi": "ABAN",
        "Chinese": "CHNE",
        "Any other Asian background": "AOTH",
        "Caribbean": "BCRB",
        "African": "BAFR",
        "Any other Black, Black British, African or Caribbean background": "BOTH",
        "White and Black Caribbean": "MWBC",
        "White and Black African": "MWBA",
        "White and Asian": "MWAS",
        "Any other Mixed or multiple ethnic background": "MOTH",
        "English, Welsh, Scottish, Northern Irish or British": "WBRI",
        "Irish": "WIRI",
        "Roma": "WROM",
        "Any other White background": "WOTH",
        "Arab": "OOTH",
        "Any other ethnic group": "OOTH",
    }
)
# How the placement was sourced -> sourcing route. Sub-regional contracts are neither
# the region's own nor another region's, so they are not carried over.
_SOURCED = codes_by_key(
    {
        "NW Contract - SaILS DPS or previous": "Regional contract",
        "NW Contract - Supported Accommodation DPS or previous": "Regional contract",
        "NW Contract - Residential FPS or previous": "Regional contract",
        "NW Contract - Fostering FPS or previous": "Regional contract",
        "NW Contract - SEND FPS": "Regional contract",
        "Direct Award / Spot Purchase": "Direct award / off framework",
        "Direct Award / Off Framework": "Direct award / off framework",
        "Local Contract or Framework": "Local contract or framework",
        "Block Contract - Local": "Block contract",
        "Block Contract - Collaborative": "Block contract",
        "GM RCC Flexi Block": "Block contract",
        "Remand": "Remand",
        "Secure Welfare Hub": "Secure welfare",
    }
)
_REGISTRATION = codes_by_key(
    {
        "Ofsted": "Ofsted",
        "CQC": "CQC only",
        "CQC only": "CQC only",
        "Unregistered": "Unregistered",
        "Care Inspectorate Scotland": "Care Inspectorate Scotland",
        "Care Inspectorate Wales": "Care Inspectorate Wales",
    }
)
# "Unknown" registration (2022 layout) is left blank: the standard has no such code.
_UNKNOWN = normalise("Unknown")
# Type of provision -> placement type, by the words it starts with; first match wins.
_PROVISION = (
    ("fosteringparentandchild", "Parent and child"),
    ("residentialparentandchild", "Parent and child"),
    ("fosteringstayingput", "Other"),
    # Fostering for adoption: a foster placement with carers approved to adopt (903 U2, U5).
    ("otherffa", "Foster"),
    ("fostering", "Foster"),
    ("ifa", "Foster"),
    ("residentialsecurewelfare", "Secure"),
    ("securewelfare", "Secure"),
    ("residential38week", "Other"),
    ("residential52week", "Other"),
    ("residentialresidentialschool", "Other"),
    ("residential", "Residential"),
    ("sails", "Supported accommodation"),
    ("supportedaccommodation", "Supported accommodation"),
    ("supportedlodgings", "Supported accommodation"),
)
_NOT_CARRIED = {
    "looked_after": "the standard is about children in care; the census's own flag is not kept.",
    "age": "the standard holds the month of birth, which an age in years cannot give.",
    "establishment": "the standard holds the setting's URN, not its name.",
    "host_authority": "the standard holds the host authority as a GSS code; the census names "
    "it. Add host_la_code if you need it.",
    "send": "the standard does not hold SEND.",
    "send_category": "the standard does not hold SEND.",
    "send_need": "the standard does not hold SEND.",
    "packages": "the standard has no field for whether the cost includes additional packages.",
    "dols": "deprivation of liberty belongs to a needs assessment, which the census does not "
    "describe.",
    "solo": "whether a solo home is needed belongs to a search (referral), which the census "
    "does not describe.",
}
_POST_18 = normalise("Post 18 (CSC placement)")
_UNKNOWN_PROVIDER = "UNKNOWN-PROVIDER"
_NO_EQUIVALENT = "the value has no equivalent in the standard's codes."


def import_pnw_census(
    paths: Sequence[str | Path], **options: Unpack[ImportOptions]
) -> ImportOutput:
    """Build a submission from one or more PNW census files (CSV or workbook)."""
    return _Census.run(paths, options)


class _Census(RowByRowImport):
    """Each row becomes a placement with its child, provider, setting and cost on the
    census date."""

    title = "the Placements North West census"
    columns = COLUMNS
    key_column = "identifier"
    none_found = "No PNW census table was found: no sheet or file has an Identifier column."
    unknown_column = "not a column of the PNW census."
    tables_written = ("children", "placements", "providers", "settings", "costs")

    def __init__(self, standard: Standard, tables: Sequence[Table], options: ImportOptions):
        super().__init__(standard, tables, options)
        self.extract = self.extract_date()
        self.census_date = options.get("period_end") or self.extract
        if options.get("period_end") is None:
            reason = "the period (and the census date) ends on the extract date."
            self.note_option("derived", "period_end", reason)
        self.placing: set[str] = set()
        self.uasc = standard_codes(standard, "children", "uasc")
        self.location_reasons = standard_codes(standard, "placements", "location_reason")
        self.location_reasons_2022 = _location_reasons_2022()

    def placing_authority_code(self) -> str | None:
        codes = {PLACING_AUTHORITIES.get(name) for name in self.placing}
        return codes.pop() if len(codes) == 1 else None

    def add(self, row: SourceRow) -> None:
        child = self.child_id(row, "identifier", "Identifier")
        if child is None:
            return
        if normalise(row.value("looked_after") or "") == _POST_18:
            row.note(
                "not carried",
                'the row is a post-18 arrangement ("Post 18 (CSC placement)"), not a child in '
                "care, so it was left out.",
            )
            return
        self.note_values_left_out(row, _NOT_CARRIED, shown=lambda c: c.replace("_", " "))
        if placing := row.value("placing_authority"):
            self.placing.add(placing.strip())
        if child not in self.children:
            self._add_child(row, child)

        start = parse_date(row.value("start_date"))
        placement_id = self.placement_id(child, start, row.row_number)
        provider_id = self._provider(row)
        placement: dict[str, Any] = {
            "placement_id": placement_id,
            "child_id": child,
            "start_date": start,
            "placement_type": self._placement_type(row),
            "provider_id": provider_id,
            "sourcing_route": self.code(
                row, "sourced", "placements.sourcing_route", _SOURCED, _NO_EQUIVALENT
            ),
        }
        if start is None:
            row.note(
                "not filled",
                "the placement start date is blank or not a date.",
                "placements.start_date",
            )
        if row.value("distance_reason"):
            placement["location_reason"] = self.code(
                row,
                "distance_reason",
                "placements.location_reason",
                self._location_reason,
                "the reason for placing at a distance has no equivalent among the standard's "
                'location reasons ("Requirement to place at distance" mixes safeguarding and '
                "preference; Other and Unknown give no reason).",
            )
        self.place_in_setting(
            row,
            placement,
            row.value("urn"),
            provider_id,
            "the establishment URN",
            lambda: self._registration(row),
        )
        self.submission["placements"].append(placement)

        total = parse_money(row.value("total"))
        shares = {
            "social_care_contribution": parse_money(row.value("social_care")),
            "education_contribution": parse_money(row.value("education")),
            "health_contribution": parse_money(row.value("health")),
        }
        if total is not None or any(shares.values()):
            self.add_cost(
                row,
                placement_id,
                max(start, self.census_date) if start else self.census_date,
                total,
                shares,
                basis="Actual",
                dated="the census gives the actual weekly cost on the census date, so the cost "
                "period starts then.",
                no_total="the total weekly cost is blank or not an amount.",
            )

    def _add_child(self, row: SourceRow, child: str) -> None:
        """The child as the census describes them the first time they are listed."""
        record = self.child(child)
        record["sex"] = self.code(row, "gender", "children.sex", _GENDER, _NO_EQUIVALENT)
        if normalise(row.value("gender") or "") in _NO_SEX:
            row.note(
                "derived",
                "the census records gender: Non-binary or Other gives no sex, so U (not known) "
                "was written.",
                "children.sex",
                row.value("gender"),
            )
        if row.value("ethnic_group"):
            record["ethnicity"] = self.code(
                row,
                "ethnic_group",
                "children.ethnicity",
                _ethnicity,
                "the ethnic group has no single 903 code.",
            )
        record["uasc"] = self.code(row, "uasc", "children.uasc", self.uasc, _NO_EQUIVALENT)

    def _location_reason(self, text: str) -> str | None:
        """The standard's reason (2025 layout), or the one the schema reads a 2022-2024
        reason as."""
        return code_of(text, self.location_reasons) or code_of(text, self.location_reasons_2022)

    def _registration(self, row: SourceRow) -> dict[str, Any]:
        """The setting's registration, read from the row that first lists the setting."""
        if normalise(row.value("registration_type") or "") == _UNKNOWN:
            row.note(
                "not carried",
                "the registration is Unknown, so it was left blank: the standard has no code "
                "for an unknown registration.",
                "settings.registration_type",
                row.value("registration_type"),
            )
            return {"registration_type": None}
        registration = self.code(
            row, "registration_type", "settings.registration_type", _REGISTRATION, _NO_EQUIVALENT
        )
        return {"registration_type": registration}

    def _placement_type(self, row: SourceRow) -> str | None:
        text = row.value("provision")
        key = normalise(text or "")
        found = next((kind for prefix, kind in _PROVISION if key.startswith(prefix)), None)
        if found is None and text:
            found = "Other"
            row.note(
                "derived",
                "the type of provision is none of the standard's placement types, so Other was "
                "written.",
                "placements.placement_type",
                text,
            )
        if found is None:
            row.note("not filled", "the type of provision is blank.", "placements.placement_type")
        return found

    def _provider(self, row: SourceRow) -> str:
        provider_id = row.text("provider_id")
        name = row.value("organisation")
        if not provider_id:
            provider_id = _UNKNOWN_PROVIDER
            row.note(
                "placeholder",
                "no Provider ID is given, so the placement points at a placeholder provider.",
                "placements.provider_id",
            )
            name = "Provider not given in the census"
        company = row.text("company_number").upper()
        return self.provider(provider_id, name, company_number=company or None)

    def finish_submission(self) -> ImportOutput:
        la_code = self.options.get("la_code") or self.placing_authority_code()
        self.need_la_code(
            la_code,
            "give the LA's GSS code (--la-code): the placing authority is not one the census "
            "lists, or there are several.",
        )
        period_start = self.options.get("period_start")
        if period_start is None:
            starts = [p["start_date"] for p in self.submission["placements"] if p.get("start_date")]
            period_start = min([*starts, self.census_date])
            reason = "the period starts on the earliest placement start in the census."
            self.note_option("derived", "period_start", reason)
        return self.finish(la_code, period_start, self.census_date, self.extract)


def _location_reasons_2022() -> dict[str, str]:
    """The 2022-2024 census reasons -> the standard's, from the schema's `pnw_census_2022`
    annotations (so the mapping is the standard's, documented with its code list)."""
    values = compiled_standard()["enums"]["LocationReasonEnum"]["values"]
    return codes_by_key(
        {
            source.strip(): value["value"]
            for value in values
            for source in (value.get("pnw_census_2022") or "").split("|")
            if source.strip()
        }
    )


def _ethnicity(group: str) -> str | None:
    """The 903 code of a census ethnic group; in "Pakistani (Asian or Asian British)" the
    group is the part before the bracket."""
    return code_of(group, _ETHNICITY) or code_of(group.split("(")[0], _ETHNICITY)
