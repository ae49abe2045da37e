"""Real-browser fixtures: a Streamlit server on loopback and Debian's Chromium via Playwright.

The browser tests are required when CI is set or REQUIRE_BROWSER=1: a missing browser then
fails the run. Elsewhere they are skipped with the reason shown by ``pytest -ra``.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.e2e.helpers import AppServer

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRED = bool(os.environ.get("CI")) or os.environ.get("REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def _missing_browser_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    # Required: the browser_ok fixture fails each test loudly. Optional: skip with the reason.
    reason = _missing_browser_reason()
    if reason is None or REQUIRED:
        return
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {reason}"))


@pytest.fixture(scope="session")
def browser_ok():
    reason = _missing_browser_reason()
    if reason is not None:
        pytest.fail(f"browser tests are required here (CI/REQUIRE_BROWSER) but {reason}")


@pytest.fixture(scope="session")
def app_url(browser_ok, tmp_path_factory):
    """One Streamlit server on app.py for the whole run."""
    with AppServer(tmp_path_factory.mktemp("server") / "streamlit.log") as server:
        yield server.url


@pytest.fixture(scope="session")
def browser(browser_ok):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()
