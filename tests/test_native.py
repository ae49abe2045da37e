"""The native path (tierlib/native.py) gives the Python path's results, exactly.

Every comparison loads the same file twice - once natively (CUSTOMER_PYRAMID_NATIVE_MIN_MB=0),
once the Python way (the threshold set out of reach) - and compares rows read/used/rejected,
the rejected-rows report (lines, reasons, raw values), negative and duplicate counts and the
per-customer table, column by column, plus the per-customer table that customers.sql computes
over the native ``tx`` view.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tierlib import i18n, io, native, parsing, pipeline, schema
from tierlib.engine import Engine
from tierlib.io import InputError

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT.parent / "shared" / "data" / "online_retail_II_2009-2010.parquet"


# ---------------------------------------------------------------------------------------------
# helpers

def load_native(monkeypatch, source, **kw) -> pipeline.Loaded:
    monkeypatch.setenv(native.ENV_MIN_MB, "0")
    loaded = pipeline.load(source, engine=Engine(), **kw)
    assert isinstance(loaded.read, native.NativeRead), "expected the native path"
    return loaded


def load_python(monkeypatch, source, **kw) -> pipeline.Loaded:
    monkeypatch.setenv(native.ENV_MIN_MB, "1000000")
    loaded = pipeline.load(source, engine=Engine(), **kw)
    assert not isinstance(loaded.read, native.NativeRead)
    return loaded


def assert_same(a: pipeline.Loaded, b: pipeline.Loaded) -> None:
    """``a`` (native) and ``b`` (Python) agree on everything the product shows."""
    pa_, pb = a.prepared, b.prepared
    for attr in ("rows_read", "rows_used", "rows_rejected", "negative_rows", "duplicate_rows", "level",
                 "profit_source", "revenue_source", "mapping", "notes"):
        assert getattr(pa_, attr) == getattr(pb, attr), attr
    assert pa_.rejected_by_reason == {str(k): int(v) for k, v in pb.rejected["reason"].value_counts().items()}
    pd.testing.assert_frame_equal(pa_.rejected.reset_index(drop=True), pb.rejected.reset_index(drop=True))
    pd.testing.assert_frame_equal(a.customers, b.customers)
    assert a.columns == b.columns
    assert a.auto_mapping == b.auto_mapping
    assert a.available_values() == b.available_values()
    # customers.sql (what the pages run for filters) over the native tx gives the same table.
    pd.testing.assert_frame_equal(a.read.engine.customers(), b.customers)


def write_parquet(path: Path, columns: dict) -> Path:
    pq.write_table(pa.table(columns), path)
    return path


# ---------------------------------------------------------------------------------------------
# constants shared with the Python parser

def test_strip_set_and_markers_are_the_python_parsers():
    assert native.STRIP_CHARS == parsing._STRIP == io._STRIP_CHARS
    consts = native._constants(None)
    for marker in parsing.MISSING_MARKERS:
        assert "\x01" + marker + "\x01" in consts["markers"][1:-1].replace("''", "'")


# ---------------------------------------------------------------------------------------------
# a tiny file with hand-computed figures

def test_tiny_parquet_hand_computed(tmp_path, monkeypatch):
    # line: customer, revenue, cost, date
    # 1: C1, 100.005, 60, 2024-01-05      used; 100.005 * 10000 = 1000050.0000000001 -> 1000050 units
    # 2: C1, -20, -12, 2024-02-01        used; negative (revenue < 0)
    # 3: None, 50, 10, 2024-01-01        missing_customer_id
    # 4: C2, NaN, 5, 2024-01-01          missing_value (revenue)
    # 5: C2, inf, 5, 2024-01-01          bad_number (revenue), raw value "inf"
    # 6: C2, 30, 10, NaT                 missing_date, raw value "NaT"
    # 7: all empty                       a blank row: not read at all
    # 8: C2, 30, 10, 1850-03-01          bad_date (before 1900), raw value "1850-03-01 00:00:00"
    # 9: " C2 ", 40.5, 0.5, 2024-03-01   used (id stripped to C2)
    # 10: C1, -20, -12, 2024-02-01       used; a duplicate of line 2; negative
    ts = [dt.datetime(2024, 1, 5), dt.datetime(2024, 2, 1), dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1),
          dt.datetime(2024, 1, 1), None, None, dt.datetime(1850, 3, 1), dt.datetime(2024, 3, 1),
          dt.datetime(2024, 2, 1)]
    path = write_parquet(tmp_path / "tiny.parquet", {
        "客户编号": ["C1", "C1", None, "C2", "C2", "C2", None, "C2", " C2 ", "C1"],
        "销售额": [100.005, -20.0, 50.0, math.nan, math.inf, 30.0, None, 30.0, 40.5, -20.0],
        "成本": [60.0, -12.0, 10.0, 5.0, 5.0, 10.0, None, 10.0, 0.5, -12.0],
        "订单日期": pa.array(ts, type=pa.timestamp("us")),
    })
    n = load_native(monkeypatch, path)
    p = n.prepared
    assert (p.rows_read, p.rows_used, p.rows_rejected) == (9, 4, 5)  # 10 lines - 1 blank
    assert p.negative_rows == 2 and p.duplicate_rows == 1
    assert p.rejected_by_reason == {"missing_customer_id": 1, "missing_value": 1, "bad_number": 1,
                                    "missing_date": 1, "bad_date": 1}
    assert p.rejected["line"].tolist() == [3, 4, 5, 6, 8]
    assert p.rejected["value"].tolist() == ["", "", "inf", "NaT", "1850-03-01 00:00:00"]
    c = n.customers.set_index("customer_id")
    # C1: 1000050 - 200000 - 200000 = 600050 units = 60.005; profit 60.005 - (60 - 24) = 24.005
    assert c.loc["C1", "revenue"] == 600_050 and c.loc["C1", "profit"] == 600_050 - 360_000
    # C2: only line 9: 40.5 -> 405000 units, profit 40.0
    assert c.loc["C2", "revenue"] == 405_000 and c.loc["C2", "profit"] == 400_000
    assert c.loc["C1", "orders"] == 2  # no order id: distinct order days 2024-01-05, 2024-02-01
    assert_same(n, load_python(monkeypatch, path))


# ---------------------------------------------------------------------------------------------
# messy cells, Parquet with typed and text columns

def messy_frame(n: int = 3000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = np.array([f"K{i:04d}" for i in rng.integers(0, 400, n)], dtype=object)
    odd_ids = ["", " ", "N/A", "null", "—", "12345.0", " 777 ", "\u3000K0001", "K0002\u00a0", None]
    ids[rng.random(n) < 0.05] = None
    pick = rng.random(n) < 0.05
    ids[pick] = rng.choice(np.array(odd_ids, dtype=object), pick.sum())
    money = np.round(rng.lognormal(4, 1, n), 2).astype(object)
    odd_money = ["¥1,234.50", "$12.00", "(45.00)", "12.5%", "1 000", "abc", "N/A", "-", "inf", "1e3",
                 "１２３．５", "100元", "12,5", "", None, "+3", ".5", "5.", "1_000", "+-5"]
    pick = rng.random(n) < 0.08
    money[pick] = rng.choice(np.array(odd_money, dtype=object), pick.sum())
    money = np.array([v if v is None or isinstance(v, str) else f"{v}" for v in money], dtype=object)
    days = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    dates = np.array([d.strftime("%Y-%m-%d %H:%M:%S") for d in days], dtype=object)
    odd_dates = ["2024/1/5", "2024年1月5日", "05/01/2024", "2024-02-30", "", "N/A", "20240105", "45296",
                 "2024-01-05T10:20", "Jan 5, 2024", "2024-1-5 7:05", "1899-05-01", "2024-01-05 24:00:00",
                 "garbage", None]
    pick = rng.random(n) < 0.08
    dates[pick] = rng.choice(np.array(odd_dates, dtype=object), pick.sum())
    region = rng.choice(np.array(["华东", " 华南", "华北 ", "N/A", "", None], dtype=object), n)
    qty = rng.integers(-2, 30, n).astype("float64")
    qty[rng.random(n) < 0.02] = np.nan
    order = np.array([f"SO{i:05d}" for i in rng.integers(0, 1200, n)], dtype=object)
    return pd.DataFrame({"Customer": ids, "Order No": order, "Date": dates, "Amount": money,
                         "Qty": qty, "Region": region})


def test_messy_text_cells_parquet(tmp_path, monkeypatch):
    df = messy_frame()
    path = tmp_path / "messy.parquet"
    df.to_parquet(path, index=False)
    n = load_native(monkeypatch, path)
    assert "lookups" in n.read.timings  # odd cells went through tierlib.parsing
    assert n.prepared.rows_rejected > 0
    assert_same(n, load_python(monkeypatch, path))


def test_messy_text_cells_csv(tmp_path, monkeypatch):
    df = messy_frame(seed=5)
    path = tmp_path / "messy.csv"
    df.to_csv(path, index=False, encoding="utf-8")
    n = load_native(monkeypatch, path)
    assert n.read.format == "csv" and n.read.encoding in ("utf-8", "ascii")
    assert_same(n, load_python(monkeypatch, path))


def test_typed_parquet_columns(tmp_path, monkeypatch):
    rng = np.random.default_rng(9)
    n = 2000
    ids = rng.integers(10000, 10400, n).astype("float64")
    ids[rng.random(n) < 0.05] = np.nan
    ids[:3] = [10001.5, 1e16, -0.0]  # repr text, big float, negative zero
    price = np.round(rng.lognormal(1, 1, n), 4)
    price[rng.random(n) < 0.02] = np.nan
    price[5] = np.inf
    price[6] = -0.0
    ts = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 10**8, n), unit="s")
    ts = pd.Series(ts).where(rng.random(n) > 0.02)
    ts.iloc[7] = pd.Timestamp("2150-01-01")
    ts = pa.array(ts, type=pa.timestamp("us")).to_pylist()
    ts[8], ts[9] = dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59)  # do not fit in ns
    table = pa.table({
        "Customer ID": pa.array(ids),
        "Quantity": pa.array(rng.integers(-3, 20, n), type=pa.int32()),
        "Price": pa.array(price),
        "InvoiceDate": pa.array(ts, type=pa.timestamp("us")),
        "Invoice": pa.array([f"{i}" for i in rng.integers(500000, 500900, n)]),
        "Cost": pa.array([None if i % 97 == 0 else float(i % 13) for i in range(n)], type=pa.float32()),
        "Country": pa.array(rng.choice(["UK", "France", "EIRE"], n)).dictionary_encode(),
        "Weight": pa.array(rng.random(n)),  # unmapped
    })
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)
    assert_same(load_native(monkeypatch, path), load_python(monkeypatch, path))


def test_decimal_money_and_integer_ids(tmp_path, monkeypatch):
    from decimal import Decimal

    vals = [Decimal("12.34"), Decimal("0.00005"), Decimal("-3.50"), None, Decimal("100.00015"),
            Decimal("7.77")] * 50
    path = write_parquet(tmp_path / "dec.parquet", {
        "customer_id": pa.array([1001, 1002, 1003, 1004, 1002, 1005] * 50, type=pa.int64()),
        "revenue": pa.array(vals, type=pa.decimal128(12, 5)),
        "order_id": pa.array([f"O{i}" for i in range(300)]),
    })
    assert_same(load_native(monkeypatch, path), load_python(monkeypatch, path))


def test_quantity_times_price_and_margin(tmp_path, monkeypatch):
    rng = np.random.default_rng(4)
    n = 1500
    path = write_parquet(tmp_path / "qp.parquet", {
        "客户": [f"客户{i}" for i in rng.integers(0, 200, n)],
        "数量": rng.integers(1, 9, n).astype("float64") * 1.5,
        "单价": np.round(rng.lognormal(2, 1, n), 3),
        "日期": pa.array(pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
                       type=pa.timestamp("ms")),
        "渠道": rng.choice(["线上", "线下"], n),
    })
    n_ = load_native(monkeypatch, path, margin=0.3)
    assert n_.prepared.revenue_source == "quantity_x_price" and n_.prepared.profit_source == "estimated"
    assert_same(n_, load_python(monkeypatch, path, margin=0.3))


def test_customer_level_sheet(tmp_path, monkeypatch):
    path = write_parquet(tmp_path / "cust.parquet", {
        "客户名称": ["甲公司", "乙公司", "丙公司", "丁公司"],
        "年销售额": [1200.0, 800.5, 50.0, None],
        "年毛利": [300.0, 100.25, -5.0, 1.0],
        "订单数": [12.0, 8.0, 1.0, 2.0],
        "行业": ["制造", "零售", "零售", "制造"],
    })
    n = load_native(monkeypatch, path)
    assert n.prepared.level == "customers"
    assert n.prepared.mapping["customer_id"] == "客户名称"
    assert_same(n, load_python(monkeypatch, path))


def test_mapping_override_and_remap_without_reading(tmp_path, monkeypatch):
    df = messy_frame(800, seed=8)
    path = tmp_path / "m.parquet"
    df.to_parquet(path, index=False)
    first = load_native(monkeypatch, path)
    over = {"region": None, "order_id": None}
    again = pipeline.load(path, overrides=over, engine=Engine(), read=first.read)
    assert isinstance(again.read, native.NativeRead) and "region" not in again.prepared.mapping
    assert_same(again, load_python(monkeypatch, path, overrides=over))


def test_pandas_index_column_is_read_like_the_python_reader(tmp_path, monkeypatch):
    df = pd.DataFrame({"customer": ["a", "b", "a"], "sales": [1.0, 2.0, 3.0]}, index=[10, 20, 30])
    path = tmp_path / "indexed.parquet"
    df.to_parquet(path)  # writes __index_level_0__
    p = load_python(monkeypatch, path)
    n = load_native(monkeypatch, path)
    assert n.columns == p.columns
    assert_same(n, p)


def test_ragged_csv_rows_get_unnamed_columns(tmp_path, monkeypatch):
    path = tmp_path / "ragged.csv"
    path.write_bytes(b"customer,revenue\na,1\nb,2,3,4\nc,5\n")
    n = load_native(monkeypatch, path)
    assert n.columns == ["customer", "revenue", "column_3", "column_4"]
    assert_same(n, load_python(monkeypatch, path))


# ---------------------------------------------------------------------------------------------
# text files: what the native reader takes, and what it leaves to the Python reader

def test_csv_with_title_rows_bom_and_trailing_blank_lines(tmp_path, monkeypatch):
    body = "销售明细表\n导出日期 2024-06-01\n客户编号,销售额,订单日期\nA1,10.5,2024-01-02\nA2,\"1,234.50\",2024-01-03\n" \
           "A1,abc,2024-01-04\n,,\nA3,7,2024-01-05\n\n\n"
    path = tmp_path / "titled.csv"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    n = load_native(monkeypatch, path)
    assert n.read.header_row == 3 and n.read.skipped_title_rows == 2
    assert n.prepared.rows_read == 4  # the ",," row is blank, the trailing empty lines are not rows
    assert n.prepared.rejected["line"].tolist() == [6]
    assert_same(n, load_python(monkeypatch, path))


def test_tsv(tmp_path, monkeypatch):
    path = tmp_path / "t.tsv"
    path.write_text("customer\trevenue\tdate\nx\t1\t2024-01-01\ny\t2.5\t2024-01-02\nx\t-1\t2024-01-03\n",
                    encoding="utf-8")
    n = load_native(monkeypatch, path)
    assert n.read.delimiter == "\t"
    assert_same(n, load_python(monkeypatch, path))


@pytest.mark.parametrize("name, data", [
    ("gbk.csv", "客户编号,销售额\n张三,10\n李四,20\n".encode("gbk")),
    ("utf16.csv", "customer,revenue\na,1\nb,2\n".encode("utf-16")),
    ("quoted_newline.csv", b'customer,revenue,note\na,1,"two\nlines"\nb,2,x\n'),
    ("blank_line.csv", b"customer,revenue\na,1\n\nb,2\n"),
])
def test_text_files_the_native_reader_leaves_to_python(tmp_path, monkeypatch, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    monkeypatch.setenv(native.ENV_MIN_MB, "0")
    with pytest.raises(native.Fallback):
        native.load(native.plan(path), engine=Engine())
    loaded = pipeline.load(path, engine=Engine())  # pipeline.load falls back by itself
    assert not isinstance(loaded.read, native.NativeRead)
    assert loaded.prepared.rows_used == load_python(monkeypatch, path).prepared.rows_used


def test_upload_bytes_take_the_native_path_and_leave_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CUSTOMER_PYRAMID_DATA_DIR", str(tmp_path / "data"))
    df = messy_frame(1500, seed=2)
    data = df.to_csv(index=False).encode("utf-8")
    n = load_native(monkeypatch, data, filename="upload.csv")
    assert list((tmp_path / "data" / ".native_uploads").iterdir()) == []
    # Re-mapping an upload reads its bytes again (the temporary copy is gone).
    again = pipeline.load(data, filename="upload.csv", overrides={"region": None}, engine=Engine(),
                          read=n.read)
    assert "region" not in again.prepared.mapping
    assert_same(n, load_python(monkeypatch, data, filename="upload.csv"))


def test_excel_and_small_files_stay_on_the_python_path(tmp_path, monkeypatch):
    monkeypatch.delenv(native.ENV_MIN_MB, raising=False)
    small = tmp_path / "s.csv"
    small.write_text("customer,revenue\na,1\n", encoding="utf-8")
    assert native.plan(small) is None  # below NATIVE_MIN_BYTES
    monkeypatch.setenv(native.ENV_MIN_MB, "0")
    assert native.plan(str(ROOT / "sample_data" / "workwear_orders.xlsx")) is None
    assert native.plan(small, sheet="Sheet1") is None


# ---------------------------------------------------------------------------------------------
# folders

def test_folder_of_parquet_parts_equals_the_whole_file(tmp_path, monkeypatch):
    df = messy_frame(2400, seed=11)
    whole = tmp_path / "whole.parquet"
    df.to_parquet(whole, index=False)
    folder = tmp_path / "parts"
    folder.mkdir()
    for k, part in enumerate([df.iloc[i:i + len(df) // 3] for i in range(0, len(df), len(df) // 3)]):
        part.to_parquet(folder / f"part-{k}.parquet", index=False)
    (folder / "README.md").write_text("not data", encoding="utf-8")
    f = pipeline.load(folder, engine=Engine())  # folders always take the native path
    w = load_python(monkeypatch, whole)
    assert f.read.files == ["part-0.parquet", "part-1.parquet", "part-2.parquet"]
    for attr in ("rows_read", "rows_used", "rows_rejected", "negative_rows", "duplicate_rows"):
        assert getattr(f.prepared, attr) == getattr(w.prepared, attr), attr
    pd.testing.assert_frame_equal(f.customers, w.customers)
    # Rejected rows name their file and the row within it.
    rej = f.prepared.rejected
    assert list(rej.columns) == ["file", "line", "reason", "field", "column", "value"]
    sizes = [800, 800, 800]
    starts = np.cumsum([0] + sizes[:-1])
    global_line = rej["line"].to_numpy() + starts[rej["file"].str.slice(5, 6).astype(int).to_numpy()]
    assert global_line.tolist() == w.prepared.rejected["line"].tolist()
    assert rej[["reason", "field", "value"]].reset_index(drop=True).equals(
        w.prepared.rejected[["reason", "field", "value"]].reset_index(drop=True))


def test_folder_of_csv_files(tmp_path, monkeypatch):
    df = messy_frame(900, seed=12)
    folder = tmp_path / "csvs"
    folder.mkdir()
    for k, part in enumerate([df.iloc[i:i + len(df) // 3] for i in range(0, len(df), len(df) // 3)]):
        part.to_csv(folder / f"{k}.csv", index=False)
    whole = tmp_path / "whole.csv"
    df.to_csv(whole, index=False)
    f = pipeline.load(folder, engine=Engine())
    w = load_python(monkeypatch, whole)
    assert (f.prepared.rows_read, f.prepared.rows_rejected) == (w.prepared.rows_read, w.prepared.rows_rejected)
    pd.testing.assert_frame_equal(f.customers, w.customers)


def test_folder_errors(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError) as e:
        pipeline.load(empty)
    assert e.value.code == "native.no_files"
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    write_parquet(mixed / "a.parquet", {"customer": ["x"], "revenue": [1.0]})
    (mixed / "b.csv").write_text("customer,revenue\ny,2\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        pipeline.load(mixed)
    assert e.value.code == "native.mixed_folder"
    other = tmp_path / "other"
    other.mkdir()
    write_parquet(other / "a.parquet", {"customer": ["x"], "revenue": [1.0]})
    write_parquet(other / "b.parquet", {"customer": ["y"], "sales": [2.0]})
    with pytest.raises(InputError) as e:
        pipeline.load(other)
    assert e.value.code == "native.folder_columns"


def test_cli_grades_a_folder(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    write_parquet(folder / "1.parquet", {"客户编号": ["a", "b", None], "销售额": [5.0, 3.0, 1.0]})
    write_parquet(folder / "2.parquet", {"客户编号": ["a", "c"], "销售额": [2.0, 9.0]})
    env = {"CUSTOMER_PYRAMID_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin",
           "CUSTOMER_PYRAMID_MEMORY_LIMIT": "512MB"}
    out = subprocess.run([sys.executable, "-m", "tierlib", "grade", str(folder), "--summary", "-"], cwd=ROOT,
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    # 5 rows, 1 without a customer id; customers a (5 + 2 = 7), b (3), c (9)
    assert (summary["rows_read"], summary["rows_used"], summary["customers"]) == (5, 4, 3)
    assert summary["totals"]["revenue"] == 19.0
    assert summary["rejected_by_reason"] == {"missing_customer_id": 1}


# ---------------------------------------------------------------------------------------------
# settings

def test_memory_limit_setting(monkeypatch):
    monkeypatch.setenv(native.ENV_MEMORY_LIMIT, "512MB")
    assert native.memory_limit() == "512MB"
    monkeypatch.setenv(native.ENV_MEMORY_LIMIT, "lots; DROP TABLE tx")
    with pytest.raises(InputError) as e:
        native.memory_limit()
    assert e.value.code == "native.bad_memory_limit"
    monkeypatch.delenv(native.ENV_MEMORY_LIMIT)
    assert native.memory_limit() == native.DEFAULT_MEMORY_LIMIT


def test_engine_gets_memory_limit_and_spill_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(native.ENV_MEMORY_LIMIT, "300MB")
    eng = Engine()
    spill = native.configure(eng.con, temp_root=tmp_path / "tmp")
    limit = eng.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    assert limit.replace(" ", "") in ("286.1MiB", "300.0MB", "300MB")
    assert eng.con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0] == str(spill)
    assert spill.parent == tmp_path / "tmp"


def test_allowed_paths(tmp_path):
    a = tmp_path / "a.parquet"
    a.write_bytes(b"PAR1")
    b = tmp_path / "folder"
    b.mkdir()
    env = f"{a};{b};{tmp_path / 'missing.csv'};;"
    assert native.allowed_paths(env) == [a.resolve(), b.resolve()]
    assert native.resolve_allowed(str(b), env) == b.resolve()
    with pytest.raises(InputError) as e:
        native.resolve_allowed(str(tmp_path), env)
    assert e.value.code == "native.not_allowed"
    assert native.allowed_paths("") == []


def test_progress_stages(tmp_path, monkeypatch):
    path = write_parquet(tmp_path / "p.parquet", {"customer": ["a", "b", "a"], "revenue": [1.0, 2.0, 3.0]})
    seen = []
    monkeypatch.setenv(native.ENV_MIN_MB, "0")
    with native.progress(lambda stage, info: seen.append((stage, info))):
        pipeline.load(path, engine=Engine())
    assert [s for s, _ in seen] == ["read", "customers", "done"]
    assert seen[-1][1]["rows"] == 3 and seen[-1][1]["customers"] == 2


def test_summary_counts_are_exact_beyond_the_report_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(native, "REJECTED_CAP", 5)  # a module setting, not a mock of behaviour
    path = write_parquet(tmp_path / "r.parquet", {"customer": [None] * 12 + ["a", "b"],
                                                   "revenue": [1.0] * 14})
    n = load_native(monkeypatch, path)
    assert n.prepared.rows_rejected == 12 and len(n.prepared.rejected) == 5
    assert n.prepared.rejected_truncated
    assert pipeline.summary(n, __import__("tierlib").tiers.grade(n.customers, value="revenue"))[
        "rejected_by_reason"] == {"missing_customer_id": 12}


# ---------------------------------------------------------------------------------------------
# the real public file

@pytest.mark.slow
def test_public_online_retail_native_equals_python(monkeypatch):
    if not PUBLIC.exists():
        pytest.skip(f"public data file not found: {PUBLIC}")
    n = load_native(monkeypatch, PUBLIC)
    p = load_python(monkeypatch, PUBLIC)
    # The data set's README: 525,461 lines, 107,927 without a customer id.
    assert (n.prepared.rows_read, n.prepared.rows_rejected) == (525_461, 107_927)
    assert n.prepared.rejected_by_reason == {"missing_customer_id": 107_927}
    assert_same(n, p)
    # Totals to the cent and every customer's revenue.
    assert n.customers["revenue"].sum() == p.customers["revenue"].sum()
    assert schema.units_to_decimal(int(n.customers["revenue"].sum())) == \
        schema.units_to_decimal(int(p.customers["revenue"].sum()))
    assert (n.customers["revenue"].to_numpy() == p.customers["revenue"].to_numpy()).all()


# ---------------------------------------------------------------------------------------------
# the SQL cell rules against tierlib.parsing, cell by cell

def _macro_con():
    from tierlib.engine import connect, sql

    con = connect()
    con.execute(sql("native_macros"))
    return con


def test_strip_guard_lists_the_strip_characters():
    # np_strip looks closer only at cells whose first or last character passes np_strip_char: a
    # code point <= 0x20 or one of the non-ASCII characters of parsing._STRIP - exactly those, over
    # the whole Basic Multilingual Plane (the guard is written as comparisons for speed).
    con = _macro_con()
    flagged = {c for (c,) in con.execute(
        "SELECT c FROM range(0, 65536) AS r(c) WHERE np_strip_char(c)").fetchall()}
    want = {c for c in range(65536) if c <= 32 or chr(c) in parsing._STRIP}
    assert flagged == want


def test_strip_at_strips_only_the_listed_characters():
    con = _macro_con()
    cells = [" a ", "\u3000中\u3000", "\ufeffx", "x\u200b", "a b", "\u00e9t\u00e9", "\x01a", "", None, "\u2003\u2003"]
    got = [r[0] for r in con.execute(
        "SELECT np_strip(c, $s, $r) FROM (SELECT UNNEST($cells) AS c, generate_subscripts($cells, 1) AS i) ORDER BY i",
        {"cells": cells, "s": native.STRIP_CHARS, "r": native.STRIP_RE}).fetchall()]
    assert got == [None if c is None else c.strip(parsing._STRIP) for c in cells]


def test_text_cells_match_parse_text():
    rng = np.random.default_rng(21)
    alphabet = list("0123456789.aA-N/") + [" ", "\t", "\u3000", "\u00a0", "\ufeff", "\u200b", "é", "中"]
    cells = ["".join(rng.choice(alphabet, rng.integers(0, 7))) for _ in range(4000)]
    cells += ["10001.0", " 10001.00 ", "1.0.0", "N/A", " nan ", "—", "#DIV/0!", "\u3000NULL\u3000", "00.0",
              "١٢.0", "12.0a", ".0", "0.0"]
    con = _macro_con()
    c = native._constants(None)
    got = con.execute(
        f"SELECT CASE WHEN np_missing(t, {c['markers']}, {c['longest']}) THEN NULL ELSE t END "
        f"FROM (SELECT np_text(x, {c['strip']}, {c['strip_re']}) AS t, i FROM "
        f"(SELECT unnest($cells) AS x, generate_subscripts($cells, 1) AS i)) ORDER BY i", {"cells": cells}).fetchall()
    values, missing = parsing.parse_text(pd.Series(cells, dtype="str"))
    want = [None if m else v for v, m in zip(values, missing)]
    assert [g[0] for g in got] == want


def test_plain_numbers_and_iso_dates_match_the_python_parsers():
    rng = np.random.default_rng(22)
    nums = [f"{rng.choice(['', '-', '+'])}{rng.integers(0, 10**rng.integers(1, 12))}"
            f"{rng.choice(['', '.', '.' + str(rng.integers(0, 10**6))])}{rng.choice(['', 'e3', 'E-2'])}"
            for _ in range(3000)] + ["1e999", "-0", ".5", "5.", "0.00005", "123456789012345678"]
    con = _macro_con()
    got = con.execute("SELECT np_plain_number(x), TRY_CAST(x AS DOUBLE) FROM (SELECT unnest($v) AS x, "
                      "generate_subscripts($v, 1) AS i) ORDER BY i", {"v": nums}).fetchall()
    values, missing, bad = parsing.parse_number(pd.Series(nums, dtype="str"))
    for (plain, dv), s, v, b in zip(got, nums, values, bad):
        # pandas misrounds some "+1234.5678"-like strings, so those go through tierlib.parsing.
        assert plain == (not s.startswith("+")), s
        assert not plain or (b and not math.isfinite(dv)) or dv == v, s
    dates = ["2024-01-05", "2024-1-5", "2024/01/05 13:45", "2024-01-05T13:45:10", "2024-02-30", "2023-02-29",
             "2024-02-29 23:59:59", "1899-12-31", "1900-01-01", "2100-12-31 23:59:59", "2101-01-01",
             "2024-13-01", "2024-01-05 24:00", "2024-01-05 12:60", "2024-01-05 12:00:60", "0001-01-01"]
    got = con.execute("SELECT np_iso_date(x), np_plausible_ns(np_iso_value(x)) "
                      "FROM (SELECT unnest($v) AS x, generate_subscripts($v, 1) AS i) ORDER BY i",
                      {"v": dates}).fetchall()
    values, missing, bad = parsing.parse_date(pd.Series(dates, dtype="str"))
    for (fast, ts), s, v, b in zip(got, dates, values, bad):
        assert fast, s
        assert (ts is None) == bool(b), s
        if ts is not None:
            assert pd.Timestamp(ts) == v, s


# ---------------------------------------------------------------------------------------------
# limits of the native path (issue "Reliability"): rows, columns, time - each a clear error

def _limit_files(tmp_path):
    rows = 20_000
    df = pd.DataFrame({"customer_id": [f"C{i % 50}" for i in range(rows)],
                       "revenue": np.arange(rows, dtype="float64"), "cost": 1.0})
    pq_path = tmp_path / "lim.parquet"
    df.to_parquet(pq_path)
    csv_path = tmp_path / "lim.csv"
    df.to_csv(csv_path, index=False)
    return pq_path, csv_path


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_native_row_limit(tmp_path, monkeypatch, kind):
    monkeypatch.setenv(native.ENV_MIN_MB, "0")
    pq_path, csv_path = _limit_files(tmp_path)
    path = pq_path if kind == "parquet" else csv_path
    monkeypatch.setenv(native.ENV_MAX_ROWS, "19999")
    with pytest.raises(InputError) as exc:
        pipeline.load(path)
    assert exc.value.code == "native.too_many_rows"
    assert exc.value.params == {"rows": 20_000, "limit": 19_999}
    msg = i18n.error_message(exc.value.code, exc.value.params, "zh")
    assert "20,000" in msg and "19,999" in msg
    monkeypatch.setenv(native.ENV_MAX_ROWS, "20000")  # exactly at the limit: read
    loaded = pipeline.load(path)
    assert loaded.prepared.rows_read == 20_000 and getattr(loaded.read, "native", False)


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_native_column_limit(tmp_path, monkeypatch, kind):
    monkeypatch.setenv(native.ENV_MIN_MB, "0")
    wide = pd.DataFrame({f"c{i}": [1.0, 2.0] for i in range(io.MAX_COLUMNS - 2)})
    wide.insert(0, "customer_id", ["A", "B"])
    wide.insert(1, "revenue", [5.0, 6.0])
    wide["one_too_many"] = 0.0  # MAX_COLUMNS + 1 columns in all
    path = tmp_path / f"wide.{kind}"
    wide.to_parquet(path) if kind == "parquet" else wide.to_csv(path, index=False)
    with pytest.raises(InputError) as exc:
        pipeline.load(path)
    assert exc.value.code == "io.too_many_columns"
    assert exc.value.params == {"columns": io.MAX_COLUMNS + 1, "limit": io.MAX_COLUMNS}


def test_native_time_budget(tmp_path, monkeypatch):
    monkeypatch.setenv(native.ENV_MIN_MB, "0")
    pq_path, _ = _limit_files(tmp_path)
    monkeypatch.setenv(native.ENV_TIME_S, "0.001")
    with pytest.raises(InputError) as exc:
        pipeline.load(pq_path)
    assert exc.value.code == "native.too_slow"
    assert "0.001" in i18n.error_message(exc.value.code, exc.value.params, "en")


def test_native_time_budget_interrupts_a_running_query(tmp_path, monkeypatch):
    # 2M rows take well over the budget inside DuckDB's row query: the timer interrupts it.
    monkeypatch.setenv(native.ENV_MIN_MB, "0")
    n = 2_000_000
    df = pd.DataFrame({"customer_id": pd.array([f"C{i % 997}" for i in range(n)], dtype="str"),
                       "order_id": pd.array([f"O{i}" for i in range(n)], dtype="str"),
                       "revenue": np.ones(n)})
    path = tmp_path / "big.parquet"
    df.to_parquet(path)
    monkeypatch.setenv(native.ENV_TIME_S, "0.3")
    t0 = time.perf_counter()
    with pytest.raises(InputError) as exc:
        pipeline.load(path)
    assert exc.value.code == "native.too_slow"
    assert time.perf_counter() - t0 < 5  # stopped, not run to the end and refused afterwards
