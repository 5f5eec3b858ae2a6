"""One ``aiusage cursor set``: its options read, checked and completed into a dated entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict

from aiusage.cycles import add_months
from aiusage.errors import UsageError
from aiusage.models import MAX_USD, Money, UtcDatetime, format_utc
from aiusage.periods import parse_when

PLANS = ("free", "pro", "pro-plus", "ultra", "teams", "enterprise")
# Dollars of API-priced usage each individual plan includes (Cursor pricing since June 2025).
INCLUDED_USD = {"pro": Decimal(20), "pro-plus": Decimal(70), "ultra": Decimal(400)}
# No plan counts anywhere near a billion requests in a cycle; the cap keeps SQLite's integers.
MAX_REQUESTS = 10**9
MONEY_PLACES = 6
_SMALLEST_AMOUNT = Decimal(1).scaleb(-MONEY_PLACES)
_PLAN_ALIASES = {"pro+": "pro-plus", "proplus": "pro-plus", "hobby": "free", "team": "teams"}


class ManualEntry(BaseModel):
    """One dated observation of the Cursor dashboard."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    observed_at: UtcDatetime
    plan: str | None = None
    used_usd: Money | None = None
    included_usd: Money | None = None
    on_demand_usd: Money | None = None
    fast_requests: int | None = None
    fast_limit: int | None = None
    premium_requests: int | None = None
    premium_limit: int | None = None
    cycle_start: UtcDatetime
    cycle_end: UtcDatetime


@dataclass(frozen=True)
class EntryInput:
    """The options of ``aiusage cursor set`` as typed; None where an option was not given."""

    plan: str | None = None
    used_usd: str | None = None
    included_usd: str | None = None
    on_demand_usd: str | None = None
    fast_requests: str | None = None
    fast_limit: str | None = None
    premium_requests: str | None = None
    premium_limit: str | None = None
    cycle_start: str | None = None
    cycle_end: str | None = None


@dataclass(frozen=True)
class _Parsed:
    plan: str | None
    used_usd: Decimal | None
    included_usd: Decimal | None
    on_demand_usd: Decimal | None
    fast_requests: int | None
    fast_limit: int | None
    premium_requests: int | None
    premium_limit: int | None
    cycle_start: datetime | None
    cycle_end: datetime | None


def parse_money(text: str, option: str) -> Decimal:
    """A dollar amount as typed (``12.40``, ``$12.40``); exact, never negative, below
    ``MAX_USD``, at most ``MONEY_PLACES`` decimal places."""
    cleaned = text.strip().removeprefix("$").strip()
    wrong = UsageError(f"{option} needs an amount in dollars such as 12.40, not {text!r}")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise wrong from None
    if not value.is_finite():
        raise wrong
    if value < 0:
        raise UsageError(f"{option} cannot be negative (got {text})")
    if value > MAX_USD:
        raise UsageError(f"{option} must be at most ${MAX_USD:,} (got {text})")
    if value != value.quantize(_SMALLEST_AMOUNT, rounding=ROUND_DOWN):
        raise UsageError(
            f"{option} has more than {MONEY_PLACES} decimal places (got {text}); "
            "give dollars and cents such as 12.40"
        )
    return value


def parse_count(text: str, option: str) -> int:
    """A whole number of requests in ASCII digits (``²`` is a digit to Python, not to us),
    never negative, at most ``MAX_REQUESTS``."""
    cleaned = text.strip()
    digits = cleaned.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        raise UsageError(f"{option} needs a whole number of requests, not {text!r}")
    if cleaned.startswith("-"):
        raise UsageError(f"{option} cannot be negative (got {text})")
    # Compared as text first: int() of thousands of digits is refused by Python itself.
    if len(digits.lstrip("0")) > len(str(MAX_REQUESTS)) or int(digits) > MAX_REQUESTS:
        raise UsageError(f"{option} must be at most {MAX_REQUESTS:,} (got {text[:30]})")
    return int(digits)


def parse_plan(text: str) -> str:
    name = text.strip().lower()
    name = _PLAN_ALIASES.get(name, name)
    if name not in PLANS:
        raise UsageError(f"unknown plan {text!r}: use one of {', '.join(PLANS)}")
    return name


def _parse_date(text: str, option: str, now: datetime) -> datetime:
    try:
        return parse_when(text, now)
    except UsageError as exc:
        raise UsageError(f"{option}: {exc.message}") from None


