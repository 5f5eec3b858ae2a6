"""Cursor individual-plan live usage (opt-in): the app's token, the usage request, its readings."""
