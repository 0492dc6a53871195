"""The Compliance pane and `kb4tui export overdue`: deadlines, people at risk, content at risk.

Every function makes one pass over the enrollments with dict lookups (100k rows in well
under a second). Decisions:

- Deadlines: `deadline_rows` lists every campaign; those with no deadline known come last
  (days_left None, shown as "no deadline known"). Campaigns with open work and a deadline
  come first, earliest deadline first; campaigns with nothing left to do follow.
  Relative-duration campaigns take the earliest deadline among their incomplete enrollments.
- Overdue is status Past Due, or Not Started / In Progress after the deadline has passed
  (the status can lag the deadline). With `within_days`, incomplete enrollments due within
  that many calendar days are added.
- Cancelled and archived campaigns ask nothing of anyone: their enrollments are left out of
  people-at-risk and overdue. Archived users are left out when `users` is given.
- An enrollment with a null user is still reported, on its own row with no id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import Enum

from kb4tui.api.models import Campaign, Enrollment, StorePurchase, User
from kb4tui.core.campaign_index import CampaignIndex
from kb4tui.core.clock import as_aware
from kb4tui.core.deadlines import (
    NO_DEADLINE_TEXT,
    DayCounter,
    RelativeDuration,
    days_left,
    enrollment_deadline,
    parse_relative_duration,
)
from kb4tui.core.forecast import Forecast
from kb4tui.core.lifecycle import CampaignPhase, campaign_phase
from kb4tui.core.status import INCOMPLETE_STATES, EnrollmentState, classify
from kb4tui.core.summaries import CompletionFigure, StatusCounts, campaign_completion

__all__ = [
    "OVERDUE_COLUMNS",
    "ContentRisk",
    "ContentRiskReason",
    "DeadlineRow",
    "OverdueRow",
    "PersonAtRisk",
    "RiskItem",
    "content_at_risk",
    "deadline_rows",
    "overdue_rows",
    "people_at_risk",
]


def _is_dormant(campaign: Campaign | None) -> bool:
    return campaign is not None and campaign_phase(campaign).is_dormant


def _archived_ids(users: Iterable[User] | None) -> set[int]:
    if users is None:
        return set()
    return {u.id for u in users if u.id is not None and u.is_archived}


# --- deadlines ---------------------------------------------------------------------------


@dataclass(slots=True)
class DeadlineRow:
    """One campaign in the deadlines table."""

    campaign: Campaign
    phase: CampaignPhase
    deadline: datetime | None
    relative_duration: RelativeDuration | None
    days_left: int | None
    completion: CompletionFigure
    counts: StatusCounts
    # Set by `compliance_rows.compute_rows` from the enrollments (kb4tui.core.forecast);
    # None while they are loading.
    forecast: Forecast | None = None

    @property
    def name(self) -> str:
        return self.campaign.name or ""

    @property
    def is_relative(self) -> bool:
        return self.campaign.end_date is None and self.relative_duration is not None

    @property
    def deadline_text(self) -> str:
        """ "2026-02-27", "2 weeks after enrollment", or "no deadline known"."""
        if self.campaign.end_date is not None:
            return self.campaign.end_date.strftime("%Y-%m-%d")
        if self.relative_duration is not None:
            return f"{self.relative_duration} after enrollment"
        return NO_DEADLINE_TEXT

    @property
    def not_started(self) -> int:
        return self.counts.not_started

    @property
    def in_progress(self) -> int:
        return self.counts.in_progress

    @property
    def past_due(self) -> int:
        return self.counts.past_due


def deadline_rows(
    campaigns: Iterable[Campaign],
    enrollments: Iterable[Enrollment],
    now: datetime,
    *,
    tz: tzinfo | None = None,
) -> list[DeadlineRow]:
    """Every campaign with its deadline, days left, completion and open counts, most
    urgent first (see the module notes)."""
    index = CampaignIndex(campaigns)
    days = DayCounter(now, tz)
    durations = {id(c): parse_relative_duration(c.relative_duration) for c in index.campaigns}
    relative = {k for k, d in durations.items() if d is not None} - {
        id(c) for c in index.campaigns if c.end_date is not None
    }
    statuses: Counter[tuple[int, str | None]] = Counter()
    earliest: dict[int, datetime] = {}
    for enrollment in enrollments:
        campaign = index.campaign_for(enrollment)
        if campaign is None:
            continue
        key = id(campaign)
        statuses[(key, enrollment.status)] += 1
        if key in relative and classify(enrollment.status) in INCOMPLETE_STATES:
            due = enrollment_deadline(enrollment, campaign)
            if due is not None and (key not in earliest or due < earliest[key]):
                earliest[key] = due
    counts: dict[int, StatusCounts] = {id(c): StatusCounts() for c in index.campaigns}
    for (key, status), count in statuses.items():
        counts[key].add(status, count)
    rows: list[DeadlineRow] = []
    for campaign in index.campaigns:
        key = id(campaign)
        deadline = campaign.end_date or earliest.get(key)
        rows.append(
            DeadlineRow(
                campaign=campaign,
                phase=campaign_phase(campaign),
                deadline=deadline,
                relative_duration=durations[key],
                days_left=days.days_to(deadline) if deadline is not None else None,
                completion=campaign_completion(campaign, counts[key]),
                counts=counts[key],
            )
        )
    rows.sort(key=_urgency)
    return rows


def _urgency(row: DeadlineRow) -> tuple[int, float, str]:
    if row.deadline is None:
        return (2, 0.0, row.name.casefold())
    # Cancelled and archived campaigns ask nothing more of anyone, whatever their rows say.
    open_work = not row.phase.is_dormant and (
        row.counts.incomplete > 0 or (row.counts.total == 0 and not row.phase.is_finished)
    )
    stamp = row.deadline.timestamp()
    # Open work: earliest deadline first. Done: most recent deadline first.
    return (0, stamp, row.name.casefold()) if open_work else (1, -stamp, row.name.casefold())


# --- people at risk ---------------------------------------------------------------------


@dataclass(slots=True)  # not frozen: frozen __init__ is slow at 100k rows
class RiskItem:
    """One incomplete enrollment that puts its user at risk."""

    enrollment: Enrollment
    campaign: Campaign | None
    state: EnrollmentState
    deadline: datetime | None
    days_left: int | None

    @property
    def campaign_name(self) -> str:
        return self.enrollment.campaign_name or (self.campaign.name if self.campaign else "") or ""

    @property
    def module(self) -> str:
        return self.enrollment.module

    @property
    def status(self) -> str:
        """The status exactly as the API sent it."""
        return self.enrollment.status or ""


@dataclass(slots=True)
class PersonAtRisk:
    """A user who is past due somewhere, or has incomplete work due soon. Add items with
    `add` so the counts used for sorting stay current."""

    user_id: int | None
    name: str
    email: str
    items: list[RiskItem] = field(default_factory=list)
    past_due_count: int = 0
    worst_days_left: int | None = None  # most overdue / soonest due among known deadlines

    def add(self, item: RiskItem) -> None:
        self.items.append(item)
        if item.state is EnrollmentState.PAST_DUE:
            self.past_due_count += 1
        left = item.days_left
        if left is not None and (self.worst_days_left is None or left < self.worst_days_left):
            self.worst_days_left = left


@dataclass(slots=True)
class _CampaignFacts:
    dormant: bool
    end_date: datetime | None
    end_date_days: int | None
    duration: RelativeDuration | None


class _RiskScan:
    """Decides, one enrollment at a time, whether it is overdue or (with `within_days`)
    due soon. Campaign facts are worked out once, not once per row: this is the hot loop
    of both the Compliance pane and `export overdue`. The deadline rule is the one in
    `deadlines.enrollment_deadline` (a property test holds them equal)."""

    def __init__(
        self,
        campaigns: Iterable[Campaign],
        now: datetime,
        tz: tzinfo | None,
        within_days: int | None,
    ) -> None:
        self.index = CampaignIndex(campaigns)
        self.now = as_aware(now)
        self.days = DayCounter(self.now, tz)
        self.within_days = within_days
        self.facts: dict[int, _CampaignFacts] = {
            id(c): _CampaignFacts(
                dormant=_is_dormant(c),
                end_date=c.end_date,
                end_date_days=self.days.days_to(c.end_date) if c.end_date else None,
                duration=parse_relative_duration(c.relative_duration),
            )
            for c in self.index.campaigns
        }
        self.states: dict[str | None, EnrollmentState] = {}

    def item(self, enrollment: Enrollment) -> RiskItem | None:
        status = enrollment.status
        state = self.states.get(status)
        if state is None:
            state = self.states[status] = classify(status)
        if state not in INCOMPLETE_STATES:
            return None
        campaign = self.index.campaign_for(enrollment)
        deadline: datetime | None = None
        left: int | None = None
        if campaign is not None:
            facts = self.facts[id(campaign)]
            if facts.dormant:
                return None
            if facts.end_date is not None:
                deadline, left = facts.end_date, facts.end_date_days
            elif facts.duration is not None and enrollment.enrollment_date is not None:
                deadline = facts.duration.add_to(enrollment.enrollment_date)
                if deadline is not None:
                    left = self.days.days_to(deadline)
        if state is not EnrollmentState.PAST_DUE:
            if deadline is None or left is None:
                return None
            overdue = deadline < self.now
            due_soon = self.within_days is not None and left <= self.within_days
            if not (overdue or due_soon):
                return None
        return RiskItem(enrollment, campaign, state, deadline, left)


def people_at_risk(
    enrollments: Iterable[Enrollment],
    campaigns: Iterable[Campaign],
    now: datetime,
    within_days: int = 7,
    *,
    tz: tzinfo | None = None,
    users: Iterable[User] | None = None,
) -> list[PersonAtRisk]:
    """One row per user past due anywhere or with incomplete work due within `within_days`,
    worst first: anyone past due, then the most overdue / soonest due, then most items."""
    scan = _RiskScan(campaigns, now, tz, within_days)
    archived = _archived_ids(users)
    people: dict[int, PersonAtRisk] = {}
    orphans: list[PersonAtRisk] = []
    for enrollment in enrollments:
        item = scan.item(enrollment)
        if item is None:
            continue
        user_id = enrollment.user_id
        if user_id in archived:
            continue
        if user_id is None:
            person = PersonAtRisk(None, "", "")
            orphans.append(person)
        elif user_id in people:
            person = people[user_id]
        else:
            person = people[user_id] = PersonAtRisk(
                user_id, enrollment.user_name, enrollment.user_email
            )
        person.add(item)
    result = [*people.values(), *orphans]
    for person in result:
        if len(person.items) > 1:
            person.items.sort(key=_item_order)
    result.sort(key=_person_order)
    return result


def _item_order(item: RiskItem) -> tuple[bool, int]:
    return (item.state is not EnrollmentState.PAST_DUE, _days_or(item.days_left, 0))


def _days_or(days: int | None, default: int) -> int:
    return default if days is None else days


def _person_order(person: PersonAtRisk) -> tuple[bool, int, int, str]:
    return (
        person.past_due_count == 0,
        _days_or(person.worst_days_left, 0),
        -len(person.items),
        person.name.casefold(),
    )


# --- content at risk --------------------------------------------------------------------


class ContentRiskReason(Enum):
    RETIRED = "Retired"
    RETIRING = "Retiring"
    LICENCE_EXPIRED = "Licence expired"
    LICENCE_EXPIRING = "Licence expiring"


@dataclass(frozen=True, slots=True)
class ContentRisk:
    """A store purchase retired, retiring, or whose licence ends soon, and the unfinished
    campaigns that still use it."""

    purchase: StorePurchase
    reasons: tuple[ContentRiskReason, ...]
    days_left: int | None
    campaigns: tuple[Campaign, ...]

    @property
    def name(self) -> str:
        return self.purchase.name or ""


def content_at_risk(
    purchases: Iterable[StorePurchase],
    campaigns: Iterable[Campaign],
    now: datetime,
    within_days: int = 30,
    *,
    tz: tzinfo | None = None,
) -> list[ContentRisk]:
    """Purchases retired, retiring within `within_days`, or with a licence expiring within
    `within_days` (or expired), most pressing first; campaigns matched by store purchase id,
    else by name. `days_left` is to the nearest of those dates (None: retired, no date)."""
    now = as_aware(now)
    by_id: dict[int, list[Campaign]] = {}
    by_name: dict[str, list[Campaign]] = {}
    for campaign in campaigns:
        if campaign_phase(campaign).is_finished:
            continue
        for item in campaign.content_items:
            if not isinstance(item, StorePurchase):
                continue
            if item.store_purchase_id is not None:
                by_id.setdefault(item.store_purchase_id, []).append(campaign)
            name = (item.name or "").strip().casefold()
            if name:
                by_name.setdefault(name, []).append(campaign)
    risks: list[ContentRisk] = []
    for purchase in purchases:
        reasons, nearest = _purchase_risks(purchase, now, tz, within_days)
        if not reasons:
            continue
        users = by_id.get(purchase.store_purchase_id or -1) or by_name.get(
            (purchase.name or "").strip().casefold(), []
        )
        unique = tuple({id(c): c for c in users}.values())
        risks.append(ContentRisk(purchase, tuple(reasons), nearest, unique))
    risks.sort(key=lambda r: (_days_or(r.days_left, -(10**6)), not r.campaigns, r.name))
    return risks


def _purchase_risks(
    purchase: StorePurchase, now: datetime, tz: tzinfo | None, within_days: int
) -> tuple[list[ContentRiskReason], int | None]:
    reasons: list[ContentRiskReason] = []
    lefts: list[int] = []
    retiring = purchase.retirement_date
    if retiring is not None:
        left = days_left(retiring, now, tz)
        if retiring <= now or purchase.retired:
            reasons.append(ContentRiskReason.RETIRED)
            lefts.append(left)
        elif left <= within_days:
            reasons.append(ContentRiskReason.RETIRING)
            lefts.append(left)
    elif purchase.retired:
        reasons.append(ContentRiskReason.RETIRED)
    expires = purchase.expiration_date
    if expires is not None:
        left = days_left(expires, now, tz)
        if expires <= now:
            reasons.append(ContentRiskReason.LICENCE_EXPIRED)
            lefts.append(left)
        elif left <= within_days:
            reasons.append(ContentRiskReason.LICENCE_EXPIRING)
            lefts.append(left)
    if ContentRiskReason.RETIRED in reasons and purchase.retirement_date is None:
        return reasons, None
    return reasons, (min(lefts) if lefts else None)


# --- export overdue ---------------------------------------------------------------------

OVERDUE_COLUMNS: tuple[str, ...] = (
    "user_id",
    "name",
    "email",
    "employee_number",
    "campaign_id",
    "campaign",
    "module",
    "status",
    "deadline",
    "days_overdue",
    "enrollment_id",
)


@dataclass(slots=True)  # not frozen: frozen __init__ is slow at 100k rows
class OverdueRow:
    """One row of `kb4tui export overdue`. `days_overdue` is negative for days left, None
    when no deadline is known (a Past Due status is reported even then)."""

    user_id: int | None
    name: str
    email: str
    employee_number: str | None
    campaign_id: int | None
    campaign: str
    module: str
    status: str
    deadline: datetime | None
    days_overdue: int | None
    enrollment_id: int | None

    def as_record(self) -> dict[str, str | int | None]:
        """The row as a flat dict in OVERDUE_COLUMNS order; deadline as ISO 8601 UTC ("Z")."""
        deadline = (
            self.deadline.strftime("%Y-%m-%dT%H:%M:%SZ") if self.deadline is not None else None
        )
        return {
            "user_id": self.user_id,
            "name": self.name,
            "email": self.email,
            "employee_number": self.employee_number,
            "campaign_id": self.campaign_id,
            "campaign": self.campaign,
            "module": self.module,
            "status": self.status,
            "deadline": deadline,
            "days_overdue": self.days_overdue,
            "enrollment_id": self.enrollment_id,
        }


def overdue_rows(
    enrollments: Iterable[Enrollment],
    campaigns: Iterable[Campaign],
    now: datetime,
    within_days: int | None = None,
    *,
    tz: tzinfo | None = None,
    users: Iterable[User] | None = None,
) -> list[OverdueRow]:
    """Overdue enrollments (and, with `within_days`, those due within N days), most
    overdue first; rows with no deadline known after those with one."""
    scan = _RiskScan(campaigns, now, tz, within_days)
    archived = _archived_ids(users)
    rows: list[OverdueRow] = []
    for enrollment in enrollments:
        item = scan.item(enrollment)
        if item is None:
            continue
        user_id = enrollment.user_id
        if user_id in archived:
            continue
        user = enrollment.user
        campaign_id = enrollment.campaign_id
        if campaign_id is None and item.campaign is not None:
            campaign_id = item.campaign.campaign_id
        left = item.days_left
        rows.append(
            OverdueRow(  # positional: this runs for every overdue row of 100k
                user_id,
                enrollment.user_name,
                enrollment.user_email,
                (user.employee_number if user else None) or enrollment.employee_number,
                campaign_id,
                item.campaign_name,
                enrollment.module,
                enrollment.status or "",
                item.deadline,
                None if left is None else -left,
                enrollment.enrollment_id,
            )
        )
    rows.sort(
        key=lambda r: (
            r.days_overdue is None,
            -_days_or(r.days_overdue, 0),
            r.campaign.casefold(),
            r.name.casefold(),
        )
    )
    return rows
