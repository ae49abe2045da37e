"""Tier migration page: two periods graded with the current scheme, the transition matrix in
customers and profit, a Sankey diagram, the lists of moving customers and upgrade candidates."""

import pandas as pd
import streamlit as st

from tierlib import migration
from tierlib.io import InputError
from ui import behaviour_view as bv
from ui import page_common, router, state, tier_view, widgets

router.guard()
T = state.T
ws = page_common.start("migration", no_data="tiers.no_data")
cfg = bv.settings(bv.K_MIG)
g = tier_view.current_grading(ws)
value_word = T(f"value.{g.value}")
st.caption(T("migration.grading_caption", scheme=T(f"scheme.{g.scheme}"), cuts=", ".join(str(c) for c in g.cuts),
             value=value_word, names=" / ".join(g.names)))
st.page_link("pages/tiers.py", label=T("migration.tiers_link"), icon=":material/change_history:")

modes = ["split", "files"]
has_dates = bv.date_range(ws)[0] is not None
mode = st.segmented_control(T("migration.mode"), modes, default=cfg.get("mode", "split" if has_dates else "files"),
                            key=state.lkey("mig_mode"),
                            format_func={m: T(f"migration.mode.{m}") for m in modes}.get) or modes[not has_dates]
cfg["mode"] = mode

