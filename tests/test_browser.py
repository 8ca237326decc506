"""The built documentation site renders in a real browser, with no internet.

Builds the site, serves it on 127.0.0.1 and opens it in Debian's headless Chromium
(through chromedriver), checking what a reader sees: the home page, a table page with
its field table and relationship diagram, the entity-relationship diagram and the rule
catalogue. Material draws each Mermaid diagram into a closed shadow root, which page
scripts cannot see, so the SVG is looked for through the DevTools protocol, which can.

Screenshots are saved under pytest's temporary folder (the `screenshots` folder of this
run), or in $SUFFICIENCY_SCREENSHOT_DIR when that is set.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import chromium, require_browser, screenshot_folder

import sufficiency_standard.validation  # noqa: F401  (declares every entry)
from sufficiency_standard import STANDARD_VERSION
from sufficiency_standard.catalogue import ENTRIES
from sufficiency_standard.check.schema_rules import declare_schema_rules
from sufficiency_standard.standard import load_standard

# Every entry the rule page shows: the checks' own and the schema's rules.
declare_schema_rules(load_standard())

webdriver = require_browser()
from selenium.webdriver.common.by import By  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RENDER_TIMEOUT = 30.0  # seconds for a page's scripts (Mermaid above all) to finish


def build_site(site_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("browser-site")
    done = build_site(site)
    assert done.returncode == 0, done.stdout + done.stderr
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screenshot_folder(tmp_path_factory, "screenshots")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium(webdriver, tmp_path_factory) as driver:
        yield driver


def open_page(browser: Any, url: str) -> None:
    browser.get(url)
    deadline = time.monotonic() + RENDER_TIMEOUT
    while browser.execute_script("return document.readyState") != "complete":
        assert time.monotonic() < deadline, f"{url} did not finish loading"
        time.sleep(0.1)


def wait_for_diagrams(browser: Any) -> int:
    """Wait until Material has replaced every <pre class="mermaid"> with a drawing."""
    deadline = time.monotonic() + RENDER_TIMEOUT
    while browser.find_elements(By.CSS_SELECTOR, "pre.mermaid"):
        assert time.monotonic() < deadline, "Mermaid did not draw the diagram"
        time.sleep(0.2)
    return len(browser.find_elements(By.CSS_SELECTOR, "div.mermaid"))


def _walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for key in ("children", "shadowRoots"):
        for child in node.get(key, []):
            yield from _walk(child)


def drawn_diagrams(browser: Any) -> list[list[str]]:
    """For each Mermaid diagram on the page, the texts of its SVG (closed shadow roots too)."""
    document = browser.execute_cdp_cmd("DOM.getDocument", {"depth": -1, "pierce": True})
    diagrams = []
    for node in _walk(document["root"]):
        attributes = node.get("attributes", [])
        classes = dict(zip(attributes[::2], attributes[1::2], strict=True)).get("class", "")
        if node.get("nodeName") != "DIV" or "mermaid" not in classes.split():
            continue
        svgs = [
            n
            for root in node.get("shadowRoots", [])
            for n in _walk(root)
            if n.get("nodeName", "").lower() == "svg"
        ]
        if svgs:
            diagrams.append(
                [
                    n["nodeValue"].strip()
                    for svg in svgs
                    for n in _walk(svg)
                    if n.get("nodeType") == 3 and n.get("nodeValue", "").strip()
                ]
            )
    return diagrams


def resources_outside(browser: Any, base_url: str) -> list[str]:
    names = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    return [name for name in names if not name.startswith(base_url)]


def test_home_page_renders(browser: Any, base_url: str, screenshots: Path) -> None:
    open_page(browser, base_url)
    assert "Placement Sufficiency Data Standard" in browser.title
    heading = browser.find_element(By.CSS_SELECTOR, "article h1")
    assert heading.text == "Placement Sufficiency Data Standard"
    article = browser.find_element(By.CSS_SELECTOR, "article").text
    assert f"version {STANDARD_VERSION}" in article
    rows = browser.find_elements(By.CSS_SELECTOR, "article table tbody tr")
    assert len(rows) == len(load_standard().tables)
    browser.save_screenshot(str(screenshots / "home.png"))
    assert resources_outside(browser, base_url) == []


def test_table_page_renders_its_fields_and_diagram(
    browser: Any, base_url: str, screenshots: Path
) -> None:
    placements = load_standard().table("placements")
    open_page(browser, base_url + "reference/tables/placements/")
    assert browser.title.startswith("placements - ")
    assert browser.find_element(By.CSS_SELECTOR, "article h1").text == "placements: Placement"
    field_table = browser.find_elements(By.CSS_SELECTOR, "article table")[0]
    headers = [th.text for th in field_table.find_elements(By.CSS_SELECTOR, "thead th")]
    assert headers[:4] == ["Field", "Title", "Type", "Required"]
    rows = field_table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [r.find_element(By.TAG_NAME, "td").text for r in rows] == [
        f.name for f in placements.fields
    ]
    assert wait_for_diagrams(browser) == 1
    (texts,) = drawn_diagrams(browser)
    for entity in ("Child", "Placement", "Provider", "Cost"):
        assert entity in texts
    browser.save_screenshot(str(screenshots / "table-placements.png"))
    assert resources_outside(browser, base_url) == []


def test_entity_relationship_diagram_is_drawn(
    browser: Any, base_url: str, screenshots: Path
) -> None:
    open_page(browser, base_url + "reference/entity-relationships/")
    assert wait_for_diagrams(browser) == 1
    (texts,) = drawn_diagrams(browser)
    for table in load_standard().tables:
        assert table.class_name in texts
    browser.save_screenshot(str(screenshots / "entity-relationships.png"))
    assert resources_outside(browser, base_url) == []


def test_rule_catalogue_renders_every_rule(browser: Any, base_url: str, screenshots: Path) -> None:
    open_page(browser, base_url + "reference/rules/")
    assert browser.title.startswith("Validation rules - ")
    assert browser.find_element(By.CSS_SELECTOR, "article h1").text == "Validation rules"
    for entry in ENTRIES.values():
        heading = browser.find_element(By.ID, entry.anchor)
        assert heading.text.startswith(entry.code), entry.code
    summary = browser.find_elements(By.CSS_SELECTOR, "article table")[0]
    assert len(summary.find_elements(By.CSS_SELECTOR, "tbody tr")) == len(ENTRIES)
    browser.save_screenshot(str(screenshots / "rules.png"))
    # A report's link lands on its rule.
    open_page(browser, base_url + "reference/rules/#plc-end-reason")
    target = browser.find_element(By.ID, "plc-end-reason")
    assert browser.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight",
        target,
    )
