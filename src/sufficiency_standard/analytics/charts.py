"""Charts as inline SVG, drawn from a table's own frame.

SVG written here rather than a charting library: the report must open offline as one
file, and the libraries that draw offline either carry megabytes of JavaScript
(Plotly, Vega) or a heavy runtime dependency (matplotlib). Three kinds cover the
report: bars (categories, or time in columns), lines (time, with an interval band)
and points with intervals (a forest plot). Every chart has a text alternative and the
table it is drawn from sits beside it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from html import escape

import polars as pl

from sufficiency_standard.analytics.tables import Chart, Table

# Okabe and Ito's palette: told apart with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
WIDTH = 760
MAX_CATEGORIES = 30  # bars or points drawn; the table holds them all
MAX_SERIES = 16  # beyond it the table, not the chart, is the way to read them
FONT = 12


def render(table: Table) -> str:
    """The table's chart as an <svg> element, or "" when it has nothing to draw."""
    chart = table.chart
    if chart is None or table.frame.height == 0:
        return ""
    frame = table.frame.filter(pl.col(chart.y).is_not_null())
    if frame.height == 0:
        return ""
    if chart.kind == "line":
        return _line(table, chart, frame)
    if chart.kind == "point":
        return _points(table, chart, frame)
    return _bars(table, chart, frame)


# ---- scales -------------------------------------------------------------------------


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values spanning [low, high]."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0]
    if high == low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    steps = math.ceil((high - first) / step - 1e-9)  # the last tick at or above high
    ticks = [round(first + i * step, 10) for i in range(max(steps, 1) + 1)]
    return ticks


