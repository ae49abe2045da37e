"""The xlsx pre-check of tierlib.io (``_check_xlsx_zip`` and its ``_RangeScan``).

The check inflates every XML part and finds the used range (rows x columns) the Excel reader
would allocate, before the reader sees the file. Standard cell tags (``<c r="B7"``) are read
exactly with numpy; any other spelling is counted conservatively. These tests pin down that
the vectorised scan (1) still refuses every far-cell file of the corpus and every spelling of
a far cell, wherever the chunks are cut, (2) never reports less than what the reader really
allocates (hypothesis, against python-calamine itself), and (3) reads real files exactly.
"""

from __future__ import annotations

import importlib.util
import io
import itertools
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import fixtures_gen as fg
from tierlib import io as tio
from tierlib.io import InputError, Limits, read_table

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "corpus"
MANIFEST = {m["file"]: m for m in json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))}


def load_generator():
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "tests" / "data" / "make_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


GEN = load_generator()


def scan(xml: bytes, cuts=None) -> tuple[int, int]:
    """Shape found by a fresh _RangeScan fed with ``xml`` cut before the given '<' offsets."""
    s = tio._RangeScan()
    bounds = [0, *sorted(cuts or []), len(xml)]
    for a, b in itertools.pairwise(bounds):
        s.feed(xml[a:b])
    return s.shape


def tag_starts(xml: bytes) -> list[int]:
    return [m.start() for m in re.finditer(rb"<", xml)][1:]


