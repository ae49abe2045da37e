"""RFM scores, rule tables, coverage and summaries on hand-computed fixtures."""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tierlib import rfm, rfm_charts
from tierlib.io import InputError
from tierlib.schema import MONEY_SCALE

AS_OF = pd.Timestamp("2024-12-31")


def customers(days, orders, revenue, profit=None, ids=None, as_of=AS_OF):
    """A per-customer table like Engine.customers: money in integer units of 1/10,000."""
    n = len(revenue)
    ids = ids or [f"C{i + 1:02d}" for i in range(n)]
    df = pd.DataFrame({"customer_id": pd.array(ids, dtype="str")})
    df["customer_name"] = [f"Name {c}" for c in ids]
    if days is None:
        df["first_order"] = pd.Series([pd.NaT] * n, dtype="datetime64[us]")
        df["last_order"] = pd.Series([pd.NaT] * n, dtype="datetime64[us]")
    else:
        last = [as_of - pd.Timedelta(days=d) for d in days]
        df["first_order"] = pd.Series(last, dtype="datetime64[us]") - pd.Timedelta(days=400)
        df["last_order"] = pd.Series(last, dtype="datetime64[us]")
    df["orders"] = pd.array(orders if orders is not None else [None] * n, dtype="Int64")
    df["revenue"] = pd.array([round(v * MONEY_SCALE) for v in revenue], dtype="Int64")
    prof = profit if profit is not None else [v * 0.2 for v in revenue]
    df["profit"] = pd.array([None if v is None else round(v * MONEY_SCALE) for v in prof], dtype="Int64")
    return df


