"""What the People pane and a group's view show, computed from fetched data (pure).

- `people_rows`: one row per user, with their training summary (or None where their
  enrollments were not fetched: kb4tui reads active users' enrollments only) and their
  groups by name.
- `group_progress`: a group's members, each with where they stand in one campaign:
  enrolled (their enrollments there by status) or not, and then why
  (`kb4tui.core.not_enrolled`).
- `campaigns_for_group`: the campaigns to choose from for a group, those targeting it first.
- `estimate_enrollment_rows`: about how many enrollments the account holds, from the
  campaigns' targets, the groups' member counts and the seats, to say what a first fill
  costs before it starts (the API gives no totals).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from kb4tui.api.models import Campaign, Enrollment, Group, User
from kb4tui.core.campaign_index import CampaignIndex
from kb4tui.core.lifecycle import CampaignPhase, campaign_phase
from kb4tui.core.not_enrolled import NotEnrolled, is_enrolled, why_not_enrolled
from kb4tui.core.person_training import PersonTraining
from kb4tui.core.status import EnrollmentState
from kb4tui.core.summaries import StatusCounts, count_by_status

__all__ = [
    "STANDING_STATE",
    "MemberProgress",
    "PersonRow",
    "Standing",
    "campaigns_for_group",
    "estimate_enrollment_rows",
    "group_names",
    "group_progress",
    "people_rows",
]


def group_names(groups: Iterable[Group]) -> dict[int, str]:
    """Group id -> name to show."""
    return {g.id: g.label for g in groups if g.id is not None}


@dataclass(frozen=True, slots=True)
class PersonRow:
    """One user in the People pane. `training` is None when their enrollments are not
    known (archived users: the enrollment listing leaves them out)."""

    user: User
    training: PersonTraining | None
    groups: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.user.full_name or f"user {self.user.id}"


def people_rows(
    users: Iterable[User],
    training: Mapping[int, PersonTraining] | None,
    names: Mapping[int, str],
) -> list[PersonRow]:
    """A row per user, in the order given; a user with no enrollment gets an empty
    summary when `training` is known at all, None when it is not (`training` None)."""
    rows: list[PersonRow] = []
    for user in users:
        summary: PersonTraining | None = None
        if training is not None:
            summary = training.get(user.id) if user.id is not None else None
            summary = summary or PersonTraining()
        labels = tuple(names.get(g) or f"group {g}" for g in user.groups or ())
        rows.append(PersonRow(user, summary, labels))
    return rows


class Standing(Enum):
    """Where a member stands in one campaign, worst first."""

    PAST_DUE = "Past Due"
    NOT_STARTED = "Not Started"
    IN_PROGRESS = "In Progress"
    COMPLETED = "Completed"
    NOT_ENROLLED = "Not enrolled"


@dataclass(frozen=True, slots=True)
class MemberProgress:
    """A group member in the chosen campaign: their enrollments there by status, or, if
    none, why not."""

    user: User
    counts: StatusCounts
    missing: NotEnrolled | None

    @property
    def standing(self) -> Standing:
        counts = self.counts
        if self.missing is not None or counts.total == 0:
            return Standing.NOT_ENROLLED
        if counts.past_due:
            return Standing.PAST_DUE
        if counts.compliant == counts.total:
            return Standing.COMPLETED
        if counts.in_progress or counts.compliant:
            return Standing.IN_PROGRESS
        return Standing.NOT_STARTED

    @property
    def done_text(self) -> str:
        """ "2/3" items completed (or exempted), empty when not enrolled."""
        if self.counts.total == 0:
            return ""
        return f"{self.counts.compliant}/{self.counts.total}"


def group_progress(
    members: Iterable[User],
    campaign: Campaign,
    by_user: Mapping[int, Sequence[Enrollment]],
    now: datetime,
    *,
    campaigns: CampaignIndex | None = None,
    names: Mapping[int, str] | None = None,
) -> list[MemberProgress]:
    """Each member's standing in `campaign`, in the order given. `by_user` holds each
    user's enrollments in every campaign (for the reasons)."""
    rows: list[MemberProgress] = []
    for user in members:
        own = list(by_user.get(user.id, ())) if user.id is not None else []
        if is_enrolled(campaign, own):
            here = [e for e in own if is_enrolled(campaign, (e,))]
            rows.append(MemberProgress(user, count_by_status(here), None))
        else:
            found = why_not_enrolled(
                user, campaign, own, now, campaigns=campaigns, group_names=names
            )
            rows.append(MemberProgress(user, StatusCounts(), found))
    return rows


def campaigns_for_group(campaigns: Iterable[Campaign], group_id: int) -> list[Campaign]:
    """Active campaigns: those targeting the group itself first, then those targeting All
    Users, then the rest; each part in the order given."""
    active = [c for c in campaigns if campaign_phase(c).is_running]
    own = [c for c in active if any(g.group_id == group_id for g in c.groups)]
    taken = {id(c) for c in own}
    everyone = [c for c in active if id(c) not in taken and any(g.is_all_users for g in c.groups)]
    taken |= {id(c) for c in everyone}
    return [*own, *everyone, *(c for c in active if id(c) not in taken)]


_NO_ENROLLMENTS_YET = (CampaignPhase.CREATED, CampaignPhase.SCHEDULED)


def estimate_enrollment_rows(
    campaigns: Iterable[Campaign], groups: Iterable[Group], seats: int | None
) -> int | None:
    """About how many enrollments exist: for every campaign that has started, its content
    items times the people it targets (All Users: the seats; a group: its member count).
    None when a target's size is unknown (no seats, or a group not listed)."""
    sizes = {g.id: g.member_count for g in groups if g.id is not None}
    total = 0
    for campaign in campaigns:
        if campaign_phase(campaign) in _NO_ENROLLMENTS_YET:
            continue
        people = 0
        for target in campaign.groups:
            size = seats if target.is_all_users else sizes.get(target.group_id or -1)
            if size is None:
                return None
            people += size
        total += people * max(1, len(campaign.content_items))
    return total


# Keep the state names the product uses in one place for the group view's colours.
STANDING_STATE: dict[Standing, EnrollmentState] = {
    Standing.PAST_DUE: EnrollmentState.PAST_DUE,
    Standing.NOT_STARTED: EnrollmentState.NOT_STARTED,
    Standing.IN_PROGRESS: EnrollmentState.IN_PROGRESS,
    Standing.COMPLETED: EnrollmentState.COMPLETED,
    Standing.NOT_ENROLLED: EnrollmentState.UNKNOWN,
}
