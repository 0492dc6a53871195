"""Why is this person not enrolled? One reason per (user, campaign), from data already fetched.

The troubleshooting table's "User not enrolled -> not in target group -> check group
membership" is the commonest answer, not the only one. Reasons, in order of precedence: the
first that the data shows wins, and each later one is only considered when the earlier ones
do not hold:

1. ARCHIVED: the user is archived; archived users are not enrolled in anything.
2. NOT_STARTED: the campaign has not started (Created, Scheduled, or a start date still
   ahead), so nobody is enrolled yet.
3. NO_TARGET_GROUP: the user is in none of the campaign's target groups ("All Users",
   group_id 0, targets everyone). Names the groups that would enrol them.
4. JOINED_AFTER_START: the user joined (`joined_on`, else `employee_start_date`) after the
   campaign started, and the campaign does not auto-enrol (`auto_enroll` false).
5. JOINED_AFTER_END: the user joined after the campaign's end date; auto-enrol stops there.
6. SAME_CONTENT: the user holds some of the campaign's content through another campaign and
   this one does not allow multiple enrollments (the table's duplicate-enrollment row).
   Names that campaign.
7. UNKNOWN: the data shows none of the above. The explanation says what was checked and
   what the API did not send; it never guesses.

A fact the API did not send (the user's groups, a join date, `auto_enroll`, the campaign's
target groups) never proves a reason: that check is skipped and, when nothing else applies,
UNKNOWN says which fact was missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from kb4tui.api.models import Campaign, ContentItem, Enrollment, GroupRef, StorePurchase, User
from kb4tui.core.campaign_index import CampaignIndex
from kb4tui.core.clock import as_aware
from kb4tui.core.lifecycle import CampaignPhase, campaign_phase

__all__ = [
    "PRECEDENCE",
    "NotEnrolled",
    "Reason",
    "active_campaigns",
    "enrollments_by_user",
    "in_target_group",
    "is_enrolled",
    "joined_at",
    "missing_from_active_campaigns",
    "not_enrolled_in",
    "why_not_enrolled",
]


class Reason(Enum):
    """Why a user holds no enrollment in a campaign. The value is a stable code for exports."""

    ARCHIVED = "archived"
    NOT_STARTED = "campaign_not_started"
    NO_TARGET_GROUP = "not_in_target_group"
    JOINED_AFTER_START = "joined_after_start"
    JOINED_AFTER_END = "joined_after_end"
    SAME_CONTENT = "enrolled_in_same_content_elsewhere"
    UNKNOWN = "unknown"

    @property
    def code(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS: dict[Reason, str] = {
    Reason.ARCHIVED: "Archived",
    Reason.NOT_STARTED: "Campaign not started",
    Reason.NO_TARGET_GROUP: "Not in a target group",
    Reason.JOINED_AFTER_START: "Joined after the start",
    Reason.JOINED_AFTER_END: "Joined after the end",
    Reason.SAME_CONTENT: "Same content elsewhere",
    Reason.UNKNOWN: "Unknown",
}

# The order in which reasons are tried (see the module notes).
PRECEDENCE: tuple[Reason, ...] = tuple(Reason)


@dataclass(frozen=True, slots=True)
class NotEnrolled:
    """A campaign a user is not enrolled in, and why.

    `target_groups` are the campaign's target groups by name (for NO_TARGET_GROUP, the
    groups that would enrol the user); `other_campaigns` name the campaigns through which
    the user holds the same content (SAME_CONTENT).
    """

    campaign: Campaign
    reason: Reason
    explanation: str
    target_groups: tuple[str, ...] = ()
    other_campaigns: tuple[str, ...] = ()

    @property
    def campaign_name(self) -> str:
        return self.campaign.name or f"campaign {self.campaign.campaign_id}"


def _date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def _quoted(names: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(f"'{name}'" for name in names[:limit])
    more = len(names) - limit
    return f"{shown} and {more} more" if more > 0 else shown


def joined_at(user: User) -> tuple[datetime | None, str]:
    """When the user joined, and the field it came from: `joined_on` (when the account was
    added, which is what enrolment follows), else `employee_start_date`."""
    if user.joined_on is not None:
        return user.joined_on, "joined_on"
    if user.employee_start_date is not None:
        return user.employee_start_date, "employee_start_date"
    return None, ""


def _same_campaign(enrollment: Enrollment, campaign: Campaign) -> bool:
    if enrollment.campaign_id is not None and campaign.campaign_id is not None:
        return enrollment.campaign_id == campaign.campaign_id
    name = (enrollment.campaign_name or "").strip().casefold()
    return bool(name) and name == (campaign.name or "").strip().casefold()


def is_enrolled(campaign: Campaign, user_enrollments: Iterable[Enrollment]) -> bool:
    """Whether any of the user's enrollments belongs to `campaign` (by id, else by name)."""
    return any(_same_campaign(e, campaign) for e in user_enrollments)


