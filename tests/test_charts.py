"""Figure builders: test the figures' data and layout (not pixels)."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import plotly.graph_objects as go
import pytest

from tierlib import charts
from tierlib.charts import downsample_curve, lorenz_curve, nearest_index, paired_pyramids, whale_curve

COLORS = ["#1b3a6b", "#2e6cb5", "#7fb2e5", "#d9e8f5", "#999999", "#444444"]
LABELS = {
    "customers": "{n:,} customers ({share})",
    "profit": "{v:,.0f} ({share})",
    "left_title": "Customers",
}
LABELS_ZH = {"customers": "{n:,} 位客户 ({share})", "profit": "¥{v:,.0f} ({share})", "left_title": "客户数量"}
NOTE = "loss-making"


def make_tiers(customers, profits, names=None, revenues=None):
    """Tier dicts shaped like ``tiers.Grading.tiers`` (top tier first), built by hand."""
    names = names or [f"T{i + 1}" for i in range(len(customers))]
    revenues = revenues or [None] * len(customers)
    n = sum(customers)
    p_known = all(p is not None for p in profits)
    p_total = sum(profits) if p_known else None
    r_known = all(r is not None for r in revenues)
    r_total = sum(revenues) if r_known else None
    return [
        {
            "name": name,
            "customers": c,
            "customer_share": c / n if n else None,
            "profit": p,
            "profit_share": p / p_total if p_known and p_total else None,
            "revenue": r,
            "revenue_share": r / r_total if r_known and r_total else None,
        }
        for name, c, p, r in zip(names, customers, profits, revenues)
    ]


def build(tiers, labels=LABELS, value_label="Profit"):
    return paired_pyramids(tiers, colors=COLORS, labels=labels, value_label=value_label, negative_note=NOTE)


def bands(fig, side):
    """The filled polygons of one side ("customers" = left, "value" = right), top tier first."""
    out = [t for t in fig.data if t.fill == "toself" and t.meta["side"] == side]
    return sorted(out, key=lambda t: t.meta["tier"])


def label_trace(fig, side):
    (trace,) = [t for t in fig.data if t.mode == "text" and t.meta["side"] == side]
    return trace


def band_width(trace):
    """Mean of the band's top and bottom widths."""
    x, y = np.asarray(trace.x), np.asarray(trace.y)
    top, bottom = x[y == y.max()], x[y == y.min()]
    return ((top.max() - top.min()) + (bottom.max() - bottom.min())) / 2


def band_center_y(trace):
    return float(np.mean(trace.y[:4]))


FOUR = make_tiers([1, 2, 7, 40], [500, 970, 3080, 8200], names=["VIP", "Major", "Ordinary", "Small"])


# ---------------------------------------------------------------- paired pyramids


@pytest.mark.parametrize("n_tiers", [2, 3, 4, 5, 6])
def test_one_polygon_per_tier_on_each_side(n_tiers):
    customers = [1 + 3 * i for i in range(n_tiers)]
    profits = [1000 - 100 * i for i in range(n_tiers)]
    fig = build(make_tiers(customers, profits))
    assert isinstance(fig, go.Figure)
    assert len(bands(fig, "customers")) == n_tiers
    assert len(bands(fig, "value")) == n_tiers
    # Left subplot is x/y, right subplot is x2/y2.
    assert {t.xaxis for t in bands(fig, "customers")} == {"x"}
    assert {t.xaxis for t in bands(fig, "value")} == {"x2"}
    assert len(label_trace(fig, "customers").text) == n_tiers
    assert len(label_trace(fig, "value").text) == n_tiers
    fig.to_json()  # serialisable, i.e. valid for plotly.js


@pytest.mark.parametrize("n_tiers", [2, 4, 6])
def test_left_widens_downward_right_narrows_downward(n_tiers):
    fig = build(make_tiers([1] * n_tiers, [10] * n_tiers))
    left = [band_width(t) for t in bands(fig, "customers")]
    right = [band_width(t) for t in bands(fig, "value")]
    assert all(b > a for a, b in zip(left, left[1:]))
    assert all(b < a for a, b in zip(right, right[1:]))
    # Shapes encode rank only: equal data on every tier still gives a pyramid and an inverted one.
    assert left == pytest.approx(right[::-1])


