"""The report for a person at a terminal: verdict, counts, issues grouped by kind."""

from __future__ import annotations

import re

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from sufficiency_standard.catalogue import ENTRIES
from sufficiency_standard.collector import collector_paused
from sufficiency_standard.issues import Issue, Severity
from sufficiency_standard.report.model import Report

# Control characters from an LA's file (escape sequences can clear the screen, retitle the
# window or write to the clipboard) are shown as their codes, never sent to the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text as a terminal may show it: control characters written as \\xNN."""
    return _CONTROL.sub(lambda found: f"\\x{ord(found[0]):02x}", text)


_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFORMATION: "cyan"}
_EXAMPLES_PER_GROUP = 3
_WIDE_PLACE = 28  # a longer place (a JSON path) goes on its own line, above its message


def _where(issue: Issue) -> str:
    place = issue.location
    if place.cell:
        sheet = place.table or ""
        return f"{sheet} {place.cell}".strip()
    if place.path:
        return place.path
    if place.row is not None:
        return f"{place.table} row {place.row}"
    if place.source:
        return place.source
    return place.table or ""


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


@collector_paused()
def render_console(
    report: Report, console: Console, show_values: bool = False, examples: int = _EXAMPLES_PER_GROUP
) -> None:
    mark, style = ("✓", "bold green") if report.valid else ("✗", "bold red")
    console.print(Text(printable(f"{mark} {report.verdict()}"), style=style))
    console.print(f"  Checked against version {report.standard.version}: {report.standard.reason}.")
    counts = report.counts
    rows = sum(report.rows.values())
    read = (
        _plural(rows, "record")
        if report.standard.source == "national"
        else f"{_plural(rows, 'row')} in {_plural(len(report.rows), 'table')}"
    )
    console.print(
        f"  {_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')}, "
        f"{_plural(counts['information'], 'note')}; {read}."
    )
    groups = report.by_code()
    if not groups:
        return
    console.print()
    for code, issues in groups.items():
        entry = ENTRIES[code]
        heading = Text()
        heading.append(f"{entry.severity.value.upper():<11}", style=_STYLE[entry.severity])
        heading.append(f" {code}", style="bold")
        heading.append(f"  {entry.title}  ")
        heading.append(f"({_plural(len(issues), 'time')})", style="dim")
        console.print(heading)
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, style="bold")
        grid.add_column()
        shown = issues[:examples]
        stacked = any(len(_where(issue)) > _WIDE_PLACE for issue in shown)
        for issue in shown:
            message = issue.message
            if show_values and issue.personal and issue.value is not None:
                message += f' [value: "{issue.value}"]'
            place = printable(_where(issue))
            if stacked:  # a long place would squeeze the message into a narrow column
                console.print(Text("   " + place, style="bold"))
                indented = Table.grid(padding=(0, 2))
                indented.add_column(width=4)
                indented.add_column()
                indented.add_row("", escape(printable(message)))
                console.print(indented)
            else:
                grid.add_row("   " + escape(place), escape(printable(message)))
        if len(issues) > examples:
            grid.add_row("", Text(f"... and {len(issues) - examples:,} more", style="dim"))
        console.print(grid)
        console.print(Text(f"   How to fix: {entry.docs_url}", style="dim"))
    console.print()
    if not report.valid:
        points = (
            "its JSON path"
            if all(i.location.path or not i.location.cell for i in report.issues)
            and any(i.location.path for i in report.issues)
            else "its sheet and cell"
        )
        console.print(
            f"Next: fix the errors (each points at {points}), then run the "
            "validator again. For every issue, not just the first few, use "
            "--format xlsx --output report.xlsx (your workbook with the cells marked) or "
            "--format html --output report.html."
        )
    elif counts["warning"]:
        console.print("Next: look at the warnings; they do not stop the submission.")
