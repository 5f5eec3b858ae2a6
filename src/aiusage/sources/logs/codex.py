"""Codex CLI rollouts (``$CODEX_HOME/sessions``, ``archived_sessions``): per-call usage and limits.

A call's usage is ``last_token_usage``, else the difference of successive cumulative
``total_token_usage`` values. An event whose cumulative total was already seen in the file is a
re-emission and counts once. A forked or subagent rollout first replays its parent's events, all
stamped in the file's first second: those are skipped and their totals become the baseline.
Copies of one event in two files share a key (timestamp, model, counters) and count once.
OpenAI's ``input_tokens`` includes cached input and ``output_tokens`` includes reasoning; our
fields do not overlap, so cached (and cache-write) tokens are taken out of input.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from aiusage.models import ProviderName, Quota
from aiusage.sources.logs.files import split_roots
from aiusage.sources.logs.lines import Line, LogParser, count, epoch_ms
from aiusage.sources.logs.source import LocalLogSource, folder_present

if TYPE_CHECKING:
    from aiusage.settings import Settings
    from aiusage.store import Store

RATE_LIMITS = "rate_limits"
WINDOW_NAMES = {300: "codex_5h", 10080: "codex_weekly"}
_ZERO = (0, 0, 0, 0, 0, 0)
Usage = tuple[int, int, int, int, int, int]  # input, cached, output, reasoning, total, cache write


def _usage(value: object) -> Usage | None:
    if not isinstance(value, dict):
        return None
    numbers = [
        count(value.get("input_tokens")),
        count(value.get("cached_input_tokens", value.get("cache_read_input_tokens"))),
        count(value.get("output_tokens")),
        count(value.get("reasoning_output_tokens")),
        count(value.get("total_tokens")),
        count(value.get("cache_write_input_tokens")),
    ]
    if numbers[0] is None or numbers[2] is None:
        return None
    a, b, c, d, e, f = (n or 0 for n in numbers)
    return (a, b, c, d, e, f)


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

    def __init__(self, file_label: str, state: dict[str, Any]) -> None:
        super().__init__(file_label, state)
        self.seen = set(state.get("seen", []))
        self.previous: list[int] | None = state.get("previous")

    def begin(self, head: bytes) -> None:
        self.state["fork"] = b"thread_spawn" in head

    def feed(self, offset: int, raw: bytes, hit: int) -> None:
        try:
            entry = orjson.loads(raw)
        except orjson.JSONDecodeError:
            self.bad_lines += 1
            return
        self.parsed += 1
        payload = entry.get("payload") if isinstance(entry, dict) else None
        ts = epoch_ms(entry.get("timestamp")) if isinstance(entry, dict) else None
        if not isinstance(payload, dict) or ts is None:
            self.bad_lines += 1
            return
        self.state.setdefault("first_second", ts // 1000)
        kind = entry.get("type")
        if kind == "session_meta":
            self._context(payload)
            if payload.get("forked_from_id"):
                self.state["fork"] = True
        elif kind == "turn_context":
            self._context(payload)
        elif kind == "event_msg" and payload.get("type") == "token_count":
            self._rate_limits(ts, payload.get("rate_limits"))
            self._token_count(offset, str(entry["timestamp"]), ts, payload)

    def _context(self, payload: dict[str, Any]) -> None:
        for name in ("model", "cwd"):
            if isinstance(payload.get(name), str) and payload[name]:
                self.state[name] = payload[name]

    def _token_count(self, offset: int, stamp: str, ts: int, payload: dict[str, Any]) -> None:
        info = payload.get("info")
        if not isinstance(info, dict):
            return  # the first event of a turn carries rate limits only
        total = _usage(info.get("total_token_usage"))
        last = _usage(info.get("last_token_usage"))
        if total is None and last is None:
            self.bad_lines += 1
            return
        if total is not None:
            seen_key = ",".join(map(str, total))
            if seen_key in self.seen:
                return  # the same event re-emitted later
            self.seen.add(seen_key)
        previous, self.previous = self.previous, (list(total) if total else self.previous)
        if self.state.get("fork") and ts // 1000 == self.state.get("first_second"):
            return  # a forked rollout replaying its parent: the totals are only a baseline
        if last is not None:
            delta = last
        else:
            assert total is not None
            base = previous or _ZERO
            a, b, c, d, e, f = (max(now - then, 0) for now, then in zip(total, base, strict=True))
            delta = (a, b, c, d, e, f)
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
            )
        )

    def _rate_limits(self, ts: int, limits: object) -> None:
        if not isinstance(limits, dict) or limits.get("limit_id") not in (None, "codex"):
            return
        windows = []
        for slot in ("primary", "secondary"):
            window = limits.get(slot)
            if not isinstance(window, dict):
                continue
            used = window.get("used_percent")
            if not isinstance(used, int | float) or isinstance(used, bool):
                continue
            resets = window.get("resets_at")
            relative = window.get("resets_in_seconds")  # logs of Sept-Oct 2025
            if isinstance(resets, int | float):
                reset_ms: int | None = round(resets * 1000)
            elif isinstance(relative, int | float):
                reset_ms = ts + round(relative * 1000)
            else:
                reset_ms = None
            minutes = window.get("window_minutes")
            windows.append(
                {
                    "slot": slot,
                    "minutes": minutes if isinstance(minutes, int) else None,
                    "used": str(used),
                    "resets": reset_ms,
                }
            )
        if windows:
            self.event(RATE_LIMITS, ts, orjson.dumps({"windows": windows}).decode())

    def snapshot(self) -> dict[str, Any]:
        return {**self.state, "seen": sorted(self.seen), "previous": self.previous}


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

    def roots(self, settings: Settings) -> list[Path]:
        return codex_roots(settings)

    def make_parser(self, path: Path, state: dict[str, Any]) -> LogParser:
        return CodexParser(str(path), state)

    def select(self, files: list[Path], settings: Settings) -> list[Path]:
        """The same relative path in ``sessions`` and ``archived_sessions``: the active copy."""
        active = {found for path in files if (found := _split(path, "sessions"))}
        return [path for path in files if _split(path, "archived_sessions") not in active]

    def quotas(self, store: Store, now: datetime) -> list[Quota]:
        return rate_limit_quotas(store, now)


def _split(path: Path, folder: str) -> tuple[Path, Path] | None:
    """(home, path inside ``folder``) when the path lies under a folder of that name."""
    parts = path.parts
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] == folder:
            return Path(*parts[:index]), Path(*parts[index + 1 :])
    return None


def rate_limit_quotas(store: Store, now: datetime) -> list[Quota]:
    """The latest Codex rate-limit windows, classified by their length, not their slot."""
    row = store.db.execute(
        "SELECT ts, payload FROM local_events WHERE provider = 'openai' AND kind = ? "
        "ORDER BY ts DESC LIMIT 1",
        (RATE_LIMITS,),
    ).fetchone()
    if row is None:
        return []
    observed = datetime.fromtimestamp(row[0] / 1000, UTC)
    quotas = []
    for window in orjson.loads(row[1])["windows"]:
        minutes = window["minutes"]
        name = WINDOW_NAMES.get(minutes) or (
            f"codex_{minutes}m" if minutes else f"codex_{window['slot']}"
        )
        resets = (
            None
            if window["resets"] is None
            else datetime.fromtimestamp(window["resets"] / 1000, UTC)
        )
        rolled_over = resets is not None and resets <= now
        quotas.append(
            Quota(
                provider="openai",
                source="local",
                name=name,
                # A window that has reset since the snapshot starts again from zero.
                used=Decimal(0) if rolled_over else Decimal(window["used"]),
                limit=Decimal(100),
                unit="percent",
                resets_at=None if rolled_over else resets,
                observed_at=observed,
                estimated=rolled_over,
            )
        )
    return quotas
