"""The satisfaction and playbook pages under Streamlit's AppTest, in both languages, with no
upload (the default workwear sample and the sample surveys), and with an uploaded survey.

Survey figures come from sample_data/surveys/make_surveys.py (see tests/test_satisfaction.py);
tier figures from the textbook pyramid of the 2,000 workwear customers (tests/app/test_pages.py).
"""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def start(lang, page):
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def texts(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info])


# ------------------------------------------------------------------------------------------
# Satisfaction

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_satisfaction_page_with_the_sample_survey(lang):
    at = start(lang, "pages/satisfaction.py")
    m = metrics(at)
    if lang == "zh":
        assert [t.value for t in at.title] == ["客户满意度"]
        # 399 respondents, 10 attributes, 1-7 scale; 387 respondents are loaded customers
        # (8 gave no id, 4 are prospects not in the orders).
        assert (m["受访者"], m["评价项目"], m["量表"], m["对上的客户"]) == ("399", "10", "1–7", "387")
        assert m["满意度指数"] == "1.04"
        body = texts(at)
        assert "**重要客户**（15 位受访者）急需改进：交货及时、售后响应、量体服务" in body
        assert "**小客户**（206 位受访者）急需改进：价格" in body
        assert "387 位受访者的客户编号在当前数据中找到；4 位的编号找不到，8 位没有填写编号。" in body
    else:
        assert [t.value for t in at.title] == ["Customer satisfaction"]
        assert (m["Respondents"], m["Attributes"], m["Scale"], m["Matched customers"]) == ("399", "10", "1–7", "387")
        body = texts(at)
        assert "**VIP** (15 respondents) - improve urgently: 交货及时, 售后响应, 量体服务" in body
    assert not at.error


def test_switch_to_the_wide_sample_and_the_midpoint():
    at = start("en", "pages/satisfaction.py")
    at.selectbox(key="sat_sample_en").set_value("workwear_wide").run()
    assert not at.exception
    m = metrics(at)
    # The wide xlsx (title and note rows above the headers): 339 respondents on a 1-5 scale,
    # all of them customers of the sample; no expected/perceived columns, so no index.
    assert (m["Respondents"], m["Scale"], m["Satisfaction index"], m["Matched customers"]) == ("339", "1–5", "-", "339")
    assert any("no expected and perceived values" in i.value for i in at.info)
    at.radio(key="sat_mode_en").set_value("midpoint").run()
    assert any("Lines: importance 3.00, satisfaction 3.00 (scale midpoint)" in c.value for c in at.caption)
    # The choices survive a trip to another page and back.
    at.switch_page("pages/tiers.py").run()
    at.switch_page("pages/satisfaction.py").run()
    assert metrics(at)["Respondents"] == "339"
    assert at.radio(key="sat_mode_en").value == "midpoint"


HAND = "respondent,customer,item,importance,satisfaction\n" + "".join(
    f"{r},{c},{a},{i},{s}\n" for r, c in (("r1", "C00001"), ("r2", "C99999"))
    for a, (i, s) in {"A": (5, 2), "B": (4, 4), "C": (2, 2), "D": (1, 4), "E": (3, 3)}.items())


def test_upload_a_survey():
    # The hand survey of tests/test_satisfaction.py: grand means 3 and 3; A improve, B and E
    # (exactly on both lines) keep, C low priority, D nice extra.
    at = start("en", "pages/satisfaction.py")
    at.radio(key="sat_source_en").set_value("upload").run()
    assert any("Long form" in i.value for i in at.info)
    at.file_uploader(key="sat_upload").upload("hand.csv", HAND.encode(), "text/csv").run()
    assert not at.exception
    m = metrics(at)
    assert (m["Respondents"], m["Attributes"], m["Scale"]) == ("2", "5", "1–5")
    # C00001 is a customer of the sample, C99999 is not.
    assert m["Matched customers"] == "1"
    body = texts(at)
    assert "**Improve urgently** (1)" in body and "**Keep it up** (2)" in body
    assert "- B\n- E" in body


