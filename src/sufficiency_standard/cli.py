"""The `sufficiency` command: a thin layer over the library.

Imports of polars, the models and the validator happen inside the commands, so that
`sufficiency --help` starts at once.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="sufficiency",
    help="Check and work with data in the Placement Sufficiency Data Standard.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
_PROGRESS_BYTES = 5_000_000  # inputs bigger than this get a progress display


class ReportFormat(StrEnum):
    console = "console"
    json = "json"
    html = "html"
    xlsx = "xlsx"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_UNREADABLE)


def _input_size(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    return total


@app.command()
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="The submission: an .xlsx workbook, CSV files, a folder or .zip of CSV files, "
            "or a .json file.",
            show_default=False,
        ),
    ],
    report_format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="How to report.")
    ] = ReportFormat.console,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this file (required for xlsx)."),
    ] = None,
    standard_version: Annotated[
        str | None,
        typer.Option(
            "--standard-version",
            help="Check against this version (X.Y or X.Y.Z) instead of the one the data declares.",
        ),
    ] = None,
    show_values: Annotated[
        bool,
        typer.Option(
            "--show-values",
            help="Show personal values (child IDs, months of birth, "
            "postcodes) in the report. Off by default.",
        ),
    ] = False,
    examples: Annotated[
        int,
        typer.Option(
            "--examples",
            min=1,
            help="How many places to show for each kind of issue (console only).",
        ),
    ] = 3,
) -> None:
    """Check a submission against the standard and report every problem by cell.

    Exit code 0: valid (warnings allowed); 1: not valid; 2: the input could not be read.
    """
    from rich.console import Console

    from sufficiency_standard.issues import InputError
    from sufficiency_standard.validation import VALIDATION_STAGES
    from sufficiency_standard.validation import validate as run_validation

    if report_format is ReportFormat.xlsx and output is None:
        raise _fail("--format xlsx needs --output FILE.xlsx")
    for path in paths:
        if not path.exists():
            raise _fail(f"{path} does not exist")
    stderr = Console(stderr=True)
    big = _input_size(paths) > _PROGRESS_BYTES and stderr.is_terminal
    try:
        if big:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            columns = (TextColumn("{task.description:<10}"), BarColumn(), TimeElapsedColumn())
            with Progress(*columns, console=stderr, transient=True) as bar:
                task = bar.add_task("Reading", total=len(VALIDATION_STAGES))

                def advance(stage: str) -> None:
                    done = VALIDATION_STAGES.index(stage)
                    bar.update(task, description=stage.capitalize(), completed=done)

                report = run_validation(paths, standard_version, progress=advance)
        else:
            report = run_validation(paths, standard_version)
    except InputError as error:
        raise _fail(str(error)) from None

    if report_format is ReportFormat.console:
        # A file or a pipe gets whole lines (easier to search) rather than 80 columns.
        target = output.open("w", encoding="utf-8") if output else sys.stdout
        console = Console(file=target, soft_wrap=not target.isatty())
        from sufficiency_standard.report.console import render_console

        render_console(report, console, show_values=show_values, examples=examples)
    elif report_format is ReportFormat.xlsx:
        from sufficiency_standard.report.workbook import render_workbook

        workbook = paths[0] if len(paths) == 1 and paths[0].suffix.lower() == ".xlsx" else None
        assert output is not None
        render_workbook(report, output, workbook, show_values=show_values)
        typer.echo(f"{report.verdict()} Report written to {output}.", err=True)
    else:
        if report_format is ReportFormat.json:
            from sufficiency_standard.report.json_document import render_json

            text = render_json(report, show_values=show_values)
        else:
            from sufficiency_standard.report.html import render_html

            text = render_html(report, show_values=show_values)
        if output:
            output.write_text(text, encoding="utf-8")
            typer.echo(f"{report.verdict()} Report written to {output}.", err=True)
        else:
            sys.stdout.write(text)
    raise typer.Exit(EXIT_VALID if report.valid else EXIT_INVALID)


@app.command()
def versions() -> None:
    """List the versions of the standard shipped in this package and what changed."""
    from sufficiency_standard.shipped import latest_version, release_info, shipped_versions

    for version in reversed(shipped_versions()):
        release = release_info(version)
        when = f"released {release['released']}" if release else "not released (working draft)"
        newest = ", newest" if version == latest_version() else ""
        typer.echo(f"{version}  ({when}{newest})")
        for change in (release or {}).get("changes", []):
            typer.echo(f"  - {change}")


@app.command()
def upgrade(
    path: Annotated[Path, typer.Argument(help="The submission to upgrade.", show_default=False)],
    to: Annotated[str, typer.Option("--to", help="The version to upgrade to (X.Y or X.Y.Z).")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Where to write the upgraded submission (default: the input's "
            "name with the version added). Never the input itself.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Convert a submission to a newer version of the standard, listing every change."""
    from sufficiency_standard.issues import InputError
    from sufficiency_standard.shipped import UnknownVersionError
    from sufficiency_standard.upgrade import upgrade as run_upgrade

    if not path.exists():
        raise _fail(f"{path} does not exist")
    try:
        result = run_upgrade(path, to, out)
    except (InputError, UnknownVersionError) as error:
        raise _fail(str(error)) from None
    typer.echo(
        f"Upgraded {path} from {result.source_version} to {result.target_version}: {result.output}"
    )
    for change in result.changes:
        places = change.places(result.tabular_input)
        where = f" ({places})" if places else ""
        typer.echo(f"  changed  {change.table}.{change.field}{where}: {change.what}")
    for change in result.not_carried:
        typer.echo(f"  NOT CARRIED  {change.table}.{change.field}: {change.what}")


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The older version.", show_default=False)],
    new: Annotated[str, typer.Argument(help="The newer version.", show_default=False)],
) -> None:
    """What changed between two versions, and the version bump the change needs.

    Exit code 1 when the newer version's number is not bumped enough for its changes.
    """
    from sufficiency_standard.diff import (
        bump_is_enough,
        compare_versions,
        declared_bump,
        required_bump,
    )
    from sufficiency_standard.shipped import UnknownVersionError, resolve_version

    try:
        old_version, new_version = resolve_version(old), resolve_version(new)
    except UnknownVersionError as error:
        raise _fail(str(error)) from None
    changes = compare_versions(old_version, new_version)
    typer.echo(f"From {old_version} to {new_version}: {len(changes)} changes.")
    for change in changes:
        typer.echo(f"  {change.level:<9} {change.what}")
    needed, declared = required_bump(changes, old_version), declared_bump(old_version, new_version)
    typer.echo(f"Needs a {needed} version bump; {new_version} is a {declared} bump.")
    if not bump_is_enough(changes, old_version, new_version):
        typer.echo("The new version number is not bumped enough for these changes.", err=True)
        raise typer.Exit(EXIT_INVALID)


@app.command()
def template(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Where to write the workbook (default: "
            "sufficiency-template-<version>.xlsx in the current folder).",
            show_default=False,
        ),
    ] = None,
    standard_version: Annotated[
        str | None,
        typer.Option(
            "--standard-version",
            help="Write the template of this version (X.Y or X.Y.Z) instead of the newest.",
        ),
    ] = None,
) -> None:
    """Write an Excel workbook to fill in: one sheet per table, with drop-down lists.

    Keep its headers as they are, fill it in, and check it with `sufficiency validate`.
    """
    from sufficiency_standard.shipped import UnknownVersionError
    from sufficiency_standard.template import template_command

    try:
        written = template_command(out, standard_version)
    except UnknownVersionError as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"cannot write {out}: {error.strerror or error}") from None
    typer.echo(f"Template written to {written}.", err=True)
