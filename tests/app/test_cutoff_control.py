"""The tier cutoff control: clamp_cuts() and the Python side of the component under AppTest.

In AppTest a components-v2 element is an UnknownElement ("bidi_component"); its state is set
with ``at.session_state[key] = {"cuts": [...]}`` and the data it would send to the browser is
the JSON in its proto.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest

from ui.cutoff_control import COMPONENT_NAME, clamp_cuts, cutoff_control

DEMO = "../e2e/cutoff_demo_app.py"  # resolved against this file by AppTest.from_file


# --- clamp_cuts -------------------------------------------------------------------------


def test_valid_cuts_come_back_unchanged_as_floats():
    out = clamp_cuts([1, 5, 20], 0, 100, 0.5)
    assert out == [1.0, 5.0, 20.0] and all(type(c) is float for c in out)
    assert clamp_cuts([1.25, 5.01, 99.5], 0, 100, 0.5) == [1.25, 5.01, 99.5]  # precise, not snapped


def test_order_is_strict_by_one_step():
    assert clamp_cuts([10, 5, 20], 0, 100, 0.5) == [10, 10.5, 20]
    assert clamp_cuts([5, 5, 5], 0, 100, 1) == [5, 6, 7]


def test_the_track_ends_count_as_neighbours():
    assert clamp_cuts([0, 50], 0, 100, 0.5) == [0.5, 50]
    assert clamp_cuts([-3, 50], 0, 100, 0.5) == [0.5, 50]
    assert clamp_cuts([98, 100, 120], 0, 100, 0.5) == [98, 99, 99.5]
    # a cut so high that the following ones would not fit leaves them room
    assert clamp_cuts([99.9, 1, 2], 0, 100, 1) == [97, 98, 99]


def test_descending_thresholds():
    assert clamp_cuts([50000, 10000, 2000], 100, 200000, 100, descending=True) == [50000, 10000, 2000]
    assert clamp_cuts([10000, 50000, 2000], 100, 200000, 100, descending=True) == [10000, 9900, 2000]
    assert clamp_cuts([300000, 0], 100, 200000, 100, descending=True) == [199900, 200]


def test_float_noise_does_not_move_a_valid_cut():
    # 0.2 + 0.1 == 0.30000000000000004 > 0.3 and 0.7 + 0.1 < 0.8 in floats
    assert clamp_cuts([0.1, 0.2, 0.3], 0, 1, 0.1) == [0.1, 0.2, 0.3]
    assert clamp_cuts([0.7, 0.8, 0.9], 0, 1, 0.1) == [0.7, 0.8, 0.9]


@pytest.mark.parametrize("args, message", [
    (([1, 2], 0, 100, 0), "step"),
    (([1, 2], 100, 0, 1), "hi must be > lo"),
    (([1, 2, 3], 0, 3, 1), "do not fit"),
    (([1, float("nan")], 0, 100, 1), "finite"),
    (([1, "2"], 0, 100, 1), "numbers"),
])
def test_bad_input_is_refused(args, message):
    with pytest.raises(ValueError, match=message):
        clamp_cuts(*args)


@settings(max_examples=300, deadline=None)
@given(cuts=hs.lists(hs.floats(-50, 150, allow_nan=False), min_size=1, max_size=5),
       step=hs.sampled_from([0.01, 0.1, 0.5, 1, 5]), descending=hs.booleans())
def test_clamped_cuts_are_ordered_inside_and_stable(cuts, step, descending):
    lo, hi = 0.0, 100.0
    out = clamp_cuts(cuts, lo, hi, step, descending)
    asc = [-c for c in out] if descending else out
    a_lo, a_hi = (-hi, -lo) if descending else (lo, hi)
    tol = 1e-6
    assert asc[0] >= a_lo + step - tol and asc[-1] <= a_hi - step + tol
    assert all(b - a >= step - tol for a, b in zip(asc, asc[1:]))
    assert clamp_cuts(out, lo, hi, step, descending) == out


# --- the component under AppTest --------------------------------------------------------


def run_demo():
    at = AppTest.from_file(DEMO, default_timeout=60).run()
    assert not at.exception
    return at


def shown(at, prefix="CUTS="):
    texts = [m.value for m in at.markdown if m.value.startswith(prefix)]
    assert len(texts) == 1, texts
    return json.loads(texts[0][len(prefix):])


def component(at, key):
    found = [e for e in at.get("bidi_component") if e.key == key]
    assert len(found) == 1
    return found[0]


def test_first_run_returns_the_given_cuts_and_sends_the_data_contract():
    at = run_demo()
    assert shown(at) == [1, 5, 20]
    assert shown(at, "MONEY=") == [50000, 10000, 2000]
    proto = component(at, "cutoffs").proto
    assert proto.component_name == COMPONENT_NAME
    data = json.loads(proto.json)
    assert data["cuts"] == [1, 5, 20] and data["state"] is None
    assert (data["lo"], data["hi"], data["step"], data["decimals"]) == (0, 100, 0.5, 2)
    assert data["names"] == ["VIP", "Major", "Ordinary", "Small"] and len(data["colors"]) == 4
    assert data["unit"] == "%" and data["scale"] == "linear" and data["descending"] is False
    money = json.loads(component(at, "money_cutoffs").proto.json)
    assert money["descending"] is True and money["scale"] == "log" and money["unit"] == " ¥"
    assert at.session_state["cutoffs"]["cuts"] == [1, 5, 20]  # the default state


def test_component_state_reaches_the_returned_value_and_stays():
    at = run_demo()
    at.session_state["cutoffs"] = {"cuts": [2, 6, 30]}
    at.run()
    assert not at.exception
    assert shown(at) == [2, 6, 30]
    assert json.loads(component(at, "cutoffs").proto.json)["cuts"] == [2, 6, 30]
    at.run()  # another rerun: the value is kept (the app feeds it back)
    assert shown(at) == [2, 6, 30]


def test_state_out_of_order_is_clamped():
    at = run_demo()
    at.session_state["cutoffs"] = {"cuts": [10, 5, 20]}
    at.run()
    assert shown(at) == [10, 10.5, 20]


def test_a_change_made_by_python_wins_over_the_older_component_state():
    at = run_demo()
    at.session_state["cutoffs"] = {"cuts": [2, 6, 30]}
    at.run()
    at.button(key="set_external").click().run()
    assert shown(at) == [2, 10, 40]
    data = json.loads(component(at, "cutoffs").proto.json)
    assert data["cuts"] == [2, 10, 40] and data["state"] == [2, 6, 30]  # the browser re-syncs from this
    at.run()
    assert shown(at) == [2, 10, 40]
    at.session_state["cutoffs"] = {"cuts": [3, 11, 41]}  # a new release after the override
    at.run()
    assert shown(at) == [3, 11, 41]


def test_the_number_of_tiers_can_change_under_the_same_key():
    at = run_demo()
    at.session_state["cutoffs"] = {"cuts": [2, 6, 30]}
    at.run()
    at.button(key="five_tiers").click().run()
    assert not at.exception
    assert shown(at) == [1, 5, 20, 50]
    data = json.loads(component(at, "cutoffs").proto.json)
    assert len(data["names"]) == len(data["colors"]) == 5


def test_state_of_the_wrong_length_is_ignored():
    at = run_demo()
    at.session_state["cutoffs"] = {"cuts": [2, 6]}
    at.run()
    assert not at.exception
    assert shown(at) == [1, 5, 20]


GOOD = dict(key="c", cuts=[1, 5], lo=0, hi=100, step=0.5, names=["a", "b", "c"], colors=["red", "green", "blue"])


@pytest.mark.parametrize("change, message", [
    ({"names": ["a", "b"]}, "need 3 names and colors"),
    ({"colors": ["red"]}, "need 3 names and colors"),
    ({"scale": "sqrt"}, "scale must be"),
    ({"scale": "log", "lo": 0}, "lo > 0"),
    ({"key": ""}, "key"),
    ({"hi": 1}, "do not fit"),
])
def test_bad_arguments_raise_clear_errors(change, message):
    # Checked before anything touches Streamlit, so no runtime is needed here.
    with pytest.raises(ValueError, match=message):
        cutoff_control(**{**GOOD, **change})


def _good_call_app():
    import streamlit as st

    from ui.cutoff_control import cutoff_control

    st.write("OUT=" + repr(cutoff_control(key="c", cuts=[1, 5], lo=0, hi=100, step=0.5, names=["a", "b", "c"],
                                          colors=["red", "green", "blue"])))


def test_the_control_works_from_a_function_app():
    at = AppTest.from_function(_good_call_app, default_timeout=60).run()
    assert not at.exception
    assert [m.value for m in at.markdown] == ["OUT=[1.0, 5.0]"]
