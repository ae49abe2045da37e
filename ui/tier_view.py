"""The pyramid view's state, controls and displays (the tiers page is a thin caller).

Canonical settings live under their own session-state keys (never widget keys), so they survive
page switches; they are mirrored into the URL (st.query_params) so a copied link reproduces the
view.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from tierlib import charts, presets, tiers
from tierlib.i18n import fmt_compact, fmt_pct
from tierlib.io import InputError
from tierlib.schema import MONEY_SCALE
from ui import state
from ui.cutoff_control import clamp_cuts, cutoff_control

T = state.T

K_SCHEME = "tier_scheme"
K_PRESET = "tier_preset"
K_COLORS = "tier_colors"
K_WEIGHTS = "tier_weights"
K_FILTERS = "tier_filters"
K_PREV = "tier_prev_bounds"  # (ranking key, bounds) before the last cutoff change
K_TYPED = "tier_cuts_typed_from"  # the cutoffs before a precise input changed them (one run)
K_URL_READ = "tier_url_read"

#: Default cuts when the scheme changes (thresholds come from the data).
SCHEME_DEFAULT_CUTS = {"pyramid": [1, 5, 20], "value-share": [70, 90], "quantile": [4], "thresholds": None}
DEFAULT_CUTS_BY_TIERS = {2: [20], 3: [5, 20], 4: [1, 5, 20], 5: [1, 5, 20, 50], 6: [1, 5, 10, 20, 50]}
VALUE_SHARE_CUTS_BY_TIERS = {2: [80], 3: [70, 90], 4: [50, 80, 95], 5: [50, 70, 85, 95], 6: [40, 60, 75, 88, 96]}
PCT_STEP = 0.5


@dataclass
class Settings:
    scheme: str
    value: str
    cuts: list
    names: list[str]
    colors: list[str]
    weights: dict | None = None
    filters: dict = field(default_factory=dict)

    @property
    def n_tiers(self) -> int:
        return int(self.cuts[0]) if self.scheme == "quantile" else len(self.cuts) + 1


# ------------------------------------------------------------------------------------------
# data for the current filters and value (cached per workspace)

def filtered_customers(ws: state.Workspace, filters: dict) -> pd.DataFrame:
    if not filters:
        return ws.loaded.customers
    key = ("customers", _freeze(filters))
    if key not in ws.cache:
        ws.cache[key] = ws.engine.customers(filters=filters)
    return ws.cache[key]


def ranked(ws: state.Workspace, value: str, filters: dict, weights: dict | None = None) -> tiers.Ranked:
    """The customers ranked by ``value``; computed once per data set, filter, value and weights."""
    key = ("ranked", value, _freeze(filters), _freeze(weights if value == "score" else None))
    if key not in ws.cache:
        cust = filtered_customers(ws, filters)
        if len(cust) == 0:
            raise InputError("tiers.filter_empty")
        if value == "clv":
            cust = ws.loaded.customers_with_clv(cust)
        ws.cache[key] = tiers.rank(cust, value, weights)
    return ws.cache[key]


def _freeze(d) -> tuple:
    if not d:
        return ()
    return tuple(sorted((k, tuple(v) if isinstance(v, (list, tuple)) else str(v)) for k, v in d.items()))


# ------------------------------------------------------------------------------------------
# settings: defaults, URL, presets

def _init_settings(ws: state.Workspace) -> None:
    ss = st.session_state
    ss.setdefault(K_SCHEME, "pyramid")
    ss.setdefault(state.K_CUTS, list(tiers.DEFAULT_CUTS))
    ss.setdefault(K_PRESET, "textbook")
    ss.setdefault(K_FILTERS, {})
    if not ss.get(K_URL_READ):
        ss[K_URL_READ] = True
        _read_url()
    values = ws.loaded.available_values()
    if ss.get(state.K_VALUE) not in values:
        ss[state.K_VALUE] = values[0]


def _read_url() -> None:
    """Apply scheme/value/cuts/names from the URL once per session (a shared link)."""
    qp = st.query_params
    try:
        scheme = qp.get("scheme")
        if scheme in tiers.SCHEMES:
            st.session_state[K_SCHEME] = scheme
        if qp.get("value") in tiers.VALUES:
            st.session_state[state.K_VALUE] = qp.get("value")
        if qp.get("cuts"):
            cuts = [float(c) for c in qp.get("cuts").split(",") if c.strip()]
            st.session_state[state.K_CUTS] = [int(c) if c.is_integer() else c for c in cuts]
            st.session_state[K_PRESET] = "custom"
        if qp.get("names"):
            st.session_state[state.K_NAMES] = [n for n in qp.get("names").split("|") if n.strip()][:6]
        if qp.get("colors"):
            st.session_state[K_COLORS] = ["#" + c for c in qp.get("colors").split(",")][:6]
    except (ValueError, TypeError):
        pass  # a hand-edited link: keep the defaults


def _write_url(s: Settings) -> None:
    want = {"scheme": s.scheme, "value": s.value, "cuts": ",".join(_num_text(c) for c in s.cuts),
            "names": "|".join(s.names), "colors": ",".join(c.lstrip("#") for c in s.colors)}
    if any(st.query_params.get(k) != v for k, v in want.items()):
        st.query_params.update(want)


def _num_text(c) -> str:
    f = float(c)
    return str(int(f)) if f.is_integer() else f"{f:g}"


def apply_preset(key: str, ws: state.Workspace) -> None:
    """Callback: set scheme, cuts and names from a preset."""
    if key == "custom":
        return
    p = presets.PRESETS[key]
    ss = st.session_state
    ss[K_SCHEME] = p["scheme"]
    ss[K_PRESET] = key
    ss[state.K_NAMES] = presets.preset_names(key, state.lang())
    ss[K_COLORS] = presets.palette(len(p["names"]))
    if p["cuts"] is None:
        r = ranked(ws, ss[state.K_VALUE], ss[K_FILTERS], ss.get(K_WEIGHTS))
        ss[state.K_CUTS] = presets.threshold_cuts_from_data(r)
    else:
        ss[state.K_CUTS] = list(p["cuts"])
    _forget_inputs()


def _forget_inputs() -> None:
    for k in list(st.session_state):
        if str(k).startswith(("w_cut_", "w_name_", "w_color_", "w_n_tiers")):
            del st.session_state[k]


def _wkey(name: str) -> str:
    """Widget keys of labelled pickers carry the language, so a language switch redraws them."""
    return f"{name}_{state.lang()}"


def _on_scheme_change(ws: state.Workspace, scheme: str | None = None) -> None:
    ss = st.session_state
    scheme = scheme or ss[_wkey("w_scheme")]
    ss[K_SCHEME] = scheme
    ss[K_PRESET] = "custom"
    n_tiers = len(_current_names())
    if scheme == "quantile":
        ss[state.K_CUTS] = [n_tiers]
    elif scheme == "thresholds":
        r = ranked(ws, ss[state.K_VALUE], ss[K_FILTERS], ss.get(K_WEIGHTS))
        cuts = presets.threshold_cuts_from_data(r)
        ss[state.K_CUTS] = cuts[: n_tiers - 1] if n_tiers - 1 <= len(cuts) else cuts
    elif scheme == "pyramid":
        ss[state.K_CUTS] = list(DEFAULT_CUTS_BY_TIERS[n_tiers])
    else:
        ss[state.K_CUTS] = list(VALUE_SHARE_CUTS_BY_TIERS[n_tiers])
    _forget_inputs()


def _current_names() -> list[str]:
    ss = st.session_state
    scheme, cuts = ss[K_SCHEME], ss[state.K_CUTS]
    n = int(cuts[0]) if scheme == "quantile" else len(cuts) + 1
    names = ss.get(state.K_NAMES)
    if names and len(names) == n:
        return translate_names(list(names), state.lang())
    return tiers.default_names(n, state.lang())


def translate_names(names: list[str], lang: str) -> list[str]:
    """Default or preset tier names written in another language, in ``lang``; others unchanged."""
    from tierlib.i18n import LANGS

    for other in LANGS:
        if other == lang:
            continue
        if names == tiers.default_names(len(names), other):
            return tiers.default_names(len(names), lang)
        for key in presets.PRESETS:
            if names == presets.preset_names(key, other):
                return presets.preset_names(key, lang)
    return names


def _current_colors(n: int) -> list[str]:
    colors = st.session_state.get(K_COLORS)
    return list(colors) if colors and len(colors) == n else presets.palette(n)


# ------------------------------------------------------------------------------------------
# controls

def controls(ws: state.Workspace) -> Settings:
    """Preset, value, scheme, the drag control, precise inputs, names, colours, filters."""
    _init_settings(ws)
    ss = st.session_state
    values = ws.loaded.available_values()

    c1, c2, c3 = st.columns([3, 2, 3])
    preset_keys = [*presets.PRESETS, "custom"]
    c1.selectbox(T("tiers.preset"), preset_keys, index=preset_keys.index(ss[K_PRESET]),
                 format_func={k: T(f"preset.{k}") for k in preset_keys}.get, key=_wkey("w_preset"),
                 on_change=lambda: apply_preset(ss[_wkey("w_preset")], ws))
    value = c2.selectbox(T("tiers.value"), values, index=values.index(ss[state.K_VALUE]),
                         format_func={v: T(f"value_opt.{v}") for v in values}.get, key=_wkey("w_value"))
    if value != ss[state.K_VALUE]:
        ss[state.K_VALUE] = value
        if ss[K_SCHEME] == "thresholds":
            _on_scheme_change_to(ws, "thresholds")
    c3.selectbox(T("tiers.scheme"), list(tiers.SCHEMES), index=tiers.SCHEMES.index(ss[K_SCHEME]),
                 format_func={k: T(f"scheme.{k}") for k in tiers.SCHEMES}.get, key=_wkey("w_scheme"),
                 on_change=lambda: _on_scheme_change(ws))

    weights = _weights_editor() if value == "score" else None
    filters = _filters(ws)
    r = ranked(ws, value, filters, weights)

    scheme = ss[K_SCHEME]
    names = _current_names()
    colors = _current_colors(len(names))
    cuts = list(ss[state.K_CUTS])
    typed_from = ss.pop(K_TYPED, None)
    if typed_from is not None and scheme != "quantile":
        _remember_bounds(r, scheme, typed_from)
        ss[K_PRESET] = "custom"
    if scheme != "quantile":
        lo, hi, step, unit, scale, descending = _track(scheme, r)
        try:
            cuts = clamp_cuts(cuts, lo, hi, step, descending)
        except ValueError:
            cuts = list(SCHEME_DEFAULT_CUTS.get(scheme) or presets.threshold_cuts_from_data(r))
        st.caption(T(f"tiers.drag_help.{scheme}"))
        new = cutoff_control(key="tier_cutoffs", cuts=cuts, lo=lo, hi=hi, step=step, names=names, colors=colors,
                             unit=unit, scale=scale, decimals=2, descending=descending,
                             aria_label=T("tiers.cuts_aria"))
        new = [_tidy(c) for c in new]
        typed = [_tidy(c) for c in ss[state.K_CUTS]]
        if typed_from is not None and [_tidy(c) for c in cuts] != typed:
            # Typed cutoffs out of order or off the track: keep them as typed so the grading
            # says what is wrong; the handles show the nearest valid cutoffs meanwhile.
            new = typed
        elif new != typed:
            _remember_bounds(r, scheme, ss[state.K_CUTS])
            ss[K_PRESET] = "custom"
            for i, c in enumerate(new):
                ss[f"w_cut_{len(new)}_{i}"] = float(c)
        cuts = new
        ss[state.K_CUTS] = cuts

    with st.expander(T("tiers.precise"), expanded=False):
        cuts, names, colors = _precise_inputs(scheme, cuts, names, colors, r)
    ss[state.K_CUTS] = cuts
    ss[state.K_NAMES] = names
    ss[K_COLORS] = colors
    s = Settings(scheme=scheme, value=value, cuts=cuts, names=names, colors=colors, weights=weights,
                 filters=filters)
    _write_url(s)
    return s


def _on_scheme_change_to(ws, scheme):
    _on_scheme_change(ws, scheme)


def _tidy(c):
    f = round(float(c), 4)
    return int(f) if f.is_integer() else f


def _track(scheme: str, r: tiers.Ranked):
    """(lo, hi, step, unit, scale, descending) of the drag control for a scheme."""
    if scheme in ("pyramid", "value-share"):
        return 0.0, 100.0, PCT_STEP, "%", "linear", False
    # thresholds: absolute values of the tiering value, high to low, log scale when wide
    scale_div = MONEY_SCALE if r.value in tiers.MONEY_VALUES else 1
    vals = r.customers["value"].to_numpy(dtype="float64") / scale_div
    top = float(np.nanmax(vals)) if len(vals) else 1.0
    positive = vals[vals > 0]
    hi = presets.nice_number(top) * 2 if top > 0 else 1.0
    low = float(positive.min()) if len(positive) else 1.0
    lo = max(presets.nice_number(low), hi / 1e6, 0.01)
    step = 1.0 if hi > 1000 else 0.01
    scale = "log" if hi / lo > 100 else "linear"
    return lo, hi, step, "", scale, True


def _remember_bounds(r: tiers.Ranked, scheme: str, cuts) -> None:
    try:
        bounds = tiers.bounds_for(r, scheme, list(cuts))
    except InputError:
        return
    st.session_state[K_PREV] = (id(r), bounds)


def _on_cut_typed(n: int) -> None:
    """A precise cutoff was typed: adopt it before the script runs, so the drag control drawn
    above the inputs shows it on this very run (drawn with the old cutoffs, its handles would
    stay behind and the next arrow key would move from the stale value)."""
    ss = st.session_state
    keys = [f"w_cut_{n}_{i}" for i in range(n)]
    if len(ss.get(state.K_CUTS, ())) != n or any(k not in ss for k in keys):
        return
    ss[K_TYPED] = list(ss[state.K_CUTS])
    ss[state.K_CUTS] = [_tidy(ss[k]) for k in keys]


def _precise_inputs(scheme, cuts, names, colors, r):
    """Number inputs per cutoff, number of tiers, names and colours, kept in sync with the drag."""
    ss = st.session_state
    n_tiers = int(cuts[0]) if scheme == "quantile" else len(cuts) + 1
    new_n = st.number_input(T("tiers.n_tiers"), min_value=tiers.MIN_TIERS, max_value=tiers.MAX_TIERS,
                            value=n_tiers, step=1, key="w_n_tiers")
    if new_n != n_tiers:
        n_tiers = int(new_n)
        if scheme == "quantile":
            cuts = [n_tiers]
        elif scheme == "pyramid":
            cuts = list(DEFAULT_CUTS_BY_TIERS[n_tiers])
        elif scheme == "value-share":
            cuts = list(VALUE_SHARE_CUTS_BY_TIERS[n_tiers])
        else:
            base = presets.threshold_cuts_from_data(r, shares=tuple(DEFAULT_CUTS_BY_TIERS[n_tiers]))
            cuts = base
        names = tiers.default_names(n_tiers, state.lang())
        colors = presets.palette(n_tiers)
        ss[K_PRESET] = "custom"
        for k in [k for k in ss if str(k).startswith(("w_cut_", "w_name_", "w_color_"))]:
            del ss[k]
    if scheme != "quantile":
        st.caption(T(f"tiers.cuts_label.{scheme}"))
        cols = st.columns(len(cuts))
        new_cuts = []
        for i, (col, c) in enumerate(zip(cols, cuts)):
            k = f"w_cut_{len(cuts)}_{i}"
            if k not in ss:
                ss[k] = float(c)
            if scheme == "thresholds":
                new_cuts.append(col.number_input(T("tiers.threshold_n", n=i + 1), step=1.0, format="%.2f", key=k,
                                                 on_change=_on_cut_typed, args=(len(cuts),)))
            else:
                new_cuts.append(col.number_input(T("tiers.cut_n", n=i + 1), min_value=0.01, max_value=99.99,
                                                 step=0.5, format="%.2f", key=k,
                                                 on_change=_on_cut_typed, args=(len(cuts),)))
        # A typed value was adopted by _on_cut_typed before this run (which also marked the
        # preset custom and kept the previous bounds), so these equal ``cuts`` already.
        cuts = [_tidy(c) for c in new_cuts]
    st.caption(T("tiers.names_colors"))
    cols = st.columns(n_tiers)
    new_names, new_colors = [], []
    for i, col in enumerate(cols):
        nk, ck = f"w_name_{n_tiers}_{i}_{state.lang()}", f"w_color_{n_tiers}_{i}"
        if nk not in ss:
            ss[nk] = names[i] if i < len(names) else tiers.default_names(n_tiers, state.lang())[i]
        if ck not in ss:
            ss[ck] = colors[i] if i < len(colors) else presets.palette(n_tiers)[i]
        text = col.text_input(T("tiers.name_n", n=i + 1), key=nk, max_chars=40)
        new_names.append(text.strip() or tiers.default_names(n_tiers, state.lang())[i])
        new_colors.append(col.color_picker(T("tiers.color_n", n=i + 1), key=ck))
    return cuts, new_names, new_colors


def _weights_editor() -> dict:
    ss = st.session_state
    current = dict(tiers.DEFAULT_SCORE_WEIGHTS, **(ss.get(K_WEIGHTS) or {}))
    with st.expander(T("tiers.weights"), expanded=True):
        cols = st.columns(4)
        out = {}
        for col, name in zip(cols, tiers.DEFAULT_SCORE_WEIGHTS):
            out[name] = col.slider(T(f"weight.{name}"), 0.0, 5.0, float(current[name]), 0.5, key=f"w_weight_{name}")
    ss[K_WEIGHTS] = out
    return out


def dimension_filters() -> dict:
    """The dimension filters (region, channel, ...) set on the tiers page, without the dates."""
    return {k: list(v) for k, v in (st.session_state.get(K_FILTERS) or {}).items()
            if k not in ("date_from", "date_to") and v}


def _filters(ws: state.Workspace) -> dict:
    """Order-date range and dimension filters; tiers are recomputed on the filtered data."""
    ss = st.session_state
    key = ("dims",)
    if key not in ws.cache:
        ws.cache[key] = (ws.engine.dimension_values(), ws.engine.date_range())
    dims, (first, last) = ws.cache[key]
    if not dims and first is None:
        return {}
    current = dict(ss.get(K_FILTERS) or {})
    active = sum(1 for v in current.values() if v)
    label = T("tiers.filters") + (f" ({active})" if active else "")
    with st.expander(label, expanded=False):
        out: dict = {}
        if first is not None:
            d0, d1 = pd.Timestamp(first).date(), pd.Timestamp(last).date()
            cur = (current.get("date_from"), current.get("date_to"))
            default = (cur[0] or d0, (cur[1] - dt.timedelta(days=1)) if cur[1] else d1)
            picked = st.date_input(T("tiers.date_range"), value=default, min_value=d0, max_value=d1,
                                   key="w_date_range")
            if isinstance(picked, (tuple, list)) and len(picked) == 2:
                a, b = picked
                if a > d0:
                    out["date_from"] = a
                if b < d1:
                    out["date_to"] = b + dt.timedelta(days=1)
        dim_cols = st.columns(max(1, min(3, len(dims))))
        for i, (dim, vals) in enumerate(dims.items()):
            if len(vals) < 2:
                continue
            picked = dim_cols[i % len(dim_cols)].multiselect(
                T(f"field.{dim}"), vals[:500], default=[v for v in current.get(dim, []) if v in vals],
                key=f"w_filter_{dim}", placeholder=T("tiers.all"))
            if picked:
                out[dim] = picked
    ss[K_FILTERS] = out
    return out


# ------------------------------------------------------------------------------------------
# results and displays

def grading(ws: state.Workspace, s: Settings) -> tiers.Grading:
    r = ranked(ws, s.value, s.filters, s.weights)
    return tiers.grade(r, cuts=s.cuts, names=s.names, lang=state.lang(), scheme=s.scheme)


def sensitivity(g: tiers.Grading) -> None:
    prev = st.session_state.get(K_PREV)
    if not prev or prev[0] != id(g.ranked) or prev[1] == g.bounds or len(prev[1]) != len(g.bounds):
        return
    ch = tiers.changes(g.ranked, prev[1], g.bounds)
    if ch["customers"] == 0:
        return
    st.info(T("tiers.sensitivity", n=f"{ch['customers']:,}", share=fmt_pct(ch["customer_share"]),
              profit="-" if ch["profit"] is None else f"{ch['profit']:,.2f}",
              value_share=fmt_pct(ch["value_share"])), icon=":material/swap_vert:")


def headline(g: tiers.Grading) -> None:
    """Key figures and a one-sentence reading of the concentration."""
    totals = g.totals()
    lang = state.lang()
    cols = st.columns(5)
    cols[0].metric(T("tiers.metric.customers"), f"{g.ranked.n:,}")
    for col, key in ((cols[1], "revenue"), (cols[2], "profit")):
        amount = totals[key]
        col.metric(T(f"tiers.metric.{key}"), fmt_compact(amount, lang),
                   help=None if amount is None else f"{amount:,.2f}")
    cols[3].metric(T("tiers.metric.top20"), fmt_pct(g.concentration.get("top_20pct_share")))
    gini = g.concentration.get("gini")
    cols[4].metric(T("tiers.metric.gini"), "-" if gini is None else f"{gini:.2f}")
    st.markdown(f"**{reading(g)}**")


def reading(g: tiers.Grading) -> str:
    """One sentence: how much of the value the key tiers (or the top 20%) bring."""
    value_word = T(f"value.{g.value}")
    if len(g.tiers) >= 2 and g.bounds and g.bounds[0] > 0 and g.scheme in ("pyramid", "quantile"):
        k = g.bounds[1] if len(g.bounds) > 1 and len(g.tiers) >= 4 else g.bounds[0]
        share_c = k / g.ranked.n
        share_v = (g.ranked.cum_value[k] / g.ranked.total_value) if g.ranked.total_value else None
        if share_v is not None:
            return T("tiers.reading", pct=fmt_pct(share_c, 0 if (share_c * 100).is_integer() else 1),
                     share=fmt_pct(share_v), value=value_word)
    top20 = g.concentration.get("top_20pct_share")
    return T("tiers.reading", pct="20%", share=fmt_pct(top20), value=value_word)


def chart_labels() -> dict:
    return {
        "left_title": T("chart.customers_title"),
        "customers": T("chart.customers_label"),
        "profit": T("chart.value_label"),
        "hover_value": T("chart.value_hover"),
        "hover_customers": T("chart.customers_title"),
    }


def pyramids_figure(g: tiers.Grading, colors: list[str]):
    unknown = any(t["profit"] is None for t in g.tiers)
    value_label = T("chart.revenue_title_no_profit") if unknown else T("chart.profit_title")
    return charts.paired_pyramids(g.tiers, colors=colors, labels=chart_labels(), value_label=value_label,
                                  negative_note=T("chart.negative_note"), lang=state.lang())


def _curve_arrays(r: tiers.Ranked, cum: np.ndarray, name: str, keep_bounds=()):
    """Curve points for a ranking, downsampled once per ranking; exact points at ``keep_bounds``.

    The base curve (at most ~2,000 points) is cached on the ranking; the points at the current
    boundaries are inserted exactly, so a cutoff change costs O(tiers), not O(customers).
    """
    n = r.n
    total = float(cum[-1])
    key = ("curve", name)
    if key not in r.memo:
        x = np.arange(1, n + 1, dtype="float64") / n
        y = cum[1:].astype("float64") / total if total else np.full(n, np.nan)
        keep = [int(np.argmax(y))] if total and n else []
        r.memo[key] = charts.downsample_curve(x, y, keep=keep)
    bx, by = r.memo[key]
    extra = [b for b in keep_bounds if 0 < b <= n]
    if not extra:
        return bx, by
    ex = np.array([b / n for b in extra])
    ey = np.array([float(cum[b]) / total if total else np.nan for b in extra])
    x = np.concatenate([bx, ex])
    y = np.concatenate([by, ey])
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    uniq = np.concatenate([[True], np.diff(x) > 0])
    return x[uniq], y[uniq]


def lorenz_figure(g: tiers.Grading):
    x, y = _curve_arrays(g.ranked, g.ranked.cum_value, "lorenz", g.bounds)
    if g.scheme == "pyramid":  # the nominal cuts (1%, 5%, 20%), not 4.9966% of 4,383 customers
        cut_shares = [float(c) / 100 for c in g.cuts]
    else:
        cut_shares = [round(b / g.ranked.n, 3) for b in g.bounds if 0 < b < g.ranked.n]
    labels = {"title": T("chart.lorenz_title", value=T(f"value.{g.value}")), "x_title": T("chart.x_customers"),
              "y_title": T("chart.y_value", value=T(f"value.{g.value}")), "curve": T("chart.lorenz_curve"),
              "equality": T("chart.equality"), "pareto": T("chart.pareto_label"), "cut": T("chart.cut_label")}
    return charts.lorenz_curve(x, y, cut_shares=cut_shares, labels=labels)


def whale_figure(ws: state.Workspace, s: Settings):
    if "profit" not in ws.loaded.available_values():
        return None
    r = ranked(ws, "profit", s.filters)
    x, y = _curve_arrays(r, r.cum_profit, "whale")
    labels = {"title": T("chart.whale_title"), "x_title": T("chart.x_customers_by_profit"),
              "y_title": T("chart.y_profit"), "curve": T("chart.whale_curve"), "peak": T("chart.peak_label"),
              "total": T("chart.total_line")}
    return charts.whale_curve(x, y, labels=labels)


_PCT_COLS = ("customer_share", "revenue_share", "profit_share", "margin")
_MONEY_COLS = ("revenue", "profit", "profit_per_customer", "avg_order_value")


def tier_table_frame(g: tiers.Grading) -> pd.DataFrame:
    """The tier table with the key-customer line (3+ tiers) and a totals row; localised headers."""
    rows = list(g.tiers)
    medians = tiers.median_days_since_last_order(g.ranked, g.bounds)
    for row, m in zip(rows, medians):
        row["median_days"] = m
    if len(rows) >= 3 and g.bounds[1] > 0:
        key_row = tiers.segment_row(g.ranked, T("tiers.key_customers", a=g.names[0], b=g.names[1]), 0, g.bounds[1])
        key_row["median_days"] = tiers.median_days_since_last_order(g.ranked, [g.bounds[1]])[0]
        rows.append(key_row)
    total = tiers.segment_row(g.ranked, T("tiers.total"), 0, g.ranked.n)
    total["median_days"] = tiers.median_days_since_last_order(g.ranked, [])[0]
    rows.append(total)
    df = pd.DataFrame(rows)
    cols = ["name", "customers", "customer_share", "revenue", "revenue_share", "profit", "profit_share",
            "profit_per_customer", "avg_order_value", "orders_per_customer", "margin", "median_days"]
    df = df[[c for c in cols if c in df and not df[c].isna().all()]]
    return df.rename(columns={c: T(f"col.{c}") if c != "name" else T("col.tier") for c in df.columns})


def tier_table_display(g: tiers.Grading) -> pd.DataFrame:
    """The tier table as formatted text (thousands separators, percentages) for st.table."""
    df = tier_table_frame(g)
    out = df.copy().astype(object)
    pct = {T(f"col.{k}") for k in _PCT_COLS}
    money = {T(f"col.{k}") for k in _MONEY_COLS} | {T("col.orders_per_customer")}
    for c in df.columns:
        if c in pct:
            out[c] = [fmt_pct(v) if pd.notna(v) else "—" for v in df[c]]
        elif c in money:
            out[c] = ["—" if pd.isna(v) else f"{v:,.2f}" for v in df[c]]
        elif c == T("col.median_days"):
            out[c] = ["—" if pd.isna(v) else f"{v:,.0f}" for v in df[c]]
        elif c == T("col.customers"):
            out[c] = [f"{int(v):,}" for v in df[c]]
    return out


def filter_customers(graded: pd.DataFrame, tier: int, query: str) -> pd.DataFrame:
    out = graded if tier == 0 else graded[graded["tier"] == tier]
    q = (query or "").strip().lower()
    if q:
        hay = out["customer_id"].astype(str).str.lower()
        if "customer_name" in out and out["customer_name"].notna().any():
            hay = hay + " " + out["customer_name"].fillna("").astype(str).str.lower()
        out = out[hay.str.contains(q, regex=False)]
    return out


def apply_scheme(doc: dict) -> None:
    """Apply a loaded scheme file (already validated by ``presets.scheme_from_json``)."""
    ss = st.session_state
    ss[K_SCHEME] = doc["scheme"]
    ss[state.K_VALUE] = doc["value"]
    ss[state.K_CUTS] = list(doc["cuts"])
    ss[state.K_NAMES] = list(doc["names"])
    ss[K_COLORS] = list(doc["colors"])
    if doc.get("weights"):
        ss[K_WEIGHTS] = doc["weights"]
    ss[K_PRESET] = "custom"
    _forget_inputs()
    for k in (_wkey("w_scheme"), _wkey("w_value"), _wkey("w_preset")):
        ss.pop(k, None)


def current_grading(ws: state.Workspace) -> tiers.Grading:
    """The grading the user set up on the tiers page, built from session state only (no widgets).

    Other pages use it for cross-tabs by tier; before the tiers page was opened it is the
    textbook pyramid on the default value.
    """
    _init_settings(ws)
    ss = st.session_state
    scheme, value = ss[K_SCHEME], ss[state.K_VALUE]
    cuts = list(ss[state.K_CUTS])
    filters = ss.get(K_FILTERS) or {}
    weights = ss.get(K_WEIGHTS) if value == "score" else None
    names = _current_names()
    r = ranked(ws, value, filters, weights)
    try:
        return tiers.grade(r, cuts=cuts, names=names, lang=state.lang(), scheme=scheme)
    except InputError:
        return tiers.grade(r, lang=state.lang())


def customer_tiers(ws: state.Workspace) -> pd.DataFrame:
    """``customer_id, tier, tier_name`` of every customer under the current grading."""
    g = current_grading(ws)
    df = g.ranked.customers[["customer_id"]].copy()
    idx = np.searchsorted(np.asarray(g.bounds, dtype="int64"), np.arange(g.ranked.n), side="right")
    df["tier"] = idx + 1
    df["tier_name"] = np.asarray(g.names, dtype=object)[idx]
    return df.reset_index(drop=True)
