"""Injection: exports neutralise formulas, user text never reaches raw HTML, SQL stays bound.

* CSV and XLSX exports prefix text cells (and headers) that a spreadsheet would run as a
  formula - leading ``= + - @``, tab, CR, NUL - with an apostrophe; numbers stay numbers; no
  XLSX cell is ever a formula.
* Pages and UI helpers never pass user text to ``unsafe_allow_html``/``st.html`` and the
  inline component never builds HTML from data.
* Headers from a file never reach SQL: a file whose headers are ``"; DROP TABLE tx; --`` and
  ``a"b`` loads, and the engine still answers; DuckDB extension autoloading is off.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tierlib import cli, export, pipeline
from tierlib.engine import Engine, connect
from tierlib.io import read_table

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "corpus"

DANGEROUS = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "\x00=1",
             '=HYPERLINK("http://evil.example","x")', "=cmd|' /C calc'!A0"]
HARMLESS = ["plain", " =1 (leading space)", "1=1", "a-b", "客户=甲", "", "'already quoted"]


def frame() -> pd.DataFrame:
    n = len(DANGEROUS) + len(HARMLESS)
    return pd.DataFrame({
        "name": DANGEROUS + HARMLESS,
        "=header": ["x"] * n,
        "amount": [-1.5, 0.0, 2.0, -3.0, 4.25, -5.0, 6.0, 7.0, 8.0, -9.0, 10.0, 11.0, -12.0, 13.0, 14.0, 15.5],
        "count": list(range(-3, n - 3)),
    })


def test_neutralize():
    for text in DANGEROUS:
        assert export.neutralize(text) == "'" + text
    for text in HARMLESS:
        assert export.neutralize(text) == text
    for value in (-1, -1.5, 0, None, float("nan")):
        assert export.neutralize(value) is value


def test_csv_export_neutralises_text_and_keeps_numbers():
    data = export.to_csv_bytes(frame())
    assert data.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    assert b"\r\n" in data and data.count(b"\r\n") == len(frame()) + 1  # CRLF, CR cell quoted
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["name", "'=header", "amount", "count"]
    names = [r[0] for r in rows[1:]]
    assert names == ["'" + t for t in DANGEROUS] + HARMLESS
    assert [r[2] for r in rows[1:]][:4] == ["-1.5", "0.0", "2.0", "-3.0"]  # numbers untouched
    assert [r[3] for r in rows[1:]][:3] == ["-3", "-2", "-1"]
    # Every cell that starts with a dangerous character is a quoted-apostrophe text.
    for row in rows:
        for cell, col in zip(row, rows[0]):
            if cell.startswith(export.DANGEROUS_PREFIXES):
                assert col in ("amount", "count"), cell  # only negative numbers may start with "-"
                float(cell)


def test_xlsx_export_has_no_formula_cells_and_numbers_stay_numbers():
    wb = openpyxl.load_workbook(io.BytesIO(export.to_xlsx_bytes({"S": frame()})))
    ws = wb["S"]
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if c.data_type == "s"]
    for value in texts:
        if value.startswith(("=", "+", "-", "@", "\t", "\r")):
            pytest.fail(f"dangerous text cell {value!r}")
    assert ws["B1"].value == "'=header"
    # Control characters are stored escaped (_x000D_) and openpyxl shows them so.
    escaped = [t.replace("\r", "_x000D_").replace("\x00", "_x0000_") for t in DANGEROUS]
    assert [ws.cell(row=i + 2, column=1).value for i in range(len(DANGEROUS))] == ["'" + t for t in escaped]
    amounts = [ws.cell(row=i, column=3) for i in range(2, ws.max_row + 1)]
    assert all(c.data_type == "n" for c in amounts)
    assert amounts[0].value == -1.5 and amounts[3].value == -3


def test_export_of_a_graded_hostile_file_through_the_cli(tmp_path, capsys):
    for ext in ("csv", "xlsx"):
        out = tmp_path / f"graded.{ext}"
        assert cli.main(["grade", str(CORPUS / "formula_injection.csv"), "--out", str(out)]) == 0
        capsys.readouterr()
        back = read_table(out)
        names = back.frame["customer_name"].tolist()
        assert len(names) == 8
        assert all(not str(n).startswith(("=", "+", "-", "@", "\t", "\r")) for n in names)
        assert sum(str(n).startswith("'") for n in names) == 7  # all but the full-width ＝
        if ext == "xlsx":
            wb = openpyxl.load_workbook(out)
            assert not [c for row in wb.active.iter_rows() for c in row if c.data_type == "f"]


def test_rejected_rows_export_neutralises_values(tmp_path, capsys):
    src = tmp_path / "bad.csv"
    src.write_text("customer_id,revenue\nA,=1+1\nB,10\n", encoding="utf-8")
    out = tmp_path / "rejected.csv"
    assert cli.main(["grade", str(src), "--rejected", str(out)]) == 0
    capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0]["value"] == "'=1+1"


def test_long_text_and_odd_sheet_names_in_xlsx():
    df = pd.DataFrame({"note": ["x" * 40_000, None], "n": [1, 2]})
    data = export.to_xlsx_bytes({"'quoted'": df, "a" * 40: df, "A" * 41: df, "b/c?": df})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["quoted", "a" * 31, "A" * 27 + " (2)", "b_c_"]
    cell = wb["quoted"]["A2"].value
    assert len(cell) == export.XLSX_MAX_CELL_CHARS and cell.endswith("…")


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

HTML_SINKS = {"html"}  # st.html, components.html, st.components.v1.html


def _is_constant_text(node: ast.AST, constants: frozenset[str] = frozenset()) -> bool:
    """A string literal, a module-level string constant, or T("key")/t("key") of our own
    locale files without parameters."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.Name):
        return node.id in constants
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_constant_text(node.left, constants) and _is_constant_text(node.right, constants)
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("T", "t")
            and len(node.args) == 1 and isinstance(node.args[0], ast.Constant) and not node.keywords)


