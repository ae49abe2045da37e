"""Read an uploaded or on-disk spreadsheet into a table of raw cells.

``read_table`` accepts CSV/TSV/TXT text files, Excel workbooks (``.xlsx``/``.xlsm`` and the old
binary ``.xls``) and Parquet files, given as a path or as the bytes of an upload. It returns a
:class:`ReadResult` whose ``frame`` holds the *raw* cells (typing is done later by
:mod:`tierlib.parsing`) together with the file line/row number of every data row, so that
rejected rows can be reported against the original file.

Every problem a user can cause raises :class:`InputError` with an i18n message key (``code``)
and the parameters of the message.

Rules shared by all formats
---------------------------
* Title rows, merged title cells and note lines above the header are skipped: the header is the
  first row (among the first ``HEADER_SCAN_ROWS`` rows) whose number of non-empty cells reaches
  the typical width of the table and whose cells are mostly non-numeric text.
* Header names are stripped (also full-width spaces, NBSP, zero-width spaces and BOM remnants);
  a blank header becomes ``column_<n>`` (1-based position) and duplicates get ``_2``, ``_3``...
  suffixes. Duplicates are detected case-insensitively because SQL identifiers (DuckDB) are
  case-insensitive.
* Blank rows (every cell empty or whitespace) are not data: they are dropped and do not count as
  read rows; ``line_numbers`` keeps the original number of every kept row.
* A column with a blank header whose cells are all blank (a trailing delimiter, a formatted but
  empty Excel column) is dropped.

Limits
------
Every read is bounded (module constants, overridable per call with :class:`Limits`): file size
(``MAX_FILE_BYTES``), data rows (``MAX_ROWS``), columns (``MAX_COLUMNS``), the used range of an
Excel sheet (``MAX_SHEET_CELLS``), the inflated XML of an xlsx (``MAX_XLSX_XML_BYTES`` and
``MAX_COMPRESSION_RATIO``) and time (``READ_TIME_BUDGET_S``). Workbooks are checked before the
Excel reader sees them: every XML part of an xlsx is inflated in chunks (real sizes, not the
declared ones) and its cell references give the range the reader would allocate; the records of
an .xls must stay within the format's 65,536 rows x 256 columns. Any failure of the Excel reader,
a Rust panic included, becomes ``io.bad_excel``.
"""

from __future__ import annotations

import codecs
import csv
import io as _io
import math
import os
import re
import struct
import time
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "InputError",
    "ReadResult",
    "Limits",
    "read_table",
    "list_sheets",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_COLUMNS",
    "MAX_SHEET_CELLS",
    "MAX_XLSX_XML_BYTES",
    "MAX_COMPRESSION_RATIO",
    "RATIO_CHECK_MIN_BYTES",
    "READ_TIME_BUDGET_S",
    "HEADER_SCAN_ROWS",
]

MB = 1024 * 1024
# ---- Limits (each refusal has its own error code and a zh/en message) ----------------------
#: Largest file read when the caller gives no ``max_bytes`` (the app passes its upload limit).
MAX_FILE_BYTES = 1024 * MB
#: Most data rows (text: physical lines below the header) a file may have (``io.too_many_rows``).
MAX_ROWS = 10_000_000
#: Most columns a table may have (``io.too_many_columns``).
MAX_COLUMNS = 2_000
#: Most cells in the used range of one Excel sheet (rows x columns from the first to the last
#: cell). The Excel reader allocates the whole range, so a 5 KB file with one cell in A1 and one
#: in XFD1048576 would ask for 17 billion cells; such sheets are refused before reading
#: (``io.sheet_too_large``). 25 million = Excel's 1,048,576 rows x 24 columns.
MAX_SHEET_CELLS = 25_000_000
#: Upper bound for the total uncompressed size of the XML parts of an xlsx file, measured by
#: inflating them (declared sizes in the zip directory are not trusted); larger workbooks are
#: refused before the Excel reader sees them (decompression-bomb guard, ``io.too_large``).
MAX_XLSX_XML_BYTES = 200 * MB
#: A zip member whose output passes ``RATIO_CHECK_MIN_BYTES`` while exceeding
#: ``MAX_COMPRESSION_RATIO`` times the compressed bytes read so far (or whose declared sizes
#: say so) is refused as a decompression bomb.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_MIN_BYTES = 10 * MB
#: Seconds a read may take; checked between the stages of a read (and while inflating and
#: scanning a workbook), so a read stops at the next check after the budget (``io.too_slow``).
READ_TIME_BUDGET_S = 120.0
#: How many rows from the top are searched for the header row.
HEADER_SCAN_ROWS = 50
#: How many non-blank lines of a text file are sampled to choose the delimiter.
DELIMITER_SAMPLE_LINES = 50

TEXT_EXTS = {".csv", ".tsv", ".txt"}
XLSX_EXTS = {".xlsx", ".xlsm"}
XLS_EXTS = {".xls"}
PARQUET_EXTS = {".parquet"}
DELIMITERS = (",", ";", "\t", "|")

_ZIP_SIG = b"PK\x03\x04"
_ZIP_EMPTY_SIG = b"PK\x05\x06"
_OLE_SIG = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARQUET_SIG = b"PAR1"
_ENCRYPTED_NAME = "EncryptedPackage".encode("utf-16-le")
# Signatures of common binary files that are certainly not text (for "junk named .csv").
_BINARY_SIGS = (
    b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!",
    b"BZh", b"\xfd7zXZ", b"MZ", b"\x7fELF", b"SQLite format", b"ID3", b"OggS", b"RIFF",
)
# Control bytes that do not occur in text files (TAB, LF, VT, FF, CR, SUB and ESC are allowed).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 26, 27))
_CONTROL_CHARS = _CONTROL_BYTES.decode("ascii")
# Characters stripped from header names and used to decide whether a cell is blank.
_STRIP_CHARS = (" \t\r\n\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
                "\u2008\u2009\u200a\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u3000\ufeff")


class InputError(Exception):
    """A user-facing input problem.

    Parameters
    ----------
    code : str
        An i18n message key such as ``"io.empty_file"``.
    **params
        Values for the placeholders of the message.

    Attributes
    ----------
    code : str
    params : dict
    """

    def __init__(self, code: str, **params):
        self.code = code
        self.params = dict(params)
        super().__init__(str(self))

    def __str__(self) -> str:  # English fallback; the UI translates ``code``.
        return f"{self.code}: {self.params}"


@dataclass(frozen=True)
class Limits:
    """Limits of one read; the defaults are the module constants.

    Attributes
    ----------
    max_bytes : int
        Largest file (``io.too_large``); ``read_table(max_bytes=...)`` overrides it.
    max_rows : int
        Most data rows (``io.too_many_rows``).
    max_columns : int
        Most columns (``io.too_many_columns``).
    max_sheet_cells : int
        Most cells in the used range of an Excel sheet (``io.sheet_too_large``).
    max_xml_bytes : int
        Most uncompressed XML in an xlsx (``io.too_large``).
    time_budget_s : float
        Seconds a read may take (``io.too_slow``).
    """

    max_bytes: int = MAX_FILE_BYTES
    max_rows: int = MAX_ROWS
    max_columns: int = MAX_COLUMNS
    max_sheet_cells: int = MAX_SHEET_CELLS
    max_xml_bytes: int = MAX_XLSX_XML_BYTES
    time_budget_s: float = READ_TIME_BUDGET_S


