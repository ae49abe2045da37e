"""Tier migration (等级迁移): how customers moved between tiers from one period to the next.

Two periods are compared, either the orders before and from a split date of one data set
(orders ON the split date belong to the later period), or two data sets (two files). Each period
is graded on its own with the same scheme, cuts, value and names, among the customers with at
least one order in it (an order is any row of the customer dated in the period, even one worth
0). A customer with no order in a period is in the extra state *inactive* there.

States are the tier names top first, then ``INACTIVE``. With ``T`` tiers:

* ``matrix[i][j]``: customers in state i in the earlier period and state j in the later one.
  Row sums are the earlier tier counts (the last row: customers new in the later period); column
  sums are the later tier counts (the last column: customers lost). ``matrix[T][T]`` is always 0:
  every customer counted has an order in one period at least.
* ``profit_matrix[i][j]``: the LATER-period profit of those customers (so the inactive column is
  0); ``profit_before_matrix[i][j]``: their EARLIER-period profit (the inactive row is 0);
  ``revenue_matrix[i][j]``: their later-period revenue. None when the period has no profit
  (revenue) data.

Upgrade candidates are customers of a tier below the top two in the later period whose later
value is at least ``near_pct`` % (default 80) of the lowest value in the next tier up, with
growth (later value minus earlier value, 0 when inactive before) above ``min_growth``
(default 0), and only when that lowest value is positive.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tierlib import schema, tiers
from tierlib.charts import FONT_FAMILY, TRANSPARENT
from tierlib.engine import Engine
from tierlib.io import InputError
from tierlib.schema import MONEY_SCALE, units_to_float

INACTIVE = "inactive"
NEAR_PCT = 80.0
MIN_GROWTH = 0.0
MOVES = ("up", "down", "same", "new", "lost")
INACTIVE_COLOR = "#b0b0b0"


@dataclass
class Migration:
    """The result of comparing two periods (see the module docstring)."""

    before: tiers.Grading
    after: tiers.Grading
    customers: pd.DataFrame
    matrix: np.ndarray
    profit_matrix: np.ndarray | None  # int64 money units, later period
    profit_before_matrix: np.ndarray | None  # int64 money units, earlier period
    revenue_matrix: np.ndarray | None  # int64 money units, later period
    periods: dict = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return list(self.after.names)

    @property
    def n_tiers(self) -> int:
        return len(self.names)

    @property
    def states(self) -> list[str]:
        """Tier names top first, then ``INACTIVE``."""
        return [*self.names, INACTIVE]

    @property
    def value(self) -> str:
        return self.after.value

    def moves(self, kind: str) -> pd.DataFrame:
        """Customers of one move kind: up, down, same, new (inactive -> tier), lost (tier -> inactive)."""
        if kind not in MOVES:
            raise ValueError(kind)
        return self.customers[self.customers["move"] == kind].reset_index(drop=True)

    def counts(self) -> dict[str, int]:
        c = self.customers["move"].value_counts()
        return {k: int(c.get(k, 0)) for k in MOVES}

    def candidates(self, near_pct: float = NEAR_PCT, min_growth: float = MIN_GROWTH) -> pd.DataFrame:
        """Upgrade candidates (see the module docstring), closest to the next tier first.

        Adds next_tier (index), next_tier_name, next_low (lowest later value in the next tier up),
        share_of_next (value_after / next_low) and gap_to_next (next_low - value_after).
        """
        low = tier_lows(self.after)
        c = self.customers
        active = c["after"] < self.n_tiers
        below_top_two = active & (c["after"] >= 2)
        df = c[below_top_two].copy()
        nxt = df["after"] - 1
        df["next_tier"] = nxt
        df["next_tier_name"] = [self.names[i] for i in nxt]
        df["next_low"] = [low[i] for i in nxt]
        ok = df["next_low"].notna() & (df["next_low"] > 0)
        df = df[ok]
        df["next_low"] = df["next_low"].astype("float64")
        df["share_of_next"] = df["value_after"] / df["next_low"]
        df["gap_to_next"] = df["next_low"] - df["value_after"]
        keep = (df["share_of_next"] >= near_pct / 100.0) & (df["growth"] > min_growth)
        df = df[keep]
        return df.sort_values(["share_of_next", "customer_id"], ascending=[False, True],
                              kind="stable").reset_index(drop=True)

    def summary(self, near_pct: float = NEAR_PCT, min_growth: float = MIN_GROWTH) -> dict:
        """A JSON-ready summary: states, matrix, profit matrices (amounts), counts, definitions."""
        def amounts(m):
            return None if m is None else [[units_to_float(int(v)) for v in row] for row in m]

        counts = self.counts()
        return {
            "states": self.states,
            "matrix": self.matrix.astype(int).tolist(),
            "profit_matrix": amounts(self.profit_matrix),
            "profit_before_matrix": amounts(self.profit_before_matrix),
            "revenue_matrix": amounts(self.revenue_matrix),
            "customers": int(self.matrix.sum()),
            "customers_before": self.matrix.sum(axis=1).astype(int).tolist(),
            "customers_after": self.matrix.sum(axis=0).astype(int).tolist(),
            "upgraded": counts["up"],
            "downgraded": counts["down"],
            "stayed": counts["same"],
            "new": counts["new"],
            "lost": counts["lost"],
            "upgrade_candidates": int(len(self.candidates(near_pct, min_growth))),
            "value": self.value,
            "scheme": self.after.scheme,
            "cuts": self.after.cuts,
            "names": self.names,
            "periods": self.periods,
            "definitions": {
                "matrix": "matrix[i][j] = customers in state i in the earlier period and state j in the later one",
                "profit_matrix": "profit_matrix[i][j] = those customers' profit in the LATER period",
                "profit_before_matrix": "profit_before_matrix[i][j] = those customers' profit in the EARLIER period",
                "revenue_matrix": "revenue_matrix[i][j] = those customers' revenue in the LATER period",
                "upgrade_candidates": f"later tier below the top two, later value >= {near_pct:g}% of the lowest "
                                      f"later value of the next tier up (when positive), growth > {min_growth:g}",
            },
        }


def tier_lows(g: tiers.Grading) -> list[float | None]:
    """The lowest tiering value in each tier (top first) as an amount; None for an empty tier."""
    vals = g.ranked.customers["value"].to_numpy()
    scale = MONEY_SCALE if g.value in tiers.MONEY_VALUES else 1
    edges = [0, *g.bounds, g.ranked.n]
    return [None if b <= a else float(vals[b - 1]) / scale for a, b in zip(edges, edges[1:])]


def _per_customer(g: tiers.Grading, suffix: str) -> pd.DataFrame:
    df = g.graded()
    scale = MONEY_SCALE if g.value in tiers.MONEY_VALUES else 1
    return pd.DataFrame({
        "customer_id": df["customer_id"].astype(str),
        f"name_{suffix}": df["customer_name"] if "customer_name" in df else None,
        suffix: (df["tier"] - 1).astype("int64"),
        f"value_{suffix}": df["value"].astype("float64") / scale,
        f"profit_{suffix}": df["profit"].astype("Int64"),
        f"revenue_{suffix}": df["revenue"].astype("Int64"),
    })


def _matrix(b: np.ndarray, a: np.ndarray, size: int, weights=None) -> np.ndarray:
    m = np.zeros((size, size), dtype="int64")
    np.add.at(m, (b, a), 1 if weights is None else weights)
    return m


def compare(before_customers: pd.DataFrame, after_customers: pd.DataFrame, value: str = "profit",
            cuts=tiers.DEFAULT_CUTS, names=None, scheme: str = "pyramid", lang: str = "zh",
            weights: dict | None = None, periods: dict | None = None) -> Migration:
    """Grade two per-customer tables with the same scheme and compare them.

    Parameters
    ----------
    before_customers, after_customers : DataFrame
        Per-customer tables (``Engine.customers``) of the earlier and the later period; each
        holds only customers with at least one order in its period.
    value, cuts, names, scheme, lang, weights
        As in ``tiers.grade``; the same for both periods.
    """
    if len(before_customers) == 0:
        raise InputError("migration.empty_before")
    if len(after_customers) == 0:
        raise InputError("migration.empty_after")
    gb = tiers.grade(before_customers, value=value, cuts=cuts, names=names, lang=lang, scheme=scheme,
                     weights=weights)
    ga = tiers.grade(after_customers, value=value, cuts=cuts, names=names or gb.names, lang=lang,
                     scheme=scheme, weights=weights)
    n_t = len(ga.names)
    if len(gb.names) != n_t:
        raise InputError("tiers.names_count", names=len(gb.names), tiers=n_t)
    pb, pa = _per_customer(gb, "before"), _per_customer(ga, "after")
    c = pb.merge(pa, on="customer_id", how="outer")
    c["before"] = c["before"].fillna(n_t).astype("int64")
    c["after"] = c["after"].fillna(n_t).astype("int64")
    c["customer_name"] = c["name_after"].where(c["name_after"].notna(), c["name_before"])
    c = c.drop(columns=["name_before", "name_after"])
    states = [*ga.names, INACTIVE]
    c["before_state"] = [states[i] for i in c["before"]]
    c["after_state"] = [states[i] for i in c["after"]]
    c["growth"] = c["value_after"].fillna(0) - c["value_before"].fillna(0)
    move = np.select(
        [c["before"] == n_t, c["after"] == n_t, c["after"] < c["before"], c["after"] > c["before"]],
        ["new", "lost", "up", "down"], default="same")
    c["move"] = pd.Series(move, index=c.index).astype(object)
    c = c.sort_values(["after", "value_after", "before", "value_before", "customer_id"],
                      ascending=[True, False, True, False, True], kind="stable").reset_index(drop=True)
    c = c[["customer_id", "customer_name", "before", "after", "before_state", "after_state", "move",
           "value_before", "value_after", "growth", "profit_before", "profit_after", "revenue_before",
           "revenue_after"]]
    b, a = c["before"].to_numpy(), c["after"].to_numpy()
    size = n_t + 1
    has_pa = not after_customers["profit"].isna().all()
    has_pb = not before_customers["profit"].isna().all()
    has_ra = not after_customers["revenue"].isna().all()
    return Migration(
        before=gb, after=ga, customers=c,
        matrix=_matrix(b, a, size),
        profit_matrix=_matrix(b, a, size, c["profit_after"].fillna(0).to_numpy(dtype="int64")) if has_pa else None,
        profit_before_matrix=(_matrix(b, a, size, c["profit_before"].fillna(0).to_numpy(dtype="int64"))
                              if has_pb else None),
        revenue_matrix=_matrix(b, a, size, c["revenue_after"].fillna(0).to_numpy(dtype="int64")) if has_ra else None,
        periods=dict(periods or {}),
    )


def _day(x) -> pd.Timestamp:
    return pd.Timestamp(x).normalize()


def default_split(engine: Engine) -> pd.Timestamp:
    """The first day of the month nearest the middle of the data's date range."""
    first, last = engine.date_range()
    if first is None:
        raise InputError("migration.no_dates")
    first, last = _day(first), _day(last)
    mid = first + (last - first) / 2
    start = mid.normalize().replace(day=1)
    nxt = start + pd.DateOffset(months=1)
    pick = nxt if (mid - start) > (nxt - mid) else start
    if not (first < pick <= last):
        pick = mid.normalize() if first < mid.normalize() <= last else last
    return pick


