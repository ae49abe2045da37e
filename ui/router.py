"""Navigation: the pages of the app, and a guard that keeps every page behind the router.

Streamlit still runs a file of ``pages/`` on its own (its old multipage mode) when the very first
request a fresh server gets is for that page's URL, because a ``pages/`` folder exists. Each page
calls ``guard()`` first: when the router did not run, it registers the real navigation (which
switches Streamlit to ``st.navigation`` mode for good) and reruns, so app.py takes over.
"""

from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

from ui import explain, frame, state

_local = threading.local()
ROOT = Path(__file__).resolve().parent.parent


#: (file, title key, icon, url path, section key). A page appears once its file exists, so a
#: page can be planned here before it is written.
PAGES = [
    ("pages/tiers.py", "nav.tiers", ":material/change_history:", "tiers", "nav.section.tiering"),
    ("pages/data.py", "nav.data", ":material/upload_file:", "data", "nav.section.tiering"),
    ("pages/rfm.py", "nav.rfm", ":material/grid_view:", "rfm", "nav.section.behaviour"),
    ("pages/kinds.py", "nav.kinds", ":material/category:", "kinds", "nav.section.behaviour"),
    ("pages/lifecycle.py", "nav.lifecycle", ":material/timeline:", "lifecycle", "nav.section.behaviour"),
    ("pages/migration.py", "nav.migration", ":material/swap_vert:", "migration", "nav.section.behaviour"),
    ("pages/clv.py", "nav.clv", ":material/savings:", "clv", "nav.section.behaviour"),
    ("pages/satisfaction.py", "nav.satisfaction", ":material/sentiment_satisfied:", "satisfaction",
     "nav.section.action"),
    ("pages/playbook.py", "nav.playbook", ":material/checklist:", "playbook", "nav.section.action"),
    ("pages/report.py", "nav.report", ":material/description:", "report", "nav.section.action"),
    ("pages/learn.py", "nav.learn", ":material/school:", "learn", "nav.section.action"),
]


def _pages() -> dict:
    T = state.T
    sections: dict[str, list] = {}
    for i, (path, title, icon, url, section) in enumerate(PAGES):
        if not (ROOT / path).exists():
            continue
        sections.setdefault(T(section), []).append(
            st.Page(path, title=T(title), icon=icon, url_path=url, default=(i == 0)))
    return sections


def _leave_old_multipage_mode() -> None:
    """Switch Streamlit to st.navigation mode before any widget exists, then rerun.

    On a fresh server, Streamlit's first run still uses its old pages/-folder mode (see the
    module docstring); widget ids made in that run differ from later runs, so the user's first
    click on a sidebar widget would be lost. Flip the (internal) flag and rerun once instead.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a Streamlit without the flag has no old mode
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def run() -> None:
    """The whole frame: language, default data, navigation, sidebar status, the page."""
    _leave_old_multipage_mode()
    frame.language_switch()
    with st.sidebar:
        explain.classroom_controls()
    state.ensure_default_data()
    # Sidebar widgets are created before st.navigation so their ids do not depend on the page.
    frame.data_status()
    page = st.navigation(_pages())
    _local.active = True
    try:
        page.run()
    finally:
        _local.active = False
        state.persist()


def guard() -> None:
    """Call first in every page: when a page was started on its own (Streamlit's old multipage
    mode, see the module docstring), run the real frame and navigation instead, then stop."""
    if not getattr(_local, "active", False):
        run()
        st.stop()
