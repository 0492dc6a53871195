"""Repository indices, the memo cap on enrollment subsets, and no SQLite call on the event
loop."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from session_support import FROZEN_NOW, Clock, demo_api, open_cache, repository_over, rows_of

from kb4tui.api.models import Enrollment
from kb4tui.session import repository
from kb4tui.session.datasets import ALL_ENROLLMENTS, CAMPAIGNS, EnrollmentSubset
from kb4tui.session.enrollment_index import EnrollmentIndex
from kb4tui.session.enrollment_query import EnrollmentQuery
from kb4tui.session.repository import SUBSET_MEMO_LIMIT


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


def subset(**query: Any) -> EnrollmentSubset:
    return EnrollmentSubset(EnrollmentQuery(**query))


async def test_peek_answers_from_an_index_built_once_per_all_enrollments_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    builds = count_calls(monkeypatch, EnrollmentIndex, "build")
    async with repository_over(demo_api(users=60)) as repo:
        everything = (await repo.get(ALL_ENROLLMENTS)).value
        campaign_ids = {r.campaign_id for r in everything if r.campaign_id is not None}
        user_ids = {r.user_id for r in everything if r.user_id is not None}
        assert len(campaign_ids) > 1 and len(user_ids) > 1
        for campaign_id in campaign_ids:
            expected = [r for r in everything if r.campaign_id == campaign_id]
            assert repo.peek(subset(campaign_id=campaign_id)) == expected
        for user_id in user_ids:
            expected = [r for r in everything if r.user_id == user_id]
            assert repo.peek(subset(user_id=user_id)) == expected
        assert repo.peek(subset(campaign_id=-1)) == []
    assert len(builds) == 1  # once when stored (in the parsing thread), not per cursor move


async def test_separately_fetched_subsets_are_capped_and_derived_ones_not_memoised() -> None:
    async with repository_over(demo_api(users=60)) as repo:
        everything = (await repo.get(ALL_ENROLLMENTS)).value
        user_ids = sorted({r.user_id for r in everything if r.user_id is not None})
        assert len(user_ids) > SUBSET_MEMO_LIMIT + 2
        subsets = [subset(user_id=u) for u in user_ids[: SUBSET_MEMO_LIMIT + 2]]
        for one in subsets:
            await rows_of(repo, one, refresh=True)  # fetched on their own: memoised
        kept = [one for one in subsets if repo.cached(one) is not None]
        assert len(kept) == SUBSET_MEMO_LIMIT
        assert subsets[-1] in kept and subsets[0] not in kept
        assert repo.cached(ALL_ENROLLMENTS) is not None  # never dropped for a subset

        module = next(r.module for r in everything if r.module)
        by_module = subset(module_name=module)
        rows = await rows_of(repo, by_module)  # the API cannot filter this: from all of them
        assert rows == [r for r in everything if by_module.query.matches(r)] and rows
        assert repo.cached(by_module) is None


async def test_palette_users_come_from_indices_built_once_per_stored_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scans = count_calls(monkeypatch, repository, "users_of")
    async with repository_over(demo_api(users=60)) as repo:
        everything = (await repo.get(ALL_ENROLLMENTS)).value
        some_user = next(r.user_id for r in everything if r.user_id is not None)
        await rows_of(repo, subset(user_id=some_user), refresh=True)

        first = repo.cached_users()
        again = repo.cached_users()
    ids = [row.user_id for row in first]
    assert len(ids) == len(set(ids)) and set(ids) == {r.user_id for r in everything if r.user_id}
    assert [r.user_id for r in again] == ids
    assert len(scans) == 1  # the user subset, once; the all list's users come from its index


async def test_no_sqlite_call_of_latest_fetch_or_freshness_runs_on_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    with open_cache(tmp_path) as cache:
        async with repository_over(demo_api(users=40), cache=cache, clock=clock) as first:
            everything = (await first.get(ALL_ENROLLMENTS)).value
        clock.now += timedelta(minutes=5)
        on_loop: list[str] = []
        for name in ("latest_fetch", "is_fresh", "get", "fetched_at", "age", "put"):
            original = getattr(cache, name)

            def watched(*args: Any, _name: str = name, _original: Any = original) -> Any:
                if threading.current_thread() is threading.main_thread():
                    on_loop.append(_name)
                return _original(*args)

            monkeypatch.setattr(cache, name, watched)
        async with repository_over(
            demo_api(users=40), cache=cache, clock=clock, stale_while_revalidate=True
        ) as repo:
            campaign_id = next(r.campaign_id for r in everything if r.campaign_id is not None)
            rows: list[Enrollment] = await rows_of(repo, subset(campaign_id=campaign_id))
            assert rows == [r for r in everything if r.campaign_id == campaign_id]
            assert repo.latest_fetch() == FROZEN_NOW  # the earlier run's, read off the loop
            await repo.get(CAMPAIGNS)
            assert repo.latest_fetch() == clock.now  # noted in memory, no query
    assert on_loop == []
