"""The report as a stable JSON document (its schema: report.schema.json)."""

from __future__ import annotations

import json
from typing import Any

from sufficiency_standard.catalogue import ENTRIES
from sufficiency_standard.issues import Issue, Location
from sufficiency_standard.report.model import Report

# The encoder json.dumps(ensure_ascii=False) uses for strings (the C one when present).
_string = json.encoder.encode_basestring  # type: ignore[attr-defined]

_ISSUE = "\n    "  # an issue starts on its own line in the list of issues
_MEMBER = "\n      "  # the members of an issue
_PLACE = "\n        "  # a related place in an issue's list of them
_PLACE_MEMBER = "\n          "


def render_json(report: Report, show_values: bool = False) -> str:
    """The text of `json.dumps(report.to_dict(show_values), indent=2, ensure_ascii=False)`,
    with a newline.

    With an indent the json module encodes in pure Python, which takes about a second
    for the tens of thousands of issues of a large submission; the issues, whose shape
    is known, are written here directly (tests compare the two).
    """
    summary = json.dumps({**report.summary_dict(), "issues": []}, indent=2, ensure_ascii=False)
    if not report.issues:
        return summary + "\n"
    assert summary.endswith('"issues": []\n}')
    issues = ("," + _ISSUE).join([_issue(issue, show_values) for issue in report.issues])
    return summary[: -len("[]\n}")] + "[" + _ISSUE + issues + "\n  ]\n}\n"


def _issue(issue: Issue, show_values: bool) -> str:
    code, severity, title, docs = _entry_members(issue.code, issue.severity.value)
    members = [code, severity, title, *_location_members(issue.location)]
    members.append('"message": ' + _string(issue.message))
    members.append(docs)
    if issue.value is not None and (show_values or not issue.personal):
        members.append('"value": ' + _string(issue.value))
    if issue.related:
        places = ("," + _PLACE).join(
            "{" + _PLACE_MEMBER + ("," + _PLACE_MEMBER).join(_location_members(p)) + _PLACE + "}"
            for p in issue.related
        )
        members.append('"related": [' + _PLACE + places + _MEMBER + "]")
    return "{" + _MEMBER + ("," + _MEMBER).join(members) + _ISSUE + "}"


_ENTRY_MEMBERS: dict[tuple[str, str], tuple[str, str, str, str]] = {}


def _entry_members(code: str, severity: str) -> tuple[str, str, str, str]:
    """The members an issue takes from its code: code, severity, title and docs."""
    members = _ENTRY_MEMBERS.get((code, severity))
    if members is None:
        entry = ENTRIES[code]
        members = (
            '"code": ' + _value(code),
            '"severity": ' + _value(severity),
            '"title": ' + _value(entry.title),
            '"docs": ' + _value(entry.docs_url),
        )
        _ENTRY_MEMBERS[(code, severity)] = members
    return members


def _location_members(place: Location) -> tuple[str, ...]:
    # The members' values are text or null, and a whole number for the row.
    table, field, row, cell, path, source = (
        place.table,
        place.field,
        place.row,
        place.cell,
        place.path,
        place.source,
    )
    return (
        '"table": ' + ("null" if table is None else _string(table)),
        '"field": ' + ("null" if field is None else _string(field)),
        '"row": ' + ("null" if row is None else int.__repr__(row)),
        '"cell": ' + ("null" if cell is None else _string(cell)),
        '"path": ' + ("null" if path is None else _string(path)),
        '"source": ' + ("null" if source is None else _string(source)),
    )


def _value(value: Any) -> str:
    """A plain value as json.dumps writes it."""
    if value is None:
        return "null"
    if type(value) is str:
        return _string(value)
    if type(value) is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)
