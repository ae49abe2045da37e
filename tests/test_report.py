"""Report builders (tierlib.report) and the report CLI (tierlib.cli_report).

The fixture is a hand-made transaction file of 10 customers, two orders each. Per customer the
revenue is profit + 100 and the cost 100 (50 per order), with profits

    C01 1000, C02 500, C03 300, C04 100, C05 90, C06 80, C07 70, C08 60, C09 50, C10 -50

so the total profit is 2,200 and the total revenue 3,200. C01's name is a <script> element and
C02's a spreadsheet formula; the top tier's name is an <img onerror> element.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import tierlib
from tierlib import cli_report, i18n, pipeline, report, tiers
from tierlib.cli import _Parser
from tierlib.engine import Engine
from tierlib.io import InputError

ROOT = Path(__file__).resolve().parents[1]
RETAIL = Path("/work/shared/data/online_retail_II_2009-2010.parquet")

HOSTILE_CUSTOMER = "<script>alert(1)</script>"
FORMULA_CUSTOMER = "=1+2"
HOSTILE_TIER = "<img src=x onerror=alert(2)>"
PROFITS = [1000, 500, 300, 100, 90, 80, 70, 60, 50, -50]
NAMES = [HOSTILE_CUSTOMER, FORMULA_CUSTOMER] + [f"Shop {i}" for i in range(3, 11)]


def write_orders(path: Path) -> Path:
    rows = ["customer_id,customer_name,order_id,order_date,revenue,cost"]
    for i, (profit, name) in enumerate(zip(PROFITS, NAMES), start=1):
        half = (profit + 100) / 2
        # C01 stopped buying a year before the last date in the data (a churn warning).
        dates = ("2023-05-01", "2023-06-01") if i == 1 else ("2024-01-10", "2024-06-10")
        for k, day in enumerate(dates):
            rows.append(f'C{i:02d},"{name}",O{i:02d}{k},{day},{half},50')
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    path = write_orders(tmp_path_factory.mktemp("report") / "orders.csv")
    engine = Engine()
    loaded = pipeline.load(path, engine=engine)
    yield loaded, engine
    engine.close()


def grading(loaded, lang="en", names=None):
    # N = 10, cuts 10% and 30%: k1 = floor(10*10/100 + 1/2) = 1, k2 = floor(3 + 1/2) = 3.
    return tiers.grade(loaded.customers, value="profit", cuts=[10, 30], names=names or [HOSTILE_TIER, "B", "C"],
                       lang=lang)


@pytest.fixture(scope="module")
def rep_en(data):
    loaded, engine = data
    return report.build_report(loaded, grading(loaded), "en", engine=engine,
                               extras={"source": "orders<b>.csv", "generated": "2025-01-31"})


@pytest.fixture(scope="module")
def html_en(rep_en):
    return report.to_html(rep_en)


class _Scripts(HTMLParser):
    """Collects every element's tag and attributes and the text of <script> elements."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


# ------------------------------------------------------------------------------------------
# sections and figures

def test_every_section_is_present_in_order_and_the_core_is_available(rep_en):
    assert [s.key for s in rep_en.sections] == list(report.SECTIONS)
    for key in report.CORE_SECTIONS:
        assert rep_en.section(key).available, key
    for sec in rep_en.sections:
        assert sec.available or sec.note, sec.key  # a missing part always says why


def test_tier_table_golden_numbers(rep_en):
    table = rep_en.section("tiers").tables[0].frame
    # Tiers: {C01}, {C02, C03}, {C04..C10}; then key customers (tiers 1+2) and the total.
    assert list(table["Customers"]) == [1, 2, 7, 3, 10]
    # Profit 1000 | 500+300 = 800 | 100+90+80+70+60+50-50 = 400 | 1800 | 2200.
    assert list(table["Profit"]) == [1000.0, 800.0, 400.0, 1800.0, 2200.0]
    # Shares of 2,200: 45.45%, 36.36%, 18.18%.
    assert [round(x, 4) for x in table["% profit"][:3]] == [0.4545, 0.3636, 0.1818]
    # Revenue = profit + 100 per customer: 1100 | 1000 | 1100 | 2100 | 3200.
    assert list(table["Revenue"]) == [1100.0, 1000.0, 1100.0, 2100.0, 3200.0]


