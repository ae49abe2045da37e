"""From a file to graded customers: read -> map -> validate -> aggregate -> rank.

``load`` is what both the CLI and the app call, so the numbers they show are the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tierlib import io, native, schema
from tierlib.engine import Engine
from tierlib.tiers import Grading


@dataclass
class Loaded:
    """A read, validated and aggregated data set."""

    read: io.ReadResult
    prepared: schema.Prepared
    customers: pd.DataFrame
    auto_mapping: dict[str, str]
    engine: Engine | None = None  # the DuckDB engine holding the transactions (``tx``)

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.read.frame.columns]

    def available_values(self) -> list[str]:
        """Tiering values the data support, best first (profit when known)."""
        vals = []
        if self.prepared.has_profit:
            vals.append("profit")
        if self.prepared.has_revenue:
            vals.append("revenue")
        if self.customers["orders"].notna().any():
            vals.append("orders")
        vals.append("score")
        if self.has_dated_transactions() and self.prepared.has_revenue:
            vals.append("clv")
        return vals

    def has_dated_transactions(self) -> bool:
        return self.prepared.level == "transactions" and bool(self.customers["last_order"].notna().any())

    def customers_with_clv(self, customers: pd.DataFrame | None = None, **clv_options) -> pd.DataFrame:
        """``customers`` (default: all) with a ``clv`` column in money units (12-month CLV by default,
        see ``tierlib.clv.customer_clv_frame``); computed once and cached."""
        from tierlib import clv

        key = tuple(sorted(clv_options.items()))
        cache = self.__dict__.setdefault("_clv_cache", {})
        if key not in cache:
            if self.engine is None:
                raise io.InputError("tiers.no_clv")
            frame = clv.customer_clv_frame(self.engine, **clv_options)
            cache[key] = dict(zip(frame["customer_id"], schema.to_units(frame["clv"])))
        units = cache[key]
        base = self.customers if customers is None else customers
        return base.assign(clv=pd.array([units.get(c, 0) for c in base["customer_id"]], dtype="Int64"))

    def default_value(self) -> str:
        return self.available_values()[0]


def load(source, filename: str | None = None, sheet: str | None = None,
         overrides: dict[str, str | None] | None = None, margin: float | None = None,
         max_bytes: int | None = None, engine: Engine | None = None, read: io.ReadResult | None = None) -> Loaded:
    """Read ``source`` (path or bytes) and return the validated per-customer table.

    Raises ``tierlib.io.InputError`` with a message key on any problem; nothing is half-loaded.
    Pass ``read`` to re-map an already-read file without reading it again.
    """
    # --- native path (issue "Performance and scale", tierlib/native.py) ---------------------------
    # Big Parquet / UTF-8 CSV files and folders are validated and aggregated inside DuckDB with the
    # same rules; anything it cannot read exactly comes back as Fallback and goes the Python way.
    if read is None or isinstance(read, native.NativeRead):
        native_plan = native.plan(source, filename=filename, sheet=sheet, max_bytes=max_bytes, read=read)
        if native_plan is not None:
            try:
                n_read, n_prepared, n_customers, n_auto = native.load(native_plan, overrides, margin, engine)
                return Loaded(read=n_read, prepared=n_prepared, customers=n_customers, auto_mapping=n_auto,
                              engine=n_read.engine)
            except native.Fallback:
                read = None
    # --- end of the native path ------------------------------------------------------------------
    if read is None:
        read = io.read_table(source, filename=filename, sheet=sheet, max_bytes=max_bytes)
    columns = [str(c) for c in read.frame.columns]
    auto = schema.guess_mapping(columns)
    mapping = schema.apply_overrides(auto, overrides or {}, columns)
    prepared = schema.prepare(read.frame, read.line_numbers, mapping, margin=margin)
    if prepared.rows_used == 0:
        raise io.InputError("schema.all_rejected", rows=prepared.rows_read,
                            reason=prepared.rejected["reason"].mode().iat[0])
    eng = engine or Engine()
    customers = eng.customers(prepared.clean)
    return Loaded(read=read, prepared=prepared, customers=customers, auto_mapping=auto, engine=eng)


def _records(frame: pd.DataFrame, cols: list[str]) -> list[dict]:
    """``frame[cols].to_dict(orient="records")`` (Python scalars), several times faster on long frames."""
    values = [frame[c].tolist() for c in cols]
    return [dict(zip(cols, row)) for row in zip(*values)]


def summary(loaded: Loaded, grading: Grading) -> dict:
    """The JSON summary of a grading (keys fixed by the CLI contract; more may be added)."""
    p = loaded.prepared
    return {
        "rows_read": p.rows_read,
        "rows_used": p.rows_used,
        "rows_rejected": p.rows_rejected,
        "customers": grading.ranked.n,
        "value": grading.value,
        "scheme": grading.scheme,
        "cuts": grading.cuts,
        "names": grading.names,
        "totals": grading.totals(),
        "tiers": [
            {k: row[k] for k in ("name", "customers", "customer_share", "revenue", "revenue_share",
                                 "profit", "profit_share")}
            for row in grading.tiers
        ],
        "concentration": grading.concentration,
        "level": p.level,
        "profit_source": p.profit_source,
        "revenue_source": p.revenue_source,
        "negative_rows": p.negative_rows,
        "duplicate_rows": p.duplicate_rows,
        "rejected_by_reason": getattr(p, "rejected_by_reason", None)  # native path: exact counts
        or {str(k): int(v) for k, v in p.rejected["reason"].value_counts().items()},
        "rejected": _records(p.rejected, ["line", "reason", "field", "column", "value"]),
        "mapping": p.mapping,
        "encoding": loaded.read.encoding,
        "sheet": loaded.read.sheet,
    }
