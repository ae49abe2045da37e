"""Minimal standalone app for the tier cutoff control (browser tests and AppTest).

Run: python -m streamlit run tests/e2e/cutoff_demo_app.py
The canonical cuts live in session state (as the real pages keep them) and are fed back.
"""

import json
import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ui.cutoff_control import cutoff_control  # noqa: E402

NAMES = ["VIP", "Major", "Ordinary", "Small", "Tiny"]
COLORS = ["#1f4e79", "#2e75b6", "#9dc3e6", "#deebf7", "#f2f2f2"]

if "canon" not in st.session_state:
    st.session_state["canon"] = [1, 5, 20]
if "money" not in st.session_state:
    st.session_state["money"] = [50000, 10000, 2000]
st.session_state.setdefault("changes", 0)


def count_change():
    st.session_state["changes"] += 1


st.title("Tier cutoffs")
# Overrides from elsewhere (like a precise number input): the handles must follow.
if st.button("Set 2 / 10 / 40", key="set_external"):
    st.session_state["canon"] = [2, 10, 40]
if st.button("Set 1 / 5 / 40", key="set_external_last"):
    st.session_state["canon"] = [1, 5, 40]
if st.button("Five tiers", key="five_tiers"):  # the number of tiers changes under the same key
    st.session_state["canon"] = [1, 5, 20, 50]

n = len(st.session_state["canon"])
value = cutoff_control(key="cutoffs", cuts=st.session_state["canon"], lo=0, hi=100, step=0.5,
                       names=NAMES[: n + 1], colors=COLORS[: n + 1], on_change=count_change)
st.session_state["canon"] = value
st.write("CUTS=" + json.dumps(value))
st.write("CHANGES=" + json.dumps(st.session_state["changes"]))

money = cutoff_control(key="money_cutoffs", cuts=st.session_state["money"], lo=100, hi=200000, step=100,
                       names=["Gold", "Silver", "Bronze", "Other"], colors=["#b8860b", "#a8a9ad", "#b87333", "#e6e6e6"],
                       unit=" ¥", scale="log", decimals=0, descending=True, aria_label="Money thresholds")
st.session_state["money"] = money
st.write("MONEY=" + json.dumps(money))
