"""`python -m tierlib segments`: one row per customer with tier, RFM, kind, lifecycle and churn."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
RETAIL = ROOT.parent / "shared" / "data" / "online_retail_II_2009-2010.parquet"
STAGES = {"exploration", "formation", "stability", "decline", "lost", ""}
COLUMNS = ["customer_id", "tier", "tier_name", "recency_days", "frequency", "monetary", "r_score", "f_score",
           "m_score", "segment", "kind", "lifecycle_stage", "churn_flags"]


def run(*args):
    return subprocess.run([sys.executable, "-m", "tierlib", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def check_invariants(df: pd.DataFrame, n_customers: int):
    assert list(df.columns[: len(COLUMNS)]) == COLUMNS
    assert len(df) == n_customers and df["customer_id"].is_unique
    for col in ("r_score", "f_score", "m_score"):
        assert df[col].between(1, 5).all()
    # Equal inputs get equal scores.
    for measure, score in (("recency_days", "r_score"), ("frequency", "f_score"), ("monetary", "m_score")):
        assert (df.groupby(measure)[score].nunique() == 1).all()
    # More recent (fewer days) never scores lower.
    by_r = df.groupby("recency_days")["r_score"].first().sort_index()
    assert by_r.is_monotonic_decreasing
    assert set(df["lifecycle_stage"].fillna("")) <= STAGES
    assert df["segment"].notna().all()


def test_segments_on_a_small_file(tmp_path):
    rows = ["客户,日期,金额,利润"]
    # Three customers: A buys monthly, B bought once long ago, C twice recently.
    for m in range(1, 13):
        rows.append(f"A,2024-{m:02d}-05,100,30")
    rows += ["B,2023-01-10,500,50", "C,2024-11-20,80,8", "C,2024-12-01,90,9"]
    src = tmp_path / "s.csv"
    src.write_text("\n".join(rows), encoding="utf-8")
    out = tmp_path / "seg.csv"
    res = run("segments", src, "--as-of", "2024-12-31", "--out", out, "--cuts", "34", "--names", "top,rest")
    assert res.returncode == 0, res.stderr
    df = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)
    check_invariants(df, 3)
    d = df.set_index("customer_id")
    # As of 2024-12-31: A last bought 2024-12-05 (26 days), B 2023-01-10 (721 days), C 2024-12-01 (30).
    assert (d.loc["A", "recency_days"], d.loc["B", "recency_days"], d.loc["C", "recency_days"]) == (26, 721, 30)
    assert list(d["frequency"][["A", "B", "C"]]) == [12, 1, 2]
    assert d.loc["A", "tier_name"] == "top"  # profit 360 is the largest; floor(3*0.34+0.5) = 1
    assert d.loc["B", "lifecycle_stage"] == "lost"
    assert json.loads(res.stdout)["customers"] == 3


@pytest.mark.slow
def test_segments_on_the_public_retail_file(tmp_path):
    if not RETAIL.exists():
        pytest.skip(f"shared data not found at {RETAIL}")
    out = tmp_path / "seg.parquet"
    res = run("segments", RETAIL, "--as-of", "2010-12-09", "--out", out)
    assert res.returncode == 0, res.stderr
    df = pd.read_parquet(out)
    raw = pd.read_parquet(RETAIL)
    check_invariants(df, raw["Customer ID"].dropna().nunique())
    assert (df["kind"] == "").all()  # no profit or cost in this file: kinds cannot be told
