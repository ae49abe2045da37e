"""Tiering core: exact boundaries, tie rules, per-tier sums, concentration. Hand-computed fixtures."""

import numpy as np
import pandas as pd
import pytest

from tierlib import tiers
from tierlib.io import InputError
from tierlib.schema import MONEY_SCALE


def customers(ids, profit, revenue=None, orders=None):
    n = len(ids)
    return pd.DataFrame({
        "customer_id": [str(i) for i in ids],
        "customer_name": [f"name {i}" for i in ids],
        "revenue": pd.array([int(v * MONEY_SCALE) for v in (revenue or [p * 2 for p in profit])], dtype="Int64"),
        "cost": pd.array([pd.NA] * n, dtype="Int64"),
        "profit": pd.array([int(v * MONEY_SCALE) for v in profit], dtype="Int64"),
        "orders": orders or [1] * n,
    })


@pytest.mark.parametrize("n, pct, expected", [
    (23570, 5, 1179),      # 1178.5 rounds half up
    (23570, "5", 1179),
    (10, 15, 2),           # 1.5 -> 2
    (10, 14.99, 1),        # 1.499 -> 1
    (1000, 0.15, 2),       # 1.5 exactly; naive float gives 1000*0.15/100 = 1.4999999999999998
    (100, 20, 20),
    (1, 1, 0),             # 0.01 + 0.5 -> 0
    (1, 50, 1),            # 0.5 + 0.5 = 1
    (7, 20, 1),            # 1.4 -> 1
])
def test_count_at_round_half_up_exact(n, pct, expected):
    assert tiers.count_at(n, pct) == expected


def test_pyramid_bounds_default_and_small_n():
    assert tiers.pyramid_bounds(100, [1, 5, 20]) == [1, 5, 20]
    # N = 7: 0.07, 0.35, 1.4 (+0.5, floored) -> 0, 0, 1: the top two tiers are empty.
    assert tiers.pyramid_bounds(7, [1, 5, 20]) == [0, 0, 1]
    # N = 23570: 235.7 -> 236, 1178.5 -> 1179, 4714 -> 4714
    assert tiers.pyramid_bounds(23570, (1, 5, 20)) == [236, 1179, 4714]


@pytest.mark.parametrize("cuts, code", [
    ([5, 5, 20], "tiers.cuts_not_increasing"),
    ([20, 5], "tiers.cuts_not_increasing"),
    ([0, 5], "tiers.cut_out_of_range"),
    ([5, 100], "tiers.cut_out_of_range"),
    ([], "tiers.bad_cut_count"),
    ([1, 2, 3, 4, 5, 6], "tiers.bad_cut_count"),
])
def test_bad_cuts_are_refused_with_a_code(cuts, code):
    with pytest.raises(InputError) as exc:
        tiers.validate_cuts(cuts)
    assert exc.value.code == code


def test_ties_break_by_numeric_id_when_all_ids_are_digits():
    df = customers(["10", "9", "2", "100"], [5, 5, 5, 7])
    r = tiers.rank(df, "profit")
    assert list(r.customers["customer_id"]) == ["100", "2", "9", "10"]


def test_ties_break_by_text_id_when_some_ids_are_not_digits():
    df = customers(["b", "a10", "a9", "10"], [5, 5, 5, 5])
    r = tiers.rank(df, "profit")
    assert list(r.customers["customer_id"]) == ["10", "a10", "a9", "b"]