def number(value: float) -> str:
    """A tick or value label: thousands separated, at most two decimals, £-free."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        return f"{value / 1_000_000:,.1f}m".replace(".0m", "m")
    if magnitude >= 10_000:
        return f"{value / 1000:,.0f}k"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}" if magnitude < 10 else f"{value:,.1f}"


def _label(value: object) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%b %Y")
    return str(value)


def _svg(table: Table, height: int, body: list[str], legend: Sequence[str]) -> str:
    title = escape(table.title)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="chart-{table.name}-title" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui, sans-serif" font-size="{FONT}">',
        f'<title id="chart-{table.name}-title">{title} (the numbers are in the table '
        f"below)</title>",
        *body,
    ]
    # The legend under the chart, wrapped onto as many rows as it needs.
    x, row = 60, 0
    keys = []
    for index, name in enumerate(legend):
        width = 24 + 7 * len(name)
        if x + width > WIDTH - 10 and x > 60:
            x, row = 60, row + 1
        colour, dash = style(index)
        y = height - 16 + 18 * row
        keys.append(
            f'<line x1="{x}" x2="{x + 12}" y1="{y + 5}" y2="{y + 5}" stroke="{colour}" '
            f'stroke-width="4"{dash}/><text x="{x + 16}" y="{y + 9}">{escape(name)}</text>'
        )
        x += width
    parts.extend(keys)
    if row:
        taller = f'viewBox="0 0 {WIDTH} {height + 18 * row}"'
        parts[0] = parts[0].replace(f'viewBox="0 0 {WIDTH} {height}"', taller)
    parts.append("</svg>")
    return "\n".join(parts)


def style(index: int) -> tuple[str, str]:
    """The colour of the index-th series, and a dash after the palette's first round,
    so that more series than colours are still told apart."""
    colour = PALETTE[index % len(PALETTE)]
    dash = "" if index < len(PALETTE) else ' stroke-dasharray="6 3"'
    return colour, dash


def _series(frame: pl.DataFrame, chart: Chart) -> list[tuple[str, pl.DataFrame]]:
    if chart.series is None:
        return [("", frame)]
    names = frame.get_column(chart.series).drop_nulls().unique(maintain_order=True).to_list()
    return [(str(name), frame.filter(pl.col(chart.series) == name)) for name in names[:MAX_SERIES]]


def _y_axis(lines: list[str], ticks: list[float], y_of, left: int, right: int, label: str):
    for tick in ticks:
        y = y_of(tick)
        lines.append(
            f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{number(tick)}</text>'
        )
    if label:
        lines.append(f'<text x="{left}" y="14" font-weight="600">{escape(label)}</text>')


# ---- line ---------------------------------------------------------------------------


def _line(table: Table, chart: Chart, frame: pl.DataFrame) -> str:
    series = _series(frame.sort(chart.x), chart)
    xs = frame.get_column(chart.x).drop_nulls().unique().sort().to_list()
    if not xs:
        return ""
    values = [v for v in frame.get_column(chart.y).to_list() if v is not None]
    for bound in (chart.lower, chart.upper):
        if bound:
            values += [v for v in frame.get_column(bound).to_list() if v is not None]
    if chart.reference is not None:
        values.append(chart.reference)
    low = min(0.0, min(values))
    ticks = nice_ticks(low, max(values))
    height, left, right, top, bottom = 320, 60, WIDTH - 20, 24, 320 - 56
    position = {x: i for i, x in enumerate(xs)}
    span = max(len(xs) - 1, 1)

    def x_of(x: object) -> float:
        return left + (right - left) * position[x] / span

    def y_of(v: float) -> float:
        return bottom - (bottom - top) * (v - ticks[0]) / (ticks[-1] - ticks[0] or 1)

    lines: list[str] = []
    _y_axis(lines, ticks, y_of, left, right, chart.y_label)
    step = max(1, math.ceil(len(xs) / 8))
    for i, x in enumerate(xs):
        if i % step == 0:
            # The last label ends at the axis' end rather than running off the chart.
            anchor = "end" if i == len(xs) - 1 and len(xs) > 1 else "middle"
            lines.append(
                f'<text x="{x_of(x):.1f}" y="{bottom + 16}" text-anchor="{anchor}">'
                f"{escape(_label(x))}</text>"
            )
    for index, (_name, part) in enumerate(series):
        colour, dash = style(index)
        rows = [r for r in part.iter_rows(named=True) if r[chart.y] is not None]
        if chart.lower and chart.upper:
            band = [r for r in rows if r[chart.lower] is not None and r[chart.upper] is not None]
            if band:
                upper = [f"{x_of(r[chart.x]):.1f},{y_of(r[chart.upper]):.1f}" for r in band]
                lower = [f"{x_of(r[chart.x]):.1f},{y_of(r[chart.lower]):.1f}" for r in band]
                lines.append(
                    f'<polygon points="{" ".join(upper + lower[::-1])}" fill="{colour}" '
                    'fill-opacity="0.18" stroke="none"/>'
                )
        # A step with no value (withheld, or none) breaks the line: joining across it
        # would draw figures that are not in the table.
        for run in _runs(rows, chart.x, position):
            if len(run) == 1:
                r = run[0]
                lines.append(
                    f'<circle cx="{x_of(r[chart.x]):.1f}" cy="{y_of(r[chart.y]):.1f}" r="3" '
                    f'fill="{colour}"/>'
                )
                continue
            points = " ".join(f"{x_of(r[chart.x]):.1f},{y_of(r[chart.y]):.1f}" for r in run)
            lines.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"'
                f"{dash}/>"
            )
    if chart.reference is not None:
        y = y_of(chart.reference)
        lines.append(
            f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#333" '
            'stroke-dasharray="4 3"/>'
        )
    legend = [name for name, _ in series if name]
    return _svg(table, height, lines, legend)


def _runs(rows: list[dict], x: str, position: dict[object, int]) -> list[list[dict]]:
    """Rows split where the x axis skips a step."""
    runs: list[list[dict]] = []
    for row in rows:
        if runs and position[row[x]] == position[runs[-1][-1][x]] + 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs


# ---- bars ---------------------------------------------------------------------------


def _bars(table: Table, chart: Chart, frame: pl.DataFrame) -> str:
    """Time (dates or years) in columns; categories as horizontal bars, which leave
    room for long names."""
    dtype = frame.schema[chart.x]
    if dtype.is_temporal() or dtype.is_integer():
        return _columns(table, chart, frame)
    series = _series(frame, chart)
    categories = frame.get_column(chart.x).cast(pl.String).unique(maintain_order=True).to_list()
    categories = categories[:MAX_CATEGORIES]
    groups = len(series) if not chart.stacked else 1
    bar = 14 if groups == 1 else max(6, 22 // groups)
    row_height = bar * groups + 8
    top, left, right = 24, 230, WIDTH - 60
    height = top + row_height * len(categories) + 44
    totals = _totals(series, chart, categories)
    high = max([*totals.values(), chart.reference or 0.0, 0.0]) or 1.0
    ticks = nice_ticks(0.0, high)

    def x_of(v: float) -> float:
        return left + (right - left) * v / (ticks[-1] or 1)

    lines: list[str] = []
    for tick in ticks:
        x = x_of(tick)
        lines.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - 40}" stroke="#ddd"/>'
            f'<text x="{x:.1f}" y="{height - 26}" text-anchor="middle">{number(tick)}</text>'
        )
    if chart.y_label:
        lines.append(f'<text x="{left}" y="14" font-weight="600">{escape(chart.y_label)}</text>')
    for row, category in enumerate(categories):
        y0 = top + row * row_height + 4
        lines.append(
            f'<text x="{left - 6}" y="{y0 + (row_height - 8) / 2 + 4:.1f}" text-anchor="end">'
            f"{escape(_short(category, 34))}</text>"
        )
        offset = 0.0
        for index, (name, part) in enumerate(series):
            value = _value(part, chart, category)
            if value is None:
                continue
            colour = PALETTE[index % len(PALETTE)]
            y = y0 if chart.stacked else y0 + index * bar
            x = x_of(offset) if chart.stacked else left
            width = x_of(offset + value) - x if chart.stacked else x_of(value) - left
            tip = f"{category}{' · ' + name if name else ''}: {number(value)}"
            lines.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" height="{bar}" '
                f'fill="{colour}"><title>{escape(tip)}</title></rect>'
            )
            if chart.stacked:
                offset += value
            elif len(series) == 1:
                lines.append(
                    f'<text x="{x_of(value) + 4:.1f}" y="{y + bar - 3:.1f}">{number(value)}</text>'
                )
    if chart.reference is not None:
        x = x_of(chart.reference)
        lines.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - 40}" stroke="#333" '
            'stroke-dasharray="4 3"/>'
        )
    return _svg(table, height, lines, [name for name, _ in series if name])


def _columns(table: Table, chart: Chart, frame: pl.DataFrame) -> str:
    series = _series(frame, chart)
    xs = frame.get_column(chart.x).drop_nulls().unique().sort().to_list()
    if not xs:
        return ""
    totals = _totals(series, chart, xs)
    high = max([*totals.values(), chart.reference or 0.0, 0.0]) or 1.0
    ticks = nice_ticks(0.0, high)
    height, left, right, top, bottom = 320, 60, WIDTH - 20, 24, 320 - 56
    slot = (right - left) / len(xs)
    groups = 1 if chart.stacked else len(series)
    width = max(1.0, slot * 0.8 / groups)

    def y_of(v: float) -> float:
        return bottom - (bottom - top) * v / (ticks[-1] or 1)

    lines: list[str] = []
    _y_axis(lines, ticks, y_of, left, right, chart.y_label)
    step = max(1, math.ceil(len(xs) / 10))
    for i, x in enumerate(xs):
        centre = left + slot * (i + 0.5)
        if i % step == 0:
            lines.append(
                f'<text x="{centre:.1f}" y="{bottom + 16}" text-anchor="middle">'
                f"{escape(_label(x))}</text>"
            )
        base = 0.0
        for index, (name, part) in enumerate(series):
            value = _value(part, chart, x)
            if value is None:
                continue
            colour = PALETTE[index % len(PALETTE)]
            x0 = centre - slot * 0.4 + (0 if chart.stacked else index * width)
            y_top = y_of(base + value) if chart.stacked else y_of(value)
            y_bottom = y_of(base) if chart.stacked else bottom
            tip = f"{_label(x)}{' · ' + name if name else ''}: {number(value)}"
            lines.append(
                f'<rect x="{x0:.1f}" y="{y_top:.1f}" width="{width:.1f}" '
                f'height="{max(y_bottom - y_top, 0):.1f}" fill="{colour}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            if chart.stacked:
                base += value
    return _svg(table, height, lines, [name for name, _ in series if name])


def _value(part: pl.DataFrame, chart: Chart, category: object) -> float | None:
    column = part.get_column(chart.x)
    if not column.dtype.is_temporal() and not column.dtype.is_integer():
        column = column.cast(pl.String)
    values = part.filter(column == category).get_column(chart.y).drop_nulls()
    return float(values.sum()) if len(values) else None


def _totals(series, chart: Chart, categories: Sequence[object]) -> dict[object, float]:
    totals: dict[object, float] = {}
    for category in categories:
        found = [_value(part, chart, category) for _, part in series]
        numbers = [v for v in found if v is not None]
        if not numbers:
            continue
        totals[category] = sum(numbers) if chart.stacked else max(numbers)
    return totals


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- points with intervals ---------------------------------------------------------------


def _points(table: Table, chart: Chart, frame: pl.DataFrame) -> str:
    """A forest plot: one row per category, the value as a dot, the interval as a
    whisker, the reference (1.0 for an index) as a dashed line. With many rows, those
    furthest from the reference are drawn."""
    label = (
        pl.concat_str(
            [pl.col(chart.x).cast(pl.String), pl.col(chart.series).cast(pl.String)], separator=" · "
        )
        if chart.series
        else pl.col(chart.x).cast(pl.String)
    )
    rows = frame.with_columns(label.alias("__label"))
    reference = chart.reference if chart.reference is not None else 0.0
    shown = rows.height
    if rows.height > MAX_CATEGORIES:
        rows = rows.sort((pl.col(chart.y) - reference).abs(), descending=True).head(MAX_CATEGORIES)
    rows = rows.sort(chart.y, descending=True)
    values = rows.get_column(chart.y).to_list()
    for bound in (chart.lower, chart.upper):
        if bound:
            values += rows.get_column(bound).drop_nulls().to_list()
    values.append(reference)
    ticks = nice_ticks(min(values), max(values))
    top, left, right, row_height = 24, 300, WIDTH - 30, 18
    height = top + row_height * rows.height + 44 + (16 if shown > rows.height else 0)

    def x_of(v: float) -> float:
        return left + (right - left) * (v - ticks[0]) / (ticks[-1] - ticks[0] or 1)

    lines: list[str] = []
    for tick in ticks:
        x = x_of(tick)
        lines.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - 40}" stroke="#eee"/>'
            f'<text x="{x:.1f}" y="{height - 26}" text-anchor="middle">{number(tick)}</text>'
        )
    x = x_of(reference)
    lines.append(
        f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - 40}" stroke="#333" '
        'stroke-dasharray="4 3"/>'
    )
    if chart.y_label:
        lines.append(f'<text x="{left}" y="14" font-weight="600">{escape(chart.y_label)}</text>')
    for i, row in enumerate(rows.iter_rows(named=True)):
        y = top + i * row_height + row_height / 2
        lines.append(
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(_short(row['__label'], 44))}</text>"
        )
        low, high = (
            (row.get(chart.lower) if chart.lower else None),
            (row.get(chart.upper) if chart.upper else None),
        )
        clear = low is not None and high is not None and (low > reference or high < reference)
        colour = PALETTE[5] if clear else PALETTE[0]
        if low is not None and high is not None:
            lines.append(
                f'<line x1="{x_of(low):.1f}" x2="{x_of(high):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="{colour}" stroke-width="2"/>'
            )
        tip = f"{row['__label']}: {number(row[chart.y])}"
        if low is not None and high is not None:
            tip += f" ({number(low)} to {number(high)})"
        lines.append(
            f'<circle cx="{x_of(row[chart.y]):.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
            f"<title>{escape(tip)}</title></circle>"
        )
    if shown > rows.height:
        lines.append(
            f'<text x="{left}" y="{height - 8}">The {rows.height} of {shown} furthest from '
            f"{number(reference)}; the table has them all.</text>"
        )
    return _svg(table, height, lines, [])


__all__ = ["PALETTE", "nice_ticks", "number", "render"]
