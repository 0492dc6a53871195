"""Repository: memo, freshness, the all-enrollments reuse, streaming and cancellation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ui_support import DemoSource, frozen_clock

from kb4tui.api.models import Policy
from kb4tui.demo import generate_org
from kb4tui.demo.org import DemoOrg
from kb4tui.repository import EnrollmentPage, EnrollmentQuery, Repository


@pytest.fixture(scope="module")
def org() -> DemoOrg:
    return generate_org(users=200, now=frozen_clock())


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def collect(repo: Repository, query: EnrollmentQuery) -> list[EnrollmentPage]:
    return [page async for page in repo.enrollment_pages(query)]


async def test_lists_are_memoised_with_their_fetch_time_until_stale(org: DemoOrg) -> None:
    source = DemoSource(org)
    clock = Clock()
    repo = Repository(source, clock=clock, max_age=timedelta(minutes=10))
    first = await repo.campaigns()
    assert first.fetched_at == clock.now and len(first.value) == 25
    clock.now += timedelta(minutes=5)
    assert (await repo.campaigns()) is first
    assert source.usage.count == 1
    clock.now += timedelta(minutes=6)
    again = await repo.campaigns()
    assert again.fetched_at == clock.now and source.usage.count == 2
    assert (await repo.campaigns(refresh=True)).fetched_at == clock.now
    assert source.usage.count == 3


async def test_library_holds_purchases_and_policies(org: DemoOrg) -> None:
    repo = Repository(DemoSource(org), clock=frozen_clock)
    items = (await repo.library()).value
    assert len(items) == len(org.store_purchases) + len(org.policies)
    assert sum(isinstance(i, Policy) for i in items) == len(org.policies)
    assert repo.cached_library() == items


async def test_campaign_enrollments_stream_page_by_page_then_come_from_memory(
    org: DemoOrg,
) -> None:
    source = DemoSource(org, page_size=40)
    repo = Repository(source, clock=frozen_clock)
    campaign_id = org.campaign_ids[3]
    rows = org.campaign_enrollments(campaign_id)
    expected = sum((r.get("user") or {}).get("id") not in org.archived_user_ids for r in rows)
    assert 0 < expected < len(rows)  # archived users are left out
    query = EnrollmentQuery(campaign_id=campaign_id)
    assert repo.peek(query) is None
    pages = await collect(repo, query)
    assert [p.page for p in pages[:2]] == [1, 2] and pages[-1].done
    assert not any(p.done for p in pages[:-1])
    assert sum(len(p.rows) for p in pages) == pages[-1].total == expected
    used = source.usage.count
    [memo_page] = await collect(repo, query)
    assert memo_page.from_memo and len(memo_page.rows) == expected
    assert source.usage.count == used
    assert repo.peek(query) is not None


async def test_a_stream_left_early_is_not_memoised(org: DemoOrg) -> None:
    repo = Repository(DemoSource(org, page_size=20), clock=frozen_clock)
    query = EnrollmentQuery(campaign_id=org.campaign_ids[1])
    stream = repo.enrollment_pages(query)
    first = await anext(stream)
    assert len(first.rows) == 20 and not first.done
    await stream.aclose()
    assert repo.peek(query) is None


async def test_all_enrollments_serve_user_campaign_and_policy_queries(org: DemoOrg) -> None:
    source = DemoSource(org)
    repo = Repository(source, clock=frozen_clock)
    everything = (await repo.all_enrollments()).value
    archived = org.archived_user_ids
    assert everything and all(e.user_id not in archived for e in everything)
    used = source.usage.count

    user_id = everything[0].user_id
    [page] = await collect(repo, EnrollmentQuery(user_id=user_id))
    assert page.rows and all(e.user_id == user_id for e in page.rows)
    assert page.rows == [e for e in everything if e.user_id == user_id]

    campaign_id = org.campaign_ids[2]
    [page] = await collect(repo, EnrollmentQuery(campaign_id=campaign_id))
    assert page.rows == [e for e in everything if e.campaign_id == campaign_id]
    assert source.usage.count == used  # both answered from the one fetch

    policy = Policy.from_api(org.policies[0])
    query = EnrollmentQuery(policy_id=policy.policy_id, module_name=policy.name)
    [page] = await collect(repo, query)
    assert page.rows and {e.module for e in page.rows} == {policy.name}


async def test_policy_query_fetches_all_enrollments_once(org: DemoOrg) -> None:
    source = DemoSource(org)
    repo = Repository(source, clock=frozen_clock)
    policy = Policy.from_api(org.policies[0])
    [page] = await collect(
        repo, EnrollmentQuery(policy_id=policy.policy_id, module_name=policy.name)
    )
    assert page.done and page.rows
    used = source.usage.count
    [page] = await collect(repo, EnrollmentQuery(user_id=page.rows[0].user_id))
    assert source.usage.count == used


async def test_requests_today_reads_the_clients_counter(org: DemoOrg) -> None:
    source = DemoSource(org)
    repo = Repository(source, clock=frozen_clock)
    await repo.account()
    await repo.campaigns()
    assert repo.requests_today == 2


async def test_campaign_pages_stream_then_come_from_memory(org: DemoOrg) -> None:
    source = DemoSource(org)
    repo = Repository(source, clock=frozen_clock)
    pages = [page async for page in repo.campaign_pages()]
    assert [len(p.value) for p in pages] == [10, 10, 5]
    assert repo.cached_campaigns() == [c for p in pages for c in p.value]
    used = source.usage.count
    [memo] = [page async for page in repo.campaign_pages()]
    assert len(memo.value) == 25 and source.usage.count == used
    assert (await repo.campaigns()) is memo