def test_key_figures_golden(rep_en):
    kf = dict(rep_en.key_figures)
    assert kf["Customers"] == "10"
    assert kf["Total profit"] == "2.20K" and kf["Total revenue"] == "3.20K"
    # Top 20%: k = floor(10 * 20/100 + 1/2) = 2 customers, (1000 + 500) / 2200 = 68.2%.
    assert kf["Top 20% share of profit"] == "68.2%"


def test_summary_reads_the_key_customers(rep_en):
    # With fewer than four tiers the sentence is about the top tier (as on the tiers page):
    # 1 of 10 customers = 10%, with 1000 / 2200 = 45.5% of the profit.
    assert rep_en.section("summary").paragraphs[0] == "10% of customers bring 45.5% of profit."


def test_figures_of_the_core_sections(rep_en):
    assert [n for n, _ in rep_en.section("pyramids").figures] == ["pyramids"]
    assert [n for n, _ in rep_en.section("curves").figures] == ["lorenz", "whale"]
    pyr = rep_en.section("pyramids").figures[0][1]
    texts = " ".join(str(tr.text) for tr in pyr.data if tr.text is not None)
    # Plotly renders a subset of HTML in chart text: the tier name goes in escaped.
    assert html.escape(HOSTILE_TIER) in texts and HOSTILE_TIER not in texts


def test_churn_list_holds_the_silent_top_customer(rep_en):
    sec = rep_en.section("churn")
    if not sec.available:
        pytest.skip(f"churn section not available here: {sec.note}")
    frame = sec.tables[0].frame
    assert "C01" in set(frame["Customer id"])
    assert len(frame) <= report.CHURN_TOP


def test_playbook_cards_follow_the_tiers(rep_en):
    sec = rep_en.section("playbook")
    if not sec.available:
        pytest.skip(f"playbook not available here: {sec.note}")
    tier_cards = [c for c in sec.cards if c.group == "tier"]
    assert [c.title for c in tier_cards] == [HOSTILE_TIER, "B", "C"]
    assert all(c.goal and c.actions and c.measure and not c.edited for c in tier_cards)


# ------------------------------------------------------------------------------------------
# HTML

def test_html_has_one_plotly_copy_and_no_external_resource(html_en):
    assert html_en.count("plotly.js v") == 1  # the library's banner: inlined exactly once
    parser = _Scripts()
    parser.feed(html_en)
    srcs = [a for tag, a in parser.tags if tag in ("script", "img", "link", "iframe") and ("src" in a or "href" in a)]
    assert srcs == []
    assert not re.search(r"""url\(\s*['"]?https?:""", html_en)
    assert "@import" not in html_en
    code = [s for a, s in parser.scripts if a.get("type") != "application/json"]
    assert len(code) == 2  # plotly.js and the boot script
    figures = [s for a, s in parser.scripts if a.get("type") == "application/json"]
    assert len(figures) == len(re.findall(r'class="chart"', html_en)) >= 3
    csp = [a for tag, a in parser.tags if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]["content"] and "connect-src 'none'" in csp[0]["content"]


def test_html_lang_attribute(data, html_en):
    loaded, engine = data
    assert re.search(r'<html lang="en">', html_en)
    zh = report.to_html(report.build_report(loaded, grading(loaded, "zh"), "zh", engine=engine,
                                            extras={"sections": report.CORE_SECTIONS}))
    assert re.search(r'<html lang="zh-CN">', zh)
    assert "客户分级报告" in zh and "Customer tiering report" not in zh