def test_tier_one_at_top_and_bands_do_not_overlap():
    fig = build(FOUR)
    for side in ("customers", "value"):
        traces = bands(fig, side)
        centers = [band_center_y(t) for t in traces]
        assert centers == sorted(centers, reverse=True)
        for upper, lower in zip(traces, traces[1:]):
            assert min(upper.y) > max(lower.y)
        # Labels sit on their band.
        labels = label_trace(fig, side)
        assert list(labels.y) == pytest.approx(centers)


def test_narrowest_band_is_still_clearly_visible():
    # A 1% tier is not drawn 1% wide: the narrowest band keeps room for its label.
    fig = build(make_tiers([1, 99], [1, 99]))
    assert min(band_width(t) for t in fig.data if t.fill == "toself") > 0.6  # of an x range of ~2


def test_colors_per_tier_on_both_sides():
    fig = build(FOUR)
    for side in ("customers", "value"):
        assert [t.fillcolor for t in bands(fig, side)] == COLORS[:4]


def test_labels_show_the_real_numbers():
    fig = build(FOUR)
    left = label_trace(fig, "customers").text
    right = label_trace(fig, "value").text
    # 50 customers, 12,750 profit.
    assert "VIP" in left[0] and "1 customers (2.0%)" in left[0]
    assert "2 customers (4.0%)" in left[1]
    assert "7 customers (14.0%)" in left[2]
    assert "40 customers (80.0%)" in left[3]
    assert "VIP" in right[0] and "500 (3.9%)" in right[0]
    assert "970 (7.6%)" in right[1]
    assert "3,080 (24.2%)" in right[2]
    assert "8,200 (64.3%)" in right[3]
    # The same numbers are in the hover text.
    hover = label_trace(fig, "value").hovertext
    assert "40 customers (80.0%)" in hover[3] and "8,200 (64.3%)" in hover[3] and "Profit" in hover[3]
    # No tier is marked as a loss.
    assert not any(t.meta["negative"] for t in fig.data if t.fill == "toself")
    assert not any(NOTE in s for s in right)


def test_thousands_separator_and_tiny_shares():
    fig = build(make_tiers([3, 123_456], [1_234_567, 89]))
    left = label_trace(fig, "customers").text
    right = label_trace(fig, "value").text
    assert "123,456 customers" in left[1]
    assert "1,234,567 (100.0%)" in right[0]
    assert "89 (0.01%)" in right[1]  # not rounded away to "0.0%"


def test_titles_from_labels_and_value_label():
    fig = build(FOUR, value_label="Revenue (profit unknown)")
    titles = [a.text for a in fig.layout.annotations]
    assert "Customers" in titles and "Revenue (profit unknown)" in titles


def test_negative_tier_is_marked_and_labelled():
    tiers = make_tiers([1, 4, 15, 80], [5000, 3000, 2500, -1234])
    fig = build(tiers)
    right = bands(fig, "value")
    loss = right[3]
    assert loss.meta["negative"] is True
    assert loss.fillpattern.shape == "/"
    assert loss.line.color == charts.LOSS_COLOR and loss.line.dash == "dash"
    # The loss tier is still drawn (not hidden) with the tier colour under the hatch.
    assert loss.fillcolor == COLORS[3] and len(loss.x) == 5
    for other in right[:3]:
        assert other.meta["negative"] is False
        assert other.fillpattern.shape is None
        assert other.line.color == other.fillcolor
    text = label_trace(fig, "value").text[3]
    assert "-1,234 (-13.3%)" in text and NOTE in text
    assert NOTE in label_trace(fig, "value").hovertext[3]
    # The customer side of a loss tier is a normal band.
    assert bands(fig, "customers")[3].fillpattern.shape is None


def test_sign_placeholders_for_currency_prefix():
    labels = {**LABELS, "profit": "{sign}¥{abs:,.0f} ({share})"}
    fig = build(make_tiers([1, 9], [3000, -1000]), labels=labels)
    right = label_trace(fig, "value").text
    assert "¥3,000 (150.0%)" in right[0] and "−" not in right[0]
    assert "−¥1,000 (-50.0%)" in right[1]


