"""Counts of enrollments by state, per campaign, per module and per user.

Completion % (decided): compliant / total x 100, where compliant = Completed + Exempted
(exemption counts as compliant, as the product says) and total is every enrollment,
including statuses we do not recognise, which count against completion rather than
silently vanish. It is per enrollment (user x module), not per user. None for no
enrollments. Where the API sent `completion_percentage`, that figure is shown as sent and
ours is only the fallback (`campaign_completion`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.campaign_index import campaign_key
from kb4tui.core.content import ModuleKey, module_key
from kb4tui.core.status import EnrollmentState, classify

__all__ = [
    "CompletionFigure",
    "StatusCounts",
    "campaign_completion",
    "count_by_status",
    "counts_by_campaign",
    "counts_by_module",
    "counts_by_user",
    "group_counts",
]


# Copied per StatusCounts: iterating the Enum each time is slow with 20k users.
_ZEROS: dict[EnrollmentState, int] = dict.fromkeys(EnrollmentState, 0)


@dataclass(slots=True)
class StatusCounts:
    """Enrollments per state, and the raw strings behind UNKNOWN (shown as sent)."""

    by_state: dict[EnrollmentState, int] = field(default_factory=lambda: _ZEROS.copy())
    unknown_labels: dict[str, int] = field(default_factory=dict)

    def add(self, status: str | None, count: int = 1) -> EnrollmentState:
        state = classify(status)
        self.by_state[state] += count
        if state is EnrollmentState.UNKNOWN:
            label = status or ""
            self.unknown_labels[label] = self.unknown_labels.get(label, 0) + count
        return state

    @classmethod
    def from_statuses(cls, statuses: Mapping[str | None, int]) -> StatusCounts:
        """Counts from raw status strings and how often each occurs."""
        counts = cls()
        for status, count in statuses.items():
            counts.add(status, count)
        return counts

    def __getitem__(self, state: EnrollmentState) -> int:
        return self.by_state[state]

    @property
    def not_started(self) -> int:
        return self.by_state[EnrollmentState.NOT_STARTED]

    @property
    def in_progress(self) -> int:
        return self.by_state[EnrollmentState.IN_PROGRESS]

    @property
    def completed(self) -> int:
        return self.by_state[EnrollmentState.COMPLETED]

    @property
    def past_due(self) -> int:
        return self.by_state[EnrollmentState.PAST_DUE]

    @property
    def exempted(self) -> int:
        return self.by_state[EnrollmentState.EXEMPTED]

    @property
    def unknown(self) -> int:
        return self.by_state[EnrollmentState.UNKNOWN]

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    @property
    def compliant(self) -> int:
        return self.completed + self.exempted

    @property
    def incomplete(self) -> int:
        return self.not_started + self.in_progress + self.past_due

    @property
    def completion_percent(self) -> float | None:
        total = self.total
        return None if total == 0 else 100.0 * self.compliant / total


def count_by_status(enrollments: Iterable[Enrollment]) -> StatusCounts:
    # Count the raw strings first (C speed), then classify the handful of distinct ones.
    return StatusCounts.from_statuses(Counter(e.status for e in enrollments))


K = TypeVar("K", bound=Hashable)


def group_counts(
    enrollments: Iterable[Enrollment], key: Callable[[Enrollment], K]
) -> dict[K, StatusCounts]:
    """Status counts per `key(enrollment)`, in order of first appearance."""
    pairs = Counter((key(e), e.status) for e in enrollments)
    groups: dict[K, StatusCounts] = {}
    for (k, status), count in pairs.items():
        counts = groups.get(k)
        if counts is None:
            counts = groups[k] = StatusCounts()
        counts.add(status, count)
    return groups


def counts_by_campaign(enrollments: Iterable[Enrollment]) -> dict[int | str, StatusCounts]:
    """Keyed by campaign id, or casefolded campaign name where the id was not included."""
    return group_counts(enrollments, campaign_key)


def counts_by_module(enrollments: Iterable[Enrollment]) -> dict[ModuleKey, StatusCounts]:
    """Keyed by `content.module_key`; rows naming no module at all share ("name", "")."""
    return group_counts(enrollments, lambda e: module_key(e) or ("name", ""))


def counts_by_user(enrollments: Iterable[Enrollment]) -> dict[int | None, StatusCounts]:
    """Keyed by user id; enrollments with a null user are counted under None."""
    return group_counts(enrollments, lambda e: e.user_id)


@dataclass(frozen=True, slots=True)
class CompletionFigure:
    percent: float | None
    source: Literal["api", "computed", "none"]


def campaign_completion(campaign: Campaign, counts: StatusCounts | None) -> CompletionFigure:
    """The API's completion_percentage as sent; ours when the API omitted it
    (exclude_percentages=true); "none" when neither is known."""
    if campaign.completion_percentage is not None:
        return CompletionFigure(campaign.completion_percentage, "api")
    if counts is not None and counts.completion_percent is not None:
        return CompletionFigure(counts.completion_percent, "computed")
    return CompletionFigure(None, "none")
