"""Reports: the key figures, charts, tables and strategy cards of one grading, exported as a
self-contained HTML file or as an Excel workbook.

API
---
``build_report(loaded, grading, lang, *, engine=None, playbook=None, extras=None) -> ReportData``
    Compute every section once (pure: no file is written, nothing is displayed).
``to_html(report) -> str``
    One HTML document that works offline: plotly.js is inlined ONCE in ``<head>`` and every
    chart is an interactive Plotly figure drawn from JSON embedded in the page (no CDN, no
    external font or image; a Content-Security-Policy forbids any network access). Print CSS
    puts each section on a new A4 page and redraws the charts at the printable width.
    ``<html lang>`` is the report's language. Every text that can come from a user (customer
    and tier names, file names, strategy cards) is HTML-escaped; the figures' JSON is escaped
    for a ``<script>`` element.
``to_xlsx(report) -> bytes``
    An XLSX workbook (``tierlib.export.to_xlsx_bytes``: no formula cells, text that a
    spreadsheet would run as a formula is neutralised) with the sheets of ``SHEETS``.
``display_frame(table, lang) -> DataFrame``
    A ``Table`` with its numbers formatted as text (for previews).

Sections (``SECTIONS``, in report order)
----------------------------------------
Core, always present: ``summary`` (key figures and how the data were read), ``pyramids`` (the
customer pyramid beside the profit inverted pyramid), ``curves`` (concentration and whale
curves), ``tiers`` (the tier table). Optional, each built by its own module when that module
imports and the data allow it, else kept with ``available=False`` and a one-line ``note``
saying why: ``rfm`` (segments), ``kinds`` (four kinds of customers), ``lifecycle`` (stages by
tier), ``churn`` (warning list, top ``CHURN_TOP`` by value at risk), ``migration`` (earlier vs
later half of the data), ``clv`` (lifetime value by tier), ``playbook`` (strategy cards).

``extras`` (all keys optional)
------------------------------
``source`` (str)            the data set's name shown under the title;
``colors`` (list of str)    tier colours, top first (default ``presets.palette``);
``generated`` (str)         the date printed on the report (default: today);
``sections`` (iterable)     section keys to build (default all of ``SECTIONS``);
``churn_top`` (int)         rows of the churn list in the HTML (default ``CHURN_TOP``);
``rfm`` (dict)              ``monetary``, ``bins`` and ``rules`` for ``tierlib.rfm.compute``;
``kind_tags`` (dict)        manual kind tags ``{customer_id: ["relationship", ...]}``;
``weights`` (dict)          score weights (used by the migration when grading by score);
``as_of`` (date-like)       the lifecycle / churn reference day (default: the last order);
``split`` (date-like)       the migration split day (default ``migration.default_split``).

``playbook`` is the user's playbook store (``{"cards": {card_id: card}}``, see
``tierlib.playbook``); None gives the default cards.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from tierlib import charts, i18n, presets, tiers
from tierlib.export import to_xlsx_bytes
from tierlib.i18n import fmt_compact, fmt_pct, t
from tierlib.io import InputError

SECTIONS = ("summary", "pyramids", "curves", "tiers", "rfm", "kinds", "lifecycle", "churn", "migration", "clv",
            "playbook")
CORE_SECTIONS = ("summary", "pyramids", "curves", "tiers")
#: Sheets of the workbook, in order (their names are localised: ``report.sheet.<key>``).
SHEETS = ("summary", "tiers", "customers", "segments", "churn", "migration", "strategies")
CHURN_TOP = 50
#: Excel's row limit minus the header row.
XLSX_MAX_ROWS = 1_048_575
#: Chart width when printed on A4 portrait (210 mm - 2 x 14 mm margins at 96 px per inch).
PRINT_WIDTH_PX = 680
HTML_LANG = {"zh": "zh-CN", "en": "en"}
PLOT_CONFIG = {"displayModeBar": False, "responsive": False, "displaylogo": False}

#: Column kinds of a ``Table`` (how ``display_frame`` and ``to_html`` format them).
FORMATS = ("text", "int", "money", "pct", "num1", "num2", "date")


# ------------------------------------------------------------------------------------------
# the report's data

@dataclass
class Table:
    """A table of a section: raw values under localised headers, plus how to format each column."""

    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)  # header -> one of FORMATS (default text)
    title: str | None = None
    note: str | None = None


@dataclass
class Card:
    """A strategy card as shown in the report (the user's edit or the default)."""

    title: str
    goal: str
    actions: list[str]
    measure: str
    facts: str | None = None
    edited: bool = False
    group: str = "tier"  # tier | kind | rfm


@dataclass
class Section:
    """One part of the report. Plain text only: the HTML writer escapes everything."""

    key: str
    title: str
    available: bool = True
    note: str | None = None  # why the section is not available, or a caption
    paragraphs: list[str] = field(default_factory=list)
    figures: list[tuple[str, go.Figure]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    captions: dict[str, str] = field(default_factory=dict)  # figure name -> text shown above it
    footnotes: list[str] = field(default_factory=list)  # shown after the figures and tables
    error: str | None = None  # the exception behind an unavailable section (for logs, never shown)


@dataclass
class ReportData:
    """Everything ``to_html`` and ``to_xlsx`` write."""

    lang: str
    title: str
    subtitle: str
    generated: str
    key_figures: list[tuple[str, str]]
    sections: list[Section]
    sheets: dict[str, pd.DataFrame]  # localised sheet name -> frame, in ``SHEETS`` order

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def available(self) -> list[str]:
        return [s.key for s in self.sections if s.available]

    @property
    def unavailable(self) -> list[Section]:
        return [s for s in self.sections if not s.available]


class _NotAvailable(Exception):
    """A section cannot be built for these data; ``key`` names the localised reason."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass
class _Ctx:
    """Inputs and results shared between sections (a lifecycle history serves churn too)."""

    loaded: object
    grading: tiers.Grading
    lang: str
    engine: object
    playbook: dict | None
    ex: dict
    customer_tiers: pd.DataFrame | None = None
    rfm: object = None
    rfm_names: dict = field(default_factory=dict)
    kinds: pd.DataFrame | None = None
    history: object = None
    stages: pd.DataFrame | None = None
    churn: pd.DataFrame | None = None  # the full warning list
    migration: object = None
    clv: pd.DataFrame | None = None

    def tiers_frame(self) -> pd.DataFrame:
        if self.customer_tiers is None:
            self.customer_tiers = customer_tiers(self.grading)
        return self.customer_tiers


# ------------------------------------------------------------------------------------------
# small helpers

def _L(key: str, lang: str, fallback: str | None = None, **params) -> str:
    """Translate ``key``; when another area's key is missing, fall back (never show a raw key)."""
    if i18n.has(key, lang):
        return t(key, lang, **params)
    return key if fallback is None else fallback


def _col(name: str, lang: str) -> str:
    """The localised header of a canonical column."""
    for key in (f"report.col.{name}", f"col.{name}", f"field.{name}"):
        if i18n.has(key, lang):
            return t(key, lang)
    return name


def _finite(v) -> bool:
    try:
        return v is not None and v is not pd.NA and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def _money(v, lang: str) -> str:
    return fmt_compact(float(v), lang) if _finite(v) else "-"


def _error_text(exc: InputError, lang: str) -> str:
    return _L("err." + exc.code, lang, _L("report.na.generic", lang), **exc.params)


def _value_word(value: str, lang: str) -> str:
    return _L(f"value.{value}", lang, value)


def customer_tiers(grading: tiers.Grading) -> pd.DataFrame:
    """``customer_id, tier, tier_name`` of every graded customer (tier 1 = top)."""
    df = grading.ranked.customers[["customer_id"]].copy()
    idx = np.searchsorted(np.asarray(grading.bounds, dtype="int64"), np.arange(grading.ranked.n), side="right")
    df["tier"] = idx + 1
    df["tier_name"] = np.asarray(grading.names, dtype=object)[idx]
    return df.reset_index(drop=True)


def _escaped_tiers(grading: tiers.Grading) -> list[dict]:
    """The tier rows with HTML-escaped names: Plotly renders a subset of HTML in chart text."""
    return [dict(row, name=html.escape(str(row["name"]))) for row in grading.tiers]


def _colors(ctx: _Ctx) -> list[str]:
    n = len(ctx.grading.tiers)
    given = [c for c in (ctx.ex.get("colors") or []) if isinstance(c, str)]
    return given[:n] if len(given) >= n else presets.palette(n)


# ------------------------------------------------------------------------------------------
# tables

def tier_table(grading: tiers.Grading, lang: str) -> Table:
    """Per tier (plus key customers with 3+ tiers, and the total): customers, revenue, profit,
    their shares, profit per customer, order value, orders per customer, margin and the median
    days since the last order. Money as amounts; shares as fractions."""
    rows = [dict(r) for r in grading.tiers]
    medians = tiers.median_days_since_last_order(grading.ranked, grading.bounds)
    for row, m in zip(rows, medians):
        row["median_days"] = m
    if len(rows) >= 3 and grading.bounds[1] > 0:
        key_row = tiers.segment_row(grading.ranked, _L("tiers.key_customers", lang, a=grading.names[0],
                                                        b=grading.names[1]), 0, grading.bounds[1])
        key_row["median_days"] = tiers.median_days_since_last_order(grading.ranked, [grading.bounds[1]])[0]
        rows.append(key_row)
    total = tiers.segment_row(grading.ranked, _L("tiers.total", lang, "Total"), 0, grading.ranked.n)
    total["median_days"] = tiers.median_days_since_last_order(grading.ranked, [])[0]
    rows.append(total)
    df = pd.DataFrame(rows)
    kinds = {"name": "text", "customers": "int", "customer_share": "pct", "revenue": "money",
             "revenue_share": "pct", "profit": "money", "profit_share": "pct", "profit_per_customer": "money",
             "avg_order_value": "money", "orders_per_customer": "num2", "margin": "pct", "median_days": "int"}
    cols = [c for c in kinds if c in df and (c == "name" or not df[c].isna().all())]
    df = df[cols]
    headers = {c: (_col("tier", lang) if c == "name" else _col(c, lang)) for c in cols}
    return Table(frame=df.rename(columns=headers), formats={headers[c]: kinds[c] for c in cols})


def display_frame(table: Table, lang: str) -> pd.DataFrame:
    """The table with every number formatted as text ("-" for missing values)."""
    out = table.frame.copy().astype(object)
    for col in out.columns:
        kind = table.formats.get(col, "text")
        out[col] = [format_value(v, kind, lang) for v in table.frame[col]]
    return out


def format_value(v, kind: str, lang: str) -> str:
    """One cell as text: ``int`` 1,234 · ``money`` 1,234.50 · ``pct`` 12.3% · ``num1``/``num2``
    decimals · ``date`` 2024-05-01 · ``text`` as is."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if kind == "text":
        return str(v)
    if kind == "date":
        try:
            return pd.Timestamp(v).date().isoformat()
        except (TypeError, ValueError):
            return str(v)
    if not _finite(v):
        return "-" if kind != "text" else str(v)
    x = float(v)
    if kind == "int":
        return f"{x:,.0f}"
    if kind == "money":
        return f"{x:,.2f}"
    if kind == "pct":
        return fmt_pct(x)
    if kind == "num1":
        return f"{x:,.1f}"
    if kind == "num2":
        return f"{x:,.2f}"
    return str(v)


# ------------------------------------------------------------------------------------------
# core sections

def _summary(ctx: _Ctx, sec: Section) -> None:
    g, lang, p = ctx.grading, ctx.lang, ctx.loaded.prepared
    sec.paragraphs.append(reading(g, lang))
    sec.paragraphs.append(t("report.summary.rows", lang, read=f"{p.rows_read:,}", used=f"{p.rows_used:,}",
                            rejected=f"{p.rows_rejected:,}", customers=f"{g.ranked.n:,}"))
    sec.paragraphs.append(t("report.summary.grading", lang, value=_value_word(g.value, lang),
                            scheme=_L(f"scheme.{g.scheme}", lang, g.scheme), cuts=", ".join(map(str, g.cuts)),
                            names=" / ".join(g.names)))
    if p.profit_source == "estimated":
        sec.paragraphs.append(t("report.summary.profit_estimated", lang, margin=fmt_pct(p.margin)))
    elif not p.has_profit:
        sec.paragraphs.append(t("report.summary.no_profit", lang))
    first = ctx.loaded.customers["first_order"].min() if "first_order" in ctx.loaded.customers else None
    last = ctx.loaded.customers["last_order"].max() if "last_order" in ctx.loaded.customers else None
    if _is_date(first) and _is_date(last):
        sec.paragraphs.append(t("report.summary.dates", lang, first=pd.Timestamp(first).date().isoformat(),
                                last=pd.Timestamp(last).date().isoformat()))


def _is_date(v) -> bool:
    return v is not None and not pd.isna(v)


def reading(g: tiers.Grading, lang: str) -> str:
    """One sentence on the concentration: the share of value the key tiers (or the top 20%) bring."""
    value_word = _value_word(g.value, lang)
    if len(g.tiers) >= 2 and g.bounds and g.bounds[0] > 0 and g.scheme in ("pyramid", "quantile") \
            and g.ranked.total_value:
        k = g.bounds[1] if len(g.bounds) > 1 and len(g.tiers) >= 4 else g.bounds[0]
        share_c = k / g.ranked.n
        share_v = float(g.ranked.cum_value[k] / g.ranked.total_value)
        return _L("tiers.reading", lang, pct=fmt_pct(share_c, 0 if round(share_c * 100, 9).is_integer() else 1),
                  share=fmt_pct(share_v), value=value_word)
    return _L("tiers.reading", lang, pct="20%", share=fmt_pct(g.concentration.get("top_20pct_share")),
              value=value_word)


def key_figures(g: tiers.Grading, lang: str) -> list[tuple[str, str]]:
    """(label, formatted value) pairs for the top of the report."""
    totals = g.totals()
    gini = g.concentration.get("gini")
    return [
        (t("report.kpi.customers", lang), f"{g.ranked.n:,}"),
        (t("report.kpi.revenue", lang), _money(totals["revenue"], lang)),
        (t("report.kpi.profit", lang), _money(totals["profit"], lang)),
        (t("report.kpi.top20", lang, value=_value_word(g.value, lang)),
         fmt_pct(g.concentration.get("top_20pct_share"))),
        (t("report.kpi.gini", lang), "-" if gini is None else f"{gini:.2f}"),
        (t("report.kpi.tiers", lang), str(len(g.tiers))),
    ]


def _pyramids(ctx: _Ctx, sec: Section) -> None:
    g, lang = ctx.grading, ctx.lang
    unknown = any(row["profit"] is None for row in g.tiers)
    value_label = _L("chart.revenue_title_no_profit", lang) if unknown else _L("chart.profit_title", lang)
    labels = {"left_title": _L("chart.customers_title", lang), "customers": _L("chart.customers_label", lang),
              "profit": _L("chart.value_label", lang), "hover_value": _L("chart.value_hover", lang),
              "hover_customers": _L("chart.customers_title", lang)}
    fig = charts.paired_pyramids(_escaped_tiers(g), colors=_colors(ctx), labels=labels, value_label=value_label,
                                 negative_note=_L("chart.negative_note", lang), lang=lang)
    sec.figures.append(("pyramids", fig))
    sec.captions["pyramids"] = t("report.pyramids.text", lang)


def _curve_xy(cum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(cum) - 1
    total = float(cum[-1])
    x = np.arange(1, n + 1, dtype="float64") / n
    y = cum[1:].astype("float64") / total if total else np.full(n, np.nan)
    return x, y


def _curves(ctx: _Ctx, sec: Section) -> None:
    g, lang = ctx.grading, ctx.lang
    value = _value_word(g.value, lang)
    x, y = _curve_xy(g.ranked.cum_value)
    if g.scheme == "pyramid":  # the nominal cuts: the curve is read at their pyramid boundaries
        cut_shares = [float(c) / 100 for c in g.cuts]
    else:
        cut_shares = [b / g.ranked.n for b in g.bounds if 0 < b < g.ranked.n]
    labels = {"title": _L("chart.lorenz_title", lang, value=value), "x_title": _L("chart.x_customers", lang),
              "y_title": _L("chart.y_value", lang, value=value), "curve": _L("chart.lorenz_curve", lang),
              "equality": _L("chart.equality", lang), "pareto": _L("chart.pareto_label", lang),
              "cut": _L("chart.cut_label", lang)}
    sec.figures.append(("lorenz", charts.lorenz_curve(x, y, cut_shares=cut_shares, labels=labels)))
    sec.captions["lorenz"] = t("report.curves.lorenz", lang)
    if not ctx.loaded.prepared.has_profit:
        sec.footnotes.append(t("report.curves.no_whale", lang))
        return
    r = g.ranked if g.value == "profit" and g.ranked.n == len(ctx.loaded.customers) else \
        tiers.rank(g.ranked.customers, "profit")
    wx, wy = _curve_xy(r.cum_profit)
    wl = {"title": _L("chart.whale_title", lang), "x_title": _L("chart.x_customers_by_profit", lang),
          "y_title": _L("chart.y_profit", lang), "curve": _L("chart.whale_curve", lang),
          "peak": _L("chart.peak_label", lang), "total": _L("chart.total_line", lang)}
    sec.figures.append(("whale", charts.whale_curve(wx, wy, labels=wl)))
    sec.captions["whale"] = t("report.curves.whale", lang)


def _tiers(ctx: _Ctx, sec: Section) -> None:
    sec.tables.append(tier_table(ctx.grading, ctx.lang))
    sec.paragraphs.append(t("report.tiers.text", ctx.lang))


# ------------------------------------------------------------------------------------------
# optional sections (each imports its module; ImportError -> "not available")

def _rfm(ctx: _Ctx, sec: Section) -> None:
    from tierlib import rfm

    lang, prep = ctx.lang, ctx.loaded.prepared
    opts = dict(ctx.ex.get("rfm") or {})
    monetary = opts.get("monetary") or ("revenue" if prep.has_revenue else "profit")
    bins = int(opts.get("bins") or rfm.DEFAULT_BINS)
    res = rfm.compute(ctx.loaded.customers, monetary=monetary, bins=bins, rules=opts.get("rules"))
    if not res.has_segments:
        raise _NotAvailable("report.rfm.no_segments")
    ctx.rfm = res
    names = {code: _L(f"rfm.seg.{code}", lang, str(code)) for code in res.frame["segment"].dropna().unique()}
    custom = getattr(rfm, "custom_names", None)
    if custom is not None:
        names.update(custom(res.rules))
    names = {k: str(v)[len("custom:"):] if str(v).startswith("custom:") else str(v) for k, v in names.items()}
    ctx.rfm_names = names
    summ = rfm.segment_summary(res)
    summ = summ[summ["customers"] > 0].copy()
    summ["segment"] = [names.get(c, str(c)) for c in summ["segment"]]
    kinds = {"segment": "text", "customers": "int", "share": "pct", "revenue": "money", "profit": "money",
             "avg_recency": "num1", "avg_frequency": "num1", "avg_monetary": "money"}
    cols = [c for c in kinds if c in summ and (c == "segment" or not summ[c].isna().all())]
    heads = {c: _col({"segment": "rfm_segment", "share": "customer_share"}.get(c, c), lang) for c in cols}
    sec.tables.append(Table(summ[cols].rename(columns=heads), {heads[c]: kinds[c] for c in cols}))
    as_of = "-" if res.as_of is None else pd.Timestamp(res.as_of).date().isoformat()
    sec.paragraphs.append(t("report.rfm.text", lang, bins=bins, monetary=_value_word(monetary, lang), as_of=as_of,
                            n=f"{res.n:,}"))
    ct = rfm.tier_crosstab(res.frame, ctx.tiers_frame(), order=[c for c in rfm.segment_order(res.rules, bins)
                                                                  if c in names])
    ct = ct[[c for c in ct.columns if c == "total" or ct[c].sum() > 0]]
    ct.columns = [t("report.col.total", lang) if c == "total" else names.get(c, str(c)) for c in ct.columns]
    ct = ct.reset_index(names=_col("tier", lang))
    sec.tables.append(Table(ct, {c: "int" for c in ct.columns[1:]}, title=t("report.rfm.by_tier", lang)))
    try:
        from tierlib import rfm_charts

        colors = {c: rfm.segment_color(c, res.rules) for c in names}
        labels = {"customers": _col("customers", lang), "revenue": _col("revenue", lang),
                  "profit": _col("profit", lang)}
        esc = {k: html.escape(v) for k, v in names.items()}
        sec.figures.append(("rfm", rfm_charts.segment_treemap(rfm.segment_summary(res), names=esc, colors=colors,
                                                              labels=labels, height=380)))
    except (ImportError, AttributeError, TypeError, KeyError, ValueError):
        pass  # the table says it all; the chart is a bonus


def _kinds(ctx: _Ctx, sec: Section) -> None:
    from tierlib import kinds

    lang = ctx.lang
    cls = kinds.classify(ctx.loaded.customers, tags=ctx.ex.get("kind_tags"))
    ctx.kinds = cls
    summ = kinds.kind_summary(cls)
    summ = summ[summ["customers"] > 0].copy()
    summ["kind"] = [_L(f"kinds.kind.{k}", lang, k) for k in summ["kind"]]
    spec = {"kind": "text", "customers": "int", "share": "pct", "revenue": "money", "profit": "money",
            "margin_rate": "pct"}
    heads = {c: _col({"share": "customer_share", "margin_rate": "margin"}.get(c, c), lang) for c in spec}
    sec.tables.append(Table(summ[list(spec)].rename(columns=heads), {heads[c]: spec[c] for c in spec}))
    mt, rt = cls.attrs.get("margin_threshold"), cls.attrs.get("revenue_threshold")
    sec.paragraphs.append(t("report.kinds.text", lang, margin=fmt_pct(mt) if _finite(mt) else "-",
                            revenue=f"{rt:,.0f}" if _finite(rt) else "-"))


def _history(ctx: _Ctx):
    from tierlib import lifecycle

    if ctx.engine is None:
        raise _NotAvailable("report.na.no_transactions")
    if ctx.history is None:
        ctx.history = lifecycle.history(ctx.engine, as_of=ctx.ex.get("as_of"))
    return ctx.history


def _lifecycle(ctx: _Ctx, sec: Section) -> None:
    from tierlib import lifecycle

    lang = ctx.lang
    hist = _history(ctx)
    st = lifecycle.stages(hist)
    ctx.stages = st
    table = lifecycle.by_tier(st, ctx.tiers_frame(), ctx.grading.names)
    table.columns = [_L(f"lifecycle.stage.{s}", lang, s) for s in table.columns]
    table[t("report.col.total", lang)] = table.sum(axis=1)
    table = table.reset_index(names=_col("tier", lang))
    sec.tables.append(Table(table, {c: "int" for c in table.columns[1:]}))
    counts = lifecycle.stage_counts(st)
    parts = [f"{_L(f'lifecycle.stage.{s}', lang, s)} {n:,}" for s, n in counts.items()]
    sec.paragraphs.append(t("report.lifecycle.text", lang, as_of=hist.as_of.date().isoformat(),
                            counts=t("report.list_sep", lang).join(parts)))


def _churn(ctx: _Ctx, sec: Section) -> None:
    from tierlib import churn

    lang = ctx.lang
    hist = _history(ctx)
    params = churn.Params()
    ind = churn.indicators(hist, params)
    wl = churn.warning_list(ind, ctx.tiers_frame())
    names = ctx.loaded.customers[["customer_id", "customer_name"]] if "customer_name" in ctx.loaded.customers \
        else None
    if names is not None:
        wl = wl.merge(names, on="customer_id", how="left")
    ctx.churn = wl
    top = int(ctx.ex.get("churn_top") or CHURN_TOP)
    head = wl.head(top)
    why = [churn.explain(row, lang, params.k, params.drop_pct, hist.typical_gap) for _, row in head.iterrows()]
    value_word = _value_word(hist.value_measure, lang)
    frame = pd.DataFrame({
        "#": np.arange(1, len(head) + 1),
        _col("customer_id", lang): head["customer_id"].astype(str).to_numpy(),
    })
    if "customer_name" in head and head["customer_name"].notna().any():
        frame[_col("customer_name", lang)] = head["customer_name"].to_numpy()
    frame[_col("tier", lang)] = head["tier_name"].to_numpy()
    var_head = t("report.col.value_at_risk", lang, value=value_word)
    frame[var_head] = head["value_at_risk"].to_numpy()
    frame[t("report.col.why", lang)] = why
    sec.tables.append(Table(frame, {"#": "int", var_head: "money"}))
    total = float(wl["value_at_risk"].sum()) if len(wl) else 0.0
    sec.paragraphs.append(t("report.churn.text", lang, n=f"{len(wl):,}", total=f"{len(ind):,}",
                            value=value_word, amount=_money(total, lang), top=min(top, len(wl)),
                            as_of=hist.as_of.date().isoformat()))


def _migration(ctx: _Ctx, sec: Section) -> None:
    from tierlib import migration

    lang, g = ctx.lang, ctx.grading
    if ctx.engine is None:
        raise _NotAvailable("report.na.no_transactions")
    split = ctx.ex.get("split") or migration.default_split(ctx.engine)
    weights = ctx.ex.get("weights") if g.value == "score" else None
    m = migration.split(ctx.engine, split, value=g.value, cuts=g.cuts, names=g.names, scheme=g.scheme, lang=lang,
                        weights=weights)
    ctx.migration = m
    states = [*g.names, _L("migration.inactive", lang, t("report.inactive", lang))]
    corner = t("report.migration.corner", lang)
    mat = pd.DataFrame(m.matrix.astype("int64"), columns=states)
    mat.insert(0, corner, states)
    mat[t("report.col.total", lang)] = m.matrix.sum(axis=1).astype("int64")
    sec.tables.append(Table(mat, {c: "int" for c in mat.columns[1:]}, title=t("report.migration.matrix", lang)))
    c = m.counts()
    sec.paragraphs.append(t("report.migration.text", lang, split=str(pd.Timestamp(split).date()), up=f"{c['up']:,}",
                            down=f"{c['down']:,}", same=f"{c['same']:,}", new=f"{c['new']:,}", lost=f"{c['lost']:,}"))
    try:
        esc = [html.escape(s) for s in states]
        labels = {"states": esc, "before": t("report.migration.before", lang),
                  "after": t("report.migration.after", lang), "hover": t("report.migration.hover", lang)}
        sec.figures.append(("migration", migration.sankey_figure(m, labels, colors=_colors(ctx))))
    except (AttributeError, TypeError, KeyError, ValueError):
        pass


def _clv(ctx: _Ctx, sec: Section) -> None:
    from tierlib import clv

    lang = ctx.lang
    if ctx.engine is None:
        raise _NotAvailable("report.na.no_transactions")
    res = clv.fit(ctx.engine, measure=clv.default_measure(ctx.loaded.prepared.has_revenue))
    ctx.clv = res.frame
    table = clv.by_tier(res.frame, ctx.tiers_frame(), retention=clv.DEFAULT_RETENTION,
                        annual_discount_rate=clv.annual_discount(clv.DEFAULT_MONTHLY_DISCOUNT))
    spec = {"tier_name": "text", "customers": "int", "p_alive": "pct", "clv": "money", "clv_mean": "money",
            "clv_share": "pct", "historical_value": "money"}
    heads = {c: _col("tier" if c == "tier_name" else f"clv_{c}" if not c.startswith("clv") else c, lang)
             for c in spec}
    sec.tables.append(Table(table[list(spec)].rename(columns=heads), {heads[c]: spec[c] for c in spec}))
    sec.paragraphs.append(t("report.clv.text", lang, terms=_value_word(res.terms, lang), months=res.horizon_months,
                            rate=fmt_pct(res.monthly_discount), total=_money(float(res.frame["clv"].sum()), lang)))


def _playbook(ctx: _Ctx, sec: Section) -> None:
    from tierlib import playbook as pb

    lang, g = ctx.lang, ctx.grading
    n = len(g.tiers)
    keys = pb.tier_keys(n)
    for i, (row, key) in enumerate(zip(g.tiers, keys), start=1):
        card, edited = pb.card(ctx.playbook, pb.tier_card_id(n, i), "tier", key, lang)
        facts = t("report.playbook.facts", lang, n=f"{row['customers']:,}", share=fmt_pct(row.get("customer_share")),
                  profit=_money(row.get("profit"), lang), profit_share=fmt_pct(row.get("profit_share")))
        sec.cards.append(Card(str(row["name"]), card["goal"], list(card["actions"]), card["measure"], facts, edited))
    groups = []
    if ctx.kinds is not None:
        present = set(ctx.kinds["kind"])
        groups.append(("kind", [k for k in pb.KINDS if k in present]))
    if ctx.rfm is not None:
        present = {pb.rfm_card_key(c) for c in ctx.rfm.frame["segment"].dropna()}
        groups.append(("rfm", [k for k in pb.RFM_SEGMENTS if k in present]))
    for group, keys_ in groups:
        for key in keys_:
            card, edited = pb.card(ctx.playbook, pb.group_card_id(group, key), group, key, lang)
            title = _L(f"playbook.{group}.{key}", lang, key)
            sec.cards.append(Card(title, card["goal"], list(card["actions"]), card["measure"], None, edited, group))
    edited = sum(c.edited for c in sec.cards)
    sec.paragraphs.append(t("report.playbook.edited", lang, n=edited) if edited else
                          t("report.playbook.defaults", lang))


_BUILDERS = {"summary": _summary, "pyramids": _pyramids, "curves": _curves, "tiers": _tiers, "rfm": _rfm,
             "kinds": _kinds, "lifecycle": _lifecycle, "churn": _churn, "migration": _migration, "clv": _clv,
             "playbook": _playbook}


def _build_section(ctx: _Ctx, key: str) -> Section:
    sec = Section(key=key, title=t(f"report.section.{key}", ctx.lang))
    if key in CORE_SECTIONS:
        _BUILDERS[key](ctx, sec)  # the core must always work: let errors surface
        return sec
    try:
        _BUILDERS[key](ctx, sec)
    except ImportError as exc:
        return _unavailable(sec, t("report.na.module", ctx.lang), exc)
    except _NotAvailable as exc:
        return _unavailable(sec, t(exc.key, ctx.lang, **exc.params), None)
    except InputError as exc:
        return _unavailable(sec, t("report.na.reason", ctx.lang, reason=_error_text(exc, ctx.lang)), exc)
    except Exception as exc:  # noqa: BLE001 - an optional section must never break the report
        return _unavailable(sec, t("report.na.generic", ctx.lang), exc)
    return sec


def _unavailable(sec: Section, note: str, exc: BaseException | None) -> Section:
    return Section(key=sec.key, title=sec.title, available=False, note=note,
                   error=None if exc is None else f"{type(exc).__name__}: {exc}")


def build_report(loaded, grading: tiers.Grading, lang: str = "zh", *, engine=None, playbook: dict | None = None,
                 extras: dict | None = None) -> ReportData:
    """Build every section of the report of one grading.

    Parameters
    ----------
    loaded : tierlib.pipeline.Loaded
        The data set (``customers``: the per-customer table; ``prepared``: the row report).
    grading : tierlib.tiers.Grading
        The tiering to report (``tiers.grade``), possibly of a filtered customer set.
    lang : {"zh", "en"}
        Language of every word of the report.
    engine : tierlib.engine.Engine, optional
        The engine holding the transactions (``tx``): needed by lifecycle, churn, migration and
        CLV; without it those sections say they are not available.
    playbook : dict, optional
        The user's playbook store ``{"cards": {card_id: card}}``; default cards otherwise.
    extras : dict, optional
        See the module docstring.

    Returns
    -------
    ReportData
    """
    if lang not in i18n.LANGS:
        raise ValueError(f"unknown language {lang!r}")
    ex = dict(extras or {})
    ctx = _Ctx(loaded=loaded, grading=grading, lang=lang, engine=engine, playbook=playbook, ex=ex)
    wanted = set(ex.get("sections") or SECTIONS)
    sections = [_build_section(ctx, key) for key in SECTIONS if key in wanted]
    generated = str(ex.get("generated") or dt.date.today().isoformat())
    source = str(ex.get("source") or "")
    subtitle = t("report.subtitle", lang, source=source, date=generated) if source else \
        t("report.subtitle_nosource", lang, date=generated)
    report = ReportData(lang=lang, title=t("report.doc_title", lang), subtitle=subtitle, generated=generated,
                        key_figures=key_figures(grading, lang), sections=sections, sheets={})
    report.sheets = _sheets(ctx, report)
    return report


# ------------------------------------------------------------------------------------------
# workbook

def _sheet_name(key: str, lang: str) -> str:
    return t(f"report.sheet.{key}", lang)


def _note_frame(lang: str, text: str) -> pd.DataFrame:
    return pd.DataFrame({t("report.col.note", lang): [text]})


def customers_frame(ctx: _Ctx) -> pd.DataFrame:
    """One row per graded customer with the tier, scores and flags of every available section."""
    from tierlib.cli import graded_frame

    lang = ctx.lang
    df = graded_frame(ctx.loaded, ctx.grading)
    if ctx.rfm is not None:
        r = ctx.rfm.frame[["customer_id", "r_score", "f_score", "m_score", "segment"]].copy()
        r["segment"] = [ctx.rfm_names.get(c, c) if isinstance(c, str) else c for c in r["segment"]]
        df = df.merge(r.rename(columns={"segment": "rfm_segment"}), on="customer_id", how="left")
    if ctx.kinds is not None:
        k = ctx.kinds[["customer_id", "kind"]].copy()
        k["kind"] = [_L(f"kinds.kind.{v}", lang, v) for v in k["kind"]]
        df = df.merge(k, on="customer_id", how="left")
    if ctx.stages is not None:
        s = ctx.stages[["customer_id", "stage"]].copy()
        s["stage"] = [_L(f"lifecycle.stage.{v}", lang, v) for v in s["stage"]]
        df = df.merge(s.rename(columns={"stage": "lifecycle_stage"}), on="customer_id", how="left")
    if ctx.churn is not None:
        sep = t("report.list_sep", lang)
        c = ctx.churn[["customer_id", "flags", "value_at_risk"]].copy()
        c["flags"] = [sep.join(_L(f"churn.ind.{f}", lang, f) for f in str(v).split(";") if f) for v in c["flags"]]
        df = df.merge(c.rename(columns={"flags": "churn_flags", "value_at_risk": "churn_value_at_risk"}),
                      on="customer_id", how="left")
    if ctx.clv is not None:
        df = df.merge(ctx.clv[["customer_id", "p_alive", "clv"]], on="customer_id", how="left")
    names = {c: _col("tier_no" if c == "tier" else ("tier" if c == "tier_name" else c), lang) for c in df.columns}
    df = df.rename(columns=names)
    return df.head(XLSX_MAX_ROWS)


def _sheets(ctx: _Ctx, report: ReportData) -> dict[str, pd.DataFrame]:
    lang = ctx.lang
    by_key = {s.key: s for s in report.sections}
    out: dict[str, pd.DataFrame] = {}

    rows = [(t("report.doc_title", lang), report.subtitle)]
    rows += report.key_figures
    g = ctx.grading
    for i, row in enumerate(g.tiers):
        rows.append((t("report.sheet.tier_line", lang, n=i + 1, name=row["name"]),
                     t("report.sheet.tier_value", lang, n=f"{row['customers']:,}",
                       share=fmt_pct(row.get("customer_share")))))
    for sec in report.sections:
        if sec.key == "summary":
            rows += [("", p) for p in sec.paragraphs]
    for sec in report.sections:
        rows.append((sec.title, t("report.included", lang) if sec.available else sec.note))
    if g.ranked.n > XLSX_MAX_ROWS:
        rows.append(("", t("report.sheet.truncated", lang, n=f"{XLSX_MAX_ROWS:,}")))
    out[_sheet_name("summary", lang)] = pd.DataFrame(rows, columns=[t("report.col.item", lang),
                                                                     t("report.col.item_value", lang)])
    out[_sheet_name("tiers", lang)] = tier_table(g, lang).frame
    out[_sheet_name("customers", lang)] = customers_frame(ctx)

    def section_table(key: str, index: int = 0) -> pd.DataFrame:
        sec = by_key.get(key)
        if sec is None:
            return _note_frame(lang, t("report.na.not_requested", lang))
        if not sec.available:
            return _note_frame(lang, sec.note or "")
        return sec.tables[index].frame

    out[_sheet_name("segments", lang)] = section_table("rfm")
    if ctx.churn is not None:
        wl = ctx.churn
        frame = pd.DataFrame({_col("customer_id", lang): wl["customer_id"]})
        if "customer_name" in wl and wl["customer_name"].notna().any():
            frame[_col("customer_name", lang)] = wl["customer_name"]
        frame[_col("tier", lang)] = wl["tier_name"]
        frame[t("report.col.value_at_risk", lang, value=_value_word(ctx.history.value_measure, lang))] = \
            wl["value_at_risk"]
        sep = t("report.list_sep", lang)
        frame[t("report.col.indicators", lang)] = [
            sep.join(_L(f"churn.ind.{f}", lang, f) for f in str(v).split(";") if f) for v in wl["flags"]]
        frame[_col("recency_days", lang)] = wl["recency"]
        out[_sheet_name("churn", lang)] = frame.head(XLSX_MAX_ROWS)
    else:
        out[_sheet_name("churn", lang)] = section_table("churn")
    out[_sheet_name("migration", lang)] = section_table("migration")
    cards = by_key.get("playbook")
    if cards is not None and cards.available:
        yes, no = t("report.yes", lang), t("report.no", lang)
        out[_sheet_name("strategies", lang)] = pd.DataFrame({
            t("report.col.group", lang): [t(f"report.group.{c.group}", lang) for c in cards.cards],
            t("report.col.card", lang): [c.title for c in cards.cards],
            t("report.col.goal", lang): [c.goal for c in cards.cards],
            t("report.col.actions", lang): ["\n".join(f"{i}. {a}" for i, a in enumerate(c.actions, 1))
                                            for c in cards.cards],
            t("report.col.measure", lang): [c.measure for c in cards.cards],
            t("report.col.edited", lang): [yes if c.edited else no for c in cards.cards],
        })
    else:
        out[_sheet_name("strategies", lang)] = section_table("playbook")
    return out


def to_xlsx(report: ReportData) -> bytes:
    """The workbook: the sheets of ``SHEETS`` (localised names), numbers as numbers, no formulas."""
    sheets = {}
    for name, df in report.sheets.items():
        df = df.copy()
        for col in df.columns:
            # A text column empty in its first rows would break the width estimate of to_xlsx_bytes.
            if not pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_datetime64_any_dtype(df[col]) \
                    and df[col].head(200).isna().all():
                df[col] = df[col].astype(object).where(df[col].notna(), "")
        sheets[name] = df
    return to_xlsx_bytes(sheets)


# ------------------------------------------------------------------------------------------
# HTML

_CSS = """
:root { --ink: #1f2328; --muted: #5f6b7a; --line: #d8dee4; --accent: #8B1E3F; --soft: #f6f8fa; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.55; font-size: 15px;
  font-family: -apple-system, "Segoe UI", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "Noto Sans",
  Arial, sans-serif; }
.page { max-width: 980px; margin: 0 auto; padding: 24px 20px 48px; }
header.cover { border-bottom: 3px solid var(--accent); padding-bottom: 12px; margin-bottom: 16px; }
header.cover h1 { margin: 0 0 4px; font-size: 28px; }
header.cover .sub { color: var(--muted); }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 10px; margin: 16px 0; }
.kpi { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: var(--soft); }
.kpi .label { color: var(--muted); font-size: 12px; }
.kpi .value { font-size: 22px; font-weight: 600; }
nav.toc { margin: 8px 0 20px; padding: 10px 14px; border: 1px solid var(--line); border-radius: 8px; }
nav.toc ol { margin: 4px 0 0; padding-left: 22px; columns: 2; }
nav.toc a { color: var(--accent); text-decoration: none; }
nav.toc .na { color: var(--muted); }
section.sec { margin: 28px 0; }
section.sec h2 { font-size: 21px; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin: 0 0 10px; }
section.sec h3 { font-size: 16px; margin: 14px 0 6px; }
p.na { color: var(--muted); font-style: italic; }
.chart { width: 100%; max-width: 680px; margin: 8px auto 14px; }
.table-wrap { overflow-x: auto; margin: 6px 0 14px; }
table.data { border-collapse: collapse; width: 100%; font-size: 13px; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: 4px 8px; vertical-align: top; }
table.data th { text-align: left; background: var(--soft); font-weight: 600; }
table.data td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.data tbody tr:last-child td { border-bottom: 2px solid var(--line); }
p.caption { color: var(--muted); font-size: 13px; margin: 2px 0 8px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 6px; padding: 10px 14px;
  break-inside: avoid; page-break-inside: avoid; }
.card h3 { margin: 0 0 4px; }
.card .facts { color: var(--muted); font-size: 13px; margin: 0 0 6px; }
.card .badge { font-size: 11px; color: #fff; background: #d08c2b; border-radius: 4px; padding: 1px 6px;
  margin-left: 6px; vertical-align: middle; }
.card ol { margin: 4px 0 6px; padding-left: 22px; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@page { size: A4 portrait; margin: 14mm; }
@media print {
  body { font-size: 11pt; }
  .page { max-width: none; padding: 0; }
  nav.toc { display: none; }
  section.sec { break-before: page; page-break-before: always; margin: 0; }
  main > section.sec:first-child { break-before: auto; page-break-before: auto; margin-top: 12px; }
  .chart { width: 180mm; max-width: 180mm; break-inside: avoid; page-break-inside: avoid; }
  .table-wrap { overflow: visible; }
  table.data { font-size: 7.5pt; }
  table.data th, table.data td { padding: 2px 3px; }
  table.data tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .kpi, .card { background: none; }
}
"""

# Constant script: draw each figure from its JSON block. Charts are at most PRINT_WIDTH wide on
# screen, so printing needs no redraw; narrower ones (phones) are widened before printing. Resizes
# are handled here rather than by Plotly's "responsive" mode, which redraws (and restarts the
# Sankey's animation) when the print layout is applied.
_BOOT_JS = """
(function () {
  var CONFIG = %(config)s, PRINT_WIDTH = %(width)d, timer = null;
  function plots() { return Array.prototype.slice.call(document.querySelectorAll('.chart[data-fig]')); }
  function printing() { return window.matchMedia && window.matchMedia('print').matches; }
  function draw() {
    plots().forEach(function (el) {
      var spec = JSON.parse(document.getElementById(el.getAttribute('data-fig')).textContent);
      Plotly.newPlot(el, spec.data || [], spec.layout || {}, CONFIG);
    });
  }
  window.addEventListener('resize', function () {
    if (printing()) { return; }
    clearTimeout(timer);
    timer = setTimeout(function () { plots().forEach(function (el) { Plotly.Plots.resize(el); }); }, 150);
  });
  window.addEventListener('beforeprint', function () {
    plots().forEach(function (el) {
      if (el.getBoundingClientRect().width < PRINT_WIDTH - 40) { Plotly.relayout(el, {width: PRINT_WIDTH}); }
    });
  });
  window.addEventListener('afterprint', function () {
    plots().forEach(function (el) {
      if (el.layout && el.layout.width === PRINT_WIDTH) { Plotly.relayout(el, {width: null, autosize: true}); }
    });
  });
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', draw); } else { draw(); }
})();
"""

_CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
        "img-src data: blob:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'")


def _e(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def script_json(text: str) -> str:
    """JSON made safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` (which JSON only has
    inside strings) become ``\\u003c``/``\\u003e``/``\\u0026``, so no text can close the element."""
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _figure_html(fig: go.Figure, fig_id: str) -> str:
    spec = pio.to_json(fig, validate=False, pretty=False)
    height = int(fig.layout.height or 420)
    return (f'<div class="chart" id="{fig_id}" data-fig="{fig_id}-json" style="min-height:{height}px"></div>\n'
            f'<script type="application/json" id="{fig_id}-json">{script_json(spec)}</script>')


def _table_html(table: Table, lang: str) -> str:
    parts = []
    if table.title:
        parts.append(f"<h3>{_e(table.title)}</h3>")
    kinds = [table.formats.get(c, "text") for c in table.frame.columns]
    head = "".join(f"<th>{_e(c)}</th>" for c in table.frame.columns)
    body = []
    for row in table.frame.itertuples(index=False):
        cells = []
        for v, kind in zip(row, kinds):
            cls = ' class="num"' if kind not in ("text", "date") else ""
            cells.append(f"<td{cls}>{_e(format_value(v, kind, lang))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    parts.append(f'<div class="table-wrap"><table class="data"><thead><tr>{head}</tr></thead>'
                 f'<tbody>{"".join(body)}</tbody></table></div>')
    if table.note:
        parts.append(f'<p class="caption">{_e(table.note)}</p>')
    return "\n".join(parts)


def _card_html(card: Card, lang: str) -> str:
    badge = f'<span class="badge">{_e(t("report.playbook.badge", lang))}</span>' if card.edited else ""
    facts = f'<p class="facts">{_e(card.facts)}</p>' if card.facts else ""
    actions = "".join(f"<li>{_e(a)}</li>" for a in card.actions)
    return (f'<div class="card"><h3>{_e(card.title)}{badge}</h3>{facts}'
            f'<p><strong>{_e(t("report.playbook.goal", lang))}</strong> {_e(card.goal)}</p>'
            f'<p><strong>{_e(t("report.playbook.actions", lang))}</strong></p><ol>{actions}</ol>'
            f'<p><strong>{_e(t("report.playbook.measure", lang))}</strong> {_e(card.measure)}</p></div>')


def _section_html(sec: Section, n: int, lang: str) -> str:
    out = [f'<section class="sec" id="sec-{sec.key}"><h2>{n}. {_e(sec.title)}</h2>']
    if not sec.available:
        out.append(f'<p class="na">{_e(sec.note)}</p></section>')
        return "\n".join(out)
    if sec.note:
        out.append(f'<p class="caption">{_e(sec.note)}</p>')
    out += [f"<p>{_e(p)}</p>" for p in sec.paragraphs]
    for i, (name, fig) in enumerate(sec.figures):
        if sec.captions.get(name):
            out.append(f"<p>{_e(sec.captions[name])}</p>")
        out.append(_figure_html(fig, f"fig-{sec.key}-{i}"))
    out += [_table_html(tb, lang) for tb in sec.tables]
    out += [f'<p class="caption">{_e(p)}</p>' for p in sec.footnotes]
    groups = []
    for card in sec.cards:
        if not groups or groups[-1][0] != card.group:
            groups.append((card.group, []))
        groups[-1][1].append(card)
    for group, cards in groups:
        if len(groups) > 1:
            out.append(f"<h3>{_e(t(f'report.group.{group}', lang))}</h3>")
        out.append('<div class="cards">' + "".join(_card_html(c, lang) for c in cards) + "</div>")
    out.append("</section>")
    return "\n".join(out)


def to_html(report: ReportData) -> str:
    """The report as one self-contained HTML document (see the module docstring)."""
    from plotly.offline import get_plotlyjs

    import json

    lang = report.lang
    kpis = "".join(f'<div class="kpi"><div class="label">{_e(k)}</div><div class="value">{_e(v)}</div></div>'
                   for k, v in report.key_figures)
    toc = []
    for i, sec in enumerate(report.sections, start=1):
        if sec.available:
            toc.append(f'<li><a href="#sec-{sec.key}">{_e(sec.title)}</a></li>')
        else:
            toc.append(f'<li class="na">{_e(sec.title)} — {_e(t("report.toc.na", lang))}</li>')
    sections = "\n".join(_section_html(sec, i, lang) for i, sec in enumerate(report.sections, start=1))
    boot = _BOOT_JS % {"config": json.dumps(PLOT_CONFIG), "width": PRINT_WIDTH_PX}
    return f"""<!DOCTYPE html>
<html lang="{HTML_LANG.get(lang, lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="generator" content="Customer Pyramid">
<title>{_e(report.title)}</title>
<style>{_CSS}</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<div class="page">
<header class="cover"><h1>{_e(report.title)}</h1><div class="sub">{_e(report.subtitle)}</div></header>
<div class="kpis">{kpis}</div>
<nav class="toc"><strong>{_e(t("report.toc", lang))}</strong><ol>{"".join(toc)}</ol></nav>
<main>
{sections}
</main>
<footer>{_e(t("report.footer", lang, date=report.generated))}</footer>
</div>
<script>{boot}</script>
</body>
</html>
"""


def write(report: ReportData, path) -> None:
    """Write the report to ``path``: ``.html``/``.htm`` -> ``to_html``, ``.xlsx`` -> ``to_xlsx``."""
    from pathlib import Path

    path = Path(path)
    ext = path.suffix.lower()
    if ext in (".html", ".htm"):
        data = to_html(report).encode("utf-8")
    elif ext == ".xlsx":
        data = to_xlsx(report)
    else:
        raise InputError("report.bad_out", path=str(path))
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


__all__ = ["SECTIONS", "CORE_SECTIONS", "SHEETS", "CHURN_TOP", "Table", "Card", "Section", "ReportData",
           "build_report", "to_html", "to_xlsx", "write", "display_frame", "format_value", "tier_table",
           "customer_tiers", "key_figures", "reading", "script_json"]
