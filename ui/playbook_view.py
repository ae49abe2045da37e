"""Streamlit helpers of the action pages: the satisfaction survey (pick, read, override the
columns, analyse, per tier) and the playbook (strategy cards, resource allocation).

Session keys owned here:

* ``sat_survey`` -- the survey in use: ``{"key", "label", "raw", "layout", "survey", "error",
  "cache"}`` (the raw cells are kept so that a changed column mapping re-reads nothing);
* widget keys prefixed ``sat_`` and ``pb_``.

The playbook's editable data live in ``ws.annotations["playbook"]`` (see
:mod:`tierlib.playbook`): ``{"cards": {card_id: card}, "allocation": {"budget", "method",
"costs": {"<n>/<i>": float}, "weights": {"<n>/<i>": float}}}``.
"""

from __future__ import annotations

import math
import zlib
from pathlib import Path

import pandas as pd
import streamlit as st

from tierlib import io as tio
from tierlib import playbook as pb
from tierlib import satisfaction as sat
from tierlib.i18n import fmt_compact, fmt_pct
from tierlib.io import InputError
from ui import state, tier_view

T = state.T
ROOT = Path(__file__).resolve().parent.parent
SURVEY_DIR = ROOT / "sample_data" / "surveys"
#: key -> file name under sample_data/surveys/ (label: i18n "satisfaction.sample.<key>").
SAMPLE_SURVEYS = {
    "workwear_long": "workwear_survey_long.csv",
    "workwear_wide": "workwear_survey_wide.xlsx",
    "online_wide": "online_shop_survey_wide.csv",
}
K_SURVEY = "sat_survey"
K_SETTINGS = "sat_settings"
NONE = "\u0000none"
MAX_SURVEY_MB = 50
QUADRANT_BG = {"improve": "rgba(214,39,40,0.18)", "keep": "rgba(44,160,44,0.18)",
               "low_priority": "rgba(127,127,127,0.15)", "nice_extra": "rgba(31,119,180,0.16)"}


# ==========================================================================================
# Satisfaction: the survey in use

def default_sample(ws) -> str:
    """The sample survey that matches the loaded data (the online shop's for the online sample)."""
    if ws is not None and ws.kind == "sample" and ws.name == "online":
        return "online_wide"
    return "workwear_long"


def _load(key: tuple, source, filename: str, label: str) -> dict:
    entry = {"key": key, "label": label, "raw": None, "layout": None, "survey": None, "error": None, "cache": {}}
    try:
        raw = tio.read_table(source, filename=filename, max_bytes=MAX_SURVEY_MB * 1024 * 1024)
        entry["raw"] = raw
        layout = sat.detect_layout(list(raw.frame.columns))
        entry["layout"] = layout
        entry["survey"] = sat.tidy(raw.frame, layout, raw.line_numbers)
    except InputError as exc:
        entry["error"] = exc
    except Exception as exc:  # noqa: BLE001 - a strange file must never show a traceback
        entry["error"] = InputError("unexpected", detail=type(exc).__name__)
    st.session_state[K_SURVEY] = entry
    return entry


def current_survey() -> dict | None:
    return st.session_state.get(K_SURVEY)


def settings(ws=None) -> dict:
    """The satisfaction page's choices, kept under their own key (never a widget key), so they
    survive page switches and language switches."""
    return st.session_state.setdefault(K_SETTINGS, {"source": "sample", "sample": default_sample(ws),
                                                    "scale": "auto", "mode": "mean", "tier": None})


def _wkey(name: str) -> str:
    """A widget key per language: a widget whose labels change keeps its old labels in the
    browser otherwise."""
    return f"{name}_{state.lang()}"


