"""Streamlit views for the behaviour pages: RFM segments (pages/rfm.py) and customer kinds
(pages/kinds.py). The pages are thin callers; the numbers come from tierlib.rfm / tierlib.kinds.

Settings live under their own session-state keys (``rfm_*`` / ``kinds_*``, never widget keys) so
they survive page switches. What the user edits by hand is kept with the workspace:
``ws.annotations["rfm_rules"] = {"<bins>": [rule, ...]}`` (only the bin counts whose table was
edited) and ``ws.annotations["kind_tags"] = {customer_id: ["relationship", "strategic"]}``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from tierlib import kinds, rfm, rfm_charts
from tierlib.export import to_csv_bytes
from tierlib.i18n import fmt_pct as _fmt_pct
from tierlib.io import InputError
from ui import state

T = state.T
PLOT_CONFIG = {"displayModeBar": False}

K_MONETARY = "rfm_monetary"
K_BINS = "rfm_bins"
K_AS_OF = "rfm_as_of"
K_METHOD = "rfm_method"
K_BREAKS = "rfm_breaks"  # {measure: text}
K_KIND_MARGIN = "kinds_margin_pct"
K_KIND_TOP = "kinds_top_pct"
K_TAG_VER = "kinds_tag_ver"
K_TAG_BASE = "kinds_tag_base"
A_RULES = "rfm_rules"
A_TAGS = "kind_tags"
MAX_ROWS_SHOWN = 2_000
TAG_ROWS = 300
MEASURE_COLS = {"recency": "recency_days", "frequency": "frequency", "monetary": "monetary"}
NONE = "—"  # a lone "-" in st.table renders as a Markdown bullet


def fmt_pct(x) -> str:
    return NONE if x is None or (isinstance(x, float) and math.isnan(x)) else _fmt_pct(x)


@dataclass
class Settings:
    monetary: str
    bins: int
    as_of: dt.date | None  # None = the latest order date
    breaks: dict  # {measure: [numbers]} for the measures scored by break points


# ------------------------------------------------------------------------------------------
# RFM: settings and the (cached) result

def _monetary_options(ws: state.Workspace) -> list[str]:
    opts = []
    if ws.loaded.prepared.has_revenue:
        opts.append("revenue")
    if ws.loaded.prepared.has_profit:
        opts.append("profit")
    return opts or ["revenue"]


def _date_bounds(ws: state.Workspace):
    last = ws.loaded.customers["last_order"] if "last_order" in ws.loaded.customers else None
    if last is None or last.notna().sum() == 0:
        return None, None
    first = ws.loaded.customers["first_order"].min()
    return pd.Timestamp(first).date(), pd.Timestamp(last.max()).date()


def controls(ws: state.Workspace) -> Settings:
    """Money measure, number of scores, as-of date and scoring method."""
    ss = st.session_state
    opts = _monetary_options(ws)
    if ss.get(K_MONETARY) not in opts:
        ss[K_MONETARY] = opts[0]
    ss.setdefault(K_BINS, rfm.DEFAULT_BINS)
    ss.setdefault(K_METHOD, "quantiles")
    first, last = _date_bounds(ws)

    c1, c2, c3, c4 = st.columns([2, 2, 2, 3])
    monetary = c1.selectbox(T("rfm.monetary"), opts, index=opts.index(ss[K_MONETARY]),
                            format_func={k: T(f"rfm.monetary.{k}") for k in opts}.get,
                            key=f"w_rfm_monetary_{state.lang()}")
    ss[K_MONETARY] = monetary
    bins_opts = list(rfm.BIN_CHOICES)
    bins = c2.selectbox(T("rfm.bins"), bins_opts, index=bins_opts.index(ss[K_BINS]), key="w_rfm_bins",
                        help=T("rfm.bins_help"))
    ss[K_BINS] = bins
    as_of = None
    if last is not None:
        cur = ss.get(K_AS_OF)
        if not isinstance(cur, dt.date) or not (first <= cur <= last):
            cur = last
        # The data's date range is part of the key: another data set gets a fresh widget.
        picked = c3.date_input(T("rfm.as_of"), value=cur, min_value=first, max_value=last,
                               key=f"w_rfm_as_of_{first.isoformat()}_{last.isoformat()}", help=T("rfm.as_of_help"))
        if isinstance(picked, dt.date):
            ss[K_AS_OF] = picked
            as_of = None if picked == last else picked
    else:
        c3.text_input(T("rfm.as_of"), value=T("rfm.as_of_none"), disabled=True, key="w_rfm_as_of_none")
    methods = ["quantiles", "breaks"]
    method = c4.radio(T("rfm.method"), methods, index=methods.index(ss[K_METHOD]), horizontal=True,
                      format_func={k: T(f"rfm.method.{k}") for k in methods}.get, key=f"w_rfm_method_{state.lang()}")
    ss[K_METHOD] = method
    breaks = _break_inputs(bins) if method == "breaks" else {}
    return Settings(monetary=monetary, bins=bins, as_of=as_of, breaks=breaks)


def _break_inputs(bins: int) -> dict:
    """One text box per measure; an empty box keeps quantile scores for that measure."""
    ss = st.session_state
    texts = dict(ss.get(K_BREAKS) or {})
    st.caption(T("rfm.breaks_help", n=bins - 1))
    cols = st.columns(3)
    out = {}
    for col, m in zip(cols, rfm.MEASURES):
        text = col.text_input(T(f"rfm.breaks.{m}"), value=texts.get(m, ""), key=f"w_rfm_breaks_{m}",
                              placeholder=T(f"rfm.breaks.{m}_example"))
        texts[m] = text
        if text.strip():
            out[m] = rfm.parse_breaks(text)
    ss[K_BREAKS] = texts
    return out


def _customers_as_of(ws: state.Workspace, as_of: dt.date | None) -> pd.DataFrame:
    """The customer table, cut at the end of ``as_of`` when it is before the last order."""
    if as_of is None:
        return ws.loaded.customers
    key = ("rfm_customers", as_of)
    if key not in ws.cache:
        _evict(ws, "rfm_customers")
        ws.cache[key] = ws.engine.customers(filters={"date_to": as_of + dt.timedelta(days=1)})
    return ws.cache[key]


def _evict(ws: state.Workspace, prefix: str, keep: int = 2) -> None:
    """Keep at most ``keep`` cached entries whose key starts with ``prefix`` (oldest go first)."""
    keys = [k for k in ws.cache if isinstance(k, tuple) and k and k[0] == prefix]
    for k in keys[: max(0, len(keys) - keep + 1)]:
        del ws.cache[k]


def current_rules(ws: state.Workspace, bins: int) -> list[dict]:
    """The user's rule table for ``bins`` scores, else the default one."""
    saved = (ws.annotations.get(A_RULES) or {}).get(str(bins))
    return [dict(r) for r in saved] if saved else rfm.default_rules(bins)


