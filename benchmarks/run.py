"""Benchmark `sufficiency validate` against the floor and its peers, on the same files.

    python benchmarks/run.py --size 100k           # 10k, 100k, 1M; repeat --size; --all

For each size: generates the data if needed (benchmarks/generate.py), then runs each
approach in its own process and measures wall time, CPU time and peak memory (RSS)
of that process, and rows per second:

  polars read          the floor: polars reading every CSV file as text
  sufficiency (CLI)    `sufficiency validate <csv folder> --format json --output ...`
  library              `sufficiency_standard.validate(folder)` inside one process
  jsonschema-rs        the same records as JSON lines, checked against the standard's
                       JSON Schema (formats on), record by record, every size
  jsonschema (Python)  the same, with the pure-Python jsonschema, on the sample
  linkml validate      `linkml validate -C Submission sample.json` with the same schema
  xlsx (CLI) and python-calamine reading the workbook, up to 100k; and the xlsx
                       report of it (--format xlsx), side by side, within 5x

The pure-Python jsonschema and linkml are too slow for the large sizes: they run on
the sample (the first ~60,000 records of the same tables; all of them at 10k) and are
compared by throughput. It checks that `sufficiency validate` reported every injected
defect (by code, table, row and field) and nothing else, measures `sufficiency --help`
and the small example, prints a table, writes results JSON, a PNG chart and a markdown
table to benchmarks/results/, and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (the generator beside this file)

GIB = 1 << 30
HEAVY_MODULES = ("polars", "pydantic", "linkml", "sufficiency_standard.models")
TIMEOUT = 3600


@dataclass
class Run:
    """One process: what it ran and what it cost."""

    approach: str
    size: str
    input: str
    records: int
    wall: float  # seconds, the whole process (the best of the repeats)
    cpu: float  # user + system seconds of that run
    peak_rss: int  # bytes
    inner: float | None = None  # seconds of its own work, as the process measured it
    walls: list[float] = field(default_factory=list)
    issues: int | None = None
    note: str = ""
    exit_code: int = 0

    @property
    def rate(self) -> float:
        return self.records / self.wall if self.wall else 0.0


# Runs one command and reports its wall time, CPU time and peak memory. It runs in a small
# process of its own: Linux keeps a process's peak memory across exec, so a command
# started straight from this (larger) process would report at least this one's peak.
_MEASURE = """
import json, os, sys, time
started = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
               "rss": usage.ru_maxrss * 1024, "code": os.waitstatus_to_exitcode(status)}, out)
"""


def run_once(command: list[str], cwd: Path = ROOT) -> tuple[Any, ...]:
    """Run a command once: its wall time, CPU time, peak RSS, output and exit code."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as folder,
    ):
        numbers = Path(folder) / "measured.json"
        launcher = [sys.executable, "-I", "-S", "-c", _MEASURE, str(numbers)]
        subprocess.run([*launcher, *command], stdout=out, stderr=err, cwd=cwd, check=False)
        measured = json.loads(numbers.read_text(encoding="utf-8"))
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode()
    return (measured["wall"], measured["cpu"], measured["rss"], stdout, stderr, measured["code"])


def measure(command: list[str], *, repeat: int = 1, cwd: Path = ROOT) -> tuple[Any, ...]:
    """Run a command `repeat` times; the best wall time, its CPU time and peak RSS, the
    output of that run and every wall time."""
    return measure_in_turns([command], repeat=repeat, cwd=cwd)[0]


def measure_in_turns(
    commands: list[list[str]], *, repeat: int = 1, cwd: Path = ROOT
) -> list[tuple[Any, ...]]:
    """measure() of each command, the commands taking turns (a, b, c, a, b, c, ...), so
    that a machine that slows down or speeds up during the run does so for each alike:
    their ratios are then not the machine's drift between one and the next."""
    runs: list[list[tuple[Any, ...]]] = [[] for _ in commands]
    for _ in range(repeat):
        for number, command in enumerate(commands):
            runs[number].append(run_once(command, cwd))
    return [(*min(each, key=lambda run: run[0]), [run[0] for run in each]) for each in runs]


def last_json(stdout: str) -> dict[str, Any]:
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


