"""The sign-in screen walked in the real app, as `kb4tui` builds it with no key.

Wrong key (401), then the right one, saved to the keyring, then the campaigns appear. The
key check and the connection both go to the demo's fake KnowBe4 (FakeKnowBe4Transport).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from credentials_fakes import MemoryKeyring
from textual import events
from textual.widgets import Input, Static
from ui_support import settle

from kb4tui.api.ratelimit import RateLimiter
from kb4tui.cli.common import Connection
from kb4tui.cli.tui import _sign_in_flow
from kb4tui.credentials import SERVICE
from kb4tui.demo import DEMO_API_KEY, FakeKnowBe4Transport
from kb4tui.store.config import ConnectionSettings
from kb4tui.ui.app import KB4App
from kb4tui.ui.compat import exit_output
from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.screens.main import MainScreen
from kb4tui.ui.screens.signin import SignInScreen
from kb4tui.ui.widgets.header import AppHeader

WRONG_KEY = "kb4-not-the-right-key-0123456789"


@pytest.fixture(autouse=True)
def _quick_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kb4tui.credentials.CHECK_RETRY_BUDGET", 0.0)
    monkeypatch.setattr(
        "kb4tui.api.client.shared_limiter", lambda key: RateLimiter([(1000, 1.0)], margin=0.0)
    )


def signin_app() -> KB4App:
    connection = Connection(
        settings=ConnectionSettings("acme", "us", None, "default", profile_exists=False),
        demo=False,
    )
    flow = _sign_in_flow(connection, None, [], transport=FakeKnowBe4Transport(users=60))
    return KB4App(sign_in=flow)


async def paste_key(pilot: Any, key: str) -> None:
    key_input = pilot.app.screen.query_one("#signin-key", Input)
    assert key_input.has_focus, pilot.app.focused
    await pilot.press("ctrl+u")
    key_input.post_message(events.Paste(key))
    await pilot.pause()


def signin_status(app: KB4App) -> str:
    return str(app.screen.query_one("#signin-status", Static).render())


async def test_wrong_key_then_right_key_then_the_campaigns(memory_keyring: MemoryKeyring) -> None:
    app = signin_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        await paste_key(pilot, WRONG_KEY)
        await pilot.press("enter")
        await settle(pilot)
        assert "(401)" in signin_status(app)
        assert isinstance(app.screen, SignInScreen)
        assert WRONG_KEY not in app.export_screenshot()

        await pilot.press("shift+tab", "shift+tab")  # from "Try other regions" to the key
        await paste_key(pilot, DEMO_API_KEY)
        await pilot.press("enter")
        await settle(pilot)
        account = str(app.screen.query_one("#signin-account", Static).render())
        assert account.startswith("Account: ")
        await pilot.press("enter")  # Save to keyring
        await settle(pilot)

        async with asyncio.timeout(10):
            while not (
                isinstance(app.screen, MainScreen)
                and app.screen.pane(CampaignsPane).table.row_count
            ):
                await pilot.pause(0.01)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await settle(pilot)
        assert screen.pane(CampaignsPane).table.row_count == 25
        header = screen.query_one(AppHeader).render().plain
        assert "profile acme (us)" in header and "Fabrikam Manufacturing" in header
        assert DEMO_API_KEY not in app.export_screenshot()
    assert memory_keyring.entries == {(SERVICE, "acme"): DEMO_API_KEY}


async def test_cancelling_sign_in_points_to_the_demo(memory_keyring: MemoryKeyring) -> None:
    app = signin_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        await pilot.press("escape")
        await pilot.pause()
        said = " ".join(str(message) for message in exit_output(app))
    assert app.return_code == 2
    assert "kb4tui --demo" in said and "without one" in said
