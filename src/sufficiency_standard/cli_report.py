"""`sufficiency report`: the region's sufficiency report from a hub, a thin layer over
sufficiency_standard.analytics. Exit codes: 0 written, 2 the hub, a date or an output
could not be used."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from sufficiency_standard.cli_hub import EXIT_UNUSABLE, HubArgument, _open

DEFAULT_PURPOSE = "sufficiency"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_UNUSABLE)


def report(
    hub: HubArgument,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "--output", "-o", help="The HTML report to write.", show_default=False
        ),
    ],
    tables: Annotated[
        Path | None,
        typer.Option("--tables", help="Also write every table as CSV into this folder."),
    ] = None,
    workbook: Annotated[
        Path | None,
        typer.Option(
            "--workbook", help="The Excel workbook of the tables (default: beside --out, .xlsx)."
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Report as of this date (YYYY-MM-DD; default: the end of the latest period held).",
        ),
    ] = None,
    la_codes: Annotated[
        list[str] | None,
        typer.Option("--la", help="Only this LA (repeat for more)."),
    ] = None,
    purpose: Annotated[
        str | None,
        typer.Option(
            "--purpose",
            help="Only the LAs that share for this purpose (default: 'sufficiency' when the "
            "hub's configuration lists it, else every LA).",
        ),
    ] = None,
) -> None:
    """Write the region's sufficiency report: demand, supply, placements, cost, a
    needs-adjusted provider price index and a forecast with its back-test. Small
    numbers are withheld (the hub configuration's small_number_threshold)."""
    from sufficiency_standard.analytics import html, outputs
    from sufficiency_standard.analytics.report import build_report
    from sufficiency_standard.issues import InputError

    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise _fail(f"--as-of {as_of} is not a date (YYYY-MM-DD)") from None
    if out.suffix.lower() not in {".html", ".htm"}:
        raise _fail(f"--out {out} must be an .html file")
    book = workbook or out.with_suffix(".xlsx")
    try:
        with _open(hub) as opened:
            chosen, said = _las(opened, la_codes, purpose)
            typer.echo(f"Building the report ({said})...", err=True)
            built = build_report(
                opened,
                as_of=day,
                la_codes=chosen,
                progress=lambda key: typer.echo(f"  {key}", err=True),
            )
    except InputError as error:
        raise _fail(str(error)) from None
    if not built.las:
        raise _fail(f"the hub holds no current placements for {said}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html.render(built), encoding="utf-8")
        outputs.write_workbook(built, book)
        written = outputs.write_tables(built, tables) if tables is not None else []
    except OSError as error:
        raise _fail(f"cannot write {error.filename or out}: {error.strerror or error}") from None
    count = len(built.tables)
    typer.echo(
        f"Wrote {out} ({len(built.sections)} sections, {count} tables) and {book}"
        + (f", and {len(written) - 1} CSV tables in {tables}" if tables is not None else "")
        + f"; as of {built.as_of.isoformat()}, counts under {built.threshold} withheld."
    )


def _las(hub, la_codes: list[str] | None, purpose: str | None) -> tuple[list[str] | None, str]:
    """The LAs the report may use, and how to say so."""
    config = hub.config
    if la_codes and purpose:
        raise _fail("give --la or --purpose, not both")
    if la_codes:
        return sorted(set(la_codes)), ", ".join(sorted(set(la_codes)))
    if purpose is None and DEFAULT_PURPOSE in config.purposes:
        purpose = DEFAULT_PURPOSE
    if purpose is not None:
        return config.las_for(purpose), f"the LAs sharing for {purpose}"
    return None, "every LA in the hub"
