"""A hub: its register of submissions, its typed tables and their history.

Submissions are never edited in place. A submission is `current`, `superseded` (a later
one for the same LA and period replaced it; its rows stay, as history) or `rejected`
(kept with its report, no rows loaded). The current picture of a table is the latest
copy of each record across an LA's current submissions: a placement carried in two
periods is one placement, and the later period's copy counts (the standard's history
model, definitions: submission).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from sufficiency_standard.__about__ import __version__
from sufficiency_standard.hub.config import HubConfig, parse_config
from sufficiency_standard.hub.database import Database, HubError, connect
from sufficiency_standard.hub.layout import (
    LOG,
    META,
    SUBMISSION_COLUMNS,
    SUBMISSIONS,
    HubTable,
    create_statements,
    hub_tables,
)
from sufficiency_standard.shipped import UnknownVersionError, latest_version, resolve_version
from sufficiency_standard.standard import Standard, load_standard

HUB_FORMAT = "1"  # the layout of the hub's own tables; a newer package may migrate it
STATES = ("current", "superseded", "rejected")


class Hub:
    """An open hub. Use as a context manager: it holds the hub's lock while open."""

    def __init__(self, database: Database) -> None:
        self.database = database
        meta = dict(database.rows(f'SELECT "key", "value" FROM "{META}"'))
        if meta.get("format") != HUB_FORMAT:
            raise HubError(
                f"{database.location} is a hub of format {meta.get('format')}, which this "
                f"package (format {HUB_FORMAT}) does not know; use the package that made it"
            )
        self.version: str = meta["standard_version"]
        self.created_at: str = meta.get("created_at", "")
        self.config: HubConfig = parse_config(meta.get("config", ""), "the hub's configuration")
        self.standard: Standard = load_standard(self.version)
        self.tables: dict[str, HubTable] = {t.name: t for t in hub_tables(self.standard)}

    # -- opening -------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        location: str,
        standard_version: str | None = None,
        config: HubConfig | None = None,
    ) -> Hub:
        config = config or HubConfig()
        try:
            wanted = standard_version or config.standard_version
            version = resolve_version(wanted) if wanted else latest_version()
        except UnknownVersionError as error:
            raise HubError(str(error)) from None
        database = connect(location, create=True)
        try:
            if database.table_exists(META):
                raise HubError(f"{database.location} already holds a hub")
            with database.writing():
                for statement in create_statements(
                    load_standard(version),
                    blob=database.blob_type,
                    double=database.float_type,
                    index_submissions=database.dialect == "postgresql",
                ):
                    database.execute(statement)
                for key, value in {
                    "format": HUB_FORMAT,
                    "standard_version": version,
                    "created_at": utc_now().isoformat(timespec="seconds"),
                    "created_by_package": __version__,
                    "config": config.to_yaml(),
                }.items():
                    database.execute(f'INSERT INTO "{META}" VALUES (?, ?)', [key, value])
                database.execute(
                    f'INSERT INTO "{LOG}" VALUES (?, ?, ?, ?)',
                    [utc_now(), "init", None, f"standard {version}"],
                )
        except BaseException:
            database.close()
            raise
        return cls(database)

    @classmethod
    def open(cls, location: str, wait: Callable[[], None] | None = None) -> Hub:
        database = connect(location, wait=wait)
        try:
            if not database.table_exists(META):
                raise HubError(f"{database.location} is not a hub (create one with `hub init`)")
            return cls(database)
        except BaseException:
            database.close()
            raise

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.database.close()

    # -- configuration and log ----------------------------------------------------
    def set_config(self, config: HubConfig) -> None:
        if config.standard_version and resolve_version(config.standard_version) != self.version:
            raise HubError(
                f"the configuration pins {config.standard_version} but the hub holds its data "
                f"in {self.version}; a hub's version is set when it is created"
            )
        with self.database.writing():
            self.database.execute(
                f'UPDATE "{META}" SET "value" = ? WHERE "key" = ?', [config.to_yaml(), "config"]
            )
            self.log("configure", None, "configuration replaced")
        self.config = config

    def log(self, action: str, submission_id: int | None, detail: str) -> None:
        """A line in the hub's log. Never personal data: actions, IDs and reasons."""
        self.database.execute(
            f'INSERT INTO "{LOG}" VALUES (?, ?, ?, ?)', [utc_now(), action, submission_id, detail]
        )

    def history_log(self) -> pl.DataFrame:
        return self.database.frame(
            f'SELECT * FROM "{LOG}" ORDER BY "at", "action"',
            schema={
                "at": pl.Datetime("us"),
                "action": pl.String(),
                "submission_id": pl.Int64(),
                "detail": pl.String(),
            },
        )

    # -- the register -------------------------------------------------------------
    def submissions(self) -> pl.DataFrame:
        """Every submission received, without its bytes and report."""
        columns = ", ".join(f'"{c}"' for c in SUBMISSION_COLUMNS)
        return self.database.frame(
            f'SELECT {columns} FROM "{SUBMISSIONS}" ORDER BY "submission_id"',
            schema=SUBMISSION_COLUMNS,
        )

    def submission_with_checksum(self, checksum: str) -> dict[str, Any] | None:
        columns = ", ".join(f'"{c}"' for c in SUBMISSION_COLUMNS)
        found = self.database.frame(
            f'SELECT {columns} FROM "{SUBMISSIONS}" WHERE "checksum" = ?',
            [checksum],
            schema=SUBMISSION_COLUMNS,
        )
        return found.row(0, named=True) if found.height else None

    def original(self, submission_id: int) -> bytes:
        """The bytes the LA sent, as they were received."""
        value = self.database.scalar(
            f'SELECT "original_bytes" FROM "{SUBMISSIONS}" WHERE "submission_id" = ?',
            [submission_id],
        )
        if value is None:
            raise HubError(f"the hub has no submission {submission_id}")
        return bytes(value)

    def validation_report(self, submission_id: int) -> dict[str, Any]:
        """The validation report kept with a submission (JSON, no personal values)."""
        text = self.database.scalar(
            f'SELECT "report_json" FROM "{SUBMISSIONS}" WHERE "submission_id" = ?',
            [submission_id],
        )
        if text is None:
            raise HubError(f"the hub has no report for submission {submission_id}")
        return json.loads(text)

    # -- the tables ---------------------------------------------------------------
    def table(self, name: str) -> HubTable:
        if name not in self.tables:
            raise HubError(f"the hub has no table {name} (it has {', '.join(self.tables)})")
        return self.tables[name]

    def current(self, name: str, la_codes: Sequence[str] | None = None) -> pl.DataFrame:
        """The latest copy of each record of a table, across the current submissions of
        each LA (or of the LAs given), in LA and identifier order."""
        table = self.table(name)
        ident = table.identifier
        where, parameters = _la_filter(la_codes)
        columns = ", ".join(f'"{c}"' for c in table.columns)
        # A window's rank rather than DISTINCT ON: the same answer on both engines, and
        # DuckDB's DISTINCT ON sorts every row first (10 s against 3.5 s for a national
        # hub's 2.6 million cost rows).
        sql = (
            f"SELECT {columns} FROM (SELECT "
            + ", ".join(f't."{c}"' for c in table.columns)
            + f', row_number() OVER (PARTITION BY t."la_code", t."{ident}" '
            'ORDER BY s."period_end" DESC, s."period_start" DESC, s."submission_id" DESC) '
            f'AS "latest_" FROM "{name}" t '
            f'JOIN "{SUBMISSIONS}" s ON s."submission_id" = t."submission_id" '
            f'WHERE s."state" = \'current\'{where}) ranked WHERE "latest_" = 1'
        )
        frame = self.database.frame(sql, parameters, schema=table.columns)
        # Sorted here, not by the database: collations differ between servers.
        return frame.sort("la_code", ident)

    def rows_of(self, name: str, submission_id: int) -> pl.DataFrame:
        """One submission's rows of a table, as loaded (current or superseded)."""
        table = self.table(name)
        return self.database.frame(
            f'SELECT * FROM "{name}" WHERE "submission_id" = ? ORDER BY "source_row"',
            [submission_id],
            schema=table.columns,
        )

    def history(self, name: str, la_codes: Sequence[str] | None = None) -> pl.DataFrame:
        """Every copy of every record of a table, superseded ones included, with the
        state of the submission that holds it."""
        table = self.table(name)
        where, parameters = _la_filter(la_codes)
        columns = ", ".join(f't."{c}"' for c in table.columns)
        frame = self.database.frame(
            f'SELECT s."state" AS "submission_state", {columns} FROM "{name}" t '
            f'JOIN "{SUBMISSIONS}" s ON s."submission_id" = t."submission_id" '
            f"WHERE s.\"state\" <> 'rejected'{where}",
            parameters,
            schema={"submission_state": pl.String(), **table.columns},
        )
        return frame.sort("la_code", table.identifier, "submission_id")


def _la_filter(la_codes: Sequence[str] | None) -> tuple[str, list[str]]:
    if la_codes is None:
        return "", []
    if not la_codes:
        return " AND 1 = 0", []
    marks = ", ".join("?" for _ in la_codes)
    return f' AND t."la_code" IN ({marks})', list(la_codes)


def utc_now() -> dt.datetime:
    """UTC, to the second, without a zone (both engines' TIMESTAMP)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def init_hub(
    location: str, standard_version: str | None = None, config: HubConfig | None = None
) -> None:
    """Create an empty hub at `location` (a file path or a postgresql:// URL)."""
    Hub.create(location, standard_version, config).close()
