"""The CLV page under AppTest on the default workwear sample, in both languages.

Visible numbers checked against independent counts from the sample file with pandas:
* 2,000 customers, 1,832 of them with purchases on at least two distinct days (repeat buyers);
* the default holdout check: the calibration end is 2/3 of the way through the history
  (2022-01-05 + round(1,091 days x 2/3) = 727 days = 2024-01-02), 1,738 customers bought by then,
  and they bought on 5,425 distinct customer-days in the 364 days after it.
"""

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
SAMPLE = ROOT / "sample_data" / "workwear_orders.xlsx"


@pytest.fixture(scope="module")
def sample_counts() -> dict:
    df = pd.read_excel(SAMPLE, header=2, engine="calamine")
    days = df[["客户编号", "下单日期"]].drop_duplicates()
    per = days.groupby("客户编号")["下单日期"]
    cal = pd.Timestamp("2024-01-02")
    cohort = per.min()[per.min() <= cal].index
    hold = days[(days["下单日期"] > cal) & days["客户编号"].isin(cohort)]
    return {"customers": int(per.ngroups), "repeaters": int((per.nunique() >= 2).sum()),
            "cohort": len(cohort), "holdout": len(hold)}


def open_clv(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("pages/clv.py").run()
    assert not at.exception
    return at


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def test_hand_counts_of_the_sample(sample_counts):
    assert sample_counts == {"customers": 2000, "repeaters": 1832, "cohort": 1738, "holdout": 5425}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_clv_page_shows_the_model_numbers(lang, sample_counts):
    at = open_clv(lang)
    zh = lang == "zh"
    assert [t.value for t in at.title] == ["客户终身价值" if zh else "Customer lifetime value"]
    m = metrics(at)
    assert m["模型中的客户" if zh else "Customers in the model"] == f"{sample_counts['customers']:,}"
    assert m["有复购的客户" if zh else "Repeat buyers"] == f"{sample_counts['repeaters']:,}"
    assert m["校准期客户" if zh else "Customers in the calibration period"] == f"{sample_counts['cohort']:,}"
    actual = "实际复购次数（364 天）" if zh else "Actual repeat purchases (364 days)"
    assert m[actual] == f"{sample_counts['holdout']:,}"
    # The tier table: the textbook pyramid 1/5/20% of 2,000 customers.
    table = at.table[0].value
    assert list(table.iloc[:, 1]) == ["20", "80", "300", "1,600"]
    assert list(table.iloc[:, 0]) == (["重要客户", "次要客户", "普通客户", "小客户"] if zh
                                      else ["VIP", "Major", "Ordinary", "Small"])
    # One language only on the page: the CLV headline is in profit terms, named in that language.
    assert ("CLV 合计（利润）" if zh else "Total CLV (profit)") in m


def test_settings_change_the_numbers_and_survive_a_page_switch():
    at = open_clv("en")
    before = metrics(at)["Total CLV (profit)"]
    at.radio(key="w_clv_terms_" + at.session_state["lang"]).set_value("revenue").run()
    assert not at.exception
    m = metrics(at)
    assert "Total CLV (revenue)" in m and m["Total CLV (revenue)"] != before
    at.radio(key="w_clv_unit_" + at.session_state["lang"]).set_value("month").run()
    at.number_input(key="w_clv_horizon").set_value(24).run()
    assert not at.exception
    assert "Purchases, next 24 mo." in metrics(at)
    at.switch_page("pages/tiers.py").run()
    at.switch_page("pages/clv.py").run()
    assert not at.exception
    assert at.radio(key="w_clv_unit_" + at.session_state["lang"]).value == "month"
    assert at.number_input(key="w_clv_horizon").value == 24
    assert "Total CLV (revenue)" in metrics(at)


def test_holdout_controls_rerun_the_check():
    import datetime as dt

    at = open_clv("en")
    at.date_input(key="w_clv_cal_end").set_value(dt.date(2024, 6, 30)).run()
    at.radio(key="w_clv_period_" + at.session_state["lang"]).set_value("week").run()
    assert not at.exception
    # 2024-06-30 -> 2024-12-31 is 184 days.
    assert "Actual repeat purchases (184 days)" in metrics(at)


def test_data_without_dates_gets_a_message_not_a_traceback():
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = "en"
    at.run()
    at.switch_page("pages/data.py").run()
    at.radio(key="w_data_source_" + at.session_state["lang"]).set_value("upload").run()
    at.file_uploader(key="uploader").upload("flat.csv", b"customer,revenue\nA,10\nB,20\n", "text/csv").run()
    at.switch_page("pages/clv.py").run()
    assert not at.exception
    assert any("order dates" in i.value for i in at.info)
