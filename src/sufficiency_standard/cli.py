"""The `sufficiency` command: a thin layer over the library.

Imports of polars, the models and the validator happen inside the commands, so that
`sufficiency --help` starts at once.
"""

from __future__ import annotations

import gc
import os
import re
import sys
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

EXIT_CODES_HELP = (
    "Exit codes: 0 valid (or done); 1 not valid; 2 the input could not be read or the "
    "output written; 3 a fault of the tool itself; 4 the command was used wrongly (an "
    "unknown option, a missing argument)."
)

app = typer.Typer(
    name="sufficiency",
    help="Check and work with data in the Placement Sufficiency Data Standard.\n\n"
    + EXIT_CODES_HELP,
    epilog="`sufficiency explain CODE` explains a rule, offline.",
    # Plain help: flags are shown as flags (typer's rich panels show `<bool>` after them).
    rich_markup_mode=None,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(asked: bool) -> None:
    if asked:
        from sufficiency_standard.__about__ import __version__
        from sufficiency_standard.shipped import shipped_versions

        versions = ", ".join(shipped_versions())
        typer.echo(f"sufficiency-standard {__version__} (standard versions {versions})")
        raise typer.Exit(0)


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="Show the package's version and the versions of the standard it ships.",
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print only errors; the exit code gives the result."),
    ] = False,
) -> None:
    """Check and work with data in the Placement Sufficiency Data Standard."""
    global _QUIET
    _QUIET = quiet


_QUIET = False  # `--quiet`: the commands' notes on standard error are not printed


def _note(message: str) -> None:
    """A note for a person on standard error (what was written where), unless --quiet."""
    if not _QUIET:
        typer.echo(message, err=True)


EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
# A failure of the tool itself, never of the data: a script can tell it from "not valid".
EXIT_INTERNAL_ERROR = 3
# The command used wrongly (an unknown option, a missing argument): click gives these 2,
# the code of an unreadable input; a script needs to tell a typing mistake from a bad file.
EXIT_USAGE = 4


def _usage_errors_exit_with(code: int) -> None:
    """Give click's usage errors (which typer raises, from its own copy of click in newer
    versions) their own exit code."""
    import importlib

    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        module.UsageError.exit_code = code


_usage_errors_exit_with(EXIT_USAGE)
_PROGRESS_BYTES = 5_000_000  # inputs bigger than this get a progress display


class ReportFormat(StrEnum):
    console = "console"
    json = "json"
    html = "html"
    xlsx = "xlsx"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_UNREADABLE)


def _unwritable(output: Path) -> str | None:
    """Why a report cannot be written to `output`, found before a long validation."""
    if output.is_dir():
        return "it is a folder"
    if not output.parent.is_dir():
        return f"the folder {output.parent} does not exist"
    return None


def _same_file(output: Path, path: Path) -> bool:
    """Whether writing `output` would overwrite the input `path` (or a file in it)."""
    try:
        return output.exists() and output.samefile(path)
    except OSError:
        return False


def _write_report(
    report,  # Report (not imported at start-up)
    report_format: ReportFormat,
    output: Path | None,
    paths: list[Path],
    show_values: bool,
    examples: int,
) -> None:
    """The report in its format, to `output` or to standard output."""
    if report_format is ReportFormat.console:
        from rich.console import Console

        from sufficiency_standard.report.console import render_console

        # A file or a pipe gets whole lines (easier to search) rather than 80 columns.
        with output.open("w", encoding="utf-8") if output else nullcontext(sys.stdout) as target:
            console = Console(file=target, soft_wrap=not target.isatty())
            render_console(report, console, show_values=show_values, examples=examples)
    elif report_format is ReportFormat.xlsx:
        from sufficiency_standard.report.workbook import WORKBOOK_STAGES, render_workbook

        workbook = paths[0] if len(paths) == 1 and paths[0].suffix.lower() == ".xlsx" else None
        assert output is not None
        stderr = _progress_console(paths)
        if stderr is None:
            render_workbook(report, output, workbook, show_values=show_values)
            return
        # A large workbook's report takes a while: say which stage it is in (issue 19).
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        names = {
            "opening": "Opening your workbook",
            "marking": f"Marking {len(report.issues):,} issues",
            "listing": "Listing the issues",
            "saving": f"Saving {output.name}",
        }
        columns = (TextColumn("{task.description:<28}"), BarColumn(), TimeElapsedColumn())
        with Progress(*columns, console=stderr, transient=True) as bar:
            task = bar.add_task(names["opening"], total=len(WORKBOOK_STAGES))

            def advance(stage: str) -> None:
                done = WORKBOOK_STAGES.index(stage)
                bar.update(task, description=names[stage], completed=done)

            render_workbook(report, output, workbook, show_values=show_values, progress=advance)
    else:
        sys.stdout.flush()
        with output.open("wb") if output else nullcontext(sys.stdout.buffer) as target:
            if report_format is ReportFormat.json:
                from sufficiency_standard.report.json_document import write_json

                write_json(report, target, show_values=show_values)
            else:
                from sufficiency_standard.report.html import render_html

                target.write(render_html(report, show_values=show_values).encode("utf-8"))
            target.flush()


