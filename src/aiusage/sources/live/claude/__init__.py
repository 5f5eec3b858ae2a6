"""Claude Code's status line: its stdin JSON as readings, and each session's cost per day."""
