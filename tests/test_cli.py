"""The CLI on real files: GBK CSV, an xlsx with a title row, the shared public data set."""

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
RETAIL = SHARED / "online_retail_II_2009-2010.parquet"


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "tierlib", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def gbk_csv(tmp_path) -> Path:
    # 10 customers C1..C10 with profit 100, 90, ..., 10 and revenue 2x profit, one bad row, one
    # row with no customer. Written in GBK with Chinese only in the header and names.
    lines = ["客户编号,客户名称,销售额,利润,日期"]
    for i in range(1, 11):
        p = 110 - 10 * i
        lines.append(f"C{i},客户{i},\"￥{2 * p:,}.00\",{p}.00,2024/1/{i}")
    lines.append(",无名,10,5,2024/1/1")        # line 12: missing id
    lines.append("C3,客户3,abc,5,2024/1/1")    # line 13: bad number
    path = tmp_path / "gbk.csv"
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    return path


def test_grade_gbk_csv_summary_by_hand(tmp_path):
    res = run_cli("grade", gbk_csv(tmp_path), "--cuts", "10,30,60", "--summary", "-")
    assert res.returncode == 0, res.stderr
    s = json.loads(res.stdout)
    assert (s["rows_read"], s["rows_used"], s["rows_rejected"]) == (12, 10, 2)
    assert s["customers"] == 10 and s["value"] == "profit" and s["scheme"] == "pyramid"
    assert s["cuts"] == [10, 30, 60]
    assert s["totals"] == {"revenue": 1100.0, "profit": 550.0}
    assert [t["customers"] for t in s["tiers"]] == [1, 2, 3, 4]
    assert [t["profit"] for t in s["tiers"]] == [100.0, 170.0, 180.0, 100.0]
    assert s["tiers"][0]["name"] == "VIP"
    assert s["concentration"]["top_20pct_share"] == pytest.approx(190 / 550)
    assert s["rejected_by_reason"] == {"missing_customer_id": 1, "bad_number": 1}


def test_grade_custom_names_and_revenue_value(tmp_path):
    res = run_cli("grade", gbk_csv(tmp_path), "--value", "revenue", "--cuts", "20", "--names", "大,小",
                  "--summary", "-", "--lang", "zh")
    assert res.returncode == 0, res.stderr
    s = json.loads(res.stdout)
    assert [t["name"] for t in s["tiers"]] == ["大", "小"]
    assert [t["revenue"] for t in s["tiers"]] == [380.0, 720.0]


def test_grade_writes_csv_with_bom_and_xlsx(tmp_path):
    src = gbk_csv(tmp_path)
    out_csv, out_xlsx = tmp_path / "g.csv", tmp_path / "g.xlsx"
    assert run_cli("grade", src, "--out", out_csv).returncode == 0
    assert out_csv.read_bytes()[:3] == b"\xef\xbb\xbf"
    df = pd.read_csv(out_csv, encoding="utf-8-sig")
    assert list(df["customer_id"][:3]) == ["C1", "C2", "C3"]
    # N=10 with cuts 1/5/20: bounds floor(0.6)=0, floor(1.0)=1, floor(2.5)=2 -> VIP is empty.
    assert list(df["tier_name"][:3]) == ["Major", "Ordinary", "Small"]
    assert run_cli("grade", src, "--out", out_xlsx, "--lang", "zh").returncode == 0
    x = pd.read_excel(out_xlsx, engine="openpyxl")
    assert x["tier_name"].iloc[-1] == "小客户"
    assert len(x) == 10


