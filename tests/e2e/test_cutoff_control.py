"""Real browser (Debian Chromium via Playwright): the tier cutoff control in cutoff_demo_app.py.

Skipped with the reason when Playwright or Chromium is missing, unless CI or REQUIRE_BROWSER=1
is set: then a missing browser fails the run.
"""

from __future__ import annotations

import json
import math
import time

import pytest

from tests.e2e.helpers import ARTIFACTS, AppServer

pytestmark = pytest.mark.e2e

APP = "tests/e2e/cutoff_demo_app.py"

PCT = '[data-testid="tier-cutoffs"][aria-label="Tier cutoffs"]'
MONEY = '[data-testid="tier-cutoffs"][aria-label="Money thresholds"]'
STEP = 0.5


# The session-wide `browser` fixture of tests/e2e/conftest.py (one Playwright per run).


def _server(tmp_path_factory, *args: str) -> AppServer:
    return AppServer(tmp_path_factory.mktemp("cutoff-server") / "streamlit.log", script=APP, args=args)


@pytest.fixture(scope="module")
def app_url(browser, tmp_path_factory):
    with _server(tmp_path_factory) as server:
        yield server.url


def _open(browser, url, width=1200, height=900, **ctx_kwargs):
    ctx = browser.new_context(viewport={"width": width, "height": height}, **ctx_kwargs)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.goto(url)
    page.locator(f'{PCT} [data-testid="cutoff-handle-2"]').wait_for()
    page.locator(f'{MONEY} [data-testid="cutoff-handle-2"]').wait_for()
    wait_json(page, "CUTS=", lambda v: v is not None)
    return ctx, page, errors


@pytest.fixture
def page(browser, app_url):
    ctx, pg, errors = _open(browser, app_url)
    yield pg
    ctx.close()
    assert not errors, errors


def read_json(page, prefix):
    loc = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text=prefix)
    if loc.count() != 1:
        return None
    text = loc.first.inner_text().strip()
    return json.loads(text[len(prefix):]) if text.startswith(prefix) else None


def wait_json(page, prefix, pred, timeout=20.0):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = read_json(page, prefix)
            if last is not None and pred(last):
                return last
        except Exception:  # a rerun can swap the element while it is read (or a half-written JSON)
            pass
        time.sleep(0.1)
    pytest.fail(f"{prefix} never matched; last seen {last!r}")


def close(a, b, tol=1e-9):
    return len(a) == len(b) and all(math.isclose(x, y, abs_tol=tol) for x, y in zip(a, b))


def snap(v, step=STEP):
    return math.floor(v / step + 0.5) * step


def handle(page, i, root=PCT):
    return page.locator(f'{root} [data-testid="cutoff-handle-{i}"]')


def track_box(page, root=PCT):
    return page.locator(f'{root} [data-testid="cutoff-track"]').bounding_box()


def drag_handle_to(page, i, x, root=PCT):
    """Drag handle i with the mouse so that its centre ends at page x; returns that x."""
    box = handle(page, i, root).bounding_box()
    sx, sy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(sx, sy)
    page.mouse.down()
    page.mouse.move(x, sy, steps=15)
    page.mouse.up()
    return x


def test_drag_handle_2_to_the_middle(page):
    tb = track_box(page)
    x = drag_handle_to(page, 2, tb["x"] + 0.5 * tb["width"])
    expected = snap((x - tb["x"]) / tb["width"] * 100)
    cuts = wait_json(page, "CUTS=", lambda v: v[:2] == [1, 5] and abs(v[2] - 20) > 1)
    assert cuts[:2] == [1, 5]
    assert abs(cuts[2] - expected) <= STEP, (cuts, expected)
    assert float(handle(page, 2).get_attribute("data-value")) == cuts[2]
    # The value label above the handle shows the released value with its unit.
    label = page.locator(f'{PCT} [data-testid="cutoff-label-2"]').inner_text()
    assert label == f"{cuts[2]:g}%"


