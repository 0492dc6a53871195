"""Enrollment statuses: what the API sends, and what it means to the business.

The API sends "Not Started", "In Progress", "Passed", "Past Due", "Exempted"; other sources
spell them "completed", "past_due", "past-due", "PASSED". All spellings classify to the
same `EnrollmentState`. Anything else is UNKNOWN: the caller keeps the original string for
display, so an unexpected value is shown as sent and never dropped.
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache

__all__ = [
    "COMPLIANT_STATES",
    "INCOMPLETE_STATES",
    "EnrollmentState",
    "classify",
    "normalise_label",
]


class EnrollmentState(Enum):
    """Where one enrollment stands. The value is the label the product uses."""

    NOT_STARTED = "Not Started"
    IN_PROGRESS = "In Progress"
    COMPLETED = "Completed"
    PAST_DUE = "Past Due"
    EXEMPTED = "Exempted"
    UNKNOWN = "Unknown"

    @property
    def label(self) -> str:
        return self.value

    @property
    def meaning(self) -> str:
        """The business meaning from the product spec ("Needs reminder", "Compliant", ...)."""
        return _MEANINGS[self]

    @property
    def is_compliant(self) -> bool:
        """Completed, or excused by exemption."""
        return self in COMPLIANT_STATES

    @property
    def is_incomplete(self) -> bool:
        """Still owes work: not started, in progress, or past due. UNKNOWN is neither
        compliant nor incomplete: we do not guess."""
        return self in INCOMPLETE_STATES


# Module-level sets so hot loops over 100k rows test membership without a property call.
COMPLIANT_STATES = frozenset({EnrollmentState.COMPLETED, EnrollmentState.EXEMPTED})
INCOMPLETE_STATES = frozenset(
    {EnrollmentState.NOT_STARTED, EnrollmentState.IN_PROGRESS, EnrollmentState.PAST_DUE}
)

_MEANINGS: dict[EnrollmentState, str] = {
    EnrollmentState.NOT_STARTED: "Needs reminder",
    EnrollmentState.IN_PROGRESS: "Actively working",
    EnrollmentState.COMPLETED: "Compliant",
    EnrollmentState.PAST_DUE: "Non-compliant",
    EnrollmentState.EXEMPTED: "Compliant by exemption",
    EnrollmentState.UNKNOWN: "Unknown status",
}

# Keys are labels with case, spaces, underscores and hyphens removed (see normalise_label).
_ALIASES: dict[str, EnrollmentState] = {
    "notstarted": EnrollmentState.NOT_STARTED,
    "inprogress": EnrollmentState.IN_PROGRESS,
    "started": EnrollmentState.IN_PROGRESS,
    "passed": EnrollmentState.COMPLETED,
    "completed": EnrollmentState.COMPLETED,
    "complete": EnrollmentState.COMPLETED,
    "pastdue": EnrollmentState.PAST_DUE,
    "overdue": EnrollmentState.PAST_DUE,
    "exempted": EnrollmentState.EXEMPTED,
    "exempt": EnrollmentState.EXEMPTED,
}


def normalise_label(text: str) -> str:
    """Lower-case and drop separators so "Past Due", "past_due", "past-due", "PastDue" agree."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


@lru_cache(maxsize=1024)
def _classify_text(text: str) -> EnrollmentState:
    return _ALIASES.get(normalise_label(text), EnrollmentState.UNKNOWN)


def classify(status: str | None) -> EnrollmentState:
    """The state for a status string as the API sent it; never raises.

    None, empty and unrecognised strings are UNKNOWN. Cached: a 100k-row table holds a
    handful of distinct statuses.
    """
    if not status or not isinstance(status, str):
        return EnrollmentState.UNKNOWN
    return _classify_text(status)
