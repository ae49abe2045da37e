"""The four kinds of old customers (老客户的四种类型) and the margin-rate / revenue quadrant.

Kinds (codes)
-------------
- ``profit`` 利润型: a high profit rate for the firm (margin rate at or above the margin threshold).
- ``volume`` 数量型: fills volume at a lower margin (margin rate below the threshold, revenue at or
  above the revenue threshold).
- ``relationship`` 关系型: a wide circle that refers others. The data schema has no referral field,
  so this kind comes from a manual tag (or a ``referrals`` column > 0 when a caller adds one).
- ``strategic`` 战略型: matters for the firm's long-term image and direction; a manual tag (or a
  truthy ``strategic`` column when a caller adds one).
- ``other``: below both thresholds (lower margin and smaller volume), or no margin rate at all
  (revenue of zero or less).

Precedence (one kind per customer): manual tags first — ``strategic`` before ``relationship`` —
then the ``strategic`` and ``referrals`` columns when present, then the quadrant: ``profit``
(high margin, whatever the revenue), ``volume`` (low margin, high revenue), ``other``.

Thresholds: ``margin_threshold`` is a fraction (0.2 = 20%), default the median margin rate of the
customers that have one; ``revenue_threshold`` is a money amount, default the revenue at the
top-20% boundary: with customers sorted by revenue, highest first, the revenue of customer
``k = max(1, floor(0.2 * n + 1/2))``. Both thresholds belong to the high side (``>=``), so equal
inputs always get the same kind.

Money in the input is in integer units of 1/``MONEY_SCALE``; in the results it is a float amount.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tierlib.charts import FONT_FAMILY, GRID, NEUTRAL, TRANSPARENT, fmt_share
from tierlib.io import InputError
from tierlib.schema import MONEY_SCALE

KINDS = ("strategic", "relationship", "profit", "volume", "other")  # precedence order
#: The order tables, metrics and the legend use (the domain brief's order, "other" last).
DISPLAY_ORDER = ("profit", "volume", "relationship", "strategic", "other")
TAGS = ("strategic", "relationship")
QUADRANTS = ("profit", "volume", "other")
DEFAULT_TOP_SHARE = 0.2
KIND_COLORS = {"profit": "#1a9850", "volume": "#4575b4", "relationship": "#f28e2b", "strategic": "#8e44ad",
               "other": "#9e9e9e"}
#: Above this many customers the quadrant chart uses WebGL points.
WEBGL_POINTS = 5_000
#: At most this many points are drawn; beyond it, an even sample (every k-th customer by revenue).
MAX_POINTS = 50_000


def margin_rates(customers: pd.DataFrame) -> pd.Series:
    """profit / revenue per customer (float); NaN when revenue <= 0 or either is missing."""
    rev = customers["revenue"].astype("Float64").astype("float64")
    prof = customers["profit"].astype("Float64").astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(rev > 0, prof / np.where(rev > 0, rev, 1.0), np.nan)
    return pd.Series(rate, index=customers.index, name="margin_rate")


def _check(customers: pd.DataFrame) -> None:
    if customers is None or len(customers) == 0:
        raise InputError("kinds.no_customers")
    if customers["revenue"].isna().all():
        raise InputError("kinds.no_revenue")
    if customers["profit"].isna().all():
        raise InputError("kinds.no_profit")


def default_margin_threshold(customers: pd.DataFrame) -> float:
    """The median margin rate of the customers that have one (NaN when none has)."""
    rates = margin_rates(customers).dropna()
    return float(np.median(rates)) if len(rates) else float("nan")


def revenue_at_top_share(customers: pd.DataFrame, share: float = DEFAULT_TOP_SHARE) -> float:
    """The revenue (amount) of customer ``k = max(1, floor(share * n + 1/2))`` by revenue, highest first.

    Customers with revenue at or above it form (at least, with ties) the top ``share``.
    """
    if not 0 < share <= 1:
        raise InputError("kinds.bad_share", share=share)
    rev = customers["revenue"].astype("Float64").astype("float64").dropna().to_numpy()
    if len(rev) == 0:
        raise InputError("kinds.no_revenue")
    k = max(1, math.floor(share * len(rev) + 0.5))
    return float(np.sort(rev)[::-1][k - 1]) / MONEY_SCALE


def top_share_of(customers: pd.DataFrame, revenue_threshold: float) -> float:
    """Share of customers with revenue at or above ``revenue_threshold`` (amount)."""
    rev = customers["revenue"].astype("Float64").astype("float64").to_numpy() / MONEY_SCALE
    return float(np.mean(rev >= revenue_threshold)) if len(rev) else float("nan")


def clean_tags(tags: dict | None) -> dict[str, list[str]]:
    """``{customer_id: [tags]}`` with known tags only, in ``TAGS`` order, empty entries dropped."""
    out: dict[str, list[str]] = {}
    for cid, vals in (tags or {}).items():
        if isinstance(vals, str):
            vals = [vals]
        keep = [t for t in TAGS if t in set(vals or [])]
        if keep:
            out[str(cid)] = keep
    return out


def classify(customers: pd.DataFrame, margin_threshold: float | None = None,
             revenue_threshold: float | None = None, tags: dict | None = None) -> pd.DataFrame:
    """The kind of every customer.

    Parameters
    ----------
    customers : DataFrame
        One row per customer (``Engine.customers``): customer_id, revenue and profit (integer
        money units); customer_name optional; optional ``strategic`` (truthy) and ``referrals``
        (number) columns.
    margin_threshold : float, optional
        Margin rate (fraction) from which a customer is profit-type. Default: the median.
    revenue_threshold : float, optional
        Revenue amount from which a lower-margin customer is volume-type. Default: the revenue at
        the top-20% boundary (``revenue_at_top_share``).
    tags : dict, optional
        Manual tags ``{customer_id: ["relationship", "strategic"]}``; unknown tags are ignored.

    Returns
    -------
    DataFrame
        customer_id, customer_name (when known), revenue, profit (amounts), margin_rate,
        quadrant (profit / volume / other, from the numbers only), tags (comma-joined, "" when
        none), kind (see the module docstring for the precedence). Input order.

    Raises
    ------
    InputError
        ``kinds.no_customers``, ``kinds.no_revenue``, ``kinds.no_profit``.
    """
    _check(customers)
    cust = customers.reset_index(drop=True)
    mt = default_margin_threshold(cust) if margin_threshold is None else float(margin_threshold)
    rt = revenue_at_top_share(cust) if revenue_threshold is None else float(revenue_threshold)
    rate = margin_rates(cust).to_numpy()
    revenue = cust["revenue"].astype("Float64").astype("float64").to_numpy() / MONEY_SCALE
    profit = cust["profit"].astype("Float64").astype("float64").to_numpy() / MONEY_SCALE
    has_rate = ~np.isnan(rate)
    high_margin = has_rate & (rate >= mt) if not math.isnan(mt) else np.zeros(len(cust), dtype=bool)
    high_revenue = has_rate & (revenue >= rt)
    quadrant = np.where(high_margin, "profit", np.where(high_revenue, "volume", "other")).astype(object)

    tg = clean_tags(tags)
    ids = cust["customer_id"].astype(str)
    kind = quadrant.copy()
    if "referrals" in cust:
        ref = pd.to_numeric(cust["referrals"], errors="coerce").fillna(0).to_numpy() > 0
        kind = np.where(ref, "relationship", kind)
    if "strategic" in cust:
        strat = cust["strategic"].map(_truthy).to_numpy(dtype=bool)
        kind = np.where(strat, "strategic", kind)
    has_rel = ids.isin([c for c, t in tg.items() if "relationship" in t]).to_numpy()
    has_strat = ids.isin([c for c, t in tg.items() if "strategic" in t]).to_numpy()
    kind = np.where(has_rel, "relationship", kind)
    kind = np.where(has_strat, "strategic", kind)
    tag_text = np.full(len(cust), "", dtype=object)
    tagged = np.flatnonzero(has_rel | has_strat)
    tag_text[tagged] = [",".join(tg[c]) for c in ids.to_numpy()[tagged]]

    out = pd.DataFrame({"customer_id": cust["customer_id"]})
    if "customer_name" in cust:
        out["customer_name"] = cust["customer_name"]
    out["revenue"] = revenue
    out["profit"] = profit
    out["margin_rate"] = rate
    out["quadrant"] = quadrant
    out["tags"] = tag_text
    out["kind"] = pd.Series(kind, dtype=object)
    out.attrs.update(margin_threshold=mt, revenue_threshold=rt)
    return out


def _truthy(v) -> bool:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return False
    if isinstance(v, str):
        return v.strip().lower() in {"1", "true", "yes", "y", "是", "x", "✓"}
    return bool(v)


def kind_summary(classified: pd.DataFrame) -> pd.DataFrame:
    """One row per kind (``DISPLAY_ORDER``, empty kinds included): kind, customers, share, revenue,
    profit, margin_rate (total profit / total revenue of the kind; NaN when revenue <= 0)."""
    g = classified.groupby("kind")
    df = pd.DataFrame({"customers": g.size(), "revenue": g["revenue"].sum(), "profit": g["profit"].sum()}) \
        .reindex(list(DISPLAY_ORDER))
    df["customers"] = df["customers"].fillna(0).astype("int64")
    df[["revenue", "profit"]] = df[["revenue", "profit"]].fillna(0.0)
    n = len(classified)
    df["share"] = df["customers"] / n if n else np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        df["margin_rate"] = np.where(df["revenue"] > 0, df["profit"] / df["revenue"].where(df["revenue"] > 0, 1),
                                     np.nan)
    df.index.name = "kind"
    return df.reset_index()[["kind", "customers", "share", "revenue", "profit", "margin_rate"]]


def kinds_frame(customers: pd.DataFrame, margin_threshold: float | None = None,
                revenue_threshold: float | None = None, tags: dict | None = None) -> pd.DataFrame:
    """For the CLI: customer_id, kind of every customer (see ``classify``)."""
    return classify(customers, margin_threshold, revenue_threshold, tags)[["customer_id", "kind"]].copy()


def quadrant_chart(classified: pd.DataFrame, margin_threshold: float, revenue_threshold: float, *,
                   names: dict, labels: dict, height: int = 480, max_points: int = MAX_POINTS) -> go.Figure:
    """Margin rate (y) against revenue (x, log scale), one point per customer, coloured by kind,
    with the two thresholds as dashed lines.

    Customers with revenue <= 0 (no margin rate) cannot sit on a log axis and are left out; the
    figure's ``layout.meta["left_out"]`` says how many. Above ``max_points`` customers an even
    sample along revenue is drawn; ``layout.meta["shown"]`` / ``["plotted"]`` give the counts.
    ``names``: kind -> display name.
    ``labels`` (all optional): ``title``, ``x_title``, ``y_title``; ``margin_line`` / ``revenue_line``
    (templates with ``{v}``: the formatted threshold); ``revenue`` / ``margin`` (hover names).
    """
    ok = classified["revenue"].to_numpy() > 0
    data = classified[ok]
    plotted = len(data)
    if len(data) > max_points:
        # An even sample along revenue keeps the shape of the cloud and every kind's spread.
        order = np.argsort(data["revenue"].to_numpy(), kind="stable")
        data = data.iloc[np.sort(order[np.linspace(0, len(order) - 1, max_points).round().astype("int64")])]
    big = len(data) > WEBGL_POINTS
    trace = go.Scattergl if big else go.Scatter
    fig = go.Figure()
    hover_name = data["customer_name"].fillna(data["customer_id"].astype(str)) \
        if "customer_name" in data else data["customer_id"].astype(str)
    for kind in DISPLAY_ORDER:
        sel = (data["kind"] == kind).to_numpy()
        if not sel.any():
            continue
        part = data[sel]
        fig.add_trace(trace(
            x=part["revenue"], y=part["margin_rate"], mode="markers", name=names.get(kind, kind),
            marker=dict(color=KIND_COLORS[kind], size=5 if big else 7, opacity=0.75, line=dict(width=0)),
            customdata=np.stack([hover_name[sel].astype(str).to_numpy(), part["customer_id"].astype(str)], axis=1),
            hovertemplate=(f"<b>%{{customdata[0]}}</b> (%{{customdata[1]}})<br>{labels.get('revenue', '')}: "
                           f"%{{x:,.2f}}<br>{labels.get('margin', '')}: %{{y:.1%}}<extra>%{{fullData.name}}</extra>"),
            meta={"kind": kind},
        ))
    line = dict(color=NEUTRAL, width=1.5, dash="dash")
    if math.isfinite(margin_threshold):
        fig.add_shape(type="line", xref="paper", x0=0, x1=1, y0=margin_threshold, y1=margin_threshold,
                      line=line, name="margin_threshold")
        fig.add_annotation(xref="paper", x=0, y=margin_threshold, xanchor="left", yanchor="bottom", showarrow=False,
                           text=labels.get("margin_line", "{v}").format(v=fmt_share(margin_threshold)),
                           font=dict(size=11), name="margin_threshold")
    if revenue_threshold > 0:
        # Shapes take data values on a log axis; annotations take log10 of them.
        fig.add_shape(type="line", yref="paper", y0=0, y1=1, x0=revenue_threshold, x1=revenue_threshold,
                      line=line, name="revenue_threshold")
        fig.add_annotation(yref="paper", y=1, x=math.log10(revenue_threshold), xanchor="left", yanchor="top",
                           showarrow=False, font=dict(size=11), name="revenue_threshold",
                           text=labels.get("revenue_line", "{v}").format(v=f"{revenue_threshold:,.0f}"))
    fig.update_layout(
        height=height, autosize=True, paper_bgcolor=TRANSPARENT, plot_bgcolor=TRANSPARENT,
        font=dict(family=FONT_FAMILY, color=NEUTRAL, size=12),
        hoverlabel=dict(font=dict(family=FONT_FAMILY), namelength=-1),
        margin=dict(l=8, r=8, t=36 if labels.get("title") else 8, b=8), title=dict(text=labels.get("title", "")),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="right", x=1),
        meta={"left_out": int((~ok).sum()), "shown": int(len(data)), "plotted": int(plotted)},
    )
    fig.update_xaxes(type="log", title=dict(text=labels.get("x_title", "")), gridcolor=GRID, zeroline=False,
                     automargin=True)
    fig.update_yaxes(title=dict(text=labels.get("y_title", "")), tickformat=".0%", gridcolor=GRID, zeroline=False,
                     automargin=True)
    return fig
