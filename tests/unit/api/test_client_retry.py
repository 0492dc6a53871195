"""Retries: which failures are retried, backoff and Retry-After, the budget, final errors."""

from __future__ import annotations

import random
import ssl
from datetime import UTC, datetime

import httpx
import pytest
from client_fakes import FakeAPI, FakeClock, enrollment_rows, json_response, list_raw

from kb4tui.api.errors import (
    APIError,
    NetworkError,
    RateLimitedError,
    ResponseFormatError,
    ServerError,
)
from kb4tui.api.ratelimit import RateLimiter
from kb4tui.api.retry import RetryPolicy, parse_retry_after


def policy(clock: FakeClock, budget: float = 60.0, base: float = 0.5) -> RetryPolicy:
    return RetryPolicy(
        budget=budget,
        base_delay=base,
        max_delay=8.0,
        rng=random.Random(1),
        clock=clock,
        sleep=clock.sleep,
    )


def failing_then_ok(failures: list[httpx.Response | type[httpx.TransportError]]) -> FakeAPI:
    queue = list(failures)

    def hook(request: httpx.Request, n: int) -> httpx.Response | None:
        if not queue:
            return json_response({"name": "Acme"})
        failure = queue.pop(0)
        if isinstance(failure, httpx.Response):
            return failure
        raise failure("injected", request=request)

    return FakeAPI(hook=hook)


@pytest.mark.parametrize(
    "failure",
    [
        json_response({}, 429),
        json_response({}, 500),
        json_response({}, 502),
        json_response({}, 503),
        json_response({}, 504),
        httpx.ReadTimeout,
        httpx.ConnectTimeout,
        httpx.ConnectError,
        httpx.RemoteProtocolError,
        httpx.ReadError,
    ],
)
async def test_transient_failures_are_retried(
    failure: httpx.Response | type[httpx.TransportError],
) -> None:
    clock = FakeClock()
    api = failing_then_ok([failure, failure])
    async with api.client(retry_policy=policy(clock)) as client:
        assert (await client.account()).name == "Acme"
    assert len(api.requests) == 3
    assert len(clock.sleeps) == 2


async def test_full_jitter_exponential_backoff_bounds() -> None:
    clock = FakeClock()
    api = failing_then_ok([json_response({}, 503)] * 6)
    async with api.client(retry_policy=policy(clock, base=0.5)) as client:
        await client.account()
    assert len(clock.sleeps) == 6
    for attempt, delay in enumerate(clock.sleeps):
        assert 0.0 <= delay <= min(8.0, 0.5 * 2**attempt)
    assert len(set(clock.sleeps)) == 6  # jittered, not fixed


async def test_retry_after_seconds_is_honoured() -> None:
    clock = FakeClock()
    api = failing_then_ok([json_response({}, 429, **{"retry-after": "7"})])
    async with api.client(retry_policy=policy(clock)) as client:
        await client.account()
    assert clock.sleeps == [7.0]


async def test_retry_after_http_date_is_honoured() -> None:
    clock = FakeClock()
    later = datetime.fromtimestamp(datetime.now(UTC).timestamp() + 20, UTC)
    http_date = later.strftime("%a, %d %b %Y %H:%M:%S GMT")
    api = failing_then_ok([json_response({}, 503, **{"retry-after": http_date})])
    async with api.client(retry_policy=policy(clock)) as client:
        await client.account()
    assert len(clock.sleeps) == 1 and 17.0 <= clock.sleeps[0] <= 20.0


def test_parse_retry_after_forms() -> None:
    now = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now=now) == 120.0
    assert parse_retry_after(" 1.5 ", now=now) == 1.5
    assert parse_retry_after("Fri, 27 Nov 2026 12:00:30 GMT", now=now) == 30.0
    # No advice: zero, negative, a date in the past or unreadable (the backoff applies).
    for junk in (None, "", "soon", "nan", "inf", "Fri, 99 Nov", "0", "-3", "0.0"):
        assert parse_retry_after(junk, now=now) is None
    assert parse_retry_after("Fri, 27 Nov 2026 11:00:00 GMT", now=now) is None
    assert parse_retry_after("Fri, 27 Nov 2026 12:00:00 GMT", now=now) is None


