"""Write tables for people: CSV (UTF-8 with BOM for Excel), XLSX (no formulas), Parquet.

Text cells that a spreadsheet would run as a formula (leading ``= + - @``, tab, CR or NUL) are
neutralised with a leading apostrophe in CSV and XLSX, headers included. Numbers are written as
numbers. XLSX text longer than Excel's 32,767 characters per cell is cut (ending in "…") rather
than dropped, and sheet names are made valid and unique.
"""

from __future__ import annotations

import io as _io
from pathlib import Path

import pandas as pd

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\x00")
#: Excel's limit of characters in one cell.
XLSX_MAX_CELL_CHARS = 32_767


def neutralize(value):
    """Prefix a text cell with ``'`` when a spreadsheet would treat it as a formula."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` with every text cell neutralised (numbers untouched)."""
    out = df.copy()
    out.columns = [neutralize(str(c)) for c in out.columns]
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            out[col] = s.map(neutralize, na_action="ignore")
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV as UTF-8 with a BOM, so Excel opens Chinese text correctly.

    Lines end in CRLF (RFC 4180), which also makes the writer quote every cell holding a CR:
    with LF line ends a bare CR inside a cell stays unquoted, a spreadsheet starts a new row
    there, and the text after it (``"x\r=1+1"``) would reach a line start unneutralised.
    """
    return safe_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An XLSX workbook with one sheet per frame; strings are never turned into formulas.

    Written with xlsxwriter directly, one typed call per cell (pandas' ``to_excel`` builds a
    styled cell object per value: ~5x slower). Numbers stay numbers, dates are Excel dates
    (``yyyy-mm-dd``, with the time when any value has one), missing values are empty cells,
    text is neutralised (``safe_frame``) and cut to Excel's cell size; the header row is bold and
    frozen.
    """
    import xlsxwriter

    buf = _io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False, "nan_inf_to_errors": True})
    header = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "top"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    used: set[str] = set()
    for name, df in sheets.items():
        frame = safe_frame(df)
        ws = wb.add_worksheet(_unique_sheet_name(name, used))
        for j, col in enumerate(frame.columns):
            ws.write_string(0, j, str(_fit_cell(str(col))), header)
            _write_column(ws, j, frame[col], day, stamp)
            width = min(40, max(8, len(str(col)) * 2, _max_len(frame[col])))
            ws.set_column(j, j, width)
        ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


def _write_column(ws, j: int, s: pd.Series, day, stamp) -> None:
    """Cells of one column from row 1 on, with the writer of its type; missing values stay empty."""
    values = s.tolist()
    if pd.api.types.is_bool_dtype(s.dtype):
        for i, v in enumerate(values, start=1):
            if not _missing(v):
                ws.write_boolean(i, j, bool(v))
    elif pd.api.types.is_numeric_dtype(s.dtype):
        for i, v in enumerate(values, start=1):
            if not _missing(v):
                ws.write_number(i, j, v)
    elif pd.api.types.is_datetime64_any_dtype(s.dtype):
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_localize(None)
        ok = s.notna()
        fmt = stamp if (s[ok] != s[ok].dt.normalize()).any() else day
        for i, v in enumerate(s.dt.to_pydatetime().tolist() if len(s) else [], start=1):
            if not _missing(v):
                ws.write_datetime(i, j, v, fmt)
    else:
        for i, v in enumerate(values, start=1):
            if _missing(v):
                continue
            if isinstance(v, bool):
                ws.write_boolean(i, j, v)
            elif isinstance(v, (int, float)):
                ws.write_number(i, j, v)
            elif isinstance(v, (pd.Timestamp,)):
                ws.write_datetime(i, j, v.to_pydatetime().replace(tzinfo=None), stamp)
            else:
                ws.write_string(i, j, _fit_cell(str(v)))


def write_table(df: pd.DataFrame, path: str | Path, sheet: str = "customers") -> None:
    """Write ``df`` to ``path``; the format follows the extension (.csv, .xlsx, .parquet)."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".csv":
        path.write_bytes(to_csv_bytes(df))
    elif ext == ".xlsx":
        path.write_bytes(to_xlsx_bytes({sheet: df}))
    elif ext == ".parquet":
        df.to_parquet(path, index=False)
    else:
        raise ValueError(ext)


def _sheet_name(name: str) -> str:
    bad = '[]:*?/\\'
    clean = "".join("_" if ch in bad else ch for ch in str(name))
    return clean[:31].strip("'") or "Sheet1"


def _unique_sheet_name(name: str, used: set[str]) -> str:
    """A valid sheet name not yet in ``used`` (Excel compares names case-insensitively)."""
    base = _sheet_name(name)
    candidate, k = base, 1
    while candidate.casefold() in used:
        k += 1
        suffix = f" ({k})"
        candidate = base[:31 - len(suffix)].rstrip("'") + suffix
    used.add(candidate.casefold())
    return candidate


def _fit_cell(value):
    """Text longer than an Excel cell holds, cut to fit and ending in an ellipsis."""
    if isinstance(value, str) and len(value) > XLSX_MAX_CELL_CHARS:
        return value[:XLSX_MAX_CELL_CHARS - 1] + "…"
    return value


def _max_len(s: pd.Series) -> int:
    lengths = [len(str(v)) for v in s.head(200) if not _missing(v)]
    return max(lengths, default=6) + 2


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # list-like cells
        return False
