"""The report's frame: suppression, the charts, the HTML page, the CSV tables and the
workbook, on hand-made tables (each section's own analyses have their own tests)."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import polars as pl
import pytest
from openpyxl import load_workbook

from sufficiency_standard.analytics import charts, html, outputs
from sufficiency_standard.analytics.report import RegionReport
from sufficiency_standard.analytics.tables import SUPPRESSED, Chart, Section, Table, suppress

SVG = "{http://www.w3.org/2000/svg}"


def test_counts_under_the_threshold_are_withheld_with_what_is_worked_out_from_them():
    frame = pl.DataFrame(
        {
            "la_code": ["A", "B", "C", "D"],
            "placements": [12, 4, 0, 5],
            "share": [0.5, 0.25, None, 0.2],
            "label": ["x", "y", "z", "w"],
        }
    )
    out = suppress(frame, ["placements"], ["share"], threshold=5)
    assert out.get_column("placements").to_list() == [12, None, 0, 5]
    assert out.get_column("share").to_list() == [0.5, None, None, 0.2]
    assert out.get_column(SUPPRESSED).to_list() == [False, True, False, False]
    assert out.get_column("label").to_list() == ["x", "y", "z", "w"]  # not a count: kept
    # A threshold of 10 withholds 5 as well; 0 or 1 withholds nothing.
    assert suppress(frame, ["placements"], [], 10).get_column("placements").to_list() == [
        12,
        None,
        0,
        None,
    ]
    assert suppress(frame, ["placements"], [], 0).get_column(SUPPRESSED).sum() == 0


def test_a_row_is_withheld_when_any_of_its_counts_is_small():
    frame = pl.DataFrame({"searches": [40, 40], "unmet": [3, 10], "median_days": [4.0, 5.0]})
    out = suppress(frame, ["searches", "unmet"], ["median_days"], 5)
    assert out.row(0) == (None, None, None, True)
    assert out.row(1) == (40, 10, 5.0, False)


def _tables() -> list[Table]:
    months = [dt.date(2024, m, 1) for m in range(4, 10)]
    return [
        Table(
            name="by_type",
            title="Placements by type",
            description="How many started.",
            frame=suppress(
                pl.DataFrame(
                    {
                        "placement_type": ["Foster", "Residential", "Secure"],
                        "placements": [120, 30, 2],
                        "out_of_area_share": [0.1, 0.5, 1.0],
                    }
                ),
                ["placements"],
                ["out_of_area_share"],
                5,
            ),
            counts=("placements",),
            derived=("out_of_area_share",),
            chart=Chart("bar", x="placement_type", y="placements", y_label="Placements"),
        ),
        Table(
            name="monthly",
            title="Searches by month",
            description="Searches a month, planned and emergency.",
            frame=pl.DataFrame(
                {
                    "month": months * 2,
                    "kind": ["Planned"] * 6 + ["Emergency"] * 6,
                    "searches": [10, 12, 9, 14, 11, 13, 5, 7, 6, 9, 8, 6],
                }
            ),
            chart=Chart("bar", x="month", y="searches", series="kind", stacked=True),
        ),
        Table(
            name="forecast",
            title="Children in care, projected",
            description="Expected, with a band.",
            frame=pl.DataFrame(
                {
                    "month": months,
                    "expected": [100.0, 102.0, 104.5, 106.0, 108.0, 110.0],
                    "lower": [100.0, 98.0, 97.0, 96.0, 95.0, 94.0],
                    "upper": [100.0, 106.0, 112.0, 116.0, 121.0, 126.0],
                }
            ),
            chart=Chart("line", x="month", y="expected", lower="lower", upper="upper"),
        ),
        Table(
            name="provider_price_index",
            title="Price index",
            description="Like for like.",
            frame=pl.DataFrame(
                {
                    "provider_id": ["ofsted:RP1", "ofsted:RP2", '=HYPERLINK("http://x")'],
                    "placement_type": ["Residential"] * 3,
                    "placements": [40, 12, 9],
                    "index": [1.2, 0.95, 1.01],
                    "lower": [1.1, 0.8, 0.9],
                    "upper": [1.3, 1.1, 1.12],
                }
            ),
            counts=("placements",),
            derived=("index", "lower", "upper"),
            chart=Chart(
                "point", x="provider_id", y="index", lower="lower", upper="upper", reference=1.0
            ),
        ),
    ]


def _report(tables: list[Table] | None = None) -> RegionReport:
    tables = _tables() if tables is None else tables
    return RegionReport(
        region="Test region <&>",
        as_of=dt.date(2025, 3, 31),
        las={"E06000066": "Somerset"},
        threshold=5,
        standard_version="0.3.0",
        generated_at=dt.datetime(2025, 4, 2, 9, 0, tzinfo=dt.UTC),
        tool_version="0.3.0",
        sections=[
            Section("one", "Section one", "Intro one.", tables[:2], ["It found one thing."]),
            Section("two", "Section two", "Intro two.", tables[2:]),
        ],
    )


@pytest.mark.parametrize("index", range(4))
def test_every_chart_is_well_formed_svg_drawn_from_its_table(index):
    table = _tables()[index]
    svg = charts.render(table)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text.startswith(table.title)
    if table.chart.kind == "bar" and table.name == "by_type":
        bars = root.findall(f"{SVG}rect")
        # Two bars drawn (Secure's count is withheld: no bar), each with its value.
        assert len(bars) == 2
        assert [b.find(f"{SVG}title").text for b in bars] == ["Foster: 120", "Residential: 30"]
        widths = [float(b.get("width")) for b in bars]
        assert widths[0] == pytest.approx(4 * widths[1], rel=0.01)
    if table.name == "monthly":
        assert len(root.findall(f"{SVG}rect")) == 12  # 6 months, stacked
        assert [t.text for t in root.findall(f"{SVG}text")][-2:] == ["Planned", "Emergency"]
    if table.chart.kind == "line":
        (band,) = root.findall(f"{SVG}polygon")
        assert len(band.get("points").split()) == 12  # upper and lower at 6 months
    if table.chart.kind == "point":
        circles = root.findall(f"{SVG}circle")
        assert len(circles) == 3
        # The one whose interval leaves out 1 is marked in another colour.
        colours = {c.find(f"{SVG}title").text.split(": ")[0]: c.get("fill") for c in circles}
        assert colours["ofsted:RP1"] != colours["ofsted:RP2"]


def test_a_table_with_nothing_to_draw_has_no_chart():
    table = _tables()[0]
    table.frame = table.frame.clear()
    assert charts.render(table) == ""


def test_nice_ticks_cover_the_range_in_round_steps():
    assert charts.nice_ticks(0, 97) == [0, 20, 40, 60, 80, 100]
    for low, high in [(0.8, 1.3), (0.87, 1.25), (0, 1e6 + 1), (-40, 26), (3, 3)]:
        ticks = charts.nice_ticks(low, high)
        assert ticks[0] <= low and ticks[-1] >= high, (low, high, ticks)
        assert len(ticks) <= 12


def test_a_line_breaks_where_a_value_is_withheld_and_many_series_stay_apart():
    months = [dt.date(2024, m, 1) for m in range(1, 7)]
    table = Table(
        name="gaps",
        title="Gaps",
        description="",
        frame=pl.DataFrame(
            {
                "month": months * 10,
                "series": [f"s{i}" for i in range(10) for _ in months],
                "value": [
                    None if (i == 0 and m in (2, 3)) else float(i + m)
                    for i in range(10)
                    for m in range(6)
                ],
            }
        ),
        chart=Chart("line", x="month", y="value", series="series"),
    )
    root = ET.fromstring(charts.render(table))
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 1 + 1 + 9  # s0 in two runs (months 1-2 and 5-6), the 9 others whole
    # Ten series with eight colours: the last two are dashed, so no two look the same.
    looks = {(p.get("stroke"), p.get("stroke-dasharray")) for p in lines}
    assert len(looks) == 10
    keys = root.findall(f"{SVG}line")
    assert len([k for k in keys if k.get("stroke-width") == "4"]) == 10  # every series named


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in {"src", "href"} and value and not value.startswith("#"):
                self.urls.append(value)


def test_the_page_stands_alone_and_shows_withheld_counts_as_under_the_threshold():
    page = html.render(_report())
    parser = _Page()
    parser.feed(page)
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    assert parser.urls == []  # nothing fetched, so it opens offline
    assert parser.tags.count("svg") == 4
    assert "Test region &lt;&amp;&gt;" in page  # the region's name is escaped
    assert '<td class="n w">&lt;5</td>' in page  # Secure's withheld count
    assert "It found one thing." in page
    assert "=HYPERLINK(&quot;http://x&quot;)" in page or '=HYPERLINK("http://x")' not in page


def test_tables_are_written_as_csv_with_a_manifest(tmp_path):
    report = _report()
    written = outputs.write_tables(report, tmp_path / "tables")
    names = sorted(p.name for p in written)
    assert names == sorted(
        ["by_type.csv", "monthly.csv", "forecast.csv", "provider_price_index.csv", "tables.json"]
    )
    back = pl.read_csv(tmp_path / "tables" / "by_type.csv")
    assert back.get_column("placements").to_list() == [120, 30, None]
    assert back.get_column(SUPPRESSED).to_list() == [False, False, True]
    manifest = json.loads((tmp_path / "tables" / "tables.json").read_text(encoding="utf-8"))
    assert manifest["small_number_threshold"] == 5
    assert [t["name"] for t in manifest["tables"]][:2] == ["by_type", "monthly"]
    assert manifest["tables"][0]["section"] == "one"


def test_the_workbook_has_a_sheet_per_table_and_never_a_live_formula(tmp_path):
    path = outputs.write_workbook(_report(), tmp_path / "report.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Contents", "by_type", "monthly", "forecast", "provider_price_index"]
    sheet = book["provider_price_index"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type == "s" for c in cells)
    header = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "provider_id")
    assert header[:3] == ("provider_id", "placement_type", "placements")


def test_sheet_names_stay_unique_within_excels_limit():
    long = [
        Table(name="a" * 40, title="", description="", frame=pl.DataFrame()),
        Table(name="a" * 35, title="", description="", frame=pl.DataFrame()),
    ]
    names = outputs.sheet_names(long)
    assert all(len(n) <= 31 for n in names.values())
    assert len(set(names.values())) == 2
