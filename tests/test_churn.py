"""Churn warning indicators on a hand-made order list, every number by hand.

As of 2024-12-31, period 90 days (latest 2024-10-03..12-31, previous 2024-07-05..10-02),
k = 2, X = 30%. Revenue per order as noted, cost 60% of it, so profit = 40% of revenue.

customer  orders (revenue)                                  median gap  fires
A         2024-06-01, 06-11, 06-21 (1,000 each)             10          overdue: 193 days > 2 x 10
B         2024-03-01 (500), one order                       -           overdue_single: 305 days > 2 x 26
C         2024-08-01, 09-01 (100 each), 11-01, 12-01 (60)   31          spend_down: 200 -> 120 (-40%)
D         2024-07-10, 07-31, 08-21, 09-11 (50 each),        21          orders_down: 4 -> 2 (spend 200 -> 200)
          2024-11-20, 12-20 (100 each)
E         2024-07-10, 08-10, 09-10 (100 each)               31          overdue (112 > 62), spend_down
                                                                        (300 -> 0), orders_down (3 -> 0)
F         monthly on the 15th, 2024-07..12 (100 each)       31          nothing (3 -> 3 orders, 16 days)
G         2024-12-01 (100), one order                       -           nothing: 30 days <= 2 x 26
H         2023-06-01, 06-15 (10,000 each)                   14          overdue; value at risk 0 (no order in
                                                                        the 12 months 2024-01-01..12-31)

Typical gap = median of the repeat customers' median gaps (10, 14, 21, 31, 31, 31) = 26.
Value at risk = profit in the 12 months: A 1,200; B 200; C 128; D 160; E 120; H 0.
"""

import pandas as pd
import pytest

from tests.test_lifecycle import load, write_orders
from tierlib import churn, lifecycle
from tierlib.io import InputError

ORDERS = {
    "A": [("2024-06-01", 1000), ("2024-06-11", 1000), ("2024-06-21", 1000)],
    "B": [("2024-03-01", 500)],
    "C": ["2024-08-01", "2024-09-01", ("2024-11-01", 60), ("2024-12-01", 60)],
    "D": [("2024-07-10", 50), ("2024-07-31", 50), ("2024-08-21", 50), ("2024-09-11", 50), "2024-11-20",
          "2024-12-20"],
    "E": ["2024-07-10", "2024-08-10", "2024-09-10"],
    "F": ["2024-07-15", "2024-08-15", "2024-09-15", "2024-10-15", "2024-11-15", "2024-12-15"],
    "G": ["2024-12-01"],
    "H": [("2023-06-01", 10000), ("2023-06-15", 10000)],
}
AS_OF = "2024-12-31"


@pytest.fixture
def hist(tmp_path):
    return lifecycle.history(load(write_orders(tmp_path / "orders.csv", ORDERS)), as_of=AS_OF)


def test_each_indicator(hist):
    assert hist.typical_gap == 26.0
    ind = churn.indicators(hist).set_index("customer_id")
    assert ind["flags"].to_dict() == {
        "A": "overdue", "B": "overdue_single", "C": "spend_down", "D": "orders_down",
        "E": "overdue;spend_down;orders_down", "F": "", "G": "", "H": "overdue"}
    assert ind.loc["E", "n_flags"] == 3 and ind.loc["F", "n_flags"] == 0
    assert ind.loc["A", "recency"] == 193 and ind.loc["B", "recency"] == 305 and ind.loc["E", "recency"] == 112
    assert ind.loc["C", "spend_change"] == pytest.approx(-0.4)
    assert ind.loc["D", "orders_change"] == pytest.approx(-0.5) and ind.loc["D", "spend_change"] == 0
    assert ind["value_at_risk"].to_dict() == {"A": 1200.0, "B": 200.0, "C": 128.0, "D": 160.0, "E": 120.0,
                                              "F": 240.0, "G": 40.0, "H": 0.0}


