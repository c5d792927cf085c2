"""Fixtures of the page tests: one headless Chromium per test module."""

from __future__ import annotations

import pytest
from see_browser import launch_chromium


@pytest.fixture(scope="module")
def browser():
    playwright, browser = launch_chromium()
    yield browser
    browser.close()
    playwright.stop()
