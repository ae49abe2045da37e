"""Column mapping by synonyms, validation and row accounting (hand-made frames)."""

import numpy as np
import pandas as pd
import pytest

from tierlib import schema
from tierlib.engine import Engine
from tierlib.io import InputError


def test_guess_mapping_chinese_erp_headers():
    cols = ["订单号", "下单日期", "客户编号", "客户名称", "所属行业", "区域", "销售员", "产品类别", "数量",
            "销售金额", "成本", "利润"]
    m = schema.guess_mapping(cols)
    assert m == {"order_id": "订单号", "order_date": "下单日期", "customer_id": "客户编号",
                 "customer_name": "客户名称", "industry": "所属行业", "region": "区域", "salesperson": "销售员",
                 "product": "产品类别", "quantity": "数量", "revenue": "销售金额", "cost": "成本", "profit": "利润"}


def test_guess_mapping_online_retail_headers():
    cols = ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country"]
    m = schema.guess_mapping(cols)
    assert m["customer_id"] == "Customer ID"
    assert m["order_id"] == "Invoice"
    assert m["order_date"] == "InvoiceDate"
    assert m["quantity"] == "Quantity"
    assert m["unit_price"] == "Price"
    assert m["region"] == "Country"
    assert "revenue" not in m


def test_guess_mapping_units_in_brackets_and_case():
    m = schema.guess_mapping(["客户 ID", "销售额(元)", "毛利（元）", "CUSTOMER NAME"])
    assert m == {"customer_id": "客户 ID", "revenue": "销售额(元)", "profit": "毛利（元）",
                 "customer_name": "CUSTOMER NAME"}


def test_overrides_move_a_column_and_unmap():
    m = schema.apply_overrides({"customer_id": "a", "revenue": "b"}, {"revenue": "a", "customer_id": None},
                               ["a", "b"])
    assert m == {"revenue": "a"}
    with pytest.raises(InputError) as exc:
        schema.apply_overrides({}, {"revenue": "zzz"}, ["a"])
    assert exc.value.code == "schema.unknown_column"


def raw(rows, cols):
    return pd.DataFrame(rows, columns=cols, dtype=object)


def test_prepare_rejects_with_reasons_and_line_numbers():
    df = raw([
        ["C1", "2024-01-05", "￥1,234.50", "100"],
        ["", "2024-01-05", "10", "1"],          # missing id
        ["C2", "N/A", "10", "1"],               # missing date
        ["C3", "2024-13-45", "10", "1"],        # bad date
        ["C4", "2024-01-06", "abc", "1"],       # bad number
        ["C5", "2024-01-07", "(45.00)", "-5"],  # a return: kept, negative
        ["C1", "2024-01-05", "￥1,234.50", "100"],  # exact duplicate of the first row: kept
    ], ["客户", "日期", "金额", "利润"])
    p = schema.prepare(df, np.arange(4, 11), schema.guess_mapping(list(df.columns)))
    assert p.rows_read == 7 and p.rows_used == 3 and p.rows_rejected == 4
    assert list(p.rejected["line"]) == [5, 6, 7, 8]
    assert list(p.rejected["reason"]) == ["missing_customer_id", "missing_date", "bad_date", "bad_number"]
    assert list(p.rejected["value"]) == ["", "N/A", "2024-13-45", "abc"]
    assert list(p.clean["revenue"]) == [12_345_000, -450_000, 12_345_000]  # units of 1/10,000
    assert p.negative_rows == 1 and p.duplicate_rows == 1
    assert p.profit_source == "column" and p.level == "transactions"


def test_profit_from_revenue_minus_cost_exact_cents():
    df = raw([["a", "0.10", "0.07"], ["a", "0.20", "0.01"]], ["customer", "sales", "cost"])
    p = schema.prepare(df, [2, 3], schema.guess_mapping(list(df.columns)))
    assert p.profit_source == "revenue_minus_cost"
    cust = Engine().customers(p.clean)
    assert int(cust["profit"].iloc[0]) == 2_200  # 0.03 + 0.19 = 0.22 exactly
    assert int(cust["revenue"].iloc[0]) == 3_000


def test_revenue_from_quantity_times_price():
    df = raw([["a", "3", "0.10"], ["a", "-1", "2.55"]], ["client", "qty", "price"])
    p = schema.prepare(df, [2, 3], schema.guess_mapping(list(df.columns)))
    assert p.revenue_source == "quantity_x_price"
    assert list(p.clean["revenue"]) == [3_000, -25_500]
    assert p.profit_source is None


def test_customer_sheet_without_id_uses_the_name():
    df = raw([["甲公司", "100"], ["乙公司", "50"]], ["客户名称", "年销售额"])
    p = schema.prepare(df, [2, 3], schema.guess_mapping(list(df.columns)))
    assert p.level == "customers"
    assert list(p.clean["customer_id"]) == ["甲公司", "乙公司"]


def test_no_customer_or_value_column_is_refused():
    with pytest.raises(InputError) as exc:
        schema.prepare(raw([["x", "1"]], ["foo", "金额"]), [2], {"revenue": "金额"})
    assert exc.value.code == "schema.no_customer"
    with pytest.raises(InputError) as exc:
        schema.prepare(raw([["x", "1"]], ["客户", "foo"]), [2], {"customer_id": "客户"})
    assert exc.value.code == "schema.no_value"


def test_engine_aggregation_orders_and_dimensions():
    df = raw([
        ["c1", "O1", "2024-01-01", "10", "东"],
        ["c1", "O1", "2024-01-01", "5", "东"],
        ["c1", "O2", "2024-02-01", "7", "西"],
        ["c1", "O3", "2024-03-01", "1", "东"],
        ["c2", "O4", "2024-01-03", "2", None],
    ], ["客户", "订单号", "日期", "金额", "区域"])
    p = schema.prepare(df, range(2, 7), schema.guess_mapping(list(df.columns)))
    cust = Engine().customers(p.clean).set_index("customer_id")
    assert cust.loc["c1", "orders"] == 3 and cust.loc["c1", "lines"] == 4
    assert int(cust.loc["c1", "revenue"]) == 230_000
    assert cust.loc["c1", "region"] == "东"  # most frequent
    assert pd.isna(cust.loc["c2", "region"])
    assert str(cust.loc["c1", "first_order"])[:10] == "2024-01-01"
    assert str(cust.loc["c1", "last_order"])[:10] == "2024-03-01"