def test_warning_list_sorted_by_value_at_risk(hist):
    wl = churn.warning_list(churn.indicators(hist))
    assert wl["customer_id"].tolist() == ["A", "B", "D", "C", "E", "H"]
    assert wl["value_at_risk"].tolist() == [1200.0, 200.0, 160.0, 128.0, 120.0, 0.0]
    only = churn.warning_list(churn.indicators(hist), only=["spend_down"])
    assert only["customer_id"].tolist() == ["C", "E"]
    both = churn.warning_list(churn.indicators(hist), only=["overdue", "orders_down"], require_all=True)
    assert both["customer_id"].tolist() == ["E"]
    with pytest.raises(InputError):
        churn.warning_list(churn.indicators(hist), only=["model_score"])


def test_filter_by_tier(hist):
    tiers = pd.DataFrame({"customer_id": list("ABCDEFGH"), "tier": [1, 2, 2, 3, 3, 3, 4, 4],
                          "tier_name": ["T1", "T2", "T2", "T3", "T3", "T3", "T4", "T4"]})
    wl = churn.warning_list(churn.indicators(hist), customer_tiers=tiers, tiers=[2, 4])
    assert wl["customer_id"].tolist() == ["B", "C", "H"]
    assert wl["tier_name"].tolist() == ["T2", "T2", "T4"]


def test_parameters(hist):
    # k = 7: A's 193 days > 70 still; E's 112 <= 7 x 31 = 217 no longer; B's 305 > 182 still;
    # H: gap 14 -> 98, far beyond. X = 45%: C's -40% no longer counts; D's -50% still does.
    ind = churn.indicators(hist, churn.Params(k=7, drop_pct=45)).set_index("customer_id")
    assert ind["flags"].to_dict() == {
        "A": "overdue", "B": "overdue_single", "C": "", "D": "orders_down",
        "E": "spend_down;orders_down", "F": "", "G": "", "H": "overdue"}
    with pytest.raises(InputError):
        churn.Params(k=0).check()


def test_explanations_in_both_languages(hist):
    ind = churn.indicators(hist).set_index("customer_id")
    assert churn.explain(ind.loc["E"], "en", 2, 30, hist.typical_gap) == (
        "112 days without an order, over 2 × the usual gap of 31 days; spend down 100% (threshold 30%); "
        "orders down from 3 to 0")
    assert churn.explain(ind.loc["B"], "zh", 2, 30, hist.typical_gap) == \
        "只下过一次单，已 305 天，超过典型间隔 26 天的 2 倍"
    assert churn.explain(ind.loc["F"], "en", 2, 30, hist.typical_gap) == ""


def test_segment_columns(tmp_path):
    engine = load(write_orders(tmp_path / "orders.csv", ORDERS))
    seg = churn.segment_columns(engine, as_of=AS_OF).set_index("customer_id")
    assert list(seg.columns) == ["lifecycle_stage", "churn_flags"]
    assert seg.loc["E", "churn_flags"] == "overdue;spend_down;orders_down"
    assert seg.loc["F", "churn_flags"] == ""
    # A: 193 days > 3 x 10 -> lost; F: steady -> stability; G: one order 30 days ago -> exploration.
    assert seg.loc["A", "lifecycle_stage"] == "lost"
    assert seg.loc["F", "lifecycle_stage"] == "stability"
    assert seg.loc["G", "lifecycle_stage"] == "exploration"
    assert set(seg["lifecycle_stage"]) <= set(lifecycle.STAGES)


def test_revenue_is_the_value_at_risk_without_profit(tmp_path):
    path = tmp_path / "no_cost.csv"
    path.write_text("customer_id,order_date,revenue\nA,2024-01-10,300\nA,2024-01-20,200\nB,2024-12-31,50\n",
                    encoding="utf-8")
    hist = lifecycle.history(load(path))
    assert hist.value_measure == "revenue" and hist.spend_measure == "revenue"
    ind = churn.indicators(hist).set_index("customer_id")
    # A: gap 10, 345 days since 2024-01-20 > 20 -> overdue; value at risk = revenue 300 + 200.
    assert ind.loc["A", "flags"] == "overdue" and ind.loc["A", "value_at_risk"] == 500.0
