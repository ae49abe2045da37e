"""Presets, the scheme file, and the sensitivity of a cutoff change (hand-computed)."""

import json

import pandas as pd
import pytest

from tierlib import presets, tiers
from tierlib.io import InputError
from tierlib.schema import MONEY_SCALE


def ranked(profits, last_orders=None):
    n = len(profits)
    df = pd.DataFrame({
        "customer_id": [f"c{i:02d}" for i in range(n)],
        "revenue": pd.array([int(p * 2 * MONEY_SCALE) for p in profits], dtype="Int64"),
        "cost": pd.array([pd.NA] * n, dtype="Int64"),
        "profit": pd.array([int(p * MONEY_SCALE) for p in profits], dtype="Int64"),
        "orders": [1] * n,
    })
    if last_orders is not None:
        df["last_order"] = pd.to_datetime(last_orders)
    return tiers.rank(df, "profit")


def test_changes_counts_customers_and_profit_between_bounds():
    r = ranked([100, 90, 80, 70, 60, 50, 40, 30, 20, 10])
    # Old bounds [1, 3, 6] -> new [1, 4, 6]: only rank 3 (profit 70) moves (tier 3 -> tier 2).
    ch = tiers.changes(r, [1, 3, 6], [1, 4, 6])
    assert ch["customers"] == 1 and ch["profit"] == 70.0
    assert ch["value_share"] == pytest.approx(70 / 550)
    # [1, 3, 6] -> [2, 3, 8]: rank 1 (90) moves up a tier, ranks 6-7 (40, 30) move up: 3 customers.
    ch = tiers.changes(r, [1, 3, 6], [2, 3, 8])
    assert ch["customers"] == 3 and ch["profit"] == 160.0
    assert tiers.changes(r, [1, 3, 6], [1, 3, 6])["customers"] == 0


def test_median_days_since_last_order_per_tier():
    r = ranked([30, 20, 10, 5], last_orders=["2024-12-31", "2024-12-21", "2024-12-01", "2024-11-01"])
    # as_of = 2024-12-31 (latest). Days: 0, 10, 30, 60. Bounds [1, 3]: [0], [10, 30], [60].
    assert tiers.median_days_since_last_order(r, [1, 3]) == [0.0, 20.0, 60.0]


def test_nice_numbers():
    assert presets.nice_number(7300) == 5000
    assert presets.nice_number(2000) == 2000
    assert presets.nice_number(19.9) == 10
    assert presets.nice_number(0.34) == 0.2
    assert presets.nice_number(-5) == 0


def test_bank_thresholds_from_data_are_strictly_decreasing_and_tier_the_top():
    r = ranked([10_000 - 10 * i for i in range(500)])
    cuts = presets.threshold_cuts_from_data(r)
    assert all(a > b for a, b in zip(cuts, cuts[1:]))
    g = tiers.grade(r, cuts=cuts, names=presets.preset_names("bank", "zh"), scheme="thresholds")
    assert [t["name"] for t in g.tiers] == ["钻石", "白金", "金卡", "普通"]
    assert g.tiers[0]["customers"] >= 1


def test_every_preset_grades_and_names_match_tier_count():
    r = ranked([float(x) for x in range(1, 201)])
    for key, p in presets.PRESETS.items():
        cuts = p["cuts"] if p["cuts"] is not None else presets.threshold_cuts_from_data(r)
        names = presets.preset_names(key, "en")
        g = tiers.grade(r, cuts=cuts, names=names, scheme=p["scheme"])
        assert len(g.tiers) == len(names) == len(presets.palette(len(names)))
        assert sum(t["customers"] for t in g.tiers) == 200


def test_scheme_file_round_trip_and_validation():
    text = presets.scheme_to_json(scheme="value-share", value="revenue", cuts=[70, 90], names=["A", "B", "C"],
                                  colors=["#111111", "#222222", "#333333"])
    doc = presets.scheme_from_json(text)
    assert doc == {"scheme": "value-share", "value": "revenue", "cuts": [70, 90], "names": ["A", "B", "C"],
                   "colors": ["#111111", "#222222", "#333333"]}
    bad = json.loads(text)
    bad["names"] = ["A"]
    with pytest.raises(InputError) as exc:
        presets.scheme_from_json(json.dumps(bad))
    assert exc.value.code == "scheme.bad_file" and exc.value.params["detail"] == "names"
    with pytest.raises(InputError):
        presets.scheme_from_json(b"\xff\xfe not json")
    bad = json.loads(text)
    bad["colors"] = ["red", "x", "y"]
    with pytest.raises(InputError):
        presets.scheme_from_json(json.dumps(bad))
