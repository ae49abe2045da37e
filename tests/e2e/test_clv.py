"""Real browser: open the CLV page from the sidebar on the default workwear sample and read the
visible numbers.

Hand counts from the sample file (tests/app/test_clv_page.py computes them with pandas): 2,000
customers, 1,832 with purchases on two or more distinct days; default holdout from 2024-01-03 to
2024-12-31 (364 days): 1,738 customers bought by 2024-01-02, on 5,425 distinct customer-days after.
"""

import pytest

from tests.e2e.helpers import metric_values, nav, shot

pytestmark = pytest.mark.e2e


def test_clv_page_in_the_browser(page, app_url):
    page.goto(app_url)
    nav(page, "终身价值")
    page.get_by_text("模型中的客户").wait_for(timeout=60_000)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
    m = metric_values(page)
    assert m["模型中的客户"] == "2,000"
    assert m["有复购的客户"] == "1,832"
    assert page.get_by_role("heading", name="客户终身价值").is_visible()
    shot(page, "clv-zh-tiers")

    page.get_by_role("tab", name="模型检验").click()
    page.get_by_text("实际复购次数（364 天）").wait_for()
    m = metric_values(page)
    assert m["校准期客户"] == "1,738"
    assert m["实际复购次数（364 天）"] == "5,425"
    page.wait_for_timeout(800)  # let the tracking charts draw before the screenshot
    shot(page, "clv-zh-check")

    page.get_by_role("tab", name="简易算法").click()
    page.get_by_text("年留存率 r（%）").wait_for()
    shot(page, "clv-zh-simple")
    page.get_by_role("tab", name="模型与约定").click()
    page.get_by_text("约定").first.wait_for()
    shot(page, "clv-zh-model")
