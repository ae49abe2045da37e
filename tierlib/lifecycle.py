"""Lifecycle stages (客户生命周期) and relationship breadth, from each customer's order history.

Everything is computed as of an explicit date (default: the latest order date in the data,
never "now"); orders after it are ignored. The per-customer history comes from SQL
(``tierlib/sql/lifecycle_history.sql``): the distinct order days, the gaps between them (median
and last gap), and the orders and spend in the latest period of ``period_days`` days ending on
the as-of date and in the previous period of the same length.

Stage rules (first match wins; every number is a parameter of ``Params``):

========== ===================================================================================
lost        days since the last order > ``lost_k`` x the usual gap
exploration one order day only, or the first order at most ``new_days`` days before as-of
decline     days since the last order > ``decline_k`` x the usual gap, or spend AND order count
            in the latest period both down by at least ``change_pct`` % vs the previous period
formation   fewer than ``min_orders`` order days, or more orders in the latest period than in the
            previous one with spend up by at least ``change_pct`` %
stability   everyone else: an established customer buying at the usual pace
========== ===================================================================================

The *usual gap* is the customer's own median gap between distinct order days. A customer with a
single order day has no gap: the *typical gap* stands in for it, which is the median of the
median gaps of all customers with two or more order days (the period length when there are none).

Relationship breadth (new, retained, won back, lost customers per month or quarter) is computed
in SQL too (``tierlib/sql/lifecycle_breadth.sql``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tierlib.charts import FONT_FAMILY, GRID, NEUTRAL, TRANSPARENT
from tierlib.engine import Engine
from tierlib.i18n import t
from tierlib.io import InputError

#: Stage codes, in lifecycle order.
STAGES = ("exploration", "formation", "stability", "decline", "lost")
#: Why a customer got its stage (``<stage>.<reason>``), in rule order.
REASONS = ("lost.overdue", "exploration.single", "exploration.new", "decline.overdue", "decline.falling",
           "formation.few_orders", "formation.growing", "stability.steady")
GRAINS = ("month", "quarter")
BREADTH_KINDS = ("new", "retained", "won_back", "lost")
DEFAULT_PERIOD_DAYS = 90
STAGE_COLORS = {"exploration": "#9ecae1", "formation": "#4292c6", "stability": "#2ca02c",
                "decline": "#ff7f0e", "lost": "#d62728"}
BREADTH_COLORS = {"new": "#4292c6", "retained": "#2ca02c", "won_back": "#9467bd", "lost": "#d62728"}


@dataclass(frozen=True)
class Params:
    """Parameters of the stage rules (see the module docstring)."""

    change_pct: float = 30.0  # spend / order-count change that counts as falling or growing
    new_days: int = 90  # first order at most this many days ago -> exploration
    min_orders: int = 4  # fewer order days than this -> still forming
    decline_k: float = 1.5  # gap longer than usual: days since last order > decline_k x usual gap
    lost_k: float = 3.0  # lost: days since last order > lost_k x usual gap

    def check(self) -> Params:
        if not (0 < self.change_pct < 100):
            raise InputError("lifecycle.bad_param", name="change_pct", value=self.change_pct)
        if self.new_days < 0 or self.min_orders < 1:
            raise InputError("lifecycle.bad_param", name="new_days/min_orders",
                             value=f"{self.new_days}/{self.min_orders}")
        if not (0 < self.decline_k <= self.lost_k):
            raise InputError("lifecycle.bad_param", name="decline_k/lost_k", value=f"{self.decline_k}/{self.lost_k}")
        return self


@dataclass
class History:
    """Per-customer order history as of a date (one row per customer with an order by then).

    ``frame`` columns: customer_id, order_days, orders, first_day, last_day, median_gap (float,
    NaN with one order day), last_gap (Int64), orders_recent, orders_previous, revenue_recent,
    revenue_previous, profit_recent, profit_previous, revenue_12m, profit_12m (int64 money units,
    0 when the data lack the measure), revenue, profit (Int64 totals, NA when unknown), plus
    recency (days since the last order day) and tenure (days since the first order day).
    """

    frame: pd.DataFrame
    as_of: pd.Timestamp  # a date (midnight)
    period_days: int
    typical_gap: float  # median of the median gaps of repeat customers (period_days when none)
    has_revenue: bool
    has_profit: bool

    @property
    def spend_measure(self) -> str:
        """The measure of spend: revenue when the data have it, else profit."""
        return "revenue" if self.has_revenue or not self.has_profit else "profit"

    @property
    def value_measure(self) -> str:
        """The measure of value at risk: profit when the data have it, else revenue."""
        return "profit" if self.has_profit else "revenue"

    def usual_gap(self) -> pd.Series:
        """Own median gap, or the typical gap for customers with a single order day."""
        return self.frame["median_gap"].astype("float64").fillna(self.typical_gap)


def default_as_of(engine: Engine) -> pd.Timestamp:
    """The latest order date in the data (a date at midnight); raises when there are no dates."""
    first, last = engine.date_range()
    if last is None:
        raise InputError("lifecycle.no_dates")
    return pd.Timestamp(last).normalize()


def _as_date(as_of) -> pd.Timestamp:
    return pd.Timestamp(as_of).normalize()


def windows(as_of, period_days: int) -> dict:
    """SQL parameters of the windows ending on ``as_of`` (inclusive); each is [start, end)."""
    if int(period_days) < 1:
        raise InputError("lifecycle.bad_param", name="period_days", value=period_days)
    end = _as_date(as_of) + pd.Timedelta(days=1)
    p = pd.Timedelta(days=int(period_days))
    return {"end": end, "recent_start": end - p, "prev_start": end - 2 * p,
            "year_start": end - pd.DateOffset(months=12)}


def history(engine: Engine, as_of=None, period_days: int = DEFAULT_PERIOD_DAYS) -> History:
    """Per-customer order history as of ``as_of`` (default: the latest order date).

    Parameters
    ----------
    engine : Engine
        Holds the transaction table ``tx``.
    as_of : date-like, optional
        Orders after this day are ignored; recency and windows end on it (inclusive).
    period_days : int
        Length of the latest period and of the previous period compared with it.
    """
    if as_of is None:
        as_of = default_as_of(engine)
    elif engine.date_range()[1] is None:
        raise InputError("lifecycle.no_dates")
    as_of = _as_date(as_of)
    df = engine.query("lifecycle_history", windows(as_of, period_days))
    if len(df) == 0:
        raise InputError("lifecycle.no_orders_by", date=str(as_of.date()))
    for col in ("orders_recent", "orders_previous", "order_days", "orders"):
        df[col] = df[col].astype("int64")
    for col in ("revenue_recent", "revenue_previous", "profit_recent", "profit_previous", "revenue_12m",
                "profit_12m"):
        df[col] = df[col].fillna(0).astype("int64")
    for col in ("revenue", "profit"):  # NA when the data have no such column
        df[col] = df[col].astype("Int64")
    df["median_gap"] = df["median_gap"].astype("float64")
    df["last_gap"] = df["last_gap"].astype("Int64")
    df["first_day"] = pd.to_datetime(df["first_day"])
    df["last_day"] = pd.to_datetime(df["last_day"])
    df["recency"] = (as_of - df["last_day"]).dt.days.astype("int64")
    df["tenure"] = (as_of - df["first_day"]).dt.days.astype("int64")
    repeat = df.loc[df["order_days"] >= 2, "median_gap"]
    typical = float(np.median(repeat)) if len(repeat) else float(period_days)
    return History(frame=df.drop(columns=["revenue_rows", "profit_rows"]), as_of=as_of,
                   period_days=int(period_days), typical_gap=typical,
                   has_revenue=bool(df["revenue_rows"].sum() > 0), has_profit=bool(df["profit_rows"].sum() > 0))


def change(recent: pd.Series, previous: pd.Series) -> pd.Series:
    """Relative change ``recent / previous - 1`` (NaN when the previous period is 0)."""
    prev = previous.astype("float64")
    return (recent.astype("float64") / prev.where(prev != 0)) - 1


def stages(hist: History, params: Params | None = None) -> pd.DataFrame:
    """The lifecycle stage of every customer, with the reason and the figures behind it.

    Returns
    -------
    DataFrame
        customer_id, stage (a code of ``STAGES``), reason (a code of ``REASONS``), order_days,
        orders, first_day, last_day, recency, tenure, median_gap, last_gap, usual_gap,
        orders_recent, orders_previous, spend_recent, spend_previous, spend_change (fraction),
        orders_change (fraction).
    """
    p = (params or Params()).check()
    f = hist.frame
    spend = hist.spend_measure
    usual = hist.usual_gap()
    rec = f["recency"].astype("float64")
    x = p.change_pct / 100.0
    s_rec, s_prev = f[f"{spend}_recent"], f[f"{spend}_previous"]
    o_rec, o_prev = f["orders_recent"], f["orders_previous"]
    falling = (s_prev > 0) & (s_rec <= (1 - x) * s_prev) & (o_prev > 0) & (o_rec <= (1 - x) * o_prev)
    growing = (o_rec > o_prev) & (s_rec > 0) & (s_rec >= (1 + x) * s_prev)
    conditions = [
        rec > p.lost_k * usual,
        f["order_days"] == 1,
        f["tenure"] <= p.new_days,
        rec > p.decline_k * usual,
        falling,
        f["order_days"] < p.min_orders,
        growing,
    ]
    code = np.select([c.to_numpy(dtype=bool) for c in conditions], list(range(len(REASONS) - 1)),
                     default=len(REASONS) - 1)
    reason = np.asarray(REASONS, dtype=object)[code]
    stage = np.asarray([r.split(".")[0] for r in REASONS], dtype=object)[code]
    out = pd.DataFrame({
        "customer_id": f["customer_id"],
        "stage": pd.Series(stage, index=f.index, dtype=object),
        "reason": pd.Series(reason, index=f.index, dtype=object),
        "order_days": f["order_days"],
        "orders": f["orders"],
        "first_day": f["first_day"],
        "last_day": f["last_day"],
        "recency": f["recency"],
        "tenure": f["tenure"],
        "median_gap": f["median_gap"],
        "last_gap": f["last_gap"],
        "usual_gap": usual,
        "orders_recent": o_rec,
        "orders_previous": o_prev,
        "spend_recent": s_rec,
        "spend_previous": s_prev,
        "spend_change": change(s_rec, s_prev),
        "orders_change": change(o_rec, o_prev),
    })
    return out.reset_index(drop=True)


def stage_counts(stage_frame: pd.DataFrame) -> dict[str, int]:
    """Customers per stage, in lifecycle order (every stage present, 0 when empty)."""
    counts = stage_frame["stage"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STAGES}


def by_tier(stage_frame: pd.DataFrame, customer_tiers: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Customers per tier (rows, top tier first) and stage (columns, lifecycle order).

    ``customer_tiers`` has customer_id, tier (1 = top) and tier_name; customers without a tier
    (e.g. filtered out of the grading) or without a stage are left out.
    """
    m = stage_frame[["customer_id", "stage"]].merge(customer_tiers[["customer_id", "tier"]], on="customer_id")
    table = pd.crosstab(m["tier"], m["stage"])
    table = table.reindex(index=range(1, len(names) + 1), columns=list(STAGES), fill_value=0)
    table.index = list(names)
    table.columns = list(STAGES)
    return table.astype("int64")


