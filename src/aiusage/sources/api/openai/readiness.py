"""What the report needs to know of OpenAI before any request: set up or not, how to set it up.

Kept apart from the provider (``provider.py``), whose client code a report served from the
store never imports (benchmarks/bench_warm.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiusage.models import ProviderName
    from aiusage.settings import Settings


class OpenAISetup:
    name: ProviderName = "openai"
    vendor = "OpenAI"

    def configured(self, settings: Settings) -> bool:
        return settings.openai_admin_key is not None

    def setup_hint(self) -> str:
        return "set OPENAI_ADMIN_KEY to an OpenAI Admin key (sk-admin-…)"

    def cache_variant(self, settings: Settings) -> str:
        return ""
