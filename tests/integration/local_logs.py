"""Recent Claude Code and Codex logs for the integration tests: usage and a live Codex window."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from tests.sources.logs.logs import (
    assistant,
    claude_project,
    claude_usage,
    codex_usage,
    rollout,
    session_meta,
    token_count,
    turn_context,
    write_lines,
)

# A model name as a log file may carry it: quotes, a backslash, non-ASCII (never priced).
ODD_MODEL = 'claude-"lab"\\build-ü'


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def write_local_logs(home: Path, now: datetime) -> None:
    earlier = now - timedelta(hours=2)
    project = claude_project(home)
    write_lines(
        project / "session-a.jsonl",
        [
            assistant("msg_1", "req_1", claude_usage(40, 2500, 10000, 1000),
                      timestamp=stamp(earlier)),
            assistant("msg_2", "req_2", claude_usage(60, 500, 0, 0, split=(0, 400)),
                      timestamp=stamp(earlier + timedelta(minutes=5))),
            assistant("msg_3", "req_3", claude_usage(7, 9, 0, 0), model=ODD_MODEL,
                      timestamp=stamp(earlier + timedelta(minutes=6))),
        ],
    )  # fmt: skip
    resets = int((now + timedelta(hours=3)).timestamp())
    write_lines(
        rollout(home, f"rollout-{now:%Y-%m-%dT%H-%M-%S}-01998a11.jsonl"),
        [
            session_meta(stamp(earlier)),
            turn_context(timestamp=stamp(earlier + timedelta(seconds=1))),
            token_count(
                stamp(earlier + timedelta(seconds=3)),
                total=codex_usage(2500, 500, 300, 200),
                last=codex_usage(2500, 500, 300, 200),
                rate_limits={
                    "primary": {"used_percent": 42.0, "window_minutes": 300, "resets_at": resets},
                    "secondary": {"used_percent": 12.5, "window_minutes": 10080,
                                  "resets_at": resets + 86400},
                },
            ),
        ],
    )  # fmt: skip