def rule_rows(params: Params, period_days: int, typical_gap: float, lang: str) -> list[dict]:
    """The stage rules as text, one row per stage in rule order, with the parameters filled in."""
    p = params
    fill = {"lost_k": _num(p.lost_k), "decline_k": _num(p.decline_k), "new_days": p.new_days,
            "min_orders": p.min_orders, "change": _num(p.change_pct), "period": int(period_days),
            "typical": _num(round(typical_gap, 1))}
    order = ("lost", "exploration", "decline", "formation", "stability")
    return [{"stage": s, "name": t(f"lifecycle.stage.{s}", lang), "rule": t(f"lifecycle.rule.{s}", lang, **fill)}
            for s in order]


def _num(x) -> str:
    f = float(x)
    return str(int(f)) if f.is_integer() else f"{f:g}"


# ------------------------------------------------------------------------------------------
# relationship breadth

def period_label(p: int, grain: str) -> str:
    """``2024-03`` for a month number ``year*12 + month-1``; ``2024Q1`` for ``year*4 + quarter-1``."""
    if grain == "quarter":
        return f"{p // 4}Q{p % 4 + 1}"
    return f"{p // 12}-{p % 12 + 1:02d}"


def breadth(engine: Engine, as_of=None, grain: str = "month") -> pd.DataFrame:
    """New, retained, won-back and lost customers per calendar month or quarter up to ``as_of``.

    Returns
    -------
    DataFrame
        period (label), new, retained, won_back, lost, active (= new + retained + won_back);
        every period from the first to the one holding ``as_of``, 0 when nothing happened.
        In each period ``active(previous) = retained + lost``.
    """
    if grain not in GRAINS:
        raise InputError("lifecycle.bad_param", name="grain", value=grain)
    as_of = default_as_of(engine) if as_of is None else _as_date(as_of)
    end = as_of + pd.Timedelta(days=1)
    df = engine.query("lifecycle_breadth", {"end": end, "grain": grain})
    cols = list(BREADTH_KINDS)
    if len(df) == 0:
        return pd.DataFrame(columns=["period", *cols, "active"])
    df = df.astype({"p": "int64", **{c: "int64" for c in cols}}).set_index("p")
    full = df.reindex(range(int(df.index.min()), int(df.index.max()) + 1), fill_value=0)
    full["active"] = full["new"] + full["retained"] + full["won_back"]
    full.insert(0, "period", [period_label(int(p), grain) for p in full.index])
    return full.reset_index(drop=True)


