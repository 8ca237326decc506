"""The placements section: distance, siblings, type mismatch, registration and stability,
on a hand-computed hub (the example submission, changed where a case needs it) and on
the simulated region, whose planted figures it must recover."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hub_support import example_submission, write_submission

from sufficiency_standard.analytics import placements
from sufficiency_standard.analytics.inputs import RegionData
from sufficiency_standard.hub import Hub, ingest


def _case() -> dict:
    """The example, with: the residential placement's search preferring foster care (no
    foster home available); a children's home registered with no regulator; and a
    third home for child C1002 in the year (June to September)."""
    submission = example_submission()
    for referral in submission["referrals"]:
        if referral["referral_id"] == "R2003":
            referral["foster_care_suitability"] = "Preferred"
            referral["residential_care_suitability"] = "Suitable but not preferred"
    by_id = {p["placement_id"]: p for p in submission["placements"]}
    by_id["P4003"].update(
        type_preferred="No", type_reason="Preferred type not available", setting_urn="X-UNREG-1"
    )
    by_id["P4002"]["end_date"] = "2025-06-30"
    extra = dict(by_id["P4002"], placement_id="P4011", start_date="2025-06-30")
    extra.update(end_date="2025-09-30", referral_id=None, needs_id=None)
    extra = {k: v for k, v in extra.items() if v is not None}
    extra["not_costed_reason"] = "Not recorded"
    submission["placements"].append(extra)
    for cost in submission["costs"]:
        if cost["placement_id"] == "P4002":
            cost["cost_end_date"] = "2025-06-30"
    submission["settings"].append(
        {
            "setting_urn": "X-UNREG-1",
            "provider_id": "PRV-0107",
            "setting_type": "Children's home",
            "registration_type": "Unregistered",
            "host_la_code": "E06000066",
            "location": "TA6 4",
            "registered_places": 2,
        }
    )
    return submission


@pytest.fixture
def case_hub(tmp_path):
    path = write_submission(tmp_path, "la", _case())
    with Hub.create(str(tmp_path / "hub.duckdb")) as hub:
        result = ingest(hub, path)
        assert result.outcome == "accepted", result.message
        yield hub


def _tables(data: RegionData) -> dict[str, pl.DataFrame]:
    section = placements.section(data)
    assert section.key == "placements"
    return {t.name: t.frame for t in section.tables}


def _row(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(*(pl.col(k) == v for k, v in where.items()))
    assert rows.height == 1, where
    return rows.row(0, named=True)


def test_distance_siblings_mismatch_registration_and_stability_by_hand(case_hub):
    tables = _tables(RegionData.from_hub(case_hub, threshold=1))
    # Started in 2025-26: foster P4001 (6.4), P4002 (18.2), P4007 (0), P4010 (9.8), P4011
    # (18.2); P4008 and P4009 began before the window.
    foster = _row(tables["distance"], la_code="E06000066", placement_type="Foster")
    assert (foster["placements"], foster["with_distance"]) == (5, 5)
    assert foster["mean_miles"] == pytest.approx((6.4 + 18.2 + 0 + 9.8 + 18.2) / 5, abs=0.05)
    assert foster["median_miles"] == pytest.approx(9.8)
    assert foster["out_of_area_share"] == 0 and foster["over_20_miles_share"] == 0
    secure = _row(tables["distance"], la_code="Region", placement_type="Secure")
    assert (secure["out_of_area_share"], secure["over_50_miles_share"]) == (1.0, 1.0)
    # R2007 asked for one sibling; P4007 took them (P4010 names no search: left out).
    siblings = _row(tables["siblings"], la_code="E06000066")
    assert (siblings["children"], siblings["with_all"], siblings["apart"]) == (1, 1, 0)
    mismatch = _row(tables["type_mismatch"], la_code="E06000066")
    assert mismatch["residential_placements"] == 1
    assert mismatch["fostering_preferred_share"] == 1.0
    assert mismatch["no_foster_home_share"] == 1.0
    unregistered = tables["unregistered"].filter(pl.col("la_code") == "E06000066")
    counts = dict(zip(unregistered["measure"], unregistered["placements"], strict=True))
    assert counts["In a setting registered with no regulator"] == 1
    assert counts["Under 16 in supported or independent accommodation"] == 0
    # 2025-26: nine children in care on 31 March; C1002 lived in P4002, P4011, P4003
    # (two moves); no one else moved.
    year = _row(tables["stability"], la_code="E06000066", year="2025-26")
    assert (year["children_at_year_end"], year["three_or_more"]) == (9, 1)
    assert (year["children_in_year"], year["moves"]) == (9, 2)


def test_small_numbers_are_withheld_and_findings_quote_none(case_hub):
    data = RegionData.from_hub(case_hub)  # threshold 5
    section = placements.section(data)
    distance = {t.name: t for t in section.tables}["distance"].frame
    foster = _row(distance, la_code="E06000066", placement_type="Foster")
    assert foster["placements"] == 5 and not foster["suppressed"]
    residential = _row(distance, la_code="E06000066", placement_type="Residential")
    assert residential["suppressed"] and residential["mean_miles"] is None
    # One LA: the region's residential row is that LA's, so it is withheld too.
    assert _row(distance, la_code="Region", placement_type="Residential")["suppressed"]
    text = " ".join(section.findings)
    assert "children's home placements were more than 20 miles" not in text


@pytest.fixture(scope="module")
def simulated(simulated_hub):
    hub = simulated_hub.open()
    data = RegionData.from_hub(hub, threshold=1)
    yield _tables(data), simulated_hub.truth["planted"], data
    hub.close()


def test_distance_and_out_of_area_recover_the_planted_figures(simulated):
    tables, planted, _ = simulated
    region = tables["distance"].filter(pl.col("la_code") == "Region")
    for kind, truth in planted["distance_by_type"].items():
        row = _row(region, placement_type=kind)
        assert row["with_distance"] == truth["placements"], kind
        assert row["mean_miles"] == pytest.approx(truth["mean_miles"], abs=0.15), kind
    for kind, share in planted["out_of_area_share_by_type"].items():
        assert _row(region, placement_type=kind)["out_of_area_share"] == pytest.approx(
            share, abs=0.002
        )


def test_residential_where_fostering_was_preferred_recovers_the_planted_share(simulated):
    tables, planted, _ = simulated
    truth = planted["residential_where_fostering_preferred"]
    row = _row(tables["type_mismatch"], la_code="Region")
    assert row["residential_placements"] == truth["residential_placements"]
    assert row["fostering_preferred"] == pytest.approx(truth["fostering_preferred"], abs=2)
    assert row["fostering_preferred_share"] == pytest.approx(truth["share_planted"], abs=0.05)
    # The narrower reading counts fewer: emergencies taking the first home are left out.
    assert row["no_foster_home_available"] < row["fostering_preferred"]


def test_siblings_placed_apart_recover_the_planted_groups(simulated):
    tables, planted, _ = simulated
    truth = planted["sibling_groups"]
    region = tables["siblings"].filter(pl.col("la_code") == "Region")
    # A group of n is n children who each had n - 1 siblings to place with (at most 4).
    size = pl.col("siblings_to_place_with").str.strip_chars("+").cast(pl.Int64) + 1
    groups = region.select((pl.col("children") / size).sum()).item()
    together = region.select((pl.col("with_all") / size).sum()).item()
    # The truth counts the groups that entered care in the window; the table, the
    # children whose placement names its search (the simulator leaves some placements'
    # referral blank, as LAs do): a few per cent fewer, never more.
    assert 0.94 * truth["groups"] <= groups <= truth["groups"]
    assert 1 - together / groups == pytest.approx(truth["placed_apart"] / truth["groups"], abs=0.04)


def test_stability_is_counted_from_each_childs_placements(simulated):
    tables, _, data = simulated
    row = _row(tables["stability"], la_code="Region", year="2024-25")
    end = dt.date(2025, 3, 31)
    live = data.placements.filter(
        (pl.col("start_date") <= end) & (pl.col("last_night") >= dt.date(2024, 4, 1))
    )
    at_end = live.filter(pl.col("last_night") >= end).get_column("child_key").unique()
    assert row["children_at_year_end"] == at_end.len()
    homes = live.filter(pl.col("child_key").is_in(at_end.implode())).group_by("child_key").len()
    assert row["three_or_more"] == homes.filter(pl.col("len") >= 3).height
    assert 0 < row["three_or_more_share"] < 0.2
