"""Write tables for people: CSV (UTF-8 with BOM for Excel), XLSX (no formulas), Parquet.

Text cells that a spreadsheet would run as a formula (leading ``= + - @``, tab or CR) are
neutralised with a leading apostrophe in CSV and XLSX. Numbers are written as numbers.
"""

from __future__ import annotations

import io as _io
from pathlib import Path

import pandas as pd

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
    """CSV as UTF-8 with a BOM, so Excel opens Chinese text correctly."""
    return safe_frame(df).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An XLSX workbook with one sheet per frame; strings are never turned into formulas."""
    buf = _io.BytesIO()
    with pd.ExcelWriter(
        buf,
        engine="xlsxwriter",
        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False,
                                   "nan_inf_to_errors": True}},
    ) as writer:
        for name, df in sheets.items():
            frame = safe_frame(df)
            for col in frame.columns:
                if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
                    frame[col] = frame[col].dt.tz_localize(None)
            frame.to_excel(writer, sheet_name=_sheet_name(name), index=False)
            ws = writer.sheets[_sheet_name(name)]
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
    return clean[:31] or "Sheet1"


def _max_len(s: pd.Series) -> int:
    sample = s.head(200).astype(str)
    return int(sample.str.len().max()) + 2 if len(sample) else 8
