"""Data page: pick a sample or upload a file, check the column mapping, read the row report."""

import streamlit as st

from tierlib import native
from tierlib.export import to_csv_bytes
from ui import router, samples, state, widgets
from ui.explain import explain

router.guard()
T = state.T
st.title(T("data.title"))
explain("data")
st.write(T("data.intro"))

ss = st.session_state
sources = ["upload", "sample"]
source = st.radio(T("data.source"), sources, index=sources.index(ss.get("data_source", "upload")),
                  format_func={k: T(f"data.source.{k}") for k in sources}.get,
                  horizontal=True, key=state.lkey("w_data_source"))
ss["data_source"] = source

if source == "sample":
    col1, col2 = st.columns([3, 1], vertical_alignment="bottom")
    sample_keys = list(samples.SAMPLES)
    key = col1.selectbox(T("data.pick_sample"), sample_keys,
                         index=sample_keys.index(ss.get("sample_pick", samples.DEFAULT_SAMPLE)),
                         format_func={k: T(v[1]) for k, v in samples.SAMPLES.items()}.get,
                         key=state.lkey("w_sample_pick"))
    ss["sample_pick"] = key
    if col2.button(T("data.load_sample"), key="sample_load", type="primary"):
        state.load(samples.sample_path(key), kind="sample", name=key)
        st.rerun()
else:
    upload = st.file_uploader(T("data.uploader", mb=state.MAX_UPLOAD_MB), key="uploader",
                              type=["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "parquet"])
    if upload is not None and st.session_state.get(state.K_UPLOAD_SEEN) != upload.file_id:
        st.session_state[state.K_UPLOAD_SEEN] = upload.file_id
        state.load(upload.getvalue(), kind="upload", name=upload.name, filename=upload.name)
        st.rerun()

server_paths = native.allowed_paths()
if server_paths:
    with st.expander(T("native.server_files")):
        st.caption(T("native.server_files.help"))
        labels = {str(p): p.name + ("/" if p.is_dir() else "") for p in server_paths}
        choice = st.selectbox(T("native.pick"), list(labels), format_func=labels.get, key="server_path")
        if st.button(T("native.open"), key="server_open", type="primary"):
            path = native.resolve_allowed(choice)  # only a listed path, never typed input
            stage_text = {s: T(f"native.stage.{s}") for s in ("read", "customers")}
            with st.status(T("native.stage.start", name=path.name), expanded=True) as status:
                def on_stage(stage, info):
                    if stage in stage_text:
                        status.update(label=stage_text[stage])
                        status.write(stage_text[stage])
                    else:
                        status.update(label=T("native.stage.done", **info), state="complete")
                with native.progress(on_stage):
                    ok = state.load(str(path), kind="path", name=path.name, filename=str(path))
                if not ok:
                    status.update(label=T("native.stage.failed", name=path.name), state="error")
            if ok:
                st.rerun()

err = st.session_state.get(state.K_LAST_ERROR)
if err is not None:
    st.error(T("data.load_failed", reason=state.error_text(err)), icon=":material/error:")

ws = state.workspace()
if ws is None:
    st.stop()

loaded, prep, read = ws.loaded, ws.loaded.prepared, ws.loaded.read
st.success(T("data.loaded", name=widgets.source_label(ws), read=prep.rows_read, used=prep.rows_used,
             rejected=prep.rows_rejected, customers=len(loaded.customers)), icon=":material/check_circle:")
st.caption(widgets.file_info(read))
replaced = widgets.replaced_note(ws)
if replaced:
    st.warning(replaced, icon=":material/warning:")

# Sheet picker for workbooks with several sheets.
if len(read.sheets) > 1:
    sheet = st.selectbox(T("data.sheet"), read.sheets, index=read.sheets.index(read.sheet), key="sheet_pick")
    if sheet != read.sheet:
        state.load(ws.source, kind=ws.kind, name=ws.name, filename=ws.filename, sheet=sheet,
                   overrides=None, margin=ws.margin)
        st.rerun()

# Column mapping.
with st.expander(T("data.mapping"), expanded=False):
    st.caption(T("data.mapping.help"))
    overrides = widgets.mapping_editor(loaded)
    use_margin = st.checkbox(T("data.margin.use"), value=ws.margin is not None, key="margin_use")
    margin = st.number_input(T("data.margin"), min_value=-99.0, max_value=99.0, step=1.0, format="%.1f",
                             value=(ws.margin or 0.25) * 100, key="margin_pct", disabled=not use_margin)
    if st.button(T("data.mapping.apply"), key="mapping_apply"):
        state.load(ws.source, kind=ws.kind, name=ws.name, filename=ws.filename, sheet=ws.sheet,
                   overrides=overrides, margin=(margin / 100 if use_margin else None), read=read)
        st.rerun()

# How the data were understood.
notes = [T(f"data.level.{prep.level}")]
if prep.revenue_source == "quantity_x_price":
    notes.append(T("data.revenue.quantity_x_price"))
if prep.profit_source == "estimated":
    notes.append(T("data.profit.estimated", margin=f"{prep.margin:.1%}"))
elif prep.profit_source:
    notes.append(T(f"data.profit.{prep.profit_source}"))
else:
    notes.append(T("data.profit.none"))
st.info(" ".join(notes), icon=":material/info:")

# Row report: rows read = used + rejected.
st.subheader(T("data.report"))
st.write(T("data.report.rows", read=prep.rows_read, used=prep.rows_used, rejected=prep.rows_rejected))
if prep.negative_rows:
    st.write(T("data.report.negative", n=prep.negative_rows))
if prep.duplicate_rows:
    st.write(T("data.report.duplicates", n=prep.duplicate_rows))
if prep.rows_rejected == 0:
    st.write(T("data.report.none_rejected"))
else:
    rej = widgets.rejected_table(prep.rejected)
    st.dataframe(rej, hide_index=True, width="stretch", height=240, key="rejected_table")
    st.download_button(T("data.report.download"), to_csv_bytes(rej), file_name="rejected_rows.csv",
                       mime="text/csv", key="rejected_download", icon=":material/download:")

st.subheader(T("data.customers_preview"))
widgets.show_customers(widgets.customer_frame(loaded.customers.head(200)), key="customers_preview", height=300)

with st.expander(T("data.preview", n=100)):
    st.dataframe(read.frame.head(100).astype(str), hide_index=True, width="stretch")

st.page_link("pages/tiers.py", label=T("data.go_tiers"), icon=":material/change_history:")
