"""Helpers for the session tests and the UI tests: the demo's fake API, the real client
over it, the real session wiring (a cache and a quota meter in the test's own temporary
directories), a settable clock, a fake scheduler, a cable to pull."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from kb4tui.api.client import KnowBe4Client
from kb4tui.api.ratelimit import RateLimiter, UsageCounter
from kb4tui.api.retry import RetryPolicy
from kb4tui.demo import (
    DEMO_API_KEY,
    FakeAPIConfig,
    FakeKnowBe4API,
    FakeKnowBe4Transport,
    generate_org,
)
from kb4tui.demo.org import DemoOrg
from kb4tui.session.datasets import Dataset
from kb4tui.session.repository import Page, Repository
from kb4tui.session.scheduler import Scheduler
from kb4tui.session.session import Session
from kb4tui.session.wiring import SessionFactory, session_factory
from kb4tui.store.cache import Cache, account_key

BASE_URL = "https://us.api.knowbe4.com"
FROZEN_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TTL = timedelta(minutes=15)


def frozen_clock() -> datetime:
    return FROZEN_NOW


class FrozenUsage(UsageCounter):
    """A request counter that never moves: for snapshots, where the header's count would
    otherwise depend on timing. The quota meter is given the count shown instead."""

    def record(self, requests: int = 1) -> None:
        return None


def demo_api(
    *, users: int = 300, org: DemoOrg | None = None, latency: float = 0.0, **config: Any
) -> FakeKnowBe4API:
    """The fake API over the deterministic demo organisation (or `org`), without the
    server-side rate limit; `config` sets other `FakeAPIConfig` fields (faults, auth)."""
    source = org if org is not None else partial(generate_org, users=users, now=FROZEN_NOW)
    return FakeKnowBe4API(
        {DEMO_API_KEY: source}, FakeAPIConfig(latency=latency, rate_limit=False, **config)
    )


def demo_client(
    transport: httpx.AsyncBaseTransport,
    *,
    usage: UsageCounter | None = None,
    limiter: RateLimiter | None = None,
    retry_policy: RetryPolicy | None = None,
) -> KnowBe4Client:
    """The real client over `transport`, not paced (pacing is not under test here)."""
    return KnowBe4Client(
        DEMO_API_KEY,
        transport=transport,
        limiter=limiter or RateLimiter([(100_000, 1.0)]),
        usage=usage if usage is not None else UsageCounter(),
        retry_policy=retry_policy,
    )


def demo_session_factory(
    *,
    api: FakeKnowBe4API | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    usage: UsageCounter | None = None,
    limiter: RateLimiter | None = None,
    retry_policy: RetryPolicy | None = None,
    clock: Callable[[], datetime] = frozen_clock,
    profile: str = "demo",
    store_name: str | None = None,
    offline_retry_seconds: float = 30.0,
    dirs: Path | None = None,
    scheduler: Scheduler | None = None,
    **api_options: Any,
) -> SessionFactory:
    """What `kb4tui` opens, over the fake API: `api` (or one made from `api_options`, see
    `demo_api`), or any `transport` (a fault injector around the fake API). The cache and
    the meter go in `dirs` (default: the test's own XDG directories)."""
    if transport is None:
        transport = FakeKnowBe4Transport(api if api is not None else demo_api(**api_options))
    inner = transport
    return session_factory(
        lambda: demo_client(inner, usage=usage, limiter=limiter, retry_policy=retry_policy),
        profile,
        TTL,
        store_name=store_name,
        clock=clock,
        offline_retry_seconds=offline_retry_seconds,
        cache_dir=dirs / "c" if dirs is not None else None,
        quota_dir=dirs / "q" if dirs is not None else None,
        scheduler=scheduler,
    )


@asynccontextmanager
async def demo_session(*, start: bool = True, **options: Any) -> AsyncIterator[Session]:
    """A session on the demo organisation, without the UI (started: the account loads)."""
    async with demo_session_factory(**options)() as session:
        if start:
            session.start()
        yield session


class Clock:
    """A wall clock that moves only when told."""

    def __init__(self, now: datetime = FROZEN_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class FakeTimer:
    due: float
    callback: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class FakeScheduler:
    """Timers on a clock of its own: `advance(seconds)` runs what falls due, in order."""

    now: float = 0.0
    timers: list[FakeTimer] = field(default_factory=list)

    def call_later(self, delay: float, callback: Callable[[], None]) -> FakeTimer:
        timer = FakeTimer(self.now + delay, callback)
        self.timers.append(timer)
        return timer

    def pending(self) -> list[FakeTimer]:
        return [t for t in self.timers if not t.cancelled]

    def advance(self, seconds: float = 0.0) -> None:
        until = self.now + seconds
        while True:
            due = sorted((t for t in self.pending() if t.due <= until), key=lambda timer: timer.due)
            if not due:
                break
            timer = due[0]
            self.timers.remove(timer)
            self.now = max(self.now, timer.due)
            timer.callback()
        self.now = until


def open_cache(directory: Any) -> Cache:
    return Cache.open(directory, "p", account_key(BASE_URL))


@asynccontextmanager
async def repository_over(
    api: FakeKnowBe4API | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    retry_policy: RetryPolicy | None = None,
    clock: Callable[[], datetime] | None = None,
    cache: Cache | None = None,
    max_age: timedelta = timedelta(minutes=15),
    stale_while_revalidate: bool = False,
    usage: UsageCounter | None = None,
) -> AsyncIterator[Repository]:
    """A repository reading the fake API (or `transport`) through the real client."""
    if transport is None:
        transport = FakeKnowBe4Transport(api if api is not None else demo_api(users=120))
    async with demo_client(transport, usage=usage, retry_policy=retry_policy) as client:
        yield Repository(
            client,
            cache=cache,
            clock=clock or Clock(),
            max_age=max_age,
            stale_while_revalidate=stale_while_revalidate,
        )


async def pages_of(repository: Repository, dataset: Dataset[list[Any]]) -> list[Page[Any]]:
    return [page async for page in repository.stream(dataset)]


async def rows_of(
    repository: Repository, dataset: Dataset[list[Any]], *, refresh: bool = False
) -> list[Any]:
    return [row async for page in repository.stream(dataset, refresh=refresh) for row in page.rows]


class Cable(httpx.AsyncBaseTransport):
    """A transport behind a cable that can be pulled: while `down`, nothing connects."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, down: bool = False) -> None:
        self.inner = inner
        self.down = down
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            self.refused += 1
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)
