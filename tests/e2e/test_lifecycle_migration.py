"""Real browser on the real app: the lifecycle page on an uploaded hand-made order list and the
migration page on the default sample, in Chinese and in English, with screenshots."""

import re

import pytest

from tests import test_lifecycle
from tests.e2e.helpers import metric_values, nav, tall_shot, to_english, wait_metric

pytestmark = pytest.mark.e2e

def table_rows(page, index: int = 0) -> list[list[str]]:
    table = page.locator('[data-testid="stTable"]').nth(index)
    table.wait_for()
    head = [c.strip() for c in table.locator("thead tr").first.locator("th, td").all_inner_texts()]
    body = [[c.strip() for c in tr.locator("td, th").all_inner_texts()] for tr in table.locator("tbody tr").all()]
    return [head, *body]


def test_lifecycle_page_stage_counts_in_both_languages(page, app_url, tmp_path):
    src = test_lifecycle.write_orders(tmp_path / "lifecycle_orders.csv", test_lifecycle.ORDERS)
    page.goto(app_url + "/data")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(src))
    page.get_by_text(re.compile("已加载 lifecycle_orders.csv")).wait_for(timeout=60_000)
    nav(page, "生命周期与流失预警")
    # tests/test_lifecycle.py: exploration B, C, J; formation F, G; stability H; decline D, E;
    # lost A (345 days > 3 x 10) and I (one order 365 days ago > 3 x the typical gap 30).
    wait_metric(page, "流失", "2")
    got = metric_values(page)
    assert [got[s] for s in ("考察期", "形成期", "稳定期", "衰退期", "流失")] == ["3", "2", "1", "2", "2"]
    rules = table_rows(page, 0)
    assert rules[1][1] == "流失" and rules[1][2] == "距上次下单的天数 > 3 × 平常间隔"
    assert tall_shot(page, "lifecycle-zh").stat().st_size > 10_000

    page.get_by_role("tab", name="流失预警").click()
    # A, D, E and I are flagged (see tests/app/test_lifecycle_migration_pages.py).
    wait_metric(page, "预警客户", "4")
    tall_shot(page, "lifecycle-churn-zh")

    to_english(page)
    wait_metric(page, "Lost", "2")
    got = metric_values(page)
    assert [got[s] for s in ("Exploration", "Formation", "Stability", "Decline", "Lost")] == ["3", "2", "1", "2", "2"]
    assert tall_shot(page, "lifecycle-en").stat().st_size > 10_000


def test_migration_matrix_total_is_the_number_of_customers(page, app_url):
    page.goto(app_url + "/")
    page.get_by_role("heading", name="客户分级", exact=True).wait_for(timeout=60_000)
    nav(page, "等级迁移")
    page.get_by_text("迁移矩阵：客户数").wait_for(timeout=60_000)
    rows = table_rows(page, 0)
    head, body = rows[0], rows[1:]
    assert head[1:] == ["重要客户", "次要客户", "普通客户", "小客户", "未活跃", "合计"]
    assert [r[0] for r in body] == ["重要客户", "次要客户", "普通客户", "小客户", "未活跃", "合计"]
    # Every customer of the 2,000-customer sample is in one cell: the grand total.
    assert body[-1][-1] == "2,000"
    wait_metric(page, "客户数", "2,000")
    cells = [[int(v.replace(",", "")) for v in r[1:6]] for r in body[:5]]
    assert [sum(r) for r in cells] == [int(r[-1].replace(",", "")) for r in body[:5]]
    assert cells[4][4] == 0  # nobody is inactive in both periods
    # Pyramid 1/5/20% in the later period: the column totals of the tiers are the tier sizes of
    # round(N_later x 1%), ... where N_later = 2,000 - the inactive column.
    n_later = 2000 - int(body[-1][5].replace(",", ""))
    top = int(body[-1][1].replace(",", ""))
    assert top == int(n_later * 0.01 + 0.5)
    tall_shot(page, "migration-zh")
    page.get_by_role("tab", name="流向图").click()
    page.locator('[data-testid="stPlotlyChart"] .sankey').first.wait_for(timeout=30_000)
    tall_shot(page, "migration-sankey-zh")

    to_english(page)
    page.get_by_text("Transition matrix: customers").wait_for(timeout=60_000)
    rows = table_rows(page, 0)
    # The tier names are the ones the tiers page keeps for this session; the rest is English.
    assert rows[0][-2:] == ["Inactive", "Total"] and rows[-1][0] == "Total"
    assert rows[-1][-1] == "2,000"
    tall_shot(page, "migration-en")
