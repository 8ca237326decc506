"""The report as one self-contained HTML page that a person can open and share."""

from __future__ import annotations

from html import escape

from sufficiency_standard.catalogue import ENTRIES, explanation
from sufficiency_standard.collector import collector_paused
from sufficiency_standard.issues import Issue
from sufficiency_standard.report.model import Report

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:2rem auto;
max-width:72rem;color:#0b0c0c;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem}.verdict{padding:1rem;border-left:8px solid;margin:1rem 0}
.valid{border-color:#00703c;background:#e6f4ec}.invalid{border-color:#d4351c;background:#fbe9e6}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
th,td{text-align:left;border-bottom:1px solid #b1b4b6;padding:.3rem .5rem;vertical-align:top}
th{background:#f3f2f1}.error{color:#d4351c}.warning{color:#8a6d00}.information{color:#1d70b8}
code{font-family:ui-monospace,Consolas,monospace}details{margin:.5rem 0}summary{cursor:pointer}
.counts span{display:inline-block;margin-right:1.5rem;font-weight:600}
"""


def _count(number: int, noun: str) -> str:
    """ "1 error", "2 errors": a count with its noun in the right form."""
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def _where(issue: Issue) -> str:
    place = issue.location
    parts = [place.source or place.table or "", place.cell or place.path or ""]
    return " ".join(p for p in parts if p)


# Rows listed for each kind of issue: a page a browser opens at once, whatever the
# submission (a whole column written wrong is a million rows); the JSON and workbook
# reports list every issue.
LISTED_PER_CODE = 1_000


@collector_paused()
def render_html(
    report: Report, show_values: bool = False, per_code: int | None = LISTED_PER_CODE
) -> str:
    """The page; each kind of issue lists its first `per_code` places (None: all), in
    the report's order, and says how many more there are."""
    counts = report.counts
    state = "valid" if report.valid else "invalid"
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Validation report: {escape(', '.join(report.inputs))}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Placement Sufficiency Data Standard: validation report</h1>",
        f'<div class="verdict {state}"><strong>{escape(report.verdict())}</strong><br>',
        f"Checked against version {escape(report.standard.version)}: "
        f"{escape(report.standard.reason)}.</div>",
        '<p class="counts">'
        f'<span class="error">{_count(counts["error"], "error")}</span>'
        f'<span class="warning">{_count(counts["warning"], "warning")}</span>'
        f'<span class="information">{_count(counts["information"], "note")}</span></p>',
    ]
    if report.rows:
        out.append("<table><tr><th>Table</th><th>Rows</th></tr>")
        out.extend(f"<tr><td>{escape(t)}</td><td>{n:,}</td></tr>" for t, n in report.rows.items())
        out.append("</table>")
    for code, issues in report.by_code().items():
        entry = ENTRIES[code]
        out.append(
            f'<details open><summary><strong class="{entry.severity.value}">'
            f"{escape(entry.severity.value.capitalize())}</strong> "
            f"<code>{escape(code)}</code> {escape(entry.title)} ({len(issues):,})</summary>"
        )
        out.append("<table><tr><th>Where</th><th>What is wrong</th>")
        out.append("<th>Value</th></tr>" if show_values else "</tr>")
        listed = issues if per_code is None else issues[:per_code]
        for issue in listed:
            value_cell = ""
            if show_values:
                value_cell = f"<td>{escape(issue.value or '')}</td>"
            out.append(
                f"<tr><td>{escape(_where(issue))}</td><td>{escape(issue.message)}</td>"
                f"{value_cell}</tr>"
            )
        if len(issues) > len(listed):
            more = len(issues) - len(listed)
            out.append(
                f'<tr><td colspan="{3 if show_values else 2}">… and {more:,} more of this '
                "kind, not listed here: the JSON report (<code>--format json</code>) and "
                "the workbook report (<code>--format xlsx</code>) list every one.</td></tr>"
            )
        # The rule's explanation inline: the report is read where the docs may not open.
        out.append(
            f'</table><pre class="explain">{escape(explanation(code))}</pre>'
            f'<p><a href="{escape(entry.docs_url)}">How to fix {escape(code)}</a></p>'
        )
        out.append("</details>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
