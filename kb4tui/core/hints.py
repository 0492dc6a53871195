"""Hints: the product's troubleshooting table applied to the data on screen.

Issue -> cause -> resolution: zero completion rate -> campaign just started; user not
enrolled -> not in target group; completion not recording -> module requires assessment
pass; past due but completed -> completed after deadline; duplicate enrollments -> multiple
campaigns with same content. `HintKind` holds the table's exact wording.

Each hint is produced only where the data supports it; the explanation names the facts.
"User not enrolled" is answered per person and campaign by `kb4tui.core.not_enrolled`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from kb4tui.api.models import Campaign, Enrollment, Policy, StorePurchase
from kb4tui.core.campaign_index import CampaignIndex, campaign_key
from kb4tui.core.clock import as_aware
from kb4tui.core.content import ASSESSMENT, content_item_for, content_type_of, module_key
from kb4tui.core.deadlines import enrollment_deadline
from kb4tui.core.duplicates import find_duplicates
from kb4tui.core.status import EnrollmentState, classify
from kb4tui.core.summaries import count_by_status

__all__ = [
    "RECENT_START_DAYS",
    "Hint",
    "HintKind",
    "Severity",
    "campaign_hints",
    "enrollment_hints",
]

RECENT_START_DAYS = 7


class Severity(Enum):
    INFO = "info"
    WARNING = "warning"


class HintKind(Enum):
    """A row of the troubleshooting table: (issue, cause, resolution)."""

    ZERO_COMPLETION = (
        "Zero completion rate",
        "Campaign just started",
        "Allow time for users to complete",
    )
    NOT_ENROLLED = ("User not enrolled", "Not in target group", "Check group membership")
    COMPLETION_NOT_RECORDING = (
        "Completion not recording",
        "Module requires assessment pass",
        "User may need to retake quiz",
    )
    PAST_DUE_COMPLETED = (
        "Past due but completed",
        "Completed after deadline",
        "Marked past_due at deadline, then completed",
    )
    DUPLICATE_ENROLLMENTS = (
        "Duplicate enrollments",
        "Multiple campaigns with same content",
        "Check allow_multiple_enrollments",
    )

    @property
    def issue(self) -> str:
        return self.value[0]

    @property
    def cause(self) -> str:
        return self.value[1]

    @property
    def resolution(self) -> str:
        return self.value[2]


@dataclass(frozen=True, slots=True)
class Hint:
    kind: HintKind
    severity: Severity
    title: str
    explanation: str
    resolution: str


def _hint(kind: HintKind, severity: Severity, explanation: str, resolution: str = "") -> Hint:
    return Hint(kind, severity, kind.issue, explanation, resolution or kind.resolution)


def _date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def _allow_multiple_text(campaign: Campaign | None) -> str:
    if campaign is None or campaign.allow_multiple_enrollments is None:
        return "allow_multiple_enrollments is not reported"
    state = "on" if campaign.allow_multiple_enrollments else "off"
    return f"allow_multiple_enrollments is {state}"


# --- campaign ----------------------------------------------------------------------------


def campaign_hints(
    campaign: Campaign,
    enrollments: Iterable[Enrollment],
    now: datetime,
    *,
    recent_days: int = RECENT_START_DAYS,
) -> list[Hint]:
    """Hints for a campaign, given its enrollments (those of other campaigns are ignored)."""
    own = [e for e in enrollments if _belongs(e, campaign)]
    hints: list[Hint] = []
    zero = _zero_completion(campaign, own, as_aware(now), recent_days)
    if zero is not None:
        hints.append(zero)
    duplicates = find_duplicates(own)
    if duplicates:
        users = len({user_id for user_id, _ in duplicates})
        allowed = campaign.allow_multiple_enrollments is True
        hints.append(
            _hint(
                HintKind.DUPLICATE_ENROLLMENTS,
                Severity.INFO if allowed else Severity.WARNING,
                f"{users} {'user holds' if users == 1 else 'users hold'} the same module "
                "more than once "
                f"in this campaign; {_allow_multiple_text(campaign)}."
                + (" Retakes are expected." if allowed else ""),
            )
        )
    return hints


def _belongs(enrollment: Enrollment, campaign: Campaign) -> bool:
    if enrollment.campaign_id is not None and campaign.campaign_id is not None:
        return enrollment.campaign_id == campaign.campaign_id
    if enrollment.campaign_name is None:
        return True  # A per-campaign fetch that carries no campaign fields at all.
    return enrollment.campaign_name.strip().casefold() == (campaign.name or "").strip().casefold()


def _zero_completion(
    campaign: Campaign, enrollments: list[Enrollment], now: datetime, recent_days: int
) -> Hint | None:
    start = campaign.start_date
    if start is None or start > now or now - start >= timedelta(days=recent_days):
        return None
    counts = count_by_status(enrollments)
    if counts.total:
        if counts.compliant:
            return None
    elif campaign.completion_percentage != 0:
        return None
    age = (now - start).days
    started = "today" if age == 0 else f"{age} day{'s' if age != 1 else ''} ago"
    return _hint(
        HintKind.ZERO_COMPLETION,
        Severity.INFO,
        f"The campaign started {started} ({_date(start)}) and no one has completed it yet.",
    )


# --- one enrollment ---------------------------------------------------------------------


def enrollment_hints(
    enrollment: Enrollment,
    campaign: Campaign | None,
    *,
    user_enrollments: Iterable[Enrollment] = (),
    purchases_by_id: Mapping[int, StorePurchase] | None = None,
    campaigns: CampaignIndex | None = None,
) -> list[Hint]:
    """Hints for one enrollment. `user_enrollments` are the same user's other enrollments
    (any campaign), used to spot duplicates; `campaigns` names campaigns that the
    enrollments identify only by id."""
    hints: list[Hint] = []
    state = classify(enrollment.status)
    stuck = _completion_not_recording(enrollment, state, campaign, purchases_by_id)
    if stuck is not None:
        hints.append(stuck)
    late = _past_due_completed(enrollment, state, campaign)
    if late is not None:
        hints.append(late)
    duplicate = _duplicate(enrollment, campaign, user_enrollments, campaigns)
    if duplicate is not None:
        hints.append(duplicate)
    return hints


def _completion_not_recording(
    enrollment: Enrollment,
    state: EnrollmentState,
    campaign: Campaign | None,
    purchases_by_id: Mapping[int, StorePurchase] | None,
) -> Hint | None:
    if state is not EnrollmentState.IN_PROGRESS:
        return None
    content = content_item_for(enrollment, campaign, purchases_by_id)
    if isinstance(content, Policy) or "policy" in (enrollment.content_type or "").lower():
        return None  # Policies need acknowledgement, not a quiz pass.
    if content_type_of(enrollment, content) == ASSESSMENT:
        return _hint(
            HintKind.COMPLETION_NOT_RECORDING,
            Severity.WARNING,
            "This is an assessment still in progress: it completes only when the user "
            "passes the quiz.",
        )
    minutes = content.minutes if content is not None else None
    spent = enrollment.time_spent
    if minutes and spent is not None and spent >= minutes * 60:
        return _hint(
            HintKind.COMPLETION_NOT_RECORDING,
            Severity.WARNING,
            f"The user has spent {spent // 60} min on a {minutes}-min module and it is "
            "still in progress: the module's quiz may not have been passed.",
        )
    return None


def _past_due_completed(
    enrollment: Enrollment, state: EnrollmentState, campaign: Campaign | None
) -> Hint | None:
    completed = enrollment.completion_date
    if completed is None:
        return None
    deadline = enrollment_deadline(enrollment, campaign)
    if deadline is not None and completed > deadline:
        late = completed - deadline
        days = late.days
        after = f"{days} day{'s' if days != 1 else ''}" if days else "less than a day"
        return _hint(
            HintKind.PAST_DUE_COMPLETED,
            Severity.INFO,
            f"Completed {_date(completed)}, {after} after the deadline {_date(deadline)}.",
        )
    if state is EnrollmentState.PAST_DUE:
        return _hint(
            HintKind.PAST_DUE_COMPLETED,
            Severity.INFO,
            f"Status is {enrollment.status} but a completion on {_date(completed)} is recorded.",
        )
    return None


def _duplicate(
    enrollment: Enrollment,
    campaign: Campaign | None,
    user_enrollments: Iterable[Enrollment],
    campaigns: CampaignIndex | None,
) -> Hint | None:
    user_id, module = enrollment.user_id, module_key(enrollment)
    if user_id is None or module is None:
        return None
    same = [e for e in user_enrollments if e.user_id == user_id and module_key(e) == module]
    if not any(e is enrollment or _same_id(e, enrollment) for e in same):
        same.append(enrollment)
    if len(same) < 2:
        return None
    names_by_key: dict[int | str, str] = {}
    for e in same:
        known = campaigns.campaign_for(e) if campaigns is not None else None
        name = e.campaign_name or (known.name if known else None) or f"campaign {e.campaign_id}"
        names_by_key.setdefault(campaign_key(e), name)
    keys = names_by_key.keys()
    names = sorted(names_by_key.values())
    across = len(keys) > 1
    where = f"in {len(keys)} campaigns ({', '.join(names)})" if across else "in this campaign"
    allowed = campaign is not None and campaign.allow_multiple_enrollments is True
    severity = Severity.INFO if allowed and not across else Severity.WARNING
    return _hint(
        HintKind.DUPLICATE_ENROLLMENTS,
        severity,
        f"The user is enrolled in '{enrollment.module}' {len(same)} times {where}; "
        f"{_allow_multiple_text(campaign)}.",
    )


def _same_id(a: Enrollment, b: Enrollment) -> bool:
    return a.enrollment_id is not None and a.enrollment_id == b.enrollment_id
