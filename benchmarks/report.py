"""Benchmark the region's report: `sufficiency report` on simulated hubs, beside what a
region runs today to get at the same data (the star-schema export it loads into
Power BI), with the report's parts timed.

    python benchmarks/report.py                 # a region: 15 LAs x 3 years
    python benchmarks/report.py --national      # ... and England: 150 LAs x 5 years

The hubs are built once from the simulated submissions benchmarks/hub.py uses (and
kept under benchmarks/data/, with a marker saying what they hold). Each measurement is
a process of its own (wall time, CPU time, peak RSS, as benchmarks/run.py measures).
The forecast against the regions' own tool, cs-demand-model, on the same 903 input is
benchmarks/forecast_vs_demand_model.py.

Results go to benchmarks/results/report.json and report.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
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

import hub as hub_benchmark  # noqa: E402  (the simulated submissions and their making)
import run as runner  # noqa: E402  (the measuring of benchmarks/run.py)

_PARTS = """
import json, sys, time
from sufficiency_standard.hub import Hub
from sufficiency_standard.analytics.report import build_report
with Hub.open(sys.argv[1]) as hub:
    report = build_report(hub)
print(json.dumps({"timings": report.timings, "tables": len(report.tables),
                  "rows": sum(t.frame.height for t in report.tables)}))
"""


def _sufficiency() -> list[str]:
    return runner.sufficiency_command()


def built_hub(name: str) -> tuple[Path, int]:
    """The hub of a simulated region, built once and kept; and its placements."""
    las, years, scale = hub_benchmark.REGIONS[name]
    hub = DATA / f"report-hub-{name}.duckdb"
    marker = DATA / f"report-hub-{name}.json"
    wanted = {"las": las, "years": years, "scale": scale, "seed": 2026}
    if not (hub.is_file() and marker.is_file() and json.loads(marker.read_text()) == wanted):
        files = hub_benchmark.region_files(name)  # made once, when missing
        hub.unlink(missing_ok=True)
        subprocess.run([*_sufficiency(), "hub", "init", str(hub)], check=True, capture_output=True)
        subprocess.run(
            [*_sufficiency(), "hub", "ingest", str(hub), *map(str, files)],
            check=True,
            capture_output=True,
        )
        marker.write_text(json.dumps(wanted))
    status = json.loads(
        subprocess.run(
            [*_sufficiency(), "hub", "status", str(hub), "--format", "json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    placements = sum(
        s["rows"].get("placements", 0) for s in status["submissions"] if s["state"] == "current"
    )
    return hub, placements


def _figures(measured: tuple[Any, ...]) -> dict[str, Any]:
    wall, cpu, rss, *_rest, walls = measured
    return {"wall": wall, "cpu": cpu, "peak_rss": rss, "walls": walls}


def case(name: str, repeat: int, work: Path) -> dict[str, Any]:
    hub, placements = built_hub(name)
    las, years, _scale = hub_benchmark.REGIONS[name]
    page = work / f"report-{name}.html"
    tables = work / f"tables-{name}"
    exported = work / f"export-{name}"
    report_command = [
        "sh",
        "-c",
        f'rm -rf "{tables}" && exec "$@"',
        "sh",
        *_sufficiency(),
        "report",
        str(hub),
        "--out",
        str(page),
        "--tables",
        str(tables),
    ]
    export_command = [
        "sh",
        "-c",
        f'rm -rf "{exported}" && exec "$@"',
        "sh",
        *_sufficiency(),
        "hub",
        "export",
        str(hub),
        "--out",
        str(exported),
        "--format",
        "csv",
    ]
    measured = runner.measure_in_turns([report_command, export_command], repeat=repeat)
    for (_, _, _, out, err, code, _), what in zip(measured, ("report", "export"), strict=True):
        if code != 0:
            raise SystemExit(f"{what} on {name} failed ({code}): {out[-400:]} {err[-400:]}")
    parts = runner.measure([sys.executable, "-c", _PARTS, str(hub)])
    detail = runner.last_json(parts[3])
    return {
        "case": f"{las} LAs x {years} years",
        "placements": placements,
        "hub_bytes": hub.stat().st_size,
        "report_bytes": page.stat().st_size,
        "workbook_bytes": page.with_suffix(".xlsx").stat().st_size,
        "tables": detail["tables"],
        "table_rows": detail["rows"],
        "report": _figures(measured[0]),
        "export_csv": _figures(measured[1]),
        "parts": {k: round(v, 2) for k, v in detail["timings"].items()},
        "parts_peak_rss": parts[2],
    }


def markdown(results: list[dict[str, Any]], note: str) -> str:
    lines = [
        "# The region's report: benchmark",
        "",
        note,
        "",
        "| Hub | Placements | `sufficiency report` (HTML, workbook, CSV) | peak memory "
        "| `hub export --format csv` (what Power BI loads) | peak memory | report / export |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ratio = r["report"]["wall"] / r["export_csv"]["wall"]
        lines.append(
            f"| {r['case']} | {r['placements']:,} | {r['report']['wall']:.1f} s "
            f"| {r['report']['peak_rss'] / 2**20:,.0f} MiB | {r['export_csv']['wall']:.1f} s "
            f"| {r['export_csv']['peak_rss'] / 2**20:,.0f} MiB | {ratio:.2f}x |"
        )
    lines += ["", "Parts of the report (seconds, one run in one process):", ""]
    keys = list(results[0]["parts"])
    lines.append("| Hub | " + " | ".join(keys) + " |")
    lines.append("|---|" + "---:|" * len(keys))
    for r in results:
        lines.append(
            f"| {r['case']} | " + " | ".join(f"{r['parts'].get(k, 0):.1f}" for k in keys) + " |"
        )
    lines += [
        "",
        "`data` is reading the hub's current tables and building the star schema they rest "
        "on; each other part is one section of the report.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", action="store_true", help="also 150 LAs x 5 years")
    parser.add_argument("--repeat", type=int, default=1)
    arguments = parser.parse_args(argv)
    names = ["region", *(["national"] if arguments.national else [])]
    with tempfile.TemporaryDirectory() as folder:
        results = [case(name, arguments.repeat, Path(folder)) for name in names]
    note = (
        f"Run {dt.date.today().isoformat()} on {platform.machine()}, "
        f"{runner._memory_gib():.0f} GiB, Python {platform.python_version()}; "
        f"`python benchmarks/report.py{' --national' if arguments.national else ''}`."
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "report.json").write_text(
        json.dumps({"note": note, "results": results}, indent=2) + "\n", encoding="utf-8"
    )
    (RESULTS / "report.md").write_text(markdown(results, note), encoding="utf-8")
    print(markdown(results, note))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
