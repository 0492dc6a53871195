"""The one-line header: account, an offline banner, profile, region, API requests today
(used / limit over the rolling day, yellow from 80%), "retrying…", and data age.

The offline banner comes right after the account: at 80 columns the line is cut at the
end, and being offline matters more than the profile or the quota.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.widget import Widget

from kb4tui.sanitize import clean_text
from kb4tui.session.session import Session
from kb4tui.ui import formatting as fmt

__all__ = ["AppHeader"]


class AppHeader(Widget):
    """Draws the session's header facts and the age of the screen's data (`fetched_at`).

    The app redraws it when the facts change and every second (the age moves on); it has
    no timer of its own. Cheap to draw.
    """

    DEFAULT_CSS = """
    AppHeader {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    def __init__(
        self,
        session: Session,
        fetched_at: Callable[[], datetime | None],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.session = session
        self.fetched_at = fetched_at

    def render(self) -> Text:
        text = self._line(compact=False)
        if text.cell_len > self.size.width:
            # 80 columns: drop the labels before the ellipsis eats the data age.
            text = self._line(compact=True)
        return text

    def _line(self, *, compact: bool) -> Text:
        info = self.session.facts
        now = self.session.clock()
        fetched = self.fetched_at()
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" ")
        # Cleaned here (whole escape sequences removed); the render guard is a second line.
        text.append(clean_text(info.account or "") or "…", style="bold")
        if info.offline_since is not None:
            text.append("  ")  # unstyled gaps: some SVG renderers drop styled leading spaces
            since = info.offline_since
            stamp = f"{since:%m-%d %H:%M}" if compact else f"{since:%Y-%m-%d %H:%M} UTC"
            text.append(f"offline: data from {stamp}", style="bold black on yellow")
        text.append("  ")
        if not compact:
            text.append("profile ", style="dim")
        text.append(info.profile or "default")
        text.append(f" ({info.region})")
        if info.requests_today is not None or info.daily_quota:
            used = "?" if info.requests_today is None else f"{info.requests_today:,}"
            quota = "?" if not info.daily_quota else f"{info.daily_quota:,}"
            text.append("  ")
            text.append("API ", style="dim")
            text.append(f"{used}/{quota}", style="bold yellow" if info.quota_warning else "")
            if not compact:
                text.append(" ")
                text.append("today", style="dim")
        if info.retrying:
            # The client is backing off (429, 5xx, dropped connection): say so, and why,
            # unless the offline banner already says it or there is no room.
            reason = None if compact or info.offline_since is not None else info.last_failure
            text.append("  ")
            text.append(f"retrying… {reason or ''}".rstrip(), style="bold yellow")
        if fetched is None:
            text.append("  ")
            text.append("loading…", style="dim")
        else:
            text.append("  ")
            if not compact:
                text.append("fetched ", style="dim")
            text.append(fmt.age(fetched, now))
        return text
