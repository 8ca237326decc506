"""Write the example region shipped with the package: simulated South West LAs' submissions.

    python scripts/make_example_region.py            # into src/sufficiency_standard/example_region/
    python scripts/make_example_region.py --out DIR  # elsewhere
    python scripts/make_example_region.py --check    # regenerate in a temporary folder and
                                                     # fail on any difference (drift check)

Four South West LAs over two financial years (2023/24 and 2024/25), made by
sufficiency_standard.simulate with a fixed seed, in the formats LAs send: workbooks, JSON
documents and a zip of CSV files, one LA-year sent twice (the second a corrected
resubmission). Beside them: truth.json (what the simulation planted), hub.yaml (the
configuration a region would give its hub for these LAs) and a README. Every file is
the same byte for byte each time it is made.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
import textwrap
from pathlib import Path

from sufficiency_standard.simulate import SimulatedSubmission, simulate_region

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "src" / "sufficiency_standard" / "example_region"
SEED = 20231
LAS = 4  # the first four of the catalogue: Somerset, Devon, Bristol, Plymouth
YEARS = 2
FIRST_YEAR = 2023
SCALE = 0.1  # 50 to 90 children in care in each LA at the start, 80 to 150 in a year
# The format each LA sends, by financial year (a resubmission comes as its original did).
FORMATS = {
    "E06000066": ("json", "xlsx"),
    "E10000008": ("xlsx", "xlsx"),
    "E06000023": ("csv-zip", "xlsx"),
    "E06000026": ("json", "json"),
}
RESUBMITTED = (("E06000023", "2024-25"),)  # Bristol corrects its 2024/25 workbook
FORMAT_NAMES = {
    "xlsx": "Excel workbook, one sheet per table",
    "json": "one JSON document",
    "csv-zip": "zip of CSV files, one per table",
}
COMMAND = "python scripts/make_example_region.py"
OWN_FILES = ("truth.json", "hub.yaml", "README.md")


def format_of(submission: SimulatedSubmission) -> str:
    year = submission.period_start.year - FIRST_YEAR
    return FORMATS[submission.la_code][year]


def make_example_region(out: Path) -> list[Path]:
    """Write the example region into `out` (emptied of the files it writes); return the
    paths written."""
    region = simulate_region(
        SEED, las=LAS, years=YEARS, first_year=FIRST_YEAR, scale=SCALE, resubmissions=RESUBMITTED
    )
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():  # files an earlier run wrote, in case their names changed
        if old.is_file() and (old.name[:1] == "E" or old.name in OWN_FILES):
            old.unlink()
    written = region.write(out, format_of)
    written.append(_write(out / "hub.yaml", _hub_config(region)))
    written.append(_write(out / "README.md", _readme(region, written)))
    return written


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def _names(region) -> dict[str, str]:
    return {code: la["parameters"]["name"] for code, la in region.truth["las"].items()}


def _hub_config(region) -> str:
    lines = [
        "# The hub configuration a region would write for the example LAs",
        f"# (made by {COMMAND}).",
        "region: South West (example)",
        'standard_version: "0.3"',
        "retention_years: 7",
        "small_number_threshold: 5",
        "purposes:",
        "  sufficiency: Regional sufficiency analysis and commissioning",
        "las:",
    ]
    for code, name in _names(region).items():
        lines.append(f"  {code}: {{name: {name}, purposes: [sufficiency]}}")
    return "\n".join(lines) + "\n"


def _readme(region, written: list[Path]) -> str:
    names = _names(region)
    rows = []
    for sub in region.submissions:
        path = next(p for p in written if p.name.startswith(sub.name + "."))
        counts = ", ".join(
            f"{len(sub.submission[t])} {t.replace('_', ' ')}"
            for t in ("children", "placements", "costs")
        )
        what = f"{names[sub.la_code]} {sub.label}" + (
            ", corrected resubmission" if sub.resubmission else ""
        )
        rows.append(f"| `{path.name}` | {what} | {FORMAT_NAMES[format_of(sub)]} | {counts} |")
    corrections = region.truth["resubmissions"]
    corrected = "; ".join(
        f"`{c['resubmission']}` corrects `{c['first_submission']}`: "
        + ", ".join(sorted({f"{ch['table']}.{ch['field']}" for ch in c["changes"]}))
        for c in corrections
    )
    dear = region.truth["planted"]["dear_provider"]
    years = " and ".join(f"{y}/{(y + 1) % 100:02d}" for y in (FIRST_YEAR, FIRST_YEAR + 1))
    text = [
        "# Example region",
        "",
        _wrap(
            "**Synthetic data.** Every child, ID, organisation and number here is made up "
            "by `sufficiency_standard.simulate`. The postcode districts are real; the codes "
            "of the South West LAs are real, those of LAs elsewhere in England that host "
            "a few placements are made up (a 9 after the type: E08900006)."
        ),
        "",
        _wrap(
            f"Four South West LAs ({', '.join(names.values())}) each send one submission "
            f"for each of the financial years {years}, in version 0.3.0 of the standard, as "
            "its history model says: every placement live in the year with all its cost "
            "periods, every search made in the year or still open at its start, and the "
            "records they refer to. A record keeps its ID from one year to the next. Every "
            "file is valid (`sufficiency validate FILE`)."
        ),
        "",
        _wrap(
            f"Made with seed {SEED} by `{COMMAND}`, which makes the same bytes each time; "
            f"`{COMMAND} --check` fails if the files here differ from what it makes."
        ),
        "",
        "| file | LA and year | format | records |",
        "|---|---|---|---|",
        *rows,
        "",
        _wrap(
            f"Sent twice: {corrected}. The file without `-resubmission` is the first, with "
            "the errors; a hub keeps the later copy of each record."
        ),
        "",
        "Also here:",
        "",
        "- "
        + _wrap(
            "`truth.json`: what the simulation planted and what came of it, to check "
            "analyses against: the model's rates and prices, each LA's parameters and "
            "counts by year, the provider that charges 20% more for the same needs "
            f"({dear['name']}), distances and notice by type, unmet searches, siblings "
            "placed apart, spend by the standard's definition, and the corrections the "
            "resubmission makes.",
            indent="  ",
        ),
        "- "
        + _wrap(
            "`hub.yaml`: the configuration a region would give its hub for these LAs "
            "(`sufficiency hub demo` builds a hub from this folder).",
            indent="  ",
        ),
        "",
    ]
    return "\n".join(text)


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(text, width=88, subsequent_indent=indent, break_on_hyphens=False)


def check(committed: Path = EXAMPLE) -> list[str]:
    """The differences between the committed example region and a fresh one (none when
    it is up to date)."""
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder)
        make_example_region(fresh)
        made = {p.name for p in fresh.iterdir()}
        there = {p.name for p in committed.iterdir()} if committed.is_dir() else set()
        problems = [f"{name} is missing" for name in sorted(made - there)]
        problems += [f"{name} is not made by the script" for name in sorted(there - made)]
        problems += [
            f"{name} differs"
            for name in sorted(made & there)
            if not filecmp.cmp(fresh / name, committed / name, shallow=False)
        ]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=EXAMPLE, help="folder to write into")
    parser.add_argument(
        "--check", action="store_true", help="fail if the folder differs from a fresh copy"
    )
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.out)
        for problem in problems:
            print(f"{args.out}: {problem}", file=sys.stderr)
        if problems:
            print(f"The example region is out of date: run {COMMAND}", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    for path in make_example_region(args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
