"""One LA's submission for one period, as the standard's history model says it carries:
every placement live at any time in the period with all its cost periods, every search
made in the period or still open at its start, and the children, needs assessments,
providers, settings and fostering capacity those records refer to (and the searches
the placements and assessments name), each as it was known on the extract date.

Nothing dated after the extract date is in it: an end date still to come is blank, a
search whose outcome was not known yet is "Ongoing", an Actual cost period not yet
invoiced is left out, a setting's rating is the one it had then.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sufficiency_standard.simulate.common import iso, row
from sufficiency_standard.simulate.geography import districts
from sufficiency_standard.simulate.population import LASimulation, Placement
from sufficiency_standard.simulate.registry import IFA, MIXED, Registry

STANDARD_VERSION = "0.3.0"
PROVIDER_FIELDS = (
    "provider_id",
    "provider_name",
    "ownership",
    "private_equity_backed",
    "company_number",
    "ofsted_provider_urn",
    "charity_number",
)
SETTING_FIELDS = (
    "setting_urn",
    "provider_id",
    "setting_type",
    "registration_type",
    "host_la_code",
    "location",
    "registered_places",
    "ofsted_rating",
    "last_inspection_date",
    "registration_date",
    "closure_date",
)
CAPACITY_FIELDS = (
    "capacity_id",
    "provider_id",
    "capacity_date",
    "approved_households",
    "approved_places",
    "filled_places",
    "vacant_places",
    "unavailable_places",
)


@dataclass
class Period:
    start: date
    end: date
    extract: date

    @property
    def label(self) -> str:
        return f"{self.start.year}-{(self.start.year + 1) % 100:02d}"


@dataclass
class Snapshot:
    """A submission and the simulated records it carries (for corrections)."""

    submission: dict[str, Any]
    placements: list[Placement] = field(default_factory=list)


def build_submission(sim: LASimulation, registry: Registry, period: Period, seed: int) -> Snapshot:
    la = sim.la
    first, last, extract = (
        period.start.toordinal(),
        period.end.toordinal(),
        period.extract.toordinal(),
    )
    placements = [
        pl for pl in sim.placements if pl.start <= last and (pl.end is None or pl.end >= first)
    ]
    placement_rows, cost_rows = [], []
    searches, assessments, children = set(), set(), set()
    organisations: dict[int, None] = {}
    sites: dict[int, None] = {}
    for pl in placements:
        record = pl.row
        if pl.end is not None and pl.end > extract:
            record = dict(record)
            del record["end_date"], record["end_reason"]
        if pl.staying_put and pl.child.birthdays[4] > extract:
            record = dict(record)
            record["post_18_arrangement"] = "Not applicable"
        placement_rows.append(record)
        for period_cost in pl.costs:
            if period_cost.known > extract or period_cost.start > extract:
                continue
            cost = period_cost.row
            if period_cost.end is not None and period_cost.end > extract:
                cost = dict(cost)
                del cost["cost_end_date"]
            cost_rows.append(cost)
        children.add(pl.child)
        if pl.search is not None:
            searches.add(pl.search)
        if pl.needs is not None:
            assessments.add(pl.needs)
            if pl.needs.search is not None:
                searches.add(pl.needs.search)
        organisations[pl.organisation.index] = None
        if pl.site is not None:
            sites[pl.site.index] = None
    for search in sim.searches:
        if first <= search.day <= last or (search.day < first and search.closed >= first):
            searches.add(search)
    for assessment in sim.assessments:
        if assessment.search in searches and assessment.day <= extract:
            assessments.add(assessment)
    referral_rows = []
    for search in sim.searches:  # in the order of their IDs
        if search in searches:
            referral_rows.append(search.row if search.closed <= extract else search.open_row())
            children.add(search.child)
    needs_rows = []
    for assessment in sim.assessments:
        if assessment in assessments:
            needs_rows.append(assessment.row)
            children.add(assessment.child)
    child_rows = [ch.row for ch in sim.children if ch in children]
    capacity_rows = _capacity(sim, registry, placements, period, seed, organisations)
    setting_rows = [
        _setting_row(sim, registry, index, extract)
        for index in sorted(sites, key=lambda i: registry.sites[i].urn)
    ]
    provider_rows = [
        _provider_row(sim, registry, index)
        for index in sorted(organisations, key=lambda i: sim.provider_ids[i])
    ]
    submission = {
        "standard_version": STANDARD_VERSION,
        "la_code": la.la_code,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "extract_date": period.extract.isoformat(),
        "source_system": la.source_system,
        "children": child_rows,
        "referrals": referral_rows,
        "needs_assessments": needs_rows,
        "placements": placement_rows,
        "providers": provider_rows,
        "settings": setting_rows,
        "costs": sorted(cost_rows, key=_cost_order),
        "fostering_capacity": capacity_rows,
    }
    return Snapshot(submission, placements)


def _cost_order(cost: dict) -> tuple:
    return (cost["placement_id"], cost["cost_start_date"], cost["cost_basis"])


def _provider_row(sim: LASimulation, registry: Registry, index: int) -> dict:
    org = registry.organisations[index]
    return row(
        PROVIDER_FIELDS,
        (
            sim.provider_ids[index],
            org.name,
            org.ownership_for(sim.la.la_code),
            org.private_equity_backed,
            org.company_number,
            org.ofsted_provider_urn,
            org.charity_number,
        ),
    )


def _setting_row(sim: LASimulation, registry: Registry, index: int, extract: int) -> dict:
    site = registry.sites[index]
    inspected, rating = site.rating_on(extract)
    return row(
        SETTING_FIELDS,
        (
            site.urn,
            sim.provider_ids[site.organisation],
            site.setting_type,
            site.registration_type,
            districts()[site.district].la_code,
            site.location,
            site.places,
            rating,
            iso(inspected),
            iso(site.registered),
            iso(site.closed) if site.closed is not None and site.closed <= extract else None,
        ),
    )


def _capacity(
    sim: LASimulation,
    registry: Registry,
    placements: list[Placement],
    period: Period,
    seed: int,
    organisations: dict[int, None],
) -> list[dict]:
    """The LA's own fostering service at the middle and end of the period, and the three
    agencies it used most at the end (their national figures, the same in every LA)."""
    rows = []
    own = registry.la_services[sim.la.la_code]["fostering"]
    middle = date(period.start.year, 9, 30)
    for when in (middle, period.end):
        day = when.toordinal()
        filled = sum(
            1
            for pl in sim.placements
            if pl.organisation.index == own and pl.start <= day and (pl.end is None or pl.end > day)
        )
        rng = random.Random(f"{seed}:capacity:{sim.la.la_code}:{when.isoformat()}")
        vacant = round(filled * rng.uniform(0.08, 0.18))
        unavailable = round(filled * rng.uniform(0.04, 0.12))
        approved = filled + vacant + unavailable
        if own in sim.provider_ids and approved:
            organisations[own] = None
            rows.append(
                _capacity_row(
                    sim.provider_ids[own], when, approved, filled, vacant, unavailable, rng
                )
            )
    used: dict[int, int] = {}
    for pl in placements:
        if pl.organisation.kind in (IFA, MIXED):
            used[pl.organisation.index] = used.get(pl.organisation.index, 0) + 1
    for index in sorted(used, key=lambda i: (-used[i], i))[:3]:
        org = registry.organisations[index]
        rng = random.Random(f"{seed}:capacity:{org.index}:{period.end.isoformat()}")
        years = period.end.year - 2024
        approved = max(10, round(org.approved_places * 0.98**years * rng.uniform(0.95, 1.05)))
        filled = round(approved * rng.uniform(0.76, 0.86))
        vacant = round(approved * rng.uniform(0.06, 0.14))
        unavailable = approved - filled - vacant
        rows.append(
            _capacity_row(
                sim.provider_ids[index], period.end, approved, filled, vacant, unavailable, rng
            )
        )
    return rows


def _capacity_row(provider_id, when, approved, filled, vacant, unavailable, rng) -> dict:
    return row(
        CAPACITY_FIELDS,
        (
            f"FC-{provider_id}-{when.isoformat()}",
            provider_id,
            when.isoformat(),
            max(1, round(approved / rng.uniform(1.3, 1.6))),
            approved,
            filled,
            vacant,
            unavailable,
        ),
    )


# -- corrections --------------------------------------------------------------------


def with_planted_errors(
    snapshot: Snapshot, sim: LASimulation, rng: random.Random
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The submission as first sent, with errors the LA corrects in a resubmission: a
    placement that had ended left open (its end date, end reason and last cost period's
    end missing) and a cost period at the wrong price. Returns the first submission and
    the changes the resubmission makes (table, ID, field, first value, corrected value)."""
    correct = snapshot.submission
    first = {
        key: (list(value) if isinstance(value, list) else value) for key, value in correct.items()
    }
    extract = date.fromisoformat(correct["extract_date"]).toordinal()
    changes: list[dict[str, Any]] = []
    # A placement that ended (the child left care) before the extract date.
    ended = [
        pl
        for pl in snapshot.placements
        if pl.end is not None and pl.end <= extract and pl.end_reason == "LEFTCARE"
    ]
    if ended:
        chosen = rng.choice(ended)
        index = next(i for i, r in enumerate(first["placements"]) if r["placement_id"] == chosen.id)
        wrong = dict(first["placements"][index])
        for name in ("end_date", "end_reason"):
            changes.append(
                _change("placements", "placement_id", chosen.id, name, None, wrong.pop(name))
            )
        first["placements"][index] = wrong
        last_agreed = max(
            (
                i
                for i, r in enumerate(first["costs"])
                if r["placement_id"] == chosen.id and r["cost_basis"] == "Agreed"
            ),
            key=lambda i: first["costs"][i]["cost_start_date"],
            default=None,
        )
        if last_agreed is not None and "cost_end_date" in first["costs"][last_agreed]:
            wrong = dict(first["costs"][last_agreed])
            changes.append(
                _change(
                    "costs",
                    "cost_id",
                    wrong["cost_id"],
                    "cost_end_date",
                    None,
                    wrong.pop("cost_end_date"),
                )
            )
            first["costs"][last_agreed] = wrong
    # An Agreed price keyed 10% too low.
    candidates = [
        i
        for i, r in enumerate(first["costs"])
        if r["cost_basis"] == "Agreed"
        and "core_weekly" in r
        and r["cost_start_date"] >= correct["period_start"]
        and not any(ch["id"] == r["cost_id"] for ch in changes)
    ]
    if candidates:
        index = rng.choice(candidates)
        right = first["costs"][index]
        wrong = dict(right)
        cut = round(right["total_weekly_cost"] * 0.1, 2)
        for name in ("total_weekly_cost", "core_weekly", "social_care_contribution"):
            if name in wrong:
                wrong[name] = round(wrong[name] - cut, 2)
                changes.append(
                    _change("costs", "cost_id", right["cost_id"], name, wrong[name], right[name])
                )
        first["costs"][index] = wrong
    return first, changes


def _change(table: str, key: str, record_id: str, field_name: str, first, corrected) -> dict:
    return {
        "table": table,
        "id_field": key,
        "id": record_id,
        "field": field_name,
        "first_submission": first,
        "resubmission": corrected,
    }


def periods(first_year: int, years: int, lag_days: int) -> list[Period]:
    out = []
    for year in range(first_year, first_year + years):
        end = date(year + 1, 3, 31)
        out.append(Period(date(year, 4, 1), end, date.fromordinal(end.toordinal() + lag_days)))
    return out
