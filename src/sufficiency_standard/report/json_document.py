"""The report as a stable JSON document (its schema: report.schema.json)."""

from __future__ import annotations

import json

from sufficiency_standard.report.model import Report


def render_json(report: Report, show_values: bool = False) -> str:
    return json.dumps(report.to_dict(show_values), indent=2, ensure_ascii=False) + "\n"
