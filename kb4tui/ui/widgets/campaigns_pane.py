"""Pane `1`: training campaigns with a detail pane for the highlighted one."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType

from kb4tui.api.errors import APIError, NetworkError
from kb4tui.api.models import Campaign
from kb4tui.core.deadlines import parse_relative_duration
from kb4tui.core.hints import campaign_hints
from kb4tui.core.summaries import count_by_status
from kb4tui.exporting.views import CAMPAIGNS_EXPORT
from kb4tui.gcpause import resume_collection
from kb4tui.repository import EnrollmentQuery
from kb4tui.ui import formatting as fmt
from kb4tui.ui.details import campaign_detail, campaign_end, campaign_status_text
from kb4tui.ui.table import Column, VirtualTable
from kb4tui.ui.widgets.browse_pane import BrowsePane, SortSpec, browse_bindings, next_choice

if TYPE_CHECKING:
    from kb4tui.ui.app import KB4App

__all__ = ["CampaignsPane"]


# The End column's sort key: (group, magnitude, text); the group keeps the kinds apart.
EndKey = tuple[int, float, str]


def _end_key(campaign: Campaign) -> EndKey | None:
    """Campaigns with an end date first, by date; then those that give each user a window
    from enrollment ("+1 month"), by its length; then durations too odd to read, by text;
    campaigns with neither last (None), whichever the direction."""
    if campaign.end_date is not None:
        return (0, campaign.end_date.timestamp(), "")
    text = (campaign.relative_duration or "").strip()
    if not text:
        return None
    duration = parse_relative_duration(text)
    if duration is not None:
        return (1, duration.nominal_days, "")
    return (2, 0.0, text.casefold())


def _first_content(campaign: Campaign) -> str:
    items = campaign.content_items
    return (items[0].name or "?") if items else ""


class CampaignsPane(BrowsePane[Campaign]):
    """Campaign table; `f` cycles the status filter; enter opens the enrollments."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *browse_bindings("campaigns"),
        Binding(
            "f",
            "cycle_status",
            "Status",
            tooltip="One status at a time; cycles back to all",
            id="campaigns.status_filter",
        ),
    ]
    COLUMNS = (
        Column("name", "Name", min_width=24, flex=4),
        Column("status", "Status", width=11),
        Column("content", "Content", min_width=14, flex=2),
        # "+2" more items: its own column so the count stays visible when the name is cut.
        Column("more", "", width=3),
        Column("groups", "Groups", min_width=8, flex=1),
        Column("start", "Start", width=10),
        Column("end", "End", width=10),
        Column("done", "Done", width=4, justify="right"),
    )
    SORTS: ClassVar[Sequence[SortSpec[Any]]] = (
        SortSpec("name", "name", lambda c: (c.name or "").casefold()),
        SortSpec("status", "status", lambda c: (c.status or "").casefold() or None),
        SortSpec("content", "content", lambda c: _first_content(c).casefold() or None),
        SortSpec("groups", "groups", lambda c: ", ".join(c.group_names).casefold() or None),
        SortSpec("start", "start", lambda c: c.start_date),
        SortSpec("end", "end", _end_key),
        SortSpec("done", "completion", lambda c: c.completion_percentage),
    )
    # Groups are in the detail pane: at 120 columns the name gets their room first.
    DROP_ORDER = ("groups", "start", "more")
    HAS_DETAIL = True
    NOUN = "campaigns"
    EMPTY_TEXT = "No training campaigns"
    EXPORT = CAMPAIGNS_EXPORT

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.fetched_at: datetime | None = None
        self._status_choice: str | None = None

    @property
    def kb(self) -> KB4App:
        return cast("KB4App", self.app)

    # -- rows ------------------------------------------------------------------------------

    def cells(self, item: Campaign) -> Sequence[str | Text]:
        more = len(item.content_items) - 1
        return (
            item.name or "",
            campaign_status_text(item.status),
            _first_content(item) or fmt.DASH,
            f"+{more}" if more > 0 else "",
            ", ".join(item.group_names) or fmt.DASH,
            fmt.day(item.start_date),
            campaign_end(item),
            fmt.percent(item.completion_percentage),
        )

    def search_text(self, item: Campaign) -> str:
        modules = " ".join(c.name or "" for c in item.content_items)
        return f"{item.name or ''} {' '.join(item.group_names)} {modules}"

    def item_key(self, item: Campaign) -> Hashable:
        return item.campaign_id if item.campaign_id is not None else id(item)

    def render_detail(self, item: Campaign | None) -> Text:
        if item is None:
            return Text("No campaign selected." if self._loaded else "Loading campaigns…")
        known = None
        if item.campaign_id is not None:
            known = self.kb.repository.peek(EnrollmentQuery(campaign_id=item.campaign_id))
        counts = count_by_status(known) if known is not None else None
        hints = campaign_hints(item, known or (), self.kb.clock())
        return campaign_detail(item, counts.by_state if counts else None, hints)

    # -- loading ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        super().on_mount()
        self.set_busy(True)
        self.load()

    @work(group="campaigns", exclusive=True, exit_on_error=False)
    async def load(self, refresh: bool = False) -> None:
        """Fetch the campaigns, showing each page as it arrives the first time; an API error
        is shown under the table with its resolution (rows already shown stay)."""
        first = True
        # The first load streams; a refresh keeps the rows on screen until the new list is in.
        stream = not self._loaded
        collected: list[Campaign] = []
        try:
            async for page in self.kb.repository.campaign_pages(refresh=refresh):
                collected.extend(page.value)
                if stream and first:
                    self.set_items(page.value)
                    self.call_after_refresh(resume_collection)  # start-up is over
                elif stream:
                    self.append_items(page.value)
                first = False
                self.fetched_at = page.fetched_at
                self.kb.refresh_header()
        except APIError as error:
            self.show_error(error.sentence, offline=isinstance(error, NetworkError))
            self.kb.report_error(error)
            return
        finally:
            self.set_busy(False)
        if not stream or first:
            self.set_items(collected)
        self.show_error(None)
        self.show_detail()
        self.kb.refresh_header()

    # -- keys ------------------------------------------------------------------------------

    def action_cycle_status(self) -> None:
        """All -> each status present in the data (as sent) -> all."""
        statuses = sorted({c.status or "" for c in self.table.visible_items} | self._all_statuses())
        choices: list[str | None] = [None, *statuses]
        self._status_choice = next_choice(choices, self._status_choice)
        choice = self._status_choice
        if choice is None:
            self.set_choice(None, None)
        else:
            label = f"status {choice or '(none)'} (f: next)"
            self.set_choice(label, lambda c: (c.status or "") == choice)

    def clear_choice(self) -> None:
        self._status_choice = None
        super().clear_choice()

    def _all_statuses(self) -> set[str]:
        campaigns = self.kb.repository.cached_campaigns()
        return {c.status or "" for c in campaigns}

    @on(VirtualTable.Selected, ".pane-table")
    def _open(self, event: VirtualTable.Selected) -> None:
        event.stop()
        if isinstance(event.item, Campaign):
            self.kb.open_campaign(event.item)
