"""Pure Plotly figure builders: data in, ``plotly.graph_objects.Figure`` out, nothing displayed.

The signature view is ``paired_pyramids``: the customer-count pyramid (narrow top, wide base)
beside the profit inverted pyramid (wide top, narrow or negative bottom). The band shapes encode
the tier's RANK only (stacked trapezoids of equal height), so that a 1% tier stays visible; the
real numbers are in the band labels and in the hover text.

``lorenz_curve`` and ``whale_curve`` plot cumulative shares for customers ranked best first;
``downsample_curve`` keeps them small (at most ~2,000 points) for any number of customers.

Every user-facing word comes from the ``labels`` templates the caller passes (Chinese or
English); this module only formats numbers. It never imports streamlit.
"""

from __future__ import annotations

import math
import re

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tierlib.i18n import fmt_compact

# A font stack with CJK faces so that Chinese renders in exported PNGs too.
FONT_FAMILY = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "Noto Sans", Arial, sans-serif'
# Mid grey text outside the bands: readable on light and on dark backgrounds.
NEUTRAL = "#808080"
GRID = "rgba(128, 128, 128, 0.25)"
TRANSPARENT = "rgba(0,0,0,0)"
LOSS_COLOR = "#d62728"
ACCENT = "#ff7f0e"
CURVE_COLOR = "#1f77b4"
HEIGHT = 420

# Pyramid geometry (data units of each subplot): x in [-1, 1], band i of T from y = T-i-1 to T-i.
MIN_HALF_WIDTH = 0.36  # half-width at the pyramid's narrow end (room for a two-line label)
BAND_GAP = 0.06  # vertical gap between bands

MINUS = "\u2212"
MAX_POINTS = 2000
PARETO_X = 0.2
_DEFAULT_CUSTOMERS = "{n:,} ({share})"
_DEFAULT_VALUE = "{v:,.2f} ({share})"


class _Dash:
    """Stands in for an unknown number: any format spec renders it as "-"."""

    def __format__(self, spec: str) -> str:
        return "-"

    def __str__(self) -> str:
        return "-"


DASH = _Dash()


def _finite(v) -> bool:
    return v is not None and isinstance(v, (int, float, np.integer, np.floating)) and math.isfinite(v)


def fmt_share(share) -> str:
    """A fraction as a percentage: 0.0123 -> "1.2%"; None/NaN -> "-"; tiny non-zero -> 2 decimals."""
    if not _finite(share):
        return "-"
    s = float(share)
    text = f"{s:.1%}"
    if s != 0 and text in ("0.0%", "-0.0%"):
        text = f"{s:.2%}"
    return text


def fmt_pct(share: float) -> str:
    """A cutoff as a short percentage: 0.2 -> "20%", 0.015 -> "1.5%"."""
    return f"{round(float(share) * 100, 4):g}%"


def _num_or_dash(v):
    return v if _finite(v) else DASH


def _label_amount(v: float, lang: str) -> str:
    """An amount short enough for a pyramid band: 2,621.67万 / 26.22M, whole units below 万 / K."""
    if v < (1e4 if lang == "zh" else 1e3):
        return f"{v:,.0f}"
    return fmt_compact(v, lang)


def _fill(template: str, **kw) -> str:
    return template.format(**kw)


def _parse_color(color: str) -> tuple[float, float, float] | None:
    """(r, g, b) in 0..255 from "#rgb", "#rrggbb(aa)" or "rgb(a)(...)"; None when unknown."""
    c = str(color).strip().lower()
    if c.startswith("#"):
        h = c[1:]
        if len(h) in (3, 4):
            h = "".join(ch * 2 for ch in h[:3])
        if len(h) >= 6:
            try:
                return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))
            except ValueError:
                return None
        return None
    m = re.match(r"rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)", c)
    if m:
        return tuple(float(g) for g in m.groups())
    return None


