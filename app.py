"""Customer Pyramid: the router. Page config, language, sidebar status, navigation."""

import streamlit as st

from ui import frame, state

st.set_page_config(page_title="Customer Pyramid · 客户金字塔", page_icon=":material/change_history:", layout="wide")

frame.language_switch()
state.ensure_default_data()
T = state.T
pages = [
    st.Page("pages/tiers.py", title=T("nav.tiers"), icon=":material/change_history:", url_path="tiers", default=True),
    st.Page("pages/data.py", title=T("nav.data"), icon=":material/upload_file:", url_path="data"),
]
page = st.navigation(pages)
frame.data_status()
page.run()
