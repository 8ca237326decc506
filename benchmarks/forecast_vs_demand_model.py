"""Benchmark the forecast's Markov baseline against the regions' demand model on the
same 903 input: the same states, rates and projection, and the time each takes.

    python benchmarks/forecast_vs_demand_model.py \\
        --regional-python /tmp/regional-venv/bin/python --regional-source /path/to/checkout

The demand model runs in an interpreter of its own, because it cannot share this
project's environment:
- the regional app's model (SocialFinanceDigitalLabs/cs-demand-model-regional, its
  `ssda903` package: the method the regions run, with P3/S1/K3, the L/T/U merge, the
  birthday splits and the multinomial variance) is not on PyPI; give a checkout of the
  repository (--regional-source) and an interpreter with pandas, numpy, python-dateutil
  and django (its package imports django's storage classes);
- data-to-insight's `cs-demand-model` 0.5.1 on PyPI pins numpy<2, pandas<2 and rich<13,
  which would downgrade this project's numpy 2 and rich 13; give an interpreter where
  `pip install cs-demand-model==0.5.1` was run (--pypi-python). Its method is older (no
  merge, no split, fewer codes, ageing as a flat rate), so it is compared with this
  project's model run under the same rules (episodes.prepare(merge=False, split=False,
  codes=its codes)), on its own sample data.

Input: tests/data/demand_model/ (the regional app's sample, MIT) and, for 0.5.1, the
cs_demand_model_samples it ships. Results go to benchmarks/results/
forecast_vs_demand_model.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
SAMPLE = ROOT / "tests" / "data" / "demand_model"
sys.path.insert(0, str(ROOT / "src"))

from sufficiency_standard.analytics import episodes as ep  # noqa: E402
from sufficiency_standard.analytics import markov  # noqa: E402

RATE_TOLERANCE = 0.02  # relative, for a rate behind at least 20 transitions
ABSOLUTE_TOLERANCE = 2e-5  # a day: below 1% a year, for the rarest moves

# Their labels to ours.
BANDS = {
    "Birth to 1": "0 to 1",
    "1 to 5": "1 to 5",
    "5 to 10": "5 to 10",
    "10 to 16": "10 to 16",
    "16 to 18+": "16+",
}
PYPI_BANDS = {
    "BIRTH_TO_ONE": "0 to 1",
    "ONE_TO_FIVE": "1 to 5",
    "FIVE_TO_TEN": "5 to 10",
    "TEN_TO_SIXTEEN": "10 to 16",
    "SIXTEEN_TO_EIGHTEEN": "16+",
}
PYPI_CODES = {
    **{code: ep.FOSTERING for code in ("U1", "U2", "U3", "U4", "U5", "U6")},
    **{code: ep.RESIDENTIAL for code in ("K2", "R1")},
    **{code: ep.SUPPORTED for code in ("H5", "P2")},
}

# Run by the regional model's interpreter: argv = checkout, data folder; prints JSON.
REGIONAL = r"""
import json, sys, time
from datetime import date
sys.path.insert(0, sys.argv[1])
import pandas as pd
start = time.perf_counter()
from ssda903.datacontainer import DemandModellingDataContainer
from ssda903.data.ssda903 import SSDA903TableType
from ssda903.population_stats import PopulationStats
from ssda903.multinomial import MultinomialPredictor
folder = sys.argv[2]
tables = {
    SSDA903TableType.HEADER: pd.read_csv(f"{folder}/header.csv"),
    SSDA903TableType.EPISODES: pd.read_csv(f"{folder}/episodes.csv"),
    SSDA903TableType.UASC: pd.read_csv(f"{folder}/uasc.csv"),
}
class Container(DemandModellingDataContainer):
    def __init__(self):
        pass
    def get_table(self, table_type):
        return tables[table_type].copy()
