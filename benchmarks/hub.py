"""Benchmark the hub: what ingesting costs over validating the same files (the floor).

    python benchmarks/hub.py                    # one LA-year (10k, 100k) and a region
    python benchmarks/hub.py --national         # ... and 150 LAs x 5 years
    python benchmarks/hub.py --postgres URL     # ... also into PostgreSQL

Each measurement is a process of its own (wall time, CPU time, peak RSS, as
benchmarks/run.py measures them), the two compared taking turns:

  one LA-year     `sufficiency validate DIR` against `sufficiency hub ingest HUB DIR`
                  into an empty hub, on the benchmark generator's clean data (one
                  submission of 10k or 100k placements, CSV)
  a region        every submission of a simulated region (sufficiency_standard.simulate:
                  LAs x years, JSON), validated one after another in one process,
                  against `sufficiency hub ingest HUB FILE...` of them all in one process;
                  then the export of the whole hub (Parquet) and the hub's size

Target: ingest costs at most 1.5x validating the same files. Results go to
benchmarks/results/hub.json and hub.md; exit 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
DATA = HERE / "data"
sys.path.insert(0, str(HERE))

import run as runner  # noqa: E402  (the measuring of benchmarks/run.py)

TARGET = 1.5
REGIONS = {
    # name: (LAs, years, scale); "national" is England's size: 150 LAs, about 84,000
    # children looked after at any time.
    "region": (15, 3, 1.0),
    "national": (150, 5, 1.0),
}

_VALIDATE_EACH = """
import sys
from sufficiency_standard import validate
invalid = 0
for path in sys.argv[1:]:
    invalid += not validate(path).valid
print(invalid)
"""


def _sufficiency() -> list[str]:
    return runner.sufficiency_command()


def _seconds(value: float) -> str:
    return f"{value:.2f} s"


def _mib(value: int) -> str:
    return f"{value / (1 << 20):,.0f} MiB"


def one_la_year(size: str, repeat: int, work: Path, postgres: str | None) -> dict[str, Any]:
    folder = DATA / f"{size}-clean" / "csv"
    if not folder.is_dir():
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--size", size, "--no-defects"],
            check=True,
        )
    empty = work / f"empty-{size}.duckdb"
    subprocess.run([*_sufficiency(), "hub", "init", str(empty)], check=True, capture_output=True)
    hub = work / f"hub-{size}.duckdb"
    # A fresh copy of the empty hub each time, so that every run ingests (the copy is a
    # few hundred KB: part of the cost, and negligible).
    ingest = [
        "sh",
        "-c",
        f'cp "{empty}" "{hub}" && exec "$@"',
        "sh",
        *_sufficiency(),
        "hub",
        "ingest",
        str(hub),
        str(folder),
    ]
    validate = [
        *_sufficiency(),
        "validate",
        str(folder),
        "--format",
        "json",
        "--output",
        os.devnull,
    ]
    commands = [validate, ingest]
    if postgres:
        commands.append(_postgres_ingest(postgres, [folder], f"la_{size}"))
    measured = runner.measure_in_turns(commands, repeat=repeat)
    for (_, _, _, out, err, code, _), name in zip(
        measured, ("validate", "ingest", "postgres"), strict=False
    ):
        if code not in (0,):
            raise SystemExit(f"{name} on {size} failed ({code}): {out[-400:]} {err[-400:]}")
    rows = json.loads((folder.parent / "manifest.json").read_text()).get("rows", {})
    result = {
        "case": f"one LA-year, {size} placements (CSV)",
        "rows": sum(rows.values()) if isinstance(rows, dict) else None,
        "validate": _figures(measured[0]),
        "ingest": _figures(measured[1]),
    }
    if postgres:
        result["ingest_postgres"] = _figures(measured[2])
    return result


_POSTGRES_INGEST = """
import os, subprocess, sys
import psycopg
url, name, command, *files = sys.argv[1:]
with psycopg.connect(url, autocommit=True) as connection:
    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.execute(f'CREATE DATABASE "{name}"')
