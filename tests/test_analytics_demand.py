"""The demand section: searches by type sought, notice, outcomes, unmet searches and
their reasons, on the example submission by hand (one LA, then two) and on the
simulated region, whose planted notice, outcomes and reasons it must recover."""

from __future__ import annotations

import polars as pl
import pytest
from hub_support import another_la, example_submission, write_submission

from sufficiency_standard.analytics import demand
from sufficiency_standard.analytics.inputs import RegionData
from sufficiency_standard.hub import Hub, ingest


def _hub(folder, *submissions) -> Hub:
    hub = Hub.create(str(folder / "hub.duckdb"))
    for index, submission in enumerate(submissions):
        result = ingest(hub, write_submission(folder, f"la{index}", submission))
        assert result.outcome == "accepted", result.message
    return hub


def _tables(data: RegionData) -> dict[str, pl.DataFrame]:
    section = demand.section(data)
    assert section.key == "demand"
    return {t.name: t.frame for t in section.tables}


def _row(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(*(pl.col(k) == v for k, v in where.items()))
    assert rows.height == 1, where
    return rows.row(0, named=True)


def test_searches_notice_and_unmet_by_hand(tmp_path):
    with _hub(tmp_path, example_submission()) as hub:
        tables = _tables(RegionData.from_hub(hub, threshold=1))
    by_type = tables["searches_by_type"].filter(pl.col("la_code") == "E06000066")
    counts = dict(zip(by_type["type_sought"], by_type["searches"], strict=True))
    # Preferred: foster R2001, R2002, R2007, R2009; residential R2003, R2008, R2010;
    # supported R2004; none R2005 (residential only suitable), R2006.
    assert counts == {
        "Foster": 4,
        "Residential": 3,
        "Supported accommodation": 1,
        "None preferred": 2,
    }
    # Planned with a needed-by date: 11, 14, 24, 25, 35, 35, 53 days (R2009 gives an
    # urgency only); emergency R2003 (1 day, started a day late) and R2005 (4 days).
    planned = _row(tables["notice"], la_code="E06000066", planned_or_emergency="Planned")
    assert (planned["searches"], planned["searches_with_date"], planned["median_days"]) == (
        8,
        7,
        25,
    )
    assert planned["started_late_share"] == 0
    emergency = _row(tables["notice"], la_code="E06000066", planned_or_emergency="Emergency")
    assert (emergency["median_days"], emergency["started_late_share"]) == (2.5, 0.5)
    outcomes = tables["search_outcomes"].filter(pl.col("la_code") == "E06000066")
    assert dict(zip(outcomes["outcome"], outcomes["searches"], strict=True)) == {
        "Placed": 7,
        "No suitable home found": 1,
        "Withdrawn": 1,
        "Ongoing": 1,
    }
    unmet = _row(tables["unmet"], la_code="E06000066", type_sought="Residential")
    assert (unmet["searches"], unmet["unmet_searches"], unmet["median_notice_days"]) == (3, 1, 53)
    assert unmet["most_common_reason"] == "No vacancy"
    assert unmet["unmet_share"] == pytest.approx(1 / 3)
    assert _row(tables["unmet"], la_code="E06000066", type_sought="Foster")["unmet_searches"] == 0
    areas = tables["searches_by_area"]
    # R2002, R2003 (BA4 6) and R2006 (BA4): one district.
    assert _row(areas, family_district="BA4", type_sought="Foster")["searches"] == 1
    assert areas.filter(pl.col("family_district") == "BA4")["searches"].sum() == 3


def test_a_region_row_is_withheld_when_an_la_row_beside_it_is(tmp_path):
    with _hub(tmp_path, example_submission(), another_la()) as hub:
        section = demand.section(RegionData.from_hub(hub))  # threshold 5
    by_type = {t.name: t for t in section.tables}["searches_by_type"].frame
    # Each LA has 4 foster searches: withheld; the region's 8 would give them away.
    for code in ("E06000066", "E06000023", "Region"):
        row = _row(by_type, la_code=code, type_sought="Foster")
        assert row["suppressed"] and row["searches"] is None and row["share_of_searches"] is None
    # Zero is shown: no LA sought a type no search preferred.
    assert not by_type.filter(pl.col("searches") == 0).get_column("suppressed").any()
    assert not any("searches;" in f for f in section.findings)


@pytest.fixture(scope="module")
def simulated(simulated_hub):
    hub = simulated_hub.open()
    yield _tables(RegionData.from_hub(hub, threshold=1)), simulated_hub.truth["planted"]
    hub.close()


def test_notice_recovers_the_planted_notice(simulated):
    tables, planted = simulated
    for kind, truth in planted["notice_days"].items():
        row = _row(tables["notice"], la_code="Region", planned_or_emergency=kind)
        # Every search counts; one LA gives urgencies only, so the mean is of the rest.
        assert row["searches"] == pytest.approx(truth["searches"], rel=0.01)
        assert row["mean_days"] == pytest.approx(
            truth["mean"], abs=0.2 if kind == "Emergency" else 1.5
        )
    emergency = _row(tables["notice"], la_code="Region", planned_or_emergency="Emergency")
    assert emergency["median_days"] <= 5


def test_outcomes_and_no_home_reasons_recover_the_planted_counts(simulated):
    tables, planted = simulated
    outcomes = tables["search_outcomes"].filter(pl.col("la_code") == "Region")
    found = dict(zip(outcomes["outcome"], outcomes["searches"], strict=True))
    truth = planted["search_outcomes"]
    # Searches open on the last extract date are Ongoing in the hub; the truth knows how
    # they ended.
    ongoing = found.get("Ongoing", 0)
    assert ongoing < 0.02 * sum(truth.values())
    assert found["Placed"] <= truth["Placed"] <= found["Placed"] + ongoing
    assert found["No suitable home found"] == pytest.approx(truth["No suitable home found"], abs=3)
    assert found["Withdrawn"] == pytest.approx(truth["Withdrawn"], abs=3)
    reasons = tables["unmet_reasons"].group_by("no_home_reason").agg(pl.col("unmet_searches").sum())
    recovered = dict(zip(reasons["no_home_reason"], reasons["unmet_searches"], strict=True))
    assert set(recovered) == set(planted["no_home_reasons"])
    for reason, count in planted["no_home_reasons"].items():
        assert recovered[reason] == pytest.approx(count, abs=3), reason
    # Residential searches fail more often than foster ones (the planted unmet rates).
    unmet = tables["unmet"].filter(pl.col("la_code") == "Region")
    share = dict(zip(unmet["type_sought"], unmet["unmet_share"], strict=True))
    assert share["Residential"] > 2 * share["Foster"]


def test_residential_searches_approach_more_providers(simulated):
    tables, _ = simulated
    approaches = tables["approaches"]
    residential = _row(approaches, type_sought="Residential", planned_or_emergency="Planned")
    foster = _row(approaches, type_sought="Foster", planned_or_emergency="Planned")
    assert residential["median_providers_approached"] > foster["median_providers_approached"]
    assert residential["no_offer_share"] > foster["no_offer_share"]
