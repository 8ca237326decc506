"""The region simulator (sufficiency_standard.simulate) and the example region it made.

Every submission it makes is valid; the same seed makes the same bytes; the effects it
plants can be seen in simple statistics of its output; a resubmission differs from the
submission it corrects only where the truth says; the shipped example region is what
scripts/make_example_region.py makes.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from scripts_loader import load_script

from sufficiency_standard import validate
from sufficiency_standard.simulate import LAParameters, default_las, simulate_region
from sufficiency_standard.simulate.geography import districts, la_areas, miles_between
from sufficiency_standard.simulate.parameters import RISKS
from sufficiency_standard.simulate.truth import spend_by_year

EXAMPLE = Path(__file__).resolve().parent.parent / "src" / "sufficiency_standard" / "example_region"
TABLE_KEYS = {
    "children": "child_id",
    "referrals": "referral_id",
    "needs_assessments": "needs_id",
    "placements": "placement_id",
    "providers": "provider_id",
    "settings": "setting_urn",
    "costs": "cost_id",
    "fostering_capacity": "capacity_id",
}


@pytest.fixture(scope="module")
def small():
    """A small region: four South West LAs over two years, one LA-year sent twice."""
    return simulate_region(5, las=4, years=2, scale=0.15, resubmissions=1)


@pytest.fixture(scope="module")
def medium():
    """Big enough for the planted effects to show in simple statistics."""
    return simulate_region(3, las=4, years=2, scale=0.5, resubmissions=0)


def firsts(region) -> list[dict[str, Any]]:
    """Each LA-period's submission as the hub keeps it (a resubmission over the first)."""
    latest = {}
    for sub in region.submissions:
        latest[sub.la_code, sub.label] = sub.submission
    return list(latest.values())


def day(text: str) -> date:
    return date.fromisoformat(text)


# -- validity ---------------------------------------------------------------------------


def test_every_submission_of_a_simulated_region_is_valid_with_no_warnings(small):
    assert len(small.submissions) == 4 * 2 + 1
    for sub in small.submissions:
        report = validate(sub.submission)
        found = Counter(issue.code for issue in report.issues)
        assert report.valid, (sub.name, found)
        assert report.counts["error"] == 0 and report.counts["warning"] == 0, (sub.name, found)
        assert sub.submission["standard_version"] == "0.3.0"
        assert (sub.submission["period_start"], sub.submission["period_end"]) == (
            sub.period_start.isoformat(),
            sub.period_end.isoformat(),
        )


def test_synthetic_las_beyond_the_south_west_are_valid():
    region = simulate_region(9, las=16, years=1, scale=0.05, resubmissions=0)
    codes = [sub.la_code for sub in region.submissions]
    assert codes[:3] == ["E06000066", "E10000008", "E06000023"]
    synthetic = [code for code in codes if code[3] == "9"]
    assert len(synthetic) == 2
    for sub in region.submissions[-2:]:
        assert re.fullmatch(r"E(06|08|09|10)[0-9]{6}", sub.la_code)
        report = validate(sub.submission)
        assert report.counts["error"] == 0 and report.counts["warning"] == 0


def test_the_catalogue_has_150_las_each_with_districts_of_its_own():
    areas = la_areas()
    assert len(areas) == 150
    assert len({a.la_code for a in areas}) == 150
    table = districts()
    for area in areas:
        assert area.districts
        assert all(table[d].la_code == area.la_code for d in area.districts)
    assert miles_between("TA1", "TA1") == 0
    assert 30 < miles_between("TA1", "BS1") < 45  # Taunton to Bristol


