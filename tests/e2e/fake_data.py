"""Seeded usage data for the fake vendor server, and the totals a correct report must show.

Everything here is computed from the fake's own rows, never with code from ``aiusage``: the
expected totals are an independent oracle for the end-to-end tests.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

# --- shared ----------------------------------------------------------------------------------


@dataclass
class Totals:
    """What one (day, model) must add up to in a report. ``cost`` None: not checked."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost: Decimal | None = None

    def add_cost(self, dollars: Decimal) -> None:
        self.cost = (self.cost or Decimal(0)) + dollars


Expected = dict[tuple[date, str | None], Totals]


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _in(moment: datetime, since: datetime, until: datetime) -> bool:
    return since <= moment < until


# --- Anthropic ---------------------------------------------------------------------------------

CLAUDE_MODELS = {
    # model: cents per token for uncached input, output, cache read, 5m write, 1h write
    "claude-sonnet-4-5-20250929": (
        ("Claude Sonnet 4.5", Decimal("0.0003"), Decimal("0.0015"), Decimal("0.00003")),
        (Decimal("0.000375"), Decimal("0.0006")),
    ),
    "claude-haiku-4-5-20251001": (
        ("Claude Haiku 4.5", Decimal("0.0001"), Decimal("0.0005"), Decimal("0.00001")),
        (Decimal("0.000125"), Decimal("0.0002")),
    ),
    "claude-opus-4-1-20250805": (
        ("Claude Opus 4.1", Decimal("0.0015"), Decimal("0.0075"), Decimal("0.00015")),
        (Decimal("0.001875"), Decimal("0.003")),
    ),
}
CLAUDE_WORKSPACES = (None, "wrkspc_01E2EResearchTeam0000000")
# The analytics API gives the default workspace a real tagged ID; the legacy reports say null.
CLAUDE_DEFAULT_WORKSPACE = "wrkspc_01E2EDefaultWorkspace00000"
CLAUDE_PRODUCTS = ("claude_code", "messages_api")
CLAUDE_ACTORS = (
    {
        "type": "user_actor",
        "user_id": "user_01E2EDana00000000000",
        "email_address": "dana@example.com",
        "name": "Dana",
        "deleted": False,
    },
    {"type": "api_actor", "api_key_id": "apikey_01E2EBatchJobs0000000"},
)
TOKEN_TYPES = (
    ("uncached_input_tokens", "Input Tokens"),
    ("output_tokens", "Output Tokens"),
    ("cache_read_input_tokens", "Cache Read"),
    ("cache_creation.ephemeral_5m_input_tokens", "Cache Write (5m)"),
    ("cache_creation.ephemeral_1h_input_tokens", "Cache Write (1h)"),
)


@dataclass(frozen=True)
class ClaudeUsage:
    """Usage of one model in one hour under one workspace, product and actor."""

    hour: datetime
    model: str
    workspace_id: str | None
    product: str
    actor: int  # index into CLAUDE_ACTORS
    uncached: int
    output: int
    cache_read: int
    cache_5m: int
    cache_1h: int
    web_search: int
    requests: int

    def tokens(self, token_type: str) -> int:
        return {
            "uncached_input_tokens": self.uncached,
            "output_tokens": self.output,
            "cache_read_input_tokens": self.cache_read,
            "cache_creation.ephemeral_5m_input_tokens": self.cache_5m,
            "cache_creation.ephemeral_1h_input_tokens": self.cache_1h,
        }[token_type]

    def cents(self, token_type: str) -> Decimal:
        (_, uncached, output, read), (write_5m, write_1h) = CLAUDE_MODELS[self.model]
        rate = {
            "uncached_input_tokens": uncached,
            "output_tokens": output,
            "cache_read_input_tokens": read,
            "cache_creation.ephemeral_5m_input_tokens": write_5m,
            "cache_creation.ephemeral_1h_input_tokens": write_1h,
        }[token_type]
        return self.tokens(token_type) * rate

    @property
    def total_tokens(self) -> int:
        return self.uncached + self.output + self.cache_read + self.cache_5m + self.cache_1h


