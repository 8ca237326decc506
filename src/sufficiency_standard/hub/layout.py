"""The hub's tables, derived from the pinned version of the standard.

One table per table of the standard (the one-row `submission` table becomes the
`hub_submissions` register instead), each with the standard's fields as typed columns
(dates as DATE, money as DECIMAL(12,2), codes as text, lists as arrays) and the
provenance of every row in front: the submission it came from, its LA and period, and
the row it was on. Which providers and settings are the same across LAs is worked out
when the hub is read (keys.py), so that one LA's identifiers can link another's.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from sufficiency_standard.standard import Field, Standard, Table

# The register of everything received, and the hub's own settings and log.
SUBMISSIONS = "hub_submissions"
META = "hub_meta"
LOG = "hub_log"

PROVENANCE: dict[str, pl.DataType] = {
    "submission_id": pl.Int64(),
    "la_code": pl.String(),
    "period_start": pl.Date(),
    "period_end": pl.Date(),
    # Where the record was in the LA's file: the row as a spreadsheet numbers it (the
    # header is row 1), or the item's index in its JSON list.
    "source_row": pl.Int64(),
}
MONEY_TYPE = pl.Decimal(12, 2)

SUBMISSION_COLUMNS: dict[str, pl.DataType] = {
    "submission_id": pl.Int64(),
    "state": pl.String(),  # current, superseded, rejected
    "la_code": pl.String(),
    "period_start": pl.Date(),
    "period_end": pl.Date(),
    "extract_date": pl.Date(),
    "source_system": pl.String(),
    "standard_version": pl.String(),  # the version the hub holds it in
    "declared_version": pl.String(),  # the version the LA's file followed
    "upgrade_notes": pl.String(),  # what upgrading changed, when it was upgraded
    "received_at": pl.Datetime("us"),
    "received_by": pl.String(),
    "file_name": pl.String(),
    "checksum": pl.String(),  # SHA-256 of the original bytes
    "size_bytes": pl.Int64(),
    "superseded_by": pl.Int64(),
    "reason": pl.String(),  # why rejected, or what superseding said
    "errors": pl.Int64(),
    "warnings": pl.Int64(),
    "row_counts": pl.String(),  # JSON: rows per table as loaded
}
_SUBMISSION_BLOBS = ("original_bytes", "report_json")


@dataclass(frozen=True)
class HubTable:
    """One data table of the hub: the standard's table and its columns in the hub."""

    table: Table
    columns: dict[str, pl.DataType]

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def identifier(self) -> str:
        field = self.table.identifier
        assert field is not None, f"{self.name} has no identifier"
        return field.name


def _is_money(field: Field) -> bool:
    return field.kind == "decimal" and bool(field.unit) and "GBP" in str(field.unit)


def column_type(field: Field) -> pl.DataType:
    """The typed column a field becomes in the hub."""
    if field.multivalued:
        return pl.List(pl.String())
    if _is_money(field):
        return MONEY_TYPE
    return {
        "date": pl.Date(),
        "integer": pl.Int64(),
        "decimal": pl.Float64(),
        "boolean": pl.Boolean(),
    }.get(field.kind, pl.String())


def hub_tables(standard: Standard) -> list[HubTable]:
    tables = []
    for table in standard.tables:
        if table.one_row:
            continue
        columns = dict(PROVENANCE)
        columns.update({field.name: column_type(field) for field in table.fields})
        tables.append(HubTable(table, columns))
    return tables


def sql_type(dtype: pl.DataType, *, blob: str, double: str) -> str:
    if dtype == pl.List:
        return "TEXT[]"
    if isinstance(dtype, pl.Decimal):
        return f"DECIMAL({dtype.precision},{dtype.scale})"
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP"
    return {
        pl.Int64: "BIGINT",
        pl.Date: "DATE",
        pl.Float64: double,
        pl.Boolean: "BOOLEAN",
        pl.Binary: blob,
    }.get(type(dtype), "TEXT")


def create_statements(
    standard: Standard, *, blob: str, double: str, index_submissions: bool
) -> list[str]:
    """The DDL of a new hub for this version of the standard. `index_submissions`: an
    index on each table's submission_id, for PostgreSQL. DuckDB finds a submission's
    rows by its zone maps (IDs only grow), and an index there cost memory and time at
    every checkpoint, growing with the hub."""

    def columns_sql(columns: dict[str, pl.DataType]) -> str:
        return ",\n  ".join(
            f'"{name}" {sql_type(dtype, blob=blob, double=double)}'
            for name, dtype in columns.items()
        )

    submission_columns = {**SUBMISSION_COLUMNS, **dict.fromkeys(_SUBMISSION_BLOBS, pl.Binary())}
    submission_columns["report_json"] = pl.String()
    statements = [
        f'CREATE TABLE "{META}" ("key" TEXT PRIMARY KEY, "value" TEXT)',
        f'CREATE TABLE "{LOG}" ("at" TIMESTAMP, "action" TEXT, "submission_id" BIGINT, '
        '"detail" TEXT)',
        f'CREATE TABLE "{SUBMISSIONS}" (\n  {columns_sql(submission_columns)},\n'
        '  PRIMARY KEY ("submission_id"))',
    ]
    for hub_table in hub_tables(standard):
        statements.append(f'CREATE TABLE "{hub_table.name}" (\n  {columns_sql(hub_table.columns)})')
        if index_submissions:
            statements.append(
                f'CREATE INDEX "{hub_table.name}_by_submission" '
                f'ON "{hub_table.name}" ("submission_id")'
            )
    return statements
