"""Vectorised parsers turning raw cells into typed values plus "missing" and "bad" masks.

Each parser takes one raw column (as read by :mod:`tierlib.io`: strings for text files, Python
values for Excel, typed columns for Parquet) and returns Series aligned with the input's index.

* *missing* - the cell is empty, whitespace or a missing marker (:data:`MISSING_MARKERS`,
  compared case-insensitively after stripping): the value is simply not there.
* *bad* - the cell holds something that is not a valid value of the type (``"abc"`` in an
  amount column, ``"2024-02-30"``, a date outside :data:`MIN_DATE`..:data:`MAX_DATE`, an
  infinite number). ``missing`` and ``bad`` never overlap.

Speed: an ``object`` column holding only numbers, or only naive ``datetime`` objects (what the
Excel reader gives for amounts and dates) is converted at once with numpy/pandas. Any other
column is factorised first and only its distinct values are parsed, with pandas string
operations (Arrow-backed) and numpy; texts are cleaned once per distinct value and spread back
with an Arrow ``take``. Python-level loops only run over distinct values of rare kinds (Python
objects of unusual types, dates needing the generic fallback parser).
"""

from __future__ import annotations

import datetime as _dt
import decimal
import numbers

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = [
    "MISSING_MARKERS",
    "MIN_DATE",
    "MAX_DATE",
    "EXCEL_SERIAL_MIN",
    "EXCEL_SERIAL_MAX",
    "parse_number",
    "parse_date",
    "parse_text",
]

#: Cell texts meaning "no value", compared case-insensitively after stripping whitespace.
MISSING_MARKERS = {"", "n/a", "#n/a", "na", "null", "none", "nan", "-", "--", "—", "#value!",
                   "#ref!", "#div/0!"}
#: Earliest plausible date; earlier dates are *bad*.
MIN_DATE = pd.Timestamp("1900-01-01")
#: Latest plausible day (the whole day counts); later dates are *bad*.
MAX_DATE = pd.Timestamp("2100-12-31")
#: Excel serial numbers (1900 date system) accepted as dates: 1 = 1900-01-01,
#: 2958465 = 9999-12-31.
EXCEL_SERIAL_MIN = 1
EXCEL_SERIAL_MAX = 2958465

_DAY_MS = 86_400_000
_MAX_EXCLUSIVE = MAX_DATE + pd.Timedelta(days=1)
_MARKERS = sorted(MISSING_MARKERS)

# Characters removed by strip (besides ASCII whitespace): NBSP, thin/figure/narrow spaces,
# zero-width spaces, ideographic (full-width) space, BOM.
_STRIP = (" \t\r\n\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
          "\u2009\u200a\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u3000\ufeff")

# Full-width forms and exotic spaces/minus signs -> ASCII.
_FW = {0xFF10 + i: str(i) for i in range(10)}
_FW.update({ord(k): v for k, v in {
    "．": ".", "，": ",", "－": "-", "﹣": "-", "−": "-", "＋": "+", "（": "(", "）": ")",
    "％": "%", "￥": "¥", "＄": "$", "／": "/", "：": ":", "＇": "'", "　": " ", "\u00a0": " ",
    "\u2007": " ", "\u2009": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ", "\u2004": " ",
    "\u2005": " ", "\u2006": " ", "\u2008": " ", "\u200a": " ",
}.items()})
_FW.update({ord(c): None for c in "\u200b\u200c\u200d\ufeff"})
_FW_TABLE = str.maketrans(_FW)

_CURRENCY = r"(?:cny|rmb|usd|eur|gbp|hkd|jpy|us\$|hk\$|人民币|[¥$€£])"
_CURRENCY_SUFFIX = r"(?:元|圆|块|人民币|美元|cny|rmb|usd|eur|gbp|hkd|jpy|[¥$€£])"


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

def _as_series(s) -> pd.Series:
    return s if isinstance(s, pd.Series) else pd.Series(s)


def _is_plain_number(v) -> bool:
    return isinstance(v, (numbers.Real, np.number, decimal.Decimal)) and \
        not isinstance(v, (bool, np.bool_))


