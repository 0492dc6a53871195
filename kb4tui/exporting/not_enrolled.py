"""`kb4tui export not-enrolled --campaign ID`: the active users of the account who hold no
enrollment in the campaign, one row each, with the reason (kb4tui.core.not_enrolled).

Reads the campaign (404: exit 4), every campaign (to name those holding the same content),
the active users, the groups (to name them) and the active users' enrollments in every
campaign: a fixed number of listings, never a request per user. `in_target_group` tells
the people of the campaign's target groups from the rest of the account (empty when the
data cannot say).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from kb4tui.api.models import Campaign, Enrollment, Group, User
from kb4tui.core.campaign_index import CampaignIndex
from kb4tui.core.not_enrolled import NotEnrolled, in_target_group, joined_at, not_enrolled_in
from kb4tui.exporting.cells import cell
from kb4tui.exporting.columns import Column
from kb4tui.exporting.kinds import ENROLLMENT_INCLUDES
from kb4tui.exporting.reading import read_models
from kb4tui.exporting.runner import RawSource
from kb4tui.exporting.writers import RecordWriter

__all__ = [
    "NOT_ENROLLED_COLUMNS",
    "NOT_ENROLLED_CSV_COLUMNS",
    "NotEnrolledRow",
    "export_not_enrolled",
]

NOT_ENROLLED_COLUMNS: tuple[str, ...] = (
    "user_id",
    "name",
    "email",
    "employee_number",
    "department",
    "manager_name",
    "groups",
    "joined",
    "campaign_id",
    "campaign",
    "in_target_group",
    "reason",
    "reason_text",
    "target_groups",
    "other_campaigns",
)


@dataclass(frozen=True, slots=True)
class NotEnrolledRow:
    """One person missing from the campaign. `reason` is the stable code
    (`not_in_target_group`, ...), `reason_text` the sentence naming the facts."""

    user_id: int | None
    name: str
    email: str | None
    employee_number: str | None
    department: str | None
    manager_name: str | None
    groups: tuple[str, ...]
    joined: datetime | None  # joined_on, else employee_start_date
    campaign_id: int | None
    campaign: str
    in_target_group: bool | None
    reason: str
    reason_text: str
    target_groups: tuple[str, ...]
    other_campaigns: tuple[str, ...]

    @classmethod
    def of(cls, user: User, found: NotEnrolled, group_names: dict[int, str]) -> NotEnrolledRow:
        return cls(
            user_id=user.id,
            name=user.full_name,
            email=user.email,
            employee_number=user.employee_number,
            department=user.department,
            manager_name=user.manager_name,
            groups=tuple(group_names.get(g) or f"group {g}" for g in user.groups or ()),
            joined=joined_at(user)[0],
            campaign_id=found.campaign.campaign_id,
            campaign=found.campaign_name,
            in_target_group=in_target_group(user, found.campaign),
            reason=found.reason.code,
            reason_text=found.explanation,
            target_groups=found.target_groups,
            other_campaigns=found.other_campaigns,
        )

    def as_record(self) -> dict[str, Any]:
        """The row for JSON: lists stay lists, the date is as CSV writes it."""
        record = {name: getattr(self, name) for name in NOT_ENROLLED_COLUMNS}
        for name, value in record.items():
            if isinstance(value, tuple):
                record[name] = list(value)
            elif isinstance(value, datetime):
                record[name] = cell(value)
        return record


NOT_ENROLLED_CSV_COLUMNS: tuple[Column[NotEnrolledRow], ...] = tuple(
    Column(name, attrgetter(name)) for name in NOT_ENROLLED_COLUMNS
)


async def export_not_enrolled(
    source: RawSource,
    open_writer: Callable[[], RecordWriter],
    *,
    campaign_id: int,
    now: datetime | None = None,
) -> int:
    """Write one row per active user not enrolled in the campaign; return how many.

    The writer is opened once the campaign is found, so an unknown id (exit 4) leaves the
    output empty rather than a CSV header followed by an error."""
    campaign = Campaign.from_api(await source.get_raw("campaigns", campaign_id))
    writer = open_writer()
    campaigns = await read_models(source, "campaigns", Campaign, exclude_percentages=True)
    users = await read_models(source, "users", User, status="active")
    groups = await read_models(source, "groups", Group)
    enrollments = await read_models(
        source, "enrollments", Enrollment, **ENROLLMENT_INCLUDES, exclude_archived_users=True
    )
    group_names = {g.id: g.label for g in groups if g.id is not None}
    missing = not_enrolled_in(
        campaign,
        users,
        enrollments,
        now or datetime.now(UTC),
        campaigns=CampaignIndex(campaigns),
        group_names=group_names,
    )
    rows = [NotEnrolledRow.of(user, found, group_names) for user, found in missing]
    writer.write([row.as_record() for row in rows], rows)
    writer.finish()
    return writer.records_written