# The golden ten: by hand (5 scores, score = 1 + floor(5 * worse / 10)).
# Recency days 0,3,10,20,40,60,100,200,300,400: worse = customers with MORE days = 9..0, so
# R = 5,5,4,4,3,3,2,2,1,1.
# Orders 20,1,15,8,1,6,12,2,30,1 sorted 1,1,1,2,6,8,12,15,20,30: worse(1)=0 -> 1, worse(2)=3 -> 2,
# worse(6)=4 -> 3, worse(8)=5 -> 3, worse(12)=6 -> 4, worse(15)=7 -> 4, worse(20)=8 -> 5,
# worse(30)=9 -> 5. So F = 5,1,4,3,1,3,4,2,5,1.
# Revenue 9000,500,7000,3000,800,2500,6000,100,10000,50 (distinct): two per score,
# M = 5,2,4,3,2,3,4,1,5,1.
# Default 5-score rules, first match wins:
# C01 R5F5M5 champions; C02 R5F1M2 new; C03 R4F4M4 champions; C04 R4F3M3 loyal;
# C05 R3F1M2 about_to_sleep; C06 R3F3M3 loyal; C07 R2F4M4 cant_lose; C08 R2F2M1 hibernating;
# C09 R1F5M5 cant_lose; C10 R1F1M1 lost.
DAYS = [0, 3, 10, 20, 40, 60, 100, 200, 300, 400]
ORDERS = [20, 1, 15, 8, 1, 6, 12, 2, 30, 1]
REVENUE = [9000, 500, 7000, 3000, 800, 2500, 6000, 100, 10000, 50]
R = [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
F = [5, 1, 4, 3, 1, 3, 4, 2, 5, 1]
M = [5, 2, 4, 3, 2, 3, 4, 1, 5, 1]
SEGMENTS = ["champions", "new", "champions", "loyal", "about_to_sleep", "loyal", "cant_lose", "hibernating",
            "cant_lose", "lost"]


@pytest.fixture
def golden():
    return rfm.compute(customers(DAYS, ORDERS, REVENUE))


def test_golden_scores_and_segments(golden):
    f = golden.frame
    assert list(f["customer_id"]) == [f"C{i:02d}" for i in range(1, 11)]
    assert list(f["recency_days"]) == DAYS
    assert list(f["frequency"]) == ORDERS
    assert list(f["monetary"]) == [float(v) for v in REVENUE]
    assert list(f["r_score"]) == R
    assert list(f["f_score"]) == F
    assert list(f["m_score"]) == M
    assert list(f["segment"]) == SEGMENTS
    assert golden.as_of == AS_OF
    assert golden.available == ("recency", "frequency", "monetary")
    assert golden.collapsed == {}
    assert golden.count("champions") == 2


def test_segment_summary_golden(golden):
    s = rfm.segment_summary(golden).set_index("segment")
    # Rule order, empty segments included.
    assert list(s.index) == list(rfm.SEGMENT_CODES)
    assert s.loc["champions", "customers"] == 2
    assert s.loc["champions", "share"] == pytest.approx(0.2)
    assert s.loc["champions", "revenue"] == pytest.approx(16000)  # 9000 + 7000
    assert s.loc["champions", "profit"] == pytest.approx(3200)  # 20% of it
    assert s.loc["champions", "avg_recency"] == pytest.approx(5)  # (0 + 10) / 2
    assert s.loc["champions", "avg_frequency"] == pytest.approx(17.5)  # (20 + 15) / 2
    assert s.loc["champions", "avg_monetary"] == pytest.approx(8000)
    assert s.loc["cant_lose", "revenue"] == pytest.approx(16000)  # C07 6000 + C09 10000
    assert s.loc["loyal", "customers"] == 2 and s.loc["loyal", "revenue"] == pytest.approx(5500)  # 3000 + 2500
    for empty in ("promising", "potential", "need_attention", "at_risk"):
        assert s.loc[empty, "customers"] == 0 and math.isnan(s.loc[empty, "avg_recency"])
    assert s["customers"].sum() == 10


def test_score_grid_golden(golden):
    counts, mean = rfm.score_grid(golden)
    # One customer per (R, F) pair listed in the golden table; row = R - 1, column = F - 1.
    expected = np.zeros((5, 5), dtype=int)
    for r, f in zip(R, F):
        expected[r - 1, f - 1] += 1
    assert (counts == expected).all()
    assert mean[0, 4] == pytest.approx(10000)  # R1 F5: C09
    assert mean[4, 0] == pytest.approx(500)  # R5 F1: C02
    assert math.isnan(mean[0, 1])  # R1 F2: nobody


def test_score_ranges_golden(golden):
    sr = rfm.score_ranges(golden)
    rec5 = sr[(sr["measure"] == "recency") & (sr["score"] == 5)].iloc[0]
    assert (rec5["customers"], rec5["min"], rec5["max"]) == (2, 0, 3)
    f1 = sr[(sr["measure"] == "frequency") & (sr["score"] == 1)].iloc[0]
    assert (f1["customers"], f1["min"], f1["max"]) == (3, 1, 1)


# ------------------------------------------------------------------------------------------
# quantile scores and ties

def test_ties_share_a_score_and_collapse_is_reported():
    # Ten customers, six with one order: worse(1) = 0 -> 1; worse(2) = 6 -> 1 + 30 // 10 = 4;
    # worse(3) = 7 -> 4; worse(4) = 8 -> 5; worse(5) = 9 -> 5. Scores 2 and 3 stay empty.
    assert rfm.quantile_scores([1, 1, 1, 1, 1, 1, 2, 3, 4, 5], 5).tolist() == [1] * 6 + [4, 4, 5, 5]
    res = rfm.compute(customers(DAYS, [1, 1, 1, 1, 1, 1, 2, 3, 4, 5], REVENUE))
    assert res.collapsed == {"frequency": 3}
    assert res.scores_used["frequency"] == [1, 4, 5]
    assert list(res.frame["f_score"]) == [1] * 6 + [4, 4, 5, 5]


def test_distinct_values_split_evenly_and_seven_values():
    assert rfm.quantile_scores(range(10), 5).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # n = 7: 1 + floor(5 * w / 7) for w = 0..6 = 1, 1, 2, 3, 3, 4, 5.
    assert rfm.quantile_scores(range(7), 5).tolist() == [1, 1, 2, 3, 3, 4, 5]
    # Three bins over six values: 1 + floor(3 * w / 6) = 1, 1, 2, 2, 3, 3.
    assert rfm.quantile_scores([60, 50, 40, 30, 20, 10], 3).tolist() == [3, 3, 2, 2, 1, 1]


def test_lower_is_better_reverses_the_order():
    # Days 0, 10, 10, 50: worse = number with MORE days: 3, 1, 1, 0 -> 1 + floor(4w/4) = 4, 2, 2, 1.
    assert rfm.quantile_scores([0, 10, 10, 50], 4, higher_is_better=False).tolist() == [4, 2, 2, 1]


def test_all_equal_values_all_score_one():
    res = rfm.compute(customers([5] * 4, [2] * 4, [100] * 4))
    assert set(res.frame["r_score"]) == {1} and set(res.frame["f_score"]) == {1} and set(res.frame["m_score"]) == {1}
    assert res.collapsed == {"recency": 1, "frequency": 1, "monetary": 1}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=-5, max_value=12), min_size=1, max_size=60), st.sampled_from([3, 4, 5]),
       st.booleans())