def result(ws: state.Workspace, s: Settings) -> rfm.RFMResult:
    """Scores (cached per data set and settings) with the current rules applied."""
    frozen = tuple(sorted((m, tuple(v)) for m, v in s.breaks.items()))
    key = ("rfm", s.as_of, s.monetary, s.bins, frozen)
    if key not in ws.cache:
        cust = _customers_as_of(ws, s.as_of)
        if len(cust) == 0:
            raise InputError("rfm.no_customers")
        _evict(ws, "rfm", keep=4)
        ws.cache[key] = rfm.compute(cust, as_of=s.as_of, monetary=s.monetary, bins=s.bins, breaks=s.breaks)
    rules = current_rules(ws, s.bins)
    return ws.cache[key] if rules == rfm.default_rules(s.bins) else rfm.with_rules(ws.cache[key], rules)


# ------------------------------------------------------------------------------------------
# RFM: display

def segment_names(rules) -> dict[str, str]:
    """code -> display name in the current language (custom names as typed)."""
    out = {code: T(f"rfm.seg.{code}") for code in (*rfm.SEGMENT_CODES, rfm.UNCLASSIFIED)}
    for r in rules or []:
        code = r.get("code")
        if code and code not in out:
            out[code] = code[len("custom:"):] if str(code).startswith("custom:") else str(code)
    out.update(rfm.custom_names(rules))
    return out


