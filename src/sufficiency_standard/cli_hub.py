"""`sufficiency hub ...`: the regional hub's commands, a thin layer over
sufficiency_standard.hub. Exit codes: 0 done (or accepted), 1 rejected as invalid,
2 the hub or an input could not be used."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

EXIT_DONE, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2

hub_app = typer.Typer(
    help="Combine LAs' submissions in a regional hub (a DuckDB file or a PostgreSQL "
    "database), with history, and export them for analysis.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

HubArgument = Annotated[
    str,
    typer.Argument(
        metavar="HUB",
        help="The hub: a file path (DuckDB, nothing to install) or a postgresql:// URL.",
        show_default=False,
    ),
]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_UNUSABLE)


def _waiting() -> None:
    typer.echo("waiting for another command using the hub to finish...", err=True)


def _open(location: str):  # -> Hub
    from sufficiency_standard.hub import Hub

    return Hub.open(location, wait=_waiting)


def _config(path: Path | None):  # -> HubConfig | None
    from sufficiency_standard.hub import load_config

    return load_config(path) if path is not None else None


@hub_app.command("init")
def hub_init(
    hub: HubArgument,
    standard_version: Annotated[
        str | None,
        typer.Option(
            "--standard-version",
            help="The version the hub holds every submission in (default: the configuration's, "
            "else the newest).",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="The hub's configuration (YAML): LAs, purposes, retention."),
    ] = None,
) -> None:
    """Create an empty hub."""
    from sufficiency_standard.hub import Hub
    from sufficiency_standard.issues import InputError

    try:
        with Hub.create(hub, standard_version, _config(config)) as created:
            typer.echo(
                f"Created a hub at {created.database.location}, holding version "
                f"{created.version} of the standard."
            )
    except InputError as error:
        raise _fail(str(error)) from None


@hub_app.command("configure")
def hub_configure(
    hub: HubArgument,
    config: Annotated[
        Path | None,
        typer.Argument(help="The new configuration (YAML). Without it, show the current one."),
    ] = None,
) -> None:
    """Show or replace the hub's configuration."""
    from sufficiency_standard.issues import InputError

    try:
        with _open(hub) as opened:
            if config is None:
                typer.echo(opened.config.to_yaml().rstrip() or "(no configuration set)")
                return
            opened.set_config(_config(config))
            typer.echo(f"Configuration of {opened.database.location} replaced from {config}.")
    except InputError as error:
        raise _fail(str(error)) from None


@hub_app.command("ingest")
def hub_ingest(
    hub: HubArgument,
    submissions: Annotated[
        list[Path],
        typer.Argument(
            metavar="SUBMISSION...",
            help="Each an .xlsx workbook, a .json file, or a folder or .zip of CSV files.",
            show_default=False,
        ),
    ],
    received_by: Annotated[
        str | None,
        typer.Option("--by", help="Who is ingesting, for the register (default: your user)."),
    ] = None,
) -> None:
    """Validate each submission against the hub's version and take the valid ones in.

    A submission already held (the same bytes) is not taken twice; a new one for an LA
    and period supersedes the old, which stays as history; an invalid one is kept with
    its report and loads nothing. Exit code: 0 all accepted, 1 one or more rejected,
    2 one or more unreadable.
    """
    from sufficiency_standard.hub import ingest
    from sufficiency_standard.issues import InputError
    from sufficiency_standard.report.console import printable

    worst = EXIT_DONE
    try:
        with _open(hub) as opened:
            for path in submissions:
                result = ingest(opened, path, received_by)
                mark = {"accepted": "✓", "duplicate": "=", "rejected": "✗"}.get(result.outcome, "!")
                where = f" ({result.la_code}, {result.period})" if result.la_code else ""
                typer.echo(printable(f"{mark} {path}{where}: {result.message}"))
                if result.outcome == "rejected" and result.report is not None:
                    for code, issues in list(result.report.by_code().items())[:5]:
                        typer.echo(printable(f"    {len(issues)} x {code}: {issues[0].message}"))
                    typer.echo(f"    the whole report: sufficiency validate {path}")
                worst = max(worst, result.exit_code)
    except InputError as error:
        raise _fail(str(error)) from None
    raise typer.Exit(worst)


class StatusFormat(StrEnum):
    table = "table"
    json = "json"