def xlsx_with_sheet(sheet_xml: bytes) -> bytes:
    """A minimal xlsx whose only worksheet is ``sheet_xml`` (the whole part, head included)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", fg._CONTENT_TYPES)
        zf.writestr("_rels/.rels", fg._RELS)
        zf.writestr("xl/workbook.xml", fg._WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", fg._WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buf.getvalue()


# What Excel and xlsxwriter write around the cells: an "r" namespace prefix in the head and
# header=/footer= page margins in the tail (attribute names that end in "r").
EXCEL_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
              b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
              b'<dimension ref="A1:C4"/><sheetData>')
EXCEL_TAIL = (b'</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
              b'header="0.3" footer="0.3"/></worksheet>')


def excel_like_rows(n_rows: int, n_cols: int) -> bytes:
    """A header row and ``n_rows - 1`` data rows in the standard spelling."""
    letters = [tio_letters(j) for j in range(1, n_cols + 1)]
    out = [f'<row r="1" spans="1:{n_cols}">'
           + "".join(f'<c r="{c}1" t="inlineStr"><is><t>h{c}</t></is></c>' for c in letters) + "</row>"]
    for i in range(2, n_rows + 1):
        out.append(f'<row r="{i}" spans="1:{n_cols}">'
                   + "".join(f'<c r="{c}{i}" s="1"><v>{i}.5</v></c>' for c in letters) + "</row>")
    return "".join(out).encode()


def tio_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


# --------------------------------------------------------------------------------------------
# Bombs are still refused
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sparse_range.xlsx", "tall_sparse.xlsx", "far_row.xlsx",
                                  "lying_reference.xlsx"])
def test_the_check_alone_refuses_each_far_cell_file_of_the_corpus(name):
    with pytest.raises(InputError) as exc:
        tio._check_xlsx_zip((CORPUS / name).read_bytes())
    assert exc.value.code == MANIFEST[name]["expect"]["code"]


FAR_CELLS = [
    # (sheetData XML, rows at least, columns at least)
    ('<row r="1"><c r="A1"><v>1</v></c><c r="xfd1"><v>1</v></c></row>', 1, 16384),
    ("<row r='1'><c r='XFD1'><v>1</v></c></row>", 1, 16384),
    ('<row r="1"><c r = "XFD1"><v>1</v></c></row>', 1, 16384),
    ('<row r="1"><c r= "XFD1"><v>1</v></c></row>', 1, 16384),
    ('<row r="1"><c t="n" r="XFD1"><v>1</v></c></row>', 1, 16384),
    ('<row r="1"><c t="n"r="XFD1"><v>1</v></c></row>', 1, 16384),
    ('<row r="1"><c r="A1" r="XFD1"><v>1</v></c></row>', 1, 16384),
    ('<row r="1"><x:c r="XFD1"><v>1</v></x:c></row>', 1, 16384),
    ('<row r="1"><c\tr="XFD1"><v>1</v></c></row>', 1, 16384),
    ('<row r="1"><c\nr="XFD1"><v>1</v></c></row>', 1, 16384),
    ('<row r="1">' + "<c/>" * 3000 + "<c><v>1</v></c></row>", 1, 3001),
    ('<row r="1"><c r="A1"><v>1</v></c></row><row r="900000000"><c><v>1</v></c></row>', 900000000, 1),
    ('<row r="1"><c r="A1"><v>1</v></c></row><x:row r="900000000"><c><v>1</v></c></x:row>', 900000000, 1),
    (('<row r="1"><c r="A1"><v>1</v></c><c r="B0000001048576"><v>1</v></c></row>'
      '<row r="2"><c r="CV2"><v>1</v></c></row>'), 1048576, 100),
    ('<row r="1"><c r="A1"><v>1</v></c><c r="B' + "9" * 30 + '"><v>1</v></c></row>', 10 ** 30 - 1, 2),
    ('<row r="1"><c r="A1"><v>1</v></c><c r="ZZZZZZZZZZZZ1"><v>1</v></c></row>', 1, 26 ** 12),
]


@pytest.mark.parametrize("xml, rows, cols", FAR_CELLS)
def test_every_spelling_of_a_far_cell_is_seen_wherever_the_chunks_are_cut(xml, rows, cols):
    body = xml.encode()
    whole = scan(body)
    assert whole[0] >= rows and whole[1] >= cols
    # One chunk per tag: no cut can hide the far cell.
    cut = scan(body, tag_starts(body))
    assert cut[0] >= rows and cut[1] >= cols
    # And the whole check refuses the file.
    with pytest.raises(InputError) as exc:
        tio._check_xlsx_zip(GEN.raw_xlsx(xml))
    assert exc.value.code in ("io.too_many_rows", "io.too_many_columns", "io.sheet_too_large")


def test_a_row_reference_before_a_chunk_cut_counts_for_cells_without_reference():
    # The cut falls right after a standard row tag; the cell after it has no reference and
    # sits in row 900,000,000 for the Excel reader.
    first = b'<row r="1"><c r="A1"><v>1</v></c></row><row r="900000000">'
    second = b"<c><v>1</v></c></row>"
    s = tio._RangeScan()
    s.feed(first)
    s.feed(second)
    assert s.shape[0] >= 900_000_000


@pytest.mark.parametrize("xml, rows", [
    # After </row> the reader's row moves on: the cell of the row without r is in row 2.
    (b'<row r="1"></row><row r="1"></row><row><c><v>1</v></c></row>', 2),
    # An empty <row r="7"/> then a cell outside any row: row 8.
    (b'<row r="1"><c r="A1"><v>1</v></c></row><row r="7"/><c><v>1</v></c>', 8),
])
def test_rows_without_reference_after_standard_rows(xml, rows):
    from python_calamine import CalamineWorkbook

    sh = CalamineWorkbook.from_filelike(io.BytesIO(GEN.raw_xlsx(xml))).get_sheet_by_name("Sheet1")
    assert sh.end[0] + 1 == rows  # what the reader does
    assert scan(xml)[0] >= rows
    assert scan(xml, tag_starts(xml))[0] >= rows


@pytest.mark.parametrize("cells", [True, False])
def test_reference_parsing_matches_the_regex(cells):
    # _max_refs (numpy) against the plain regex reading of the same references, for cell
    # references ('<c r="B7"') and row references ('<row r="7"').
    rng = np.random.default_rng(7)
    alphabet = list("ABCXYZabz0123456789") + ['"', " ", "&", "#"]
    refs = []
    for _ in range(3000):
        k = int(rng.integers(0, 16))
        refs.append("".join(rng.choice(alphabet, size=k)))
    refs += ["A1", "XFD1048576", "a0001", "B0000001048576", "AB12", "ZZ9", "A", "1", "",
             "A" * 12 + "1", "Q" + "7" * 20, "AA1B", "B123456789", "abcdefghi1", "ZZZZZZZZ01",
             "0000000000000000000000042", "123456789012", "98765432109876"]
    tag = b'<c r="' if cells else b'<row r="'
    regex = tio._CELL_REF_RE if cells else tio._ROW_REF_RE
    xml = b"".join(tag + r.encode() + b'"><v>1</v>' for r in refs)
    rows = cols = bad = 0
    for m in re.finditer(re.escape(tag), xml):
        hit = regex.match(xml, m.start())
        if hit is None:
            bad += 1
        else:
            cols = max(cols, tio._col_number(hit.group(1)))
            rows = max(rows, int(hit.group(2)))
    pad = np.zeros(len(xml) + 2 * tio._PAD, dtype=np.uint8)
    pad[tio._PAD:tio._PAD + len(xml)] = np.frombuffer(xml, dtype=np.uint8)
    starts = np.array([m.end() for m in re.finditer(re.escape(tag), xml)]) + tio._PAD
    assert tio._max_refs(xml, pad, starts, cells=cells) == (rows, cols, bad)
    if cells:
        assert rows == int("7" * 20) and cols == tio._col_number(b"A" * 12)
    else:
        assert rows == 98765432109876 and cols == 0


# --------------------------------------------------------------------------------------------
# Never less than what the reader allocates (python-calamine itself decides)
# --------------------------------------------------------------------------------------------

CELL_SPELLINGS = [
    '<c r="{ref}"><v>1</v></c>',
    '<c r="{ref}" s="1" t="n"><v>1</v></c>',
    "<c><v>1</v></c>",
    '<c t="n" r="{ref}"><v>1</v></c>',
    "<c r='{ref}'><v>1</v></c>",
    '<c r = "{ref}"><v>1</v></c>',
    '<c\tr="{ref}"><v>1</v></c>',
    '<c r="A1" r="{ref}"><v>1</v></c>',
    '<x:c r="{ref}"><v>1</v></x:c>',
    '<c r="{ref}"/>',
    '<c r="{ref}" t="inlineStr"><is><t>a r="B9" header="1"</t></is></c>',
]
ROW_SPELLINGS = ['<row r="{n}">', "<row>", "<row r='{n}'>", '<row  r="{n}">', '<row spans="1:2" r="{n}">',
                 '<row r="{n}"/>', ""]  # the last two: cells outside any row tag


@st.composite
def sheets(draw):
    rows = []
    for _ in range(draw(st.integers(1, 8))):
        n = draw(st.integers(1, 3000))
        row = draw(st.sampled_from(ROW_SPELLINGS)).format(n=n)
        cells = []
        for _ in range(draw(st.integers(0, 5))):
            col = draw(st.integers(1, 60))
            r = draw(st.integers(1, 3000))
            letters = tio_letters(col)
            ref = (letters.lower() if draw(st.booleans()) and col % 3 == 0 else letters) + str(r)
            cells.append(draw(st.sampled_from(CELL_SPELLINGS)).format(ref=ref))
        closed = row.endswith("/>") or not row
        rows.append(row + "".join(cells) + ("" if closed else "</row>"))
    return "".join(rows).encode()


def calamine_extent(sheet_xml: bytes) -> tuple[int, int] | None:
    """(last row, last column), 1-based, of the range python-calamine builds; None if it
    refuses the file."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(GEN.raw_xlsx(sheet_xml)))
        sh = wb.get_sheet_by_name(wb.sheet_names[0])
        end = sh.end
    except BaseException as exc:  # a reader error or a Rust panic: nothing allocated
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return None
    return None if end is None else (end[0] + 1, end[1] + 1)


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sheets(), st.data())
def test_the_scan_never_finds_less_than_the_reader_allocates(xml, data):
    extent = calamine_extent(xml)
    starts = tag_starts(xml)
    cuts = data.draw(st.lists(st.sampled_from(starts), max_size=4, unique=True)) if starts else []
    for shape in (scan(xml), scan(xml, cuts), scan(xml, starts)):
        if extent is not None:
            assert shape[0] >= extent[0] and shape[1] >= extent[1], (shape, extent)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.integers(1, 400), st.integers(1, 30), st.data())
