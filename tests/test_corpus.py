"""The bad-input corpus (tests/data/corpus) through the CLI, plus the limits of tierlib.io.

Each corpus file has an expected outcome in tests/data/corpus/manifest.json (written by
tests/data/make_corpus.py, where every expectation is derived by hand in its note): exit 2 with
a given error code and one clear line on stderr, or exit 0 with exact row accounting.

Files too big or too dangerous to commit (decompression bombs whose zip directory lies, 10
million rows, a 1 GB file) are built here, in tmp_path, at test time.
"""

from __future__ import annotations

import importlib.util
import json
import re
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from tierlib import cli, i18n, pipeline
from tierlib import io as tio
from tierlib.io import InputError, Limits, read_table

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
CORPUS = DATA / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
BY_FILE = {m["file"]: m for m in MANIFEST}
REFUSED = [m for m in MANIFEST if m["expect"]["exit"] == 2]
GRADED = [m for m in MANIFEST if m["expect"]["exit"] == 0]
EXCEPTION_NAME = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception)\b")


def load_generator():
    spec = importlib.util.spec_from_file_location("make_corpus", DATA / "make_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def message_pattern(code: str, lang: str) -> re.Pattern:
    """A regex for the translated message of ``code``: placeholders match any text."""
    template = i18n.catalog(lang)["err." + code]
    parts = re.split(r"\{[^}]*\}", template)
    return re.compile("^error: " + ".*".join(re.escape(p) for p in parts) + "$", re.DOTALL)


def run_main(capsys, argv: list[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


# --------------------------------------------------------------------------------------------
# The corpus and its manifest
# --------------------------------------------------------------------------------------------

def test_corpus_is_complete_and_small():
    files = sorted(p.name for p in CORPUS.iterdir() if p.name != "manifest.json")
    assert files == sorted(BY_FILE), "every corpus file is in the manifest and vice versa"
    assert len(files) >= 40
    assert len(REFUSED) >= 20 and len(GRADED) >= 20
    assert sum((CORPUS / f).stat().st_size for f in files) < 5 * 1024 * 1024


def test_manifest_is_what_the_generator_declares():
    gen = load_generator()
    assert gen.manifest() == MANIFEST


def test_generator_reproduces_the_committed_files(tmp_path):
    gen = load_generator()
    gen.build(tmp_path)
    for m in MANIFEST:
        if m["file"] == "encrypted.xlsx":  # random salt: same outcome, other bytes
            continue
        assert (tmp_path / m["file"]).read_bytes() == (CORPUS / m["file"]).read_bytes(), m["file"]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("m", REFUSED, ids=lambda m: m["file"])
def test_refused_with_one_clear_line(capsys, m, lang):
    code, out, err = run_main(capsys, ["grade", str(CORPUS / m["file"]), "--summary", "-",
                                       "--lang", lang, *m["args"]])
    assert code == 2
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err and not EXCEPTION_NAME.search(err), err
    assert message_pattern(m["expect"]["code"], lang).match(err.rstrip("\n")), err


@pytest.mark.parametrize("m", REFUSED, ids=lambda m: m["file"])
def test_refused_with_the_expected_code(m):
    overrides = {}
    args = list(m["args"])
    while args:
        flag, value = args.pop(0), args.pop(0)
        assert flag == "--map"
        fld, col = value.split("=", 1)
        overrides[fld] = col
    with pytest.raises(InputError) as exc:
        pipeline.load(CORPUS / m["file"], overrides=overrides)
    assert exc.value.code == m["expect"]["code"]


@pytest.mark.parametrize("m", GRADED, ids=lambda m: m["file"])
def test_graded_with_exact_row_accounting(capsys, m):
    code, out, err = run_main(capsys, ["grade", str(CORPUS / m["file"]), "--summary", "-",
                                       *m["args"]])
    assert code == 0, err
    assert err == ""
    s = json.loads(out)
    e = m["expect"]
    assert (s["rows_read"], s["rows_used"], s["rows_rejected"]) == \
        (e["rows_read"], e["rows_used"], e["rows_rejected"])
    assert s["rows_read"] == s["rows_used"] + s["rows_rejected"]
    assert s["customers"] == e["customers"]
    assert s["rejected_by_reason"] == e.get("rejected_by_reason", {})
    for key in ("encoding", "sheet", "level", "negative_rows", "duplicate_rows"):
        if key in e:
            assert s[key] == e[key], key
    if "totals_revenue" in e:
        assert s["totals"]["revenue"] == e["totals_revenue"]
    assert sum(t["customers"] for t in s["tiers"]) == s["customers"]


SUBPROCESS_SAMPLE = ["binary_junk.csv", "encrypted.xlsx", "forged_column.xls", "sql_headers.csv"]


@pytest.mark.parametrize("name", SUBPROCESS_SAMPLE)
def test_real_cli_process(name):
    m = BY_FILE[name]
    res = subprocess.run([sys.executable, "-m", "tierlib", "grade", str(CORPUS / name), "--summary",
                          "-", *m["args"]], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         check=False)
    assert res.returncode == m["expect"]["exit"], res.stderr
    assert "Traceback" not in res.stderr
    if m["expect"]["exit"] == 2:
        assert res.stdout == "" and res.stderr.count("\n") == 1
        assert message_pattern(m["expect"]["code"], "en").match(res.stderr.rstrip("\n"))
    else:
        assert json.loads(res.stdout)["rows_read"] == m["expect"]["rows_read"]


# --------------------------------------------------------------------------------------------
# Decisions the corpus pins down
# --------------------------------------------------------------------------------------------

def test_formulas_give_the_cached_values():
    res = read_table(CORPUS / "formulas.xlsx")
    # =B2*C2 cached 20; =B3/C3 cached #DIV/0! (empty); =B4*C4 with xlsxwriter's placeholder 0;
    # ="x"&B5 cached "x1". Nothing is evaluated.
    assert res.frame["revenue"].tolist() == [20.0, None, 0.0, "x1"]


def test_broken_bytes_are_replaced_and_counted():
    res = read_table(CORPUS / "broken_byte.csv")
    assert (res.encoding, res.replaced_chars) == ("utf-8", 1)
    name = res.frame.loc[res.line_numbers == 12, "客户名称"].item()
    assert "\ufffd" in name and name.endswith("公司")
    assert read_table(CORPUS / "mixed_encodings.csv").replaced_chars >= 1
    assert read_table(CORPUS / "gbk.csv").replaced_chars == 0


def test_hidden_and_note_sheets_are_skipped_but_listed():
    res = read_table(CORPUS / "hidden_first_sheet.xlsx")
    assert res.sheets == ["tmp", "data"] and res.sheet == "data"
    res = read_table(CORPUS / "several_sheets.xlsx")
    assert res.sheets == ["说明", "订单", "汇总"] and res.sheet == "订单"
    # Asking for the notes sheet by name still reads it.
    assert read_table(CORPUS / "several_sheets.xlsx", sheet="说明").frame.shape == (2, 1)


def test_hostile_text_is_kept_verbatim():
    names = read_table(CORPUS / "formula_injection.csv").frame["customer_name"].tolist()
    gen = load_generator()
    assert names == [n.replace("\r", "\n") for n in gen.INJECTION_NAMES]
    res = read_table(CORPUS / "sql_headers.csv")
    assert list(res.frame.columns) == [gen.SQL_ID_HEADER, gen.SQL_VALUE_HEADER, "'; DELETE FROM tx; --"]


# --------------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------------

def test_limit_constants():
    assert tio.MAX_FILE_BYTES == 1024 * 1024 * 1024
    assert tio.MAX_ROWS == 10_000_000
    assert tio.MAX_COLUMNS == 2_000
    assert tio.MAX_SHEET_CELLS == 25_000_000
    assert tio.MAX_XLSX_XML_BYTES == 200 * 1024 * 1024
    assert tio.READ_TIME_BUDGET_S == 120
    assert Limits() == Limits(tio.MAX_FILE_BYTES, tio.MAX_ROWS, tio.MAX_COLUMNS, tio.MAX_SHEET_CELLS,
                              tio.MAX_XLSX_XML_BYTES, tio.READ_TIME_BUDGET_S)


def test_file_over_the_size_limit_is_refused_without_reading(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as fh:  # a sparse file: 1 GB + 1 byte on paper, nothing on disk
        fh.truncate(tio.MAX_FILE_BYTES + 1)
    start = time.perf_counter()
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert time.perf_counter() - start < 5  # not read: reading 1 GB takes far longer
    assert exc.value.code == "io.too_large" and exc.value.params == {"limit_mb": 1024}
    assert i18n.t("err.io.too_large", "en", **exc.value.params) == "The file is too large (limit 1024 MB)."


def test_ten_million_and_one_rows_are_refused_before_parsing():
    data = b"customer_id,revenue\n" + b"A,1\n" * (tio.MAX_ROWS + 1)  # 40 MB
    start = time.perf_counter()
    with pytest.raises(InputError) as exc:
        read_table(data, filename="many.csv")
    assert time.perf_counter() - start < 5
    assert exc.value.code == "io.too_many_rows"
    assert exc.value.params == {"rows": 10_000_001, "limit": 10_000_000}
    assert i18n.t("err.io.too_many_rows", "en", **exc.value.params).startswith(
        "The file has 10,000,001 rows; the limit is 10,000,000.")
    assert i18n.t("err.io.too_many_rows", "zh", **exc.value.params).startswith(
        "文件有 10,000,001 行，超过上限 10,000,000 行。")


def test_row_limit_boundary():
    data = b"customer_id,revenue\n" + b"A,1\n" * 5
    assert len(read_table(data, filename="x.csv", limits=Limits(max_rows=5)).frame) == 5
    with pytest.raises(InputError) as exc:
        read_table(data + b"B,2\n", filename="x.csv", limits=Limits(max_rows=5))
    assert exc.value.params == {"rows": 6, "limit": 5}


def test_column_limit_boundary():
    def wide(n: int) -> bytes:
        return (",".join(["customer_id"] + [f"c{i}" for i in range(n - 1)]) + "\n"
                + ",".join(["A"] + ["1"] * (n - 1)) + "\n").encode()

    assert read_table(wide(2000), filename="w.csv").frame.shape == (1, 2000)
    with pytest.raises(InputError) as exc:
        read_table(wide(2001), filename="w.csv")
    assert (exc.value.code, exc.value.params) == ("io.too_many_columns", {"columns": 2001, "limit": 2000})
    # A data row wider than the header counts too.
    data = b"customer_id,revenue\nA,1\n" + b"B" + b",1" * 2500 + b"\n"
    with pytest.raises(InputError) as exc:
        read_table(data, filename="w.csv")
    assert exc.value.code == "io.too_many_columns" and exc.value.params["columns"] == 2501


def test_parquet_limits_come_from_the_metadata():
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table({"customer_id": ["A"] * 7, "revenue": [1.0] * 7}), buf)
    with pytest.raises(InputError) as exc:
        read_table(buf.getvalue(), filename="t.parquet", limits=Limits(max_rows=6))
    assert exc.value.params == {"rows": 7, "limit": 6}
    with pytest.raises(InputError) as exc:
        read_table(buf.getvalue(), filename="t.parquet", limits=Limits(max_columns=1))
    assert exc.value.params == {"columns": 2, "limit": 1}


def test_sheet_cell_limit_boundary():
    gen = load_generator()
    # Used range A1:B3 = 6 cells.
    data = gen.raw_xlsx(gen.XML_HEADER_ROWS)
    assert read_table(data, filename="x.xlsx", limits=Limits(max_sheet_cells=6)).frame.shape == (2, 2)
    with pytest.raises(InputError) as exc:
        read_table(data, filename="x.xlsx", limits=Limits(max_sheet_cells=5))
    assert exc.value.code == "io.sheet_too_large"
    assert (exc.value.params["rows"], exc.value.params["columns"], exc.value.params["limit"]) == (3, 2, 5)
    msg = i18n.t("err.io.sheet_too_large", "zh", **exc.value.params)
    assert msg.startswith("工作表的使用范围达 3 行 × 2 列，超过 5 个单元格的上限")


@pytest.mark.parametrize("xml, code", [
    (('<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'
      '<row r="2"><c r="a2"><v>1</v></c><c r="xfd2"><v>1</v></c></row>'), "io.too_many_columns"),
    ("<row r='1'><c r='XFD1' t='inlineStr'><is><t>x</t></is></c></row>", "io.too_many_columns"),
    ('<row r="1"><c r = "XFD1"><v>1</v></c></row>', "io.too_many_columns"),
    ('<row r="1"><c t="n" r="XFD1"><v>1</v></c></row>', "io.too_many_columns"),
    ('<row r="1"><x:c r="XFD1"><v>1</v></x:c></row>', "io.too_many_columns"),
    ('<row r="1"><c\tr="XFD1"><v>1</v></c></row>', "io.too_many_columns"),
    ('<row r="1">' + "<c/>" * 3000 + "<c><v>1</v></c></row>", "io.too_many_columns"),
    ('<row r="1"><c r="A1"><v>1</v></c></row><row r="900000000"><c><v>1</v></c></row>',
     "io.too_many_rows"),
    (('<row r="1"><c r="A1"><v>1</v></c><c r="B0000001048576"><v>1</v></c></row>'
      '<row r="2"><c r="CV2"><v>1</v></c></row>'), "io.sheet_too_large"),
])
def test_every_spelling_of_a_far_cell_is_seen(xml, code):
    gen = load_generator()
    with pytest.raises(InputError) as exc:
        read_table(gen.raw_xlsx(xml), filename="far.xlsx")
    assert exc.value.code == code


def test_formatted_empty_cells_far_away_still_count():
    # A self-closing cell with a style only: the reader skips it, the check is conservative.
    gen = load_generator()
    xml = gen.XML_HEADER_ROWS + '<row r="4"><c r="ZZ4" s="1"/></row>'
    res = read_table(gen.raw_xlsx(xml), filename="f.xlsx")
    assert res.frame.shape == (2, 2)  # 702 columns x 4 rows: within the limits, read normally


def test_xml_size_limit():
    gen = load_generator()
    data = gen.raw_xlsx(gen.XML_HEADER_ROWS)
    with pytest.raises(InputError) as exc:
        read_table(data, filename="x.xlsx", limits=Limits(max_xml_bytes=500))
    assert exc.value.code == "io.too_large"


@pytest.mark.parametrize("name", ["gbk.csv", "merged_title.xlsx", "small.xls", "parquet_types.parquet"])
def test_time_budget(name):
    with pytest.raises(InputError) as exc:
        read_table(CORPUS / name, limits=Limits(time_budget_s=0))
    assert (exc.value.code, exc.value.params) == ("io.too_slow", {"seconds": 0})
    assert i18n.t("err.io.too_slow", "en", seconds=120).startswith(
        "Reading the file took longer than 120 seconds and was stopped.")
    assert read_table(CORPUS / name, limits=Limits(time_budget_s=60)).frame.shape[0] >= 1


# --- decompression bombs, built at test time ------------------------------------------------

def _zip_entry(name: bytes, payload: bytes, usize: int, method: int, offset: int, crc: int = 0):
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(payload),
                        usize, len(name), 0) + name + payload
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc,
                          len(payload), usize, len(name), 0, 0, 0, 0, 0, offset) + name
    return local, central


def lying_bomb(path: Path, true_mb: int, declared: int = 1000) -> Path:
    """An xlsx whose worksheet inflates to ``true_mb`` MB while the zip directory says
    ``declared`` bytes. Built from one deflate block repeated after full flushes, so a
    multi-GB bomb takes milliseconds to make and a few MB on disk."""
    gen = load_generator()
    row = b'<row r="1"><c r="A1" t="inlineStr"><is><t>boom</t></is></c></row>'
    chunk = row * (1024 * 1024 // len(row))
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = co.compress(gen.SHEET_HEAD) + co.flush(zlib.Z_FULL_FLUSH)
    block = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    tail = co.compress(gen.SHEET_TAIL) + co.flush()
    return lying_xlsx(path, head + block * true_mb + tail, declared)


def lying_xlsx(path: Path, sheet: bytes, declared: int) -> Path:
    """An xlsx whose worksheet is the raw deflate stream ``sheet``, declared as ``declared``
    bytes (no CRC) in the zip directory."""
    gen = load_generator()
    parts = [(b"[Content_Types].xml", gen._CT), (b"_rels/.rels", gen._RELS),
             (b"xl/workbook.xml", gen._WB), (b"xl/_rels/workbook.xml.rels", gen._WB_RELS)]
    out, central = b"", b""
    for name, text in parts:
        raw = text.encode()
        loc, cen = _zip_entry(name, raw, len(raw), 0, len(out), zlib.crc32(raw))
        out, central = out + loc, central + cen
    loc, cen = _zip_entry(b"xl/worksheets/sheet1.xml", sheet, declared, 8, len(out))
    out, central = out + loc, central + cen
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 5, 5, len(central), len(out), 0)
    path.write_bytes(out + central + eocd)
    return path


# Reads files in a fresh process: a crash or an allocation of gigabytes shows there, and the
# peak memory (ru_maxrss) is the reading's own. The first file warms the readers up.
PEAK_SCRIPT = """
import json, resource, sys, time
from tierlib.io import InputError, read_table
out = []
for i, path in enumerate(sys.argv[1:]):
    if i == 1:
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        read_table(path)
        code = None
    except InputError as exc:
        code = exc.code
    out.append([path, code, time.process_time() - cpu, time.perf_counter() - wall])
grow = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
print(json.dumps({"results": out[1:], "growth_mb": grow}))
"""


def read_in_child(paths: list[Path]) -> dict:
    """``{"results": [[path, code, cpu s, wall s], ...], "growth_mb": peak growth}``."""
    res = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, str(CORPUS / "gbk.csv"), *map(str, paths)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 0, res.stderr[-2000:]
    return json.loads(res.stdout)


def test_lying_bomb_is_refused_within_seconds_and_small_memory(tmp_path):
    bomb = lying_bomb(tmp_path / "bomb.xlsx", true_mb=2048)  # 2 GB inflated, "1,000 bytes"
    assert bomb.stat().st_size < 10 * 1024 * 1024
    with zipfile.ZipFile(bomb) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size == 1000
    got = read_in_child([bomb])
    (_, code, cpu, wall), = got["results"]
    assert code == "io.too_large"
    # CPU seconds, so that a busy machine does not fail the test; the wall clock is bounded too.
    assert cpu < 5 and wall < 60, got
    assert got["growth_mb"] < 200, got  # chunks of 8 MB, never the whole sheet


def test_lying_bomb_with_a_plausible_ratio_stops_at_the_xml_limit(tmp_path):
    # Random-looking rows compress ~3:1, under the ratio limit: the XML size limit stops them,
    # measured on the real content (a 10 MB limit here instead of 200 MB, to stay quick).
    import random

    rng = random.Random(5)
    rows = b"".join(b'<row r="1"><c r="A1"><v>%d</v></c></row>' % rng.randrange(10**12)
                    for _ in range(300_000))  # 12 MB of XML, declared as 1,000 bytes
    gen = load_generator()
    sheet = zlib.compress(gen.SHEET_HEAD + rows + gen.SHEET_TAIL, 1, wbits=-15)
    path = lying_xlsx(tmp_path / "plain.xlsx", sheet, declared=1000)
    with pytest.raises(InputError) as exc:
        read_table(path, limits=Limits(max_xml_bytes=10 * 1024 * 1024))
    assert exc.value.code == "io.too_large"
    assert exc.value.params == {"limit_mb": 10, "detail": "uncompressed worksheet XML too large"}


def test_honest_bomb_is_refused_from_the_zip_directory(tmp_path):
    bomb = lying_bomb(tmp_path / "honest.xlsx", true_mb=300, declared=300 * 1024 * 1024)
    start = time.perf_counter()
    with pytest.raises(InputError) as exc:
        read_table(bomb)
    assert time.perf_counter() - start < 5  # not inflated: 300 MB of XML takes far longer
    assert exc.value.code == "io.too_large" and exc.value.params["limit_mb"] == 200


def test_sparse_sheets_are_refused_without_allocating(tmp_path):
    # Each of these small files asks the Excel reader for billions of cells.
    names = ["sparse_range.xlsx", "tall_sparse.xlsx", "far_row.xlsx", "lying_reference.xlsx",
             "forged_column.xls"]
    got = read_in_child([CORPUS / n for n in names])
    assert [r[1] for r in got["results"]] == [BY_FILE[n]["expect"]["code"] for n in names]
    assert max(r[2] for r in got["results"]) < 1, got  # CPU seconds
    assert got["growth_mb"] < 50, got