# What makes rich take a file for a terminal (its versions differ): rich decides when set.
_TERMINAL_SETTINGS = ("TTY_COMPATIBLE", "FORCE_COLOR", "FORCE_TERMINAL")


def _progress_console(paths: list[Path]):  # -> rich Console | None (rich loaded lazily)
    """Standard error as a rich console, for the progress display of a large input shown
    on a terminal; None otherwise, without loading rich (a report to a file or a pipe)."""
    if _input_size(paths) <= _PROGRESS_BYTES:
        return None
    if not sys.stderr.isatty() and not any(name in os.environ for name in _TERMINAL_SETTINGS):
        return None
    from rich.console import Console

    console = Console(stderr=True)
    return console if console.is_terminal else None


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
        typer.Option(
            "--output", "--out", "-o", help="Write the report to this file (required for xlsx)."
        ),
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
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="A mapping file (YAML) for your own sheet names, headers and codes; "
            "`sufficiency mapping init` writes a starter one.",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="Print no report (unless to --output); the exit code gives the result.",
        ),
    ] = False,
) -> None:
    """Check a submission against the standard and report every problem by cell.

    Exit code 0: valid (warnings allowed); 1: not valid; 2: the input could not be read;
    3: a fault of the tool; 4: the command was used wrongly.
    """
    from sufficiency_standard.issues import InputError
    from sufficiency_standard.validation import VALIDATION_STAGES
    from sufficiency_standard.validation import validate as run_validation

    if report_format is ReportFormat.xlsx and output is None:
        raise _fail("--format xlsx needs --output FILE.xlsx")
    for path in paths:
        if not path.exists():
            raise _fail(f"{path} does not exist")
    if output is not None and (problem := _unwritable(output)):
        raise _fail(f"cannot write the report to {output}: {problem}")
    if output is not None and any(_same_file(output, path) for path in paths):
        raise _fail(
            f"--output {output} is the input itself: give the report another name, such "
            "as marked.xlsx (your workbook is never overwritten)"
        )
    quiet = quiet or _QUIET
    stderr = _progress_console(paths)
    try:
        if stderr is not None:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            columns = (TextColumn("{task.description:<10}"), BarColumn(), TimeElapsedColumn())
            with Progress(*columns, console=stderr, transient=True) as bar:
                task = bar.add_task("Reading", total=len(VALIDATION_STAGES))

                def advance(stage: str) -> None:
                    done = VALIDATION_STAGES.index(stage)
                    bar.update(task, description=stage.capitalize(), completed=done)

                report = run_validation(paths, standard_version, progress=advance, mapping=mapping)
        else:
            report = run_validation(paths, standard_version, mapping=mapping)
    except InputError as error:
        raise _fail(str(error)) from None

    if quiet and output is None:
        raise typer.Exit(EXIT_VALID if report.valid else EXIT_INVALID)
    try:
        _write_report(report, report_format, output, paths, show_values, examples)
    except OSError as error:
        where = output or "standard output"
        raise _fail(f"cannot write the report to {where}: {error.strerror or error}") from None
    if output and report_format is not ReportFormat.console and not quiet:
        typer.echo(f"{report.verdict()} Report written to {output}.", err=True)
    raise typer.Exit(EXIT_VALID if report.valid else EXIT_INVALID)


