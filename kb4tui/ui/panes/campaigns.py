"""Pane `1`: training campaigns with a detail pane for the highlighted one."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Sequence
from datetime import tzinfo
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.clock import local_timezone
from kb4tui.core.deadlines import parse_relative_duration
from kb4tui.core.forecast import CampaignProgress, Forecast, campaign_progress
from kb4tui.core.hints import campaign_hints
from kb4tui.core.summaries import count_by_status
from kb4tui.exporting.views import CAMPAIGNS_EXPORT
from kb4tui.gcpause import resume_collection
from kb4tui.session.datasets import CAMPAIGNS, EnrollmentSubset
from kb4tui.session.enrollment_query import EnrollmentQuery
from kb4tui.session.session import Session
from kb4tui.ui import formatting as fmt
from kb4tui.ui.data_view import failure_sentence
from kb4tui.ui.details import campaign_detail, campaign_end, campaign_status_text
from kb4tui.ui.messages import DataRefreshed, OpenCampaign
from kb4tui.ui.panes.base import MainPane
from kb4tui.ui.progress_text import TREND_WIDTH, progress_block, trend_cell
from kb4tui.ui.table import Column, VirtualTable
from kb4tui.ui.widgets.browse_pane import BrowsePane, SortSpec, browse_bindings, next_choice

__all__ = ["CampaignsPane"]

# The detail pane's text is 33 cells wide (36, less its border and padding).
_SPARK_WIDTH = 30
# What a campaign's progress was worked out from: its rows' count and first and last row
# (the same models until they are fetched again).
RowsMark = tuple[int, int, int]


def _mark(rows: Sequence[Enrollment]) -> RowsMark:
    return (len(rows), id(rows[0]), id(rows[-1])) if rows else (0, 0, 0)


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


class CampaignsPane(BrowsePane[Campaign], MainPane):
    """Campaign table; `f` cycles the status filter; enter opens the enrollments."""

    DATASETS = (CAMPAIGNS,)

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
        # The forecast's outlook ("‖ stalling"), once the campaign's enrollments are known.
        Column("trend", "Trend", width=TREND_WIDTH),
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
    DROP_ORDER = ("groups", "start", "more", "trend")
    HAS_DETAIL = True
    NOUN = "campaigns"
    EMPTY_TEXT = "No training campaigns"
    EXPORT = CAMPAIGNS_EXPORT

    def __init__(self, session: Session, *, id: str | None = None) -> None:
        # Trend shows once some campaign's enrollments are known: until then it would only
        # take the Start column's room.
        super().__init__(id=id, hidden_columns=("trend",))
        self.session = session
        self._status_choice: str | None = None
        self._started = False
        self._campaigns: list[Campaign] = []
        # Each campaign's progress (series and forecast), from the enrollments already
        # fetched (its own, or all enrollments): never a request of its own.
        self._progress: dict[Hashable, tuple[RowsMark, CampaignProgress]] = {}
        self._tz: tzinfo | None = None

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
            trend_cell(self._known_progress(item)),
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
            query = EnrollmentQuery(campaign_id=item.campaign_id)
            known = self.session.peek(EnrollmentSubset(query))
        counts = count_by_status(known) if known is not None else None
        hints = campaign_hints(item, known or (), self.session.clock())
        return campaign_detail(
            item, counts.by_state if counts else None, hints, progress=self._progress_text(item)
        )

    # -- progress over time ----------------------------------------------------------------

    def _rows_of(self, campaign: Campaign) -> list[Enrollment] | None:
        if campaign.campaign_id is None:
            return None
        return self.session.peek(
            EnrollmentSubset(EnrollmentQuery(campaign_id=campaign.campaign_id))
        )

    def _known_progress(self, campaign: Campaign) -> Forecast | None:
        entry = self._progress.get(self.item_key(campaign))
        return entry[1].forecast if entry is not None else None

    def _progress_text(self, campaign: Campaign) -> Text | None:
        """The detail's Progress section; None while the enrollments are unknown (the
        status breakdown's line says how to load them)."""
        rows = self._rows_of(campaign)
        if rows is None:
            return None
        entry = self._progress.get(self.item_key(campaign))
        if entry is None or entry[0] != _mark(rows):
            self.work_out_progress()
            return Text("Working it out…", style="dim")
        return progress_block(entry[1], _SPARK_WIDTH)

    @work(group="campaign-progress", exclusive=True, exit_on_error=False)
    async def work_out_progress(self) -> None:
        """The progress of every campaign whose enrollments are known (new or fetched again
        since), in a thread: 20,000 rows take ~50 ms. Then the Trend cells and the detail."""
        if self._tz is None:
            self._tz = await asyncio.to_thread(local_timezone)
        todo: list[tuple[Campaign, list[Enrollment], RowsMark]] = []
        for campaign in self._campaigns:
            rows = self._rows_of(campaign)
            if rows is None:
                continue
            entry = self._progress.get(self.item_key(campaign))
            if entry is None or entry[0] != _mark(rows):
                todo.append((campaign, rows, _mark(rows)))
        if not todo:
            return
        now, tz = self.session.clock(), self._tz
        worked_out = await asyncio.to_thread(
            lambda: [(c, m, campaign_progress(c, rows, now, tz=tz)) for c, rows, m in todo]
        )
        for campaign, mark, progress in worked_out:
            self._progress[self.item_key(campaign)] = (mark, progress)
        if "trend" in self.hidden_columns:
            self.set_hidden_columns(())
        self.set_items(self._campaigns)  # the Trend cells, and the detail

    # -- loading ---------------------------------------------------------------------------

    def start(self) -> None:
        """Load on first show (the main screen shows it first)."""
        if not self._started:
            self._started = True
            self.set_busy(True)
            self.load()

    def reload(self) -> None:
        self.load()

    def focus_table(self) -> None:
        self.table.focus()

    def refresh_detail(self) -> None:
        self.show_detail()
        self.work_out_progress()

    def on_show(self) -> None:
        # Back from another pane: Compliance may have fetched every enrollment meanwhile.
        if self._loaded:
            self.work_out_progress()

    def refresh_data(self) -> None:
        self.set_busy(True)
        self.load(refresh=True)

    def show_failure(self, error: BaseException) -> None:
        self.show_error(failure_sentence(error))

    @work(group="campaigns", exclusive=True, exit_on_error=False)
    async def load(self, refresh: bool = False) -> None:
        """Fetch the campaigns, showing each page as it arrives the first time; a failure is
        shown under the table (rows already shown stay)."""
        first = True
        # The first load streams; a refresh keeps the rows on screen until the new list is in.
        stream = not self._loaded
        collected: list[Campaign] = []
        try:
            async for page in self.session.stream(CAMPAIGNS, refresh=refresh):
                collected.extend(page.rows)
                if page.rows and stream and first:
                    self.set_items(page.rows)
                    self.call_after_refresh(resume_collection)  # start-up is over
                    first = False
                elif page.rows and stream:
                    self.append_items(page.rows)
                self.fetched_at = page.fetched_at
                self.post_message(DataRefreshed())
        finally:
            self.set_busy(False)
        if not stream or first:
            self.set_items(collected)
        self._campaigns = collected
        self.failed_offline = False
        self.show_error(None)
        self.show_detail()
        self.work_out_progress()
        self.post_message(DataRefreshed())

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
        campaigns = self.session.cached(CAMPAIGNS) or []
        return {c.status or "" for c in campaigns}

    @on(VirtualTable.Selected, ".pane-table")
    def _open(self, event: VirtualTable.Selected) -> None:
        event.stop()
        if isinstance(event.item, Campaign):
            self.post_message(OpenCampaign(event.item))
