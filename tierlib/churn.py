"""Churn warning (客户流失预警): explainable indicators, no model.

Each customer's order history as of a date (``tierlib.lifecycle.history``) is checked against
four indicators; a customer is flagged when at least one fires:

================ =================================================================================
overdue          two or more order days, and days since the last order > ``k`` x the customer's
                 own median gap between order days
overdue_single   a single order day (no gap of its own), and days since that order > ``k`` x the
                 typical gap (the median of the repeat customers' median gaps)
spend_down       spend in the latest period down by at least ``drop_pct`` % vs the previous period
                 of the same length (the previous spend must be positive; spend = revenue, or
                 profit when the data have no revenue)
orders_down      order count in the latest period down by at least ``drop_pct`` % vs the previous
                 period (the previous period must have an order)
================ =================================================================================

The list is sorted by *value at risk*: the customer's profit in the 12 months up to the as-of
date (revenue when the data have no profit), highest first, ties by customer id. Indicator codes
stay codes here; the pages turn them into localised text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tierlib import lifecycle
from tierlib.engine import Engine
from tierlib.i18n import t
from tierlib.io import InputError
from tierlib.schema import MONEY_SCALE

INDICATORS = ("overdue", "overdue_single", "spend_down", "orders_down")
SEPARATOR = ";"


@dataclass(frozen=True)
class Params:
    """Indicator parameters (the period length belongs to the ``History``)."""

    k: float = 2.0  # overdue when days since the last order > k x the usual gap
    drop_pct: float = 30.0  # spend / order count down by at least this many % -> fires

    def check(self) -> Params:
        if not self.k > 0:
            raise InputError("lifecycle.bad_param", name="k", value=self.k)
        if not (0 < self.drop_pct <= 100):
            raise InputError("lifecycle.bad_param", name="drop_pct", value=self.drop_pct)
        return self


def indicators(hist: lifecycle.History, params: Params | None = None) -> pd.DataFrame:
    """Every customer with each indicator (bool), the joined codes and the value at risk.

    Returns
    -------
    DataFrame
        customer_id, overdue, overdue_single, spend_down, orders_down (bool), flags (codes joined
        by ";", empty when none fired), n_flags, recency, order_days, median_gap, usual_gap,
        spend_recent, spend_previous, spend_change, orders_recent, orders_previous,
        orders_change, value_at_risk_units (int64 money units), value_at_risk (float amount).
    """
    p = (params or Params()).check()
    f = hist.frame
    rec = f["recency"].astype("float64")
    repeat = f["order_days"] >= 2
    x = p.drop_pct / 100.0
    spend = hist.spend_measure
    s_rec, s_prev = f[f"{spend}_recent"], f[f"{spend}_previous"]
    o_rec, o_prev = f["orders_recent"], f["orders_previous"]
    fired = pd.DataFrame({
        "overdue": repeat & (rec > p.k * f["median_gap"].astype("float64")),
        "overdue_single": ~repeat & (rec > p.k * hist.typical_gap),
        "spend_down": (s_prev > 0) & (s_rec <= (1 - x) * s_prev),
        "orders_down": (o_prev > 0) & (o_rec <= (1 - x) * o_prev),
    }).astype(bool)
    mat = fired[list(INDICATORS)].to_numpy()
    flags = pd.Series("", index=f.index, dtype=object)
    for c in INDICATORS:  # vectorised join: ";overdue;spend_down" -> strip the leading ";"
        flags = flags.where(~fired[c], flags + SEPARATOR + c)
    flags = flags.str.lstrip(SEPARATOR)
    var_units = f[f"{hist.value_measure}_12m"].astype("int64")
    out = pd.DataFrame({"customer_id": f["customer_id"]})
    for c in INDICATORS:
        out[c] = fired[c]
    out["flags"] = flags.astype(object)
    out["n_flags"] = mat.sum(axis=1).astype("int64")
    out["recency"] = f["recency"]
    out["order_days"] = f["order_days"]
    out["median_gap"] = f["median_gap"]
    out["usual_gap"] = hist.usual_gap()
    out["spend_recent"] = s_rec
    out["spend_previous"] = s_prev
    out["spend_change"] = lifecycle.change(s_rec, s_prev)
    out["orders_recent"] = o_rec
    out["orders_previous"] = o_prev
    out["orders_change"] = lifecycle.change(o_rec, o_prev)
    out["value_at_risk_units"] = var_units
    out["value_at_risk"] = (var_units / MONEY_SCALE).round(2)
    return out.reset_index(drop=True)


def warning_list(ind: pd.DataFrame, customer_tiers: pd.DataFrame | None = None, tiers=None,
                 only=None, require_all: bool = False) -> pd.DataFrame:
    """The flagged customers, highest value at risk first (ties by customer id).

    Parameters
    ----------
    ind : DataFrame
        From ``indicators``.
    customer_tiers : DataFrame, optional
        customer_id, tier, tier_name: joined in (customers without a tier get NA).
    tiers : list of int, optional
        Keep these tiers only (1 = top); needs ``customer_tiers``.
    only : list of str, optional
        Indicator codes to consider (default: all); a customer is listed when any of them fired,
        or all of them with ``require_all``.
    """
    codes = list(only) if only else list(INDICATORS)
    bad = [c for c in codes if c not in INDICATORS]
    if bad:
        raise InputError("lifecycle.bad_param", name="indicator", value=", ".join(bad))
    sel = ind[codes].all(axis=1) if require_all else ind[codes].any(axis=1)
    out = ind[sel]
    if customer_tiers is not None:
        out = out.merge(customer_tiers[["customer_id", "tier", "tier_name"]], on="customer_id", how="left")
        if tiers:
            out = out[out["tier"].isin(list(tiers))]
    elif tiers:
        raise ValueError("tiers filter needs customer_tiers")
    key = out["customer_id"].astype(str)
    out = out.assign(_k=key).sort_values(["value_at_risk_units", "_k"], ascending=[False, True], kind="stable")
    return out.drop(columns="_k").reset_index(drop=True)


def explain(row, lang: str, k: float, drop_pct: float, typical_gap: float) -> str:
    """One localised sentence per fired indicator of a row of ``indicators``, joined by "; "."""
    parts = []
    if row["overdue"]:
        parts.append(t("churn.why.overdue", lang, days=int(row["recency"]), k=_num(k), gap=_num(row["median_gap"])))
    if row["overdue_single"]:
        parts.append(t("churn.why.overdue_single", lang, days=int(row["recency"]), k=_num(k),
                       gap=_num(round(typical_gap, 1))))
    if row["spend_down"]:
        parts.append(t("churn.why.spend_down", lang, pct=_pct(row["spend_change"]), x=_num(drop_pct)))
    if row["orders_down"]:
        parts.append(t("churn.why.orders_down", lang, before=int(row["orders_previous"]),
                       now=int(row["orders_recent"])))
    return t("churn.why.join", lang).join(parts)


def _num(x) -> str:
    f = float(x)
    return str(int(f)) if f.is_integer() else f"{f:g}"


def _pct(change) -> str:
    return "-" if pd.isna(change) else f"{abs(float(change)) * 100:.0f}%"


def segment_columns(engine: Engine, as_of=None, period_days: int = lifecycle.DEFAULT_PERIOD_DAYS,
                    lifecycle_params: lifecycle.Params | None = None,
                    churn_params: Params | None = None) -> pd.DataFrame:
    """Per customer: ``lifecycle_stage`` (a stage code) and ``churn_flags`` (codes joined by ";").

    For the ``segments`` CLI. Customers with no dated order up to ``as_of`` are not in the result
    (merge it left onto the customer table and fill with ""). ``churn_flags`` is "" when no
    indicator fired.
    """
    hist = lifecycle.history(engine, as_of=as_of, period_days=period_days)
    st = lifecycle.stages(hist, lifecycle_params)
    ind = indicators(hist, churn_params)
    return pd.DataFrame({"customer_id": st["customer_id"], "lifecycle_stage": st["stage"],
                         "churn_flags": ind["flags"]})