@dataclass(frozen=True)
class ClaudeCharge:
    """A cost line not tied to a model: web search or code execution, in cents."""

    hour: datetime
    cost_type: str
    description: str
    workspace_id: str | None
    cents: Decimal
    requests: int


# --- OpenAI ------------------------------------------------------------------------------------

OPENAI_MODELS = {
    # model: dollars per token for uncached input, cached input, output
    "gpt-5-2025-08-07": (Decimal("0.00000125"), Decimal("0.000000125"), Decimal("0.00001")),
    "gpt-4.1-mini-2025-04-14": (Decimal("0.0000004"), Decimal("0.0000001"), Decimal("0.0000016")),
}
OPENAI_PROJECTS = ("proj_E2EDefault000000000000", "proj_E2EResearch00000000000")
OPENAI_USERS = ("user-E2EDana00000000000000", "user-E2ELee000000000000000")
OPENAI_KEYS = ("key_E2EServer00000000", "key_E2ELaptop00000000")


@dataclass(frozen=True)
class OpenAIUsage:
    """Completions usage of one model in one hour; ``input_tokens`` includes the cached ones."""

    hour: datetime
    model: str
    project_id: str
    user_id: str
    api_key_id: str
    batch: bool
    input_tokens: int
    cached_tokens: int
    output_tokens: int
    requests: int

    def input_dollars(self) -> Decimal:
        uncached, cached, _ = OPENAI_MODELS[self.model]
        return (self.input_tokens - self.cached_tokens) * uncached + self.cached_tokens * cached

    def output_dollars(self) -> Decimal:
        return self.output_tokens * OPENAI_MODELS[self.model][2]


# --- Cursor ------------------------------------------------------------------------------------

CURSOR_MEMBERS = (
    (48213, "Dana", "dana@example.com", "member"),
    (48290, "Lee", "lee@example.com", "owner"),
    (48377, "Sam", "sam@example.com", "member"),
)
CURSOR_MODELS = {
    # model: cents per token for input, output, cache write, cache read
    "claude-4.5-sonnet": (
        Decimal("0.0003"),
        Decimal("0.0015"),
        Decimal("0.000375"),
        Decimal("0.00003"),
    ),
    "gpt-5": (Decimal("0.000125"), Decimal("0.001"), Decimal("0.000125"), Decimal("0.0000125")),
}
CURSOR_TOKEN_FEE = Decimal("0.000025")  # cents per token: the $0.25/M Cursor Token Fee


@dataclass(frozen=True)
class CursorEvent:
    timestamp_ms: int
    email: str
    model: str
    kind: str
    token_based: bool
    input_tokens: int
    output_tokens: int
    cache_write: int
    cache_read: int
    total_cents: Decimal
    fee_cents: Decimal
    charged_cents: Decimal
    requests_costs: int

    @property
    def moment(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp_ms / 1000, tz=UTC)


# --- Google ------------------------------------------------------------------------------------

GEMINI_MODELS = {"gemini-2.5-flash": "free", "gemini-2.5-pro": "paid"}


@dataclass(frozen=True)
class GeminiUsage:
    hour: datetime
    model: str
    tier: str
    input_tokens: int
    output_tokens: int
    requests: int


# --- the data set ------------------------------------------------------------------------------


