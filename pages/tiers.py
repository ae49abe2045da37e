"""Tiers page: the customer pyramid beside the profit inverted pyramid, live cutoffs, curves,
the tier table, drill-down, export and sharing."""

import streamlit as st

from tierlib.io import InputError
from ui import page_common, router, state, tier_exports, tier_view, widgets

router.guard()
T = state.T
ws = page_common.start("tiers", intro=False)

try:
    settings = tier_view.controls(ws)
    grading = tier_view.grading(ws, settings)
except InputError as exc:
    st.error(T("tiers.cut_error", reason=state.error_text(exc)), icon=":material/error:")
    st.stop()

if ws.loaded.prepared.profit_source == "estimated":
    st.warning(T("tiers.estimated_note"), icon=":material/warning:")
tier_view.sensitivity(grading)
tier_view.headline(grading)

pyramids = tier_view.pyramids_figure(grading, settings.colors)
st.plotly_chart(pyramids, key="pyramids", config={"displayModeBar": False}, theme=None)

# Lazy tabs: only the open tab's content runs and is sent (the customer grid and the curves cost
# most of a rerun, and a cutoff change reruns the page). The key carries the language because
# the tab labels do.
tab_table, tab_curves, tab_customers, tab_export = st.tabs(
    [T("tiers.tab.table"), T("tiers.tab.curves"), T("tiers.tab.customers"), T("tiers.tab.export")],
    key=f"tiers_tabs_{state.lang()}", on_change="rerun")

if tab_table.open:
    with tab_table:
        st.table(tier_view.tier_table_display(grading), hide_index=True, border="horizontal")


def curves() -> tuple:
    return tier_view.lorenz_figure(grading), tier_view.whale_figure(ws, settings)


if tab_curves.open:
    with tab_curves:
        c1, c2 = st.columns(2)
        lorenz, whale = curves()
        c1.plotly_chart(lorenz, key="lorenz", config={"displayModeBar": False}, theme=None)
        if whale is not None:
            c2.plotly_chart(whale, key="whale", config={"displayModeBar": False}, theme=None)
        else:
            c2.info(T("tiers.whale_needs_profit"))

if tab_customers.open:
    with tab_customers:
        widgets.drilldown(grading)

if tab_export.open:
    with tab_export:
        lorenz, whale = curves()
        tier_exports.panel(ws, settings, grading, {"pyramids": pyramids, "lorenz": lorenz, "whale": whale})
