"""The owner of every session_state key the app uses.

A *workspace* is one browser session's data: the loaded file, its mapping and the DuckDB
engine it was aggregated in. Tier settings are kept under their own keys (not widget keys),
so they survive page switches.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from tierlib import i18n, pipeline
from tierlib.engine import Engine
from tierlib.io import InputError
from ui import samples

K_LANG = "lang"
K_WS = "workspace"
K_VALUE = "tier_value"
K_CUTS = "tier_cuts"
K_NAMES = "tier_names"
K_LAST_ERROR = "last_load_error"
K_UPLOAD_SEEN = "upload_seen"

MAX_UPLOAD_MB = 200  # keep in step with .streamlit/config.toml [server] maxUploadSize


@dataclass
class Workspace:
    loaded: pipeline.Loaded
    engine: Engine
    kind: str  # "sample" | "upload"
    name: str  # sample key or file name
    source: object = None  # path or uploaded bytes, kept to re-read another sheet
    filename: str | None = None
    sheet: str | None = None
    overrides: dict | None = None
    margin: float | None = None
    cache: dict = field(default_factory=dict)  # derived results of this data set (rankings, ...)
    #: What the user typed or tagged that must survive with the workspace (manual customer tags,
    #: edited strategies, ...): {area: JSON-serialisable value}. Owned by the pages that edit it.
    annotations: dict = field(default_factory=dict)


def lang() -> str:
    """The current UI language: the user's choice, else the browser locale, else zh."""
    if K_LANG not in st.session_state:
        st.session_state[K_LANG] = i18n.normalize_lang(_browser_locale())
    return st.session_state[K_LANG]


def _browser_locale() -> str | None:
    try:
        return st.context.locale
    except Exception:  # noqa: BLE001 - older runtimes or bare script runs have no context
        return None


def T(key: str, **params) -> str:
    """Translate into the current language."""
    return i18n.t(key, lang(), **params)


def workspace() -> Workspace | None:
    return st.session_state.get(K_WS)


def load(source, *, kind: str, name: str, filename: str | None = None, sheet: str | None = None,
         overrides: dict | None = None, margin: float | None = None, read=None) -> bool:
    """Load data into a new workspace; on failure keep the current one and remember the error.

    Returns True on success. The error (an ``InputError``) is kept under ``K_LAST_ERROR`` so the
    page can show it in the current language.
    """
    engine = Engine()
    try:
        loaded = pipeline.load(source, filename=filename, sheet=sheet, overrides=overrides, margin=margin,
                               max_bytes=MAX_UPLOAD_MB * 1024 * 1024, engine=engine, read=read)
    except InputError as exc:
        engine.close()
        st.session_state[K_LAST_ERROR] = exc
        return False
    except Exception as exc:  # noqa: BLE001 - a strange file must never show a traceback
        engine.close()
        st.session_state[K_LAST_ERROR] = InputError("unexpected", detail=type(exc).__name__)
        return False
    old = workspace()
    st.session_state[K_WS] = Workspace(loaded=loaded, engine=engine, kind=kind, name=name, source=source,
                                       filename=filename, sheet=loaded.read.sheet,
                                       overrides=overrides, margin=margin)
    st.session_state.pop(K_LAST_ERROR, None)
    if old is not None:
        old.engine.close()
    # A new data set may not support the previous tiering value.
    if st.session_state.get(K_VALUE) not in loaded.available_values():
        st.session_state[K_VALUE] = loaded.default_value()
    return True


def ensure_default_data() -> None:
    """Grade the default sample on first open so the app is never empty."""
    if workspace() is None and K_LAST_ERROR not in st.session_state:
        key = samples.DEFAULT_SAMPLE
        load(samples.sample_path(key), kind="sample", name=key)


def error_text(exc: InputError) -> str:
    return T("err." + exc.code, **exc.params)
