"""Reports page: a preview of every section of the report of the current tiering, and two
downloads — a self-contained HTML report (offline, printable) and an Excel workbook."""

import hashlib
import json

import streamlit as st

from tierlib import report
from ui import page_common, router, state, tier_view, widgets

router.guard()
T = state.T
ws = page_common.start("report")
grading = page_common.grading_or_stop(ws)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
lang = state.lang()
ss = st.session_state
colors = ss.get(tier_view.K_COLORS)
if not isinstance(colors, list) or len(colors) < len(grading.tiers):
    colors = None
bins = ss.get("rfm_bins")
extras = {
    "source": widgets.source_label(ws),
    "colors": colors,
    # The user's settings of the other pages (their owners document these keys).
    "rfm": {"monetary": ss.get("rfm_monetary"), "bins": bins,
            "rules": (ws.annotations.get("rfm_rules") or {}).get(str(bins or 5))},
    "kind_tags": ws.annotations.get("kind_tags"),
    "weights": ss.get(tier_view.K_WEIGHTS) if grading.value == "score" else None,
}
playbook_store = ws.annotations.get("playbook")
signature = json.dumps([lang, id(grading.ranked), grading.scheme, grading.cuts, grading.bounds, grading.names,
                        extras, playbook_store], ensure_ascii=False, sort_keys=True, default=str)
cache_key = ("report", hashlib.sha256(signature.encode("utf-8")).hexdigest())
if cache_key not in ws.cache:
    for old in [k for k in ws.cache if isinstance(k, tuple) and k and k[0] == "report"]:
        del ws.cache[old]  # keep one report only
    with st.spinner(T("report.building")):
        ws.cache[cache_key] = report.build_report(ws.loaded, grading, lang, engine=ws.engine,
                                                  playbook=playbook_store, extras=extras)
rep: report.ReportData = ws.cache[cache_key]

# Downloads ---------------------------------------------------------------------------------
st.subheader(T("report.downloads"))
st.caption(T("report.downloads_help"))
stem = f"{T('report.file_stem')}-{rep.generated}"
c1, c2 = st.columns(2)
c1.download_button(T("report.download_html"), data=lambda rep=rep: report.to_html(rep).encode("utf-8"),
                   file_name=f"{stem}.html", mime="text/html", key="report_dl_html", type="primary",
                   icon=":material/download:", on_click="ignore", width="stretch")
c2.download_button(T("report.download_xlsx"), data=lambda rep=rep: report.to_xlsx(rep), file_name=f"{stem}.xlsx",
                   mime=XLSX_MIME, key="report_dl_xlsx", icon=":material/table_view:", on_click="ignore",
                   width="stretch")

# Preview -----------------------------------------------------------------------------------
_MD = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>~$:"})


def md(text) -> str:
    """Plain text (possibly holding names from the user's file) made literal for st.markdown."""
    return str(text).translate(_MD)


st.subheader(T("report.preview"))
st.caption(T("report.preview_help"))
for start in range(0, len(rep.key_figures), 3):
    kcols = st.columns(3)
    for col, (label, value) in zip(kcols, rep.key_figures[start:start + 3]):
        col.metric(label, value)

for i, sec in enumerate(rep.sections, start=1):
    icon = ":material/check_circle:" if sec.available else ":material/block:"
    status = T("report.status.ok") if sec.available else T("report.status.na")
    with st.expander(f"{i}. {sec.title} · {status}", expanded=i <= 2, icon=icon):
        if not sec.available:
            st.info(md(sec.note), icon=":material/info:")
            continue
        for p in sec.paragraphs:
            st.markdown(md(p))
        for j, (name, fig) in enumerate(sec.figures):
            if sec.captions.get(name):
                st.caption(md(sec.captions[name]))
            st.plotly_chart(fig, key=f"report_fig_{sec.key}_{j}", config={"displayModeBar": False}, theme=None)
        for j, table in enumerate(sec.tables):
            if table.title:
                st.markdown(f"**{md(table.title)}**")
            frame = report.display_frame(table, lang)
            if len(frame) <= 12:
                st.table(frame, hide_index=True, border="horizontal")
            else:
                st.dataframe(frame, hide_index=True, width="stretch", height=380, key=f"report_tab_{sec.key}_{j}")
        for note in sec.footnotes:
            st.caption(md(note))
        if sec.cards:
            ccols = st.columns(2)
            for j, card in enumerate(sec.cards):
                with ccols[j % 2].container(border=True):
                    head = f"**{md(card.title)}**"
                    if card.edited:
                        head += f" :orange-badge[{T('report.playbook.badge')}]"
                    st.markdown(head)
                    if card.facts:
                        st.caption(md(card.facts))
                    st.markdown(f"**{T('report.playbook.goal')}** {md(card.goal)}")
                    st.markdown("\n".join(f"{k}. {md(a)}" for k, a in enumerate(card.actions, start=1)))
                    st.caption(f"{T('report.playbook.measure')} {md(card.measure)}")
