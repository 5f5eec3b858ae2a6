"""API fan-out and warm cache: a 90-day hourly report of all four providers against the fakes.

    python benchmarks/bench_api.py [--latency-ms 150] [--days 90] [--runs 3]

The fake vendor server (``tests/e2e/fake_vendors.py``) runs in this process and answers every
request after ``--latency-ms``. A cold run (empty store) is measured with that latency and
without it; the request log of the fake gives the number of requests and the longest chain of
requests that must follow each other (pages of one query follow their cursors; Google's token
comes before its queries). From them:

- ideal = the run without latency + (longest chain of any provider) x latency: every window and
  every provider in parallel, only the cursors (and the token) in series;
- sequential baseline = the run without latency + (number of requests) x latency.

Targets: the cold run within 1.5x of ideal; the warm run (same command again, within the cache
TTL) sends no request and takes within 1.3x of ``aiusage --version``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from harness import AIUSAGE, Run, isolated, machine, median, ms, repeat, run, table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.e2e.fake_vendors import FakeVendors

# Query parameters that move through pages of one query rather than make a new query.
PAGING = {"page", "next_page", "after", "cursor", "pageToken", "page_token", "starting_after"}
PROVIDER_OF = {"anthropic": "claude", "openai": "openai", "cursor": "cursor", "google": "gemini"}
# Round trips that must happen before a provider's queries can start (Google's OAuth token).
PREREQUISITES = {"google.token"}


def chains(log: list[tuple[str, str, str, int]]) -> dict[str, int]:
    """Per provider, the longest run of requests that must follow one another."""
    pages: Counter[tuple[str, str, str]] = Counter()
    before: Counter[str] = Counter()
    for route, method, path, _status in log:
        vendor = PROVIDER_OF[route.split(".", 1)[0]]
        if route in PREREQUISITES:
            before[vendor] += 1
            continue
        parts = urlsplit(path)
        query = sorted((k, v) for k, v in parse_qsl(parts.query) if k not in PAGING)
        pages[(vendor, f"{method} {parts.path}", repr(query))] += 1
    longest: dict[str, int] = defaultdict(int)
    for (vendor, _route, _query), count in pages.items():
        longest[vendor] = max(longest[vendor], count)
    return {vendor: longest[vendor] + min(before[vendor], 1) for vendor in longest}


def per_provider(log: list[tuple[str, str, str, int]]) -> Counter[str]:
    return Counter(PROVIDER_OF[route.split(".", 1)[0]] for route, *_ in log)


def cold_run(fake: FakeVendors, command: list[str | Path], extra: dict[str, str]) -> Run:
    with isolated(**extra) as env:
        fake.write_service_account(Path(env["HOME"]) / "service-account.json")
        env["GOOGLE_APPLICATION_CREDENTIALS"] = str(Path(env["HOME"]) / "service-account.json")
        result = run(command, env)
    if result.code != 0:
        raise SystemExit(f"aiusage exited {result.code}: {result.stderr.decode()[-3000:]}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=150.0)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--runs", type=int, default=3, help="cold and warm runs (median)")
    args = parser.parse_args(argv)
    latency = args.latency_ms / 1000
    print(f"machine: {machine()}\n")
    command: list[str | Path] = [
        AIUSAGE,
        "report",
        "--since",
        f"{args.days}d",
        "--granularity",
        "1h",
        "--format",
        "json",
    ]
    with FakeVendors(days=args.days + 2) as fake:
        extra = {
            **fake.env(),
            "ANTHROPIC_ADMIN_KEY": fake.keys["anthropic"],
            "OPENAI_ADMIN_KEY": fake.keys["openai"],
            "CURSOR_ADMIN_KEY": fake.keys["cursor"],
            "GEMINI_API_KEY": fake.keys["gemini"],
            "GOOGLE_CLOUD_PROJECT": fake.google_project,
        }
        # Runs without latency (the work that is not waiting: start-up, parsing, the store)
        # alternate with runs with it, so that both see the same load on the machine.
        bare: list[float] = []
        colds: list[float] = []
        warms: list[float] = []
        version: list[float] = []
        warm_requests = 0
        log: list[tuple[str, str, str, int]] = []
        document: dict[str, object] = {}
        for attempt in range(args.runs):
            fake.reset()
            result = cold_run(fake, command, extra)
            bare.append(result.wall)
            if attempt == 0:
                log = list(fake.log)
                document = json.loads(result.stdout)
            fake.latency = latency
            with isolated(**extra) as env:
                account = Path(env["HOME"]) / "service-account.json"
                fake.write_service_account(account)
                env["GOOGLE_APPLICATION_CREDENTIALS"] = str(account)
                first = run(command, env)
                if first.code != 0:
                    raise SystemExit(
                        f"aiusage exited {first.code}: {first.stderr.decode()[-3000:]}"
                    )
                colds.append(first.wall)
                before = fake.count()
                warm = run(command, env)
                warm_requests += fake.count() - before
                warms.append(warm.wall)
                version.extend(r.wall for r in repeat([AIUSAGE, "--version"], env, 5))
            fake.latency = 0.0
    requests = len(log)
    chain = chains(log)
    counts = per_provider(log)
    records = document["records"]
    errors = document["errors"]
    assert isinstance(records, list) and isinstance(errors, list)
    base = median(bare)
    cold = median(colds)
    longest = max(chain.values())
    ideal = base + longest * latency
    sequential = base + requests * latency
    warm_wall = median(warms)
    version_wall = median(version)

    print(
        f"report: `aiusage report --since {args.days}d --granularity 1h --format json`, "
        f"{len(records)} records, errors: {len(errors)}, "
        f"latency {args.latency_ms:.0f} ms per request\n"
    )
    print(
        table(
            ["provider", "requests", "longest chain"],
            [(p, counts[p], chain.get(p, 0)) for p in sorted(counts)],
        )
    )
    print()
    rows = [
        ("cold, no latency", ms(base), requests, "—", "—"),
        ("cold, measured", ms(cold), requests, f"{cold / ideal:.2f}x", f"{cold / sequential:.2f}x"),
        ("ideal (longest chain)", ms(ideal), requests, "1.00x", f"{ideal / sequential:.2f}x"),
        ("sequential baseline", ms(sequential), requests, f"{sequential / ideal:.2f}x", "1.00x"),
        ("warm (cached)", ms(warm_wall), warm_requests, "—", "—"),
        ("aiusage --version", ms(version_wall), 0, "—", "—"),
    ]
    print(table(["run", "wall (median)", "requests", "vs ideal", "vs sequential"], rows))
    print()
    warm_ratio = warm_wall / version_wall
    print(
        table(
            ["target", "measured", "verdict"],
            [
                (
                    "cold run within 1.5x of ideal",
                    f"{cold / ideal:.2f}x",
                    "met" if cold / ideal <= 1.5 else "MISSED",
                ),
                (
                    "warm run sends no request",
                    str(warm_requests),
                    "met" if warm_requests == 0 else "MISSED",
                ),
                (
                    "warm run within 1.3x of --version",
                    f"{warm_ratio:.2f}x",
                    "met" if warm_ratio <= 1.3 else "MISSED",
                ),
            ],
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
