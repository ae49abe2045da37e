"""The RFM and customer-kinds pages under AppTest, in both languages, on the default sample: the
numbers they show are the ones tierlib computes for the same data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tierlib import kinds, pipeline, rfm
from tierlib.engine import Engine
from ui import samples

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def sample():
    path = samples.sample_path(samples.DEFAULT_SAMPLE)
    engine = Engine()
    loaded = pipeline.load(path, filename=path.name, engine=engine)
    yield loaded.customers, engine
    engine.close()


def open_page(page, lang="en"):
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def value_of(at, label_start: str) -> str:
    hits = [v for k, v in metrics(at).items() if k.startswith(label_start)]
    assert hits, f"no metric starting with {label_start!r} in {metrics(at)}"
    return hits[0]


@pytest.mark.parametrize("lang,title,champ,scored", [("zh", "RFM 分析", "冠军客户", "参与打分的客户"),
                                                     ("en", "RFM analysis", "Champions", "Customers scored")])
def test_rfm_page_shows_the_computed_champions(sample, lang, title, champ, scored):
    res = rfm.compute(sample[0])
    at = open_page("pages/rfm.py", lang)
    assert [t.value for t in at.title] == [title]
    assert value_of(at, scored) == "2,000"
    assert value_of(at, champ) == f"{res.count('champions'):,}"
    # The segment table: eleven segments, the Champions row with the same count.
    table = at.table[0].value
    assert len(table) == 11
    assert table.iloc[0, 1] == f"{res.count('champions'):,}"
    assert not at.error and not at.warning


@pytest.mark.parametrize("lang,title,volume,profit", [("zh", "客户类型", "数量型", "利润型"),
                                                      ("en", "Customer kinds", "Volume-type", "Profit-type")])
def test_kinds_page_shows_the_computed_kinds(sample, lang, title, volume, profit):
    out = kinds.classify(sample[0])
    at = open_page("pages/kinds.py", lang)
    assert [t.value for t in at.title] == [title]
    assert value_of(at, volume) == f"{(out['kind'] == 'volume').sum():,}"
    assert value_of(at, profit) == f"{(out['kind'] == 'profit').sum():,}"
    assert not at.error


def test_three_scores_and_profit_as_monetary(sample):
    at = open_page("pages/rfm.py")
    at.selectbox(key="w_rfm_bins").set_value(3).run()
    at.selectbox(key="w_rfm_monetary_en").set_value("profit").run()
    assert not at.exception
    res = rfm.compute(sample[0], bins=3, monetary="profit")
    assert value_of(at, "Champions") == f"{res.count('champions'):,}"
    # The settings survive a visit to another page.
    at.switch_page("pages/kinds.py").run()
    at.switch_page("pages/rfm.py").run()
    assert value_of(at, "Champions") == f"{res.count('champions'):,}"


def test_break_points_and_a_bad_entry(sample):
    at = open_page("pages/rfm.py")
    at.radio(key="w_rfm_method_en").set_value("breaks").run()
    at.text_input(key="w_rfm_breaks_frequency").input("2, 5, 10, 20").run()
    assert not at.exception
    res = rfm.compute(sample[0], breaks={"frequency": [2, 5, 10, 20]})
    assert value_of(at, "Champions") == f"{res.count('champions'):,}"
    at.text_input(key="w_rfm_breaks_frequency").input("5, 2").run()
    assert not at.exception
    assert any("break points for Frequency" in e.value or "frequency" in e.value for e in at.error)


def test_an_earlier_as_of_date_cuts_the_orders(sample):
    customers, engine = sample
    at = open_page("pages/rfm.py")
    at.date_input(key="w_rfm_as_of_2022-01-05_2024-12-31").set_value(dt.date(2023, 12, 31)).run()
    assert not at.exception
    cut = engine.customers(filters={"date_to": dt.date(2024, 1, 1)})
    res = rfm.compute(cut, as_of=dt.date(2023, 12, 31))
    assert value_of(at, "Customers scored") == f"{len(cut):,}"
    assert len(cut) < 2000
    assert value_of(at, "Champions") == f"{res.count('champions'):,}"


def test_an_edited_rule_table_with_a_gap_is_reported(sample):
    at = open_page("pages/rfm.py")
    ws = at.session_state["workspace"]
    rules = [r for r in rfm.default_rules(5) if r["code"] != "lost"]
    ws.annotations["rfm_rules"] = {"5": rules}
    at.run()
    assert not at.exception
    res = rfm.compute(sample[0], rules=rules)
    n = int((res.frame["segment"] == rfm.UNCLASSIFIED).sum())
    assert n > 0
    errors = " ".join(e.value for e in at.error)
    assert "13 of the 125 score combinations match no rule" in errors
    assert f"their {n:,} customers" in errors
    # The segment table gains an Unclassified row.
    assert "Unclassified" in list(at.table[0].value.iloc[:, 0])


def test_manual_tags_change_the_kinds(sample):
    at = open_page("pages/kinds.py", "zh")
    ws = at.session_state["workspace"]
    ws.annotations["kind_tags"] = {"C00001": ["strategic"], "C00002": ["relationship"], "C00003": ["relationship"]}
    at.run()
    assert not at.exception
    assert value_of(at, "战略型") == "1"
    assert value_of(at, "关系型") == "2"


def test_customer_level_sheet_says_recency_is_unavailable():
    from ui.state import Workspace

    path = samples.sample_path("summary")  # 500 customers, GBK, no dates, no order counts
    engine = Engine()
    loaded = pipeline.load(path, filename=path.name, engine=engine)
    at = open_page("pages/rfm.py")
    at.session_state["workspace"] = Workspace(loaded=loaded, engine=engine, kind="sample", name="summary")
    at.run()
    assert not at.exception
    assert any("no order dates" in w.value for w in at.warning)
    assert any("no order counts" in w.value for w in at.warning)
    assert value_of(at, "Customers scored") == "500"
    assert not any(m.label.startswith("Champions") for m in at.metric)
    # The score legend lists the monetary scores: 100 customers each (500 distinct values).
    legend = at.table[0].value
    assert list(legend.columns) == ["Score", "Monetary"]
    assert all(cell.endswith("(100)") for cell in legend["Monetary"])
    at.switch_page("pages/kinds.py").run()
    assert not at.exception
    out = kinds.classify(loaded.customers)
    assert value_of(at, "Volume-type") == f"{(out['kind'] == 'volume').sum():,}"
    assert sum(int(v.replace(",", "")) for v in metrics(at).values()) == 500
    engine.close()
