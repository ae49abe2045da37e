"""Pieces many pages share: the top of a page that needs loaded data, the current tiering with
its error shown, and a capped table of customers with a CSV download of the whole list."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd
import streamlit as st

from tierlib.export import to_csv_bytes
from tierlib.io import InputError
from tierlib.tiers import Grading
from ui import behaviour_view as bv
from ui import state, tier_view
from ui.explain import explain

T = state.T


def data_link() -> None:
    """A link to the Data page."""
    st.page_link("pages/data.py", label=T("nav.data"), icon=":material/upload_file:")


def start(area: str, *, no_data: str | None = None, intro: bool = True) -> state.Workspace:
    """The top of a page that needs loaded data; returns the workspace.

    Shows the title ``<area>.title`` and the explanation of ``area``. Without a workspace it
    shows the hint ``no_data`` (default ``<area>.no_data``) with a link to the Data page and stops
    the script; otherwise it shows the caption ``<area>.intro`` (unless ``intro`` is False).
    """
    st.title(T(f"{area}.title"))
    explain(area)
    ws = state.workspace()
    if ws is None:
        st.info(T(no_data or f"{area}.no_data"))
        data_link()
        st.stop()
    if intro:
        st.caption(T(f"{area}.intro"))
    return ws


def grading_or_stop(ws: state.Workspace) -> Grading:
    """The user's current tiering; when the data cannot be graded, the reason and a stop."""
    try:
        return tier_view.current_grading(ws)
    except InputError as exc:
        st.error(state.error_text(exc), icon=":material/error:")
        st.stop()


def capped_table(rows: pd.DataFrame, to_frame: Callable[[pd.DataFrame], pd.DataFrame], *, area: str, key: str,
                 file_name: str, money_columns: Iterable[str]) -> None:
    """A list of customers: the first ``bv.MAX_ROWS`` rows in a table, the whole list as CSV.

    ``to_frame`` turns rows into the shown (localised) frame, for the table and for the download.
    The texts are the area's ``<area>.none`` (no rows), ``<area>.shown`` (``n`` of ``total``) and
    ``<area>.download``; the widgets' keys are ``<key>_table`` and ``<key>_download``.
    """
    if len(rows) == 0:
        st.info(T(f"{area}.none"))
        return
    head = rows.head(bv.MAX_ROWS)
    st.caption(T(f"{area}.shown", n=f"{len(head):,}", total=f"{len(rows):,}"))
    shown = to_frame(head)
    st.dataframe(shown, hide_index=True, width="stretch", height=bv.table_height(len(head)), key=f"{key}_table",
                 column_config=bv.money_config(shown, money_columns))
    st.download_button(T(f"{area}.download"), lambda: to_csv_bytes(to_frame(rows)), file_name=file_name,
                       mime="text/csv", key=f"{key}_download", icon=":material/download:")