def test_keyboard_arrows_and_shift_arrow(page):
    h = handle(page, 1)
    h.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    expected = 5 + 4 * STEP + 10 * STEP  # 12.0
    cuts = wait_json(page, "CUTS=", lambda v: v[1] != 5)
    assert close(cuts, [1, expected, 20]), cuts
    assert h.get_attribute("aria-valuenow") == "12"
    assert h.get_attribute("role") == "slider" and h.get_attribute("tabindex") == "0"
    # Home/End go to the neighbour limits (one step from each neighbour).
    page.keyboard.press("End")
    assert close(wait_json(page, "CUTS=", lambda v: v[1] != expected), [1, 20 - STEP, 20])
    page.keyboard.press("Home")
    assert close(wait_json(page, "CUTS=", lambda v: v[1] != 20 - STEP), [1, 1 + STEP, 20])


def test_a_handle_cannot_cross_its_neighbour(page):
    tb = track_box(page)
    drag_handle_to(page, 0, tb["x"] + 0.9 * tb["width"])
    cuts = wait_json(page, "CUTS=", lambda v: v[0] != 1)
    assert close(cuts, [5 - STEP, 5, 20]), cuts
    b0, b1 = handle(page, 0).bounding_box(), handle(page, 1).bounding_box()
    assert b0["x"] < b1["x"]
    # And the last one cannot leave the track: it stops one step before hi.
    drag_handle_to(page, 2, tb["x"] + tb["width"] + 200)
    cuts = wait_json(page, "CUTS=", lambda v: v[2] != 20)
    assert close(cuts, [5 - STEP, 5, 100 - STEP]), cuts


def test_python_override_moves_the_handles_and_a_later_release_still_counts(page):
    from playwright.sync_api import expect

    tb = track_box(page)
    drag_handle_to(page, 2, tb["x"] + 0.5 * tb["width"])
    first = wait_json(page, "CUTS=", lambda v: v[2] != 20)
    assert wait_json(page, "CHANGES=", lambda n: n == 1) == 1
    # Python changes the last cut only (like a precise number input): the handle follows.
    page.get_by_role("button", name="Set 1 / 5 / 40").click()
    assert wait_json(page, "CUTS=", lambda v: v == [1, 5, 40]) == [1, 5, 40]
    expect(handle(page, 2)).to_have_attribute("data-value", "40")
    # The browser's own state is still the value it released before; releasing exactly that
    # value again must reach Python (re-sync first, then the value) and count as one change.
    drag_handle_to(page, 2, tb["x"] + 0.5 * tb["width"])
    again = wait_json(page, "CUTS=", lambda v: v[2] != 40)
    assert close(again, first), (again, first)
    expect(handle(page, 2)).to_have_attribute("data-value", f"{first[2]:g}")
    assert wait_json(page, "CHANGES=", lambda n: n >= 2) == 2
    # Several handles at once.
    page.get_by_role("button", name="Set 2 / 10 / 40").click()
    assert wait_json(page, "CUTS=", lambda v: v == [2, 10, 40]) == [2, 10, 40]
    for i, v in enumerate(["2", "10", "40"]):
        expect(handle(page, i)).to_have_attribute("data-value", v)
    page.wait_for_timeout(300)
    assert read_json(page, "CHANGES=") == 2


def test_the_number_of_tiers_changes_under_the_same_key(page):
    from playwright.sync_api import expect

    page.get_by_role("button", name="Five tiers").click()
    assert wait_json(page, "CUTS=", lambda v: len(v) == 4) == [1, 5, 20, 50]
    expect(handle(page, 3)).to_have_attribute("data-value", "50")
    expect(page.locator(f'{PCT} [data-testid="cutoff-band-4"]')).to_have_count(1)
    tb = track_box(page)
    drag_handle_to(page, 3, tb["x"] + 0.75 * tb["width"])
    cuts = wait_json(page, "CUTS=", lambda v: len(v) == 4 and v[3] != 50)
    assert cuts[:3] == [1, 5, 20] and abs(cuts[3] - 75) <= STEP, cuts