def survey_source(ws) -> dict | None:
    """Sample or upload; (re)reads the file when the choice changes. Returns the entry."""
    conf = settings(ws)
    opts = ["sample", "upload"]
    src = st.radio(T("satisfaction.source"), opts, horizontal=True, key=_wkey("sat_source"),
                   index=opts.index(conf["source"]), format_func={k: T(f"satisfaction.source.{k}") for k in opts}.get)
    conf["source"] = src
    entry = current_survey()
    if src == "sample":
        keys = list(SAMPLE_SURVEYS)
        pick = st.selectbox(T("satisfaction.pick_sample"), keys, key=_wkey("sat_sample"),
                            index=keys.index(conf["sample"]) if conf["sample"] in keys else 0,
                            format_func={k: T(f"satisfaction.sample.{k}") for k in keys}.get)
        conf["sample"] = pick
        want = ("sample", pick)
        if entry is None or entry["key"] != want:
            path = SURVEY_DIR / SAMPLE_SURVEYS[pick]
            entry = _load(want, path, path.name, pick)
    else:
        up = st.file_uploader(T("satisfaction.uploader", mb=MAX_SURVEY_MB), key="sat_upload",
                              type=["csv", "tsv", "txt", "xlsx", "xlsm", "xls"])
        if up is not None:
            want = ("upload", up.file_id)
            if entry is None or entry["key"] != want:
                entry = _load(want, up.getvalue(), up.name, up.name)
        elif entry is None or entry["key"][0] != "upload":
            st.info(T("satisfaction.upload_hint"), icon=":material/upload_file:")
            return None
    return entry


def entry_label(entry: dict) -> str:
    kind, _ = entry["key"]
    return T(f"satisfaction.sample.{entry['label']}") if kind == "sample" else entry["label"]


# ------------------------------------------------------------------------------------------
# Column overrides

def layout_editor(entry: dict) -> None:
    """Form, columns and measures of the survey, detected and overridable (applied on submit)."""
    raw = entry["raw"]
    if raw is None:
        return
    columns = [str(c) for c in raw.frame.columns]
    layout = entry["layout"]
    with st.expander(T("satisfaction.layout.title"), expanded=entry["survey"] is None):
        st.caption(T("satisfaction.layout.help"))
        forms = list(sat.FORMS)
        form_now = layout.form if layout is not None else "long"
        form = st.radio(T("satisfaction.layout.form"), forms, index=forms.index(form_now), horizontal=True,
                        key=_wkey(f"sat_form_{id(raw)}"),
                        format_func={f: T(f"satisfaction.form.{f}") for f in forms}.get)
        with st.form(_wkey(f"sat_layout_{id(raw)}_{form}"), border=False):
            options = [NONE, *columns]
            labels = {NONE: T("satisfaction.layout.none"), **{c: c for c in columns}}
            roles_now = dict(layout.roles) if layout is not None and layout.form == form else {}
            if form == "long" and not roles_now:
                roles_now = sat._detect_long(columns, set())
            role_list = sat.LONG_ROLES if form == "long" else sat.ID_ROLES
            if form == "wide" and not roles_now:
                roles_now = sat._detect_wide(columns)[0]
            picks = {}
            role_keys = {}
            cols = st.columns(3)
            for i, role in enumerate(role_list):
                cur = roles_now.get(role)
                role_keys[role] = _wkey(f"sat_role_{role}_{id(raw)}_{form}")
                picks[role] = cols[i % 3].selectbox(
                    T(f"satisfaction.role.{role}"), options, index=options.index(cur) if cur in options else 0,
                    format_func=labels.get, key=role_keys[role])
            base = wide_key = None
            m_names: dict = {}
            if form == "wide":
                measures_now = layout.measures if layout is not None and layout.form == "wide" \
                    else sat._detect_wide(columns)[1]
                m_opts = [*sat.MEASURES, "ignore"]
                m_names = {m: T(f"satisfaction.measure.{m}") for m in m_opts}
                base = pd.DataFrame({
                    "column": columns,
                    "attribute": [measures_now.get(c, ("", ""))[0] for c in columns],
                    "measure": [m_names[measures_now[c][1]] if c in measures_now else m_names["ignore"]
                                for c in columns],
                })
                base = base[~base["column"].isin([v for v in picks.values() if v != NONE])].reset_index(drop=True)
                st.caption(T("satisfaction.layout.wide_help"))
                wide_key = _wkey(f"sat_wide_{id(raw)}")
                st.data_editor(
                    base, hide_index=True, key=wide_key, disabled=["column"], width="stretch",
                    column_config={
                        "column": st.column_config.TextColumn(T("satisfaction.layout.column")),
                        "attribute": st.column_config.TextColumn(T("satisfaction.layout.attribute")),
                        "measure": st.column_config.SelectboxColumn(
                            T("satisfaction.layout.measure"), options=[m_names[m] for m in m_opts], required=True),
                    })
            # A callback, not the button's return value: it runs before the next script run, so
            # the click is never lost to a rerun.
            st.form_submit_button(T("satisfaction.layout.apply"), on_click=_apply_layout,
                                  args=(entry, form, role_keys, wide_key, base, m_names))
        err = entry.pop("layout_error", None)
        if err is not None:
            st.error(state.error_text(err), icon=":material/error:")


