"""Readers of what AI tools keep on this machine: CLI logs and manual entries."""

from __future__ import annotations

from aiusage.local.claude_code import ClaudeCodeSource
from aiusage.local.codex import CodexSource
from aiusage.local.cursor_manual import CursorManualSource
from aiusage.local.gemini_cli import GeminiCliSource
from aiusage.providers.base import StoreSource

STORE_SOURCES: list[StoreSource] = [
    CursorManualSource(),
    ClaudeCodeSource(),
    CodexSource(),
    GeminiCliSource(),
]
