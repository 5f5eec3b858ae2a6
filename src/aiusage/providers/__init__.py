"""The registry of official-API providers: a plain dict from name to provider."""

from __future__ import annotations

from aiusage.models import ProviderName
from aiusage.providers.base import ApiProvider
from aiusage.providers.claude import ClaudeProvider
from aiusage.providers.cursor import CursorProvider
from aiusage.providers.gemini import GeminiProvider
from aiusage.providers.openai import OpenAIProvider

API_PROVIDERS: dict[ProviderName, ApiProvider] = {
    "claude": ClaudeProvider(),
    "cursor": CursorProvider(),
    "gemini": GeminiProvider(),
    "openai": OpenAIProvider(),
}
