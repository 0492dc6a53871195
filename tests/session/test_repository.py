"""The repository without a disk cache: memo and freshness, streaming and cancellation,
and the all-enrollments reuse. Raw pages come from the real client over the fake API."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from session_support import Clock, demo_api, pages_of, repository_over, rows_of

from kb4tui.api.models import Policy
from kb4tui.demo import FakeKnowBe4API
from kb4tui.demo.org import DemoOrg
from kb4tui.session.datasets import (
    ACCOUNT,
    ALL_ENROLLMENTS,
    CAMPAIGNS,
    LIBRARY,
    EnrollmentSubset,
)
from kb4tui.session.enrollment_query import EnrollmentQuery

ENROLLMENTS = "/v1/training/enrollments"


def active_rows(org: DemoOrg, campaign_id: int) -> int:
    archived = org.archived_user_ids
    rows = org.campaign_enrollments(campaign_id)
    return sum((r.get("user") or {}).get("id") not in archived for r in rows)


def subset(**query: Any) -> EnrollmentSubset:
    return EnrollmentSubset(EnrollmentQuery(**query))


async def test_a_dataset_is_memoised_with_its_fetch_time_until_stale() -> None:
    api = demo_api(users=120)
    clock = Clock()
    async with repository_over(api, clock=clock, max_age=timedelta(minutes=10)) as repo:
        first = await repo.get(CAMPAIGNS)
        assert first.fetched_at == clock.now and len(first.value) == 25
        asked = len(api.log)
        clock.now += timedelta(minutes=5)
        assert (await repo.get(CAMPAIGNS)) is first
        assert len(api.log) == asked
        clock.now += timedelta(minutes=6)
        again = await repo.get(CAMPAIGNS)
        assert again.fetched_at == clock.now and len(api.log) > asked
        asked = len(api.log)
        assert (await repo.get(CAMPAIGNS, refresh=True)).fetched_at == clock.now
        assert len(api.log) > asked


async def test_the_account_is_a_one_row_listing_parsed_into_one_model() -> None:
    api = demo_api(users=120)
    async with repository_over(api) as repo:
        account = (await repo.get(ACCOUNT)).value
    assert account.name == api.org().account["name"]
    assert [e.path for e in api.log.entries()] == ["/v1/account"]


async def test_the_library_holds_purchases_and_policies() -> None:
    api = demo_api(users=120)
    org = api.org()
    async with repository_over(api) as repo:
        items = (await repo.get(LIBRARY)).value
        assert len(items) == len(org.store_purchases) + len(org.policies)
        assert sum(isinstance(i, Policy) for i in items) == len(org.policies)
        assert repo.cached(LIBRARY) == items


async def test_a_campaigns_enrollments_stream_page_by_page_then_come_from_memory() -> None:
    api = demo_api(users=300)
    org = api.org()
    campaign_id = next(c for c in org.campaign_ids if active_rows(org, c) > 500)
    expected = active_rows(org, campaign_id)
    assert expected < len(org.campaign_enrollments(campaign_id))  # archived users left out
    wanted = subset(campaign_id=campaign_id)
    async with repository_over(api) as repo:
        assert repo.peek(wanted) is None
        pages = await pages_of(repo, wanted)
        assert [p.page for p in pages[:2]] == [1, 2] and pages[-1].done
        assert not any(p.done for p in pages[:-1])
        assert len(pages[0].rows) == 500
        assert sum(len(p.rows) for p in pages) == pages[-1].total == expected
        asked = len(api.log)
        [memo_page] = await pages_of(repo, wanted)
        assert memo_page.from_memo and len(memo_page.rows) == expected
        assert len(api.log) == asked
        assert repo.peek(wanted) is not None


async def test_a_stream_left_early_is_not_memoised() -> None:
    api = demo_api(users=300)
    org = api.org()
    campaign_id = next(c for c in org.campaign_ids if active_rows(org, c) > 500)
    wanted = subset(campaign_id=campaign_id)
    async with repository_over(api) as repo:
        stream = repo.stream(wanted)
        first = await anext(stream)
        assert len(first.rows) == 500 and not first.done
        await stream.aclose()
        assert repo.peek(wanted) is None and repo.cached(wanted) is None


async def test_all_enrollments_answer_user_campaign_and_policy_queries() -> None:
    api = demo_api(users=120)
    org = api.org()
    async with repository_over(api) as repo:
        everything = (await repo.get(ALL_ENROLLMENTS)).value
        archived = org.archived_user_ids
        assert everything and all(e.user_id not in archived for e in everything)
        asked = len(api.log)

        user_id = everything[0].user_id
        [page] = await pages_of(repo, subset(user_id=user_id))
        assert page.from_memo and page.rows == [e for e in everything if e.user_id == user_id]

        campaign_id = org.campaign_ids[2]
        [page] = await pages_of(repo, subset(campaign_id=campaign_id))
        assert page.rows == [e for e in everything if e.campaign_id == campaign_id]

        policy = Policy.from_api(org.policies[0])
        [page] = await pages_of(repo, subset(policy_id=policy.policy_id, module_name=policy.name))
        assert page.rows and {e.module for e in page.rows} == {policy.name}
        assert len(api.log) == asked  # all answered from the one list


async def test_a_policy_is_picked_from_all_enrollments_fetched_once() -> None:
    api = demo_api(users=120)
    org = api.org()
    policy = Policy.from_api(org.policies[0])
    wanted = subset(policy_id=policy.policy_id, module_name=policy.name)
    async with repository_over(api) as repo:
        [page] = await pages_of(repo, wanted)
        assert page.done and page.rows and not page.from_memo
        requests = [dict(e.query) for e in api.log.entries() if e.path == ENROLLMENTS]
        assert requests and not any("campaign_id" in q or "user_id" in q for q in requests)
        asked = len(api.log)
        await rows_of(repo, subset(user_id=page.rows[0].user_id))
        assert len(api.log) == asked
        assert repo.cached(wanted) is None  # derived: the list it comes from is memoised


async def test_campaigns_stream_page_by_page_then_come_from_memory() -> None:
    api = demo_api(users=120)
    async with repository_over(api) as repo:
        pages = await pages_of(repo, CAMPAIGNS)
        # With their completion percentage the API sends 10 campaigns a page.
        assert [len(p.rows) for p in pages if p.rows] == [10, 10, 5]
        assert repo.cached(CAMPAIGNS) == [c for p in pages for c in p.rows]
        asked = len(api.log)
        [memo] = await pages_of(repo, CAMPAIGNS)
        assert len(memo.rows) == 25 and len(api.log) == asked
        assert (await repo.get(CAMPAIGNS)).value == memo.rows


async def test_progress_is_reported_per_page_and_not_when_memoised() -> None:
    api: FakeKnowBe4API = demo_api(users=300)
    async with repository_over(api) as repo:
        seen: list[tuple[int, int]] = []
        rows = (await repo.get(ALL_ENROLLMENTS, progress=lambda *step: seen.append(step))).value
        assert len(seen) == math.ceil(len(rows) / 500) > 1
        assert seen[-1] == (len(seen), len(rows))
        assert [pages for pages, _ in seen] == list(range(1, len(seen) + 1))
        await repo.get(ALL_ENROLLMENTS, progress=lambda *step: seen.append(step))
        assert len(seen) == math.ceil(len(rows) / 500)


async def test_estimates_count_pages_known_and_a_picked_subset_costs_the_whole_list() -> None:
    api = demo_api(users=300)
    org = api.org()
    policy = Policy.from_api(org.policies[0])
    async with repository_over(api) as repo:
        assert repo.estimate_requests([ACCOUNT, CAMPAIGNS, LIBRARY]) == 1 + 1 + 2
        everything = (await repo.get(ALL_ENROLLMENTS)).value
        pages = math.ceil(len(everything) / 500)
        assert repo.estimate_requests([ALL_ENROLLMENTS]) == pages > 1
        picked = subset(policy_id=policy.policy_id, module_name=policy.name)
        assert repo.estimate_requests([picked]) == pages
        big = next(c for c in org.campaign_ids if active_rows(org, c) > 500)
        assert repo.estimate_requests([subset(campaign_id=big)]) == 2  # its rows, known