def test_scores_keep_ties_and_order(values, bins, higher):
    s = rfm.quantile_scores(values, bins, higher_is_better=higher)
    v = np.asarray(values) if higher else -np.asarray(values)
    assert s.min() >= 1 and s.max() <= bins
    assert s[np.argmin(v)] == 1  # the worst always scores 1
    for i in range(len(v)):
        for j in range(len(v)):
            if v[i] == v[j]:
                assert s[i] == s[j]  # equal inputs, equal scores
            elif v[i] < v[j]:
                assert s[i] <= s[j]  # never better for a worse value


# ------------------------------------------------------------------------------------------
# recency and the as-of date

def test_recency_counts_calendar_days_to_the_latest_order():
    cust = customers([0, 10, 31, 121, 365], [1, 1, 1, 1, 1], [1, 2, 3, 4, 5])
    # 2024-12-31 minus 2024-09-01 = 30 (Sep) + 31 (Oct) + 30 (Nov) + 30 = 121 days; minus 2024-01-01 = 365.
    assert cust["last_order"].iloc[3] == pd.Timestamp("2024-09-01")
    assert cust["last_order"].iloc[4] == pd.Timestamp("2024-01-01")
    res = rfm.compute(cust)
    assert res.as_of == pd.Timestamp("2024-12-31")
    assert list(res.frame["recency_days"]) == [0, 10, 31, 121, 365]
    assert list(res.frame["r_score"]) == [5, 4, 3, 2, 1]  # the most recent scores 5


def test_time_of_day_does_not_change_the_day_count():
    cust = customers([0, 1], [1, 1], [1, 2])
    cust["last_order"] = pd.Series([pd.Timestamp("2024-12-31 08:00"), pd.Timestamp("2024-12-30 23:59")],
                                   dtype="datetime64[us]")
    assert list(rfm.compute(cust).frame["recency_days"]) == [0, 1]


def test_explicit_as_of_adds_days_and_an_early_as_of_is_refused():
    cust = customers([0, 10], [1, 2], [1, 2])
    res = rfm.compute(cust, as_of=dt.date(2025, 1, 10))
    assert list(res.frame["recency_days"]) == [10, 20]
    assert res.as_of == pd.Timestamp("2025-01-10")
    with pytest.raises(InputError) as e:
        rfm.compute(cust, as_of="2024-12-30")
    assert e.value.code == "rfm.as_of_before_data"
    assert e.value.params == {"as_of": "2024-12-30", "latest": "2024-12-31"}


# ------------------------------------------------------------------------------------------
# break points

def test_break_points_frequency_and_recency():
    # Breaks are the lowest value of the next score: 1 -> 1, 2 -> 2, 3-4 -> 3, 5-9 -> 4, 10+ -> 5.
    assert rfm.break_scores([1, 2, 3, 4, 5, 9, 10, 50], [2, 3, 5, 10], 5).tolist() == [1, 2, 3, 3, 4, 4, 5, 5]
    # Recency breaks are the highest day count of the better score: 0-30 -> 5 ... 366+ -> 1.
    got = rfm.break_scores([0, 30, 31, 90, 91, 180, 181, 365, 366], [30, 90, 180, 365], 5, higher_is_better=False)
    assert got.tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1]


