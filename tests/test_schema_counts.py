"""Duplicate-row counting and money units in tierlib.schema, on Excel-like object columns.

``Prepared.duplicate_rows`` counts kept rows that repeat an earlier kept row in the mapped
columns, cells compared as text (``astype(str)``). It is computed from integer codes per column;
these tests pin the text semantics down with hand-computed counts.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from tierlib import schema


def raw(rows, cols):
    return pd.DataFrame(rows, columns=cols, dtype=object)


def test_duplicates_compare_excel_cells_as_text():
    df = raw([
        ["A", 0.0, dt.datetime(2024, 1, 5, 9)],
        ["A", -0.0, dt.datetime(2024, 1, 5, 9)],   # "-0.0" is another text than "0.0"
        ["A", 0.0, dt.datetime(2024, 1, 5, 9)],    # repeats the first row
        ["A", 0.0, dt.datetime(2024, 1, 5, 10)],   # another hour
        [" A", 0.0, dt.datetime(2024, 1, 5, 9)],   # raw text " A" differs from "A"
        ["B", None, dt.datetime(2024, 1, 6)],      # rejected (missing revenue): not counted
        ["B", None, dt.datetime(2024, 1, 6)],      # rejected too
        ["A", -0.0, dt.datetime(2024, 1, 5, 9)],   # repeats the second row
    ], ["客户编号", "销售额", "订单日期"])
    p = schema.prepare(df, np.arange(2, 10), schema.guess_mapping(list(df.columns)))
    assert p.rows_used == 6 and p.rows_rejected == 2
    assert p.duplicate_rows == 2  # rows 3 and 8


def test_duplicates_of_mixed_columns_follow_their_texts():
    # 1, 1.0 and True are one value for pandas but three texts: "1", "1.0", "True".
    # "1" (text) has the same text as 1; None and NaN are both empty cells.
    df = raw([[1, "x"], [1.0, "x"], [True, "x"], ["1", "x"], [None, "x"], [np.nan, "x"]], ["a", "b"])
    keep = np.ones(6, dtype=bool)
    assert schema._duplicate_rows(df, keep, ["a", "b"]) == 2  # rows 4 ("1") and 6 (empty)
    assert schema._duplicate_rows(df, keep, ["a", "b"]) == \
        int(df.astype(str).duplicated(keep="first").sum())


def test_duplicates_of_typed_columns():
    # Parquet-like typed columns: floats (-0.0 vs 0.0), integers, text with NaN, timestamps.
    df = pd.DataFrame({
        "f": np.array([0.0, -0.0, 0.0, np.nan, np.nan]),
        "i": np.array([1, 1, 1, 2, 2]),
        "s": pd.Series(["a", "a", "a", None, None], dtype="str"),
        "t": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-01", None, None]),
    })
    keep = np.array([True, True, True, True, True])
    # Rows: (0.0,1,a,d) (-0.0,1,a,d) (0.0,1,a,d)=row 1 (nan,2,-,-) (nan,2,-,-)=row 4.
    assert schema._duplicate_rows(df, keep, ["f", "i", "s", "t"]) == 2
    keep[2] = False
    assert schema._duplicate_rows(df, keep, ["f", "i", "s", "t"]) == 1


def test_duplicates_of_aware_datetimes_use_their_texts():
    # Equal instants in two time zones are two texts; naive and aware cannot be coded together.
    utc = dt.UTC
    east8 = dt.timezone(dt.timedelta(hours=8))
    df = raw([[dt.datetime(2024, 1, 1, 0, tzinfo=utc)], [dt.datetime(2024, 1, 1, 8, tzinfo=east8)],
              [dt.datetime(2024, 1, 1)], [dt.datetime(2024, 1, 1, 0, tzinfo=utc)]], ["d"])
    assert schema._duplicate_rows(df, np.ones(4, dtype=bool), ["d"]) == 1  # the last row


def test_to_units_rounds_half_away_from_zero():
    units = schema.to_units(pd.Series([0.00005, -0.00005, 1.23456, np.nan, -0.0, 1e12], index=[5, 6, 7, 8, 9, 10]))
    # 0.5 and -0.5 units round away from zero; 12345.6 units -> 12346; NaN stays missing.
    assert units.dtype == "Int64"
    assert units.tolist() == [1, -1, 12346, pd.NA, 0, 10**16]
    assert list(units.index) == [5, 6, 7, 8, 9, 10]
