"""The supply section: homes and places over time, occupancy by own and other LAs'
children, closures and fostering capacity, by hand on the example submission sent by
two LAs, and on the simulated region against the registry the simulator drew."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hub_support import example_submission, write_submission

from sufficiency_standard.analytics import supply
from sufficiency_standard.analytics.inputs import RegionData
from sufficiency_standard.hub import Hub, ingest

AS_OF = dt.date(2026, 3, 31)


def _case(la_code: str) -> dict:
    """The example as an LA sends it, with its children's home SC401234 closed on 31
    December and P4002 ended because its home closed."""
    submission = example_submission(la_code=la_code)
    for setting in submission["settings"]:
        if setting["setting_urn"] == "SC401234":
            setting["closure_date"] = "2025-12-31"
    for placement in submission["placements"]:
        if placement["placement_id"] == "P4002":
            placement["end_reason"] = "CLOSE"
    return submission


@pytest.fixture
def two_las(tmp_path):
    with Hub.create(str(tmp_path / "hub.duckdb")) as hub:
        for code in ("E06000066", "E06000023"):
            path = write_submission(tmp_path, code, _case(code))
            result = ingest(hub, path)
            assert result.outcome == "accepted", result.message
        yield hub


def _tables(data: RegionData) -> dict[str, pl.DataFrame]:
    section = supply.section(data)
    assert section.key == "supply"
    return {t.name: t.frame for t in section.tables}


def _row(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(*(pl.col(k) == v for k, v in where.items()))
    assert rows.height == 1, where
    return rows.row(0, named=True)


def test_homes_occupancy_closures_and_capacity_by_hand(two_las):
    tables = _tables(RegionData.from_hub(two_las, threshold=1))
    # In E06000066's area: children's homes SC512345 (4 places) and SC401234 (3, closed
    # 31 December), supported accommodation 2711234 (6). The agency in E06000023's area
    # and the homes outside the region are not counted.
    homes = tables["homes"]
    assert _row(homes, date=dt.date(2025, 4, 30), setting_type="Children's home")["places"] == 7
    january = _row(homes, date=dt.date(2026, 1, 31), setting_type="Children's home")
    assert (january["homes"], january["places"]) == (1, 4)
    assert set(tables["homes_by_la"]["la_code"]) == {"E06000066"}
    # Both LAs placed a child in SC512345 (P4003, from 1 October: 182 nights to 31 March)
    # and in 2711234 (P4004).
    home = _row(tables["occupancy"], la_code="E06000066", setting_type="Children's home")
    assert (home["homes"], home["places"]) == (1, 4)
    assert (home["own_children"], home["other_la_children"]) == (1, 1)
    assert (home["own_bed_nights"], home["other_bed_nights"]) == (182, 182)
    assert home["region_share_of_places"] == pytest.approx(2 / 4)
    assert home["own_share_of_region_children"] == pytest.approx(0.5)
    closed = _row(tables["closures"], year="2025-26", setting_type="Children's home")
    assert (closed["closed"], closed["places_closed"]) == (1, 3)
    moves = tables["closure_moves"]
    assert _row(moves, la_code="E06000066", year="2025-26")["placements"] == 1
    capacity = tables["fostering_capacity"].filter(pl.col("service") == "LA fostering service")
    assert capacity.height == 2  # each LA's own service (no national ID: not merged)
    assert capacity["vacant_share"].to_list() == pytest.approx([21 / 180, 21 / 180])


def test_small_occupancy_is_withheld(two_las):
    section = supply.section(RegionData.from_hub(two_las))  # threshold 5
    occupancy = {t.name: t for t in section.tables}["occupancy"].frame
    assert occupancy["suppressed"].all()
    assert occupancy["own_children"].is_null().all()
    assert occupancy["homes"].to_list() == [1, 1]  # homes are public, never withheld
    assert not any("were placed by the LA" in finding for finding in section.findings)


@pytest.fixture(scope="module")
def simulated(simulated_hub):
    hub = simulated_hub.open()
    data = RegionData.from_hub(hub, threshold=1)
    yield _tables(data), simulated_hub.truth, data
    hub.close()


def test_homes_and_closures_match_the_simulated_registry(simulated):
    tables, truth, data = simulated
    used = set(data.current["settings"]["setting_urn"])
    las = set(truth["las"])
    registry = [
        s
        for s in truth["registry"]["settings"]
        if s["setting_urn"] in used
        and s["host_la_code"] in las
        and s["setting_type"] != "Independent fostering agency"
    ]

    def open_on(day: dt.date) -> list[dict]:
        return [
            s
            for s in registry
            if dt.date.fromisoformat(s["registration_date"]) <= day
            and (s["closure_date"] is None or dt.date.fromisoformat(s["closure_date"]) > day)
        ]

    for day in (dt.date(2021, 4, 30), dt.date(2023, 3, 31), data.as_of):
        on_day = tables["homes"].filter(pl.col("date") == day)
        expected = open_on(day)
        assert on_day["homes"].sum() == len(expected), day
        assert on_day["places"].sum() == sum(s["registered_places"] for s in expected), day
    first = dt.date(2021, 4, 1)
    closed = [
        s
        for s in registry
        if s["closure_date"] and first <= dt.date.fromisoformat(s["closure_date"]) <= data.as_of
    ]
    assert tables["closures"]["closed"].sum() == len(closed) > 0


def test_occupancy_splits_the_regions_children_by_placing_la(simulated):
    tables, _, data = simulated
    occupancy = tables["occupancy"]
    day = data.as_of
    homes = supply.region_homes(data).filter(supply.open_on(pl.lit(day)))
    living = data.placements.filter(
        (pl.col("start_date") <= day) & (pl.col("last_night") >= day)
    ).join(homes.select("setting_key", "host_la_code"), on="setting_key", suffix="_home")
    own = living.filter(pl.col("la_code") == pl.col("host_la_code_home")).height
    assert occupancy["own_children"].sum() == own
    assert occupancy["other_la_children"].sum() == living.height - own
    assert living.height > 0 and 0 < own < living.height
    capacity = tables["fostering_capacity"]
    assert (
        capacity.filter(pl.col("service") == "LA fostering service")["provider_key"].n_unique() == 4
    )
    assert (capacity["filled_places"] <= capacity["approved_places"]).all()
