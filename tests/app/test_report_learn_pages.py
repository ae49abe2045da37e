"""AppTest smoke tests of the Reports and Learn pages (both languages), the explanation panels
and the presenter setting (ui/explain.py), on the default sample with no upload."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tierlib import i18n, pipeline
from tierlib.schema import MONEY_SCALE
from ui import explain

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
SAMPLE = ROOT / "sample_data" / "workwear_orders.xlsx"


def start(lang="zh"):
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    return at.run()


def top20_profit_share() -> float:
    """Independent of tierlib.tiers: profits sorted high to low, k = floor(2000 * 0.2 + 1/2) = 400."""
    profit = pipeline.load(SAMPLE).customers["profit"].astype("float64").to_numpy() / MONEY_SCALE
    top = np.sort(profit)[::-1]
    k = int(np.floor(len(top) * 0.2 + 0.5))
    assert (len(top), k) == (2000, 400)
    return float(top[:k].sum() / top.sum())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_page_previews_every_section_and_offers_two_downloads(lang):
    at = start(lang)
    at.switch_page("pages/report.py").run()
    assert not at.exception
    assert [t.value for t in at.title] == [i18n.t("report.title", lang)]
    labels = [b.label for b in at.get("download_button")]
    assert labels == [i18n.t("report.download_html", lang), i18n.t("report.download_xlsx", lang)]
    heads = [e.label for e in at.expander]
    for key in ("summary", "pyramids", "curves", "tiers", "playbook"):
        assert any(i18n.t(f"report.section.{key}", lang) in h for h in heads), key
    assert len(heads) == 11
    # The tier table of the sample: 20 / 80 / 300 / 1,600 customers (1/5/20% of 2,000).
    tables = [t.value for t in at.table]
    tier_table = next(tb for tb in tables if tb.columns[0] == i18n.t("col.tier", lang))
    assert list(tier_table.iloc[:4, 1]) == ["20", "80", "300", "1,600"]
    # Built once per setting: a rerun reuses the cached report.
    ws = at.session_state["workspace"]
    cached = [k for k in ws.cache if isinstance(k, tuple) and k and k[0] == "report"]
    assert len(cached) == 1
    at.run()
    assert [k for k in ws.cache if isinstance(k, tuple) and k and k[0] == "report"] == cached


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_learn_page_exercise_reveals_the_top20_share(lang):
    at = start(lang)
    at.switch_page("pages/learn.py").run()
    assert not at.exception
    assert [t.value for t in at.title] == [i18n.t("learn.title", lang)]
    text = " ".join(m.value for m in at.markdown)
    assert i18n.t("learn.cabin.intro", lang) in text
    assert i18n.t("learn.why.1.body", lang) in text
    assert [m.value for m in at.metric][:4] == ["1%", "4%", "15%", "80%"]
    at.slider(key="w_learn_guess").set_value(60).run()
    at.button(key="learn_reveal").click().run()
    assert not at.exception
    share = top20_profit_share()
    values = [m.value for m in at.metric]
    assert "60%" in values and f"{share * 100:.1f}%" in values
    result = i18n.t("learn.exercise.result", lang, guess="60%", actual=f"{share * 100:.1f}%",
                    value=i18n.t("value.profit", lang))
    assert any(result == m.value for m in at.markdown)
    # The guess survives leaving the page and coming back.
    at.switch_page("pages/tiers.py").run()
    at.switch_page("pages/learn.py").run()
    assert at.slider(key="w_learn_guess").value == 60
    at.button(key="learn_again").click().run()
    assert not at.exception and at.button(key="learn_reveal")


def test_explanation_panels_follow_the_switch():
    at = start("zh")
    label = i18n.t("learn.explain.label", "zh")
    assert not [e for e in at.expander if e.label == label]
    at.session_state[explain.K_EXPLAIN] = True
    at.run()
    panels = [e for e in at.expander if e.label == label]
    assert len(panels) == 1  # the tiers page (the default page)
    assert i18n.t("learn.explain.tiers", "zh") in " ".join(m.value for m in panels[0].markdown)
    at.switch_page("pages/data.py").run()
    assert any(e.label == label for e in at.expander)
    at.switch_page("pages/report.py").run()
    assert not at.exception
    assert any(i18n.t("learn.explain.report", "zh") in m.value for m in at.markdown)


def _controls_script():
    import streamlit as st

    from ui import explain

    explain.classroom_controls()
    explain.explain("rfm")
    st.write(f"presenter={explain.presenter_on()}")


def test_toggles_write_the_canonical_keys_and_presenter_css():
    at = AppTest.from_function(_controls_script, default_timeout=30)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert [t.label for t in at.toggle] == ["Explanations", "Presenter mode"]
    assert not at.expander
    at.toggle(key=explain.W_EXPLAIN).set_value(True).run()
    assert at.session_state[explain.K_EXPLAIN] is True
    assert [e.label for e in at.expander] == ["Classroom explanation"]
    at.toggle(key=explain.W_PRESENTER).set_value(True).run()
    assert at.session_state[explain.K_PRESENTER] is True
    assert "presenter=True" in [m.value for m in at.markdown]
    # Another page may switch a setting by its canonical key; the switch follows.
    at.session_state[explain.K_EXPLAIN] = False
    at.run()
    assert at.toggle(key=explain.W_EXPLAIN).value is False and not at.expander


def test_every_topic_has_a_text_in_both_languages():
    for topic in explain.TOPICS:
        for lang in ("zh", "en"):
            assert i18n.has(f"learn.explain.{topic}", lang), (topic, lang)
    assert explain.PRESENTER_CSS.startswith("<style>") and "{" in explain.PRESENTER_CSS


def test_unknown_topic_is_an_error():
    def script():
        import streamlit as st

        from ui import explain

        st.session_state["explain_on"] = True
        explain.explain("nope")

    at = AppTest.from_function(script, default_timeout=30).run()
    assert at.exception
