"""Debian's headless Chromium driven through chromedriver, for the tests that look at
pages as a reader sees them (the docs site, the region's report)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def require_browser() -> Any:
    """Skip the calling test module, saying why, when there is no browser to drive;
    else return selenium's webdriver module."""
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed (/usr/bin/chromium); install it with "
            "`apt-get install -y chromium chromium-driver` to run the browser test",
            allow_module_level=True,
        )
    if not CHROMEDRIVER.exists():
        pytest.skip(
            "chromedriver is not installed (/usr/bin/chromedriver); install it with "
            "`apt-get install -y chromium-driver` to run the browser test",
            allow_module_level=True,
        )
    return pytest.importorskip(
        "selenium.webdriver", reason="selenium is not installed (pip install -e '.[docs]')"
    )


def start_chromium(webdriver: Any, profile: Path, size: str = "1280,1000") -> Any:
    """A headless Chromium that makes no connection of its own (the machine's network
    is closed: background fetches would fail noisily at every start)."""
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        f"--window-size={size}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    return driver


def screenshot_folder(factory: pytest.TempPathFactory, name: str) -> Path:
    """Where a test saves its screenshots: $SUFFICIENCY_SCREENSHOT_DIR when set, else a
    folder of this run's temporary folder."""
    chosen = os.environ.get("SUFFICIENCY_SCREENSHOT_DIR")
    folder = Path(chosen) if chosen else factory.mktemp(name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def chromium(webdriver: Any, factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A Chromium with a new, empty profile, quit and its profile deleted afterwards."""
    profile = factory.mktemp("chromium-profile")
    driver = start_chromium(webdriver, profile)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
