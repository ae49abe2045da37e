"""Every page runs under Streamlit's AppTest without an exception, in both languages."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def start(lang="zh"):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    return at.run()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_first_open_grades_the_default_sample(lang):
    at = start(lang)
    assert not at.exception
    titles = [t.value for t in at.title]
    assert titles == ["客户分级" if lang == "zh" else "Customer tiers"]
    # The tier table of the sample: four tiers + key customers + total.
    table = at.table[0].value
    assert len(table) == 6
    assert table.iloc[-1, 1] == "2,000"  # 2,000 customers in the workwear sample
    first_col = table.columns[0]
    expected = ["重要客户", "次要客户", "普通客户", "小客户"] if lang == "zh" else ["VIP", "Major", "Ordinary", "Small"]
    assert list(table[first_col][:4]) == expected
    # 1/5/20% of 2,000 customers: 20, 80, 300, 1600
    assert list(table.iloc[:4, 1]) == ["20", "80", "300", "1,600"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_data_page_runs_and_reports_rows(lang):
    at = start(lang)
    at.switch_page("pages/data.py").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert ("读取" in text) if lang == "zh" else ("rows read" in text)


def test_changing_a_cutoff_changes_the_table():
    at = start("en")
    at.number_input(key="w_cut_3_2").set_value(50.0).run()
    assert not at.exception
    table = at.table[0].value
    assert list(table.iloc[:4, 1]) == ["20", "80", "900", "1,000"]


def test_bad_cutoffs_show_a_message_not_a_traceback():
    at = start("en")
    at.number_input(key="w_cut_3_1").set_value(30.0).run()  # 1, 30, 20: not increasing
    assert not at.exception
    assert any("Invalid cutoffs" in e.value for e in at.error)


def test_upload_of_a_bad_file_keeps_the_current_data():
    at = start("en")
    at.switch_page("pages/data.py").run()
    at.radio(key="w_data_source_" + at.session_state["lang"]).set_value("upload").run()
    before = at.session_state["workspace"]
    at.file_uploader(key="uploader").upload("junk.csv", b"\x00\x01\x02\xff" * 100, "text/csv").run()
    assert not at.exception
    assert at.session_state["workspace"] is before
    assert any("could not be loaded" in e.value for e in at.error)


def test_switching_language_translates_default_tier_names():
    at = start("zh")
    assert list(at.table[0].value.iloc[:4, 0]) == ["重要客户", "次要客户", "普通客户", "小客户"]
    at.session_state["lang_widget"] = "en"  # what the sidebar switch does
    at.run()
    assert not at.exception
    assert list(at.table[0].value.iloc[:4, 0]) == ["VIP", "Major", "Ordinary", "Small"]
    assert at.title[0].value == "Customer tiers"


ALL_PAGES = ["pages/tiers.py", "pages/data.py", "pages/rfm.py", "pages/kinds.py", "pages/lifecycle.py",
             "pages/migration.py", "pages/clv.py", "pages/satisfaction.py", "pages/playbook.py", "pages/report.py"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_shows_its_explanation_when_classroom_explanations_are_on(lang):
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    at.session_state["explain_on"] = True
    at.run()
    label = "课堂讲解" if lang == "zh" else "Classroom explanation"
    for page in ALL_PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
        assert any(label in e.label for e in at.expander), page
