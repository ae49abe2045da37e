"""The frame around every page: language switch and the current-data status in the sidebar."""

from __future__ import annotations

import streamlit as st

from tierlib import i18n
from ui import samples, state

LANG_LABELS = {"zh": "中文", "en": "English"}


def language_switch() -> None:
    """Sidebar language picker; the choice is kept in session state for every page."""
    current = state.lang()
    choice = st.sidebar.segmented_control(
        i18n.t("app.language", current), options=list(i18n.LANGS), format_func=LANG_LABELS.get,
        default=current, key="lang_widget", selection_mode="single",
    )
    if choice and choice != current:
        st.session_state[state.K_LANG] = choice
        st.rerun()


def data_status() -> None:
    """What data are loaded, in the sidebar."""
    T = state.T
    ws = state.workspace()
    with st.sidebar:
        st.caption(T("sidebar.dataset"))
        if ws is None:
            st.write(T("sidebar.none"))
            return
        if ws.kind == "sample":
            label = T("sidebar.sample", name=T(samples.SAMPLES[ws.name][1]))
        else:
            label = T("sidebar.upload", name=ws.name)
        st.text(label)
        st.caption(T("sidebar.stats", customers=len(ws.loaded.customers), rows=ws.loaded.prepared.rows_read))
        note = st.session_state.pop(state.K_RESTORE_NOTE, None)
        if note == "restored":
            st.toast(T("sidebar.restored"), icon=":material/restore:")
        elif note == "missing":
            st.toast(T("sidebar.missing"), icon=":material/info:")
        elif note == "save_failed":
            st.warning(T("sidebar.save_failed"))
        with st.popover(T("sidebar.workspace"), icon=":material/folder_shared:"):
            st.caption(T("sidebar.workspace_help", days=f"{state.get_store().ttl_days:g}"))
            if st.button(T("sidebar.delete"), key="ws_delete", type="secondary", icon=":material/delete:"):
                state.delete_workspace()
                st.rerun()
