"""Ingest: take one LA's submission into the hub, all or nothing.

In order: keep the bytes as received (a folder of CSV files is packed into a zip first)
and their SHA-256; stop if the hub already holds those bytes; bring an older version of
the standard up to the hub's (recorded); validate against the hub's version; then, in
one transaction, register the submission, supersede the one it replaces, and load its
tables typed and cleaned, with provenance on every row. A rejected submission is
registered with its report and no rows. A process killed at any point leaves the hub as
it was: nothing is visible until the transaction commits.
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from sufficiency_standard.check.values import ROW_INDEX, TypedTable
from sufficiency_standard.hub.database import pause_for_tests
from sufficiency_standard.hub.layout import SUBMISSIONS, HubTable
from sufficiency_standard.hub.store import Hub, utc_now
from sufficiency_standard.issues import InputError
from sufficiency_standard.report.json_document import render_json
from sufficiency_standard.report.model import Report
from sufficiency_standard.upgrade import upgrade
from sufficiency_standard.validation import VersionError, validate_typed

ACCEPTED, DUPLICATE, REJECTED, UNREADABLE = "accepted", "duplicate", "rejected", "unreadable"
EXIT_CODES = {ACCEPTED: 0, DUPLICATE: 0, REJECTED: 1, UNREADABLE: 2}
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # packed folders carry no time, so the same files hash the same


@dataclass
class IngestResult:
    """What happened to one submission, in words for the person who sent it."""

    file: str
    outcome: str  # accepted, duplicate, rejected, unreadable
    message: str
    submission_id: int | None = None
    la_code: str | None = None
    period: str | None = None
    superseded: int | None = None
    upgraded_from: str | None = None
    report: Report | None = None

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.outcome]


def original_bytes(path: Path) -> bytes:
    """The submission as received: a file's bytes, or a folder's files packed in a zip
    in name order. Stored, not compressed: compressing took longer than validating, and
    stored bytes are the same bytes whatever zlib a machine has, so the same files
    always have the same checksum."""
    if path.is_dir():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as packed:
            for member in sorted(p for p in path.rglob("*") if p.is_file()):
                info = zipfile.ZipInfo(member.relative_to(path).as_posix(), _ZIP_TIME)
                packed.writestr(info, member.read_bytes())
        return buffer.getvalue()
    return path.read_bytes()


def _received(path: Path) -> tuple[bytes, str]:
    received = original_bytes(path)
    return received, hashlib.sha256(received).hexdigest()


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _header(typed: dict[str, TypedTable]) -> dict[str, object]:
    frame = typed["submission"].frame
    return frame.drop(ROW_INDEX).row(0, named=True) if frame.height else {}


def _source_rows(typed: TypedTable) -> pl.Expr:
    """Where each record was in the LA's file (see layout.PROVENANCE)."""
    numbers = typed.source.row_numbers if typed.source is not None else None
    if numbers is None:
        return pl.col(ROW_INDEX).cast(pl.Int64)
    if isinstance(numbers, range):
        return (pl.col(ROW_INDEX).cast(pl.Int64) * numbers.step + numbers.start).cast(pl.Int64)
    return pl.lit(pl.Series(list(numbers), dtype=pl.Int64)).gather(pl.col(ROW_INDEX))


def cleaned_rows(
    hub_table: HubTable, typed: TypedTable, submission_id: int, header: dict[str, object]
) -> pl.DataFrame:
    """A table's rows as the hub keeps them: provenance, then each field in its hub type
    (codes as text, money as decimals, lists as lists). A field the standard says never
    leaves the LA (sharing: drop, such as free-text other risks) is not loaded."""
    frame = typed.frame
    provenance = [
        pl.lit(submission_id, pl.Int64).alias("submission_id"),
        pl.lit(header.get("la_code"), pl.String).alias("la_code"),
        pl.lit(header.get("period_start"), pl.Date).alias("period_start"),
        pl.lit(header.get("period_end"), pl.Date).alias("period_end"),
        _source_rows(typed).alias("source_row"),
    ]
    fields = []
    for field in hub_table.table.fields:
        dtype = hub_table.columns[field.name]
        column = pl.col(field.name)
        given = frame.schema[field.name]
        if field.sharing == "drop":
            column = pl.lit(None, dtype)
        elif dtype == pl.List and given == pl.String:  # free text, several separated by ";"
            column = column.str.split(";").list.eval(
                pl.element().str.strip_chars().filter(pl.element() != "")
            )
        elif given == pl.List:
            column = column.cast(pl.List(pl.String))
        elif isinstance(given, pl.Enum):
            column = column.cast(pl.String)
        fields.append(column.cast(dtype).alias(field.name))
    return frame.select(*provenance, *fields)


