"""Customer kinds page: profit-type, volume-type, relationship-type and strategic-type customers
on a margin-rate / revenue quadrant, with manual tags and the approach for each kind."""

import streamlit as st

from tierlib.io import InputError
from ui import page_common, rfm_view, router, state

router.guard()
T = state.T
ws = page_common.start("kinds")

try:
    margin, revenue, top = rfm_view.kind_thresholds(ws)
    df = rfm_view.classified(ws, margin, revenue)
except InputError as exc:
    st.error(state.error_text(exc), icon=":material/error:")
    st.stop()

st.caption(T("kinds.thresholds_line", margin=f"{margin * 100:.1f}%", revenue=f"{revenue:,.2f}",
             top=f"{top * 100:.0f}%"))
rfm_view.kinds_headline(df)
if ws.loaded.prepared.profit_source == "estimated":
    st.warning(T("tiers.estimated_note"), icon=":material/warning:")

t_map, t_tags, t_cust = st.tabs([T("kinds.tab.map"), T("kinds.tab.tags"), T("kinds.tab.customers")])
with t_map:
    fig = rfm_view.quadrant(df, margin, revenue)
    st.plotly_chart(fig, key="kinds_quadrant", config=rfm_view.PLOT_CONFIG, theme=None)
    meta = fig.layout.meta or {}
    if meta.get("left_out"):
        st.caption(T("kinds.left_out", n=f"{meta['left_out']:,}"))
    if meta.get("shown", 0) < meta.get("plotted", 0):
        st.caption(T("kinds.sampled", shown=f"{meta['shown']:,}", total=f"{meta['plotted']:,}"))
    st.table(rfm_view.kinds_table(df), hide_index=True, border="horizontal")
    st.subheader(T("kinds.approach_title"))
    rfm_view.approaches()
with t_tags:
    rfm_view.tag_editor(ws, df)
with t_cust:
    rfm_view.kind_customers_panel(df)