def segment_colors(rules) -> dict[str, str]:
    codes = {*rfm.SEGMENT_CODES, rfm.UNCLASSIFIED, *(r.get("code") for r in rules or [] if r.get("code"))}
    return {c: rfm.segment_color(c, rules) for c in codes}


def notes(res: rfm.RFMResult, ws: state.Workspace) -> None:
    """Say what could not be measured, which scores collapsed and who was left out."""
    if "recency" not in res.available:
        st.warning(T("rfm.no_recency"), icon=":material/event_busy:")
    if "frequency" not in res.available:
        st.warning(T("rfm.no_frequency"), icon=":material/info:")
    for m, used in res.collapsed.items():
        st.info(T("rfm.collapsed", measure=T(f"rfm.measure.{m}"), used=used, bins=res.bins,
                  scores=", ".join(map(str, res.scores_used[m]))), icon=":material/join_inner:")
    for m, n in res.excluded.items():
        st.info(T("rfm.excluded", n=f"{n:,}", measure=T(f"rfm.measure.{m}")), icon=":material/info:")
    if res.monetary == "profit" and ws.loaded.prepared.profit_source == "estimated":
        st.warning(T("tiers.estimated_note"), icon=":material/warning:")


def headline(res: rfm.RFMResult) -> None:
    cols = st.columns(4)
    cols[0].metric(T("rfm.metric.customers"), f"{res.n:,}",
                   help=T("rfm.metric.as_of", date=res.as_of.date().isoformat()) if res.as_of is not None else None)
    if not res.has_segments:
        return
    names = segment_names(res.rules)
    for col, code in ((cols[1], "champions"), (cols[2], "loyal")):
        n = res.count(code)
        col.metric(T("rfm.metric.segment", name=names[code], share=fmt_pct(n / res.n if res.n else None)), f"{n:,}")
    n = res.count("at_risk") + res.count("cant_lose")
    cols[3].metric(T("rfm.metric.win_back", share=fmt_pct(n / res.n if res.n else None)), f"{n:,}",
                   help=T("rfm.metric.win_back_help"))
    if res.as_of is not None:
        st.caption(T("rfm.as_of_line", date=res.as_of.date().isoformat()))


def summary_display(res: rfm.RFMResult) -> pd.DataFrame:
    """The segment table as text for st.table (localised headers, thousands separators)."""
    df = rfm.segment_summary(res)
    names = segment_names(res.rules)

    def num(v, spec):
        return NONE if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, spec)

    return pd.DataFrame({
        T("rfm.col.segment"): [names.get(c, c) for c in df["segment"]],
        T("rfm.col.customers"): [f"{int(v):,}" for v in df["customers"]],
        T("rfm.col.share"): [fmt_pct(v) for v in df["share"]],
        T("rfm.col.revenue"): [num(v, ",.2f") for v in df["revenue"]],
        T("rfm.col.profit"): [num(v, ",.2f") for v in df["profit"]],
        T("rfm.col.avg_recency"): [num(v, ",.0f") for v in df["avg_recency"]],
        T("rfm.col.avg_frequency"): [num(v, ",.1f") for v in df["avg_frequency"]],
        T("rfm.col.avg_monetary"): [num(v, ",.2f") for v in df["avg_monetary"]],
    })


def actions(res: rfm.RFMResult) -> None:
    """The suggested approach for each segment that has customers (built-in segments only)."""
    df = rfm.segment_summary(res)
    names = segment_names(res.rules)
    lines = [f"- **{names.get(c, c)}**：{T(f'rfm.action.{c}')}" if state.lang() == "zh" else
             f"- **{names.get(c, c)}**: {T(f'rfm.action.{c}')}"
             for c, n in zip(df["segment"], df["customers"])
             if n > 0 and (c in rfm.SEGMENT_CODES or c == rfm.UNCLASSIFIED)]
    if lines:
        st.markdown(f"**{T('rfm.col.action')}**")
        half = (len(lines) + 1) // 2
        c1, c2 = st.columns(2)
        c1.markdown("\n".join(lines[:half]))
        c2.markdown("\n".join(lines[half:]))


