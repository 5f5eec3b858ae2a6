"""Fill a store with a large organization's API history: hourly records, many models and scopes.

    python benchmarks/gen_store.py benchmarks/out/store-1m --days 365 --models 10 --scopes 12

writes ``<folder>/aiusage.sqlite3`` holding ``days × 24 × models × scopes`` Claude API records
(1,051,200 with the defaults: a year of hourly data, 10 models × 12 workspaces), written through
``Store.save_fetch`` one month at a time, exactly as fetches would have left them, so that
``aiusage report --offline`` reads them as history. It prints the expected grand totals, computed
here from the generator's own arithmetic, so a benchmark can check the report it times.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from aiusage.collect import cache_key
from aiusage.models import Period, SourceResult, UsageQuery, UsageRecord
from aiusage.store import Store

HOUR = timedelta(hours=1)
MONTH_STEP = timedelta(days=30)


def tokens(hour_index: int, model: int, scope: int) -> tuple[int, int, int, int, Decimal]:
    """Deterministic counts and a cost in cents-exact dollars for one bucket."""
    base = 1000 + (hour_index * 7 + model * 13 + scope * 17) % 5000
    cost = Decimal(base * 3 + model * 11) / Decimal(1_000_000)
    return base, base // 4, base * 2, base // 10, cost


def records_for(
    since: datetime, until: datetime, first_hour: int, models: int, scopes: int
) -> list[UsageRecord]:
    out: list[UsageRecord] = []
    start, index = since, first_hour
    while start < until:
        for model in range(models):
            for scope in range(scopes):
                inp, outp, cread, cwrite, cost = tokens(index, model, scope)
                out.append(
                    UsageRecord(
                        provider="claude",
                        source="api",
                        start=start,
                        end=start + HOUR,
                        model=f"claude-bench-model-{model}",
                        scope=f"wrkspc_bench_{scope:02d}",
                        input_tokens=inp,
                        output_tokens=outp,
                        cache_read_tokens=cread,
                        cache_write_tokens=cwrite,
                        cost_usd=cost,
                        cost_kind="reported",
                    )
                )
        start += HOUR
        index += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the AIUSAGE_HOME to fill")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--models", type=int, default=10)
    parser.add_argument("--scopes", type=int, default=12)
    parser.add_argument(
        "--until", default="2026-12-01", help="the end of the history (a UTC date, exclusive)"
    )
    parser.add_argument(
        "--dimension",
        choices=["project", "none"],
        default="project",
        help="the fetch the records belong to: --by project history, or the plain per-model one",
    )
    args = parser.parse_args(argv)
    until = datetime.fromisoformat(args.until).replace(tzinfo=UTC)
    since = until - timedelta(days=args.days)
    dimension = None if args.dimension == "none" else args.dimension
    args.folder.mkdir(parents=True, exist_ok=True)
    store = Store.open(args.folder / "aiusage.sqlite3")
    started = time.perf_counter()
    total_rows, total_cost, total_input = 0, Decimal(0), 0
    window_start, hour_index = since, 0
    try:
        while window_start < until:
            window_end = min(window_start + MONTH_STEP, until)
            window = Period(since=window_start, until=window_end)
            query = UsageQuery(period=window, granularity="1h", dimension=dimension)
            records = records_for(window_start, window_end, hour_index, args.models, args.scopes)
            store.save_fetch(
                cache_key("claude", query, "bench"),
                "claude",
                "api",
                query,
                window,
                SourceResult(records=tuple(records)),
                until,
            )
            total_rows += len(records)
            total_cost += sum((r.cost_usd or Decimal(0) for r in records), Decimal(0))
            total_input += sum(r.input_tokens for r in records)
            hour_index += int((window_end - window_start) / HOUR)
            window_start = window_end
    finally:
        store.close()
    sys.stdout.write(
        f"{total_rows} records from {since:%Y-%m-%d} to {until:%Y-%m-%d} "
        f"in {time.perf_counter() - started:.1f} s; input tokens {total_input}, "
        f"reported dollars {total_cost}\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