def test_compute_with_breaks_mixes_with_quantiles():
    res = rfm.compute(customers(DAYS, ORDERS, REVENUE),
                      breaks={"frequency": [2, 5, 10, 20], "monetary": [100, 1000, 5000, 9500]})
    # F: 20 -> 5, 1 -> 1, 15 -> 4, 8 -> 3, 1 -> 1, 6 -> 3, 12 -> 4, 2 -> 2, 30 -> 5, 1 -> 1.
    assert list(res.frame["f_score"]) == [5, 1, 4, 3, 1, 3, 4, 2, 5, 1]
    # M amounts 9000, 500, 7000, 3000, 800, 2500, 6000, 100, 10000, 50 against 100/1000/5000/9500.
    assert list(res.frame["m_score"]) == [4, 2, 4, 3, 2, 3, 4, 2, 5, 1]
    assert list(res.frame["r_score"]) == R  # recency still by quantiles
    assert res.breaks == {"frequency": [2.0, 5.0, 10.0, 20.0], "monetary": [100.0, 1000.0, 5000.0, 9500.0]}


def test_breaks_that_leave_scores_empty_are_reported():
    res = rfm.compute(customers(DAYS, ORDERS, REVENUE), breaks={"frequency": [100, 200, 300, 400]})
    assert res.collapsed == {"frequency": 1}
    assert res.scores_used["frequency"] == [1]


@pytest.mark.parametrize("bad", [[1, 2, 3], [1, 2, 2, 3], [5, 4, 3, 2], [1, 2, "x", 4], [1, 2, float("inf"), 4]])
def test_bad_breaks_are_refused(bad):
    with pytest.raises(InputError) as e:
        rfm.compute(customers(DAYS, ORDERS, REVENUE), breaks={"frequency": bad})
    assert e.value.code == "rfm.bad_breaks"
    assert e.value.params["n"] == 4


def test_parse_breaks():
    assert rfm.parse_breaks("30, 90，180；365") == [30.0, 90.0, 180.0, 365.0]
    assert rfm.parse_breaks(" 2 3  5 10 ") == [2.0, 3.0, 5.0, 10.0]
    with pytest.raises(InputError) as e:
        rfm.parse_breaks("30, ninety")
    assert e.value.code == "rfm.breaks_not_numbers"


# ------------------------------------------------------------------------------------------
# inputs

def test_profit_as_monetary():
    profit = [100, 900, 200, 800, 300, 700, 400, 600, 500, 0]
    res = rfm.compute(customers(DAYS, ORDERS, REVENUE, profit), monetary="profit")
    # Profit ranks (distinct): 0 -> 1, 100 -> 1, 200 -> 2, 300 -> 2, 400 -> 3, 500 -> 3, 600 -> 4, ...
    assert list(res.frame["m_score"]) == [1, 5, 2, 5, 2, 4, 3, 4, 3, 1]
    assert list(res.frame["monetary"]) == [float(v) for v in profit]


def test_missing_inputs_raise_coded_errors():
    with pytest.raises(InputError) as e:
        rfm.compute(customers(DAYS, ORDERS, REVENUE, [None] * 10), monetary="profit")
    assert e.value.code == "rfm.no_profit"
    with pytest.raises(InputError) as e:
        rfm.compute(customers(DAYS, ORDERS, REVENUE), bins=6)
    assert e.value.code == "rfm.bad_bins"
    with pytest.raises(InputError) as e:
        rfm.compute(customers(DAYS, ORDERS, REVENUE).iloc[:0])
    assert e.value.code == "rfm.no_customers"


def test_customer_level_sheet_without_dates_scores_f_and_m_only():
    res = rfm.compute(customers(None, [3, 1, 2, 5], [400, 100, 300, 200]))
    assert res.available == ("frequency", "monetary")
    assert not res.has_segments
    assert res.as_of is None
    assert res.frame["r_score"].isna().all() and res.frame["recency_days"].isna().all()
    assert res.frame["segment"].isna().all()
    # Four values, five scores: 1 + floor(5 * w / 4) for w = 0..3 = 1, 2, 3, 4.
    assert list(res.frame["f_score"]) == [3, 1, 2, 4]
    assert list(res.frame["m_score"]) == [4, 1, 3, 2]
    assert res.collapsed == {"frequency": 4, "monetary": 4}
    assert rfm.segment_summary(res).empty


def test_no_dates_no_orders_scores_monetary_only():
    res = rfm.compute(customers(None, None, [400, 100, 300, 200]))
    assert res.available == ("monetary",)
    assert res.frame["f_score"].isna().all()


def test_customers_missing_a_measure_are_left_out_and_counted():
    cust = customers(DAYS, ORDERS, REVENUE)
    cust.loc[9, "orders"] = pd.NA
    res = rfm.compute(cust)
    assert res.excluded == {"frequency": 1}
    assert res.n == 9 and "C10" not in set(res.frame["customer_id"])


