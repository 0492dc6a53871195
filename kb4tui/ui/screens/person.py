"""One person: their enrollments with deadlines, their groups, and every active campaign
they are not enrolled in, with why (`kb4tui.core.not_enrolled`).

Nothing here costs a request per person: the enrollments are the user's subset of the
all-enrollments list (or the API's `user_id` listing when that list is not at hand), the
campaigns and groups are the shared lists. Sections: `t` training, `n` not enrolled, `m`
groups (member of; `g` is the table's top); `[`/`]` step through them. Enter opens an
enrollment, the campaign's enrollments, or the group.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import ContentSwitcher, Static

from kb4tui.api.models import Enrollment, Group, User
from kb4tui.core.campaign_index import CampaignIndex
from kb4tui.core.deadlines import describe_days_left
from kb4tui.core.not_enrolled import NotEnrolled, Reason, missing_from_active_campaigns
from kb4tui.core.people_view import group_names
from kb4tui.core.person_training import PersonTraining, training_by_user
from kb4tui.core.status import EnrollmentState
from kb4tui.exporting.views import NOT_ENROLLED_EXPORT
from kb4tui.sanitize import clean_text
from kb4tui.session.datasets import CAMPAIGNS, GROUPS, Dataset, EnrollmentSubset
from kb4tui.session.enrollment_query import EnrollmentQuery
from kb4tui.ui import formatting as fmt
from kb4tui.ui.data_view import DataView, failure_sentence
from kb4tui.ui.details import STATE_STYLE, SafeText
from kb4tui.ui.messages import DataRefreshed, OpenCampaign, OpenEnrollment, OpenGroup
from kb4tui.ui.screens.base import ScreenContext, SessionScreen
from kb4tui.ui.screens.enrollments import EnrollmentsPane
from kb4tui.ui.table import Column, VirtualTable
from kb4tui.ui.widgets.browse_pane import BrowsePane, SortSpec, browse_bindings
from kb4tui.ui.widgets.footer import AppFooter

__all__ = ["SECTIONS", "GroupsTable", "NotEnrolledTable", "PersonScreen"]

# (section id, key, title), in the order `[` and `]` step through them.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("training", "t", "Training"),
    ("missing", "n", "Not enrolled"),
    ("groups", "m", "Groups"),
)

# How each reason is coloured: the actionable ones stand out, "unknown" is plain.
REASON_STYLE: dict[Reason, str] = {
    Reason.ARCHIVED: "dim",
    Reason.NOT_STARTED: "dim",
    Reason.NO_TARGET_GROUP: "yellow",
    Reason.JOINED_AFTER_START: "yellow",
    Reason.JOINED_AFTER_END: "yellow",
    Reason.SAME_CONTENT: "cyan",
    Reason.UNKNOWN: "magenta",
}


class NotEnrolledTable(BrowsePane[NotEnrolled]):
    """The active campaigns a person is not in, each with the reason."""

    HELP_TITLE: ClassVar[str] = "Not enrolled"
    BINDINGS: ClassVar[list[BindingType]] = browse_bindings("not_enrolled")
    COLUMNS = (
        Column("campaign", "Campaign", min_width=16, flex=2),
        Column("reason", "Reason", width=22),
        Column("why", "Why", min_width=20, flex=3),
    )
    SORTS: ClassVar[Sequence[SortSpec[Any]]] = (
        SortSpec("campaign", "campaign", lambda n: n.campaign_name.casefold()),
        SortSpec("reason", "reason", lambda n: n.reason.label),
    )
    DROP_ORDER = ("why",)
    HAS_DETAIL = True
    NOUN = "campaigns"
    EMPTY_TEXT = "Enrolled in every active campaign"
    EXPORT = NOT_ENROLLED_EXPORT

    def cells(self, item: NotEnrolled) -> Sequence[str | Text]:
        return (
            item.campaign_name,
            Text(item.reason.label, style=REASON_STYLE[item.reason]),
            item.explanation,
        )

    def search_text(self, item: NotEnrolled) -> str:
        return f"{item.campaign_name} {item.reason.label} {item.explanation}"

    def item_key(self, item: NotEnrolled) -> Hashable:
        return item.campaign.campaign_id or id(item)

    def render_detail(self, item: NotEnrolled | None) -> Text:
        if item is None:
            return Text("" if self._loaded else "Working out the reasons…")
        text = SafeText()
        text.append(item.campaign_name, style="bold")
        text.append(f"\n{item.campaign.status or 'status not reported'}")
        text.append("\n\n")
        text.append(item.reason.label, style=REASON_STYLE[item.reason])
        text.append(f"\n{item.explanation}")
        if item.target_groups:
            text.append("\n\nTarget groups: ")
            text.append(", ".join(item.target_groups))
        if item.other_campaigns:
            text.append("\nThrough: ")
            text.append(", ".join(item.other_campaigns))
        text.append("\n\nenter: the campaign's enrollments", style="dim")
        return text


class GroupsTable(BrowsePane[Group]):
    """The person's groups by name; enter opens one."""

    HELP_TITLE: ClassVar[str] = "Groups"
    BINDINGS: ClassVar[list[BindingType]] = browse_bindings("person_groups")
    COLUMNS = (
        Column("name", "Group", min_width=20, flex=3),
        Column("type", "Type", width=14),
        Column("members", "Members", width=7, justify="right"),
        Column("status", "Status", width=8),
    )
    SORTS: ClassVar[Sequence[SortSpec[Any]]] = (
        SortSpec("name", "name", lambda g: g.label.casefold()),
        SortSpec("members", "members", lambda g: g.member_count),
    )
    DROP_ORDER = ("status", "type")
    NOUN = "groups"
    EMPTY_TEXT = "In no group"

    def cells(self, item: Group) -> Sequence[str | Text]:
        members = fmt.DASH if item.member_count is None else f"{item.member_count:,}"
        return (item.label, item.group_type or fmt.DASH, members, item.status or fmt.DASH)

    def search_text(self, item: Group) -> str:
        return item.label

    def item_key(self, item: Group) -> Hashable:
        return item.id if item.id is not None else id(item)


