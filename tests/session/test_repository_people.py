"""The People datasets through the one repository path: users by status, groups, and a
group's members fetched only when asked, memoised and kept on disk like any list."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from session_support import Clock, demo_api, open_cache, repository_over

from kb4tui.api.errors import NotFoundError
from kb4tui.session.datasets import ARCHIVED_USERS, GROUPS, USERS, GroupMembers


async def test_users_by_status_and_groups_are_what_the_api_holds() -> None:
    api = demo_api(users=150)
    org = api.org()
    async with repository_over(api) as repo:
        active = (await repo.get(USERS)).value
        archived = (await repo.get(ARCHIVED_USERS)).value
        groups = (await repo.get(GROUPS)).value
    assert [u.id for u in active] == [u["id"] for u in org.users if u["status"] == "active"]
    assert [u.id for u in archived] == [u["id"] for u in org.users if u["status"] == "archived"]
    assert archived and all(u.is_archived for u in archived)
    assert [g.id for g in groups] == [g["id"] for g in org.groups]
    queries = [e.query.get("status") for e in api.log.entries() if e.path == "/v1/users"]
    assert sorted(set(queries)) == ["active", "archived"]


async def test_a_groups_members_are_fetched_when_asked_then_served_from_memory() -> None:
    api = demo_api(users=150)
    org = api.org()
    group = max(org.groups, key=lambda g: g["member_count"])
    async with repository_over(api) as repo:
        assert not any("/members" in e.path for e in api.log.entries())
        members = await repo.get(GroupMembers(group["id"]))
        asked = len(api.log)
        again = await repo.get(GroupMembers(group["id"]))
        assert len(api.log) == asked
        with pytest.raises(NotFoundError, match="Group 1 not found"):
            await repo.get(GroupMembers(1))
    assert again is members
    assert [u.id for u in members.value] == [m["id"] for m in org.group_members(group["id"])]


async def test_people_datasets_come_back_from_the_disk_cache(tmp_path: Path) -> None:
    api = demo_api(users=150)
    org = api.org()
    group_id = org.groups[0]["id"]
    cache = open_cache(tmp_path)
    clock = Clock()
    async with repository_over(api, cache=cache, clock=clock) as repo:
        await repo.get(USERS)
        await repo.get(GroupMembers(group_id))
    asked = len(api.log)
    async with repository_over(api, cache=open_cache(tmp_path), clock=clock) as repo:
        users = (await repo.get(USERS)).value
        members = (await repo.get(GroupMembers(group_id))).value
    assert len(api.log) == asked  # no request: both read from disk
    assert len(users) == sum(u["status"] == "active" for u in org.users)
    assert [u.id for u in members] == [m["id"] for m in org.group_members(group_id)]
    cache.close()


async def test_available_says_whether_a_get_needs_a_request(tmp_path: Path) -> None:
    api = demo_api(users=150)
    clock = Clock()
    async with repository_over(api, cache=open_cache(tmp_path), clock=clock) as repo:
        assert not await repo.available(USERS)
        await repo.get(USERS)
        assert await repo.available(USERS)
        assert not await repo.available(GROUPS)
    asked = len(api.log)
    async with repository_over(api, cache=open_cache(tmp_path), clock=clock) as repo:
        assert await repo.available(USERS)  # on disk, fresh
        clock.now += timedelta(hours=1)
        assert not await repo.available(USERS)  # too old now
    assert len(api.log) == asked  # asking costs nothing
