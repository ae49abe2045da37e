"""The fast paths of tierlib.parsing give the same results as the general ones.

Excel columns arrive as ``object`` columns of Python values: all floats (amounts), all naive
``datetime`` (order dates) or all ``str`` (ids, names). Those are parsed without per-value
Python work; any other column takes the general path (factorise, then parse each distinct
value). Each test below compares a fast-path column with the same values forced through the
general path (one extra cell of another type), and checks hand-computed values.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from tierlib.parsing import parse_date, parse_number, parse_text


def head(result, n: int):
    """The first ``n`` rows of each Series of a parser's result."""
    return tuple(s.iloc[:n].reset_index(drop=True) for s in result)


def texts(values: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in values]


def assert_same(a, b):
    for x, y in zip(a, b):
        assert x.dtype == y.dtype
        pd.testing.assert_series_equal(x, y)


# --------------------------------------------------------------------------------------------
# parse_number
# --------------------------------------------------------------------------------------------

def test_object_column_of_numbers():
    cells = [1.0, None, 2, np.nan, float("inf"), 1e13, -0.5, 2**70]
    values, missing, bad = parse_number(pd.Series(cells, dtype=object))
    # inf is present but not finite: bad; None and NaN are empty cells: missing.
    np.testing.assert_array_equal(values.to_numpy(),
                                  [1.0, np.nan, 2.0, np.nan, np.nan, 1e13, -0.5, float(2**70)])
    assert missing.tolist() == [False, True, False, True, False, False, False, False]
    assert bad.tolist() == [False, False, False, False, True, False, False, False]


def test_numbers_fast_path_equals_the_general_path():
    rng = np.random.default_rng(3)
    cells = [float(x) for x in rng.normal(0, 1e4, 500).round(2)] + [None, np.nan, 7, -0.0, float("-inf")]
    fast = parse_number(pd.Series(cells, dtype=object, index=range(100, 100 + len(cells))))
    general = parse_number(pd.Series(cells + ["12"], dtype=object, index=range(100, 101 + len(cells))))
    assert_same(head(fast, len(cells)), head(general, len(cells)))
    assert list(fast[0].index) == list(range(100, 100 + len(cells)))


def test_booleans_and_missing_markers_still_take_the_general_path():
    values, missing, bad = parse_number(pd.Series([2.5, True, pd.NA, pd.NaT], dtype=object))
    np.testing.assert_array_equal(values.to_numpy(), [2.5, np.nan, np.nan, np.nan])
    assert missing.tolist() == [False, False, True, True]
    assert bad.tolist() == [False, True, False, False]


# --------------------------------------------------------------------------------------------
# parse_date
# --------------------------------------------------------------------------------------------

def test_object_column_of_naive_datetimes():
    cells = [dt.datetime(2024, 1, 5, 13, 4, 5, 250000), None, dt.datetime(1899, 12, 31),
             dt.datetime(2101, 1, 1), np.nan, dt.datetime(2100, 12, 31, 23, 59)]
    values, missing, bad = parse_date(pd.Series(cells, dtype=object))
    # 1899-12-31 is before MIN_DATE and 2101-01-01 after MAX_DATE: present but bad.
    assert values.dtype == "datetime64[ns]"
    assert values.tolist()[0] == pd.Timestamp("2024-01-05 13:04:05.25")
    assert values.tolist()[5] == pd.Timestamp("2100-12-31 23:59")
    assert values.isna().tolist() == [False, True, True, True, True, False]
    assert missing.tolist() == [False, True, False, False, True, False]
    assert bad.tolist() == [False, False, True, True, False, False]


def test_dates_fast_path_equals_the_general_path():
    base = dt.datetime(2022, 1, 1)
    cells = [base + dt.timedelta(minutes=int(m)) for m in np.random.default_rng(5).integers(0, 10**6, 400)]
    cells += [None, dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59, 999999)]
    fast = parse_date(pd.Series(cells, dtype=object))
    general = parse_date(pd.Series(cells + ["2024-01-05"], dtype=object))
    assert_same(head(fast, len(cells)), head(general, len(cells)))


def test_aware_and_naive_datetimes_keep_their_wall_clock():
    east8 = dt.timezone(dt.timedelta(hours=8))
    values, missing, bad = parse_date(pd.Series([dt.datetime(2024, 1, 1, 8, tzinfo=east8),
                                                 dt.datetime(2024, 1, 1)], dtype=object))
    assert values.tolist() == [pd.Timestamp("2024-01-01 08:00"), pd.Timestamp("2024-01-01")]
    assert not missing.any() and not bad.any()


# --------------------------------------------------------------------------------------------
# parse_text
# --------------------------------------------------------------------------------------------

def test_text_cleaning_is_done_per_distinct_value():
    cells = [" 10001.0 ", "10001.000", "12.50", "a.0", "１２.0", "N/A", None, "  ", "客户\u3000", "7"]
    values, missing = parse_text(pd.Series(cells * 3, dtype=object))
    # "10001.0" and "10001.000" lose the fraction; "12.50" and "a.0" do not match ^\d+\.0+$;
    # Python's \d also matches full-width digits, so "１２.0" -> "１２". N/A, None and blanks
    # are missing.
    expected = ["10001", "10001", "12.50", "a.0", "１２", None, None, None, "客户", "7"] * 3
    assert texts(values) == expected
    assert missing.tolist() == [v is None for v in expected]
    assert values.dtype == "str"


def test_text_object_and_string_columns_agree():
    cells = ["C001", " C002", "C001", None, "nan", "10.0", "x"]
    obj = parse_text(pd.Series(cells, dtype=object, index=list("abcdefg")))
    arrow = parse_text(pd.Series(cells, dtype="str", index=list("abcdefg")))
    assert_same(obj, arrow)
    assert list(obj[0].index) == list("abcdefg")


def test_text_of_numbers_dates_and_booleans():
    cells = [10001.0, 12.5, dt.datetime(2024, 1, 5), dt.datetime(2024, 1, 5, 9, 30), True, None]
    values, missing = parse_text(pd.Series(cells, dtype=object))
    assert texts(values) == [
        "10001", "12.5", "2024-01-05", "2024-01-05 09:30:00", "True", None]
    assert missing.tolist() == [False] * 5 + [True]


def test_text_of_an_empty_or_all_missing_column():
    values, missing = parse_text(pd.Series([], dtype=object))
    assert len(values) == 0 and values.dtype == "str"
    values, missing = parse_text(pd.Series([None, np.nan], dtype=object))
    assert values.isna().all() and missing.all()