@hub_app.command("status")
def hub_status(
    hub: HubArgument,
    status_format: Annotated[
        StatusFormat, typer.Option("--format", "-f", help="A table, or JSON for scripts.")
    ] = StatusFormat.table,
) -> None:
    """Every submission received: LA, period, version, when, checksum, state, rows."""
    from sufficiency_standard.issues import InputError

    try:
        with _open(hub) as opened:
            register = opened.submissions()
            version, location, config = opened.version, opened.database.location, opened.config
    except InputError as error:
        raise _fail(str(error)) from None
    records = []
    for row in register.iter_rows(named=True):
        records.append(
            {
                "submission_id": row["submission_id"],
                "la_code": row["la_code"],
                "period_start": _iso(row["period_start"]),
                "period_end": _iso(row["period_end"]),
                "state": row["state"],
                "standard_version": row["standard_version"],
                "declared_version": row["declared_version"],
                "received_at": _iso(row["received_at"]),
                "received_by": row["received_by"],
                "file_name": row["file_name"],
                "checksum": row["checksum"],
                "superseded_by": row["superseded_by"],
                "errors": row["errors"],
                "warnings": row["warnings"],
                "reason": row["reason"],
                "rows": json.loads(row["row_counts"]) if row["row_counts"] else {},
            }
        )
    if status_format is StatusFormat.json:
        document = {"hub": location, "standard_version": version, "submissions": records}
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=not sys.stdout.isatty())
    region = f"{config.region}, " if config.region else ""
    title = f"{region}{location}: standard {version}, {len(records)} submissions"
    table = Table(title=title, title_justify="left")
    for heading in ("ID", "LA", "Period", "State", "Version", "Received (UTC)", "SHA-256", "Rows"):
        table.add_column(heading, overflow="fold")
    for record in records:
        state = record["state"]
        if record["superseded_by"]:
            state += f" by {record['superseded_by']}"
        if record["reason"]:
            state += f": {record['reason']}"
        version_text = record["standard_version"]
        if record["declared_version"] and record["declared_version"] != version_text:
            version_text = f"{record['declared_version']}→{version_text}"
        table.add_row(
            str(record["submission_id"]),
            record["la_code"] or "?",
            _period_label(record["period_start"], record["period_end"]),
            state,
            version_text,
            (record["received_at"] or "")[:16].replace("T", " "),
            record["checksum"][:8],
            f"{sum(record['rows'].values()):,}" if record["rows"] else "",
        )
    console.print(table)


def _period_label(start: str | None, end: str | None) -> str:
    """A financial year as people write it (2024-25); any other period as its dates."""
    if not start or not end:
        return "?"
    if start[4:] == "-04-01" and end[4:] == "-03-31" and int(end[:4]) == int(start[:4]) + 1:
        return f"{start[:4]}-{end[2:4]}"
    return f"{start} to {end}"


def _iso(value: object) -> str | None:
    """ISO 8601; the hub's times are UTC, and say so."""
    if isinstance(value, dt.datetime):
        return value.isoformat() + ("Z" if value.tzinfo is None else "")
    return value.isoformat() if isinstance(value, dt.date) else None


class ExportFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"
    xlsx = "xlsx"


@hub_app.command("export")
def hub_export(
    hub: HubArgument,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "--output", "-o", help="A new (or empty) folder.", show_default=False
        ),
    ],
    la_code: Annotated[
        str | None, typer.Option("--la", help="Only this LA's rows (its own data back).")
    ] = None,
    purpose: Annotated[
        str | None,
        typer.Option("--purpose", help="Only the LAs that share for this purpose (configuration)."),
    ] = None,
    export_format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="File format.")
    ] = ExportFormat.parquet,
) -> None:
    """Write the current tables and a star schema (facts: placement days, cost days,
    searches; dimensions: LA, provider, setting, placement type, date)."""
    from sufficiency_standard.hub.export import export_hub
    from sufficiency_standard.issues import InputError

    try:
        with _open(hub) as opened:
            result = export_hub(
                opened, out, la_code=la_code, purpose=purpose, file_format=export_format.value
            )
    except InputError as error:
        raise _fail(str(error)) from None
    total = sum(result.rows.values())
    typer.echo(f"Exported {len(result.rows)} tables ({total:,} rows) to {result.folder}.")


@hub_app.command("prune")
def hub_prune(
    hub: HubArgument,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be deleted; delete nothing.")
    ] = False,
    today: Annotated[
        str | None, typer.Option("--today", help="Prune as on this day (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Delete the submissions whose period ended longer ago than the configuration's
    retention_years, with their rows, bytes and reports."""
    from sufficiency_standard.hub.prune import prune
    from sufficiency_standard.issues import InputError

    try:
        day = dt.date.fromisoformat(today) if today else None
    except ValueError:
        raise _fail(f"--today {today} is not a date (YYYY-MM-DD)") from None
    try:
        with _open(hub) as opened:
            result = prune(opened, today=day, dry_run=dry_run)
    except InputError as error:
        raise _fail(str(error)) from None
    verb = "Would delete" if dry_run else "Deleted"
    ids = ", ".join(map(str, result.deleted)) or "none"
    typer.echo(
        f"{verb} {len(result.deleted)} submissions (periods ended before {result.cutoff}): "
        f"{ids}; {result.rows_deleted:,} rows."
    )


@hub_app.command("demo")
def hub_demo(
    hub: HubArgument,
    files: Annotated[
        Path | None,
        typer.Option("--files", help="Also copy the example region's files to this folder."),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Replace HUB if it is a file holding a hub already."),
    ] = False,
) -> None:
    """Build a hub from the example region shipped with the package (simulated LAs
    and years), as `hub init` with its configuration then `hub ingest` of its files."""
    import shutil

    from sufficiency_standard.hub import Hub, ingest, load_config
    from sufficiency_standard.hub.example import example_region
    from sufficiency_standard.issues import InputError

    region = example_region()
    try:
        if replace and Path(hub).is_file():
            Hub.open(hub).close()  # only ever replace a hub
            Path(hub).unlink()
        with Hub.create(hub, config=load_config(region.config)) as created:
            for path in region.submissions:
                result = ingest(created, path, "sufficiency hub demo")
                typer.echo(f"{path.name}: {result.message}")
    except InputError as error:
        raise _fail(str(error)) from None
    if files is not None:
        shutil.copytree(region.folder, files, dirs_exist_ok=True)
        typer.echo(f"The example region's files are in {files}.")
    typer.echo(f"Next: sufficiency hub status {hub}")
