"""Benchmark (not a test): one ~20,000-enrollment campaign at 1 s server latency.

Runs the client against the demo API on a real 127.0.0.1 socket with the server's own
4/s + 50/min limit on, three ways: speculative paging without a hint, with an
`expected_rows` hint, and sequential (window=1). About a minute in all:

    .venv/bin/python tests/bench_client_enrollments.py [--margin 0.1] [--skip-sequential]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from typing import Any

from kb4tui.api.client import KnowBe4Client
from kb4tui.api.ratelimit import RateLimiter, UsageCounter
from kb4tui.demo import DEMO_API_KEY, FakeAPIConfig, FakeKnowBe4API, LoopbackServer, generate_org

USERS = 7000  # seed 7 gives campaign 51638 19,896 enrollments
CAMPAIGN = 51638


async def run(
    server: LoopbackServer, label: str, expected: int, margin: float, **options: Any
) -> float:
    server.api.reset_rate_limits()
    server.api.log.clear()
    usage = UsageCounter()
    first_page: float | None = None
    rows = 0
    client = KnowBe4Client(
        DEMO_API_KEY,
        base_url=server.base_url,
        limiter=RateLimiter(margin=margin),
        usage=usage,
        window=options.pop("window", 8),
    )
    async with client:
        started = time.monotonic()
        async for page in client.iter_enrollment_pages(campaign_id=CAMPAIGN, **options):
            if first_page is None:
                first_page = time.monotonic() - started
            rows += len(page)
        elapsed = time.monotonic() - started
    assert rows == expected, (rows, expected)
    print(
        f"{label:30s} requests={usage.count:3d} 429s={server.api.log.count(status=429)} "
        f"first page {first_page or 0:.2f}s, all {elapsed:.2f}s",
        flush=True,
    )
    return elapsed


async def main(margin: float, skip_sequential: bool) -> None:
    org = generate_org(seed=7, users=USERS)
    expected = len(org.campaign_enrollments(CAMPAIGN))
    api = FakeKnowBe4API({DEMO_API_KEY: org}, FakeAPIConfig(latency=1.0, rate_limit=True))
    with LoopbackServer(api) as server:
        requests = math.ceil(expected / 500) + 1
        floor = (requests - 1) / 4 + 1.0  # sends at 4/s, then one round trip
        print(f"{expected} enrollments: {requests} requests, floor {floor:.2f}s")
        plain = await run(server, "speculative, no hint", expected, margin)
        hinted = await run(
            server, "speculative, expected_rows", expected, margin, expected_rows=expected
        )
        print(f"vs floor: {plain / floor:.2f}x (no hint), {hinted / floor:.2f}x (hint)")
        if not skip_sequential:
            sequential = await run(server, "sequential (window=1)", expected, margin, window=1)
            print(f"speed-up: {sequential / plain:.2f}x (no hint), {sequential / hinted:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--margin", type=float, default=0.1)
    parser.add_argument("--skip-sequential", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.margin, args.skip_sequential))
