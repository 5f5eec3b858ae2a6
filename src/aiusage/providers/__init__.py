"""The registry of official-API providers: a plain dict from name to provider."""

from __future__ import annotations

from aiusage.models import ProviderName
from aiusage.providers.base import ApiProvider
from aiusage.providers.claude import ClaudeProvider

API_PROVIDERS: dict[ProviderName, ApiProvider] = {
    "claude": ClaudeProvider(),
}