def test_empty_tier_still_has_a_band():
    fig = build(make_tiers([0, 5, 0, 20], [0, 300, 0, 100]))
    assert len(bands(fig, "customers")) == 4 and len(bands(fig, "value")) == 4
    left = label_trace(fig, "customers").text
    right = label_trace(fig, "value").text
    assert "0 customers (0.0%)" in left[0] and "0 customers (0.0%)" in left[2]
    assert "0 (0.0%)" in right[0]
    assert band_width(bands(fig, "customers")[0]) > 0


def test_zero_total_profit_shows_dash_shares():
    fig = build(make_tiers([1, 3], [50, -50]))
    right = label_trace(fig, "value").text
    assert "50 (-)" in right[0]
    assert "-50 (-)" in right[1] and NOTE in right[1]


def test_all_profit_negative():
    fig = build(make_tiers([1, 3, 6], [-10, -20, -70]))
    right = bands(fig, "value")
    assert all(t.meta["negative"] for t in right)
    assert all(NOTE in s for s in label_trace(fig, "value").text)


def test_no_customers_at_all():
    fig = build(make_tiers([0, 0], [0, 0]))
    assert "0 customers (-)" in label_trace(fig, "customers").text[0]


def test_unknown_profit_falls_back_to_revenue():
    tiers = make_tiers([1, 9], [None, None], revenues=[900.0, 100.0])
    fig = build(tiers, value_label="Revenue")
    right = label_trace(fig, "value").text
    assert "900 (90.0%)" in right[0] and "100 (10.0%)" in right[1]
    assert "Revenue" in [a.text for a in fig.layout.annotations]


def test_unknown_value_renders_as_dash():
    fig = build(make_tiers([1, 9], [None, None]), value_label="Revenue")
    assert "- (-)" in label_trace(fig, "value").text[0]


def test_chinese_labels_and_no_hard_coded_words():
    fig = build(make_tiers([1, 4, 15, 80], [90, 50, 30, -5], names=["重要客户", "次要客户", "普通客户", "小客户"]),
                labels=LABELS_ZH, value_label="利润")
    left = label_trace(fig, "customers").text
    assert "重要客户" in left[0] and "1 位客户 (1.0%)" in left[0]
    assert "¥-5 (-3.0%)" in label_trace(fig, "value").text[3]
    # Empty templates: no English word may come from charts.py itself.
    fig = paired_pyramids(make_tiers([1, 9], [5, -1], names=["甲", "乙"]), colors=COLORS, labels={},
                          value_label="利润", negative_note="亏损")
    texts = [*label_trace(fig, "customers").text, *label_trace(fig, "value").text,
             *label_trace(fig, "value").hovertext, *(a.text for a in fig.layout.annotations),
             *(t.name for t in fig.data if t.name)]
    for s in texts:
        assert not re.search(r"[A-Za-z]{2,}", re.sub(r"<[^>]+>", "", s)), s


def test_text_contrasts_with_band_colour():
    fig = build(FOUR)
    fonts = label_trace(fig, "customers").textfont.color
    assert fonts[0] == "#ffffff"  # dark navy band
    assert fonts[3] == "#111111"  # pale band
    assert charts.text_color_for("rgb(250, 250, 250)") == "#111111"
    assert charts.text_color_for("#000") == "#ffffff"