def text_color_for(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (WCAG relative luminance)."""
    rgb = _parse_color(fill)
    if rgb is None:
        return "#ffffff"

    def lin(v):
        v = v / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2])
    return "#111111" if lum > 0.36 else "#ffffff"


def _half_width(edge: int, n_tiers: int) -> float:
    """Half-width of the pyramid at band edge ``edge`` (0 = apex side, n_tiers = base)."""
    return MIN_HALF_WIDTH + (1 - MIN_HALF_WIDTH) * edge / n_tiers


def _band_polygon(i: int, n_tiers: int, inverted: bool) -> tuple[list[float], list[float]]:
    """Closed trapezoid of band ``i`` (0 = top tier): widths grow downward, or shrink if inverted."""
    top_edge, bottom_edge = (n_tiers - i, n_tiers - i - 1) if inverted else (i, i + 1)
    # y at the band's top/bottom edges, shrunk by half the gap on each side.
    y_top = n_tiers - i - BAND_GAP / 2
    y_bot = n_tiers - i - 1 + BAND_GAP / 2
    # Interpolate the slanted sides at the shrunk edges so the bands stay on one straight outline.
    w0, w1 = _half_width(top_edge, n_tiers), _half_width(bottom_edge, n_tiers)
    wt = w0 + (w1 - w0) * (BAND_GAP / 2)
    wb = w1 - (w1 - w0) * (BAND_GAP / 2)
    xs = [-wt, wt, wb, -wb, -wt]
    ys = [y_top, y_top, y_bot, y_bot, y_top]
    return xs, ys


def _base_layout(fig: go.Figure, height: int = HEIGHT) -> None:
    fig.update_layout(
        height=height,
        autosize=True,
        showlegend=False,
        paper_bgcolor=TRANSPARENT,
        plot_bgcolor=TRANSPARENT,
        font=dict(family=FONT_FAMILY, color=NEUTRAL, size=12),
        hoverlabel=dict(font=dict(family=FONT_FAMILY), namelength=-1),
    )


def paired_pyramids(tiers: list[dict], *, colors: list[str], labels: dict, value_label: str,
                    negative_note: str, lang: str = "en") -> go.Figure:
    """The customer-count pyramid (left) beside the profit inverted pyramid (right).

    ``tiers``: ``Grading.tiers``, top tier first (2-6 tiers; 0-customer tiers are drawn too).
    Each dict has ``name``, ``customers``, ``customer_share`` and ``profit``/``profit_share``
    (shares as fractions; None when unknown). When any tier's profit is None, the right side
    plots ``revenue``/``revenue_share`` instead; the caller says so through ``value_label``.

    ``colors``: one colour per tier ("#rrggbb" or "rgb(...)"), used for the band on both sides;
    band text is black or white to contrast with it. Extra colours are ignored; fewer is an error.

    ``value_label``: the name of the plotted value ("Profit", or e.g. "Revenue (profit unknown)"):
    the right subplot's title and the value's name in the hover text.

    ``negative_note``: appended (on its own line) to the label of a tier whose value is
    negative, e.g. "loss-making". Such a band is hatched and outlined in red.

    ``labels`` (templates filled with ``str.format``; every key optional unless noted):
        ``left_title``  title of the left subplot, e.g. "Customers" (default: no title)
        ``customers``   the left band label; ``{n}`` = customer count (int), ``{share}`` =
                        formatted share of customers ("1.2%", or "-" when unknown).
                        Default ``"{n:,} ({share})"``; e.g. ``"{n:,} customers ({share})"``.
        ``profit``      the right band label; ``{v}`` = the value (float, any format spec
                        works, e.g. ``{v:,.0f}`` -> "-1,234"), ``{abs}`` = its absolute value and
                        ``{sign}`` = "−" (U+2212) when negative else "" (for a currency prefix:
                        ``"{sign}¥{abs:,.0f}"`` -> "−¥1,234"), ``{share}`` = formatted share of
                        the total ("-" when the total is zero or unknown). An unknown value
                        renders as "-" whatever the spec. Default ``"{v:,.2f} ({share})"``.
        ``hover_customers``  the name of the customer count in the hover text, e.g. "Customers"
                        (default: ``left_title``).
    The tier name is shown in bold on the first line of each band label on both sides.
    """
    n_tiers = len(tiers)
    if n_tiers == 0:
        raise ValueError("paired_pyramids needs at least one tier")
    if len(colors) < n_tiers:
        raise ValueError(f"{len(colors)} colours for {n_tiers} tiers")
    use_revenue = any(t.get("profit") is None for t in tiers)
    v_key, s_key = ("revenue", "revenue_share") if use_revenue else ("profit", "profit_share")
    cust_tpl = labels.get("customers", _DEFAULT_CUSTOMERS)
    value_tpl = labels.get("profit", _DEFAULT_VALUE)
    hover_tpl = labels.get("hover_value", value_tpl)
    left_title = labels.get("left_title", "")
    hover_customers = labels.get("hover_customers", left_title)

    fig = make_subplots(
        rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
        subplot_titles=(left_title, value_label),
    )
    left_text, right_text, left_hover, right_hover, right_font = [], [], [], [], []
    left_font = []
    for i, tier in enumerate(tiers):
        color = colors[i]
        name = str(tier.get("name", ""))
        n = int(tier.get("customers") or 0)
        c_share = fmt_share(tier.get("customer_share"))
        value = tier.get(v_key)
        v_share = fmt_share(tier.get(s_key))
        cust_label = _fill(cust_tpl, n=n, share=c_share)
        negative = _finite(value) and value < 0
        fill = dict(v=_num_or_dash(value), abs=abs(value) if _finite(value) else DASH,
                    compact=_label_amount(abs(value), lang) if _finite(value) else DASH,
                    sign=MINUS if negative else "", share=v_share)
        value_label_text = _fill(value_tpl, **fill)
        value_hover_text = _fill(hover_tpl, **fill)

        xs, ys = _band_polygon(i, n_tiers, inverted=False)
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", fill="toself", fillcolor=color,
            line=dict(color=color, width=1), name=f"{name}: {cust_label}",
            hoveron="fills", meta={"side": "customers", "tier": i, "negative": False},
        ), row=1, col=1)

        xs, ys = _band_polygon(i, n_tiers, inverted=True)
        band = dict(
            x=xs, y=ys, mode="lines", fill="toself", fillcolor=color,
            line=dict(color=color, width=1), name=f"{name}: {value_label_text}",
            hoveron="fills", meta={"side": "value", "tier": i, "negative": bool(negative)},
        )
        if negative:
            # Honest about losses: hatched band, red dashed outline, the note in the label.
            band.update(
                fillpattern=dict(shape="/", fgcolor=LOSS_COLOR, bgcolor=color, size=8, solidity=0.3),
                line=dict(color=LOSS_COLOR, width=3, dash="dash"),
            )
        fig.add_trace(go.Scatter(**band), row=1, col=2)

        left_text.append(f"<b>{name}</b><br>{cust_label}")
        left_font.append(text_color_for(color))
        text = f"<b>{name}</b><br>{value_label_text}"
        if negative:
            text += f"<br>{negative_note}"
        right_text.append(text)
        right_font.append(text_color_for(color))
        detail = f"<b>{name}</b><br>{hover_customers}: {cust_label}<br>{value_label}: {value_hover_text}"
        if negative:
            detail += f"<br>{negative_note}"
        left_hover.append(detail)
        right_hover.append(detail)

    y_mid = [n_tiers - i - 0.5 for i in range(n_tiers)]
    for col, text, font, hover in ((1, left_text, left_font, left_hover),
                                   (2, right_text, right_font, right_hover)):
        fig.add_trace(go.Scatter(
            x=[0.0] * n_tiers, y=y_mid, mode="text", text=text, textposition="middle center",
            # The contrasting shadow keeps a label readable where it runs past a narrow band.
            textfont=dict(color=font, size=12, shadow="auto"), hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            meta={"side": "customers" if col == 1 else "value", "labels": True},
        ), row=1, col=col)

    _base_layout(fig)
    fig.update_layout(margin=dict(l=4, r=4, t=32, b=4))
    axis = dict(visible=False, showgrid=False, zeroline=False, showticklabels=False, fixedrange=True)
    fig.update_xaxes(range=[-1.02, 1.02], **axis)
    fig.update_yaxes(range=[0, n_tiers], **axis)
    fig.update_annotations(font=dict(size=14))  # the subplot titles
    return fig


def downsample_curve(x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS,
                     keep: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """At most ``max_points`` points of the curve (more only if ``keep`` alone is larger).

    Points are picked at equal steps of arc length (x and y each scaled to their range), so the
    steep head and the long flat tail of a ranked curve both keep their shape. The first and last
    points and every index in ``keep`` always survive; indices stay in input order, so a curve
    monotone in x stays monotone. O(n): a million points take a few milliseconds.
    """
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError("x and y must be 1-D arrays of the same length")
    n = len(x)
    if n <= max_points:
        return x.copy(), y.copy()
    forced = np.unique(np.asarray([0, n - 1, *(keep or [])], dtype="int64"))
    if forced.min() < 0 or forced.max() >= n:
        raise IndexError("keep index out of range")
    budget = max(max_points - len(forced), 2)
    xs, ys = np.nan_to_num(x), np.nan_to_num(y)
    sx = float(xs.max() - xs.min()) or 1.0
    sy = float(ys.max() - ys.min()) or 1.0
    step = np.hypot(np.diff(xs) / sx, np.diff(ys) / sy)
    arc = np.concatenate(([0.0], np.cumsum(step)))
    if arc[-1] > 0:
        picked = np.searchsorted(arc, np.linspace(0.0, arc[-1], budget))
    else:
        picked = np.linspace(0, n - 1, budget).round().astype("int64")
    idx = np.union1d(np.clip(picked, 0, n - 1), forced)
    if len(idx) > max_points and len(forced) < max_points:
        # Rare: duplicates made room for fewer; drop evenly spaced non-forced indices.
        free = np.setdiff1d(idx, forced)
        free = free[np.linspace(0, len(free) - 1, max_points - len(forced)).round().astype("int64")]
        idx = np.union1d(free, forced)
    return x[idx], y[idx]


def _with_origin(x, y) -> tuple[np.ndarray, np.ndarray]:
    """The curve as float arrays starting at (0, 0)."""
    x = np.asarray(x, dtype="float64").ravel()
    y = np.asarray(y, dtype="float64").ravel()
    if x.shape != y.shape:
        raise ValueError("the two cumulative arrays must have the same length")
    if len(x) == 0 or not (x[0] == 0 and y[0] == 0):
        x = np.concatenate(([0.0], x))
        y = np.concatenate(([0.0], y))
    return x, y


def nearest_index(x: np.ndarray, target: float) -> int:
    """Index of the point of ascending ``x`` nearest to ``target``; ties go to the larger x.

    With ``x = k/N`` and a cut ``c`` this is the boundary ``k = floor(N*c + 1/2)`` of the
    pyramid rule, so the value share read there matches the tier table.
    """
    i = int(np.searchsorted(x, target, side="left"))
    if i <= 0:
        return 0
    if i >= len(x):
        return len(x) - 1
    lo, hi = target - x[i - 1], x[i] - target
    return i - 1 if lo < hi - 1e-12 else i


def _curve_axes(fig: go.Figure, labels: dict, y_range=None) -> None:
    axis = dict(showgrid=True, gridcolor=GRID, zeroline=False, tickformat=".0%", showline=False,
                ticks="", fixedrange=True)
    fig.update_xaxes(title=dict(text=labels.get("x_title", "")), range=[0, 1.01], **axis)
    fig.update_yaxes(title=dict(text=labels.get("y_title", "")), **axis)
    if y_range is not None:
        fig.update_yaxes(range=y_range)


def lorenz_curve(cum_customer_share: np.ndarray, cum_value_share: np.ndarray, *,
                 cut_shares: list[float], labels: dict) -> go.Figure:
    """Cumulative share of value (y) against share of customers ranked best first (x).

    ``cum_customer_share``/``cum_value_share``: one point per customer in rank order, fractions
    (``Grading.graded()[["cum_customer_share", "cum_value_share"]]``); the curve is started at
    (0, 0). ``cut_shares``: the cutoffs as FRACTIONS of customers (``[c / 100 for c in cuts]``);
    each is drawn as a vertical line at that x, annotated with the cumulative value share at the
    nearest curve point (kept exactly by the downsampling). The 80/20 point (x = 0.2 and the
    interpolated y there) is marked. At most ~2,000 points are plotted.

    ``labels`` (all optional): ``title``; ``x_title``, ``y_title`` (axis titles); ``curve``
    (the curve's hover name); ``equality`` (the diagonal's hover name); ``cut`` — template with
    ``{x}`` (the cut, short: "5%") and ``{y}`` (value share, "67.8%"), default ``"{x}: {y}"``;
    ``pareto`` — the same placeholders for the 80/20 point, default ``"{x} → {y}"`` (e.g.
    "Top {x} of customers bring {y}"); merged into the cut's label when a cut sits at 20%.
    """
    cuts = [float(c) for c in cut_shares]
    if any(not (0 <= c <= 1) for c in cuts):
        raise ValueError(f"cut_shares must be fractions in 0..1, got {cut_shares!r}")
    x, y = _with_origin(cum_customer_share, cum_value_share)
    cut_idx = [nearest_index(x, c) for c in cuts]
    xd, yd = downsample_curve(x, y, keep=cut_idx)

    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=[0, 1], y=[0, 1], mode="lines", line=dict(color=NEUTRAL, width=1, dash="dot"),
        name=labels.get("equality", ""), hoverinfo="skip", meta={"role": "equality"},
    ))
    fig.add_trace(go.Scatter(
        x=xd, y=yd, mode="lines", line=dict(color=CURVE_COLOR, width=2.5),
        name=labels.get("curve", ""), hovertemplate="%{x:.1%} → %{y:.1%}<extra>%{fullData.name}</extra>",
        meta={"role": "curve"},
    ))

    cut_tpl = labels.get("cut", "{x}: {y}")
    pareto_tpl = labels.get("pareto", "{x} → {y}")
    pareto_y = float(np.interp(PARETO_X, x, y)) if len(x) > 1 else float("nan")
    pareto_text = _fill(pareto_tpl, x=fmt_pct(PARETO_X), y=fmt_share(pareto_y))
    pareto_merged = False
    for k, (c, i) in enumerate(zip(cuts, cut_idx)):
        fig.add_vline(x=c, line=dict(color=NEUTRAL, width=1, dash="dash"))
        text = _fill(cut_tpl, x=fmt_pct(c), y=fmt_share(y[i]))
        if abs(c - PARETO_X) < 1e-9:
            text += "<br>" + pareto_text  # the cut is the 80/20 point: one label, not two
            pareto_merged = True
        fig.add_annotation(
            x=x[i], y=y[i], text=text, showarrow=True, arrowhead=0, arrowcolor=NEUTRAL,
            ax=36, ay=18 + 14 * (k % 3), xanchor="left", align="left",
            name=f"cut{k}", font=dict(size=11),
        )
    if math.isfinite(pareto_y):
        fig.add_trace(go.Scatter(
            x=[PARETO_X], y=[pareto_y], mode="markers", marker=dict(color=ACCENT, size=9),
            name=pareto_text, hovertemplate="%{x:.0%} → %{y:.1%}<extra></extra>", meta={"role": "pareto"},
        ))
        if not pareto_merged:
            fig.add_annotation(
                x=PARETO_X, y=pareto_y, text=pareto_text, showarrow=True, arrowhead=0,
                arrowcolor=ACCENT, ax=40, ay=40, xanchor="left", align="left", name="pareto",
                font=dict(color=ACCENT),
            )
    _base_layout(fig)
    fig.update_layout(margin=dict(l=8, r=8, t=36 if labels.get("title") else 8, b=8),
                      title=dict(text=labels.get("title", "")), hovermode="closest")
    top = max(1.0, float(np.nanmax(yd))) if np.isfinite(yd).any() else 1.0
    _curve_axes(fig, labels, y_range=[min(0.0, float(np.nanmin(yd)) if np.isfinite(yd).any() else 0.0),
                                      top * 1.03])
    return fig


def whale_curve(cum_customer_share: np.ndarray, cum_profit_share: np.ndarray, *, labels: dict) -> go.Figure:
    """Cumulative profit as a share of total profit, customers ranked by profit (best first).

    With loss-making customers the curve peaks above 100% and falls back to 100% at the end;
    the peak (x, y) is marked and annotated, and a horizontal line sits at 100%. Inputs are
    fractions, one point per customer in rank order (the curve is started at (0, 0)); at most
    ~2,000 points are plotted, the peak kept exactly. NaN shares (zero total profit) leave the
    curve empty and unannotated.

    ``labels`` (all optional): ``title``; ``x_title``, ``y_title``; ``curve`` (hover name);
    ``peak`` — template with ``{x}``, ``{y}`` (formatted percentages), default ``"{y} @ {x}"``
    (e.g. "Peak: {y} of profit from the top {x} of customers"); ``total`` — text on the 100%
    line (default none).
    """
    x, y = _with_origin(cum_customer_share, cum_profit_share)
    finite = np.isfinite(y)
    # No peak when the input has no finite share (the prepended origin does not count).
    has_data = bool(np.isfinite(np.asarray(cum_profit_share, dtype="float64")).any())
    peak_i = int(np.argmax(np.where(finite, y, -np.inf))) if has_data else None
    xd, yd = downsample_curve(x, y, keep=[] if peak_i is None else [peak_i])

    fig = go.Figure()
    fig.add_hline(y=1.0, line=dict(color=NEUTRAL, width=1, dash="dash"),
                  annotation=dict(text=labels["total"], font=dict(size=11)) if labels.get("total") else None)
    fig.add_trace(go.Scatter(
        x=xd, y=yd, mode="lines", line=dict(color=CURVE_COLOR, width=2.5), name=labels.get("curve", ""),
        hovertemplate="%{x:.1%} → %{y:.1%}<extra>%{fullData.name}</extra>", meta={"role": "curve"},
    ))
    if peak_i is not None:
        px, py = float(x[peak_i]), float(y[peak_i])
        text = _fill(labels.get("peak", "{y} @ {x}"), x=fmt_share(px), y=fmt_share(py))
        fig.add_trace(go.Scatter(
            x=[px], y=[py], mode="markers", marker=dict(color=ACCENT, size=9), name=text,
            hovertemplate="%{x:.1%} → %{y:.1%}<extra></extra>", meta={"role": "peak"},
        ))
        fig.add_annotation(
            x=px, y=py, text=text, showarrow=True, arrowhead=0, arrowcolor=ACCENT,
            ax=30 if px < 0.6 else -30, ay=-28, xanchor="left" if px < 0.6 else "right",
            name="peak", font=dict(color=ACCENT),
        )
    _base_layout(fig)
    fig.update_layout(margin=dict(l=8, r=8, t=36 if labels.get("title") else 8, b=8),
                      title=dict(text=labels.get("title", "")), hovermode="closest")
    if np.isfinite(yd).any():
        lo, hi = min(0.0, float(np.nanmin(yd))), max(1.0, float(np.nanmax(yd)))
        pad = 0.08 * (hi - lo)
        _curve_axes(fig, labels, y_range=[lo - (pad if lo < 0 else 0), hi + pad])
    else:
        _curve_axes(fig, labels, y_range=[0, 1.1])
    return fig


def figure_png(fig: go.Figure, width: int = 1200) -> bytes:
    """PNG bytes of a figure, rendered by kaleido with the system Chromium (nothing downloaded)."""
    return fig.to_image(format="png", width=width, height=fig.layout.height or 500, scale=1)


def figure_html(fig: go.Figure) -> bytes:
    """A self-contained interactive HTML page of a figure (plotly.js inlined: works offline)."""
    return fig.to_html(include_plotlyjs=True, full_html=True, config={"displaylogo": False}).encode("utf-8")