def _module_constants(tree: ast.Module) -> frozenset[str]:
    """Names assigned once at module level to constant text (e.g. ``CSS = \"\"\"...\"\"\"``)."""
    names: set[str] = set()
    assigned: dict[str, int] = {}
    for node in ast.walk(tree):
        for target in getattr(node, "targets", []) + ([node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []):
            if isinstance(target, ast.Name):
                assigned[target.id] = assigned.get(target.id, 0) + 1
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and _is_constant_text(node.value, frozenset(names)):
            names.add(node.targets[0].id)
    return frozenset(n for n in names if assigned.get(n) == 1)


def html_calls() -> list[tuple[str, int, bool]]:
    """Every call that renders raw HTML in app.py, pages/ and ui/: (file, line, constant?)."""
    found = []
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _module_constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            unsafe = any(k.arg == "unsafe_allow_html" and not (isinstance(k.value, ast.Constant)
                                                               and k.value.value is False)
                         for k in node.keywords)
            sink = isinstance(node.func, ast.Attribute) and node.func.attr in HTML_SINKS
            if unsafe or sink:
                const = bool(node.args) and _is_constant_text(node.args[0], constants)
                found.append((str(path.relative_to(ROOT)), node.lineno, const))
    return found


def test_no_user_text_reaches_raw_html():
    offenders = [(f, line) for f, line, const in html_calls() if not const]
    assert offenders == [], "raw HTML built from non-constant text"


def test_the_html_scan_sees_what_it_must():
    tree = ast.parse('CSS = "<style>"\nNAME = "a"\nNAME = user\n'
                     'st.markdown(name, unsafe_allow_html=True)\nst.html("<b>x</b>")\n'
                     'st.markdown(T("k"), unsafe_allow_html=True)\nst.html(CSS + "</style>")\n'
                     'st.html(NAME)\nst.markdown(T("k", n=x), unsafe_allow_html=True)\n')
    constants = _module_constants(tree)
    assert constants == {"CSS"}
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
    assert [_is_constant_text(c.args[0], constants) for c in calls] == [False, True, True, True, False, False]


def test_component_scripts_never_build_html_from_data():
    sinks = re.compile(r"\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write")
    for path in sorted((ROOT / "ui").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not sinks.search(text), f"{path.name} builds HTML from strings"


# --------------------------------------------------------------------------------------------
# SQL
# --------------------------------------------------------------------------------------------

def test_sql_looking_headers_are_data_and_the_engine_still_answers():
    engine = Engine()
    try:
        loaded = pipeline.load(CORPUS / "sql_headers.csv", engine=engine,
                               overrides={"customer_id": '"; DROP TABLE tx; --', "revenue": 'a"b'})
        assert sorted(loaded.customers["customer_id"]) == ["A", "B"]
        # Revenue 10 + 30 for A, 20 for B (units of 1/10,000).
        assert dict(zip(loaded.customers["customer_id"], loaded.customers["revenue"])) == \
            {"A": 400_000, "B": 200_000}
        assert engine.con.execute("SELECT count(*) FROM tx").fetchall() == [(3,)]
        tables = {r[0] for r in engine.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert tables == {"tx"}
        # The canonical schema only: no header text became an identifier.
        cols = [r[0] for r in engine.con.execute("DESCRIBE tx").fetchall()]
        assert not any('"' in c or ";" in c for c in cols)
        again = engine.customers()
        assert len(again) == 2
        assert engine.date_range() == (None, None)
    finally:
        engine.close()


def test_sql_looking_values_are_bound_parameters():
    engine = Engine()
    try:
        src = (b"customer_id,region,revenue\nA,'); DROP TABLE tx; --,10\nB,x' OR '1'='1,20\n"
               b"C,north,30\n")
        pipeline.load(src, filename="v.csv", engine=engine)
        hostile = ["'); DROP TABLE tx; --"]
        res = engine.customers(filters={"region": hostile})
        assert res["customer_id"].tolist() == ["A"]
        res = engine.customers(filters={"region": ["x' OR '1'='1"]})
        assert res["customer_id"].tolist() == ["B"]
        assert engine.con.execute("SELECT count(*) FROM tx").fetchall() == [(3,)]
    finally:
        engine.close()


def test_duckdb_extension_autoloading_is_off():
    con = connect()
    try:
        got = con.execute("SELECT current_setting('autoload_known_extensions'), "
                          "current_setting('autoinstall_known_extensions')").fetchall()
        assert got == [(False, False)]
    finally:
        con.close()
    engine = Engine()
    try:
        got = engine.con.execute("SELECT current_setting('autoload_known_extensions'), "
                                 "current_setting('autoinstall_known_extensions')").fetchall()
        assert got == [(False, False)]
    finally:
        engine.close()


def test_summary_json_keeps_hostile_text_as_data(capsys):
    assert cli.main(["grade", str(CORPUS / "html_script.csv"), "--summary", "-"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["rows_used"] == 5
