"""What was planted and what came of it: the truth a test of an analysis checks against.

Parameters (the model and each LA's) are what the simulation was told; the realised
figures are counted from the simulated histories, so they hold exactly for the data
written (up to each submission's extract date where it says so).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sufficiency_standard.simulate import parameters as p
from sufficiency_standard.simulate.population import LASimulation
from sufficiency_standard.simulate.registry import Registry
from sufficiency_standard.simulate.snapshot import Period


def la_truth(sim: LASimulation, periods: list[Period]) -> dict[str, Any]:
    """One LA's realised history over the periods."""
    by_year: dict[str, Any] = {}
    for period in periods:
        first, last = period.start.toordinal(), period.end.toordinal()
        started = [pl for pl in sim.placements if first <= pl.start <= last]
        entries = sum(1 for ch in sim.children if first <= ch.entered <= last)
        exits = sum(1 for ch in sim.children if ch.left is not None and first <= ch.left <= last)
        by_type: dict[str, int] = defaultdict(int)
        for pl in started:
            by_type[pl.placement_type] += 1
        by_year[period.label] = {
            "in_care_at_start": sim.in_care_on(first),
            "in_care_at_end": sim.in_care_on(last),
            "entries": entries,
            "exits": exits,
            "placements_started": dict(sorted(by_type.items())),
        }
    return {"parameters": sim.la.to_dict(), "years": by_year}


def planted_effects(
    sims: list[LASimulation], periods: list[Period], registry: Registry, model: p.ModelParameters
) -> dict[str, Any]:
    """The planted effects, as figures realised over all LAs' placements and searches
    that started in the periods."""
    first = periods[0].start.toordinal()
    last = periods[-1].end.toordinal()
    miles: dict[str, list[float]] = defaultdict(list)
    out_of_area: dict[str, list[int]] = defaultdict(list)
    residential = foster_preferred = 0
    notice: dict[str, list[int]] = defaultdict(list)
    outcomes: dict[str, int] = defaultdict(int)
    reasons: dict[str, int] = defaultdict(int)
    transitions: dict[str, dict[str, dict[str, int]]] = {}
    groups = together = 0
    dear_rows = 0
    for sim in sims:
        for pl in sim.placements:
            if not first <= pl.start <= last:
                continue
            kind = pl.placement_type
            if pl.details.get("miles") is not None:
                miles[kind].append(pl.details["miles"])
            if pl.district is not None:
                host = pl.row.get("host_la_code")
                out_of_area[kind].append(int(host != sim.la.la_code))
            if kind == p.RESIDENTIAL:
                residential += 1
                suit = pl.details.get("suit")
                if suit is not None and suit.foster_preferred_residential:
                    foster_preferred += 1
            if pl.organisation.index == registry.dear_provider:
                dear_rows += 1
        for search in sim.searches:
            if not first <= search.day <= last:
                continue
            kind = "Emergency" if search.emergency else "Planned"
            notice[kind].append(search.needed_by - search.day)
            outcomes[search.outcome] += 1
            reason = search.row.get("no_home_reason") if search.row else None
            if reason:
                reasons[reason] += 1
        for band, moves in sim.transitions.items():
            for kind, destinations in moves.items():
                target = transitions.setdefault(band, {}).setdefault(kind, {})
                for destination, count in destinations.items():
                    target[destination] = target.get(destination, 0) + count
        for _size, placed_together, day in sim.sibling_groups:
            if not first <= day <= last:
                continue
            groups += 1
            together += placed_together
    totals_start = sum(sim.in_care_on(first) for sim in sims)
    totals_end = sum(sim.in_care_on(last) for sim in sims)
    entries = sum(1 for sim in sims for ch in sim.children if first <= ch.entered <= last)
    exits = sum(
        1 for sim in sims for ch in sim.children if ch.left is not None and first <= ch.left <= last
    )
    return {
        "population_growth": {
            "in_care_at_start": totals_start,
            "in_care_at_end": totals_end,
            "entries": entries,
            "exits": exits,
        },
        "transitions_realised": {
            "note": "moves (to a type) and exits from each type, by the age band at the move, "
            "over the whole simulation; the rates are model.moves_per_year and exits_per_year",
            "counts": transitions,
        },
        "dear_provider": {
            **registry.truth()["dear_provider"],
            "placements_started": dear_rows,
            "like_for_like": "weekly cost / (price index of the financial year the cost "
            "period starts in x (1 + cost_per_present_risk x risks present in the "
            "placement's needs assessment)) for its residential placements, against other "
            "private providers' (crisis placements excluded)",
        },
        "distance_by_type": {
            kind: {"placements": len(values), "mean_miles": round(sum(values) / len(values), 1)}
            for kind, values in sorted(miles.items())
        },
        "out_of_area_share_by_type": {
            kind: round(sum(values) / len(values), 3)
            for kind, values in sorted(out_of_area.items())
        },
        "residential_where_fostering_preferred": {
            "share_planted": model.residential_foster_preferred,
            "residential_placements": residential,
            "fostering_preferred": foster_preferred,
        },
        "notice_days": {
            kind: {"searches": len(values), "mean": round(sum(values) / len(values), 1)}
            for kind, values in sorted(notice.items())
        },
        "search_outcomes": dict(sorted(outcomes.items())),
        "no_home_reasons": dict(sorted(reasons.items())),
        "sibling_groups": {
            "groups": groups,
            "placed_together": together,
            "placed_apart": groups - together,
        },
        "price_index": {
            str(year): round(p.price_index(year, model.inflation), 4)
            for year in range(2000, periods[-1].start.year + 2)
        },
    }