def sufficiency_command() -> list[str]:
    script = shutil.which("sufficiency") or str(Path(sys.executable).parent / "sufficiency")
    return [script]


# -- one size -----------------------------------------------------------------------------


def run_size(size: str, repeat: int, work: Path) -> dict[str, Any]:
    placements = generate.parse_size(size)
    # In a process of its own: building a million placements takes gigabytes.
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--size", size], check=True)
    folder = generate.DATA / generate.size_label(placements)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    rows = sum(manifest["rows"].values())
    sample_rows = sum(manifest["sample_rows"].values())
    sample_is_all = sample_rows == rows
    py = sys.executable
    approaches = str(HERE / "approaches.py")
    runs: list[Run] = []

    def add(
        name: str,
        command: list[str],
        records: int,
        *,
        input_: str,
        note: str = "",
        measured: tuple[Any, ...] | None = None,
    ) -> tuple[Run, dict[str, Any], str]:
        """One approach's Run, measured once here unless its measure is given."""
        if measured is None:
            print(f"  {name}...", file=sys.stderr, flush=True)
            measured = measure(command)
        wall, cpu, rss, stdout, stderr, code, walls = measured
        inner = last_json(stdout)
        run = Run(
            name,
            size,
            input_,
            records,
            wall,
            cpu,
            rss,
            inner.get("seconds"),
            walls,
            inner.get("issues"),
            note,
            code,
        )
        runs.append(run)
        if code not in (0, 1):
            print(f"    exit code {code}: {stderr[-2000:]}", file=sys.stderr)
        return run, inner, stderr

    report_path = work / f"report-{size}-csv.json"
    fast = {
        "polars read (floor)": [py, approaches, "polars", str(folder)],
        "sufficiency validate (CLI)": [
            *sufficiency_command(),
            "validate",
            str(folder / "csv"),
            "--format",
            "json",
            "--output",
            str(report_path),
        ],
        "library validate()": [py, approaches, "library", str(folder), "--target", "csv"],
    }
    print(f"  {', '.join(fast)}, in turns...", file=sys.stderr, flush=True)
    for (name, command), measured in zip(
        fast.items(), measure_in_turns(list(fast.values()), repeat=repeat), strict=True
    ):
        add(name, command, rows, input_="csv", measured=measured)
    _, rs_out, _ = add(
        "jsonschema-rs", [py, approaches, "jsonschema-rs", str(folder)], rows, input_="json lines"
    )
    sample_note = "" if sample_is_all else f"on the first {sample_rows:,} records (sample)"
    _, py_out, _ = add(
        "jsonschema (Python)",
        [py, approaches, "jsonschema", str(folder), "--sample"],
        sample_rows,
        input_="json lines",
        note=sample_note,
    )
    schema = _schema_path(manifest["standard_version"])
    linkml = shutil.which("linkml")
    linkml_run = None
    if linkml:
        linkml_run, _, _ = add(
            "linkml validate",
            [
                linkml,
                "validate",
                "-s",
                str(schema),
                "-C",
                "Submission",
                str(folder / "sample.json"),
            ],
            sample_rows,
            input_="json",
            note=sample_note,
        )
        linkml_run.issues = None
    xlsx_runs = {}
    if manifest.get("xlsx") and (folder / "submission.xlsx").exists():
        xlsx_report = work / f"report-{size}-xlsx.json"
        workbook = {
            "python-calamine read (xlsx floor)": [py, approaches, "calamine", str(folder)],
            "sufficiency validate (CLI)": [
                *sufficiency_command(),
                "validate",
                str(folder / "submission.xlsx"),
                "--format",
                "json",
                "--output",
                str(xlsx_report),
            ],
            # The report workbook (issue 19): the user's workbook marked, and every issue.
            XLSX_REPORT: [
                *sufficiency_command(),
                "validate",
                str(folder / "submission.xlsx"),
                "--format",
                "xlsx",
                "--output",
                str(work / f"report-{size}.xlsx"),
            ],
        }
        print(
            "  python-calamine read, sufficiency validate (xlsx, JSON and xlsx reports), "
            "in turns...",
            file=sys.stderr,
        )
        for (name, command), measured in zip(
            workbook.items(), measure_in_turns(list(workbook.values()), repeat=repeat), strict=True
        ):
            add(name, command, rows, input_="xlsx", measured=measured)
        xlsx_runs["report"] = xlsx_report

    # What was found, against the injected defects.
    defects = {"csv": found_defects(report_path, manifest)}
    if "report" in xlsx_runs:
        defects["xlsx"] = found_defects(xlsx_runs["report"], manifest)
    for run in runs:
        if run.approach == "sufficiency validate (CLI)" and run.issues is None:
            run.issues = defects.get(run.input, {}).get("issues_reported")
    peers = {
        "jsonschema-rs": peer_recall(rs_out, manifest, sample=False),
        "jsonschema (Python)": peer_recall(py_out, manifest, sample=True),
    }
    if linkml_run is not None:
        peers["linkml validate"] = {"note": "errors are not mapped back to defects"}
    return {
        "size": size,
        "placements": placements,
        "rows": manifest["rows"],
        "total_rows": rows,
        "sample_rows": sample_rows,
        "defects_injected": len(manifest["defects"]),
        "defects": defects,
        "peer_defects": peers,
        "runs": [asdict(run) | {"rate": run.rate} for run in runs],
    }


