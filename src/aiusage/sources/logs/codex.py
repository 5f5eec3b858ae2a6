"""Codex CLI rollouts (``$CODEX_HOME/sessions``, ``archived_sessions``): per-call usage and limits.

A call's usage is ``last_token_usage``, else the difference of successive cumulative
``total_token_usage`` values. An event whose cumulative total was already seen in the file is a
re-emission and counts once. A forked rollout (``forked_from_id``) first replays its parent's
history, re-stamped when the fork is written: the parent rollout is read, and the fork's events
that repeat the parent's are skipped, their totals becoming the baseline. When the parent file
is gone, and for subagent rollouts (``thread_spawn``), the events stamped in the file's first
second are taken for the replay (ccusage's rule), with a warning for a fork.
Copies of one event in two files share a key (timestamp, model, counters) and count once.
OpenAI's ``input_tokens`` includes cached input and ``output_tokens`` includes reasoning; our
fields do not overlap, so cached (and cache-write) tokens are taken out of input.
Lines not used: ``response_item`` lines and other events hold no usage (they are decoded only
when their text holds a marker, then ignored); a ``token_count`` without ``info`` carries rate
limits only. Malformed lines are counted by reason (``LogParser.skip``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiusage.models import ProviderName, Quota, UsageQuery
from aiusage.sources.logs.codex_limits import RATE_LIMITS, event_payload, rate_limit_quotas, windows
from aiusage.sources.logs.files import LineScanner, split_roots
from aiusage.sources.logs.lines import (
    INVALID,
    MAX_REQUEST_TOKENS,
    MAX_SESSION_TOKENS,
    OUT_OF_RANGE,
    Line,
    LogParser,
    OutOfRange,
    count,
    epoch_ms,
    loads,
    stamp_problem,
)
from aiusage.sources.logs.source import LocalLogSource, folder_present
from aiusage.sources.logs.tables import events_between

if TYPE_CHECKING:
    from aiusage.settings import Settings
    from aiusage.store import Store

PARENT_MISSING = "fork_parent_missing"
_REPLAY_OF = "parent:"  # state["replay"] while the parent's history is being skipped
_ROLLOUT_ID = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")
_ZERO = (0, 0, 0, 0, 0, 0)
Usage = tuple[int, int, int, int, int, int]  # input, cached, output, reasoning, total, cache write
# The events of a parent rollout, as its forks replay them (``_signature``).
Replays = Callable[[str], frozenset[str] | None]


def _usage(value: object, limit: int = MAX_REQUEST_TOKENS) -> Usage | None:
    """Raises OutOfRange for a count above ``limit`` (or negative)."""
    if not isinstance(value, dict):
        return None
    numbers = [
        count(value.get("input_tokens"), limit),
        count(value.get("cached_input_tokens", value.get("cache_read_input_tokens")), limit),
        count(value.get("output_tokens"), limit),
        count(value.get("reasoning_output_tokens"), limit),
        count(value.get("total_tokens"), 2 * limit),
        count(value.get("cache_write_input_tokens"), limit),
    ]
    if numbers[0] is None or numbers[2] is None:
        return None
    a, b, c, d, e, f = (n or 0 for n in numbers)
    return (a, b, c, d, e, f)


def _usages(info: dict[str, Any]) -> tuple[Usage | None, Usage | None]:
    """(cumulative total, last call) of a ``token_count`` event's ``info``."""
    total = _usage(info.get("total_token_usage"), MAX_SESSION_TOKENS)
    return total, _usage(info.get("last_token_usage"))


def _signature(total: Usage | None, last: Usage | None) -> str:
    return f"{total}|{last}"


def _model(payload: dict[str, Any], info: dict[str, Any]) -> str | None:
    for holder in (payload, info):
        for name in ("model", "model_name"):
            if isinstance(holder.get(name), str) and holder[name]:
                return str(holder[name])
        metadata = holder.get("metadata")
        if isinstance(metadata, dict) and isinstance(metadata.get("model"), str):
            return str(metadata["model"])
    return None


