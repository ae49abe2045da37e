"""Builders of real test files (xlsx, xls, zip bombs, encrypted-looking OLE files).

Everything is written from scratch with the standard library or xlsxwriter, so the tests need
no binary fixtures in the repository. The ``.xls`` writer produces a minimal but valid BIFF8
workbook inside an OLE2 compound file (the format of Excel 97-2003), enough for calamine.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from pathlib import Path

ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
SECTOR = 512


# --------------------------------------------------------------------------------------------
# xlsx (xlsxwriter)
# --------------------------------------------------------------------------------------------

def xlsx_bytes(sheets: dict[str, list[list]], merges: dict[str, list[tuple]] | None = None,
               hidden: tuple[str, ...] = ()) -> bytes:
    """Write a workbook; ``sheets`` maps a name to rows (``None`` = empty cell).

    ``merges`` maps a sheet name to ``(first_row, first_col, last_row, last_col, text)`` tuples
    (0-based) written as merged cells.
    """
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    datetime_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    activated = False
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, dt.datetime):
                    ws.write_datetime(r, c, v, datetime_fmt)
                elif isinstance(v, dt.date):
                    ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), date_fmt)
                elif isinstance(v, str):
                    ws.write_string(r, c, v)
                else:
                    ws.write(r, c, v)
        for fr, fc, lr, lc, text in (merges or {}).get(name, []):
            ws.merge_range(fr, fc, lr, lc, text)
        if name in hidden:
            ws.hide()
        elif not activated:
            ws.activate()  # xlsxwriter never hides the active sheet
            ws.set_first_sheet()
            activated = True
    wb.close()
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# OLE2 compound file + BIFF8 (.xls)
# --------------------------------------------------------------------------------------------

def _dir_entry(name: str, typ: int, left=NOSTREAM, right=NOSTREAM, child=NOSTREAM,
               start: int = 0, size: int = 0) -> bytes:
    raw = name.encode("utf-16-le") + b"\x00\x00" if name else b""
    entry = raw.ljust(64, b"\x00")
    entry += struct.pack("<H", len(raw))
    entry += bytes([typ, 1])  # object type, colour black
    entry += struct.pack("<III", left, right, child)
    entry += b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16  # CLSID, state bits, times
    entry += struct.pack("<IQ", start, size)
    assert len(entry) == 128
    return entry


def cfb_bytes(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (version 3, 512-byte sectors) holding up to 3 streams.

    Every stream is padded to at least 4096 bytes so that no mini stream is needed; layout:
    sector 0 = FAT, sector 1 = directory, then the streams.
    """
    assert 1 <= len(streams) <= 3
    padded = {}
    for name, data in streams.items():
        size = max(len(data), 4096)
        size = (size + SECTOR - 1) // SECTOR * SECTOR
        padded[name] = (data.ljust(size, b"\x00"), len(data) if len(data) >= 4096 else size)
    fat = [FATSECT, ENDOFCHAIN]
    entries = []
    next_sector = 2
    names = list(padded)
    for i, name in enumerate(names):
        data, size = padded[name]
        n = len(data) // SECTOR
        fat += [next_sector + k + 1 for k in range(n - 1)] + [ENDOFCHAIN]
        right = i + 2 if i + 1 < len(names) else NOSTREAM
        entries.append(_dir_entry(name, 2, right=right, start=next_sector, size=size))
        next_sector += n
    assert len(fat) <= SECTOR // 4, "fixture too large for a single FAT sector"
    fat += [FREESECT] * (SECTOR // 4 - len(fat))
    directory = _dir_entry("Root Entry", 5, child=1, start=ENDOFCHAIN) + b"".join(entries)
    while len(directory) < SECTOR:
        directory += _dir_entry("", 0)
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
    header += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\x00" * 6
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", FREESECT) * 108
    assert len(header) == SECTOR
    body = b"".join(padded[n][0] for n in names)
    return header + struct.pack(f"<{SECTOR // 4}I", *fat) + directory + body


def _rec(typ: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", typ, len(data)) + data


def _excel_serial(value: dt.date) -> float:
    if isinstance(value, dt.datetime):
        delta = value - dt.datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400
    return float((value - dt.date(1899, 12, 30)).days)


def _sheet_stream(rows: list[list]) -> bytes:
    cells = b""
    last_col = 0
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is None:
                continue
            last_col = max(last_col, c + 1)
            if isinstance(v, str):
                raw = v.encode("utf-16-le")
                cells += _rec(0x0204, struct.pack("<HHHHB", r, c, 0, len(v), 1) + raw)
            elif isinstance(v, (dt.date, dt.datetime)):
                cells += _rec(0x0203, struct.pack("<HHHd", r, c, 1, _excel_serial(v)))
            else:
                cells += _rec(0x0203, struct.pack("<HHHd", r, c, 0, float(v)))
    bof = _rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 0x06))
    dims = _rec(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, last_col, 0))
    return bof + dims + cells + _rec(0x000A)


def xls_bytes(sheets: dict[str, list[list]]) -> bytes:
    """A BIFF8 ``.xls`` workbook; strings, numbers and dates (XF 1 has the date format 14)."""
    bof = _rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06))
    codepage = _rec(0x0042, struct.pack("<H", 1200))
    xfs = _rec(0x00E0, struct.pack("<HH", 0, 0) + b"\x00" * 16) + \
        _rec(0x00E0, struct.pack("<HH", 0, 14) + b"\x00" * 16)

    def boundsheet(pos: int, name: str) -> bytes:
        return _rec(0x0085, struct.pack("<IBBBB", pos, 0, 0, len(name), 1)
                    + name.encode("utf-16-le"))

    globals_len = len(bof + codepage + xfs) + sum(len(boundsheet(0, n)) for n in sheets) + 4
    streams = [_sheet_stream(rows) for rows in sheets.values()]
    pos = globals_len
    bounds = b""
    for name, stream in zip(sheets, streams):
        bounds += boundsheet(pos, name)
        pos += len(stream)
    workbook = bof + codepage + xfs + bounds + _rec(0x000A) + b"".join(streams)
    return cfb_bytes({"Workbook": workbook})


def encrypted_ole_bytes() -> bytes:
    """An OLE2 file laid out like a password-protected xlsx (EncryptionInfo/EncryptedPackage)."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b"\x00" * 200  # agile encryption version 4.4
    package = struct.pack("<Q", 5000) + bytes(range(256)) * 20
    return cfb_bytes({"EncryptionInfo": info, "EncryptedPackage": package})


# --------------------------------------------------------------------------------------------
# zip bombs
# --------------------------------------------------------------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def write_xlsx_bomb(path: Path, sheet_mb: int) -> Path:
    """Write an xlsx whose single worksheet XML inflates to about ``sheet_mb`` MB.

    The worksheet is streamed through ``zipfile`` in 1 MB chunks of identical rows, so memory
    stays small and the file on disk is a few hundred KB.
    """
    row = '<row><c t="inlineStr"><is><t>boom</t></is></c></row>'
    chunk = (row * (1024 * 1024 // len(row))).encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                     b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                     b"<sheetData>")
            for _ in range(sheet_mb):
                fh.write(chunk)
            fh.write(b"</sheetData></worksheet>")
    return path