def test_bad_input_exits_2_with_one_line(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    res = run_cli("grade", empty)
    assert res.returncode == 2
    assert res.stderr.strip().count("\n") == 0 and "Traceback" not in res.stderr
    header_only = tmp_path / "h.csv"
    header_only.write_text("客户,金额\n", encoding="utf-8")
    res = run_cli("grade", header_only, "--lang", "zh")
    assert res.returncode == 2 and "没有数据行" in res.stderr
    res = run_cli("grade", gbk_csv(tmp_path), "--cuts", "20,5")
    assert res.returncode == 2 and "increase" in res.stderr
    res = run_cli("grade", tmp_path / "missing.csv")
    assert res.returncode == 2 and "Traceback" not in res.stderr


def test_profit_refused_without_margin_then_estimated(tmp_path):
    path = tmp_path / "rev.csv"
    path.write_text("customer,amount\na,100\nb,300\n", encoding="utf-8")
    res = run_cli("grade", path, "--value", "profit")
    assert res.returncode == 2 and "--margin" in res.stderr
    res = run_cli("grade", path, "--summary", "-")  # default falls back to revenue
    assert json.loads(res.stdout)["value"] == "revenue"
    res = run_cli("grade", path, "--margin", "25%", "--summary", "-", "--cuts", "50")
    s = json.loads(res.stdout)
    assert s["value"] == "profit" and s["profit_source"] == "estimated"
    assert s["totals"]["profit"] == 100.0


def test_map_override(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("buyer,x,y\na,1,100\nb,2,50\n", encoding="utf-8")
    res = run_cli("grade", path, "--map", "customer_id=buyer", "--map", "revenue=y", "--summary", "-", "--cuts", "50")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["totals"]["revenue"] == 150.0
    res = run_cli("grade", path, "--map", "customer_id=nope")
    assert res.returncode == 2 and "nope" in res.stderr


@pytest.mark.slow
def test_shared_online_retail_row_accounting_and_exact_totals(tmp_path):
    if not RETAIL.exists():
        pytest.skip(f"shared data not found at {RETAIL}")
    res = run_cli("grade", RETAIL, "--summary", "-")
    assert res.returncode == 0, res.stderr
    s = json.loads(res.stdout)
    assert s["rows_read"] == 525_461
    assert s["rows_read"] == s["rows_used"] + s["rows_rejected"]
    # shared/data/README.md: 107,927 lines have no customer id; nothing else is missing.
    assert s["rejected_by_reason"] == {"missing_customer_id": 107_927}
    assert s["value"] == "revenue"  # the file has no profit or cost
    # Independent exact total: sum of Quantity x Price as decimals over rows with a customer.
    df = pd.read_parquet(RETAIL)
    df = df[df["Customer ID"].notna()]
    total = sum(Decimal(int(q)) * Decimal(repr(float(p))) for q, p in zip(df["Quantity"], df["Price"]))
    assert Decimal(str(s["totals"]["revenue"])) == total.quantize(Decimal("0.01"))
    assert s["customers"] == df["Customer ID"].nunique()
    assert sum(t["customers"] for t in s["tiers"]) == s["customers"]


def _independent_bounds(values_desc, scheme, cuts):
    """Boundaries computed the plain way from the rule text, with exact fractions."""
    from fractions import Fraction
    n = len(values_desc)
    if scheme == "value-share":
        total = sum(values_desc)
        out = []
        for c in cuts:
            acc, k = Decimal(0), 0
            while k < n and acc * 100 < Decimal(c) * total:
                acc += values_desc[k]
                k += 1
            out.append(k)
        return out
    if scheme == "thresholds":
        return [sum(1 for v in values_desc if v >= Decimal(str(c))) for c in cuts]
    if scheme == "quantile":
        t = int(cuts[0])
        return [int(Fraction(n * i, t) + Fraction(1, 2)) for i in range(1, t)]
    raise AssertionError(scheme)


@pytest.mark.slow
@pytest.mark.parametrize("scheme, cuts", [("value-share", "70,90"), ("thresholds", "5000,1000,200"),
                                          ("quantile", "5")])
def test_shared_online_retail_every_scheme_matches_an_independent_computation(scheme, cuts):
    if not RETAIL.exists():
        pytest.skip(f"shared data not found at {RETAIL}")
    n_tiers = int(cuts) if scheme == "quantile" else len(cuts.split(",")) + 1
    names = ",".join("甲乙丙丁戊"[:n_tiers])
    res = run_cli("grade", RETAIL, "--scheme", scheme, "--cuts", cuts, "--names", names, "--summary", "-")
    assert res.returncode == 0, res.stderr
    s = json.loads(res.stdout)
    df = pd.read_parquet(RETAIL)
    df = df[df["Customer ID"].notna()]
    df["amount"] = [Decimal(int(q)) * Decimal(repr(float(p))) for q, p in zip(df["Quantity"], df["Price"])]
    per = df.groupby("Customer ID")["amount"].sum()
    vals = sorted(per.tolist(), reverse=True)
    bounds = _independent_bounds(vals, scheme, [Decimal(c) for c in cuts.split(",")])
    edges = [0, *bounds, len(vals)]
    assert [t["customers"] for t in s["tiers"]] == [b - a for a, b in zip(edges, edges[1:])]
    assert [t["name"] for t in s["tiers"]] == names.split(",")
    for t, a, b in zip(s["tiers"], edges, edges[1:]):
        assert Decimal(str(t["revenue"])) == sum(vals[a:b], Decimal(0)).quantize(Decimal("0.01"))