class CodexParser(LogParser):
    policy = "first"
    markers = (b'"token_count"', b'"turn_context"', b'"session_meta"')

    def __init__(
        self, file_label: str, state: dict[str, Any], replays: Replays = lambda _: None
    ) -> None:
        super().__init__(file_label, state)
        self.replays = replays
        self.seen = set(state.get("seen", []))
        self.previous: list[int] | None = state.get("previous")
        self.replayed: frozenset[str] = frozenset()
        replay = state.get("replay")
        if isinstance(replay, str) and replay.startswith(_REPLAY_OF):  # read again mid-replay
            self.replayed = replays(replay.removeprefix(_REPLAY_OF)) or frozenset()

    def begin(self, head: bytes) -> None:
        self.state["fork"] = b"thread_spawn" in head

    def feed(self, offset: int, raw: bytes, hit: int) -> None:
        entry = self.json_object(raw)
        if entry is None:
            return
        payload = entry.get("payload")
        if not isinstance(payload, dict):
            self.skip(INVALID)
            return
        stamp = entry.get("timestamp")
        ts = epoch_ms(stamp)
        if ts is None:
            self.skip(stamp_problem(stamp))
            return
        self.state.setdefault("first_second", ts // 1000)
        kind = entry.get("type")
        try:
            if kind == "session_meta":
                self._meta(ts, payload)
            elif kind == "turn_context":
                self._context(payload)
            elif kind == "event_msg" and payload.get("type") == "token_count":
                self._token_count(offset, str(stamp), ts, payload)
        except OutOfRange:
            self.skip(OUT_OF_RANGE)

    def _meta(self, ts: int, payload: dict[str, Any]) -> None:
        if "session" in self.state:
            return  # a fork's copy of its ancestors' metas
        session = payload.get("id")
        self.state["session"] = session if isinstance(session, str) else ""
        self._context(payload)
        parent = payload.get("forked_from_id")
        if not isinstance(parent, str) or not parent:
            return
        replayed = self.replays(parent)
        if replayed is None:
            self.state["fork"] = True
            self.event(PARENT_MISSING, ts, parent)
        else:
            self.state["fork"] = False
            self.state["replay"] = _REPLAY_OF + parent
            self.replayed = replayed

    def _context(self, payload: dict[str, Any]) -> None:
        for name in ("model", "cwd"):
            if isinstance(payload.get(name), str) and payload[name]:
                self.state[name] = payload[name]

    def _token_count(self, offset: int, stamp: str, ts: int, payload: dict[str, Any]) -> None:
        """One event: its call (unless replayed or re-emitted) and its rate limits.

        Every value is checked before anything of the line is kept (``OutOfRange``).
        """
        limits = windows(ts, payload.get("rate_limits"))
        info = payload.get("info")
        if isinstance(info, dict):
            total, last = _usages(info)
            if total is None and last is None:
                self.skip(INVALID)
                return
            if self.replayed:
                if _signature(total, last) in self.replayed:
                    self._baseline(total)
                    return
                self.replayed = frozenset()
                self.state["replay"] = "done"
            self._call(offset, stamp, ts, payload, info, total, last)
        elif self.replayed:
            return  # the parent's old rate limits, re-stamped
        if limits:
            self.event(RATE_LIMITS, ts, event_payload(limits))

    def _baseline(self, total: Usage | None) -> None:
        if total is not None:
            self.seen.add(",".join(map(str, total)))
            self.previous = list(total)

    def _call(
        self,
        offset: int,
        stamp: str,
        ts: int,
        payload: dict[str, Any],
        info: dict[str, Any],
        total: Usage | None,
        last: Usage | None,
    ) -> None:
        if total is not None:
            seen_key = ",".join(map(str, total))
            if seen_key in self.seen:
                return  # the same event re-emitted later
            self.seen.add(seen_key)
        previous, self.previous = self.previous, (list(total) if total else self.previous)
        if self.state.get("fork") and ts // 1000 == self.state.get("first_second"):
            return  # a replay found by the first-second rule: the totals are only a baseline
        if last is not None:
            delta = last
        else:
            assert total is not None
            base = previous or _ZERO
            a, b, c, d, e, f = (max(now - then, 0) for now, then in zip(total, base, strict=True))
            delta = (a, b, c, d, e, f)
            if max(delta) > MAX_REQUEST_TOKENS:
                raise OutOfRange(max(delta))
        raw_input, cached, output, reasoning, all_tokens, write = delta
        if not (raw_input or output):
            return
        model = _model(payload, info) or self.state.get("model") or ""
        cached = min(cached, raw_input)
        write = min(write, raw_input - cached)
        self.add(
            Line(
                msg_key=f"{stamp}|{model}|{raw_input},{cached},{output},{reasoning},{all_tokens}",
                req_key="",
                seq=offset,
                sidechain=0,
                has_speed=0,
                ts=ts,
                model=model,
                scope=str(self.state.get("cwd", "")),
                input_tokens=raw_input - cached - write,
                output_tokens=output,
                cache_read_tokens=cached,
                cache_write_tokens=write,
                cache_write_1h_tokens=0,
                session=str(self.state.get("session", "")),
            )
        )

    def snapshot(self) -> dict[str, Any]:
        return {**self.state, "seen": sorted(self.seen), "previous": self.previous}


def rollout_id(path: Path) -> str | None:
    """The session id at the end of a rollout's name (``rollout-<time>-<uuid>.jsonl``)."""
    found = _ROLLOUT_ID.search(path.stem)
    return found.group(1) if found else None


def replay_signatures(path: Path) -> frozenset[str] | None:
    """The events of a rollout as a fork of it replays them; None when it cannot be read."""
    signatures: set[str] = set()
    try:
        with open(path, "rb", buffering=0) as handle:
            scanner = LineScanner(handle, 0, (b'"token_count"',))
            raws = [raw for _, raw, _ in scanner]
            raws.append(scanner.tail)
    except OSError:
        return None
    for raw in raws:
        try:
            entry = loads(raw)
        except ValueError:
            continue
        payload = entry.get("payload") if isinstance(entry, dict) else None
        info = payload.get("info") if isinstance(payload, dict) else None
        if not isinstance(info, dict):
            continue
        try:
            total, last = _usages(info)
        except OutOfRange:
            continue
        if total is not None or last is not None:
            signatures.add(_signature(total, last))
    return frozenset(signatures)


def codex_homes(settings: Settings) -> list[Path]:
    if settings.codex_home:
        return split_roots(settings.codex_home)
    return [Path.home() / ".codex"]


def codex_roots(settings: Settings) -> list[Path]:
    """``sessions`` and ``archived_sessions`` of each home; a home with neither is read itself."""
    roots: list[Path] = []
    for home in codex_homes(settings):
        found = [home / n for n in ("sessions", "archived_sessions") if folder_present(home / n)]
        if not found and settings.codex_home and folder_present(home):
            found = [home]  # e.g. saved `codex exec --json` output
        roots.extend(found)
    return roots


class CodexSource(LocalLogSource):
    provider: ProviderName = "openai"
    tool = "Codex CLI"
    setting = "CODEX_HOME"
    policy = "first"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rollouts: dict[str, Path] = {}
        self.replays: dict[str, frozenset[str] | None] = {}

    def roots(self, settings: Settings) -> list[Path]:
        return codex_roots(settings)

    def make_parser(self, path: Path, state: dict[str, Any]) -> LogParser:
        return CodexParser(str(path), state, self.replayed)

    def select(self, files: list[Path], settings: Settings) -> list[Path]:
        """The same relative path in ``sessions`` and ``archived_sessions``: the active copy."""
        active = {found for path in files if (found := _split(path, "sessions"))}
        chosen = [path for path in files if _split(path, "archived_sessions") not in active]
        self.rollouts = {}
        for path in chosen:
            session = rollout_id(path)
            if session is not None:
                self.rollouts.setdefault(session, path)
        return chosen

    def replayed(self, session: str) -> frozenset[str] | None:
        """What a fork of ``session`` replays, read once per run; None when its file is gone."""
        if session not in self.replays:
            path = self.rollouts.get(session)
            self.replays[session] = None if path is None else replay_signatures(path)
        return self.replays[session]

    def quotas(self, store: Store, now: datetime) -> list[Quota]:
        return rate_limit_quotas(store, now)

    def notes(self, store: Store, query: UsageQuery) -> list[str]:
        since = round(query.period.since.timestamp() * 1000)
        until = round(query.period.until.timestamp() * 1000)
        events = events_between(store.db, "openai", PARENT_MISSING, since, until)
        missing = sorted({parent for _, parent in events})
        if not missing:
            return []
        if len(events) == 1:
            return [
                f"1 forked {self.tool} session names a parent rollout that is not on disk "
                f"({missing[0]}): its totals may include the parent's replayed history"
            ]
        return [
            f"{len(events)} forked {self.tool} sessions name parent rollouts that are not on "
            f"disk (first: {missing[0]}): their totals may include their parents' replayed "
            "history"
        ]


def _split(path: Path, folder: str) -> tuple[Path, Path] | None:
    """(home, path inside ``folder``) when the path lies under a folder of that name."""
    parts = path.parts
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] == folder:
            return Path(*parts[:index]), Path(*parts[index + 1 :])
    return None