class PersonScreen(SessionScreen, DataView):
    """Pushed from the People pane (or a group); its loading stops when it is left."""

    HELP_TITLE: ClassVar[str] = "Person"
    AUTO_FOCUS = "#person-training .pane-table"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="person.back"),
        Binding("q", "back", "Back", show=False, id="person.back_q"),
        *(
            Binding(key, f"show_section('{sid}')", title, show=False, id=f"person.{sid}")
            for sid, key, title in SECTIONS
        ),
        Binding(
            "right_square_bracket",
            "step_section(1)",
            "Next section",
            key_display="]",
            show=False,
            id="person.next_section",
        ),
        Binding(
            "left_square_bracket",
            "step_section(-1)",
            "Previous section",
            key_display="[",
            show=False,
            id="person.prev_section",
        ),
        Binding("r", "refresh", "Refresh", id="person.refresh"),
    ]

    DEFAULT_CSS = """
    PersonScreen > .breadcrumb {
        height: 1;
        padding: 0 1;
        text-style: bold;
    }
    PersonScreen > .person-facts {
        height: auto;
        max-height: 4;
        padding: 0 1;
    }
    PersonScreen > .person-sections {
        height: 1;
        background: $boost;
    }
    PersonScreen > ContentSwitcher {
        height: 1fr;
    }
    """

    def __init__(self, context: ScreenContext, user: User, crumbs: Sequence[str]) -> None:
        super().__init__(context, crumbs)
        self.user = user
        self.section = SECTIONS[0][0]
        self._campaigns = CampaignIndex(())
        self.training = EnrollmentsPane(
            id="person-training", hidden_columns=("user", "email"), deadline_of=self._deadline
        )
        self.missing = NotEnrolledTable(id="person-missing")
        self.groups = GroupsTable(id="person-groups")
        self.breadcrumb = Static(
            Text(clean_text(" > ".join(self.crumbs))), classes="breadcrumb", markup=False
        )
        self.facts = Static("", classes="person-facts", markup=False)
        self.sections_line = Static("", classes="person-sections", markup=False)
        self.summary: PersonTraining | None = None

    @property
    def subset(self) -> EnrollmentSubset | None:
        """The person's enrollments; None for an archived user (not fetched for them)."""
        if self.user.id is None or self.user.is_archived:
            return None
        return EnrollmentSubset(EnrollmentQuery(user_id=self.user.id))

    def datasets(self) -> tuple[Dataset[Any], ...]:
        subset = self.subset
        return (CAMPAIGNS, GROUPS) if subset is None else (subset, CAMPAIGNS, GROUPS)

    @property
    def data_fetched_at(self) -> datetime | None:
        return self.fetched_at

    def compose(self) -> ComposeResult:
        yield self.header()
        yield self.breadcrumb
        yield self.facts
        yield self.sections_line
        with ContentSwitcher(initial="person-training"):
            yield self.training
            yield self.missing
            yield self.groups
        yield AppFooter()

    def on_mount(self) -> None:
        self._draw_facts()
        self._draw_sections()
        self.load()

    def _deadline(self, enrollment: Enrollment) -> datetime | None:
        return self._campaigns.deadline_for(enrollment)

    # -- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        self.load()

    def show_failure(self, error: BaseException) -> None:
        self.training.show_error(failure_sentence(error) + " Press r to retry.")

    @work(group="person", exclusive=True, exit_on_error=False)
    async def load(self, refresh: bool = False) -> None:
        session = self.session
        for table in (self.training, self.missing, self.groups):
            table.show_error(None)
            table.set_busy(True)
        try:
            campaigns = await session.get(CAMPAIGNS, refresh=refresh)
            groups = await session.get(GROUPS, refresh=refresh)
            self._campaigns = CampaignIndex(campaigns.value)
            subset = self.subset
            enrollments: list[Enrollment] = []
            fetched_at = min(campaigns.fetched_at, groups.fetched_at)
            if subset is not None:
                found = await session.get(subset, refresh=refresh)
                enrollments = list(found.value)
                fetched_at = min(fetched_at, found.fetched_at)
        finally:
            for table in (self.training, self.missing, self.groups):
                table.set_busy(False)
        names = group_names(groups.value)
        now = session.clock()
        self.summary = (
            training_by_user(enrollments, campaigns.value, now).get(self.user.id or -1)
            or PersonTraining()
            if subset is not None
            else None
        )
        missing = missing_from_active_campaigns(
            self.user, self._campaigns, enrollments, now, group_names=names
        )
        by_id = {g.id: g for g in groups.value if g.id is not None}
        own = [by_id.get(g) or Group(id=g) for g in self.user.groups or ()]
        self.training.set_items(enrollments)
        if subset is None:
            self.training.table.empty_text = "Archived: their enrollments are not fetched"
            self.training.table.refresh()
        self.missing.set_items(missing)
        self.groups.set_items(own)
        self.failed_offline = False
        self.fetched_at = fetched_at
        self._draw_facts()
        self._draw_sections()
        self.post_message(DataRefreshed())

    # -- what is drawn ---------------------------------------------------------------------

    def _draw_facts(self) -> None:
        user = self.user
        text = SafeText(no_wrap=True, overflow="ellipsis")
        parts = [user.email or "", user.department or "", user.job_title or ""]
        text.append(" · ".join(p for p in parts if p))
        if user.manager_name:
            text.append(f" · manager {user.manager_name}")
        text.append(f" · joined {fmt.day(user.joined_on)}")
        if user.is_archived:
            text.append(f" · archived {fmt.day(user.archived_at)}", style="yellow")
        text.append("\n")
        summary = self.summary
        if summary is None:
            note = "archived: their enrollments are not fetched" if user.is_archived else "…"
            text.append(f"Training: {note}", style="dim")
        else:
            c = summary.counts
            text.append("Training: ")
            for label, value, state in (
                ("not started", c.not_started, EnrollmentState.NOT_STARTED),
                ("in progress", c.in_progress, EnrollmentState.IN_PROGRESS),
                ("past due", c.past_due, EnrollmentState.PAST_DUE),
                ("passed", c.completed, EnrollmentState.COMPLETED),
            ):
                text.append(f"{value} {label}", style=STATE_STYLE[state] if value else "dim")
                text.append(" · ")
            if summary.earliest_open_deadline is not None:
                text.append(f"next deadline {fmt.day(summary.earliest_open_deadline)} ")
                text.append(f"({describe_days_left(summary.days_left)})")
            else:
                text.append("no open deadline")
        self.facts.update(text)

    def _draw_sections(self) -> None:
        loaded = self.fetched_at is not None
        counts = {
            "training": self.training.table.total_count,
            "missing": self.missing.table.total_count,
            "groups": self.groups.table.total_count,
        }
        text = Text(no_wrap=True, overflow="ellipsis")
        for sid, key, title in SECTIONS:
            style = "bold reverse" if sid == self.section else ""
            text.append(f" {key} {title}", style=style)
            if loaded:
                text.append(f" {counts[sid]:,}", style=style)
            text.append(" ", style=style)
            text.append(" ")
        text.append(" [ ]: switch", style="dim")
        self.sections_line.update(text)

    # -- keys ------------------------------------------------------------------------------

    @property
    def active(self) -> BrowsePane[Any]:
        if self.section == "missing":
            return self.missing
        if self.section == "groups":
            return self.groups
        return self.training

    def action_show_section(self, section: str) -> None:
        self.section = section
        self.query_one(ContentSwitcher).current = f"person-{section}"
        self._draw_sections()
        self.call_after_refresh(self.active.table.focus)

    def action_step_section(self, step: int) -> None:
        ids = [sid for sid, _, _ in SECTIONS]
        self.action_show_section(ids[(ids.index(self.section) + step) % len(ids)])

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self.confirm_refresh(self.datasets(), lambda: self.load(refresh=True))

    @on(VirtualTable.Selected)
    def _open(self, event: VirtualTable.Selected) -> None:
        event.stop()
        item = event.item
        name = self.crumbs[-1] if self.crumbs else ""
        if isinstance(item, Enrollment):
            self.post_message(OpenEnrollment(item, self.crumbs, self.fetched_at))
        elif isinstance(item, NotEnrolled):
            self.post_message(OpenCampaign(item.campaign, origin=name or "People"))
        elif isinstance(item, Group):
            if item.id is None:
                self.notify("This group has no id, so its members cannot be fetched.")
                return
            self.post_message(OpenGroup(item.id, item.label, self.crumbs))
