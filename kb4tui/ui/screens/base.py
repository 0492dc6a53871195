"""`SessionScreen`: a screen that shows one session's data, with the header on top.

The app hands each one a `ScreenContext` (the session, and how to list the configured
profiles for the palette); the palette's providers find it on the screen stack.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from textual.screen import Screen

from kb4tui.session.session import Session
from kb4tui.store.config import Profile
from kb4tui.ui.widgets.header import AppHeader

__all__ = ["ScreenContext", "SessionScreen"]


@dataclass(frozen=True, slots=True)
class ScreenContext:
    session: Session
    # The configured profiles, the default first (read off the event loop).
    profiles: Callable[[], Awaitable[list[Profile]]]


class SessionScreen(Screen[None]):
    def __init__(self, context: ScreenContext, crumbs: Sequence[str] = ()) -> None:
        super().__init__()
        self.context = context
        self.session = context.session
        self.crumbs = list(crumbs)

    @property
    def data_fetched_at(self) -> datetime | None:
        """When the data on screen was fetched (the header shows its age)."""
        return None

    def header(self) -> AppHeader:
        return AppHeader(self.session, lambda: self.data_fetched_at)
