"""The class rules that the schema declares (LinkML `rules`), run column-wise.

A rule says: when every `when` condition holds for a row, every `then` condition must
too. The wording of each comes from the schema (its title and description), so the
rules are written once, in schema/sufficiency.yaml.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import reduce

import polars as pl

from sufficiency_standard.catalogue import ENTRIES, Entry, declare, make_issue
from sufficiency_standard.check.values import ROW_INDEX, TypedTable, location, shown
from sufficiency_standard.issues import Issue, Severity
from sufficiency_standard.standard import Condition, SchemaRule, Standard, Table


def schema_rule_entry(rule: SchemaRule, table: Table) -> Entry:
    return Entry(
        rule.code,
        Severity.ERROR,
        "rule",
        rule.title,
        rule.description + " In this row {facts}.",
        fields=rule.fields,
        tables=(table.name,),
    )


def declare_schema_rules(standard: Standard) -> None:
    """Add the schema's rules to the catalogue (once per code)."""
    for table in standard.tables:
        for rule in table.rules:
            if rule.code not in ENTRIES:
                declare(schema_rule_entry(rule, table))


def _holds(condition: Condition) -> pl.Expr:
    column = pl.col(condition.field)
    holds = column.is_not_null()
    if condition.values is not None:
        holds = holds & column.is_in(list(condition.values))
    return holds


def _all(conditions: tuple[Condition, ...]) -> pl.Expr:
    return reduce(lambda a, b: a & b, (_holds(c) for c in conditions))


def check_schema_rules(table: TypedTable) -> Iterator[Issue]:
    for rule in table.table.rules:
        # A value that could not be read has its own error; do not judge the rule on it.
        # One filter: the rows that are readable and break the rule (few).
        broken = table.frame.filter(
            pl.lit(table.readable(rule.fields))
            & (_all(rule.when) & ~_all(rule.then)).fill_null(False)
        )
        if broken.is_empty():
            continue
        target = rule.then[0].field
        fields = [table.table.field(name) for name in rule.fields]
        for row in broken.select(ROW_INDEX, *[f.name for f in fields]).iter_rows(named=True):
            facts = " and ".join(
                f"{f.title} is blank"
                if row[f.name] is None
                else f"{f.title} is {shown(f, row[f.name])}"
                for f in fields
            )
            index = row[ROW_INDEX]
            yield make_issue(
                rule.code,
                location(table, target, index),
                value=row[target],
                personal=table.table.field(target).is_personal,
                related=tuple(location(table, f.name, index) for f in fields if f.name != target),
                facts=facts,
            )