def _apply_layout(entry: dict, form: str, role_keys: dict, wide_key: str | None, base, m_names: dict) -> None:
    """Form callback: build the layout from the form's widgets and re-tidy the survey."""
    ss = st.session_state
    roles = {r: ss.get(k) for r, k in role_keys.items()}
    roles = {r: c for r, c in roles.items() if c and c != NONE}
    measures = {}
    if form == "wide" and base is not None:
        frame = base.copy()
        for row, changes in ((ss.get(wide_key) or {}).get("edited_rows") or {}).items():
            for col, value in changes.items():
                if col in frame.columns:
                    frame.loc[int(row), col] = value
        rev = {v: k for k, v in m_names.items()}
        for _, r in frame.iterrows():
            m = rev.get(r["measure"], "ignore")
            if m != "ignore" and str(r["attribute"] or "").strip():
                measures[r["column"]] = (str(r["attribute"]).strip(), m)
    new = sat.Layout(form, roles, measures)
    raw = entry["raw"]
    try:
        survey = sat.tidy(raw.frame, new, raw.line_numbers)
    except InputError as exc:
        entry["layout_error"] = exc
        return
    entry.update(layout=new, survey=survey, error=None, cache={})


# ------------------------------------------------------------------------------------------
# Scale and crosshairs

def scale_and_mode(survey: sat.Survey) -> tuple[int, int | None, str]:
    """(scale in use, detected scale or None, crosshair mode) from the controls."""
    try:
        detected = sat.detect_scale(survey.data)
    except InputError:
        detected = None
    conf = settings()
    c1, c2 = st.columns(2)
    opts = ["auto", *sat.SCALES]
    auto_label = T("satisfaction.scale.auto", n=detected) if detected else T("satisfaction.scale.auto_none")
    names = {o: auto_label if o == "auto" else T("satisfaction.scale.n", n=o) for o in opts}
    pick = c1.selectbox(T("satisfaction.scale"), opts, key=_wkey(f"sat_scale_{detected}"),
                        index=opts.index(conf["scale"]),
                        format_func=names.get, help=T("satisfaction.scale.help"))
    conf["scale"] = pick
    scale = detected if pick == "auto" else int(pick)
    modes = list(sat.CROSSHAIRS)
    mode = c2.radio(T("satisfaction.crosshair"), modes, key=_wkey("sat_mode"), index=modes.index(conf["mode"]),
                    horizontal=True, format_func={m: T(f"satisfaction.crosshair.{m}") for m in modes}.get,
                    help=T("satisfaction.crosshair.help"))
    conf["mode"] = mode
    return scale, detected, mode


def analysis(entry: dict, scale: int, mode: str) -> sat.Analysis:
    key = ("all", scale, mode)
    if key not in entry["cache"]:
        entry["cache"][key] = sat.analyze(entry["survey"].data, scale, mode, entry["survey"].attributes)
    return entry["cache"][key]


def dropped_counts(entry: dict, scale: int) -> int:
    key = ("dropped", scale)
    if key not in entry["cache"]:
        entry["cache"][key] = sum(sat.in_scale(entry["survey"].data, scale)[1].values())
    return entry["cache"][key]


# ------------------------------------------------------------------------------------------
# Displays

def quadrant_names() -> dict:
    return {q: T(f"satisfaction.q.{q}") for q in sat.QUADRANTS}


def chart_labels() -> dict:
    return {
        "x": T("satisfaction.axis.satisfaction"), "y": T("satisfaction.axis.importance"),
        "quadrants": quadrant_names(), "hover": T("satisfaction.hover"), "no_ci": T("satisfaction.no_ci"),
    }


