"""Numbers people type in (Cursor entries)."""
