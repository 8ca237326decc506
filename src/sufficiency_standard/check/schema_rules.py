"""The class rules that the schema declares (LinkML `rules`), run column-wise.

A rule says: when every `when` condition holds for a row, every `then` condition must
too. The wording of each comes from the schema (its title and description), so the
rules are written once, in schema/sufficiency.yaml.
"""

from __future__ import annotations

from functools import reduce

import polars as pl

from sufficiency_standard.catalogue import ENTRIES, Entry, declare
from sufficiency_standard.check.issue_rows import locations, row_issues, shown
from sufficiency_standard.check.values import ROW_INDEX, TypedTable
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
    if condition.absent:
        return column.is_null()
    holds = column.is_not_null()
    if condition.values is not None:
        holds = holds & column.is_in(list(condition.values))
    return holds


def _all(conditions: tuple[Condition, ...]) -> pl.Expr:
    return reduce(lambda a, b: a & b, (_holds(c) for c in conditions))


def check_schema_rules(table: TypedTable) -> list[Issue]:
    issues: list[Issue] = []
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
        indices = broken.get_column(ROW_INDEX).to_list()
        columns = {f.name: broken.get_column(f.name).to_list() for f in fields}
        facts = [
            " and ".join(
                f"{f.title} is blank" if value is None else f"{f.title} is {shown(f, value)}"
                for f, value in zip(fields, row, strict=True)
            )
            for row in zip(*(columns[f.name] for f in fields), strict=True)
        ]
        others = [locations(table, f.name, indices) for f in fields if f.name != target]
        issues += row_issues(
            rule.code,
            table,
            target,
            indices,
            # An issue's value is text, as a cell's is (a count or an amount too).
            values=[None if v is None else str(v) for v in columns[target]],
            personal=table.table.field(target).is_personal,
            related=list(zip(*others, strict=True)) if others else (),
            facts=facts,
        )
    return issues