container = Container()
stats = PopulationStats(container.enriched_view, container.data_start_date, container.data_end_date)
first, last = container.data_start_date, container.data_end_date
rates = stats.raw_transition_rates(first, last)
entries = stats.daily_entrants(first, last)
stock = stats.stock_at(last)
fitted = time.perf_counter()
predictor = MultinomialPredictor(
    population=stock, transition_rates=rates.copy(), transition_numbers=entries.copy(),
    start_date=last,
)
prediction = predictor.predict(730)
done = time.perf_counter()
days = [30, 91, 182, 365, 730]
print(json.dumps({
    "first": first.isoformat(), "last": last.isoformat(),
    "rates": [[a, b, float(v)] for (a, b), v in rates.items()],
    "entries": [[b, float(v)] for (_, b), v in entries.items()],
    "stock": {k: float(v) for k, v in stock.items()},
    "population": {
        str(d): {k: float(v) for k, v in prediction.population.iloc[d - 1].items()}
        for d in days
    },
    "variance": {
        str(d): {k: float(v) for k, v in prediction.variance.iloc[d - 1].items()}
        for d in days
    },
    "seconds_fit": fitted - start, "seconds_projection": done - fitted,
}))
"""

# Run by an interpreter with cs-demand-model 0.5.1: argv = its sample folder; prints JSON.
PYPI = r"""
import json, sys, time
start = time.perf_counter()
from cs_demand_model import Config, DemandModellingDataContainer, PopulationStats, fs_datastore
config = Config()
container = DemandModellingDataContainer(fs_datastore(sys.argv[1]), config)
stats = PopulationStats(container.enriched_view, config)
first, last = container.start_date, container.end_date
rates = stats.raw_transition_rates(first, last)
stock = stats.stock_at(last)
done = time.perf_counter()
print(json.dumps({
    "first": str(first.date()), "last": str(last.date()),
    "rates": [[list(a), list(b), float(v)] for (a, b), v in rates.items()],
    "stock": {"|".join(k): float(v) for k, v in stock.items()},
    "seconds_fit": done - start,
}))
"""


def _theirs(label: str) -> tuple[str, str]:
    band, _, name = label.partition(" - ")
    return BANDS[band], name


def _run(python: str, script: str, *args: str) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [python, "-c", script, *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"{python} failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["seconds_process"] = time.perf_counter() - started
    return result


def ours(folder: Path = SAMPLE) -> dict[str, Any]:
    """This project's model on the regional sample, over the whole data window."""
    started = time.perf_counter()
    raw = ep.read_903(folder / "header.csv", folder / "episodes.csv")
    first = raw.get_column("observed_from").min()
    last = raw.get_column("observed_until").max()
    linked = ep.prepare(raw)
    past = markov.history(linked, first, last)  # type: ignore[arg-type]
    rates = markov.fit(past, first, last)  # type: ignore[arg-type]
    population = past.stock_on(last)  # type: ignore[arg-type]
    fitted = time.perf_counter()
    days = [30, 91, 182, 365, 730]
    projection = markov.project(rates, population, days)
    done = time.perf_counter()
    return {
        "first": first,
        "last": last,
        "rates": rates,
        "population": population,
        "projection": projection,
        "seconds_fit": fitted - started,
        "seconds_projection": done - fitted,
    }


def compare_regional(theirs: dict[str, Any], mine: dict[str, Any]) -> dict[str, Any]:
    """Their rates, entries, stock and projection set beside ours, state by state."""
    index = {state: s for s, state in enumerate(markov.STATES)}
    bands = {label: b for b, label in enumerate(ep.BAND_LABELS)}

    def state(label: str) -> int | str:
        band, name = _theirs(label)
        if name == ep.NOT_IN_CARE:
            return markov.LEFT
        return index[(bands[band], name)]

    rates: markov.Rates = mine["rates"]
    rows = []
    for a, b, value in theirs["rates"]:
        s, t = state(a), state(b)
        if s == markov.LEFT:
            continue
        assert isinstance(s, int) and isinstance(t, int)
        rows.append(
            {
                "from": a,
                "to": b,
                "theirs": value,
                "ours": float(rates.daily[s, t]),
                "transitions": int(rates.moves[s, t]),
            }
        )
    compared = pl.DataFrame(rows).with_columns(
        (pl.col("ours") - pl.col("theirs")).abs().alias("difference")
    )
    entries = pl.DataFrame(
        [
            {"to": b, "theirs": v, "ours": float(rates.entries[state(b)])}  # type: ignore[index]
            for b, v in theirs["entries"]
            if state(b) != markov.LEFT
        ]
    ).with_columns((pl.col("ours") - pl.col("theirs")).abs().alias("difference"))
    stock_theirs = np.zeros(markov.SIZE)
    for label, value in theirs["stock"].items():
        s = state(label)
        if s != markov.LEFT:
            stock_theirs[s] += value  # type: ignore[index]
    projection: markov.Projection = mine["projection"]
    weights = markov.category_weights()
    mean, sd = projection.total(weights)
    projected = []
    for k, day in enumerate(projection.days):
        population = np.zeros(markov.SIZE)
        variance = np.zeros(markov.SIZE)
        for label, value in theirs["population"][str(day)].items():
            s = state(label)
            if s != markov.LEFT:
                population[s] += value  # type: ignore[index]
                variance[s] += theirs["variance"][str(day)][label]  # type: ignore[index]
        theirs_total = weights @ population
        # Their variance is per state and adds no covariance: a group's is the sum.
        theirs_sd = np.sqrt(weights @ variance)
        for g, group in enumerate((*ep.CATEGORIES, "All")):
            projected.append(
                {
                    "day": int(day),
                    "group": group,
                    "theirs": float(theirs_total[g]),
                    "ours": float(mean[k, g]),
                    "theirs_sd": float(theirs_sd[g]),
                    "ours_sd": float(sd[k, g]),
                }
            )
    frequent = compared.filter(pl.col("transitions") >= 20)
    relative = (frequent["difference"] / frequent["theirs"]).max() if frequent.height else 0.0
    return {
        "window": [str(theirs["first"]), str(theirs["last"])],
        "states_theirs": sorted({r["from"] for r in rows}),
        "rates_compared": compared.height,
        "rates_nonzero_theirs": compared.filter(pl.col("theirs") > 0).height,
        "rates_nonzero_ours": int((rates.daily > 0).sum()),
        "max_absolute_difference": float(compared["difference"].max()),  # type: ignore[arg-type]
        "max_relative_difference_frequent": float(relative),  # type: ignore[arg-type]
        "frequent_rates": frequent.height,
        "largest_differences": compared.sort("difference", descending=True).head(8).to_dicts(),
        "entries_max_absolute_difference": float(entries["difference"].max()),  # type: ignore[arg-type]
        "stock_theirs": float(stock_theirs.sum()),
        "stock_ours": float(mine["population"].sum()),
        "stock_max_state_difference": float(np.abs(stock_theirs - mine["population"]).max()),
        "projection": projected,
    }


