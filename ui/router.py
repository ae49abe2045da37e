"""Navigation: the pages of the app, and a guard that keeps every page behind the router.

Streamlit still runs a file of ``pages/`` on its own (its old multipage mode) when the very first
request a fresh server gets is for that page's URL, because a ``pages/`` folder exists. Each page
calls ``guard()`` first: when the router did not run, it registers the real navigation (which
switches Streamlit to ``st.navigation`` mode for good) and reruns, so app.py takes over.
"""

from __future__ import annotations

import threading

import streamlit as st

from ui import frame, state

_local = threading.local()


def _pages() -> list:
    T = state.T
    return [
        st.Page("pages/tiers.py", title=T("nav.tiers"), icon=":material/change_history:", url_path="tiers",
                default=True),
        st.Page("pages/data.py", title=T("nav.data"), icon=":material/upload_file:", url_path="data"),
    ]


def run() -> None:
    """The whole frame: language, default data, navigation, sidebar status, the page."""
    frame.language_switch()
    state.ensure_default_data()
    page = st.navigation(_pages())
    frame.data_status()
    _local.active = True
    try:
        page.run()
    finally:
        _local.active = False


def guard() -> None:
    """Call first in every page: hand over to the router when a page was started on its own."""
    if not getattr(_local, "active", False):
        st.navigation(_pages(), position="hidden")
        st.rerun()
