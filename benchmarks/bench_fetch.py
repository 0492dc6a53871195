"""Benchmark (not a test): fetch one ~20,000-enrollment campaign at 1 s server latency.

The demo API runs on a real 127.0.0.1 socket (LoopbackServer) with its own 4/s + 50/min
limit on and every request answered after `--latency` seconds. Measured in one run:
the client without a size hint, the client with `expected_rows`, and a naive sequential
pager (plain httpx, per_page 500, one request at a time, stop on an empty page).
About a minute in all (the sequential pager alone is ~42 s):

    .venv/bin/python benchmarks/bench_fetch.py [--latency 1.0] [--skip-sequential]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb4tui.api.client import KnowBe4Client
from kb4tui.api.pagination import PER_PAGE
from kb4tui.api.ratelimit import RateLimiter, UsageCounter
from kb4tui.demo import DEMO_API_KEY, FakeAPIConfig, FakeKnowBe4API, LoopbackServer, generate_org

USERS = 7000  # seed 7 gives campaign 51638 19,896 enrollments
CAMPAIGN = 51638
PATH = "/v1/training/enrollments"
PER_SECOND, PER_MINUTE = 4, 50


@dataclass(frozen=True, slots=True)
class Run:
    label: str
    seconds: float
    first_page: float
    requests: int
    wasted_pages: int  # requests for pages past the first empty one
    rate_limited: int  # 429s


def floor_seconds(requests: int, latency: float) -> float:
    """The least time `requests` ordered requests can take under 4/s and 50/min.

    Request k (from 0) cannot leave before k // 4 seconds (at most 4 in any second), nor
    before 60 * (k // 50) (at most 50 in any minute); the last answer comes `latency`
    after the last request leaves. 41 requests: 10 s + 1 s = 11 s.
    """
    last = requests - 1
    return max(last // PER_SECOND, 60 * (last // PER_MINUTE)) + latency


def server_counts(server: LoopbackServer, end_page: int) -> tuple[int, int]:
    entries = [e for e in server.api.log.entries() if e.path == PATH]
    wasted = sum(1 for e in entries if int(e.query.get("page", "0")) > end_page)
    return wasted, sum(1 for e in entries if e.status == 429)


def fresh(server: LoopbackServer) -> None:
    server.api.reset_rate_limits()
    server.api.log.clear()


async def client_run(
    server: LoopbackServer, label: str, expected: int, end_page: int, hint: int | None
) -> Run:
    fresh(server)
    usage = UsageCounter()
    first_page: float | None = None
    rows = 0
    async with KnowBe4Client(
        DEMO_API_KEY, base_url=server.base_url, limiter=RateLimiter(), usage=usage
    ) as client:
        started = time.monotonic()
        async for page in client.iter_enrollment_pages(campaign_id=CAMPAIGN, expected_rows=hint):
            if first_page is None:
                first_page = time.monotonic() - started
            rows += len(page)
        elapsed = time.monotonic() - started
    assert rows == expected, (rows, expected)
    wasted, limited = server_counts(server, end_page)
    return Run(label, elapsed, first_page or 0.0, usage.count, wasted, limited)


async def sequential_run(server: LoopbackServer, expected: int, end_page: int) -> Run:
    """The naive pager most scripts use: page 1, 2, 3 ... until an empty page."""
    fresh(server)
    headers = {"Authorization": f"Bearer {DEMO_API_KEY}", "Accept": "application/json"}
    rows = requests = 0
    first_page: float | None = None
    async with httpx.AsyncClient(base_url=server.base_url, headers=headers, timeout=30) as http:
        started = time.monotonic()
        page = 1
        while True:
            params = {"campaign_id": CAMPAIGN, "page": page, "per_page": PER_PAGE}
            response = await http.get(PATH, params=params)
            requests += 1
            response.raise_for_status()
            body = response.json()
            if not body:
                break
            if first_page is None:
                first_page = time.monotonic() - started
            rows += len(body)
            page += 1
        elapsed = time.monotonic() - started
    assert rows == expected, (rows, expected)
    wasted, limited = server_counts(server, end_page)
    return Run("sequential pager", elapsed, first_page or 0.0, requests, wasted, limited)


def show(run: Run, floor: float, target: str = " (target <= 1.25x)") -> None:
    print(
        f"  {run.label:24s} {run.seconds:6.2f} s = {run.seconds / floor:4.2f}x floor{target} "
        f"| first page {run.first_page:.2f} s | requests {run.requests}, "
        f"wasted {run.wasted_pages + run.rate_limited} ({run.wasted_pages} past the end, "
        f"{run.rate_limited} x 429)",
        flush=True,
    )


async def main(latency: float, skip_sequential: bool) -> None:
    org = generate_org(seed=7, users=USERS)
    expected = len(org.campaign_enrollments(CAMPAIGN))
    api = FakeKnowBe4API({DEMO_API_KEY: org}, FakeAPIConfig(latency=latency, rate_limit=True))
    end_page = math.ceil(expected / PER_PAGE) + 1  # the empty page that proves the end
    floor = floor_seconds(end_page, latency)
    print(f"== fetch: campaign of {expected:,} enrollments, {latency:.1f} s latency, 4/s + 50/min")
    print(
        f"  {end_page} requests needed ({end_page - 1} pages of {PER_PAGE} + the empty one); "
        f"floor {floor:.2f} s = request k leaves at max(k // 4, 60 * (k // 50)) s, "
        f"+ {latency:.1f} s for the last answer"
    )
    with LoopbackServer(api) as server:
        plain = await client_run(server, "kb4tui, no size hint", expected, end_page, None)
        show(plain, floor)
        hinted = await client_run(server, "kb4tui, expected_rows", expected, end_page, expected)
        show(hinted, floor)
        if skip_sequential:
            return
        sequential = await sequential_run(server, expected, end_page)
        show(sequential, floor, "")
    print(
        f"  speed-up over the sequential pager: {sequential.seconds / plain.seconds:.2f}x "
        f"(no hint), {sequential.seconds / hinted.seconds:.2f}x (hint) (target >= 3x)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--skip-sequential", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.latency, args.skip_sequential))
