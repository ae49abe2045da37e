"""Lifecycle page: each customer's stage with the rules on show, relationship breadth per month or
quarter, and the churn warning list sorted by value at risk."""

import pandas as pd
import streamlit as st

from tierlib import churn, lifecycle
from tierlib.export import to_csv_bytes
from tierlib.i18n import fmt_compact, fmt_pct
from tierlib.io import InputError
from ui import behaviour_view as bv
from ui import page_common, router, state, tier_view

router.guard()
T = state.T
ws = page_common.start("lifecycle", no_data="tiers.no_data", intro=False)

first, last = bv.date_range(ws)
if last is None:
    st.info(T("lifecycle.needs_dates"), icon=":material/info:")
    page_common.data_link()
    st.stop()

st.caption(T("lifecycle.intro"))
cfg = bv.settings(bv.K_LC)
d0, d1 = pd.Timestamp(first).date(), pd.Timestamp(last).date()
as_of_default = cfg.get("as_of") if cfg.get("as_of") and d0 <= cfg["as_of"] <= d1 else d1
c1, c2, _ = st.columns([2, 2, 3])
as_of = c1.date_input(T("lifecycle.as_of"), value=as_of_default, min_value=d0, max_value=d1, key="lc_as_of",
                      help=T("lifecycle.as_of_help"))
period = int(c2.number_input(T("lifecycle.period"), min_value=7, max_value=730, step=1,
                             value=int(cfg.get("period", lifecycle.DEFAULT_PERIOD_DAYS)), key="lc_period",
                             help=T("lifecycle.period_help")))
cfg.update(as_of=as_of, period=period)

try:
    hist = bv.history(ws, as_of, period)
except InputError as exc:
    st.error(state.error_text(exc), icon=":material/error:")
    st.stop()

end = pd.Timestamp(as_of)
recent_from = (end - pd.Timedelta(days=period - 1)).date()
prev_from = (end - pd.Timedelta(days=2 * period - 1)).date()
prev_to = (end - pd.Timedelta(days=period)).date()
st.caption(T("lifecycle.caption", date=str(as_of), recent_from=str(recent_from), prev_from=str(prev_from),
             prev_to=str(prev_to), n=f"{len(hist.frame):,}"))
spend_word = T(f"lifecycle.spend.{hist.spend_measure}")
measure_word = T(f"value.{hist.value_measure}")
labels = bv.stage_labels()

tab_stages, tab_breadth, tab_churn = st.tabs([T("lifecycle.tab.stages"), T("lifecycle.tab.breadth"),
                                              T("lifecycle.tab.churn")])

