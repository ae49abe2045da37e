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
    """An XLSX workbook with one sheet per frame; strings are never turned into formulas."""
    buf = _io.BytesIO()
    with pd.ExcelWriter(
        buf,
        engine="xlsxwriter",
        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False,
                                   "nan_inf_to_errors": True}},
    ) as writer:
        used: set[str] = set()
        for name, df in sheets.items():
            frame = safe_frame(df)
            for col in frame.columns:
                if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
                    frame[col] = frame[col].dt.tz_localize(None)
                elif frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
                    frame[col] = frame[col].map(_fit_cell, na_action="ignore")
            frame.columns = [_fit_cell(c) for c in frame.columns]
            sheet = _unique_sheet_name(name, used)
            frame.to_excel(writer, sheet_name=sheet, index=False)
            ws = writer.sheets[sheet]
            ws.freeze_panes(1, 0)
            for i, col in enumerate(frame.columns):
                width = min(40, max(8, len(str(col)) * 2, _max_len(frame[col])))
                ws.set_column(i, i, width)
    return buf.getvalue()


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
