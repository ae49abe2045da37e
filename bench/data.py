"""Seeded benchmark data: transaction lines of ~1M customers as Parquet, CSV and XLSX.

Files are written once into the cache folder ``bench/.data/`` (git-ignored) and reused; the name
holds the row count and the seed, so a changed generator gets new names (bump ``VERSION``).

The lines look like an ERP export: customer id, order id, order time, quantity, revenue, cost,
region (one per customer) and channel (one per order), with the usual mess in small, fixed shares — lines without a customer id,
lines with no revenue, returns (negative quantity and revenue) and exact duplicate lines.
The Excel file has Chinese headers (客户编号, 订单号, ...) like the sample data.

``python -m bench.data [--rows 1000000] [--format parquet]`` writes one file and prints its path.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import pandas as pd

VERSION = 2
CACHE = Path(__file__).resolve().parent / ".data"
CUSTOMERS = 1_000_000
#: Shares of messy lines.
MISSING_ID = 0.005
MISSING_REVENUE = 0.001
RETURNS = 0.01
DUPLICATES = 0.002

REGIONS = ("华东", "华南", "华北", "华中", "西南", "西北", "东北", "港澳台", "海外")
CHANNELS = ("直销", "经销商", "电商", "门店")
EN_COLUMNS = ("customer_id", "order_id", "order_date", "quantity", "revenue", "cost", "region", "channel")
ZH_COLUMNS = ("客户编号", "订单号", "订单日期", "数量", "销售额", "成本", "地区", "渠道")


def cache_dir() -> Path:
    path = Path(os.environ.get("CUSTOMER_PYRAMID_BENCH_DATA", CACHE))
    path.mkdir(parents=True, exist_ok=True)
    return path


def transactions(rows: int, seed: int = 7, customers: int = CUSTOMERS) -> pd.DataFrame:
    """``rows`` seeded transaction lines (English column names, pyarrow string columns).

    Orders hold 1-6 lines of one customer; customers buy with lognormal intensities, so a
    tenth of the customers make about half of the lines (a realistic pyramid). Money has two
    decimals; about 1 % of the lines are returns.
    """
    rng = np.random.default_rng(seed)
    sizes = np.minimum(1 + rng.poisson(1.5, rows), 6)  # lines per order (at most `rows` orders)
    n_orders = int(np.searchsorted(np.cumsum(sizes), rows) + 1)
    sizes = sizes[:n_orders].copy()
    sizes[-1] -= int(sizes.sum() - rows)
    weight = rng.lognormal(0.0, 1.2, customers)
    cum = np.cumsum(weight / weight.sum())
    order_cust = np.minimum(np.searchsorted(cum, rng.random(n_orders)), customers - 1)
    line_order = np.repeat(np.arange(n_orders), sizes)
    start = np.datetime64("2022-01-01T00:00:00", "s")
    order_time = start + rng.integers(0, 3 * 365 * 86400, n_orders).astype("timedelta64[s]")
    order_time = np.sort(order_time)
    cust = order_cust[line_order]

    quantity = rng.integers(1, 24, rows)
    price = np.round(rng.lognormal(3.2, 0.9, rows), 2)
    revenue = np.round(quantity * price, 2)
    margin = np.clip(rng.normal(0.25, 0.1, rows), -0.2, 0.7)
    cost = np.round(revenue * (1 - margin), 2)
    ret = rng.random(rows) < RETURNS
    quantity[ret] = -quantity[ret]
    revenue[ret] = -revenue[ret]
    cost[ret] = -cost[ret]
    revenue[rng.random(rows) < MISSING_REVENUE] = np.nan

    cust_text = np.char.add("C", np.char.zfill(cust.astype(str), 7)).astype(object)
    cust_text[rng.random(rows) < MISSING_ID] = None
    order_text = np.char.add("SO", np.char.zfill(line_order.astype(str), 9))
    region = np.array(REGIONS)[np.minimum((cust * 7919) % 97 // 11, len(REGIONS) - 1)]
    channel = np.array(CHANNELS)[rng.integers(0, len(CHANNELS), n_orders)][line_order]  # one per order

    df = pd.DataFrame({
        "customer_id": pd.array(cust_text, dtype="str"),
        "order_id": pd.array(order_text, dtype="str"),
        "order_date": order_time[line_order].astype("datetime64[us]"),
        "quantity": quantity.astype("int64"),
        "revenue": revenue,
        "cost": cost,
        "region": pd.array(region, dtype="str"),
        "channel": pd.array(channel, dtype="str"),
    })
    # Exact duplicates: copy some lines over their successor (an export run twice for a day).
    dup = np.flatnonzero(rng.random(rows - 1) < DUPLICATES)
    if len(dup):
        df.iloc[dup + 1] = df.iloc[dup].to_numpy()
    return df


def path_for(rows: int, fmt: str, seed: int = 7) -> Path:
    label = f"{rows // 1_000_000}m" if rows % 1_000_000 == 0 else f"{rows // 1000}k"
    return cache_dir() / f"tx_{label}_s{seed}_v{VERSION}.{fmt}"


def ensure(rows: int, fmt: str, seed: int = 7) -> Path:
    """Write the data set once (Parquet, CSV or XLSX) and return its path."""
    path = path_for(rows, fmt, seed)
    if path.exists():
        return path
    tmp = path.with_name(path.name + ".part")
    df = transactions(rows, seed)
    if fmt == "parquet":
        df.to_parquet(tmp, index=False)
    elif fmt == "csv":
        df.to_csv(tmp, index=False, date_format="%Y-%m-%d %H:%M:%S", encoding="utf-8")
    elif fmt == "xlsx":
        write_xlsx(df, tmp)
    else:
        raise ValueError(fmt)
    os.replace(tmp, path)
    return path


def csv_of_size(mb: float, seed: int = 11) -> Path:
    """A UTF-8 CSV of about ``mb`` megabytes (the "upload to first pyramid" case)."""
    path = cache_dir() / f"tx_{mb:g}mb_s{seed}_v{VERSION}.csv"
    if path.exists():
        return path
    probe = transactions(20_000, seed).to_csv(index=False, date_format="%Y-%m-%d %H:%M:%S")
    rows = int(mb * 1024 * 1024 / (len(probe.encode("utf-8")) / 20_000))
    tmp = path.with_name(path.name + ".part")
    transactions(rows, seed).to_csv(tmp, index=False, date_format="%Y-%m-%d %H:%M:%S", encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_xlsx(df: pd.DataFrame, path: Path) -> None:
    """Write with xlsxwriter in constant-memory mode (row by row), Chinese headers."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("交易明细")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    ws.write_row(0, 0, ZH_COLUMNS)
    cols = [df[c].to_numpy(dtype=object) for c in EN_COLUMNS]
    dates = df["order_date"].dt.to_pydatetime() if hasattr(df["order_date"].dt, "to_pydatetime") else \
        list(df["order_date"])
    for i in range(len(df)):
        r = i + 1
        for j, col in enumerate(cols):
            v = col[i]
            if j == 2:
                ws.write_datetime(r, j, dates[i], date_fmt)
            elif v is None or (isinstance(v, float) and v != v):
                continue
            else:
                ws.write(r, j, v)
    wb.close()


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.data")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--format", choices=("parquet", "csv", "xlsx"), default="parquet")
    args = ap.parse_args()
    print(ensure(args.rows, args.format))


if __name__ == "__main__":
    main()
