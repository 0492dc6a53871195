"""Repository over the disk cache, without the UI: reuse across instances (as across
launches), the all-enrollments reuse from disk, stale-while-revalidate, and the quota feed."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from ui_support import FROZEN_NOW

from kb4tui.api.client import KnowBe4Client
from kb4tui.api.models import Enrollment
from kb4tui.api.ratelimit import RateLimiter, UsageCounter
from kb4tui.demo import (
    DEMO_API_KEY,
    FakeAPIConfig,
    FakeKnowBe4API,
    FakeKnowBe4Transport,
    generate_org,
)
from kb4tui.repository import EnrollmentQuery, Repository
from kb4tui.store.cache import Cache, account_key
from kb4tui.store.quota import QuotaMeter
from kb4tui.store.quota_feed import QuotaFeed

TTL = timedelta(minutes=15)


class Clock:
    def __init__(self) -> None:
        self.now = FROZEN_NOW

    def __call__(self) -> datetime:
        return self.now


def fake_api() -> FakeKnowBe4API:
    return FakeKnowBe4API(
        {DEMO_API_KEY: partial(generate_org, users=100, now=FROZEN_NOW)},
        FakeAPIConfig(rate_limit=False),
    )


def client_for(api: FakeKnowBe4API, usage: UsageCounter | None = None) -> KnowBe4Client:
    return KnowBe4Client(
        DEMO_API_KEY,
        transport=FakeKnowBe4Transport(api),
        limiter=RateLimiter([(100_000, 1.0)]),
        usage=usage or UsageCounter(),
    )


async def rows_of(repo: Repository, query: EnrollmentQuery) -> list[Enrollment]:
    return [row async for page in repo.enrollment_pages(query) for row in page.rows]


def open_cache(tmp_path: Path) -> Cache:
    return Cache.open(tmp_path, "p", account_key("https://us.api.knowbe4.com"))


async def test_a_campaign_is_answered_from_all_enrollments_cached_by_an_earlier_run(
    tmp_path: Path,
) -> None:
    clock = Clock()
    first_api = fake_api()
    with open_cache(tmp_path) as cache:
        async with client_for(first_api) as client:
            everything = await Repository(client, cache=cache, clock=clock).all_enrollments()
    campaign_id = next(r.campaign_id for r in everything.value if r.campaign_id is not None)
    expected = [r.enrollment_id for r in everything.value if r.campaign_id == campaign_id]
    clock.now += timedelta(minutes=5)
    api = fake_api()
    with open_cache(tmp_path) as cache:
        async with client_for(api) as client:
            repo = Repository(client, cache=cache, clock=clock, max_age=TTL)
            query = EnrollmentQuery(campaign_id=campaign_id)
            pages = [page async for page in repo.enrollment_pages(query)]
    assert [p.from_memo for p in pages] == [True]
    assert [r.enrollment_id for r in pages[0].rows] == expected and expected
    assert pages[0].fetched_at == FROZEN_NOW
    assert api.log.entries() == []


async def test_a_campaigns_own_enrollments_are_cached_under_their_kind(tmp_path: Path) -> None:
    clock = Clock()
    query = EnrollmentQuery(campaign_id=None)
    with open_cache(tmp_path) as cache:
        async with client_for(fake_api()) as client:
            repo = Repository(client, cache=cache, clock=clock)
            campaign = next(c for c in (await repo.campaigns()).value if c.campaign_id)
            query = EnrollmentQuery(campaign_id=campaign.campaign_id)
            streamed = [
                r for page in [p async for p in repo.enrollment_pages(query)] for r in page.rows
            ]
        assert cache.fetched_at(f"enrollments:campaign={campaign.campaign_id}") == FROZEN_NOW
        assert cache.fetched_at("enrollments:all") is None
    api = fake_api()
    with open_cache(tmp_path) as cache:
        async with client_for(api) as client:
            repo = Repository(client, cache=cache, clock=clock)
            again = [
                r for page in [p async for p in repo.enrollment_pages(query)] for r in page.rows
            ]
    assert [r.enrollment_id for r in again] == [r.enrollment_id for r in streamed]
    assert api.log.entries() == []


async def test_stale_is_refetched_or_served_and_queued(tmp_path: Path) -> None:
    clock = Clock()
    with open_cache(tmp_path) as cache:
        async with client_for(fake_api()) as client:
            await Repository(client, cache=cache, clock=clock).library()
    clock.now += TTL + timedelta(minutes=1)
    api = fake_api()
    with open_cache(tmp_path) as cache:
        async with client_for(api) as client:
            plain = Repository(client, cache=cache, clock=clock, max_age=TTL)
            assert (await plain.library()).fetched_at == clock.now  # refetched at once
        requests = len(api.log.entries())
        assert api.log.count("/v1/training/store_purchases") > 0
        assert api.log.count("/v1/training/policies") > 0
        clock.now += TTL + timedelta(minutes=1)
        async with client_for(api) as client:
            swr = Repository(
                client, cache=cache, clock=clock, max_age=TTL, stale_while_revalidate=True
            )
            stale = await swr.library()
            assert stale.fetched_at < clock.now and len(api.log.entries()) == requests
            queued = swr.take_stale()
            assert list(queued) == ["library"] and not swr.has_stale
            await swr.revalidate("library")
            assert (await swr.library()).fetched_at == clock.now
        assert cache.fetched_at("store_purchases") == clock.now
        assert len(api.log.entries()) == requests * 2


async def test_the_quota_feed_records_each_request_in_batches(tmp_path: Path) -> None:
    usage = UsageCounter()
    api = fake_api()
    with QuotaMeter.open(tmp_path, "p") as meter:
        feed = QuotaFeed(meter)
        with open_cache(tmp_path) as cache:
            async with client_for(api, usage) as client:
                repo = Repository(client, cache=cache, quota=feed)
                await repo.account()
                await repo.library()
        sent = len(api.log.entries())
        assert feed.pending == sent > 0 and meter.used() == 0  # nothing written on the loop
        assert feed.flush().used == sent and meter.used() == sent
        feed.set_seats(repo.memo.entries["account"].value.number_of_seats)
        assert feed.status.limit == 2000 + (meter.seats or 0) and meter.seats
