"""Tier migration on a hand-made order list (every number by hand), the CLI command, and the
public Online Retail II data against an independent pandas computation.

Fixture: profit per customer, revenue = 2 x profit, cost = profit; one order per customer and
period. Split 2024-07-01; pyramid cuts 10/30/60 over N = 10 in each period give bounds
floor(1.5) = 1, floor(3.5) = 3, floor(6.5) = 6: tiers of 1, 2, 3 and 4 customers.

          earlier (2024-03-10; C4 on 06-30)      later (2024-09-10; C9 on 07-01, worth 0)
C1        1,000  VIP                               950  Major      down
C2          900  Major                             350  Small      down
C3          800  Major                           1,200  VIP        up
C4          700  Ordinary                          850  Major      up
C5          600  Ordinary                          100  Small      down
C6          500  Ordinary                          700  Ordinary   same
C7          400  Small                             650  Ordinary   up
C8          300  Small                             380  Small      same
C9          200  Small                               0  Small      same (an order worth 0 counts)
C10         100  Small                               -  inactive   lost
C11           -  inactive                          400  Ordinary   new

Later ranking: C3 1,200 | C1 950, C4 850 | C6 700, C7 650, C11 400 | C8 380, C2 350, C5 100, C9 0.
"""

import argparse
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tierlib import migration, pipeline
from tierlib.cli_migration import add_migrate_parser, cmd_migrate
from tierlib.engine import Engine
from tierlib.io import InputError

ROOT = Path(__file__).resolve().parents[1]
RETAIL = ROOT.parent / "shared" / "data" / "online_retail_II_2009-2010.parquet"

BEFORE = {"C1": 1000, "C2": 900, "C3": 800, "C4": 700, "C5": 600, "C6": 500, "C7": 400, "C8": 300, "C9": 200,
          "C10": 100}
AFTER = {"C1": 950, "C2": 350, "C3": 1200, "C4": 850, "C5": 100, "C6": 700, "C7": 650, "C8": 380, "C9": 0,
         "C11": 400}
CUTS = [10, 30, 60]
NAMES = ["VIP", "Major", "Ordinary", "Small"]

MATRIX = [
    [0, 1, 0, 0, 0],  # VIP before: C1 -> Major
    [1, 0, 0, 1, 0],  # Major before: C3 -> VIP, C2 -> Small
    [0, 1, 1, 1, 0],  # Ordinary before: C4 -> Major, C6 stays, C5 -> Small
    [0, 0, 1, 2, 1],  # Small before: C7 -> Ordinary, C8 and C9 stay, C10 -> inactive
    [0, 0, 1, 0, 0],  # inactive before: C11 -> Ordinary
]
# Later-period profit of the customers in each cell.
PROFIT = [
    [0, 950, 0, 0, 0],
    [1200, 0, 0, 350, 0],
    [0, 850, 700, 100, 0],
    [0, 0, 650, 380, 0],  # C8 380 + C9 0; C10 has no later profit
    [0, 0, 400, 0, 0],
]
# Earlier-period profit of the same customers.
PROFIT_BEFORE = [
    [0, 1000, 0, 0, 0],
    [800, 0, 0, 900, 0],
    [0, 700, 500, 600, 0],
    [0, 0, 400, 500, 100],  # C8 300 + C9 200
    [0, 0, 0, 0, 0],
]


def rows(profits: dict, day: str, special: dict) -> list[str]:
    out = []
    for cid, p in profits.items():
        out.append(f"{cid},{special.get(cid, day)},{2 * p:.2f},{p:.2f}")
    return out


def write(path: Path, *parts: list[str]) -> Path:
    lines = ["customer_id,order_date,revenue,cost"]
    for part in parts:
        lines += part
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    before = rows(BEFORE, "2024-03-10", {"C4": "2024-06-30"})
    after = rows(AFTER, "2024-09-10", {"C9": "2024-07-01"})
    return {"both": write(tmp_path / "orders.csv", before, after),
            "before": write(tmp_path / "before.csv", before),
            "after": write(tmp_path / "after.csv", after)}


@pytest.fixture
def engine(files):
    eng = Engine()
    pipeline.load(files["both"], engine=eng)
    return eng


def to_units(matrix) -> np.ndarray:
    return np.asarray(matrix, dtype="int64") * 10_000


