"""Claude (Anthropic) through the official Admin usage and cost reports."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from aiusage.models import KeyCheck, ProviderName, SourceResult, UsageQuery, format_utc, utc_now
from aiusage.periods import floor
from aiusage.providers import claude_legacy
from aiusage.providers.base import ClientConfig, ClientFactory
from aiusage.providers.keycheck import probe

if TYPE_CHECKING:
    import httpx

    from aiusage.settings import Settings

CREDENTIAL = "ANTHROPIC_ADMIN_KEY"
ADMIN_PREFIX = "sk-ant-admin"
API_VERSION = "2023-06-01"
ADMIN_KEY_FIX = (
    "create an Admin key (sk-ant-admin01-…) in the Claude Console under Settings → Admin keys "
    "(organization admins only) and set ANTHROPIC_ADMIN_KEY to it"
)


class ClaudeProvider:
    name: ProviderName = "claude"
    vendor = "Anthropic"

    def configured(self, settings: Settings) -> bool:
        return settings.anthropic_admin_key is not None

    def setup_hint(self) -> str:
        return "set ANTHROPIC_ADMIN_KEY to an Anthropic Admin key (sk-ant-admin01-…)"

    def client_config(self, settings: Settings) -> ClientConfig:
        key = settings.anthropic_admin_key
        headers = {"anthropic-version": API_VERSION}
        if key is not None:
            headers["x-api-key"] = key.get_secret_value()
        return ClientConfig(base_url=settings.anthropic_base_url, headers=headers)

    def cache_variant(self, settings: Settings) -> str:
        return "legacy"

    async def fetch(
        self, client: httpx.AsyncClient, settings: Settings, query: UsageQuery
    ) -> SourceResult:
        return await claude_legacy.fetch(client, query)

    async def check_keys(self, settings: Settings, connect: ClientFactory) -> list[KeyCheck]:
        key = settings.anthropic_admin_key
        if key is None:
            return [
                KeyCheck(
                    provider="claude",
                    credential=CREDENTIAL,
                    status="missing",
                    detail="not set",
                    hint=ADMIN_KEY_FIX,
                )
            ]
        value = key.get_secret_value()
        if not value.startswith("sk-ant-"):
            return [
                KeyCheck(
                    provider="claude",
                    credential=CREDENTIAL,
                    status="malformed",
                    detail="not an Anthropic key (they start with sk-ant-)",
                    hint=ADMIN_KEY_FIX,
                )
            ]
        if not value.startswith(ADMIN_PREFIX):
            return [
                KeyCheck(
                    provider="claude",
                    credential=CREDENTIAL,
                    status="wrong_kind",
                    detail="an ordinary API key; the usage reports need an Admin key",
                    hint=ADMIN_KEY_FIX,
                )
            ]
        today = floor(utc_now(), "1d")
        return [
            await probe(
                connect,
                self.client_config(settings),
                provider="claude",
                credential=CREDENTIAL,
                vendor=self.vendor,
                path=claude_legacy.USAGE_PATH,
                params=[
                    ("starting_at", format_utc(today - timedelta(days=1))),
                    ("ending_at", format_utc(today)),
                    ("bucket_width", "1d"),
                    ("limit", 1),
                ],
                fix="the key was revoked or mistyped: " + ADMIN_KEY_FIX,
                forbidden_fix="this key cannot read usage: " + ADMIN_KEY_FIX,
            )
        ]
