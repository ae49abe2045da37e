"""Lifecycle stages and relationship breadth on hand-made order lists, every number by hand.

The fixture (as of 2024-12-31, period 90 days: latest period 2024-10-03..12-31, previous
2024-07-05..10-02; default rules: change 30%, new 90 days, 4 order days, decline 1.5x, lost 3x):

customer  order days (each row revenue 100 unless noted)       median gap  stage (rule)
A         2024-01-01, 01-11, 01-21                              10          lost: 345 days > 3 x 10
B         2024-12-01 (one order)                                -           exploration: a single order day,
                                                                            30 days <= 3 x typical gap 30
C         2024-11-01, 12-01                                     30          exploration: first order 60 days ago
D         2024-06-04, 07-04, 08-03, 09-02, 10-02, 11-01         30          decline: 60 days > 1.5 x 30 = 45
                                                                            (and <= 3 x 30 = 90)
E         2024-07-10, 08-01, 08-20, 09-10 (100 each),           21          decline: spend 400 -> 100 (-75%),
          2024-12-01, 12-21 (50 each)                                       orders 4 -> 2 (-50%)
F         2024-08-01, 10-15, 12-20                              70.5        formation: 3 order days < 4
G         2024-03-01, 05-01, 08-01, 10-10, 11-10, 12-10         61          formation: orders 1 -> 3 and spend
                                                                            100 -> 300 (+200%)
H         2024-07-15, 08-15, 09-15, 10-15, 11-15, 12-15         31          stability: 3 -> 3 orders, 16 days ago
I         2024-01-01 (one order)                                -           lost: 365 days > 3 x 30
J         2024-12-31 (one order: the latest order date)         -           exploration: a single order day

Gaps: E 22, 19, 21, 82, 20 -> median 21; F 75, 66 -> 70.5; G 61, 92, 70, 31, 30 -> 61;
H 31, 31, 30, 31, 30 -> 31. Typical gap = median of (10, 30, 30, 21, 70.5, 61, 31) = 30.
"""

from pathlib import Path

import pandas as pd
import pytest

from tierlib import lifecycle, pipeline
from tierlib.engine import Engine
from tierlib.io import InputError

ORDERS = {
    "A": ["2024-01-01", "2024-01-11", "2024-01-21"],
    "B": ["2024-12-01"],
    "C": ["2024-11-01", "2024-12-01"],
    "D": ["2024-06-04", "2024-07-04", "2024-08-03", "2024-09-02", "2024-10-02", "2024-11-01"],
    "E": ["2024-07-10", "2024-08-01", "2024-08-20", "2024-09-10", ("2024-12-01", 50), ("2024-12-21", 50)],
    "F": ["2024-08-01", "2024-10-15", "2024-12-20"],
    "G": ["2024-03-01", "2024-05-01", "2024-08-01", "2024-10-10", "2024-11-10", "2024-12-10"],
    "H": ["2024-07-15", "2024-08-15", "2024-09-15", "2024-10-15", "2024-11-15", "2024-12-15"],
    "I": ["2024-01-01"],
    "J": ["2024-12-31"],
}
EXPECTED = {"A": "lost.overdue", "B": "exploration.single", "C": "exploration.new", "D": "decline.overdue",
            "E": "decline.falling", "F": "formation.few_orders", "G": "formation.growing",
            "H": "stability.steady", "I": "lost.overdue",
            "J": "exploration.single"}


