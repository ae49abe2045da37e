"""Shared widgets and display frames (localised column names, money as amounts)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from tierlib import schema
from tierlib.pipeline import Loaded
from tierlib.schema import MONEY_SCALE
from ui import samples, state

T = state.T
_DELIMS = {",": ",", ";": ";", "\t": "Tab", "|": "|"}


def source_label(ws: state.Workspace) -> str:
    return T(samples.SAMPLES[ws.name][1]) if ws.kind == "sample" else ws.name  # upload or server path


def delimiter_label(delim: str | None) -> str:
    return _DELIMS.get(delim, "-") if delim else "-"


def file_info(read) -> str:
    """One line on how the file was read: format, sheet, encoding, delimiter, header row."""
    parts = [T("data.info.format", format=read.format.upper())]
    if read.sheet:
        parts.append(T("data.info.sheet", sheet=read.sheet))
    if read.encoding:
        parts.append(T("data.info.encoding", encoding=read.encoding))
    if read.delimiter:
        parts.append(T("data.info.delimiter", delimiter=delimiter_label(read.delimiter)))
    if read.header_row:
        parts.append(T("data.info.header", header=read.header_row))
    return " · ".join(parts)


#: At most this many line numbers are listed in the warning on replaced characters.
REPLACED_LINES_SHOWN = 10


def replaced_lines(read) -> list[int]:
    """The 1-based lines of the file whose cells hold U+FFFD: the header row when a column name
    does, then every data row that does (``read.line_numbers``), in file order. Title rows above
    the header are not in the frame, so a character replaced there has no line here."""
    frame = read.frame
    lines = [int(read.header_row)] if any("\ufffd" in str(c) for c in frame.columns) else []
    hit = np.zeros(len(frame), dtype=bool)
    for col in range(frame.shape[1]):
        cells = frame.iloc[:, col]
        if pd.api.types.is_string_dtype(cells) or cells.dtype == object:
            hit |= cells.astype("str").str.contains("\ufffd", regex=False).to_numpy(dtype=bool, na_value=False)
    return lines + [int(n) for n in np.asarray(read.line_numbers)[hit]]


def replaced_note(ws: state.Workspace) -> str | None:
    """The warning on undecodable bytes of a text file that were replaced by U+FFFD when it was
    read (``ReadResult.replaced_chars``), with the lines they are on; None when there are none."""
    read = ws.loaded.read
    n = int(getattr(read, "replaced_chars", 0) or 0)
    if n <= 0:
        return None
    key = ("data.replaced_lines", id(read))
    if key not in ws.cache:  # a scan of every cell: once per read file, not on every rerun
        ws.cache[key] = replaced_lines(read)
    lines = ws.cache[key]
    text = T("data.replaced.one") if n == 1 else T("data.replaced", n=f"{n:,}")
    if lines:
        shown = T("data.replaced.sep").join(f"{x:,}" for x in lines[:REPLACED_LINES_SHOWN])
        if len(lines) > REPLACED_LINES_SHOWN:
            text += T("data.replaced.lines_more", lines=shown, count=f"{len(lines):,}")
        else:
            text += T("data.replaced.line" if len(lines) == 1 else "data.replaced.lines", lines=shown)
    return text + T("data.replaced.hint")


def mapping_editor(loaded: Loaded) -> dict[str, str | None]:
    """One select box per canonical field; returns overrides for every field."""
    none = "\u0000none"
    options = [none, *loaded.columns]
    current = loaded.prepared.mapping
    if current.get("customer_id") == current.get("customer_name") and "customer_name" in current:
        current = {k: v for k, v in current.items() if k != "customer_id"}
    labels = {none: T("data.mapping.none"), **{c: c for c in loaded.columns}}
    overrides: dict[str, str | None] = {}
    cols = st.columns(3)
    for i, fld in enumerate(schema.FIELDS):
        col = current.get(fld)
        pick = cols[i % 3].selectbox(
            T(f"field.{fld}"), options, index=options.index(col) if col in options else 0,
            format_func=labels.get, key=state.lkey(f"map_{fld}", options),
        )
        overrides[fld] = None if pick == none else pick
    return overrides


def rejected_table(rejected: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        T("col.line"): rejected["line"],
        T("col.reason"): rejected["reason"].map(lambda r: T(f"reason.{r}")),
        T("col.field"): rejected["field"].map(lambda f: T(f"field.{f}")),
        T("col.column"): rejected["column"],
        T("col.value_raw"): rejected["value"],
    })
    return out


def money(series: pd.Series) -> pd.Series:
    return (series.astype("Float64") / MONEY_SCALE).round(2)


def table_config(df: pd.DataFrame) -> dict:
    """Column formats for a localised customer table: dates as dates, money with separators."""
    cfg = {}
    for col in ("first_order", "last_order"):
        cfg[T(f"col.{col}")] = st.column_config.DateColumn(format="YYYY-MM-DD")
    for col in ("revenue", "cost", "profit", "value"):
        cfg[T(f"col.{col}")] = st.column_config.NumberColumn(format="localized")
    for col in ("cum_customer_share", "cum_value_share"):
        cfg[T(f"col.{col}")] = st.column_config.NumberColumn(format="percent")
    return {k: v for k, v in cfg.items() if k in df.columns}


def show_customers(df: pd.DataFrame, key: str, height: int = 420) -> None:
    st.dataframe(df, hide_index=True, width="stretch", height=height, key=key, column_config=table_config(df))


def customer_frame(customers: pd.DataFrame, value_is_money: bool = True) -> pd.DataFrame:
    """Per-customer table with localised headers and money as amounts."""
    df = customers.copy()
    for col in ("revenue", "cost", "profit") + (("value",) if value_is_money else ()):
        if col in df:
            df[col] = money(df[col])
    keep = [c for c in ("rank", "tier_name", "customer_id", "customer_name", "value", "revenue", "cost", "profit",
                        "orders", "first_order", "last_order", "cum_customer_share", "cum_value_share",
                        *schema.DIMENSIONS) if c in df and not df[c].isna().all()]
    df = df[keep]
    names = {c: T(f"col.{c}") if c not in schema.DIMENSIONS else T(f"field.{c}") for c in keep}
    names["tier_name"] = T("col.tier")
    return df.rename(columns=names)


MAX_ROWS_SHOWN = 2_000


def drilldown(grading) -> None:
    """Pick a tier: its customers, sortable and searchable, downloadable.

    At most MAX_ROWS_SHOWN rows go to the browser; the download holds every matching row.
    """
    from tierlib.export import to_csv_bytes
    from tierlib.tiers import MONEY_VALUES
    from ui.tier_view import filter_customers

    options = [0, *range(1, len(grading.names) + 1)]
    labels = [T("tiers.all"), *grading.names]
    c1, c2 = st.columns([1, 2])
    ss = st.session_state
    picked = ss.get("tier_pick", 0)
    pick = c1.selectbox(T("tiers.filter_tier"), options, index=picked if picked in options else 0,
                        format_func=labels.__getitem__, key=state.lkey("w_tier_pick", labels))
    ss["tier_pick"] = pick
    # Kept in the app's own state too: the grid's tab is lazy, and a closed tab's widgets lose theirs.
    query = c2.text_input(T("tiers.search"), value=ss.get("tier_query", ""), key="w_tier_search")
    ss["tier_query"] = query
    money_value = grading.value in MONEY_VALUES

    def matching():
        base = grading.tier_slice(pick) if pick else grading.graded()
        return filter_customers(base, 0, query)

    if query:
        rows = matching()
        total = len(rows)
    elif pick:
        rows = grading.tier_slice(pick)
        total = len(rows)
    else:
        rows = grading.head(MAX_ROWS_SHOWN)
        total = grading.ranked.n
    shown = rows.head(MAX_ROWS_SHOWN)
    st.caption(T("tiers.shown", n=f"{len(shown):,}", total=f"{total:,}"))
    show_customers(customer_frame(shown, value_is_money=money_value), key="graded_table")
    name = "all" if pick == 0 else f"tier{pick}"
    st.download_button(T("tiers.download_shown"),
                       lambda: to_csv_bytes(customer_frame(matching(), value_is_money=money_value)),
                       file_name=f"customers_{name}.csv", mime="text/csv", key="dl_shown",
                       icon=":material/download:")