def treemap(res: rfm.RFMResult):
    labels = {"customers": T("rfm.col.customers"), "revenue": T("rfm.col.revenue"), "profit": T("rfm.col.profit"),
              "tile": T("rfm.chart.tile")}
    return rfm_charts.segment_treemap(rfm.segment_summary(res), names=segment_names(res.rules),
                                      colors=segment_colors(res.rules), labels=labels)


def heatmap(res: rfm.RFMResult, y: str = "recency", x: str = "frequency"):
    counts, mean = rfm.score_grid(res, y=y, x=x)
    labels = {"x_title": T(f"rfm.score_axis.{x}"), "y_title": T(f"rfm.score_axis.{y}"),
              "x_short": T(f"rfm.short.{x}"), "y_short": T(f"rfm.short.{y}"),
              "colorbar": T("rfm.chart.avg_monetary", measure=T(f"rfm.monetary.{res.monetary}")),
              "customers": T("rfm.col.customers"),
              "value": T("rfm.chart.avg_monetary", measure=T(f"rfm.monetary.{res.monetary}"))}
    return rfm_charts.score_heatmap(counts, mean, labels=labels)


def score_legend(res: rfm.RFMResult) -> pd.DataFrame:
    """What each score means in these data, as text: one row per score, one column per measure."""
    ranges = rfm.score_ranges(res)
    out = {T("rfm.col.score"): list(range(res.bins, 0, -1))}
    for m in res.available:
        part = ranges[ranges["measure"] == m]
        cells = []
        for r in part.itertuples(index=False):
            if r.customers == 0:
                cells.append(T("rfm.legend.empty"))
                continue
            spec = ",.2f" if m == "monetary" else ",.0f"
            lo, hi = format(r.min, spec), format(r.max, spec)
            span = lo if lo == hi else f"{lo} – {hi}"
            cells.append(T(f"rfm.legend.{m}", span=span, n=f"{r.customers:,}"))
        out[T(f"rfm.measure.{m}")] = cells
    return pd.DataFrame(out)


def crosstab(ws: state.Workspace, res: rfm.RFMResult, as_share: bool) -> pd.DataFrame | None:
    from ui.tier_view import customer_tiers

    try:
        tiers = customer_tiers(ws)
    except InputError:
        return None
    order = [c for c in rfm.segment_order(res.rules, res.bins)]
    if (res.frame["segment"] == rfm.UNCLASSIFIED).any():
        order.append(rfm.UNCLASSIFIED)
    ct = rfm.tier_crosstab(res.frame, tiers, order)
    names = segment_names(res.rules)
    if as_share:
        body = ct.drop(columns="total")
        shares = body.div(ct["total"].where(ct["total"] > 0), axis=0)
        disp = shares.apply(lambda col: [fmt_pct(v) if pd.notna(v) else NONE for v in col])
        disp["total"] = [f"{int(v):,}" for v in ct["total"]]
    else:
        disp = ct.apply(lambda col: [f"{int(v):,}" for v in col])
    disp.columns = [T("rfm.col.total") if c == "total" else names.get(c, c) for c in disp.columns]
    disp.index.name = T("rfm.col.tier")
    return disp.reset_index()


def customers_table(res: rfm.RFMResult, code: str | None) -> pd.DataFrame:
    f = res.frame if not code else res.frame[res.frame["segment"] == code]
    names = segment_names(res.rules)
    out = pd.DataFrame({T("rfm.col.customer_id"): f["customer_id"]})
    if "customer_name" in f:
        out[T("rfm.col.customer_name")] = f["customer_name"]
    for m in res.available:
        out[T(f"rfm.measure.{m}")] = f[MEASURE_COLS[m]].round(2) if m == "monetary" else f[MEASURE_COLS[m]]
    for m in res.available:
        out[T(f"rfm.short.{m}")] = f[rfm.SCORE_COLUMNS[m]]
    if res.has_segments:
        out[T("rfm.col.segment")] = f["segment"].map(lambda c: names.get(c, c))
    return out