def test_standard_sheets_are_read_exactly_wherever_the_chunks_are_cut(n_rows, n_cols, data):
    xml = EXCEL_HEAD + excel_like_rows(n_rows, n_cols) + EXCEL_TAIL
    starts = tag_starts(xml)
    cuts = data.draw(st.lists(st.sampled_from(starts), max_size=6, unique=True))
    assert scan(xml) == (n_rows, n_cols)
    assert scan(xml, cuts) == (n_rows, n_cols)


# --------------------------------------------------------------------------------------------
# Real files are read exactly (no spurious doubling of the columns)
# --------------------------------------------------------------------------------------------

def test_excel_spelling_is_exact_at_the_cell_limit():
    # 40 rows x 7 columns = 280 cells; the head declares xmlns:r and the tail header=/footer=.
    data = xlsx_with_sheet(EXCEL_HEAD + excel_like_rows(40, 7) + EXCEL_TAIL)
    assert read_table(data, filename="x.xlsx", limits=Limits(max_sheet_cells=280)).frame.shape == (39, 7)
    with pytest.raises(InputError) as exc:
        read_table(data, filename="x.xlsx", limits=Limits(max_sheet_cells=279))
    assert exc.value.code == "io.sheet_too_large"
    assert (exc.value.params["rows"], exc.value.params["columns"]) == (40, 7)


