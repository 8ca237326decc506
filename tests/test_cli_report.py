"""`sufficiency report` as a region runs it, on the shipped example region: what it
writes, what it withholds, and how it refuses what it cannot use."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from sufficiency_standard.analytics.tables import SUPPRESSED
from sufficiency_standard.cli import app
from sufficiency_standard.hub import Hub

runner = CliRunner()

# The tables the issue names, with the columns each must have at least.
NAMED = {
    "provider_price_index": [
        "provider_id",
        "placement_type",
        "placements",
        "index",
        "lower",
        "upper",
    ],
    "notice": ["la_code", "planned_or_emergency", "searches", "median_days"],
    "distance": [
        "la_code",
        "placement_type",
        "placements",
        "out_of_area_share",
        "over_20_miles_share",
        "over_50_miles_share",
    ],
    "type_mismatch": ["la_code", "residential_placements", "fostering_preferred_share"],
    "forecast": ["month", "placement_category", "expected", "lower", "upper"],
    "backtest": ["origin", "months_ahead", "placement_category", "forecast", "actual"],
}


@pytest.fixture(scope="module")
def example_hub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    hub = tmp_path_factory.mktemp("example-hub") / "region.duckdb"
    done = runner.invoke(app, ["hub", "demo", str(hub)])
    assert done.exit_code == 0, done.output
    return hub


@pytest.fixture(scope="module")
def written(example_hub: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    done = runner.invoke(
        app,
        [
            "report",
            str(example_hub),
            "--out",
            str(out / "report.html"),
            "--tables",
            str(out / "tables"),
        ],
    )
    assert done.exit_code == 0, done.output
    assert "counts under 5 withheld" in done.output
    return out


def test_the_report_writes_the_page_the_workbook_and_every_table(written: Path) -> None:
    assert (written / "report.html").stat().st_size > 20_000
    manifest = json.loads((written / "tables" / "tables.json").read_text(encoding="utf-8"))
    names = [t["name"] for t in manifest["tables"]]
    assert len(names) == len(set(names))
    for name in names:
        assert (written / "tables" / f"{name}.csv").is_file()
    book = load_workbook(written / "report.xlsx", read_only=True)
    assert book.sheetnames[0] == "Contents"
    assert len(book.sheetnames) == len(names) + 1
    sections = {t["section"] for t in manifest["tables"]}
    assert sections == {
        "coverage",
        "demand",
        "supply",
        "placements",
        "cost",
        "providers",
        "forecast",
    }


@pytest.mark.parametrize("name", sorted(NAMED))
def test_the_named_tables_have_their_columns(written: Path, name: str) -> None:
    frame = pl.read_csv(written / "tables" / f"{name}.csv", infer_schema_length=None)
    assert set(NAMED[name]) <= set(frame.columns), frame.columns
    assert frame.height > 0


def test_no_count_from_1_to_4_is_written_anywhere(written: Path) -> None:
    manifest = json.loads((written / "tables" / "tables.json").read_text(encoding="utf-8"))
    checked = 0
    for table in manifest["tables"]:
        frame = pl.read_csv(written / "tables" / table["file"], infer_schema_length=None)
        for column in table["counts"]:
            values = frame.get_column(column).drop_nulls().to_list()
            small = [v for v in values if 0 < float(v) < manifest["small_number_threshold"]]
            assert small == [], f"{table['name']}.{column} shows {small}"
            checked += len(values)
        withheld = frame.filter(pl.col(SUPPRESSED))
        for column in [*table["counts"], *table["withheld_with_counts"]]:
            assert withheld.get_column(column).null_count() == withheld.height
    assert checked > 100
    # The example region is small: something was withheld.
    assert any(
        pl.read_csv(written / "tables" / t["file"]).get_column(SUPPRESSED).any()
        for t in manifest["tables"]
    )


def test_nothing_about_one_child_reaches_the_page_or_the_tables(
    example_hub: Path, written: Path
) -> None:
    with Hub.open(str(example_hub)) as hub:
        children = hub.current("children")
        placements = hub.current("placements")
    ids = set(children.get_column("child_id")) | set(placements.get_column("placement_id"))
    texts = [(written / "report.html").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in (written / "tables").glob("*.csv")]
    words = set()
    for text in texts:
        words |= set(re.findall(r"[A-Za-z0-9_-]+", text))
    assert ids and not (ids & words)


def test_as_of_an_earlier_date_counts_nothing_after_it(example_hub: Path, tmp_path: Path) -> None:
    done = runner.invoke(
        app,
        [
            "report",
            str(example_hub),
            "--out",
            str(tmp_path / "r.html"),
            "--as-of",
            "2024-03-31",
            "--tables",
            str(tmp_path / "t"),
        ],
    )
    assert done.exit_code == 0, done.output
    manifest = json.loads((tmp_path / "t" / "tables.json").read_text(encoding="utf-8"))
    assert manifest["as_of"] == "2024-03-31"
    months = pl.read_csv(tmp_path / "t" / "searches_by_month.csv", try_parse_dates=True)
    assert months.get_column("month").max().isoformat() <= "2024-03-31"


def test_one_la_only(example_hub: Path, tmp_path: Path) -> None:
    done = runner.invoke(
        app,
        [
            "report",
            str(example_hub),
            "--out",
            str(tmp_path / "r.html"),
            "--la",
            "E06000066",
            "--tables",
            str(tmp_path / "t"),
        ],
    )
    assert done.exit_code == 0, done.output
    coverage = pl.read_csv(tmp_path / "t" / "coverage.csv")
    assert coverage.get_column("la_code").to_list() == ["E06000066"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--as-of", "31/03/2025"], "--as-of 31/03/2025 is not a date"),
        (["--la", "E06000001"], "holds no current placements"),
        (["--la", "E06000066", "--purpose", "sufficiency"], "not both"),
        (["--purpose", "marketing"], '"marketing" is not a purpose of this hub'),
    ],
)
def test_what_cannot_be_used_is_refused_with_a_reason(
    example_hub: Path, tmp_path: Path, arguments: list[str], message: str
) -> None:
    done = runner.invoke(
        app, ["report", str(example_hub), "--out", str(tmp_path / "r.html"), *arguments]
    )
    assert done.exit_code == 2, done.output
    assert message in done.output
    assert "Traceback" not in done.output
    assert not (tmp_path / "r.html").exists()


def test_a_page_that_is_not_html_or_a_hub_that_is_not_there_is_refused(tmp_path: Path) -> None:
    done = runner.invoke(
        app, ["report", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "r.txt")]
    )
    assert done.exit_code == 2 and "must be an .html file" in done.output
    done = runner.invoke(
        app, ["report", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "r.html")]
    )
    assert done.exit_code == 2, done.output
    assert "Traceback" not in done.output


def test_each_table_names_questions_the_standard_asks(written: Path) -> None:
    from sufficiency_standard.shipped import compiled_standard

    asked = {q["id"] for q in compiled_standard()["questions"]}
    manifest = json.loads((written / "tables" / "tables.json").read_text(encoding="utf-8"))
    answered = {q for t in manifest["tables"] for q in t["answers"]}
    assert answered <= asked, answered - asked
    # The report answers the use case's questions on demand, notice, unmet need, price
    # and forecast, and the South West's problem statement.
    assert {"UC-01", "UC-02", "UC-03", "UC-06", "UC-07", "UC-10", "SW-02", "SW-04"} <= answered