def not_loaded(hub_table: HubTable, typed: TypedTable) -> dict[str, int]:
    """How many values of each field marked `sharing: drop` were given, and so not loaded."""
    return {
        f"{hub_table.name}.{field.name}": count
        for field in hub_table.table.fields
        if field.sharing == "drop"
        and (count := typed.frame.height - typed.frame.get_column(field.name).null_count())
    }


class _Refused(Exception):
    """A submission the hub will not take, for a reason that is not in its report."""


@dataclass
class _Receipt:
    """What arrived: its name, its bytes and their checksum, and who is ingesting it."""

    name: str
    received: bytes
    checksum: str
    received_by: str | None


@dataclass
class _Checked:
    """A submission validated in the hub's version."""

    report: Report
    typed: dict[str, TypedTable]
    upgraded_from: str | None = None  # the version it came in, when upgraded
    notes: str | None = None  # what the upgrade did

    @functools.cached_property
    def header(self) -> dict[str, object]:
        return _header(self.typed)


def _checked(
    hub: Hub, path: Path, progress: Callable[[str], None] | None
) -> _Checked | _Refused | InputError:
    """The submission validated in the hub's version (upgraded first when older): the
    report, typed tables, the version it came in when upgraded, and what the upgrade
    did; or why the hub refuses it; or why it cannot be read.

    It is validated first in the version it declares, which is the hub's for nearly
    every submission: the file is then read once."""
    try:
        report, typed = validate_typed(path, None, progress)
    except VersionError as error:
        return _Refused(f"{error}; the hub holds {hub.version}")
    except InputError as error:
        return error
    version, source = report.standard.version, report.standard.source
    if version == hub.version:
        return _Checked(report, typed)
    if source != "declared":  # no version stated: the hub's own, then
        try:
            report, typed = validate_typed(path, hub.version, progress)
        except InputError as error:
            return error
        return _Checked(report, typed)
    if _version_key(version) > _version_key(hub.version):
        return _Refused(
            f"follows version {version} of the standard, newer than the hub's "
            f"{hub.version}; the hub cannot hold it"
        )
    if progress:
        progress("upgrading")
    with tempfile.TemporaryDirectory(prefix="sufficiency-hub-") as work:
        upgraded = Path(work) / "upgraded.json"
        try:
            done = upgrade(path, hub.version, upgraded)
            report, typed = validate_typed(upgraded, hub.version, progress)
        except InputError as error:
            return error
    notes = "; ".join(f"{c.table}.{c.field}: {c.what}" for c in done.changes + done.not_carried)
    return _Checked(report, typed, version, notes)