def ours_pypi(folder: Path) -> dict[str, Any]:
    """This project's model under 0.5.1's rules on its per-year sample files."""
    started = time.perf_counter()
    headers = [pl.read_csv(p, infer_schema=False) for p in sorted(folder.glob("*-header.csv"))]
    episodes = [pl.read_csv(p, infer_schema=False) for p in sorted(folder.glob("*-episodes.csv"))]
    header = pl.concat(headers, how="diagonal").unique("CHILD", keep="first")
    frame = pl.concat([e.select("CHILD", "DECOM", "DEC", "PLACE", "RNE") for e in episodes])
    raw = ep.from_903(header, frame)
    dates = pl.concat([raw["start"], raw["end"].drop_nulls()])
    first, last = dates.min(), dates.max()
    raw = raw.with_columns(
        pl.lit(first, pl.Date).alias("observed_from"), pl.lit(last, pl.Date).alias("observed_until")
    )
    linked = ep.prepare(raw, merge=False, split=False, codes=PYPI_CODES)
    past = markov.history(linked, first, last)  # type: ignore[arg-type]
    rates = markov.fit(past, first, last)  # type: ignore[arg-type]
    return {
        "rates": rates,
        "population": past.stock_on(last),  # type: ignore[arg-type]
        "seconds_fit": time.perf_counter() - started,
    }


def compare_pypi(theirs: dict[str, Any], mine: dict[str, Any]) -> dict[str, Any]:
    index = {state: s for s, state in enumerate(markov.STATES)}
    bands = {label: b for b, label in enumerate(ep.BAND_LABELS)}
    names = {c.upper().replace(" ", "_"): c for c in (*ep.CATEGORIES, ep.NOT_IN_CARE)}

    def state(pair: list[str]) -> int:
        band, name = PYPI_BANDS[pair[0]], names[pair[1]]
        return markov.LEFT if name == ep.NOT_IN_CARE else index[(bands[band], name)]

    rates: markov.Rates = mine["rates"]
    rows = [
        {
            "from": "/".join(a),
            "to": "/".join(b),
            "theirs": value,
            "ours": float(rates.daily[state(a), state(b)]),
            "transitions": int(rates.moves[state(a), state(b)]),
        }
        for a, b, value in theirs["rates"]
    ]
    compared = pl.DataFrame(rows).with_columns(
        (pl.col("ours") - pl.col("theirs")).abs().alias("difference")
    )
    frequent = compared.filter(pl.col("transitions") >= 20)
    return {
        "rates_compared": compared.height,
        "max_absolute_difference": float(compared["difference"].max()),  # type: ignore[arg-type]
        "max_relative_difference_frequent": float(
            (frequent["difference"] / frequent["theirs"]).max() if frequent.height else 0.0  # type: ignore[operator]
        ),
        "frequent_rates": frequent.height,
        "largest_differences": compared.sort("difference", descending=True).head(8).to_dicts(),
        "stock_theirs": float(sum(theirs["stock"].values())),
        "stock_ours": float(mine["population"].sum()),
    }