def quadrant_figure(an: sat.Analysis, height: int = 520):
    return sat.quadrant_figure(an, chart_labels(), height=height)


def metrics(an: sat.Analysis, matched: int | None) -> None:
    cols = st.columns(5)
    cols[0].metric(T("satisfaction.metric.respondents"), f"{an.respondents:,}")
    cols[1].metric(T("satisfaction.metric.attributes"), f"{len(an.table):,}")
    cols[2].metric(T("satisfaction.metric.scale"), f"1–{an.scale}")
    idx = an.index.get("index")
    cols[3].metric(T("satisfaction.metric.index"), "-" if idx is None else f"{idx:.2f}",
                   help=T("satisfaction.metric.index_help"))
    cols[4].metric(T("satisfaction.metric.matched"), "-" if matched is None else f"{matched:,}",
                   help=T("satisfaction.metric.matched_help"))


def quadrant_lists(an: sat.Analysis) -> None:
    """Four columns: the attributes of each quadrant (improve urgently first)."""
    names = quadrant_names()
    cols = st.columns(4)
    for col, q in zip(cols, sat.QUADRANTS):
        items = an.in_quadrant(q)
        with col.container(border=True):
            st.markdown(f"**{names[q]}** ({len(items)})")
            st.caption(T(f"satisfaction.q.{q}.hint"))
            st.markdown("\n".join(f"- {a}" for a in items) if items else T("satisfaction.q.none"))


def _ci(lo, hi) -> str:
    if pd.isna(lo) or pd.isna(hi):
        return T("satisfaction.no_ci")
    return f"{lo:.2f} – {hi:.2f}"


def attribute_frame(an: sat.Analysis, with_index: bool) -> pd.DataFrame:
    """The attribute table as display text with localised headers."""
    names = quadrant_names()
    t = an.table
    out = pd.DataFrame({
        T("satisfaction.col.attribute"): t["attribute"],
        T("satisfaction.col.respondents"): [f"{int(v):,}" for v in t["respondents"]],
        T("satisfaction.col.importance"): ["-" if pd.isna(v) else f"{v:.2f}" for v in t["importance"]],
        T("satisfaction.col.importance_ci"): [_ci(a, b) for a, b in zip(t["importance_lo"], t["importance_hi"])],
        T("satisfaction.col.satisfaction"): ["-" if pd.isna(v) else f"{v:.2f}" for v in t["satisfaction"]],
        T("satisfaction.col.satisfaction_ci"): [_ci(a, b) for a, b in zip(t["satisfaction_lo"], t["satisfaction_hi"])],
        T("satisfaction.col.gap"): ["-" if pd.isna(v) else f"{v:+.2f}" for v in t["gap"]],
        T("satisfaction.col.quadrant"): [names.get(q, "-") if q else "-" for q in t["quadrant"]],
    })
    if with_index:
        out[T("satisfaction.col.expected")] = ["-" if pd.isna(v) else f"{v:.2f}" for v in t["expected"]]
        out[T("satisfaction.col.perceived")] = ["-" if pd.isna(v) else f"{v:.2f}" for v in t["perceived"]]
        out[T("satisfaction.col.index")] = ["-" if pd.isna(v) else f"{v:.2f}" for v in t["index"]]
    return out


def _q_style(text: str, rev: dict) -> str:
    q = rev.get(text)
    return f"background-color: {QUADRANT_BG[q]}" if q else ""


def styled_quadrants(frame: pd.DataFrame, columns: list[str]):
    rev = {v: k for k, v in quadrant_names().items()}
    return frame.style.map(lambda v: _q_style(v, rev), subset=columns)


# ------------------------------------------------------------------------------------------
# Per tier

def tier_analysis(ws, entry: dict, scale: int, mode: str) -> sat.TierAnalysis:
    """The survey by the user's current tiers (cached per grading, scale and mode)."""
    g = tier_view.current_grading(ws)
    key = ("tiers", id(ws), id(g.ranked), tuple(g.bounds), tuple(g.names), scale, mode)
    if key not in entry["cache"]:
        for k in [k for k in entry["cache"] if k[0] == "tiers"]:
            del entry["cache"][k]
        ct = tier_view.customer_tiers(ws)
        entry["cache"][key] = sat.analyze_by_tier(entry["survey"].data, ct, scale, mode, entry["survey"].attributes)
    return entry["cache"][key]


