"""Every report format renders every example's issues: each issue's value is text,
whatever the field's type (a schema rule on a count once stopped the JSON report with a
traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sufficiency_standard as s
from sufficiency_standard.report.html import render_html
from sufficiency_standard.report.json_document import render_json
from sufficiency_standard.report.workbook import render_workbook

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(
    [
        *(
            p
            for p in (ROOT / "tests" / "data" / "invalid").glob("*.json")
            if p.name != "cases.json"
        ),
        *(p for p in (ROOT / "tests" / "data" / "rules-0.3.0").glob("*.invalid.json")),
    ]
)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_format_renders_the_issues_of_each_example(path: Path, tmp_path: Path) -> None:
    report = s.validate(path)
    assert report.issues
    assert all(i.value is None or isinstance(i.value, str) for i in report.issues)
    for show_values in (False, True):
        document = json.loads(render_json(report, show_values=show_values))
        assert len(document["issues"]) == len(report.issues)
        assert "<html" in render_html(report, show_values=show_values)
    render_workbook(report, tmp_path / "report.xlsx", None, show_values=True)
    assert (tmp_path / "report.xlsx").stat().st_size > 0