@app.command()
def explain(
    code: Annotated[
        str, typer.Argument(help="A rule's code, such as VALUE-CODE.", show_default=False)
    ],
) -> None:
    """Explain a rule of the validator (by the code a report gives), offline."""
    import sufficiency_standard.validation  # noqa: F401  (registers every check's rules)
    from sufficiency_standard.catalogue import ENTRIES, explanation
    from sufficiency_standard.check.schema_rules import declare_schema_rules
    from sufficiency_standard.shipped import shipped_versions
    from sufficiency_standard.standard import load_standard

    for version in shipped_versions():  # the schema's own rules, of every version
        declare_schema_rules(load_standard(version))
    wanted = code.strip().upper()
    if wanted not in ENTRIES:
        close = [known for known in sorted(ENTRIES) if wanted and wanted in known]
        hint = f" Did you mean {', '.join(close[:5])}?" if close else ""
        raise _fail(f"there is no rule {code}.{hint} A report names each issue's code.")
    typer.echo(explanation(wanted))


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
            "--output",
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
    from sufficiency_standard.diff import bump_is_enough, bump_sentence, compare_versions
    from sufficiency_standard.shipped import UnknownVersionError, resolve_version

    try:
        old_version, new_version = resolve_version(old), resolve_version(new)
    except UnknownVersionError as error:
        raise _fail(str(error)) from None
    changes = compare_versions(old_version, new_version)
    count = "1 change" if len(changes) == 1 else f"{len(changes)} changes"
    typer.echo(f"From {old_version} to {new_version}: {count}.")
    for change in changes:
        typer.echo(f"  {change.level:<9} {change.what}")
    typer.echo(bump_sentence(changes, old_version, new_version))
    if not bump_is_enough(changes, old_version, new_version):
        typer.echo("The new version number is not bumped enough for these changes.", err=True)
        raise typer.Exit(EXIT_INVALID)


