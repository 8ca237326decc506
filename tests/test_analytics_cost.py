"""The cost section: spend by the standard's definition, recovered on the simulator, and
the split of a year's change in spend checked by hand."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator

import numpy as np
import polars as pl
import pytest

from sufficiency_standard.analytics import cost
from sufficiency_standard.analytics.inputs import RegionData, financial_year_label


def _by_type(rows: list[tuple[int, str, int, int, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=["year", "placement_type", "bed_nights", "costed_nights", "spend"],
        orient="row",
    )


def _parts(frame: pl.DataFrame, kind: str) -> dict[str, float]:
    return frame.filter(pl.col("placement_type") == kind).row(0, named=True)


def test_a_change_of_one_factor_is_all_that_factor() -> None:
    """Prices up 10% in every type, nothing else: all price. Twice the nights in the
    same mix at the same prices: all volume. The same nights moved between types: mix."""
    before = [(1, "Foster", 1000, 1000, 100_000.0), (1, "Residential", 100, 100, 100_000.0)]
    dearer = [(2, "Foster", 1000, 1000, 110_000.0), (2, "Residential", 100, 100, 110_000.0)]
    parts = cost.decompose(_by_type(before + dearer), 1, 2)
    assert parts.get_column("price").sum() == pytest.approx(20_000.0)
    assert parts.select("volume", "mix", "costed_share").to_numpy() == pytest.approx(0.0)

    doubled = [(2, "Foster", 2000, 2000, 200_000.0), (2, "Residential", 200, 200, 200_000.0)]
    parts = cost.decompose(_by_type(before + doubled), 1, 2)
    assert parts.get_column("volume").sum() == pytest.approx(200_000.0)
    assert parts.select("mix", "costed_share", "price").to_numpy() == pytest.approx(0.0)

    moved = [(2, "Foster", 900, 900, 90_000.0), (2, "Residential", 200, 200, 200_000.0)]
    parts = cost.decompose(_by_type(before + moved), 1, 2)
    assert parts.get_column("mix").sum() == pytest.approx(90_000.0)
    assert parts.select("volume", "costed_share", "price").to_numpy() == pytest.approx(0.0)


def test_two_years_two_types_by_hand() -> None:
    """Year 1: 1,000 foster nights at £100 and 100 residential at £1,000 (N = 1,100).
    Year 2: 1,000 foster nights at £110 and 200 residential at £1,000 (N = 1,200).

    Residential (price unchanged, so two factors N and s, each Shapley part the change
    of its factor times the mean of the other's two values x p):
      volume = 100 x 1,000 x (1/11 + 1/6) / 2 = 12,878.79
      mix    = (1/6 - 1/11) x 1,000 x (1,100 + 1,200) / 2 = 87,121.21
    Foster (three factors, N: 1,100 -> 1,200, s: 10/11 -> 5/6, p: 100 -> 110; for a
    product xyz the Shapley part of x is dx [(y0 z0 + y1 z1) / 3 + (y0 z1 + y1 z0) / 6]):
      volume = 100 x [(90.909 + 91.667) / 3 + (100 + 83.333) / 6] = 9,141.41
      mix    = -0.075758 x [(110,000 + 132,000) / 3 + (121,000 + 120,000) / 6] = -9,154.04
      price  = 10 x [(1,000 + 1,000) / 3 + (916.667 + 1,090.909) / 6] = 10,012.63
    and they add up to the foster change, 10,000.
    """
    frame = _by_type(
        [
            (1, "Foster", 1000, 1000, 100_000.0),
            (1, "Residential", 100, 100, 100_000.0),
            (2, "Foster", 1000, 1000, 110_000.0),
            (2, "Residential", 200, 200, 200_000.0),
        ]
    )
    parts = cost.decompose(frame, 1, 2)
    residential = _parts(parts, "Residential")
    assert residential["volume"] == pytest.approx(12_878.79, abs=0.01)
    assert residential["mix"] == pytest.approx(87_121.21, abs=0.01)
    assert residential["price"] == pytest.approx(0.0, abs=1e-9)
    foster = _parts(parts, "Foster")
    assert foster["volume"] == pytest.approx(9141.41, abs=0.01)
    assert foster["mix"] == pytest.approx(-9154.04, abs=0.01)
    assert foster["price"] == pytest.approx(10_012.63, abs=0.01)
    for row in parts.iter_rows(named=True):
        assert sum(row[p] for p in cost.PARTS) == pytest.approx(row["total"], abs=1e-6)
    assert parts.get_column("total").sum() == pytest.approx(110_000.0)


def test_costed_share_and_a_new_type() -> None:
    """Nights costed going from half to all, at one price: all costed share. A type
    that appears counts as mix (and the volume it shares in), never as price."""
    frame = _by_type(
        [
            (1, "Foster", 1000, 500, 50_000.0),
            (2, "Foster", 1000, 1000, 100_000.0),
        ]
    )
    parts = cost.decompose(frame, 1, 2)
    assert _parts(parts, "Foster")["costed_share"] == pytest.approx(50_000.0)
    frame = _by_type(
        [
            (1, "Foster", 1000, 1000, 100_000.0),
            (2, "Foster", 1000, 1000, 100_000.0),
            (2, "Secure", 10, 10, 20_000.0),
        ]
    )
    secure = _parts(cost.decompose(frame, 1, 2), "Secure")
    assert secure["price"] == 0.0 and secure["costed_share"] == 0.0
    assert secure["mix"] + secure["volume"] == pytest.approx(20_000.0)
    assert secure["mix"] > secure["volume"] > 0


def test_shapley_parts_add_up_for_any_factors() -> None:
    rng = np.random.default_rng(3)
    before, after = rng.uniform(0.5, 2.0, (4, 6)), rng.uniform(0.5, 2.0, (4, 6))
    parts = cost.shapley_parts(before, after)
    assert parts.sum(axis=0) == pytest.approx(after.prod(axis=0) - before.prod(axis=0))
    # Symmetric: swapping the years negates every part.
    assert cost.shapley_parts(after, before) == pytest.approx(-parts)


# -- on the simulator -------------------------------------------------------------------


@pytest.fixture(scope="module")
def region(simulated_hub) -> Iterator[RegionData]:
    hub = simulated_hub.open()  # one connection: a second to the same file would wait
    yield RegionData.from_hub(hub)
    hub.close()


@pytest.fixture(scope="module")
def section(region):
    return cost.section(region)


def _table(section, name: str) -> pl.DataFrame:
    return next(t for t in section.tables if t.name == name).frame


def test_spend_by_year_is_the_truth(section, region, simulated_hub) -> None:
    """Spend by year, summed over types, equals the simulator's spend by its own
    reading of the definition. Not to the penny: the star rounds each placement-month
    to the penny, so the sum may differ by half a penny per fact row (observed: under
    £1 on some £80m a year)."""
    truth: dict[str, float] = defaultdict(float)
    nights: dict[str, int] = defaultdict(int)
    uncosted: dict[str, int] = defaultdict(int)
    for years in simulated_hub.truth["spend"].values():
        for label, figures in years.items():
            truth[label] += figures["spend"]
            nights[label] += figures["bed_nights"]
            uncosted[label] += figures["uncosted_bed_nights"]
    rows = (
        cost.held_facts(region, "fact_cost_days")
        .group_by("year")
        .len()
        .with_columns(pl.col("year").map_elements(financial_year_label, return_dtype=pl.String))
    )
    fact_rows = dict(rows.iter_rows())
    by_type = _table(section, "spend_by_type")
    assert not by_type.get_column("suppressed").any()
    totals = by_type.group_by("financial_year").agg(
        pl.col("spend").sum(), pl.col("bed_nights").sum(), pl.col("costed_nights").sum()
    )
    assert sorted(totals.get_column("financial_year")) == sorted(truth)
    for label, spend, beds, costed in totals.iter_rows():
        assert abs(spend - truth[label]) <= 0.005 * (fact_rows[label] + by_type.height), label
        assert abs(spend - truth[label]) < 5.0, label
        assert beds == nights[label]
        assert beds - costed == uncosted[label]


def test_uncosted_nights_by_la_are_the_truth(section, simulated_hub) -> None:
    table = _table(section, "uncosted_nights")
    for la_code, years in simulated_hub.truth["spend"].items():
        for label, figures in years.items():
            row = table.filter(
                (pl.col("la_code") == la_code) & (pl.col("financial_year") == label)
            ).row(0, named=True)
            assert row["bed_nights"] == figures["bed_nights"]
            assert row["uncosted_nights"] == figures["uncosted_bed_nights"]


def test_spend_change_adds_up_and_follows_prices(section, simulated_hub) -> None:
    change = _table(section, "spend_change")
    assert change.height == 3  # four complete years
    for row in change.iter_rows(named=True):
        assert row["total"] == pytest.approx(row["spend_to"] - row["spend_from"], abs=0.01)
        assert sum(row[p] for p in cost.PARTS) == pytest.approx(row["total"], abs=0.005)
    by_type = _table(section, "spend_change_by_type")
    summed = by_type.group_by("to_year").agg(pl.col("total").sum()).sort("to_year")
    assert summed.get_column("total").to_list() == pytest.approx(
        change.sort("to_year").get_column("total").to_list(), abs=0.05
    )
    # Prices were uplifted by the planted inflation each April: the price part is
    # positive each year, and about the planted rise times the spend (within 3 points:
    # the price part also carries changes of needs and of kind within a type).
    inflation = simulated_hub.truth["model"]["inflation_by_financial_year"]
    for row in change.iter_rows(named=True):
        planted = inflation[row["to_year"][:4]]
        assert row["price"] > 0
        assert abs(row["price"] / row["spend_from"] - planted) < 0.03, row


def test_small_groups_are_withheld(region) -> None:
    """With a threshold of 10, the types and providers resting on fewer than ten
    placements or children show no spend."""
    strict = RegionData.from_hub(region.hub, threshold=10)
    by_type = _table(cost.section(strict), "spend_by_type")
    small = by_type.filter(pl.col("suppressed"))
    assert small.height > 0
    assert small.get_column("spend").is_null().all()
    assert small.get_column("cost_per_night").is_null().all()
    shown = by_type.filter(~pl.col("suppressed"))
    assert (shown.get_column("placements") >= 10).all()
    assert (shown.get_column("children") >= 10).all()


def test_the_section_reads_as_a_report(section) -> None:
    assert section.key == "cost"
    for table in section.tables:
        assert table.chart is not None
        assert table.chart.x in table.frame.columns and table.chart.y in table.frame.columns
    assert any("spend changed by" in f for f in section.findings)
    assert not any(math.isnan(v) for v in _table(section, "spend_by_type")["spend"])