def _schema_path(version: str) -> Path:
    from sufficiency_standard import schema_path

    return schema_path(version)


def found_defects(report_path: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Which injected defects the report has, by (code, table, row, field)."""
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:  # no report, or one the command left unfinished
        return {
            "found": 0,
            "missing": len(manifest["defects"]),
            "missing_examples": [],
            "error": f"no readable report ({type(error).__name__}): the command failed",
        }
    reported = {(i["code"], i["table"], i["row"], i["field"]) for i in report["issues"]}
    expected = [(d["code"], d["table"], d["row"], d["field"]) for d in manifest["defects"]]
    missing = [e for e in expected if e not in reported]
    unexpected = reported - set(expected)
    return {
        "found": len(expected) - len(missing),
        "missing": len(missing),
        "missing_by_code": dict(Counter(code for code, *_ in missing)),
        "missing_examples": missing[:10],
        "codes_injected": sorted({e[0] for e in expected}),
        "issues_reported": len(report["issues"]),
        "issues_not_injected": len(unexpected),
        "issues_not_injected_by_code": dict(Counter(code for code, *_ in unexpected)),
    }


def peer_recall(output: dict[str, Any], manifest: dict[str, Any], sample: bool) -> dict[str, Any]:
    """How many injected defects a record-by-record validator flagged (same table, row and
    field), among the defects in the records it saw."""
    if not output:
        return {}
    hits = {(table, row, name) for table, row, name in output.get("found", [])}
    limits = manifest["sample_rows"] if sample else manifest["rows"]
    seen = [d for d in manifest["defects"] if d["row"] - 2 < limits[d["table"]]]
    found = [d for d in seen if (d["table"], d["row"], d["field"]) in hits]
    return {
        "defects_in_records": len(seen),
        "found": len(found),
        "found_by_code": dict(Counter(d["code"] for d in found)),
        "missed_codes": sorted({d["code"] for d in seen} - {d["code"] for d in found}),
        "errors": output.get("issues"),
    }


# -- start-up -----------------------------------------------------------------------------


def startup(repeat: int) -> dict[str, Any]:
    """`sufficiency --help` and the small example, whole processes; imports of --help."""
    help_wall, _, help_rss, *_, help_walls = measure(
        [*sufficiency_command(), "--help"], repeat=max(repeat, 5)
    )
    example = ROOT / "examples" / "example-submission.xlsx"
    small = measure([*sufficiency_command(), "validate", str(example)], repeat=max(repeat, 3))
    probe = (
        "from sufficiency_standard.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
    )
    imports = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", probe], capture_output=True, text=True, cwd=ROOT
    )
    modules = [
        line.split("|")[-1].strip()
        for line in imports.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    ]
    cumulative = [
        int(line.split("|")[1])
        for line in imports.stderr.splitlines()
        if line.startswith("import time:") and line.split("|")[1].strip().isdigit()
    ]
    heavy = sorted({m for m in modules for h in HEAVY_MODULES if m == h or m.startswith(h + ".")})
    return {
        "help_wall": help_wall,
        "help_walls": help_walls,
        "help_peak_rss": help_rss,
        "help_imports_ms": (max(cumulative) / 1000) if cumulative else None,
        "help_heavy_imports": heavy,
        "example": str(example.relative_to(ROOT)),
        "example_wall": small[0],
        "example_walls": small[-1],
        "example_exit_code": small[5],
    }


# -- targets ------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    wanted: str
    measured: str
    passed: bool | None  # None: not measured in this run
    why: str = ""


def _run(result: dict[str, Any], approach: str, input_: str = "csv") -> dict[str, Any] | None:
    for run in result["runs"]:
        if run["approach"] == approach and run["input"] == input_:
            return run
    return None


XLSX_REPORT = "sufficiency validate --format xlsx (CLI)"
XLSX_REPORT_WITHIN = 5  # the report workbook, against validating the same workbook


def _report_workbook_targets(results: list[dict[str, Any]]) -> list[Target]:
    """The xlsx report of each workbook measured, against validating that workbook."""
    out = []
    for result in results:
        report = _run(result, XLSX_REPORT, "xlsx")
        plain = _run(result, "sufficiency validate (CLI)", "xlsx")
        if report is None or plain is None:
            continue
        ratio = report["wall"] / plain["wall"]
        out.append(
            Target(
                f"{result['size']} xlsx: report workbook vs validation",
                f"within {XLSX_REPORT_WITHIN}x",
                f"{ratio:.2f}x ({report['wall']:.2f} s vs {plain['wall']:.2f} s, "
                f"{report['peak_rss'] / GIB:.2f} GiB)",
                ratio <= XLSX_REPORT_WITHIN,
            )
        )
    return out or [
        Target(
            "xlsx: report workbook vs validation",
            f"within {XLSX_REPORT_WITHIN}x",
            "not run (use --size 10k or 100k)",
            None,
        )
    ]


def targets(results: list[dict[str, Any]], start: dict[str, Any]) -> list[Target]:
    out: list[Target] = _report_workbook_targets(results)
    by_size = {r["size"]: r for r in results}
    big = by_size.get("1M")
    if big is not None:
        cli, floor = _run(big, "sufficiency validate (CLI)"), _run(big, "polars read (floor)")
        rs, linkml = _run(big, "jsonschema-rs", "json lines"), _run(big, "linkml validate", "json")
        ratio = cli["wall"] / floor["wall"]
        out.append(
            Target(
                "1M CSV: full validation vs polars read",
                "within 3x",
                f"{ratio:.2f}x ({cli['wall']:.2f} s vs {floor['wall']:.2f} s)",
                ratio <= 3,
            )
        )
        if linkml:
            speed = cli["rate"] / linkml["rate"]
            out.append(
                Target(
                    "1M CSV: throughput vs linkml validate",
                    ">= 100x",
                    f"{speed:,.0f}x",
                    speed >= 100,
                    "linkml measured on the sample (throughput)",
                )
            )
        if rs:
            speed = cli["rate"] / rs["rate"]
            out.append(
                Target("1M CSV: throughput vs jsonschema-rs", ">= 5x", f"{speed:.2f}x", speed >= 5)
            )
        out.append(
            Target(
                "1M CSV: peak memory",
                "< 2 GiB",
                f"{cli['peak_rss'] / GIB:.2f} GiB",
                cli["peak_rss"] < 2 * GIB,
            )
        )
    else:
        for name in (
            "1M CSV: full validation vs polars read",
            "1M CSV: throughput vs linkml validate",
            "1M CSV: throughput vs jsonschema-rs",
            "1M CSV: peak memory",
        ):
            out.append(Target(name, "", "not run (use --size 1M)", None))
    mid = by_size.get("100k")
    if mid is not None and _run(mid, "sufficiency validate (CLI)", "xlsx"):
        cli = _run(mid, "sufficiency validate (CLI)", "xlsx")
        floor = _run(mid, "python-calamine read (xlsx floor)", "xlsx")
        ratio = cli["wall"] / floor["wall"]
        out.append(
            Target(
                "100k xlsx: validation vs python-calamine read",
                "within 1.5x",
                f"{ratio:.2f}x ({cli['wall']:.2f} s vs {floor['wall']:.2f} s)",
                ratio <= 1.5,
            )
        )
    else:
        out.append(
            Target(
                "100k xlsx: validation vs python-calamine read",
                "within 1.5x",
                "not run (use --size 100k)",
                None,
            )
        )
    for result in results:
        for input_, found in result["defects"].items():
            others = found.get("issues_not_injected", 0)
            out.append(
                Target(
                    f"{result['size']} {input_}: every injected defect found, nothing else",
                    f"{result['defects_injected']:,}",
                    found.get("error")
                    or f"{found['found']:,} found, {found['missing']:,} missing, {others:,} other",
                    found["missing"] == 0 and others == 0 and "error" not in found,
                )
            )
    heavy = start["help_heavy_imports"]
    out.append(
        Target(
            "`sufficiency --help`",
            "< 0.3 s, no polars/pydantic/linkml",
            f"{start['help_wall']:.3f} s; heavy imports: {', '.join(heavy) or 'none'}",
            start["help_wall"] < 0.3 and not heavy,
        )
    )
    out.append(
        Target(
            "`sufficiency validate` small example",
            "< 1.5 s",
            f"{start['example_wall']:.2f} s",
            start["example_wall"] < 1.5,
        )
    )
    return out


# -- output -------------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def table_rows(result: dict[str, Any]) -> list[list[str]]:
    floor = _run(result, "polars read (floor)")
    cli = _run(result, "sufficiency validate (CLI)")
    xfloor = _run(result, "python-calamine read (xlsx floor)", "xlsx")
    rows = []
    for run in result["runs"]:
        base = xfloor if run["input"] == "xlsx" and xfloor else floor
        versus_floor = run["wall"] / base["wall"] if base else None
        versus_cli = cli["rate"] / run["rate"] if cli and run["rate"] else None
        rows.append(
            [
                result["size"],
                run["approach"],
                run["input"],
                f"{run['records']:,}",
                _seconds(run["wall"]),
                _seconds(run["cpu"]),
                f"{run['rate']:,.0f}",
                f"{run['peak_rss'] / (1 << 20):,.0f}",
                f"{versus_floor:.2f}x" if versus_floor else "",
                f"{versus_cli:,.1f}x" if versus_cli else "",
                run["note"],
            ]
        )
    return rows


HEADER = [
    "size",
    "approach",
    "input",
    "records",
    "wall s",
    "CPU s",
    "records/s",
    "peak RSS MiB",
    "vs floor",
    "sufficiency CSV is faster by",
    "note",
]


def markdown(
    results: list[dict[str, Any]], goals: list[Target], start: dict[str, Any], meta: dict[str, Any]
) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Command: `{meta['command']}`  ",
        f"When: {meta['when']}; machine: {meta['machine']}; load average before: "
        f"{meta['load_before']}; Python {meta['python']}; polars {meta['polars']}.",
        *([f"Note: {meta['note']}", ""] if meta.get("note") else [""]),
        "Wall time is the whole process (for the fast approaches, the best of the repeats, "
        "which take turns with the floor they are compared with); "
        'records/s is all rows of all tables divided by it. "vs floor" divides the wall '
        "time by polars reading the CSV files (python-calamine reading the workbook for "
        "xlsx); the last column is how many times more records per second `sufficiency "
        "validate` (CSV) gets through.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join("---" if i in (1, 2, 10) else "---:" for i in range(len(HEADER))) + "|",
    ]
    for result in results:
        for row in table_rows(result):
            lines.append("| " + " | ".join(row) + " |")
    lines += ["", "## Targets", "", "| target | wanted | measured | result |", "|---|---|---|---|"]
    for goal in goals:
        verdict = {True: "pass", False: "**miss**", None: "not run"}[goal.passed]
        why = f" ({goal.why})" if goal.why else ""
        lines.append(f"| {goal.name} | {goal.wanted} | {goal.measured}{why} | {verdict} |")
    lines += ["", "## Defects", ""]
    for result in results:
        for input_, found in result["defects"].items():
            if "error" in found:
                lines.append(f"- {result['size']} {input_}: {found['error']}.")
                continue
            lines.append(
                f"- {result['size']} {input_}: {found['found']:,} of "
                f"{result['defects_injected']:,} injected defects reported "
                f"({len(found.get('codes_injected', []))} codes); "
                f"{found.get('issues_not_injected', 0):,} other issues."
            )
        for peer, recall in result["peer_defects"].items():
            if "found" in recall:
                lines.append(
                    f"- {result['size']} {peer}: flagged {recall['found']:,} of the "
                    f"{recall['defects_in_records']:,} defects in the records it checked; "
                    f"cannot see: {', '.join(recall['missed_codes'])}."
                )
    lines += [
        "",
        f"`sufficiency --help`: {start['help_wall']:.3f} s (imports "
        f"{start['help_imports_ms'] or 0:.0f} ms); small example: "
        f"{start['example_wall']:.2f} s.",
        "",
        "![throughput](benchmark.png)",
        "",
    ]
    return "\n".join(lines)


def chart(results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    approaches: list[tuple[str, str]] = []
    for result in results:
        for run in result["runs"]:
            key = (run["approach"], run["input"])
            if key not in approaches:
                approaches.append(key)
    sizes = [r["size"] for r in results]
    figure, axis = plt.subplots(figsize=(10, 5.5))
    width = 0.8 / max(len(sizes), 1)
    for s, result in enumerate(results):
        rates = []
        for approach, input_ in approaches:
            run = _run(result, approach, input_)
            rates.append(run["rate"] if run else 0)
        positions = [i + s * width for i in range(len(approaches))]
        axis.barh(positions, rates, height=width, label=result["size"])
    axis.set_yticks([i + width * (len(sizes) - 1) / 2 for i in range(len(approaches))])
    axis.set_yticklabels([f"{a} ({i})" for a, i in approaches])
    axis.invert_yaxis()
    axis.set_xscale("log")
    axis.set_xlabel("records per second (log scale; higher is better)")
    axis.set_title("Validating a synthetic region's history: throughput by approach")
    axis.legend(title="placements")
    axis.grid(axis="x", which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def print_table(results: list[dict[str, Any]], goals: list[Target]) -> None:
    rows = [HEADER[:-1]] + [row[:-1] for result in results for row in table_rows(result)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(
                cell.rjust(w) if i > 2 else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    print()
    for goal in goals:
        verdict = {True: "PASS", False: "MISS", None: "----"}[goal.passed]
        print(f"{verdict}  {goal.name}: {goal.measured} (wanted {goal.wanted})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", action="append", help="10k, 100k or 1M (may be repeated)")
    parser.add_argument("--all", action="store_true", help="10k, 100k and 1M")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the fast approaches")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where results go")
    parser.add_argument("--note", default="", help="a sentence for the results (what was run)")
    args = parser.parse_args(argv)
    sizes = list(generate.SIZES) if args.all else (args.size or ["100k"])
    meta = {
        "command": shlex.join(
            ["python", "benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]
        ),
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{_memory_gib():.0f} GiB, {platform.system()}",
        "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "note": args.note,
        "python": platform.python_version(),
        "polars": _version("polars"),
        "versions": {
            n: _version(n)
            for n in (
                "polars",
                "python-calamine",
                "jsonschema",
                "jsonschema-rs",
                "linkml",
                "sufficiency-standard",
            )
        },
    }
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="sufficiency-bench-") as work:
        for size in sizes:
            print(f"{size}:", file=sys.stderr)
            results.append(run_size(size, args.repeat, Path(work)))
    start = startup(args.repeat)
    goals = targets(results, start)
    meta["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    document = {
        "meta": meta,
        "results": results,
        "startup": start,
        "targets": [asdict(g) for g in goals],
    }
    (args.out / "results.json").write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    (args.out / "results.md").write_text(markdown(results, goals, start, meta), encoding="utf-8")
    chart(results, args.out / "benchmark.png")
    print_table(results, goals)
    print(f"\nResults: {args.out / 'results.md'}, results.json, benchmark.png")
    return 1 if any(goal.passed is False for goal in goals) else 0


def _memory_gib() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB
    except (ValueError, OSError):
        return 0.0


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


if __name__ == "__main__":
    raise SystemExit(main())