@app.command()
def template(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "--output",
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
    _note(f"Template written to {written}.")


# -- mapping files, importers and pseudonymisation (issue 7) ---------------------------

from sufficiency_standard.cli_hub import hub_app  # noqa: E402  (the hub's commands)

app.add_typer(hub_app, name="hub")

from sufficiency_standard.cli_report import report  # noqa: E402  (the region's report)

app.command("report")(report)

from sufficiency_standard.cli_national import export_app  # noqa: E402  (other standards)

app.add_typer(export_app, name="export")

mapping_app = typer.Typer(
    help="Mapping files: your own sheet names, headers and codes, read as the standard's.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(mapping_app, name="mapping")


def _iso_date(value: str | None, option: str):  # -> date | None
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{option} must be a date written 2025-03-31, not {value}") from None


@mapping_app.command("init")
def mapping_init(
    path: Annotated[
        Path,
        typer.Argument(
            help="Your workbook (.xlsx), CSV file or folder of CSV files.", show_default=False
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "--output",
            "-o",
            help="Where to write the mapping (default: <file>.mapping.yaml beside it).",
            show_default=False,
        ),
    ] = None,
    standard_version: Annotated[
        str | None,
        typer.Option("--standard-version", help="Map to this version instead of the newest."),
    ] = None,
) -> None:
    """Write a starter mapping by matching your headers to the standard's fields.

    Exact matches first, then aliases, then close matches; each entry says how it was
    matched, and close matches are marked `confirm:` for you to check.
    """
    from sufficiency_standard.issues import InputError
    from sufficiency_standard.mapping import mapping_init_command

    try:
        written, guesses = mapping_init_command(path, out, standard_version)
    except InputError as error:
        raise _fail(str(error)) from None
    to_confirm = sum(1 for sheet in guesses for header in sheet.headers if header.how == "close")
    values = [v for sheet in guesses for found in sheet.values.values() for v in found]
    proposed = sum(1 for v in values if v.code is not None)
    _note(
        f"Mapping written to {written}: check it ({to_confirm} close matches to confirm; "
        f"{proposed} codes proposed, {len(values) - proposed} values left for you to map)."
    )


class ImportFormat(StrEnum):
    ssda903 = "ssda903"
    national_standard = "national-standard"
    placements_standard = "placements-standard"
    pnw_census = "pnw-census"


@app.command("import")
def import_files(
    format_name: Annotated[
        ImportFormat,
        typer.Argument(
            metavar="FORMAT",
            help="ssda903 (header, episodes and UASC tables), national-standard (the national "
            "placements standard: its JSON-LD or Excel template), placements-standard (the "
            "regional placements returns) or pnw-census (the Placements North West census).",
            show_default=False,
        ),
    ],
    inputs: Annotated[
        list[Path],
        typer.Argument(
            metavar="IN...",
            help="The files to import (CSV or .xlsx; .jsonld for the national standard).",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "--output",
            "-o",
            help="Where to write the submission: .xlsx, .json, or a folder for CSV files.",
            show_default=False,
        ),
    ],
    la_code: Annotated[
        str | None, typer.Option("--la-code", help="Your LA's GSS code, such as E06000023.")
    ] = None,
    period_start: Annotated[
        str | None, typer.Option("--period-start", help="First day of the period (YYYY-MM-DD).")
    ] = None,
    period_end: Annotated[
        str | None, typer.Option("--period-end", help="Last day of the period (YYYY-MM-DD).")
    ] = None,
    extract_date: Annotated[
        str | None,
        typer.Option("--extract-date", help="The date of the extract (default: today)."),
    ] = None,
    standard_version: Annotated[
        str | None,
        typer.Option("--standard-version", help="Write this version instead of the newest."),
    ] = None,
) -> None:
    """Build the standard's tables from a file your LA already produces.

    Writes the submission and, beside it, <out>.import-report.txt: every value that could
    not be carried over, filled in or copied as it was. Exit code 0: the output is valid;
    1: it needs what the report lists; 2: the input could not be read.
    """
    from sufficiency_standard.importers import import_command
    from sufficiency_standard.issues import InputError

    for path in inputs:
        if not path.exists():
            raise _fail(f"{path} does not exist")
    try:
        result = import_command(
            format_name.value,
            inputs,
            out,
            la_code=la_code,
            period_start=_iso_date(period_start, "--period-start"),
            period_end=_iso_date(period_end, "--period-end"),
            extract_date=_iso_date(extract_date, "--extract-date"),
            standard_version=standard_version,
        )
    except InputError as error:
        raise _fail(str(error)) from None
    _note(result.report.render())
    _note(
        f"{result.validation.verdict()} Written to {result.written}; "
        f"import report in {result.report_path}."
    )
    raise typer.Exit(EXIT_VALID if result.validation.valid else EXIT_INVALID)


class PostcodeLevel(StrEnum):
    sector = "sector"
    district = "district"


@app.command()
def pseudonymise(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="IN...",
            help="The submission: an .xlsx workbook, CSV files, a folder or .zip of CSV files, "
            "or a .json file.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "--output",
            "-o",
            help="Where to write the shareable submission: .xlsx, .json, or a folder.",
            show_default=False,
        ),
    ],
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            "-k",
            help="Your LA's secret key, from `sufficiency keygen`. Required.",
            show_default=False,
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="A mapping file for your own sheet names, headers, codes."),
    ] = None,
    postcode_level: Annotated[
        PostcodeLevel,
        typer.Option("--postcode-level", help="Cut postcodes to the sector or the district."),
    ] = PostcodeLevel.sector,
    manifest: Annotated[
        Path | None,
        typer.Option(
            "--manifest",
            help="Where to write the manifest (default: <out>.manifest.json).",
            show_default=False,
        ),
    ] = None,
    standard_version: Annotated[
        str | None,
        typer.Option("--standard-version", help="Read as this version (X.Y or X.Y.Z)."),
    ] = None,
) -> None:
    """Pseudonymise a submission for sharing, as the standard's annotations say.

    IDs become keyed hashes (the same every month), postcodes are cut to sectors, fields
    not for sharing are dropped; the key and any lookup are never written. Exit code 0:
    the output is valid; 1: it is not; 2: it could not be made.
    """
    from sufficiency_standard.issues import InputError
    from sufficiency_standard.pseudonymise import pseudonymise_command

    try:
        result = pseudonymise_command(
            paths,
            key_file,
            out,
            mapping=mapping,
            postcode_level=postcode_level.value,
            manifest_path=manifest,
            standard_version=standard_version,
        )
    except InputError as error:
        raise _fail(str(error)) from None
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    _note(
        f"{result.validation.verdict()} Written to {result.written}; "
        f"manifest in {result.manifest_path}."
    )
    raise typer.Exit(EXIT_VALID if result.validation.valid else EXIT_INVALID)


