"""Satisfaction page: a customer survey read into an importance-performance analysis (quadrant
chart with 95% intervals), the satisfaction index and the same analysis per customer tier."""

import streamlit as st

from tierlib import satisfaction as sat
from ui import playbook_view as pv
from ui import router, state
from ui.explain import explain

router.guard()
T = state.T
st.title(T("satisfaction.title"))
explain("satisfaction")
st.caption(T("satisfaction.intro"))
ws = state.workspace()

entry = pv.survey_source(ws)
if entry is None:
    st.stop()
if entry["error"] is not None and entry["raw"] is None:
    st.error(T("satisfaction.load_failed", reason=state.error_text(entry["error"])), icon=":material/error:")
    st.stop()
pv.layout_editor(entry)
survey = entry["survey"]
if survey is None:
    st.error(T("satisfaction.load_failed", reason=state.error_text(entry["error"])), icon=":material/error:")
    st.stop()

st.caption(T("satisfaction.read", name=pv.entry_label(entry), form=T(f"satisfaction.form.{survey.layout.form}"),
             rows=survey.rows_read, attributes=len(survey.attributes)))
scale, detected, mode = pv.scale_and_mode(survey)
if scale is None:
    st.error(T("satisfaction.scale_missing"), icon=":material/error:")
    st.stop()
dropped = pv.dropped_counts(entry, scale)
if dropped or survey.bad_cells:
    st.warning(T("satisfaction.dropped", dropped=dropped, bad=survey.bad_cells, scale=scale), icon=":material/warning:")

an = pv.analysis(entry, scale, mode)
matched = None
if ws is not None and survey.has_customer_ids:
    matched = pv.tier_analysis(ws, entry, scale, mode).matched_respondents
pv.metrics(an, matched)

improve = an.in_quadrant("improve")
if improve:
    sep = "、" if state.lang() == "zh" else ", "
    st.markdown(T("satisfaction.headline", items=sep.join(improve)))
st.plotly_chart(pv.quadrant_figure(an), key="sat_quadrants", config={"displayModeBar": False}, theme=None)
if an.x_importance is not None:
    st.caption(T(f"satisfaction.crosshair_note.{mode}", imp=f"{an.x_importance:.2f}", sat=f"{an.y_satisfaction:.2f}"))
pv.quadrant_lists(an)

tab_table, tab_tiers, tab_index = st.tabs([T("satisfaction.tab.table"), T("satisfaction.tab.tiers"),
                                           T("satisfaction.tab.index")])
with tab_table:
    st.dataframe(pv.styled_quadrants(pv.attribute_frame(an, survey.has_index), [T("satisfaction.col.quadrant")]),
                 hide_index=True, key="sat_table")
    st.caption(T("satisfaction.table_note"))
with tab_tiers:
    pv.by_tier_panel(ws, entry, scale, mode)
with tab_index:
    if survey.has_index:
        idx = an.index
        st.markdown(T("satisfaction.index.overall", v=f"{idx['index']:.2f}", p=f"{idx['perceived']:.2f}",
                      e=f"{idx['expected']:.2f}", n=idx["n"]))
        fig = sat.index_figure(an.table, idx["index"], {"x": T("satisfaction.index.axis"),
                                                        "overall": T("satisfaction.index.overall_line")})
        st.plotly_chart(fig, key="sat_index", config={"displayModeBar": False}, theme=None)
        st.caption(T("satisfaction.index.help"))
    else:
        st.info(T("satisfaction.index.none"), icon=":material/info:")