def test_matrix_and_invariants(engine):
    m = migration.split(engine, "2024-07-01", value="profit", cuts=CUTS, lang="en")
    assert m.states == [*NAMES, "inactive"]
    assert m.matrix.tolist() == MATRIX
    # Row sums = earlier tier counts + the customers new later; column sums = later tiers + lost.
    assert m.matrix.sum(axis=1).tolist() == [1, 2, 3, 4, 1]
    assert m.matrix.sum(axis=0).tolist() == [1, 2, 3, 4, 1]
    assert [t["customers"] for t in m.before.tiers] == [1, 2, 3, 4]
    assert [t["customers"] for t in m.after.tiers] == [1, 2, 3, 4]
    assert m.matrix[4, 4] == 0 and m.matrix.sum() == 11
    assert m.counts() == {"up": 3, "down": 3, "same": 3, "new": 1, "lost": 1}
    moves = m.customers.set_index("customer_id")["move"].to_dict()
    assert moves == {"C1": "down", "C2": "down", "C3": "up", "C4": "up", "C5": "down", "C6": "same", "C7": "up",
                     "C8": "same", "C9": "same", "C10": "lost", "C11": "new"}
    assert m.moves("up")["customer_id"].tolist() == ["C3", "C4", "C7"]


def test_profit_matrices(engine):
    m = migration.split(engine, "2024-07-01", value="profit", cuts=CUTS, lang="en")
    assert (m.profit_matrix == to_units(PROFIT)).all()
    assert (m.profit_before_matrix == to_units(PROFIT_BEFORE)).all()
    assert (m.revenue_matrix == 2 * to_units(PROFIT)).all()
    # Totals: the later profit 5,580 = 1,200+950+850+700+650+400+380+350+100+0; the inactive
    # column holds none of it. The earlier total is 5,500 = 1,000+900+...+100.
    assert int(m.profit_matrix.sum()) == 5_580 * 10_000
    assert m.profit_matrix[:, 4].sum() == 0 and m.profit_before_matrix[4, :].sum() == 0
    assert int(m.profit_before_matrix.sum()) == 5_500 * 10_000
    s = m.summary()
    assert s["profit_matrix"] == [[float(v) for v in row] for row in PROFIT]
    assert s["customers_before"] == [1, 2, 3, 4, 1] and s["customers_after"] == [1, 2, 3, 4, 1]
    assert "LATER" in s["definitions"]["profit_matrix"]


def test_split_date_boundary(engine):
    # Split one day later: C9's 0-worth order of 2024-07-01 now belongs to the earlier period and
    # C9 has no later order: lost. Later N = 9, bounds floor(1.4) = 1, floor(3.2) = 3,
    # floor(5.9) = 5: C3 | C1, C4 | C6, C7 | C11, C8, C2, C5.
    m = migration.split(engine, "2024-07-02", value="profit", cuts=CUTS, lang="en")
    c = m.customers.set_index("customer_id")
    assert c.loc["C9", "move"] == "lost" and c.loc["C9", "value_before"] == 200.0
    assert c.loc["C11", "after_state"] == "Small"
    assert m.matrix.sum(axis=0).tolist() == [1, 2, 2, 4, 2]
    assert m.matrix[3, 4] == 2  # C9 and C10
    # Split on 2024-06-30: C4's order of that day is later, so C4 is new (inactive before).
    m = migration.split(engine, "2024-06-30", value="profit", cuts=CUTS, lang="en")
    assert m.customers.set_index("customer_id").loc["C4", "move"] == "new"


def test_upgrade_candidates(engine):
    m = migration.split(engine, "2024-07-01", value="profit", cuts=CUTS, lang="en")
    assert migration.tier_lows(m.after) == [1200.0, 850.0, 400.0, 0.0]
    cand = m.candidates()
    # Ordinary vs Major's lowest 850: 80% = 680; C6 700 (growth +200) qualifies, C7 650 does not.
    # Small vs Ordinary's lowest 400: 80% = 320; C8 380 (growth +80) qualifies; C2 350 shrank
    # from 900 (growth -550) so it does not.
    assert cand["customer_id"].tolist() == ["C8", "C6"]
    assert cand["share_of_next"].tolist() == pytest.approx([380 / 400, 700 / 850])
    assert cand["gap_to_next"].tolist() == pytest.approx([20.0, 150.0])
    assert cand["next_tier_name"].tolist() == ["Ordinary", "Major"]
    # At 85%: C6 (82.4%) drops out. With min_growth -600 C2 (87.5%) comes in.
    assert m.candidates(near_pct=85)["customer_id"].tolist() == ["C8"]
    assert m.candidates(min_growth=-600)["customer_id"].tolist() == ["C8", "C2", "C6"]


