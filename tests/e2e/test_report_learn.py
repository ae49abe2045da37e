"""Real browser: export both report kinds from the Reports page (sample data, no upload), open
the HTML offline with its charts drawn, read the workbook back; the Learn page in zh and en,
desktop and phone, with the exercise revealed."""

from __future__ import annotations

import re

import openpyxl
import pytest

from tests.e2e.helpers import ARTIFACTS, nav, shot, tall_shot
from tierlib import i18n, report

pytestmark = pytest.mark.e2e


def download(page, label: str, dest_dir):
    button = page.locator('[data-testid="stDownloadButton"]').get_by_role("button", name=label)
    try:
        button.wait_for(timeout=120_000)
    except Exception:
        shot(page, "report-download-missing")  # what the page showed instead
        raise
    with page.expect_download(timeout=120_000) as info:
        button.click()
    dl = info.value
    path = dest_dir / dl.suggested_filename
    dl.save_as(path)
    return path


def test_reports_export_html_offline_and_workbook(page, browser, app_url, tmp_path):
    page.goto(app_url)
    page.get_by_role("heading", name="客户分级").first.wait_for(timeout=60_000)
    nav(page, "报告")
    page.get_by_role("heading", name="报告").first.wait_for(timeout=60_000)
    html_path = download(page, "下载报告（HTML）", tmp_path)
    xlsx_path = download(page, "下载工作簿（Excel）", tmp_path)
    assert re.fullmatch(r"客户分级报告-\d{4}-\d{2}-\d{2}\.html", html_path.name)
    assert xlsx_path.suffix == ".xlsx"
    tall_shot(page, "report-page-zh")

    text = html_path.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in text and text.count("plotly.js v") == 1

    # Offline: a new context with no network; any request other than the file itself is aborted
    # and recorded.
    ctx = browser.new_context(offline=True, viewport={"width": 1200, "height": 1000}, locale="zh-CN")
    requested, errors = [], []

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            requested.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    p = ctx.new_page()
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    p.goto(html_path.as_uri())
    p.wait_for_function("""() => { const c = [...document.querySelectorAll('.chart[data-fig]')];
                                   return c.length > 0 && c.every(el => el.querySelector('svg.main-svg')); }""",
                        timeout=60_000)
    charts = p.locator(".chart[data-fig]").count()
    assert charts >= 4  # pyramids, concentration, whale, + the optional sections' charts
    # The paired pyramids carry the tier names and counts of the sample: 20 / 80 / 300 / 1,600.
    pyr = p.evaluate("() => [...document.querySelectorAll('#sec-pyramids text')].map(t => t.textContent).join(' ')")
    for part in ("重要客户", "次要客户", "普通客户", "小客户", "20 位", "1,600 位"):
        assert part in pyr
    assert requested == [] and errors == []
    sections = p.evaluate("() => [...document.querySelectorAll('section.sec h2')].map(h => h.textContent)")
    assert len(sections) == len(report.SECTIONS)
    shot(p, "report-html-offline-zh")
    pdf = p.pdf(format="A4")  # print CSS: each section after the first starts a new page
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pdf.startswith(b"%PDF") and pages >= len(report.SECTIONS)
    (ARTIFACTS / "report-zh.pdf").write_bytes(pdf)
    ctx.close()

    wb = openpyxl.load_workbook(xlsx_path)
    assert wb.sheetnames == [i18n.t(f"report.sheet.{k}", "zh") for k in report.SHEETS]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
    customers = wb[i18n.t("report.sheet.customers", "zh")]
    assert customers.max_row == 2000 + 1  # one row per customer of the sample
    tiers_ws = wb[i18n.t("report.sheet.tiers", "zh")]
    assert [r[1] for r in tiers_ws.iter_rows(min_row=2, max_row=5, values_only=True)] == [20, 80, 300, 1600]


@pytest.mark.parametrize("lang,width", [("zh", 1400), ("zh", 390), ("en", 1400), ("en", 390)])
def test_learn_page_screens(browser, app_url, lang, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN" if lang == "zh" else "en-US",
                              is_mobile=width < 500, has_touch=width < 500)
    p = ctx.new_page()
    p.set_default_timeout(60_000)
    try:
        p.goto(app_url + "/learn")
        p.get_by_role("heading", name=i18n.t("learn.title", lang)).first.wait_for()
        p.get_by_text(i18n.t("learn.cabin.fares", lang)).first.wait_for()
        p.get_by_role("button", name=i18n.t("learn.exercise.reveal", lang)).click()
        p.get_by_text(i18n.t("learn.exercise.metric.actual", lang)).first.wait_for()
        p.locator('[data-testid="stPlotlyChart"] svg.main-svg').first.wait_for()
        body = p.locator("body").inner_text()
        assert i18n.t("learn.exercise.again", lang) in body
        tall_shot(p, f"learn-{lang}-{'phone' if width < 500 else 'desktop'}")
    finally:
        ctx.close()