def customers_panel(res: rfm.RFMResult) -> None:
    names = segment_names(res.rules)
    code = None
    if res.has_segments:
        opts = ["", *rfm.segment_order(res.rules, res.bins)]
        if (res.frame["segment"] == rfm.UNCLASSIFIED).any():
            opts.append(rfm.UNCLASSIFIED)
        labels = {c: (names.get(c, c) if c else T("rfm.all_segments")) for c in opts}
        code = st.selectbox(T("rfm.pick_segment"), opts, format_func=labels.get,
                            key=f"w_rfm_pick_{state.lang()}") or None
    table = customers_table(res, code)
    st.caption(T("rfm.shown", n=f"{min(len(table), MAX_ROWS_SHOWN):,}", total=f"{len(table):,}"))
    st.dataframe(table.head(MAX_ROWS_SHOWN), hide_index=True, width="stretch", height=420, key="rfm_customers")
    st.download_button(T("rfm.download"), lambda: to_csv_bytes(customers_table(res, code)),
                       file_name=f"rfm_{code or 'all'}.csv".replace(":", "_"), mime="text/csv",
                       key="rfm_download", icon=":material/download:")


# ------------------------------------------------------------------------------------------
# RFM: the rule editor

def _digest(obj) -> str:
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def rules_editor(ws: state.Workspace, res: rfm.RFMResult) -> None:
    """The rule table in st.data_editor, the coverage check, and a reset button.

    The editor's key is derived from the rules it shows (and the bin count and language): after
    an edit the new table is saved in ``ws.annotations`` and the page reruns, so the segments
    above follow and the editor starts again from the saved table. A table changed anywhere else
    (a reset, a restored workspace) therefore can never be overwritten by a stale editor.
    """
    bins = res.bins
    rules = current_rules(ws, bins)
    defaults = {c: T(f"rfm.seg.{c}") for c in rfm.SEGMENT_CODES}
    ekey = f"w_rfm_rules_{bins}_{state.lang()}_{_digest(rules)}"
    base = rfm.rules_to_frame(rules)
    base["name"] = [r.get("name") or defaults.get(r.get("code"), r.get("code")) for r in rules]
    st.caption(T("rfm.rules.help", bins=bins))
    score = dict(min_value=1, max_value=bins, step=1, format="%d")
    edited = st.data_editor(
        base, key=ekey, num_rows="dynamic", hide_index=True, width="stretch",
        height=35 * (len(base) + 2) + 3,  # every rule visible, plus the header and the add row
        column_config={
            "code": st.column_config.TextColumn(T("rfm.rules.code"), disabled=True, help=T("rfm.rules.code_help")),
            "name": st.column_config.TextColumn(T("rfm.rules.name")),
            "r_min": st.column_config.NumberColumn(T("rfm.rules.r_min"), **score),
            "r_max": st.column_config.NumberColumn(T("rfm.rules.r_max"), **score),
            "f_min": st.column_config.NumberColumn(T("rfm.rules.f_min"), **score),
            "f_max": st.column_config.NumberColumn(T("rfm.rules.f_max"), **score),
            "m_min": st.column_config.NumberColumn(T("rfm.rules.m_min"), **score),
            "m_max": st.column_config.NumberColumn(T("rfm.rules.m_max"), **score),
        },
    )
    new_rules = rfm.rules_from_frame(edited, default_names=defaults)
    if new_rules != rules:
        _save_rules(ws, bins, new_rules)
        st.rerun()
    edited_before = str(bins) in (ws.annotations.get(A_RULES) or {})
    if st.button(T("rfm.rules.reset"), key="w_rfm_rules_reset", icon=":material/restart_alt:",
                 disabled=not edited_before):
        _save_rules(ws, bins, rfm.default_rules(bins))
        st.rerun()
    coverage_panel(res, rules)


def _save_rules(ws: state.Workspace, bins: int, rules: list[dict]) -> None:
    saved = dict(ws.annotations.get(A_RULES) or {})
    if rules == rfm.default_rules(bins):
        saved.pop(str(bins), None)
    else:
        saved[str(bins)] = rules
    ws.annotations[A_RULES] = saved