def test_two_files_give_the_same_matrix(files):
    before = pipeline.load(files["before"], engine=Engine()).customers
    after = pipeline.load(files["after"], engine=Engine()).customers
    m = migration.compare(before, after, value="profit", cuts=CUTS, lang="en")
    assert m.matrix.tolist() == MATRIX
    assert (m.profit_matrix == to_units(PROFIT)).all()


def test_errors(engine):
    with pytest.raises(InputError) as err:
        migration.split(engine, "2030-01-01", cuts=CUTS)
    assert err.value.code == "migration.no_orders_after"
    with pytest.raises(InputError) as err:
        migration.split(engine, "2024-01-01", cuts=CUTS)
    assert err.value.code == "migration.no_orders_before"
    with pytest.raises(InputError) as err:
        migration.split(engine, "2024-07-01", cuts=CUTS, start="2024-08-01")
    assert err.value.code == "migration.bad_range"


def test_default_split_is_a_month_start_near_the_middle(engine):
    # 2024-03-10 .. 2024-09-10 (184 days): middle 2024-06-10 -> nearest month start 2024-06-01.
    assert migration.default_split(engine) == pd.Timestamp("2024-06-01")


def test_sankey(engine):
    m = migration.split(engine, "2024-07-01", value="profit", cuts=CUTS, lang="en")
    labels = {"states": [*NAMES, "Inactive"], "before": "{name} (before)", "after": "{name} (after)",
              "hover": "{a} -> {b}: {n}"}
    fig = migration.sankey_figure(m, labels, colors=["#111111", "#222222", "#333333", "#444444"])
    sk = fig.data[0]
    assert list(sk.node.label[:2]) == ["VIP (before)", "Major (before)"] and sk.node.label[9] == "Inactive (after)"
    assert len(sk.link.value) == int((m.matrix > 0).sum()) == 10
    assert sum(sk.link.value) == 11
    assert "Inactive -> Ordinary: 1" in list(sk.link.customdata)
    ys = list(sk.node.y[:5])
    assert ys == sorted(ys)  # top tier on top, inactive at the bottom


# ------------------------------------------------------------------------------------------
# CLI

def run(argv: list[str]):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    add_migrate_parser(sub)
    return cmd_migrate(parser.parse_args(["migrate", *map(str, argv)]))