def test_column_override_for_an_unrecognised_header():
    # "Thing" names no known role: the long form is incomplete until the user picks it.
    csv = "respondent,Thing,importance,satisfaction\nr1,A,5,2\nr2,A,5,3\nr1,B,2,4\nr2,B,2,5\n"
    at = start("en", "pages/satisfaction.py")
    at.radio(key="sat_source_en").set_value("upload").run()
    at.file_uploader(key="sat_upload").upload("odd.csv", csv.encode(), "text/csv").run()
    assert not at.exception
    assert any("was not recognised" in e.value for e in at.error)
    attribute = next(s for s in at.selectbox if s.label == "Attribute")
    attribute.set_value("Thing")
    at.form_submit_button[0].click().run()
    assert not at.exception
    # A: (5, 2.5), B: (2, 4.5); grand means imp 3.5, sat 3.5 -> A improve, B nice extra.
    assert metrics(at)["Attributes"] == "2"
    body = texts(at)
    assert "**Improve urgently: A** - customers find these important but are not satisfied." in body


# ------------------------------------------------------------------------------------------
# Playbook

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_playbook_page_cards_and_allocation(lang):
    at = start(lang, "pages/playbook.py")
    m = metrics(at)
    body = texts(at)
    # Placeholder costs: average profit per customer 98,321,224.04 / 2,000 = 49,160.61 ->
    # 2x = 98,000, 1x = 49,000, 0.5x = 25,000, 0.2x = 9,800 (two significant figures);
    # current cost 20x98,000 + 80x49,000 + 300x25,000 + 1,600x9,800 = 29,060,000.
    if lang == "zh":
        assert [t.value for t in at.title] == ["分级策略"]
        assert "20 位客户（1.0%）· 利润 2,360.54万（24.0%）" in body
        assert m["当前服务成本"] == "2,906.00万"
        assert m["利润"] == "9,832.12万"
        assert any("每个等级都仍然盈利" in s.value for s in at.success)
    else:
        assert [t.value for t in at.title] == ["Playbook"]
        assert "20 customers (1.0%) · profit 23.61M (24.0%)" in body
        assert m["Current service cost"] == "29.06M"
        # 98,321,224.04 / 29,060,000 = 3.38
        assert m["Profit per 1 of service"] == "3.38"
    editor = at.dataframe[0].value
    assert list(editor["cost"]) == [98000.0, 49000.0, 25000.0, 9800.0]


def test_budget_split_by_profit_share():
    at = start("en", "pages/playbook.py")
    at.number_input(key="pb_budget").set_value(1_000_000.0).run()
    assert not at.exception
    table = at.dataframe[1].value
    col = table.columns
    suggested = dict(zip(table[col[0]], table["Suggested budget"]))
    # 1,000,000 x profit share, in cents with the largest remainders:
    # VIP 24,008,442.83 cents -> floor 24,008,442 (+1, remainder .83), Major 26,664,302.01 ->
    # 26,664,302, Ordinary 30,105,150.86 -> 30,105,151 (+1, remainder .86), Small 19,222,104.31 ->
    # 19,222,104; total 100,000,000 cents.
    assert suggested == {"VIP": "240,084.43", "Major": "266,643.02", "Ordinary": "301,051.51",
                         "Small": "192,221.04"}
    ws = at.session_state["workspace"]
    assert ws.annotations["playbook"]["allocation"]["budget"] == 1_000_000.0


