"""RFM page: recency, frequency and monetary scores, named segments with an editable rule table,
the R x F grid, segments by tier, and the scored customers."""

import streamlit as st

from tierlib.io import InputError
from ui import page_common, rfm_view, router, state

router.guard()
T = state.T
ws = page_common.start("rfm")

try:
    settings = rfm_view.controls(ws)
    res = rfm_view.result(ws, settings)
except InputError as exc:
    st.error(state.error_text(exc), icon=":material/error:")
    st.stop()

rfm_view.notes(res, ws)
rfm_view.headline(res)
cfg = rfm_view.PLOT_CONFIG

if res.has_segments:
    t_seg, t_grid, t_tiers, t_rules, t_cust = st.tabs(
        [T("rfm.tab.segments"), T("rfm.tab.grid"), T("rfm.tab.tiers"), T("rfm.tab.rules"), T("rfm.tab.customers")])
    with t_seg:
        st.plotly_chart(rfm_view.treemap(res), key="rfm_treemap", config=cfg, theme=None)
        st.table(rfm_view.summary_display(res), hide_index=True, border="horizontal")
        rfm_view.actions(res)
    with t_grid:
        st.caption(T("rfm.grid_help"))
        st.plotly_chart(rfm_view.heatmap(res), key="rfm_heatmap", config=cfg, theme=None)
        st.table(rfm_view.score_legend(res), hide_index=True, border="horizontal")
    with t_tiers:
        st.caption(T("rfm.tiers_help"))
        as_share = st.toggle(T("rfm.tiers_share"), key="w_rfm_ct_share")
        ct = rfm_view.crosstab(ws, res, as_share)
        if ct is None:
            st.info(T("rfm.tiers_unavailable"))
        else:
            st.table(ct, hide_index=True, border="horizontal")
    with t_rules:
        rfm_view.rules_editor(ws, res)
    with t_cust:
        rfm_view.customers_panel(res)
else:
    t_grid, t_cust = st.tabs([T("rfm.tab.scores"), T("rfm.tab.customers")])
    with t_grid:
        if "frequency" in res.available:
            st.plotly_chart(rfm_view.heatmap(res, y="frequency", x="monetary"), key="rfm_fm_heatmap",
                            config=cfg, theme=None)
        st.table(rfm_view.score_legend(res), hide_index=True, border="horizontal")
    with t_cust:
        rfm_view.customers_panel(res)
