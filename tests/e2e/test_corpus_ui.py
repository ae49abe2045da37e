"""Real browser: hostile corpus files uploaded on the Data page.

Each refused file must show one clear message in the current language (the translated error
inside "could not be loaded ... your current data are unchanged"), no traceback or Python
exception name, and the data set loaded before (shown in the sidebar) must stay the current
one. A hostile but valid file (HTML/script in names) loads as plain data, and no script runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.helpers import shot
from tierlib import i18n

pytestmark = pytest.mark.e2e

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
# One file per error code, so that each new message is told apart from the previous one.
REFUSED = [
    ("empty.csv", "io.empty_file"),
    ("binary_junk.csv", "io.not_text"),
    ("encrypted.xlsx", "io.encrypted_excel"),
    ("sparse_range.xlsx", "io.too_many_columns"),
    ("tall_sparse.xlsx", "io.sheet_too_large"),
    ("header_only.xlsx", "io.no_data_rows"),
    ("no_customer_column.csv", "schema.no_customer"),
    ("forged_column.xls", "io.bad_excel"),
    ("all_rejected.csv", "schema.all_rejected"),
]
TRACEBACK = re.compile(r"Traceback|File \"[^\"]+\", line \d+|\b\w+(Error|Exception): ")


def fragment(key: str, lang: str) -> str:
    """The longest literal part of a message template (placeholders removed)."""
    parts = re.split(r"\{[^}]*\}", i18n.t(key, lang))
    return max((p.strip(" ：:（）()。.;；") for p in parts), key=len)


def sidebar_text(page) -> str:
    return page.locator('[data-testid="stSidebar"]').inner_text()


def upload(page, path: Path) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))


def wait_for_error(page, code: str, lang: str) -> str:
    want = fragment("err." + code, lang)
    alert = page.locator('[data-testid="stAlertContentError"]').filter(has_text=want)
    alert.first.wait_for(timeout=60_000)
    return alert.first.inner_text()


def open_data_page(page, app_url: str, lang: str) -> str:
    page.goto(app_url + "/data")
    page.get_by_text(i18n.t("data.source", lang), exact=True).first.wait_for(timeout=60_000)
    sample_label = i18n.t("sidebar.sample", lang, name="")
    page.locator('[data-testid="stSidebar"]').get_by_text(sample_label.strip(), exact=False).first.wait_for()
    return sidebar_text(page)


def test_refused_uploads_keep_the_current_data(page, app_url):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    before = open_data_page(page, app_url, "zh")
    assert i18n.t("sidebar.sample", "zh", name="").strip() in before
    for name, code in REFUSED:
        upload(page, CORPUS / name)
        text = wait_for_error(page, code, "zh")
        assert fragment("data.load_failed", "zh") in text, text
        body = page.locator("body").inner_text()
        assert not TRACEBACK.search(body), (name, body[:2000])
        assert sidebar_text(page) == before, name  # the sample is still the current data
        if name in ("sparse_range.xlsx", "encrypted.xlsx"):
            shot(page, f"corpus-refused-{name.split('.')[0]}-zh")
    assert dialogs == []


def test_refusal_in_english_and_then_a_hostile_file_that_loads(browser, app_url):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        before = open_data_page(page, app_url, "en")
        for name, code in (("tall_sparse.xlsx", "io.sheet_too_large"), ("binary_junk.csv", "io.not_text")):
            upload(page, CORPUS / name)
            text = wait_for_error(page, code, "en")
            assert "This file could not be loaded:" in text and "current data are unchanged" in text
            assert not re.search(r"[\u4e00-\u9fff]", text)  # no Chinese in the English UI
            assert not TRACEBACK.search(page.locator("body").inner_text())
            assert sidebar_text(page) == before
        shot(page, "corpus-refused-tall-sparse-en")
        # HTML and script in customer names are data: the file loads, nothing runs.
        upload(page, CORPUS / "html_script.csv")
        page.get_by_text(re.compile(r"Loaded html_script\.csv: 5 rows read, 5 used, 0 rejected")).wait_for(
            timeout=60_000)
        assert i18n.t("sidebar.upload", "en", name="html_script.csv") in sidebar_text(page)
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
        assert page.locator("img[src='x']").count() == 0
        assert dialogs == []
        shot(page, "corpus-html-script-loaded-en")
    finally:
        ctx.close()
