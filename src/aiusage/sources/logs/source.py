"""What every local log source shares: find files, ingest what is new, report from the store."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiusage.errors import BadResponseError, ConfigError
from aiusage.models import ProviderName, Quota, SourceKind, SourceResult, UsageQuery, utc_now
from aiusage.sources.logs.aggregate import load_records
from aiusage.sources.logs.files import Walk, walk
from aiusage.sources.logs.ingest import Ingestor, IngestStats
from aiusage.sources.logs.lines import LogParser, Policy

if TYPE_CHECKING:
    from aiusage.settings import Settings
    from aiusage.store import Store


def folder_present(path: Path) -> bool:
    """True for a folder, and for a path this user may not look into (reported on collect)."""
    try:
        return path.is_dir()
    except PermissionError:
        return True
    except OSError:
        return False


class LocalLogSource:
    """Base of the Claude Code, Codex CLI and Gemini CLI readers (``StoreSource``)."""

    provider: ProviderName
    kind: SourceKind = "local"
    tool: str  # the CLI's name, as users know it
    setting: str  # the variable that moves its folder, for error messages
    policy: Policy
    suffixes: tuple[str, ...] = (".jsonl",)

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self.clock = clock
        self.last_stats: IngestStats | None = None

    # --- what each tool defines --------------------------------------------------------------

    def roots(self, settings: Settings) -> list[Path]:
        """The folders holding this tool's logs that exist on this machine."""
        raise NotImplementedError

    def make_parser(self, path: Path, state: dict[str, Any]) -> LogParser:
        raise NotImplementedError

    def is_document(self, path: Path) -> bool:
        return False

    def select(self, files: list[Path], settings: Settings) -> list[Path]:
        """The files to read among those found (e.g. one copy of a file kept in two folders)."""
        return files

    def quotas(self, store: Store, now: datetime) -> list[Quota]:
        return []

    # --- StoreSource ----------------------------------------------------------------------------

    def available(self, settings: Settings) -> bool:
        return bool(self.roots(settings))

    def collect(self, settings: Settings, store: Store, query: UsageQuery) -> SourceResult:
        stats = self.ingest(settings, store)
        try:
            aggregate = load_records(store, self.provider, query, self.tool)
            quotas = self.quotas(store, self.clock())
            bad = store.db.execute(
                "SELECT COALESCE(SUM(bad_lines), 0) FROM local_files WHERE provider = ?",
                (self.provider,),
            ).fetchone()[0]
        except sqlite3.Error as exc:
            raise self._store_failure(exc) from None
        notes = list(aggregate.warnings)
        if bad:
            notes.append(f"{bad} malformed or truncated lines skipped in {self.tool} logs")
        if stats.unreadable:
            notes.append(
                f"{len(stats.unreadable)} {self.tool} files or folders could not be read and "
                f"were skipped (first: {stats.unreadable[0]})"
            )
        return SourceResult(
            records=tuple(aggregate.records), quotas=tuple(quotas), warnings=tuple(notes)
        )

    def ingest(self, settings: Settings, store: Store) -> IngestStats:
        """Read every new byte of this tool's logs into the store; return what was read."""
        found = self.find(settings)
        ingestor = Ingestor(store, self.provider, self.make_parser, self.policy, self.is_document)
        try:
            stats = ingestor.run(self.select(found.files, settings))
        except sqlite3.Error as exc:
            raise self._store_failure(exc) from None
        stats.unreadable[:0] = found.unreadable
        self.last_stats = stats
        return stats

    def find(self, settings: Settings) -> Walk:
        found = Walk()
        roots = self.roots(settings)
        denied: list[str] = []
        for root in roots:
            try:
                walk(root, self.suffixes, found)
            except OSError as exc:
                denied.append(f"{root} ({exc.strerror or exc.__class__.__name__})")
        if roots and len(denied) == len(roots):
            raise BadResponseError(
                f"cannot read the {self.tool} logs in {denied[0]}: give your user read access "
                f"to that folder, or set {self.setting} to where they are"
            )
        found.unreadable.extend(denied)
        return found

    def _store_failure(self, exc: sqlite3.Error) -> ConfigError:
        return ConfigError(
            f"the store could not keep the {self.tool} logs ({exc.__class__.__name__}: {exc}); "
            "check AIUSAGE_HOME and the free disk space"
        )
