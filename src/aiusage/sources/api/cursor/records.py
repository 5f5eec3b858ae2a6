"""Cursor payloads turned into our models: usage records, spend quotas, AI code activity."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from aiusage.cycles import next_cycle_start
from aiusage.errors import BadResponseError
from aiusage.models import CodeActivity, Granularity, Period, Quota, UsageRecord
from aiusage.periods import BUCKET, floor
from aiusage.sources.api.cursor.dates import from_epoch_ms
from aiusage.sources.api.cursor.wire import Commit, DailyRow, MemberSpend, UsageEvent

DAY = timedelta(days=1)
CENTS = Decimal(100)


def moment(value: str | int | float | None) -> datetime | None:
    """Epoch milliseconds (as a number or a string of digits) or ISO 8601; None if neither."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float) or value.strip().isdigit():
        try:
            return from_epoch_ms(int(value))
        except (OverflowError, ValueError):
            raise BadResponseError(f"Cursor sent a date out of range: {value!r}"[:120]) from None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@dataclass
class _Sum:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    requests: int = 0
    cents: Decimal = Decimal(0)
    priced: bool = False


Key = tuple[datetime, str, str]  # bucket start, model, user email


def build_records(
    events: list[UsageEvent], period: Period, granularity: Granularity
) -> tuple[list[UsageRecord], list[str]]:
    """One record per bucket, model and user: tokens summed exactly, cost from ``chargedCents``.

    An event without ``chargedCents`` (older answers) costs its ``tokenUsage.totalCents``; an
    event with neither adds no cost, and the warnings say how many there were.
    """
    sums: dict[Key, _Sum] = defaultdict(_Sum)
    unreadable = costless = 0
    for event in events:
        at = moment(event.timestamp)
        if at is None:
            unreadable += 1
            continue
        if not period.since <= at < period.until:
            continue  # the API's range is inclusive at both ends
        total = sums[(floor(at, granularity), event.model or "", event.user_email or "")]
        tokens = event.token_usage
        if tokens is not None:
            total.input_tokens += tokens.input_tokens
            total.output_tokens += tokens.output_tokens
            total.cache_read_tokens += tokens.cache_read_tokens
            total.cache_write_tokens += tokens.cache_write_tokens
        total.requests += 1
        cents = event.charged_cents
        if cents is None and tokens is not None:
            cents = tokens.total_cents
        if cents is None:
            costless += 1
        else:
            total.cents += cents
            total.priced = True
    records = [
        UsageRecord(
            provider="cursor",
            source="api",
            start=start,
            end=start + BUCKET[granularity],
            model=model or None,
            scope=user or None,
            input_tokens=s.input_tokens,
            output_tokens=s.output_tokens,
            cache_read_tokens=s.cache_read_tokens,
            cache_write_tokens=s.cache_write_tokens,
            requests=s.requests,
            cost_usd=s.cents / CENTS if s.priced else None,
            cost_kind="reported" if s.priced else None,
        )
        for (start, model, user), s in sorted(sums.items())
    ]
    warnings = []
    if unreadable:
        warnings.append(f"{unreadable} Cursor usage events without a readable timestamp skipped")
    if costless:
        warnings.append(
            f"{costless} Cursor usage events carried no cost (neither chargedCents nor "
            "tokenUsage.totalCents); their dollars are missing from the report"
        )
    return records, warnings


def spend_quotas(
    members: list[MemberSpend], cycle_start: int | str | None, now: datetime
) -> list[Quota]:
    """Each member's on-demand spend this cycle against their limit, where one is set.

    ``hardLimitOverrideDollars`` (0 means none) wins over ``monthlyLimitDollars``.
    """
    start = moment(cycle_start)
    resets = None if start is None else next_cycle_start(start, now)
    quotas = []
    for member in members:
        override = member.hard_limit_override_dollars
        limit = override if override else member.monthly_limit_dollars
        if limit is None:
            continue
        spent = member.spend_cents
        quotas.append(
            Quota(
                provider="cursor",
                source="api",
                name="on_demand_usd",
                used=None if spent is None else spent / CENTS,
                limit=limit,
                unit="usd",
                resets_at=resets,
                observed_at=now,
                scope=member.email or (None if member.user_id is None else str(member.user_id)),
            )
        )
    return quotas


def _row_day(row: DailyRow) -> datetime | None:
    if row.date is not None:
        at = moment(row.date)
        return None if at is None else floor(at, "1d")
    if row.day is not None:
        try:
            day = date.fromisoformat(row.day)
        except ValueError:
            return None
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    return None


def day_activity(rows: list[DailyRow], period: Period) -> tuple[list[CodeActivity], int]:
    """Activity rows of the days in the period; members with nothing that day are left out.

    Returns the rows and how many had no readable day.
    """
    first = floor(period.since, "1d")
    activity: list[CodeActivity] = []
    unreadable = 0
    for row in rows:
        start = _row_day(row)
        if start is None:
            unreadable += 1
            continue
        if not first <= start < period.until:
            continue
        counts = {
            "lines_added": row.total_lines_added,
            "accepted_lines_added": row.accepted_lines_added,
            "tabs_accepted": row.total_tabs_accepted,
            "composer_requests": row.composer_requests,
            "chat_requests": row.chat_requests,
            "agent_requests": row.agent_requests,
            "usage_based_requests": row.usage_based_reqs,
        }
        if not any(counts.values()):
            continue
        user = row.email or (None if row.user_id is None else str(row.user_id))
        activity.append(
            CodeActivity(
                provider="cursor", source="api", start=start, end=start + DAY, user=user, **counts
            )
        )
    return activity, unreadable


def commit_activity(commits: list[Commit], period: Period) -> list[CodeActivity]:
    """One row per commit made in the period; a hash seen twice keeps its latest ingestion."""
    latest: dict[str, Commit] = {}
    for commit in commits:
        seen = latest.get(commit.commit_hash)
        if seen is None or (commit.created_at or "") >= (seen.created_at or ""):
            latest[commit.commit_hash] = commit
    activity = []
    for commit in latest.values():
        at = moment(commit.commit_ts) or moment(commit.created_at)
        if at is None or not period.since <= at < period.until:
            continue
        parts = (commit.tab_lines_added, commit.composer_lines_added)
        ai = None if all(p is None for p in parts) else sum(p or 0 for p in parts)
        start = floor(at, "1d")
        activity.append(
            CodeActivity(
                provider="cursor",
                source="api",
                start=start,
                end=start + DAY,
                user=commit.user_email or (None if commit.user_id is None else str(commit.user_id)),
                commit=commit.commit_hash,
                repo=commit.repo_name,
                lines_added=commit.total_lines_added,
                ai_lines_added=ai,
                human_lines_added=commit.non_ai_lines_added,
            )
        )
    return activity
