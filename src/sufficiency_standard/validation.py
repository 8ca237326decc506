"""The library's entry point: validate a submission and get a Report.

    >>> from sufficiency_standard import validate
    >>> report = validate("examples/example-submission.xlsx")
    >>> report.valid, report.counts

Chooses the version of the standard (pinned, else declared by the data, else the
newest shipped), reads, checks, and returns the Report. Never prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sufficiency_standard.check import check_submission
from sufficiency_standard.collector import collector_paused
from sufficiency_standard.issues import InputError
from sufficiency_standard.read import open_submission, read_json_object
from sufficiency_standard.read.source import SourceSubmission
from sufficiency_standard.report.model import Report, VersionChoice
from sufficiency_standard.shipped import UnknownVersionError, latest_version, resolve_version
from sufficiency_standard.standard import Standard, load_standard

if TYPE_CHECKING:  # a mapping is loaded (with yaml) only for a run that has one
    from sufficiency_standard.check.values import TypedTable
    from sufficiency_standard.mapping import SourceMapping

Progress = Callable[[str], None]
VALIDATION_STAGES = ("reading", "checking", "reporting")  # what `progress` is told, in order
SubmissionInput = str | Path | Sequence[str | Path] | Mapping[str, Any]


class VersionError(InputError):
    """The version asked for or declared cannot be used (exit code 2)."""


def declared_version(submission: SourceSubmission) -> str | None:
    """The standard_version the submission states, as written, if any."""
    header = submission.read("submission")
    if header is None or "standard_version" not in header.frame.columns or header.frame.is_empty():
        return None
    value = header.frame.get_column("standard_version")[0]
    return value.strip() if isinstance(value, str) and value.strip() else None


def choose_version(declared: str | None, pinned: str | None) -> VersionChoice:
    """Pinned beats declared beats the newest; an unknown or contradicted version is an error."""
    declared_full = None
    if declared is not None:
        try:
            declared_full = resolve_version(declared)
        except UnknownVersionError as error:
            if pinned is None:
                raise VersionError(
                    f"the data declares version {declared} of the standard, which this "
                    f"package does not know (it has {', '.join(error.shipped)}); upgrade "
                    "the package or pin a version with --standard-version"
                ) from None
    if pinned is not None:
        try:
            pinned_full = resolve_version(pinned)
        except UnknownVersionError as error:
            raise VersionError(str(error)) from None
        if declared is not None and declared_full != pinned_full:
            raise VersionError(
                f"the data declares version {declared} of the standard but version "
                f"{pinned_full} was asked for; correct standard_version in the submission, "
                "or convert the file with `sufficiency upgrade`"
            )
        return VersionChoice(pinned_full, "pinned")
    if declared_full is not None:
        return VersionChoice(declared_full, "declared")
    return VersionChoice(latest_version(), "default")


def _inputs(source: SubmissionInput) -> list[Path] | None:
    if isinstance(source, Mapping):
        return None
    if isinstance(source, str | Path):
        return [Path(source)]
    return [Path(p) for p in source]


def _read(
    source: SubmissionInput, standard: Standard, mapping: SourceMapping | None = None
) -> SourceSubmission:
    paths = _inputs(source)
    if paths is None:
        return read_json_object(dict(source), "submission", standard, mapping)  # type: ignore[arg-type]
    return open_submission(paths, standard, mapping)


def validate(
    source: SubmissionInput,
    standard_version: str | None = None,
    progress: Progress | None = None,
    mapping: str | Path | SourceMapping | None = None,
) -> Report:
    """Validate a submission: a workbook, CSV files or folder or zip, a JSON file, or a
    Submission as a dict; `mapping` is an LA's mapping file (or a loaded one) for its own
    sheet names, headers and codes. Raises InputError when the input cannot be read at all.

    A national JSON-LD file (the national placements standard's records) is checked
    against the national standard's shape instead, with the same kind of report."""
    paths = _inputs(source)
    if paths and len(paths) == 1 and mapping is None:
        from sufficiency_standard.national.validate import national_report

        report = national_report(paths[0], progress)
        if report is not None:
            return report
    return validate_typed(source, standard_version, progress, mapping)[0]


def validate_typed(
    source: SubmissionInput,
    standard_version: str | None = None,
    progress: Progress | None = None,
    mapping: str | Path | SourceMapping | None = None,
) -> tuple[Report, dict[str, TypedTable]]:
    """As validate, and the submission's tables typed (dates as dates, codes as codes),
    which is what a hub loads once the Report says the submission is valid."""
    if mapping is not None:
        from sufficiency_standard.mapping import SourceMapping, load_mapping

        if not isinstance(mapping, SourceMapping):
            mapping = load_mapping(mapping)
    with collector_paused():
        return _validate(source, standard_version, progress, mapping)


def _validate(
    source: SubmissionInput,
    standard_version: str | None,
    progress: Progress | None,
    mapping: SourceMapping | None,
) -> tuple[Report, dict[str, TypedTable]]:
    step = progress or (lambda _stage: None)
    step("reading")
    newest = load_standard(None)
    submission = _read(source, newest, mapping)
    choice = choose_version(declared_version(submission), standard_version)
    standard = load_standard(choice.version)
    if standard.version != newest.version:
        submission = _read(source, standard, mapping)
    step("checking")
    found, typed = check_submission(submission, standard, keep_text=False)
    step("reporting")
    inputs = [str(p) for p in submission.inputs] or ["the submission"]
    rows = {name: table.height for name, table in typed.items() if table.source is not None}
    report = Report(choice, inputs, [*submission.issues, *found], rows, standard.table_names)
    return report, typed