def test_budget_split_by_weights_and_a_loss_tier():
    at = start("en", "pages/playbook.py")
    ws = at.session_state["workspace"]
    # Small customers at 20,000 each cost 32,000,000 > their profit 18,899,408.24.
    ws.annotations.setdefault("playbook", {}).setdefault("allocation", {})["costs"] = {"4/4": 20000.0}
    at.radio(key="pb_method_en").set_value("weights").run()
    assert not at.exception
    table = at.dataframe[1].value
    rows = {r.iloc[0]: r for _, r in table.iterrows()}
    # Budget = current total 1,960,000 + 3,920,000 + 7,500,000 + 32,000,000 = 45,380,000;
    # weights 4:3:2:1 -> VIP 4/10 = 18,152,000.00, Small 1/10 = 4,538,000.00.
    assert rows["VIP"]["Suggested budget"] == "18,152,000.00"
    assert rows["Small"]["Suggested budget"] == "4,538,000.00"
    # 18,899,408.24 - 32,000,000 = -13,100,591.76
    assert rows["Small"]["Profit after service"] == "-13,100,591.76"
    assert any("Small, 13,100,591.76 in total" in w.value for w in at.warning)


def test_edit_a_card_and_reset_it():
    at = start("en", "pages/playbook.py")
    at.toggle(key="pb_edit_tier").set_value(True).run()
    area = at.text_area(key="pb_actions_tier:4:1_en")
    assert area.value.startswith("Name a dedicated account manager")
    area.set_value("- Call every VIP this week\n2. Fix their open complaints").run()
    assert not at.exception
    ws = at.session_state["workspace"]
    card = ws.annotations["playbook"]["cards"]["tier:4:1"]
    assert card["actions"] == ["Call every VIP this week", "Fix their open complaints"]
    at.toggle(key="pb_edit_tier").set_value(False).run()
    assert "1. Call every VIP this week\n2. Fix their open complaints" in texts(at)
    assert any("edited" in m.value for m in at.markdown if m.value.startswith("#### VIP"))
    # The edit survives the trip to another page and back, then goes away on reset.
    at.switch_page("pages/tiers.py").run()
    at.switch_page("pages/playbook.py").run()
    assert "1. Call every VIP this week" in texts(at)
    at.toggle(key="pb_edit_tier").set_value(True).run()
    at.button(key="pb_reset_tier:4:1").click().run()
    assert "tier:4:1" not in ws.annotations["playbook"]["cards"]
    assert at.text_area(key="pb_actions_tier:4:1_en").value.startswith("Name a dedicated account manager")


def test_survey_findings_reach_the_tier_cards():
    at = start("zh", "pages/satisfaction.py")
    at.switch_page("pages/playbook.py").run()
    assert not at.exception
    focus = [i.value for i in at.info if i.value.startswith("满意度调查显示")]
    assert focus[0] == "满意度调查显示，这一层客户急需改进：交货及时、售后响应、量体服务"


def test_three_tiers_map_onto_the_textbook_cards():
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = "en"
    at.session_state["tier_cuts"] = [5, 20]
    at.run()
    at.switch_page("pages/playbook.py").run()
    assert not at.exception
    heads = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert heads[:3] == ["#### Tier 1", "#### Tier 2", "#### Tier 3"]
    captions = [c.value for c in at.caption]
    # top -> VIP, middle -> Ordinary, bottom -> Small
    assert [c for c in captions if c.startswith("Defaults taken")] == [
        "Defaults taken from the VIP playbook.", "Defaults taken from the Ordinary playbook.",
        "Defaults taken from the Small playbook."]
    # 5% and 20% of 2,000: 100 / 300 / 1,600 customers
    assert "100 customers (5.0%)" in "\n".join(captions)


def test_without_customer_data():
    # A failed first load leaves no workspace: the survey is still analysed, the tier view and
    # the playbook say what is missing.
    from tierlib.io import InputError

    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = "en"
    at.session_state["last_load_error"] = InputError("io.empty_file")
    at.run()
    at.switch_page("pages/satisfaction.py").run()
    assert not at.exception
    assert metrics(at)["Respondents"] == "399" and metrics(at)["Matched customers"] == "-"
    assert any("needs customer data" in i.value for i in at.info)
    at.switch_page("pages/playbook.py").run()
    assert not at.exception
    assert [i.value for i in at.info] == ["No data yet. Load a sample or upload a file first."]
