"""Two browser sessions on one server never see each other's data."""

import re

import pytest

from tests.e2e.test_upload import make_xlsx

pytestmark = pytest.mark.e2e


def test_two_sessions_keep_their_own_uploads(browser, app_url, tmp_path):
    a_src, b_src = tmp_path / "alpha.csv", tmp_path / "beta.xlsx"
    a_src.write_text("客户编号,销售额,利润\nA1,100,40\nA2,300,90\nA3,50,5\n", encoding="utf-8")
    make_xlsx(b_src)  # 50 customers
    ctx_a = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    ctx_b = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    try:
        pa, pb = ctx_a.new_page(), ctx_b.new_page()
        for pg, src in ((pa, a_src), (pb, b_src)):
            pg.set_default_timeout(60_000)
            pg.goto(app_url + "/data")
            pg.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(src))
            pg.get_by_text(re.compile(f"已加载 {src.name}")).wait_for()
        for pg, name, n in ((pa, "alpha.csv", "3 位客户"), (pb, "beta.xlsx", "50 位客户")):
            pg.reload()  # each session restores its own workspace from its own link
            side = pg.locator('[data-testid="stSidebar"]')
            side.get_by_text(re.compile(name)).wait_for()
            text = side.inner_text()
            assert name in text and n in text
            other = "beta.xlsx" if name == "alpha.csv" else "alpha.csv"
            assert other not in pg.locator("body").inner_text()
        assert re.search(r"ws=([\w-]{22})", pa.url).group(1) != re.search(r"ws=([\w-]{22})", pb.url).group(1)
    finally:
        ctx_a.close()
        ctx_b.close()