def tier_focus(ws) -> dict[int, list[str]]:
    """For the playbook: ``{tier: [attributes to improve urgently]}`` from the survey in use
    (empty when no survey was analysed or none of its customer ids match)."""
    entry = current_survey()
    if ws is None or not entry or entry.get("survey") is None or not entry["survey"].has_customer_ids:
        return {}
    try:
        conf = settings(ws)
        scale = sat.detect_scale(entry["survey"].data) if conf["scale"] == "auto" else int(conf["scale"])
        mode = conf["mode"]
        ta = tier_analysis(ws, entry, scale, mode)
    except InputError:
        return {}
    return {t["tier"]: t["analysis"].in_quadrant("improve") for t in ta.tiers}


def by_tier_panel(ws, entry: dict, scale: int, mode: str) -> None:
    survey = entry["survey"]
    if ws is None:
        st.info(T("satisfaction.tiers.no_data"), icon=":material/info:")
        st.page_link("pages/data.py", label=T("nav.data"), icon=":material/upload_file:")
        return
    if not survey.has_customer_ids:
        st.info(T("satisfaction.tiers.no_ids"), icon=":material/info:")
        return
    ta = tier_analysis(ws, entry, scale, mode)
    st.caption(T("satisfaction.tiers.matched", matched=ta.matched_respondents, unmatched=ta.unmatched_respondents,
                 without=ta.without_id))
    if not ta.tiers:
        st.warning(T("satisfaction.tiers.none_matched"), icon=":material/warning:")
        return
    for t in ta.tiers:
        items = t["analysis"].in_quadrant("improve")
        st.markdown(T("satisfaction.tiers.fix", tier=t["tier_name"], n=t["respondents"],
                      items="、".join(items) if state.lang() == "zh" else ", ".join(items))
                    if items else T("satisfaction.tiers.fix_none", tier=t["tier_name"], n=t["respondents"]))
    if mode == "mean":
        st.caption(T("satisfaction.tiers.own_means"))
    names = quadrant_names()
    matrix = ta.quadrant_matrix()
    tier_cols = [t["tier_name"] for t in ta.tiers]
    disp = matrix.rename(columns={"attribute": T("satisfaction.col.attribute")})
    for c in tier_cols:
        disp[c] = [names.get(q, "-") if q else "-" for q in matrix[c]]
    st.dataframe(styled_quadrants(disp, tier_cols), hide_index=True, key="sat_tier_matrix")
    labels = {t["tier"]: f"{t['tier_name']} ({T('satisfaction.tiers.n', n=t['respondents'])})" for t in ta.tiers}
    conf = settings(ws)
    tiers_list = list(labels)
    pick = st.selectbox(T("satisfaction.tiers.pick"), tiers_list, format_func=labels.get,
                        key=_wkey(f"sat_tier_pick_{zlib.crc32('|'.join(labels.values()).encode())}"),
                        index=tiers_list.index(conf["tier"]) if conf["tier"] in tiers_list else 0)
    conf["tier"] = pick
    chosen = next(t for t in ta.tiers if t["tier"] == pick)
    st.plotly_chart(quadrant_figure(chosen["analysis"], height=460), key="sat_tier_chart",
                    config={"displayModeBar": False}, theme=None)


# ==========================================================================================
# Playbook: cards

def store(ws) -> dict:
    """The playbook annotations of the workspace (created on first use)."""
    doc = ws.annotations.setdefault("playbook", {})
    doc.setdefault("cards", {})
    doc.setdefault("allocation", {})
    return doc


def _field_keys(card_id: str) -> dict:
    lang = state.lang()
    return {f: f"pb_{f}_{card_id}_{lang}" for f in pb.FIELDS}


def _save_card(ws, card_id: str) -> None:
    keys = _field_keys(card_id)
    ss = st.session_state
    pb.set_card(store(ws), card_id, {"goal": ss.get(keys["goal"], ""),
                                     "actions": pb.parse_actions(ss.get(keys["actions"], "")),
                                     "measure": ss.get(keys["measure"], "")})


