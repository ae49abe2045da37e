"""Customer kinds: thresholds, quadrants, tag precedence, summary and chart, by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tierlib import kinds
from tierlib.io import InputError
from tierlib.schema import MONEY_SCALE

# Ten customers, revenue 1,000..10,000 and hand-picked margin rates:
#   K01 1000 40% | K02 2000 10% | K03 3000 30% | K04 4000  5% | K05  5000 25%
#   K06 6000 15% | K07 7000 35% | K08 8000 20% | K09 9000 12% | K10 10000  8%
# Default margin threshold = median of the ten rates: sorted 5, 8, 10, 12, 15 | 20, 25, 30, 35, 40
#   -> (15% + 20%) / 2 = 17.5%.
# Default revenue threshold: k = floor(0.2 * 10 + 0.5) = 2 -> the 2nd highest revenue, 9,000.
# Quadrants: rate >= 17.5% -> profit: K01, K03, K05, K07, K08. Lower margin: K02 (2,000), K04, K06
#   below 9,000 -> other; K09 (9,000) and K10 (10,000) -> volume.
REVENUE = [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000]
RATES = [0.40, 0.10, 0.30, 0.05, 0.25, 0.15, 0.35, 0.20, 0.12, 0.08]
IDS = [f"K{i:02d}" for i in range(1, 11)]
QUADRANT = ["profit", "other", "profit", "other", "profit", "other", "profit", "profit", "volume", "volume"]


def customers(revenue=REVENUE, rates=RATES, ids=IDS, **extra):
    df = pd.DataFrame({"customer_id": pd.array(ids, dtype="str"), "customer_name": [f"Co {c}" for c in ids]})
    df["revenue"] = pd.array([round(r * MONEY_SCALE) for r in revenue], dtype="Int64")
    df["profit"] = pd.array([round(r * m * MONEY_SCALE) for r, m in zip(revenue, rates)], dtype="Int64")
    for k, v in extra.items():
        df[k] = v
    return df


def test_default_thresholds():
    c = customers()
    assert kinds.default_margin_threshold(c) == pytest.approx(0.175)
    assert kinds.revenue_at_top_share(c) == 9000.0
    assert kinds.revenue_at_top_share(c, 0.5) == 6000.0  # k = floor(5.5) = 5 -> 6,000
    assert kinds.revenue_at_top_share(c, 0.04) == 10000.0  # k = max(1, floor(0.9)) = 1
    assert kinds.top_share_of(c, 9000.0) == pytest.approx(0.2)


def test_classify_by_the_numbers():
    out = kinds.classify(customers())
    assert list(out["customer_id"]) == IDS
    assert list(out["quadrant"]) == QUADRANT
    assert list(out["kind"]) == QUADRANT
    assert out["margin_rate"].tolist() == pytest.approx(RATES)
    assert out["revenue"].tolist() == [float(r) for r in REVENUE]
    assert out.attrs["margin_threshold"] == pytest.approx(0.175)
    assert out.attrs["revenue_threshold"] == 9000.0


def test_thresholds_belong_to_the_high_side():
    # Margin threshold 30%: K03 has exactly 30% (900 / 3,000) and is profit-type; K01 40%, K07 35% too.
    # Revenue threshold 5,000: K05 (5,000, 25%) is exactly on it -> volume; K06..K10 (low margin) volume;
    # K02 and K04 (below 5,000, low margin) other.
    out = kinds.classify(customers(), margin_threshold=0.30, revenue_threshold=5000)
    assert list(out["kind"]) == ["profit", "other", "profit", "other", "volume", "volume", "profit", "volume",
                                 "volume", "volume"]


def test_manual_tags_come_first_strategic_before_relationship():
    tags = {"K01": ["relationship", "strategic"], "K09": ["relationship"], "K02": ["strategic", "vip"],
            "K03": ["unknown"], "NOPE": ["strategic"]}
    out = kinds.classify(customers(), tags=tags)
    assert list(out["kind"]) == ["strategic", "strategic", "profit", "other", "profit", "other", "profit",
                                 "profit", "relationship", "volume"]
    # The quadrant still says what the numbers alone give.
    assert list(out["quadrant"]) == QUADRANT
    assert list(out["tags"]) == ["strategic,relationship", "strategic", "", "", "", "", "", "", "relationship", ""]


def test_data_columns_for_referrals_and_strategic_flags():
    c = customers(referrals=[0, 0, 0, 3, 0, 0, 0, 0, 0, 0], strategic=["", "是", "", "", "", "", "", "", "", "yes"])
    out = kinds.classify(c, tags={"K04": ["strategic"]})
    # K04: referrals but a manual strategic tag wins; K02 and K10 flagged strategic in the data.
    assert out["kind"].tolist()[:4] == ["profit", "strategic", "profit", "strategic"]
    assert out["kind"].iloc[9] == "strategic"
    c2 = customers(referrals=[0, 0, 0, 3, 0, 0, 0, 0, 0, 0])
    assert kinds.classify(c2)["kind"].iloc[3] == "relationship"


def test_customers_without_a_margin_rate_are_other():
    c = customers(revenue=[*REVENUE, 0, -500], rates=[*RATES, 0, 0.1], ids=[*IDS, "K11", "K12"])
    c.loc[10, "profit"] = -50 * MONEY_SCALE
    out = kinds.classify(c)
    assert math.isnan(out["margin_rate"].iloc[10]) and math.isnan(out["margin_rate"].iloc[11])
    assert list(out["kind"].iloc[10:]) == ["other", "other"]
    # The median ignores them: still 17.5%. Top-20% of 12 customers: k = floor(2.4 + 0.5) = 2 -> 9,000.
    assert out.attrs["margin_threshold"] == pytest.approx(0.175)
    assert out.attrs["revenue_threshold"] == 9000.0


def test_equal_inputs_get_equal_kinds():
    c = customers(revenue=[500] * 4 + [100], rates=[0.2] * 4 + [0.1], ids=["A", "B", "C", "D", "E"])
    out = kinds.classify(c)
    assert len(set(out["kind"].iloc[:4])) == 1


def test_kind_summary():
    out = kinds.classify(customers(), tags={"K01": ["strategic"], "K09": ["relationship"]})
    s = kinds.kind_summary(out).set_index("kind")
    assert list(s.index) == ["profit", "volume", "relationship", "strategic", "other"]
    assert s.loc["strategic", "customers"] == 1 and s.loc["strategic", "revenue"] == 1000
    # profit-type: K03, K05, K07, K08: revenue 3,000 + 5,000 + 7,000 + 8,000 = 23,000,
    # profit 900 + 1,250 + 2,450 + 1,600 = 6,200 -> 26.96%.
    assert s.loc["profit", "customers"] == 4
    assert s.loc["profit", "revenue"] == pytest.approx(23000)
    assert s.loc["profit", "profit"] == pytest.approx(6200)
    assert s.loc["profit", "margin_rate"] == pytest.approx(6200 / 23000)
    assert s.loc["volume", "customers"] == 1 and s.loc["volume", "profit"] == pytest.approx(800)
    assert s.loc["other", "customers"] == 3 and s.loc["other", "share"] == pytest.approx(0.3)
    assert s["customers"].sum() == 10


def test_kinds_frame_for_the_cli():
    out = kinds.kinds_frame(customers(), tags={"K10": ["strategic"]})
    assert list(out.columns) == ["customer_id", "kind"]
    assert out["kind"].iloc[9] == "strategic"


def test_no_profit_is_a_coded_error():
    c = customers()
    c["profit"] = pd.array([None] * 10, dtype="Int64")
    with pytest.raises(InputError) as e:
        kinds.classify(c)
    assert e.value.code == "kinds.no_profit"
    with pytest.raises(InputError) as e:
        kinds.classify(c.iloc[:0])
    assert e.value.code == "kinds.no_customers"
    with pytest.raises(InputError) as e:
        kinds.revenue_at_top_share(customers(), 0)
    assert e.value.code == "kinds.bad_share"


def test_clean_tags():
    assert kinds.clean_tags({"A": ["relationship", "strategic", "x"], "B": [], "C": "strategic", 7: ["relationship"]}) \
        == {"A": ["strategic", "relationship"], "C": ["strategic"], "7": ["relationship"]}


def test_quadrant_chart():
    c = customers(revenue=[*REVENUE, 0], rates=[*RATES, 0], ids=[*IDS, "K11"])
    out = kinds.classify(c, tags={"K01": ["strategic"]})
    fig = kinds.quadrant_chart(out, 0.175, 9000.0, names={k: k.title() for k in kinds.KINDS},
                               labels={"x_title": "Revenue", "y_title": "Margin", "revenue_line": "R {v}"})
    assert fig.layout.xaxis.type == "log"
    assert fig.layout.meta["left_out"] == 1  # K11 has no revenue
    by_kind = {t.meta["kind"]: t for t in fig.data}
    assert set(by_kind) == {"strategic", "profit", "volume", "other"}
    assert list(by_kind["volume"].x) == [9000.0, 10000.0]
    assert list(by_kind["strategic"].y) == pytest.approx([0.40])
    assert by_kind["profit"].name == "Profit"
    shapes = {s.name: s for s in fig.layout.shapes}
    assert shapes["revenue_threshold"].x0 == 9000.0 and shapes["margin_threshold"].y0 == pytest.approx(0.175)
    notes = {a.name: a for a in fig.layout.annotations}
    assert notes["revenue_threshold"].text == "R 9,000"
    assert notes["revenue_threshold"].x == pytest.approx(np.log10(9000))  # annotations take log10 on a log axis


def test_many_points_use_webgl():
    n = kinds.WEBGL_POINTS + 1
    c = customers(revenue=list(range(1, n + 1)), rates=[0.1] * n, ids=[f"X{i}" for i in range(n)])
    fig = kinds.quadrant_chart(kinds.classify(c), 0.1, 10.0, names={}, labels={})
    assert fig.data[0].type == "scattergl"


def test_huge_data_draws_an_even_sample():
    n = 1_000
    c = customers(revenue=list(range(1, n + 1)), rates=[0.1] * n, ids=[f"X{i}" for i in range(n)])
    fig = kinds.quadrant_chart(kinds.classify(c), 0.1, 10.0, names={}, labels={}, max_points=101)
    xs = sorted(x for t in fig.data for x in t.x)
    # linspace(0, 999, 101) picks every 9.99th customer by revenue: 1, 11, 21, ... , 1000.
    assert len(xs) == 101 and xs[0] == 1 and xs[-1] == 1000 and xs[1] == 11
    assert fig.layout.meta["shown"] == 101 and fig.layout.meta["plotted"] == 1000