def test_segments_frame_for_the_cli():
    out = rfm.segments_frame(customers(DAYS, ORDERS, REVENUE))
    assert list(out.columns) == ["customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score",
                                 "m_score", "segment"]
    assert list(out["segment"]) == SEGMENTS


# ------------------------------------------------------------------------------------------
# rules and coverage

@pytest.mark.parametrize("bins,total", [(3, 27), (4, 64), (5, 125)])
def test_default_rules_name_every_combination(bins, total):
    cov = rfm.coverage(None, bins)
    assert cov.total == total
    assert cov.ok and cov.gaps == []
    assert cov.problems == []
    assert sum(cov.claimed) == total
    # Every default segment is reachable at every bin count.
    assert cov.shadowed == []
    assert [r["code"] for r in cov.rules] == [r["code"] for r in rfm.default_rules(bins)]
    assert set(r["code"] for r in cov.rules) == set(rfm.SEGMENT_CODES)


def test_default_rules_for_five_scores_are_the_constant():
    assert rfm.default_rules(5) == [dict(r) for r in rfm.DEFAULT_RULES]
    rules = rfm.default_rules(5)
    rules[0]["r"][0] = 1  # a copy: editing it leaves the constant alone
    assert rfm.DEFAULT_RULES[0]["r"] == [4, 5]


def test_an_edited_table_with_a_gap_is_reported():
    rules = [r for r in rfm.default_rules(5) if r["code"] != "lost"]
    cov = rfm.coverage(rules, 5)
    # R = 1 holds 25 combinations: cant_lose takes F4-5 x M4-5 = 4, at_risk F2-5 x M3-5 = 12 minus
    # those 4 = 8; the other 13 have no rule. R >= 2 is covered as before.
    assert len(cov.gaps) == 13
    assert all(g[0] == 1 for g in cov.gaps)
    assert (1, 1, 1) in cov.gaps and (1, 5, 2) in cov.gaps and (1, 2, 3) not in cov.gaps
    assert not cov.ok
    # Customers in a gap get the catch-all code, never a missing segment.
    res = rfm.compute(customers(DAYS, ORDERS, REVENUE), rules=rules)
    assert res.frame["segment"].iloc[9] == rfm.UNCLASSIFIED  # C10 is R1 F1 M1
    assert rfm.segment_summary(res)["segment"].iloc[-1] == rfm.UNCLASSIFIED


def test_first_matching_rule_wins_and_shadowed_rules_are_listed():
    rules = [{"code": "everyone", "r": [1, 5], "f": [1, 5], "m": [1, 5]}, *rfm.default_rules(5)]
    cov = rfm.coverage(rules, 5)
    assert cov.claimed[0] == 125 and cov.shadowed == list(range(1, 12))
    scores = pd.DataFrame({"r_score": [5, 1], "f_score": [5, 1], "m_score": [5, 1]})
    assert list(rfm.assign_segments(scores, rules, 5)) == ["everyone", "everyone"]
    assert list(rfm.assign_segments(scores, None, 5)) == ["champions", "lost"]


def test_invalid_rows_are_ignored_and_reported():
    rules = [
        {"code": "a", "r": [3, 2], "f": [1, 5], "m": [1, 5]},  # min above max
        {"code": "b", "r": [1, 6], "f": [1, 5], "m": [1, 5]},  # beyond 5 scores
        {"code": "", "r": [1, 5], "f": [1, 5], "m": [1, 5]},  # no code, no name
        {"code": "c", "r": [1.5, 5], "f": [1, 5], "m": [1, 5]},  # not whole
        {"code": "d", "r": [None, 5], "f": [1, 5], "m": [1, 5]},  # empty cell
    ]
    cov = rfm.coverage(rules, 5)
    assert cov.problems == [{"row": 0, "reason": "range"}, {"row": 1, "reason": "range"},
                            {"row": 2, "reason": "code"}, {"row": 3, "reason": "range"},
                            {"row": 4, "reason": "range"}]
    assert len(cov.gaps) == 125 and cov.rules == []


