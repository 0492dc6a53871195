"""RateLimiter: never more than 4 requests in any second or 50 in any minute, fairly."""

from __future__ import annotations

import asyncio
import time
from bisect import bisect_left

import pytest
from client_fakes import FakeAPI, FakeClock, enrollment_rows, list_raw

from kb4tui.api.ratelimit import RateLimiter, UsageCounter


def max_in_window(times: list[float], period: float) -> int:
    """The most timestamps in any half-open window [t, t + period)."""
    ordered = sorted(times)
    best = 0
    for i, start in enumerate(ordered):
        best = max(best, bisect_left(ordered, start + period) - i)
    return best


def test_max_in_window_counts_correctly() -> None:
    assert max_in_window([0, 0.5, 0.99, 1.0, 1.5], 1.0) == 3
    assert max_in_window([0, 1, 2, 3], 1.0) == 1


async def test_sixty_requests_respect_both_windows() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep, margin=0.0)
    granted: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        granted.append(clock())

    await asyncio.gather(*(one() for _ in range(60)))
    assert len(granted) == 60
    assert max_in_window(granted, 1.0) == 4
    assert max_in_window(granted, 60.0) == 50
    # Tight, not just safe: 50 in about 12 s, then the 51st when the first leaves the minute.
    assert granted[49] == pytest.approx(12.0)
    assert granted[50] == pytest.approx(60.0)


async def test_margin_widens_each_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep, margin=0.05)
    for _ in range(5):
        await limiter.acquire()
    assert clock() == pytest.approx(1.05)


async def test_waiters_are_served_in_arrival_order() -> None:
    clock = FakeClock()
    limiter = RateLimiter([(2, 1.0)], clock=clock, sleep=clock.sleep, margin=0.0)
    order: list[int] = []

    async def one(i: int) -> None:
        await limiter.acquire()
        order.append(i)

    tasks = []
    for i in range(10):
        tasks.append(asyncio.create_task(one(i)))
        await asyncio.sleep(0)  # each task queues before the next is created
    await asyncio.gather(*tasks)
    assert order == list(range(10))


async def test_cancelled_waiter_claims_no_slot() -> None:
    clock = FakeClock()
    limiter = RateLimiter([(1, 1.0)], clock=clock, sleep=clock.sleep, margin=0.0)
    await limiter.acquire()
    blocked = asyncio.Event()

    async def never_wakes(seconds: float) -> None:
        blocked.set()
        await asyncio.Event().wait()

    limiter._sleep = never_wakes
    waiter = asyncio.create_task(limiter.acquire())
    await blocked.wait()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert limiter.delay(clock()) == pytest.approx(1.0)  # still only the first request
    clock.now += 1.0
    assert limiter.delay(clock()) == 0.0


async def test_real_clock_sleeps_instead_of_polling() -> None:
    sleeps: list[float] = []

    async def counting_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await asyncio.sleep(seconds)

    limiter = RateLimiter([(3, 0.2)], margin=0.0, sleep=counting_sleep)
    started = time.monotonic()
    stamps: list[float] = []
    for _ in range(9):
        await limiter.acquire()
        stamps.append(time.monotonic())
    assert time.monotonic() - started >= 0.4
    assert max_in_window(stamps, 0.2) <= 3
    assert len(sleeps) <= 8  # about one sleep per blocked request, no busy loop


async def test_several_lists_loading_at_once_share_the_limit() -> None:
    """Three concurrent listings (63 requests) through one client and one limiter."""
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep, margin=0.0)
    api = FakeAPI(
        lists={
            "/v1/training/enrollments": enrollment_rows(20 * 500),
            "/v1/users": [{"id": i} for i in range(20 * 500)],
            "/v1/groups": [{"id": i} for i in range(20 * 500)],
        },
        clock=clock,
    )
    async with api.client(limiter=limiter, window=8) as client:
        results = await asyncio.gather(
            list_raw(client, "enrollments", expected_rows=10_000),
            list_raw(client, "users", expected_rows=10_000),
            list_raw(client, "groups"),
        )
    assert [len(r) for r in results] == [10_000, 10_000, 10_000]
    assert len(api.times) >= 63
    assert max_in_window(api.times, 1.0) <= 4
    assert max_in_window(api.times, 60.0) <= 50


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RateLimiter([(0, 1.0)])
    with pytest.raises(ValueError):
        RateLimiter([])


def test_usage_counter_tells_its_observers_until_they_stop() -> None:
    seen: list[int] = []
    usage = UsageCounter(5)
    stop = usage.observe(seen.append)
    usage.record()
    usage.record(2)
    usage.reset()
    assert seen == [6, 8, 0] and usage.count == 0
    assert repr(usage) == "UsageCounter(count=0)"
    stop()
    usage.record()
    assert seen == [6, 8, 0] and usage.count == 1


async def test_mark_sent_moves_the_slot_and_delays_later_grants() -> None:
    clock = FakeClock()
    limiter = RateLimiter([(2, 1.0)], clock=clock, sleep=clock.sleep, margin=0.0)
    first = await limiter.acquire()
    await limiter.acquire()
    clock.now = 0.3  # the first request only left after a slow TLS handshake
    first.mark_sent()
    assert first.at == 0.3
    clock.now = 1.0
    await limiter.acquire()  # the second slot (at 0.0) has left the window
    assert clock() == 1.0
    await limiter.acquire()  # but the first counts until 1.3
    assert clock() == pytest.approx(1.3)
