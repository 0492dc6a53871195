"""Review fixes: profile switch state, repository indices and memo cap, key remapping."""

from __future__ import annotations

from ui_support import demo_app, demo_repository_factory, settle

from kb4tui.ui.screens.main import MainScreen


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
        assert app._retry_timer is None and old_timer._task is None  # stopped
        assert not app._offline_wait and not app._quota_warned and not app._revalidating
        assert app.header_info.offline_since is None
        assert app.header_info.profile == "b" and app.header_info.region == "eu"