def parse_input(given: EntryInput, now: datetime) -> _Parsed:
    """Read every option; raise ``UsageError`` on the first bad one."""

    def money(text: str | None, option: str) -> Decimal | None:
        return None if text is None else parse_money(text, option)

    def count(text: str | None, option: str) -> int | None:
        return None if text is None else parse_count(text, option)

    def when(text: str | None, option: str) -> datetime | None:
        return None if text is None else _parse_date(text, option, now)

    parsed = _Parsed(
        plan=None if given.plan is None else parse_plan(given.plan),
        used_usd=money(given.used_usd, "--used-usd"),
        included_usd=money(given.included_usd, "--included-usd"),
        on_demand_usd=money(given.on_demand_usd, "--on-demand-usd"),
        fast_requests=count(given.fast_requests, "--fast-requests"),
        fast_limit=count(given.fast_limit, "--fast-limit"),
        premium_requests=count(given.premium_requests, "--premium-requests"),
        premium_limit=count(given.premium_limit, "--premium-limit"),
        cycle_start=when(given.cycle_start, "--cycle-start"),
        cycle_end=when(given.cycle_end, "--cycle-end"),
    )
    usage = (parsed.used_usd, parsed.on_demand_usd, parsed.fast_requests, parsed.premium_requests)
    if all(value is None for value in usage):
        raise UsageError(
            "nothing to record: give what the Cursor dashboard shows, e.g. --used-usd 12.40 "
            "(or --on-demand-usd, --fast-requests, --premium-requests)"
        )
    return parsed


def cycle_of(
    parsed: _Parsed, latest: ManualEntry | None, now: datetime
) -> tuple[datetime, datetime]:
    """The billing cycle of the new entry: as given, else the latest entry's while today is
    inside it, else this calendar month."""
    start, end = parsed.cycle_start, parsed.cycle_end
    if start is None and end is None:
        if latest is not None and latest.cycle_start <= now < latest.cycle_end:
            return latest.cycle_start, latest.cycle_end
        month = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        return month, add_months(month, 1)
    if start is None:
        assert end is not None
        start = add_months(end, -1)
    elif end is None:
        end = add_months(start, 1)
    if end <= start:
        raise UsageError(
            f"--cycle-end ({format_utc(end)}) must be after --cycle-start ({format_utc(start)})"
        )
    if start > now:
        raise UsageError(
            f"the cycle starts in the future ({format_utc(start)}); it cannot have usage yet"
        )
    return start, end


def resolve(
    parsed: _Parsed,
    latest: ManualEntry | None,
    same_cycle: ManualEntry | None,
    cycle: tuple[datetime, datetime],
    now: datetime,
) -> ManualEntry:
    """The entry to store: the options, with what they do not name kept from ``same_cycle``
    (the latest entry of this billing cycle): the amounts and counts always, the limits and
    included dollars while the plan is the same; the plan's included dollars by default."""
    plan = parsed.plan or (latest.plan if latest else None)
    source = same_cycle or latest
    same_plan = source is not None and source.plan == plan

    def kept(given: Decimal | int | None, name: str, only_same_plan: bool = False) -> Any:
        if given is not None:
            return given
        if source is None or (only_same_plan and not same_plan):
            return None
        if not only_same_plan and source is not same_cycle:
            return None  # usage of another cycle is not this cycle's
        return getattr(source, name)

    included = kept(parsed.included_usd, "included_usd", only_same_plan=True)
    if included is None:
        included = INCLUDED_USD.get(plan or "")
    fast_limit = kept(parsed.fast_limit, "fast_limit", only_same_plan=True)
    premium_limit = kept(parsed.premium_limit, "premium_limit", only_same_plan=True)
    fast_requests = kept(parsed.fast_requests, "fast_requests")
    premium_requests = kept(parsed.premium_requests, "premium_requests")
    for used, limit, what in (
        (fast_requests, fast_limit, "fast"),
        (premium_requests, premium_limit, "premium"),
    ):
        if used is not None and limit is not None and used > limit:
            raise UsageError(
                f"--{what}-requests {used} is above the {what}-request limit {limit}: {what} "
                f"requests stop at the limit (pass --{what}-limit if the limit changed)"
            )
    start, end = cycle
    return ManualEntry(
        observed_at=now,
        plan=plan,
        used_usd=kept(parsed.used_usd, "used_usd"),
        included_usd=included,
        on_demand_usd=kept(parsed.on_demand_usd, "on_demand_usd"),
        fast_requests=fast_requests,
        fast_limit=fast_limit,
        premium_requests=premium_requests,
        premium_limit=premium_limit,
        cycle_start=start,
        cycle_end=end,
    )