def test_grade_ten_customers_by_hand():
    # Profits 100, 90, ..., 10 for ids 1..10 (total 550). Cuts 10/30/60 over N=10 give
    # bounds 1, 3, 6: tiers {1}, {2,3}, {4,5,6}, {7..10}.
    df = customers(range(1, 11), [100, 90, 80, 70, 60, 50, 40, 30, 20, 10])
    g = tiers.grade(df, "profit", cuts=[10, 30, 60], names=["A", "B", "C", "D"])
    assert g.bounds == [1, 3, 6]
    assert [t["customers"] for t in g.tiers] == [1, 2, 3, 4]
    assert [t["profit"] for t in g.tiers] == [100.0, 170.0, 180.0, 100.0]
    assert g.tiers[0]["profit_share"] == pytest.approx(100 / 550)
    assert g.tiers[1]["revenue"] == 340.0  # revenue = 2 x profit
    assert g.totals() == {"revenue": 1100.0, "profit": 550.0}
    graded = g.graded()
    assert list(graded["tier_name"]) == ["A", "B", "B", "C", "C", "C", "D", "D", "D", "D"]
    assert list(graded["rank"]) == list(range(1, 11))
    # top 20% = first floor(10*0.2+0.5)=2 customers: (100+90)/550
    assert g.concentration["top_20pct_share"] == pytest.approx(190 / 550)
    # top 1%: floor(0.1 + 0.5) = 0 customers -> share 0
    assert g.concentration["top_1pct_share"] == 0