def split(engine: Engine, split_date, value: str = "profit", cuts=tiers.DEFAULT_CUTS, names=None,
          scheme: str = "pyramid", lang: str = "zh", weights: dict | None = None,
          start=None, end=None, dims: dict | None = None) -> Migration:
    """Compare the orders before ``split_date`` with the orders from it on (same data set).

    ``start`` (inclusive) and ``end`` (inclusive day) optionally bound the earlier and the later
    period; by default each runs to the edge of the data. Rows without an order date belong to
    no period. ``dims`` restricts both periods to the same dimension values, as the tiers page's
    filters do (``{"region": ["华东"], ...}``; keys are ``schema.DIMENSIONS``, other keys are ignored).
    """
    dim_filters = {k: list(v) for k, v in (dims or {}).items() if k in schema.DIMENSIONS and v}
    if engine.date_range()[0] is None:
        raise InputError("migration.no_dates")
    s = _day(split_date)
    date_from = None if start is None else _day(start)
    date_to = None if end is None else _day(end) + pd.Timedelta(days=1)
    if date_from is not None and date_from >= s:
        raise InputError("migration.bad_range", start=str(date_from.date()), split=str(s.date()))
    if date_to is not None and date_to <= s:
        raise InputError("migration.bad_range", start=str(s.date()), split=str((date_to - pd.Timedelta(days=1)).date()))
    before = engine.customers(filters={"date_from": date_from, "date_to": s, **dim_filters})
    after = engine.customers(filters={"date_from": s, "date_to": date_to, **dim_filters})
    if len(before) == 0:
        raise InputError("migration.no_orders_before", date=str(s.date()))
    if len(after) == 0:
        raise InputError("migration.no_orders_after", date=str(s.date()))
    periods = {
        "split": str(s.date()),
        "before": {"from": None if date_from is None else str(date_from.date()), "to_exclusive": str(s.date())},
        "after": {"from": str(s.date()),
                  "to_exclusive": None if date_to is None else str(date_to.date())},
    }
    if dim_filters:
        periods["dims"] = dim_filters
    return compare(before, after, value=value, cuts=cuts, names=names, scheme=scheme, lang=lang,
                   weights=weights, periods=periods)


