"""Plotly figure builders for the RFM page: data in, ``go.Figure`` out, nothing displayed.

Every user-facing word comes from the ``labels`` (and ``names``) the caller passes; this module
only formats numbers. It never imports streamlit.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tierlib.charts import FONT_FAMILY, NEUTRAL, TRANSPARENT, fmt_share, text_color_for

HEATMAP_SCALE = "YlGnBu"


def _layout(fig: go.Figure, height: int, title: str = "") -> None:
    fig.update_layout(
        height=height, autosize=True, paper_bgcolor=TRANSPARENT, plot_bgcolor=TRANSPARENT,
        font=dict(family=FONT_FAMILY, color=NEUTRAL, size=12),
        hoverlabel=dict(font=dict(family=FONT_FAMILY), namelength=-1),
        margin=dict(l=8, r=8, t=36 if title else 8, b=8), title=dict(text=title),
    )


def score_heatmap(counts: np.ndarray, mean_value: np.ndarray, *, labels: dict, height: int = 420) -> go.Figure:
    """A score grid coloured by the mean money value, with the customer count in each cell.

    ``counts``/``mean_value``: ``bins x bins`` arrays from ``rfm.score_grid``; row ``i`` is y
    score ``i + 1`` (drawn bottom to top, so the best score is at the top) and column ``j`` is
    x score ``j + 1``. Empty cells (count 0) are blank.

    ``labels`` (all optional): ``title``; ``x_title`` / ``y_title`` (axis titles, e.g.
    "Frequency score"); ``x_short`` / ``y_short`` (letters in the hover, default "F" / "R");
    ``colorbar`` (title of the colour bar, e.g. "Average monetary"); ``customers`` (the count's
    name in the hover); ``value`` (the mean's name in the hover).
    """
    counts = np.asarray(counts, dtype="int64")
    mean_value = np.asarray(mean_value, dtype="float64")
    b = counts.shape[0]
    if counts.shape != (b, b) or mean_value.shape != (b, b):
        raise ValueError("counts and mean_value must be square arrays of the same shape")
    z = np.where(counts > 0, mean_value, np.nan)
    text = np.where(counts > 0, np.vectorize(lambda n: f"{n:,}")(counts), "")
    scores = list(range(1, b + 1))
    xs, ys = labels.get("x_short", "F"), labels.get("y_short", "R")
    hover = (f"{ys} %{{y}} · {xs} %{{x}}<br>{labels.get('customers', '')}: %{{customdata:,}}"
             f"<br>{labels.get('value', '')}: %{{z:,.2f}}<extra></extra>")
    fig = go.Figure(go.Heatmap(
        x=scores, y=scores, z=z, text=text, texttemplate="%{text}", customdata=counts,
        colorscale=HEATMAP_SCALE, hovertemplate=hover, xgap=2, ygap=2, hoverongaps=False,
        colorbar=dict(title=dict(text=labels.get("colorbar", "")), thickness=12),
        meta={"role": "score_heatmap"},
    ))
    _layout(fig, height, labels.get("title", ""))
    axis = dict(tickmode="array", tickvals=scores, showgrid=False, zeroline=False, fixedrange=True,
                automargin=True)
    fig.update_xaxes(title=dict(text=labels.get("x_title", "")), **axis)
    fig.update_yaxes(title=dict(text=labels.get("y_title", "")), **axis)
    return fig


def segment_treemap(summary: pd.DataFrame, *, names: dict, colors: dict, labels: dict,
                    height: int = 420) -> go.Figure:
    """One tile per segment with customers, sized by the customer count.

    ``summary``: ``rfm.segment_summary`` (segment, customers, share, revenue, profit, ...);
    segments with no customer are left out. ``names``: code -> display name; ``colors``:
    code -> colour. ``labels`` (all optional): ``title``; ``customers`` / ``revenue`` /
    ``profit`` (names in the hover text); ``tile`` (the tile label template with ``{name}``,
    ``{n}`` (int) and ``{share}`` (formatted), default ``"{name}<br>{n:,} ({share})"``).
    """
    rows = summary[summary["customers"] > 0]
    tile = labels.get("tile", "{name}<br>{n:,} ({share})")
    ids, text, hover, fill, font = [], [], [], [], []
    for r in rows.itertuples(index=False):
        name = names.get(r.segment, str(r.segment))
        ids.append(str(r.segment))
        text.append(tile.format(name=name, n=int(r.customers), share=fmt_share(r.share)))
        money = []
        for key in ("revenue", "profit"):
            v = getattr(r, key)
            if v is not None and not (isinstance(v, float) and math.isnan(v)):
                money.append(f"{labels.get(key, key)}: {v:,.2f}")
        hover.append("<br>".join([f"<b>{name}</b>", f"{labels.get('customers', '')}: {int(r.customers):,} "
                                                    f"({fmt_share(r.share)})", *money]))
        color = colors.get(r.segment, NEUTRAL)
        fill.append(color)
        font.append(text_color_for(color))
    fig = go.Figure(go.Treemap(
        ids=ids, labels=text, parents=[""] * len(ids), values=[int(v) for v in rows["customers"]],
        marker=dict(colors=fill, line=dict(width=1, color="rgba(255,255,255,0.6)")),
        textfont=dict(color=font, family=FONT_FAMILY), hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>", textinfo="label", sort=False,
        tiling=dict(pad=2), meta={"role": "segment_treemap"},
    ))
    _layout(fig, height, labels.get("title", ""))
    fig.update_layout(margin=dict(l=2, r=2, t=36 if labels.get("title") else 2, b=2))
    return fig
