"""The provider price index: a tiny region whose answer is known, the model's
shrinkage, and the dear provider the simulator planted."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator

import numpy as np
import polars as pl
import pytest

from sufficiency_standard.analytics import providers
from sufficiency_standard.analytics.inputs import RegionData
from sufficiency_standard.analytics.price_model import NEEDS_FLAGS, fit_random_intercepts

LA = "E06000066"
START = dt.date(2024, 4, 1)


def _tiny_region(prices: dict[str, list[float]], threshold: int = 5) -> RegionData:
    """A region of one LA and one year: each provider's residential placements, each
    costed for April 2024 at the weekly prices given. Built straight into the tables
    RegionData reads (the hub's own tests cover how they get there)."""
    placements, children, costs, needs = [], [], [], []
    for provider, weeklies in prices.items():
        for number, weekly in enumerate(weeklies):
            pid = f"{provider}-{number}"
            placements.append(
                {
                    "la_code": LA,
                    "placement_id": pid,
                    "child_id": f"C{pid}",
                    "needs_id": f"N{pid}",
                    "start_date": START,
                    "end_date": dt.date(2024, 5, 1),
                    "period_end": dt.date(2025, 3, 31),
                    "placement_type": "Residential",
                    "place_code": "K2",
                    "crisis_placement": "No",
                    "provider_id": provider,
                    "provider_key": f"ofsted:{provider}",
                }
            )
            children.append({"la_code": LA, "child_id": f"C{pid}", "birth_month": "2010-01"})
            needs.append(
                {
                    "la_code": LA,
                    "needs_id": f"N{pid}",
                    "period_end": dt.date(2025, 3, 31),
                    "risk_to_child_self_harm": "No known risk",
                    **dict.fromkeys(NEEDS_FLAGS, "No"),
                }
            )
            costs.append(
                {
                    "la_code": LA,
                    "placement_key": f"{LA}/{pid}",
                    "provider_key": f"ofsted:{provider}",
                    "placement_type": "Residential",
                    "cost_basis": "Agreed",
                    "date_key": 20240401,
                    "costed_nights": 30,
                    "spend": round(weekly / 7 * 30, 2),
                }
            )
    names = list(prices)
    data = RegionData(
        hub=None,  # type: ignore[arg-type]  # the star is given below
        current={
            "placements": pl.DataFrame(placements),
            "children": pl.DataFrame(children),
            "needs_assessments": pl.DataFrame(needs),
            "providers": pl.DataFrame(
                {
                    "la_code": [LA] * len(names),
                    "provider_id": names,
                    "ownership": ["Private"] * len(names),
                    "period_end": [dt.date(2025, 3, 31)] * len(names),
                }
            ),
        },
        as_of=dt.date(2025, 3, 31),
        threshold=threshold,
    )
    data.__dict__["star"] = {
        "dim_la": pl.DataFrame(
            {
                "la_code": [LA],
                "first_period_start": [dt.date(2024, 4, 1)],
                "last_period_end": [dt.date(2025, 3, 31)],
            }
        ),
        "dim_provider": pl.DataFrame(
            {
                "provider_key": [f"ofsted:{n}" for n in names],
                "provider_name": names,
                "ownership": ["Private"] * len(names),
            }
        ),
        "fact_cost_days": pl.DataFrame(costs),
    }
    return data


def _wobble(price: float, count: int) -> list[float]:
    """`count` prices 1% either side of `price` (so the group's mean log price is
    log(price) to within 1e-4)."""
    return [price * (1.01 if i % 2 else 0.99) for i in range(count)]


def test_with_little_noise_the_index_is_the_price_ratio() -> None:
    """Three providers, ten placements each at £1,000, £1,200 and £800 a week (give or
    take 1%), and one with three at £1,000. The placements' own spread (1%) is tiny
    beside the providers' (about 16%), so nothing needs shrinking: each index is its
    price over the typical price (the geometric mean of the four providers' prices),
    and the dearest over the middle one is 1.2."""
    data = _tiny_region(
        {
            "A": _wobble(1000, 10),
            "B": _wobble(1200, 10),
            "C": _wobble(800, 10),
            "D": _wobble(1000, 3),
        }
    )
    section = providers.section(data)
    frame = section.tables[0].frame
    index = {r["provider_name"]: r for r in frame.iter_rows(named=True)}
    typical = (1000 * 1200 * 800 * 1000) ** 0.25
    assert index["A"]["index"] == pytest.approx(1000 / typical, rel=0.005)
    assert index["B"]["index"] == pytest.approx(1200 / typical, rel=0.005)
    assert index["C"]["index"] == pytest.approx(800 / typical, rel=0.005)
    assert index["B"]["index"] / index["A"]["index"] == pytest.approx(1.2, rel=0.002)
    assert index["B"]["compared_with_typical"] == "dearer"
    assert index["C"]["compared_with_typical"] == "cheaper"
    for name in "ABC":
        # Wide-ish: with four providers, where the typical price lies is itself unsure.
        assert index[name]["lower"] < index[name]["index"] < index[name]["upper"]
    # D rests on three placements: below the threshold of five, it shows no index.
    assert index["D"]["suppressed"] and index["D"]["index"] is None
    assert index["D"]["lower"] is None and index["D"]["upper"] is None
    assert index["D"]["placements"] is None
    assert any("B (Residential) 1.2" in f for f in section.findings)


def test_a_type_only_one_provider_offers_has_no_index() -> None:
    """With no other provider of the type there is nothing to compare it with."""
    frame = providers.section(_tiny_region({"A": _wobble(1000, 40)})).tables[0].frame
    assert frame.height == 1 and frame.item(0, "placements") == 40
    assert frame.item(0, "index") is None and frame.item(0, "providers_compared") == 1


def test_few_placements_are_pulled_towards_typical() -> None:
    """Forty providers whose true effects are spread with sd 0.10, placements with sd
    0.20 around them: the between-provider variance is estimated, a provider's effect
    with two placements is shrunk far more than one with a hundred, and over ten such
    regions about 95% of the intervals cover the true effects."""
    covered = []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        sizes = np.where(np.arange(40) % 2 == 0, 100, 2)
        truth = rng.normal(0.0, 0.10, 40)
        groups = np.repeat(np.arange(40), sizes)
        y = 6.0 + truth[groups] + rng.normal(0.0, 0.20, groups.size)
        fit = fit_random_intercepts(y, np.ones((groups.size, 1)), groups)
        assert math.sqrt(fit.between_var) == pytest.approx(0.10, abs=0.04)
        assert math.sqrt(fit.within_var) == pytest.approx(0.20, abs=0.02)
        raw = np.array([y[groups == g].mean() for g in range(40)]) - fit.beta[0]
        shrink = fit.effects / raw
        assert shrink[sizes == 100].min() > 0.8
        assert shrink[sizes == 2].max() < 0.5
        covered.extend(np.abs(fit.effects - truth) <= 1.96 * fit.effect_se)
    assert 0.9 <= np.mean(covered) <= 0.99


# -- on the simulator -------------------------------------------------------------------


@pytest.fixture(scope="module")
def region(simulated_hub) -> Iterator[RegionData]:
    hub = simulated_hub.open()  # one connection: a second to the same file would wait
    yield RegionData.from_hub(hub)
    hub.close()


@pytest.fixture(scope="module")
def index(region) -> pl.DataFrame:
    section = providers.section(region)
    assert section.key == "providers"
    return section.tables[0].frame


def _dear_key(region: RegionData, planted: dict) -> str:
    ids = planted["national_ids"]
    found = region.star["dim_provider"].filter(
        pl.any_horizontal(pl.col(name) == value for name, value in ids.items())
    )
    assert found.height == 1
    return found.item(0, "provider_key")


def test_the_dear_provider_is_recovered(index, region, simulated_hub) -> None:
    """The provider planted 20% dearer than others for the same needs: its index is
    between 1.12 and 1.28 (it is compared with the typical provider, which its own
    placements pull up a little), and its interval lies above 1."""
    planted = simulated_hub.truth["planted"]["dear_provider"]
    row = index.filter(
        (pl.col("provider_id") == _dear_key(region, planted))
        & (pl.col("placement_type") == "Residential")
    ).row(0, named=True)
    assert 1.12 <= row["index"] <= 1.28, row
    assert row["lower"] > 1.0 and row["compared_with_typical"] == "dearer"


def test_most_others_are_typical_and_all_are_where_planted(index, region, simulated_hub) -> None:
    """Other providers were planted with prices spread by 4% (and charities 7% below
    private providers), so a few, with hundreds of placements, are rightly told apart
    from typical: at least 75% of the others' intervals include 1. And nearly every
    interval covers the price planted (relative to the mean of its type's providers
    on the log scale): at least 90%."""
    dear = _dear_key(region, simulated_hub.truth["planted"]["dear_provider"])
    shown = index.filter(pl.col("index").is_not_null())
    others = shown.filter(pl.col("provider_id") != dear)
    assert others.height >= 20
    covers_one = (others.get_column("lower") <= 1) & (others.get_column("upper") >= 1)
    assert covers_one.mean() >= 0.75

    model = simulated_hub.truth["model"]
    planted = {p["name"]: p for p in simulated_hub.truth["registry"]["providers"]}
    rows = []
    for r in shown.iter_rows(named=True):
        p = planted[r["provider_name"]]
        bought = p["ownership"] in ("Private", "Voluntary")
        factor = model["ownership_multiplier"][p["ownership"]] if bought else 1.0
        rows.append({**r, "planted": math.log(p["price_multiplier"] * factor)})
    relative = pl.DataFrame(rows).with_columns(
        (pl.col("planted") - pl.col("planted").mean().over("placement_type")).exp().alias("planted")
    )
    covered = (relative.get_column("lower") <= relative.get_column("planted")) & (
        relative.get_column("planted") <= relative.get_column("upper")
    )
    assert covered.mean() >= 0.9


def test_groups_below_the_threshold_show_no_index(region) -> None:
    """With a threshold of 10, every provider and type resting on fewer than ten
    placements shows no index, no interval and no count; the rest do."""
    strict = providers.section(RegionData.from_hub(region.hub, threshold=10)).tables[0].frame
    small = strict.filter(pl.col("suppressed"))
    assert small.height >= 3
    assert (
        small.select("index", "lower", "upper", "placements").null_count().row(0)
        == (small.height,) * 4
    )
    assert (strict.filter(~pl.col("suppressed")).get_column("placements") >= 10).all()


def test_the_adjustments_recover_the_planted_cost_model(region, simulated_hub) -> None:
    """What the simulator plants besides providers: 6% for each risk present, 35% for
    a crisis placement, the year's uplift each April."""
    tables = providers.section(region).tables
    adjust = {r["term"]: r for r in tables[1].frame.iter_rows(named=True)}
    model = simulated_hub.truth["model"]
    per_risk = adjust["risks=4"]["multiplier"] ** 0.25
    assert per_risk == pytest.approx(1 + model["cost_per_present_risk"], abs=0.01)
    assert adjust["crisis"]["multiplier"] == pytest.approx(model["crisis_premium"], abs=0.04)
    inflation = model["inflation_by_financial_year"]
    uplift = (1 + inflation["2022"]) * (1 + inflation["2023"]) * (1 + inflation["2024"])
    assert adjust["year_2024"]["multiplier"] == pytest.approx(uplift, rel=0.01)
