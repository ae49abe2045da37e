"""Real browser on the default sample: the RFM and customer-kinds pages show the numbers tierlib
computes for the same data, in Chinese and in English."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import open_page, tall_shot, to_english, wait_idle
from tierlib import kinds, pipeline, rfm
from tierlib.engine import Engine
from ui import samples

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sample_customers():
    path = samples.sample_path(samples.DEFAULT_SAMPLE)
    return pipeline.load(path, filename=path.name, engine=Engine()).customers


def metric(page, label_start: str) -> str:
    """The value of the st.metric whose label starts with ``label_start`` (waits for it)."""
    loc = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label_start)).first
    loc.wait_for(timeout=60_000)
    return loc.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_rfm_page_shows_the_champions_tierlib_computes(page, app_url, sample_customers):
    res = rfm.compute(sample_customers)  # defaults: revenue, 5 scores, as of the last order
    champions, loyal = res.count("champions"), res.count("loyal")
    win_back = res.count("at_risk") + res.count("cant_lose")
    assert champions > 0 and loyal > 0

    open_page(page, app_url, "RFM 分析")
    assert metric(page, "冠军客户") == f"{champions:,}"
    assert metric(page, "忠诚客户") == f"{loyal:,}"
    assert metric(page, "待挽回") == f"{win_back:,}"
    assert metric(page, "参与打分的客户") == "2,000"
    page.get_by_text("截至 2024-12-31").first.wait_for()
    # The segment table lists the same count for Champions.
    table = page.locator('[data-testid="stTable"]').first
    row = table.locator("tbody tr").filter(has_text="冠军客户").first
    assert f"{champions:,}" in row.inner_text()
    tall_shot(page, "rfm-zh-desktop")
    page.get_by_role("tab", name="等级 × 客户群").click()
    page.get_by_text("显示每个等级内的占比").wait_for()
    tall_shot(page, "rfm-zh-tiers")

    to_english(page)
    assert metric(page, "Champions") == f"{champions:,}"
    page.get_by_role("tab", name="Segment rules").click()
    page.get_by_text("All 125 score combinations are named").wait_for()
    tall_shot(page, "rfm-en-rules")
    page.get_by_role("tab", name="R × F grid").click()
    tall_shot(page, "rfm-en-grid")


def test_kinds_page_shows_the_kinds_tierlib_computes(page, app_url, sample_customers):
    out = kinds.classify(sample_customers)  # median margin, revenue at the top-20% boundary
    counts = out["kind"].value_counts()
    profit, volume, other = (int(counts.get(k, 0)) for k in ("profit", "volume", "other"))
    assert profit + volume + other == 2000

    open_page(page, app_url, "客户类型")
    assert metric(page, "利润型") == f"{profit:,}"
    assert metric(page, "数量型") == f"{volume:,}"
    assert metric(page, "一般客户") == f"{other:,}"
    assert metric(page, "战略型") == "0"
    tall_shot(page, "kinds-zh-desktop")

    # Move the revenue slider one step with the keyboard: top 21% -> k = floor(0.21 * 2000 + 0.5) = 420.
    wait_idle(page)
    page.get_by_role("slider").nth(1).focus()
    page.keyboard.press("ArrowRight")
    rt = kinds.revenue_at_top_share(sample_customers, 0.21)
    volume21 = int((kinds.classify(sample_customers, revenue_threshold=rt)["kind"] == "volume").sum())
    assert volume21 >= volume
    page.wait_for_function(
        """(v) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
               m.innerText.includes('数量型')
               && m.querySelector('[data-testid="stMetricValue"]').innerText.trim() === v)""",
        arg=f"{volume21:,}", timeout=30_000)

    to_english(page)
    assert metric(page, "Volume-type") == f"{volume21:,}"
    page.get_by_role("tab", name="Manual tags").click()
    page.get_by_text("0 tagged").wait_for()
    # Tick "strategic" for the first row: the customer with the highest revenue (volume-type at
    # these thresholds). The grid is a canvas; select the last column's cell, then Space toggles it.
    top = sample_customers.sort_values("revenue", ascending=False)["customer_id"].iloc[0]
    tagged = kinds.classify(sample_customers, revenue_threshold=rt, tags={top: ["strategic"]})["kind"]
    assert (tagged == "strategic").sum() == 1 and (tagged == "volume").sum() == volume21 - 1
    grid = page.locator('[data-testid="stDataFrame"]:visible').first
    grid.wait_for()
    wait_idle(page)
    page.wait_for_timeout(1500)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 60, box["y"] + 35 + 17)  # select the cell
    page.wait_for_timeout(600)
    page.keyboard.press(" ")  # toggle it
    page.get_by_text("1 tagged").wait_for(timeout=30_000)
    assert metric(page, "Strategic-type") == "1"
    assert metric(page, "Volume-type") == f"{volume21 - 1:,}"
    tall_shot(page, "kinds-en-tags")


def test_editing_a_rule_shows_the_gap_it_leaves(page, app_url, sample_customers):
    # Raising Lost's F min from 1 to 2 leaves R1 F1 M1..M5 without a rule (cant_lose and at_risk
    # need F >= 2): 5 of 125 combinations; their customers, counted by tierlib, become unclassified.
    rules = rfm.default_rules(5)
    rules[-1]["f"] = [2, 5]
    res = rfm.compute(sample_customers, rules=rules)
    gap = int((res.frame["segment"] == rfm.UNCLASSIFIED).sum())
    assert rfm.coverage(rules, 5).gaps == [(1, 1, m) for m in range(1, 6)]

    open_page(page, app_url, "RFM 分析")
    page.get_by_role("tab", name="分群规则").click()
    page.get_by_text("全部 125 种得分组合").wait_for()
    grid = page.locator('[data-testid="stDataFrame"]:visible').first
    grid.wait_for()
    wait_idle(page)
    page.wait_for_timeout(1500)  # let the canvas grid settle before keyboard input
    box = grid.bounding_box()
    # The grid is a canvas: click the first rule's code cell (past the row-marker column), then
    # walk with the keyboard to Lost (row 11) / F min (4 columns right) and type the new value.
    page.mouse.click(box["x"] + 100, box["y"] + 35 + 17)
    page.wait_for_timeout(500)
    for _ in range(10):
        page.keyboard.press("ArrowDown")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.keyboard.type("2")
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    alert = page.get_by_text("有 5 种得分组合（共 125 种）没有任何规则覆盖")
    alert.wait_for(timeout=30_000)
    assert f"其中的 {gap:,} 位客户被归为“未归类”" in alert.inner_text()
    assert "R1F1M1, R1F1M2, R1F1M3, R1F1M4, R1F1M5" in alert.inner_text()
    tall_shot(page, "rfm-zh-rules-gap")
    page.get_by_role("button", name="恢复默认规则").click()
    page.get_by_text("全部 125 种得分组合").wait_for()