m = None
try:
    if mode == "split":
        first, last = bv.date_range(ws)
        if not has_dates:
            st.info(T("err.migration.no_dates"), icon=":material/info:")
            st.stop()
        d0, d1 = pd.Timestamp(first).date(), pd.Timestamp(last).date()
        key = ("migration.default_split",)
        if key not in ws.cache:
            ws.cache[key] = migration.default_split(ws.engine).date()
        default = cfg.get("split") if cfg.get("split") and d0 < cfg["split"] <= d1 else ws.cache[key]
        c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
        split_day = c1.date_input(T("migration.split"), value=default, min_value=d0, max_value=d1, key="mig_split",
                                  help=T("migration.split_help"))
        equal = c2.checkbox(T("migration.equal"), value=bool(cfg.get("equal", False)), key="mig_equal",
                            help=T("migration.equal_help"))
        cfg.update(split=split_day, equal=equal)
        later_days = (pd.Timestamp(d1) - pd.Timestamp(split_day)).days + 1
        start = (pd.Timestamp(split_day) - pd.Timedelta(days=later_days)).date() if equal else None
        dims = tier_view.dimension_filters()
        m = bv.split_migration(ws, g, split_day, start, dims)
        if dims:
            st.caption(T("migration.dims_caption", filters="; ".join(
                f"{T(f'field.{k}')}: {', '.join(map(str, v))}" for k, v in dims.items())))
        b0 = start if start and start > d0 else d0
        b1 = (pd.Timestamp(split_day) - pd.Timedelta(days=1)).date()
        st.caption(T("migration.periods_caption", b0=str(b0), b1=str(b1), a0=str(split_day), a1=str(d1)))
    else:
        upload = st.file_uploader(T("migration.upload"), key="mig_upload",
                                  type=["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "parquet"])
        current = bv.second_file(ws)
        if upload is not None and (current is None or current[0] != upload.file_id):
            err = bv.load_second_file(ws, upload)
            if err is not None:
                reason = state.error_text(err) if isinstance(err, InputError) else T("err.unexpected",
                                                                                      detail=type(err).__name__)
                st.error(T("migration.file_failed", reason=reason), icon=":material/error:")
        other = bv.second_file(ws)
        if other is None:
            st.info(T("migration.upload_first"), icon=":material/info:")
            st.stop()
        _fid, other_name, other_loaded = other
        st.success(T("migration.file_loaded", name=other_name, rows=f"{other_loaded.prepared.rows_read:,}",
                     customers=f"{len(other_loaded.customers):,}"), icon=":material/check_circle:")
        st.caption(T("migration.current_file", name=widgets.source_label(ws)))
        roles = ["later", "earlier"]
        role = st.radio(T("migration.file_role"), roles, index=roles.index(cfg.get("role", "later")), horizontal=True,
                        key=state.lkey("mig_role"), format_func={r: T(f"migration.role.{r}") for r in roles}.get)
        cfg["role"] = role
        m = bv.files_migration(ws, g, other, uploaded_is_later=(role == "later"))
except InputError as exc:
    st.error(T("migration.error", reason=state.error_text(exc)), icon=":material/error:")
    st.stop()

labels = [*g.names, T("migration.inactive")]
counts = m.counts()
cols = st.columns(5)
cols[0].metric(T("migration.metric.customers"), f"{int(m.matrix.sum()):,}")
for col, kind in zip(cols[1:], ("up", "down", "new", "lost")):
    col.metric(T(f"migration.metric.{kind}"), f"{counts[kind]:,}")

tab_matrix, tab_sankey, tab_lists, tab_cand = st.tabs([T("migration.tab.matrix"), T("migration.tab.sankey"),
                                                      T("migration.tab.lists"), T("migration.tab.candidates")])
corner, total = T("migration.matrix.corner"), T("migration.matrix.total")

with tab_matrix:
    st.subheader(T("migration.matrix.title"))
    st.table(bv.matrix_frame(m.matrix, labels, corner, total, money_units=False), hide_index=True,
             border="horizontal")
    st.caption(T("migration.matrix.note"))
    if m.profit_matrix is None:
        st.info(T("migration.profit.none"))
    else:
        st.subheader(T("migration.profit.title"))
        st.table(bv.matrix_frame(m.profit_matrix, labels, corner, total, money_units=True), hide_index=True,
                 border="horizontal")
        st.caption(T("migration.profit.note"))
        if m.profit_before_matrix is not None:
            st.subheader(T("migration.profit_before.title"))
            st.table(bv.matrix_frame(m.profit_before_matrix, labels, corner, total, money_units=True),
                     hide_index=True, border="horizontal")

with tab_sankey:
    fig = migration.sankey_figure(m, {"states": labels, "before": T("migration.sankey.before"),
                                      "after": T("migration.sankey.after"), "hover": T("migration.sankey.hover"),
                                      "title": T("migration.sankey.title")},
                                  colors=bv.tier_colors(len(g.names)))
    st.plotly_chart(fig, key="mig_sankey", config={"displayModeBar": False}, theme=None)

with tab_lists:
    kinds = ["up", "down", "new", "lost", "same"]
    kind_labels = {k: f"{T(f'migration.list.{k}')} ({counts[k]:,})" for k in kinds}
    kind = st.segmented_control(T("migration.list.pick"), kinds, default=cfg.get("list_kind", "up"),
                                key=state.lkey("mig_list_pick", kind_labels.values()),
                                format_func=kind_labels.get) or "up"
    cfg["list_kind"] = kind
    rows = m.moves(kind)
    if kind in ("up", "down", "same"):
        rows = rows.sort_values(["growth", "customer_id"], ascending=[kind == "down", True], kind="stable")
    page_common.capped_table(rows, lambda df: bv.move_frame(df, labels, value_word, g.value), area="migration",
                             key="mig_list", file_name=f"migration_{kind}.csv",
                             money_columns=bv.move_columns(value_word))

with tab_cand:
    near = st.columns([1, 3])[0].number_input(T("migration.near"), min_value=1.0, max_value=100.0, step=5.0,
                           value=float(cfg.get("near", migration.NEAR_PCT)), format="%g",
                                              key="mig_near")
    cfg["near"] = near
    if len(g.names) < 3:
        st.info(T("migration.candidates.none_tiers"))
    else:
        st.caption(T("migration.candidates.rule", tiers=" / ".join(g.names[2:]), value=value_word, near=f"{near:g}"))
        cand = m.candidates(near_pct=near)
        page_common.capped_table(cand, lambda df: bv.candidate_frame(df, labels, value_word, g.value),
                                 area="migration", key="mig_cand", file_name="upgrade_candidates.csv",
                                 money_columns=bv.move_columns(value_word))
