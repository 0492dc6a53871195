"""Switching profile inside the TUI from the command palette.

Two profiles, two keys in the keyring, two organisations behind one fake KnowBe4: after
"Profile: globex" every request carries globex's key and nothing of acme's stays on screen.
A profile with no key gets the sign-in screen; cancelling it keeps the current profile.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

import pytest
from credentials_fakes import MemoryKeyring
from textual.command import CommandList, CommandPalette
from textual.widgets import Static
from ui_support import FROZEN_NOW, settle

from kb4tui.api.ratelimit import RateLimiter
from kb4tui.credentials import SERVICE
from kb4tui.demo import FakeAPIConfig, FakeKnowBe4API, FakeKnowBe4Transport, generate_org
from kb4tui.session.datasets import CAMPAIGNS
from kb4tui.store.cache import list_cache_files
from kb4tui.store.config import Profile
from kb4tui.store.config_file import save_profile
from kb4tui.ui.app import KB4App
from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.profiles import ProfileSwitcher
from kb4tui.ui.screens.main import MainScreen
from kb4tui.ui.screens.signin import SignInScreen
from kb4tui.ui.widgets.header import AppHeader

KEY_ACME = "kb4-acme-key-0123456789abcdef"
KEY_GLOBEX = "kb4-globex-key-0123456789abcdef"
ACME_ORG = "Fabrikam Manufacturing"  # seed 7
GLOBEX_ORG = "Tailspin Credit Union"  # seed 8


@pytest.fixture(autouse=True)
def _unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real client paces at 4 requests/s; not under test here.
    monkeypatch.setattr(
        "kb4tui.api.client.shared_limiter", lambda key: RateLimiter([(1000, 1.0)], margin=0.0)
    )


@pytest.fixture
def api(memory_keyring: MemoryKeyring) -> FakeKnowBe4API:
    memory_keyring.set_password(SERVICE, "acme", KEY_ACME)
    memory_keyring.set_password(SERVICE, "globex", KEY_GLOBEX)
    for profile in (Profile("acme", "us"), Profile("globex", "eu"), Profile("nokey", "uk")):
        save_profile(profile)  # the first one saved is the default
    return FakeKnowBe4API(
        {
            KEY_ACME: partial(generate_org, seed=7, users=40, now=FROZEN_NOW),
            KEY_GLOBEX: partial(generate_org, seed=8, users=40, now=FROZEN_NOW),
        },
        FakeAPIConfig(rate_limit=False),
    )


def acme_app(api: FakeKnowBe4API) -> KB4App:
    switcher = ProfileSwitcher(transport=FakeKnowBe4Transport(api))
    app = KB4App(switcher.connect("acme", "us", None, KEY_ACME))
    app.profile_switcher = switcher
    return app


def header(app: KB4App) -> str:
    return app.screen.query_one(AppHeader).render().plain


async def choose(pilot: Any, query: str) -> None:
    await pilot.press("ctrl+p", *query)
    assert isinstance(pilot.app.screen, CommandPalette)
    async with asyncio.timeout(5):  # the palette searches in its own worker
        while not pilot.app.screen.query_one(CommandList).option_count:
            await pilot.pause(0.01)
    await pilot.press("enter")
    await settle(pilot)


async def wait_for_main(app: KB4App, pilot: Any, org: str) -> MainScreen:
    async with asyncio.timeout(10):
        while not (isinstance(app.screen, MainScreen) and org in header(app)):
            await pilot.pause(0.01)
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def test_switching_profile_from_the_palette_keeps_accounts_apart(
    api: FakeKnowBe4API,
) -> None:
    app = acme_app(api)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert ACME_ORG in header(app) and "profile acme (us)" in header(app)
        acme_session = app.session
        assert acme_session.cached(CAMPAIGNS)
        await pilot.press("enter")  # acme's enrollments: a pushed screen that must go too
        await settle(pilot)
        api.log.clear()

        await choose(pilot, "profile: globex")
        screen = await wait_for_main(app, pilot, GLOBEX_ORG)
        assert "profile globex (eu)" in header(app)
        assert app.session is not acme_session
        assert len(app.screen_stack) == 2  # the base screen and the new main screen
        campaigns = app.session.cached(CAMPAIGNS) or []
        assert screen.pane(CampaignsPane).table.row_count == len(campaigns) > 0
        # Every request since the switch was answered with globex's organisation.
        assert api.log.entries() and {e.org for e in api.log.entries()} == {GLOBEX_ORG}
        # Each profile caches into its own file.
        assert {f.profile_slug for f in list_cache_files()} == {"acme", "globex"}

        await choose(pilot, "profile: acme")
        await wait_for_main(app, pilot, ACME_ORG)
        assert "profile acme (us)" in header(app)


async def test_a_profile_without_a_key_asks_for_one_and_cancel_stays(
    api: FakeKnowBe4API,
) -> None:
    app = acme_app(api)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        session = app.session
        await choose(pilot, "profile: nokey")
        screen = app.screen
        assert isinstance(screen, SignInScreen)
        title = str(screen.query_one(".signin-title", Static).render())
        assert title == "Sign in to KnowBe4 (profile nokey)"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and app.session is session
        assert "profile acme (us)" in header(app)
