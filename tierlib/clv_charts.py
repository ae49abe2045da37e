"""Plotly figure builders for the CLV page: data in, ``go.Figure`` out, nothing displayed.

Every user-facing word comes from the ``labels`` dict the caller passes (Chinese or English); the
style (font stack with CJK faces, transparent background, neutral grey text) is the one of
``tierlib.charts``. Never imports streamlit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tierlib.charts import ACCENT, CURVE_COLOR, FONT_FAMILY, GRID, NEUTRAL, TRANSPARENT

HEIGHT = 360
ACTUAL_COLOR = CURVE_COLOR
PREDICTED_COLOR = ACCENT


def _layout(fig: go.Figure, labels: dict, height: int = HEIGHT, legend: bool = True) -> go.Figure:
    fig.update_layout(
        height=height, autosize=True, showlegend=legend,
        paper_bgcolor=TRANSPARENT, plot_bgcolor=TRANSPARENT,
        font=dict(family=FONT_FAMILY, color=NEUTRAL, size=12),
        hoverlabel=dict(font=dict(family=FONT_FAMILY), namelength=-1),
        # The title on top, the legend in one row just above the plot area, below the title.
        title=dict(text=labels.get("title", ""), y=0.985, yanchor="top", x=0.5, xanchor="center"),
        margin=dict(l=8, r=8, t=(40 if labels.get("title") else 8) + (26 if legend else 0), b=8),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="center", x=0.5),
        hovermode="x unified",
    )
    axis = dict(showgrid=True, gridcolor=GRID, zeroline=False, showline=False, ticks="", fixedrange=True,
                automargin=True)
    fig.update_xaxes(title=dict(text=labels.get("x_title", "")), **axis)
    fig.update_yaxes(title=dict(text=labels.get("y_title", "")), **axis)
    return fig


def tracking_figure(tracking: pd.DataFrame, *, labels: dict, cumulative: bool) -> go.Figure:
    """Actual vs predicted repeat purchases per holdout period (``clv.Holdout.tracking``).

    ``cumulative`` plots ``cum_actual``/``cum_predicted`` (lines), else ``actual``/``predicted``
    per period. The x axis is each period's last day. ``labels``: ``actual``, ``predicted``
    (trace names), ``title``, ``x_title``, ``y_title``.
    """
    a, p = ("cum_actual", "cum_predicted") if cumulative else ("actual", "predicted")
    x = pd.to_datetime(tracking["period_end"])
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=tracking[a], mode="lines+markers", name=labels.get("actual", ""),
                             line=dict(color=ACTUAL_COLOR, width=2.5), marker=dict(size=5),
                             hovertemplate="%{y:,.0f}", meta={"role": "actual"}))
    fig.add_trace(go.Scatter(x=x, y=tracking[p], mode="lines", name=labels.get("predicted", ""),
                             line=dict(color=PREDICTED_COLOR, width=2.5, dash="dash"),
                             hovertemplate="%{y:,.1f}", meta={"role": "predicted"}))
    _layout(fig, labels)
    fig.update_yaxes(rangemode="tozero", tickformat=",.0f")
    # Numeric dates: no month names, so a Chinese page shows no English words.
    fig.update_xaxes(tickformat="%Y-%m", hoverformat="%Y-%m-%d")
    return fig


def frequency_figure(by_frequency: pd.DataFrame, *, labels: dict) -> go.Figure:
    """Mean holdout purchases, actual vs predicted, by calibration repeat purchases x
    (``clv.Holdout.by_frequency``; the last bucket is "top or more"). ``labels``: ``actual``,
    ``predicted``, ``title``, ``x_title``, ``y_title``, ``top`` (tick text of the last bucket,
    with ``{x}``)."""
    xs = by_frequency["x"].to_numpy()
    ticks = [str(int(v)) for v in xs]
    if len(ticks):
        ticks[-1] = labels.get("top", "{x}+").format(x=int(xs[-1]))
    fig = go.Figure()
    fig.add_trace(go.Bar(x=ticks, y=by_frequency["actual"], name=labels.get("actual", ""),
                         marker=dict(color=ACTUAL_COLOR), hovertemplate="%{y:.2f}", meta={"role": "actual"}))
    fig.add_trace(go.Bar(x=ticks, y=by_frequency["predicted"], name=labels.get("predicted", ""),
                         marker=dict(color=PREDICTED_COLOR), hovertemplate="%{y:.2f}", meta={"role": "predicted"}))
    _layout(fig, labels)
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(type="category")
    return fig


def p_alive_figure(groups: list[tuple[str, np.ndarray]], *, colors: list[str] | None = None,
                   labels: dict) -> go.Figure:
    """P(alive) distribution per tier: one box per ``(tier name, values)``, top tier first.
    ``labels``: ``title``, ``x_title``, ``y_title``, ``mean`` (hover template with ``{v}``)."""
    fig = go.Figure()
    for i, (name, values) in enumerate(groups):
        color = colors[i % len(colors)] if colors else CURVE_COLOR
        fig.add_trace(go.Box(y=np.asarray(values, dtype="float64"), name=str(name), boxmean=True,
                             marker=dict(color=color), line=dict(color=color), boxpoints=False,
                             hoverinfo="y", meta={"role": "tier", "n": int(len(values))}))
    _layout(fig, labels, legend=False)
    fig.update_layout(hovermode="closest")
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
    return fig


def tier_value_figure(names: list[str], series: dict[str, np.ndarray], *, labels: dict) -> go.Figure:
    """Grouped bars per tier: one bar group per measure (``{label: values per tier}``), e.g. mean
    CLV, historical value and the retention formula. ``labels``: ``title``, ``x_title``, ``y_title``."""
    palette = [PREDICTED_COLOR, ACTUAL_COLOR, "#2ca02c", "#9467bd"]
    fig = go.Figure()
    for i, (label, values) in enumerate(series.items()):
        fig.add_trace(go.Bar(x=[str(n) for n in names], y=np.asarray(values, dtype="float64"), name=label,
                             marker=dict(color=palette[i % len(palette)]), hovertemplate="%{y:,.0f}",
                             meta={"role": "measure"}))
    _layout(fig, labels)
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(type="category")
    fig.update_yaxes(tickformat=",.0f")  # full numbers, no SI suffixes (M, k) on a Chinese page
    return fig
