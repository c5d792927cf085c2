"""Headless Chromium for the page and report tests (Debian's ``chromium``, via Playwright).

``browser_page`` opens a file:// URL in a fresh page and records console errors, page
errors and every request that is not for that file, so a test can assert none happened.
Tests skip, with the reason, only when chromium or playwright is truly absent.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field

import pytest

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def launch_chromium():
    """(playwright, browser), or pytest.skip when chromium or playwright is missing."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install playwright)")
    playwright = sync_playwright().start()
    return playwright, playwright.chromium.launch(executable_path=executable, args=ARGS)


@dataclass
class Opened:
    page: object
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def open_file(browser, path) -> Opened:
    """A new page showing ``path``; every request other than the file itself is recorded and aborted."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(5000)
    opened = Opened(page)
    url = path.resolve().as_uri()
    page.on(
        "console", lambda message: opened.errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: opened.errors.append(str(error)))

    def route(request_route):
        if request_route.request.url == url:
            request_route.continue_()
        else:
            opened.requests.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(url)
    return opened