def write_orders(path: Path, orders: dict, margin: float = 0.4) -> Path:
    """One row per order: customer_id, order_date, revenue, cost = (1 - margin) x revenue."""
    lines = ["customer_id,order_date,revenue,cost"]
    for cid, days in orders.items():
        for d in days:
            day, rev = (d, 100) if isinstance(d, str) else d
            lines.append(f"{cid},{day},{rev:.2f},{rev * (1 - margin):.2f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load(path: Path) -> Engine:
    engine = Engine()
    pipeline.load(path, engine=engine)
    return engine


@pytest.fixture
def engine(tmp_path):
    return load(write_orders(tmp_path / "orders.csv", ORDERS))


def test_history_gaps_windows_and_typical_gap(engine):
    h = lifecycle.history(engine)
    assert h.as_of == pd.Timestamp("2024-12-31")  # the latest order date, not "now"
    assert h.period_days == 90
    assert h.typical_gap == 30.0
    f = h.frame.set_index("customer_id")
    assert f.loc["E", "median_gap"] == 21.0 and f.loc["F", "median_gap"] == 70.5
    assert f.loc["G", "median_gap"] == 61.0 and f.loc["H", "median_gap"] == 31.0
    assert pd.isna(f.loc["B", "median_gap"]) and pd.isna(f.loc["B", "last_gap"])
    assert f.loc["E", "last_gap"] == 20 and f.loc["G", "last_gap"] == 30
    # E: previous period 4 orders x 100, latest 2 orders x 50 (money in 1/10,000 units).
    assert (f.loc["E", "orders_previous"], f.loc["E", "orders_recent"]) == (4, 2)
    assert (f.loc["E", "revenue_previous"], f.loc["E", "revenue_recent"]) == (400 * 10_000, 100 * 10_000)
    # D's 2024-10-02 order is the last day of the previous period; 11-01 is in the latest one.
    assert (f.loc["D", "orders_previous"], f.loc["D", "orders_recent"]) == (3, 1)
    assert f.loc["A", "recency"] == 345 and f.loc["I", "recency"] == 365 and f.loc["H", "recency"] == 16
    assert f.loc["C", "tenure"] == 60
    # 12 months before as-of = 2024-01-01..12-31: all of A's 3 orders, profit 40 each.
    assert f.loc["A", "profit_12m"] == 120 * 10_000


def test_each_stage_rule(engine):
    st = lifecycle.stages(lifecycle.history(engine)).set_index("customer_id")
    assert st["reason"].to_dict() == EXPECTED
    assert st["stage"].to_dict() == {k: v.split(".")[0] for k, v in EXPECTED.items()}
    assert lifecycle.stage_counts(st.reset_index()) == {"exploration": 3, "formation": 2, "stability": 1,
                                                         "decline": 2, "lost": 2}
    # B has no gap of its own: the typical gap stands in.
    assert st.loc["B", "usual_gap"] == 30.0 and st.loc["A", "usual_gap"] == 10.0
    assert st.loc["E", "spend_change"] == pytest.approx(-0.75)
    assert st.loc["G", "orders_change"] == pytest.approx(2.0)


def test_parameters_move_customers_between_stages(engine):
    h = lifecycle.history(engine)
    # decline_k 2.5: D's 60 days <= 2.5 x 30 = 75 -> not overdue; 6 order days, orders 3 -> 1
    # (-67%) but spend 300 -> 100 is -67% too, so "falling" holds: still decline, by the other rule.
    st = lifecycle.stages(h, lifecycle.Params(decline_k=2.5)).set_index("customer_id")
    assert st.loc["D", "reason"] == "decline.falling"
    # min_orders 3: F (3 order days) is no longer "few orders"; orders 1 -> 2 with spend +100%: growing.
    st = lifecycle.stages(h, lifecycle.Params(min_orders=3)).set_index("customer_id")
    assert st.loc["F", "reason"] == "formation.growing"
    # lost_k 40: A's 345 days <= 400, but > 1.5 x 10 -> decline.
    st = lifecycle.stages(h, lifecycle.Params(lost_k=40)).set_index("customer_id")
    assert st.loc["A", "reason"] == "decline.overdue"
    with pytest.raises(InputError):
        lifecycle.stages(h, lifecycle.Params(decline_k=4, lost_k=3))


def test_as_of_ignores_later_orders(engine):
    # As of 2024-01-15 only A (01-01, 01-11) and I (01-01) have ordered; typical gap = A's 10.
    h = lifecycle.history(engine, as_of="2024-01-15")
    assert sorted(h.frame["customer_id"]) == ["A", "I"]
    assert h.typical_gap == 10.0
    st = lifecycle.stages(h).set_index("customer_id")
    # A: tenure 14 <= 90 -> new; I: one order 14 days ago <= 3 x 10 -> exploration.
    assert st["reason"].to_dict() == {"A": "exploration.new", "I": "exploration.single"}
    with pytest.raises(InputError) as err:
        lifecycle.history(engine, as_of="2023-12-31")
    assert err.value.code == "lifecycle.no_orders_by"


def test_period_length_changes_the_windows(engine):
    # 30-day periods: latest 2024-12-02..12-31, previous 2024-11-02..12-01.
    f = lifecycle.history(engine, period_days=30).frame.set_index("customer_id")
    # E: 12-21 is latest, 12-01 is previous.
    assert (f.loc["E", "orders_recent"], f.loc["E", "orders_previous"]) == (1, 1)
    # C: 12-01 is previous, 11-01 is before both periods.
    assert (f.loc["C", "orders_recent"], f.loc["C", "orders_previous"]) == (0, 1)


def test_no_dates_is_a_clear_error(tmp_path):
    path = tmp_path / "summary.csv"
    path.write_text("customer_id,revenue\nA,100\nB,200\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        lifecycle.history(load(path))
    assert err.value.code == "lifecycle.no_dates"


def test_by_tier_crosstab(engine):
    st = lifecycle.stages(lifecycle.history(engine))
    tiers = pd.DataFrame({"customer_id": list("ABCDEFGH"), "tier": [1, 1, 2, 2, 2, 3, 3, 3],
                          "tier_name": ["T1"] * 2 + ["T2"] * 3 + ["T3"] * 3})  # I has no tier: left out
    table = lifecycle.by_tier(st, tiers, ["T1", "T2", "T3"])
    assert list(table.columns) == list(lifecycle.STAGES)
    assert table.loc["T1"].tolist() == [1, 0, 0, 0, 1]  # B exploration, A lost
    assert table.loc["T2"].tolist() == [1, 0, 0, 2, 0]  # C exploration, D and E decline
    assert table.loc["T3"].tolist() == [0, 2, 1, 0, 0]  # F, G formation, H stability
    fig = lifecycle.stage_figure(table, {s: s for s in lifecycle.STAGES})
    assert [tr.name for tr in fig.data] == list(lifecycle.STAGES)
    shares = sum(pd.Series(tr.x, index=list(tr.y)) for tr in fig.data)
    assert shares.tolist() == pytest.approx([1.0, 1.0, 1.0])


def test_rule_rows_show_the_parameters_in_both_languages():
    en = lifecycle.rule_rows(lifecycle.Params(), 90, 30.0, "en")
    assert [r["stage"] for r in en] == ["lost", "exploration", "decline", "formation", "stability"]
    assert en[0]["rule"] == "Days since the last order > 3 × the usual gap"
    assert "1.5 ×" in en[2]["rule"] and "90 days" in en[2]["rule"] and "30%" in en[2]["rule"]
    zh = lifecycle.rule_rows(lifecycle.Params(lost_k=4, new_days=60), 90, 30.0, "zh")
    assert zh[0]["name"] == "流失" and zh[0]["rule"] == "距上次下单的天数 > 4 × 平常间隔"
    assert "60 天" in zh[1]["rule"] and zh[1]["name"] == "考察期"


BREADTH = {
    # P: Jan, Feb, Apr; Q: Feb, Mar; R: Jan; S: Mar, Apr (all 2024).
    "P": ["2024-01-05", "2024-02-05", "2024-04-05"],
    "Q": ["2024-02-10", "2024-03-10"],
    "R": ["2024-01-20"],
    "S": ["2024-03-15", "2024-04-30"],
}


def test_breadth_by_month_and_quarter(tmp_path):
    engine = load(write_orders(tmp_path / "breadth.csv", BREADTH))
    m = lifecycle.breadth(engine, grain="month")
    # Jan: P, R new. Feb: P retained, Q new, R lost. Mar: Q retained, S new, P lost.
    # Apr: P won back (not active in Mar), S retained, Q lost.
    assert m["period"].tolist() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert m[["new", "retained", "won_back", "lost", "active"]].values.tolist() == [
        [2, 0, 0, 0, 2], [1, 1, 0, 1, 2], [1, 1, 0, 1, 2], [0, 1, 1, 1, 2]]
    # active(previous) = retained + lost
    assert (m["active"].shift(1).iloc[1:] == (m["retained"] + m["lost"]).iloc[1:]).all()
    q = lifecycle.breadth(engine, grain="quarter")
    # 2024Q1: all four new; 2024Q2: P and S retained, Q and R lost.
    assert q["period"].tolist() == ["2024Q1", "2024Q2"]
    assert q[["new", "retained", "won_back", "lost", "active"]].values.tolist() == [[4, 0, 0, 0, 4], [0, 2, 0, 2, 2]]
    # As of 2024-03-31 April is left out.
    assert lifecycle.breadth(engine, as_of="2024-03-31")["period"].tolist() == ["2024-01", "2024-02", "2024-03"]


def test_breadth_fills_empty_months_and_counts_a_late_win_back(tmp_path):
    engine = load(write_orders(tmp_path / "gap.csv", {"X": ["2024-01-10", "2024-05-10"]}))
    m = lifecycle.breadth(engine)
    # Jan new, Feb lost, Mar and Apr nothing, May won back.
    assert m["period"].tolist() == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    assert m[["new", "retained", "won_back", "lost"]].values.tolist() == [
        [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 1, 0]]
    fig = lifecycle.breadth_figure(m, {"new": "n", "retained": "r", "won_back": "w", "lost": "l"})
    lost = next(tr for tr in fig.data if tr.name == "l")
    assert list(lost.y) == [0, -1, 0, 0, 0]  # lost customers are drawn below zero
    assert fig.layout.barmode == "relative"
    with pytest.raises(InputError):
        lifecycle.breadth(engine, grain="week")


def test_period_label():
    assert lifecycle.period_label(2024 * 12 + 2, "month") == "2024-03"
    assert lifecycle.period_label(2024 * 4 + 3, "quarter") == "2024Q4"


RETAIL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "online_retail_II_2009-2010.parquet"


@pytest.mark.slow
def test_online_retail_history_and_breadth_match_pandas():
    if not RETAIL.exists():
        pytest.skip(f"shared data not found at {RETAIL}")
    engine = Engine()
    loaded = pipeline.load(RETAIL, engine=engine)
    h = lifecycle.history(engine)
    assert h.as_of == pd.Timestamp("2010-12-09")

    df = pd.read_parquet(RETAIL, columns=["Customer ID", "InvoiceDate"])
    df = df[df["Customer ID"].notna()]
    df = pd.DataFrame({"cid": df["Customer ID"].astype("int64").astype(str),
                       "day": pd.to_datetime(df["InvoiceDate"], format="%Y-%m-%d %H:%M:%S").dt.normalize()})
    days = df.drop_duplicates().sort_values(["cid", "day"])
    gaps = days.groupby("cid")["day"].diff().dt.days
    median = gaps.groupby(days["cid"]).median()
    f = h.frame.set_index("customer_id")
    assert len(f) == days["cid"].nunique()
    assert (f["order_days"] == days.groupby("cid").size().reindex(f.index)).all()
    pd.testing.assert_series_equal(f["median_gap"], median.reindex(f.index), check_names=False)
    assert h.typical_gap == float(median.dropna().median())
    # Orders (distinct invoices) agree with the customer table of customers.sql.
    orders = loaded.customers.set_index("customer_id")["orders"]
    assert (f["orders"] == orders.reindex(f.index)).all()

    # Breadth by month, the plain way: sets of active customers per month.
    month = days["day"].dt.year * 12 + days["day"].dt.month - 1
    active = {p: set(g) for p, g in days.groupby(month)["cid"]}
    periods = sorted(active)
    seen, expect = set(), []
    for i, p in enumerate(periods):
        prev = active.get(p - 1, set())
        cur = active[p]
        expect.append([len(cur - seen), len(cur & prev), len((cur - prev) & seen), len(prev - cur)])
        seen |= cur
    m = lifecycle.breadth(engine, grain="month")
    assert len(m) == len(periods)
    assert m[["new", "retained", "won_back", "lost"]].values.tolist() == expect
