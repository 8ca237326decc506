"""The report as a stable JSON document (its schema: report.schema.json)."""

from __future__ import annotations

import json
from typing import Any

from sufficiency_standard.report.model import Report

_INDENT = "  "
_SCALARS = (str, int, float, bool, type(None))


def render_json(report: Report, show_values: bool = False) -> str:
    return dumps_indented(report.to_dict(show_values)) + "\n"


def dumps_indented(document: Any) -> str:
    """The same text as `json.dumps(document, indent=2, ensure_ascii=False)`, faster.

    With an indent, the json module encodes in pure Python, which takes seconds for a
    report of tens of thousands of issues. Here each run of plain values inside an
    object or array (all of an issue but its related places) is encoded by the C
    encoder in one call, with the line break and indent as its item separator.
    """
    return _dumps(document, 0)


def _dumps(value: Any, level: int) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = value.items()
        opening, closing = "{", "}"
    elif isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = value
        opening, closing = "[", "]"
    else:
        return json.dumps(value, ensure_ascii=False)
    inner = "\n" + _INDENT * (level + 1)
    separator = "," + inner
    parts: list[str] = []
    run: list[Any] = []
    keyed = opening == "{"

    def flush() -> None:
        if run:
            plain = dict(run) if keyed else run
            text = json.dumps(plain, ensure_ascii=False, separators=(separator, ": "))
            parts.append(text[1:-1])
            run.clear()

    for item in items:
        nested = item[1] if keyed else item
        if type(nested) in _SCALARS or isinstance(nested, _SCALARS):
            run.append(item)
            continue
        flush()
        if keyed:
            key = json.dumps({item[0]: None}, ensure_ascii=False)[1:-7]
            parts.append(f"{key}: {_dumps(nested, level + 1)}")
        else:
            parts.append(_dumps(nested, level + 1))
    flush()
    return opening + inner + separator.join(parts) + "\n" + _INDENT * level + closing
