"""The report as one self-contained HTML page: no script, no font, no image fetched
from anywhere, so it opens offline and can be mailed as it is."""

from __future__ import annotations

import datetime as dt
import decimal
from html import escape

from sufficiency_standard.analytics import charts
from sufficiency_standard.analytics.report import RegionReport
from sufficiency_standard.analytics.tables import SUPPRESSED, Section, Table

ROWS_SHOWN = 200  # per table on the page; the CSV and the workbook hold every row
OPEN_UP_TO = 25  # a table with no chart is shown open when it is no longer than this

_CSS = """
:root{--ink:#0b0c0c;--muted:#505a5f;--rule:#b1b4b6;--panel:#f3f2f1;--accent:#1d70b8}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;color:var(--ink);
margin:0;line-height:1.45}
header{background:#0b0c0c;color:#fff;padding:1.2rem 2rem}
header h1{margin:0 0 .3rem;font-size:1.6rem}header p{margin:0;color:#dcdcdc}
.layout{display:flex;max-width:84rem;margin:0 auto}
nav{position:sticky;top:0;align-self:flex-start;width:14rem;padding:1.5rem 1rem;
font-size:.95rem}
nav a{display:block;color:var(--accent);padding:.2rem 0;text-decoration:none}
nav a:hover{text-decoration:underline}
main{flex:1;min-width:0;padding:1rem 2rem 4rem}
section{border-top:4px solid var(--ink);margin-top:2rem;padding-top:.5rem}
h2{font-size:1.4rem}h3{font-size:1.1rem;margin-top:2rem}
.intro{max-width:48rem}.findings{background:var(--panel);padding:.8rem 1.2rem 1rem 2rem;
max-width:48rem;border-left:6px solid var(--accent)}
.findings li{margin:.25rem 0}.note{color:var(--muted);font-size:.9rem;max-width:48rem}
.howto{background:#fff7bf;padding:.8rem 1.2rem;max-width:48rem;border-left:6px solid #ffdd00}
.chart{max-width:100%;height:auto;margin:.5rem 0}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.88rem}
th,td{text-align:left;border-bottom:1px solid var(--rule);padding:.25rem .6rem;
vertical-align:top}
th{background:var(--panel);position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
td.w{color:var(--muted);font-style:italic}
code{font-family:ui-monospace,Consolas,monospace}summary{cursor:pointer;color:var(--accent)}
footer{color:var(--muted);font-size:.85rem;padding:1rem 2rem;border-top:1px solid var(--rule)}
@media print{nav{display:none}details{display:block}section{break-before:page}}
@media (max-width:60rem){.layout{display:block}nav{position:static;width:auto}}
"""


def render(report: RegionReport) -> str:
    """The whole page."""
    las = ", ".join(f"{escape(name)} ({escape(code)})" for code, name in report.las.items())
    nav = "".join(f'<a href="#{escape(s.key)}">{escape(s.title)}</a>' for s in report.sections)
    body = "\n".join(_section(section, report.threshold) for section in report.sections)
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sufficiency report: {escape(report.region)} as of {report.as_of.isoformat()}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>Sufficiency report: {escape(report.region or "the region")}</h1>
<p>As of {report.as_of:%-d %B %Y} &middot; {las}</p>
</header>
<div class="layout">
<nav aria-label="Sections">{nav}<a href="#about">About this report</a></nav>
<main>
<p class="howto">Counts from 1 to {report.threshold - 1} are withheld, with the shares,
medians and prices worked out from them, and shown as <strong>&lt;{report.threshold}</strong>,
so that no child can be recognised. No row of this report is about one child. Every chart's
numbers are in the table beneath it, and in the CSV file and workbook sheet of the same name.</p>
{body}
<section id="about">
<h2>About this report</h2>
<p class="intro">Made by <code>sufficiency report</code> (sufficiency-standard
{escape(report.tool_version)}) from a hub holding version {escape(report.standard_version)}
of the Sufficiency Data Standard, at {report.generated_at:%Y-%m-%d %H:%M} UTC. It was made on
the machine that holds the hub and sends nothing anywhere. Financial years run from April to
March and are written 2024-25.</p>
</section>
</main>
</div>
<footer>Sufficiency Data Standard &middot; regional sufficiency report &middot;
{escape(report.region)}</footer>
</body>
</html>
"""


def _section(section: Section, threshold: int) -> str:
    findings = "".join(f"<li>{escape(f)}</li>" for f in section.findings)
    parts = [
        f'<section id="{escape(section.key)}">',
        f"<h2>{escape(section.title)}</h2>",
        f'<p class="intro">{escape(section.introduction)}</p>',
    ]
    if findings:
        parts.append(
            f'<div class="findings"><strong>What it shows</strong><ul>{findings}</ul></div>'
        )
    parts.extend(_table(table, threshold) for table in section.tables)
    parts.append("</section>")
    return "\n".join(parts)


def _table(table: Table, threshold: int) -> str:
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in table.notes)
    chart = charts.render(table)
    frame = table.frame
    shown = frame.head(ROWS_SHOWN)
    columns = [c for c in shown.columns if c != SUPPRESSED]
    withheld = set(table.counts) | set(table.derived)
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in columns)
    rows = []
    for row in shown.iter_rows(named=True):
        cells = []
        for column in columns:
            value = row[column]
            if value is None and row.get(SUPPRESSED) and column in withheld:
                cells.append(f'<td class="n w">&lt;{threshold}</td>')
            else:
                text, numeric = _format(column, value)
                cells.append(f'<td class="n">{text}</td>' if numeric else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = (
        f'<p class="note">The first {ROWS_SHOWN} of {frame.height:,} rows; '
        f"<code>{escape(table.name)}.csv</code> has them all.</p>"
        if frame.height > ROWS_SHOWN
        else ""
    )
    body = (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{more}"
        if frame.height
        else '<p class="note">Nothing to show for the data held.</p>'
    )
    opened = " open" if not chart and frame.height <= OPEN_UP_TO else ""
    return f"""<div class="table" id="table-{escape(table.name)}">
<h3>{escape(table.title)}</h3>
<p class="intro">{escape(table.description)}</p>
{chart}
<details{opened}><summary>The table (<code>{escape(table.name)}.csv</code>,
{frame.height:,} row{"s" if frame.height != 1 else ""})</summary>
{body}
</details>
{notes}
</div>"""


def _format(column: str, value: object) -> tuple[str, bool]:
    """A value as the page shows it, and whether it is a number (right-aligned)."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if isinstance(value, float):
        if "share" in column or column.endswith("_rate"):
            return f"{value:.1%}" if column.endswith("share") else f"{value:.4g}", True
        return (f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"), True
    if isinstance(value, int):
        return f"{value:,}" if "year" not in column else str(value), True
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat(), False
    if isinstance(value, list):
        return escape("; ".join(str(v) for v in value)), False
    return escape(str(value)), False


__all__ = ["ROWS_SHOWN", "render"]
