"""The main screen: header, pane tabs (`1` Campaigns, `2` Library, ...), the pane, footer."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Static

from kb4tui.ui.widgets.browse_pane import BrowsePane
from kb4tui.ui.widgets.campaigns_pane import CampaignsPane
from kb4tui.ui.widgets.compliance_pane import CompliancePane
from kb4tui.ui.widgets.compliance_routes import open_compliance_target
from kb4tui.ui.widgets.footer import AppFooter
from kb4tui.ui.widgets.header import AppHeader
from kb4tui.ui.widgets.library_pane import LibraryPane

if TYPE_CHECKING:
    from kb4tui.ui.app import KB4App

__all__ = ["PANES", "MainScreen"]

# (pane id, digit, title). A new pane is one more entry here, one more binding below and
# one more widget in `compose`.
PANES: tuple[tuple[str, str, str], ...] = (
    ("campaigns", "1", "Campaigns"),
    ("library", "2", "Library"),
    ("compliance", "3", "Compliance"),
)


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
        for pane_id, digit, title in PANES:
            style = "bold reverse" if pane_id == active else ""
            text.append(f" {digit} {title} ", style=style)
            text.append(" ")
        text.append("  ")
        text.append("tab: next pane · ?: help", style="dim")
        self.update(text)


class MainScreen(Screen[None]):
    AUTO_FOCUS = "#campaigns .pane-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "show_pane('campaigns')", "Campaigns", show=False, id="main.campaigns"),
        Binding("2", "show_pane('library')", "Library", show=False, id="main.library"),
        Binding("3", "show_pane('compliance')", "Compliance", show=False, id="main.compliance"),
        Binding("tab", "next_pane(1)", "Next pane", show=False, id="main.next_pane"),
        Binding("shift+tab", "next_pane(-1)", "Previous pane", show=False, id="main.prev_pane"),
        Binding("r", "refresh", "Refresh", id="main.refresh"),
        Binding("q", "app.quit", "Quit", id="main.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.tabs = PaneTabs(markup=False)
        self.campaigns = CampaignsPane(id="campaigns")
        self.library = LibraryPane(id="library")
        self.compliance = CompliancePane(id="compliance")

    @property
    def kb(self) -> KB4App:
        return cast("KB4App", self.app)

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield self.tabs
        # Only the first pane is built at start-up: the others are mounted on first visit,
        # which keeps their widgets (and CSS matching) off the path to the first paint.
        with ContentSwitcher(initial="campaigns", id="panes"):
            yield self.campaigns
        yield AppFooter()

    def on_mount(self) -> None:
        self.tabs.show("campaigns")
        self.campaigns.table.focus()

    def on_screen_resume(self) -> None:
        # Back from a drill-down: what was loaded there (a status breakdown) shows now.
        if self.is_mounted:
            self.campaigns.show_detail()
            if self.library.is_mounted:
                self.library.show_detail()

    @property
    def active_pane(self) -> BrowsePane[object] | CompliancePane:
        switcher = self.query_one("#panes", ContentSwitcher)
        return cast("BrowsePane[object] | CompliancePane", self.query_one(f"#{switcher.current}"))

    @on(CompliancePane.OpenCampaignEnrollments)
    @on(CompliancePane.OpenUserEnrollments)
    @on(CompliancePane.OpenContentEnrollments)
    def _open_from_compliance(self, message: Message) -> None:
        open_compliance_target(self.kb, message)

    @property
    def data_fetched_at(self) -> datetime | None:
        """When the data in the visible pane was fetched (the header shows its age)."""
        pane = self.active_pane
        fetched = getattr(pane, "fetched_at", None)
        return fetched if isinstance(fetched, datetime) else None

    async def action_show_pane(self, pane_id: str) -> None:
        switcher = self.query_one("#panes", ContentSwitcher)
        pane = {"library": self.library, "compliance": self.compliance}.get(pane_id)
        if pane is not None and not pane.is_mounted:
            await switcher.mount(pane)
        switcher.current = pane_id
        self.tabs.show(pane_id)
        if pane_id == "library":
            self.library.start()
        # The pane becomes visible on the next refresh; focus it then.
        self.call_after_refresh(self.active_pane.table.focus)
        self.kb.refresh_header()

    async def action_next_pane(self, step: int) -> None:
        ids = [pane_id for pane_id, _, _ in PANES]
        current = self.query_one("#panes", ContentSwitcher).current or ids[0]
        await self.action_show_pane(ids[(ids.index(current) + step) % len(ids)])

    def action_refresh(self) -> None:
        """Fetch the visible pane again (and the account, for the header)."""
        pane = self.active_pane
        if isinstance(pane, CampaignsPane | LibraryPane):
            pane.set_busy(True)
            pane.load(refresh=True)
        self.kb.load_account(refresh=True)
