"""The forecast section: the demand model's cleaning rules one by one, its rates on a
case worked by hand, the variance against simulation, the planted rates of the simulated
region recovered, the back-test's actuals and the forecast's start counted directly, and
the regional demand model's own figures on its sample data."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from sufficiency_standard.analytics import episodes as ep
from sufficiency_standard.analytics import forecast, markov
from sufficiency_standard.analytics.inputs import RegionData

D = dt.date
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path(__file__).resolve().parent / "data" / "demand_model"


WINDOW = (D(2024, 1, 1), D(2024, 1, 10))


def raw(*rows: tuple, observed: tuple[dt.date, dt.date] = WINDOW) -> pl.DataFrame:
    """Episodes as (child, birth, start, end, place_code[, rne])."""
    records = []
    for row in rows:
        child, birth, start, end, code, *rest = row
        records.append(
            {
                "child": child,
                "la_code": "E1",
                "birth": birth,
                "start": start,
                "end": end,
                "place_code": code,
                "placement_type": None,
                "rne": rest[0] if rest else None,
                "observed_from": observed[0],
                "observed_until": observed[1],
            }
        )
    return pl.DataFrame(records, schema=ep.RAW_COLUMNS)


def state(band: int, name: str) -> int:
    return markov.STATES.index((band, name))


# -- cleaning, rule by rule --------------------------------------------------------------


def test_same_start_keeps_the_latest_end_and_an_open_one_only_if_none_ended():
    frame = ep.clean(
        raw(
            ("A", D(2010, 1, 1), D(2024, 1, 2), D(2024, 1, 5), "U4"),
            ("A", D(2010, 1, 1), D(2024, 1, 2), D(2024, 1, 8), "U6"),
            ("A", D(2010, 1, 1), D(2024, 1, 2), None, "K2"),
            ("B", D(2010, 1, 1), D(2024, 1, 2), None, "U1"),
        )
    )
    assert frame.filter(pl.col("child") == "A")["end"].to_list() == [D(2024, 1, 8)]
    assert frame.filter(pl.col("child") == "A")["place_code"].to_list() == ["U6"]
    assert frame.filter(pl.col("child") == "B")["end"].to_list() == [None]


def test_same_end_keeps_the_earliest_start():
    frame = ep.clean(
        raw(
            ("A", D(2010, 1, 1), D(2024, 1, 2), D(2024, 1, 8), "U4"),
            ("A", D(2010, 1, 1), D(2024, 1, 5), D(2024, 1, 8), "K2"),
        )
    )
    assert frame.select("start", "place_code").rows() == [(D(2024, 1, 2), "U4")]


def test_an_overlapping_or_open_episode_ends_when_the_next_starts():
    frame = ep.clean(
        raw(
            ("A", D(2010, 1, 1), D(2024, 1, 2), D(2024, 1, 9), "U4"),
            ("A", D(2010, 1, 1), D(2024, 1, 5), None, "K2"),
            ("B", D(2010, 1, 1), D(2024, 1, 1), None, "U4"),
            ("B", D(2010, 1, 1), D(2024, 1, 6), D(2024, 1, 8), "U6"),
        )
    )
    assert frame.select("child", "start", "end").rows() == [
        ("A", D(2024, 1, 2), D(2024, 1, 5)),
        ("A", D(2024, 1, 5), None),
        ("B", D(2024, 1, 1), D(2024, 1, 6)),
        ("B", D(2024, 1, 6), D(2024, 1, 8)),
    ]


def test_legal_or_status_changes_continuing_an_episode_are_folded_into_it():
    frame = ep.clean(
        raw(
            ("A", D(2010, 1, 1), D(2024, 1, 1), D(2024, 1, 3), "U4", "S"),
            ("A", D(2010, 1, 1), D(2024, 1, 3), D(2024, 1, 4), "U4", "L"),
            ("A", D(2010, 1, 1), D(2024, 1, 4), D(2024, 1, 6), "U4", "T"),
            ("A", D(2010, 1, 1), D(2024, 1, 6), D(2024, 1, 8), "K2", "P"),  # a move: kept
            ("A", D(2010, 1, 1), D(2024, 1, 9), None, "K2", "L"),  # after a gap: kept
            ("B", D(2010, 1, 1), D(2024, 1, 2), D(2024, 1, 3), "U4", "S"),
            ("B", D(2010, 1, 1), D(2024, 1, 3), None, "U4", "U"),  # the end of B's is open
        )
    )
    assert frame.select("child", "start", "end", "place_code").rows() == [
        ("A", D(2024, 1, 1), D(2024, 1, 6), "U4"),
        ("A", D(2024, 1, 6), D(2024, 1, 8), "K2"),
        ("A", D(2024, 1, 9), None, "K2"),
        ("B", D(2024, 1, 2), None, "U4"),
    ]


def test_an_episode_is_split_at_each_band_birthday_it_crosses():
    linked = ep.prepare(
        raw(
            # 10 on 2024-01-05 (5 to 10 -> 10 to 16), then leaves care on 2024-01-08.
            ("A", D(2014, 1, 5), D(2024, 1, 2), D(2024, 1, 8), "U4"),
            # 1 on the day the episode ends: no split, leaves from 0 to 1.
            ("B", D(2023, 1, 7), D(2024, 1, 2), D(2024, 1, 7), "U4"),
            # open, 16 on 2024-01-04 within the data, 16 to 16+.
            ("C", D(2008, 1, 4), D(2023, 6, 1), None, "H5"),
        )
    )
    rows = linked.select("child", "start", "end", "band", "to_band", "to_category").rows()
    assert rows == [
        ("A", D(2024, 1, 2), D(2024, 1, 5), 2, 3, ep.FOSTERING),
        ("A", D(2024, 1, 5), D(2024, 1, 8), 3, 3, ep.NOT_IN_CARE),
        ("B", D(2024, 1, 2), D(2024, 1, 7), 0, 0, ep.NOT_IN_CARE),
        ("C", D(2023, 6, 1), D(2024, 1, 4), 3, 4, ep.SUPPORTED),
        ("C", D(2024, 1, 4), None, 4, None, None),
    ]
    assert linked["entry"].to_list() == [True, False, True, True, False]


def test_an_episode_without_a_night_is_a_move_through():
    zero = ep.link(
        raw(
            ("B", D(2010, 1, 1), D(2024, 1, 2), D(2024, 1, 4), "U4"),
            ("B", D(2010, 1, 1), D(2024, 1, 4), D(2024, 1, 4), "P1"),
            ("B", D(2010, 1, 1), D(2024, 1, 4), None, "K2"),
        ).with_row_index()
    )
    assert zero.height == 2 and zero["to_category"].to_list() == [ep.RESIDENTIAL, None]


def test_categories_from_the_code_else_the_type():
    frame = pl.DataFrame(
        {
            "place_code": ["U3", "S1", "K3", "P2", "K1", "R3", None, None, None],
            "placement_type": [None] * 6 + ["Secure", "Residential school", "Foster"],
        }
    )
    got = frame.select(ep.category(pl.col("place_code"), pl.col("placement_type")))
    assert got.to_series().to_list() == [
        ep.FOSTERING,
        ep.RESIDENTIAL,
        ep.SUPPORTED,
        ep.SUPPORTED,
        ep.OTHER,
        ep.OTHER,
        ep.OTHER,
        ep.RESIDENTIAL,
        ep.FOSTERING,
    ]


# -- the rates, by hand ------------------------------------------------------------------


def hand_case() -> markov.Rates:
    """A (13) moves from fostering to residential on 4 January; B (12) leaves care from
    fostering on 6 January; C (8) enters fostering on 3 January. Nights of 10 to 16
    fostering: 2 on 1-3 January, 1 on 4-5, none after."""
    linked = ep.prepare(
        raw(
            ("A", D(2010, 6, 15), D(2023, 12, 1), D(2024, 1, 4), "U4"),
            ("A", D(2010, 6, 15), D(2024, 1, 4), None, "K2"),
            ("B", D(2012, 1, 1), D(2023, 11, 1), D(2024, 1, 6), "U6"),
            ("C", D(2015, 3, 3), D(2024, 1, 3), None, "U4"),
        )
    )
    past = markov.history(linked, D(2024, 1, 1), D(2024, 1, 10))
    foster = state(3, ep.FOSTERING)
    assert past.stock[:, foster].tolist() == [2, 2, 2, 1, 1, 0, 0, 0, 0, 0]
    return markov.fit(past, D(2024, 1, 1), D(2024, 1, 10))


def test_rates_worked_by_hand():
    rates = hand_case()
    foster, home = state(3, ep.FOSTERING), state(3, ep.RESIDENTIAL)
    # Days 2-6 January had fostered 10-16s the night before (7 January's night before
    # held none): the move is 1 of 2 on one of 5 days, the exit 1 of 1 on one.
    assert rates.days_held[foster] == 5
    assert rates.daily[foster, home] == pytest.approx(0.5 / 5)
    assert rates.daily[foster, markov.LEFT] == pytest.approx(1 / 5)
    assert rates.moves[foster].sum() == 2
    # One entrant (C, into 5 to 10 fostering) in the 10 days.
    assert rates.entries[state(2, ep.FOSTERING)] == pytest.approx(1 / 10)
    assert rates.entries.sum() == pytest.approx(1 / 10)
    matrix = rates.matrix()
    assert matrix[foster, foster] == pytest.approx(0.7)
    assert matrix[home, foster] == pytest.approx(0.1)
    assert matrix[:, foster].sum() == pytest.approx(0.8)  # 0.2 leave care


def test_one_step_mean_and_covariance_by_hand():
    rates = hand_case()
    foster, home, young = state(3, ep.FOSTERING), state(3, ep.RESIDENTIAL), state(2, ep.FOSTERING)
    population = np.zeros(markov.SIZE)
    population[foster] = 10
    step = markov.project(rates, population, [0, 1])
    assert step.mean[0, foster] == 10
    assert step.mean[1, foster] == pytest.approx(7)
    assert step.mean[1, home] == pytest.approx(1)
    assert step.mean[1, young] == pytest.approx(0.1)
    cov = step.covariance[1]
    assert cov[foster, foster] == pytest.approx(10 * 0.7 * 0.3)
    assert cov[home, home] == pytest.approx(10 * 0.1 * 0.9)
    assert cov[foster, home] == pytest.approx(-10 * 0.7 * 0.1)
    assert cov[young, young] == pytest.approx(0.1)  # Poisson entries


def test_the_closed_form_variance_matches_simulation():
    """30 days of the chain, simulated 20,000 times (multinomial moves, Poisson entries):
    the variances agree within sampling error (5%)."""
    rates = hand_case()
    rates.daily[state(2, ep.FOSTERING), state(3, ep.FOSTERING)] = 0.01
    rates.daily[state(3, ep.RESIDENTIAL), markov.LEFT] = 0.02
    matrix = rates.matrix()
    population = np.zeros(markov.SIZE)
    population[state(3, ep.FOSTERING)] = 40
    population[state(2, ep.FOSTERING)] = 25
    days = 30
    exact = markov.project(rates, population, [days])
    rng = np.random.default_rng(3)
    runs = 20_000
    counts = np.tile(population.astype(np.int64), (runs, 1))
    out = np.vstack([matrix, 1 - matrix.sum(axis=0, keepdims=True)])  # + leaving care
    out = np.clip(out, 0, 1)
    for _ in range(days):
        moved = np.zeros_like(counts)
        for s in np.flatnonzero(counts.sum(axis=0)):
            moved += rng.multinomial(counts[:, s], out[:, s])[:, : markov.SIZE]
        counts = moved + rng.poisson(rates.entries, size=counts.shape)
    watched = [state(3, ep.FOSTERING), state(3, ep.RESIDENTIAL), state(2, ep.FOSTERING)]
    simulated = np.cov(counts[:, watched].T)
    closed = exact.covariance[0][np.ix_(watched, watched)]
    assert np.allclose(counts.mean(axis=0)[watched], exact.mean[0][watched], rtol=0.02)
    assert np.allclose(np.diag(simulated), np.diag(closed), rtol=0.05)
    standard_error = np.sqrt(closed[0, 0] * closed[1, 1] / runs)
    assert abs(simulated[0, 1] - closed[0, 1]) < 3 * standard_error
    assert closed[0, 1] < 0  # moving one way leaves the other fewer


# -- the simulated region ------------------------------------------------------------------

BANDS = {0: "0-1", 1: "1-5", 2: "5-10", 3: "10-16"}


@pytest.fixture(scope="module")
def region(simulated_hub) -> RegionData:
    return RegionData.from_hub(simulated_hub.open())


@pytest.fixture(scope="module")
def section(region):
    return forecast.section(region)


def test_planted_foster_rates_are_recovered(region, simulated_hub):
    """Leaving care and moving to another foster home, bands 0-1 to 10-16 (16+ adds the
    leaving at 18; other types mix several of the simulator's types into one category,
    and moves into residential care are weighted by each child's needs). Tolerance: 3
    Poisson standard errors of the count behind the rate, and 5% for the birth month
    standing for the birth date."""
    model = simulated_hub.truth["model"]
    raw_episodes = ep.from_placements(region.placements)
    linked = ep.prepare(raw_episodes)
    past = markov.history(linked, raw_episodes["observed_from"].min(), region.as_of)
    rates = markov.fit(past, D(2021, 4, 2), region.as_of)
    checked = 0
    for band, name in BANDS.items():
        s = state(band, ep.FOSTERING)
        for t, planted in (
            (markov.LEFT, model["exits_per_year"][name]["Foster"]),
            (s, model["moves_per_year"][name]["Foster"]["Foster"]),
        ):
            count = rates.moves[s, t]
            assert count >= 40
            fitted = rates.daily[s, t] * 365.25
            tolerance = 3 / np.sqrt(count) + 0.05
            assert abs(fitted - planted) / planted < tolerance, (name, t, fitted, planted)
            checked += 1
    assert checked == 8


def direct_stock(region: RegionData, day: dt.date) -> dict[str, int]:
    on = region.placements.filter(
        (pl.col("start_date") <= day) & (pl.col("end_date").is_null() | (pl.col("end_date") > day))
    ).with_columns(ep.category(pl.col("place_code"), pl.col("placement_type")).alias("c"))
    counts = dict(on.group_by("c").len().rows())
    counts[forecast.ALL] = on.height
    return counts


def test_the_forecast_starts_from_the_children_in_care(section, region):
    table = next(t for t in section.tables if t.name == "forecast")
    start = table.frame.filter(pl.col("months_ahead") == 0)
    counted = direct_stock(region, region.as_of)
    assert dict(start.select("placement_category", "expected").rows()) == {
        k: float(v) for k, v in counted.items()
    }
    assert (start["lower"] == start["expected"]).all()
    last = table.frame.filter(pl.col("months_ahead") == forecast.HORIZON_MONTHS)
    assert last["month"].unique().to_list() == [D(2027, 3, 31)]
    assert (last["upper"] > last["expected"]).all() and (last["lower"] < last["expected"]).all()


def test_the_backtest_scores_against_the_stock_counted_directly(section, region):
    table = next(t for t in section.tables if t.name == "backtest")
    frame = table.frame
    assert sorted(frame["origin"].unique().to_list()) == [D(2023, 3, 31), D(2024, 3, 31)]
    for month in (D(2023, 9, 30), D(2024, 3, 31), D(2025, 3, 31)):
        counted = direct_stock(region, month)
        for row in frame.filter(pl.col("month") == month).iter_rows(named=True):
            assert row["actual"] == counted[row["placement_category"]]
    assert frame.filter(pl.col("origin") == D(2023, 3, 31))["months_ahead"].max() == 24
    assert any("Back-test, 12 months ahead" in f for f in section.findings)


def test_the_backtest_fits_only_on_what_was_known(region):
    raw_episodes = ep.from_placements(region.placements)
    origin = D(2024, 3, 31)
    early = forecast.fit_baseline(raw_episodes, origin, 0)
    # Knowing the future too would change the rates; knowing the past only must not.
    cut = raw_episodes.filter(pl.col("start") <= origin).with_columns(
        pl.when(pl.col("end") > origin).then(None).otherwise(pl.col("end")).alias("end"),
        pl.lit(origin).alias("observed_until"),
    )
    again = forecast.fit_baseline(cut, origin, 0)
    assert np.array_equal(early.rates.daily, again.rates.daily)
    later = forecast.fit_baseline(raw_episodes, region.as_of, 0)
    assert not np.array_equal(early.rates.daily, later.rates.daily)


def test_spend_uses_the_data_own_price_change(section, region, simulated_hub):
    price = forecast.prices(region, region.as_of)
    planted = simulated_hub.truth["model"]["inflation_by_financial_year"]["2024"]
    assert price.inflation == pytest.approx(planted, abs=0.01)
    assert price.per_night[ep.RESIDENTIAL] > price.per_night[ep.FOSTERING] > 0
    spend = next(t for t in section.tables if t.name == "spend_forecast").frame
    first = spend.filter(pl.col("months_ahead") == 1)
    by = dict(first.select("placement_category", "expected").rows())
    assert by[forecast.ALL] == pytest.approx(sum(by[c] for c in ep.CATEGORIES), rel=1e-6)
    assert (spend["lower"] <= spend["expected"]).all()


def test_tables_charts_and_suppression(section, region):
    names = [t.name for t in section.tables]
    assert names == ["forecast", "backtest", "spend_forecast", "transition_rates"]
    assert section.key == "forecast" and section.findings
    for table in section.tables:
        assert table.chart is not None and table.counts
        assert {table.chart.x, table.chart.y} <= set(table.frame.columns)
    rates = next(t for t in section.tables if t.name == "transition_rates").frame
    small = rates.filter(pl.col("suppressed"))
    assert small["daily_rate"].null_count() == small.height
    shown = rates.filter(~pl.col("suppressed") & (pl.col("transitions") > 0))
    assert shown["transitions"].min() >= region.threshold
    # A threshold above a category's children withholds it, and the total beside it.
    strict = RegionData.from_hub(region.hub, threshold=100)
    table = next(t for t in forecast.section(strict).tables if t.name == "forecast")
    withheld = table.frame.filter(pl.col("suppressed"))
    assert set(withheld["placement_category"]) == {ep.SUPPORTED, ep.OTHER}
    assert withheld["expected"].null_count() == withheld.height
    assert forecast.ALL not in table.frame["placement_category"].to_list()


# -- the regional demand model on its sample ----------------------------------------------


def ours_on_the_sample() -> tuple[markov.Rates, np.ndarray]:
    raw_episodes = ep.read_903(SAMPLE / "header.csv", SAMPLE / "episodes.csv")
    first = raw_episodes["observed_from"].min()
    last = raw_episodes["observed_until"].max()
    assert (first, last) == (D(2016, 4, 1), D(2022, 3, 31))
    past = markov.history(ep.prepare(raw_episodes), first, last)
    return markov.fit(past, first, last), past.stock_on(last)


def test_the_regional_models_figures_on_its_sample():
    """Figures the regional demand model (cs-demand-model-regional at 03e04a0) gives on
    its own sample, pinned: ours agree to rounding (its benchmark run shows all 56
    non-zero rates; a child leaving fostering on their 16th birthday is the one place
    the two differ, by 1.2%)."""
    rates, stock = ours_on_the_sample()
    assert stock.sum() == 86
    pinned = {
        ((3, ep.FOSTERING), (3, ep.FOSTERING)): 0.001307021605140142,
        ((2, ep.FOSTERING), (3, ep.FOSTERING)): 0.004012630111009326,
        ((3, ep.RESIDENTIAL), (3, ep.FOSTERING)): 0.0015581144882912939,
        ((4, ep.SUPPORTED), None): 0.0019636241081317754,
        ((4, ep.FOSTERING), None): 0.0014487682043831168,
    }
    for (source, target), theirs in pinned.items():
        s = markov.STATES.index(source)
        t = markov.LEFT if target is None else markov.STATES.index(target)
        tolerance = 0.02 if source == (4, ep.FOSTERING) else 1e-9
        assert rates.daily[s, t] == pytest.approx(theirs, rel=tolerance)


def _benchmark():
    spec = importlib.util.spec_from_file_location(
        "forecast_vs_demand_model", ROOT / "benchmarks" / "forecast_vs_demand_model.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_against_the_regional_model_when_it_can_run():
    """Runs the regional model itself. It cannot be installed beside this project (not
    on PyPI; a Django app needing pandas), so it needs an interpreter and a checkout:
    DEMAND_MODEL_REGIONAL_PYTHON and DEMAND_MODEL_REGIONAL_SOURCE."""
    python = os.environ.get("DEMAND_MODEL_REGIONAL_PYTHON")
    source = os.environ.get("DEMAND_MODEL_REGIONAL_SOURCE")
    if not (python and source):
        pytest.skip(
            "the regional demand model is not importable here: set "
            "DEMAND_MODEL_REGIONAL_PYTHON (an interpreter with pandas, python-dateutil and "
            "django) and DEMAND_MODEL_REGIONAL_SOURCE (a checkout of "
            "SocialFinanceDigitalLabs/cs-demand-model-regional)"
        )
    bench = _benchmark()
    theirs = bench._run(python, bench.REGIONAL, source, str(SAMPLE))
    result = bench.compare_regional(theirs, bench.ours())
    assert result["stock_theirs"] == result["stock_ours"] == 86
    assert result["stock_max_state_difference"] == 0
    assert result["rates_nonzero_theirs"] == result["rates_nonzero_ours"]
    assert result["max_absolute_difference"] < bench.ABSOLUTE_TOLERANCE
    assert result["max_relative_difference_frequent"] < bench.RATE_TOLERANCE
    assert result["entries_max_absolute_difference"] < 1e-12
    for row in result["projection"]:
        assert row["ours"] == pytest.approx(row["theirs"], rel=0.01, abs=0.1)


def test_against_cs_demand_model_when_importable():
    """data-to-insight's cs-demand-model 0.5.1 pins numpy<2, pandas<2 and rich<13, so it
    cannot share this project's environment: DEMAND_MODEL_PYPI_PYTHON names an
    interpreter that has it. Its rules differ (see the benchmark); the stock agrees."""
    python = os.environ.get("DEMAND_MODEL_PYPI_PYTHON")
    if importlib.util.find_spec("cs_demand_model") is not None:
        python = sys.executable
    if not python:
        pytest.skip(
            "cs-demand-model is not importable here (it would downgrade numpy, pandas and "
            "rich): set DEMAND_MODEL_PYPI_PYTHON to an interpreter that has it"
        )
    bench = _benchmark()
    folder = subprocess.run(
        [
            python,
            "-c",
            "import cs_demand_model_samples, pathlib; "
            "print(pathlib.Path(cs_demand_model_samples.__file__).parent / 'combined')",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    theirs = bench._run(python, bench.PYPI, folder)
    result = bench.compare_pypi(theirs, bench.ours_pypi(Path(folder)))
    assert result["stock_theirs"] == result["stock_ours"]
    assert result["rates_compared"] > 20
