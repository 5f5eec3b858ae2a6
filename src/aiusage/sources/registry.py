"""The registries of sources: plain dicts and lists, built on first use.

Built lazily (PEP 562) so that importing ``aiusage.sources.base`` or a command that needs no
source does not load every vendor's client code or the log readers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiusage.models import ProviderName
    from aiusage.sources.base import ApiProvider, StoreSource

    API_PROVIDERS: dict[ProviderName, ApiProvider]
    STORE_SOURCES: list[StoreSource]


def _api_providers() -> dict[ProviderName, ApiProvider]:
    from aiusage.sources.api.claude.provider import ClaudeProvider
    from aiusage.sources.api.cursor.provider import CursorProvider
    from aiusage.sources.api.gemini.provider import GeminiProvider
    from aiusage.sources.api.openai.provider import OpenAIProvider

    return {
        "claude": ClaudeProvider(),
        "cursor": CursorProvider(),
        "gemini": GeminiProvider(),
        "openai": OpenAIProvider(),
    }


def _store_sources() -> list[StoreSource]:
    from aiusage.sources.logs.claude_code import ClaudeCodeSource
    from aiusage.sources.logs.codex import CodexSource
    from aiusage.sources.logs.gemini_cli import GeminiCliSource
    from aiusage.sources.manual.cursor import CursorManualSource

    return [CursorManualSource(), ClaudeCodeSource(), CodexSource(), GeminiCliSource()]


_BUILDERS = {"API_PROVIDERS": _api_providers, "STORE_SOURCES": _store_sources}


def __getattr__(name: str) -> object:
    builder = _BUILDERS.get(name)
    if builder is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = builder()
    globals()[name] = value
    return value