def ingest(
    hub: Hub,
    path: str | Path,
    received_by: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> IngestResult:
    """Take one submission (a workbook, JSON file, zip or folder of CSV files) into the hub."""
    path = Path(path)
    name = path.name
    if not path.exists():
        return IngestResult(name, UNREADABLE, "cannot be read: there is no such file or folder")
    try:
        received, checksum = _received(path)
    except OSError as error:
        return IngestResult(name, UNREADABLE, f"cannot be read: {error.strerror or error}")
    if found := _duplicate(hub, checksum, name):
        return found
    receipt = _Receipt(name, received, checksum, received_by)
    checked = _checked(hub, path, progress)
    if isinstance(checked, _Refused):
        return _register_rejected(hub, receipt, str(checked), None)
    if isinstance(checked, InputError):
        hub.log("unreadable", None, f"{name}: {checked}")
        return IngestResult(name, UNREADABLE, str(checked))
    if not checked.report.valid:
        return _register_rejected(
            hub, receipt, f"not valid: {checked.report.counts['error']} errors", checked
        )
    la_code = checked.header.get("la_code")
    if not hub.config.accepts(str(la_code)):
        reason = f"LA {la_code} is not a member of this hub (see its configuration)"
        return _register_rejected(hub, receipt, reason, checked)
    return _register_accepted(hub, receipt, checked)


def _duplicate(hub: Hub, checksum: str, name: str) -> IngestResult | None:
    held = hub.submission_with_checksum(checksum)
    if held is None:
        return None
    state = held["state"]
    when = held["received_at"].strftime("%d %B %Y %H:%M")
    outcome = REJECTED if state == "rejected" else DUPLICATE
    message = (
        f"the hub already holds these exact bytes as submission {held['submission_id']} "
        f"(received {when} as {held['file_name']}, {state}); nothing changed"
    )
    return IngestResult(
        name, outcome, message, held["submission_id"], held["la_code"], _period(held)
    )


def _period(header: dict[str, object]) -> str | None:
    start, end = header.get("period_start"), header.get("period_end")
    return f"{start} to {end}" if start and end else None


def _next_id(hub: Hub) -> int:
    return int(
        hub.database.scalar(f'SELECT COALESCE(MAX("submission_id"), 0) + 1 FROM "{SUBMISSIONS}"')
    )


def _register(
    hub: Hub,
    receipt: _Receipt,
    checked: _Checked | None,
    *,
    submission_id: int,
    state: str,
    reason: str | None,
    row_counts: dict[str, int] | None,
) -> None:
    report = checked.report if checked else None
    header = checked.header if checked else {}
    values = {
        "submission_id": submission_id,
        "state": state,
        "la_code": header.get("la_code"),
        "period_start": header.get("period_start"),
        "period_end": header.get("period_end"),
        "extract_date": header.get("extract_date"),
        "source_system": header.get("source_system"),
        "standard_version": hub.version,
        "declared_version": (checked.upgraded_from if checked else None)
        or (report.standard_version if report else None),
        "upgrade_notes": checked.notes if checked else None,
        "received_at": utc_now(),
        "received_by": receipt.received_by or _user(),
        "file_name": receipt.name,
        "checksum": receipt.checksum,
        "size_bytes": len(receipt.received),
        "superseded_by": None,
        "reason": reason,
        "errors": report.counts["error"] if report else None,
        "warnings": report.counts["warning"] if report else None,
        "row_counts": json.dumps(row_counts) if row_counts is not None else None,
        "original_bytes": receipt.received,
        "report_json": render_json(report) if report else None,
    }
    columns = ", ".join(f'"{c}"' for c in values)
    marks = ", ".join("?" for _ in values)
    hub.database.execute(
        f'INSERT INTO "{SUBMISSIONS}" ({columns}) VALUES ({marks})', list(values.values())
    )


def _register_rejected(
    hub: Hub, receipt: _Receipt, reason: str, checked: _Checked | None
) -> IngestResult:
    with hub.database.writing():
        # Sent twice at once: the first wins.
        if found := _duplicate(hub, receipt.checksum, receipt.name):
            return found
        submission_id = _next_id(hub)
        _register(
            hub,
            receipt,
            checked,
            submission_id=submission_id,
            state="rejected",
            reason=reason,
            row_counts=None,
        )
        hub.log("rejected", submission_id, reason)
    header = checked.header if checked else {}
    return IngestResult(
        receipt.name,
        REJECTED,
        f"rejected: {reason}; kept as submission {submission_id} with its report",
        submission_id,
        _text(header.get("la_code")),
        _period(header),
        upgraded_from=checked.upgraded_from if checked else None,
        report=checked.report if checked else None,
    )


def _register_accepted(hub: Hub, receipt: _Receipt, checked: _Checked) -> IngestResult:
    report, typed, header = checked.report, checked.typed, checked.header
    rows = {}
    dropped: dict[str, int] = {}
    with hub.database.writing():
        if found := _duplicate(hub, receipt.checksum, receipt.name):
            return found
        submission_id = _next_id(hub)
        pause_for_tests("registering")
        replaced = hub.database.rows(
            f'SELECT "submission_id" FROM "{SUBMISSIONS}" WHERE "state" = \'current\' '
            'AND "la_code" = ? AND "period_start" = ? AND "period_end" = ?',
            [header["la_code"], header["period_start"], header["period_end"]],
        )
        for (old,) in replaced:
            hub.database.execute(
                f'UPDATE "{SUBMISSIONS}" SET "state" = \'superseded\', "superseded_by" = ? '
                'WHERE "submission_id" = ?',
                [submission_id, old],
            )
            hub.log("superseded", old, f"by submission {submission_id}")
        for hub_table in hub.tables.values():
            cleaned = cleaned_rows(hub_table, typed[hub_table.name], submission_id, header)
            rows[hub_table.name] = cleaned.height
            dropped.update(not_loaded(hub_table, typed[hub_table.name]))
            if cleaned.height:
                hub.database.load(hub_table.name, cleaned)
            pause_for_tests(f"loaded {hub_table.name}")
        _register(
            hub,
            receipt,
            checked,
            submission_id=submission_id,
            state="current",
            reason=None,
            row_counts=rows,
        )
        hub.log("accepted", submission_id, f"{header['la_code']} {_period(header)}")
        pause_for_tests("before commit")
    superseded = replaced[0][0] if replaced else None
    words = [f"accepted as submission {submission_id}"]
    if checked.upgraded_from:
        words.append(f"upgraded from {checked.upgraded_from} to {hub.version}")
    if superseded:
        words.append(f"supersedes submission {superseded} for the same LA and period")
    if dropped:
        words.append(
            "not loaded, as the standard keeps them in the LA: "
            + ", ".join(f"{count} {name}" for name, count in dropped.items())
        )
    if report.counts["warning"]:
        words.append(f"{report.counts['warning']} warnings")
    return IngestResult(
        receipt.name,
        ACCEPTED,
        "; ".join(words),
        submission_id,
        _text(header["la_code"]),
        _period(header),
        superseded,
        checked.upgraded_from,
        report,
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
