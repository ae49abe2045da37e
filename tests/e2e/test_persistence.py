"""Real browser: a workspace survives a refresh and a server restart, and can be deleted."""

import re

import pytest

from tests.e2e.helpers import AppServer, shot
from tests.e2e.test_upload import make_xlsx, tier_rows

pytestmark = pytest.mark.e2e


def test_refresh_and_restart_keep_the_workspace(browser, tmp_path):
    data_dir = tmp_path / "workspaces"
    env = {"CUSTOMER_PYRAMID_DATA_DIR": str(data_dir)}
    src = tmp_path / "keep.xlsx"
    make_xlsx(src)
    ctx = browser.new_context(viewport={"width": 1300, "height": 1000}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    try:
        with AppServer(tmp_path / "s1.log", env) as srv:
            page.goto(srv.url + "/data")
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(src))
            page.get_by_text(re.compile("已加载 keep.xlsx")).wait_for(timeout=60_000)
            page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="客户分级").click()
            page.get_by_role("tab", name="等级汇总").click()
            # Move the 20% cutoff to 50% with the precise input: Ordinary = K04..K25 = 22 customers.
            page.get_by_text("精确分界点").click()
            box = page.get_by_label("第 3 个分界点 %")
            box.fill("50")
            box.press("Enter")
            page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stTable"] tbody tr')]
                .some(tr => tr.innerText.startsWith('普通客户') && tr.innerText.includes('22'))""")
            page.wait_for_timeout(500)
            url = page.url
            assert re.search(r"[?&]ws=[A-Za-z0-9_-]{22}", url)
            wid = re.search(r"ws=([A-Za-z0-9_-]{22})", url).group(1)
            assert (data_dir / wid / "source.bin").exists()

            page.reload()  # a refresh is a new browser session
            page.get_by_role("tab", name="等级汇总").click()
            rows = {r[0]: r for r in tier_rows(page)}
            assert rows["普通客户"][1] == "22" and rows["合计"][1] == "50"
            assert "keep.xlsx" in page.locator('[data-testid="stSidebar"]').inner_text()
        path = url.split("?", 1)[1]

        with AppServer(tmp_path / "s2.log", env) as srv2:  # a server restart
            page.goto(f"{srv2.url}/?{path}")
            page.get_by_role("tab", name="等级汇总").click()
            rows = {r[0]: r for r in tier_rows(page)}
            assert rows["普通客户"][1] == "22" and rows["小客户"][1] == "25"
            assert "keep.xlsx" in page.locator('[data-testid="stSidebar"]').inner_text()
            shot(page, "workspace-restored-zh")
            # Delete the workspace: its folder goes, the sample data come back.
            page.locator('[data-testid="stSidebar"]').get_by_text("工作区", exact=True).click()
            page.get_by_role("button", name=re.compile("删除此工作区")).click()
            page.get_by_text(re.compile("示例数据：")).wait_for()
            assert not (data_dir / wid).exists()
    finally:
        ctx.close()
