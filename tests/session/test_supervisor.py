"""The session's supervisor without Textual: reachability pushed by the transport, the
offline banner and the quiet retry, background revalidation and the quota, and the events
it emits. Timers run on a fake scheduler; requests go through the real client to the fake
API behind a cable that can be pulled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from session_support import (
    FROZEN_NOW,
    TTL,
    Cable,
    Clock,
    FakeScheduler,
    demo_api,
    demo_session,
)

from kb4tui.api.errors import NetworkError, PermissionDeniedError
from kb4tui.api.retry import RetryPolicy, RetryStatus
from kb4tui.demo import FakeKnowBe4API, FakeKnowBe4Transport
from kb4tui.session.datasets import ACCOUNT, CAMPAIGNS, LIBRARY
from kb4tui.session.events import (
    BackOnline,
    CannotStart,
    Notice,
    QuotaWarning,
    Revalidated,
    SessionEvent,
    StatusChanged,
    WentOffline,
)
from kb4tui.session.session import Session
from kb4tui.store.quota import QuotaMeter

RETRY_SECONDS = 30.0
NO_RETRIES = RetryPolicy(budget=0.0)


async def until(condition: Callable[[], bool], limit: float = 10.0) -> None:
    """Let the loop run until `condition()` holds (the session's tasks are real ones)."""
    async with asyncio.timeout(limit):
        while True:
            if condition():
                return
            await asyncio.sleep(0.005)


async def cache_campaigns(dirs: Path, clock: Clock) -> None:
    """An earlier run that cached the account and the campaigns."""
    async with demo_session(dirs=dirs, clock=clock, start=False) as session:
        await session.get(ACCOUNT)
        await session.get(CAMPAIGNS)


@asynccontextmanager
async def watched(
    dirs: Path,
    clock: Clock,
    cable: Cable,
    *,
    start: bool = False,
) -> AsyncIterator[tuple[Session, FakeScheduler, list[SessionEvent]]]:
    """A session over `cable` with a fake scheduler, recording its events."""
    scheduler = FakeScheduler()
    async with demo_session(
        dirs=dirs,
        clock=clock,
        transport=cable,
        scheduler=scheduler,
        retry_policy=NO_RETRIES,
        offline_retry_seconds=RETRY_SECONDS,
        start=False,
    ) as session:
        events: list[SessionEvent] = []
        session.subscribe(events.append)
        if start:
            session.start()
        yield session, scheduler, events


def of(kind: type[Any], events: list[SessionEvent]) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


def cable(api: FakeKnowBe4API | None = None, *, down: bool = False) -> Cable:
    return Cable(FakeKnowBe4Transport(api or demo_api(users=60)), down=down)


# -- reachability ---------------------------------------------------------------------------


async def test_the_banner_goes_up_while_a_request_still_retries_and_down_at_an_answer(
    tmp_path: Path,
) -> None:
    clock = Clock()
    await cache_campaigns(tmp_path, clock)
    async with watched(tmp_path, clock, cable()) as (session, scheduler, events):
        await session.get(CAMPAIGNS)  # reads the cache: its data is from FROZEN_NOW
        supervisor = session.supervisor
        supervisor.on_transport(RetryStatus(waiting=1, unreachable=True, unreachable_retrying=1))
        assert session.facts.offline_since == FROZEN_NOW
        assert session.facts.retrying == 1
        assert not of(WentOffline, events) and not supervisor.waiting_to_retry
        scheduler.advance()
        assert of(StatusChanged, events)[-1].facts.offline_since == FROZEN_NOW
        supervisor.on_transport(RetryStatus(retries=1))  # an answer came
        assert session.facts.offline_since is None
        scheduler.advance()
        assert not of(BackOnline, events) and not of(WentOffline, events)
        assert not supervisor.waiting_to_retry


async def test_requests_that_stop_unanswered_leave_it_offline_until_a_probe_gets_through(
    tmp_path: Path,
) -> None:
    clock = Clock()
    await cache_campaigns(tmp_path, clock)
    link = cable()
    async with watched(tmp_path, clock, link) as (session, scheduler, events):
        supervisor = session.supervisor
        await session.get(CAMPAIGNS)
        supervisor.on_transport(RetryStatus(unreachable=True, unreachable_retrying=1))
        supervisor.on_transport(RetryStatus(unreachable=True))  # given up, or cancelled
        assert of(WentOffline, events) == [WentOffline(FROZEN_NOW)]
        assert supervisor.waiting_to_retry and session.repository.has_stale
        scheduler.advance(RETRY_SECONDS - 1)
        assert not supervisor.revalidating  # quiet until the timer fires
        link.down = True
        scheduler.advance(1)
        await until(lambda: not supervisor.revalidating)
        assert link.refused == 1 and supervisor.waiting_to_retry  # still down: again later
        assert session.facts.offline_since == FROZEN_NOW
        link.down = False
        scheduler.advance(RETRY_SECONDS)
        await until(lambda: session.facts.offline_since is None)
        await until(lambda: not supervisor.revalidating)
        assert of(BackOnline, events) == [BackOnline(announce=True)]
        assert not supervisor.waiting_to_retry
        assert session.facts.account is not None  # the probe was the account


async def test_a_request_that_finds_no_server_and_stops_at_once_is_offline_proper(
    tmp_path: Path,
) -> None:
    clock = Clock()
    await cache_campaigns(tmp_path, clock)
    async with watched(tmp_path, clock, cable()) as (session, _, events):
        await session.get(CAMPAIGNS)
        session.supervisor.on_transport(RetryStatus(unreachable=True))
        assert of(WentOffline, events) == [WentOffline(FROZEN_NOW)]
        assert session.supervisor.waiting_to_retry


async def test_with_nothing_cached_an_unreachable_api_raises_no_banner(tmp_path: Path) -> None:
    async with watched(tmp_path, Clock(), cable()) as (session, _, events):
        session.supervisor.on_transport(RetryStatus(unreachable=True, unreachable_retrying=1))
        session.supervisor.on_transport(RetryStatus(unreachable=True))
        assert session.facts.offline_since is None and not of(WentOffline, events)


async def test_nothing_cached_and_no_api_cannot_start(tmp_path: Path) -> None:
    async with watched(tmp_path, Clock(), cable(down=True), start=True) as (session, _, events):
        await until(lambda: bool(of(CannotStart, events)))
        [cannot] = of(CannotStart, events)
        assert "Could not reach the KnowBe4 API" in cannot.sentence
        assert "no cached data for profile demo" in cannot.sentence
        assert cannot.exit_code == 3
        assert not session.supervisor.waiting_to_retry


async def test_an_unreachable_api_at_start_with_a_cache_goes_offline(tmp_path: Path) -> None:
    clock = Clock()
    await cache_campaigns(tmp_path, clock)
    clock.now += TTL * 2  # stale: the account is refetched, and cannot be
    link = cable(down=True)
    async with watched(tmp_path, clock, link, start=True) as (session, scheduler, events):
        await until(lambda: session.facts.account is not None)  # the cached one, stale
        scheduler.advance()  # fetching it again fails
        await until(lambda: bool(of(WentOffline, events)))
        assert session.facts.offline_since == FROZEN_NOW
        assert not of(CannotStart, events)


# -- failures reported by views -------------------------------------------------------------


async def test_a_view_that_fails_offline_puts_the_session_offline(tmp_path: Path) -> None:
    clock = Clock()
    await cache_campaigns(tmp_path, clock)
    async with watched(tmp_path, clock, cable()) as (session, _, events):
        await session.get(CAMPAIGNS)
        session.report_failure(NetworkError(), "library")
        assert of(WentOffline, events) == [WentOffline(FROZEN_NOW)]
        [notice] = of(Notice, events)
        assert (notice.title, notice.severity) == ("KnowBe4 API", "error")
        assert "Could not reach the KnowBe4 API" in notice.text


async def test_other_failures_are_said_and_change_nothing(tmp_path: Path) -> None:
    async with watched(tmp_path, Clock(), cable()) as (session, _, events):
        session.report_failure(NetworkError(), "campaigns")  # nothing cached: no banner
        session.report_failure(PermissionDeniedError(status=403), "library")
        session.report_failure(RuntimeError("bug [/oops]"), "compliance")
        assert not of(WentOffline, events)
        texts = [(n.title, n.text) for n in of(Notice, events)]
        assert texts[1][1].startswith("The API key is not allowed")
        assert texts[2] == (
            "Something went wrong",
            "Unexpected RuntimeError while loading compliance: bug [/oops]",
        )


# -- revalidation and the quota -------------------------------------------------------------


async def test_what_was_served_stale_is_fetched_again_and_said(tmp_path: Path) -> None:
    clock = Clock()
    await cache_campaigns(tmp_path, clock)
    clock.now += TTL + timedelta(minutes=1)
    api = demo_api(users=60)
    async with watched(tmp_path, clock, cable(api)) as (session, scheduler, events):
        stale = await session.get(CAMPAIGNS)
        assert stale.fetched_at == FROZEN_NOW and api.log.entries() == []
        assert not session.supervisor.idle
        scheduler.advance()  # the revalidation starts on the next turn
        await until(lambda: session.supervisor.idle)
        assert of(Revalidated, events) == [Revalidated(frozenset({CAMPAIGNS}))]
        assert (await session.get(CAMPAIGNS)).fetched_at == clock.now
        assert api.log.count("/v1/training/campaigns") > 0


async def test_a_background_refetch_past_the_quota_is_skipped_and_r_asks(
    tmp_path: Path,
) -> None:
    clock = Clock()
    await cache_campaigns(tmp_path, clock)
    with QuotaMeter.open(tmp_path / "q", "demo") as meter:
        meter.record(10_000)  # the day's quota is used up, whatever the seats
    clock.now += TTL * 2
    api = demo_api(users=60)
    async with watched(tmp_path, clock, cable(api), start=True) as (session, scheduler, events):
        await until(lambda: session.facts.account is not None)  # the cached one, stale
        scheduler.advance()  # the quota's status is read
        await until(lambda: bool(of(QuotaWarning, events)))
        await session.get(CAMPAIGNS)  # served stale
        scheduler.advance()
        await until(lambda: session.supervisor.idle)
        assert api.log.entries() == [] and not of(Revalidated, events)
        needed = session.refresh_cost([CAMPAIGNS, LIBRARY])
        assert needed == 3 and session.quota_would_pass(needed)  # `r` would ask first
        session.refresh_now([CAMPAIGNS])  # the user said yes
        await until(lambda: session.supervisor.idle)
        assert api.log.count("/v1/training/campaigns") > 0
        assert of(Revalidated, events) == [Revalidated(frozenset({CAMPAIGNS}))]


async def test_the_quota_warning_is_said_once_and_requests_are_counted_in_batches(
    tmp_path: Path,
) -> None:
    with QuotaMeter.open(tmp_path / "q", "demo") as meter:
        meter.record(1700)  # 85% of 2,000 (the seats are not known yet)
    api = demo_api(users=60)
    async with watched(tmp_path, Clock(), cable(api), start=True) as (
        session,
        scheduler,
        events,
    ):
        quota = session.supervisor.quota
        assert quota is not None
        await until(lambda: session.facts.account is not None)
        scheduler.advance(1.0)
        await until(lambda: bool(of(QuotaWarning, events)))
        await session.get(LIBRARY)  # more requests, written in one batch
        assert quota.pending == len(api.log) - 1 > 1
        scheduler.advance(1.0)
        await until(lambda: quota.pending == 0)
        scheduler.advance(1.0)
        assert len(of(QuotaWarning, events)) == 1  # once, however many flushes follow
        used, limit = session.quota_usage()
        assert used == 1700 + len(api.log)
        assert session.facts.requests_today == used and session.facts.daily_quota == limit
    with QuotaMeter.open(tmp_path / "q", "demo") as meter:
        assert meter.used() == used


async def test_a_network_failure_while_revalidating_requeues_the_rest_and_goes_offline(
    tmp_path: Path,
) -> None:
    clock = Clock()
    await cache_campaigns(tmp_path, clock)
    clock.now += TTL * 2
    link = cable(down=True)
    async with watched(tmp_path, clock, link) as (session, scheduler, events):
        await session.get(ACCOUNT)
        await session.get(CAMPAIGNS)
        scheduler.advance()
        await until(lambda: not session.supervisor.revalidating)
        assert of(WentOffline, events)
        assert session.repository.take_stale() == [ACCOUNT, CAMPAIGNS]


@pytest.mark.parametrize("changes", [1, 5])
async def test_a_burst_of_header_changes_is_one_status_event(tmp_path: Path, changes: int) -> None:
    async with watched(tmp_path, Clock(), cable()) as (session, scheduler, events):
        for waiting in range(1, changes + 1):
            session.supervisor.on_transport(RetryStatus(waiting=waiting, last_failure="503"))
        scheduler.advance()
        assert [e.facts.retrying for e in of(StatusChanged, events)] == [changes]
