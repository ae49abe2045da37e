"""Streamlit helpers of the lifecycle / churn and the tier-migration pages.

Derived results are cached in ``ws.cache`` under keys starting with "lifecycle." or
"migration.", so reruns and page switches do not recompute them. Settings the user typed are
kept under this module's own session keys (``K_*``) and fed back as widget defaults, so they
survive page switches.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import streamlit as st

from tierlib import churn, lifecycle, migration, pipeline, presets
from tierlib.engine import Engine
from tierlib.schema import MONEY_SCALE
from ui import state, tier_view

T = state.T

K_LC = "lc_settings"  # {as_of, period, params..., k, drop}
K_MIG = "mig_settings"  # {mode, split, equal, role, near}
K_MIG_FILE = "migration.file"  # ws.cache key of the uploaded second file: (file_id, name, Loaded)
MAX_ROWS = 2_000


def settings(key: str) -> dict:
    """The page's persisted settings (a dict kept in session state)."""
    return st.session_state.setdefault(key, {})


def fmt_int(v) -> str:
    return "-" if v is None or pd.isna(v) else f"{int(v):,}"


def fmt_change(v) -> str:
    return "-" if v is None or pd.isna(v) else f"{float(v) * 100:+.0f}%"


def cached(ws: state.Workspace, key: tuple, compute, keep: int = 4):
    """``ws.cache[key]``, computed on first use; at most ``keep`` entries per kind (``key[0]``)
    are kept, the least recently used go first (a customer-level frame per as-of date adds up)."""
    order = ws.cache.setdefault(("behaviour.lru", key[0]), [])
    if key in ws.cache:
        if key in order:
            order.remove(key)
        order.append(key)
        return ws.cache[key]
    value = compute()
    ws.cache[key] = value
    order.append(key)
    while len(order) > keep:
        ws.cache.pop(order.pop(0), None)
    return value


def date_range(ws: state.Workspace):
    key = ("lifecycle.dates",)
    if key not in ws.cache:
        ws.cache[key] = ws.engine.date_range()
    return ws.cache[key]


def tier_colors(n: int) -> list[str]:
    colors = st.session_state.get(tier_view.K_COLORS)
    return list(colors) if colors and len(colors) == n else presets.palette(n)


# ------------------------------------------------------------------------------------------
# lifecycle / churn

def history(ws: state.Workspace, as_of: dt.date, period: int) -> lifecycle.History:
    return cached(ws, ("lifecycle.history", str(as_of), int(period)),
                  lambda: lifecycle.history(ws.engine, as_of=as_of, period_days=int(period)))


def stages(ws: state.Workspace, hist: lifecycle.History, params: lifecycle.Params) -> pd.DataFrame:
    return cached(ws, ("lifecycle.stages", str(hist.as_of), hist.period_days, params),
                  lambda: lifecycle.stages(hist, params))


def breadth(ws: state.Workspace, as_of: dt.date, grain: str) -> pd.DataFrame:
    return cached(ws, ("lifecycle.breadth", str(as_of), grain),
                  lambda: lifecycle.breadth(ws.engine, as_of=as_of, grain=grain))


def stage_labels() -> dict[str, str]:
    return {s: T(f"lifecycle.stage.{s}") for s in lifecycle.STAGES}


def reason_text(row) -> str:
    """The localised reason of a stage (a row of ``lifecycle.stages``) with its figures."""
    params = {"days": fmt_int(row["recency"]), "gap": f"{row['usual_gap']:g}", "tenure": fmt_int(row["tenure"]),
              "n": fmt_int(row["order_days"])}
    p = settings(K_LC)
    params["k"] = f"{p.get('lost_k', lifecycle.Params.lost_k):g}" if row["reason"] == "lost.overdue" else \
        f"{p.get('decline_k', lifecycle.Params.decline_k):g}"
    return T(f"lifecycle.reason.{row['reason']}", **params)


def customer_names(ws: state.Workspace) -> pd.DataFrame:
    c = ws.loaded.customers
    return c[["customer_id", "customer_name"]] if "customer_name" in c else c[["customer_id"]]


def churn_indicators(ws: state.Workspace, hist: lifecycle.History, params: churn.Params) -> pd.DataFrame:
    return cached(ws, ("lifecycle.churn", str(hist.as_of), hist.period_days, params),
                  lambda: churn.indicators(hist, params))


# ------------------------------------------------------------------------------------------
# migration

def second_file(ws: state.Workspace):
    """(file_id, name, Loaded) of the uploaded second file, or None."""
    return ws.cache.get(K_MIG_FILE)


def load_second_file(ws: state.Workspace, upload) -> Exception | None:
    """Read an uploaded file into its own engine; keep its per-customer table in ws.cache."""
    engine = Engine()
    try:
        loaded = pipeline.load(upload.getvalue(), filename=upload.name, engine=engine,
                               max_bytes=state.MAX_UPLOAD_MB * 1024 * 1024)
    except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
        return exc
    finally:
        engine.close()
    ws.cache[K_MIG_FILE] = (upload.file_id, upload.name, loaded)
    return None


