"""The owner of every session_state key the app uses.

A *workspace* is one browser session's data: the loaded file, its mapping and the DuckDB
engine it was aggregated in. Tier settings are kept under their own keys (not widget keys),
so they survive page switches.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import datetime as dt
import hashlib
import json

import streamlit as st

from tierlib import i18n, pipeline
from tierlib import store as wstore
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
K_WS_ID = "ws_id"
K_SAVED_HASH = "ws_saved_hash"
K_RESTORE_NOTE = "ws_restore_note"

#: Session keys saved with the workspace (the tier settings of ui.tier_view and this module).
PERSISTED_KEYS = ("lang", "tier_value", "tier_cuts", "tier_names", "tier_scheme", "tier_preset", "tier_colors",
                  "tier_weights", "tier_filters", "explain_on", "presenter")

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


def lkey(name: str, labels=None) -> str:
    """Widget key for a picker (radio, selectbox, segmented control) whose option labels change.

    Streamlit 1.67 keeps a keyed picker's value as its formatted label: after the labels change
    under the same key (a language switch, renamed tiers, new counts) the picker shows no
    selection and ignores clicks. So the key carries the language, and with ``labels`` (for labels
    that depend on the data) a digest of them; a new key starts a fresh widget, which takes its
    ``index``/``default`` from the caller's own state, so callers keep the choice themselves.
    """
    key = f"{name}_{lang()}"
    if labels is not None:
        joined = "\x1f".join(map(str, labels))
        key += "_" + hashlib.blake2s(joined.encode(), digest_size=4).hexdigest()
    return key


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
                               max_bytes=None if kind == "path" else MAX_UPLOAD_MB * 1024 * 1024,
                               engine=engine, read=read)
    except InputError as exc:
        engine.close()
        st.session_state[K_LAST_ERROR] = exc
        return False
    except Exception as exc:  # noqa: BLE001 - a strange file must never show a traceback
        engine.close()
        st.session_state[K_LAST_ERROR] = InputError("unexpected", detail=type(exc).__name__)
        return False
    old = workspace()
    _save_source(kind, name, source, filename, loaded.read.sheet, overrides, margin)
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
    """Restore the workspace named in the URL, else grade the default sample, so the app is
    never empty and a refresh or a server restart loses nothing."""
    if workspace() is not None or K_LAST_ERROR in st.session_state:
        return
    wanted = st.query_params.get("ws")
    if wstore.valid_id(wanted) and _restore(wanted):
        return
    if wanted:
        st.session_state[K_RESTORE_NOTE] = "missing"
    st.session_state[K_WS_ID] = wstore.new_id()
    key = samples.DEFAULT_SAMPLE
    load(samples.sample_path(key), kind="sample", name=key)


# ------------------------------------------------------------------------------------------
# persistence (tierlib.store): the workspace id is in the URL as ?ws=<id>

@st.cache_resource
def get_store() -> wstore.Store:
    s = wstore.Store()
    s.purge_expired()
    return s


def ws_id() -> str:
    if K_WS_ID not in st.session_state:
        st.session_state[K_WS_ID] = wstore.new_id()
    wid = st.session_state[K_WS_ID]
    if st.query_params.get("ws") != wid:
        st.query_params["ws"] = wid
    return wid


def _save_source(kind, name, source, filename, sheet, overrides, margin) -> None:
    """Keep what was loaded (the upload's bytes or the sample's key) under the workspace id."""
    data = source if kind == "upload" and isinstance(source, (bytes, bytearray)) else None
    st.session_state["_ws_source_meta"] = {"kind": kind, "name": name, "filename": filename, "sheet": sheet,
                                           "overrides": overrides or None, "margin": margin}
    try:
        get_store().save_source(ws_id(), bytes(data) if data is not None else None)
    except OSError:
        st.session_state[K_RESTORE_NOTE] = "save_failed"
    st.session_state.pop(K_SAVED_HASH, None)


def _settings_snapshot() -> dict:
    ss = st.session_state
    ws = workspace()
    return {
        "source": ss.get("_ws_source_meta"),
        "settings": {k: ss.get(k) for k in PERSISTED_KEYS if k in ss},
        "annotations": ws.annotations if ws is not None else {},
    }


def persist() -> None:
    """Write the workspace's settings when they changed since the last save (cheap otherwise)."""
    if workspace() is None or "_ws_source_meta" not in st.session_state:
        return
    snap = _settings_snapshot()
    text = json.dumps(snap, ensure_ascii=False, sort_keys=True, default=str)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if st.session_state.get(K_SAVED_HASH) == digest:
        return
    try:
        get_store().save_meta(ws_id(), json.loads(text))
        st.session_state[K_SAVED_HASH] = digest
    except OSError:
        st.session_state[K_RESTORE_NOTE] = "save_failed"


def _restore(wid: str) -> bool:
    got = get_store().load(wid)
    if got is None or not isinstance(got[0].get("source"), dict):
        return False
    meta, data = got
    src = meta["source"]
    st.session_state[K_WS_ID] = wid
    if src.get("kind") == "sample" and src.get("name") in samples.SAMPLES:
        source = samples.sample_path(src["name"])
    elif src.get("kind") == "upload" and data is not None:
        source = data
    elif src.get("kind") == "path":
        from tierlib import native

        try:
            source = str(native.resolve_allowed(src.get("filename") or ""))
        except InputError:
            return False
    else:
        return False
    ok = load(source, kind=src["kind"], name=src.get("name") or "", filename=src.get("filename"),
              sheet=src.get("sheet"), overrides=src.get("overrides"), margin=src.get("margin"))
    if not ok:
        st.session_state.pop(K_LAST_ERROR, None)
        return False
    for key, val in (meta.get("settings") or {}).items():
        if key in PERSISTED_KEYS and val is not None:
            st.session_state[key] = _revive(key, val)
    workspace().annotations = dict(meta.get("annotations") or {})
    st.session_state["tier_url_read"] = True  # the saved settings win over the link's
    st.session_state[K_RESTORE_NOTE] = "restored"
    return True


def _revive(key: str, val):
    if key == "tier_filters" and isinstance(val, dict):
        out = dict(val)
        for k in ("date_from", "date_to"):
            if isinstance(out.get(k), str):
                try:
                    out[k] = dt.date.fromisoformat(out[k][:10])
                except ValueError:
                    out.pop(k)
        return out
    return val


def delete_workspace() -> None:
    """Remove the stored workspace and start afresh with a new id."""
    get_store().delete(ws_id())
    for key in list(st.session_state):
        if key != K_LANG:
            del st.session_state[key]
    st.query_params.clear()


def error_text(exc: InputError) -> str:
    return i18n.error_message(exc.code, exc.params, lang())
