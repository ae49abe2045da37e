"""Tiers page: choose the value and cutoffs, read the tier table, browse and download the grading."""

import streamlit as st

from tierlib import tiers
from tierlib.export import to_csv_bytes, to_xlsx_bytes
from tierlib.io import InputError
from ui import router, state, tier_view, widgets

router.guard()
T = state.T
st.title(T("tiers.title"))
ws = state.workspace()
if ws is None:
    st.info(T("tiers.no_data"))
    st.page_link("pages/data.py", label=T("nav.data"), icon=":material/upload_file:")
    st.stop()

settings = tier_view.controls(ws)
try:
    grading = tier_view.grading(ws, settings)
except InputError as exc:
    st.error(T("tiers.cut_error", reason=state.error_text(exc)), icon=":material/error:")
    st.stop()

if ws.loaded.prepared.profit_source == "estimated":
    st.warning(T("tiers.estimated_note"), icon=":material/warning:")

tier_view.headline(grading)

st.subheader(T("tiers.table"))
st.table(tier_view.tier_table_display(grading), hide_index=True, border="horizontal")

st.subheader(T("tiers.customers_list"))
graded = grading.graded()
value_is_money = grading.value in tiers.MONEY_VALUES
c1, c2 = st.columns([1, 2])
pick = c1.selectbox(T("tiers.filter_tier"), [0, *range(1, len(grading.names) + 1)],
                    format_func=[T("tiers.all"), *grading.names].__getitem__, key="tier_pick")
query = c2.text_input(T("tiers.search"), key="tier_search")
shown = tier_view.filter_customers(graded, pick, query)
table = widgets.customer_frame(shown, value_is_money=value_is_money)
st.dataframe(table, hide_index=True, width="stretch", height=420, key="graded_table")

full = widgets.customer_frame(graded, value_is_money=value_is_money)
d1, d2 = st.columns(2)
d1.download_button(T("tiers.download_csv"), lambda: to_csv_bytes(full), file_name="graded_customers.csv", mime="text/csv",
                   key="dl_csv", icon=":material/download:")
d2.download_button(T("tiers.download_xlsx"),
                   lambda: to_xlsx_bytes({T("tiers.customers_list"): full,
                                          T("tiers.table"): tier_view.tier_table_frame(grading)}),
                   file_name="graded_customers.xlsx", key="dl_xlsx", icon=":material/download:",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
