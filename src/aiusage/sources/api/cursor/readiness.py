"""What the report needs to know of Cursor before any request: set up or not, how to set it up.

Kept apart from the provider (``provider.py``), whose client code a report served from the
store never imports (benchmarks/bench_warm.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiusage.models import ProviderName
    from aiusage.settings import Settings


class CursorSetup:
    name: ProviderName = "cursor"
    vendor = "Cursor"

    def configured(self, settings: Settings) -> bool:
        return settings.cursor_admin_key is not None

    def setup_hint(self) -> str:
        return (
            "team admins: set CURSOR_ADMIN_KEY to a Cursor Admin API key; individual plans: "
            "`aiusage cursor set --plan pro --used-usd 12.40`"
        )

    def cache_variant(self, settings: Settings) -> str:
        return "admin"
