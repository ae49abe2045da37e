"""CLV page: BG/NBD + Gamma-Gamma lifetime value by tier, the simpler measures beside it, and a
calibration/holdout check of the model. All computing is in tierlib.clv; this page reads the
settings, caches the fits in the workspace and renders."""

import datetime as dt

import numpy as np
import pandas as pd
import streamlit as st

from tierlib import clv, clv_charts, presets
from tierlib.export import to_csv_bytes
from tierlib.i18n import fmt_compact
from tierlib.io import InputError
from ui import page_common, router, state, tier_view

router.guard()
T = state.T
ws = page_common.start("clv", intro=False)
prep = ws.loaded.prepared
if "order_date" not in prep.mapping:
    st.info(T("clv.needs_dates_page"))
    page_common.data_link()
    st.stop()

ss = st.session_state
lang = state.lang()
CHART = {"displayModeBar": False}
measure = clv.default_measure(prep.has_revenue)
first_day, last_day = (np.datetime64(pd.Timestamp(d).date(), "D") for d in ws.engine.date_range())
st.caption(T("clv.intro"))


def cached(key, make):
    if key not in ws.cache:
        ws.cache[key] = make()
    return ws.cache[key]


def summary_at(end, unit):
    return cached(("clv_summary", str(end), unit, measure),
                  lambda: clv.summary_from_engine(ws.engine, end, unit, measure))


def models_at(end, unit):
    return cached(("clv_models", str(end), unit, measure), lambda: clv.fit_models(summary_at(end, unit)))


def result_at(end, unit, horizon, discount, terms, margin):
    key = ("clv_result", str(end), unit, measure, horizon, discount, terms, margin)
    return cached(key, lambda: clv.analyze(summary_at(end, unit), horizon, discount, margin, terms,
                                           models=models_at(end, unit)))


def money(v) -> str:
    return fmt_compact(float(v), lang)


# ---- settings (kept under their own keys so they survive page switches) ----
ss.setdefault("clv_unit", clv.DEFAULT_TIME_UNIT)
ss.setdefault("clv_horizon", clv.DEFAULT_HORIZON_MONTHS)
ss.setdefault("clv_discount_pct", clv.DEFAULT_MONTHLY_DISCOUNT * 100)
units = list(clv.TIME_UNITS)
c1, c2, c3, c4 = st.columns([3, 2, 2, 3])
unit = c1.radio(T("clv.unit"), units, index=units.index(ss["clv_unit"]), horizontal=True, key=state.lkey("w_clv_unit"),
                format_func={u: T(f"clv.unit.{u}") for u in units}.get, help=T("clv.unit_help"))
horizon = int(c2.number_input(T("clv.horizon"), min_value=1, max_value=120, step=1, value=int(ss["clv_horizon"]),
                              key="w_clv_horizon"))
discount_pct = c3.number_input(T("clv.discount"), min_value=0.0, max_value=20.0, step=0.1, format="%.1f",
                               value=float(ss["clv_discount_pct"]), key="w_clv_discount", help=T("clv.discount_help"))
ss["clv_unit"], ss["clv_horizon"], ss["clv_discount_pct"] = unit, horizon, discount_pct
discount = round(discount_pct / 100, 6)

try:
    summary = summary_at(last_day, unit)
    if summary.n == 0:
        raise InputError("clv.no_customers")
    data_margin = clv.data_margin(summary)
    if measure == "profit":
        terms, margin = "profit", 1.0
        c4.caption(T("clv.terms_profit_only"))
    else:
        opts = ["profit", "revenue"]
        ss.setdefault("clv_terms", "profit" if data_margin is not None else "revenue")
        terms = c4.radio(T("clv.terms"), opts, index=opts.index(ss["clv_terms"]), horizontal=True, key=state.lkey("w_clv_terms"),
                         format_func={o: T(f"clv.terms.{o}") for o in opts}.get, help=T("clv.terms_help"))
        ss["clv_terms"] = terms
        margin = 1.0
        if terms == "profit":
            ss.setdefault("clv_margin_pct", round((data_margin if data_margin is not None else 0.25) * 100, 1))
            margin_pct = c4.number_input(T("clv.margin"), min_value=-99.0, max_value=99.0, step=1.0, format="%.1f",
                                         value=float(ss["clv_margin_pct"]), key="w_clv_margin",
                                         help=T("clv.margin_help"))
            ss["clv_margin_pct"] = margin_pct
            margin = round(margin_pct / 100, 6)
    with st.spinner(T("clv.fitting")):
        res = result_at(last_day, unit, horizon, discount, terms, margin)
