"""The export and share tab of the pyramid view."""

from __future__ import annotations

import streamlit as st

from tierlib import presets
from tierlib.charts import figure_html, figure_png
from tierlib.export import to_csv_bytes, to_xlsx_bytes
from tierlib.io import InputError
from tierlib.tiers import MONEY_VALUES
from ui import state, tier_view, widgets

T = state.T
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def panel(ws, settings, grading, figures: dict) -> None:
    def graded():
        return widgets.customer_frame(grading.graded(), value_is_money=grading.value in MONEY_VALUES)

    table = tier_view.tier_table_frame(grading)

    st.subheader(T("export.data"))
    c1, c2, c3 = st.columns(3)
    c1.download_button(T("tiers.download_csv"), lambda: to_csv_bytes(graded()), file_name="graded_customers.csv",
                       mime="text/csv", key="dl_csv", icon=":material/download:")
    c2.download_button(T("tiers.download_xlsx"),
                       lambda: to_xlsx_bytes({T("tiers.customers_list"): graded(), T("tiers.table"): table}),
                       file_name="graded_customers.xlsx", mime=XLSX_MIME, key="dl_xlsx", icon=":material/download:")
    c3.download_button(T("export.tier_table_csv"), lambda: to_csv_bytes(table), file_name="tier_table.csv",
                       mime="text/csv", key="dl_table", icon=":material/download:")

    st.subheader(T("export.charts"))
    for name, fig in figures.items():
        if fig is None:
            continue
        c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="center")
        c1.write(T(f"export.chart.{name}"))
        c2.download_button("PNG", lambda fig=fig: figure_png(fig), file_name=f"{name}.png", mime="image/png",
                           key=f"dl_png_{name}", icon=":material/image:")
        c3.download_button("HTML", lambda fig=fig: figure_html(fig), file_name=f"{name}.html", mime="text/html",
                           key=f"dl_html_{name}", icon=":material/code:")

    st.subheader(T("export.share"))
    st.caption(T("export.share_help"))
    doc = presets.scheme_to_json(scheme=settings.scheme, value=settings.value, cuts=settings.cuts,
                                 names=settings.names, colors=settings.colors, weights=settings.weights)
    st.download_button(T("export.save_scheme"), doc.encode("utf-8"), file_name="tier_scheme.json",
                       mime="application/json", key="dl_scheme", icon=":material/save:")
    up = st.file_uploader(T("export.load_scheme"), type=["json"], key="scheme_upload")
    if up is not None and st.session_state.get("scheme_upload_seen") != up.file_id:
        st.session_state["scheme_upload_seen"] = up.file_id
        try:
            loaded = presets.scheme_from_json(up.getvalue())
        except InputError as exc:
            st.error(state.error_text(exc), icon=":material/error:")
        else:
            if loaded["value"] not in ws.loaded.available_values():
                st.error(state.error_text(InputError(f"tiers.no_{loaded['value']}")), icon=":material/error:")
            else:
                tier_view.apply_scheme(loaded)
                st.rerun()
