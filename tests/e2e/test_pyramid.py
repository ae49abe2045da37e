"""Real browser on the real app: drag a cutoff with the mouse, move one with the keyboard, and
read the new tier counts and profit in the tier table and on a pyramid label."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import shot
from tests.e2e.test_upload import make_xlsx, tier_rows

pytestmark = pytest.mark.e2e


def row(page, name):
    return {r[0]: r for r in tier_rows(page)}[name]


def wait_row(page, name, customers, timeout=30_000):
    """Wait until the tier table shows ``customers`` in the row ``name``."""
    page.wait_for_function(
        """([name, n]) => [...document.querySelectorAll('[data-testid="stTable"] tbody tr')]
               .some(tr => { const c = [...tr.querySelectorAll('td,th')].map(x => x.innerText.trim());
                             return c[0] === name && c[1] === n; })""",
        arg=[name, customers], timeout=timeout)


def pyramid_texts(page):
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')][0]
                                   ? [...document.querySelectorAll('[data-testid="stPlotlyChart"]')][0]
                                       .querySelectorAll('text').values().map(t => t.textContent).toArray()
                                   : []""")


def test_drag_and_keyboard_on_the_pyramid_page(page, app_url, tmp_path):
    src = tmp_path / "pyramid.xlsx"
    make_xlsx(src)  # 50 customers, profit 10*(51-i): see make_xlsx for the hand computation
    page.goto(app_url + "/data")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(src))
    page.get_by_text(re.compile("已加载 pyramid.xlsx")).wait_for(timeout=60_000)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="客户分级").click()
    page.get_by_text("等级汇总").first.wait_for()
    page.get_by_role("tab", name="等级汇总").click()
    wait_row(page, "普通客户", "7")

    # 1) Mouse: drag the third handle (20%) to 50% of the track. With N=50 the boundary becomes
    # floor(50*50/100 + 1/2) = 25 (any drop between 49% and 50.5% gives 25), so Ordinary holds
    # K04..K25 = 22 customers with profit 10*(47+...+26) = 8,030, and Small K26..K50 = 25
    # customers with 10*(25+...+1) = 3,250.
    track = page.locator('[data-testid="cutoff-track"]').bounding_box()
    h = page.locator('[data-testid="cutoff-handle-2"]').bounding_box()
    page.mouse.move(h["x"] + h["width"] / 2, h["y"] + h["height"] / 2)
    page.mouse.down()
    page.mouse.move(track["x"] + track["width"] * 0.5, h["y"] + h["height"] / 2, steps=12)
    page.mouse.up()
    wait_row(page, "普通客户", "22")
    assert "8,030.00" in row(page, "普通客户")
    assert row(page, "小客户")[1] == "25" and "3,250.00" in row(page, "小客户")
    body = page.locator("body").inner_text()
    # Sensitivity: K11..K25 moved from Small to Ordinary: 15 customers, 10*(40+...+26) = 4,950.
    assert "15 位客户（30.0%）换了等级，涉及利润 4,950.00" in body

    # 2) Keyboard: focus the second handle (5%) and press ArrowRight 4 times: 5 + 4 x 0.5 = 7%,
    # boundary floor(3.5 + 1/2) = 4, so Major holds K02..K04 = 3 customers, 490+480+470 = 1,440.
    page.locator('[data-testid="cutoff-handle-1"]').focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    wait_row(page, "次要客户", "3")
    assert "1,440.00" in row(page, "次要客户")
    assert row(page, "普通客户")[1] == "21" and "7,560.00" in row(page, "普通客户")
    # The pyramid labels follow: "3 位 / 6.0%" on the count side, "1,440 / 11.3%" on the profit side
    # (two lines of one SVG text: their textContent runs together).
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] text')]
                 .some(t => t.textContent.includes('1,44011.3%'))""", timeout=30_000)
    texts = " ".join(pyramid_texts(page))
    assert "3 位6.0%" in texts
    # The precise input shows the same value.
    page.get_by_text("精确分界点").click()
    assert page.get_by_label("第 2 个分界点 %").input_value() == "7.00"
    shot(page, "pyramid-zh-after-drag")

    # 3) Type 11 into the precise input: boundary floor(5.5 + 1/2) = 6, Major K02..K06 = 5
    # customers, 490+480+470+460+450 = 2,350. The drag handle must follow at once, so that one
    # ArrowLeft from it gives 10.5% (boundary floor(5.25 + 1/2) = 5: Major 4, 1,900), not a step
    # from the stale 7% (6.5%: Major 2).
    box = page.get_by_label("第 2 个分界点 %")
    box.fill("11")
    box.press("Enter")
    wait_row(page, "次要客户", "5")
    assert "2,350.00" in row(page, "次要客户")
    handle = page.locator('[data-testid="cutoff-handle-1"]')
    expect(handle).to_have_attribute("data-value", "11", timeout=30_000)  # in the shadow DOM
    handle.focus()
    page.keyboard.press("ArrowLeft")
    wait_row(page, "次要客户", "4")
    assert "1,900.00" in row(page, "次要客户")
    page.wait_for_function(
        """() => [...document.querySelectorAll('input')].some(i => i.getAttribute('aria-label') === '第 2 个分界点 %'
                                                                 && i.value === '10.50')""", timeout=30_000)
