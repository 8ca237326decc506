"""Identifiers and references, each worked out once for every check that needs it.

A reference (a slot whose range is another class) is resolved to the row of the
table it points at: the key check reports the ones that point at no row, and the rules
that look across tables (a cost and its placement, a date and the child's birth month)
gather what they need by that row instead of joining the tables again on text. An
identifier used twice points at its first row.
"""

from __future__ import annotations

import polars as pl

from sufficiency_standard.check.once import BuiltOnce
from sufficiency_standard.check.values import ROW_INDEX, TypedTable

FIRST = "__first"  # in `repeats`: the row that first used the identifier


class Links:
    """The typed tables' identifiers and references, resolved on first use."""

    def __init__(self, tables: dict[str, TypedTable]) -> None:
        self.tables = tables
        self._built = BuiltOnce()

    def repeats(self, table_name: str) -> pl.DataFrame:
        """(ROW_INDEX, FIRST) of each row whose identifier an earlier row already has,
        in row order."""
        return self._repeats_found(table_name)[0]

    def _repeats_found(self, table_name: str) -> tuple[pl.DataFrame, bool]:
        """repeats(), and whether no two different identifiers share a hash."""
        return self._built.get(("repeats", table_name), lambda: _repeats(self.tables[table_name]))

    def target_rows(self, table_name: str, field_name: str) -> pl.Series:
        """For each row of the table, the row (ROW_INDEX) of the table that its reference
        `field_name` points at: the first row with that identifier; null when blank,
        unreadable or pointing at no row."""
        return self._built.get(
            ("targets", table_name, field_name), lambda: self._resolve(table_name, field_name)
        )

    def _identifiers(self, table_name: str) -> tuple[pl.DataFrame, bool]:
        """(__key, ROW_INDEX, __hash) of each identifier of a table at its first row, and
        whether no two of them share a hash; worked out once however many references
        point at the table."""
        return self._built.get(("identifiers", table_name), lambda: self._known(table_name))

    def _known(self, table_name: str) -> tuple[pl.DataFrame, bool]:
        target = self.tables[table_name]
        name = target.table.identifier.name if target.table.identifier else ""
        known = target.frame.select(pl.col(name).alias("__key"), ROW_INDEX).filter(
            pl.col("__key").is_not_null()
        )
        repeated, distinct = self._repeats_found(table_name)
        if repeated.height:
            known = known.filter(~pl.col(ROW_INDEX).is_in(repeated.get_column(ROW_INDEX).implode()))
        known = known.with_columns(pl.col("__key").hash().alias("__hash"))
        return known, distinct

    def _resolve(self, table_name: str, field_name: str) -> pl.Series:
        table = self.tables[table_name]
        field = table.table.field(field_name)
        assert field.references is not None
        target = self.tables[field.references]
        target_field = field.references_field or ""
        assert target.table.identifier is not None
        assert target_field == target.table.identifier.name
        known, distinct = self._identifiers(field.references)
        values = table.frame.get_column(field_name)
        if not distinct:
            # Two identifiers with one hash (all but impossible): join on the text.
            rows = (
                values.to_frame("__key")
                .join(known, on="__key", how="left", maintain_order="left")
                .get_column(ROW_INDEX)
            )
        else:
            # Joined on the hashes, twice as fast as on the text; a value whose hash is
            # a known identifier's is that identifier exactly when the texts are equal
            # (had it been another identifier, two identifiers would share the hash).
            found = (
                values.hash()
                .to_frame("__hash")
                .join(
                    known.select("__hash", ROW_INDEX),
                    on="__hash",
                    how="left",
                    maintain_order="left",
                )
                .get_column(ROW_INDEX)
            )
            pointed_at = target.frame.get_column(target_field).gather(found)
            rows = pl.select(pl.when(values == pointed_at).then(found)).to_series()
        return rows.alias(f"__{field_name}_row")


def _repeats(table: TypedTable) -> tuple[pl.DataFrame, bool]:
    empty = pl.DataFrame(schema={ROW_INDEX: pl.UInt32, FIRST: pl.UInt32})
    identifier = table.table.identifier
    if identifier is None or table.height == 0:
        return empty, True
    name = identifier.name
    given = (
        table.frame.select(ROW_INDEX, name)
        .filter(pl.col(name).is_not_null())
        .with_columns(pl.col(name).hash().alias("__hash"))
    )
    # Rows that share a value share its hash, so the rows whose hash is not unique (found
    # by sorting the hashes, far cheaper than grouping the text) hold every repeat, and
    # rarely a value whose hash another has; the values are grouped among those only.
    hashes = given.get_column("__hash").sort()
    shared = hashes.filter(hashes == hashes.shift(1)).unique()
    if shared.is_empty():
        return empty, True
    sharing = given.filter(pl.col("__hash").is_in(shared.implode())).select(ROW_INDEX, name)
    repeats = (
        sharing.with_columns(pl.col(ROW_INDEX).first().over(name).alias(FIRST))
        .filter(pl.col(ROW_INDEX) != pl.col(FIRST))
        .select(ROW_INDEX, FIRST)
    )
    return repeats, _one_identifier_per_hash(sharing.get_column(name), shared)


def _one_identifier_per_hash(sharing: pl.Series, shared: pl.Series) -> bool:
    """No two different identifiers share a hash (the join on hashes is then exact), told
    from the identifiers of the rows whose hash is `shared` with another row: one value a
    hash unless two values share one."""
    return sharing.n_unique() == shared.len()
