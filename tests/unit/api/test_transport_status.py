"""The transport layer pushes what it is doing: every change of its `RetryStatus` reaches
its observers at once (the session's offline banner and "retrying…" depend on it)."""

from __future__ import annotations

import random
from collections.abc import Callable

import httpx
import pytest
from client_fakes import FakeAPI, FakeClock, json_response

from kb4tui.api.errors import NetworkError
from kb4tui.api.retry import RetryPolicy, RetryStatus

Seen = tuple[int, bool, int, str | None]


def snapshot(seen: list[Seen]) -> Callable[[RetryStatus], None]:
    def observe(status: RetryStatus) -> None:
        seen.append(
            (status.waiting, status.unreachable, status.unreachable_retrying, status.last_failure)
        )

    return observe


def policy(clock: FakeClock, budget: float = 60.0) -> RetryPolicy:
    return RetryPolicy(
        budget=budget, base_delay=0.5, rng=random.Random(1), clock=clock, sleep=clock.sleep
    )


async def test_no_server_then_an_answer_is_pushed_as_it_happens() -> None:
    calls = 0

    def hook(request: httpx.Request, n: int) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.ConnectError("refused", request=request)
        return json_response({"name": "Acme"})

    clock = FakeClock()
    async with FakeAPI(hook=hook).client(retry_policy=policy(clock)) as client:
        seen: list[Seen] = []
        stop = client.transport.observe(snapshot(seen))
        assert (await client.account()).name == "Acme"
        stop()
        await client.account()
    failure = "Could not reach the KnowBe4 API: the connection failed"
    assert seen == [
        (0, True, 1, None),  # no server: the banner may go up while it retries
        (1, True, 1, failure),  # waiting to retry
        (0, True, 1, failure),  # retrying now
        (0, False, 0, failure),  # answered: reachable again, nothing left retrying
    ]


async def test_a_request_that_gives_up_unanswered_leaves_the_api_unreachable() -> None:
    def hook(request: httpx.Request, n: int) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    clock = FakeClock()
    async with FakeAPI(hook=hook).client(retry_policy=policy(clock, budget=1.0)) as client:
        seen: list[Seen] = []
        client.transport.observe(snapshot(seen))
        with pytest.raises(NetworkError):
            await client.account()
    waiting, unreachable, retrying, _ = seen[-1]
    assert (waiting, unreachable, retrying) == (0, True, 0)  # stopped trying, unanswered
    assert client.usage.count == 0  # no connection was ever made: nothing counted


async def test_server_errors_say_why_while_retrying() -> None:
    responses = iter([json_response({}, 503), json_response({"name": "Acme"})])

    def hook(request: httpx.Request, n: int) -> httpx.Response:
        return next(responses)

    clock = FakeClock()
    async with FakeAPI(hook=hook).client(retry_policy=policy(clock)) as client:
        seen: list[Seen] = []
        client.transport.observe(snapshot(seen))
        await client.account()
    assert (1, False, 0, "The KnowBe4 API failed with HTTP 503") in seen
    assert client.usage.count == 2  # both answers reached the server: both counted
