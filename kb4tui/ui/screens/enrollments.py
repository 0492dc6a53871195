"""The enrollments of a campaign, a user or a module: streamed in, counted, filterable."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.clock import local_timezone
from kb4tui.core.forecast import CampaignProgress, campaign_progress
from kb4tui.core.status import INCOMPLETE_STATES, EnrollmentState, classify
from kb4tui.core.summaries import StatusCounts
from kb4tui.exporting.views import ENROLLMENTS_EXPORT
from kb4tui.sanitize import clean_text
from kb4tui.session.datasets import CAMPAIGNS, Dataset, EnrollmentSubset
from kb4tui.session.enrollment_query import EnrollmentQuery
from kb4tui.ui import formatting as fmt
from kb4tui.ui.data_view import DataView, failure_sentence
from kb4tui.ui.details import STATE_STYLE as _STATE_STYLE
from kb4tui.ui.messages import DataRefreshed, OpenEnrollment, OpenUser
from kb4tui.ui.screens.base import ScreenContext, SessionScreen
from kb4tui.ui.table import Column, VirtualTable
from kb4tui.ui.widgets.browse_pane import BrowsePane, SortSpec, browse_bindings
from kb4tui.ui.widgets.footer import AppFooter
from kb4tui.ui.widgets.progress_chart import ProgressPanel

__all__ = [
    "INCOMPLETE_LABEL",
    "STATUS_KEYS",
    "EnrollmentsPane",
    "EnrollmentsScreen",
    "IncompleteEnrollmentsScreen",
    "is_incomplete",
    "user_label",
]

# Key -> state for the status filter; `a` shows all. Shown in the counts line.
STATUS_KEYS: dict[str, EnrollmentState] = {
    "n": EnrollmentState.NOT_STARTED,
    "i": EnrollmentState.IN_PROGRESS,
    "p": EnrollmentState.COMPLETED,
    "d": EnrollmentState.PAST_DUE,
    "x": EnrollmentState.EXEMPTED,
}

INCOMPLETE_LABEL = "incomplete only: Not Started, In Progress, Past Due (a: all)"


def is_incomplete(enrollment: Enrollment) -> bool:
    return classify(enrollment.status) in INCOMPLETE_STATES


def user_label(enrollment: Enrollment) -> str:
    """Who an enrollment is for, as a breadcrumb names them."""
    return enrollment.user_name or enrollment.user_email or str(enrollment.user_id)


def _status_cell(enrollment: Enrollment) -> Text:
    """The status exactly as sent, coloured by what it means."""
    return Text(enrollment.status or "(none)", style=_STATE_STYLE[classify(enrollment.status)])


class EnrollmentsPane(BrowsePane[Enrollment]):
    HELP_TITLE: ClassVar[str] = "Enrollments"
    BINDINGS: ClassVar[list[BindingType]] = browse_bindings("enrollments")
    COLUMNS = (
        Column("user", "User", min_width=12, flex=2),
        Column("email", "Email", min_width=12, flex=2),
        Column("module", "Module", min_width=12, flex=2),
        Column("campaign", "Campaign", min_width=10, flex=1),
        Column("status", "Status", width=11),
        Column("due", "Due", width=10),
        Column("enrolled", "Enrolled", width=10),
        Column("started", "Started", width=10),
        Column("completed", "Completed", width=10),
        Column("time", "Time", width=8, justify="right"),
        Column("ack", "Ack", width=3),
    )
    SORTS: ClassVar[Sequence[SortSpec[Any]]] = (
        SortSpec("user", "user", lambda e: e.user_name.casefold() or None),
        SortSpec("email", "email", lambda e: e.user_email.casefold() or None),
        SortSpec("module", "module", lambda e: e.module.casefold() or None),
        SortSpec("campaign", "campaign", lambda e: (e.campaign_name or "").casefold() or None),
        SortSpec("status", "status", lambda e: (e.status or "").casefold() or None),
        SortSpec("enrolled", "enrolled", lambda e: e.enrollment_date),
        SortSpec("started", "started", lambda e: e.start_date),
        SortSpec("completed", "completed", lambda e: e.completion_date),
        SortSpec("time", "time spent", lambda e: e.time_spent),
    )
    DROP_ORDER = ("ack", "enrolled", "campaign", "started", "time")
    NOUN = "enrollments"
    EMPTY_TEXT = "No enrollments"
    EXPORT = ENROLLMENTS_EXPORT

    def __init__(
        self,
        *,
        id: str | None = None,
        classes: str | None = None,
        hidden_columns: Sequence[str] = (),
        deadline_of: Callable[[Enrollment], datetime | None] | None = None,
    ) -> None:
        """`deadline_of` gives each row's deadline (a person's view shows it in a Due
        column); without it there is no Due column."""
        hidden = tuple(hidden_columns) + (() if deadline_of else ("due",))
        super().__init__(id=id, classes=classes, hidden_columns=hidden)
        self.deadline_of = deadline_of

    def cells(self, item: Enrollment) -> Sequence[str | Text]:
        ack = "" if item.policy_acknowledged is None else fmt.yes_no(item.policy_acknowledged)
        due = fmt.day(self.deadline_of(item)) if self.deadline_of is not None else ""
        return (
            item.user_name or "(no user)",
            item.user_email,
            item.module,
            item.campaign_name or fmt.DASH,
            _status_cell(item),
            due,
            fmt.day(item.enrollment_date),
            fmt.day(item.start_date),
            fmt.day(item.completion_date),
            fmt.short_seconds(item.time_spent),
            ack,
        )

    def search_text(self, item: Enrollment) -> str:
        return f"{item.user_name} {item.user_email}"

    def item_key(self, item: Enrollment) -> Hashable:
        return item.enrollment_id if item.enrollment_id is not None else id(item)


class EnrollmentsScreen(SessionScreen, DataView):
    """Pushed from a campaign, a user or a library item; its loading stops when it is left."""

    HELP_TITLE: ClassVar[str] = "Enrollments"
    AUTO_FOCUS = ".pane-table"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="enrollments.back"),
        Binding("q", "back", "Back", show=False, id="enrollments.back_q"),
        Binding(
            "u",
            "user",
            "User",
            tooltip="This user's enrollments in every campaign",
            id="enrollments.user",
        ),
        Binding("r", "refresh", "Refresh", id="enrollments.refresh"),
        *(
            Binding(
                key,
                f"status('{key}')",
                state.label,
                show=False,
                tooltip=f"Only {state.label}: {state.meaning.lower()}",
                id=f"enrollments.status_{key}",
            )
            for key, state in STATUS_KEYS.items()
        ),
        Binding("a", "status('a')", "All statuses", show=False, id="enrollments.status_all"),
        Binding(
            "c",
            "chart",
            "Chart",
            show=False,  # the counts line says "c chart"; the footer has no room at 80
            tooltip=(
                "Progress over time, above the table: enrolled, passed and past due per day, "
                "rebuilt from the enrollments' dates (the API keeps no history of statuses; "
                "past due is derived: deadline passed and not completed by then), the "
                "deadline, and the forecast at the pace of the last 14 days"
            ),
            id="enrollments.chart",
        ),
    ]

    DEFAULT_CSS = """
    EnrollmentsScreen > .breadcrumb {
        height: 1;
        padding: 0 1;
        text-style: bold;
    }
    EnrollmentsScreen > .counts {
        height: auto;
        padding: 0 1;
    }
    EnrollmentsScreen > .context {
        height: auto;
        max-height: 3;
        padding: 0 1;
        color: $text-muted;
    }
    EnrollmentsScreen > .progress {
        height: 1;
        padding: 0 1;
        color: $text-accent;
    }
    EnrollmentsScreen > ProgressPanel {
        display: none;
        height: 50%;
        min-height: 9;
        padding: 0 1;
    }
    EnrollmentsScreen > ProgressPanel.-shown {
        display: block;
    }
    """

    def __init__(
        self,
        context: ScreenContext,
        query: EnrollmentQuery,
        crumbs: Sequence[str],
        *,
        note: str | None = None,
        incomplete_only: bool = False,
    ) -> None:
        """`note` is a line under the breadcrumb (the campaigns using a module).
        `incomplete_only` opens the screen on the incomplete rows (Compliance's view): a
        preset, not a choice of the user's, so escape goes back at once; `a` drops it."""
        super().__init__(context, crumbs)
        self.query_spec = query
        self.subset = EnrollmentSubset(query)
        self.incomplete_only = incomplete_only
        self.note = note
        self.counts = StatusCounts()
        self.status_filter: EnrollmentState | None = None
        self.loaded_rows = 0
        self.loading_done = False
        # One campaign's enrollments all name that campaign: no need for the column.
        hidden: tuple[str, ...] = ("campaign",) if query.campaign_id is not None else ()
        if query.store_purchase_id is not None or query.policy_id is not None:
            hidden = ("module",)  # one module's enrollments: say which campaign instead
        self.pane = EnrollmentsPane(id="enrollments", hidden_columns=hidden)
        self.breadcrumb = Static(
            Text(clean_text(" > ".join(self.crumbs))), classes="breadcrumb", markup=False
        )
        self.counts_line = Static("", classes="counts", markup=False)
        self.progress_line = Static("", classes="progress", markup=False)
        self.chart = ProgressPanel()
        # The campaign's series and forecast, once all its rows are in (None before).
        self.campaign_progress: CampaignProgress | None = None

    def datasets(self) -> tuple[Dataset[Any], ...]:
        return (self.subset,)

    @property
    def data_fetched_at(self) -> datetime | None:
        return self.fetched_at

    def compose(self) -> ComposeResult:
        yield self.header()
        yield self.breadcrumb
        if self.note:
            yield Static(Text(clean_text(self.note)), classes="context", markup=False)
        yield self.counts_line
        yield self.progress_line
        yield self.chart
        yield self.pane
        yield AppFooter()

    def on_mount(self) -> None:
        self.pane.table.focus()
        if self.incomplete_only:
            # The label without a predicate leaves escape to the screen (go back); the
            # table keeps its predicate across the streamed pages' set_rows.
            self.pane.set_choice(INCOMPLETE_LABEL, None)
            self.pane.table.set_predicate(is_incomplete)
            self.pane.update_summary()
        self._draw_counts()
        self.load()

    @property
    def is_campaign(self) -> bool:
        """One campaign's enrollments (a user's or a module's have no chart)."""
        return self.query_spec.campaign_id is not None

    # -- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        self.load()

    def show_failure(self, error: BaseException) -> None:
        self.pane.show_error(failure_sentence(error))
        self.progress_line.update(Text(f"stopped after {self.loaded_rows:,} rows (r retries)"))
        self.progress_line.display = True

    @work(group="enrollments", exclusive=True, exit_on_error=False)
    async def load(self, refresh: bool = False) -> None:
        """Stream pages: the first one is on screen as soon as it arrives."""
        self.counts = StatusCounts()
        self.loaded_rows = 0
        self.loading_done = False
        self.pane.show_error(None)
        self.pane.set_busy(True)
        self.progress_line.update(Text("loading… waiting for the first page"))
        self.progress_line.display = True
        first = True
        try:
            async for page in self.session.stream(self.subset, refresh=refresh):
                if first:
                    self.pane.set_items(list(page.rows))
                    first = False
                else:
                    self.pane.append_items(page.rows)
                # Count the raw strings at C speed, then classify the few distinct ones:
                # a 100,000-row page otherwise costs ~80 ms before the first paint.
                for status, count in Counter(row.status for row in page.rows).items():
                    self.counts.add(status, count)
                self.loaded_rows = page.total
                self.fetched_at = page.fetched_at
                self.loading_done = page.done
                self._draw_progress(page.page, page.from_memo)
                self._draw_counts()
                self.post_message(DataRefreshed())
        finally:
            self.pane.set_busy(False)
        self.failed_offline = False
        if first:
            self.pane.set_items([])
        if self.is_campaign:
            self.work_out_progress()

    @work(group="enrollments-progress", exclusive=True, exit_on_error=False)
    async def work_out_progress(self) -> None:
        """The campaign's series and forecast from the rows loaded, in a thread (20,000
        rows take ~50 ms); the chart shows them if `c` has it shown."""
        self.campaign_progress = None
        self._draw_chart()
        rows = list(self.pane.table.model.items)
        campaign = self._campaign()
        now = self.session.clock()
        self.campaign_progress = await asyncio.to_thread(
            lambda: campaign_progress(campaign, rows, now, tz=local_timezone())
        )
        self._draw_chart()

    def _campaign(self) -> Campaign | None:
        campaigns = self.session.cached(CAMPAIGNS) or []
        wanted = self.query_spec.campaign_id
        return next((c for c in campaigns if c.campaign_id == wanted), None)

    def _draw_chart(self) -> None:
        if not self.chart.has_class("-shown"):
            return
        if self.campaign_progress is None:
            self.chart.show(None, "Progress over time: when every enrollment is loaded…")
        else:
            self.chart.show(self.campaign_progress)

    def _draw_progress(self, page: int, from_memo: bool) -> None:
        # Shown while loading, or to say the rows came from memory; gone once all are in.
        text = ""
        if not self.loading_done:
            text = f"loading… {self.loaded_rows:,} rows, page {page}"
        elif from_memo:
            text = f"{self.loaded_rows:,} rows from memory (r fetches them again)"
        self.progress_line.update(Text(text))
        self.progress_line.display = bool(text)

    def _draw_counts(self) -> None:
        """One chunk per status ("n Not Started 12"); lines break between chunks only
        (Rich would also break at a non-breaking space)."""
        chunks: list[Text] = []
        preset = self.incomplete_only
        for key, state in STATUS_KEYS.items():
            chosen = self.status_filter is state or (preset and state in INCOMPLETE_STATES)
            chunk = Text(key, style="bold reverse" if chosen else "bold")
            chunk.append(f" {state.label} ", style=_STATE_STYLE[state])
            chunk.append(f"{self.counts[state]:,}")
            chunks.append(chunk)
        if self.counts.unknown:
            chunk = Text("other ", style=_STATE_STYLE[EnrollmentState.UNKNOWN])
            chunk.append(f"{self.counts.unknown:,}")
            chunks.append(chunk)
        everything = self.status_filter is None and not preset
        chunk = Text("a", style="bold reverse" if everything else "bold")
        chunk.append(f" all {self.counts.total:,}")
        chunks.append(chunk)
        if preset:
            chunks.append(Text("incomplete only", style="bold reverse"))
        if self.is_campaign:
            shown = self.chart.has_class("-shown")
            chunk = Text("c", style="bold reverse" if shown else "bold")
            chunk.append(" chart")
            chunks.append(chunk)
        width = self.counts_line.content_region.width or self.app.size.width - 2
        text = Text(no_wrap=True)
        line = 0
        for chunk in chunks:
            if line and line + 2 + chunk.cell_len > width:
                text.append("\n")
                line = 0
            elif line:
                text.append("  ")
                line += 2
            text.append_text(chunk)
            line += chunk.cell_len
        self.counts_line.update(text)

    def on_resize(self) -> None:
        self._draw_counts()

    # -- keys ------------------------------------------------------------------------------

    def action_status(self, key: str) -> None:
        state = STATUS_KEYS.get(key)
        self.status_filter = state
        self.incomplete_only = False  # any status key, `a` included, replaces the preset
        if state is None:
            self.pane.set_choice(None, None)
        else:
            chosen: Callable[[Enrollment], bool] = lambda e: classify(e.status) is state  # noqa: E731
            label = f"{state.label} = {state.meaning.lower()} (a: all)"
            self.pane.set_choice(label, chosen)
        self._draw_counts()

    @on(BrowsePane.ChoiceCleared)
    def _choice_cleared(self) -> None:
        self.status_filter = None
        self._draw_counts()

    def action_back(self) -> None:
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "chart":
            return self.is_campaign
        return super().check_action(action, parameters)

    def action_chart(self) -> None:
        """Show or hide the progress chart above the table."""
        self.chart.toggle_class("-shown")
        self._draw_counts()
        self._draw_chart()

    def action_refresh(self) -> None:
        """Fetch again (asks first when it would pass the day's quota)."""
        self.confirm_refresh(self.datasets(), lambda: self.load(refresh=True))

    def shows_user(self, user_id: int | None) -> bool:
        """True when this screen is already that user's enrollments (every campaign)."""
        return user_id is not None and self.query_spec == EnrollmentQuery(user_id=user_id)

    def action_user(self) -> None:
        enrollment = self.pane.highlighted
        if enrollment is None:
            return
        if self.shows_user(enrollment.user_id):
            # Pushing the same query again only grows the breadcrumb ("Mei Chen > Mei Chen").
            name = user_label(enrollment)
            self.notify(f"Already showing {name}'s enrollments", markup=False)
            return
        if enrollment.user_id is None:
            self.notify("This enrollment has no user id.", severity="warning")
            return
        self.post_message(OpenUser(enrollment.user_id, user_label(enrollment), self.crumbs))

    @on(VirtualTable.Selected, "#enrollments .pane-table")
    def _open(self, event: VirtualTable.Selected) -> None:
        event.stop()
        if isinstance(event.item, Enrollment):
            self.post_message(OpenEnrollment(event.item, self.crumbs, self.fetched_at))


class IncompleteEnrollmentsScreen(EnrollmentsScreen):
    """The enrollments screen, opened with the "incomplete only" preset (Compliance)."""

    def __init__(
        self, context: ScreenContext, query: EnrollmentQuery, crumbs: Sequence[str]
    ) -> None:
        super().__init__(context, query, crumbs, incomplete_only=True)