except InputError as exc:
    st.error(state.error_text(exc), icon=":material/error:")
    st.stop()

frame, bg, gg = res.frame, res.bgnbd, res.gamma_gamma
terms_word = T(f"clv.terms.{terms}")
for code, params in res.warnings:
    st.warning(T(code, **params), icon=":material/warning:")

# ---- headline ----
total_clv = float(frame["clv"].sum())
purchases = float(frame["expected_purchases"].sum())
m = st.columns(5)
m[0].metric(T("clv.metric.customers"), f"{summary.n:,}")
m[1].metric(T("clv.metric.repeaters"), f"{summary.repeaters:,}")
m[2].metric(T("clv.metric.purchases", months=horizon), f"{purchases:,.0f}")
m[3].metric(T("clv.metric.total", terms=terms_word), money(total_clv), help=f"{total_clv:,.2f}")
m[4].metric(T("clv.metric.mean"), money(total_clv / summary.n), help=f"{total_clv / summary.n:,.2f}")
st.markdown("**" + T("clv.reading", n=f"{summary.n:,}", purchases=f"{purchases:,.0f}", months=horizon,
                      value=money(total_clv), terms=terms_word, rate=f"{discount_pct:.1f}%") + "**")
st.caption(T("clv.basis", terms=terms_word, margin=f"{margin:.1%}", end=str(summary.calibration_end),
             measure=T(f"clv.measure.{measure}")))

tab_tier, tab_check, tab_simple, tab_customers, tab_model = st.tabs(
    [T("clv.tab.tiers"), T("clv.tab.check"), T("clv.tab.simple"), T("clv.tab.customers"), T("clv.tab.model")])

# ---- simpler measures (inputs first: the tier table uses them) ----
with tab_simple:
    st.markdown(T("clv.simple.intro"))
    observed_r, base = cached(("clv_retention", str(last_day), measure),
                              lambda: clv.observed_retention(ws.engine, last_day, measure))
    ss.setdefault("clv_r_pct", round((observed_r if observed_r is not None else clv.DEFAULT_RETENTION) * 100, 1))
    ss.setdefault("clv_d_pct", round(clv.annual_discount(clv.DEFAULT_MONTHLY_DISCOUNT) * 100, 1))
    s1, s2 = st.columns(2)
    r_pct = s1.number_input(T("clv.simple.r"), min_value=0.0, max_value=99.0, step=1.0, format="%.1f",
                            value=float(ss["clv_r_pct"]), key="w_clv_r",
                            help=(T("clv.simple.r_observed", r=f"{observed_r:.1%}", n=f"{base:,}")
                                  if observed_r is not None else T("clv.simple.r_default")))
    d_pct = s2.number_input(T("clv.simple.d"), min_value=0.0, max_value=99.0, step=0.5, format="%.1f",
                            value=float(ss["clv_d_pct"]), key="w_clv_d", help=T("clv.simple.d_help"))
    ss["clv_r_pct"], ss["clv_d_pct"] = r_pct, d_pct
    r_rate, d_rate = r_pct / 100, d_pct / 100
    simple = clv.retention_clv(frame["annual_value"].to_numpy(), r_rate, d_rate)
    hist_total = float(np.nansum(frame["historical_value"]))
    k = st.columns(3)
    k[0].metric(T("clv.simple.model", months=horizon), money(total_clv), help=f"{total_clv:,.2f}")
    k[1].metric(T("clv.simple.history"), money(hist_total), help=f"{hist_total:,.2f}")
    k[2].metric(T("clv.simple.formula"), money(float(np.nansum(simple))), help=f"{float(np.nansum(simple)):,.2f}")
    st.caption(T("clv.simple.notes", terms=terms_word, multiplier=f"{r_rate / (1 + d_rate - r_rate):.2f}"))

