"""Real browser: pickers keep their choice across a language switch. Streamlit 1.67 stores a keyed
picker's value as its label, so a picker keyed the same in both languages showed no selection
after the switch and ignored clicks (seen on the Data page's "Data source" radio)."""

from __future__ import annotations

import time

import pytest

from tests.e2e.helpers import SIDEBAR, choose, nav, shot, to_english, wait_idle

pytestmark = pytest.mark.e2e

RADIO = '[data-testid="stRadio"]'


CHECKED_JS = f"""() => [...document.querySelectorAll('{RADIO} input[type=radio]')]
                        .filter(i => i.checked).map(i => i.closest('label').innerText.trim())"""


def checked(page, expected: list[str], timeout_s: float = 30) -> list[str]:
    """The labels of the checked options of every radio group, once they equal ``expected`` (the
    checked state is set a moment after the run ends); what they are at the timeout otherwise."""
    until = time.monotonic() + timeout_s
    while True:
        got = page.evaluate(CHECKED_JS)
        if got == expected or time.monotonic() > until:
            return got
        page.wait_for_timeout(200)


def test_data_source_and_tier_filter_survive_a_language_switch(page, app_url):
    page.goto(app_url)
    page.get_by_role("heading", name="客户分级").first.wait_for(timeout=60_000)
    nav(page, "数据")
    page.get_by_role("heading", name="数据").first.wait_for(timeout=60_000)
    wait_idle(page)
    assert checked(page, ["上传文件"]) == ["上传文件"]

    to_english(page)
    page.get_by_role("heading", name="Data").first.wait_for(timeout=60_000)
    wait_idle(page)
    assert checked(page, ["Upload a file"]) == ["Upload a file"]
    page.locator(RADIO).get_by_text("Sample data").click()
    page.get_by_role("combobox", name="Pick a sample data set").wait_for(timeout=60_000)
    wait_idle(page)
    assert checked(page, ["Sample data"]) == ["Sample data"]
    choose(page, "Pick a sample data set", "Online shop transactions (with returns, English headers, csv)")

    # Back to Chinese: the same source and the same sample, in Chinese.
    page.locator(SIDEBAR).get_by_role("radio", name="中文").click()
    page.get_by_role("heading", name="数据").first.wait_for(timeout=60_000)
    wait_idle(page)
    assert checked(page, ["示例数据"]) == ["示例数据"]
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="选择示例数据")
    shown = box.evaluate("""b => b.innerText + ' | ' + [...b.querySelectorAll('input')].map(i => i.value).join(' | ')
                                + ' | ' + [...b.querySelectorAll('[title]')].map(e => e.title).join(' | ')""")
    assert "网店交易（含退货，英文表头，csv）" in shown
    shot(page, "data-source-after-switch-zh")

    # The tier filter of the customer grid: VIP tier picked in Chinese stays picked in English.
    nav(page, "客户分级")
    page.get_by_role("tab", name="客户明细").click()
    wait_idle(page)
    choose(page, "只看等级", "重要客户")
    page.get_by_text("显示 20 / 20 位客户").wait_for(timeout=60_000)
    to_english(page)
    page.get_by_role("tab", name="Customers").click()
    page.get_by_text("Showing 20 of 20 customers").wait_for(timeout=60_000)