def spend_by_year(submissions: list[tuple[str, str, dict]]) -> dict[str, dict[str, Any]]:
    """Spend and bed nights by LA and financial year, by the standard's definition,
    from the submissions put together as a hub does: each record keyed by LA and ID, the
    copy in the later submission counting (a resubmission after the one it corrects).

    `submissions` holds (la_code, label, submission) in the order they were sent."""
    latest: dict[str, dict[str, dict]] = defaultdict(dict)  # LA -> placement ID -> record
    costs: dict[str, dict[str, dict]] = defaultdict(dict)  # LA -> cost ID -> record
    windows: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for la_code, label, submission in submissions:
        for record in submission["placements"]:
            latest[la_code][record["placement_id"]] = record
        for record in submission["costs"]:
            costs[la_code][record["cost_id"]] = record
        window = (label, _day(submission["period_start"]), _day(submission["period_end"]))
        if window not in windows[la_code]:
            windows[la_code].append(window)
    out: dict[str, dict[str, Any]] = {}
    for la_code, placements in latest.items():
        by_placement: dict[str, list[dict]] = defaultdict(list)
        for record in costs[la_code].values():
            by_placement[record["placement_id"]].append(record)
        prepared = []
        for placement_id, record in placements.items():
            periods = by_placement.get(placement_id, ())
            prepared.append(
                (
                    _day(record["start_date"]),
                    _day(record["end_date"]) - 1 if "end_date" in record else None,
                    [_span(c) for c in periods if c["cost_basis"] == "Actual"],
                    [_span(c) for c in periods if c["cost_basis"] == "Agreed"],
                )
            )
        result = {}
        for label, first, last in windows[la_code]:
            pence = 0.0
            nights = uncosted = 0
            for start, end, actual, agreed in prepared:
                lo, hi = max(start, first), min(last if end is None else end, last)
                if lo > hi:
                    continue
                nights += hi - lo + 1
                covered = 0
                for a_start, a_end, weekly in actual:
                    n = _overlap(lo, hi, a_start, a_end)
                    pence += n * weekly / 7
                    covered += n
                for s_start, s_end, weekly in agreed:
                    n = _overlap(lo, hi, s_start, s_end)
                    if not n:
                        continue
                    minus = sum(
                        _overlap(max(lo, s_start), min(hi, s_end), a_start, a_end)
                        for a_start, a_end, _ in actual
                    )
                    pence += (n - minus) * weekly / 7
                    covered += n - minus
                uncosted += (hi - lo + 1) - covered
            result[label] = {
                "spend": round(pence / 100, 2),
                "bed_nights": nights,
                "uncosted_bed_nights": uncosted,
            }
        out[la_code] = result
    return out


def _day(text: str) -> int:
    return date.fromisoformat(text).toordinal()


def _span(cost: dict) -> tuple[int, int, float]:
    end = _day(cost["cost_end_date"]) if "cost_end_date" in cost else 10**7
    return _day(cost["cost_start_date"]), end, round(cost["total_weekly_cost"] * 100)


def _overlap(lo: int, hi: int, start: int, end: int) -> int:
    return max(0, min(hi, end) - max(lo, start) + 1)