def _same_content(enrollment: Enrollment, item: ContentItem) -> bool:
    """Store purchases compare by id when both sides carry one; anything else by name."""
    if (
        isinstance(item, StorePurchase)
        and item.store_purchase_id is not None
        and enrollment.store_purchase_id is not None
    ):
        return item.store_purchase_id == enrollment.store_purchase_id
    name = enrollment.module.strip().casefold()
    return bool(name) and name == (item.name or "").strip().casefold()


def in_target_group(user: User, campaign: Campaign) -> bool | None:
    """Whether the user is in one of the campaign's target groups; None when the data
    cannot say (groups not reported, or a target group known only by name)."""
    if any(g.is_all_users for g in campaign.groups):
        return True
    if not campaign.groups or user.groups is None:
        return None
    member_of = set(user.groups)
    if any(g.group_id in member_of for g in campaign.groups if g.group_id is not None):
        return True
    return None if any(g.group_id is None for g in campaign.groups) else False


def _group_name(ref: GroupRef, group_names: Mapping[int, str]) -> str:
    if ref.is_all_users:
        return ref.name or "All Users"
    if ref.name:
        return ref.name
    if ref.group_id is None:
        return "an unnamed group"
    return group_names.get(ref.group_id) or f"group {ref.group_id}"


@dataclass(slots=True)
class _Checks:
    """What was checked on the way to UNKNOWN, to say so plainly."""

    facts: list[str]
    missing: list[str]

    def sentence(self) -> str:
        said = "; ".join(self.facts) if self.facts else "nothing could be checked"
        text = f"Nothing in the data explains it: {said}."
        if self.missing:
            text += f" The API did not report {', '.join(self.missing)}."
        return text


def why_not_enrolled(
    user: User,
    campaign: Campaign,
    user_enrollments: Iterable[Enrollment],
    now: datetime,
    *,
    campaigns: CampaignIndex | None = None,
    group_names: Mapping[int, str] | None = None,
) -> NotEnrolled:
    """The reason `user`, who holds no enrollment in `campaign`, is not in it.

    `user_enrollments` are the user's enrollments in any campaign (for SAME_CONTENT);
    `campaigns` names campaigns those enrollments know only by id; `group_names` names
    target groups the campaign sent without a name. Never raises on odd data.
    """
    names = group_names or {}
    targets = tuple(_group_name(g, names) for g in campaign.groups)

    def result(reason: Reason, explanation: str, others: tuple[str, ...] = ()) -> NotEnrolled:
        return NotEnrolled(campaign, reason, explanation, targets, others)

    if user.is_archived:
        when = f" on {_date(user.archived_at)}" if user.archived_at is not None else ""
        return result(
            Reason.ARCHIVED, f"The user was archived{when}; archived users are not enrolled."
        )

    start = campaign.start_date
    phase = campaign_phase(campaign)
    if phase in (CampaignPhase.CREATED, CampaignPhase.SCHEDULED) or (
        start is not None and start > as_aware(now)
    ):
        when = f" (it starts {_date(start)})" if start is not None else ""
        return result(
            Reason.NOT_STARTED, f"The campaign has not started yet{when}; nobody is enrolled."
        )

    checks = _Checks([], [])
    member = in_target_group(user, campaign)
    if member is False:
        return result(Reason.NO_TARGET_GROUP, _no_target_text(targets, campaign))
    _note_groups(checks, user, campaign, names)

    joined, field = joined_at(user)
    if joined is None:
        checks.missing.append("a join date")
    elif start is None:
        checks.missing.append("the campaign's start date")
    elif joined > start:
        late = _joined_late(campaign, joined, field, start, checks)
        if late is not None:
            return result(*late)
    else:
        checks.facts.append(f"joined {_date(joined)}, before the start {_date(start)}")

    others = _same_content_elsewhere(campaign, user_enrollments, campaigns)
    if others:
        modules, campaign_names = others
        if campaign.allow_multiple_enrollments is True:
            checks.facts.append(
                f"holds {_quoted(modules)} through {_quoted(campaign_names)}, "
                "but this campaign allows multiple enrollments"
            )
        else:
            setting = (
                "does not allow multiple enrollments"
                if campaign.allow_multiple_enrollments is False
                else "does not report whether it allows multiple enrollments"
            )
            return result(
                Reason.SAME_CONTENT,
                f"Already enrolled in {_quoted(modules)} through {_quoted(campaign_names)}; "
                f"this campaign {setting}.",
                tuple(campaign_names),
            )
    elif campaign.content_items:
        checks.facts.append("no enrollment in its content elsewhere")
    return result(Reason.UNKNOWN, checks.sentence())


def _note_groups(checks: _Checks, user: User, campaign: Campaign, names: Mapping[int, str]) -> None:
    """Notes what group membership shows, for a user not proven outside the targets."""
    if any(g.is_all_users for g in campaign.groups):
        checks.facts.append("the campaign targets All Users")
    elif not campaign.groups:
        checks.missing.append("the campaign's target groups")
    elif user.groups is None:
        checks.missing.append("the user's groups")
    else:
        member_of = set(user.groups)
        shared = [_group_name(g, names) for g in campaign.groups if g.group_id in member_of]
        if shared:
            checks.facts.append(f"in target group {_quoted(shared)}")
        else:  # membership of a group known only by name cannot be checked
            unidentified = [_group_name(g, names) for g in campaign.groups if g.group_id is None]
            checks.missing.append(f"the id of target group {_quoted(unidentified)}")


