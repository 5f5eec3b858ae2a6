"""The registry of official-API providers: a plain dict from name to provider.

The dict is built on first use (PEP 562), so that importing ``aiusage.providers.base`` (as the
local sources do) does not load every vendor's client code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiusage.models import ProviderName
    from aiusage.providers.base import ApiProvider

    API_PROVIDERS: dict[ProviderName, ApiProvider]


def _build_registry() -> dict[ProviderName, ApiProvider]:
    from aiusage.providers.claude import ClaudeProvider
    from aiusage.providers.cursor import CursorProvider
    from aiusage.providers.gemini import GeminiProvider
    from aiusage.providers.openai import OpenAIProvider

    return {
        "claude": ClaudeProvider(),
        "cursor": CursorProvider(),
        "gemini": GeminiProvider(),
        "openai": OpenAIProvider(),
    }


def __getattr__(name: str) -> object:
    if name == "API_PROVIDERS":
        registry = _build_registry()
        globals()["API_PROVIDERS"] = registry
        return registry
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