def test_a_five_score_table_is_not_valid_for_three_scores():
    cov = rfm.coverage(rfm.default_rules(5), 3)
    assert [p["reason"] for p in cov.problems].count("range") > 0  # ranges reach 4 and 5


def test_three_and_four_score_tables_segment_sensibly():
    # 3 scores: the best (3, 3, 3) is a champion, the worst (1, 1, 1) lost.
    scores = pd.DataFrame({"r_score": [3, 1, 3, 1], "f_score": [3, 1, 1, 3], "m_score": [3, 1, 2, 3]})
    assert list(rfm.assign_segments(scores, None, 3)) == ["champions", "lost", "new", "cant_lose"]
    scores4 = pd.DataFrame({"r_score": [4, 3, 1], "f_score": [4, 3, 1], "m_score": [4, 3, 1]})
    assert list(rfm.assign_segments(scores4, None, 4)) == ["champions", "loyal", "lost"]


def test_missing_scores_give_no_segment():
    scores = pd.DataFrame({"r_score": pd.array([5, None], dtype="Int64"), "f_score": pd.array([5, 5], dtype="Int64"),
                           "m_score": pd.array([5, 5], dtype="Int64")})
    assert list(rfm.assign_segments(scores, None, 5)) == ["champions", None]


def test_rules_frame_round_trip_keeps_built_in_names_out():
    rules = rfm.default_rules(5)
    frame = rfm.rules_to_frame(rules)
    assert list(frame.columns) == list(rfm.RULE_COLUMNS)
    frame["name"] = ["Champions", *frame["name"][1:]]  # the editor shows the built-in name
    assert rfm.rules_from_frame(frame, default_names={"champions": "Champions"}) == rules
    # A renamed rule keeps its name; an added row with a name gets a custom code; empty rows go.
    frame.loc[1, "name"] = "Stammkunden"
    extra = pd.DataFrame([{"code": None, "name": "VIP watch", "r_min": 1, "r_max": 5, "f_min": 1, "f_max": 5,
                           "m_min": 5, "m_max": 5},
                          {c: None for c in rfm.RULE_COLUMNS}])
    back = rfm.rules_from_frame(pd.concat([frame, extra], ignore_index=True),
                                default_names={"champions": "Champions"})
    assert back[1] == {"code": "loyal", "r": [3, 5], "f": [3, 5], "m": [3, 5], "name": "Stammkunden"}
    assert back[-1] == {"code": "custom:VIP watch", "r": [1, 5], "f": [1, 5], "m": [5, 5], "name": "VIP watch"}
    assert len(back) == 12
    assert rfm.custom_names(back) == {"loyal": "Stammkunden", "custom:VIP watch": "VIP watch"}


def test_with_rules_recomputes_segments_only(golden):
    rules = [{"code": "all", "r": [1, 5], "f": [1, 5], "m": [1, 5]}]
    other = rfm.with_rules(golden, rules)
    assert set(other.frame["segment"]) == {"all"}
    assert list(other.frame["r_score"]) == R
    assert list(golden.frame["segment"]) == SEGMENTS  # the original is untouched


def test_tier_crosstab(golden):
    tiers = pd.DataFrame({"customer_id": [f"C{i:02d}" for i in range(1, 11)],
                          "tier": [1, 2, 2, 2, 2, 2, 2, 2, 1, 2],
                          "tier_name": ["VIP", *["Rest"] * 7, "VIP", "Rest"]})
    ct = rfm.tier_crosstab(golden.frame, tiers, rfm.segment_order(golden.rules))
    assert list(ct.index) == ["VIP", "Rest"]
    # VIP = C01 (champions) and C09 (cant_lose).
    assert ct.loc["VIP", "champions"] == 1 and ct.loc["VIP", "cant_lose"] == 1 and ct.loc["VIP", "total"] == 2
    assert ct.loc["Rest", "champions"] == 1 and ct.loc["Rest", "loyal"] == 2 and ct.loc["Rest", "total"] == 8
    assert ct.loc["Rest", "at_risk"] == 0


def test_segment_colors_are_stable():
    rules = [*rfm.default_rules(5), {"code": "custom:x", "r": [1, 1], "f": [1, 1], "m": [1, 1]}]
    assert rfm.segment_color("champions") == rfm.SEGMENT_COLORS["champions"]
    assert rfm.segment_color("custom:x", rules) == rfm.EXTRA_COLORS[0]


