"""`sufficiency export national-standard`: a submission as national records, a thin layer
over sufficiency_standard.national.export. Exit codes: 0 every record written conforms
to the national shape; 1 written, but some records do not (the report says why); 2 the
submission or the output could not be used."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

export_app = typer.Typer(
    help="Write a submission in another standard's form.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class Template(StrEnum):
    june = "2026-06"
    april = "2026-04"


class ContextForm(StrEnum):
    inline = "inline"
    reference = "reference"


@export_app.command("national-standard")
def national_standard(
    submission: Annotated[
        Path,
        typer.Argument(
            help="The submission: a workbook, a JSON file, or a folder of CSV files.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "--output",
            "-o",
            help="The national records: FILE.jsonld (JSON-LD) or FILE.xlsx (the national "
            "Excel template).",
            show_default=False,
        ),
    ],
    template: Annotated[
        Template, typer.Option("--template", help="The Excel template's edition.")
    ] = Template.june,
    context: Annotated[
        ContextForm,
        typer.Option(
            "--context",
            help="JSON-LD: the national context written inline, or referenced as "
            "context.jsonld (written beside the file).",
        ),
    ] = ContextForm.inline,
    officer_names: Annotated[
        bool,
        typer.Option(
            "--officer-names/--without-officer-names",
            help="Write the officers' names the submission holds (the national shape "
            "requires the placement officer's).",
        ),
    ] = True,
    placement_officer: Annotated[
        str | None,
        typer.Option(
            "--placement-officer",
            help="The name to write as placement officer where the submission holds none.",
        ),
    ] = None,
    standard_version: Annotated[
        str | None,
        typer.Option("--standard-version", help="Read the submission as this version."),
    ] = None,
) -> None:
    """Write one national record per search (referral) with its outcome, check each
    against the national SHACL shape, and write <out>.export-report.txt beside it: every
    value the national standard cannot hold, derived, or missing."""
    from sufficiency_standard.cli import EXIT_INVALID, EXIT_UNREADABLE, EXIT_VALID, _note
    from sufficiency_standard.issues import InputError
    from sufficiency_standard.national.export import export_national

    if not submission.exists():
        typer.echo(f"error: {submission} does not exist", err=True)
        raise typer.Exit(EXIT_UNREADABLE)
    try:
        result = export_national(
            submission,
            out,
            template=template.value,
            context=context.value,
            officer_names=officer_names,
            placement_officer=placement_officer,
            standard_version=standard_version,
        )
    except InputError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    report_path = out.with_name(out.name + ".export-report.txt")
    report_path.write_text(result.report.render(), encoding="utf-8")
    _note(result.report.render())
    total = len(result.records)
    if result.issues:
        shown = sorted({issue.message for issue in result.issues})
        listing = "\n".join(f"  - {message}" for message in shown[:10])
        more = f"\n  ... and {len(shown) - 10} more" if len(shown) > 10 else ""
        _note(
            f"Wrote {total} national records to {out}, but not every one conforms to the "
            f"national shape:\n{listing}{more}\nExport report in {report_path}."
        )
        raise typer.Exit(EXIT_INVALID)
    _note(
        f"Wrote {total} national records to {out}; every one conforms to the national shape. "
        f"Export report in {report_path}."
    )
    raise typer.Exit(EXIT_VALID)
