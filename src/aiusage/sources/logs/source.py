"""What every local log source shares: find files, ingest what is new, report from the store."""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiusage.errors import ConfigError
from aiusage.models import ProviderName, Quota, SourceKind, SourceResult, UsageQuery, utc_now
from aiusage.sources.logs import tables
from aiusage.sources.logs.aggregate import load_records
from aiusage.sources.logs.files import Walk, walk
from aiusage.sources.logs.ingest import Ingestor, IngestStats, WorkerParser
from aiusage.sources.logs.lines import LogParser, Policy

if TYPE_CHECKING:
    from aiusage.settings import Settings
    from aiusage.store import Store

log = logging.getLogger(__name__)


def folder_present(path: Path) -> bool:
    """True for a folder, and for a path this user may not look into (reported on collect)."""
    try:
        return path.is_dir()
    except PermissionError:
        return True
    except OSError:
        return False


def stored_lines(store_path: Path, provider: str) -> bool:
    """True when the store holds usage lines of this provider (read without migrating it)."""
    if not store_path.is_file():
        return False
    try:
        with closing(sqlite3.connect(f"{store_path.as_uri()}?mode=ro", uri=True)) as db:
            return tables.has_lines(db, provider)
    except sqlite3.Error:
        return False


def skipped_note(skipped: Counter[str], tool: str) -> str:
    """The warning that counts a tool's malformed lines, with the reasons known."""
    total = sum(skipped.values())
    note = f"{total} malformed or truncated lines skipped in {tool} logs"
    if skipped.get(""):  # some were counted before reasons were kept
        return note
    reasons = [f"{n} {reason}" for reason, n in sorted(skipped.items()) if n]
    return f"{note} ({', '.join(reasons)})"


class LocalLogSource:
    """Base of the Claude Code, Codex CLI and Gemini CLI readers (``StoreSource``)."""

    provider: ProviderName
    kind: SourceKind = "local"
    tool: str  # the CLI's name, as users know it
    setting: str  # the variable that moves its folder, for error messages
    policy: Policy
    suffixes: tuple[str, ...] = (".jsonl",)
    # Set when ``make_parser`` needs nothing but (path, state): a second process may then parse.
    worker_parser: WorkerParser | None = None

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self.clock = clock

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

    def notes(self, store: Store, query: UsageQuery) -> list[str]:
        """Warnings of this tool about the stored lines of the query's period."""
        return []

    # --- StoreSource ----------------------------------------------------------------------------

    def available(self, settings: Settings) -> bool:
        # Lines read before the CLI deleted its logs are still this machine's usage.
        return bool(self.roots(settings)) or stored_lines(settings.store_path, self.provider)

    def collect(self, settings: Settings, store: Store, query: UsageQuery) -> SourceResult:
        stats = self.ingest(settings, store)
        try:
            aggregate = load_records(store, self.provider, query, self.tool)
            quotas = self.quotas(store, self.clock())
            skipped = tables.skipped_lines(store.db, self.provider)
            notes = [*aggregate.warnings, *self.notes(store, query)]
        except sqlite3.Error as exc:
            raise self._store_failure(exc, settings.store_path) from None
        if skipped:
            notes.append(skipped_note(skipped, self.tool))
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
        roots = self.roots(settings)
        found = self.find(roots)
        ingestor = Ingestor(
            store,
            self.provider,
            self.make_parser,
            self.policy,
            self.is_document,
            worker_parser=self.worker_parser,
        )
        try:
            stats = ingestor.run(self.select(found.files, settings))
        except sqlite3.Error as exc:
            raise self._store_failure(exc, settings.store_path) from None
        stats.unreadable[:0] = found.unreadable
        log.debug(
            "%s logs: %d new bytes from %d of %d files under %s",
            self.tool,
            stats.bytes_read,
            stats.files_read,
            stats.files,
            ", ".join(str(root) for root in roots) or "no folder",
        )
        return stats

    def find(self, roots: list[Path]) -> Walk:
        found = Walk()
        denied: list[str] = []
        for root in roots:
            try:
                walk(root, self.suffixes, found)
            except OSError as exc:
                denied.append(f"{root} ({exc.strerror or exc.__class__.__name__})")
        if roots and len(denied) == len(roots):
            # Our user's permissions, not a vendor's answer: "config", like the store's faults.
            raise ConfigError(
                f"cannot read the {self.tool} logs in {denied[0]}: give your user read access "
                f"to that folder, or set {self.setting} to where they are"
            )
        found.unreadable.extend(denied)
        return found

    def _store_failure(self, exc: sqlite3.Error, path: Path) -> ConfigError:
        return ConfigError(
            f"the store at {path} could not keep the {self.tool} logs "
            f"({exc.__class__.__name__}: {exc}); check AIUSAGE_HOME and the free disk space"
        )