target = url.rsplit("/", 1)[0] + "/" + name
subprocess.run([command, "hub", "init", target], check=True, stdout=subprocess.DEVNULL)
os.execvp(command, [command, "hub", "ingest", target, *files])
"""


def _postgres_ingest(url: str, paths: list[Path], name: str) -> list[str]:
    """Ingest into a hub in a new database (made afresh on each run; the making and the
    hub's init are inside the timing, and cost well under a second)."""
    return [sys.executable, "-c", _POSTGRES_INGEST, url, name, _sufficiency()[0], *map(str, paths)]


def _figures(measured: tuple[Any, ...]) -> dict[str, Any]:
    wall, cpu, rss, *_rest, walls = measured
    return {"wall": wall, "cpu": cpu, "peak_rss": rss, "walls": walls}


def region_files(name: str) -> list[Path]:
    """The simulated region's submissions (JSON), made once and kept under DATA."""
    las, years, scale = REGIONS[name]
    folder = DATA / f"region-{name}"
    marker = folder / "made.json"
    wanted = {"las": las, "years": years, "scale": scale, "seed": 2026}
    if not marker.is_file() or json.loads(marker.read_text()) != wanted:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        from sufficiency_standard.simulate import simulate_region

        made = simulate_region(seed=2026, las=las, years=years, scale=scale, resubmissions=0)
        made.write(folder, fmt="json", compact=True)
        marker.write_text(json.dumps(wanted))
    files = sorted(p for p in folder.iterdir() if p.suffix == ".json" and p.name != "made.json")
    return [p for p in files if p.name != "truth.json"]


def region(name: str, repeat: int, work: Path, postgres: str | None) -> dict[str, Any]:
    las, years, _scale = REGIONS[name]
    files = region_files(name)
    hub = work / f"hub-{name}.duckdb"
    validate = [sys.executable, "-c", _VALIDATE_EACH, *map(str, files)]
    ingest = [
        "sh",
        "-c",
        f'rm -f "{hub}" && "$0" hub init "{hub}" >/dev/null && exec "$@"',
        _sufficiency()[0],
        *_sufficiency(),
        "hub",
        "ingest",
        str(hub),
        *map(str, files),
    ]
    commands = [validate, ingest]
    if postgres:
        commands.append(_postgres_ingest(postgres, files, f"region_{name}"))
    measured = runner.measure_in_turns(commands, repeat=repeat)
    for (_, _, _, out, err, code, _), what in zip(
        measured, ("validate", "ingest", "postgres"), strict=False
    ):
        if code != 0 or (what == "validate" and out.strip() != "0"):
            raise SystemExit(f"{what} on {name} failed ({code}): {out[-400:]} {err[-400:]}")
    exported = work / f"export-{name}"
    shutil.rmtree(exported, ignore_errors=True)
    export = runner.measure([*_sufficiency(), "hub", "export", str(hub), "--out", str(exported)])
    status = json.loads(
        subprocess.run(
            [*_sufficiency(), "hub", "status", str(hub), "--format", "json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    rows = sum(sum(s["rows"].values()) for s in status["submissions"])
    result = {
        "case": f"{las} LAs x {years} years ({len(files)} submissions, JSON)",
        "rows": rows,
        "input_bytes": sum(p.stat().st_size for p in files),
        "hub_bytes": hub.stat().st_size,
        "export_bytes": sum(p.stat().st_size for p in exported.rglob("*") if p.is_file()),
        "validate": _figures(measured[0]),
        "ingest": _figures(measured[1]),
        "export": _figures(export),
    }
    if postgres:
        result["ingest_postgres"] = _figures(measured[2])
    return result


def markdown(results: list[dict[str, Any]], note: str) -> str:
    lines = [
        "# Hub benchmark",
        "",
        note,
        "",
        "| case | rows | validate | ingest (DuckDB) | ratio | peak RSS validate / ingest "
        "| ingest (PostgreSQL) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        ratio = result["ingest"]["wall"] / result["validate"]["wall"]
        postgres = result.get("ingest_postgres")
        lines.append(
            f"| {result['case']} | {result['rows'] or 0:,} | "
            f"{_seconds(result['validate']['wall'])} | {_seconds(result['ingest']['wall'])} | "
            f"{ratio:.2f}x {'✓' if ratio <= TARGET else '✗'} | "
            f"{_mib(result['validate']['peak_rss'])} / {_mib(result['ingest']['peak_rss'])} | "
            f"{_seconds(postgres['wall']) if postgres else 'not run'} |"
        )
    lines.append("")
    for result in results:
        if "hub_bytes" in result:
            lines.append(
                f"- {result['case']}: input {result['input_bytes'] / 1e6:,.0f} MB of JSON, "
                f"hub file {result['hub_bytes'] / 1e6:,.0f} MB, Parquet export "
                f"{result['export_bytes'] / 1e6:,.0f} MB in "
                f"{_seconds(result['export']['wall'])} "
                f"(peak {_mib(result['export']['peak_rss'])})."
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k", help="one LA-year sizes (generator)")
    parser.add_argument("--national", action="store_true", help="also 150 LAs x 5 years")
    parser.add_argument("--no-region", action="store_true", help="only the one LA-year sizes")
    parser.add_argument("--postgres", help="also ingest into PostgreSQL at this server URL")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    arguments = parser.parse_args(argv)

    results = []
    with tempfile.TemporaryDirectory(prefix="hub-benchmark-") as folder:
        work = Path(folder)
        for size in filter(None, arguments.sizes.split(",")):
            results.append(one_la_year(size, arguments.repeat, work, arguments.postgres))
            print(json.dumps(results[-1]["case"]), flush=True)
        regions = [] if arguments.no_region else ["region"]
        for name in (*regions, *(("national",) if arguments.national else ())):
            results.append(region(name, arguments.repeat, work, arguments.postgres))
            print(json.dumps(results[-1]["case"]), flush=True)
    note = (
        f"Run on {dt.date.today()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores; best of {arguments.repeat}; "
        f"`python benchmarks/hub.py {' '.join(argv or sys.argv[1:])}`."
    )
    arguments.out.mkdir(parents=True, exist_ok=True)
    (arguments.out / "hub.json").write_text(json.dumps(results, indent=2) + "\n")
    text = markdown(results, note)
    (arguments.out / "hub.md").write_text(text)
    print(text)
    missed = [r for r in results if r["ingest"]["wall"] > TARGET * r["validate"]["wall"]]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