def coverage_panel(res: rfm.RFMResult, rules) -> None:
    cov = rfm.coverage(rules, res.bins)
    names = segment_names(rules)
    for p in cov.problems:
        st.warning(T(f"rfm.rules.problem.{p['reason']}", row=p["row"] + 1, bins=res.bins), icon=":material/warning:")
    if cov.ok:
        st.success(T("rfm.rules.covered", total=cov.total, bins=res.bins), icon=":material/check_circle:")
    else:
        n_cust = int((res.frame["segment"] == rfm.UNCLASSIFIED).sum()) if res.has_segments else 0
        combos = ", ".join(f"R{r}F{f}M{m}" for r, f, m in cov.gaps[:40]) + (" …" if len(cov.gaps) > 40 else "")
        st.error(T("rfm.rules.gaps", n=len(cov.gaps), total=cov.total, customers=f"{n_cust:,}",
                   name=names[rfm.UNCLASSIFIED], combos=combos), icon=":material/error:")
    if cov.shadowed:
        st.info(T("rfm.rules.shadowed", names="、".join(names.get(cov.rules[i]["code"], cov.rules[i]["code"])
                                                      for i in cov.shadowed) if state.lang() == "zh" else
                  ", ".join(names.get(cov.rules[i]["code"], cov.rules[i]["code"]) for i in cov.shadowed)),
                icon=":material/visibility_off:")


# ------------------------------------------------------------------------------------------
# kinds

def kind_names() -> dict[str, str]:
    return {k: T(f"kinds.kind.{k}") for k in kinds.KINDS}


def current_tags(ws: state.Workspace) -> dict[str, list[str]]:
    return kinds.clean_tags(ws.annotations.get(A_TAGS))


def kind_thresholds(ws: state.Workspace) -> tuple[float, float, float]:
    """Margin threshold (fraction), revenue threshold (amount) and the top share behind it,
    from two sliders whose values survive page switches."""
    ss = st.session_state
    key = ("kinds_defaults",)
    if key not in ws.cache:
        cust = ws.loaded.customers
        rates = kinds.margin_rates(cust).dropna()
        lo = math.floor(min(0.0, float(rates.quantile(0.01))) * 100) if len(rates) else 0
        hi = math.ceil(max(0.01, float(rates.quantile(0.99))) * 100) if len(rates) else 100
        ws.cache[key] = (kinds.default_margin_threshold(cust), lo, hi)
    median, lo, hi = ws.cache[key]
    median_pct = round(median * 100, 1) if math.isfinite(median) else 0.0
    if K_KIND_MARGIN not in ss or not (lo <= ss[K_KIND_MARGIN] <= hi):
        ss[K_KIND_MARGIN] = min(max(median_pct, float(lo)), float(hi))
    ss.setdefault(K_KIND_TOP, kinds.DEFAULT_TOP_SHARE * 100)
    c1, c2, c3 = st.columns([3, 3, 1])
    margin_pct = c1.slider(T("kinds.margin_threshold"), min_value=float(lo), max_value=float(hi),
                           value=float(ss[K_KIND_MARGIN]), step=0.5, format="%.1f%%", key=f"w_kinds_margin_{lo}_{hi}",
                           help=T("kinds.margin_threshold_help", median=f"{median_pct:.1f}%"))
    top_pct = c2.slider(T("kinds.top_share"), min_value=1.0, max_value=100.0, value=float(ss[K_KIND_TOP]),
                        step=1.0, format="%.0f%%", key="w_kinds_top", help=T("kinds.top_share_help"))
    c3.write("")
    if c3.button(T("kinds.reset"), key="w_kinds_reset", icon=":material/restart_alt:"):
        ss[K_KIND_MARGIN] = median_pct
        ss[K_KIND_TOP] = kinds.DEFAULT_TOP_SHARE * 100
        for k in (f"w_kinds_margin_{lo}_{hi}", "w_kinds_top"):
            ss.pop(k, None)
        st.rerun()
    ss[K_KIND_MARGIN], ss[K_KIND_TOP] = margin_pct, top_pct
    revenue = kinds.revenue_at_top_share(ws.loaded.customers, top_pct / 100)
    # The slider shows the median rounded to 0.1%; left there, the exact median applies.
    margin = median if math.isfinite(median) and abs(margin_pct - median_pct) < 1e-9 else margin_pct / 100
    return margin, revenue, top_pct / 100