def national_timing(placements: int) -> dict[str, Any]:
    """Our model on synthetic episodes of a national size (no demand model to compare:
    it takes minutes on a region's data already)."""
    rng = np.random.default_rng(7)
    first, last = dt.date(2020, 4, 1), dt.date(2025, 3, 31)
    span = (last - first).days
    children = placements // 4
    child = rng.integers(0, children, placements)
    start = rng.integers(-900, span, placements)
    length = rng.exponential(400, placements).astype(int) + 1
    born = rng.integers(-18 * 365, span - 30, children)[child]
    born = np.minimum(born, start - 1)
    base = np.datetime64(first)
    codes = np.array(["U4", "U6", "K2", "H5", "P1", "K3", "S1", "A3"])
    frame = pl.DataFrame(
        {
            "child": child.astype(str),
            "la_code": (child % 150).astype(str),
            "birth": base + born.astype("timedelta64[D]"),
            "start": base + start.astype("timedelta64[D]"),
            "end": np.where(
                start + length <= span,
                base + (start + length).astype("timedelta64[D]"),
                np.datetime64("NaT", "D"),
            ),
            "place_code": codes[rng.integers(0, len(codes), placements)],
        }
    ).with_columns(
        pl.lit(None, pl.String).alias("placement_type"),
        pl.lit(None, pl.String).alias("rne"),
        pl.lit(first).alias("observed_from"),
        pl.lit(last).alias("observed_until"),
    )
    raw = frame.select(list(ep.RAW_COLUMNS)).cast(ep.RAW_COLUMNS)  # type: ignore[arg-type]
    started = time.perf_counter()
    linked = ep.prepare(raw)
    prepared = time.perf_counter()
    past = markov.history(linked, first, last)
    rates = markov.fit(past, dt.date(2022, 4, 1), last)
    fitted = time.perf_counter()
    markov.project(rates, past.stock_on(last), list(range(731)))
    done = time.perf_counter()
    return {
        "placements": placements,
        "episodes_after_cleaning_and_splits": linked.height,
        "seconds_prepare": prepared - started,
        "seconds_history_and_fit": fitted - prepared,
        "seconds_projection_730_days": done - fitted,
        "seconds_total": done - started,
    }


