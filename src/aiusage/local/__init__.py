"""Readers of what AI tools keep on this machine: CLI logs and manual entries."""

from __future__ import annotations

from aiusage.providers.base import StoreSource

STORE_SOURCES: list[StoreSource] = []