# ------------------------------------------------------------------------------------------
with tab_stages:
    defaults = lifecycle.Params()
    with st.expander(T("lifecycle.params"), expanded=False):
        pc = st.columns(5)
        change_pct = pc[0].number_input(T("lifecycle.param.change"), min_value=1.0, max_value=99.0, step=5.0,
                                        value=float(cfg.get("change_pct", defaults.change_pct)), format="%g",
                                        key="lc_change")
        new_days = pc[1].number_input(T("lifecycle.param.new_days"), min_value=0, max_value=3650, step=30,
                                      value=int(cfg.get("new_days", defaults.new_days)), key="lc_new_days")
        min_orders = pc[2].number_input(T("lifecycle.param.min_orders"), min_value=1, max_value=100, step=1,
                                        value=int(cfg.get("min_orders", defaults.min_orders)), key="lc_min_orders")
        decline_k = pc[3].number_input(T("lifecycle.param.decline_k"), min_value=0.5, max_value=20.0, step=0.5,
                                       value=float(cfg.get("decline_k", defaults.decline_k)), format="%g",
                                       key="lc_decline_k")
        lost_k = pc[4].number_input(T("lifecycle.param.lost_k"), min_value=0.5, max_value=50.0, step=0.5,
                                    value=float(cfg.get("lost_k", defaults.lost_k)), format="%g", key="lc_lost_k")
    cfg.update(change_pct=change_pct, new_days=int(new_days), min_orders=int(min_orders), decline_k=decline_k,
               lost_k=lost_k)
    params = lifecycle.Params(change_pct=float(change_pct), new_days=int(new_days), min_orders=int(min_orders),
                              decline_k=float(decline_k), lost_k=float(max(lost_k, decline_k)))
    try:
        stage_df = bv.stages(ws, hist, params)
    except InputError as exc:
        st.error(state.error_text(exc), icon=":material/error:")
        st.stop()

    counts = lifecycle.stage_counts(stage_df)
    total = sum(counts.values())
    cols = st.columns(len(lifecycle.STAGES))
    for col, s in zip(cols, lifecycle.STAGES):
        col.metric(labels[s], f"{counts[s]:,}", help=fmt_pct(counts[s] / total if total else None))

    st.subheader(T("lifecycle.rules.title"))
    rules = lifecycle.rule_rows(params, period, hist.typical_gap, state.lang())
    st.table(pd.DataFrame({T("lifecycle.col.order"): [str(i + 1) for i in range(len(rules))],
                           T("lifecycle.col.stage"): [r["name"] for r in rules],
                           T("lifecycle.col.rule"): [r["rule"] for r in rules]}),
             hide_index=True, border="horizontal")
    st.caption(T("lifecycle.rules.note", typical=f"{hist.typical_gap:g}", spend=spend_word))

    st.subheader(T("lifecycle.by_tier"))
    grading = tier_view.current_grading(ws)
    st.caption(T("lifecycle.by_tier_note", scheme=T(f"scheme.{grading.scheme}"), value=T(f"value.{grading.value}")))
    ct = tier_view.customer_tiers(ws)
    table = lifecycle.by_tier(stage_df, ct, grading.names)
    fig = lifecycle.stage_figure(table, {**labels, "title": None, "x_title": T("lifecycle.chart.x")})
    st.plotly_chart(fig, key="lc_stage_chart", config={"displayModeBar": False}, theme=None)
    shown = table.copy()
    shown.loc[T("lifecycle.col.total")] = shown.sum(axis=0)
    shown[T("lifecycle.col.total")] = shown.sum(axis=1)
    shown = shown.rename(columns=labels)
    disp = shown.map(lambda v: f"{int(v):,}").reset_index(names=T("col.tier"))
    st.table(disp, hide_index=True, border="horizontal")

    st.subheader(T("lifecycle.customers"))
    stage_opts = ["all", *lifecycle.STAGES]
    pick = st.selectbox(T("lifecycle.filter_stage"), stage_opts, key=f"lc_stage_pick_{state.lang()}",
                        format_func={"all": T("lifecycle.all"), **labels}.get)
    rows = stage_df if pick == "all" else stage_df[stage_df["stage"] == pick]
    rows = rows.merge(bv.customer_names(ws), on="customer_id", how="left").merge(
        ct[["customer_id", "tier_name"]], on="customer_id", how="left")
    rows = rows.sort_values(["recency", "customer_id"], kind="stable")

    def stage_table(df: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame({
            T("col.customer_id"): df["customer_id"].astype(str),
            T("col.customer_name"): df["customer_name"].fillna("") if "customer_name" in df else "",
            T("col.tier"): df["tier_name"].fillna("-"),
            T("lifecycle.col.stage"): df["stage"].map(labels),
            T("lifecycle.col.reason"): [bv.reason_text(r) for _, r in df.iterrows()],
            T("lifecycle.col.order_days"): df["order_days"],
            T("lifecycle.col.recency"): df["recency"],
            T("lifecycle.col.usual_gap"): df["usual_gap"].round(1),
            T("lifecycle.col.last_gap"): df["last_gap"],
            T("lifecycle.col.tenure"): df["tenure"],
            T("lifecycle.col.orders_recent"): df["orders_recent"],
            T("lifecycle.col.orders_previous"): df["orders_previous"],
            T("lifecycle.col.spend_recent"): (df["spend_recent"] / bv.MONEY_SCALE).round(2),
            T("lifecycle.col.spend_previous"): (df["spend_previous"] / bv.MONEY_SCALE).round(2),
            T("lifecycle.col.spend_change"): [bv.fmt_change(v) for v in df["spend_change"]],
        })
        return out

    head = rows.head(bv.MAX_ROWS)
    st.caption(T("lifecycle.shown", n=f"{len(head):,}", total=f"{len(rows):,}"))
    shown_stages = stage_table(head)
    st.dataframe(shown_stages, hide_index=True, width="stretch", height=bv.table_height(len(head), 380),
                 key="lc_stage_table",
                 column_config=bv.money_config(shown_stages, [T("lifecycle.col.spend_recent"),
                                                              T("lifecycle.col.spend_previous")]))
    st.download_button(T("lifecycle.download"), lambda: to_csv_bytes(stage_table(rows)),
                       file_name=f"lifecycle_{as_of}.csv", mime="text/csv", key="lc_download",
                       icon=":material/download:")

# ------------------------------------------------------------------------------------------
with tab_breadth:
    grains = list(lifecycle.GRAINS)
    grain = st.segmented_control(T("lifecycle.breadth.grain"), grains, default=cfg.get("grain", "month"),
                                 format_func={g: T(f"lifecycle.breadth.grain.{g}") for g in grains}.get,
                                 key=state.lkey("lc_grain")) or "month"
    cfg["grain"] = grain
    br = bv.breadth(ws, as_of, grain)
    kinds = [*lifecycle.BREADTH_KINDS, "active"]
    words = {k: T(f"lifecycle.breadth.{k}") for k in kinds}
    fig = lifecycle.breadth_figure(br, {**words, "title": T("lifecycle.breadth.title"),
                                        "y_title": T("lifecycle.breadth.y")})
    st.plotly_chart(fig, key="lc_breadth_chart", config={"displayModeBar": False}, theme=None)
    st.caption(T("lifecycle.breadth.note", date=str(as_of)))
    bt = br.rename(columns={"period": T("lifecycle.breadth.period"), **words})
    bt = bt.astype({words[k]: "int64" for k in kinds})
    st.dataframe(bt, hide_index=True, width="stretch", key="lc_breadth_table")

# ------------------------------------------------------------------------------------------
with tab_churn:
    st.caption(T("churn.intro", measure=measure_word))
    cd = churn.Params()
    c1, c2, c3 = st.columns([1, 1, 3])
    k = c1.number_input(T("churn.k"), min_value=0.5, max_value=20.0, step=0.5, value=float(cfg.get("k", cd.k)),
                        format="%g", key="lc_churn_k", help=T("churn.k_help"))
    drop = c2.number_input(T("churn.drop"), min_value=1.0, max_value=100.0, step=5.0,
                           value=float(cfg.get("drop", cd.drop_pct)), format="%g", key="lc_churn_drop",
                           help=T("churn.drop_help"))
    cfg.update(k=k, drop=drop)
    cparams = churn.Params(k=float(k), drop_pct=float(drop))
    ind = bv.churn_indicators(ws, hist, cparams)
    ind_labels = {c: T(f"churn.ind.{c}") for c in churn.INDICATORS}

    fill = {"k": f"{k:g}", "x": f"{drop:g}", "period": period, "typical": f"{hist.typical_gap:g}",
            "spend": spend_word}
    st.table(pd.DataFrame({
        T("churn.col.indicator"): [ind_labels[c] for c in churn.INDICATORS],
        T("churn.col.rule"): [T(f"churn.rule.{c}", **fill) for c in churn.INDICATORS],
        T("churn.col.count"): [f"{int(ind[c].sum()):,}" for c in churn.INDICATORS],
    }), hide_index=True, border="horizontal")

    grading = tier_view.current_grading(ws)
    ct = tier_view.customer_tiers(ws)
    tier_opts = list(range(1, len(grading.names) + 1))
    f1, f2 = c3.columns(2)
    picked_tiers = f1.multiselect(T("churn.filter_tiers"), tier_opts, key=f"lc_churn_tiers_{state.lang()}",
                                  format_func={i: grading.names[i - 1] for i in tier_opts}.get,
                                  placeholder=T("lifecycle.all"))
    picked_ind = f2.multiselect(T("churn.filter_indicators"), list(churn.INDICATORS),
                                key=f"lc_churn_ind_{state.lang()}",
                                format_func=ind_labels.get, placeholder=T("lifecycle.all"))
    only_risk = st.checkbox(T("churn.only_risk"), value=bool(cfg.get("only_risk", True)), key="lc_churn_only_risk")
    cfg["only_risk"] = only_risk

    wl = churn.warning_list(ind, customer_tiers=ct, tiers=picked_tiers or None, only=picked_ind or None)
    if only_risk:
        wl = wl[wl["value_at_risk_units"] > 0]
    total_12m = int(hist.frame[f"{hist.value_measure}_12m"].sum())
    at_risk = int(wl["value_at_risk_units"].clip(lower=0).sum())
    m1, m2, m3 = st.columns(3)
    m1.metric(T("churn.metric.flagged"), f"{len(wl):,}")
    m2.metric(T("churn.metric.value"), fmt_compact(at_risk / bv.MONEY_SCALE, state.lang()),
              help=f"{at_risk / bv.MONEY_SCALE:,.2f}")
    m3.metric(T("churn.metric.share", measure=measure_word),
              fmt_pct(at_risk / total_12m) if total_12m > 0 else "-")
    year_from = (pd.Timestamp(as_of) + pd.Timedelta(days=1) - pd.DateOffset(months=12)).date()
    st.caption(T("churn.value_note", measure=measure_word, from_=str(year_from), to=str(as_of)))

    if len(wl) == 0:
        st.info(T("churn.none"))
    else:
        wl = wl.merge(bv.customer_names(ws), on="customer_id", how="left").merge(
            stage_df[["customer_id", "stage"]], on="customer_id", how="left")

        def churn_table(df: pd.DataFrame) -> pd.DataFrame:
            lang = state.lang()
            out = pd.DataFrame({
                T("col.customer_id"): df["customer_id"].astype(str),
                T("col.customer_name"): df["customer_name"].fillna("") if "customer_name" in df else "",
                T("col.tier"): df["tier_name"].fillna("-"),
                T("churn.col.stage"): df["stage"].map(labels).fillna("-"),
                T("churn.col.value_at_risk"): df["value_at_risk"],
                T("churn.col.why"): [churn.explain(r, lang, k, drop, hist.typical_gap) for _, r in df.iterrows()],
                T("lifecycle.col.recency"): df["recency"],
                T("lifecycle.col.usual_gap"): df["usual_gap"].round(1),
                T("lifecycle.col.spend_change"): [bv.fmt_change(v) for v in df["spend_change"]],
                T("lifecycle.col.orders_recent"): df["orders_recent"],
                T("lifecycle.col.orders_previous"): df["orders_previous"],
            })
            return out

        head = wl.head(bv.MAX_ROWS)
        st.caption(T("churn.shown", n=f"{len(head):,}", total=f"{len(wl):,}"))
        shown_churn = churn_table(head)
        st.dataframe(shown_churn, hide_index=True, width="stretch", height=bv.table_height(len(head)),
                     key="lc_churn_table",
                     column_config=bv.money_config(shown_churn, [T("churn.col.value_at_risk")]))
        st.download_button(T("churn.download"), lambda: to_csv_bytes(churn_table(wl)),
                           file_name=f"churn_warning_{as_of}.csv", mime="text/csv", key="lc_churn_download",
                           icon=":material/download:")