# ------------------------------------------------------------------------------------------
# charts

def test_heatmap_figure(golden):
    counts, mean = rfm.score_grid(golden)
    fig = rfm_charts.score_heatmap(counts, mean, labels={"x_title": "F score", "y_title": "R score",
                                                          "customers": "Customers", "value": "Avg M"})
    hm = fig.data[0]
    assert hm.type == "heatmap"
    assert list(hm.x) == [1, 2, 3, 4, 5] and list(hm.y) == [1, 2, 3, 4, 5]
    assert hm.text[0][4] == "1" and hm.text[0][1] == ""  # R1 F5 holds C09; R1 F2 nobody
    assert hm.z[0][4] == pytest.approx(10000)
    assert "Customers" in hm.hovertemplate and "Avg M" in hm.hovertemplate
    assert fig.layout.xaxis.title.text == "F score"


def test_treemap_figure(golden):
    s = rfm.segment_summary(golden)
    names = {c: c.upper() for c in rfm.SEGMENT_CODES}
    fig = rfm_charts.segment_treemap(s, names=names, colors=rfm.SEGMENT_COLORS, labels={"customers": "Customers"})
    tm = fig.data[0]
    # Seven segments have customers (four are empty and left out).
    assert list(tm.ids) == ["champions", "loyal", "new", "about_to_sleep", "cant_lose", "hibernating", "lost"]
    assert list(tm.values) == [2, 2, 1, 1, 2, 1, 1]
    assert tm.labels[0] == "CHAMPIONS<br>2 (20.0%)"
    assert "16,000.00" in tm.hovertext[0]


# ------------------------------------------------------------------------------------------
# a real public data set

DATA = Path("/work/shared/data/online_retail_II_2009-2010.parquet")


@pytest.mark.slow
@pytest.mark.skipif(not DATA.exists(), reason=f"public data set not found at {DATA}")
def test_online_retail_scores_against_an_independent_count():
    import pyarrow.parquet as pq

    raw = pq.read_table(DATA).to_pandas()
    cols = {c.lower().replace(" ", ""): c for c in raw.columns}
    cid, inv, date = cols["customerid"], cols["invoice"], cols["invoicedate"]
    qty, price = cols["quantity"], cols["price"]
    df = raw[raw[cid].notna()].copy()
    df["amount"] = df[qty] * df[price]
    g = df.groupby(df[cid].astype("int64").astype(str))
    cust = pd.DataFrame({
        "customer_id": g.size().index.astype(str),
        "last_order": pd.to_datetime(g[date].max().to_numpy()),
        "orders": pd.array(g[inv].nunique().to_numpy(), dtype="Int64"),
        "revenue": pd.array(np.round(g["amount"].sum().to_numpy() * MONEY_SCALE).astype("int64"), dtype="Int64"),
        "profit": pd.array([None] * g.ngroups, dtype="Int64"),
    })
    res = rfm.compute(cust)
    f = res.frame
    assert res.as_of == pd.Timestamp(df[date].max()).normalize()
    # Independent check of the F scores: score = 1 + floor(5 * (customers with fewer orders) / n).
    orders = f["frequency"].astype("int64").to_numpy()
    n = len(orders)
    assert n == 4383  # customers with an id in the 2009-2010 sheet
    expected_used = set()
    for value in np.unique(orders):
        expected = 1 + (int((orders < value).sum()) * 5) // n
        expected_used.add(expected)
        assert set(f.loc[orders == value, "f_score"]) == {expected}
    # 1,267 customers (28.9%) ordered once: more than a fifth, yet the next tie block starts in
    # the second fifth, so all five scores are used and nothing collapses.
    assert int((orders == 1).sum()) == 1267
    assert sorted(expected_used) == res.scores_used["frequency"] == [1, 2, 3, 4, 5]
    assert res.collapsed == {}
    # Customers with a negative net spend (returns) are scored too, at the bottom of M.
    assert (f.loc[f["monetary"] < 0, "m_score"] == 1).all() and (f["monetary"] < 0).sum() > 0
    assert rfm.coverage(res.rules, 5).ok and (f["segment"] != rfm.UNCLASSIFIED).all()
    if os.environ.get("PRINT_FIGURES"):
        print(rfm.segment_summary(res))