def _reset_card(ws, card_id: str) -> None:
    pb.reset_card(store(ws), card_id)
    for lang in ("zh", "en"):
        for f in pb.FIELDS:
            st.session_state.pop(f"pb_{f}_{card_id}_{lang}", None)


def card_box(ws, card_id: str, group: str, key: str, title: str, edit: bool, facts: str | None = None,
             based_on: str | None = None, focus: list[str] | None = None) -> None:
    """One strategy card: shown as text, or as text areas in edit mode."""
    c, edited = pb.card(store(ws), card_id, group, key, state.lang())
    with st.container(border=True):
        head = f"#### {title}"
        if edited:
            head += f" :orange-badge[{T('playbook.edited')}]"
        st.markdown(head)
        if facts:
            st.caption(facts)
        if based_on:
            st.caption(T("playbook.based_on", card=based_on))
        if focus:
            sep = "、" if state.lang() == "zh" else ", "
            st.info(T("playbook.survey_focus", items=sep.join(focus)), icon=":material/sentiment_dissatisfied:")
        if not edit:
            st.markdown(f"**{T('playbook.goal')}**：{c['goal']}" if state.lang() == "zh"
                        else f"**{T('playbook.goal')}**: {c['goal']}")
            st.markdown("\n".join(f"{i}. {a}" for i, a in enumerate(c["actions"], start=1)))
            st.caption(f"{T('playbook.measure')}：{c['measure']}" if state.lang() == "zh"
                       else f"{T('playbook.measure')}: {c['measure']}")
            return
        keys = _field_keys(card_id)
        ss = st.session_state
        texts = {"goal": c["goal"], "actions": pb.actions_text(c["actions"]), "measure": c["measure"]}
        for f in pb.FIELDS:
            if keys[f] not in ss:
                ss[keys[f]] = texts[f]
        st.text_area(T("playbook.goal"), key=keys["goal"], height=68, on_change=_save_card, args=(ws, card_id))
        st.text_area(T("playbook.actions"), key=keys["actions"], height=190, on_change=_save_card,
                     args=(ws, card_id), help=T("playbook.actions_help"))
        st.text_area(T("playbook.measure"), key=keys["measure"], height=68, on_change=_save_card,
                     args=(ws, card_id))
        if edited:
            st.button(T("playbook.reset"), key=f"pb_reset_{card_id}", on_click=_reset_card, args=(ws, card_id),
                      icon=":material/undo:")


def tier_facts(row: dict) -> str:
    lang = state.lang()
    profit = row.get("profit")
    return T("playbook.tier_facts", n=f"{row['customers']:,}", share=fmt_pct(row.get("customer_share")),
             profit="-" if profit is None else fmt_compact(profit, lang),
             profit_share=fmt_pct(row.get("profit_share")))


def tier_cards(ws, grading, edit: bool) -> list[tuple[str, dict]]:
    """The tier cards of the current grading; returns (title, card) pairs for the export."""
    n = len(grading.tiers)
    keys = pb.tier_keys(n)
    focus = tier_focus(ws)
    out = []
    textbook = {k: T(f"tier.{k}") for k in pb.TEXTBOOK_TIERS}
    for i, (row, key) in enumerate(zip(grading.tiers, keys), start=1):
        card_id = pb.tier_card_id(n, i)
        based = textbook[key] if textbook[key] != row["name"] else None
        card_box(ws, card_id, "tier", key, row["name"], edit, facts=tier_facts(row),
                 based_on=based, focus=focus.get(i))
        out.append((row["name"], pb.card(store(ws), card_id, "tier", key, state.lang())[0]))
    return out


def group_cards(ws, group: str, edit: bool, columns: int = 2) -> list[tuple[str, dict]]:
    out = []
    keys = pb.GROUPS[group]
    cols = st.columns(columns)
    for j, key in enumerate(keys):
        title = T(f"playbook.{group}.{key}")
        with cols[j % columns]:
            card_box(ws, pb.group_card_id(group, key), group, key, title, edit)
        out.append((title, pb.card(store(ws), pb.group_card_id(group, key), group, key, state.lang())[0]))
    return out


