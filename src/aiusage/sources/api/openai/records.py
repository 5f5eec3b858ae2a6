"""OpenAI usage buckets and cost buckets merged into records whose dollars add up to the bill.

How a cost line item finds its model: the Costs API has no model field; its free-text
``line_item`` names the model before the first comma (``"gpt-4o-mini-2024-07-18, input"``,
``"gpt-4o, output"``). That name is matched, on the same day (and project), to a model that the
Usage API reported: first exactly, then ignoring a snapshot date suffix (``-2024-07-18``,
``-0613``) when that leaves exactly one candidate. The dollars go to that model's record of the
first endpoint in ``ENDPOINTS`` order (completions before web_search_calls). Anything else
(``"Web search tool calls"``, ``"Image models"``, two snapshots of one model) becomes a record of
its own: model None, product = the line item. Every dollar lands in exactly one record.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from aiusage.errors import BadResponseError
from aiusage.models import SourceResult, UsageRecord
from aiusage.pricing import estimate_cost
from aiusage.sources.api.openai.client import ENDPOINTS, VENDOR, Endpoint
from aiusage.sources.api.openai.wire import Bucket, CostResult, UsageResult

# bucket start, product (endpoint kind or cost line item), model, scope
Key = tuple[datetime, str, str | None, str | None]
_ORDER = {endpoint.kind: i for i, endpoint in enumerate(ENDPOINTS)}
_SNAPSHOT = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$")


@dataclass
class Tally:
    end: datetime
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    requests: int | None = None

    @property
    def tokens(self) -> int:
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_read_tokens
            + self.cache_write_tokens
        )

    def add(self, endpoint: Endpoint, result: UsageResult) -> None:
        cached, written = result.input_cached_tokens, result.input_cache_write_tokens
        if endpoint.tokens and cached + written > result.input_tokens:
            raise BadResponseError(
                f"{VENDOR} reported more cached than total input tokens for {endpoint.kind}"
            )
        if endpoint.tokens:
            # input_tokens includes cached and cache-write input (and audio: never add it again).
            self.input_tokens += result.input_tokens - cached - written
            self.output_tokens += result.output_tokens
            self.cache_read_tokens += cached
            self.cache_write_tokens += written
        count = result.count(endpoint.count)
        if count is not None:
            self.requests = (self.requests or 0) + count


def tally_usage(
    usage: Iterable[tuple[Endpoint, Bucket[UsageResult]]], scope_field: str | None
) -> dict[Key, Tally]:
    """Sum results per bucket, endpoint kind, model and scope; drop results that are all zero."""
    tallies: dict[Key, Tally] = {}
    for endpoint, bucket in usage:
        for result in bucket.results:
            scope = getattr(result, scope_field) if scope_field else None
            key = (bucket.start_time, endpoint.kind, result.model, scope)
            tally = tallies.get(key) or Tally(end=bucket.end_time)
            tally.add(endpoint, result)
            if tally.tokens or tally.requests:
                tallies[key] = tally
    return tallies


def strip_snapshot(model: str) -> str:
    return _SNAPSHOT.sub("", model.strip().lower())


def line_item_model(line_item: str) -> str:
    """The part of a cost line item that may name a model: the text before the first comma."""
    return line_item.split(",", 1)[0].strip().lower()


def attribute(line_item: str, models: Mapping[str, Key]) -> Key | None:
    """The record a line item's dollars belong to, or None when no single model matches."""
    name = line_item_model(line_item)
    exact = [key for model, key in models.items() if model.lower() == name]
    if exact:
        return exact[0]
    base = strip_snapshot(name)
    hits = [key for model, key in models.items() if strip_snapshot(model) == base]
    return hits[0] if len(hits) == 1 else None


def _targets(tallies: Mapping[Key, Tally]) -> dict[tuple[datetime, str | None], dict[str, Key]]:
    """Per (day, scope): each model's record that takes its cost (first endpoint wins)."""
    targets: dict[tuple[datetime, str | None], dict[str, Key]] = defaultdict(dict)
    for key in sorted(tallies, key=lambda k: _ORDER.get(k[1], len(_ORDER))):
        start, _, model, scope = key
        if model:
            targets[(start, scope)].setdefault(model, key)
    return targets


@dataclass
class Costs:
    by_record: dict[Key, Decimal]
    unattributed: dict[Key, Decimal]
    ends: dict[datetime, datetime]
    # Line items of cost lines that came without an amount: counted as $0, and said so.
    without_amount: list[str] = field(default_factory=list)


def check_currency(costs: Iterable[Bucket[CostResult]]) -> None:
    """Every amount must be US dollars; a null currency is taken as USD only beside USD lines.

    Raises:
        BadResponseError: a line names another currency, or amounts come without a currency
            and no line of the answer says they are US dollars.
    """
    named: set[str] = set()
    unnamed = False
    for bucket in costs:
        for result in bucket.results:
            amount = result.amount
            if amount is None or amount.value is None:
                continue
            if amount.currency is None:
                unnamed = True
            else:
                named.add(amount.currency.lower())
    other = sorted(named - {"usd"})
    if other:
        raise BadResponseError(f"{VENDOR} reported cost in {other[0]!r}, not US dollars")
    if unnamed and not named:
        raise BadResponseError(
            f"{VENDOR} sent cost amounts without a currency, and no line says they are US dollars"
        )