# ------------------------------------------------------------------------------------------
# chart

def _rgba(color: str, alpha: float) -> str:
    """``#rrggbb``/``#rgb`` as ``rgba(r,g,b,alpha)``; grey for anything else."""
    h = str(color).strip().lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    try:
        r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        r = g = b = 128
    return f"rgba({r},{g},{b},{alpha})"


def _node_y(counts) -> list[float]:
    """Vertical centres (0 = top) that keep the states in order, top tier first, inactive last."""
    c = np.asarray(counts, dtype="float64")
    total = c.sum()
    if total <= 0:
        return [0.001 + 0.998 * (i + 0.5) / len(c) for i in range(len(c))]
    share = np.maximum(c / total, 0.05)  # room for the label of a thin node
    share = share / share.sum() * 0.9  # leave 10% of the height for the gaps between nodes
    gap = 0.1 / max(len(c) - 1, 1)
    out, top = [], 0.0
    for sh in share:
        out.append(min(max(top + sh / 2, 0.001), 0.999))
        top += sh + gap
    return out


def sankey_figure(m: Migration, labels: dict, colors: list[str] | None = None) -> go.Figure:
    """Sankey of customers from the earlier states (left) to the later states (right).

    ``labels``: ``states`` (display names of the T tiers + inactive), ``before`` and ``after``
    (templates with ``{name}``), ``hover`` (template with ``{a}``, ``{b}`` and ``{n}``), title.
    """
    n = len(m.states)
    colors = list(colors or [])[: n - 1]
    while len(colors) < n - 1:
        colors.append("#4c78a8")
    node_colors = [*colors, INACTIVE_COLOR]
    disp = labels["states"]
    node_labels = [labels["before"].format(name=s) for s in disp] + [labels["after"].format(name=s) for s in disp]
    src, dst, val, link_colors, hover = [], [], [], [], []
    for i in range(n):
        for j in range(n):
            v = int(m.matrix[i, j])
            if v == 0:
                continue
            src.append(i)
            dst.append(n + j)
            val.append(v)
            link_colors.append(_rgba(node_colors[i], 0.35))
            hover.append(labels["hover"].format(a=disp[i], b=disp[j], n=f"{v:,}"))
    fig = go.Figure(go.Sankey(
        arrangement="fixed",
        node={"label": node_labels, "color": node_colors + node_colors, "pad": 14, "thickness": 16,
              "line": {"width": 0}, "x": [0.001] * n + [0.999] * n,
              "y": _node_y(m.matrix.sum(axis=1)) + _node_y(m.matrix.sum(axis=0))},
        link={"source": src, "target": dst, "value": val, "color": link_colors, "customdata": hover,
              "hovertemplate": "%{customdata}<extra></extra>"},
    ))
    fig.update_layout(title=labels.get("title"), height=520, font={"family": FONT_FAMILY, "size": 13},
                      paper_bgcolor=TRANSPARENT, plot_bgcolor=TRANSPARENT,
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig
