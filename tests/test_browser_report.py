"""The region's report opens in a real browser with no network and draws every chart.

The report of the shipped example region is written by the command a region runs and
opened from disk (file://) in Debian's headless Chromium; screenshots of the whole page
and of the first screen are saved in pytest's temporary folder (the `report-screenshots`
folder of this run), or in $SUFFICIENCY_SCREENSHOT_DIR when that is set.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import chromium, require_browser, screenshot_folder
from typer.testing import CliRunner

from sufficiency_standard.cli import app

webdriver = require_browser()
from selenium.webdriver.common.by import By  # noqa: E402

SECTIONS = ["coverage", "demand", "supply", "placements", "cost", "providers", "forecast"]


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    hub = folder / "region.duckdb"
    runner = CliRunner()
    made = runner.invoke(app, ["hub", "demo", str(hub)])
    assert made.exit_code == 0, made.output
    page = folder / "report.html"
    done = runner.invoke(app, ["report", str(hub), "--out", str(page)])
    assert done.exit_code == 0, done.output
    return page


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screenshot_folder(tmp_path_factory, "report-screenshots")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium(webdriver, tmp_path_factory) as driver:
        yield driver


def _open(browser: Any, page: Path) -> None:
    browser.get(page.as_uri())
    deadline = time.monotonic() + 30
    while browser.execute_script("return document.readyState") != "complete":
        assert time.monotonic() < deadline, "the report did not finish loading"
        time.sleep(0.1)


def test_the_report_opens_offline_with_every_section_and_chart_drawn(
    browser: Any, report_page: Path, screenshots: Path
) -> None:
    _open(browser, report_page)
    assert browser.title.startswith("Sufficiency report: South West (example)")
    shown = [s.get_attribute("id") for s in browser.find_elements(By.CSS_SELECTOR, "main section")]
    assert shown == [*SECTIONS, "about"]
    # Nothing was fetched: the page is one file.
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) >= 10
    for chart in charts:
        box = browser.execute_script(
            "const r = arguments[0].getBoundingClientRect(); return [r.width, r.height];", chart
        )
        assert box[0] > 300 and box[1] > 60, box
        # Each draws something: bars, lines or points.
        marks = chart.find_elements(By.CSS_SELECTOR, "rect, polyline, circle")
        assert marks, chart.get_attribute("outerHTML")[:200]
    # The navigation jumps to a section.
    browser.find_element(By.CSS_SELECTOR, 'nav a[href="#providers"]').click()
    top = browser.execute_script(
        "return document.getElementById('providers').getBoundingClientRect().top"
    )
    assert abs(top) < 5
    browser.save_screenshot(str(screenshots / "report-providers.png"))
    # The whole page, as one image (DevTools can capture beyond the window).
    browser.execute_script("window.scrollTo(0, 0)")
    shot = browser.execute_cdp_cmd(
        "Page.captureScreenshot", {"captureBeyondViewport": True, "format": "png"}
    )
    (screenshots / "report-full.png").write_bytes(base64.b64decode(shot["data"]))
    assert (screenshots / "report-full.png").stat().st_size > 50_000


def test_withheld_counts_read_as_under_the_threshold(browser: Any, report_page: Path) -> None:
    _open(browser, report_page)
    browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    # What a reader sees in each withheld cell (read in one call: a call per cell is slow).
    shown = browser.execute_script(
        "return [...document.querySelectorAll('td.w')].map(c => c.innerText)"
    )
    # The example region is small: some counts are under 5, and each reads "<5".
    assert shown and set(shown) == {"<5"}
