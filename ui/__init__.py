"""Streamlit-only helpers: workspace state, shared widgets. tierlib stays UI-free."""
