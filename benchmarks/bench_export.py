"""Scrape and export times of the Prometheus exporter on a store of about one million records.

    python benchmarks/bench_export.py --records 1000000 --scrapes 20

The store is generated once under ``benchmarks/out/`` (git-ignored): daily Claude API records
(the granularity the counters read) for 365 days, ``models`` models and as many workspaces as it
takes to reach ``--records``, written through ``Store.save_fetch``. Then it times, with the
installed ``aiusage``:

- ``aiusage export --offline`` as a process (store summed once, classic text on stdout);
- ``aiusage serve``: the first scrape (sums the store), repeated scrapes of an unchanged store
  (the sum is reused), a scrape right after another process wrote one record (answered with
  the previous sum while the new one is made in the background), and the time until a scrape
  shows that record.

Each exposition's input tokens are checked against the generator's own sum.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from harness import AIUSAGE, OUT, isolated, machine, median, ms, quantile, run, table
from prometheus_client.parser import text_string_to_metric_families

from aiusage.models import Period, SourceResult, UsageQuery, UsageRecord
from aiusage.store import Store

DAY = timedelta(days=1)
UNTIL = datetime(2026, 12, 1, tzinfo=UTC)
OPENMETRICS = "application/openmetrics-text; version=1.0.0"


def save_day(store: Store, records: list[UsageRecord]) -> None:
    """Keep one day of Claude API records the way a report does: as the fetch of that day."""
    day = Period(since=records[0].start, until=records[0].start + DAY)
    query = UsageQuery(period=day, granularity="1d")
    result = SourceResult(records=tuple(records))
    store.save_fetch(f"bench:{day.since:%Y-%m-%d}", "claude", "api", query, day, result, UNTIL)


def generate(folder: Path, records: int, models: int, days: int) -> dict[str, str]:
    """Write the store unless it is there; return the expected totals."""
    summary = folder / "expected.json"
    if summary.exists():
        found: dict[str, str] = json.loads(summary.read_text())
        return found
    folder.mkdir(parents=True, exist_ok=True)
    scopes = -(-records // (days * models))
    store = Store.open(folder / "aiusage.sqlite3")
    total_input, total_cost, rows = 0, Decimal(0), 0
    started = time.perf_counter()
    try:
        for day in range(days):
            start = UNTIL - (days - day) * DAY
            batch = []
            for model in range(models):
                for scope in range(scopes):
                    base = 1000 + (day * 7 + model * 13 + scope * 17) % 5000
                    cost = Decimal(base * 3 + model * 11) / Decimal(1_000_000)
                    batch.append(
                        UsageRecord(
                            provider="claude", source="api", start=start, end=start + DAY,
                            model=f"claude-bench-model-{model}", scope=f"wrkspc_{scope:03d}",
                            input_tokens=base, output_tokens=base // 4,
                            cache_read_tokens=base * 2, cache_write_tokens=base // 10,
                            requests=base // 100, cost_usd=cost, cost_kind="reported",
                        )
                    )  # fmt: skip
                    total_input += base
                    total_cost += cost
            save_day(store, batch)
            rows += len(batch)
    finally:
        store.close()
    expected = {"rows": str(rows), "input_tokens": str(total_input), "cost": str(total_cost)}
    summary.write_text(json.dumps(expected))
    sys.stderr.write(f"generated {rows} records in {time.perf_counter() - started:.0f} s\n")
    return expected


def input_tokens(text: str) -> int:
    return sum(
        int(s.value)
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "aiusage_tokens_total" and s.labels["type"] == "input"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def timed_scrape(url: str, accept: str | None = None) -> tuple[float, str]:
    headers = {"Accept": accept} if accept else {}
    started = time.perf_counter()
    answer = httpx.get(url, headers=headers, timeout=600)
    elapsed = time.perf_counter() - started
    answer.raise_for_status()
    return elapsed, answer.text


def touch(store_path: Path, at: int) -> None:
    """What another aiusage process does: commit one new record."""
    store = Store.open(store_path)
    try:
        start = UNTIL + at * DAY
        record = UsageRecord(
            provider="claude", source="api", start=start, end=start + DAY, model="touch",
            input_tokens=1, cost_usd=Decimal("0.01"), cost_kind="reported",
        )  # fmt: skip
        save_day(store, [record])
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--models", type=int, default=20)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--scrapes", type=int, default=20)
    parser.add_argument("--exports", type=int, default=3)
    args = parser.parse_args(argv)
    folder = OUT / f"export-store-{args.records}"
    expected = generate(folder, args.records, args.models, args.days)
    rows: list[list[object]] = []
    with isolated(AIUSAGE_HOME=str(folder)) as env:
        exports = [run([AIUSAGE, "export", "--offline"], env) for _ in range(args.exports)]
        for done in exports:
            if done.code != 0:
                raise SystemExit(done.stderr.decode(errors="replace"))
        got = input_tokens(exports[0].stdout.decode())
        if got != int(expected["input_tokens"]):
            raise SystemExit(f"export counted {got} input tokens, expected {expected}")
        walls = [e.wall for e in exports]
        rows.append(["aiusage export --offline (process)", len(walls), ms(median(walls)),
                     ms(min(walls)), f"{max(e.max_rss_mb for e in exports):.0f} MB"])  # fmt: skip
        port = free_port()
        serve = subprocess.Popen(
            [AIUSAGE, "serve", "--port", str(port)], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}/metrics"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/nothing", timeout=2)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise SystemExit("aiusage serve did not start") from None
                    time.sleep(0.1)
            first, text = timed_scrape(url)
            if input_tokens(text) != int(expected["input_tokens"]):
                raise SystemExit("the first scrape disagrees with the generator")
            rows.append(["serve: first scrape (sums the store)", 1, ms(first), ms(first), ""])
            warm = [timed_scrape(url)[0] for _ in range(args.scrapes)]
            rows.append(["serve: scrape, store unchanged", len(warm), ms(median(warm)),
                         ms(min(warm)), f"p90 {ms(quantile(warm, 0.9))}"])  # fmt: skip
            warm_om = [timed_scrape(url, OPENMETRICS)[0] for _ in range(args.scrapes)]
            rows.append(["serve: scrape as OpenMetrics, unchanged", len(warm_om),
                         ms(median(warm_om)), ms(min(warm_om)),
                         f"p90 {ms(quantile(warm_om, 0.9))}"])  # fmt: skip
            changed, lags = [], []
            total = int(expected["input_tokens"])
            for index in range(max(3, args.scrapes // 5)):
                touch(folder / "aiusage.sqlite3", index)
                written = time.perf_counter()
                changed.append(timed_scrape(url)[0])
                total += 1
                while input_tokens(timed_scrape(url)[1]) != total:
                    time.sleep(0.05)
                lags.append(time.perf_counter() - written)
            rows.append(["serve: first scrape after another process wrote", len(changed),
                         ms(median(changed)), ms(min(changed)),
                         f"p90 {ms(quantile(changed, 0.9))}"])  # fmt: skip
            rows.append(["serve: until a scrape shows that write", len(lags), ms(median(lags)),
                         ms(min(lags)), "summed in the background"])  # fmt: skip
        finally:
            serve.terminate()
            serve.wait(10)
            store = Store.open(folder / "aiusage.sqlite3")
            try:  # leave the generated store as generated
                with store.transaction() as db:
                    db.execute("DELETE FROM usage_records WHERE model = 'touch'")
            finally:
                store.close()
    print(f"{int(expected['rows']):,} daily API records; {machine()}\n")
    print(table(["what", "runs", "median", "min", "note"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
