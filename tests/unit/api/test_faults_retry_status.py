"""KnowBe4Client.retry_status: what the UI needs to show "retrying…" while the client
backs off, against the fake API on a real 127.0.0.1 socket."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator

import httpx
import pytest

from kb4tui.api.client import KnowBe4Client
from kb4tui.api.errors import NetworkError, ServerError
from kb4tui.api.ratelimit import RateLimiter, UsageCounter
from kb4tui.api.retry import RetryPolicy
from kb4tui.demo import FakeAPIConfig, FakeKnowBe4API, LoopbackServer, generate_org

KEY = "kb4tui-retry-status-key-1a2b3c"
pytestmark = pytest.mark.timeout(30)


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    api = FakeKnowBe4API({KEY: generate_org(seed=2, users=60)}, FakeAPIConfig(rate_limit=False))
    with LoopbackServer(api) as running:
        yield running


def client(
    server: LoopbackServer, budget: float, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
) -> KnowBe4Client:
    return KnowBe4Client(
        KEY,
        base_url=server.base_url,
        limiter=RateLimiter([(500, 1.0)]),
        usage=UsageCounter(),
        retry_policy=RetryPolicy(budget=budget, base_delay=0.01, max_delay=0.05, sleep=sleep),
    )


async def test_retry_status_shows_waiting_requests_then_clears(server: LoopbackServer) -> None:
    server.api.config = FakeAPIConfig(rate_limit=False, fault_rate=1.0, fault_kinds=("503",))
    seen_while_sleeping: list[tuple[int, str | None]] = []

    async def sleep(delay: float) -> None:
        seen_while_sleeping.append((kb.retry_status.waiting, kb.retry_status.last_failure))
        await asyncio.sleep(delay)

    async with client(server, budget=0.5, sleep=sleep) as kb:
        assert (kb.retry_status.waiting, kb.retry_status.retries) == (0, 0)
        with pytest.raises(ServerError):
            await kb.account()
        assert kb.retry_status.waiting == 0
        assert kb.retry_status.retries == len(seen_while_sleeping) >= 2
    for waiting, failure in seen_while_sleeping:
        assert waiting == 1
        assert failure is not None and "503" in failure and KEY not in failure


async def test_retry_status_counts_retries_that_succeed(server: LoopbackServer) -> None:
    server.api.config = FakeAPIConfig(
        rate_limit=False, fault_rate=0.5, fault_kinds=("500",), fault_seed=3
    )
    async with client(server, budget=5.0) as kb:
        users = await kb.users()
        assert users
        assert kb.retry_status.retries > 0 and kb.retry_status.waiting == 0
    server.api.config = FakeAPIConfig(rate_limit=False)


async def test_unreachable_from_a_dropped_connection_until_any_answer(
    server: LoopbackServer,
) -> None:
    # A dropped connection means the server could not be reached; a 503 is an answer.
    server.api.config = FakeAPIConfig(rate_limit=False, fault_rate=1.0, fault_kinds=("drop",))
    seen: list[bool] = []

    async def sleep(delay: float) -> None:
        seen.append(kb.retry_status.unreachable)
        if len(seen) == 2:  # the link comes back, with the server still failing
            server.api.config = FakeAPIConfig(
                rate_limit=False, fault_rate=1.0, fault_kinds=("503",)
            )
        await asyncio.sleep(delay)

    async with client(server, budget=0.5, sleep=sleep) as kb:
        assert not kb.retry_status.unreachable
        with pytest.raises(ServerError):
            await kb.account()
        assert seen[:2] == [True, True]
        assert not any(seen[2:]) and len(seen) > 2
        assert not kb.retry_status.unreachable
    server.api.config = FakeAPIConfig(rate_limit=False)


async def test_a_request_cancelled_while_retrying_no_longer_counts_as_trying() -> None:
    class NoServer(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("connection refused", request=request)

    sleeping = asyncio.Event()

    async def sleep(delay: float) -> None:
        sleeping.set()
        await asyncio.sleep(3600)  # cancelled long before

    kb = KnowBe4Client(
        KEY,
        transport=NoServer(),
        limiter=RateLimiter([(500, 1.0)]),
        retry_policy=RetryPolicy(budget=60.0, sleep=sleep),
    )
    async with kb:
        task = asyncio.create_task(kb.account())
        await sleeping.wait()
        assert kb.retry_status.unreachable and kb.retry_status.unreachable_retrying == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # Nothing is trying any more; the last attempt still found no server.
        assert kb.retry_status.unreachable_retrying == 0
        assert kb.retry_status.unreachable


async def test_attempts_that_never_connect_are_not_counted_against_the_quota(
    server: LoopbackServer,
) -> None:
    class NoServer(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("connection refused", request=request)

    offline = KnowBe4Client(
        KEY,
        transport=NoServer(),
        limiter=RateLimiter([(500, 1.0)]),
        usage=UsageCounter(),
        retry_policy=RetryPolicy(budget=0.3, base_delay=0.01, max_delay=0.05),
    )
    async with offline:
        with pytest.raises(NetworkError):
            await offline.account()
        assert offline.retry_status.retries >= 2
        assert offline.usage.count == 0
    # A dropped connection may have been counted by the server: so it is counted here.
    server.api.config = FakeAPIConfig(rate_limit=False, fault_rate=1.0, fault_kinds=("drop",))
    async with client(server, budget=0.3) as kb:
        with pytest.raises(NetworkError):
            await kb.account()
        assert kb.usage.count == kb.retry_status.retries + 1 >= 2
    server.api.config = FakeAPIConfig(rate_limit=False)
