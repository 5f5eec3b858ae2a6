"""An API provider whose vendor code is imported only when a request is about to be made.

A report served from the store asks each provider only whether it is set up and for its cache
variant (``<vendor>/readiness.py``); importing the clients, wire models and httpx for that was a
third of a warm report's start-up (benchmarks/README.md, "Warm commands").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import httpx

    from aiusage.models import KeyCheck, ProviderName, SourceResult, UsageQuery
    from aiusage.settings import Settings
    from aiusage.sources.base import ApiProvider, ClientConfig, ClientFactory


class ProviderSetup(Protocol):
    """The part of ``ApiProvider`` answered without vendor code."""

    name: ProviderName
    vendor: str

    def configured(self, settings: Settings) -> bool: ...

    def setup_hint(self) -> str: ...

    def cache_variant(self, settings: Settings) -> str: ...


class DeferredProvider:
    """``ApiProvider``: set-up questions go to ``setup``; the rest to ``load()``, built once."""

    def __init__(self, setup: ProviderSetup, load: Callable[[], ApiProvider]) -> None:
        self.name: ProviderName = setup.name
        self.vendor = setup.vendor
        self._setup = setup
        self._load = load
        self._provider: ApiProvider | None = None

    def provider(self) -> ApiProvider:
        if self._provider is None:
            self._provider = self._load()
        return self._provider

    def configured(self, settings: Settings) -> bool:
        return self._setup.configured(settings)

    def setup_hint(self) -> str:
        return self._setup.setup_hint()

    def cache_variant(self, settings: Settings) -> str:
        return self._setup.cache_variant(settings)

    def client_config(self, settings: Settings) -> ClientConfig:
        return self.provider().client_config(settings)

    async def fetch(
        self, client: httpx.AsyncClient, settings: Settings, query: UsageQuery
    ) -> SourceResult:
        return await self.provider().fetch(client, settings, query)

    async def check_keys(self, settings: Settings, connect: ClientFactory) -> list[KeyCheck]:
        return await self.provider().check_keys(settings, connect)