def markdown_export(sections) -> bytes:
    labels = {"title": T("playbook.title"), "goal": T("playbook.goal"), "actions": T("playbook.actions"),
              "measure": T("playbook.measure")}
    return pb.to_markdown(sections, labels).encode("utf-8")


# ==========================================================================================
# Playbook: resource allocation

def _slot(n: int, i: int) -> str:
    return f"{n}/{i}"


def _apply_editor(ws, key: str, n: int) -> None:
    """data_editor callback: copy the edited cells into the annotations, then forget the widget."""
    alloc = store(ws)["allocation"]
    changes = (st.session_state.get(key) or {}).get("edited_rows", {})
    for row, vals in changes.items():
        i = int(row) + 1
        for col, field_ in (("cost", "costs"), ("weight", "weights")):
            if col in vals:
                v = vals[col]
                try:
                    v = float(v)
                except (TypeError, ValueError):
                    continue
                if math.isfinite(v) and v >= 0:
                    alloc.setdefault(field_, {})[_slot(n, i)] = v
    st.session_state.pop(key, None)


def _save_budget(ws) -> None:
    v = st.session_state.get("pb_budget")
    if v is not None:
        store(ws)["allocation"]["budget"] = float(v)


def _save_method(ws, key: str) -> None:
    store(ws)["allocation"]["method"] = st.session_state.get(key, "profit")


def _reset_budget(ws) -> None:
    store(ws)["allocation"].pop("budget", None)


def allocation_inputs(ws, grading) -> tuple[float, list[float], str, list[float]]:
    """Budget, cost per customer and weights per tier, and the split method (all kept in the
    annotations so they survive page switches)."""
    tiers = grading.tiers
    n = len(tiers)
    keys = pb.tier_keys(n)
    alloc = store(ws)["allocation"]
    defaults = pb.default_costs(tiers, keys)
    costs = [float(alloc.get("costs", {}).get(_slot(n, i + 1), defaults[i])) for i in range(n)]
    weights = [float(alloc.get("weights", {}).get(_slot(n, i + 1), pb.DEFAULT_WEIGHTS[keys[i]])) for i in range(n)]
    method = alloc.get("method", "profit")
    current_total = round(math.fsum(c * int(t["customers"]) for c, t in zip(costs, tiers)), 2)

    st.caption(T("playbook.alloc.help"))
    c1, c2 = st.columns([2, 3])
    st.session_state["pb_budget"] = float(alloc.get("budget", current_total))
    c1.number_input(T("playbook.alloc.budget"), min_value=0.0, step=10000.0, format="%.2f", key="pb_budget",
                    on_change=_save_budget, args=(ws,), help=T("playbook.alloc.budget_help"))
    if "budget" in alloc:
        c1.button(T("playbook.alloc.budget_reset"), key="pb_budget_reset", on_click=_reset_budget, args=(ws,),
                  icon=":material/undo:")
    methods = list(pb.METHODS)
    mkey = _wkey("pb_method")
    st.session_state[mkey] = method
    c2.radio(T("playbook.alloc.method"), methods, key=mkey, horizontal=True, on_change=_save_method,
             args=(ws, mkey), format_func={m: T(f"playbook.alloc.method.{m}") for m in methods}.get)

    frame = pd.DataFrame({
        "tier": [t["name"] for t in tiers],
        "customers": [int(t["customers"]) for t in tiers],
        "profit": [t["profit"] for t in tiers],
        "cost": costs,
        "weight": weights,
    })
    ekey = f"pb_alloc_{n}_{state.lang()}"
    st.data_editor(
        frame, hide_index=True, key=ekey, disabled=["tier", "customers", "profit"], width="stretch",
        on_change=_apply_editor, args=(ws, ekey, n),
        column_order=["tier", "customers", "profit", "cost"] + (["weight"] if method == "weights" else []),
        column_config={
            "tier": st.column_config.TextColumn(T("playbook.col.tier")),
            "customers": st.column_config.NumberColumn(T("playbook.col.customers"), format="localized"),
            "profit": st.column_config.NumberColumn(T("playbook.col.profit"), format="localized"),
            "cost": st.column_config.NumberColumn(T("playbook.col.cost_per_customer"), min_value=0.0,
                                                  format="localized", help=T("playbook.alloc.cost_help")),
            "weight": st.column_config.NumberColumn(T("playbook.col.weight"), min_value=0.0, format="%.2f"),
        })
    if not alloc.get("costs"):
        st.caption(T("playbook.alloc.placeholder"))
    return float(alloc.get("budget", current_total)), costs, method, weights


