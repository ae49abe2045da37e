"""Checks on the demo data sets in sample_data/ and on their generator.

The files are read the way a user's upload would be: pandas + openpyxl for the xlsx
(two rows above the header), UTF-8 for the online-shop CSV, GBK for the summary sheet.
Money is compared in integer cents, never as floats.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_data"
SCRIPT = SAMPLES / "make_samples.py"
WORKWEAR = SAMPLES / "workwear_orders.xlsx"
ONLINE = SAMPLES / "online_shop_transactions.csv"
SUMMARY = SAMPLES / "customers_summary.csv"

WW_HEADERS = ["订单号", "下单日期", "客户编号", "客户名称", "所属行业", "区域", "销售员",
              "产品类别", "数量", "销售金额", "成本", "利润"]
WW_INDUSTRIES = {"银行", "酒店", "医院", "物业", "学校", "航空", "制造", "政府机关", "餐饮", "零售"}
WW_REGIONS = {"华东", "华南", "华北", "华中", "西南", "西北", "东北"}
WW_CATEGORIES = {"西装套装", "衬衫", "工装裤", "防护服", "厨师服", "校服", "制服外套", "配饰"}
OS_HEADERS = ["InvoiceNo", "InvoiceDate", "CustomerID", "CustomerName", "Country",
              "Channel", "Category", "Quantity", "UnitPrice", "Revenue", "Cost", "Profit"]
CS_HEADERS = ["客户名称", "地区", "行业", "年销售额", "年毛利"]


# --------------------------------------------------------------------------- helpers

def float_cents(s: pd.Series) -> np.ndarray:
    """Money read back as floats -> integer cents, asserting at most 2 decimals."""
    x = s.to_numpy(dtype=float) * 100
    c = np.rint(x)
    assert np.all(np.abs(x - c) < 1e-6), "money value with more than 2 decimals"
    return c.astype(np.int64)


def text_cents(s: pd.Series) -> np.ndarray:
    """'-1234.50' strings -> integer cents, exactly (the CSV must use 2 decimals)."""
    assert s.str.fullmatch(r"-?\d+\.\d{2}").all(), "money not written with 2 decimals"
    return s.str.replace(".", "", regex=False).astype(np.int64).to_numpy()


def sheet_cents(s: pd.Series) -> np.ndarray:
    """Spreadsheet-style '￥1,234.50' / '1234.5' / '98000' -> integer cents."""
    assert s.str.fullmatch(r"-?\uffe5?\d{1,3}(,\d{3})*(\.\d{1,2})?|-?\d+(\.\d{1,2})?").all()
    out = []
    for v in s.str.replace("\uffe5", "", regex=False).str.replace(",", "", regex=False):
        neg = v.startswith("-")
        whole, _, frac = v.lstrip("-").partition(".")
        c = int(whole) * 100 + int((frac + "00")[:2])
        out.append(-c if neg else c)
    return np.array(out, dtype=np.int64)


def top_share(per_customer: pd.Series, frac: float) -> float:
    v = per_customer.sort_values(ascending=False).to_numpy(dtype=float)
    k = max(1, int(round(len(v) * frac)))
    return v[:k].sum() / v.sum()


def read_workwear(path: Path) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name="订单明细", header=2, engine="openpyxl")


def xlsx_values(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in wb["订单明细"].iter_rows(values_only=True)]
    finally:
        wb.close()


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def ww() -> pd.DataFrame:
    return read_workwear(WORKWEAR)


@pytest.fixture(scope="module")
def ww_cents(ww):
    rev, cost, profit = (float_cents(ww[c]) for c in ("销售金额", "成本", "利润"))
    return rev, cost, profit


@pytest.fixture(scope="module")
def shop() -> pd.DataFrame:
    return pd.read_csv(ONLINE, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    return pd.read_csv(SUMMARY, dtype=str, keep_default_na=False, encoding="gbk")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """Run the generator into a temporary directory (the committed files stay put)."""
    out = tmp_path_factory.mktemp("samples")
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, str(SCRIPT), str(out)], capture_output=True,
                          text=True, timeout=300)
    elapsed = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr
    return out, elapsed


# --------------------------------------------------------------------------- (a) workwear

def test_workwear_layout():
    wb = openpyxl.load_workbook(WORKWEAR)
    try:
        assert wb.sheetnames == ["订单明细"]
        ws = wb["订单明细"]
        assert str(ws["A1"].value).startswith("华东职业装有限公司")
        assert "A1:L1" in {str(r) for r in ws.merged_cells.ranges}
        assert [c.value for c in ws[3]] == WW_HEADERS
        date_cell = ws["B4"]
        assert isinstance(date_cell.value, dt.datetime)
        assert "yy" in date_cell.number_format
        assert ws["J4"].number_format == "#,##0.00"
    finally:
        wb.close()


def test_workwear_headers_and_counts(ww):
    assert list(ww.columns) == WW_HEADERS
    assert 15_000 <= len(ww) <= 25_000
    assert 1_800 <= ww["客户编号"].nunique() <= 2_200
    assert ww["客户编号"].str.fullmatch(r"C\d{5}").all()


def test_workwear_values(ww):
    assert pd.api.types.is_datetime64_any_dtype(ww["下单日期"])
    assert ww["下单日期"].min() >= pd.Timestamp("2022-01-01")
    assert ww["下单日期"].max() <= pd.Timestamp("2024-12-31")
    assert set(ww["所属行业"]) == WW_INDUSTRIES
    assert set(ww["区域"]) == WW_REGIONS
    assert set(ww["产品类别"]) == WW_CATEGORIES
    assert 10 <= ww["销售员"].nunique() <= 14
    assert pd.api.types.is_integer_dtype(ww["数量"]) and (ww["数量"] > 0).all()
    assert not ww.isna().any().any()


def test_workwear_names_one_to_one(ww):
    pairs = ww[["客户编号", "客户名称"]].drop_duplicates()
    assert pairs["客户编号"].is_unique
    assert pairs["客户名称"].is_unique
    # One industry and one region per customer.
    assert (ww.groupby("客户编号")[["所属行业", "区域"]].nunique() == 1).all().all()


def test_workwear_profit_is_revenue_minus_cost(ww_cents):
    rev, cost, profit = ww_cents
    assert (rev > 0).all() and (cost > 0).all()
    assert np.array_equal(profit, rev - cost)
    assert (profit < 0).any()  # some lines cost more than they earn


def test_workwear_orders(ww):
    per_order = ww.groupby("订单号").agg(lines=("产品类别", "size"),
                                         customers=("客户编号", "nunique"),
                                         dates=("下单日期", "nunique"))
    assert (per_order["customers"] == 1).all()
    assert (per_order["dates"] == 1).all()
    multi = (per_order["lines"] > 1).mean()
    assert 0.02 <= multi <= 0.30  # a few orders span several products


def test_workwear_lifecycle(ww):
    span = ww.groupby("客户编号")["下单日期"].agg(["min", "max"])
    churned = (span["max"] < pd.Timestamp("2023-01-01")).sum()
    new = (span["min"] >= pd.Timestamp("2024-01-01")).sum()
    assert churned >= 20 and new >= 20


def test_workwear_profit_skew_and_losses(ww, ww_cents):
    profit = pd.Series(ww_cents[2]).groupby(ww["客户编号"].to_numpy()).sum()
    assert 0.60 <= top_share(profit, 0.20) <= 0.95
    assert 0.15 <= top_share(profit, 0.01) <= 0.35
    loss_share = (profit < 0).mean()
    assert 0.03 <= loss_share <= 0.06
    margin = profit / pd.Series(ww_cents[0]).groupby(ww["客户编号"].to_numpy()).sum()
    assert margin.quantile(0.05) < 0.10 and margin.quantile(0.95) > 0.30


# --------------------------------------------------------------------------- (b) online shop

def test_online_encoding_and_size():
    raw = ONLINE.read_bytes()
    assert raw.startswith(b"InvoiceNo,InvoiceDate,")  # no BOM
    raw.decode("utf-8")
    assert len(raw) < 20 * 1024 * 1024


def test_online_headers_and_counts(shop):
    assert list(shop.columns) == OS_HEADERS
    assert 120_000 <= len(shop) <= 200_000
    ids = shop["CustomerID"].astype(np.int64)
    assert ids.min() >= 10_000
    assert 18_000 <= ids.nunique() <= 22_000
    assert (shop.groupby("CustomerID")["CustomerName"].nunique() == 1).all()


def test_online_values(shop):
    assert shop["InvoiceDate"].str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}").all()
    ts = pd.to_datetime(shop["InvoiceDate"], format="%Y-%m-%d %H:%M:%S")
    assert ts.min() >= pd.Timestamp("2023-01-01") and ts.max() < pd.Timestamp("2025-01-01")
    assert set(shop["Channel"]) == {"Web", "App", "Marketplace"}
    assert shop["InvoiceNo"].str.fullmatch(r"C?\d{6}").all()
    per_invoice = shop.groupby("InvoiceNo")[["CustomerID", "InvoiceDate"]].nunique()
    assert (per_invoice == 1).all().all()


def test_online_money_to_the_cent(shop):
    qty = shop["Quantity"].astype(np.int64).to_numpy()
    unit, rev, cost, profit = (text_cents(shop[c]) for c in
                               ("UnitPrice", "Revenue", "Cost", "Profit"))
    assert (unit > 0).all() and (qty != 0).all()
    assert np.array_equal(rev, qty * unit)
    assert np.array_equal(profit, rev - cost)


def test_online_returns(shop):
    is_ret = shop["InvoiceNo"].str.startswith("C").to_numpy()
    qty = shop["Quantity"].astype(np.int64).to_numpy()
    rev, cost, profit = (text_cents(shop[c]) for c in ("Revenue", "Cost", "Profit"))
    assert np.array_equal(is_ret, qty < 0)
    assert (rev[is_ret] < 0).all() and (cost[is_ret] < 0).all() and (profit[is_ret] < 0).all()
    assert (rev[~is_ret] > 0).all() and (cost[~is_ret] > 0).all()
    assert 0.015 <= is_ret.mean() <= 0.025


def test_online_customer_skew(shop):
    profit = pd.Series(text_cents(shop["Profit"])).groupby(shop["CustomerID"].to_numpy()).sum()
    assert 0.60 <= top_share(profit, 0.20) <= 0.95
    assert (profit < 0).sum() > 0
    sales = shop[~shop["InvoiceNo"].str.startswith("C")]
    invoices = sales.groupby("CustomerID")["InvoiceNo"].nunique()
    assert (invoices == 1).mean() >= 0.30  # many one-time buyers
    assert invoices.max() >= 30  # and a few heavy buyers


# --------------------------------------------------------------------------- (c) summary

def test_summary_encoding():
    raw = SUMMARY.read_bytes()
    raw.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really GBK, not UTF-8


def test_summary_headers_and_values(summary):
    assert list(summary.columns) == CS_HEADERS
    assert 450 <= len(summary) <= 550
    assert summary["客户名称"].is_unique
    assert set(summary["行业"]) <= WW_INDUSTRIES
    sales = sheet_cents(summary["年销售额"])
    gross = sheet_cents(summary["年毛利"])
    assert (sales > 0).all() and (gross < sales).all()
    styled = summary["年销售额"].str.contains("\uffe5")
    assert 0.2 < styled.mean() < 0.9  # a mix of currency-formatted and plain numbers
    assert 2 <= (gross < 0).sum() <= 10
    assert 0.60 <= top_share(pd.Series(gross), 0.20) <= 0.95


# --------------------------------------------------------------------------- determinism

def test_generator_is_deterministic(regenerated):
    out, elapsed = regenerated
    assert elapsed < 60
    for name in ("online_shop_transactions.csv", "customers_summary.csv"):
        assert (out / name).read_bytes() == (SAMPLES / name).read_bytes(), name
    assert xlsx_values(out / "workwear_orders.xlsx") == xlsx_values(WORKWEAR)