@dataclass
class Dataset:
    """Every vendor's usage from ``first_day`` for ``days`` days, generated from ``seed``."""

    seed: int
    first_day: date
    days: int
    claude: list[ClaudeUsage] = field(default_factory=list)
    claude_charges: list[ClaudeCharge] = field(default_factory=list)
    openai: list[OpenAIUsage] = field(default_factory=list)
    cursor: list[CursorEvent] = field(default_factory=list)
    gemini: list[GeminiUsage] = field(default_factory=list)

    @property
    def last_day(self) -> date:
        """The day after the last day with data."""
        return self.first_day + timedelta(days=self.days)

    @classmethod
    def generate(cls, seed: int, first_day: date, days: int) -> Dataset:
        data = cls(seed=seed, first_day=first_day, days=days)
        rng = random.Random(seed)
        for offset in range(days):
            start = day_start(first_day + timedelta(days=offset))
            data._claude_day(rng, start)
            data._openai_day(rng, start)
            data._cursor_day(rng, start)
            data._gemini_day(rng, start)
        return data

    @staticmethod
    def _hours(rng: random.Random, start: datetime, low: int, high: int) -> list[datetime]:
        return [
            start + timedelta(hours=h)
            for h in sorted(rng.sample(range(24), rng.randint(low, high)))
        ]

    def _claude_day(self, rng: random.Random, start: datetime) -> None:
        for model in CLAUDE_MODELS:
            if rng.random() < 0.15:
                continue  # a quiet day for this model
            for hour in self._hours(rng, start, 1, 3):
                self.claude.append(
                    ClaudeUsage(
                        hour=hour,
                        model=model,
                        workspace_id=rng.choice(CLAUDE_WORKSPACES),
                        product=rng.choice(CLAUDE_PRODUCTS),
                        actor=rng.randrange(len(CLAUDE_ACTORS)),
                        uncached=rng.randint(500, 400_000),
                        output=rng.randint(100, 120_000),
                        cache_read=rng.choice((0, rng.randint(1_000, 3_000_000))),
                        cache_5m=rng.choice((0, rng.randint(100, 90_000))),
                        cache_1h=rng.choice((0, 0, rng.randint(100, 20_000))),
                        web_search=rng.choice((0, 0, rng.randint(1, 15))),
                        requests=rng.randint(1, 900),
                    )
                )
        searches = sum(u.web_search for u in self.claude if u.hour.date() == start.date())
        if searches:
            self.claude_charges.append(
                ClaudeCharge(
                    start, "web_search", "Web Search Usage", None, Decimal(searches), searches
                )
            )
        if rng.random() < 0.4:
            cents = Decimal(rng.randint(1, 900)) / 4
            self.claude_charges.append(
                ClaudeCharge(
                    start + timedelta(hours=rng.randrange(24)),
                    "code_execution",
                    "Code Execution Usage",
                    CLAUDE_WORKSPACES[1],
                    cents,
                    rng.randint(1, 40),
                )
            )

    def _openai_day(self, rng: random.Random, start: datetime) -> None:
        for model in OPENAI_MODELS:
            if rng.random() < 0.15:
                continue
            for hour in self._hours(rng, start, 1, 3):
                total = rng.randint(1_000, 2_000_000)
                self.openai.append(
                    OpenAIUsage(
                        hour=hour,
                        model=model,
                        project_id=rng.choice(OPENAI_PROJECTS),
                        user_id=rng.choice(OPENAI_USERS),
                        api_key_id=rng.choice(OPENAI_KEYS),
                        batch=rng.random() < 0.2,
                        input_tokens=total,
                        cached_tokens=rng.choice((0, rng.randint(0, total))),
                        output_tokens=rng.randint(50, 100_000),
                        requests=rng.randint(1, 500),
                    )
                )

    def _cursor_day(self, rng: random.Random, start: datetime) -> None:
        for _ in range(rng.randint(0, 6)):
            moment = start + timedelta(milliseconds=rng.randrange(86_400_000))
            _, _, email, _ = rng.choice(CURSOR_MEMBERS)
            model = rng.choice(tuple(CURSOR_MODELS))
            if rng.random() < 0.2:
                self.cursor.append(
                    CursorEvent(
                        int(moment.timestamp() * 1000),
                        email,
                        model,
                        "Included in Business",
                        False,
                        0,
                        0,
                        0,
                        0,
                        Decimal(0),
                        Decimal(0),
                        Decimal(rng.choice((0, 4))),
                        1,
                    )
                )
                continue
            counts = (
                rng.randint(100, 20_000),
                rng.randint(50, 5_000),
                rng.randint(0, 30_000),
                rng.randint(0, 100_000),
            )
            rates = CURSOR_MODELS[model]
            total = sum((n * r for n, r in zip(counts, rates, strict=True)), Decimal(0))
            fee = sum(counts) * CURSOR_TOKEN_FEE
            self.cursor.append(
                CursorEvent(
                    int(moment.timestamp() * 1000),
                    email,
                    model,
                    "Usage-based",
                    True,
                    *counts,
                    total,
                    fee,
                    total + fee,
                    rng.randint(1, 3),
                )
            )
        self.cursor.sort(key=lambda e: e.timestamp_ms)

    def _gemini_day(self, rng: random.Random, start: datetime) -> None:
        for model, tier in GEMINI_MODELS.items():
            if rng.random() < 0.2:
                continue
            for hour in self._hours(rng, start, 1, 4):
                self.gemini.append(
                    GeminiUsage(
                        hour,
                        model,
                        tier,
                        rng.randint(100, 500_000),
                        rng.randint(10, 60_000),
                        rng.randint(1, 300),
                    )
                )

    # --- expected totals, per UTC day and model ------------------------------------------------

    def expected_claude(self, since: datetime, until: datetime) -> Expected:
        """Tokens and the billed dollars (cents / 100) per day and model; None: non-model cost."""
        out: Expected = defaultdict(Totals)
        for u in self.claude:
            if not _in(u.hour, since, until):
                continue
            t = out[(u.hour.date(), u.model)]
            t.input_tokens += u.uncached
            t.output_tokens += u.output
            t.cache_read_tokens += u.cache_read
            t.cache_write_tokens += u.cache_5m + u.cache_1h
            t.add_cost(sum((u.cents(tt) for tt, _ in TOKEN_TYPES), Decimal(0)) / 100)
        for c in self.claude_charges:
            if _in(c.hour, since, until):
                out[(c.hour.date(), None)].add_cost(c.cents / 100)
        return dict(out)

    def expected_openai(self, since: datetime, until: datetime) -> Expected:
        """Tokens and dollars per day and model (ours: input = uncached; the cost line items
        name their model: "gpt-5-2025-08-07, input")."""
        out: Expected = defaultdict(Totals)
        for u in self.openai:
            if not _in(u.hour, since, until):
                continue
            t = out[(u.hour.date(), u.model)]
            t.input_tokens += u.input_tokens - u.cached_tokens
            t.cache_read_tokens += u.cached_tokens
            t.output_tokens += u.output_tokens
            t.add_cost(u.input_dollars() + u.output_dollars())
        return dict(out)

    def expected_cursor(self, since: datetime, until: datetime) -> Expected:
        """Tokens and charged dollars (``chargedCents`` / 100) per day and model."""
        out: Expected = defaultdict(Totals)
        for e in self.cursor:
            if not _in(e.moment, since, until):
                continue
            t = out[(e.moment.date(), e.model)]
            t.input_tokens += e.input_tokens
            t.output_tokens += e.output_tokens
            t.cache_read_tokens += e.cache_read
            t.cache_write_tokens += e.cache_write
            t.add_cost(e.charged_cents / 100)
        return dict(out)

    def expected_gemini(self, since: datetime, until: datetime) -> Expected:
        """Input and output tokens per day and model (Monitoring has no cache split, no cost)."""
        out: Expected = defaultdict(Totals)
        for g in self.gemini:
            if _in(g.hour, since, until):
                t = out[(g.hour.date(), g.model)]
                t.input_tokens += g.input_tokens
                t.output_tokens += g.output_tokens
        return dict(out)

    def expected(self, provider: str, since: datetime, until: datetime) -> Expected:
        return {
            "claude": self.expected_claude,
            "openai": self.expected_openai,
            "cursor": self.expected_cursor,
            "gemini": self.expected_gemini,
        }[provider](since, until)
