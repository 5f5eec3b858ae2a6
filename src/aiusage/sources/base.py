"""What every source of usage looks like to the rest of aiusage."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from aiusage.models import KeyCheck, ProviderName, SourceKind, SourceResult, UsageQuery

if TYPE_CHECKING:
    import httpx

    from aiusage.settings import Settings
    from aiusage.store import Store


@dataclass(frozen=True)
class ClientConfig:
    """How to reach one vendor API: the client factory builds the client from this."""

    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    auth: httpx.Auth | None = None


ClientFactory = Callable[[ClientConfig], "httpx.AsyncClient"]


class ApiProvider(Protocol):
    """A vendor's official usage API. Receives a ready client; never builds one."""

    name: ProviderName
    vendor: str

    def configured(self, settings: Settings) -> bool:
        """True when the credential this API needs is set."""
        ...

    def setup_hint(self) -> str:
        """The one line that tells a user how to configure this provider."""
        ...

    def client_config(self, settings: Settings) -> ClientConfig: ...

    def cache_variant(self, settings: Settings) -> str:
        """Anything besides the query that changes what a fetch returns ("" when nothing)."""
        ...

    async def fetch(
        self, client: httpx.AsyncClient, settings: Settings, query: UsageQuery
    ) -> SourceResult:
        """Fetch usage for the query's period (already aligned to whole buckets)."""
        ...

    async def check_keys(self, settings: Settings, connect: ClientFactory) -> list[KeyCheck]:
        """Check each credential: present, well-formed, accepted, of the right kind."""
        ...


class StoreSource(Protocol):
    """A source read on this machine (local CLI logs, manual entries); no network."""

    provider: ProviderName
    kind: SourceKind

    def available(self, settings: Settings) -> bool:
        """True when this machine has data for this source."""
        ...

    def collect(self, settings: Settings, store: Store, query: UsageQuery) -> SourceResult:
        """Read (and ingest) what is new, then return the records of the query's period."""
        ...
