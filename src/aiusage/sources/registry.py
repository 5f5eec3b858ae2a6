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
    # Each vendor's client code is imported when a request is about to be made, not to ask
    # whether it is set up (a report served from the store makes no request).
    from aiusage.sources.api.claude.readiness import ClaudeSetup
    from aiusage.sources.api.cursor.readiness import CursorSetup
    from aiusage.sources.api.deferred import DeferredProvider
    from aiusage.sources.api.gemini.readiness import GeminiSetup
    from aiusage.sources.api.openai.readiness import OpenAISetup

    def claude() -> ApiProvider:
        from aiusage.sources.api.claude.provider import ClaudeProvider

        return ClaudeProvider()

    def cursor() -> ApiProvider:
        from aiusage.sources.api.cursor.provider import CursorProvider

        return CursorProvider()

    def gemini() -> ApiProvider:
        from aiusage.sources.api.gemini.provider import GeminiProvider

        return GeminiProvider()

    def openai() -> ApiProvider:
        from aiusage.sources.api.openai.provider import OpenAIProvider

        return OpenAIProvider()

    return {
        "claude": DeferredProvider(ClaudeSetup(), claude),
        "cursor": DeferredProvider(CursorSetup(), cursor),
        "gemini": DeferredProvider(GeminiSetup(), gemini),
        "openai": DeferredProvider(OpenAISetup(), openai),
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