def test_every_customer_in_exactly_one_tier_and_sums_conserved():
    rng = np.random.default_rng(7)
    prof = list(np.round(rng.lognormal(3, 2, 997), 2))
    df = customers(range(997), prof)
    g = tiers.grade(df, "profit")
    assert sum(t["customers"] for t in g.tiers) == 997
    assert g.graded()["customer_id"].is_unique
    total_units = int(df["profit"].sum())
    assert sum(round(t["profit"] * 100) for t in g.tiers) == pytest.approx(total_units // 100, abs=4)
    vals = g.graded()["value"].to_numpy()
    assert (np.diff(vals) <= 0).all()


def test_negative_profit_customers_rank_last_and_shares_can_exceed_one():
    df = customers(["a", "b", "c", "d"], [300, 100, -50, -150])
    g = tiers.grade(df, "profit", cuts=[25, 50, 75], names=["1", "2", "3", "4"])
    assert [t["profit"] for t in g.tiers] == [300.0, 100.0, -50.0, -150.0]
    assert g.tiers[0]["profit_share"] == pytest.approx(300 / 200)  # 150% of a total of 200
    assert g.tiers[3]["profit_share"] == pytest.approx(-0.75)


def test_gini_hand_values():
    assert tiers.gini(np.array([5.0, 5.0, 5.0, 5.0])) == pytest.approx(0.0)
    # One holder among four: (n-1)/n = 0.75
    assert tiers.gini(np.array([0.0, 0.0, 0.0, 1.0])) == pytest.approx(0.75)
    # [1,2,3,4]: sum (2i-5) x_i = -3*1 -1*2 +1*3 +3*4 = 10; 10 / (4*10) = 0.25
    assert tiers.gini(np.array([4.0, 1.0, 3.0, 2.0])) == pytest.approx(0.25)
    assert tiers.gini(np.array([0.0, 0.0])) is None


def test_zero_total_gives_null_shares():
    df = customers(["a", "b"], [0, 0])
    g = tiers.grade(df, "profit", cuts=[50], names=["x", "y"])
    assert g.tiers[0]["profit_share"] is None
    assert g.concentration["gini"] is None


def test_one_customer():
    g = tiers.grade(customers(["only"], [10]), "profit")
    assert [t["customers"] for t in g.tiers] == [0, 0, 0, 1]
    assert g.tiers[3]["profit_share"] == 1.0


def test_default_names_follow_language():
    assert tiers.default_names(4, "zh") == ["重要客户", "次要客户", "普通客户", "小客户"]
    assert tiers.default_names(4, "en") == ["VIP", "Major", "Ordinary", "Small"]
    assert tiers.default_names(3, "en") == ["Tier 1", "Tier 2", "Tier 3"]


def test_segment_row_ratios():
    df = customers(["a", "b"], [30, 10], revenue=[100, 50], orders=[3, 2])
    r = tiers.rank(df, "profit")
    row = tiers.segment_row(r, "all", 0, 2)
    assert row["profit_per_customer"] == 20.0
    assert row["orders_per_customer"] == 2.5
    assert row["avg_order_value"] == 30.0   # 150 / 5
    assert row["margin"] == pytest.approx(40 / 150)


def test_tiering_by_unknown_profit_is_refused():
    df = customers(["a"], [1])
    df["profit"] = pd.array([pd.NA], dtype="Int64")
    with pytest.raises(InputError) as exc:
        tiers.rank(df, "profit")
    assert exc.value.code == "tiers.no_profit"


# --- schemes -------------------------------------------------------------------------------

def test_value_share_boundary_is_smallest_k_reaching_the_share():
    # Profits 50, 30, 10, 5, 5 (total 100). Cum: 50, 80, 90, 95, 100.
    # 70% -> k=2 (80 >= 70); 90% -> k=3 (90 >= 90 exactly).
    df = customers(["a", "b", "c", "d", "e"], [50, 30, 10, 5, 5])
    g = tiers.grade(df, "profit", cuts=[70, 90], names=["A", "B", "C"], scheme="value-share")
    assert g.bounds == [2, 3]
    assert [t["customers"] for t in g.tiers] == [2, 1, 2]


def test_value_share_exact_boundary_with_cents():
    # 0.10 + 0.20 = 0.30 of a 1.00 total: a float sum would give 0.30000000000000004.
    df = customers(["a", "b", "c"], [0.5, 0.2, 0.3])
    r = tiers.rank(df, "profit")  # order: a 0.5, c 0.3, b 0.2
    assert tiers.value_share_bounds(r, [80]) == [2]  # 0.5 + 0.3 = 0.8 exactly


def test_value_share_refuses_non_positive_total():
    df = customers(["a", "b"], [10, -20])
    with pytest.raises(InputError) as exc:
        tiers.grade(df, "profit", cuts=[50], scheme="value-share")
    assert exc.value.code == "tiers.value_share_nonpositive"


def test_thresholds_descending_values_inclusive():
    df = customers(["a", "b", "c", "d", "e"], [1000, 500, 499.99, 100, -5])
    g = tiers.grade(df, "profit", cuts=[1000, 500, 0], names=["钻石", "白金", "金卡", "普通"], scheme="thresholds")
    assert g.bounds == [1, 2, 4]  # >=1000: a; >=500: b; >=0: c, d; rest: e
    assert [t["name"] for t in g.tiers] == ["钻石", "白金", "金卡", "普通"]
    with pytest.raises(InputError) as exc:
        tiers.grade(df, "profit", cuts=[0, 500], scheme="thresholds")
    assert exc.value.code == "tiers.thresholds_not_decreasing"


def test_quantile_equal_count_with_round_half_up():
    # N=10, 4 tiers: floor(2.5+.5)=3, floor(5+.5)=5, floor(7.5+.5)=8
    df = customers(range(10), list(range(10, 0, -1)))
    g = tiers.grade(df, "profit", cuts=[4], scheme="quantile")
    assert g.bounds == [3, 5, 8]
    assert [t["customers"] for t in g.tiers] == [3, 2, 3, 2]
    with pytest.raises(InputError):
        tiers.grade(df, "profit", cuts=[7], scheme="quantile")


def test_all_customers_equal_tie_order_by_id():
    df = customers(["3", "1", "2", "10"], [5, 5, 5, 5])
    g = tiers.grade(df, "profit", cuts=[50], names=["top", "rest"])
    assert list(g.graded()["customer_id"]) == ["1", "2", "3", "10"]
    assert [t["customers"] for t in g.tiers] == [2, 2]


def test_weighted_score_ranks_by_percentile_components():
    df = customers(["a", "b", "c"], [30, 20, 10], revenue=[10, 20, 30], orders=[1, 2, 3])
    df["last_order"] = pd.to_datetime(["2024-01-01", "2024-06-01", "2024-12-01"])
    # Only profit weighted: a first.
    r = tiers.rank(df, "score", weights={"recency": 0, "frequency": 0, "revenue": 0, "profit": 1})
    assert list(r.customers["customer_id"]) == ["a", "b", "c"]
    # Recency + frequency + revenue against profit: c wins (3 of 4 components best).
    r = tiers.rank(df, "score")
    assert list(r.customers["customer_id"]) == ["c", "b", "a"]
    # c: percentile ranks 1, 1, 1, 1/3 -> 100 * (3 + 1/3) / 4
    assert r.customers["value"].iloc[0] == pytest.approx(100 * (3 + 1 / 3) / 4)