def _markdown(result: dict[str, Any]) -> str:
    lines = [
        "# The forecast's Markov baseline against the regions' demand model",
        "",
        f"Run {result['when']} on {result['machine']}. Input: {result['input']}.",
        "",
    ]
    regional = result.get("regional")
    if regional:
        c = regional["comparison"]
        lines += [
            "## The regional app's model (cs-demand-model-regional, `ssda903`)",
            "",
            f"Window {c['window'][0]} to {c['window'][1]} (reference period = the whole window).",
            "",
            "| | theirs | ours |",
            "|---|---|---|",
            f"| children in care at the end | {c['stock_theirs']:.0f} | {c['stock_ours']:.0f} |",
            f"| rates listed / non-zero | {c['rates_compared']} / "
            f"{c['rates_nonzero_theirs']} | {c['rates_nonzero_ours']} non-zero |",
            f"| fit (s) | {regional['theirs']['seconds_fit']:.2f} | "
            f"{regional['ours']['seconds_fit']:.3f} |",
            f"| 730-day projection (s) | {regional['theirs']['seconds_projection']:.2f} | "
            f"{regional['ours']['seconds_projection']:.3f} |",
            "",
            f"Largest difference of a daily rate: {c['max_absolute_difference']:.2e}; "
            f"of the {c['frequent_rates']} rates behind 20 or more transitions, the largest "
            f"relative difference is {c['max_relative_difference_frequent']:.2%}. Entries a "
            f"day differ by at most {c['entries_max_absolute_difference']:.2e}; the stock at "
            f"the end by at most {c['stock_max_state_difference']:.0f} in a state.",
            "",
            "| day | group | theirs | ours | their sd | our sd |",
            "|---|---|---|---|---|---|",
        ]
        for row in c["projection"]:
            if row["day"] in (365, 730):
                lines.append(
                    f"| {row['day']} | {row['group']} | {row['theirs']:.1f} | "
                    f"{row['ours']:.1f} | {row['theirs_sd']:.1f} | {row['ours_sd']:.1f} |"
                )
        lines += [
            "",
            "Their variance adds each day's multinomial and Poisson variance state by state "
            "without carrying it through the matrix or keeping covariances; ours is the "
            "exact covariance of the same process (V' = M V M' + diag(M p) - M diag(p) M' "
            "+ diag(entries)).",
            "",
        ]
    pypi = result.get("pypi")
    if pypi:
        c = pypi["comparison"]
        lines += [
            "## data-to-insight's cs-demand-model 0.5.1 (PyPI)",
            "",
            "Ours run under its rules (no L/T/U merge, no birthday split, its codes) on its "
            f"samples. Rates compared: {c['rates_compared']}; largest difference "
            f"{c['max_absolute_difference']:.2e} a day; largest relative difference of the "
            f"{c['frequent_rates']} rates behind 20 or more transitions "
            f"{c['max_relative_difference_frequent']:.2%}. Stock at the end: theirs "
            f"{c['stock_theirs']:.0f}, ours {c['stock_ours']:.0f}. Time: theirs "
            f"{pypi['theirs']['seconds_fit']:.2f} s, ours {pypi['ours']['seconds_fit']:.3f} s.",
            "",
            "The rates differ by 0.5.1's estimator, not by the data: it counts a day with "
            "no child in a state as a rate of 0 (the regional app, and ours, leave such "
            "days out), over a window from the earliest episode in its files, so states "
            "often empty get smaller rates; and it bands a child by age in days / 365.24 "
            "at the episode's start. The states and the stock agree.",
            "",
        ]
    national = result.get("national")
    if national:
        lines += [
            "## A national hub's size (ours only)",
            "",
            f"{national['placements']:,} placements "
            f"({national['episodes_after_cleaning_and_splits']:,} episodes after cleaning "
            f"and splits): prepared in {national['seconds_prepare']:.2f} s, "
            f"history and fit {national['seconds_history_and_fit']:.2f} s, 730-day projection "
            f"with covariance {national['seconds_projection_730_days']:.2f} s; "
            f"{national['seconds_total']:.2f} s in all.",
            "",
        ]
    for note in result.get("skipped", []):
        lines.append(f"- skipped: {note}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regional-python", default=os.environ.get("DEMAND_MODEL_REGIONAL_PYTHON"))
    parser.add_argument("--regional-source", default=os.environ.get("DEMAND_MODEL_REGIONAL_SOURCE"))
    parser.add_argument("--pypi-python", default=os.environ.get("DEMAND_MODEL_PYPI_PYTHON"))
    parser.add_argument("--national", type=int, default=1_000_000, help="placements (0: skip)")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        ),
        "input": "tests/data/demand_model (the regional app's sample, 3,737 episodes); "
        "cs_demand_model_samples/combined for 0.5.1",
        "skipped": [],
    }
    if args.regional_python and args.regional_source:
        theirs = _run(args.regional_python, REGIONAL, args.regional_source, str(SAMPLE))
        mine = ours()
        result["regional"] = {
            "theirs": {
                k: theirs[k] for k in ("seconds_fit", "seconds_projection", "seconds_process")
            },
            "ours": {k: mine[k] for k in ("seconds_fit", "seconds_projection")},
            "comparison": compare_regional(theirs, mine),
        }
    else:
        result["skipped"].append("regional model: give --regional-python and --regional-source")
    if args.pypi_python:
        folder = subprocess.run(
            [
                args.pypi_python,
                "-c",
                "import cs_demand_model_samples, pathlib; "
                "print(pathlib.Path(cs_demand_model_samples.__file__).parent / 'combined')",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        theirs = _run(args.pypi_python, PYPI, folder)
        mine = ours_pypi(Path(folder))
        result["pypi"] = {
            "theirs": {k: theirs[k] for k in ("seconds_fit", "seconds_process")},
            "ours": {"seconds_fit": mine["seconds_fit"]},
            "comparison": compare_pypi(theirs, mine),
        }
    else:
        result["skipped"].append("cs-demand-model 0.5.1: give --pypi-python")
    if args.national:
        result["national"] = national_timing(args.national)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "forecast_vs_demand_model.json").write_text(
        json.dumps(result, indent=2, default=str) + "\n"
    )
    (RESULTS / "forecast_vs_demand_model.md").write_text(_markdown(result))
    print(_markdown(result))
    return 0


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        sys.exit(main())
