"""Shared pieces of the Streamlit shell: login, navigation, the current user, formatting."""
