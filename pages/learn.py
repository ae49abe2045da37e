"""Learn page (课堂模式): why tier, the pyramid, 80/20, the airline cabin, and an exercise that
reveals the top-20% profit share of the data loaded now beside the paired pyramids."""

import streamlit as st

from tierlib import presets, tiers
from tierlib.i18n import fmt_pct
from tierlib.io import InputError
from ui import router, state, tier_view

router.guard()
T = state.T
K_GUESS = "learn_guess"  # the student's guess, percent (kept across page switches)
K_REVEALED = "learn_revealed"
W_GUESS = "w_learn_guess"

st.title(T("learn.title"))
st.caption(T("learn.intro"))

# 1. Why tier -------------------------------------------------------------------------------
st.header(T("learn.why.title"), divider="gray")
for pair in ((1, 2), (3, 4)):  # one row per pair, so a phone stacks them in reading order
    for col, i in zip(st.columns(2), pair):
        with col.container(border=True):
            st.markdown(f"**{i}. {T(f'learn.why.{i}.title')}**")
            st.write(T(f"learn.why.{i}.body"))
with st.container(border=True):
    st.markdown(f"**{T('learn.segmentation.title')}**")
    st.write(T("learn.segmentation.body"))

# 2. The pyramid ----------------------------------------------------------------------------
st.header(T("learn.pyramid.title"), divider="gray")
st.write(T("learn.pyramid.body"))
levels = [("vip", "1%"), ("major", "4%"), ("ordinary", "15%"), ("small", "80%")]
mcols = st.columns(4)
for col, (key, share) in zip(mcols, levels):
    col.metric(T(f"tier.{key}"), share)
st.table({T("learn.pyramid.col.tier"): [T(f"tier.{k}") for k, _ in levels],
          T("learn.pyramid.col.share"): [s for _, s in levels],
          T("learn.pyramid.col.who"): [T(f"learn.pyramid.who.{k}") for k, _ in levels]},
         hide_index=True, border="horizontal")
st.info(T("learn.pyramid.key"), icon=":material/key:")
st.write(T("learn.pyramid.pictures"))

# 3. 80/20 ----------------------------------------------------------------------------------
st.header(T("learn.pareto.title"), divider="gray")
st.write(T("learn.pareto.body"))

# 4. The airline cabin ----------------------------------------------------------------------
st.header(T("learn.cabin.title"), divider="gray")
st.write(T("learn.cabin.intro"))
st.metric(T("learn.cabin.fares_label"), T("learn.cabin.fares"))
ccols = st.columns(3)
for col, (key, icon) in zip(ccols, [("first", ":material/airline_seat_flat:"),
                                     ("business", ":material/airline_seat_recline_extra:"),
                                     ("economy", ":material/airline_seat_recline_normal:")]):
    with col.container(border=True):
        st.markdown(f"{icon} **{T(f'learn.cabin.{key}.title')}**")
        st.write(T(f"learn.cabin.{key}"))
st.success(T("learn.cabin.lesson"), icon=":material/lightbulb:")

# 5. Exercise -------------------------------------------------------------------------------
st.header(T("learn.exercise.title"), divider="gray")
ws = state.workspace()
if ws is None:
    st.info(T("learn.exercise.no_data"))
    st.page_link("pages/data.py", label=T("nav.data"), icon=":material/upload_file:")
    st.stop()

available = ws.loaded.available_values()
measure = next((v for v in ("profit", "revenue") if v in available), None)
if measure is None:
    st.info(T("learn.exercise.no_value"))
    st.stop()

st.write(T("learn.exercise.body"))
if measure != "profit":
    st.caption(T("learn.exercise.revenue_note"))
ss = st.session_state
ss.setdefault(K_GUESS, 50)
ss[W_GUESS] = int(ss[K_GUESS])


def _keep_guess() -> None:
    ss[K_GUESS] = int(ss[W_GUESS])


def _reveal(on: bool) -> None:
    ss[K_REVEALED] = on


st.slider(T("learn.exercise.guess", value=T(f"value.{measure}")), min_value=0, max_value=100, step=1,
          format="%d%%", key=W_GUESS, on_change=_keep_guess)
if not ss.get(K_REVEALED):
    st.button(T("learn.exercise.reveal"), key="learn_reveal", type="primary", icon=":material/visibility:",
              on_click=_reveal, args=(True,))
    st.stop()

try:
    ranked = tier_view.ranked(ws, measure, {})
    grading = tier_view.current_grading(ws)
except InputError as exc:
    st.error(state.error_text(exc), icon=":material/error:")
    st.stop()
actual = tiers.concentration(ranked).get("top_20pct_share")
guess = int(ss[K_GUESS]) / 100
value_word = T(f"value.{measure}")
if actual is None:
    st.info(T("learn.exercise.no_value"))
    st.stop()

m1, m2 = st.columns(2)
m1.metric(T("learn.exercise.metric.guess"), f"{guess:.0%}")
m2.metric(T("learn.exercise.metric.actual"), fmt_pct(actual),
          delta=T("learn.exercise.delta", d=f"{(actual - guess) * 100:+.1f}"), delta_color="off")
st.write(T("learn.exercise.result", guess=f"{guess:.0%}", actual=fmt_pct(actual), value=value_word))
gap = abs(actual - guess)
if gap <= 0.02:
    st.success(T("learn.exercise.spot_on"), icon=":material/celebration:")
elif gap <= 0.10:
    st.info(T("learn.exercise.near"), icon=":material/thumb_up:")
else:
    st.warning(T("learn.exercise.far_low" if actual > guess else "learn.exercise.far_high"), icon=":material/info:")

st.write(T("learn.exercise.pyramids"))
colors = ss.get(tier_view.K_COLORS)
if not isinstance(colors, list) or len(colors) < len(grading.tiers):
    colors = presets.palette(len(grading.tiers))
st.plotly_chart(tier_view.pyramids_figure(grading, colors), key="learn_pyramids",
                config={"displayModeBar": False}, theme=None)
st.markdown(f"**{tier_view.reading(grading)}**")
st.button(T("learn.exercise.again"), key="learn_again", icon=":material/replay:", on_click=_reveal, args=(False,))

st.header(T("learn.next.title"), divider="gray")
st.write(T("learn.next.body"))
c1, c2 = st.columns(2)
c1.page_link("pages/tiers.py", label=T("nav.tiers"), icon=":material/change_history:")
if (router.ROOT / "pages" / "playbook.py").exists():
    c2.page_link("pages/playbook.py", label=T("nav.playbook"), icon=":material/checklist:")
