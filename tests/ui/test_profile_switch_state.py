"""Switching profile in the TUI starts the new profile online, unwarned and idle."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from ui_support import FROZEN_NOW, DemoSource, demo_app, demo_repository_factory, settle

from kb4tui.demo import (
    generate_org,
)
from kb4tui.repository import EnrollmentQuery, Repository
from kb4tui.ui.compat import timer_running
from kb4tui.ui.screens.main import MainScreen


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


async def test_switching_profile_forgets_the_old_profiles_offline_and_quota_state() -> None:
    app = demo_app(users=20)
    app.offline_retry_seconds = 3600.0
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app._went_offline(None)  # as if the old profile's API had become unreachable
        app._quota_warned = True
        old_timer = app._retry_timer
        assert old_timer is not None and app.header_info.offline_since is not None

        await app.switch_repository(demo_repository_factory(users=20), profile="b", region="eu")
        await settle(pilot)

        assert isinstance(app.screen, MainScreen)
        assert app._retry_timer is None and not timer_running(old_timer)  # stopped
        assert not app._offline_wait and not app._quota_warned and not app._revalidating
        assert app.header_info.offline_since is None
        assert app.header_info.profile == "b" and app.header_info.region == "eu"
