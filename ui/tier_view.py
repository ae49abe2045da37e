"""Tier controls and displays shared by the tiers page (and later the pyramid view)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from tierlib import tiers
from tierlib.i18n import fmt_compact, fmt_pct
from ui import state

T = state.T

#: Default cutoffs by number of tiers (cumulative % of customers).
DEFAULT_CUTS_BY_TIERS = {2: [20], 3: [5, 20], 4: [1, 5, 20], 5: [1, 5, 20, 50], 6: [1, 5, 10, 20, 50]}


@dataclass
class Settings:
    value: str
    cuts: list[float]
    names: list[str]


def controls(ws: state.Workspace) -> Settings:
    """Value, number of tiers, cutoffs and names; kept in session state across pages."""
    lang = state.lang()
    values = ws.loaded.available_values()
    stored_value = st.session_state.get(state.K_VALUE)
    value_now = stored_value if stored_value in values else values[0]
    cuts_now = list(st.session_state.get(state.K_CUTS) or tiers.DEFAULT_CUTS)

    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    value = c1.selectbox(T("tiers.value"), values, index=values.index(value_now),
                         format_func={v: T(f"value.{v}") for v in values}.get, key="w_value")
    n_tiers = c2.number_input(T("tiers.n_tiers"), min_value=tiers.MIN_TIERS, max_value=tiers.MAX_TIERS,
                              value=len(cuts_now) + 1, step=1, key="w_n_tiers")
    if c3.button(T("tiers.reset"), key="w_reset"):
        for k in list(st.session_state):
            if str(k).startswith("w_cut_") or str(k).startswith("w_names_"):
                del st.session_state[k]
        st.session_state[state.K_CUTS] = list(tiers.DEFAULT_CUTS)
        st.session_state[state.K_NAMES] = None
        st.session_state.pop("w_n_tiers", None)
        st.rerun()
    if n_tiers != len(cuts_now) + 1:
        cuts_now = list(DEFAULT_CUTS_BY_TIERS[int(n_tiers)])
        st.session_state[state.K_NAMES] = None

    st.caption(T("tiers.cuts"))
    cut_cols = st.columns(len(cuts_now))
    cuts = []
    for i, (col, c) in enumerate(zip(cut_cols, cuts_now)):
        cuts.append(col.number_input(T("tiers.cut_n", n=i + 1), min_value=0.01, max_value=99.99, value=float(c),
                                     step=0.5, format="%.2f", key=f"w_cut_{len(cuts_now)}_{i}"))
    cuts = [int(c) if float(c).is_integer() else round(float(c), 4) for c in cuts]

    defaults = tiers.default_names(len(cuts) + 1, lang)
    stored_names = st.session_state.get(state.K_NAMES)
    names_text = st.text_input(T("tiers.names"), value="、".join(stored_names or defaults) if lang == "zh"
                               else ", ".join(stored_names or defaults), key=f"w_names_{len(cuts)}_{lang}")
    names = [p.strip() for p in names_text.replace("、", ",").replace("，", ",").split(",") if p.strip()]
    if len(names) != len(cuts) + 1:
        names = defaults
    st.session_state[state.K_VALUE] = value
    st.session_state[state.K_CUTS] = cuts
    st.session_state[state.K_NAMES] = names if names != defaults else None
    return Settings(value=value, cuts=cuts, names=names)


def ranked(ws: state.Workspace, value: str) -> tiers.Ranked:
    """The data set ranked by ``value``, computed once per workspace and value."""
    key = ("ranked", value)
    if key not in ws.cache:
        ws.cache[key] = tiers.rank(ws.loaded.customers, value)
    return ws.cache[key]


def grading(ws: state.Workspace, s: Settings) -> tiers.Grading:
    return tiers.grade(ranked(ws, s.value), cuts=s.cuts, names=s.names, lang=state.lang())


def headline(g: tiers.Grading) -> None:
    """Key figures and a one-sentence reading of the concentration."""
    totals = g.totals()
    cols = st.columns(5)
    cols[0].metric(T("tiers.metric.customers"), f"{g.ranked.n:,}")
    lang = state.lang()
    for col, key in ((cols[1], "revenue"), (cols[2], "profit")):
        amount = totals[key]
        col.metric(T(f"tiers.metric.{key}"), fmt_compact(amount, lang),
                   help=None if amount is None else f"{amount:,.2f}")
    top20 = g.concentration.get("top_20pct_share")
    cols[3].metric(T("tiers.metric.top20"), fmt_pct(top20))
    gini = g.concentration.get("gini")
    cols[4].metric(T("tiers.metric.gini"), "-" if gini is None else f"{gini:.2f}")
    if top20 is not None:
        st.write(T("tiers.reading", pct="20%", share=fmt_pct(top20), value=T(f"value.{g.value}")))


def tier_table_frame(g: tiers.Grading) -> pd.DataFrame:
    """The tier table with a totals row and, for three tiers or more, the key-customer line."""
    rows = list(g.tiers)
    if len(rows) >= 3:
        rows.append(tiers.segment_row(g.ranked, T("tiers.key_customers"), 0, g.bounds[1]))
    rows.append(tiers.segment_row(g.ranked, T("tiers.total"), 0, g.ranked.n))
    df = pd.DataFrame(rows)
    cols = ["name", "customers", "customer_share", "revenue", "revenue_share", "profit", "profit_share",
            "profit_per_customer", "avg_order_value", "orders_per_customer", "margin"]
    df = df[[c for c in cols if c in df and not df[c].isna().all()]]
    return df.rename(columns={c: T(f"col.{c}") if c != "name" else T("col.tier") for c in df.columns})


_PCT_COLS = ("customer_share", "revenue_share", "profit_share", "margin")
_MONEY_COLS = ("revenue", "profit", "profit_per_customer", "avg_order_value")


def tier_table_display(g: tiers.Grading) -> pd.DataFrame:
    """The tier table as formatted text (thousands separators, percentages) for st.table."""
    df = tier_table_frame(g)
    out = df.copy().astype(object)
    for c in df.columns:
        if c in {T(f"col.{k}") for k in _PCT_COLS}:
            out[c] = [fmt_pct(v) if pd.notna(v) else "-" for v in df[c]]
        elif c in {T(f"col.{k}") for k in _MONEY_COLS}:
            out[c] = ["-" if pd.isna(v) else f"{v:,.2f}" for v in df[c]]
        elif c == T("col.orders_per_customer"):
            out[c] = ["-" if pd.isna(v) else f"{v:,.2f}" for v in df[c]]
        elif c == T("col.customers"):
            out[c] = [f"{int(v):,}" for v in df[c]]
    return out


def filter_customers(graded: pd.DataFrame, tier: int, query: str) -> pd.DataFrame:
    out = graded if tier == 0 else graded[graded["tier"] == tier]
    q = (query or "").strip().lower()
    if q:
        hay = out["customer_id"].astype(str).str.lower()
        if "customer_name" in out and out["customer_name"].notna().any():
            hay = hay + " " + out["customer_name"].fillna("").astype(str).str.lower()
        out = out[hay.str.contains(q, regex=False)]
    return out