def test_cli_summary_json(files, capsys):
    assert run([files["both"], "--split", "2024-07-01", "--cuts", "10,30,60", "--summary", "-"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["states"] == [*NAMES, "inactive"]
    assert s["matrix"] == MATRIX
    assert s["profit_matrix"] == [[float(v) for v in row] for row in PROFIT]
    assert s["profit_before_matrix"] == [[float(v) for v in row] for row in PROFIT_BEFORE]
    assert (s["upgraded"], s["downgraded"], s["new"], s["lost"], s["upgrade_candidates"]) == (3, 3, 1, 1, 2)
    assert s["value"] == "profit" and s["periods"]["split"] == "2024-07-01"


def test_cli_later_file_names_and_out(files, tmp_path, capsys):
    out = tmp_path / "moves.csv"
    assert run([files["before"], "--later", files["after"], "--cuts", "10,30,60", "--names", "甲,乙,丙,丁",
                "--lang", "zh", "--out", out]) == 0
    text = capsys.readouterr().out
    assert "11" in text and "甲" in text  # the human summary
    moves = pd.read_csv(out, encoding="utf-8-sig")
    assert len(moves) == 11
    assert moves.set_index("customer_id").loc["C11", "before_state"] == "inactive"


def test_cli_bad_date(files):
    with pytest.raises(InputError) as err:
        run([files["both"], "--split", "someday"])
    assert err.value.code == "migration.bad_date"


# ------------------------------------------------------------------------------------------
# the public data set

@pytest.mark.slow
def test_online_retail_matrix_matches_an_independent_pandas_computation(capsys):
    if not RETAIL.exists():
        pytest.skip(f"shared data not found at {RETAIL}")
    split = "2010-06-01"
    assert run([RETAIL, "--split", split, "--summary", "-"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["value"] == "revenue" and s["profit_matrix"] is None  # no cost or profit in the file

    df = pd.read_parquet(RETAIL, columns=["Customer ID", "InvoiceDate", "Quantity", "Price"])
    df = df[df["Customer ID"].notna()].copy()
    df["amount"] = [Decimal(int(q)) * Decimal(repr(float(p))) for q, p in zip(df["Quantity"], df["Price"])]
    df["cid"] = df["Customer ID"].astype("int64")
    later = pd.to_datetime(df["InvoiceDate"], format="%Y-%m-%d %H:%M:%S") >= pd.Timestamp(split)

    def tiers_of(part: pd.DataFrame) -> tuple[dict, dict]:
        per = part.groupby("cid")["amount"].sum()
        order = sorted(per.index, key=lambda c: (-per[c], c))  # value descending, ties by id
        n = len(order)
        bounds = [int(Decimal(n) * Decimal(c) / 100 + Decimal("0.5")) for c in (1, 5, 20)]
        tier = {}
        for rank, cid in enumerate(order):
            tier[cid] = sum(1 for b in bounds if rank >= b)
        return tier, per.to_dict()

    t_before, _ = tiers_of(df[~later])
    t_after, rev_after = tiers_of(df[later])
    matrix = np.zeros((5, 5), dtype="int64")
    revenue = [[Decimal(0)] * 5 for _ in range(5)]
    for cid in set(t_before) | set(t_after):
        i, j = t_before.get(cid, 4), t_after.get(cid, 4)
        matrix[i, j] += 1
        revenue[i][j] += rev_after.get(cid, Decimal(0))
    assert s["matrix"] == matrix.tolist()
    assert s["customers"] == df["cid"].nunique()
    # Invariants: rows = earlier tiers + new, columns = later tiers + lost.
    assert s["customers_before"][:4] == [list(t_before.values()).count(k) for k in range(4)]
    assert s["customers_after"][:4] == [list(t_after.values()).count(k) for k in range(4)]
    assert s["customers_before"][4] == len(set(t_after) - set(t_before))
    assert s["customers_after"][4] == len(set(t_before) - set(t_after))
    for i in range(5):
        for j in range(5):
            assert Decimal(str(s["revenue_matrix"][i][j])) == revenue[i][j].quantize(Decimal("0.01")), (i, j)


def test_dimension_filter_applies_to_both_periods(tmp_path):
    # The same orders with a region: C1-C5 "East", the rest "West". Restricted to East, each
    # period has N = 5 and cuts 10/30/60 give bounds floor(0.5 + 0.5) = 1, floor(1.5 + 0.5) = 2,
    # floor(3.0 + 0.5) = 3: tiers of 1, 1, 1 and 2 customers.
    #   earlier: C1 1,000 VIP | C2 900 Major | C3 800 Ordinary | C4 700, C5 600 Small
    #   later:   C3 1,200 VIP | C1 950 Major | C4 850 Ordinary | C2 350, C5 100 Small
    east = {"C1", "C2", "C3", "C4", "C5"}
    lines = ["customer_id,order_date,revenue,cost,region"]
    for profits, day in ((BEFORE, "2024-03-10"), (AFTER, "2024-09-10")):
        for cid, p in profits.items():
            lines.append(f"{cid},{day},{2 * p:.2f},{p:.2f},{'East' if cid in east else 'West'}")
    path = tmp_path / "regions.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    eng = Engine()
    pipeline.load(path, engine=eng)
    m = migration.split(eng, "2024-07-01", value="profit", cuts=CUTS, lang="en",
                        dims={"region": ["East"], "not_a_dimension": ["x"]})
    assert set(m.customers["customer_id"]) == east
    assert m.matrix.tolist() == [
        [0, 1, 0, 0, 0],  # C1 VIP -> Major
        [0, 0, 0, 1, 0],  # C2 Major -> Small
        [1, 0, 0, 0, 0],  # C3 Ordinary -> VIP
        [0, 0, 1, 1, 0],  # C4 Small -> Ordinary, C5 stays Small
        [0, 0, 0, 0, 0],
    ]
    assert m.counts() == {"up": 2, "down": 2, "same": 1, "new": 0, "lost": 0}
    assert m.summary()["periods"]["dims"] == {"region": ["East"]}
    # Without the filter every customer is compared (the hand-made matrix of the module).
    assert migration.split(eng, "2024-07-01", value="profit", cuts=CUTS, lang="en").matrix.tolist() == MATRIX