def test_html_escapes_every_user_text(html_en):
    for hostile in (HOSTILE_CUSTOMER, HOSTILE_TIER, "orders<b>.csv"):
        assert hostile not in html_en
    assert html.escape(HOSTILE_TIER) in html_en
    assert "orders&lt;b&gt;.csv" in html_en
    parser = _Scripts()
    parser.feed(html_en)
    # No element an attacker could have added: the only scripts are ours.
    assert not any(tag == "img" for tag, _ in parser.tags)
    for attrs, text in parser.scripts:
        if attrs.get("type") == "application/json":
            assert "<" not in text  # figure data cannot close its element or open another
        else:
            assert "alert(" not in text


def test_the_hostile_customer_name_is_escaped_in_the_churn_table(html_en, rep_en):
    if not rep_en.section("churn").available:
        pytest.skip("churn section not available here")
    assert html.escape(HOSTILE_CUSTOMER) in html_en


def test_script_json_cannot_close_the_script_element():
    text = '{"a": "</script><script>alert(1)</script>&"}'
    out = report.script_json(text)
    assert "</" not in out and "<" not in out and "&" not in out
    assert json.loads(out) == {"a": "</script><script>alert(1)</script>&"}


def test_edited_playbook_cards_are_shown_escaped(data):
    loaded, engine = data
    store = {"cards": {"tier:3:1": {"goal": "=SUM(A1)", "actions": ["<b>call</b> every week"], "measure": "m"}}}
    rep = report.build_report(loaded, grading(loaded), "en", engine=engine, playbook=store,
                              extras={"sections": ["playbook"]})
    sec = rep.section("playbook")
    if not sec.available:
        pytest.skip(f"playbook not available here: {sec.note}")
    first = sec.cards[0]
    assert first.edited and first.goal == "=SUM(A1)"
    page = report.to_html(rep)
    assert "&lt;b&gt;call&lt;/b&gt; every week" in page and "<b>call</b>" not in page
    wb = openpyxl.load_workbook(io.BytesIO(report.to_xlsx(rep)))
    ws = wb[i18n.t("report.sheet.strategies", "en")]
    goals = [row[2] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert goals[0] == "'=SUM(A1)"  # neutralised, never a formula


# ------------------------------------------------------------------------------------------
# workbook

def _sheet_names(lang):
    return [i18n.t(f"report.sheet.{k}", lang) for k in report.SHEETS]


def test_workbook_sheets_no_formulas_and_neutralised_text(rep_en):
    wb = openpyxl.load_workbook(io.BytesIO(report.to_xlsx(rep_en)))
    assert wb.sheetnames == _sheet_names("en")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    cust = wb[i18n.t("report.sheet.customers", "en")]
    header = [c.value for c in cust[1]]
    rows = list(cust.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 10  # one row per customer
    for col in ("Rank", "Tier no.", "Tier", "Customer id", "Customer name", "Profit"):
        assert col in header
    by_id = {r[header.index("Customer id")]: r for r in rows}
    assert by_id["C02"][header.index("Customer name")] == "'" + FORMULA_CUSTOMER
    assert by_id["C01"][header.index("Customer name")] == HOSTILE_CUSTOMER  # plain text in a cell
    assert by_id["C01"][header.index("Tier no.")] == 1 and by_id["C10"][header.index("Tier no.")] == 3
    assert by_id["C10"][header.index("Profit")] == -50  # a number, not text
    if "R score" in header:
        assert all(r[header.index("R score")] in (1, 2, 3, 4, 5) for r in rows)
    tiers_ws = wb[i18n.t("report.sheet.tiers", "en")]
    assert [r[1] for r in tiers_ws.iter_rows(min_row=2, values_only=True)] == [1, 2, 7, 3, 10]


def test_workbook_sheet_names_follow_the_language(data):
    loaded, engine = data
    rep = report.build_report(loaded, grading(loaded, "zh"), "zh", engine=engine)
    wb = openpyxl.load_workbook(io.BytesIO(report.to_xlsx(rep)))
    assert wb.sheetnames == _sheet_names("zh")
    assert wb.sheetnames[0] == "概要"


# ------------------------------------------------------------------------------------------
# sections that cannot be built

def test_without_an_engine_the_dated_sections_say_why(data):
    loaded, _ = data
    rep = report.build_report(loaded, grading(loaded), "en", engine=None)
    for key in ("lifecycle", "churn", "migration", "clv"):
        sec = rep.section(key)
        assert not sec.available
        assert sec.note == i18n.t("report.na.no_transactions", "en")
    page = report.to_html(rep)
    assert i18n.t("report.na.no_transactions", "en") in page


def test_customer_sheet_without_dates(tmp_path):
    # A customer-level sheet: no order dates, so no lifecycle, churn, migration or CLV.
    path = tmp_path / "customers.csv"
    path.write_text("客户编号,客户名称,销售额,利润\nA1,甲,1000,300\nA2,乙,500,100\nA3,丙,200,-20\n", encoding="utf-8")
    engine = Engine()
    try:
        loaded = pipeline.load(path, engine=engine)
        g = tiers.grade(loaded.customers, value="profit", cuts=[40], lang="zh")
        rep = report.build_report(loaded, g, "zh", engine=engine)
    finally:
        engine.close()
    assert all(rep.section(k).available for k in report.CORE_SECTIONS)
    for key in ("lifecycle", "churn", "migration", "clv"):
        assert not rep.section(key).available and rep.section(key).note.startswith("这些数据无法生成此部分")
    wb = openpyxl.load_workbook(io.BytesIO(report.to_xlsx(rep)))
    assert wb.sheetnames == _sheet_names("zh")
    churn = wb[i18n.t("report.sheet.churn", "zh")]
    assert churn["A1"].value == "说明" and churn["A2"].value.startswith("这些数据无法生成此部分")


def test_a_missing_module_leaves_a_note(data, monkeypatch):
    loaded, engine = data
    monkeypatch.setitem(sys.modules, "tierlib.kinds", None)  # `from tierlib import kinds` -> ImportError
    monkeypatch.delattr(tierlib, "kinds", raising=False)
    rep = report.build_report(loaded, grading(loaded), "en", engine=engine, extras={"sections": ["tiers", "kinds"]})
    assert [s.key for s in rep.sections] == ["tiers", "kinds"]
    kinds = rep.section("kinds")
    assert not kinds.available and kinds.note == i18n.t("report.na.module", "en")
    assert kinds.error.startswith("ModuleNotFoundError")


def test_unknown_language_is_refused(data):
    loaded, engine = data
    with pytest.raises(ValueError):
        report.build_report(loaded, grading(loaded), "fr", engine=engine)


def test_format_value_and_display_frame():
    assert report.format_value(1234.5, "money", "en") == "1,234.50"
    assert report.format_value(0.1234, "pct", "en") == "12.3%"
    assert report.format_value(float("nan"), "money", "en") == "-"
    assert report.format_value(None, "text", "en") == "-"
    assert report.format_value(pd.Timestamp("2024-05-01 13:00"), "date", "en") == "2024-05-01"
    table = report.Table(pd.DataFrame({"n": [1000, 2], "s": [0.5, None]}), {"n": "int", "s": "pct"})
    assert report.display_frame(table, "en").to_dict("list") == {"n": ["1,000", "2"], "s": ["50.0%", "-"]}


def test_report_keys_exist_in_both_languages():
    zh, en = i18n.catalog("zh"), i18n.catalog("en")
    for key in report.SECTIONS:
        assert f"report.section.{key}" in zh and f"report.section.{key}" in en
    for key in report.SHEETS:
        assert f"report.sheet.{key}" in zh and f"report.sheet.{key}" in en
        assert len(zh[f"report.sheet.{key}"]) <= 31 and len(en[f"report.sheet.{key}"]) <= 31


# ------------------------------------------------------------------------------------------
# CLI

def _parser():
    p = _Parser(prog="python -m tierlib")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    cli_report.add_report_parser(sub)
    return p


def test_cli_report_writes_html_and_xlsx(tmp_path, capsys):
    src = write_orders(tmp_path / "orders.csv")
    out_html, out_xlsx = tmp_path / "r.html", tmp_path / "r.xlsx"
    args = _parser().parse_args(["report", str(src), "--cuts", "10,30", "--names", "Top,Mid,Base", "--lang", "en",
                                 "--out", str(out_html)])
    assert cli_report.cmd_report(args) == 0
    page = out_html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page and page.count("plotly.js v") == 1
    assert "orders.csv" in page  # the source name under the title
    assert "Report written to" in capsys.readouterr().out
    args = _parser().parse_args(["report", str(src), "--lang", "zh", "--out", str(out_xlsx)])
    assert cli_report.cmd_report(args) == 0
    wb = openpyxl.load_workbook(out_xlsx)
    assert wb.sheetnames == _sheet_names("zh")
    assert not list(tmp_path.glob("*.part"))


def test_cli_report_refuses_other_extensions(tmp_path):
    src = write_orders(tmp_path / "orders.csv")
    args = _parser().parse_args(["report", str(src), "--out", str(tmp_path / "r.pdf")])
    with pytest.raises(InputError) as err:
        cli_report.cmd_report(args)
    assert err.value.code == "report.bad_out"
    assert not (tmp_path / "r.pdf").exists()


def test_cli_report_needs_out(tmp_path):
    with pytest.raises(SystemExit) as err:
        _parser().parse_args(["report", "x.csv"])
    assert err.value.code == 2


@pytest.mark.slow
@pytest.mark.skipif(not RETAIL.exists(), reason=f"public data set absent: {RETAIL}")
def test_cli_report_on_online_retail(tmp_path):
    """The full report of the public Online Retail II (2009-2010) file, offline HTML and workbook."""
    out_html, out_xlsx = tmp_path / "retail.html", tmp_path / "retail.xlsx"
    for out, lang in ((out_html, "en"), (out_xlsx, "zh")):
        args = _parser().parse_args(["report", str(RETAIL), "--lang", lang, "--out", str(out)])
        assert cli_report.cmd_report(args) == 0
    page = out_html.read_text(encoding="utf-8")
    parser = _Scripts()
    parser.feed(page)
    assert page.count("plotly.js v") == 1
    assert not [a for tag, a in parser.tags if tag in ("script", "img", "link") and ("src" in a or "href" in a)]
    # Every section is either in the report or says why not (the data have revenue, no profit).
    for key in report.SECTIONS:
        assert f'id="sec-{key}"' in page
    for key in ("summary", "pyramids", "curves", "tiers", "rfm"):
        assert f'<section class="sec" id="sec-{key}"><h2>' in page
    assert i18n.t("report.summary.no_profit", "en") in page
    # Independent count: the distinct non-empty customer ids of the raw file.
    raw = pd.read_parquet(RETAIL, columns=["Customer ID"])
    n = int(raw["Customer ID"].dropna().nunique())
    assert n == 4383 and f"{n:,}" in page
    wb = openpyxl.load_workbook(out_xlsx, read_only=True)
    assert wb.sheetnames == _sheet_names("zh")
    cust = wb[i18n.t("report.sheet.customers", "zh")]
    assert cust.max_row == n + 1


@pytest.mark.slow
def test_cli_report_through_python_m_tierlib(tmp_path):
    """``python -m tierlib report``: a complete offline HTML; a bad --out exits 2."""
    src = write_orders(tmp_path / "orders.csv")
    out = tmp_path / "r.html"
    proc = subprocess.run([sys.executable, "-m", "tierlib", "report", str(src), "--lang", "en", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8").count("plotly.js v") == 1
    bad = subprocess.run([sys.executable, "-m", "tierlib", "report", str(src), "--out", str(tmp_path / "r.txt")],
                         cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