# ---- by tier ----
with tab_tier:
    tiers_df = tier_view.customer_tiers(ws)
    grading = tier_view.current_grading(ws)
    st.caption(T("clv.tier.caption", value=T(f"value.{grading.value}")))
    bt = clv.by_tier(frame, tiers_df, r_rate, d_rate)
    st.table(pd.DataFrame({
        T("clv.col.tier"): bt["tier_name"],
        T("clv.col.customers"): bt["customers"].map("{:,}".format),
        T("clv.col.p_alive"): bt["p_alive"].map("{:.1%}".format),
        T("clv.col.purchases", months=horizon): bt["expected_purchases"].map("{:,.0f}".format),
        T("clv.col.clv"): bt["clv"].map("{:,.0f}".format),
        T("clv.col.clv_share"): bt["clv_share"].map("{:.1%}".format),
        T("clv.col.clv_mean"): bt["clv_mean"].map("{:,.0f}".format),
        T("clv.col.history_mean"): bt["historical_mean"].map("{:,.0f}".format),
        T("clv.col.simple_mean"): bt["retention_mean"].map("{:,.0f}".format),
    }), hide_index=True, border="horizontal")
    names = list(bt["tier_name"])
    colors = ss.get(tier_view.K_COLORS)
    colors = list(colors) if colors and len(colors) == len(grading.names) else presets.palette(len(grading.names))
    merged = frame[["customer_id", "p_alive"]].merge(tiers_df, on="customer_id")
    groups = [(name, merged.loc[merged["tier_name"] == name, "p_alive"].to_numpy()) for name in names]
    g1, g2 = st.columns(2)
    g1.plotly_chart(clv_charts.p_alive_figure(groups, colors=[colors[t - 1] for t in bt["tier"]], labels={
        "title": T("clv.chart.p_alive_title"), "y_title": T("clv.chart.p_alive_y")}),
        key="clv_p_alive", config=CHART, theme=None)
    g2.plotly_chart(clv_charts.tier_value_figure(names, {
        T("clv.col.clv"): bt["clv_mean"], T("clv.col.history"): bt["historical_mean"],
        T("clv.simple.formula"): bt["retention_mean"]}, labels={
        "title": T("clv.chart.tier_title", terms=terms_word), "y_title": T("clv.chart.per_customer")}),
        key="clv_tier_values", config=CHART, theme=None)

# ---- calibration / holdout check ----
with tab_check:
    st.markdown(T("clv.check.intro"))
    span = int((last_day - first_day).astype(int))
    if span < 60:
        st.info(T("clv.check.too_short"))
    else:
        lo = (first_day + np.timedelta64(30, "D")).astype(dt.date)
        hi = (last_day - np.timedelta64(14, "D")).astype(dt.date)
        default_cal = clv.default_calibration_end(ws.engine).astype(dt.date)
        ss.setdefault("clv_cal_end", default_cal)
        if not (lo <= ss["clv_cal_end"] <= hi):
            ss["clv_cal_end"] = min(max(default_cal, lo), hi)
        h1, h2 = st.columns(2)
        cal_end = h1.date_input(T("clv.check.cal_end"), value=ss["clv_cal_end"], min_value=lo, max_value=hi,
                                key="w_clv_cal_end", help=T("clv.check.cal_end_help"))
        ss["clv_cal_end"] = cal_end
        periods = list(clv.PERIODS)
        ss.setdefault("clv_period", "month" if span > 400 else "week")
        period = h2.radio(T("clv.check.period"), periods, index=periods.index(ss["clv_period"]), horizontal=True,
                          key=state.lkey("w_clv_period"), format_func={p: T(f"clv.period.{p}") for p in periods}.get)
        ss["clv_period"] = period
        cal = np.datetime64(cal_end, "D")
        try:
            with st.spinner(T("clv.fitting")):
                cal_res = result_at(cal, unit, horizon, discount, terms, margin)
                hold = cached(("clv_holdout", str(cal), unit, measure, period),
                              lambda: clv.holdout(ws.engine, cal, time_unit=unit, measure=measure, period=period,
                                                  result=cal_res))
        except InputError as exc:
            st.error(state.error_text(exc), icon=":material/error:")
        else:
            tr = hold.tracking
            act, pred = float(tr["actual"].sum()), float(tr["predicted"].sum())
            err = (pred - act) / act if act else float("nan")
            q = st.columns(4)
            q[0].metric(T("clv.check.cohort"), f"{cal_res.summary.n:,}")
            q[1].metric(T("clv.check.actual", days=hold.holdout_days), f"{act:,.0f}")
            q[2].metric(T("clv.check.predicted"), f"{pred:,.0f}")
            q[3].metric(T("clv.check.error"), "-" if np.isnan(err) else f"{err:+.1%}")
            for code, params in cal_res.warnings:
                st.caption(T(code, **params))
            lab = {"actual": T("clv.chart.actual"), "predicted": T("clv.chart.predicted"),
                   "x_title": T(f"clv.chart.x_{period}")}
            t1, t2 = st.columns(2)
            t1.plotly_chart(clv_charts.tracking_figure(tr, cumulative=True, labels={
                **lab, "title": T("clv.chart.cumulative"), "y_title": T("clv.chart.repeat_purchases")}),
                key="clv_track_cum", config=CHART, theme=None)
            t2.plotly_chart(clv_charts.tracking_figure(tr, cumulative=False, labels={
                **lab, "title": T(f"clv.chart.incremental_{period}"), "y_title": T("clv.chart.repeat_purchases")}),
                key="clv_track_inc", config=CHART, theme=None)
            st.plotly_chart(clv_charts.frequency_figure(hold.by_frequency, labels={
                **lab, "title": T("clv.chart.by_frequency"), "x_title": T("clv.chart.x_frequency"),
                "y_title": T("clv.chart.mean_holdout"), "top": "{x}+"}),
                key="clv_by_freq", config=CHART, theme=None)

