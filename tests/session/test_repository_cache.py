"""The repository over the disk cache: reuse across instances (as across launches), the
all-enrollments reuse from disk, stale-while-revalidate, and corrupt-file notices."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from session_support import FROZEN_NOW, Clock, demo_api, open_cache, repository_over, rows_of

from kb4tui.session.datasets import ACCOUNT, ALL_ENROLLMENTS, CAMPAIGNS, LIBRARY, EnrollmentSubset
from kb4tui.session.enrollment_query import EnrollmentQuery

TTL = timedelta(minutes=15)


async def test_a_campaign_is_answered_from_all_enrollments_cached_by_an_earlier_run(
    tmp_path: Path,
) -> None:
    clock = Clock()
    with open_cache(tmp_path) as cache:
        async with repository_over(cache=cache, clock=clock) as repo:
            everything = await repo.get(ALL_ENROLLMENTS)
    campaign_id = next(r.campaign_id for r in everything.value if r.campaign_id is not None)
    expected = [r.enrollment_id for r in everything.value if r.campaign_id == campaign_id]
    clock.now += timedelta(minutes=5)
    api = demo_api(users=120)
    with open_cache(tmp_path) as cache:
        async with repository_over(api, cache=cache, clock=clock, max_age=TTL) as repo:
            wanted = EnrollmentSubset(EnrollmentQuery(campaign_id=campaign_id))
            pages = [page async for page in repo.stream(wanted)]
    assert [p.from_memo for p in pages] == [True]
    assert [r.enrollment_id for r in pages[0].rows] == expected and expected
    assert pages[0].fetched_at == FROZEN_NOW
    assert api.log.entries() == []


async def test_a_campaigns_own_enrollments_are_cached_under_their_kind(tmp_path: Path) -> None:
    clock = Clock()
    with open_cache(tmp_path) as cache:
        async with repository_over(cache=cache, clock=clock) as repo:
            campaign = next(c for c in (await repo.get(CAMPAIGNS)).value if c.campaign_id)
            wanted = EnrollmentSubset(EnrollmentQuery(campaign_id=campaign.campaign_id))
            streamed = await rows_of(repo, wanted)
        assert cache.fetched_at(f"enrollments:campaign={campaign.campaign_id}") == FROZEN_NOW
        assert cache.fetched_at("enrollments:all") is None
    api = demo_api(users=120)
    with open_cache(tmp_path) as cache:
        async with repository_over(api, cache=cache, clock=clock) as repo:
            again = await rows_of(repo, wanted)
    assert [r.enrollment_id for r in again] == [r.enrollment_id for r in streamed]
    assert api.log.entries() == []


async def test_the_account_and_library_come_back_from_disk_as_sent(tmp_path: Path) -> None:
    clock = Clock()
    with open_cache(tmp_path) as cache:
        async with repository_over(cache=cache, clock=clock) as repo:
            account = (await repo.get(ACCOUNT)).value
            library = (await repo.get(LIBRARY)).value
        # The API's raw records, one cache kind per listing.
        cached = cache.get("account")
        assert cached is not None and cached.records[0]["name"] == account.name
        assert {"store_purchases", "policies"} <= {k.kind for k in cache.kinds()}
    api = demo_api(users=120)
    with open_cache(tmp_path) as cache:
        async with repository_over(api, cache=cache, clock=clock) as repo:
            assert (await repo.get(ACCOUNT)).value == account
            assert (await repo.get(LIBRARY)).value == library
    assert api.log.entries() == []


async def test_stale_is_refetched_or_served_and_queued(tmp_path: Path) -> None:
    clock = Clock()
    with open_cache(tmp_path) as cache:
        async with repository_over(cache=cache, clock=clock) as repo:
            await repo.get(LIBRARY)
    clock.now += TTL + timedelta(minutes=1)
    api = demo_api(users=120)
    with open_cache(tmp_path) as cache:
        async with repository_over(api, cache=cache, clock=clock, max_age=TTL) as plain:
            assert (await plain.get(LIBRARY)).fetched_at == clock.now  # refetched at once
        requests = len(api.log.entries())
        assert api.log.count("/v1/training/store_purchases") > 0
        assert api.log.count("/v1/training/policies") > 0
        clock.now += TTL + timedelta(minutes=1)
        async with repository_over(
            api, cache=cache, clock=clock, max_age=TTL, stale_while_revalidate=True
        ) as swr:
            queued: list[int] = []
            swr.on_stale = lambda: queued.append(1)
            stale = await swr.get(LIBRARY)
            assert stale.fetched_at < clock.now and len(api.log.entries()) == requests
            assert queued == [1]
            assert swr.take_stale() == [LIBRARY] and not swr.has_stale
            await swr.get(LIBRARY, refresh=True)
            assert (await swr.get(LIBRARY)).fetched_at == clock.now
        assert cache.fetched_at("store_purchases") == clock.now
        assert len(api.log.entries()) == requests * 2


async def test_a_corrupt_cache_file_is_said_once_the_repository_is_watched(
    tmp_path: Path,
) -> None:
    cache_file = open_cache(tmp_path)
    path = cache_file.path
    cache_file.close()
    path.write_bytes(b"this is not a database" * 100)
    with open_cache(tmp_path) as cache:
        async with repository_over(cache=cache) as repo:
            notices: list[str] = []
            repo.on_notice = notices.append
            repo.forward_notices()
            assert len(notices) == 1 and "fresh one started" in notices[0]
            await repo.get(CAMPAIGNS)  # the rebuilt file works
        assert cache.get("campaigns") is not None