def test_xlsxwriter_file_is_exact_at_the_cell_limit(tmp_path):
    import xlsxwriter

    path = tmp_path / "w.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["客户编号", "销售额", "成本"])
    for i in range(1, 120):
        ws.write_row(i, 0, [f"C{i:04d}", i * 1.5, i])
    wb.close()
    # 120 rows x 3 columns = 360 cells.
    assert read_table(path, limits=Limits(max_sheet_cells=360)).frame.shape == (119, 3)
    with pytest.raises(InputError) as exc:
        read_table(path, limits=Limits(max_sheet_cells=359))
    assert (exc.value.params["rows"], exc.value.params["columns"]) == (120, 3)


def test_one_big_chunk_and_small_pieces_agree():
    # 9,000 rows x 8 columns is about 2 MB of XML: fed at once it is scanned in 1 MB pieces.
    xml = EXCEL_HEAD + excel_like_rows(9000, 8) + EXCEL_TAIL
    assert len(xml) > 2 * tio._SCAN_PIECE
    assert scan(xml) == (9000, 8)
    starts = tag_starts(xml)
    assert scan(xml, starts[::5000]) == (9000, 8)


def test_a_sheet_of_several_inflated_chunks_is_measured_exactly():
    # About 11 MB of XML: the check inflates it in 8 MB outputs and carries the cut tag over.
    n_rows, n_cols = 45_000, 8
    xml = EXCEL_HEAD + excel_like_rows(n_rows, n_cols) + EXCEL_TAIL
    assert len(xml) > tio._INFLATE_CHUNK
    data = xlsx_with_sheet(xml)
    tio._check_xlsx_zip(data, Limits(max_sheet_cells=n_rows * n_cols))
    with pytest.raises(InputError) as exc:
        tio._check_xlsx_zip(data, Limits(max_sheet_cells=n_rows * n_cols - 1))
    assert (exc.value.params["rows"], exc.value.params["columns"]) == (n_rows, n_cols)


# --- shared-strings tables that declare an impossible number of strings ------------------------