@pytest.mark.parametrize(
    ("status", "error"), [(429, RateLimitedError), (500, ServerError), (503, ServerError)]
)
async def test_budget_exhausted_raises_the_typed_error(status: int, error: type[APIError]) -> None:
    clock = FakeClock()
    api = FakeAPI(hook=lambda request, n: json_response({}, status))
    async with api.client(retry_policy=policy(clock, budget=60.0, base=4.0)) as client:
        with pytest.raises(error) as info:
            await client.account()
    assert info.value.status == status and info.value.request_id == "req-1234"
    # 60 s of failing; a 429 gets one last try just past its 60 s window.
    assert sum(clock.sleeps) <= 60.0 + (0.02 if status == 429 else 0.0)
    assert len(api.requests) == len(clock.sleeps) + 1 >= 4


async def test_dropped_connections_end_in_network_error() -> None:
    clock = FakeClock()

    def drop(request: httpx.Request, n: int) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected", request=request)

    api = FakeAPI(hook=drop)
    async with api.client(retry_policy=policy(clock, budget=10.0)) as client:
        with pytest.raises(NetworkError, match="connection dropped") as info:
            await client.account()
    assert info.value.exit_code == 3
    # No httpx exception chained: its frames (and their locals) stay out of tracebacks.
    assert info.value.__context__ is None and info.value.__cause__ is None


async def test_retry_after_beyond_budget_gives_up_at_once() -> None:
    clock = FakeClock()
    api = FakeAPI(hook=lambda request, n: json_response({}, 429, **{"retry-after": "3600"}))
    async with api.client(retry_policy=policy(clock, budget=60.0)) as client:
        with pytest.raises(RateLimitedError):
            await client.account()
    assert clock.sleeps == [] and len(api.requests) == 1


async def test_time_queued_for_the_rate_limit_does_not_spend_the_retry_budget() -> None:
    """A request that waited out the 50/min window still gets its retries after a 503."""
    clock = FakeClock()
    limiter = RateLimiter([(1, 61.0)], margin=0.0, clock=clock, sleep=clock.sleep)
    await limiter.acquire()  # the window is full: the client's first request waits 61 s
    api = failing_then_ok([json_response({}, 503)])
    async with api.client(retry_policy=policy(clock), limiter=limiter) as client:
        assert (await client.account()).name == "Acme"
    assert len(api.requests) == 2


async def test_retries_inside_a_paged_listing_lose_and_repeat_nothing() -> None:
    """20% of requests fail transiently: the listing is still exact."""
    data = enrollment_rows(4200)
    rng = random.Random(3)
    api = FakeAPI(lists={"/v1/training/enrollments": data})
    kinds = [json_response({}, 500), json_response({}, 503), json_response({}, 429)]

    def flaky(request: httpx.Request, n: int) -> httpx.Response | None:
        roll = rng.random()
        if roll < 0.05:
            raise httpx.ReadError("connection reset", request=request)
        if roll < 0.2:
            return kinds[n % 3]
        return None

    api.hook = flaky
    clock = FakeClock()
    async with api.client(retry_policy=policy(clock, base=0.01)) as client:
        got = await list_raw(client, "enrollments")
    assert got == data


async def test_certificate_failure_is_not_retried() -> None:
    clock = FakeClock()

    def bad_certificate(request: httpx.Request, n: int) -> httpx.Response:
        try:
            raise ssl.SSLCertVerificationError("certificate verify failed")
        except ssl.SSLError as cause:
            raise httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]", request=request) from cause

    api = FakeAPI(hook=bad_certificate)
    async with api.client(retry_policy=policy(clock)) as client:
        with pytest.raises(NetworkError, match="certificate"):
            await client.account()
    assert len(api.requests) == 1 and clock.sleeps == []


async def test_undecodable_body_is_a_format_error() -> None:
    def bad_gzip(request: httpx.Request, n: int) -> httpx.Response:
        return httpx.Response(200, content=b"not gzip", headers={"content-encoding": "gzip"})

    api = FakeAPI(hook=bad_gzip)
    async with api.client() as client:
        with pytest.raises(ResponseFormatError, match="could not be decoded"):
            await client.account()