def test_given_la_parameters_are_used():
    las = default_las(2, seed=1)
    custom = [
        LAParameters(
            la_code=las[1].la_code,
            name=las[1].name,
            districts=las[1].districts,
            children_in_care=40,
            notice_as_urgency=True,
        )
    ]
    region = simulate_region(1, las=custom, years=1, resubmissions=0)
    (sub,) = region.submissions
    assert sub.la_code == "E10000008"
    referrals = sub.submission["referrals"]
    assert referrals and all("needed_by_date" not in r and "urgency" in r for r in referrals)
    assert validate(sub.submission).counts["error"] == 0
    nowhere = LAParameters(
        la_code="E06000999", name="Nowhere", districts=("ZZ9",), children_in_care=10
    )
    with pytest.raises(ValueError, match="ZZ9"):
        simulate_region(1, las=[nowhere], years=1)


# -- determinism ------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_bytes_and_another_seed_others(tmp_path):
    def made(seed: int, folder: Path) -> dict[str, bytes]:
        region = simulate_region(seed, las=2, years=1, scale=0.05, resubmissions=1)
        formats = {0: "json", 1: "xlsx", 2: "csv-zip"}
        region.write(folder, lambda sub: formats[region.submissions.index(sub) % 3])
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}

    first = made(11, tmp_path / "a")
    assert made(11, tmp_path / "b") == first
    assert {Path(name).suffix for name in first} == {".json", ".xlsx", ".zip"}
    other = made(12, tmp_path / "c")
    assert other.keys() == first.keys()
    assert all(other[name] != first[name] for name in first)


# -- the planted effects, from the output alone -----------------------------------------


def test_the_dear_provider_charges_about_20_percent_more_for_the_same_needs(medium):
    truth = medium.truth
    dear_ids = truth["planted"]["dear_provider"]["national_ids"]
    index = {int(year): value for year, value in truth["planted"]["price_index"].items()}
    per_risk = truth["model"]["cost_per_present_risk"]
    dear, others = [], []
    for sub in firsts(medium):
        providers = {p["provider_id"]: p for p in sub["providers"]}
        needs = {n["needs_id"]: n for n in sub["needs_assessments"]}
        first_cost = {}
        for cost in sub["costs"]:
            if cost["cost_basis"] == "Agreed" and (
                cost["placement_id"] not in first_cost
                or cost["cost_start_date"] < first_cost[cost["placement_id"]]["cost_start_date"]
            ):
                first_cost[cost["placement_id"]] = cost
        for placement in sub["placements"]:
            provider = providers[placement["provider_id"]]
            cost = first_cost.get(placement["placement_id"])
            if (
                placement["placement_type"] != "Residential"
                or placement.get("crisis_placement") == "Yes"
                or provider["ownership"] != "Private"
                or "needs_id" not in placement
                or cost is None
                or cost["cost_start_date"] != placement["start_date"]
            ):
                continue
            risks = sum(
                needs[placement["needs_id"]].get(r) not in (None, "No known risk") for r in RISKS
            )
            start = day(cost["cost_start_date"])
            year = start.year if start.month >= 4 else start.year - 1
            like_for_like = cost["total_weekly_cost"] / (index[year] * (1 + per_risk * risks))
            is_dear = all(provider.get(k) == v for k, v in dear_ids.items())
            (dear if is_dear else others).append(like_for_like)
    assert len(dear) >= 20 and len(others) >= 20
    assert 1.1 <= statistics.mean(dear) / statistics.mean(others) <= 1.3


def test_the_dear_provider_is_one_organisation_with_a_local_id_in_each_la(medium):
    dear_ids = medium.truth["planted"]["dear_provider"]["national_ids"]
    local_ids = {}
    for sub in firsts(medium):
        for provider in sub["providers"]:
            if all(provider.get(k) == v for k, v in dear_ids.items()):
                local_ids[sub["la_code"]] = provider["provider_id"]
    assert len(local_ids) >= 3
    assert len(set(local_ids.values())) == len(local_ids)
    # Settings are shared as well: the same home's URN in several LAs' data.
    las_of_setting = defaultdict(set)
    for sub in firsts(medium):
        for setting in sub["settings"]:
            las_of_setting[setting["setting_urn"]].add(sub["la_code"])
    assert max(len(las) for las in las_of_setting.values()) >= 3


