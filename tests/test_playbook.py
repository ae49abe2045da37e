"""Playbook cards (defaults, mapping by tier position, edits, export) and the resource
allocation arithmetic, with hand-computed numbers."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from tierlib import playbook as pb
from tierlib.io import InputError

SEEDS = Path("/work/shared/seeds")

# Three tiers, hand-sized:
#   tier   customers  profit   cost/customer  current cost = cost x customers
#   VIP    2          1000     100            200
#   Major  3           600      50            150
#   Small  5          -100      30            150        total current cost 500
TIERS = [{"name": "VIP", "customers": 2, "profit": 1000.0},
         {"name": "Major", "customers": 3, "profit": 600.0},
         {"name": "Small", "customers": 5, "profit": -100.0}]
COSTS = [100.0, 50.0, 30.0]


# ------------------------------------------------------------------------------------------
# Allocation

def test_allocation_by_profit_share_by_hand():
    t = pb.allocate(TIERS, 500.0, COSTS, "profit").set_index("name")
    assert list(t["current_cost"]) == [200.0, 150.0, 150.0]
    assert list(t["current_share"]) == [0.4, 0.3, 0.3]  # 200/500, 150/500, 150/500
    # profit after service: 1000-200, 600-150, -100-150
    assert list(t["profit_after"]) == [800.0, 450.0, -250.0]
    assert list(t["loses_money"]) == [False, False, True]
    # return per unit of service cost = profit / current cost: 1000/200, 600/150, -100/150
    assert t["return_per_cost"].tolist() == pytest.approx([5.0, 4.0, -2 / 3])
    # basis: max(profit, 0) = 1000, 600, 0 (Small loses money -> 0); 500 x 1000/1600 = 312.50,
    # 500 x 600/1600 = 187.50, 0.
    assert list(t["basis"]) == [1000.0, 600.0, 0.0]
    assert list(t["suggested"]) == [312.5, 187.5, 0.0]
    assert list(t["suggested_share"]) == [0.625, 0.375, 0.0]
    assert list(t["suggested_per_customer"]) == [156.25, 62.5, 0.0]  # 312.5/2, 187.5/3, 0/5
    assert list(t["change"]) == [112.5, 37.5, -150.0]  # suggested - current
    assert list(t["profit_after_suggested"]) == [687.5, 412.5, -100.0]
    assert list(t["tier"]) == [1, 2, 3]


def test_allocation_by_weights_sums_to_the_budget_exactly():
    # Weights 3:2:1 of 100.00 -> 10,000 cents x 3/6 = 5,000; x 2/6 = 3,333.33 -> 3,333;
    # x 1/6 = 1,666.67 -> 1,666; one cent left goes to the largest remainder (0.67, Small).
    t = pb.allocate(TIERS, 100.0, COSTS, "weights", weights=[3, 2, 1])
    assert list(t["suggested"]) == [50.0, 33.33, 16.67]
    assert math.fsum(t["suggested"]) == pytest.approx(100.0, abs=1e-9)
    # Weights ignore profit: the loss-making tier gets its share.
    assert t.loc[2, "suggested"] > 0


def test_split_budget_largest_remainder_and_ties():
    assert pb.split_budget(0.02, [1, 1, 1]) == [0.01, 0.01, 0.0]  # 2 cents, equal remainders: earlier first
    assert pb.split_budget(10.0, [1, 0, 3]) == [2.5, 0.0, 7.5]
    assert pb.split_budget(0.0, [1, 2]) == [0.0, 0.0]


def test_allocation_errors():
    with pytest.raises(InputError) as e:
        pb.allocate([{"name": "x", "customers": 1, "profit": -5.0}], 10.0, [1.0])
    assert e.value.code == "playbook.no_basis"  # nothing with positive profit
    with pytest.raises(InputError) as e:
        pb.allocate(TIERS, 10.0, [1.0, -1.0, 1.0])
    assert e.value.code == "playbook.bad_number"
    with pytest.raises(InputError) as e:
        pb.allocate(TIERS, -1.0, COSTS)
    assert e.value.code == "playbook.bad_number"
    with pytest.raises(InputError) as e:
        pb.allocate([{"name": "x", "customers": 1, "profit": None}], 10.0, [1.0])
    assert e.value.code == "playbook.no_profit"
    with pytest.raises(InputError) as e:
        pb.allocate(TIERS, 10.0, COSTS, "weights", weights=[0, 0, 0])
    assert e.value.code == "playbook.no_basis"
    with pytest.raises(InputError) as e:
        pb.allocate(TIERS, 10.0, COSTS[:2])
    assert e.value.code == "playbook.lengths"


def test_zero_cost_and_empty_tier():
    tiers = [{"name": "A", "customers": 4, "profit": 100.0}, {"name": "B", "customers": 0, "profit": 0.0}]
    t = pb.allocate(tiers, 50.0, [0.0, 10.0])
    assert math.isnan(t.loc[0, "return_per_cost"])  # no service cost: no ratio
    assert math.isnan(t.loc[1, "suggested_per_customer"])  # no customers
    assert math.isnan(t.loc[0, "current_share"])  # total current cost 0
    assert list(t["suggested"]) == [50.0, 0.0]


def test_default_costs_and_nice_round():
    # Average profit per customer = (1000 + 600 - 100) / 10 = 150. Three tiers map to
    # vip, ordinary, small: 2 x 150 = 300, 0.5 x 150 = 75, 0.2 x 150 = 30.
    assert pb.default_costs(TIERS, pb.tier_keys(3)) == [300.0, 75.0, 30.0]
    assert pb.nice_round(98321.4) == 98000.0
    assert pb.nice_round(24580.0) == 25000.0
    assert pb.nice_round(0.0) == 0.0
    assert pb.default_costs([{"name": "x", "customers": 1, "profit": None}], ["vip"]) == [0.0]
    assert pb.default_costs([{"name": "x", "customers": 2, "profit": -4.0}], ["vip"]) == [0.0]


def test_allocation_figure():
    t = pb.allocate(TIERS, 500.0, COSTS)
    fig = pb.allocation_figure(t, {"current": "Current", "suggested": "Suggested", "y": "Amount"})
    assert [d.name for d in fig.data] == ["Current", "Suggested"]
    assert list(fig.data[0].y) == [200.0, 150.0, 150.0]
    assert list(fig.data[1].y) == [312.5, 187.5, 0.0]
    assert fig.layout.barmode == "group"


# ------------------------------------------------------------------------------------------
# Cards

@pytest.mark.parametrize("n, keys", [
    (1, ["vip"]),
    (2, ["vip", "small"]),
    (3, ["vip", "ordinary", "small"]),
    (4, ["vip", "major", "ordinary", "small"]),
    (5, ["vip", "major", "ordinary", "ordinary", "small"]),
    (6, ["vip", "major", "ordinary", "ordinary", "ordinary", "small"]),
])
def test_tier_keys_map_by_position(n, keys):
    assert pb.tier_keys(n) == keys


def test_every_default_card_exists_in_both_languages():
    for group, keys in pb.GROUPS.items():
        for key in keys:
            for lang in ("zh", "en"):
                c = pb.default_card(group, key, lang)
                assert set(c) == set(pb.FIELDS)
                assert c["goal"] and c["measure"] and len(c["actions"]) >= 3, (group, key, lang)
            zh, en = pb.default_card(group, key, "zh"), pb.default_card(group, key, "en")
            assert len(zh["actions"]) == len(en["actions"]), (group, key)
            assert not re.search(r"[\u4e00-\u9fff]", " ".join([en["goal"], en["measure"], *en["actions"]]))
    assert len(pb.RFM_SEGMENTS) == 11 and len(pb.KINDS) == 4
    assert pb.default_card("rfm", "potential", "en") == pb.default_card("rfm", "potential_loyalist", "en")


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the domain seeds are not on this machine")
def test_default_cards_are_written_in_the_products_own_words():
    # No run of 10 Chinese characters (punctuation and spaces ignored) is copied from the seeds.
    def norm(s):
        return re.sub(r"[\s，。、；：“”（）,.;:()\-—]", "", s)

    seeds = norm("".join(p.read_text(encoding="utf-8", errors="ignore") for p in SEEDS.glob("*.txt")))
    copied = []
    for (group, key), texts in pb.DEFAULT_CARDS.items():
        c = texts["zh"]
        for text in [c["goal"], c["measure"], *c["actions"]]:
            n = norm(text)
            copied += [(group, key, n[i:i + 10]) for i in range(len(n) - 9) if n[i:i + 10] in seeds]
    assert copied == []


def test_card_edits_reset_and_default_copy():
    store: dict = {}
    c, edited = pb.card(store, "tier:4:1", "tier", "vip", "en")
    assert not edited and c == pb.default_card("tier", "vip", "en")
    c["actions"].append("scribble")  # the caller gets a copy
    assert "scribble" not in pb.default_card("tier", "vip", "en")["actions"]
    pb.set_card(store, "tier:4:1", {"goal": "  Keep them  ", "actions": ["a", " ", "b "], "measure": "m"})
    c, edited = pb.card(store, "tier:4:1", "tier", "vip", "zh")
    assert edited and c == {"goal": "Keep them", "actions": ["a", "b"], "measure": "m"}
    pb.reset_card(store, "tier:4:1")
    assert pb.card(store, "tier:4:1", "tier", "vip", "zh") == (pb.default_card("tier", "vip", "zh"), False)
    assert pb.tier_card_id(4, 2) == "tier:4:2" and pb.group_card_id("rfm", "lost") == "rfm:lost"


def test_parse_actions_drops_bullets_and_blank_lines():
    text = "- first\n\n2. second\n• third\n（4）fourth\n  3) fifth  \n1、sixth"
    assert pb.parse_actions(text) == ["first", "second", "third", "fourth", "fifth", "sixth"]
    assert pb.parse_actions(pb.actions_text(["x", "y"])) == ["x", "y"]


def test_markdown_export():
    card = {"goal": "G", "actions": ["a", "b"], "measure": "M"}
    md = pb.to_markdown([("Tiers", [("VIP", card)])], {"title": "Playbook", "goal": "Goal", "actions": "Actions",
                                                       "measure": "Measure"})
    assert md == ("# Playbook\n\n## Tiers\n\n### VIP\n\n**Goal**: G\n\n**Actions**:\n\n1. a\n2. b\n\n"
                  "**Measure**: M\n")


def test_allocation_table_is_a_frame_with_all_columns():
    t = pb.allocate(TIERS, 500.0, COSTS)
    assert isinstance(t, pd.DataFrame)
    assert list(t.columns) == ["tier", "name", "customers", "profit", "cost_per_customer", "current_cost",
                               "current_share", "profit_after", "return_per_cost", "loses_money", "basis",
                               "suggested", "suggested_share", "suggested_per_customer", "change",
                               "profit_after_suggested"]
