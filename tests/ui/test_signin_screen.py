"""Pilot walks of the sign-in screen, keyboard only, against fake KnowBe4 hosts."""

from __future__ import annotations

import asyncio
import functools
import secrets
from pathlib import Path
from typing import Any

import pytest
from credentials_fakes import FakeHosts, FakeTenant, MemoryKeyring, region_host
from keyring.backends import fail
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static

from kb4tui.api.ratelimit import RateLimiter
from kb4tui.credentials import SERVICE, KeySource, check_key
from kb4tui.store.config import load_settings
from kb4tui.store.paths import config_path
from kb4tui.ui.screens.signin import SignInResult, SignInScreen

ACCOUNT = {
    "name": "Acme [/Q3] [bold]Ltd",
    "subscription_level": "Diamond",
    "number_of_seats": 1200,
    "subscription_end_date": "2027-03-31",
}

ALL_REGIONS = ("us", "eu", "ca", "uk", "de")


def new_key() -> str:
    return "kb4" + secrets.token_hex(12)


@pytest.fixture(autouse=True)
def _quick_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kb4tui.credentials.CHECK_RETRY_BUDGET", 0.0)
    # Probing five regions with one key would wait for the 4/s limiter; not under test here.
    monkeypatch.setattr(
        "kb4tui.api.client.shared_limiter", lambda key: RateLimiter([(1000, 1.0)], margin=0.0)
    )


class Host(App[None]):
    """A bare app that shows the sign-in screen and records what it returns."""

    def __init__(self, screen: SignInScreen) -> None:
        super().__init__()
        self.signin = screen
        self.results: list[SignInResult | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.signin, callback=self.results.append)


def make(hosts: FakeHosts, **options: Any) -> Host:
    checker = functools.partial(check_key, transport=hosts.transport())
    return Host(SignInScreen(checker, **options))


async def settle(pilot: Pilot[None]) -> None:
    """Wait for the screen's workers (checks, saves) and the messages they post."""
    await asyncio.wait_for(pilot.app.workers.wait_for_complete(), timeout=10)
    await pilot.pause()


def status_text(app: Host) -> str:
    return str(app.signin.query_one("#signin-status", Static).render())


def account_text(app: Host) -> str:
    return str(app.signin.query_one("#signin-account", Static).render())


async def type_key(pilot: Pilot[None], key: str) -> None:
    key_input = pilot.app.screen.query_one("#signin-key", Input)
    assert key_input.has_focus, pilot.app.focused
    await pilot.press("ctrl+u")
    # Keys are pasted in real life (and a paste is one event, which keeps tests fast).
    key_input.post_message(events.Paste(key))
    await pilot.pause()
    assert key_input.value == key


async def test_wrong_key_then_right_key_then_saved(memory_keyring: MemoryKeyring) -> None:
    right, wrong = new_key(), new_key()
    hosts = FakeHosts({region_host("us"): FakeTenant(key=right, account=ACCOUNT)})
    app = make(hosts, profile="acme")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await type_key(pilot, wrong)
        await pilot.press("enter")
        await settle(pilot)
        text = status_text(app)
        assert "rejected in region US (us) (401)" in text
        assert "User Event API" in text
        # What the user typed is kept, and the key is shown masked.
        key_input = app.signin.query_one("#signin-key", Input)
        assert key_input.value == wrong and key_input.password
        assert app.signin.query_one("#signin-save", Button).disabled
        assert wrong not in app.export_screenshot()

        # Focus is on "Try other regions"; back past "Check key" to the key field.
        await pilot.press("shift+tab", "shift+tab")
        await type_key(pilot, right)
        await pilot.press("enter")
        await settle(pilot)
        # Shown literally before anything is saved.
        assert account_text(app) == (
            "Account: Acme [/Q3] [bold]Ltd · subscription: Diamond · 1,200 seats · until 2027-03-31"
        )
        assert memory_keyring.entries == {}
        save = app.signin.query_one("#signin-save", Button)
        assert save.has_focus and not save.disabled
        await pilot.press("enter")
        await settle(pilot)

    [result] = app.results
    assert result is not None and result.saved
    assert (result.profile, result.region, result.base_url) == ("acme", "us", None)
    assert result.key.source is KeySource.KEYRING and result.key.reveal() == right
    assert result.account.name == ACCOUNT["name"]
    assert memory_keyring.entries == {(SERVICE, "acme"): right}
    assert load_settings().profiles["acme"].region == "us"
    assert right not in config_path().read_text()


async def test_wrong_region_tries_the_others_concurrently_on_request(
    memory_keyring: MemoryKeyring,
) -> None:
    key = new_key()
    tenants = {region_host(r): FakeTenant(key=new_key(), account={"name": r}) for r in ["us", "ca"]}
    tenants[region_host("uk")] = FakeTenant(key=key, account={"name": "Acme UK"})
    hosts = FakeHosts(tenants)  # eu and de unreachable
    app = make(hosts)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await type_key(pilot, key)
        await pilot.press("enter")
        await settle(pilot)
        probe = app.signin.query_one("#signin-probe", Button)
        assert probe.display and probe.has_focus
        assert "Try other regions" in status_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.signin.query_one("#signin-region", Select).value == "uk"
        assert "works in region UK (uk), not US (us)" in status_text(app)
        assert account_text(app).startswith("Account: Acme UK")
        assert {r.url.host for r in hosts.requests} == {
            region_host(r) for r in ["us", "eu", "ca", "uk", "de"]
        }
        await pilot.press("tab", "enter")  # from Save to "session only"
        await settle(pilot)
    [result] = app.results
    assert result is not None and not result.saved
    assert result.region == "uk" and result.key.source is KeySource.SESSION
    assert memory_keyring.entries == {}