def classified(ws: state.Workspace, margin: float, revenue: float) -> pd.DataFrame:
    tags = current_tags(ws)
    key = ("kinds", margin, revenue, tuple(sorted((k, tuple(v)) for k, v in tags.items())))
    if key not in ws.cache:
        _evict(ws, "kinds", keep=1)  # keep one classification only
        ws.cache[key] = kinds.classify(ws.loaded.customers, margin, revenue, tags)
    return ws.cache[key]


def kinds_headline(df: pd.DataFrame) -> None:
    summary = kinds.kind_summary(df)
    names = kind_names()
    cols = st.columns(len(kinds.DISPLAY_ORDER))
    for col, row in zip(cols, summary.itertuples(index=False)):
        col.metric(T("kinds.metric", name=names[row.kind], share=fmt_pct(row.share)), f"{int(row.customers):,}")


def quadrant(df: pd.DataFrame, margin: float, revenue: float):
    labels = {"x_title": T("kinds.axis.revenue"), "y_title": T("kinds.axis.margin"),
              "margin_line": T("kinds.line.margin"), "revenue_line": T("kinds.line.revenue"),
              "revenue": T("kinds.col.revenue"), "margin": T("kinds.col.margin_rate")}
    return kinds.quadrant_chart(df, margin, revenue, names=kind_names(), labels=labels)


def kinds_table(df: pd.DataFrame) -> pd.DataFrame:
    s = kinds.kind_summary(df)
    names = kind_names()
    return pd.DataFrame({
        T("kinds.col.kind"): [names[k] for k in s["kind"]],
        T("kinds.col.customers"): [f"{int(v):,}" for v in s["customers"]],
        T("kinds.col.share"): [fmt_pct(v) for v in s["share"]],
        T("kinds.col.revenue"): [f"{v:,.2f}" for v in s["revenue"]],
        T("kinds.col.profit"): [f"{v:,.2f}" for v in s["profit"]],
        T("kinds.col.margin_rate"): [fmt_pct(v) if pd.notna(v) else NONE for v in s["margin_rate"]],
    })


def approaches() -> None:
    """What marks each kind and how to look after it."""
    names = kind_names()
    cols = st.columns(len(kinds.DISPLAY_ORDER))
    for col, k in zip(cols, kinds.DISPLAY_ORDER):
        with col.container(border=True):
            st.markdown(f"**{names[k]}**")
            st.caption(T(f"kinds.mark.{k}"))
            st.write(T(f"kinds.approach.{k}"))


def _tag_rows(df: pd.DataFrame, tags: dict, query: str) -> pd.DataFrame:
    """Tagged customers first, then the customers matching ``query`` (id or name), else the top
    customers by revenue; at most TAG_ROWS rows besides the tagged ones."""
    tagged = df[df["customer_id"].astype(str).isin(tags)]
    rest = df[~df["customer_id"].astype(str).isin(tags)]
    q = (query or "").strip().lower()
    if q:
        hit = rest["customer_id"].astype(str).str.lower().str.contains(q, regex=False)
        if "customer_name" in rest:
            hit |= rest["customer_name"].astype(str).str.lower().str.contains(q, regex=False)
        rest = rest[hit]
    rest = rest.sort_values("revenue", ascending=False).head(TAG_ROWS)
    rows = pd.concat([tagged, rest])
    names = kind_names()
    return pd.DataFrame({
        "customer_id": rows["customer_id"].astype(str).to_numpy(),
        "customer_name": (rows["customer_name"].astype(str) if "customer_name" in rows else rows["customer_id"])
        .to_numpy(),
        "revenue": rows["revenue"].round(2).to_numpy(),
        "margin_rate": (rows["margin_rate"] * 100).round(1).to_numpy(),
        "quadrant": [names[q] for q in rows["quadrant"]],
        "relationship": [("relationship" in tags.get(str(c), [])) for c in rows["customer_id"]],
        "strategic": [("strategic" in tags.get(str(c), [])) for c in rows["customer_id"]],
    })


