"""Pane `4`: People. Every user with their training at a glance; `a` shows archived ones.

Economy: the users (a request per 500), the groups (one) and the campaigns, plus the
all-enrollments list the Compliance pane reads too: each person's counts come from it,
never from a request per person. A first load that would cost many requests (or pass the
day's quota) says how many and asks first. The users are on screen as soon as they arrive,
with "…" where their training is still loading.

Archived users' enrollments are not fetched (the enrollment listing leaves them out), so
their training cells show a dash rather than zeros.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Sequence
from datetime import tzinfo
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from kb4tui.api.models import Campaign, Group
from kb4tui.core.clock import local_timezone
from kb4tui.core.deadlines import describe_days_left
from kb4tui.core.people_view import PersonRow, group_names, people_rows
from kb4tui.core.person_training import PersonTraining, training_by_user
from kb4tui.core.status import EnrollmentState
from kb4tui.exporting.views import PERSONS_EXPORT
from kb4tui.session.datasets import (
    ALL_ENROLLMENTS,
    ARCHIVED_USERS,
    CAMPAIGNS,
    GROUPS,
    USERS,
    Dataset,
    first_fill_requests,
)
from kb4tui.session.session import Session
from kb4tui.ui import formatting as fmt
from kb4tui.ui.data_view import failure_sentence
from kb4tui.ui.details import STATE_STYLE, SafeText
from kb4tui.ui.first_fill import FillPart, enrollments_part, fill_cost, may_load, seats
from kb4tui.ui.messages import DataRefreshed, OpenPerson
from kb4tui.ui.panes.base import MainPane
from kb4tui.ui.screens.confirm_fill import minutes_for
from kb4tui.ui.table import Column, VirtualTable
from kb4tui.ui.widgets.browse_pane import BrowsePane, SortSpec, browse_bindings

__all__ = ["PENDING", "PeoplePane", "due_text"]

# A cell whose value needs the enrollments, while they are still loading.
PENDING = "…"
_TRAINING_COLUMNS = frozenset({"not_started", "in_progress", "past_due", "passed", "due"})


def due_text(training: PersonTraining) -> Text:
    """The earliest open deadline as days: "12d late" (red), "today", "in 3d", or ""."""
    left = training.days_left
    if left is None:
        return Text("")
    if left < 0:
        return Text(f"{-left}d late", style="red")  # not bold: it would crowd the next column
    if left == 0:
        return Text("today", style="yellow")
    return Text(f"in {left}d")


def _counted(row: PersonRow, state: str) -> int | None:
    """A count to sort by; None (sorted last) where the training is not known."""
    return getattr(row.training.counts, state) if row.training is not None else None


def _count(value: int, state: EnrollmentState) -> Text:
    return Text(str(value), style=STATE_STYLE[state] if value else "dim")


def _number(value: float | None) -> str:
    return fmt.DASH if value is None else f"{value:.0f}"


class PeoplePane(BrowsePane[PersonRow], MainPane):
    """People table with a detail pane; `a` toggles archived users; enter opens a person."""

    DATASETS: ClassVar[tuple[Dataset[Any], ...]] = (USERS, GROUPS, CAMPAIGNS, ALL_ENROLLMENTS)

    BINDINGS: ClassVar[list[BindingType]] = [
        *browse_bindings("people"),
        Binding(
            "a",
            "toggle_archived",
            "Archived",
            tooltip="Show archived users instead of active ones (and back)",
            id="people.archived",
        ),
    ]
    COLUMNS = (
        Column("name", "Name", min_width=16, flex=2),
        Column("email", "Email", min_width=14, flex=2),
        Column("department", "Department", min_width=10, flex=1),
        Column("manager", "Manager", min_width=10, flex=1),
        Column("groups", "Groups", min_width=10, flex=1),
        Column("not_started", "NS", width=3, justify="right"),
        Column("in_progress", "IP", width=3, justify="right"),
        Column("past_due", "PD", width=3, justify="right"),
        Column("passed", "Pass", width=4, justify="right"),
        Column("due", "Next due", width=10),
        Column("phish", "Phish%", width=6),
        Column("risk", "Risk", width=4),
    )
    SORTS: ClassVar[Sequence[SortSpec[Any]]] = (
        SortSpec("name", "name", lambda r: r.name.casefold()),
        SortSpec("department", "department", lambda r: (r.user.department or "").casefold()),
        SortSpec("past_due", "past due", lambda r: _counted(r, "past_due")),
        SortSpec("due", "next deadline", lambda r: r.training.days_left if r.training else None),
        SortSpec("not_started", "not started", lambda r: _counted(r, "not_started")),
        SortSpec("phish", "phish-prone %", lambda r: r.user.phish_prone_percentage),
        SortSpec("risk", "risk score", lambda r: r.user.current_risk_score),
        SortSpec("manager", "manager", lambda r: (r.user.manager_name or "").casefold() or None),
        SortSpec("email", "email", lambda r: (r.user.email or "").casefold() or None),
    )
    # Manager and groups are in the detail pane; at 80 columns the counts keep their room.
    DROP_ORDER = ("manager", "groups", "email", "risk", "phish", "department")
    HAS_DETAIL = True
    NOUN = "people"
    EMPTY_TEXT = "No users"
    EXPORT = PERSONS_EXPORT

    DEFAULT_CSS = """
    PeoplePane > .people-progress {
        height: 1;
        padding: 0 1;
        color: $text-accent;
    }
    """

    def __init__(self, session: Session, *, tz: tzinfo | None = None, id: str | None = None):
        super().__init__(id=id)
        self.session = session
        self._tz = tz
        self.archived = False
        self.training_pending = False
        self.not_loaded = False  # the first load was declined: `r` loads
        self._started = False
        self._expected_pages: int | None = None  # of all enrollments, when first fetched
        self.progress_line = Static("", classes="people-progress", markup=False)

    @property
    def tz(self) -> tzinfo:
        if self._tz is None:
            self._tz = local_timezone()
        return self._tz

    def datasets(self) -> tuple[Dataset[Any], ...]:
        if self.archived:  # archived users' enrollments are not fetched
            return (ARCHIVED_USERS, GROUPS, CAMPAIGNS)
        return self.DATASETS

    def compose(self) -> ComposeResult:
        yield self.progress_line
        yield from super().compose()

    # -- rows ------------------------------------------------------------------------------

    def cells(self, item: PersonRow) -> Sequence[str | Text]:
        user = item.user
        training = item.training
        if training is None:
            pending = Text(PENDING if self.training_pending else fmt.DASH, style="dim")
            counts: Sequence[str | Text] = (pending,) * 4
            due: str | Text = pending
        else:
            c = training.counts
            counts = (
                _count(c.not_started, EnrollmentState.NOT_STARTED),
                _count(c.in_progress, EnrollmentState.IN_PROGRESS),
                _count(c.past_due, EnrollmentState.PAST_DUE),
                _count(c.completed, EnrollmentState.COMPLETED),
            )
            due = due_text(training)
        return (
            item.name,
            user.email or "",
            user.department or fmt.DASH,
            user.manager_name or fmt.DASH,
            ", ".join(item.groups) or fmt.DASH,
            *counts,
            due,
            _number(user.phish_prone_percentage),
            _number(user.current_risk_score),
        )

    def search_text(self, item: PersonRow) -> str:
        user = item.user
        words = (item.name, user.email or "", user.department or "", user.manager_name or "")
        return " ".join((*words, *item.groups))

    def item_key(self, item: PersonRow) -> Hashable:
        return item.user.id if item.user.id is not None else id(item)

    def render_detail(self, item: PersonRow | None) -> Text:
        if item is None:
            return Text("Nothing selected." if self._loaded else "Loading the people…")
        user = item.user
        text = SafeText()
        text.append(item.name, style="bold")
        if user.job_title:
            text.append(f"\n{user.job_title}")
        text.append(f"\n{user.email or fmt.DASH}")
        text.append(f"\nDepartment: {user.department or fmt.DASH}")
        if user.manager_name:
            text.append(f"\nManager: {user.manager_name}")
        text.append(f"\nJoined: {fmt.day(user.joined_on)}")
        if user.is_archived:
            text.append(f"\nArchived: {fmt.day(user.archived_at)}", style="yellow")
        text.append("\n\nGroups: ")
        text.append(", ".join(item.groups) if item.groups else _no_groups(user.groups))
        text.append("\n\nTraining\n", style="bold")
        self._training_detail(text, item.training)
        text.append(
            f"\nPhish-prone: {_number(user.phish_prone_percentage)}%"
            f" · risk score {_number(user.current_risk_score)}"
        )
        text.append("\n\nenter: enrollments, groups, and why not enrolled", style="dim")
        return text

    def _training_detail(self, text: SafeText, training: PersonTraining | None) -> None:
        if training is None:
            if self.training_pending:
                text.append("waiting for the enrollments…\n", style="dim")
            else:
                text.append("not fetched: kb4tui reads active users' enrollments only\n")
            return
        c = training.counts
        for label, value, state in (
            ("Not Started", c.not_started, EnrollmentState.NOT_STARTED),
            ("In Progress", c.in_progress, EnrollmentState.IN_PROGRESS),
            ("Past Due", c.past_due, EnrollmentState.PAST_DUE),
            ("Passed", c.completed, EnrollmentState.COMPLETED),
            ("Exempted", c.exempted, EnrollmentState.EXEMPTED),
        ):
            text.append(f"{label}: ", style=STATE_STYLE[state])
            text.append(f"{value}\n")
        if c.unknown:
            text.append(f"Other statuses: {c.unknown}\n")
        if training.earliest_open_deadline is not None:
            text.append(f"Next deadline: {fmt.day(training.earliest_open_deadline)} ")
            text.append(f"({describe_days_left(training.days_left)})\n")
        elif training.open_items:
            text.append("Open work with no deadline known\n")

    # -- loading ---------------------------------------------------------------------------

    def start(self) -> None:
        """Load on first show: the users and all enrollments are many requests."""
        if not self._started:
            self._started = True
            self.load()

    def reload(self) -> None:
        if not self.not_loaded:
            self.load()

    def refresh_data(self) -> None:
        if self.not_loaded:  # `r` after "not now": the first load, no question this time
            self.load(confirmed=True)
        else:
            self.load(refresh=True, confirmed=True)

    def focus_table(self) -> None:
        self.table.focus()

    def refresh_detail(self) -> None:
        self.show_detail()

    def show_failure(self, error: BaseException) -> None:
        self.show_error(failure_sentence(error) + " Press r to retry.")
        self._set_progress("stopped: see below")

    def _set_progress(self, text: str) -> None:
        self.progress_line.update(Text(text))

    @work(group="people", exclusive=True, exit_on_error=False)
    async def load(self, refresh: bool = False, confirmed: bool = False) -> None:
        """Campaigns and groups, then (asking first when it costs a lot) the users, shown at
        once, then all enrollments for their training."""
        session = self.session
        archived = self.archived
        users_set = ARCHIVED_USERS if archived else USERS
        self.show_error(None)
        self.set_busy(True)
        try:
            self._set_progress("loading campaigns and groups…")
            campaigns = await session.get(CAMPAIGNS, refresh=refresh)
            groups = await session.get(GROUPS, refresh=refresh)
            if not confirmed and not refresh:
                needed, what = await self._first_fill(users_set, campaigns.value, groups.value)
                if needed and not await may_load(self, session, needed, what):
                    self._not_loaded(needed)
                    return
            self.not_loaded = False
            self._set_progress("loading users…")
            users = await session.get(users_set, refresh=refresh)
            names = group_names(groups.value)
            if archived:
                rows = people_rows(users.value, None, names)
                fetched_at = min(users.fetched_at, groups.fetched_at)
            else:
                self.training_pending = True
                if self.fetched_at is None:  # a reload keeps the full rows until done
                    self.set_items(people_rows(users.value, None, names))
                self._set_progress("loading enrollments… waiting for the first page")
                enrollments = await session.get(
                    ALL_ENROLLMENTS, refresh=refresh, progress=self._enrollment_progress
                )
                self._set_progress(f"counting {len(enrollments.value):,} enrollments…")
                training = await asyncio.to_thread(
                    training_by_user,
                    enrollments.value,
                    campaigns.value,
                    session.clock(),
                    tz=self.tz,
                )
                rows = people_rows(users.value, training, names)
                fetched_at = min(users.fetched_at, enrollments.fetched_at, groups.fetched_at)
        finally:
            self.training_pending = False
            self.set_busy(False)
        self.failed_offline = False
        self.fetched_at = fetched_at
        self.set_items(rows)
        self._set_progress(self._loaded_text(len(rows)))
        self.post_message(DataRefreshed())

    def _loaded_text(self, count: int) -> str:
        who = "archived users (a: active)" if self.archived else "active users (a: archived)"
        return f"{count:,} {who} · as of {fmt.stamp(self.fetched_at)}"

    def _enrollment_progress(self, pages: int, rows: int) -> None:
        expected = self._expected_pages
        of = f" of about {expected}" if expected and expected >= pages else ""
        self._set_progress(f"loading enrollments… {rows:,} so far (page {pages}{of})")

    async def _first_fill(
        self, users_set: Dataset[Any], campaigns: list[Campaign], groups: list[Group]
    ) -> tuple[int, str]:
        """About how many requests loading what is not at hand costs, and of what (0 when
        all of it is cached)."""
        session = self.session
        parts: list[FillPart] = [
            (users_set, seats(session) if users_set is USERS else None, "users")
        ]
        if users_set is USERS:
            enrollments = enrollments_part(session, campaigns, groups)
            parts.append(enrollments)
            self._expected_pages = first_fill_requests(ALL_ENROLLMENTS, enrollments[1])
        needed, what = await fill_cost(session, parts)
        if needed:
            self._set_progress(f"first load: about {needed:,} requests ({what})")
        return needed, what

    def _not_loaded(self, needed: int) -> None:
        self.not_loaded = True
        self.set_items([])
        self.table.empty_text = (
            f"Not loaded: about {needed:,} requests, {minutes_for(needed)} min at the "
            "API's 50 a minute. Press r to load."
        )
        self.table.refresh()
        self._set_progress("not loaded (r loads)")

    # -- keys ------------------------------------------------------------------------------

    def action_toggle_archived(self) -> None:
        self.archived = not self.archived
        self.fetched_at = None
        self.load()

    @on(VirtualTable.Selected, ".pane-table")
    def _open(self, event: VirtualTable.Selected) -> None:
        event.stop()
        if isinstance(event.item, PersonRow):
            self.post_message(OpenPerson(event.item.user, ["People"]))


def _no_groups(groups: list[int] | None) -> str:
    return "not reported by the API" if groups is None else "none"