def _no_target_text(targets: tuple[str, ...], campaign: Campaign) -> str:
    text = f"In none of the campaign's target groups ({', '.join(targets)})."
    if campaign.auto_enroll is True:
        return f"{text} Adding the user to one of them enrols them."
    if campaign.auto_enroll is False:
        return (
            f"{text} The campaign does not auto-enrol, so adding the user to one of them "
            "does not enrol them by itself."
        )
    return text


def _joined_late(
    campaign: Campaign, joined: datetime, field: str, start: datetime, checks: _Checks
) -> tuple[Reason, str] | None:
    """JOINED_AFTER_START or JOINED_AFTER_END when the data shows it; else notes why not."""
    source = "" if field == "joined_on" else f" ({field})"
    if campaign.auto_enroll is False:
        return (
            Reason.JOINED_AFTER_START,
            f"Joined {_date(joined)}{source}, after the campaign started {_date(start)}; "
            "the campaign does not auto-enrol people who join later.",
        )
    end = campaign.end_date
    if campaign.auto_enroll is True and end is not None and joined > end:
        return (
            Reason.JOINED_AFTER_END,
            f"Joined {_date(joined)}{source}, after the campaign ended {_date(end)}; "
            "auto-enrol stops at the end date.",
        )
    if campaign.auto_enroll is None:
        checks.facts.append(f"joined {_date(joined)}, after the start {_date(start)}")
        checks.missing.append("whether the campaign auto-enrols")
    else:
        checks.facts.append(
            f"joined {_date(joined)}, after the start {_date(start)}, and the campaign auto-enrols"
        )
    return None


def _same_content_elsewhere(
    campaign: Campaign, user_enrollments: Iterable[Enrollment], campaigns: CampaignIndex | None
) -> tuple[list[str], list[str]] | None:
    """The modules of this campaign the user holds through other campaigns, and those
    campaigns' names (first seen first); None when there are none."""
    items = campaign.content_items
    if not items:
        return None
    modules: dict[str, None] = {}
    names: dict[str, None] = {}
    for enrollment in user_enrollments:
        if _same_campaign(enrollment, campaign):
            continue
        item = next((i for i in items if _same_content(enrollment, i)), None)
        if item is None:
            continue
        modules[item.name or enrollment.module or "its content"] = None
        known = campaigns.campaign_for(enrollment) if campaigns is not None else None
        name = (
            enrollment.campaign_name
            or (known.name if known is not None else None)
            or f"campaign {enrollment.campaign_id}"
        )
        names[name] = None
    return (list(modules), list(names)) if names else None


def active_campaigns(campaigns: Iterable[Campaign]) -> list[Campaign]:
    """Campaigns users can be working on now (lifecycle phase Active / In Progress)."""
    return [c for c in campaigns if campaign_phase(c).is_running]


def enrollments_by_user(enrollments: Iterable[Enrollment]) -> dict[int, list[Enrollment]]:
    """Each user's enrollments, in input order; rows with a null user are left out."""
    by_user: dict[int, list[Enrollment]] = {}
    for enrollment in enrollments:
        user_id = enrollment.user_id
        if user_id is not None:
            by_user.setdefault(user_id, []).append(enrollment)
    return by_user


def missing_from_active_campaigns(
    user: User,
    campaigns: Iterable[Campaign] | CampaignIndex,
    user_enrollments: Sequence[Enrollment],
    now: datetime,
    *,
    group_names: Mapping[int, str] | None = None,
) -> list[NotEnrolled]:
    """Every active campaign the user holds no enrollment in, each with its reason, in the
    order the campaigns were given."""
    index = campaigns if isinstance(campaigns, CampaignIndex) else CampaignIndex(campaigns)
    return [
        why_not_enrolled(
            user, campaign, user_enrollments, now, campaigns=index, group_names=group_names
        )
        for campaign in active_campaigns(index.campaigns)
        if not is_enrolled(campaign, user_enrollments)
    ]


def not_enrolled_in(
    campaign: Campaign,
    users: Iterable[User],
    enrollments: Iterable[Enrollment],
    now: datetime,
    *,
    campaigns: CampaignIndex | None = None,
    group_names: Mapping[int, str] | None = None,
) -> list[tuple[User, NotEnrolled]]:
    """The active users (not archived, with an id) who hold no enrollment in `campaign`,
    each with the reason, in the order `users` came. `enrollments` are everyone's, in any
    campaign: the other campaigns' rows show SAME_CONTENT."""
    by_user = enrollments_by_user(enrollments)
    missing: list[tuple[User, NotEnrolled]] = []
    for user in users:
        if user.id is None or user.is_archived:
            continue
        own = by_user.get(user.id, [])
        if is_enrolled(campaign, own):
            continue
        reason = why_not_enrolled(
            user, campaign, own, now, campaigns=campaigns, group_names=group_names
        )
        missing.append((user, reason))
    return missing
