"""The local SQLite store: ``database`` opens it and keeps the cache and history; ``migrations``
holds every table definition, numbered and applied in order."""

from aiusage.store.database import Store

__all__ = ["Store"]
