"""Fixtures of the end-to-end suite: the fake vendor server and the installed ``aiusage``."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.fake_data import Expected, Totals, day_start
from tests.e2e.fake_vendors import FakeVendors

AIUSAGE = Path(sys.executable).parent / "aiusage"
RUN_TIMEOUT = 120  # seconds; a run that takes longer is a hang, not a slow machine


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    def document(self) -> dict[str, Any]:
        """The ``--format json`` document, with every number that has a fraction as Decimal."""
        doc: dict[str, Any] = json.loads(self.stdout, parse_float=Decimal)
        return doc

    def rows(self) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(self.stdout)))

    def __str__(self) -> str:
        out, err = self.stdout[-3000:], self.stderr[-3000:]
        return f"exit {self.code}\n--- stdout\n{out}\n--- stderr\n{err}"


class Cli:
    """Runs the installed console script with a private home, store and environment."""

    def __init__(self, fake: FakeVendors, root: Path) -> None:
        self.fake = fake
        self.root = root
        self.home = root / "home"
        self.store = root / "store"
        self.work = root / "work"
        for folder in (self.home, self.work):  # the store folder is aiusage's to create
            folder.mkdir(parents=True, exist_ok=True)
        self.service_account = fake.write_service_account(root / "service-account.json")

    @property
    def store_file(self) -> Path:
        return self.store / "aiusage.sqlite3"

    def env(self, **overrides: str | None) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "AIUSAGE_HOME": str(self.store),
            "AIUSAGE_HTTP_TIMEOUT": "5",
            "AIUSAGE_TIMEZONE": "UTC",  # the expected figures are per UTC day
            "COLUMNS": "200",
            "LINES": "200",
            "NO_COLOR": "1",
            "TERM": "dumb",
            "LANG": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
            **self.fake.env(),
            "ANTHROPIC_ADMIN_KEY": self.fake.keys["anthropic"],
            "OPENAI_ADMIN_KEY": self.fake.keys["openai"],
            "CURSOR_ADMIN_KEY": self.fake.keys["cursor"],
            "GEMINI_API_KEY": self.fake.keys["gemini"],
            "GOOGLE_APPLICATION_CREDENTIALS": str(self.service_account),
            "GOOGLE_CLOUD_PROJECT": self.fake.google_project,
        }
        for key, value in overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def command(self, args: Iterable[str]) -> list[str]:
        return [str(AIUSAGE), *args]

    def run(self, *args: str, env: Mapping[str, str | None] | None = None) -> Run:
        done = subprocess.run(
            self.command(args),
            env=self.env(**(env or {})),
            cwd=self.work,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    def start(
        self, *args: str, env: Mapping[str, str | None] | None = None
    ) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(args),
            env=self.env(**(env or {})),
            cwd=self.work,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeVendors]:
    with FakeVendors() as fake:
        yield fake


@pytest.fixture
def fake(fake_server: FakeVendors) -> Iterator[FakeVendors]:
    """The shared fake with no faults, no latency and zeroed counters."""
    fake_server.reset()
    yield fake_server
    fake_server.reset()


@pytest.fixture
def cli(fake: FakeVendors, tmp_path: Path) -> Cli:
    return Cli(fake, tmp_path / "cli")


# --- periods and totals --------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    since: date
    until: date

    @property
    def args(self) -> list[str]:
        return ["--since", self.since.isoformat(), "--until", self.until.isoformat()]

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return day_start(self.since), day_start(self.until)


def report_window(fake: FakeVendors, days: int = 40) -> Window:
    """A window inside the fake's data, longer than one 31-day request window."""
    until = fake.data.last_day - timedelta(days=1)
    return Window(until - timedelta(days=days), until)


def totals(records: Iterable[Mapping[str, Any]], provider: str, source: str = "api") -> Expected:
    """Per UTC day and model, what the report's records add up to (cost None when never set)."""
    out: Expected = defaultdict(Totals)
    for r in records:
        if r["provider"] != provider or r["source"] != source:
            continue
        if "start" in r:
            start = datetime.fromisoformat(str(r["start"]).replace("Z", "+00:00")).astimezone(UTC)
            day, model = start.date(), r["model"] or None
        else:  # a CSV row of `--by day --breakdown`: the day's own row, then its models
            if not r["model"]:
                continue
            day = date.fromisoformat(r["key"])
            model = None if r["model"].startswith("(") else r["model"]  # "(web_search)"
        t = out[(day, model)]
        t.input_tokens += int(r["input_tokens"])
        t.output_tokens += int(r["output_tokens"])
        t.cache_read_tokens += int(r["cache_read_tokens"])
        t.cache_write_tokens += int(r["cache_write_tokens"])
        if r["cost_usd"] not in (None, ""):
            t.add_cost(Decimal(str(r["cost_usd"])))
    return dict(out)


def without_cost(expected: Expected) -> Expected:
    return {
        k: Totals(v.input_tokens, v.output_tokens, v.cache_read_tokens, v.cache_write_tokens)
        for k, v in expected.items()
    }


def tokens_only(found: Expected) -> Expected:
    """Drop cost-only rows and every cost: for vendors whose dollars are checked separately."""
    return {
        k: v
        for k, v in without_cost(found).items()
        if v.input_tokens or v.output_tokens or v.cache_read_tokens or v.cache_write_tokens
    }


def total_cost(found: Expected) -> Decimal:
    return sum((t.cost or Decimal(0) for t in found.values()), Decimal(0))


def table_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """The header and body cells of the first Rich table in ``text``."""
    lines = text.splitlines()
    header = next(line for line in lines if "┃" in line and "Input" in line)
    names = [cell.strip() for cell in header.strip().strip("┃").split("┃")]
    body = [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in lines
        if line.startswith("│")
    ]
    return names, body
