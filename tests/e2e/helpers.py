"""Helpers for browser tests: screenshots, a Streamlit server, and the moves every page test
makes (open a page from the sidebar, switch the language, read metrics, pick a selectbox option)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
NAV = '[data-testid="stSidebarNav"]'
SIDEBAR = '[data-testid="stSidebar"]'
METRIC = '[data-testid="stMetric"]'


def shot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def tall_shot(page, name: str, max_height: int = 12_000, settle_ms: int = 800) -> Path:
    """A screenshot of the whole page. Streamlit scrolls inside its main area (a full-page shot
    of the document stops at the viewport), so the viewport is first made as tall as that area's
    content (at most ``max_height``), then put back, whatever happens."""
    size = page.viewport_size
    height = page.evaluate("""() => { const m = document.querySelector('[data-testid="stMain"]');
                                       return m ? m.scrollHeight : document.body.scrollHeight; }""")
    page.set_viewport_size({"width": size["width"], "height": min(max(int(height), size["height"]), max_height)})
    page.wait_for_timeout(settle_ms)  # charts and canvas grids redraw for the new height
    try:
        return shot(page, name)
    finally:
        page.set_viewport_size(size)
        # Two frames: the layout for the restored size is done before the test goes on.
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def nav(page, title: str) -> None:
    """Open a page of the app by clicking its sidebar link (a full page load would start a new
    session and lose the uploaded data)."""
    page.locator(NAV).get_by_role("link", name=title).click()


def open_page(page, app_url: str, title: str, ready: str | None = None) -> None:
    """Open the app in a new session (the default sample loads), then the page ``title``;
    with ``ready``, wait for that text of the first page (e.g. its tier table) before."""
    page.goto(app_url)
    if ready is None:
        page.locator(NAV).wait_for(timeout=60_000)
    else:
        page.get_by_text(ready).first.wait_for(timeout=60_000)
    nav(page, title)


def to_english(page) -> None:
    """Switch the UI to English (the sidebar's language switch: a segmented control whose
    options are radio buttons)."""
    page.locator(SIDEBAR).get_by_role("radio", name="English").click()


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until the app's script run is over (Streamlit marks its root with the run state)."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        state="attached", timeout=timeout)


def wait_metric(page, label: str, value: str, timeout: float = 60_000) -> None:
    """Wait until the metric ``label`` shows ``value`` (elements update one by one in a rerun)."""
    page.wait_for_function(
        """([label, value]) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
               m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === label &&
               m.querySelector('[data-testid="stMetricValue"]')?.innerText.trim() === value)""",
        arg=[label, value], timeout=timeout)


def metric_values(page) -> dict[str, str]:
    """{label: value} of the metrics on the page now."""
    out = {}
    for m in page.locator(METRIC).all():
        label = m.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        out[label] = m.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return out


def choose(page, label: str, option, tries: int = 3) -> None:
    """Pick ``option`` (its text, or a compiled regex) in the selectbox labelled ``label``.

    A click on a selectbox while the page is still being drawn can miss it: widgets above it
    grow once their labels are drawn (a radio grows by a line), so the point Playwright computed
    is no longer on the box and the option list never opens. So wait until the script run is
    over, click the box's input, and wait for its option list itself; open it again if it did
    not appear.
    """
    box = page.get_by_role("combobox", name=label, exact=True)
    options = page.get_by_role("listbox", name=label)  # named "<label> Open" (its button) too
    for attempt in range(tries):
        wait_idle(page)
        box.click()
        try:
            options.wait_for(state="visible", timeout=5_000)
            break
        except Exception:
            if attempt == tries - 1:
                raise
            page.keyboard.press("Escape")
    options.get_by_role("option", name=option).click()
    options.wait_for(state="hidden")


class AppServer:
    """A Streamlit server for ``script`` (app.py by default) on a free loopback port; ``args``
    go to ``streamlit run`` (e.g. ``["--theme.base", "dark"]``). Use as a context manager:
    ``with AppServer(log) as server: page.goto(server.url)``."""

    def __init__(self, log_path, env_extra: dict | None = None, port: int | None = None,
                 script: str | Path = "app.py", args: list[str] | tuple[str, ...] = ()):
        import socket

        self.log_path = Path(log_path)
        self.env_extra = env_extra or {}
        self.script = ROOT / script
        self.args = list(args)
        if port is None:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.proc = None

    def __enter__(self):
        import os
        import subprocess
        import sys
        import time
        import urllib.request

        env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", "PYTHONUNBUFFERED": "1",
               **self.env_extra}
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(self.script), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", *self.args],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self.__exit__(None, None, None)
                raise RuntimeError("streamlit exited early:\n" + self.log_path.read_text(errors="replace"))
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError("streamlit did not become healthy:\n" + self.log_path.read_text(errors="replace"))

    def __exit__(self, *exc):
        import subprocess

        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if not self._log.closed:
            self._log.close()
        return False