def test_pyramid_layout():
    fig = build(FOUR)
    lay = fig.layout
    assert lay.height == 420 and lay.width is None and lay.autosize is True
    assert lay.showlegend is False
    assert lay.paper_bgcolor == lay.plot_bgcolor == "rgba(0,0,0,0)"
    for font in ("Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "sans-serif"):
        assert font in lay.font.family
    for axis in (lay.xaxis, lay.xaxis2, lay.yaxis, lay.yaxis2):
        assert axis.visible is False and axis.showgrid is False and axis.showticklabels is False
    assert lay.yaxis2.matches == "y"  # shared y
    assert tuple(lay.yaxis.range) == (0, 4)
    assert max(lay.margin.l, lay.margin.r, lay.margin.b) <= 10


def test_bad_input():
    with pytest.raises(ValueError):
        paired_pyramids(FOUR, colors=COLORS[:3], labels=LABELS, value_label="Profit", negative_note=NOTE)
    with pytest.raises(ValueError):
        paired_pyramids([], colors=COLORS, labels=LABELS, value_label="Profit", negative_note=NOTE)


# ---------------------------------------------------------------- downsampling


def pareto_curve(n, seed=0):
    rng = np.random.default_rng(seed)
    v = np.sort(rng.pareto(1.2, n))[::-1]
    return np.arange(1, n + 1) / n, np.cumsum(v) / v.sum()


def test_downsample_small_input_unchanged():
    x, y = np.array([0.0, 0.5, 1.0]), np.array([0.0, 0.8, 1.0])
    xd, yd = downsample_curve(x, y)
    assert list(xd) == list(x) and list(yd) == list(y)
    assert xd is not x


def test_downsample_caps_keeps_and_stays_monotone():
    x, y = pareto_curve(200_000)
    keep = [0, 5, 1_999, 10_000, 39_999, 150_000, 199_999]
    xd, yd = downsample_curve(x, y, max_points=2000, keep=keep)
    assert len(xd) == len(yd) <= 2000
    assert np.all(np.diff(xd) > 0)
    for i in keep:
        hit = np.flatnonzero(xd == x[i])
        assert len(hit) == 1 and yd[hit[0]] == y[i]
    assert (xd[0], yd[0]) == (x[0], y[0]) and (xd[-1], yd[-1]) == (x[-1], y[-1])


def test_downsample_keeps_the_shape():
    x, y = pareto_curve(300_000, seed=1)
    xd, yd = downsample_curve(x, y, max_points=2000)
    # Linear interpolation of the kept points stays close to the full curve, head included.
    assert np.max(np.abs(np.interp(x, xd, yd) - y)) < 0.01


def test_downsample_bad_input():
    with pytest.raises(ValueError):
        downsample_curve(np.zeros(3), np.zeros(4))
    with pytest.raises(IndexError):
        downsample_curve(np.arange(5000.0), np.arange(5000.0), keep=[5000])


# ---------------------------------------------------------------- Lorenz curve

LORENZ_LABELS = {"x_title": "Share of customers", "y_title": "Share of profit",
                 "cut": "{x}: {y}", "pareto": "Top {x} bring {y}"}


def curve_trace(fig):
    (trace,) = [t for t in fig.data if t.meta and t.meta.get("role") == "curve"]
    return trace


def vlines(fig):
    return [s for s in fig.layout.shapes if s.x0 == s.x1 and s.type == "line"]


def test_lorenz_hand_fixture():
    values = np.array([50, 30, 10, 5, 5])
    x = np.arange(1, 6) / 5
    y = np.cumsum(values) / values.sum()
    fig = lorenz_curve(x, y, cut_shares=[0.2, 0.6], labels=LORENZ_LABELS)
    curve = curve_trace(fig)
    assert (curve.x[0], curve.y[0]) == (0, 0)
    assert (curve.x[-1], curve.y[-1]) == (1, 1)
    assert len(curve.x) == 6
    assert sorted(s.x0 for s in vlines(fig)) == [0.2, 0.6]
    texts = [a.text for a in fig.layout.annotations]
    assert any("60%: 90.0%" in s for s in texts)
    # The cut at 20% is the 80/20 point: one merged label.
    assert any("20%: 50.0%" in s and "Top 20% bring 50.0%" in s for s in texts)
    (pareto,) = [t for t in fig.data if t.meta and t.meta.get("role") == "pareto"]
    assert (pareto.x[0], pareto.y[0]) == (0.2, 0.5)
    equality = [t for t in fig.data if t.meta and t.meta.get("role") == "equality"][0]
    assert list(equality.x) == [0, 1] and list(equality.y) == [0, 1]


def test_lorenz_pareto_point_interpolated_when_no_cut_there():
    x = np.array([0.25, 0.5, 0.75, 1.0])
    y = np.array([0.6, 0.8, 0.9, 1.0])
    fig = lorenz_curve(x, y, cut_shares=[0.5], labels=LORENZ_LABELS)
    (pareto,) = [t for t in fig.data if t.meta and t.meta.get("role") == "pareto"]
    assert pareto.y[0] == pytest.approx(0.48)  # 0.2/0.25 of the way to 0.6
    texts = [a.text for a in fig.layout.annotations]
    assert "Top 20% bring 48.0%" in texts
    assert any("50%: 80.0%" in s for s in texts)


def test_nearest_index_follows_the_pyramid_rounding():
    x = np.array([0.0, 0.25, 0.5, 0.75, 1.0])  # N = 4, with the origin prepended
    assert nearest_index(x, 0.375) == 2  # N*c = 1.5 rounds half up to k = 2
    assert nearest_index(x, 0.3) == 1
    assert nearest_index(x, 0.0) == 0 and nearest_index(x, 1.0) == 4
    n = 23_570
    xs = np.concatenate(([0.0], np.arange(1, n + 1) / n))
    assert nearest_index(xs, 0.05) == 1179  # the README's example: 1178.5 -> 1179


def test_lorenz_million_points_small_fast_and_exact_at_cuts():
    n = 1_000_000
    x, y = pareto_curve(n, seed=2)
    cuts = [0.01, 0.05, 0.2]
    fig = lorenz_curve(x, y, cut_shares=cuts, labels=LORENZ_LABELS)  # speed: bench/
    curve = curve_trace(fig)
    assert len(curve.x) <= 2100
    assert (curve.x[0], curve.y[0]) == (0, 0)
    assert curve.x[-1] == 1 and curve.y[-1] == pytest.approx(1)
    cx, cy = np.asarray(curve.x), np.asarray(curve.y)
    for c in cuts:
        k = int(np.floor(n * c + 0.5))
        hit = np.flatnonzero(cx == x[k - 1])
        assert len(hit) == 1 and cy[hit[0]] == y[k - 1]
    assert sorted(s.x0 for s in vlines(fig)) == cuts
    assert len(fig.to_json()) < 200_000


def test_lorenz_rejects_percentages():
    x, y = pareto_curve(100)
    with pytest.raises(ValueError):
        lorenz_curve(x, y, cut_shares=[1, 5, 20], labels={})


def test_lorenz_zero_total_does_not_fail():
    x = np.arange(1, 5) / 4
    y = np.full(4, np.nan)
    fig = lorenz_curve(x, y, cut_shares=[0.25], labels={})
    assert any(": -" in a.text for a in fig.layout.annotations)
    fig.to_json()


def test_lorenz_layout():
    x, y = pareto_curve(1000)
    fig = lorenz_curve(x, y, cut_shares=[0.05], labels=LORENZ_LABELS)
    lay = fig.layout
    assert lay.height == 420 and lay.showlegend is False
    assert lay.paper_bgcolor == lay.plot_bgcolor == "rgba(0,0,0,0)"
    assert "Noto Sans CJK SC" in lay.font.family
    assert lay.xaxis.title.text == "Share of customers" and lay.xaxis.tickformat == ".0%"


# ---------------------------------------------------------------- whale curve

WHALE_LABELS = {"x_title": "Share of customers", "y_title": "Cumulative profit", "peak": "Peak {y} at {x}"}


def test_whale_hand_fixture_with_loss_tail():
    profits = np.array([100, 50, -30])
    x = np.arange(1, 4) / 3
    y = np.cumsum(profits) / profits.sum()  # 100/120, 150/120, 120/120
    fig = whale_curve(x, y, labels=WHALE_LABELS)
    curve = curve_trace(fig)
    assert (curve.x[0], curve.y[0]) == (0, 0)
    assert curve.y[-1] == pytest.approx(1)
    (peak,) = [a for a in fig.layout.annotations if a.name == "peak"]
    assert peak.y == y.max() == pytest.approx(1.25)
    assert peak.x == pytest.approx(2 / 3)
    assert peak.text == "Peak 125.0% at 66.7%"
    hlines = [s for s in fig.layout.shapes if s.y0 == s.y1 == 1.0]
    assert len(hlines) == 1
    assert fig.layout.yaxis.range[1] > 1.25  # the peak is inside the plot


def test_whale_million_points():
    n = 1_000_000
    rng = np.random.default_rng(3)
    p = np.sort(rng.normal(10, 30, n))[::-1]
    x, y = np.arange(1, n + 1) / n, np.cumsum(p) / p.sum()
    fig = whale_curve(x, y, labels=WHALE_LABELS)  # a million points downsampled (speed: bench/)
    curve = curve_trace(fig)
    assert len(curve.x) <= 2100 and np.all(np.diff(curve.x) > 0)
    (peak,) = [a for a in fig.layout.annotations if a.name == "peak"]
    assert peak.y == y.max() and max(curve.y) == y.max()


def test_whale_without_losses_peaks_at_the_end():
    profits = np.array([60, 30, 10])
    y = np.cumsum(profits) / profits.sum()
    fig = whale_curve(np.arange(1, 4) / 3, y, labels={})
    (peak,) = [a for a in fig.layout.annotations if a.name == "peak"]
    assert (peak.x, peak.y) == (1, 1)


def test_whale_zero_total_has_no_peak():
    fig = whale_curve(np.arange(1, 4) / 3, np.full(3, np.nan), labels=WHALE_LABELS)
    assert not [a for a in fig.layout.annotations if a.name == "peak"]
    fig.to_json()


# ---------------------------------------------------------------- integration and hygiene


def test_with_a_real_grading():
    try:
        import pandas as pd

        from tierlib import tiers
        from tierlib.schema import MONEY_SCALE
    except ImportError as exc:  # another engineer's module not there yet
        pytest.skip(f"tierlib.tiers not importable: {exc}")
    df = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e"],
        "revenue": [1000, 800, 500, 300, 100],
        "profit": [100, 50, 20, -5, -30],
        "orders": [3, 2, 1, 1, 1],
    })
    df[["revenue", "profit"]] *= MONEY_SCALE
    g = tiers.grade(df, "profit", cuts=[20, 40, 60], names=["A", "B", "C", "D"])
    fig = build(g.tiers)
    assert len(bands(fig, "value")) == 4
    assert bands(fig, "value")[3].meta["negative"] is True
    assert "-35 (-25.9%)" in label_trace(fig, "value").text[3]
    graded = g.graded()
    x = graded["cum_customer_share"].to_numpy(dtype="float64")
    y = graded["cum_value_share"].to_numpy(dtype="float64")
    lorenz = lorenz_curve(x, y, cut_shares=[c / 100 for c in g.cuts], labels=LORENZ_LABELS)
    assert sorted(s.x0 for s in vlines(lorenz)) == [0.2, 0.4, 0.6]
    whale = whale_curve(x, y, labels=WHALE_LABELS)
    (peak,) = [a for a in whale.layout.annotations if a.name == "peak"]
    assert peak.y == pytest.approx(170 / 135) and peak.x == pytest.approx(0.6)