def tag_editor(ws: state.Workspace, df: pd.DataFrame) -> None:
    """Tick relationship / strategic per customer; ticks are kept in ws.annotations["kind_tags"].

    Only the rows the user changed in this editor (its ``edited_rows``) are applied, so tags set
    elsewhere are never overwritten by a stale view.
    """
    ss = st.session_state
    tags = current_tags(ws)
    st.caption(T("kinds.tags.help", n=f"{len(tags):,}"))
    query = st.text_input(T("kinds.tags.search"), key="w_kinds_tag_search", placeholder=T("kinds.tags.search_hint"))
    digest = _digest([query.strip().lower(), id(ws.loaded)])
    ekey = f"w_kinds_tags_{digest}_{state.lang()}_{ss.get(K_TAG_VER, 0)}"
    base = ss.get(K_TAG_BASE)
    if ekey not in ss or not base or base[0] != ekey:
        ss[K_TAG_BASE] = base = (ekey, _tag_rows(df, tags, query))
    frame = base[1]
    st.data_editor(
        frame, key=ekey, hide_index=True, width="stretch", height=380, num_rows="fixed",
        disabled=["customer_id", "customer_name", "revenue", "margin_rate", "quadrant"],
        column_config={
            "customer_id": st.column_config.TextColumn(T("kinds.col.customer_id")),
            "customer_name": st.column_config.TextColumn(T("kinds.col.customer_name")),
            "revenue": st.column_config.NumberColumn(T("kinds.col.revenue"), format="localized"),
            "margin_rate": st.column_config.NumberColumn(T("kinds.col.margin_rate"), format="%.1f%%"),
            "quadrant": st.column_config.TextColumn(T("kinds.col.quadrant")),
            "relationship": st.column_config.CheckboxColumn(T("kinds.kind.relationship")),
            "strategic": st.column_config.CheckboxColumn(T("kinds.kind.strategic")),
        },
    )
    new = dict(tags)
    for idx, change in ((ss.get(ekey) or {}).get("edited_rows") or {}).items():
        row = frame.iloc[int(idx)]
        picked = [t for t in kinds.TAGS if bool(change.get(t, row[t]))]
        if picked:
            new[str(row["customer_id"])] = picked
        else:
            new.pop(str(row["customer_id"]), None)
    if new != tags:
        ws.annotations[A_TAGS] = new
        st.rerun()
    if tags and st.button(T("kinds.tags.clear"), key="w_kinds_tags_clear", icon=":material/delete_sweep:"):
        ws.annotations[A_TAGS] = {}
        ss[K_TAG_VER] = ss.get(K_TAG_VER, 0) + 1
        st.rerun()


def kind_customers(df: pd.DataFrame, kind: str | None) -> pd.DataFrame:
    f = df if not kind else df[df["kind"] == kind]
    names = kind_names()
    out = pd.DataFrame({T("kinds.col.customer_id"): f["customer_id"]})
    if "customer_name" in f:
        out[T("kinds.col.customer_name")] = f["customer_name"]
    out[T("kinds.col.revenue")] = f["revenue"].round(2)
    out[T("kinds.col.profit")] = f["profit"].round(2)
    out[T("kinds.col.margin_rate")] = (f["margin_rate"] * 100).round(1)
    out[T("kinds.col.kind")] = f["kind"].map(names)
    return out


def kind_customers_panel(df: pd.DataFrame) -> None:
    names = kind_names()
    opts = ["", *kinds.DISPLAY_ORDER]
    labels = {k: (names[k] if k else T("kinds.all")) for k in opts}
    kind = st.selectbox(T("kinds.pick"), opts, format_func=labels.get, key=f"w_kinds_pick_{state.lang()}") or None
    table = kind_customers(df, kind)
    st.caption(T("kinds.shown", n=f"{min(len(table), MAX_ROWS_SHOWN):,}", total=f"{len(table):,}"))
    st.dataframe(table.head(MAX_ROWS_SHOWN), hide_index=True, width="stretch", height=380, key="kinds_customers")
    st.download_button(T("kinds.download"), lambda: to_csv_bytes(kind_customers(df, kind)),
                       file_name=f"kinds_{kind or 'all'}.csv", mime="text/csv", key="kinds_download",
                       icon=":material/download:")
