"""Cursor team Admin API: usage events, daily data, spend and AI code activity."""