def test_residential_homes_are_farther_and_more_often_out_of_area_than_foster_homes(medium):
    miles, outside = defaultdict(list), defaultdict(list)
    for sub in firsts(medium):
        for placement in sub["placements"]:
            kind = placement["placement_type"]
            if "distance_miles" in placement:
                miles[kind].append(placement["distance_miles"])
            if "host_la_code" in placement:
                outside[kind].append(placement["host_la_code"] != sub["la_code"])
    assert statistics.mean(miles["Residential"]) > 3 * statistics.mean(miles["Foster"])
    assert statistics.mean(outside["Residential"]) > 2 * statistics.mean(outside["Foster"])
    assert statistics.mean(miles["Secure"]) > statistics.mean(miles["Residential"])


def test_emergency_searches_give_less_notice_than_planned_ones(medium):
    notice = defaultdict(list)
    for sub in firsts(medium):
        for referral in sub["referrals"]:
            if "needed_by_date" in referral and "planned_or_emergency" in referral:
                days = (day(referral["needed_by_date"]) - day(referral["referral_date"])).days
                notice[referral["planned_or_emergency"]].append(days)
    assert max(notice["Emergency"]) <= 5 < min(notice["Planned"])
    assert statistics.mean(notice["Emergency"]) < 3 < 20 < statistics.mean(notice["Planned"])


def test_the_number_in_care_grows(medium):
    def in_care(sub: dict[str, Any], on: str) -> int:
        return len(
            {
                p["child_id"]
                for p in sub["placements"]
                if p["start_date"] <= on and ("end_date" not in p or p["end_date"] > on)
            }
        )

    by_la = defaultdict(list)
    for sub in firsts(medium):
        by_la[sub["la_code"]].append(sub)
    start = sum(in_care(subs[0], subs[0]["period_start"]) for subs in by_la.values())
    end = sum(in_care(subs[-1], subs[-1]["period_end"]) for subs in by_la.values())
    assert end > start * 1.02
    growth = medium.truth["planted"]["population_growth"]
    assert growth["entries"] > growth["exits"]
    assert (growth["in_care_at_start"], growth["in_care_at_end"]) == (start, end)


def test_searches_end_in_every_way_and_unmet_ones_say_why(medium):
    outcomes = Counter()
    for sub in firsts(medium):
        for referral in sub["referrals"]:
            outcomes[referral["outcome"]] += 1
            if referral["outcome"] == "No suitable home found":
                assert referral["no_home_reason"]
                assert referral["offers_received"] == 0
    assert set(outcomes) == {"Placed", "No suitable home found", "Withdrawn", "Ongoing"}
    assert 0.03 < outcomes["No suitable home found"] / sum(outcomes.values()) < 0.2


def test_some_children_are_in_residential_care_where_fostering_was_preferred(medium):
    preferred = total = 0
    for sub in firsts(medium):
        referrals = {r["referral_id"]: r for r in sub["referrals"]}
        for placement in sub["placements"]:
            if placement["placement_type"] != "Residential" or "referral_id" not in placement:
                continue
            total += 1
            referral = referrals[placement["referral_id"]]
            if referral.get("foster_care_suitability") == "Preferred":
                preferred += 1
                assert placement["type_preferred"] == "No" and placement["type_reason"]
    assert 0.2 < preferred / total < 0.4


def test_suitability_fits_the_age(medium):
    for sub in firsts(medium):
        born = {c["child_id"]: c["birth_month"] for c in sub["children"]}
        for referral in sub["referrals"]:
            age = (day(referral["referral_date"]) - day(born[referral["child_id"]] + "-01")).days
            if age < 15 * 365:
                assert referral.get("supported_accommodation_suitability") in (
                    None,
                    "Unsuitable",
                )
            if age < 9 * 365:
                assert referral.get("residential_care_suitability") in (
                    None,
                    "Unsuitable",
                    "Not specified",
                )


