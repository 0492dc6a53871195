"""Pane `3`: Compliance. Deadlines, people at risk, and content retired or retiring.

Economy: the pane asks the session for the campaigns, the library and *all* enrollments
(include_campaign_id, exclude_archived_users) once; every table, the "within N days" key
and the drill-downs are answered from that one list. The repository memoises it, so an
enrollments screen opened from here costs no further request.

The pane does not open screens itself: `enter` posts `OpenCampaign` (incomplete rows
only), `OpenUser` or `OpenModule`, which the app routes.

All enrollments can take minutes on a first run (the API allows 50 requests a minute), so the
deadline rows are shown from the campaigns alone at once, with "…" in the cells that need the
enrollments, and filled in when they arrive.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Static

from kb4tui.api.errors import APIError
from kb4tui.api.models import Campaign, ContentItem, Enrollment
from kb4tui.core.clock import local_timezone
from kb4tui.core.compliance import ContentRisk, DeadlineRow, PersonAtRisk, people_at_risk
from kb4tui.core.compliance_rows import ComplianceRows, compute_rows, preview_deadlines
from kb4tui.sanitize import clean_text
from kb4tui.session.datasets import ALL_ENROLLMENTS, CAMPAIGNS, LIBRARY
from kb4tui.session.session import Session
from kb4tui.ui import formatting as fmt
from kb4tui.ui.data_view import failure_sentence
from kb4tui.ui.messages import DataRefreshed, OpenCampaign, OpenModule, OpenUser
from kb4tui.ui.panes.base import MainPane
from kb4tui.ui.panes.compliance_sections import (
    ContentSection,
    DeadlinesSection,
    PeopleSection,
)
from kb4tui.ui.table import VirtualTable
from kb4tui.ui.widgets.browse_pane import BrowsePane

__all__ = ["PENDING", "SECTIONS", "CompliancePane", "DeadlinesPreview"]

# (section id, key, title), in the order `[` and `]` step through them.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("deadlines", "d", "Deadlines"),
    ("people", "p", "People at risk"),
    ("content", "c", "Content"),
)

DEFAULT_WITHIN_DAYS = 7
MAX_WITHIN_DAYS = 365

# A cell whose value needs the enrollments, while they are still loading.
PENDING = "…"
# Deadline columns that come from the enrollments (the rest come from the campaign).
_COUNT_COLUMNS = frozenset({"not_started", "in_progress", "past_due", "forecast"})
# Shorter waits for the rate limiter are just pacing, not worth a word.
_RATE_WAIT_WORTH_SAYING = 1.0


class DeadlinesPreview(DeadlinesSection):
    """The Deadlines table, which can show rows before the enrollments are in: while
    `counts_pending`, cells that need them show "…" instead of zeros. Set it before
    `set_items` (rendered lines are cached until the rows are replaced)."""

    counts_pending = False

    def _pending(self, item: DeadlineRow, key: str) -> bool:
        if key in _COUNT_COLUMNS:
            return True
        if key == "done":  # the API's own figure is known; ours needs the counts
            return item.completion.source != "api"
        # A relative deadline ("2 weeks after enrollment") is dated from the enrollments.
        return key == "days" and item.is_relative

    def cells(self, item: DeadlineRow) -> Sequence[str | Text]:
        cells = super().cells(item)
        if not self.counts_pending:
            return cells
        return tuple(
            Text(PENDING, style="dim") if self._pending(item, column.key) else cell
            for column, cell in zip(self.COLUMNS, cells, strict=False)
        )

    def render_detail(self, item: DeadlineRow | None) -> Text:
        text = super().render_detail(item)
        if item is None or not self.counts_pending:
            return text
        # Cut what needs the enrollments (completion, counts, a relative deadline's days).
        end = text.plain.find("\n\nCompletion")
        end = len(text.plain) if end < 0 else end
        if item.is_relative:
            days = text.plain.rfind("\n", 0, end)
            end = days if days > 0 else end
        text = text[:end]
        text.append("\n\nCounts: waiting for the enrollments…", style="dim")
        return text


class CompliancePane(Vertical, MainPane):
    """Section line, progress line, error line, and the three section tables.

    `tz` defaults to the local time zone. Data loads the first time the pane is shown (or
    on `start()`).
    """

    DATASETS = (CAMPAIGNS, ALL_ENROLLMENTS, LIBRARY)

    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(key, f"show_section('{sid}')", title, show=False, id=f"compliance.{sid}")
            for sid, key, title in SECTIONS
        ),
        Binding(
            "right_square_bracket",
            "step_section(1)",
            "Next section",
            key_display="]",
            show=False,  # the section line says "[ ]: switch"; the footer has no room at 80
            id="compliance.next_section",
        ),
        Binding(
            "left_square_bracket",
            "step_section(-1)",
            "Previous section",
            key_display="[",
            show=False,
            id="compliance.prev_section",
        ),
        Binding(
            "plus,equals_sign",
            "within(1)",
            "Within +1 d",
            key_display="+",
            id="compliance.within_more",
        ),
        Binding("minus", "within(-1)", "Within -1 d", key_display="-", id="compliance.within_less"),
        Binding("r", "reload", "Refresh / retry", id="compliance.refresh"),
    ]

    DEFAULT_CSS = """
    CompliancePane {
        height: 1fr;
    }
    CompliancePane > .compliance-sections {
        height: 1;
        background: $boost;
    }
    CompliancePane > .compliance-progress {
        height: 1;
        padding: 0 1;
        color: $text-accent;
    }
    CompliancePane > .compliance-error {
        display: none;
        height: auto;
        max-height: 4;
        padding: 0 1;
        color: $text-error;
        background: $error-muted;
    }
    CompliancePane > .compliance-error.-shown {
        display: block;
    }
    CompliancePane > ContentSwitcher {
        height: 1fr;
    }
    """

    def __init__(
        self,
        session: Session,
        *,
        tz: tzinfo | None = None,
        within_days: int = DEFAULT_WITHIN_DAYS,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.session = session
        self._tz = tz
        self.within_days = within_days
        self.deadlines = DeadlinesPreview(id="compliance-deadlines")
        self.people = PeopleSection(id="compliance-people")
        self.content = ContentSection(id="compliance-content")
        self.sections_line = Static("", classes="compliance-sections", markup=False)
        self.progress_line = Static("", classes="compliance-progress", markup=False)
        self.error_line = Static("", classes="compliance-error", markup=False)
        self.section = SECTIONS[0][0]
        self.is_loading = False
        self.failed = False
        self._started = False
        self._campaigns: list[Campaign] = []
        self._enrollments: list[Enrollment] = []
        self._library: list[ContentItem] = []
        self._progress_text = ""  # what the load is doing; a retry or rate-limit note is added
        self._progress_timer: Timer | None = None

    def now(self) -> datetime:
        return self.session.clock()

    @property
    def tz(self) -> tzinfo:
        if self._tz is None:
            self._tz = local_timezone()
        return self._tz

    @property
    def active(self) -> BrowsePane[Any]:
        """The visible section."""
        if self.section == "people":
            return self.people
        if self.section == "content":
            return self.content
        return self.deadlines

    @property
    def table(self) -> VirtualTable[Any]:
        """The visible section's table (the main screen focuses `pane.table`)."""
        return self.active.table

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield self.sections_line
        yield self.progress_line
        yield self.error_line
        with ContentSwitcher(initial="compliance-deadlines"):
            yield self.deadlines
            yield self.people
            yield self.content

    def on_mount(self) -> None:
        self._draw_sections()
        self._set_progress("Compliance: loads when shown")
        # While loading: says when the client waits for the rate limit or retries.
        self._progress_timer = self.set_interval(0.5, self._draw_progress, pause=True)

    def on_show(self) -> None:
        self.start()

    def start(self) -> None:
        """Load on first show: all enrollments can be many requests nobody may need."""
        if not self._started:
            self._started = True
            self.load()

    # -- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        self.load()

    def focus_table(self) -> None:
        self.active.table.focus()

    def refresh_data(self) -> None:
        self.action_reload()

    @work(group="compliance", exclusive=True, exit_on_error=False)
    async def load(self, refresh: bool = False) -> None:
        """Campaigns, then all enrollments (with progress), then the library.

        A failure stops the load and is shown with its resolution; `r` retries and reuses
        whatever was already fetched.
        """
        self._set_loading(True)
        self._show_error(None)
        self._set_progress("loading campaigns…")
        session = self.session
        try:
            campaigns = await session.get(CAMPAIGNS, refresh=refresh)
            if self.fetched_at is None:  # a reload keeps the full rows until it is done
                self._show_preview(list(campaigns.value))
            self._set_progress("loading enrollments… waiting for the first page")
            enrollments = await session.get(
                ALL_ENROLLMENTS, refresh=refresh, progress=self._enrollment_progress
            )
            self._set_progress("loading the library…")
            library = await session.get(LIBRARY, refresh=refresh)
        finally:
            self._set_loading(False)
        self._campaigns = list(campaigns.value)
        self._enrollments = enrollments.value
        self._library = list(library.value)
        self.fetched_at = min(campaigns.fetched_at, enrollments.fetched_at, library.fetched_at)
        self._set_progress(f"working out deadlines for {len(self._enrollments):,} enrollments…")
        rows = await asyncio.to_thread(
            compute_rows,
            self._campaigns,
            self._enrollments,
            self._library,
            self.now(),
            self.tz,
            self.within_days,
        )
        self._show_rows(rows)
        self.post_message(DataRefreshed())

    def _show_preview(self, campaigns: list[Campaign]) -> None:
        """Deadline rows from the campaigns alone, while the enrollments load."""
        self.deadlines.counts_pending = True
        self.deadlines.set_items(preview_deadlines(campaigns, self.now(), self.tz))
        self._draw_sections()

    def _enrollment_progress(self, pages: int, rows: int) -> None:
        self._set_progress(f"loading enrollments… {rows:,} so far (page {pages})")

    def _set_loading(self, loading: bool) -> None:
        self.is_loading = loading
        for section in (self.deadlines, self.people, self.content):
            section.set_busy(loading)
        if self._progress_timer is not None:
            if loading:
                self._progress_timer.resume()
            else:
                self._progress_timer.pause()

    # -- the progress line -----------------------------------------------------------------

    def _set_progress(self, text: str) -> None:
        self._progress_text = text
        self._draw_progress()

    def _draw_progress(self) -> None:
        text = Text(self._progress_text)
        note = self._waiting_note() if self.is_loading else ""
        if note:
            text.append(f" · {note}", style="bold yellow")
        self.progress_line.update(text)

    def _waiting_note(self) -> str:
        """Why nothing arrives: the client is retrying, or waiting for the rate limit."""
        facts = self.session.facts
        if facts.retrying:
            reason = clean_text(facts.last_failure) if facts.last_failure else ""
            return f"retrying after an error: {reason}" if reason else "retrying after an error"
        wait = self.session.rate_limit_wait()
        if wait >= _RATE_WAIT_WORTH_SAYING:
            return f"waiting for the API's rate limit (next request in {math.ceil(wait)} s)"
        return ""

    def show_failure(self, error: BaseException) -> None:
        self._show_error(error)

    def _show_error(self, error: BaseException | None) -> None:
        self.failed = error is not None
        if error is None:
            self.failed_offline = False
            self.error_line.set_class(False, "-shown")
            return
        retry = " Press r to retry." if isinstance(error, APIError) else ""
        self.error_line.update(Text(failure_sentence(error) + retry))
        self.error_line.set_class(True, "-shown")
        self._set_progress("stopped: see below (r retries)")

    # -- computing the rows ----------------------------------------------------------------

    def _show_rows(self, rows: ComplianceRows) -> None:
        self.deadlines.counts_pending = False
        self.deadlines.set_items(rows.deadlines)
        self._show_people(rows.people, rows.within_days)
        self.content.set_items(rows.content)
        text = f"{len(self._enrollments):,} enrollments of active users"
        if rows.without_deadline:
            many = "s" if rows.without_deadline != 1 else ""
            text += f" · {rows.without_deadline} campaign{many} without a deadline"
        text += f" · as of {fmt.stamp(self.fetched_at)}"
        self._set_progress(text)
        self._draw_sections()
        if rows.within_days != self.within_days:  # +/- pressed while computing
            self._recompute_people()

    def _show_people(self, people: list[PersonAtRisk], within_days: int) -> None:
        self.people.set_items(people)
        self.people.set_choice(f"past due, or due within {within_days} d (+/-)", None)
        self._draw_sections()

    @work(group="compliance-people", exclusive=True, exit_on_error=False)
    async def _recompute_people(self) -> None:
        """After +/-: people at risk again, off the event loop (100k rows take ~0.5 s)."""
        within, enrollments = self.within_days, self._enrollments
        self.people.set_busy(True)
        try:
            people = await asyncio.to_thread(
                people_at_risk, enrollments, self._campaigns, self.now(), within, tz=self.tz
            )
        finally:
            self.people.set_busy(self.is_loading)
        if enrollments is self._enrollments:  # not overtaken by a reload
            self._show_people(people, within)

    def _draw_sections(self) -> None:
        counts = {
            "deadlines": self.deadlines.table.total_count,
            "people": self.people.table.total_count,
            "content": self.content.table.total_count,
        }
        loaded = bool(self.fetched_at)
        preview = self.deadlines.counts_pending
        text = Text(no_wrap=True, overflow="ellipsis")
        for sid, key, title in SECTIONS:
            style = "bold reverse" if sid == self.section else ""
            text.append(f" {key} {title}", style=style)
            if loaded or (preview and sid == "deadlines"):
                text.append(f" {counts[sid]:,}", style=style)
            if sid == "people":
                text.append(f" (≤{self.within_days} d)", style=style)
            text.append(" ", style=style)
            text.append(" ")
        text.append(" [ ]: switch", style="dim")
        self.sections_line.update(text)

    # -- keys ------------------------------------------------------------------------------

    def action_show_section(self, section: str) -> None:
        self.section = section
        self.query_one(ContentSwitcher).current = f"compliance-{section}"
        self._draw_sections()
        self.refresh_bindings()
        self.call_after_refresh(self.active.table.focus)

    def action_step_section(self, step: int) -> None:
        ids = [sid for sid, _, _ in SECTIONS]
        self.action_show_section(ids[(ids.index(self.section) + step) % len(ids)])

    def action_within(self, step: int) -> None:
        """People at risk: widen or narrow "due within N days" (no request)."""
        within = max(0, min(MAX_WITHIN_DAYS, self.within_days + step))
        if within == self.within_days:
            return
        self.within_days = within
        self._draw_sections()
        if self.fetched_at is not None:
            self._recompute_people()

    def action_reload(self) -> None:
        """After an error, retry (keeping what was fetched); otherwise fetch everything anew.
        Asks first when it would pass the day's quota."""
        refresh = not self.failed and self.fetched_at is not None

        def proceed() -> None:
            self._started = True
            self.load(refresh=refresh)

        self.confirm_refresh(self.datasets(), proceed)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "within":
            return self.section == "people"
        return True

    # -- enter -----------------------------------------------------------------------------

    @on(VirtualTable.Selected)
    def _open(self, event: VirtualTable.Selected) -> None:
        event.stop()
        item = event.item
        if isinstance(item, DeadlineRow):
            self.post_message(
                OpenCampaign(item.campaign, origin="Compliance", incomplete_only=True)
            )
        elif isinstance(item, PersonAtRisk):
            if item.user_id is None:
                self.notify("This enrollment names no user.", severity="warning")
                return
            name = item.name or item.email
            self.post_message(OpenUser(item.user_id, name, ["Compliance", "People at risk"]))
        elif isinstance(item, ContentRisk):
            self.post_message(OpenModule(item.purchase))
