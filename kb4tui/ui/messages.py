"""What screens and panes ask of the app: requests go up as messages, data comes down.

Navigation (open a campaign, a module, a user, an enrollment), a view's data refreshed
(the header shows its age), a load that failed (one place says why), a refresh that
needs the user's yes (the day's quota), an export of the rows on screen, a profile switch.
All bubble to `KB4App`, which routes them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.message import Message

from kb4tui.api.models import Campaign, ContentItem, Enrollment, User
from kb4tui.exporting.views import ExportSpec
from kb4tui.store.config import Profile

__all__ = [
    "ConfirmFirstFill",
    "ConfirmRefresh",
    "DataRefreshed",
    "ExportRows",
    "LoadFailed",
    "OpenCampaign",
    "OpenEnrollment",
    "OpenGroup",
    "OpenModule",
    "OpenPerson",
    "OpenUser",
    "SwitchProfile",
]


@dataclass
class OpenCampaign(Message):
    """Show a campaign's enrollments. `origin` is the first breadcrumb; `incomplete_only`
    opens on the incomplete rows (Compliance's deadlines)."""

    campaign: Campaign
    origin: str = "Campaigns"
    incomplete_only: bool = False


@dataclass
class OpenModule(Message):
    """Show the enrollments in a store purchase or policy, and the campaigns using it."""

    item: ContentItem


@dataclass
class OpenUser(Message):
    """Show every enrollment of a user; `crumbs` lead to them (their name is added)."""

    user_id: int
    name: str
    crumbs: Sequence[str]


@dataclass
class OpenPerson(Message):
    """Show one person: their enrollments, groups, and the active campaigns they are not
    in, with why; `crumbs` lead to them (their name is added)."""

    user: User
    crumbs: Sequence[str]


@dataclass
class OpenGroup(Message):
    """Show a group's members and where each stands in one campaign (`campaign_id`, or
    the first active campaign that targets the group)."""

    group_id: int
    name: str
    crumbs: Sequence[str]
    campaign_id: int | None = None


@dataclass
class OpenEnrollment(Message):
    """Show one enrollment; `fetched_at` is the age of the list it came from."""

    enrollment: Enrollment
    crumbs: Sequence[str]
    fetched_at: datetime | None


@dataclass
class DataRefreshed(Message):
    """A view shows newly loaded data (the header says how old)."""


@dataclass
class LoadFailed(Message):
    """A view's worker failed with `error` (any exception); the view shows it in place."""

    error: BaseException
    while_loading: str


@dataclass
class ConfirmRefresh(Message):
    """A refresh of about `needed` requests would pass the day's quota: ask, then
    `proceed()` on yes."""

    needed: int
    proceed: Callable[[], object]


@dataclass
class ConfirmFirstFill(Message):
    """A view's first load needs about `needed` requests (`what` lists them): ask, then
    `answer(True)` to go ahead or `answer(False)` to leave it unloaded."""

    needed: int
    what: str
    answer: Callable[[bool], object]


@dataclass
class ExportRows(Message):
    """`e`: write these rows (as shown) with `spec`."""

    spec: ExportSpec
    items: Sequence[Any]


@dataclass
class SwitchProfile(Message):
    """Start again on another profile's account."""

    profile: Profile