@app.command()
def keygen(
    out: Annotated[
        Path,
        typer.Option(
            "--out", "--output", "-o", help="Where to write the new key.", show_default=False
        ),
    ],
) -> None:
    """Make a new secret key for pseudonymisation (32 random bytes, readable only by you).

    Make it once and keep it: the same key gives the same pseudonyms every month. It is
    never overwritten.
    """
    from sufficiency_standard.issues import InputError
    from sufficiency_standard.pseudonymise import keygen_command

    try:
        written = keygen_command(out)
    except InputError as error:
        raise _fail(str(error)) from None
    _note(f"Key written to {written}. Keep it safe and never share it.")


# Polars' allocator (jemalloc) gives freed memory back to the system soon after it is
# freed, and keeps a pool of memory for each of several threads; each table read next
# then has its fresh pages zeroed by the kernel again. Kept for two seconds, and pooled
# per processor (Linux only) so that polars' threads reuse what another freed, that
# memory is reused: at a million placements the run is about 6% faster, with a fifth
# fewer page faults, at about the same peak. Read by polars once, when it is loaded.
POLARS_ALLOCATOR = "_RJEM_MALLOC_CONF"


def polars_allocator_setting(platform: str = sys.platform) -> str:
    """The allocator setting the command uses on this platform."""
    return "dirty_decay_ms:2000" + (",percpu_arena:percpu" if platform == "linux" else "")


# What polars writes into the environment when it is loaded (its own settings first,
# then any given), so what a command started by a Python program that uses polars
# inherits: polars' choice, not the user's. Its muzzy decay differs between versions
# (-1 in 1.38, 1000 in 2.1); the thp part comes with POLARS_THP=1, inherited too.
_POLARS_OWN_SETTINGS = re.compile(
    r"dirty_decay_ms:500,muzzy_decay_ms:-?\d+(,thp:always,metadata_thp:always)?(,|$)"
)


def tune_polars_allocator() -> None:
    """Set polars' allocator for a run that reads tables one after another; it takes
    effect only if polars has not been loaded yet. Options the user has set come after
    the command's, so that theirs win (jemalloc takes an option's last value); polars'
    own settings, inherited from a parent process that loaded polars, are dropped."""
    given = os.environ.get(POLARS_ALLOCATOR, "")
    if inherited := _POLARS_OWN_SETTINGS.match(given):
        given = given[inherited.end() :]
    os.environ[POLARS_ALLOCATOR] = ",".join(filter(None, [polars_allocator_setting(), given]))


def main() -> None:
    """The `sufficiency` console script: the app, then a quick exit.

    Once a command has finished (its files written and closed), the process ends
    without the interpreter's teardown, which for a large submission spends a tenth
    of a second freeing what the operating system frees at once. The cyclic garbage
    collector is off for the one command the process runs: the library pauses it while
    it validates and reports, and each time it resumed in between, its first pass
    walked every object the validation had made and freed none (0.3 s after a whole
    column of errors). Reference counting frees everything as usual.
    """
    gc.disable()
    tune_polars_allocator()
    try:
        app(prog_name="sufficiency")
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        if isinstance(stop.code, str):
            sys.stderr.write(stop.code + "\n")
    except KeyboardInterrupt:
        sys.stderr.write("stopped\n")
        code = 130
    except Exception as failure:  # a bug of ours: one line and its own exit code
        if os.environ.get("SUFFICIENCY_DEBUG"):
            raise
        reason = str(failure).splitlines()[0][:200] if str(failure) else ""
        sys.stderr.write(
            f"internal error: {type(failure).__name__}{': ' + reason if reason else ''}. "
            "This is a fault in sufficiency-standard, not in your data: please report it "
            "with the command you ran (SUFFICIENCY_DEBUG=1 shows the traceback).\n"
        )
        code = EXIT_INTERNAL_ERROR
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