def _with_sst_head(data: bytes, count: str, tag: bytes | None = None) -> bytes:
    """``data`` with the root tag of xl/sharedStrings.xml declaring ``count`` strings, or with
    that root tag replaced by ``tag`` (``{count}`` in it is filled in)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename == "xl/sharedStrings.xml":
                if tag is None:
                    body = re.sub(rb'(count|uniqueCount)="\d+"', f'\\1="{count}"'.encode(), body, count=2)
                else:
                    body = re.sub(rb"<sst\b[^>]*>", tag.replace(b"{count}", count.encode()), body, count=1)
            zout.writestr(info, body)
    return out.getvalue()


def _strings_book(n: int) -> bytes:
    rows = [["customer_id", "revenue"], *([f"客户{i:05d}", i] for i in range(n))]
    return fg.xlsx_bytes({"S": rows})


NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SST_TAGS = {
    "plain": None,
    # found by the fuzz test: a ">" inside a quoted value ended a naive tag match early
    "gt_in_value": b'<sst ' + NS + b' count="200</v>000" uniqueCount="{count}">',
    "single_quotes": b"<sst " + NS + b" uniqueCount='{count}'>",
    "far_down": b"<!--" + b" " * (1 << 20) + b"-->\n<sst " + NS + b' uniqueCount="{count}">',
}


@pytest.mark.parametrize("variant", list(SST_TAGS))
def test_a_huge_declared_string_count_is_read_not_fatal(tmp_path, variant):
    # python-calamine reserves the declared count up front: 2,000,000,000 strings made it ask for
    # 48 GB and abort the whole process (a server would die with it). Run the read in a child
    # process so that a regression fails this test instead of killing the test run.
    import subprocess
    import sys

    path = tmp_path / "sst.xlsx"
    path.write_bytes(_with_sst_head(_strings_book(3), "2000000000", SST_TAGS[variant]))
    code = ("import json, sys; from tierlib.io import read_table; r = read_table(sys.argv[1]); "
            "print(json.dumps([r.frame.iloc[:, 0].tolist(), [float(x) for x in r.frame.iloc[:, 1]]]))")
    proc = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert json.loads(proc.stdout) == [["客户00000", "客户00001", "客户00002"], [0.0, 1.0, 2.0]]


def test_string_counts_are_left_alone_when_plausible():
    # 30,000 strings: the table spans several inflate outputs, so "<si" tags are cut between them.
    data = _strings_book(30_000)
    assert tio._check_xlsx_zip(data) is data
    fixed = tio._check_xlsx_zip(_with_sst_head(data, "999999999"))
    with zipfile.ZipFile(io.BytesIO(fixed)) as zf:
        head = zf.read("xl/sharedStrings.xml")[:300]
    assert b"count=" not in head.lower() and b"<sst" in head
    assert read_table(fixed, filename="x.xlsx").frame.shape == (30_000, 2)


def test_xml_entity_expansion_in_a_sheet_is_not_a_bomb(tmp_path):
    # "Billion laughs": nine levels of entities, 10^9 "lol"s if a parser expanded them.
    levels = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    data = _strings_book(2)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"?>", b"?><!DOCTYPE w [" + "".join(levels).encode() + b"]>", 1)
            zout.writestr(info, body)
    try:
        res = read_table(out.getvalue(), filename="lol.xlsx")
    except InputError as exc:  # refusing it is fine too, as long as it is quick and clean
        assert exc.code in ("io.bad_excel", "io.too_large")
    else:
        assert res.frame.shape == (2, 2)


def test_an_abort_of_the_excel_reader_is_contained_in_the_probe(tmp_path):
    # With the shared-strings guard switched off, the corpus file makes python-calamine abort on
    # open. The probe (a child process opens the workbook first) must take that abort and turn it
    # into a refusal, and the reading process must live on. The whole scenario runs in a child so
    # that a failure of the probe fails this test instead of killing the test run.
    import subprocess
    import sys

    code = """
import json, sys
from tierlib import io as tio
tio._check_xlsx_zip = lambda data, *a, **k: data  # no guard: the reader sees the raw counts
try:
    tio.read_table(sys.argv[1])
    print(json.dumps({"read": True}))
except tio.InputError as exc:
    print(json.dumps({"code": exc.code, "kind": exc.params.get("detail_code")}))
"""
    path = ROOT / "tests" / "data" / "corpus" / "string_count_bomb.xlsx"
    proc = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-800:]
    assert json.loads(proc.stdout) == {"code": "io.bad_excel", "kind": "reader_crash"}
