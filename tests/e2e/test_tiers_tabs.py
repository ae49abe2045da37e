"""Real browser: the tiers page's tabs run lazily (only the open tab is computed and sent), and
each tab still works when opened: the customer grid with its tier filter, the curves, the export
panel's CSV download - in zh and after switching to English."""

from __future__ import annotations

import csv
import io

import pytest

from tests.e2e.helpers import nav, shot, to_english, wait_idle
from tests.e2e.test_report_learn import download

pytestmark = pytest.mark.e2e

GRID = '[data-testid="stDataFrame"]'
CHART = '[data-testid="stPlotlyChart"]'
TABLE = '[data-testid="stTable"]'


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_idle(page)


def test_tiers_tabs_are_lazy_and_work(page, app_url, tmp_path):
    page.goto(app_url)  # a new session grades the default sample: 2,000 workwear customers
    page.get_by_role("heading", name="客户分级").first.wait_for(timeout=60_000)
    page.locator(TABLE).first.wait_for(timeout=60_000)
    wait_idle(page)
    # The first tab is open: the tier table is there, the grid and the curves are not sent.
    assert page.locator(GRID).count() == 0
    assert page.locator(CHART).count() == 1  # the pyramids above the tabs only

    open_tab(page, "客户明细")
    page.locator(GRID).first.wait_for(timeout=60_000)
    page.get_by_text("显示 2,000 / 2,000 位客户").wait_for(timeout=60_000)
    assert page.locator(TABLE).count() == 0  # the tier table's tab is closed now
    # The grid lists every customer of "全部" (all tiers); the default pyramid's VIP tier is the
    # top 1 % of 2,000 = 20 customers (tiers.grade, floor(2000 * 1 / 100 + 1/2)).
    page.get_by_label("只看等级").click()
    page.get_by_role("option", name="重要客户").click()
    page.get_by_text("显示 20 / 20 位客户").first.wait_for(timeout=60_000)
    search = page.get_by_label("搜索客户（编号或名称）")
    search.fill("zz-no-such-customer")
    search.press("Enter")
    page.get_by_text("显示 0 / 0 位客户").wait_for(timeout=60_000)
    shot(page, "tiers-tab-customers")

    open_tab(page, "集中度曲线")
    page.locator(CHART).nth(2).wait_for(timeout=60_000)  # pyramids + Lorenz + whale
    assert page.locator(GRID).count() == 0
    # Back on the grid, the tier filter and the search are as they were.
    open_tab(page, "客户明细")
    page.get_by_text("显示 0 / 0 位客户").wait_for(timeout=60_000)
    assert search.input_value() == "zz-no-such-customer"
    search.fill("")
    search.press("Enter")
    page.get_by_text("显示 20 / 20 位客户").first.wait_for(timeout=60_000)

    open_tab(page, "导出与分享")
    path = download(page, "下载客户分级（CSV）", tmp_path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(io.StringIO(fh.read())))
    assert len(rows) == 1 + 2000

    open_tab(page, "等级汇总")
    page.locator(TABLE).first.wait_for(timeout=60_000)

    # English: the tabs are labelled anew and start on the tier table again.
    to_english(page)
    page.get_by_role("tab", name="Tier table").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.locator(TABLE).count() == 1
    open_tab(page, "Customers")
    page.locator(GRID).first.wait_for(timeout=60_000)
    shot(page, "tiers-tab-customers-en")
