"""The main screen: header, pane tabs (`1` Campaigns, `2` Library, ...), the pane, footer.

The panes come from `kb4tui.ui.panes.registry.PANES`: a digit key and a title each. Only
the first is built into the screen at start-up; the others are mounted on first visit,
which keeps their widgets (and CSS matching) off the path to the first paint.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import ContentSwitcher, Static

from kb4tui.session.datasets import ACCOUNT
from kb4tui.ui.messages import DataRefreshed
from kb4tui.ui.panes.base import MainPane
from kb4tui.ui.panes.registry import PANES
from kb4tui.ui.screens.base import ScreenContext, SessionScreen
from kb4tui.ui.widgets.footer import AppFooter

__all__ = ["MainScreen"]

P = TypeVar("P", bound=MainPane)


class PaneTabs(Static):
    """One line naming the panes with their digit keys; the active one highlighted."""

    DEFAULT_CSS = """
    PaneTabs {
        height: 1;
        background: $boost;
    }
    """

    def show(self, active: str) -> None:
        text = Text(no_wrap=True)
        for entry in PANES:
            style = "bold reverse" if entry.pane_id == active else ""
            text.append(f" {entry.digit} {entry.title} ", style=style)
            text.append(" ")
        text.append("  ")
        text.append("tab: next pane · ?: help", style="dim")
        self.update(text)


class MainScreen(SessionScreen):
    AUTO_FOCUS = f"#{PANES[0].pane_id} .pane-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(
                entry.digit,
                f"show_pane('{entry.pane_id}')",
                entry.title,
                show=False,
                id=f"main.{entry.pane_id}",
            )
            for entry in PANES
        ),
        Binding("tab", "next_pane(1)", "Next pane", show=False, id="main.next_pane"),
        Binding("shift+tab", "next_pane(-1)", "Previous pane", show=False, id="main.prev_pane"),
        Binding("r", "refresh", "Refresh", id="main.refresh"),
        Binding("q", "app.quit", "Quit", id="main.quit"),
    ]

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self.tabs = PaneTabs(markup=False)
        self.panes: dict[str, MainPane] = {}
        for entry in PANES:
            pane = entry.build(self.session)
            pane.id = entry.pane_id
            self.panes[entry.pane_id] = pane

    def pane(self, kind: type[P]) -> P:
        """The pane of that class."""
        return next(p for p in self.panes.values() if isinstance(p, kind))

    @property
    def active_pane(self) -> MainPane:
        switcher = self.query_one("#panes", ContentSwitcher)
        return self.panes[switcher.current or PANES[0].pane_id]

    @property
    def data_fetched_at(self) -> datetime | None:
        """When the data in the visible pane was fetched (the header shows its age)."""
        return self.active_pane.fetched_at

    def compose(self) -> ComposeResult:
        first = PANES[0].pane_id
        yield self.header()
        yield self.tabs
        with ContentSwitcher(initial=first, id="panes"):
            yield self.panes[first]
        yield AppFooter()

    def on_mount(self) -> None:
        first = self.panes[PANES[0].pane_id]
        self.tabs.show(PANES[0].pane_id)
        first.start()
        first.focus_table()

    def on_screen_resume(self) -> None:
        # Back from a drill-down: what was loaded there (a status breakdown) shows now.
        if self.is_mounted:
            for pane in self.panes.values():
                if pane.is_mounted:
                    pane.refresh_detail()

    async def action_show_pane(self, pane_id: str) -> None:
        switcher = self.query_one("#panes", ContentSwitcher)
        pane = self.panes[pane_id]
        if not pane.is_mounted:
            await switcher.mount(pane)
        switcher.current = pane_id
        self.tabs.show(pane_id)
        pane.start()
        # The pane becomes visible on the next refresh; focus it then.
        self.call_after_refresh(pane.focus_table)
        self.post_message(DataRefreshed())

    async def action_next_pane(self, step: int) -> None:
        ids = [entry.pane_id for entry in PANES]
        current = self.query_one("#panes", ContentSwitcher).current or ids[0]
        await self.action_show_pane(ids[(ids.index(current) + step) % len(ids)])

    def action_refresh(self) -> None:
        """Fetch the visible pane again, and the account for the header (asks first when it
        would pass the day's quota)."""
        pane = self.active_pane

        def proceed() -> None:
            pane.refresh_data()
            self.session.refresh_account()

        pane.confirm_refresh((*pane.datasets(), ACCOUNT), proceed)