def breadth_figure(df: pd.DataFrame, labels: dict) -> go.Figure:
    """Stacked bars per period: new, retained and won back up, lost down (a negative bar).

    ``labels``: new, retained, won_back, lost, title, y_title (user-facing words).
    """
    fig = go.Figure()
    for kind in BREADTH_KINDS:
        y = -df[kind] if kind == "lost" else df[kind]
        fig.add_trace(go.Bar(x=df["period"], y=y, name=labels[kind], marker_color=BREADTH_COLORS[kind],
                             customdata=df[kind], hovertemplate="%{x}<br>" + labels[kind] + ": %{customdata:,}"
                             + "<extra></extra>"))
    fig.update_layout(barmode="relative", title=labels.get("title"), height=400,
                      font={"family": FONT_FAMILY}, paper_bgcolor=TRANSPARENT, plot_bgcolor=TRANSPARENT,
                      legend={"orientation": "h", "y": -0.25, "traceorder": "normal"},
                      margin={"l": 50, "r": 20, "t": 50, "b": 40})
    fig.update_yaxes(title=labels.get("y_title"), gridcolor=GRID, zerolinecolor=NEUTRAL)
    fig.update_xaxes(type="category")
    return fig


def stage_figure(table: pd.DataFrame, labels: dict) -> go.Figure:
    """Horizontal 100% bars: the stage mix of each tier (rows of ``by_tier``), counts on hover.

    ``labels``: one per stage code, plus title, x_title and ``hover`` (a template with
    ``{stage}``, ``{n}`` and ``{share}`` placeholders filled by Plotly's customdata).
    """
    fig = go.Figure()
    tiers_top_first = [str(x) for x in table.index]
    totals = table.sum(axis=1).replace(0, np.nan)
    for s in STAGES:
        share = (table[s] / totals).fillna(0.0)
        fig.add_trace(go.Bar(y=tiers_top_first, x=share, name=labels[s], orientation="h",
                             marker_color=STAGE_COLORS[s], customdata=np.stack([table[s]], axis=-1),
                             hovertemplate="%{y} · " + labels[s] + ": %{customdata[0]:,} (%{x:.1%})<extra></extra>"))
    fig.update_layout(barmode="stack", title=labels.get("title"), height=140 + 46 * len(tiers_top_first),
                      font={"family": FONT_FAMILY}, paper_bgcolor=TRANSPARENT, plot_bgcolor=TRANSPARENT,
                      legend={"orientation": "h", "y": -0.3, "traceorder": "normal"},
                      margin={"l": 90, "r": 20, "t": 40 if labels.get("title") else 10, "b": 40})
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=labels.get("x_title"), gridcolor=GRID, tickformat=".0%", range=[0, 1])
    return fig
