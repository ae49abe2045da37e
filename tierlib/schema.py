"""Canonical fields, header synonyms, column mapping and row validation.

A raw table (``tierlib.io.ReadResult.frame``) becomes a *clean* table with one column per
canonical field, typed, plus a report of every rejected row. Rows read = rows used + rows
rejected, always.

Money is held as integers of 1/10,000 of the currency unit (``MONEY_SCALE``) so that sums are
exact to the cent however many rows are added.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from tierlib.io import InputError
from tierlib.parsing import parse_date, parse_number, parse_text

MONEY_SCALE = 10_000
#: Largest absolute amount or quantity accepted in one cell; a larger one rejects its row
#: (reason ``number_too_large``). One trillion keeps every amount exact in integer units
#: (1e16 < 2**63) and still leaves room for sums of ~900,000 such cells.
MAX_ABS_VALUE = 1e12
#: Largest sum of absolute money units (or of order counts) of a column: sums are 64-bit
#: integers (``schema.total_too_large`` beyond).
MAX_TOTAL_UNITS = 2**63 - 2**20

#: Fields that hold money (stored as integer units of 1/MONEY_SCALE).
MONEY_FIELDS = ("revenue", "cost", "profit", "unit_price")
#: Numeric fields that are not money.
NUMBER_FIELDS = ("quantity", "orders")
#: Optional text dimensions used as filters and breakdowns.
DIMENSIONS = ("region", "industry", "channel", "salesperson", "product")
#: Every canonical field, in the order the mapping UI shows them.
FIELDS = (
    "customer_id",
    "customer_name",
    "order_id",
    "order_date",
    "revenue",
    "cost",
    "profit",
    "quantity",
    "unit_price",
    "orders",
) + DIMENSIONS

#: Header synonyms, zh and en. Matching ignores case, spaces, ``_ - . /`` and bracketed units
#: such as ``(元)``. An exact match beats a header that merely contains a synonym.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": (
        "客户编号", "客户id", "客户代码", "客户编码", "客户号", "客户", "顾客", "顾客编号", "顾客id",
        "会员号", "会员编号", "会员id", "会员卡号", "customerid", "customer", "custid", "cust",
        "clientid", "client", "customerno", "customernumber", "customercode", "accountid",
        "memberid",
    ),
    "customer_name": (
        "客户名称", "客户名", "客户姓名", "顾客名称", "顾客姓名", "会员名称", "公司名称", "单位名称",
        "customername", "clientname", "company", "companyname", "accountname", "name",
    ),
    "order_id": (
        "订单号", "订单编号", "单号", "订单id", "发票号", "单据号", "单据编号", "流水号", "orderid",
        "orderno", "ordernumber", "order", "invoice", "invoiceno", "invoiceid", "invoicenumber",
        "transactionid", "receipt",
    ),
    "order_date": (
        "订单日期", "下单日期", "交易日期", "销售日期", "成交日期", "购买日期", "日期", "时间", "下单时间",
        "交易时间", "orderdate", "invoicedate", "transactiondate", "purchasedate", "saledate",
        "date", "datetime", "time",
    ),
    "revenue": (
        "销售额", "销售金额", "成交金额", "金额", "营业额", "销售收入", "收入", "实收金额", "订单金额",
        "交易金额", "消费金额", "年销售额", "sales", "amount", "revenue", "totalprice", "total",
        "lineamount", "netsales", "value",
    ),
    "cost": ("成本", "销售成本", "成本金额", "总成本", "cost", "cogs", "totalcost"),
    "profit": ("利润", "毛利", "毛利润", "毛利额", "利润额", "年毛利", "年利润", "profit", "grossprofit",
               "margin", "grossmargin"),
    "quantity": ("数量", "销量", "件数", "销售数量", "quantity", "qty", "units"),
    "unit_price": ("单价", "售价", "价格", "销售单价", "unitprice", "price"),
    "orders": ("订单数", "购买次数", "交易次数", "下单次数", "orders", "ordercount", "frequency",
               "numorders"),
    "region": ("区域", "地区", "大区", "省份", "城市", "国家", "region", "area", "country", "province",
               "city", "territory"),
    "industry": ("行业", "所属行业", "industry", "sector", "vertical"),
    "channel": ("渠道", "销售渠道", "channel", "source"),
    "salesperson": ("销售员", "业务员", "销售代表", "客户经理", "负责人", "salesperson", "salesrep",
                    "rep", "accountmanager", "owner", "seller"),
    "product": ("产品类别", "产品", "商品", "品类", "类别", "产品名称", "商品名称", "product",
                "category", "productcategory", "item", "sku", "description"),
}

#: Fields whose value must be present and parseable when they are mapped.
REQUIRED_WHEN_MAPPED = ("order_date", "order_id", "revenue", "cost", "profit", "quantity", "unit_price",
                        "orders")

_BRACKETS = re.compile(r"[（(\[【{].*?[)）\]】}]")
_SEPARATORS = re.compile(r"[\s_\-./\\:：#]+")


def normalize_header(name: object) -> str:
    """Fold a header for synonym matching: NFKC, lower case, no units in brackets, no separators."""
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    text = _BRACKETS.sub("", text)
    return _SEPARATORS.sub("", text)


def guess_mapping(columns: list[str]) -> dict[str, str]:
    """Map canonical fields onto the given headers by synonyms.

    Returns ``{field: column}`` for the fields found. Each column serves one field at most.
    Candidates are ranked: exact synonym match first, then a header that contains a synonym
    (synonyms of two characters or more), earlier synonyms and earlier fields first.
    """
    candidates = []
    for f_rank, fld in enumerate(FIELDS):
        for s_rank, syn in enumerate(SYNONYMS[fld]):
            for c_rank, col in enumerate(columns):
                norm = normalize_header(col)
                if not norm:
                    continue
                if norm == syn:
                    candidates.append((0, s_rank, f_rank, c_rank, fld, col))
                elif len(syn) >= 2 and syn in norm and not (syn.isascii() and len(syn) < 4):
                    candidates.append((1, len(norm) - len(syn), f_rank, c_rank, fld, col))
    candidates.sort(key=lambda c: c[:4])
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for *_, fld, col in candidates:
        if fld in mapping or col in used:
            continue
        mapping[fld] = col
        used.add(col)
    # A lone "name" header is the customer's name only when nothing better names the customer.
    return mapping


def apply_overrides(mapping: dict[str, str], overrides: dict[str, str | None], columns: list[str]) -> dict[str, str]:
    """Apply user overrides ``{field: column or None}`` to an automatic mapping.

    An override that names a column takes that column away from any other field; ``None`` or an
    empty string unmaps the field. Unknown fields or columns raise ``InputError``.
    """
    result = dict(mapping)
    for fld, col in overrides.items():
        if fld not in FIELDS:
            raise InputError("schema.unknown_field", field=fld, fields=", ".join(FIELDS))
        if not col:
            result.pop(fld, None)
            continue
        if col not in columns:
            raise InputError("schema.unknown_column", column=col, columns=", ".join(map(str, columns)))
        for other, other_col in list(result.items()):
            if other_col == col and other != fld:
                del result[other]
        result[fld] = col
    return result


@dataclass
class Prepared:
    """The result of validating a raw table against a mapping.

    Attributes
    ----------
    clean : DataFrame
        One row per used input row, one column per canonical field (all of ``FIELDS`` are present;
        unmapped ones are null) plus ``line`` (the row's line number in the file). Money columns are
        ``Int64`` units of 1/MONEY_SCALE, ``order_date`` is ``datetime64``, text columns are strings.
    rejected : DataFrame
        ``line, reason, field, value``: one row per rejected input row (the first reason found).
    """

    clean: pd.DataFrame
    rejected: pd.DataFrame
    mapping: dict[str, str]
    level: str  # "transactions" | "customers"
    profit_source: str | None  # "column" | "revenue_minus_cost" | "estimated" | None
    revenue_source: str | None  # "column" | "quantity_x_price" | None
    margin: float | None
    rows_read: int
    negative_rows: int
    duplicate_rows: int
    notes: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def rows_used(self) -> int:
        return len(self.clean)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    @property
    def has_profit(self) -> bool:
        return self.profit_source is not None

    @property
    def has_revenue(self) -> bool:
        return self.revenue_source is not None


def to_units(values: pd.Series) -> pd.Series:
    """Convert float money values to integer units of 1/MONEY_SCALE (round half away from zero)."""
    scaled = values.to_numpy(dtype="float64") * MONEY_SCALE
    rounded = np.where(np.isnan(scaled), np.nan, np.sign(scaled) * np.floor(np.abs(scaled) + 0.5))
    missing = np.isnan(rounded)
    if not (np.abs(rounded[~missing]) < 2.0**63).all():  # inf or beyond int64: astype raises
        return pd.Series(rounded, index=values.index).astype("Int64")
    units = np.where(missing, 0, rounded).astype(np.int64)  # whole numbers: exact
    return pd.Series(pd.arrays.IntegerArray(units, missing), index=values.index)


def units_to_decimal(units: int | None) -> Decimal | None:
    """Integer money units to a Decimal rounded to the cent (half up)."""
    if units is None or (isinstance(units, float) and np.isnan(units)) or units is pd.NA:
        return None
    return (Decimal(int(units)) / MONEY_SCALE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def units_to_float(units) -> float | None:
    """Integer money units to a float holding the amount rounded to the cent."""
    dec = units_to_decimal(units)
    return None if dec is None else float(dec)


def prepare(raw: pd.DataFrame, line_numbers, mapping: dict[str, str], margin: float | None = None) -> Prepared:
    """Validate and type a raw table.

    Parameters
    ----------
    raw : DataFrame
        Raw cells as read by ``tierlib.io.read_table``.
    line_numbers : array-like of int
        The file line of each raw row (same length as ``raw``).
    mapping : dict
        ``{field: column}``; must contain ``customer_id`` or ``customer_name``.
    margin : float, optional
        Profit margin rate (0.25 = 25%) used to estimate profit when the data have neither a
        profit column nor revenue and cost.

    Returns
    -------
    Prepared
    """
    if len(raw) == 0:
        raise InputError("io.no_data_rows")
    mapping = dict(mapping)
    if "customer_id" not in mapping:
        if "customer_name" not in mapping:
            raise InputError("schema.no_customer")
        mapping["customer_id"] = mapping["customer_name"]
    if not any(f in mapping for f in ("revenue", "profit")) and not (
        "quantity" in mapping and "unit_price" in mapping
    ):
        raise InputError("schema.no_value")
    if margin is not None and not (-1.0 < margin < 1.0):
        raise InputError("schema.bad_margin", margin=margin)

    n = len(raw)
    lines = np.asarray(line_numbers, dtype="int64")
    reason = np.full(n, "", dtype=object)
    reason_field = np.full(n, "", dtype=object)

    def flag(mask, code: str, fld: str) -> None:
        mask = np.asarray(mask, dtype=bool) & (reason == "")
        reason[mask] = code
        reason_field[mask] = fld

    out: dict[str, pd.Series] = {}
    ids, id_missing = parse_text(raw[mapping["customer_id"]])
    flag(id_missing.to_numpy(), "missing_customer_id", "customer_id")
    out["customer_id"] = ids

    for fld in ("customer_name", "order_id") + DIMENSIONS:
        if fld in mapping:
            text, missing = parse_text(raw[mapping[fld]])
            if fld == "order_id":
                flag(missing.to_numpy(), "missing_value", fld)
            out[fld] = text.where(~missing, None)

    if "order_date" in mapping:
        dates, missing, bad = parse_date(raw[mapping["order_date"]])
        flag(missing.to_numpy(), "missing_date", "order_date")
        flag(bad.to_numpy(), "bad_date", "order_date")
        out["order_date"] = dates

    for fld in MONEY_FIELDS + NUMBER_FIELDS:
        if fld in mapping:
            values, missing, bad = parse_number(raw[mapping[fld]])
            flag(missing.to_numpy(), "missing_value", fld)
            flag(bad.to_numpy(), "bad_number", fld)
            flag(np.abs(values.fillna(0).to_numpy()) > MAX_ABS_VALUE, "number_too_large", fld)
            out[fld] = values
    if "revenue" not in mapping and "quantity" in out and "unit_price" in out:
        product = np.abs(np.nan_to_num(out["quantity"].to_numpy() * out["unit_price"].to_numpy()))
        flag(product > MAX_ABS_VALUE, "number_too_large", "unit_price")

    rejected_mask = reason != ""
    raw_values = []
    for i in np.flatnonzero(rejected_mask):
        col = mapping.get(reason_field[i])
        raw_values.append("" if col is None else _cell_text(raw.iat[i, raw.columns.get_loc(col)]))
    rejected = pd.DataFrame(
        {
            "line": lines[rejected_mask],
            "reason": reason[rejected_mask].astype(str),
            "field": reason_field[rejected_mask].astype(str),
            "column": [mapping.get(f, "") for f in reason_field[rejected_mask]],
            "value": raw_values,
        }
    )

    keep = ~rejected_mask
    clean = pd.DataFrame({"line": lines[keep]})
    for fld in FIELDS:
        if fld in out:
            col = out[fld][keep].reset_index(drop=True)
        else:
            col = pd.Series(np.full(int(keep.sum()), None, dtype=object), dtype="object")
        clean[fld] = col
    for fld in MONEY_FIELDS:
        clean[fld] = to_units(pd.Series(clean[fld], dtype="float64")) if fld in out else \
            pd.arrays.IntegerArray(np.zeros(len(clean), dtype=np.int64), np.ones(len(clean), dtype=bool))
    for fld in NUMBER_FIELDS:
        clean[fld] = pd.Series(clean[fld], dtype="float64") if fld in out else np.nan
    if "order_date" not in out:
        clean["order_date"] = pd.Series(pd.NaT, index=clean.index, dtype="datetime64[us]")
    for fld in ("customer_id", "customer_name", "order_id") + DIMENSIONS:
        clean[fld] = clean[fld].astype("str").where(clean[fld].notna(), None) if fld in out else None

    # Revenue: a revenue column, else quantity x unit price.
    revenue_source = None
    if "revenue" in mapping:
        revenue_source = "column"
    elif "quantity" in mapping and "unit_price" in mapping:
        qty = clean["quantity"].to_numpy(dtype="float64")
        price = clean["unit_price"].astype("float64").to_numpy()
        clean["revenue"] = to_units(pd.Series(qty * price / MONEY_SCALE))
        revenue_source = "quantity_x_price"

    # Profit: a profit column, else revenue - cost, else revenue x margin (estimated).
    profit_source = None
    notes: list[tuple[str, dict]] = []
    if "profit" in mapping:
        profit_source = "column"
    elif revenue_source and "cost" in mapping:
        clean["profit"] = clean["revenue"] - clean["cost"]
        profit_source = "revenue_minus_cost"
    elif revenue_source and margin is not None:
        clean["profit"] = to_units(clean["revenue"].astype("float64") * margin / MONEY_SCALE)
        profit_source = "estimated"
        notes.append(("schema.profit_estimated", {"margin": f"{margin:.1%}"}))

    for fld in MONEY_FIELDS + ("orders",):
        # Money columns hold units already; order counts are summed as they are.
        if float(np.abs(clean[fld].astype("float64").fillna(0).to_numpy()).sum()) > MAX_TOTAL_UNITS:
            raise InputError("schema.total_too_large", field=fld)

    ids_unique = clean["customer_id"].is_unique
    level = "customers" if ids_unique and "order_date" not in mapping and "order_id" not in mapping else "transactions"

    value_cols = [f for f in ("revenue", "profit") if f in clean]
    negative = np.zeros(len(clean), dtype=bool)
    for f in value_cols:
        negative |= (clean[f].fillna(0) < 0).to_numpy(dtype=bool)
    mapped_cols = list(dict.fromkeys(mapping.values()))
    duplicate_rows = _duplicate_rows(raw, keep, mapped_cols) if len(clean) else 0

    return Prepared(
        clean=clean,
        rejected=rejected,
        mapping=mapping,
        level=level,
        profit_source=profit_source,
        revenue_source=revenue_source,
        margin=margin,
        rows_read=n,
        negative_rows=int(negative.sum()),
        duplicate_rows=duplicate_rows,
        notes=notes,
    )


def _duplicate_rows(raw: pd.DataFrame, keep: np.ndarray, columns: list) -> int:
    """Rows among ``keep`` that repeat an earlier one in ``columns``, cells compared as text.

    The same count as ``raw.loc[keep, columns].astype(str).duplicated().sum()``, computed from
    integer codes of each column (a code per distinct text; empty cells share one)."""
    codes = {i: _text_codes(raw[c])[keep] for i, c in enumerate(columns)}
    return int(pd.DataFrame(codes).duplicated(keep="first").sum())


def _text_codes(col: pd.Series) -> np.ndarray:
    """Integer codes of ``col.astype(str)``: equal codes for equal texts, -1 for missing cells.

    Distinct values have distinct texts for strings, Python floats (``-0.0`` is not ``0.0``;
    NaN is missing), naive datetimes, integers and booleans, so those are coded directly; any
    other column (mixed types: ``1``, ``1.0`` and ``True`` are one value but three texts) goes
    through ``astype(str)``."""
    dtype = col.dtype
    if dtype == object:
        values = col.to_numpy(dtype=object)
        kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind == "string":  # str (and numpy str) values and empty cells
            return pd.factorize(values, use_na_sentinel=True)[0]
        if kind == "empty":
            return np.full(len(values), -1, dtype=np.intp)
        kinds = set(map(type, values)) - {type(None)} if kind in ("floating", "datetime") else {object}
        if kinds <= {float}:  # Python floats only (a numpy float32 has other texts)
            return _float_codes(values.astype("float64"))
        if kinds <= {_dt.datetime}:
            try:
                stamps = pd.DatetimeIndex(values)
            except (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime):
                stamps = None  # aware and naive values mixed
            if stamps is not None and stamps.tz is None:
                return pd.factorize(stamps, use_na_sentinel=True)[0]
    elif isinstance(dtype, np.dtype) and dtype.kind == "f":
        return _float_codes(col.to_numpy(dtype="float64"))
    elif isinstance(dtype, np.dtype) and dtype.kind in "iubM" or \
            (isinstance(dtype, pd.StringDtype) and pd.isna(dtype.na_value) and dtype.na_value is not pd.NA):
        return pd.factorize(col, use_na_sentinel=True)[0]
    return pd.factorize(col.astype(str), use_na_sentinel=True)[0]


def _float_codes(values: np.ndarray) -> np.ndarray:
    """Codes of float64 values by their bits (``-0.0`` and ``0.0`` differ, as their texts do)."""
    codes = pd.factorize(values.view(np.int64), use_na_sentinel=True)[0]
    codes[np.isnan(values)] = -1
    return codes


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."
