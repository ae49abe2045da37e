"""Tests of tierlib.parsing with literal expected values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tierlib.parsing import (
    EXCEL_SERIAL_MAX,
    MAX_DATE,
    MIN_DATE,
    MISSING_MARKERS,
    parse_date,
    parse_number,
    parse_text,
)


def one_number(value, dtype=object):
    values, missing, bad = parse_number(pd.Series([value], dtype=dtype))
    return values.iloc[0], bool(missing.iloc[0]), bool(bad.iloc[0])


def one_date(value, dtype=object):
    values, missing, bad = parse_date(pd.Series([value], dtype=dtype))
    return values.iloc[0], bool(missing.iloc[0]), bool(bad.iloc[0])


# --------------------------------------------------------------------------------------------
# parse_number
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "raw, expected",
    [
        ("¥1,234.50", 1234.5),
        ("￥100", 100.0),
        ("$12.00", 12.0),
        ("€3", 3.0),
        ("£7.5", 7.5),
        ("1 000", 1000.0),
        ("1\u00a0000", 1000.0),      # no-break space
        ("1\u202f000", 1000.0),      # narrow no-break space
        ("1\u2009000", 1000.0),      # thin space
        ("(45.00)", -45.0),
        ("(¥45)", -45.0),
        ("-45", -45.0),
        ("+3", 3.0),
        ("１２３．５", 123.5),
        ("－５", -5.0),
        ("１，２３４", 1234.0),
        ("12.5%", 0.125),
        ("１２％", 0.12),
        ("1.2e3", 1200.0),
        ("100元", 100.0),
        ("100 元", 100.0),
        ("CNY 100", 100.0),
        ("RMB100", 100.0),
        ("100 rmb", 100.0),
        ("USD 12", 12.0),
        ("12.5 USD", 12.5),
        ("-¥45", -45.0),
        (" 12 ", 12.0),
        ("\u300012\u3000", 12.0),
        ("1,234,567.8", 1234567.8),
        ("12,5", 12.5),
        ("1.234,56", 1234.56),
        ("0", 0.0),
        ("-0.5", -0.5),
        (7, 7.0),
        (2.25, 2.25),
        (np.int64(4), 4.0),
    ],
)
def test_parse_number_values(raw, expected):
    value, missing, bad = one_number(raw)
    assert value == pytest.approx(expected)
    assert not missing and not bad


@pytest.mark.parametrize("raw", sorted(MISSING_MARKERS) + [None, np.nan, "  ", "N/A", "NULL",
                                                            "None", "NaN", "#N/A", "#VALUE!",
                                                            "\u3000"])
def test_parse_number_missing(raw):
    value, missing, bad = one_number(raw)
    assert np.isnan(value)
    assert missing and not bad


@pytest.mark.parametrize("raw", ["abc", "inf", "-inf", "Infinity", "12abc", "1,2,3", "(-45)",
                                 "$", "1..2", True, dt.datetime(2024, 1, 5)])
def test_parse_number_bad(raw):
    value, missing, bad = one_number(raw)
    assert np.isnan(value)
    assert bad and not missing


def test_parse_number_numeric_dtypes_and_index():
    s = pd.Series([1.5, np.nan, np.inf, 3.0], index=[10, 11, 12, 13])
    values, missing, bad = parse_number(s)
    assert list(values.index) == [10, 11, 12, 13]
    assert values.dtype == np.float64
    assert values.tolist()[0] == 1.5 and values.tolist()[3] == 3.0
    assert missing.tolist() == [False, True, False, False]
    assert bad.tolist() == [False, False, True, False]

    ints = pd.Series(pd.array([1, None, 3], dtype="Int64"))
    values, missing, bad = parse_number(ints)
    assert values.iloc[0] == 1.0 and values.iloc[2] == 3.0
    assert missing.tolist() == [False, True, False]
    assert not bad.any()


def test_parse_number_str_dtype_column_with_repeats():
    s = pd.Series(["¥1,000", "¥1,000", "", "x", "2"] * 1000, dtype="str")
    values, missing, bad = parse_number(s)
    assert values.iloc[:5].tolist()[:2] == [1000.0, 1000.0]
    assert values.iloc[4] == 2.0
    assert int(missing.sum()) == 1000
    assert int(bad.sum()) == 1000
    assert not (missing & bad).any()


# --------------------------------------------------------------------------------------------
# parse_date
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2024-01-05", "2024-01-05"),
        ("2024/1/5", "2024-01-05"),
        ("2024.1.5", "2024-01-05"),
        ("2024年1月5日", "2024-01-05"),
        ("2024年1月5日 13:45", "2024-01-05 13:45"),
        ("20240105", "2024-01-05"),
        ("2024-01-05 13:45:00", "2024-01-05 13:45:00"),
        ("2024-01-05T13:45:00", "2024-01-05 13:45:00"),
        ("2024-01-05T13:45:00.250", "2024-01-05 13:45:00.250"),
        ("2024-01-05T13:45:00Z", "2024-01-05 13:45:00"),
        ("2024-01-05 13:45:00+08:00", "2024-01-05 13:45:00"),
        ("2024/01/05 1:02 PM", "2024-01-05 13:02"),
        ("2024/01/05 12:30 AM", "2024-01-05 00:30"),
        ("2024-01-05 下午1:02", "2024-01-05 13:02"),
        ("２０２４－０１－０５", "2024-01-05"),
        (" 2024-01-05 ", "2024-01-05"),
        ("45296", "2024-01-05"),
        ("45296.5", "2024-01-05 12:00"),
        ("Jan 5, 2024", "2024-01-05"),
        (45296, "2024-01-05"),
        (45296.75, "2024-01-05 18:00"),
        (1, "1900-01-01"),
        (59, "1900-02-28"),
        (61, "1900-03-01"),
        (20240105, "2024-01-05"),
        (dt.datetime(2024, 1, 5, 13, 45), "2024-01-05 13:45"),
        (dt.date(2024, 1, 5), "2024-01-05"),
        (pd.Timestamp("2024-01-05 08:00", tz="Asia/Shanghai"), "2024-01-05 08:00"),
        (np.datetime64("2024-01-05"), "2024-01-05"),
    ],
)
def test_parse_date_values(raw, expected):
    value, missing, bad = one_date(raw)
    assert value == pd.Timestamp(expected)
    assert not missing and not bad


@pytest.mark.parametrize("raw", ["", "  ", "N/A", "null", "-", "—", None, np.nan])
def test_parse_date_missing(raw):
    value, missing, bad = one_date(raw)
    assert pd.isna(value)
    assert missing and not bad


@pytest.mark.parametrize(
    "raw",
    ["abc", "2024-02-30", "2024-13-01", "2024-01-05 25:00", "2024/01/05 13:02 PM", 0, -5,
     60,                      # Excel's fictitious 1900-02-29
     EXCEL_SERIAL_MAX + 1.5,  # beyond 9999-12-31 and not YYYYMMDD
     "1899-12-31",            # before MIN_DATE
     "2101-01-01",            # after MAX_DATE
     "1066-10-14", dt.date(1850, 1, 1), dt.time(13, 45), True, "2024-01", "5 apples 2024"],
)
def test_parse_date_bad(raw):
    value, missing, bad = one_date(raw)
    assert pd.isna(value)
    assert bad and not missing


def test_parse_date_bounds_are_inclusive():
    assert MIN_DATE == pd.Timestamp("1900-01-01")
    assert MAX_DATE == pd.Timestamp("2100-12-31")
    values, missing, bad = parse_date(pd.Series(["1900-01-01", "2100-12-31 23:59:59",
                                                 "2100-12-31", "1899-12-31 23:59"]))
    assert values.tolist()[:3] == [pd.Timestamp("1900-01-01"), pd.Timestamp("2100-12-31 23:59:59"),
                                   pd.Timestamp("2100-12-31")]
    assert bad.tolist() == [False, False, False, True]


def test_parse_date_month_first_unless_a_day_exceeds_12():
    values, _, bad = parse_date(pd.Series(["05/01/2024", "12/31/2024", "03/04/2024"]))
    # Second part 31 > 12 does not switch the order; only a first part > 12 does.
    assert values.tolist() == [pd.Timestamp("2024-05-01"), pd.Timestamp("2024-12-31"),
                               pd.Timestamp("2024-03-04")]
    assert not bad.any()
    values, _, bad = parse_date(pd.Series(["05/01/2024", "13/01/2024", "31.12.2024"]))
    assert values.tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-13"),
                               pd.Timestamp("2024-12-31")]
    assert not bad.any()
    values, _, bad = parse_date(pd.Series(["13/01/2024", "01/13/2024"]))
    assert values.iloc[0] == pd.Timestamp("2024-01-13")
    assert bad.tolist() == [False, True]  # invalid in the column's day-first order


def test_parse_date_datetime_column_and_numeric_column():
    s = pd.Series(pd.to_datetime(["2024-01-05 13:45", None, "1850-01-01 00:00"]), index=[5, 6, 7])
    values, missing, bad = parse_date(s)
    assert str(values.dtype) == "datetime64[ns]"
    assert list(values.index) == [5, 6, 7]
    assert values.iloc[0] == pd.Timestamp("2024-01-05 13:45")
    assert missing.tolist() == [False, True, False]
    assert bad.tolist() == [False, False, True]

    values, missing, bad = parse_date(pd.Series([45296.0, np.nan, 60.0, 61.0]))
    assert values.iloc[0] == pd.Timestamp("2024-01-05")
    assert values.iloc[3] == pd.Timestamp("1900-03-01")
    assert missing.tolist() == [False, True, False, False]
    assert bad.tolist() == [False, False, True, False]

    aware = pd.Series(pd.to_datetime(["2024-01-05 08:00"]).tz_localize("Asia/Shanghai"))
    values, _, _ = parse_date(aware)
    assert values.iloc[0] == pd.Timestamp("2024-01-05 08:00")


def test_parse_date_mixed_excel_column_and_str_dtype():
    raw = pd.Series([dt.datetime(2024, 1, 5), "2024-01-06", 45298.0, None, "x"], dtype=object)
    values, missing, bad = parse_date(raw)
    assert values.tolist()[:3] == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-06"),
                                   pd.Timestamp("2024-01-07")]
    assert missing.tolist() == [False, False, False, True, False]
    assert bad.tolist() == [False, False, False, False, True]
    s = pd.Series(["2024-01-05 07:45:00"] * 3 + [""], dtype="str")
    values, missing, bad = parse_date(s)
    assert str(values.dtype) == "datetime64[ns]"
    assert values.iloc[2] == pd.Timestamp("2024-01-05 07:45")
    assert missing.tolist() == [False, False, False, True]


# --------------------------------------------------------------------------------------------
# parse_text
# --------------------------------------------------------------------------------------------

def test_parse_text_cleans_ids_and_names():
    raw = pd.Series([10001.0, " 王小明\u3000", "10002.0", None, "N/A", 12.5, 7, "\ufeffA1 ",
                     dt.datetime(2024, 1, 5), "", "\u00a0 "], dtype=object, index=range(10, 21))
    values, missing = parse_text(raw)
    assert list(values.index) == list(range(10, 21))
    assert values.tolist()[:3] == ["10001", "王小明", "10002"]
    assert values.iloc[5] == "12.5"
    assert values.iloc[6] == "7"
    assert values.iloc[7] == "A1"
    assert values.iloc[8] == "2024-01-05"
    assert missing.tolist() == [False, False, False, True, True, False, False, False, False,
                                True, True]
    assert values[missing].isna().all()


def test_parse_text_numeric_columns():
    values, missing = parse_text(pd.Series([10001.0, np.nan, 12.5, 1e20]))
    assert values.tolist()[0] == "10001"
    assert values.iloc[2] == "12.5"
    assert values.iloc[3] == "1e+20"
    assert missing.tolist() == [False, True, False, False]
    values, missing = parse_text(pd.Series([1, 2, 3]))
    assert values.tolist() == ["1", "2", "3"]
    assert not missing.any()


def test_parse_text_keeps_real_decimals_and_text():
    values, missing = parse_text(pd.Series(["10.50", "A.0", "1.05", "Version 2.0"], dtype="str"))
    assert values.tolist() == ["10.50", "A.0", "1.05", "Version 2.0"]
    assert not missing.any()
