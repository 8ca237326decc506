"""The Placements North West census (one row per child in placement, with provider, host
authority and weekly cost split by funder) -> children, placements, providers, settings
and costs.

Columns are found as the census pipeline finds them: by words in the first line of the
header ("Placing Authority\nThis is the authority that..." is Placing Authority), so the
guidance under each header does not matter, and the 2019 to 2025 layouts all read.

The census is a snapshot: its weekly cost is the cost on the census date, so the cost
period starts on the census date (the period end), not with the placement. The census
gives the child's age, not their month of birth, and the host authority by name, not
by code: neither is carried over, and the import report says so.
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
    containing,
    empty_submission,
    find_table,
    named,
    parse_date,
    parse_money,
    read_grids,
    standard_codes,
    unique_id,
)
from sufficiency_standard.issues import InputError
from sufficiency_standard.read.headers import normalise
from sufficiency_standard.standard import Standard, load_standard

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
    }
)
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
# Type of provision -> placement type, by the words it starts with; first match wins.
_PROVISION = (
    ("fosteringparentandchild", "Parent and child"),
    ("residentialparentandchild", "Parent and child"),
    ("fosteringstayingput", "Other"),
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
_UNKNOWN_PROVIDER = "UNKNOWN-PROVIDER"


def import_pnw_census(
    paths: Sequence[str | Path],
    *,
    la_code: str | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    extract_date: dt.date | None = None,
    standard_version: str | None = None,
) -> tuple[dict[str, Any], ImportReport]:
    """Build a submission from one or more PNW census files (CSV or workbook)."""
    standard = load_standard(standard_version)
    tables = []
    for path in paths:
        for grid in read_grids(Path(path)):
            table = find_table(grid, COLUMNS)
            if table is not None and "identifier" in table.columns:
                tables.append(table)
    if not tables:
        raise InputError(
            "No PNW census table was found: no sheet or file has an Identifier column."
        )
    report = ImportReport("the Placements North West census", [t.grid.name for t in tables])
    submission = empty_submission(standard)
    extract = extract_date or dt.date.today()
    if extract_date is None:
        report.add(
            "derived",
            "the extract date is the day of the import.",
            source="options",
            target="submission.extract_date",
        )
    census_date = period_end or extract
    if period_end is None:
        report.add(
            "derived",
            "the period (and the census date) ends on the extract date.",
            source="options",
            target="submission.period_end",
        )
    importer = _Census(standard, report, submission, census_date)
    for table in tables:
        for _, header in table.unread_columns():
            report.add(
                "not carried",
                "not a column of the PNW census.",
                source=f"{table.grid.name}, column {header}",
            )
        for row, cells in table.body:
            importer.add(table, row, cells)
    la_code = la_code or importer.placing_authority_code()
    if not la_code:
        report.add(
            "not filled",
            "give the LA's GSS code (--la-code): the placing authority is not one the census "
            "lists, or there are several.",
            source="options",
            target="submission.la_code",
        )
    starts = [p["start_date"] for p in submission["placements"] if p.get("start_date")]
    if period_start is None:
        period_start = min([*starts, census_date])
        report.add(
            "derived",
            "the period starts on the earliest placement start in the census.",
            source="options",
            target="submission.period_start",
        )
    submission.update(
        standard_version=standard.version,
        la_code=la_code,
        period_start=period_start,
        period_end=census_date,
        extract_date=extract,
    )
    report.rows_written = {
        name: len(submission[name])
        for name in ("children", "placements", "providers", "settings", "costs")
    }
    return submission, report


class _Census:
    def __init__(
        self,
        standard: Standard,
        report: ImportReport,
        submission: dict[str, Any],
        census_date: dt.date,
    ):
        self.standard = standard
        self.report = report
        self.submission = submission
        self.census_date = census_date
        self.children: dict[str, dict[str, Any]] = {}
        self.providers: dict[str, dict[str, Any]] = {}
        self.settings: set[str] = set()
        self.taken: set[str] = set()
        self.placing: set[str] = set()
        self.urn = re.compile(standard.table("settings").field("setting_urn").pattern or ".*")
        self.uasc = standard_codes(standard, "children", "uasc")
        self.location_reasons = standard_codes(standard, "placements", "location_reason")

    def placing_authority_code(self) -> str | None:
        codes = {PLACING_AUTHORITIES.get(name) for name in self.placing}
        return codes.pop() if len(codes) == 1 else None

    def _mapped(
        self,
        table: Table,
        row: int,
        cells: list[str | None],
        column: str,
        lookup: dict[str, str],
        target: str,
    ) -> str | None:
        text = table.value(cells, column)
        if not text:
            return None
        code = code_of(text, lookup)
        if code is None:
            self.report.add(
                "not carried",
                "the value has no equivalent in the standard's codes.",
                source=table.grid.name,
                target=target,
                row=row,
                value=text,
            )
        return code

    def add(self, table: Table, row: int, cells: list[str | None]) -> None:
        source = table.grid.name
        child = (table.value(cells, "identifier") or "").strip()
        if not child:
            self.report.add(
                "not carried",
                "the row has no Identifier, so it was left out.",
                source=source,
                row=row,
            )
            return
        for column, reason in _NOT_CARRIED.items():
            if table.value(cells, column):
                self.report.add(
                    "not carried",
                    reason,
                    source=f"{source}, column {column.replace('_', ' ')}",
                    row=row,
                )
        if placing := table.value(cells, "placing_authority"):
            self.placing.add(placing.strip())

        record = self.children.get(child)
        if record is None:
            record = self.children[child] = {"child_id": child}
            self.submission["children"].append(record)
            record["sex"] = self._mapped(table, row, cells, "gender", _GENDER, "children.sex")
            ethnic = table.value(cells, "ethnic_group")
            if ethnic:
                # "Pakistani (Asian or Asian British)": the group is the part before the bracket.
                record["ethnicity"] = code_of(ethnic, _ETHNICITY) or code_of(
                    ethnic.split("(")[0], _ETHNICITY
                )
                if record["ethnicity"] is None:
                    self.report.add(
                        "not carried",
                        "the ethnic group has no single 903 code.",
                        source=source,
                        target="children.ethnicity",
                        row=row,
                        value=ethnic,
                    )
            record["uasc"] = self._mapped(table, row, cells, "uasc", self.uasc, "children.uasc")

        start = parse_date(table.value(cells, "start_date"))
        placement_id = unique_id(
            f"{child}-{start:%Y%m%d}" if start else f"{child}-row{row}", self.taken
        )
        provider_id = self._provider(table, row, cells)
        placement: dict[str, Any] = {
            "placement_id": placement_id,
            "child_id": child,
            "start_date": start,
            "placement_type": self._placement_type(table, row, cells),
            "provider_id": provider_id,
            "sourcing_route": self._mapped(
                table, row, cells, "sourced", _SOURCED, "placements.sourcing_route"
            ),
        }
        if start is None:
            self.report.add(
                "not filled",
                "the placement start date is blank or not a date.",
                source=source,
                target="placements.start_date",
                row=row,
            )
        reason = table.value(cells, "distance_reason")
        if reason:
            placement["location_reason"] = code_of(reason, self.location_reasons) or code_of(
                reason.replace(" ", ""), self.location_reasons
            )
            if placement["location_reason"] is None:
                self.report.add(
                    "not carried",
                    "the reason for placing at a distance is not one of the standard's location "
                    "reasons.",
                    source=source,
                    target="placements.location_reason",
                    row=row,
                    value=reason,
                )
        urn = (table.value(cells, "urn") or "").strip().upper()
        if urn:
            if self.urn.match(urn):
                placement["setting_urn"] = urn
                if urn not in self.settings:
                    self.settings.add(urn)
                    setting = {"setting_urn": urn, "provider_id": provider_id}
                    setting["registration_type"] = self._mapped(
                        table,
                        row,
                        cells,
                        "registration_type",
                        _REGISTRATION,
                        "settings.registration_type",
                    )
                    self.submission["settings"].append(setting)
            else:
                self.report.add(
                    "not carried",
                    "the establishment URN is not an Ofsted URN (SC and 6 digits, or 7 digits).",
                    source=source,
                    target="placements.setting_urn",
                    row=row,
                    value=urn,
                )
        self.submission["placements"].append(placement)

        total = parse_money(table.value(cells, "total"))
        shares = {
            "social_care_contribution": parse_money(table.value(cells, "social_care")),
            "education_contribution": parse_money(table.value(cells, "education")),
            "health_contribution": parse_money(table.value(cells, "health")),
        }
        if total is None and not any(shares.values()):
            return
        cost_start = max(start, self.census_date) if start else self.census_date
        self.submission["costs"].append(
            {
                "cost_id": f"{placement_id}-cost",
                "placement_id": placement_id,
                "cost_start_date": cost_start,
                "cost_basis": "Actual",
                "total_weekly_cost": total,
            }
            | shares
        )
        self.report.add(
            "derived",
            "the census gives the actual weekly cost on the census date, so the cost period starts"
            " then.",
            source=source,
            target="costs.cost_start_date",
            row=row,
        )
        if total is None:
            self.report.add(
                "not filled",
                "the total weekly cost is blank or not an amount.",
                source=source,
                target="costs.total_weekly_cost",
                row=row,
            )

    def _placement_type(self, table: Table, row: int, cells: list[str | None]) -> str | None:
        text = table.value(cells, "provision")
        key = normalise(text or "")
        found = next((kind for prefix, kind in _PROVISION if key.startswith(prefix)), None)
        if found is None and text:
            found = "Other"
            self.report.add(
                "derived",
                "the type of provision is none of the standard's placement types, so Other was "
                "written.",
                source=table.grid.name,
                target="placements.placement_type",
                row=row,
                value=text,
            )
        if found is None:
            self.report.add(
                "not filled",
                "the type of provision is blank.",
                source=table.grid.name,
                target="placements.placement_type",
                row=row,
            )
        return found

    def _provider(self, table: Table, row: int, cells: list[str | None]) -> str:
        provider_id = (table.value(cells, "provider_id") or "").strip()
        name = table.value(cells, "organisation")
        if not provider_id:
            provider_id = _UNKNOWN_PROVIDER
            self.report.add(
                "placeholder",
                "no Provider ID is given, so the placement points at a placeholder provider.",
                source=table.grid.name,
                target="placements.provider_id",
                row=row,
            )
            name = "Provider not given in the census"
        if provider_id not in self.providers:
            record: dict[str, Any] = {"provider_id": provider_id, "provider_name": name}
            company = (table.value(cells, "company_number") or "").strip().upper()
            if company:
                record["company_number"] = company
            self.providers[provider_id] = record
            self.submission["providers"].append(record)
        return provider_id