def test_some_siblings_are_placed_apart(medium):
    apart = together = 0
    for sub in firsts(medium):
        referrals = {r["referral_id"]: r for r in sub["referrals"]}
        for placement in sub["placements"]:
            referral = referrals.get(placement.get("referral_id"))
            if referral and referral.get("siblings_to_place_with", 0) > 0:
                if placement["siblings_placed_together"] == 0:
                    apart += 1
                else:
                    together += 1
    assert apart > 0 and together > 0


def test_risks_are_correlated_and_sometimes_blank(medium):
    exploited, missing, blanks = [], [], 0
    for sub in firsts(medium):
        for needs in sub["needs_assessments"]:
            a = needs.get("risk_to_child_sexual_exploitation")
            b = needs.get("risk_to_child_going_missing")
            blanks += sum(r not in needs for r in RISKS)
            if a and b:
                exploited.append(a != "No known risk")
                missing.append(b != "No known risk")
    assert blanks > 0
    assert statistics.correlation([float(x) for x in exploited], [float(x) for x in missing]) > 0.2


def test_prices_rise_each_april_and_actual_costs_overlap_agreed_ones(medium):
    rate = medium.truth["model"]["inflation_by_financial_year"]["2024"]
    rises, overlaps = [], 0
    for sub in firsts(medium):
        by_placement = defaultdict(list)
        for cost in sub["costs"]:
            by_placement[cost["placement_id"], cost["cost_basis"]].append(cost)
        for (placement_id, basis), costs in by_placement.items():
            costs.sort(key=lambda c: c["cost_start_date"])
            if basis == "Agreed":
                for before, after in pairwise(costs):
                    if after["cost_start_date"] == "2024-04-01" and before.get(
                        "additional_support_weekly"
                    ) == after.get("additional_support_weekly"):
                        rises.append(after["total_weekly_cost"] / before["total_weekly_cost"])
            else:
                agreed = by_placement.get((placement_id, "Agreed"), [])
                overlaps += any(
                    a["cost_start_date"] <= c["cost_start_date"]
                    and c["cost_start_date"] <= a.get("cost_end_date", "9999")
                    for c in costs
                    for a in agreed
                )
    assert len(rises) > 20 and overlaps > 20
    assert abs(statistics.median(rises) - (1 + rate)) < 0.005


def test_fostering_capacity_adds_up(medium):
    for sub in firsts(medium):
        rows = sub["fostering_capacity"]
        assert rows
        for row in rows:
            assert row["approved_places"] == (
                row["filled_places"] + row["vacant_places"] + row["unavailable_places"]
            )


def test_a_record_keeps_its_id_from_one_year_to_the_next(medium):
    by_la = defaultdict(list)
    for sub in firsts(medium):
        by_la[sub["la_code"]].append(sub)
    ended_later = 0
    for first, second in by_la.values():
        earlier = {p["placement_id"]: p for p in first["placements"]}
        carried = [p for p in second["placements"] if p["placement_id"] in earlier]
        assert carried
        for placement in carried:
            before = earlier[placement["placement_id"]]
            assert placement["start_date"] == before["start_date"]
            assert placement["child_id"] == before["child_id"]
            ended_later += "end_date" in placement and "end_date" not in before
        assert {p["placement_id"] for p in first["placements"] if "end_date" not in p} <= {
            p["placement_id"] for p in second["placements"]
        }
    assert ended_later > 0