# ---- customers ----
with tab_customers:
    top = frame.sort_values("clv", ascending=False).merge(tiers_df, on="customer_id", how="left")
    show = pd.DataFrame({
        T("clv.col.customer"): top["customer_id"],
        T("clv.col.tier"): top["tier_name"],
        T("clv.col.x"): top["x"].astype(int),
        T("clv.col.p_alive"): top["p_alive"].round(3),
        T("clv.col.purchases", months=horizon): top["expected_purchases"].round(2),
        T("clv.col.expected_value"): top["expected_value"].round(2),
        T("clv.col.clv"): top["clv"].round(2),
        T("clv.col.history"): top["historical_value"].round(2),
        T("clv.col.last"): pd.to_datetime(top["last_purchase"]).dt.date,
    })
    st.caption(T("clv.customers.caption", n=min(len(show), 500)))
    money_fmt = st.column_config.NumberColumn(format="%,.2f")
    st.dataframe(show.head(500), hide_index=True, height=420, column_config={
        T("clv.col.p_alive"): st.column_config.NumberColumn(format="percent"),
        T("clv.col.purchases", months=horizon): st.column_config.NumberColumn(format="%.2f"),
        T("clv.col.expected_value"): money_fmt, T("clv.col.clv"): money_fmt, T("clv.col.history"): money_fmt})
    st.download_button(T("clv.customers.download"), to_csv_bytes(show), file_name="clv.csv", mime="text/csv",
                       key="clv_download", icon=":material/download:")

# ---- model and conventions ----
with tab_model:
    rows = [("r", bg.r), ("α (alpha)", bg.alpha), ("a", bg.a), ("b", bg.b),
            (T("clv.model.loglik"), bg.loglik)]
    p1, p2 = st.columns(2)
    p1.markdown("**BG/NBD** — " + T("clv.model.bgnbd", n=f"{bg.n:,}", unit=T(f"clv.unit.{unit}")))
    p1.table(pd.DataFrame({T("clv.model.param"): [r[0] for r in rows], T("clv.model.value"):
                           [f"{r[1]:,.4f}" for r in rows]}), hide_index=True, border="horizontal")
    p1.caption(T("clv.model.new_customer", months=horizon,
                 x=f"{float(bg.expected_new(horizon * clv.MONTH_DAYS / clv.TIME_UNITS[unit])):.2f}"))
    if gg is not None:
        rows = [("p", gg.p), ("q", gg.q), ("γ (gamma)", gg.gamma), (T("clv.model.loglik"), gg.loglik)]
        p2.markdown("**Gamma-Gamma** — " + T("clv.model.gg", n=f"{gg.n:,}"))
        p2.table(pd.DataFrame({T("clv.model.param"): [r[0] for r in rows], T("clv.model.value"):
                               [f"{r[1]:,.4f}" for r in rows]}), hide_index=True, border="horizontal")
        p2.caption(T("clv.model.population_mean", value=f"{gg.population_mean:,.2f}",
                     measure=T(f"clv.measure.{measure}")))
        if res.spend_correlation is not None:
            p2.caption(T("clv.model.correlation", corr=f"{res.spend_correlation:.2f}"))
    st.markdown(T("clv.conventions"))
