"""Repository indices, the memo cap on enrollment subsets, and no SQLite call on the event loop."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from ui_support import FROZEN_NOW, DemoSource

import kb4tui.repository as repository_module
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
from kb4tui.repository import SUBSET_MEMO_LIMIT, EnrollmentIndex, EnrollmentQuery, Repository
from kb4tui.store.cache import Cache, account_key


class Clock:
    def __init__(self) -> None:
        self.now = FROZEN_NOW

    def __call__(self) -> datetime:
        return self.now


def demo_source() -> DemoSource:
    return DemoSource(generate_org(users=60, now=FROZEN_NOW))


async def rows_of(repo: Repository, query: EnrollmentQuery, refresh: bool = False) -> list[Any]:
    return [
        row async for page in repo.enrollment_pages(query, refresh=refresh) for row in page.rows
    ]


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[int]:
    """Wrap `owner.name` (a function or classmethod) so each call is counted."""
    calls: list[int] = []
    original = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    wrapper: Any = (
        classmethod(lambda cls, *a, **k: counted(*a, **k)) if isinstance(owner, type) else counted
    )
    monkeypatch.setattr(owner, name, wrapper)
    return calls


async def test_peek_answers_from_an_index_built_once_per_all_enrollments_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    builds = count_calls(monkeypatch, EnrollmentIndex, "build")
    repo = Repository(demo_source(), clock=Clock())
    everything = (await repo.all_enrollments()).value
    campaign_ids = {r.campaign_id for r in everything if r.campaign_id is not None}
    user_ids = {r.user_id for r in everything if r.user_id is not None}
    assert len(campaign_ids) > 1 and len(user_ids) > 1
    for campaign_id in campaign_ids:
        expected = [r for r in everything if r.campaign_id == campaign_id]
        assert repo.peek(EnrollmentQuery(campaign_id=campaign_id)) == expected
    for user_id in user_ids:
        expected = [r for r in everything if r.user_id == user_id]
        assert repo.peek(EnrollmentQuery(user_id=user_id)) == expected
    assert repo.peek(EnrollmentQuery(campaign_id=-1)) == []
    assert len(builds) == 1  # once when stored, not per cursor move


async def test_separately_fetched_subsets_are_capped_and_derived_ones_not_memoised() -> None:
    repo = Repository(demo_source(), clock=Clock())
    everything = (await repo.all_enrollments()).value
    user_ids = sorted({r.user_id for r in everything if r.user_id is not None})
    assert len(user_ids) > SUBSET_MEMO_LIMIT + 2
    queries = [EnrollmentQuery(user_id=u) for u in user_ids[: SUBSET_MEMO_LIMIT + 2]]
    for query in queries:
        await rows_of(repo, query, refresh=True)  # fetched on their own: memoised
    subsets = [
        k for k in repo.memo.entries if k.startswith("enrollments:") and k != "enrollments:all"
    ]
    assert len(subsets) == SUBSET_MEMO_LIMIT
    assert queries[-1].memo_key in subsets and queries[0].memo_key not in subsets

    module = next(r.module for r in everything if r.module)
    by_module = EnrollmentQuery(module_name=module)
    rows = await rows_of(repo, by_module)  # the API cannot filter this: from all enrollments
    assert rows == [r for r in everything if by_module.matches(r)] and rows
    assert by_module.memo_key not in repo.memo.entries


async def test_palette_users_come_from_indices_built_once_per_stored_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scans = count_calls(monkeypatch, repository_module, "_users_of")
    repo = Repository(demo_source(), clock=Clock())
    everything = (await repo.all_enrollments()).value
    some_user = next(r.user_id for r in everything if r.user_id is not None)
    await rows_of(repo, EnrollmentQuery(user_id=some_user), refresh=True)

    first = repo.cached_users()
    again = repo.cached_users()
    ids = [row.user_id for row in first]
    assert len(ids) == len(set(ids)) and set(ids) == {r.user_id for r in everything if r.user_id}
    assert [r.user_id for r in again] == ids
    assert len(scans) == 1  # the user subset, once; the all list's users come from its index


async def test_no_sqlite_call_of_latest_fetch_or_freshness_runs_on_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = FakeKnowBe4API(
        {DEMO_API_KEY: partial(generate_org, users=40, now=FROZEN_NOW)},
        FakeAPIConfig(rate_limit=False),
    )

    def client() -> KnowBe4Client:
        return KnowBe4Client(
            DEMO_API_KEY,
            transport=FakeKnowBe4Transport(api),
            limiter=RateLimiter([(100_000, 1.0)]),
            usage=UsageCounter(),
        )

    clock = Clock()
    with Cache.open(tmp_path, "p", account_key("https://us.api.knowbe4.com")) as cache:
        async with client() as first_client:
            everything = (
                await Repository(first_client, cache=cache, clock=clock).all_enrollments()
            ).value
        clock.now += timedelta(minutes=5)
        on_loop: list[str] = []
        for name in ("latest_fetch", "is_fresh", "get", "fetched_at", "age"):
            original = getattr(cache, name)

            def watched(*args: Any, _name: str = name, _original: Any = original) -> Any:
                if threading.current_thread() is threading.main_thread():
                    on_loop.append(_name)
                return _original(*args)

            monkeypatch.setattr(cache, name, watched)
        async with client() as second_client:
            repo = Repository(second_client, cache=cache, clock=clock, stale_while_revalidate=True)
            campaign_id = next(r.campaign_id for r in everything if r.campaign_id is not None)
            rows: list[Enrollment] = await rows_of(repo, EnrollmentQuery(campaign_id=campaign_id))
            assert rows == [r for r in everything if r.campaign_id == campaign_id]
            assert repo.latest_fetch() == FROZEN_NOW  # the earlier run's, read off the loop
            await repo.campaigns()
            assert repo.latest_fetch() == clock.now  # noted in memory, no query
    assert on_loop == []