def split_costs(
    costs: Iterable[Bucket[CostResult]], tallies: Mapping[Key, Tally], by_project: bool
) -> Costs:
    """Give every cost result's dollars to one model record or to a line-item record.

    Raises:
        BadResponseError: see ``check_currency``.
    """
    buckets = list(costs)
    check_currency(buckets)
    targets = _targets(tallies)
    found = Costs(defaultdict(Decimal), defaultdict(Decimal), {})
    for bucket in buckets:
        found.ends[bucket.start_time] = bucket.end_time
        for result in bucket.results:
            scope = result.project_id if by_project else None
            item = result.line_item or "other"
            value = result.amount.value if result.amount is not None else None
            if value is None:
                found.without_amount.append(item)
                value = Decimal(0)
            target = attribute(item, targets.get((bucket.start_time, scope), {}))
            if target is not None:
                found.by_record[target] += value
            else:
                found.unattributed[(bucket.start_time, item, None, scope)] += value
    return found


def build_records(tallies: Mapping[Key, Tally], costs: Costs | None) -> SourceResult:
    """Records from tallies; reported cost where the Costs API names the model, else an estimate.

    A token record without its own cost line on a day whose bill has dollars no model claims (in
    any project) is left unpriced: those dollars may well be its own, and an estimate would count
    them twice.
    """
    # By day, not by project: unclaimed dollars of any project may be a row's own.
    unexplained = {
        start
        for (start, _, _, _), dollars in (costs.unattributed if costs else {}).items()
        if dollars
    }
    records: dict[Key, UsageRecord] = {}
    unpriced: set[str] = set()
    held_back = 0
    for key, tally in tallies.items():
        start, product, model, scope = key
        cost: Decimal | None = None
        kind = None
        if costs is not None and key in costs.by_record:
            cost, kind = costs.by_record[key], "reported"
        elif tally.tokens and costs is not None and start in unexplained:
            held_back += 1
        elif tally.tokens:
            cost = estimate_cost(
                "openai",
                model,
                input_tokens=tally.input_tokens,
                output_tokens=tally.output_tokens,
                cache_read_tokens=tally.cache_read_tokens,
                cache_write_tokens=tally.cache_write_tokens,
                at=start,
            )
            kind = "estimated"
            if cost is None:
                unpriced.add(model or product)
        records[key] = UsageRecord(
            provider="openai",
            source="api",
            start=start,
            end=tally.end,
            model=model,
            scope=scope,
            product=product,
            input_tokens=tally.input_tokens,
            output_tokens=tally.output_tokens,
            cache_read_tokens=tally.cache_read_tokens,
            cache_write_tokens=tally.cache_write_tokens,
            requests=tally.requests,
            cost_usd=cost,
            cost_kind=kind if cost is not None else None,
        )
    if costs is not None:
        _add_line_items(records, costs)
    warnings: list[str] = []
    if unpriced:
        warnings.append(
            f"no published price for OpenAI model(s) {', '.join(sorted(unpriced))}: "
            "their cost is left blank"
        )
    if costs is not None and costs.without_amount:
        items = sorted(set(costs.without_amount))
        warnings.append(
            f"{len(costs.without_amount)} OpenAI cost line(s) came without an amount and count "
            f"as $0, so the reported dollars may be short (line items: {', '.join(items)})"
        )
    if held_back:
        warnings.append(
            f"{held_back} OpenAI row(s) have no cost line of their own on days whose bill has "
            "line items that name no model; they are left unpriced so no dollar counts twice"
        )
    ordered = sorted(records.items(), key=lambda item: _sort_key(item[0]))
    return SourceResult(records=tuple(r for _, r in ordered), warnings=tuple(warnings))


def _add_line_items(records: dict[Key, UsageRecord], costs: Costs) -> None:
    """One record per line item that names no model, carrying the reported dollars."""
    for key, dollars in costs.unattributed.items():
        start, item, _, scope = key
        record = records.get(key)
        if record is not None:  # a line item spelled like an endpoint kind: one row, both sums
            total = dollars + (record.cost_usd or Decimal(0))
            records[key] = record.model_copy(update={"cost_usd": total, "cost_kind": "reported"})
            continue
        records[key] = UsageRecord(
            provider="openai",
            source="api",
            start=start,
            end=costs.ends[start],
            product=item,
            scope=scope,
            cost_usd=dollars,
            cost_kind="reported",
        )


def _sort_key(key: Key) -> tuple[datetime, str, str, str]:
    return key[0], key[1], key[2] or "", key[3] or ""