def allocation_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The allocation result as display text with localised headers."""
    def money(v):
        return "-" if pd.isna(v) else f"{v:,.2f}"

    return pd.DataFrame({
        T("playbook.col.tier"): table["name"],
        T("playbook.col.customers"): [f"{v:,}" for v in table["customers"]],
        T("playbook.col.profit"): [money(v) for v in table["profit"]],
        T("playbook.col.current_cost"): [money(v) for v in table["current_cost"]],
        T("playbook.col.profit_after"): [money(v) for v in table["profit_after"]],
        T("playbook.col.return_per_cost"): ["-" if pd.isna(v) else f"{v:,.2f}" for v in table["return_per_cost"]],
        T("playbook.col.current_share"): [fmt_pct(None if pd.isna(v) else v) for v in table["current_share"]],
        T("playbook.col.suggested"): [money(v) for v in table["suggested"]],
        T("playbook.col.suggested_share"): [fmt_pct(None if pd.isna(v) else v) for v in table["suggested_share"]],
        T("playbook.col.suggested_per_customer"): [money(v) for v in table["suggested_per_customer"]],
        T("playbook.col.change"): ["-" if pd.isna(v) else f"{v:+,.2f}" for v in table["change"]],
    })


def styled_allocation(table: pd.DataFrame):
    disp = allocation_frame(table)
    loses = table["loses_money"].tolist()

    def row_style(row):
        bg = "background-color: rgba(214,39,40,0.18)" if loses[row.name] else ""
        return [bg] * len(row)

    return disp.style.apply(row_style, axis=1)


def allocation_panel(ws, grading) -> None:
    budget, costs, method, weights = allocation_inputs(ws, grading)
    try:
        table = pb.allocate(grading.tiers, budget, costs, method, weights)
    except InputError as exc:
        st.error(state.error_text(exc), icon=":material/error:")
        return
    lang = state.lang()
    total_profit = float(table["profit"].sum())
    total_cost = float(table["current_cost"].sum())
    cols = st.columns(4)
    cols[0].metric(T("playbook.alloc.metric.profit"), fmt_compact(total_profit, lang), help=f"{total_profit:,.2f}")
    cols[1].metric(T("playbook.alloc.metric.current"), fmt_compact(total_cost, lang), help=f"{total_cost:,.2f}")
    after = total_profit - total_cost
    cols[2].metric(T("playbook.alloc.metric.after"), fmt_compact(after, lang), help=f"{after:,.2f}")
    ret = total_profit / total_cost if total_cost > 0 else None
    cols[3].metric(T("playbook.alloc.metric.return"), "-" if ret is None else f"{ret:,.2f}",
                   help=T("playbook.alloc.metric.return_help"))
    losers = table[table["loses_money"]]
    if len(losers):
        sep = "、" if lang == "zh" else ", "
        st.warning(T("playbook.alloc.losers", tiers=sep.join(losers["name"]),
                     amount=f"{-losers['profit_after'].sum():,.2f}"), icon=":material/warning:")
    else:
        st.success(T("playbook.alloc.no_losers"), icon=":material/check_circle:")
    if method == "profit" and (table["profit"] <= 0).any():
        st.caption(T("playbook.alloc.zero_note"))
    st.dataframe(styled_allocation(table), hide_index=True, key="pb_alloc_table")
    fig = pb.allocation_figure(table, {"current": T("playbook.alloc.current"),
                                       "suggested": T("playbook.alloc.suggested"), "y": T("playbook.alloc.axis")})
    st.plotly_chart(fig, key="pb_alloc_chart", config={"displayModeBar": False}, theme=None)
    if abs(budget - total_cost) > 0.005:
        st.caption(T("playbook.alloc.budget_vs_current", budget=f"{budget:,.2f}", current=f"{total_cost:,.2f}"))
