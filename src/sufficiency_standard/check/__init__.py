"""Checking: from the tables as read to the list of issues, in the schema's terms.

Order: read each column into its type (values), single-field checks (fields),
identifiers and references (keys), the schema's class rules (schema_rules), then the
rule registry for what the schema cannot say (rules). Nothing here knows about file
formats: positions come from the SourceTable that reading produced.
"""

from __future__ import annotations

from sufficiency_standard.check.fields import check_fields
from sufficiency_standard.check.keys import check_identifiers, check_references
from sufficiency_standard.check.links import Links
from sufficiency_standard.check.rules import RuleContext, run_rules
from sufficiency_standard.check.schema_rules import check_schema_rules, declare_schema_rules
from sufficiency_standard.check.values import TypedTable, type_table
from sufficiency_standard.issues import Issue
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
    for table in standard.tables:
        typed[table.name], found = type_table(table, submission.take(table.name))
        if not keep_text:
            typed[table.name].release_text()
        issues.extend(found)
    links = Links(typed)
    for table in typed.values():
        issues.extend(check_fields(table))
        issues.extend(check_identifiers(table, links))
        issues.extend(check_schema_rules(table))
        issues.extend(check_references(table, links))
    header = typed["submission"].frame
    extract_date = header.get_column("extract_date")[0] if header.height else None
    issues.extend(run_rules(RuleContext(typed, extract_date, links), standard.version))
    return issues, typed


__all__ = ["TypedTable", "check_submission"]
