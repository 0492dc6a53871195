"""`kb4tui` / `kb4tui --demo` start-up (run_tui) and the sign-in hand-over to the app."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Static
from ui_support import demo_session_factory, settle

from kb4tui.cli import main
from kb4tui.session.events import HeaderFacts
from kb4tui.ui.app import KB4App, SignInFlow
from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.screens.main import MainScreen


def test_demo_builds_the_app_on_the_demo_org(monkeypatch: pytest.MonkeyPatch) -> None:
    found: list[HeaderFacts] = []

    def fake_run(self: KB4App, *args: Any, **kwargs: Any) -> int:
        async def opened() -> HeaderFacts:
            assert self.session_factory is not None and self.sign_in is None
            async with self.session_factory() as session:
                return session.facts

        found.append(asyncio.run(opened()))
        return 0

    monkeypatch.setattr(KB4App, "run", fake_run)
    assert main(["--demo"]) == 0
    [facts] = found
    assert (facts.profile, facts.region) == ("demo", "us")


def test_no_key_and_no_terminal_is_one_sentence_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], memory_keyring: Any
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a TTY: nobody to ask
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kb4tui: ") and err.count("\n") == 1
    assert "KNOWBE4_API_KEY" in err and "Traceback" not in err


class FakeSignIn(Screen[object]):
    """Stands in for the sign-in screen: answers at once with a result-like object."""

    class Result:
        profile = "acme"
        region = "eu"

    def compose(self) -> Any:
        yield Static("sign in", id="fake-signin")

    def on_mount(self) -> None:
        self.dismiss(self.Result())


async def test_sign_in_result_opens_the_main_screen() -> None:
    connected: list[object] = []

    def connect(result: Any) -> Any:
        connected.append(result)
        return demo_session_factory(profile=result.profile)

    app = KB4App(sign_in=SignInFlow(screen=FakeSignIn, connect=connect))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.session.facts.profile == "acme"
        assert app.screen.pane(CampaignsPane).table.total_count == 25
        assert len(connected) == 1


class CancelledSignIn(Screen[object]):
    def on_mount(self) -> None:
        self.dismiss(None)


async def test_cancelled_sign_in_quits_with_exit_2() -> None:
    def never(result: object) -> Any:
        raise AssertionError("no connection without a key")

    app = KB4App(sign_in=SignInFlow(screen=CancelledSignIn, connect=never))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert app.return_code == 2
