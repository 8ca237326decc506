"""Checking: from the tables as read to the list of issues, in the schema's terms.

Order: read each column into its type (values), single-field checks (fields),
identifiers and references (keys), the schema's class rules (schema_rules), then the
rule registry for what the schema cannot say (rules). Nothing here knows about file
formats: positions come from the SourceTable that reading produced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from sufficiency_standard.check.fields import check_fields
from sufficiency_standard.check.keys import check_identifiers, check_references
from sufficiency_standard.check.links import Links
from sufficiency_standard.check.rules import RuleContext, rules_of
from sufficiency_standard.check.schema_rules import check_schema_rules, declare_schema_rules
from sufficiency_standard.check.values import TypedTable, type_table
from sufficiency_standard.issues import Issue, Severity
from sufficiency_standard.national import check as _national_check  # noqa: F401  (its entries)
from sufficiency_standard.personal_data import (
    not_pseudonymised_issue,
    personal_field_issues,
    raw_identifiers,
)
from sufficiency_standard.read.source import SourceSubmission
from sufficiency_standard.standard import Standard


def check_submission(
    submission: SourceSubmission, standard: Standard, *, keep_text: bool = True
) -> tuple[list[Issue], dict[str, TypedTable]]:
    """Every issue in a submission as read, and its typed tables.

    Tables are read (when pending) and typed one at a time. With `keep_text=False` each
    table's text is let go of once it is typed, so that a large submission is never
    held as text all at once; the typed tables then keep only where each cell was.
    """
    declare_schema_rules(standard)
    issues: list[Issue] = []
    typed: dict[str, TypedTable] = {}
    personal: list[Issue] = []
    raw_ids = []
    for table in standard.tables:
        source = submission.take(table.name)
        personal += personal_field_issues(table, source)
        raw_ids += raw_identifiers(table, source)
        typed[table.name], found = type_table(table, source)
        if not keep_text:
            typed[table.name].release_text()
        issues.extend(found)
    links = Links(typed)
    header = typed["submission"].frame
    extract_date = header.get_column("extract_date")[0] if header.height else None
    context = RuleContext(typed, extract_date, links)
    checks: list[Callable[[], Iterable[Issue]]] = []
    for each in typed.values():
        checks += [
            partial(check_fields, each),
            partial(check_identifiers, each, links),
            partial(check_schema_rules, each),
            partial(check_references, each, links),
        ]
    checks += [partial(rule.check, context) for rule in rules_of(standard.version)]
    # Two at a time: while one check turns its findings into issues in Python, polars
    # works on the next one outside the interpreter.
    with ThreadPoolExecutor(max_workers=2) as pool:
        for found in pool.map(lambda check: list(check()), checks):
            issues.extend(found)
    if not any(i.severity is Severity.ERROR for i in issues) and not personal:
        # Only once it is otherwise ready to send: until then the errors come first.
        issues += not_pseudonymised_issue(raw_ids)
    if personal:
        # A full date of birth or postcode is reported as personal data, not also as
        # a value in the wrong form.
        places = {(i.table, i.field, i.row, i.path) for i in personal}
        issues = [
            i
            for i in issues
            if i.code != "VALUE-PATTERN" or (i.table, i.field, i.row, i.path) not in places
        ]
        issues += personal
    return issues, typed


__all__ = ["TypedTable", "check_submission"]