async def test_every_region_rejecting_the_key_says_wrong_or_user_event_key(
    memory_keyring: MemoryKeyring,
) -> None:
    hosts = FakeHosts(
        {
            region_host(r): FakeTenant(key=new_key(), account={})
            for r in ["us", "eu", "ca", "uk", "de"]
        }
    )
    app = make(hosts)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await type_key(pilot, new_key())
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")  # Try other regions
        await settle(pilot)
        assert "rejected in every region (401)" in status_text(app)
        assert "User Event API key" in status_text(app)


async def test_no_reporting_access_and_no_network_messages(memory_keyring: MemoryKeyring) -> None:
    key = new_key()
    hosts = FakeHosts({region_host("eu"): FakeTenant(key=key, account={}, forbidden=True)})
    app = make(hosts, region="eu")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await type_key(pilot, key)
        await pilot.press("enter")
        await settle(pilot)
        assert "no Reporting API access (403)" in status_text(app)
        assert "Platinum or Diamond" in status_text(app)
        assert not app.signin.query_one("#signin-probe", Button).display

        # Keyboard only: up to the region list, pick Germany (unreachable), back to the key.
        await pilot.press("shift+tab", "enter", "down", "down", "down", "enter")
        assert app.signin.query_one("#signin-region", Select).value == "de"
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert "Could not reach https://de.api.knowbe4.com" in status_text(app)
        assert app.signin.query_one("#signin-key", Input).value == key


async def test_no_keyring_offers_session_only(install_keyring: Any) -> None:
    install_keyring(fail.Keyring())
    key = new_key()
    hosts = FakeHosts({"127.0.0.1:9301": FakeTenant(key=key, account={"name": "Lab"})})
    app = make(hosts, base_url="http://127.0.0.1:9301", reason="The stored key was rejected (401).")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        note = str(app.signin.query_one("#signin-keyring", Static).render())
        assert "No usable OS keyring was found" in note
        assert "this session only" in note and "KNOWBE4_API_KEY" in note
        assert "dbus-run-session" in note
        assert app.signin.query_one("#signin-region", Select).value == "custom"
        await type_key(pilot, key)
        await pilot.press("enter")
        await settle(pilot)
        assert app.signin.query_one("#signin-save", Button).disabled
        session = app.signin.query_one("#signin-session", Button)
        assert session.has_focus
        await pilot.press("enter")
        await settle(pilot)
    [result] = app.results
    assert result is not None and not result.saved
    assert result.base_url == "http://127.0.0.1:9301"
    assert result.key.reveal() == key and result.key.source is KeySource.SESSION
    assert not config_path().exists()


async def test_keyring_failing_at_save_time_falls_back_to_session_only(
    install_keyring: Any, tmp_path: Path
) -> None:
    class LocksOnWrite(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            import keyring.errors

            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    install_keyring(LocksOnWrite())
    key = new_key()
    hosts = FakeHosts({region_host("us"): FakeTenant(key=key, account={"name": "Acme"})})
    app = make(hosts)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await type_key(pilot, key)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")  # Save to keyring
        await settle(pilot)
        assert app.results == []
        assert "locked" in str(app.signin.query_one("#signin-keyring", Static).render())
        assert app.signin.query_one("#signin-session", Button).has_focus
        await pilot.press("enter")
        await settle(pilot)
    [result] = app.results
    assert result is not None and not result.saved


async def test_escape_cancels(memory_keyring: MemoryKeyring) -> None:
    app = make(FakeHosts({}))
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_against_the_demo_api_wrong_key_then_the_demo_key(
    memory_keyring: MemoryKeyring,
) -> None:
    from kb4tui.demo import DEMO_API_KEY, FakeKnowBe4Transport

    checker = functools.partial(check_key, transport=FakeKnowBe4Transport(users=40))
    app = Host(SignInScreen(checker))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await type_key(pilot, new_key())
        await pilot.press("enter")
        await settle(pilot)
        assert "(401)" in status_text(app)
        await pilot.press("shift+tab", "shift+tab")
        await type_key(pilot, DEMO_API_KEY)
        await pilot.press("enter")
        await settle(pilot)
        assert account_text(app).startswith("Account: ")
        await pilot.press("tab", "enter")  # session only
        await settle(pilot)
    [result] = app.results
    assert result is not None and result.key.reveal() == DEMO_API_KEY


async def test_the_key_field_never_copies_the_key_to_the_clipboard(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = new_key()
    copied: list[str] = []
    original = App.copy_to_clipboard

    def record(app: App[Any], text: str) -> None:
        copied.append(text)
        original(app, text)

    monkeypatch.setattr(App, "copy_to_clipboard", record)
    app = make(FakeHosts({}))
    async with app.run_test() as pilot:
        await type_key(pilot, key)
        key_input = app.signin.query_one("#signin-key", Input)
        # Select the whole key, then every copy and cut key there is.
        await pilot.press("shift+home", "ctrl+c", "super+c", "shift+home", "ctrl+x")
        await pilot.press("ctrl+shift+a", "ctrl+c")
        await pilot.pause()
        assert key_input.value == key  # cut did not take it out either
        assert app.signin.get_selected_text() in (None, "")
        assert copied == [] and app.clipboard == ""
