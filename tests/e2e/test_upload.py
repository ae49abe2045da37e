"""Real browser: upload an .xlsx with a title row and Chinese headers, read the tier table."""

import datetime as dt
import re

import pytest
import xlsxwriter

from tests.e2e.helpers import shot

pytestmark = pytest.mark.e2e


def make_xlsx(path):
    """50 customers K01..K50 with profit 10*(51-i) and revenue 3x profit, under a merged title.

    By hand with cuts 1/5/20 over N=50: bounds floor(0.5+0.5)=1, floor(2.5+0.5)=3,
    floor(10+0.5)=10, so VIP = {K01}: 500; Major = {K02,K03}: 490+480 = 970;
    Ordinary = {K04..K10}: 470+...+410 = 3,080; Small = the other 40: 12,750-4,550 = 8,200.
    """
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("订单")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.merge_range(0, 0, 0, 5, "测试公司 2024 年订单明细")
    headers = ["订单号", "下单日期", "客户编号", "客户名称", "销售金额", "成本"]
    ws.write_row(2, 0, headers)
    for i in range(1, 51):
        profit = 10 * (51 - i)
        row = 2 + i
        ws.write(row, 0, f"SO{i:04d}")
        ws.write_datetime(row, 1, dt.datetime(2024, 1, 1) + dt.timedelta(days=i), date_fmt)
        ws.write(row, 2, f"K{i:02d}")
        ws.write(row, 3, f"测试客户{i:02d}")
        ws.write_number(row, 4, 3 * profit)
        ws.write_number(row, 5, 2 * profit)
    wb.close()


def tier_rows(page):
    table = page.locator('[data-testid="stTable"]').first
    table.wait_for()
    rows = []
    for tr in table.locator("tbody tr").all():
        rows.append([c.strip() for c in tr.locator("td, th").all_inner_texts()])
    return rows


def test_upload_xlsx_with_title_row_and_chinese_headers(page, app_url, tmp_path):
    src = tmp_path / "订单测试.xlsx"
    make_xlsx(src)
    page.goto(app_url + "/data")
    page.get_by_text("数据来源").wait_for()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(src))
    page.get_by_text(re.compile("已加载 订单测试.xlsx")).wait_for(timeout=60_000)
    body = page.locator("body").inner_text()
    assert "读取 50 行，使用 50 行，拒绝 0 行，共 50 位客户" in body
    shot(page, "data-zh-desktop")
    # Navigate inside the app (a full page load would start a new browser session).
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="客户分级").click()
    page.get_by_text("等级汇总").wait_for()
    rows = tier_rows(page)
    by_name = {r[0]: r for r in rows}
    assert by_name["重要客户"][1] == "1" and "500.00" in by_name["重要客户"]
    assert by_name["次要客户"][1] == "2" and "970.00" in by_name["次要客户"]
    assert by_name["普通客户"][1] == "7" and "3,080.00" in by_name["普通客户"]
    assert by_name["小客户"][1] == "40" and "8,200.00" in by_name["小客户"]
    assert by_name["合计"][1] == "50" and "12,750.00" in by_name["合计"]
    shot(page, "tiers-zh-desktop-upload")


@pytest.mark.parametrize("lang, width", [("zh", 1400), ("en", 1400), ("zh", 390), ("en", 390)])
def test_screenshots_of_the_sample_in_both_languages(browser, app_url, lang, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900},
                              locale="zh-CN" if lang == "zh" else "en-US")
    page = ctx.new_page()
    try:
        page.goto(app_url + "/")  # the default page lives at the root URL
        heading = "客户分级" if lang == "zh" else "Customer tiers"
        page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=60_000)
        rows = tier_rows(page)
        names = [r[0] for r in rows[:4]]
        assert names == (["重要客户", "次要客户", "普通客户", "小客户"] if lang == "zh"
                         else ["VIP", "Major", "Ordinary", "Small"])
        assert [r[1] for r in rows[:4]] == ["20", "80", "300", "1,600"]
        path = shot(page, f"tiers-{lang}-{'phone' if width < 600 else 'desktop'}")
        assert path.stat().st_size > 10_000
    finally:
        ctx.close()
