"""Classroom mode: explanation panels that can be switched on, and the presenter setting.

Session keys owned here (canonical state, not widget keys, so they survive page switches):

* ``explain_on`` -- show the explanation panel at the top of each page (bool, default False);
* ``presenter`` -- presenter mode: large type for a projector, editing hidden (bool, default False).

The widgets use their own keys (``w_explain_on``, ``w_presenter``) and copy their value into the
canonical keys, so another page may switch a setting on by writing the canonical key.

Use:

* ``explain_toggle()`` / ``presenter_toggle()`` (or both: ``classroom_controls()``) where the
  switches should appear, e.g. inside ``with st.sidebar:``; ``presenter_toggle`` also injects the
  presenter CSS, so it must run on every page (the sidebar does);
* ``explain(topic)`` right after a page's title: renders the panel when explanations are on;
* ``presenter_on()`` in pages that edit data, to hide the editing controls while presenting.
"""

from __future__ import annotations

import streamlit as st

from ui import state

K_EXPLAIN = "explain_on"
K_PRESENTER = "presenter"
W_EXPLAIN = "w_explain_on"
W_PRESENTER = "w_presenter"

#: Topics with an explanation text ``learn.explain.<topic>`` in both languages.
TOPICS = ("data", "tiers", "rfm", "kinds", "lifecycle", "migration", "clv", "satisfaction", "playbook", "report")

# Constant CSS (never user text): larger type in the main area for a projector.
PRESENTER_CSS = """<style>
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li { font-size: 1.4rem; line-height: 1.6; }
[data-testid="stMain"] h1 { font-size: 3.2rem; }
[data-testid="stMain"] h2 { font-size: 2.4rem; }
[data-testid="stMain"] h3 { font-size: 1.9rem; }
[data-testid="stMain"] [data-testid="stMetricValue"] { font-size: 3.2rem; }
[data-testid="stMain"] [data-testid="stMetricLabel"] p { font-size: 1.25rem; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.15rem; }
[data-testid="stMain"] [data-testid="stTable"] table { font-size: 1.2rem; }
[data-testid="stMain"] [data-testid="stExpander"] summary p { font-size: 1.3rem; }
[data-testid="stMain"] [data-testid="stAlert"] p { font-size: 1.3rem; }
</style>"""


def explain_on() -> bool:
    """Whether explanation panels are switched on."""
    return bool(st.session_state.get(K_EXPLAIN, False))


def presenter_on() -> bool:
    """Whether presenter mode is on: pages hide their data-editing controls when it is."""
    return bool(st.session_state.get(K_PRESENTER, False))


def _copy(widget_key: str, state_key: str) -> None:
    st.session_state[state_key] = bool(st.session_state.get(widget_key, False))


def _toggle(container, label: str, help_text: str, widget_key: str, state_key: str) -> bool:
    ss = st.session_state
    ss[widget_key] = bool(ss.get(state_key, False))  # before the widget exists: follow the canonical key
    (container or st).toggle(label, key=widget_key, help=help_text, on_change=_copy, args=(widget_key, state_key))
    return bool(ss.get(state_key, False))


def explain_toggle(container=None) -> bool:
    """The switch "课堂讲解 / Explanations"; returns whether explanations are on."""
    T = state.T
    return _toggle(container, T("learn.explain.toggle"), T("learn.explain.toggle_help"), W_EXPLAIN, K_EXPLAIN)


def presenter_toggle(container=None) -> bool:
    """The switch "演示模式 / Presenter mode"; injects the presenter CSS when it is on."""
    T = state.T
    on = _toggle(container, T("learn.presenter.toggle"), T("learn.presenter.help"), W_PRESENTER, K_PRESENTER)
    apply_presenter()
    return on


def apply_presenter() -> None:
    """Inject the presenter CSS when presenter mode is on (constant CSS only)."""
    if presenter_on():
        st.html(PRESENTER_CSS)


def classroom_controls(container=None) -> None:
    """Both switches, e.g. ``with st.sidebar: classroom_controls()``."""
    explain_toggle(container)
    presenter_toggle(container)


def explain(topic: str, expanded: bool = True) -> None:
    """The explanation panel of ``topic`` (one of ``TOPICS``) when explanations are on."""
    if not explain_on():
        return
    if topic not in TOPICS:
        raise ValueError(f"unknown explanation topic {topic!r}")
    T = state.T
    with st.expander(T("learn.explain.label"), expanded=expanded, icon=":material/school:"):
        st.markdown(T(f"learn.explain.{topic}"))
