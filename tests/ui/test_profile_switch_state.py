"""Switching profile in the TUI starts the new profile online, unwarned and idle: the old
profile's session (its offline retry, its quota warning, its background work) goes."""

from __future__ import annotations

from pathlib import Path

from ui_support import demo_app, demo_session_factory, settle

from kb4tui.api.errors import NetworkError
from kb4tui.session.datasets import CAMPAIGNS
from kb4tui.ui.screens.main import MainScreen


async def test_switching_profile_forgets_the_old_profiles_offline_and_quota_state(
    tmp_path: Path,
) -> None:
    app = demo_app(users=20, offline_retry_seconds=3600.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        old = app.session
        # As if the old profile's API had become unreachable while its data was on screen.
        old.report_failure(NetworkError(), "campaigns")
        assert old.supervisor.waiting_to_retry and old.facts.offline_since is not None

        factory = demo_session_factory(users=20, profile="b", dirs=tmp_path)
        await app.switch_session(factory)
        await settle(pilot)

        assert isinstance(app.screen, MainScreen) and len(app.screen_stack) == 2
        new = app.session
        assert new is not old and new.cached(CAMPAIGNS)
        assert not new.supervisor.waiting_to_retry and new.facts.offline_since is None
        assert not new.supervisor.revalidating
        assert new.facts.profile == "b" and new.facts.region == "us"
        # The old session is closed: its quiet retry will not fire into the new one.
        assert old.supervisor.closed and not old.supervisor.waiting_to_retry
        assert not old.supervisor.revalidating