def test_descending_log_thresholds(page):
    b = [handle(page, i, MONEY).bounding_box()["x"] for i in range(3)]
    assert b[0] < b[1] < b[2]  # handle 0 = highest threshold = top boundary, leftmost
    tb = track_box(page, MONEY)
    # log scale: 10,000 sits at log(10000/100)/log(200000/100) of the way from the right end
    q = math.log(10000 / 100) / math.log(200000 / 100)
    centre = b[1] + handle(page, 1, MONEY).bounding_box()["width"] / 2
    assert abs(centre - (tb["x"] + (1 - q) * tb["width"])) < 2
    h = handle(page, 0, MONEY)
    h.focus()
    page.keyboard.press("ArrowRight")  # visually right = a lower threshold
    assert wait_json(page, "MONEY=", lambda v: v[0] != 50000) == [49900, 10000, 2000]
    page.keyboard.press("ArrowUp")  # up = a higher value
    page.keyboard.press("ArrowUp")
    assert wait_json(page, "MONEY=", lambda v: v[0] != 49900) == [50100, 10000, 2000]
    assert page.locator(f'{MONEY} [data-testid="cutoff-label-0"]').inner_text() == "50,100 ¥"


def test_touch_drag_on_a_phone(browser, app_url):
    ctx, page, errors = _open(browser, app_url, width=390, height=844, has_touch=True, is_mobile=True,
                              device_scale_factor=2)
    try:
        tb = track_box(page)
        box = handle(page, 2).bounding_box()
        sx, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        tx = tb["x"] + 0.75 * tb["width"]
        cdp = ctx.new_cdp_session(page)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": sx, "y": y}]})
        for k in range(1, 11):
            cdp.send("Input.dispatchTouchEvent",
                     {"type": "touchMove", "touchPoints": [{"x": sx + (tx - sx) * k / 10, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        expected = snap((tx - tb["x"]) / tb["width"] * 100)
        cuts = wait_json(page, "CUTS=", lambda v: v[2] != 20)
        assert cuts[:2] == [1, 5] and abs(cuts[2] - expected) <= STEP, (cuts, expected)
    finally:
        ctx.close()
    assert not errors, errors


@pytest.mark.parametrize("width", [1200, 390])
def test_screenshots(browser, app_url, width):
    ctx, page, errors = _open(browser, app_url, width=width, height=900)
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        page.wait_for_timeout(500)  # let the label layout settle after the first paint
        page.screenshot(path=str(ARTIFACTS / f"cutoff-{width}.png"), full_page=True)
        root = page.locator(PCT)
        root.screenshot(path=str(ARTIFACTS / f"cutoff-{width}-control.png"))
        # Nothing clipped: every handle and label lies inside the control.
        rb = root.bounding_box()
        for i in range(3):
            for sel in (f'[data-testid="cutoff-handle-{i}"]', f'[data-testid="cutoff-label-{i}"]'):
                b = page.locator(f"{PCT} {sel}").bounding_box()
                assert rb["x"] - 0.5 <= b["x"] and b["x"] + b["width"] <= rb["x"] + rb["width"] + 0.5, (sel, b, rb)
        # Labels do not overlap each other.
        boxes = [page.locator(f'{PCT} [data-testid="cutoff-label-{i}"]').bounding_box() for i in range(3)]
        for a, b in zip(boxes, boxes[1:]):
            assert a["x"] + a["width"] <= b["x"] + 0.5 or a["y"] != b["y"], (a, b)
    finally:
        ctx.close()
    assert not errors, errors


def test_dark_theme_screenshot(browser, tmp_path_factory):
    with _server(tmp_path_factory, "--theme.base", "dark") as server:
        ctx, page, errors = _open(browser, server.url, width=390, height=900)
        try:
            page.wait_for_timeout(500)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "cutoff-390-dark.png"), full_page=True)
            color = page.locator(f'{PCT} [data-testid="cutoff-label-0"]').evaluate("e => getComputedStyle(e).color")
            assert color != "rgb(49, 51, 63)"  # the theme's (light) text colour, not the light default
        finally:
            ctx.close()
        assert not errors, errors