def _str_series(values) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def _normalise_text(t: pd.Series) -> pd.Series:
    """Full-width forms to ASCII (only where non-ASCII occurs), then strip."""
    non_ascii = t.str.contains(r"[^\x00-\x7f]", regex=True, na=False).to_numpy()
    if non_ascii.any():
        t = t.copy()
        t[non_ascii] = t[non_ascii].str.translate(_FW_TABLE)
    return t.str.strip(_STRIP)


def _factorize(s: pd.Series):
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _take(codes: np.ndarray, values: np.ndarray, fill):
    out = np.empty(len(codes), dtype=values.dtype) if len(values) else \
        np.full(len(codes), fill, dtype=values.dtype)
    ok = codes >= 0
    if len(values):
        out[ok] = values[codes[ok]]
        out[~ok] = fill
    return out


# --------------------------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------------------------

def parse_number(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse amounts and quantities.

    Accepted forms: numeric cells (Excel, Parquet); strings with currency symbols or words
    before/after the number (``"¥1,234.50"``, ``"￥100"``, ``"$12.00"``, ``"€3"``,
    ``"100元"``, ``"CNY 100"``, ``"12 USD"``); thousands separators ``,`` / space / NBSP / thin
    space / ``'`` in groups of three (``"1 000"``); accounting negatives ``"(45.00)"``; signs
    ``"-45"``, ``"+3"``; full-width digits, point, comma and minus (``"１２３．５"``); percent
    (``"12.5%"`` -> 0.125); exponents (``"1.2e3"``); surrounding whitespace. A decimal comma is
    accepted when unambiguous: ``"12,5"`` (one comma, not followed by exactly three digits) and
    ``"1.234,56"``.

    Parameters
    ----------
    s : pandas.Series
        Raw cells.

    Returns
    -------
    values : pandas.Series
        ``float64``, NaN where missing or bad.
    missing : pandas.Series
        ``bool``: empty cell or a :data:`MISSING_MARKERS` text (``"nan"`` is a marker).
    bad : pandas.Series
        ``bool``: present but not a finite number (``"abc"``, ``"inf"``, ``"-Infinity"``,
        booleans, dates).
    """
    s = _as_series(s)
    index = s.index
    if pd.api.types.is_bool_dtype(s.dtype):
        missing = s.isna().to_numpy(dtype=bool)
        values = np.full(len(s), np.nan)
        bad = ~missing
    elif pd.api.types.is_numeric_dtype(s.dtype):
        values = s.to_numpy(dtype="float64", na_value=np.nan)
        missing = np.isnan(values)
        bad = np.isinf(values)
        values = np.where(bad, np.nan, values)
    elif pd.api.types.is_datetime64_any_dtype(s.dtype) or isinstance(s.dtype, pd.PeriodDtype):
        missing = s.isna().to_numpy(dtype=bool)
        values = np.full(len(s), np.nan)
        bad = ~missing
    elif (plain := _plain_floats(s)) is not None:  # an object column of numbers (Excel)
        values = plain
        missing = np.isnan(values)
        bad = ~missing & ~np.isfinite(values)
        values = np.where(bad, np.nan, values)
    else:
        codes, uniques = _factorize(s)
        uv, um, ub = _number_uniques(uniques)
        values = _take(codes, uv, np.nan)
        missing = _take(codes, um, True)
        bad = _take(codes, ub, False)
    return (pd.Series(values, index=index, dtype="float64"),
            pd.Series(missing, index=index, dtype=bool),
            pd.Series(bad, index=index, dtype=bool))


def _plain_floats(s: pd.Series) -> np.ndarray | None:
    """``float64`` values of an object column holding only real numbers (no bools) and empty
    cells (``None``/NaN); None for any other column."""
    if s.dtype != object or not len(s):
        return None
    arr = s.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(arr, skipna=True) not in ("floating", "integer", "mixed-integer-float"):
        return None
    try:
        return arr.astype("float64")
    except TypeError:  # pd.NA or NaT among the numbers: the general path
        return None


def _number_uniques(u: np.ndarray):
    n = len(u)
    values = np.full(n, np.nan)
    missing = np.zeros(n, dtype=bool)
    kind = pd.api.types.infer_dtype(u, skipna=False)
    if kind in ("floating", "integer", "mixed-integer-float"):  # real numbers only (no bools)
        values = u.astype("float64")
        missing = np.isnan(values)
        bad = ~missing & ~np.isfinite(values)
        values[bad] = np.nan
        return values, missing, bad
    is_str = np.ones(n, dtype=bool) if kind == "string" else \
        np.fromiter((isinstance(v, str) for v in u), dtype=bool, count=n)
    for i in np.flatnonzero(~is_str):  # Python objects of other types (distinct values only)
        v = u[i]
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT:
            missing[i] = True
        elif _is_plain_number(v):
            values[i] = float(v)
            missing[i] = bool(np.isnan(values[i]))
    idx = np.flatnonzero(is_str)
    if len(idx):
        sv, sm = _number_strings(_str_series(u[idx]))
        values[idx] = sv
        missing[idx] = sm
    values[missing] = np.nan
    bad = ~missing & ~np.isfinite(values)
    values[bad] = np.nan
    return values, missing, bad


def _number_strings(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    t = _normalise_text(raw).str.lower()
    missing = t.isin(_MARKERS).to_numpy(dtype=bool, na_value=True).copy()
    values = pd.to_numeric(t, errors="coerce").to_numpy(dtype="float64", na_value=np.nan).copy()
    todo = np.flatnonzero(np.isnan(values) & ~missing)
    if not len(todo):
        return values, missing
    r = t.iloc[todo].reset_index(drop=True)
    paren = r.str.fullmatch(r"\(.*\)").to_numpy(dtype=bool, na_value=False)
    if paren.any():
        r[paren] = r[paren].str.slice(1, -1).str.strip()
    r = r.str.replace(r"^([+-]?)\s*" + _CURRENCY + r"\s*", r"\1", regex=True)
    r = r.str.replace(r"\s*" + _CURRENCY_SUFFIX + r"$", "", regex=True)
    pct = r.str.endswith("%").to_numpy(dtype=bool, na_value=False)
    if pct.any():
        r[pct] = r[pct].str.slice(0, -1).str.strip()
    euro = r.str.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+,\d+").to_numpy(dtype=bool, na_value=False)
    if euro.any():
        r[euro] = r[euro].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    grouped = r.str.fullmatch(r"[+-]?\d{1,3}(?:[ ,']\d{3})+(?:\.\d*)?").to_numpy(
        dtype=bool, na_value=False)
    if grouped.any():
        r[grouped] = r[grouped].str.replace(r"[ ,']", "", regex=True)
    dec_comma = r.str.fullmatch(r"[+-]?\d*,\d+").to_numpy(dtype=bool, na_value=False)
    if dec_comma.any():
        r[dec_comma] = r[dec_comma].str.replace(",", ".", regex=False)
    # "(…)" must not also carry a sign; "-inf"-like results stay non-finite (bad).
    signed_paren = paren & r.str.match(r"[+-]").to_numpy(dtype=bool, na_value=False)
    v = pd.to_numeric(r, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    v = np.where(pct, v / 100.0, v)
    v = np.where(paren, -v, v)
    v[signed_paren] = np.nan
    values[todo] = v
    return values, missing


# --------------------------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------------------------

_TIME = (r"(?:[ t]+(上午|下午)?\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*"
         r"(am|pm|a\.m\.|p\.m\.)?\s*(?:z|utc|gmt|[+-]\d{2}:?\d{2})?)?")
_YMD = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?" + _TIME + r"$"
_XXY = r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})" + _TIME + r"$"
_COMPACT = r"^(\d{4})(\d{2})(\d{2})$"


def parse_date(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse order dates.

    Accepted forms:

    * date/time objects (Excel cells, ``pd.Timestamp``, ``datetime.date``) and datetime columns;
      time-zone aware values keep their wall-clock time and lose the zone;
    * Excel serial numbers ``EXCEL_SERIAL_MIN..EXCEL_SERIAL_MAX`` (1900 date system, as numbers
      or numeric strings such as ``"45296"``); the fraction is the time of day (rounded to the
      millisecond). Excel's fictitious 1900-02-29 (serial 60) is *bad*; serial 1 is 1900-01-01
      and 61 is 1900-03-01;
    * integers ``YYYYMMDD`` above the serial range (e.g. ``20240105`` as a number) and the
      string ``"20240105"``;
    * year-first strings with ``-`` ``/`` ``.`` or ``年月日``: ``"2024-01-05"``, ``"2024/1/5"``,
      ``"2024.1.5"``, ``"2024年1月5日"``, optionally with a time ``13:45[:00[.fff]]`` after a
      space or ``T``, ``AM``/``PM`` or ``上午``/``下午``, and a ``Z``/``+08:00`` suffix (ignored);
    * ``dd/mm/yyyy`` or ``mm/dd/yyyy`` (also with ``-`` or ``.``): ONE order is used for the
      whole column - day-first when any value's first part is greater than 12, month-first
      otherwise. Values that are invalid in the chosen order are *bad*;
    * other strings containing a four-digit year (``"Jan 5, 2024"``, ``"5 January 2024"``) via
      pandas' generic parser (distinct values only).

    Dates before :data:`MIN_DATE` or after :data:`MAX_DATE` are implausible and count as *bad*.

    Parameters
    ----------
    s : pandas.Series
        Raw cells.

    Returns
    -------
    values : pandas.Series
        ``datetime64[ns]``, naive, NaT where missing or bad.
    missing : pandas.Series
        ``bool``: empty cell or missing marker.
    bad : pandas.Series
        ``bool``: present but not a valid, plausible date.
    """
    s = _as_series(s)
    index = s.index
    n = len(s)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        ser = s
        if getattr(ser.dt, "tz", None) is not None:
            ser = ser.dt.tz_localize(None)
        missing = ser.isna().to_numpy(dtype=bool)
        values = _checked_ns(ser.to_numpy(dtype="datetime64[us]"))
    elif pd.api.types.is_bool_dtype(s.dtype):
        missing = s.isna().to_numpy(dtype=bool)
        values = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    elif pd.api.types.is_numeric_dtype(s.dtype):
        v = s.to_numpy(dtype="float64", na_value=np.nan)
        missing = np.isnan(v)
        values = _checked_ns(_from_numbers(v))
    elif (stamps := _naive_datetimes(s)) is not None:  # an object column of dates (Excel)
        missing = np.isnat(stamps)
        values = _checked_ns(stamps)
    else:
        codes, uniques = _factorize(s)
        uv, um = _date_uniques(uniques)
        values = _take(codes, uv, np.datetime64("NaT"))
        missing = _take(codes, um, True)
    values = np.asarray(values, dtype="datetime64[ns]")
    bad = ~missing & np.isnat(values)
    values[missing] = np.datetime64("NaT")
    return (pd.Series(values, index=index, dtype="datetime64[ns]"),
            pd.Series(missing, index=index, dtype=bool),
            pd.Series(bad, index=index, dtype=bool))


def _naive_datetimes(s: pd.Series) -> np.ndarray | None:
    """``datetime64[us]`` values of an object column holding only naive ``datetime`` objects and
    empty cells (NaT there); None for any other column."""
    if s.dtype != object or not len(s):
        return None
    arr = s.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(arr, skipna=True) != "datetime":
        return None
    try:
        stamps = pd.DatetimeIndex(arr)
    except (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime):
        return None  # aware and naive values mixed, ...
    if stamps.dtype != np.dtype("datetime64[us]"):  # time zones, nanoseconds: the general path
        return None
    return stamps.to_numpy()


def _checked_ns(values: np.ndarray) -> np.ndarray:
    """Set dates outside MIN_DATE..MAX_DATE to NaT and convert to ``datetime64[ns]``."""
    v = np.asarray(values)
    if v.dtype.kind != "M":
        v = v.astype("datetime64[us]")
    lo = np.datetime64(MIN_DATE.to_datetime64(), "us")
    hi = np.datetime64(_MAX_EXCLUSIVE.to_datetime64(), "us")
    vu = v.astype("datetime64[us]")
    out_of_range = ~np.isnat(vu) & ((vu < lo) | (vu >= hi))
    vu = vu.copy()
    vu[out_of_range] = np.datetime64("NaT")
    return vu.astype("datetime64[ns]")


def _from_numbers(v: np.ndarray) -> np.ndarray:
    """Excel serials (1900 system) and ``YYYYMMDD`` integers to ``datetime64[us]``."""
    out = np.full(len(v), np.datetime64("NaT"), dtype="datetime64[us]")
    finite = np.isfinite(v)
    serial = finite & (v >= EXCEL_SERIAL_MIN) & (v < EXCEL_SERIAL_MAX + 1)
    serial &= np.floor(np.where(finite, v, 0)) != 60  # 1900-02-29 does not exist
    if serial.any():
        sv = v[serial]
        # Serials below 60 count from 1899-12-31; from 61 on Excel's phantom leap day shifts the
        # origin to 1899-12-30.
        base = np.where(sv < 60, np.datetime64("1899-12-31", "us"),
                        np.datetime64("1899-12-30", "us"))
        ms = np.round(sv * _DAY_MS).astype("int64")
        out[serial] = base + ms.astype("timedelta64[ms]").astype("timedelta64[us]")
    compact = finite & ~serial & (v >= 10000101) & (v <= 99991231) & (v == np.floor(
        np.where(finite, v, 0)))
    if compact.any():
        iv = v[compact].astype("int64")
        out[compact] = _from_parts(iv // 10000, iv // 100 % 100, iv % 100)
    return out


def _from_parts(year, month, day, hour=None, minute=None, second=None, nanos=None) -> np.ndarray:
    """Vectorised datetime construction from float/int parts; invalid combinations give NaT."""
    n = len(year)
    zeros = np.zeros(n)
    parts = pd.DataFrame({
        "year": np.asarray(year, dtype="float64"),
        "month": np.asarray(month, dtype="float64"),
        "day": np.asarray(day, dtype="float64"),
        "hour": zeros if hour is None else np.asarray(hour, dtype="float64"),
        "minute": zeros if minute is None else np.asarray(minute, dtype="float64"),
        "second": zeros if second is None else np.asarray(second, dtype="float64"),
        "ns": zeros if nanos is None else np.asarray(nanos, dtype="float64"),
    })
    if n == 0:
        return np.zeros(0, dtype="datetime64[us]")
    ok = parts.notna().all(axis=1).to_numpy().copy()
    # Years far outside MIN_DATE..MAX_DATE are bad anyway (and overflow nanosecond timestamps).
    ok &= (parts["year"] >= MIN_DATE.year - 1).to_numpy()
    ok &= (parts["year"] <= MAX_DATE.year + 1).to_numpy()
    ok &= (parts["hour"] < 24).to_numpy() & (parts["minute"] < 60).to_numpy()
    ok &= (parts["second"] < 60).to_numpy()
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    if ok.any():
        sub = parts[ok].astype("int64")
        res = pd.to_datetime(sub, errors="coerce")
        out[ok] = res.to_numpy(dtype="datetime64[us]")
    return out


def _date_uniques(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parse distinct raw date cells; return ``(datetime64[ns], missing)``."""
    n = len(u)
    values = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    missing = np.zeros(n, dtype=bool)
    kinds = np.zeros(n, dtype=np.int8)  # 0 other (bad), 1 str, 2 number, 3 date-like
    for i, v in enumerate(u):
        if isinstance(v, str):
            kinds[i] = 1
        elif v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
            missing[i] = True
        elif _is_plain_number(v):
            kinds[i] = 2
        elif isinstance(v, (_dt.datetime, _dt.date, np.datetime64)):
            kinds[i] = 3
    num = np.flatnonzero(kinds == 2)
    if len(num):
        values[num] = _from_numbers(u[num].astype("float64"))
    dates = np.flatnonzero(kinds == 3)
    if len(dates):
        values[dates] = _from_date_objects(u[dates])
    strs = np.flatnonzero(kinds == 1)
    if len(strs):
        sv, sm = _date_strings(_str_series(u[strs]))
        values[strs] = sv
        missing[strs] = sm
    return _checked_ns(values), missing


def _from_date_objects(objs: np.ndarray) -> np.ndarray:
    def one(v):
        try:
            ts = pd.Timestamp(v)
            if ts.tzinfo is not None:
                ts = ts.tz_localize(None)
            return ts.as_unit("us").to_datetime64()
        except (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime):
            return np.datetime64("NaT")

    aware = np.fromiter((getattr(v, "tzinfo", None) is not None for v in objs), dtype=bool,
                        count=len(objs))
    out = np.full(len(objs), np.datetime64("NaT"), dtype="datetime64[us]")
    naive = np.flatnonzero(~aware)
    if len(naive):
        try:
            res = pd.to_datetime(pd.Series(objs[naive], dtype=object), errors="coerce")
            out[naive] = res.to_numpy(dtype="datetime64[us]")
        except (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime):
            out[naive] = [one(v) for v in objs[naive]]
    # Time-zone aware values keep their wall-clock time, one by one (distinct values only).
    for i in np.flatnonzero(aware):
        out[i] = one(objs[i])
    return out


def _hours(hour: pd.Series, cn_half: pd.Series, ampm: pd.Series) -> np.ndarray:
    """24-hour clock from an hour and an optional AM/PM (or 上午/下午) marker."""
    h = pd.to_numeric(hour, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    marker = ampm.fillna("").astype(str).str.replace(".", "", regex=False).to_numpy(dtype=object)
    cn = cn_half.fillna("").astype(str).to_numpy(dtype=object)
    pm = (marker == "pm") | (cn == "下午")
    am = (marker == "am") | (cn == "上午")
    has = am | pm
    h = np.where(np.isnan(h), 0.0, h)
    invalid = has & ((h < 1) | (h > 12))
    h = np.where(has, h % 12 + np.where(pm, 12, 0), h)
    h[invalid] = np.nan
    return h


def _nanos(frac: pd.Series) -> np.ndarray:
    f = frac.fillna("").astype(str).str.ljust(9, "0").str.slice(0, 9)
    return pd.to_numeric(f, errors="coerce").to_numpy(dtype="float64", na_value=0.0)


def _parts_from_match(m: pd.DataFrame, y: int, mo: int, d: int) -> np.ndarray:
    """Build datetimes from an ``extract`` of ``_YMD``/``_XXY`` (date groups y/mo/d, then time)."""
    def num(col, default=0.0):
        return pd.to_numeric(m[col], errors="coerce").to_numpy(dtype="float64",
                                                               na_value=default)

    hour = _hours(m[5], m[4], m[9])
    return _from_parts(num(y, np.nan), num(mo, np.nan), num(d, np.nan), hour, num(6), num(7),
                       _nanos(m[8]))


def _date_strings(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    n = len(raw)
    t = _normalise_text(raw).str.replace(r"\s+", " ", regex=True).str.lower()
    missing = t.isin(_MARKERS).to_numpy(dtype=bool, na_value=True).copy()
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    done = missing.copy()

    # Groups of _YMD/_XXY extracts (1-based): 1-3 date parts; 4 上午/下午; 5 hour; 6 minute;
    # 7 second; 8 fraction; 9 am/pm.
    def extract(pattern: str):
        m = t.str.extract(pattern, expand=True)
        m.columns = range(1, m.shape[1] + 1)
        return m

    m = extract(_YMD)
    hit = m[1].notna().to_numpy() & ~done
    if hit.any():
        out[hit] = _parts_from_match(m[hit], 1, 2, 3)
        done |= hit

    m = extract(_COMPACT)
    hit = m[1].notna().to_numpy() & ~done
    if hit.any():
        sub = m[hit]
        out[hit] = _from_parts(sub[1].astype(float), sub[2].astype(float), sub[3].astype(float))
        done |= hit

    m = extract(_XXY)
    hit = m[1].notna().to_numpy() & ~done
    if hit.any():
        sub = m[hit]
        first = pd.to_numeric(sub[1], errors="coerce").to_numpy()
        day_first = bool((first > 12).any())
        out[hit] = _parts_from_match(sub, 3, 2, 1) if day_first else \
            _parts_from_match(sub, 3, 1, 2)
        done |= hit

    numeric = t.str.fullmatch(r"\d+(?:\.\d+)?").to_numpy(dtype=bool, na_value=False) & ~done
    if numeric.any():
        out[numeric] = _from_numbers(pd.to_numeric(t[numeric], errors="coerce")
                                     .to_numpy(dtype="float64", na_value=np.nan))
        done |= numeric

    # Rare fallback: other strings with a 4-digit year ("Jan 5, 2024"), one distinct value at a
    # time with pandas' generic parser. Requiring a year avoids dates silently filled from today.
    rest = np.flatnonzero(~done & t.str.contains(r"\d{4}", regex=True, na=False).to_numpy()
                          & t.str.contains(r"[a-z]", regex=True, na=False).to_numpy())
    for i in rest:
        try:
            ts = pd.Timestamp(str(t.iloc[i]))
            if ts.tzinfo is not None:
                ts = ts.tz_localize(None)
            out[i] = ts.as_unit("us").to_datetime64()
        except (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime):
            pass
    return out, missing


# --------------------------------------------------------------------------------------------
# text
# --------------------------------------------------------------------------------------------

def parse_text(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Clean identifier/name cells.

    Strings are stripped (ASCII whitespace, full-width/NBSP/zero-width spaces, BOM). Numbers
    become text without a spurious fraction: Excel gives ids as floats (``10001.0`` ->
    ``"10001"``) and a text id such as ``"10001.0"`` (a float column saved by another tool)
    becomes ``"10001"`` too. Other floats keep their shortest repr (``12.5`` -> ``"12.5"``);
    dates become ISO text.

    Parameters
    ----------
    s : pandas.Series
        Raw cells.

    Returns
    -------
    values : pandas.Series
        ``str`` dtype; NaN where missing.
    missing : pandas.Series
        ``bool``: empty, whitespace or a :data:`MISSING_MARKERS` text.
    """
    s = _as_series(s)
    index = s.index
    if pd.api.types.is_bool_dtype(s.dtype):
        texts = s.astype(object).where(s.notna(), None).map(
            lambda v: None if v is None else str(v)).to_numpy(dtype=object)
        t = _str_series(texts)
    elif pd.api.types.is_integer_dtype(s.dtype):
        t = s.astype("str") if not s.hasnans else s.astype("Int64").astype("str")
        t = pd.Series(t.to_numpy(dtype=object, na_value=None), dtype="str")
    elif pd.api.types.is_float_dtype(s.dtype):
        t = _str_series(_float_texts(s.to_numpy(dtype="float64", na_value=np.nan)))
    elif isinstance(s.dtype, pd.StringDtype):
        t = s.astype("str").reset_index(drop=True)
    else:
        codes, uniques = _factorize(s)
        texts = uniques if pd.api.types.infer_dtype(uniques, skipna=False) == "string" else \
            [_text_of(v) for v in uniques]
        return _texts_by_codes(codes, _str_series(texts), index)
    # Distinct texts only (arrow dictionary encoding): cleaning is done once per value.
    codes, uniques = pd.factorize(t, use_na_sentinel=True)
    return _texts_by_codes(codes, pd.Series(uniques, dtype="str"), index)


def _texts_by_codes(codes: np.ndarray, texts: pd.Series, index) -> tuple[pd.Series, pd.Series]:
    """Clean the distinct ``texts`` and spread them over ``codes`` (-1: missing)."""
    t = texts.str.strip(_STRIP)
    # "10001.0" -> "10001" ("." in the text is needed, so the regex only runs where it can match).
    dotted = t.str.contains(".", regex=False, na=False).to_numpy(dtype=bool)
    if dotted.any():
        t = t.copy()
        t[dotted] = t[dotted].str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    missing_u = (t.isna() | t.str.lower().isin(_MARKERS)).to_numpy(dtype=bool, na_value=True)
    values_u = pa.array(t.array, type=pa.large_string())
    if missing_u.any():
        values_u = pa.array(t.where(~missing_u).array, type=pa.large_string())
    codes = np.asarray(codes, dtype=np.int64)
    values = values_u.take(pa.array(codes, mask=codes < 0)) if len(values_u) else \
        pa.nulls(len(codes), type=pa.large_string())
    missing = _take(codes, missing_u, True)
    return (pd.Series(pd.array(values, dtype="str"), index=index),
            pd.Series(missing, index=index, dtype=bool))


def _float_texts(v: np.ndarray) -> np.ndarray:
    out = np.empty(len(v), dtype=object)
    finite = np.isfinite(v)
    integral = finite & (np.abs(v) < 2 ** 53) & (v == np.floor(np.where(finite, v, 0)))
    out[integral] = v[integral].astype("int64").astype(str)
    other = finite & ~integral
    out[other] = [repr(float(x)) for x in v[other]]
    out[~finite] = None
    return out


def _text_of(v) -> str | None:
    """Text of one distinct raw value (Python objects from Excel or object columns)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (numbers.Integral, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return _float_texts(np.array([float(v)]))[0]
    if isinstance(v, (_dt.datetime, pd.Timestamp)):
        return v.isoformat(sep=" ") if (v.hour, v.minute, v.second, v.microsecond) != (0, 0, 0, 0) \
            else v.date().isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v)
