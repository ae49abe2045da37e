"""Customer Pyramid: the router. Page config, language, sidebar status, st.navigation."""

import streamlit as st

from ui import router

st.set_page_config(page_title="Customer Pyramid · 客户金字塔", page_icon=":material/change_history:", layout="wide")
router.run()