def test_charts_does_not_import_streamlit():
    code = "import sys, tierlib.charts; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_png_export_when_kaleido_is_installed(tmp_path):
    pytest.importorskip("kaleido")
    figs = [build(FOUR), lorenz_curve(*pareto_curve(1000), cut_shares=[0.05], labels=LORENZ_LABELS),
            whale_curve(np.arange(1, 4) / 3, np.array([100, 150, 120]) / 120, labels=WHALE_LABELS)]
    for i, fig in enumerate(figs):
        try:
            png = fig.to_image(format="png")
        except Exception as exc:  # kaleido needs a Chrome it may not find
            if "chrome" in str(exc).lower():
                pytest.skip(f"kaleido cannot render: {exc}")
            raise
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        (tmp_path / f"fig{i}.png").write_bytes(png)


def test_figure_exports_png_and_offline_html():
    from tierlib.charts import figure_html, figure_png
    fig = lorenz_curve(np.array([0.5, 1.0]), np.array([0.8, 1.0]), cut_shares=[0.5], labels={})
    from html.parser import HTMLParser

    class Scripts(HTMLParser):
        def __init__(self):
            super().__init__()
            self.srcs, self.links = [], []

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "script" and a.get("src"):
                self.srcs.append(a["src"])
            if tag == "link" and a.get("href"):
                self.links.append(a["href"])

    html = figure_html(fig).decode("utf-8")
    parser = Scripts()
    parser.feed(html)
    assert parser.srcs == [] and parser.links == []  # nothing is fetched: works offline
    assert "plotly.js v" in html  # the library is inlined
    png = figure_png(fig, width=400)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2_000
