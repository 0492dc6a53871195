"""Helpers for the UI tests: the app on the path production runs (the real client over the
demo's fake API, the real session wiring, a cache and a quota meter in the test's own
temporary directories: see `session_support`), waits on workers and on the session, and
readers of what the screen shows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rich.text import Text
from session_support import (
    FROZEN_NOW,
    TTL,
    FrozenUsage,
    demo_api,
    demo_client,
    demo_session,
    demo_session_factory,
    frozen_clock,
)
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from kb4tui.session.session import Session
from kb4tui.ui.app import KB4App
from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.screens.enrollments import EnrollmentsScreen
from kb4tui.ui.screens.main import MainScreen

__all__ = [
    "FROZEN_NOW",
    "MARKUP_NAME",
    "TTL",
    "FrozenUsage",
    "current",
    "demo_api",
    "demo_app",
    "demo_client",
    "demo_session",
    "demo_session_factory",
    "frozen_clock",
    "main",
    "open_campaign",
    "plain",
    "session_of",
    "settle",
    "wait_until",
]

MARKUP_NAME = "[/Q3] Phish [bold]drill[/bold]"


def demo_app(*, keymap: Mapping[str, str] | None = None, **options: Any) -> KB4App:
    """The app on the demo organisation (see `demo_session_factory` for the options), with
    the config's `[keys]` table when given."""
    return KB4App(demo_session_factory(**options), keymap=keymap)


def session_of(app: App[Any]) -> Session | None:
    """The session an app shows (KB4App and the tests' hosts hold one), if open."""
    try:
        session = getattr(app, "session", None)
    except RuntimeError:  # KB4App before its session is open
        return None
    return session if isinstance(session, Session) else None


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], limit: float = 30.0) -> None:
    """Let the app run until `condition()` holds (checked after each processed batch)."""
    async with asyncio.timeout(limit):
        while not condition():
            await pilot.pause(0.01)


def _busy(workers: Iterable[Worker[Any]]) -> list[Worker[Any]]:
    return [w for w in workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)]


async def settle(pilot: Pilot[Any], limit: float = 30.0) -> None:
    """Wait (bounded) until every worker is done (a failed one counts: views show their
    failures) and the session has nothing queued or running in the background, then let
    their messages drain."""
    app = pilot.app
    async with asyncio.timeout(limit):
        while True:
            busy = _busy(app.workers)
            if busy:
                await asyncio.gather(*(w.wait() for w in busy), return_exceptions=True)
            await pilot.pause()
            session = session_of(app)
            if (session is None or session.supervisor.idle) and not _busy(app.workers):
                break
            await pilot.pause(0.01)
    await pilot.pause()


def plain(widget: Static) -> str:
    """The text a Static shows (its content, as the user reads it)."""
    content = widget.render()
    text = content.plain if isinstance(content, Text) else str(content)
    return text.replace("\u00a0", " ")  # non-breaking spaces read as spaces


def main(app: App[Any]) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def current(app: App[Any]) -> object:
    """The screen on top, read afresh (keeps mypy from carrying narrowing across keys)."""
    return app.screen


async def open_campaign(pilot: Any, name: str) -> EnrollmentsScreen:
    """Put the cursor on the campaign called `name`, press enter, wait for its enrollments."""
    app: KB4App = pilot.app
    pane = main(app).pane(CampaignsPane)
    pane.table.scroll_to_item(next(c for c in pane.table.visible_items if c.name == name))
    await pilot.press("enter")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, EnrollmentsScreen)
    return screen