def matrix_frame(matrix: np.ndarray, labels: list[str], corner: str, total: str, money_units: bool) -> pd.DataFrame:
    """A transition matrix as display text, with row and column totals."""
    m = np.asarray(matrix, dtype="int64")
    rows = []
    fmt = (lambda v: f"{v / MONEY_SCALE:,.2f}") if money_units else (lambda v: f"{v:,}")
    for name, row in zip(labels, m):
        rows.append([name, *[fmt(int(v)) for v in row], fmt(int(row.sum()))])
    rows.append([total, *[fmt(int(v)) for v in m.sum(axis=0)], fmt(int(m.sum()))])
    return pd.DataFrame(rows, columns=[corner, *labels, total])


def table_height(rows: int, most: int = 420) -> int:
    """A dataframe height that fits ``rows`` rows (plus the header), at most ``most`` pixels."""
    return min(most, 38 + 35 * max(rows, 1))


def money_config(df: pd.DataFrame, columns) -> dict:
    """Column config showing the given numeric columns with thousands separators and 2 decimals."""
    return {c: st.column_config.NumberColumn(format="%,.2f") for c in columns if c in df}


def move_frame(df: pd.DataFrame, labels: list[str], value_word: str, value: str) -> pd.DataFrame:
    """A list of moving customers with localised headers (numbers stay numbers)."""
    out = pd.DataFrame({
        T("col.customer_id"): df["customer_id"].astype(str),
        T("col.customer_name"): df["customer_name"].fillna(""),
        T("migration.col.before"): [labels[i] for i in df["before"]],
        T("migration.col.after"): [labels[i] for i in df["after"]],
        T("migration.col.value_before", value=value_word): df["value_before"].round(2),
        T("migration.col.value_after", value=value_word): df["value_after"].round(2),
        T("migration.col.growth"): df["growth"].round(2),
    })
    if value != "profit" and (df["profit_after"].notna().any() or df["profit_before"].notna().any()):
        out[T("migration.col.profit_before")] = (df["profit_before"].astype("Float64") / MONEY_SCALE).round(2)
        out[T("migration.col.profit_after")] = (df["profit_after"].astype("Float64") / MONEY_SCALE).round(2)
    if not df["customer_name"].notna().any():
        out = out.drop(columns=[T("col.customer_name")])
    return out.reset_index(drop=True)


def move_columns(value_word: str) -> list[str]:
    return [T("migration.col.value_before", value=value_word), T("migration.col.value_after", value=value_word),
            T("migration.col.growth"), T("migration.col.profit_before"), T("migration.col.profit_after"),
            T("migration.col.next_low", value=value_word), T("migration.col.gap_to_next")]


def candidate_frame(df: pd.DataFrame, labels: list[str], value_word: str, value: str) -> pd.DataFrame:
    out = move_frame(df, labels, value_word, value)
    out[T("migration.col.next_tier")] = df["next_tier_name"].to_list()
    out[T("migration.col.next_low", value=value_word)] = df["next_low"].round(2).to_numpy()
    out[T("migration.col.share_of_next")] = [f"{v:.1%}" for v in df["share_of_next"]]
    out[T("migration.col.gap_to_next")] = df["gap_to_next"].round(2).to_numpy()
    return out


def _weights(g) -> dict | None:
    return st.session_state.get(tier_view.K_WEIGHTS) if g.value == "score" else None


def _frozen(d: dict | None) -> tuple:
    return tuple(sorted((d or {}).items()))


def split_migration(ws: state.Workspace, g, split_day: dt.date, start: dt.date | None,
                    dims: dict | None = None) -> migration.Migration:
    """The migration at a split date under grading ``g`` (scheme, cuts, names, value) and the
    tiers page's dimension filters ``dims``, cached."""
    weights = _weights(g)
    dims = {k: list(v) for k, v in (dims or {}).items() if v}
    key = ("migration.split", str(split_day), str(start), g.value, g.scheme, tuple(map(str, g.cuts)),
           tuple(g.names), _frozen(weights), tuple(sorted((k, tuple(map(str, v))) for k, v in dims.items())))
    return cached(ws, key, lambda: migration.split(ws.engine, split_day, value=g.value, cuts=g.cuts,
                                                   names=g.names, scheme=g.scheme, lang=state.lang(),
                                                   start=start, weights=weights, dims=dims))


def files_migration(ws: state.Workspace, g, other, uploaded_is_later: bool) -> migration.Migration:
    """The migration between the current data and the uploaded file, cached."""
    file_id, name, loaded = other
    weights = _weights(g)
    key = ("migration.files", file_id, uploaded_is_later, g.value, g.scheme, tuple(map(str, g.cuts)),
           tuple(g.names), _frozen(weights))
    mine, theirs = ws.loaded.customers, loaded.customers
    before, after = (mine, theirs) if uploaded_is_later else (theirs, mine)
    names = (ws.name, name) if uploaded_is_later else (name, ws.name)
    return cached(ws, key, lambda: migration.compare(
        before, after, value=g.value, cuts=g.cuts, names=g.names, scheme=g.scheme, lang=state.lang(),
        weights=weights, periods={"before": {"file": names[0]}, "after": {"file": names[1]}}))
