"""`sufficiency hub ...` as a user runs it: exit codes, messages, files written."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from hub_support import EXAMPLE, another_la, example_submission, write_submission
from typer.testing import CliRunner

from sufficiency_standard.cli import app

runner = CliRunner()


def run(*arguments: str):
    return runner.invoke(app, ["hub", *arguments])


def test_init_ingest_status_export_as_a_region_would(tmp_path):
    hub = str(tmp_path / "region.duckdb")
    created = run("init", hub)
    assert created.exit_code == 0 and "holding version 0.3.0" in created.output

    accepted = run("ingest", hub, str(EXAMPLE), "--by", "Somerset data team")
    assert accepted.exit_code == 0, accepted.output
    assert "accepted as submission 1" in accepted.output

    again = run("ingest", hub, str(EXAMPLE))
    assert again.exit_code == 0 and "already holds these exact bytes" in again.output

    status = run("status", hub, "--format", "json")
    assert status.exit_code == 0
    document = json.loads(status.output)
    assert document["standard_version"] == "0.3.0"
    [submission] = document["submissions"]
    assert submission["received_by"] == "Somerset data team"
    assert submission["state"] == "current" and submission["rows"]["placements"] > 0

    table = run("status", hub)
    assert table.exit_code == 0 and "E06000066" in table.output and "2025-26" in table.output

    out = tmp_path / "export"
    exported = run("export", hub, "--out", str(out), "--format", "csv")
    assert exported.exit_code == 0, exported.output
    assert (out / "star" / "fact_placement_days.csv").is_file()
    placements = pl.read_csv(out / "tables" / "placements.csv")
    assert placements.height == submission["rows"]["placements"]
    assert json.loads((out / "export.json").read_text())["format"] == "csv"

    refused = run("export", hub, "--out", str(out))
    assert refused.exit_code == 2 and "not an empty folder" in refused.output


def test_ingest_exit_code_is_the_worst_outcome(tmp_path):
    hub = str(tmp_path / "region.duckdb")
    run("init", hub)
    broken = example_submission()
    broken["placements"][0]["end_date"] = "2001-01-01"
    invalid = write_submission(tmp_path, "broken", broken)
    valid = write_submission(tmp_path, "bristol", another_la("E06000023"))

    result = run("ingest", hub, str(valid), str(invalid))
    assert result.exit_code == 1, result.output
    assert "✓" in result.output and "✗" in result.output
    assert "rejected: not valid" in result.output
    assert "PLC-" in result.output or "END" in result.output  # the kinds of error, counted
    assert "sufficiency validate" in result.output

    unreadable = tmp_path / "notes.json"
    unreadable.write_text("{ not json", encoding="utf-8")
    result = run("ingest", hub, str(unreadable), str(valid))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_errors_are_one_line_and_exit_2(tmp_path):
    result = run("status", str(tmp_path / "nothing.duckdb"))
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and "hub init" in result.output

    config = tmp_path / "hub.yaml"
    config.write_text("retention_years: lots\n", encoding="utf-8")
    result = run("init", str(tmp_path / "h.duckdb"), "--config", str(config))
    assert result.exit_code == 2 and "retention_years" in result.output
    assert not (tmp_path / "h.duckdb").exists()

    result = run("init", str(tmp_path / "h.duckdb"), "--standard-version", "9.9")
    assert result.exit_code == 2 and "9.9" in result.output


def test_configure_shows_and_replaces_and_prune_applies_retention(tmp_path):
    hub = str(tmp_path / "region.duckdb")
    config = tmp_path / "hub.yaml"
    config.write_text("region: South West\nretention_years: 1\n", encoding="utf-8")
    assert run("init", hub, "--config", str(config)).exit_code == 0
    shown = run("configure", hub)
    assert "region: South West" in shown.output and "retention_years: 1" in shown.output

    run("ingest", hub, str(EXAMPLE))
    dry = run("prune", hub, "--dry-run", "--today", "2027-06-01")
    assert dry.exit_code == 0 and "Would delete 1 submissions" in dry.output
    kept = run("prune", hub, "--today", "2026-06-01")
    assert "Deleted 0 submissions" in kept.output

    config.write_text("region: South West\nretention_years: 5\n", encoding="utf-8")
    assert run("configure", hub, str(config)).exit_code == 0
    assert "Would delete 0" in run("prune", hub, "--dry-run", "--today", "2027-06-01").output
    bad = run("prune", hub, "--today", "June")
    assert bad.exit_code == 2 and "not a date" in bad.output


def test_hub_help_lists_the_commands():
    result = run("--help")
    for command in ("init", "ingest", "status", "export", "prune", "configure", "demo"):
        assert command in result.output


def test_a_folder_of_csv_files_is_stored_as_one_packed_submission(tmp_path):
    from sufficiency_standard.write import write_csv_folder

    folder = tmp_path / "csv"
    write_csv_folder(example_submission(), folder)
    hub = str(tmp_path / "region.duckdb")
    run("init", hub)
    first = run("ingest", hub, str(folder))
    assert first.exit_code == 0 and "accepted" in first.output, first.output
    # The same files again (touched, not changed) are the same submission.
    for path in folder.iterdir():
        path.touch()
    again = run("ingest", hub, str(folder))
    assert "already holds these exact bytes" in again.output
    from sufficiency_standard.hub import Hub

    with Hub.open(hub) as opened:
        import io
        import zipfile

        names = zipfile.ZipFile(io.BytesIO(opened.original(1))).namelist()
        assert sorted(names) == sorted(p.name for p in Path(folder).iterdir())


def test_demo_builds_a_hub_from_the_shipped_example_region(tmp_path):
    from sufficiency_standard.hub import Hub
    from sufficiency_standard.hub.example import example_region

    region = example_region()
    hub = tmp_path / "example.duckdb"
    built = run("demo", str(hub), "--files", str(tmp_path / "files"))
    assert built.exit_code == 0, built.output
    assert sorted(p.name for p in (tmp_path / "files").iterdir()) == sorted(
        p.name for p in region.folder.iterdir()
    )
    with Hub.open(str(hub)) as opened:
        register = opened.submissions()
        assert register.height == len(region.submissions)
        assert register.filter(pl.col("state") == "superseded").height == sum(
            "resubmission" in p.name for p in region.submissions
        )
        assert set(register.get_column("la_code")) == set(opened.config.las)
        assert register.get_column("period_start").n_unique() >= 2  # two years or more
        assert opened.config.region
    again = run("demo", str(hub))
    assert again.exit_code == 2 and "already exists" in again.output
    assert run("demo", str(hub), "--replace").exit_code == 0

    not_a_hub = tmp_path / "notes.duckdb"
    not_a_hub.write_text("my notes", encoding="utf-8")
    refused = run("demo", str(not_a_hub), "--replace")
    assert refused.exit_code == 2
    assert not_a_hub.read_text(encoding="utf-8") == "my notes"
