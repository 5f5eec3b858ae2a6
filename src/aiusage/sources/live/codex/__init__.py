"""Codex CLI live windows: the app-server JSON-RPC client and its rate-limit readings."""