def test_spend_in_the_truth_follows_the_definition_night_by_night(small):
    """The truth's spend, worked out from the same submissions one night at a time."""
    code = small.submissions[0].la_code
    subs = [s for s in small.submissions if s.la_code == code]
    placements, costs = {}, {}
    for sub in subs:
        placements.update({p["placement_id"]: p for p in sub.submission["placements"]})
        costs.update({c["cost_id"]: c for c in sub.submission["costs"]})
    by_placement = defaultdict(list)
    for cost in costs.values():
        by_placement[cost["placement_id"]].append(cost)
    expected = {}
    for sub in subs:
        first, last = sub.period_start, sub.period_end
        pence = 0.0
        for placement_id, placement in placements.items():
            night = max(day(placement["start_date"]), first)
            end = day(placement["end_date"]) - timedelta(1) if "end_date" in placement else last
            while night <= min(end, last):
                text = night.isoformat()
                covering = {
                    c["cost_basis"]: c["total_weekly_cost"]
                    for c in by_placement[placement_id]
                    if c["cost_start_date"] <= text <= c.get("cost_end_date", "9999")
                }
                pence += round(covering.get("Actual", covering.get("Agreed", 0)) * 100) / 7
                night += timedelta(1)
        expected[sub.label] = round(pence / 100, 2)
    truth = small.truth["spend"][code]
    assert {label: truth[label]["spend"] for label in expected} == pytest.approx(expected)
    assert spend_by_year([(s.la_code, s.label, s.submission) for s in subs])[code] == truth


# -- resubmissions ----------------------------------------------------------------------


def test_a_resubmission_differs_only_in_the_records_the_truth_names(small):
    (correction,) = small.truth["resubmissions"]
    first = next(s for s in small.submissions if s.name == correction["first_submission"])
    second = next(s for s in small.submissions if s.name == correction["resubmission"])
    assert second.resubmission and not first.resubmission
    assert (first.la_code, first.label) == (second.la_code, second.label)
    assert second.name == f"{first.name}-resubmission"
    found = []
    for table, key in TABLE_KEYS.items():
        before = {r[key]: r for r in first.submission[table]}
        after = {r[key]: r for r in second.submission[table]}
        assert before.keys() == after.keys(), table
        for record_id, record in after.items():
            for field in sorted(set(record) | set(before[record_id])):
                if record.get(field) != before[record_id].get(field):
                    found.append(
                        (table, record_id, field, before[record_id].get(field), record.get(field))
                    )
    documented = [
        (c["table"], c["id"], c["field"], c["first_submission"], c["resubmission"])
        for c in correction["changes"]
    ]
    assert sorted(found) == sorted(documented)
    fields = {(c[0], c[2]) for c in documented}
    assert {("placements", "end_date"), ("costs", "total_weekly_cost")} <= fields
    header = {k: v for k, v in first.submission.items() if not isinstance(v, list)}
    assert header == {k: v for k, v in second.submission.items() if not isinstance(v, list)}


# -- the example region -----------------------------------------------------------------


def test_the_example_region_is_valid_small_and_in_mixed_formats():
    files = sorted(p for p in EXAMPLE.iterdir() if p.name.startswith("E"))
    assert {p.suffix for p in files} == {".xlsx", ".json", ".zip"}
    assert sum(p.suffix == ".zip" for p in files) == 1
    assert sum("-resubmission" in p.name for p in files) == 1
    assert sum(p.stat().st_size for p in EXAMPLE.iterdir()) < 2_000_000
    for path in files:
        assert re.fullmatch(r"E\d{8}-20\d\d-\d\d(-resubmission)?\.(xlsx|json|zip)", path.name)
        report = validate(path)
        assert report.counts["error"] == 0 and report.counts["warning"] == 0, path.name
    truth = json.loads((EXAMPLE / "truth.json").read_text(encoding="utf-8"))
    assert truth["seed"] == load_script("make_example_region").SEED
    assert (EXAMPLE / "README.md").is_file() and (EXAMPLE / "hub.yaml").is_file()


def test_the_example_region_is_what_the_script_makes():
    """The drift check: the script regenerates the region and compares every byte."""
    script = load_script("make_example_region")
    assert script.check() == []
    assert script.main(["--check"]) == 0


def test_the_drift_check_finds_a_changed_file(tmp_path):
    script = load_script("make_example_region")
    script.make_example_region(tmp_path)
    (tmp_path / "hub.yaml").write_text("changed\n", encoding="utf-8")
    (tmp_path / "extra.txt").write_text("", encoding="utf-8")
    assert script.check(tmp_path) == ["extra.txt is not made by the script", "hub.yaml differs"]
    assert script.main(["--check", "--out", str(tmp_path)]) == 1
