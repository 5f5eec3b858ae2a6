"""Live plan-window readings: Claude Code's status line, Codex app-server, Cursor's dashboard."""
