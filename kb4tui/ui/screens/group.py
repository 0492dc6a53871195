"""A group: its members, and where each stands in one campaign (`c` picks the campaign).

The members come from `/v1/groups/{id}/members`, fetched only now; their standing from the
all-enrollments list the other views share (no request per member). A member not enrolled
in the campaign carries the reason, as a person's view does.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Hashable, Sequence
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kb4tui.api.models import Campaign, Enrollment, User
from kb4tui.core.campaign_index import CampaignIndex
from kb4tui.core.not_enrolled import enrollments_by_user
from kb4tui.core.people_view import (
    STANDING_STATE,
    MemberProgress,
    Standing,
    campaigns_for_group,
    group_names,
    group_progress,
)
from kb4tui.exporting.views import GROUP_MEMBERS_EXPORT
from kb4tui.sanitize import clean_text
from kb4tui.session.datasets import ALL_ENROLLMENTS, CAMPAIGNS, GROUPS, Dataset, GroupMembers
from kb4tui.ui import formatting as fmt
from kb4tui.ui.data_view import DataView, failure_sentence
from kb4tui.ui.details import STATE_STYLE, SafeText
from kb4tui.ui.first_fill import enrollments_part, fill_cost, may_load
from kb4tui.ui.messages import DataRefreshed, OpenPerson
from kb4tui.ui.screens.base import ScreenContext, SessionScreen
from kb4tui.ui.screens.person import REASON_STYLE
from kb4tui.ui.table import Column, VirtualTable
from kb4tui.ui.widgets.browse_pane import BrowsePane, SortSpec, browse_bindings
from kb4tui.ui.widgets.footer import AppFooter

__all__ = ["CampaignPicker", "GroupScreen", "MembersTable"]

_STANDING_ORDER = {standing: i for i, standing in enumerate(Standing)}


def standing_text(member: MemberProgress) -> Text:
    standing = member.standing
    return Text(standing.value, style=STATE_STYLE[STANDING_STATE[standing]])


class MembersTable(BrowsePane[MemberProgress]):
    HELP_TITLE: ClassVar[str] = "Group members"
    BINDINGS: ClassVar[list[BindingType]] = browse_bindings("group_members")
    COLUMNS = (
        Column("name", "Member", min_width=16, flex=2),
        Column("email", "Email", min_width=14, flex=2),
        Column("department", "Department", min_width=10, flex=1),
        Column("standing", "Standing", width=12),
        Column("done", "Done", width=5, justify="right"),
        Column("reason", "Why not", min_width=14, flex=1),
    )
    SORTS: ClassVar[Sequence[SortSpec[Any]]] = (
        SortSpec("name", "name", lambda m: (m.user.full_name or "").casefold()),
        SortSpec("standing", "standing", lambda m: _STANDING_ORDER[m.standing]),
        SortSpec("department", "department", lambda m: (m.user.department or "").casefold()),
        SortSpec("reason", "reason", lambda m: m.missing.reason.label if m.missing else None),
    )
    DROP_ORDER = ("email", "department")
    HAS_DETAIL = True
    NOUN = "members"
    EMPTY_TEXT = "No active members"
    EXPORT = GROUP_MEMBERS_EXPORT

    def cells(self, item: MemberProgress) -> Sequence[str | Text]:
        user = item.user
        reason: str | Text = ""
        if item.missing is not None:
            reason = Text(item.missing.reason.label, style=REASON_STYLE[item.missing.reason])
        return (
            user.full_name or f"user {user.id}",
            user.email or "",
            user.department or fmt.DASH,
            standing_text(item),
            item.done_text,
            reason,
        )

    def search_text(self, item: MemberProgress) -> str:
        user = item.user
        return f"{user.full_name} {user.email or ''} {user.department or ''}"

    def item_key(self, item: MemberProgress) -> Hashable:
        return item.user.id if item.user.id is not None else id(item)

    def render_detail(self, item: MemberProgress | None) -> Text:
        if item is None:
            return Text("" if self._loaded else "Loading the members…")
        text = SafeText()
        text.append(item.user.full_name or f"user {item.user.id}", style="bold")
        text.append(f"\n{item.user.email or fmt.DASH}\n\n")
        text.append_text(standing_text(item))
        if item.missing is not None:
            text.append(f"\n{item.missing.explanation}")
        else:
            c = item.counts
            text.append(f"\n{c.compliant} of {c.total} done")
            if c.past_due:
                text.append(f" · {c.past_due} past due", style="bold red")
        text.append("\n\nenter: this person", style="dim")
        return text


class CampaignPicker(ModalScreen[int | None]):
    """Choose the campaign a group's view measures (those targeting the group first)."""

    DEFAULT_CSS = """
    CampaignPicker { align: center middle; }
    CampaignPicker > Vertical {
        width: 70; max-width: 100%; height: auto; max-height: 80%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    CampaignPicker OptionList { height: auto; max-height: 20; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="campaign_picker.cancel"),
    ]

    def __init__(self, campaigns: Sequence[Campaign], targeting: set[int], current: int | None):
        super().__init__()
        self.campaigns = [c for c in campaigns if c.campaign_id is not None]
        self.targeting = targeting
        self.current = current

    def compose(self) -> ComposeResult:
        options = []
        for campaign in self.campaigns:
            prompt = Text(clean_text(campaign.name or f"campaign {campaign.campaign_id}"))
            if campaign.campaign_id in self.targeting:
                prompt.append("  targets this group", style="dim")
            options.append(Option(prompt, id=str(campaign.campaign_id)))
        with Vertical():
            yield Static(Text("Active campaigns (enter: choose, escape: cancel)"), markup=False)
            yield OptionList(*options)

    def on_mount(self) -> None:
        picker = self.query_one(OptionList)
        ids = [c.campaign_id for c in self.campaigns]
        if self.current in ids:
            picker.highlighted = ids.index(self.current)
        picker.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option_id) if event.option_id else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class GroupScreen(SessionScreen, DataView):
    """Pushed from a person's groups or the palette ("Group: <name>")."""

    HELP_TITLE: ClassVar[str] = "Group"
    AUTO_FOCUS = ".pane-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="group.back"),
        Binding("q", "back", "Back", show=False, id="group.back_q"),
        Binding(
            "c",
            "choose_campaign",
            "Campaign",
            tooltip="Choose the campaign the members' standing is shown for",
            id="group.campaign",
        ),
        Binding("r", "refresh", "Refresh", id="group.refresh"),
    ]
    DEFAULT_CSS = """
    GroupScreen > .breadcrumb {
        height: 1;
        padding: 0 1;
        text-style: bold;
    }
    GroupScreen > .group-campaign {
        height: auto;
        max-height: 2;
        padding: 0 1;
    }
    """

    def __init__(
        self,
        context: ScreenContext,
        group_id: int,
        crumbs: Sequence[str],
        campaign_id: int | None = None,
    ) -> None:
        super().__init__(context, crumbs)
        self.group_id = group_id
        self.campaign_id = campaign_id
        self.members_set = GroupMembers(group_id)
        self.table = MembersTable(id="group-members")
        self.breadcrumb = Static(
            Text(clean_text(" > ".join(self.crumbs))), classes="breadcrumb", markup=False
        )
        self.campaign_line = Static("", classes="group-campaign", markup=False)
        self.choices: list[Campaign] = []
        self._members: list[User] = []
        self._by_user: dict[int, list[Enrollment]] = {}
        self._campaigns = CampaignIndex(())
        self._names: dict[int, str] = {}

    def datasets(self) -> tuple[Dataset[Any], ...]:
        return (self.members_set, CAMPAIGNS, GROUPS, ALL_ENROLLMENTS)

    @property
    def data_fetched_at(self) -> datetime | None:
        return self.fetched_at

    @property
    def campaign(self) -> Campaign | None:
        if self.campaign_id is None:
            return None
        return self._campaigns.by_id(self.campaign_id)

    def compose(self) -> ComposeResult:
        yield self.header()
        yield self.breadcrumb
        yield self.campaign_line
        yield self.table
        yield AppFooter()

    def on_mount(self) -> None:
        self.campaign_line.update(Text("loading the members…", style="dim"))
        self.load()

    def reload(self) -> None:
        self.load()

    def show_failure(self, error: BaseException) -> None:
        self.table.show_error(failure_sentence(error) + " Press r to retry.")

    @work(group="group", exclusive=True, exit_on_error=False)
    async def load(self, refresh: bool = False) -> None:
        session = self.session
        self.table.show_error(None)
        self.table.set_busy(True)
        try:
            members = await session.get(self.members_set, refresh=refresh)
            campaigns = await session.get(CAMPAIGNS, refresh=refresh)
            groups = await session.get(GROUPS, refresh=refresh)
            if not refresh:
                part = enrollments_part(session, campaigns.value, groups.value)
                needed, what = await fill_cost(session, [part])
                if needed and not await may_load(self, session, needed, what):
                    self.campaign_line.update(
                        Text(f"Not loaded: about {needed:,} requests for {what}. r loads.")
                    )
                    return
            self.campaign_line.update(Text("loading the enrollments…", style="dim"))
            enrollments = await session.get(ALL_ENROLLMENTS, refresh=refresh)
            self._by_user = await asyncio.to_thread(enrollments_by_user, enrollments.value)
        finally:
            self.table.set_busy(False)
        self._members = list(members.value)
        self._campaigns = CampaignIndex(campaigns.value)
        self._names = group_names(groups.value)
        self.choices = campaigns_for_group(campaigns.value, self.group_id)
        if self.campaign is None and self.choices:
            self.campaign_id = self.choices[0].campaign_id
        self.failed_offline = False
        self.fetched_at = min(members.fetched_at, campaigns.fetched_at, enrollments.fetched_at)
        self._show()
        self.post_message(DataRefreshed())

    def _show(self) -> None:
        campaign = self.campaign
        if campaign is None:
            self.table.set_items([])
            self.campaign_line.update(Text("No active campaign to measure the group by."))
            return
        rows = group_progress(
            self._members,
            campaign,
            self._by_user,
            self.session.clock(),
            campaigns=self._campaigns,
            names=self._names,
        )
        self.table.set_items(rows)
        self._draw_campaign(campaign, rows)

    def _draw_campaign(self, campaign: Campaign, rows: Sequence[MemberProgress]) -> None:
        text = SafeText(no_wrap=True, overflow="ellipsis")
        text.append("Campaign: ")
        text.append(campaign.name or f"campaign {campaign.campaign_id}", style="bold")
        text.append("  (c: choose)\n", style="dim")
        counts = Counter(m.standing for m in rows)
        for standing in Standing:
            value = counts[standing]
            style = STATE_STYLE[STANDING_STATE[standing]] if value else "dim"
            text.append(f"{value} {standing.value.lower()}", style=style)
            text.append("  ")
        self.campaign_line.update(text)

    def action_choose_campaign(self) -> None:
        if not self.choices:
            self.notify("No active campaign to choose.", severity="warning")
            return
        targeting = {
            c.campaign_id
            for c in self.choices
            if c.campaign_id is not None
            and any(g.group_id == self.group_id or g.is_all_users for g in c.groups)
        }

        def chosen(campaign_id: int | None) -> None:
            if campaign_id is not None and campaign_id != self.campaign_id:
                self.campaign_id = campaign_id
                self._show()

        self.app.push_screen(CampaignPicker(self.choices, targeting, self.campaign_id), chosen)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self.confirm_refresh(self.datasets(), lambda: self.load(refresh=True))

    @on(VirtualTable.Selected)
    def _open(self, event: VirtualTable.Selected) -> None:
        event.stop()
        if isinstance(event.item, MemberProgress):
            self.post_message(OpenPerson(event.item.user, self.crumbs))
