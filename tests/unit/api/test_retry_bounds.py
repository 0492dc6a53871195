"""Every request is bounded (issue 20 items 11-12, issue 12 items 20 and 30): attempts,
Retry-After values that are no advice, 429s that outlast the minute, connections that
cannot be made, and a deadline for the whole request. Fake clock: no real waiting."""

from __future__ import annotations

import random
import socket

import httpx
import pytest
from client_fakes import FakeAPI, FakeClock, json_response

from kb4tui.api.errors import (
    NetworkError,
    QuotaSpentError,
    RateLimitedError,
    ServerError,
)
from kb4tui.api.retry import RetryPolicy


def real_policy(clock: FakeClock) -> RetryPolicy:
    """The production defaults, on the fake clock."""
    return RetryPolicy(rng=random.Random(5), clock=clock, sleep=clock.sleep)


@pytest.mark.parametrize("retry_after", ["0", "-5", "0.0", "Thu, 01 Jan 2015 00:00:00 GMT"])
async def test_retry_after_that_is_no_advice_gets_the_backoff_and_few_attempts(
    retry_after: str,
) -> None:
    """A server answering 503 with `Retry-After: 0` (or negative, or past) was retried at
    once, 200 times in 200 s: now the backoff applies and attempts are capped."""
    clock = FakeClock()
    api = FakeAPI(hook=lambda request, n: json_response({}, 503, **{"retry-after": retry_after}))
    async with api.client(retry_policy=real_policy(clock)) as client:
        with pytest.raises(ServerError):
            await client.account()
    assert len(api.requests) <= 8
    assert all(delay > 0 for delay in clock.sleeps)


async def test_attempts_per_request_are_capped() -> None:
    clock = FakeClock()
    policy = RetryPolicy(budget=10_000.0, base_delay=0.001, clock=clock, sleep=clock.sleep)
    api = FakeAPI(hook=lambda request, n: json_response({}, 500))
    async with api.client(retry_policy=policy) as client:
        with pytest.raises(ServerError):
            await client.account()
    assert len(api.requests) == policy.max_attempts == 8


async def test_429_with_retry_after_1_stops_past_the_minute_saying_the_quota_is_spent() -> None:
    """`Retry-After: 1` on every 429 made `get` send 60 requests in 71 s. Now the waits
    grow, the request stops once the 429 has lasted the minute, and says why."""
    clock = FakeClock()
    api = FakeAPI(hook=lambda request, n: json_response({}, 429, **{"retry-after": "1"}))
    async with api.client(retry_policy=real_policy(clock)) as client:
        with pytest.raises(QuotaSpentError) as info:
            await client.get_raw("campaigns", 5)
    assert len(api.requests) <= 8
    assert 60.0 <= sum(clock.sleeps) <= 61.0
    assert all(delay >= 1.0 for delay in clock.sleeps)  # never shorter than Retry-After
    assert info.value.exit_code == 3
    assert "quota" in info.value.sentence and "tomorrow" in info.value.sentence


async def test_429_without_retry_after_also_ends_past_the_minute() -> None:
    clock = FakeClock()
    api = FakeAPI(hook=lambda request, n: json_response({}, 429))
    async with api.client(retry_policy=real_policy(clock)) as client:
        with pytest.raises(QuotaSpentError):
            await client.account()
    assert len(api.requests) <= 8 and sum(clock.sleeps) >= 60.0


async def test_retry_after_longer_than_the_minute_means_the_quota_at_once() -> None:
    clock = FakeClock()
    api = FakeAPI(hook=lambda request, n: json_response({}, 429, **{"retry-after": "3600"}))
    async with api.client(retry_policy=real_policy(clock)) as client:
        with pytest.raises(QuotaSpentError):
            await client.account()
    assert len(api.requests) == 1 and clock.sleeps == []


async def test_a_short_429_burst_is_waited_out_and_not_called_the_quota() -> None:
    clock = FakeClock()
    answers = [json_response({}, 429)] * 3

    def hook(request: httpx.Request, n: int) -> httpx.Response:
        return answers.pop(0) if answers else json_response({"name": "Acme"})

    api = FakeAPI(hook=hook)
    async with api.client(retry_policy=real_policy(clock)) as client:
        assert (await client.account()).name == "Acme"
    assert len(api.requests) == 4 and sum(clock.sleeps) < 20.0


async def test_429_cut_short_by_the_attempt_cap_is_the_plain_rate_limit_error() -> None:
    clock = FakeClock()
    quick = RetryPolicy(base_delay=0.001, clock=clock, sleep=clock.sleep)
    api = FakeAPI(hook=lambda request, n: json_response({}, 429))
    async with api.client(retry_policy=quick) as client:
        with pytest.raises(RateLimitedError) as info:
            await client.account()
    assert type(info.value) is RateLimitedError and len(api.requests) == 8


def unresolvable(request: httpx.Request, n: int) -> httpx.Response:
    try:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    except socket.gaierror as cause:
        raise httpx.ConnectError("[Errno -2] Name or service not known") from cause


def refused(request: httpx.Request, n: int) -> httpx.Response:
    try:
        raise ConnectionRefusedError(111, "Connection refused")
    except ConnectionRefusedError as cause:
        raise httpx.ConnectError("[Errno 111] Connection refused") from cause


@pytest.mark.parametrize(
    ("base_url", "hook", "says"),
    [
        ("https://kb4tui-test.invalid", unresolvable, "host name could not be resolved"),
        ("http://127.0.0.1:9", refused, "connection failed"),
        ("http://localhost:9", refused, "connection failed"),
    ],
)
async def test_a_connection_that_cannot_be_made_fails_in_seconds(
    base_url: str, hook: object, says: str
) -> None:
    """57 s of retries for a refused loopback port: now one retry, well within a second."""
    clock = FakeClock()
    api = FakeAPI(hook=hook)  # type: ignore[arg-type]
    async with api.client(retry_policy=real_policy(clock), base_url=base_url) as client:
        with pytest.raises(NetworkError, match=says):
            await client.account()
    assert len(api.requests) == 2 and sum(clock.sleeps) < 1.0


async def test_a_refused_connection_to_a_remote_host_is_still_retried() -> None:
    """Elsewhere a refusal can be a restart or a flaky middlebox: retried as before."""
    clock = FakeClock()
    api = FakeAPI(hook=refused)
    async with api.client(retry_policy=real_policy(clock)) as client:
        with pytest.raises(NetworkError):
            await client.account()
    assert len(api.requests) > 2


def test_no_wait_passes_the_request_deadline() -> None:
    policy = RetryPolicy(budget=1_000.0, request_deadline=10.0, rng=random.Random(1))
    assert policy.next_delay(0, 9.9, 5.0) is None
    assert policy.next_delay(0, 1.0, 5.0) == 5.0
