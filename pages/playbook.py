"""Playbook page: a strategy card per tier, customer kind and RFM segment (editable), and the
split of a service budget across the tiers."""

import streamlit as st

from ui import page_common, router, state
from ui import playbook_view as pv

router.guard()
T = state.T
ws = page_common.start("playbook")
grading = page_common.grading_or_stop(ws)

tab_tiers, tab_kinds, tab_rfm, tab_alloc = st.tabs([
    T("playbook.tab.tiers"), T("playbook.tab.kinds"), T("playbook.tab.rfm"), T("playbook.tab.alloc")])

with tab_tiers:
    edit = st.toggle(T("playbook.edit"), key="pb_edit_tier", persist_state="session")
    st.caption(T("playbook.tiers.help", n=len(grading.tiers)))
    tier_section = pv.tier_cards(ws, grading, edit)
with tab_kinds:
    edit = st.toggle(T("playbook.edit"), key="pb_edit_kind", persist_state="session")
    st.caption(T("playbook.kinds.help"))
    kind_section = pv.group_cards(ws, "kind", edit)
with tab_rfm:
    edit = st.toggle(T("playbook.edit"), key="pb_edit_rfm", persist_state="session")
    st.caption(T("playbook.rfm.help"))
    rfm_section = pv.group_cards(ws, "rfm", edit)
with tab_alloc:
    pv.allocation_panel(ws, grading)

doc = pv.markdown_export([(T("playbook.tab.tiers"), tier_section), (T("playbook.tab.kinds"), kind_section),
                          (T("playbook.tab.rfm"), rfm_section)])
st.download_button(T("playbook.download"), data=doc, file_name=T("playbook.file_name"), mime="text/markdown",
                   key="pb_download", icon=":material/download:")
