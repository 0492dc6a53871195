"""Each person's training at a glance: enrollments by status, earliest open deadline, lateness.

Decisions:
- Counts are of enrollments (user x module x campaign) by the status the API sent, in every
  campaign: they are what the API says about the person. Unknown statuses are counted as
  such (`StatusCounts.unknown`), never dropped.
- Open work is an incomplete enrollment (Not Started, In Progress, Past Due) in a campaign
  that still asks for it: cancelled and archived campaigns do not (the Compliance pane's
  rule). Its deadline is the campaign's end date, else enrollment date + relative duration
  (`deadlines.enrollment_deadline`); an enrollment whose campaign is unknown has none.
- `earliest_open_deadline` is the earliest deadline among open work; `days_left` counts
  calendar days to it in the viewer's zone (negative: overdue by that many days), so
  `days_overdue` is the most overdue item's lateness, or minus the days left.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.campaign_index import CampaignIndex
from kb4tui.core.deadlines import DayCounter, RelativeDuration, parse_relative_duration
from kb4tui.core.lifecycle import campaign_phase
from kb4tui.core.status import INCOMPLETE_STATES, classify
from kb4tui.core.summaries import StatusCounts, counts_by_user

__all__ = ["PersonTraining", "training_by_user"]


@dataclass(slots=True)
class PersonTraining:
    """One user's enrollments by status and their most pressing open deadline."""

    counts: StatusCounts = field(default_factory=StatusCounts)
    earliest_open_deadline: datetime | None = None
    days_left: int | None = None
    # Incomplete enrollments in campaigns that still ask for them, and how many of those
    # have no deadline known (no campaign found, or no dates to go by).
    open_items: int = 0
    open_without_deadline: int = 0

    @property
    def days_overdue(self) -> int | None:
        """Days past the earliest open deadline (negative: days still left)."""
        return None if self.days_left is None else -self.days_left


@dataclass(slots=True)
class _Deadlines:
    """A campaign's deadline facts, worked out once rather than once per enrollment."""

    dormant: bool
    end_date: datetime | None
    duration: RelativeDuration | None


def training_by_user(
    enrollments: Iterable[Enrollment],
    campaigns: Iterable[Campaign],
    now: datetime,
    *,
    tz: tzinfo | None = None,
) -> dict[int, PersonTraining]:
    """Every user who holds an enrollment, with their training summary (see the module
    notes). Enrollments with a null user are left out: they belong to no one we can show."""
    rows = [e for e in enrollments if e.user_id is not None]
    index = CampaignIndex(campaigns)
    facts = {
        id(c): _Deadlines(
            dormant=campaign_phase(c).is_dormant,
            end_date=c.end_date,
            duration=parse_relative_duration(c.relative_duration),
        )
        for c in index.campaigns
    }
    days = DayCounter(now, tz)
    summaries: dict[int, PersonTraining] = {}
    for user_id, counts in counts_by_user(rows).items():
        if user_id is not None:
            summaries[user_id] = PersonTraining(counts)
    states = {status: classify(status) for status in {e.status for e in rows}}
    for enrollment in rows:
        user_id = enrollment.user_id
        if user_id is None or states[enrollment.status] not in INCOMPLETE_STATES:
            continue
        person = summaries[user_id]
        campaign = index.campaign_for(enrollment)
        deadline: datetime | None = None
        if campaign is not None:
            known = facts[id(campaign)]
            if known.dormant:
                continue
            if known.end_date is not None:
                deadline = known.end_date
            elif known.duration is not None and enrollment.enrollment_date is not None:
                deadline = known.duration.add_to(enrollment.enrollment_date)
        person.open_items += 1
        if deadline is None:
            person.open_without_deadline += 1
        elif person.earliest_open_deadline is None or deadline < person.earliest_open_deadline:
            person.earliest_open_deadline = deadline
    for person in summaries.values():
        if person.earliest_open_deadline is not None:
            person.days_left = days.days_to(person.earliest_open_deadline)
    return summaries
