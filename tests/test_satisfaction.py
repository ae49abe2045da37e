"""Importance-performance analysis: layout detection, scale, confidence intervals, quadrants
(ties on the crosshair), the satisfaction index, per-tier analysis, the chart and the sample
surveys. Every expected number is computed by hand in the comment beside it."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tierlib import satisfaction as sat
from tierlib.io import InputError

ROOT = Path(__file__).resolve().parents[1]
SURVEYS = ROOT / "sample_data" / "surveys"


def write_csv(path: Path, header: list[str], rows: list[list], encoding: str = "utf-8") -> Path:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


# A hand-made survey, 1-5 scale, two respondents r1, r2:
#   attribute  importance  satisfaction   means (imp, sat)
#   A          5, 5        2, 2           (5, 2)
#   B          4, 4        4, 4           (4, 4)
#   C          2, 2        2, 2           (2, 2)
#   D          1, 1        4, 4           (1, 4)
#   E          3, 3        3, 3           (3, 3)
# Grand means = mean of the attribute means: imp (5+4+2+1+3)/5 = 3, sat (2+4+2+4+3)/5 = 3.
# A: 5 >= 3, 2 < 3 -> improve; B: high/high -> keep; C: low/low -> low_priority;
# D: 1 < 3, 4 >= 3 -> nice_extra; E sits exactly on both lines and counts as high/high -> keep.
HAND = {"A": (5, 2), "B": (4, 4), "C": (2, 2), "D": (1, 4), "E": (3, 3)}
HAND_QUADRANTS = {"A": "improve", "B": "keep", "C": "low_priority", "D": "nice_extra", "E": "keep"}


def hand_long(tmp_path: Path) -> Path:
    rows = [[r, f"C{i}", a, imp, s] for i, r in enumerate(("r1", "r2"), start=1) for a, (imp, s) in HAND.items()]
    return write_csv(tmp_path / "long.csv", ["受访者", "客户编号", "评价项目", "重要性", "满意度"], rows)


def hand_wide(tmp_path: Path, english: bool = False) -> Path:
    if english:
        header = ["Respondent", "Customer ID"] + [f"{a} - {m}" for a in HAND for m in ("importance", "satisfaction")]
    else:
        header = ["受访者", "客户编号"] + [f"{a}_{m}" for a in HAND for m in ("重要性", "满意度")]
    rows = [[r, f"C{i}"] + [v for a in HAND for v in HAND[a]] for i, r in enumerate(("r1", "r2"), start=1)]
    return write_csv(tmp_path / ("wide_en.csv" if english else "wide.csv"), header, rows)


# ------------------------------------------------------------------------------------------
# Student t and confidence intervals

@pytest.mark.parametrize("df, expected", [
    (1, 12.706204736), (2, 4.302652730), (4, 2.776445105), (9, 2.262157163), (29, 2.045229642),
    (120, 1.979930405),
])
def test_t_quantile_matches_the_printed_tables(df, expected):
    # Two-sided 95% critical values from the standard t table.
    assert sat.t_quantile(0.975, df) == pytest.approx(expected, abs=1e-8)
    assert sat.t_quantile(0.025, df) == pytest.approx(-expected, abs=1e-8)


def test_t_cdf_is_symmetric_and_half_at_zero():
    assert sat.t_cdf(0.0, 3) == pytest.approx(0.5)
    # df = 1 is the Cauchy distribution: P(T <= 1) = 1/2 + atan(1)/pi = 0.75.
    assert sat.t_cdf(1.0, 1) == pytest.approx(0.75, abs=1e-12)
    assert sat.t_cdf(-1.0, 1) == pytest.approx(0.25, abs=1e-12)


def test_mean_ci_by_hand():
    # [2, 4, 6]: mean 4; deviations -2, 0, 2 -> s^2 = 8/2 = 4, s = 2; se = 2/sqrt(3) = 1.1547005;
    # t(0.975, 2) = 4.3026527 -> half width 4.9682754; CI 4 ± 4.9682754.
    ci = sat.mean_ci([2, 4, 6])
    assert ci["n"] == 3 and ci["mean"] == 4.0 and ci["sd"] == pytest.approx(2.0)
    assert ci["lo"] == pytest.approx(4 - 4.30265273 * 2 / math.sqrt(3), abs=1e-7)
    assert ci["hi"] == pytest.approx(8.9682754, abs=1e-6)
    # [3, 5]: mean 4, s = sqrt(2), se = sqrt(2)/sqrt(2) = 1; t(0.975, 1) = 12.7062047 -> 4 ± 12.7062047.
    ci = sat.mean_ci([3, 5, np.nan])
    assert ci["n"] == 2
    assert (ci["lo"], ci["hi"]) == (pytest.approx(-8.7062047, abs=1e-6), pytest.approx(16.7062047, abs=1e-6))


def test_mean_ci_needs_two_answers():
    assert sat.mean_ci([4]) == {"n": 1, "mean": 4.0, "sd": None, "lo": None, "hi": None}
    assert sat.mean_ci([np.nan]) == {"n": 0, "mean": None, "sd": None, "lo": None, "hi": None}


# ------------------------------------------------------------------------------------------
# Layout detection

@pytest.mark.parametrize("header, expected", [
    ("交货及时_重要性", ("交货及时", "importance")),
    ("交货及时满意度", ("交货及时", "satisfaction")),
    ("重要性_交货及时", ("交货及时", "importance")),
    ("交货及时（满意度）", ("交货及时", "satisfaction")),
    ("On-time delivery - importance", ("On-time delivery", "importance")),
    ("Importance: Price", ("Price", "importance")),
    ("Price (satisfaction)", ("Price", "satisfaction")),
    ("Fit - expected", ("Fit", "expected")),
    ("面料质量_感受值", ("面料质量", "perceived")),
    ("满意度", None),  # a bare measure belongs to the long form
    ("期望值", None),
    ("Satisfaction score", None),
    ("Deliveryimportance", None),  # a Latin measure word needs a separator
    ("Impact", None),
    ("客户编号", None),
])
def test_split_wide_header(header, expected):
    assert sat.split_wide_header(header) == expected


def test_detect_long_form_with_zh_and_en_headers():
    lay = sat.detect_layout(["问卷编号", "客户编号", "评价项目", "重要性", "满意度", "期望值", "感受值"])
    assert lay.form == "long"
    assert lay.roles == {"respondent": "问卷编号", "customer_id": "客户编号", "attribute": "评价项目",
                         "importance": "重要性", "satisfaction": "满意度", "expected": "期望值", "perceived": "感受值"}
    lay = sat.detect_layout(["Respondent ID", "Customer", "Attribute", "Importance", "Performance"])
    assert lay.form == "long"
    assert lay.roles == {"respondent": "Respondent ID", "customer_id": "Customer", "attribute": "Attribute",
                         "importance": "Importance", "satisfaction": "Performance"}


def test_detect_wide_form():
    lay = sat.detect_layout(["Response ID", "Customer ID", "Price - importance", "Price - satisfaction",
                             "Notes"])
    assert lay.form == "wide"
    assert lay.roles == {"respondent": "Response ID", "customer_id": "Customer ID"}
    assert lay.measures == {"Price - importance": ("Price", "importance"),
                            "Price - satisfaction": ("Price", "satisfaction")}
    assert lay.attributes() == ["Price"]


def test_detect_layout_errors_and_forced_form():
    with pytest.raises(InputError) as e:
        sat.detect_layout(["a", "b", "c"])
    assert e.value.code == "satisfaction.no_layout"
    with pytest.raises(InputError):
        sat.detect_layout(["评价项目", "重要性", "满意度"], form="wide")
    # an attribute with importance only is not enough for the wide form
    with pytest.raises(InputError):
        sat.detect_layout(["价格_重要性", "交期_满意度"], form="wide")


def test_check_layout_rejects_bad_overrides():
    cols = ["项目", "重要性", "满意度"]
    with pytest.raises(InputError) as e:
        sat.check_layout(sat.Layout("long", {"attribute": "项目", "importance": "重要性"}), cols)
    assert e.value.code == "satisfaction.missing_role"
    with pytest.raises(InputError) as e:
        sat.check_layout(sat.Layout("long", {"attribute": "项目", "importance": "重要性", "satisfaction": "重要性"}),
                         cols)
    assert e.value.code == "satisfaction.column_twice"
    with pytest.raises(InputError) as e:
        sat.check_layout(sat.Layout("long", {"attribute": "X", "importance": "重要性", "satisfaction": "满意度"}),
                         cols)
    assert e.value.code == "satisfaction.unknown_column"


# ------------------------------------------------------------------------------------------
# Quadrants on hand-made surveys, both forms

def _quadrants(an: sat.Analysis) -> dict:
    return dict(zip(an.table["attribute"], an.table["quadrant"]))


@pytest.mark.parametrize("form", ["long", "wide", "wide_en"])
def test_quadrants_of_the_hand_survey(tmp_path, form):
    path = hand_long(tmp_path) if form == "long" else hand_wide(tmp_path, english=form == "wide_en")
    sv = sat.read_survey(path)
    assert sv.layout.form == ("long" if form == "long" else "wide")
    assert sv.attributes == list(HAND)
    assert sv.respondents == 2
    assert sat.detect_scale(sv.data) == 5
    an = sat.analyze(sv.data, 5, "mean")
    assert (an.x_importance, an.y_satisfaction) == (3.0, 3.0)
    assert _quadrants(an) == HAND_QUADRANTS
    a = an.table.set_index("attribute").loc["A"]
    # Both answers equal: s = 0, so the interval collapses onto the mean.
    assert (a["importance"], a["importance_lo"], a["importance_hi"]) == (5.0, 5.0, 5.0)
    assert a["gap"] == -3.0  # 2 - 5
    assert an.in_quadrant("keep") == ["B", "E"]  # most important first: B (4) before E (3)


def test_tie_rule_with_the_scale_midpoint(tmp_path):
    # Midpoint of 1-5 = 3 on both axes. G: imp (3+3)/2 = 3 (on the line -> high), sat (2+3)/2 = 2.5
    # -> improve. H: imp 2 -> low, sat (3+3)/2 = 3 on the line -> high -> nice_extra.
    rows = [["r1", "G", 3, 2], ["r2", "G", 3, 3], ["r1", "H", 2, 3], ["r2", "H", 2, 3]]
    path = write_csv(tmp_path / "t.csv", ["respondent", "item", "importance", "satisfaction"], rows)
    an = sat.analyze(sat.read_survey(path).data, 5, "midpoint")
    assert (an.x_importance, an.y_satisfaction) == (3.0, 3.0)
    assert _quadrants(an) == {"G": "improve", "H": "nice_extra"}


def test_tie_rule_survives_floating_point_noise():
    # The grand mean of 3.1, 3.2, 3.3 is 3.2000000000000006 in floating point, just above 3.2;
    # the attribute at 3.2 still counts as on the line, hence high.
    cross = float(np.mean([3.1, 3.2, 3.3]))
    assert cross > 3.2
    assert sat.is_high(3.2, cross)
    assert sat.quadrant(3.2, 3.2, cross, cross) == "keep"
    assert sat.quadrant(3.1, 3.2, cross, cross) == "nice_extra"
    assert sat.quadrant(3.2, 3.1, cross, cross) == "improve"
    assert sat.quadrant(None, 3.0, cross, cross) is None


def test_tie_rule_on_a_survey_with_decimal_means(tmp_path):
    # Ten respondents; satisfaction of P = 3 x9 + 4 -> 31/10 = 3.1, Q = 3 x8 + 4 x2 -> 3.2,
    # R = 3 x7 + 4 x3 -> 3.3; importance 4 everywhere. Grand mean sat = 3.2000000000000006.
    # Q sits on the line: high -> keep; P: improve; R: keep.
    rows = []
    for i in range(10):
        for attr, fours in (("P", 1), ("Q", 2), ("R", 3)):
            rows.append([f"r{i}", attr, 4, 4 if i < fours else 3])
    path = write_csv(tmp_path / "dec.csv", ["respondent", "attribute", "importance", "satisfaction"], rows)
    an = sat.analyze(sat.read_survey(path).data, 5)
    assert list(an.table["satisfaction"]) == [3.1, 3.2, 3.3]
    assert _quadrants(an) == {"P": "improve", "Q": "keep", "R": "keep"}


def test_confidence_intervals_in_the_attribute_table(tmp_path):
    # Attribute X: importance 2, 4, 6 (the 6 makes it a 1-7 scale): mean 4, CI 4 ± 4.9682754
    # (see test_mean_ci_by_hand). Satisfaction 5 from a single answer (two blanks): no CI.
    rows = [["r1", "X", 2, 5], ["r2", "X", 4, None], ["r3", "X", 6, None]]
    path = write_csv(tmp_path / "ci.csv", ["respondent", "attribute", "importance", "satisfaction"], rows)
    sv = sat.read_survey(path)
    assert sat.detect_scale(sv.data) == 7
    row = sat.analyze(sv.data, 7).table.iloc[0]
    assert row["importance_n"] == 3 and row["importance"] == 4.0
    assert row["importance_lo"] == pytest.approx(-0.9682754, abs=1e-6)
    assert row["satisfaction_n"] == 1 and row["satisfaction"] == 5.0
    assert math.isnan(row["satisfaction_lo"]) and math.isnan(row["satisfaction_hi"])
    assert row["respondents"] == 3


# ------------------------------------------------------------------------------------------
# Scale

@pytest.mark.parametrize("top, scale", [(5, 5), (4.5, 5), (6, 7), (7, 7), (8, 10), (10, 10)])
def test_detect_scale(top, scale):
    data = pd.DataFrame({"importance": [1.0, top], "satisfaction": [2.0, np.nan],
                         "expected": [np.nan, np.nan], "perceived": [np.nan, np.nan]})
    assert sat.detect_scale(data) == scale


def test_detect_scale_refuses_beyond_ten():
    data = pd.DataFrame({"importance": [1.0, 11.0], "satisfaction": [2.0, 3.0]})
    with pytest.raises(InputError) as e:
        sat.detect_scale(data)
    assert e.value.code == "satisfaction.scale_unknown" and e.value.params == {"max": "11"}


def test_ratings_outside_the_scale_are_dropped_not_clipped(tmp_path):
    # On a forced 1-5 scale, the 7 and the 0 are dropped: importance of A = mean(5, 3) = 4.
    rows = [["r1", "A", 5, 4], ["r2", "A", 3, 0], ["r3", "A", 7, 4]]
    path = write_csv(tmp_path / "o.csv", ["respondent", "attribute", "importance", "satisfaction"], rows)
    sv = sat.read_survey(path)
    _, dropped = sat.in_scale(sv.data, 5)
    assert dropped == {"importance": 1, "satisfaction": 1, "expected": 0, "perceived": 0}
    row = sat.analyze(sv.data, 5).table.iloc[0]
    assert row["importance"] == 4.0 and row["satisfaction"] == 4.0  # sat: mean(4, 4)


def test_non_numeric_cells_are_counted(tmp_path):
    rows = [["r1", "A", "很重要", 4], ["r2", "A", 4, "n/a"], ["r3", "A", "５", 3]]
    path = write_csv(tmp_path / "b.csv", ["respondent", "attribute", "importance", "satisfaction"], rows)
    sv = sat.read_survey(path)
    assert sv.bad_cells == 1  # "很重要"; "n/a" is a missing marker; full-width "５" is 5
    assert list(sv.data["importance"].dropna()) == [4.0, 5.0]


# ------------------------------------------------------------------------------------------
# Satisfaction index

def test_satisfaction_index_by_hand(tmp_path):
    # X: perceived 4, 3 / expected 5, 5 -> 3.5 / 5 = 0.7.
    # Y: perceived 5, (blank) / expected 4, 4 -> only the first pair counts: 5 / 4 = 1.25.
    # Overall over the three pairs: perceived (4+3+5)/3 = 4, expected (5+5+4)/3 = 14/3 -> 12/14.
    rows = [["r1", "X", 4, 4, 5, 4], ["r2", "X", 4, 4, 5, 3], ["r1", "Y", 3, 3, 4, 5], ["r2", "Y", 3, 3, 4, None]]
    path = write_csv(tmp_path / "i.csv", ["受访者", "评价项目", "重要性", "满意度", "期望值", "感受值"], rows)
    sv = sat.read_survey(path)
    assert sv.has_index
    an = sat.analyze(sv.data, 5)
    idx = an.table.set_index("attribute")["index"]
    assert idx["X"] == pytest.approx(0.7)
    assert idx["Y"] == pytest.approx(1.25)
    assert an.index["n"] == 3
    assert an.index["index"] == pytest.approx(12 / 14)
    assert an.table.set_index("attribute").loc["Y", "index_n"] == 1


def test_ratio_index_undefined_cases():
    assert sat.ratio_index([np.nan], [3.0])["index"] is None
    assert sat.ratio_index([2.0], [0.0]) == {"n": 1, "perceived": 2.0, "expected": 0.0, "index": None}


def test_survey_without_expected_values_has_no_index(tmp_path):
    sv = sat.read_survey(hand_long(tmp_path))
    assert not sv.has_index
    assert sat.analyze(sv.data, 5).index["index"] is None


# ------------------------------------------------------------------------------------------
# Per tier

def test_analysis_by_tier(tmp_path):
    # Respondents: r1 -> C1 (tier 1), r2 -> C2 (tier 2), r3 -> C9 (not a loaded customer),
    # r4 -> no id. Attributes K and L, 1-5 scale.
    #   tier 1 (r1): K (5, 2), L (3, 4) -> grand means imp 4, sat 3 -> K improve, L nice_extra
    #   tier 2 (r2): K (2, 5), L (4, 1) -> grand means imp 3, sat 3 -> K nice_extra, L improve
    rows = [["r1", "C1", "K", 5, 2], ["r1", "C1", "L", 3, 4], ["r2", "C2", "K", 2, 5], ["r2", "C2", "L", 4, 1],
            ["r3", "C9", "K", 1, 1], ["r4", "", "K", 1, 1]]
    path = write_csv(tmp_path / "t.csv", ["受访者", "客户编号", "评价项目", "重要性", "满意度"], rows)
    sv = sat.read_survey(path)
    tiers = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "tier": [1, 2, 2], "tier_name": ["VIP", "Rest", "Rest"]})
    ta = sat.analyze_by_tier(sv.data, tiers, 5)
    assert (ta.matched_respondents, ta.unmatched_respondents, ta.without_id) == (2, 1, 1)
    assert [(t["tier"], t["tier_name"], t["respondents"]) for t in ta.tiers] == [(1, "VIP", 1), (2, "Rest", 1)]
    assert ta.tiers[0]["analysis"].in_quadrant("improve") == ["K"]
    assert ta.tiers[1]["analysis"].in_quadrant("improve") == ["L"]
    m = ta.quadrant_matrix()
    assert m.to_dict("list") == {"attribute": ["K", "L"], "VIP": ["improve", "nice_extra"],
                                 "Rest": ["nice_extra", "improve"]}


def test_numeric_customer_ids_from_excel_match_text_ids(tmp_path):
    # Excel stores 10001 as a float; parse_text turns it into "10001".
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Customer ID", "Price - importance", "Price - satisfaction"])
    ws.append([10001, 5, 2])
    ws.append([10002, 4, 4])
    wb.save(tmp_path / "s.xlsx")
    sv = sat.read_survey(tmp_path / "s.xlsx")
    assert list(sv.data["customer_id"]) == ["10001", "10002"]
    tiers = pd.DataFrame({"customer_id": ["10001", "10002"], "tier": [1, 2], "tier_name": ["A", "B"]})
    assert sat.analyze_by_tier(sv.data, tiers, 5).matched_respondents == 2


# ------------------------------------------------------------------------------------------
# Encodings and title rows (read through tierlib.io.read_table)

def test_gbk_long_survey_with_a_title_row(tmp_path):
    text = "2024年客户满意度调查\n受访者,评价项目,重要性,满意度\nr1,交货及时,5,2\nr2,交货及时,4,3\n"
    (tmp_path / "gbk.csv").write_bytes(text.encode("gbk"))
    sv = sat.read_survey(tmp_path / "gbk.csv")
    assert sv.attributes == ["交货及时"]
    row = sat.analyze(sv.data, 5).table.iloc[0]
    assert (row["importance"], row["satisfaction"]) == (4.5, 2.5)


# ------------------------------------------------------------------------------------------
# Chart

def test_quadrant_figure(tmp_path):
    an = sat.analyze(sat.read_survey(hand_long(tmp_path)).data, 5)
    labels = {"x": "Satisfaction", "y": "Importance",
              "quadrants": {"improve": "Improve urgently", "keep": "Keep it up", "low_priority": "Low priority",
                            "nice_extra": "Nice extra"}, "hover": "{attribute} {imp} {sat_ci}", "no_ci": "n/a"}
    fig = sat.quadrant_figure(an, labels)
    names = [t.name for t in fig.data]
    assert names == ["Improve urgently", "Keep it up", "Low priority", "Nice extra"]
    keep = fig.data[1]
    assert list(keep.text) == ["B", "E"]
    assert list(keep.x) == [4.0, 3.0] and list(keep.y) == [4.0, 3.0]  # x = satisfaction, y = importance
    assert list(keep.error_x.array) == [0.0, 0.0]  # identical answers: zero-width intervals
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert {(s.y0, s.y1) for s in lines if s.y0 == s.y1} == {(3.0, 3.0)}  # importance crosshair
    assert {(s.x0, s.x1) for s in lines if s.x0 == s.x1} == {(3.0, 3.0)}  # satisfaction crosshair
    texts = [a.text for a in fig.layout.annotations]
    assert "<b>Improve urgently</b>" in texts and "<b>Nice extra</b>" in texts
    assert fig.layout.xaxis.title.text == "Satisfaction"
    assert keep.hovertext[0] == "B 4.00 4.00–4.00"


def test_index_figure():
    table = pd.DataFrame({"attribute": ["X", "Y"], "index": [0.7, 1.25]})
    fig = sat.index_figure(table, 12 / 14, {"x": "Index", "overall": "overall {v:.2f}"})
    bar = fig.data[0]
    assert list(bar.y) == ["X", "Y"] and list(bar.text) == ["0.70", "1.25"]
    assert list(bar.marker.color) == ["#d62728", "#2ca02c"]


# ------------------------------------------------------------------------------------------
# The sample surveys

def test_sample_surveys_are_read_in_both_forms():
    long = sat.read_survey(SURVEYS / "workwear_survey_long.csv")
    assert long.layout.form == "long" and sat.detect_scale(long.data) == 7
    # 387 sampled customers + 8 without an id + 4 prospects not in the orders = 399 respondents
    # (make_surveys.py prints the counts); 10 attributes each.
    assert long.respondents == 399 and len(long.attributes) == 10 and long.has_index
    wide = sat.read_survey(SURVEYS / "workwear_survey_wide.xlsx")  # title and note rows above the header
    assert wide.layout.form == "wide" and sat.detect_scale(wide.data) == 5
    assert wide.respondents == 339 and wide.attributes == long.attributes and not wide.has_index
    en = sat.read_survey(SURVEYS / "online_shop_survey_wide.csv")
    assert en.layout.form == "wide" and sat.detect_scale(en.data) == 10
    assert en.respondents == 647 and en.attributes[0] == "On-time delivery" and en.has_index
    ids = long.data["customer_id"].dropna()
    assert ids.str.fullmatch(r"C\d{5}").all()


def test_sample_survey_generator_is_deterministic(tmp_path):
    script = SURVEYS / "make_surveys.py"
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True, capture_output=True)
    for name in ("workwear_survey_long.csv", "online_shop_survey_wide.csv"):
        assert (tmp_path / name).read_bytes() == (SURVEYS / name).read_bytes(), name
    a = sat.read_survey(tmp_path / "workwear_survey_wide.xlsx").data
    b = sat.read_survey(SURVEYS / "workwear_survey_wide.xlsx").data
    pd.testing.assert_frame_equal(a, b)