class _Deadline:
    """The time budget of one read, checked between stages."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise InputError("io.too_slow", seconds=_num_text(self.seconds))


def _num_text(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(f"{x:.3g}")


@dataclass
class ReadResult:
    """The raw table read from a file.

    Attributes
    ----------
    frame : pandas.DataFrame
        Raw cells. Text formats: every column has the pandas ``str`` dtype and every cell is a
        string (``""`` for an empty cell). Excel: ``object`` columns holding the cell's Python
        value (``str``, ``float``, ``int``, ``bool``, ``datetime.datetime``/``date``/``time``/
        ``timedelta``) or ``None`` for an empty cell. Parquet: the file's own column types.
    line_numbers : numpy.ndarray
        ``int64``, one per frame row: the 1-based physical line (text; the line where the record
        starts when a quoted cell spans several lines) or sheet row (Excel) of the row in the
        original file. Parquet: the 1-based row position.
    format : str
        ``"csv"`` (any delimited text), ``"xlsx"``, ``"xls"`` or ``"parquet"``.
    encoding : str or None
        Text encoding that was used, ``None`` for binary formats.
    delimiter : str or None
        Field delimiter of a text file, ``None`` for binary formats.
    sheets : list of str
        All sheet names of a workbook, ``[]`` otherwise.
    sheet : str or None
        The sheet that was read.
    header_row : int
        1-based line/row of the header (0 for Parquet, which has no header row).
    skipped_title_rows : int
        Non-blank rows above the header that were skipped (titles, notes).
    replaced_chars : int
        Text files: undecodable bytes replaced by U+FFFD (a few broken bytes in an otherwise
        valid UTF-8 or GBK file); 0 otherwise.
    """

    frame: pd.DataFrame
    line_numbers: np.ndarray
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    header_row: int = 1
    skipped_title_rows: int = 0
    #: Text files: characters that could not be decoded and were replaced by U+FFFD.
    replaced_chars: int = 0


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------

def read_table(source, filename: str | None = None, sheet: str | None = None,
               max_bytes: int | None = None, limits: Limits | None = None) -> ReadResult:
    """Read a spreadsheet file into raw cells.

    Parameters
    ----------
    source : str, os.PathLike, bytes or binary file object
        A path, the bytes of an upload, or an object with ``read()`` (such as a Streamlit
        ``UploadedFile``; its ``name`` is used when ``filename`` is not given).
    filename : str, optional
        Name of the upload; its extension chooses the format (``.csv .tsv .txt`` text,
        ``.xlsx .xlsm``, ``.xls``, ``.parquet``). Defaults to the path's name. The content's
        signature wins when the extension lies (a zip is read as xlsx, an OLE2 file as xls,
        ``PAR1`` as Parquet); no extension at all means "sniff, else text".
    sheet : str, optional
        Excel sheet to read. Default: the first sheet (visible sheets first) that has a header
        and at least one data row.
    max_bytes : int, optional
        Refuse files larger than this (``io.too_large``). Default: ``limits.max_bytes``
        (``MAX_FILE_BYTES``).
    limits : Limits, optional
        Size, shape and time limits (default: the module constants).

    Returns
    -------
    ReadResult

    Raises
    ------
    InputError
        ``io.empty_file``, ``io.unsupported_format``, ``io.not_text``, ``io.bad_excel``,
        ``io.encrypted_excel``, ``io.sheet_not_found``, ``io.no_header``, ``io.no_data_rows``,
        ``io.too_large``, ``io.too_many_rows``, ``io.too_many_columns``, ``io.sheet_too_large``,
        ``io.too_slow`` or ``io.decode_failed``.

    Notes
    -----
    Blank lines and rows whose cells are all empty are not data: they are dropped and do not
    count as read rows, while ``line_numbers`` keeps the original line/row of every kept row
    (exact for text files, including quoted cells that span several lines).

    Excel formulas are not evaluated: a formula cell gives the value cached in the file by the
    program that saved it (Excel and WPS always store one; a file written by a library without
    a cached value reads as that library's placeholder, often 0 or empty).
    """
    limits = limits or Limits()
    deadline = _Deadline(limits.time_budget_s)
    data, name = _load(source, filename, limits.max_bytes if max_bytes is None else max_bytes)
    fmt = _detect_format(data, name)
    deadline.check()
    if fmt == "csv":
        return _read_text(data, _ext(name), limits, deadline)
    if fmt in ("xlsx", "xls"):
        return _read_excel(data, fmt, sheet, limits, deadline)
    return _read_parquet(data, limits, deadline)


def list_sheets(source, filename: str | None = None) -> list[str]:
    """Return the sheet names of a workbook (``[]`` for text and Parquet files).

    Parameters
    ----------
    source, filename
        As for :func:`read_table`.

    Returns
    -------
    list of str
    """
    limits = Limits()
    data, name = _load(source, filename, limits.max_bytes)
    fmt = _detect_format(data, name)
    if fmt not in ("xlsx", "xls"):
        return []
    wb = _open_workbook(data, fmt, limits, _Deadline(limits.time_budget_s))
    try:
        with _ExcelErrors():
            return list(wb.sheet_names)
    finally:
        wb.close()


# --------------------------------------------------------------------------------------------
# Loading and format detection
# --------------------------------------------------------------------------------------------

def _limit_mb(max_bytes: int) -> float | int:
    value = max_bytes / MB
    return int(value) if value == int(value) else float(f"{value:.3g}")


def _load(source, filename: str | None, max_bytes: int | None) -> tuple[bytes, str]:
    """Return the file's bytes and the name used to pick the format."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        name = filename or path.name
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise InputError("io.too_large", limit_mb=_limit_mb(max_bytes))
        data = path.read_bytes()
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = filename or ""
    elif hasattr(source, "read"):
        if hasattr(source, "seek"):
            try:
                source.seek(0)
            except (OSError, ValueError):
                pass
        data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        data = bytes(data)
        name = filename or str(getattr(source, "name", "") or "")
    else:
        raise TypeError(f"unsupported source type {type(source).__name__}")
    if max_bytes is not None and len(data) > max_bytes:
        raise InputError("io.too_large", limit_mb=_limit_mb(max_bytes))
    return data, name


def _ext(name: str) -> str:
    return os.path.splitext(name or "")[1].lower()


def _is_encrypted_ole(data: bytes) -> bool:
    """True when an OLE2 compound file holds an ``EncryptedPackage`` stream.

    Password-protected xlsx files are OLE2 containers with the streams ``EncryptionInfo`` and
    ``EncryptedPackage``. A directory entry (128 bytes, 128-aligned) starts with the stream name
    in UTF-16LE and has the name length in bytes, terminator included, at byte 64.
    """
    start = 0
    while True:
        pos = data.find(_ENCRYPTED_NAME, start)
        if pos < 0:
            return False
        if pos % 128 == 0 and data[pos + 64:pos + 66] == b"\x22\x00":
            return True
        start = pos + 1


#: Text may hold a few stray control characters (a BEL pasted into a name); binary data has
#: many. A sample is binary when more than 1 % of it, and more than this many, are controls.
CONTROL_CHARS_ALLOWED = 8


def _control_share_ok(sample: bytes) -> bool:
    """True when at most 1 % of ``sample`` (or at most ``CONTROL_CHARS_ALLOWED``) are control
    bytes that never occur in text."""
    if not sample:
        return True
    n = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return n <= max(CONTROL_CHARS_ALLOWED, 0.01 * len(sample))


def _looks_binary(sample: bytes) -> bool:
    return any(sample.startswith(sig) for sig in _BINARY_SIGS) or not _control_share_ok(sample)


def _detect_format(data: bytes, name: str) -> str:
    """Choose the reader from the extension and the content's signature."""
    ext = _ext(name)
    known = TEXT_EXTS | XLSX_EXTS | XLS_EXTS | PARQUET_EXTS
    if ext and ext not in known:
        raise InputError("io.unsupported_format", ext=ext)
    if not data:
        raise InputError("io.empty_file")
    if data.startswith(_OLE_SIG):
        if _is_encrypted_ole(data):
            raise InputError("io.encrypted_excel")
        return "xls"
    if data.startswith(_ZIP_SIG) or data.startswith(_ZIP_EMPTY_SIG):
        return "xlsx"
    if data.startswith(_PARQUET_SIG):
        return "parquet"
    if ext in XLSX_EXTS or ext in XLS_EXTS:
        kind = "binary" if _looks_binary(data[:65536]) else "text"
        raise InputError("io.bad_excel", detail=f"not an Excel workbook ({kind} content)", detail_code="not_excel")
    if ext in PARQUET_EXTS:
        raise InputError("io.bad_parquet", detail="not a Parquet file", detail_code="not_parquet")
    return "csv"


# --------------------------------------------------------------------------------------------
# Text: encoding
# --------------------------------------------------------------------------------------------

_CN_FAMILY = {
    "gb18030": "gb18030", "gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030",
    "hz": "gb18030", "euc_cn": "gb18030", "big5": "big5", "cp950": "big5", "big5hkscs": "big5",
}


def _utf16_guess(data: bytes) -> str | None:
    """Detect BOM-less UTF-16 from NUL bytes concentrated at odd (LE) or even (BE) positions.

    ASCII (digits, commas, line ends) puts a NUL byte in every code unit on one side; Chinese
    characters ending in 00 (U+4E00 一, U+5E00 ...) put some on the other side, so the other side
    only has to hold clearly fewer. A code unit of two NUL bytes (U+0000) never occurs in text,
    and the decoded sample must be text (no control characters but tab and line ends).
    """
    sample = data[:8192]
    sample = sample[: len(sample) // 2 * 2]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    nul_even, nul_odd = even.count(0), odd.count(0)
    both = bytes(a | b for a, b in zip(even, odd)).count(0)
    if both > 0.001 * half:
        return None
    if nul_odd >= 0.1 * half and nul_even * 1.5 <= nul_odd:
        enc = "utf-16-le"
    elif nul_even >= 0.1 * half and nul_odd * 1.5 <= nul_even:
        enc = "utf-16-be"
    else:
        return None
    text = sample.decode(enc, errors="replace")
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n")
    if controls > 0.001 * len(text) or text.count("\ufffd") > 2:
        return None
    return enc


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _gb_plausible(text: str) -> bool:
    """Whether a strict gb18030 decoding looks like real Chinese.

    Big5 byte pairs (and some Latin-1 ones, e.g. ``ü`` + a letter) are valid GBK too, but decode
    to private-use characters or to characters outside GB2312, while real GBK text consists
    almost only of GB2312 characters (rare name characters are a small share).
    """
    chars = _NON_ASCII.findall(text[:400_000])[:5000]
    if not chars:
        return True
    counts = Counter(chars)
    pua = sum(k for c, k in counts.items() if "\ue000" <= c <= "\uf8ff")
    outside = 0
    for c, k in counts.items():
        try:
            c.encode("gb2312")
        except UnicodeEncodeError:
            outside += k
    n = len(chars)
    return pua <= 0.01 * n and outside <= 0.3 * n


#: A UTF-8 or GBK file with a few broken bytes (a line pasted from another encoding, a cut
#: character) is read with those bytes replaced by U+FFFD when the rest of its non-ASCII text
#: is valid: at least this many valid characters per broken one.
LENIENT_VALID_PER_BAD = 5


def _lenient(data: bytes) -> tuple[str, str] | None:
    """Decode a mostly valid UTF-8 (then gb18030) file, replacing the few broken bytes."""
    for enc in ("utf-8", "gb18030"):
        text = data.decode(enc, errors="replace")
        bad = text.count("\ufffd")
        if not bad:
            continue
        valid = len(_NON_ASCII.findall(text)) - bad
        if valid >= LENIENT_VALID_PER_BAD * bad and (enc == "utf-8" or _gb_plausible(text)):
            return text, enc
    return None


def _decode(data: bytes) -> tuple[str, str]:
    """Decode a text file; return ``(text, encoding)``.

    Order: BOM (UTF-8, UTF-16 LE/BE) -> UTF-16 without BOM (NUL bytes at odd/even positions) ->
    binary check (``io.not_text``) -> strict UTF-8 -> strict gb18030 when the result is plausible
    Chinese -> UTF-8, then gb18030, with a few broken bytes replaced (``_lenient``) -> strict
    Big5 / cp950 -> the best guess of ``charset_normalizer`` (GBK, GB2312 and cp936 mapped to
    gb18030) -> an implausible but strict gb18030 -> ``io.decode_failed``.

    The strict gb18030 step comes before ``charset_normalizer`` because on a GBK file whose only
    non-ASCII bytes are in the header row, charset_normalizer answers cp949 (Korean). Big5 is
    tried before the guess because Big5 bytes are nearly always valid gb18030 as well.
    """
    if data.startswith(codecs.BOM_UTF8):
        text = _strict(data[3:], "utf-8")
        if text is not None:
            return text, "utf-8-sig"
        data = data[3:]
    elif data.startswith(codecs.BOM_UTF16_LE) and not data.startswith(codecs.BOM_UTF32_LE):
        text = _strict(data[2:], "utf-16-le")
        if text is None:
            raise InputError("io.decode_failed", encoding="utf-16-le")
        return text, "utf-16-le"
    elif data.startswith(codecs.BOM_UTF16_BE):
        text = _strict(data[2:], "utf-16-be")
        if text is None:
            raise InputError("io.decode_failed", encoding="utf-16-be")
        return text, "utf-16-be"

    guess = _utf16_guess(data)
    if guess:
        text = _strict(data, guess)
        if text is not None:
            return text, guess

    sample = data[:65536]
    if b"\x00" in sample or _looks_binary(sample):
        raise InputError("io.not_text")

    text = _strict(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    gb_text = _strict(data, "gb18030")
    if gb_text is not None and _gb_plausible(gb_text):
        return gb_text, "gb18030"
    lenient = _lenient(data)
    if lenient is not None:
        return lenient
    for enc in ("big5", "cp950"):
        text = _strict(data, enc)
        if text is not None:
            return text, enc

    guessed = None
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:262144]).best()
        guessed = best.encoding if best is not None else None
    except Exception:  # pragma: no cover - a failing guesser counts as "no guess"
        guessed = None
    if guessed:
        try:
            enc = codecs.lookup(guessed).name.replace("-", "_")
        except LookupError:
            enc = guessed
        enc = _CN_FAMILY.get(enc, enc)
        if enc != "gb18030":
            for cand in (["big5hkscs"] if enc == "big5" else [enc]):
                text = _strict(data, cand)
                if text is not None:
                    return text, cand
    if gb_text is not None:
        return gb_text, "gb18030"
    raise InputError("io.decode_failed", encoding=guessed or "unknown")


# --------------------------------------------------------------------------------------------
# Header detection and names (shared by text and Excel)
# --------------------------------------------------------------------------------------------

_NUMERICISH = re.compile(
    r"[-+\u2212(（]?\s*(?:[¥￥$€£]|cny|rmb|usd)?\s*[-+\u2212]?[0-9０-９]"
    r"[0-9０-９,，.．:：/\-\s年月日时分秒tT]*[%％)）]?\s*(?:元|am|pm)?",
    re.IGNORECASE,
)


def _blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip(_STRIP_CHARS)
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _texty(value) -> bool:
    """A non-empty cell that looks like a header label (text that is not a number or date)."""
    if not isinstance(value, str):
        return False
    s = value.strip(_STRIP_CHARS)
    return bool(s) and _NUMERICISH.fullmatch(s) is None


def _find_header(rows: list[list]) -> int | None:
    """Return the index of the header row in ``rows`` (the first rows of a table), or None.

    The typical width ``W`` is the largest number of non-empty cells in a row. The header is the
    first row with at least ``max(2, ceil(0.6 * W))`` non-empty cells (``W`` when ``W <= 2``),
    more than half of them text that does not look like a number or a date. Title rows (one
    merged cell, a report name, "exported on ..." notes) have far fewer cells; a first data row
    is mostly numbers. When no row reaches that width (a header with several unnamed columns
    over filled data columns), the first row of at least two cells, mostly text, is taken.
    No such row (e.g. a file without a header) gives None.
    """
    counts = [sum(not _blank(v) for v in row) for row in rows]
    if not counts or max(counts) == 0:
        return None
    width = max(counts)
    need = width if width <= 2 else max(2, math.ceil(0.6 * width))
    texty = [sum(_texty(v) for v in row) if counts[i] >= 2 or width == 1 else 0
             for i, row in enumerate(rows)]
    for i in range(len(rows)):
        if counts[i] >= need and texty[i] * 2 > counts[i]:
            return i
    # Fallback: a header narrower than the data (unnamed columns that hold values).
    for i in range(len(rows)):
        if counts[i] >= 2 and texty[i] * 2 > counts[i]:
            return i
    return None


def _cell_label(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if not isinstance(value, str) and hasattr(value, "isoformat"):
        try:
            if hasattr(value, "date") and (value.hour, value.minute, value.second) == (0, 0, 0):
                return value.date().isoformat()
            return value.isoformat()
        except (AttributeError, TypeError, ValueError):
            return str(value)
    return str(value)


def _make_names(cells: list) -> tuple[list[str], list[bool]]:
    """Normalise header cells; return the names and which header cells were blank."""
    names: list[str] = []
    blank: list[bool] = []
    seen: set[str] = set()
    for i, cell in enumerate(cells, start=1):
        label = _cell_label(cell).strip(_STRIP_CHARS)
        label = re.sub(r"\s*[\r\n\t]+\s*", " ", label)
        blank.append(not label)
        base = label or f"column_{i}"
        name = base
        k = 1
        while name.casefold() in seen:
            k += 1
            name = f"{base}_{k}"
        seen.add(name.casefold())
        names.append(name)
    return names, blank


# --------------------------------------------------------------------------------------------
# Frame post-processing
# --------------------------------------------------------------------------------------------

def _blank_mask(s: pd.Series) -> np.ndarray:
    """Vectorised "cell is blank" for one column."""
    if len(s) == 0:
        return np.zeros(0, dtype=bool)
    if s.dtype == object:
        arr = s.to_numpy()
        out = np.asarray(pd.isna(arr), dtype=bool)
        is_str = np.fromiter((type(v) is str for v in arr), dtype=bool, count=len(arr))
        idx = np.flatnonzero(is_str)
        if len(idx):
            out[idx] = np.fromiter((not v.strip(_STRIP_CHARS) for v in arr[idx]), dtype=bool,
                                   count=len(idx))
        return out
    if isinstance(s.dtype, pd.StringDtype):
        stripped = s.str.strip(_STRIP_CHARS)
        return (s.isna() | (stripped == "")).to_numpy(dtype=bool, na_value=True)
    return s.isna().to_numpy(dtype=bool)


def _drop_blank(frame: pd.DataFrame, lines: np.ndarray, header_blank: list[bool]
                ) -> tuple[pd.DataFrame, np.ndarray]:
    """Drop blank rows and blank-headed empty columns; keep line numbers aligned."""
    n = len(frame)
    if n:
        # Narrow the candidates column by column: the first column rules out most rows.
        cand = np.ones(n, dtype=bool)
        for j in range(frame.shape[1]):
            idx = np.flatnonzero(cand)
            if not len(idx):
                break
            col = frame.iloc[:, j]
            cand[idx] = _blank_mask(col if len(idx) == n else col.iloc[idx])
        if cand.any():
            keep = ~cand
            frame = frame.loc[keep]
            lines = lines[keep]
    frame = frame.reset_index(drop=True)
    drop = [c for c, b in zip(frame.columns, header_blank) if b and _blank_mask(frame[c]).all()]
    if drop:
        frame = frame.drop(columns=drop)
    return frame, np.asarray(lines, dtype=np.int64)


# --------------------------------------------------------------------------------------------
# Text files
# --------------------------------------------------------------------------------------------

# The csv module refuses cells longer than 131,072 characters by default; a long note or a long
# line in an export is not an error here (the file size is limited instead). The limit is
# process-wide, so it is only ever raised.
if csv.field_size_limit() < 2**31 - 1:
    csv.field_size_limit(2**31 - 1)


class _LineCounter:
    """Iterate over physical lines and remember how many were consumed."""

    def __init__(self, text: str):
        self._lines = text.split("\n")
        self.count = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.count >= len(self._lines):
            raise StopIteration
        line = self._lines[self.count]
        self.count += 1
        return line + "\n" if self.count < len(self._lines) else line


def _records(text: str, delim: str, limit: int | None = None):
    """Yield ``(first_line, last_line, fields)`` (0-based physical lines) using the csv module.

    ``text`` uses ``\\n`` line ends. A quoted cell may span lines; blank lines give ``[]``.
    """
    if text.endswith("\n"):
        text = text[:-1]
    lines = _LineCounter(text)
    reader = csv.reader(lines, delimiter=delim, quotechar='"', doublequote=True, strict=False)
    prev = 0
    n = 0
    try:
        for fields in reader:
            yield prev, lines.count - 1, fields
            prev = lines.count
            n += 1
            if limit is not None and n >= limit:
                return
    except csv.Error as exc:
        raise InputError("io.bad_csv", line=prev + 1, detail=str(exc)[:200]) from exc


def _sniff_delimiter(sample: str, ext: str) -> str:
    """Choose among , ; TAB | the delimiter giving the most consistent column count (> 1).

    For each candidate the first non-blank lines are split (respecting quotes); the most common
    field count greater than 1 is the candidate's width and the share of records with exactly
    that width its consistency. Highest consistency wins, then the larger width, then the order
    ``, TAB ; |``. A ``.tsv`` file containing tabs is tab-delimited. Without any candidate the
    file has a single column (reported as ``,``; TAB for ``.tsv``).
    """
    lines = [ln for ln in sample.split("\n") if ln.strip(_STRIP_CHARS)][:DELIMITER_SAMPLE_LINES]
    chunk = "\n".join(lines)
    if ext == ".tsv" and "\t" in chunk:
        return "\t"
    best = None
    for rank, d in enumerate((",", "\t", ";", "|")):
        if d not in chunk:
            continue
        try:
            counts = [len(f) for _, _, f in _records(chunk, d)]
        except InputError:
            continue
        wide = [c for c in counts if c > 1]
        if not wide:
            continue
        width = Counter(wide).most_common(1)[0][0]
        score = (counts.count(width) / len(counts), width, -rank)
        if best is None or score > best[0]:
            best = (score, d)
    if best is None:
        return "\t" if ext == ".tsv" else ","
    return best[1]


def _line_offset(text: str, line: int) -> int:
    """Character offset of the start of 0-based physical line ``line`` (text uses ``\\n``)."""
    pos = 0
    for _ in range(line):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return len(text)
        pos = nxt + 1
    return pos


def _read_text(data: bytes, ext: str, limits: Limits, deadline: _Deadline) -> ReadResult:
    text, encoding = _decode(data)
    replaced = text.count("\ufffd") if "\ufffd" in text and _strict(data, encoding) is None else 0
    deadline.check()
    if text.startswith("\ufeff"):
        text = text[1:]
    sample = text[:65536]
    if "\x00" in sample or \
            len(sample) - len(sample.translate({ord(c): None for c in _CONTROL_CHARS})) \
            > max(CONTROL_CHARS_ALLOWED, 0.01 * len(sample)):
        raise InputError("io.not_text")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.rstrip("\x1a")  # DOS end-of-file marker
    if not text.strip(_STRIP_CHARS + ",;|"):
        raise InputError("io.empty_file")

    # Sample: the first complete lines, up to ~1 MB.
    cut = len(text)
    if cut > 1_000_000:
        cut = text.rfind("\n", 0, 1_000_000) + 1 or 1_000_000
    sample = text[:cut]
    delim = _sniff_delimiter(sample, ext)
    recs = list(_records(sample, delim, limit=HEADER_SCAN_ROWS + 200))
    hidx = _find_header([r[2] for r in recs[:HEADER_SCAN_ROWS]])
    if hidx is None:
        raise InputError("io.no_header")
    h_first, h_last, header = recs[hidx]
    skipped = sum(1 for r in recs[:hidx] if not all(_blank(v) for v in r[2]))
    ncols = max([len(header)] + [len(r[2]) for r in recs[hidx + 1:]])
    _check_columns(ncols, limits)

    start_line = h_last + 1  # 0-based physical line of the first data line
    body = text[_line_offset(text, start_line):]
    n_lines = body.count("\n") + (0 if not body or body.endswith("\n") else 1)
    if n_lines > limits.max_rows:
        raise InputError("io.too_many_rows", rows=n_lines, limit=limits.max_rows)
    deadline.check()
    frame, lines = _parse_body(body, delim, ncols, start_line, limits.max_columns)
    deadline.check()
    cells = list(header) + [""] * (frame.shape[1] - len(header))
    names, header_blank = _make_names(cells)
    frame.columns = names
    frame, lines = _drop_blank(frame, lines, header_blank)
    deadline.check()
    if len(frame) == 0:
        raise InputError("io.no_data_rows")
    return ReadResult(frame=frame, line_numbers=lines, format="csv", encoding=encoding,
                      delimiter=delim, sheets=[], sheet=None, header_row=h_first + 1,
                      skipped_title_rows=skipped, replaced_chars=replaced)


def _empty_str_frame(ncols: int) -> pd.DataFrame:
    return pd.DataFrame({i: pd.Series([], dtype="str") for i in range(ncols)})


def _check_columns(ncols: int, limits: Limits) -> None:
    if ncols > limits.max_columns:
        raise InputError("io.too_many_columns", columns=ncols, limit=limits.max_columns)


def _parse_body(body: str, delim: str, ncols: int, start_line: int,
                max_columns: int = MAX_COLUMNS) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse the data lines below the header; return the frame and 1-based line numbers.

    pandas' C parser reads the records with blank lines kept (one row each). Every record spans
    one physical line plus the line breaks inside its quoted cells, which the parser keeps in the
    cell text, so the start line of each record follows from a cumulative sum; the total is
    checked against the physical line count. A row wider than expected makes the parser retry
    with more columns. Anything else (a parser error, a count mismatch) falls back to the csv
    module, which counts the physical lines each record consumes: exact, but slower.
    """
    if not body:
        return _empty_str_frame(ncols), np.zeros(0, dtype=np.int64)
    n_lines = body.count("\n") + (0 if body.endswith("\n") else 1)
    raw = body.encode("utf-8")
    for _attempt in range(5):
        try:
            frame = pd.read_csv(
                _io.BytesIO(raw), sep=delim, header=None, names=list(range(ncols)), dtype="str",
                na_filter=False, keep_default_na=False, skip_blank_lines=False, index_col=False,
                quotechar='"', doublequote=True, engine="c", encoding="utf-8",
            )
        except pd.errors.ParserError as exc:
            wider = re.search(r"saw (\d+)", str(exc))
            if wider and int(wider.group(1)) > ncols:
                ncols = int(wider.group(1))
                if ncols > max_columns:
                    raise InputError("io.too_many_columns", columns=ncols,
                                     limit=max_columns) from None
                continue
            break
        except ValueError:
            break
        if len(frame) == n_lines:
            return frame, np.arange(start_line + 1, start_line + 1 + n_lines, dtype=np.int64)
        spans = np.ones(len(frame), dtype=np.int64)
        for col in frame.columns:
            spans += frame[col].str.count("\n").to_numpy(dtype=np.int64)
        if int(spans.sum()) == n_lines:
            starts = start_line + 1 + np.concatenate(([0], np.cumsum(spans)[:-1]))
            return frame, starts.astype(np.int64)
        break
    starts: list[int] = []
    rows: list[list[str]] = []
    for first, _last, fields in _records(body, delim):
        starts.append(start_line + first + 1)
        rows.append(fields)
    width = max([ncols] + [len(r) for r in rows])
    if width > max_columns:
        raise InputError("io.too_many_columns", columns=width, limit=max_columns)
    rows = [r + [""] * (width - len(r)) if len(r) < width else r for r in rows]
    if not rows:
        return _empty_str_frame(width), np.zeros(0, dtype=np.int64)
    frame = pd.DataFrame(rows, columns=list(range(width)), dtype="str")
    return frame, np.asarray(starts, dtype=np.int64)


# --------------------------------------------------------------------------------------------
# Excel
# --------------------------------------------------------------------------------------------

_INFLATE_CHUNK = 8 * MB
_XML_PART = re.compile(r"\.(?:xml|rels|vml)$", re.IGNORECASE)
# A standard cell reference (every writer puts ``r`` first: ``<c r="B7" s="1" t="n">``).
_CELL_REF_RE = re.compile(rb'<c r="([A-Za-z]+)(\d+)"')
_ROW_REF_RE = re.compile(rb'<row r="()(\d+)"')
# Spaces before the ``=`` of an ``r`` attribute (``<c r = "XFD1">``): not standard.
_SPACED_R_RE = re.compile(rb"r\s+=")
# "r" first (the regex engine skips ahead to each "r"), then the character before it.
_ANY_REF_RE = re.compile(rb'r(?<=[^\w:.\-]r)\s*=\s*["\']\s*([A-Za-z]*)\s*(\d*)')
_PREFIXED_TAG_RE = re.compile(rb"<[\w.\-]+:(c|row)(?=[\s/>])")


def _byte_table(chars: bytes) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[list(chars)] = True
    return table


_TAG_END = _byte_table(b" \t\r\n/>")  # what ends a tag name for the XML reader
_SPACE = _byte_table(b" \t\r\n\f\v")  # regex \s
_PREFIXED_END = _byte_table(b">/ \t\r\n\f\v")
# Bytes that continue an attribute name: ``header=`` and ``xmlns:r=`` are not ``r`` attributes.
_NAME_CHAR = _byte_table(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:.-")
_PAD = 16  # zero bytes on both sides of a chunk: look-ahead and look-behind stay inside
_SCAN_PIECE = 1 * MB  # bytes scanned at once (see _RangeScan.feed)
_REF_WINDOW = 12  # bytes read after '<c r="': the longest Excel reference "XFD1048576" and '"'


def _col_number(letters: bytes) -> int:
    """``A`` -> 1, ``Z`` -> 26, ``AA`` -> 27 (case-insensitive)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def _max_refs(chunk: bytes, pad: np.ndarray, starts: np.ndarray,
              cells: bool = True) -> tuple[int, int, int]:
    """Largest row and column of the references whose text starts at ``starts`` (offsets in
    ``pad``, the chunk with ``_PAD`` zero bytes around it), and how many references do not
    parse. Cells (``<c r="B7"``): letters, digits, then ``"``; rows (``<row r="7"``,
    ``cells=False``): digits, then ``"``.

    Vectorised: the bytes of each reference are classified in a window of ``_REF_WINDOW``
    bytes; for references with as many letters, the largest column is the largest letters read
    as one big-endian integer (longer is larger), and the largest row the largest digits among
    those with the most digits (leading zeros aside). A reference longer than the window (Excel
    never writes one) is parsed with a regex."""
    if not len(starts):
        return 0, 0, 0
    w = np.lib.stride_tricks.sliding_window_view(pad, _REF_WINDOW)[starts]  # (n, window)
    digit = (w - ord("0")) < 10  # uint8 arithmetic wraps around: only "0".."9" stay below 10
    if cells:
        letter = ((w | 0x20) - ord("a")) < 26  # "A".."Z", "a".."z"
        n_letters = np.argmin(letter, axis=1)  # first non-letter (0 if all are letters)
        long = (n_letters == 0) & letter[:, 0]  # letters alone fill the window
    else:
        n_letters = np.zeros(len(w), dtype=np.intp)
        long = np.zeros(len(w), dtype=bool)
    # The 8 bytes at each offset of pad as a big-endian integer (unaligned view, no copy).
    words = np.ndarray((len(pad) - 7,), dtype=">u8", buffer=pad, strides=(1,))
    max_row = max_col = bad = 0
    col_key = (0, 0)  # (letters, letters as an integer) of the largest column so far
    lo, hi = int(n_letters.min()), int(n_letters.max())
    for k in range(lo, hi + 1):  # references with k letters (usually one k for all)
        rows = None if lo == hi else np.flatnonzero(n_letters == k)
        if rows is not None and not len(rows):
            continue
        at = starts if rows is None else starts[rows]
        dig = digit if rows is None else digit[rows]
        if cells and k == 0:  # no letters: not a reference (or letters filling the window)
            bad += int(len(at) - (long.sum() if rows is None else long[rows].sum()))
            continue
        n_digits = np.argmin(dig[:, k:], axis=1)  # digits after the letters (0: none, or all)
        full = (n_digits == 0) & dig[:, k]  # letters and digits fill the window
        if full.any():
            if rows is None:
                long = long | full
            else:
                long[rows[full]] = True
        ok = (n_digits > 0) & (pad[at + k + n_digits] == ord('"'))
        bad += int(len(at) - ok.sum() - full.sum())
        if not ok.any():
            continue
        at, n_digits = at[ok], n_digits[ok]
        if cells and k > col_key[0]:
            if k <= 8:
                letters = words[at] >> np.uint64(8 * (8 - k))
                col_key = (k, int((letters & np.uint64(int("DF" * k, 16))).max()))
            else:  # rare: more than 8 letters
                col_key = (k, max(int.from_bytes(bytes(pad[i:i + k]).upper(), "big") for i in at))
        # Rows: more digits is larger; as many digits compare as text. Leading zeros aside.
        zero = pad[at + k] == ord("0")
        plain = ~zero
        if plain.any():
            top = int(n_digits[plain].max())
            sel = at[plain & (n_digits == top)] + k
            if top <= 8:
                best = int((words[sel] >> np.uint64(8 * (8 - top))).max()).to_bytes(top, "big")
            else:  # rare: more than 8 digits
                best = max(bytes(pad[i:i + top]) for i in sel)
            max_row = max(max_row, int(best))
        if zero.any():  # rare: "A0001" - the value of at most 11 digits (int64 is exact)
            wz = np.lib.stride_tricks.sliding_window_view(pad, _REF_WINDOW)[at[zero] + k]
            nz = n_digits[zero]
            value = np.zeros(len(wz), dtype=np.int64)
            for j in range(_REF_WINDOW):
                value = np.where(j < nz, value * 10 + wz[:, j].astype(np.int64) - ord("0"), value)
            max_row = max(max_row, int(value.max()))
    if col_key[0]:
        max_col = _col_number(col_key[1].to_bytes(col_key[0], "big"))
    regex, back = (_CELL_REF_RE, 6) if cells else (_ROW_REF_RE, 8)
    for s in starts[long]:  # rare: a reference longer than the window
        m = regex.match(chunk, int(s) - _PAD - back)
        if m is None:
            bad += 1
        else:
            max_col = max(max_col, _col_number(m.group(1)))
            max_row = max(max_row, int(m.group(2)))
    return max_row, max_col, bad


class _RangeScan:
    """The used range (rows x columns) an Excel reader would allocate for one sheet's XML.

    Fed with consecutive chunks that never split a tag. A chunk in the standard spelling is read
    exactly and vectorised: every cell tag is ``<c r="..."`` and every row tag ``<row r="..."``
    (``r`` first, double quotes, no spaces around ``=``), no other ``r`` attribute occurs, and
    no tag is prefixed (``<x:c``). The largest row and column of the cell references count; a
    reference that does not parse counts as one more column. Any other spelling (no ``r``,
    ``r`` not first, a second ``r``, single quotes, spaces around ``=``, prefixed tags)
    switches the chunk to a slow, conservative count: every ``r`` attribute, plus one row per
    row tag and one column per cell tag that has no reference.
    """

    def __init__(self):
        self.rows = 0
        self.cols = 0
        self.extra_rows = 0
        self.extra_cols = 0
        self.row_cells = 0  # cells without a reference in the current row (slow path)
        self.row_refs = 0  # largest row reference of the standard chunks (used by the slow path)
        self.slack = 0  # one more row once a cell may lack a reference (after <row r="n"/>)
        self._buffer: np.ndarray | None = None

    def _take(self, letters: bytes, digits: bytes) -> None:
        if digits:
            self.rows = max(self.rows, int(digits))
        if letters:
            self.cols = max(self.cols, _col_number(letters))

    def feed(self, data: bytes, begin: int = 0, stop: int | None = None) -> None:
        """Scan ``data[begin:stop]`` (without copying it)."""
        stop = len(data) if stop is None else stop
        if begin:  # offsets below are relative to the chunk
            data = memoryview(data)[begin:stop]
            stop -= begin
        chunk, n = data, stop
        if n <= 0:
            return
        # One buffer for all chunks (fresh 8 MB arrays cost page faults each time).
        if self._buffer is None or len(self._buffer) < n + 2 * _PAD:
            self._buffer = np.empty(n + 2 * _PAD, dtype=np.uint8)
        pad = self._buffer[:n + 2 * _PAD]
        pad[:_PAD] = 0
        pad[_PAD:_PAD + n] = np.frombuffer(chunk, dtype=np.uint8, count=n)
        pad[_PAD + n:] = 0
        # The tags are found in pieces of about _SCAN_PIECE bytes cut before a "<" (never inside
        # a tag), so that the byte passes stay in the CPU cache; the references of the standard
        # pieces are then read all at once (fewer, larger numpy operations).
        cells: list[np.ndarray] = []
        rows: list[np.ndarray] = []
        start = 0
        while start < n:
            end = n
            if n - start > 2 * _SCAN_PIECE:
                view = pad[_PAD + start + _SCAN_PIECE // 2:_PAD + start + _SCAN_PIECE]
                lts = np.flatnonzero(view == ord("<"))
                end = start + _SCAN_PIECE // 2 + int(lts[-1]) if len(lts) else n
            found = self._standard_tags(chunk, pad, start, end)
            if found is None:
                self._take_refs(chunk, pad, cells, rows)  # first: their row references count
                self._feed_slow(bytes(chunk[start:end]))
            else:
                cells.append(found[0])
                rows.append(found[1])
            start = end
        self._take_refs(chunk, pad, cells, rows)

    @staticmethod
    def _standard_tags(chunk: bytes, pad: np.ndarray, start: int, end: int):
        """The cell tags and ``<row r="..."`` tags (offsets in ``pad``) of ``chunk[start:end]``
        when that piece is in the standard spelling, else None."""
        a = pad[_PAD + start:_PAD + end]
        base = _PAD + start
        lt, nxt = a[:-1] == ord("<"), a[1:]
        cells = np.flatnonzero(lt & (nxt == ord("c"))) + base
        cells = cells[_TAG_END[pad[cells + 2]]]  # "<c" and what ends a tag name
        if not ((pad[cells + 2] == ord(" ")) & (pad[cells + 3] == ord("r")) & (pad[cells + 4] == ord("="))
                & (pad[cells + 5] == ord('"'))).all():
            return None  # a cell tag without r="..." first
        rows = np.flatnonzero(lt & (nxt == ord("r"))) + base
        rows = rows[(pad[rows + 2] == ord("o")) & (pad[rows + 3] == ord("w")) & _TAG_END[pad[rows + 4]]]
        if not ((pad[rows + 4] == ord(" ")) & (pad[rows + 5] == ord("r"))
                & (pad[rows + 6] == ord("=")) & (pad[rows + 7] == ord('"'))).all():
            return None  # a row tag without r="..." first: it moves the row of later cells
        eq = np.flatnonzero(a == ord("=")) + base
        before, after = pad[eq - 1], pad[eq + 1]
        r_eq = before == ord("r")
        # Every r attribute is the first attribute of a cell or of a <row r="...">.
        if int((r_eq & ~_NAME_CHAR[pad[eq - 2]]).sum()) != len(cells) + len(rows):
            return None
        # No r='...', r= "...", r = "...".
        if (r_eq & (_SPACE[after] | (after == ord("'")))).any() or \
                (_SPACE[before].any() and _SPACED_R_RE.search(chunk, start, end)):
            return None
        # No prefixed cell or row tag (":c" or ":row" and a tag end).
        colon = np.flatnonzero(a == ord(":")) + base
        if (((pad[colon + 1] == ord("c")) & _PREFIXED_END[pad[colon + 2]])
                | ((pad[colon + 1] == ord("r")) & (pad[colon + 2] == ord("o"))
                   & (pad[colon + 3] == ord("w")) & _PREFIXED_END[pad[colon + 4]])).any():
            return None
        return cells, rows

    def _take_refs(self, chunk: bytes, pad: np.ndarray, cells: list, rows: list) -> None:
        """Read the references of the pending standard cell and row tags (and forget them)."""
        if cells:
            max_row, max_col, bad = _max_refs(chunk, pad, np.concatenate(cells) + 6)
            self.rows = max(self.rows, max_row)
            self.cols = max(self.cols, max_col)
            self.extra_cols += bad  # a reference that does not parse: one more column
        if rows:
            row_refs, _, _ = _max_refs(chunk, pad, np.concatenate(rows) + 8, cells=False)
            self.row_refs = max(self.row_refs, row_refs)
        cells.clear()
        rows.clear()

    def _feed_slow(self, chunk: bytes) -> None:
        """Any spelling, counted conservatively: every ``r`` attribute counts; a row without
        ``r`` adds one row; every cell tag of a row (with a reference or not) may add one
        column. Cell and row tags are located with numpy, so a bomb of tiny rows stays fast.
        A row reference of an earlier, standard chunk may hold the row of this chunk's first
        cells, so those count too."""
        self.rows = max(self.rows, self.row_refs)
        n_row_refs = 0
        for letters, digits in _ANY_REF_RE.findall(chunk):
            self._take(letters, digits)
            n_row_refs += bool(digits) and not letters
        a = np.frombuffer(chunk, dtype=np.uint8)
        if not len(a):
            return
        pad = np.concatenate([a, np.zeros(4, dtype=np.uint8)])  # a tag may start at the end
        starts = np.flatnonzero(a == 60)  # "<"
        after = pad[starts + 1]
        cells = starts[(after == 99) & _TAG_END[pad[starts + 2]]]  # "<c" + a tag end
        rows = starts[(after == 114) & (pad[starts + 2] == 111) & (pad[starts + 3] == 119)
                      & _TAG_END[pad[starts + 4]]]  # "<row" + a tag end
        if b":c" in chunk or b":row" in chunk:  # prefixed tags (<x:c ...>), rare
            found = [(m.start(), m.group(1)) for m in _PREFIXED_TAG_RE.finditer(chunk)]
            if found:
                cells = np.sort(np.concatenate([cells, [p for p, k in found if k == b"c"]])).astype(np.int64)
                rows = np.sort(np.concatenate([rows, [p for p, k in found if k == b"row"]])).astype(np.int64)
        self.extra_rows += max(0, len(rows) - n_row_refs)
        if len(cells):
            # A cell after an empty <row r="n"/> (or after </row>) but outside any row tag
            # sits in row n + 1.
            self.slack = 1
        edges = np.searchsorted(cells, rows)
        counts = np.diff(np.concatenate(([0], edges, [len(cells)])))
        self.row_cells += int(counts[0])  # the first part continues the current row
        self.extra_cols = max(self.extra_cols, self.row_cells)
        if len(counts) > 1:
            self.row_cells = int(counts[-1])
            self.extra_cols = max(self.extra_cols, int(counts[1:].max()))

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows + self.extra_rows + self.slack, self.cols + self.extra_cols


def _inflate(data: bytes, info: zipfile.ZipInfo):
    """Yield ``(chunk, compressed bytes consumed so far)`` of a zip member's real content
    (the sizes in the zip directory can lie)."""
    if info.flag_bits & 0x1:
        raise InputError("io.bad_excel", detail="encrypted zip archive")
    off = info.header_offset
    head = data[off:off + 30]
    if len(head) < 30 or head[:4] != _ZIP_SIG:
        raise InputError("io.bad_excel", detail=f"broken zip entry {info.filename}")
    n_name, n_extra = struct.unpack("<HH", head[26:30])
    start = off + 30 + n_name + n_extra
    raw = memoryview(data)[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        for i in range(0, len(raw), _INFLATE_CHUNK):
            chunk = bytes(raw[i:i + _INFLATE_CHUNK])
            yield chunk, i + len(chunk)
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise InputError("io.bad_excel", detail=f"unsupported zip compression {info.compress_type}")
    d = zlib.decompressobj(-15)
    pos = 0
    try:
        while not d.eof:
            if d.unconsumed_tail:
                out = d.decompress(d.unconsumed_tail, _INFLATE_CHUNK)
            elif pos < len(raw):
                out = d.decompress(raw[pos:pos + _INFLATE_CHUNK], _INFLATE_CHUNK)
                pos += _INFLATE_CHUNK
            else:
                break
            if out:
                yield out, min(pos, len(raw)) - len(d.unconsumed_tail)
    except zlib.error as exc:
        raise InputError("io.bad_excel", detail=f"broken zip entry {info.filename} ({exc})") from exc


def _check_shape(rows: int, cols: int, limits: Limits, where: str) -> None:
    if cols > limits.max_columns:
        raise InputError("io.too_many_columns", columns=cols, limit=limits.max_columns)
    if rows > limits.max_rows:
        raise InputError("io.too_many_rows", rows=rows, limit=limits.max_rows)
    if rows * cols > limits.max_sheet_cells:
        raise InputError("io.sheet_too_large", rows=rows, columns=cols,
                         limit=limits.max_sheet_cells, sheet=where)


def _check_xlsx_zip(data: bytes, limits: Limits | None = None,
                    deadline: _Deadline | None = None) -> bytes:
    """Refuse broken zips, decompression bombs and huge sparse sheets before the Excel reader;
    return the workbook to read (``data``, or a copy whose shared-strings table no longer declares
    an impossible number of strings, see :func:`_without_sst_counts`).

    Every XML part is inflated here in chunks (its real size, not the declared one, counts):
    the total must stay within ``limits.max_xml_bytes``, and once a part has given more than
    ``RATIO_CHECK_MIN_BYTES`` its output may not exceed ``MAX_COMPRESSION_RATIO`` times the
    compressed bytes read so far (real sheets compress about 10-20:1). Each part's cell references give the used range the Excel reader would
    allocate (rows x columns), which must stay within the row, column and cell limits.
    """
    limits = limits or Limits()
    deadline = deadline or _Deadline(limits.time_budget_s)
    limit = limits.max_xml_bytes
    try:
        zf = zipfile.ZipFile(_io.BytesIO(data))
    except Exception as exc:  # BadZipFile, NotImplementedError ("zip file version"), ...
        raise InputError("io.bad_excel", detail=f"not a valid zip archive ({exc})") from exc
    with zf:
        infos = zf.infolist()
    names = {i.filename.lower() for i in infos}
    # Declared sizes first: an honest bomb is refused at once, without inflating anything.
    declared = 0
    for info in infos:
        if _XML_PART.search(info.filename):
            declared += info.file_size
        if info.file_size > RATIO_CHECK_MIN_BYTES and \
                info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise InputError("io.too_large", limit_mb=_limit_mb(limit),
                             detail=f"{info.filename} is compressed more than "
                                    f"{MAX_COMPRESSION_RATIO}:1")
    if declared > limit:
        raise InputError("io.too_large", limit_mb=_limit_mb(limit),
                         detail="uncompressed worksheet XML too large")
    if "xl/workbook.xml" not in names:
        if "xl/workbook.bin" in names:
            raise InputError("io.bad_excel", detail_code="xlsb", detail="binary .xlsb workbooks are not supported; "
                                                    "save the file as .xlsx")
        raise InputError("io.bad_excel", detail="zip archive without xl/workbook.xml")
    total = 0
    oversized_sst = None
    for info in infos:
        if not _XML_PART.search(info.filename):
            continue
        size = 0
        carry = b""
        scan = _RangeScan()
        is_sst = info.filename.lower().endswith("sharedstrings.xml")
        head, n_si = b"", 0
        for out, consumed in _inflate(data, info):
            if is_sst:
                if len(head) < SST_HEAD_BYTES:
                    head += out[:SST_HEAD_BYTES - len(head)]
                n_si += out.count(b"<si")  # a tag split between outputs is counted below
            size += len(out)
            total += len(out)
            if total > limit:
                raise InputError("io.too_large", limit_mb=_limit_mb(limit),
                                 detail="uncompressed worksheet XML too large")
            # Beyond RATIO_CHECK_MIN_BYTES, the ratio so far counts (a bomb stops within ~10 MB).
            if size > RATIO_CHECK_MIN_BYTES and size > MAX_COMPRESSION_RATIO * max(consumed, 1):
                raise InputError("io.too_large", limit_mb=_limit_mb(limit),
                                 detail=f"{info.filename} is compressed more than "
                                        f"{MAX_COMPRESSION_RATIO}:1")
            # Scan up to the last "<" (a tag may continue in the next output); the output is
            # not copied: the carried tail is completed with the output's first bytes instead.
            begin = 0
            if carry:
                begin = out.find(b"<")
                if begin < 0:
                    carry += out
                    continue
                if is_sst and not carry.startswith(b"<si") and (carry + out[:3]).startswith(b"<si"):
                    n_si += 1  # "<si" split across the two outputs
                scan.feed(carry + out[:begin])
                carry = b""
            cut = out.rfind(b"<")
            if cut < 0:
                carry = out
                continue
            scan.feed(out, begin, cut)
            carry = out[cut:]
            _check_shape(*scan.shape, limits, info.filename)
            deadline.check()
        if carry:
            scan.feed(carry)
        _check_shape(*scan.shape, limits, info.filename)
        deadline.check()
        if is_sst and _sst_declared(head) > 2 * n_si + SST_COUNT_SLACK:
            oversized_sst = info.filename
    if oversized_sst is not None:
        return _without_sst_counts(data, oversized_sst)
    return data


#: A shared-strings table may declare this many strings more than twice the ones it holds.
SST_COUNT_SLACK = 10_000
#: How far into the shared-strings part its root tag is looked for.
SST_HEAD_BYTES = 1 << 20
# The root tag, with ">" allowed inside quoted attribute values (as XML readers allow it).
_SST_TAG = re.compile(rb"<((?:\w+:)?sst)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_SST_COUNT = re.compile(rb"[cC]ount\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_XMLNS = re.compile(rb"\sxmlns(?::[\w.-]+)?\s*=\s*(?:\"[^\"]*\"|'[^']*')")


def _sst_declared(head: bytes) -> int:
    """The largest ``count`` / ``uniqueCount`` of a shared-strings root tag; a value that is not
    plain digits (entities, signs, spaces), or a root tag not found in the first
    ``SST_HEAD_BYTES``, counts as huge."""
    m = _SST_TAG.search(head)
    if not m:
        return 0 if len(head) < SST_HEAD_BYTES else 1 << 62
    worst = 0
    for dq, sq in _SST_COUNT.findall(m.group(2)):
        value = dq or sq
        worst = max(worst, int(value) if value.isdigit() and len(value) < 19 else 1 << 62)
    return worst


def _without_sst_counts(data: bytes, name: str) -> bytes:
    """The workbook with the count attributes of its shared-strings table removed.

    The Excel reader reserves memory for the declared number of strings up front: a 3 KB file
    declaring two billion of them aborts the whole process (an allocation of 48 GB). The counts
    are optional in the format, so the table is rewritten without them (the parts were checked
    against the size limits above; this happens only for such broken or hostile files).
    """
    out = _io.BytesIO()
    try:
        _copy_without_sst_counts(data, name, out)
    except Exception as exc:  # BadZipFile (CRC), zlib.error, EOFError, ...: a broken archive
        raise InputError("io.bad_excel", detail=f"broken zip archive ({exc})"[:300]) from exc
    return out.getvalue()


def _copy_without_sst_counts(data: bytes, name: str, out) -> None:
    with zipfile.ZipFile(_io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename == name:
                m = _SST_TAG.search(body)
                if m:  # keep the element name and its namespace declarations, drop the rest
                    tag = b"<" + m.group(1) + b"".join(_XMLNS.findall(m.group(2))) + b">"
                    body = body[:m.start()] + tag + body[m.end():]
            zout.writestr(info, body)


# --- .xls: a minimal OLE2 (compound file) reader, enough to walk the Workbook stream ---------

_BIFF_CELLS = {0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00BD, 0x00BE, 0x0406,
               0x0002, 0x0003, 0x0004, 0x0005, 0x0007, 0x0021, 0x0206}
_XLS_MAX_COL = 255  # BIFF8: 256 columns, 65,536 rows
_XLS_MAX_ROWS = 65_536


def _cfb_stream(data: bytes, wanted: tuple[str, ...]) -> bytes | None:
    """The first stream named in ``wanted`` of an OLE2 compound file, or None."""
    if len(data) < 512:
        raise ValueError("truncated header")
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise ValueError("bad sector size")
    size = 1 << shift
    n_sectors = (len(data) - 512) // size + 1
    first_dir, = struct.unpack_from("<I", data, 0x30)
    cutoff, first_minifat, n_minifat, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)

    n_fat, = struct.unpack_from("<I", data, 0x2C)
    if max(n_fat, n_minifat, n_difat) > n_sectors:
        raise ValueError("sector counts larger than the file")

    def sector(i: int) -> bytes:
        if not 0 <= i < n_sectors:
            raise ValueError("sector out of range")
        return data[512 + i * size:512 + (i + 1) * size]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    nxt, seen = first_difat, 0
    while nxt < 0xFFFFFFFA and seen <= n_difat:
        sec = sector(nxt)
        vals = struct.unpack(f"<{size // 4}I", sec)
        difat.extend(vals[:-1])
        nxt = vals[-1]
        seen += 1
    fat: list[int] = []
    for s in difat:
        if s < 0xFFFFFFFA:
            fat.extend(struct.unpack(f"<{size // 4}I", sector(s)))

    def chain(start: int, table: list[int], limit: int) -> list[int]:
        out = []
        while start < 0xFFFFFFFA:
            if start >= len(table) or len(out) > limit:
                raise ValueError("broken sector chain")
            out.append(start)
            start = table[start]
        return out

    dir_bytes = b"".join(sector(i) for i in chain(first_dir, fat, n_sectors))
    entries = []
    for pos in range(0, len(dir_bytes) - 127, 128):
        e = dir_bytes[pos:pos + 128]
        n_len, = struct.unpack_from("<H", e, 64)
        name = e[:max(0, min(n_len, 64) - 2)].decode("utf-16-le", "replace")
        start, = struct.unpack_from("<I", e, 116)
        length, = struct.unpack_from("<Q", e, 120)
        if e[66] in (1, 2, 5) and length > len(data):  # a stream cannot outgrow its file
            raise ValueError(f"stream size {length:,} larger than the file")
        entries.append((name, e[66], start, length))
    if not entries:
        raise ValueError("no directory")
    for want in wanted:
        for name, typ, start, length in entries:
            if typ != 2 or name != want:
                continue
            if length < cutoff:
                root = entries[0]
                mini_stream = b"".join(sector(i) for i in chain(root[2], fat, n_sectors))
                minifat: list[int] = []
                for s in chain(first_minifat, fat, n_sectors):
                    minifat.extend(struct.unpack(f"<{size // 4}I", sector(s)))
                parts = [mini_stream[i * 64:(i + 1) * 64] for i in chain(start, minifat, len(minifat))]
                return b"".join(parts)[:length]
            return b"".join(sector(i) for i in chain(start, fat, n_sectors))[:length]
    return None


def _check_xls(data: bytes, deadline: _Deadline) -> None:
    """Refuse .xls files whose cell records lie outside the 256 columns of the format.

    The Excel reader allocates rows x columns of the used range; within the format's own
    limits (65,536 x 256) that stays below ``MAX_SHEET_CELLS``, but a forged record can name
    column 65,535 (a 10 KB file asking for 4 billion cells).
    """
    try:
        stream = _cfb_stream(data, ("Workbook", "Book"))
    except (ValueError, struct.error, IndexError) as exc:
        raise InputError("io.bad_excel", detail=f"broken .xls container ({exc})") from exc
    if stream is None:
        raise InputError("io.bad_excel", detail="no Workbook stream in the .xls file")
    pos, n = 0, len(stream)
    count = 0
    while pos + 4 <= n:
        typ, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        if body + length > n:  # a truncated last record: the reader will judge it
            break
        if typ == 0x0200 and length >= 10:  # DIMENSIONS: the reader reserves rows x columns
            if length >= 14:  # BIFF8: 32-bit rows
                r0, r1, c0, c1 = struct.unpack_from("<IIHH", stream, body)
            else:
                r0, r1, c0, c1 = struct.unpack_from("<HHHH", stream, body)
            if r1 > _XLS_MAX_ROWS or c1 > _XLS_MAX_COL + 1 or r0 > r1 or c0 > c1:
                raise InputError("io.bad_excel", detail=f"sheet dimensions {r1:,} rows x {c1:,} "
                                                        "columns exceed the limits of .xls")
        if typ in _BIFF_CELLS and length >= 4:
            col = struct.unpack_from("<H", stream, body + 2)[0]
            if typ in (0x00BD, 0x00BE) and length >= 6:  # MULRK / MULBLANK: last column at the end
                col = max(col, struct.unpack_from("<H", stream, body + length - 2)[0])
            if col > _XLS_MAX_COL:
                raise InputError("io.bad_excel", detail=f"a cell lies in column {col + 1}, beyond "
                                                        f"the {_XLS_MAX_COL + 1} columns of .xls")
        pos = body + length
        count += 1
        if count % 200_000 == 0:
            deadline.check()


def _reader_failure(exc: BaseException) -> bool:
    """An error of the Excel reader: an exception, or a Rust panic (pyo3's PanicException
    derives from BaseException, so ``except Exception`` does not see it)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


class _ExcelErrors:
    """Context manager turning any failure of the Excel reader into ``io.bad_excel``."""

    def __enter__(self):
        return self

    def __exit__(self, typ, exc, tb):
        if exc is None or isinstance(exc, InputError) or not _reader_failure(exc):
            return False
        raise InputError("io.bad_excel", detail=str(exc)[:300]) from exc


#: Memory a probing child process may map (RLIMIT_AS): far above what opening a real workbook
#: takes, far below what the machine has.
PROBE_MEMORY_BYTES = 8 << 30
_PROBE = """
import io, resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
data = sys.stdin.buffer.read()
try:
    from python_calamine import CalamineWorkbook
    CalamineWorkbook.from_filelike(io.BytesIO(data))
except BaseException:  # a Python error (or a Rust panic) is handled by the real open
    sys.exit(3)
"""


def excel_probe_enabled() -> bool:
    """Whether workbooks are first opened in a child process (``CUSTOMER_PYRAMID_EXCEL_PROBE``,
    on unless set to 0)."""
    return os.environ.get("CUSTOMER_PYRAMID_EXCEL_PROBE", "1").strip() not in ("0", "false", "no", "off")


def _probe_open(data: bytes, deadline: _Deadline) -> None:
    """Open the workbook in a short-lived child process before this process does.

    python-calamine reads the shared strings, styles and sheet list when a workbook is opened;
    a count it trusts, or a bug of its own, can make it abort the process (an allocation failure
    is not an exception). The pre-checks catch the cases known here; the probe contains the
    unknown ones: if the child dies, the file is refused and this process (the app's server,
    with everybody's sessions) goes on. About 50 ms per workbook.
    """
    import subprocess
    import sys

    remaining = max(1.0, deadline.end - time.monotonic())
    try:
        proc = subprocess.run([sys.executable, "-c", _PROBE, str(PROBE_MEMORY_BYTES)], input=data,
                              capture_output=True, timeout=remaining, check=False)
    except subprocess.TimeoutExpired as exc:
        raise InputError("io.too_slow", seconds=_num_text(deadline.seconds)) from exc
    except OSError:  # no child process possible here: open in this process as before
        return
    if proc.returncode not in (0, 3):
        raise InputError("io.bad_excel", detail_code="reader_crash",
                         detail=f"the Excel reader failed on this file (exit status {proc.returncode})")


def _open_workbook(data: bytes, fmt: str, limits: Limits | None = None,
                   deadline: _Deadline | None = None):
    from python_calamine import CalamineWorkbook, PasswordError

    limits = limits or Limits()
    deadline = deadline or _Deadline(limits.time_budget_s)
    if fmt == "xlsx":
        data = _check_xlsx_zip(data, limits, deadline)
    else:
        _check_xls(data, deadline)
    deadline.check()
    if excel_probe_enabled():
        _probe_open(data, deadline)
    try:
        with _ExcelErrors():  # calamine raises several error types (and panics) on broken files
            return CalamineWorkbook.from_filelike(_io.BytesIO(data))
    except InputError as exc:
        if isinstance(exc.__cause__, PasswordError):
            raise InputError("io.encrypted_excel") from exc.__cause__
        raise


def _sheet_rows(wb, name: str, limits: Limits | None = None,
                deadline: _Deadline | None = None) -> tuple[list[list], int]:
    """Return the used area of a sheet as Python rows and the 0-based sheet row of its top."""
    limits = limits or Limits()
    with _ExcelErrors():
        sh = wb.get_sheet_by_name(name)
        start = sh.start
        if start is None:
            return [], 0
        height, width = int(sh.height), int(sh.width)
    _check_shape(height, width, limits, name)
    if deadline is not None:
        deadline.check()
    with _ExcelErrors():
        rows = sh.to_python()
    if deadline is not None:
        deadline.check()
    if not rows:
        return [], 0
    return rows, int(start[0])


def _excel_table(rows: list[list], first_row: int) -> tuple[ReadResult | None, str | None]:
    """Build the table of one sheet; return ``(result, None)`` or ``(None, error code)``."""
    if not rows or all(_blank(v) for r in rows for v in r):
        return None, "io.empty_file"
    hidx = _find_header(rows[:HEADER_SCAN_ROWS])
    if hidx is None:
        return None, "io.no_header"
    header = rows[hidx]
    skipped = sum(1 for r in rows[:hidx] if not all(_blank(v) for v in r))
    body = rows[hidx + 1:]
    width = len(header)
    arr = np.empty((len(body), width), dtype=object)
    if body:
        arr[:] = body
        arr[arr == ""] = None
    names, header_blank = _make_names(header)
    frame = pd.DataFrame(arr, columns=names, dtype=object, copy=False)
    top = first_row + hidx + 2  # 1-based sheet row of the first body row
    lines = np.arange(top, top + len(body), dtype=np.int64)
    frame, lines = _drop_blank(frame, lines, header_blank)
    if len(frame) == 0:
        return None, "io.no_data_rows"
    return ReadResult(frame=frame, line_numbers=lines, format="",
                      header_row=first_row + hidx + 1, skipped_title_rows=skipped), None


def _read_excel(data: bytes, fmt: str, sheet: str | None, limits: Limits | None = None,
                deadline: _Deadline | None = None) -> ReadResult:
    limits = limits or Limits()
    deadline = deadline or _Deadline(limits.time_budget_s)
    wb = _open_workbook(data, fmt, limits, deadline)
    try:
        with _ExcelErrors():
            names = list(wb.sheet_names)
        if not names:
            raise InputError("io.bad_excel", detail="workbook without sheets")
        if sheet is not None:
            if sheet not in names:
                raise InputError("io.sheet_not_found", sheet=sheet, sheets=", ".join(names))
            order = [sheet]
        else:
            try:
                hidden = {m.name for m in wb.sheets_metadata
                          if str(m.visible).rsplit(".", 1)[-1] != "Visible"}
            except BaseException as exc:  # pragma: no cover - metadata is optional
                if not _reader_failure(exc):
                    raise
                hidden = set()
            order = [n for n in names if n not in hidden] + [n for n in names if n in hidden]
        # When no sheet qualifies, report the most specific problem (first sheet having it).
        # A one-column table (a sheet of notes in front of the data) is taken only when no
        # sheet has a table of two columns or more.
        priority = {"io.empty_file": 0, "io.no_header": 1, "io.no_data_rows": 2}
        worst: tuple[str, str] | None = None
        narrow: ReadResult | None = None
        for name in order:
            rows, first_row = _sheet_rows(wb, name, limits, deadline)
            result, error = _excel_table(rows, first_row)
            deadline.check()
            if result is not None:
                result.format = fmt
                result.sheets = names
                result.sheet = name
                if result.frame.shape[1] >= 2 or sheet is not None:
                    return result
                narrow = narrow or result
                continue
            if worst is None or priority[error] > priority[worst[0]]:
                worst = (error, name)
        if narrow is not None:
            return narrow
        raise InputError(worst[0], sheet=worst[1])
    finally:
        wb.close()


# --------------------------------------------------------------------------------------------
# Parquet
# --------------------------------------------------------------------------------------------

def _read_parquet(data: bytes, limits: Limits | None = None,
                  deadline: _Deadline | None = None) -> ReadResult:
    """Read a Parquet file with its own column types; all-null rows are dropped too.

    The row and column counts of the file's metadata are checked before any data is
    decompressed. Decimal columns become float64; nested columns (lists, structs, maps) and
    binary columns become text, so that every cell is a plain value.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    limits = limits or Limits()
    deadline = deadline or _Deadline(limits.time_budget_s)
    try:
        pf = pq.ParquetFile(pa.BufferReader(data))
        meta = pf.metadata
        _check_columns(len(pf.schema_arrow), limits)
        if meta.num_rows > limits.max_rows:
            raise InputError("io.too_many_rows", rows=int(meta.num_rows), limit=limits.max_rows)
        table = pf.read()
    except InputError:
        raise
    except Exception as exc:
        raise InputError("io.bad_parquet", detail=f"{exc}"[:300]) from exc
    deadline.check()
    try:
        frame = _plain_columns(table).to_pandas().reset_index(drop=True)
    except Exception as exc:  # e.g. invalid UTF-8 in a string column
        raise InputError("io.bad_parquet", detail=f"{exc}"[:300]) from exc
    deadline.check()
    names, header_blank = _make_names([str(c) for c in frame.columns])
    frame.columns = names
    lines = np.arange(1, len(frame) + 1, dtype=np.int64)
    frame, lines = _drop_blank(frame, lines, header_blank)
    if len(frame) == 0:
        raise InputError("io.no_data_rows")
    return ReadResult(frame=frame, line_numbers=lines, format="parquet", encoding=None,
                      delimiter=None, sheets=[], sheet=None, header_row=0, skipped_title_rows=0)


def _plain_columns(table):
    """Cast Parquet columns that pandas would turn into Python containers or Decimals."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = []
    for col in table.columns:
        typ = col.type
        if pa.types.is_decimal(typ):
            col = pc.cast(col, pa.float64(), safe=False)
        elif pa.types.is_dictionary(typ):
            col = col.cast(typ.value_type) if not pa.types.is_nested(typ.value_type) else col
        if pa.types.is_nested(col.type) or pa.types.is_binary(col.type) or \
                pa.types.is_large_binary(col.type) or pa.types.is_fixed_size_binary(col.type):
            col = pa.array([None if v is None else _container_text(v) for v in col.to_pylist()],
                           type=pa.string())
        elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            col.validate(full=True)  # a damaged file can hold invalid UTF-8 (ArrowInvalid)
        cols.append(col)
    return pa.table(cols, names=table.column_names)


def _container_text(value) -> str:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)
