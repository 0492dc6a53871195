"""Client-side filters: --status and --type, forgiving about case and spelling, strict
about words: a value that means nothing for the kind is refused before any request, so a
typo is a usage error, never an empty export that looks like "nobody"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb4tui.api.models import Campaign, Enrollment, Policy, StorePurchase, User
from kb4tui.core.content import CONTENT_TYPES, canonical_content_type
from kb4tui.core.lifecycle import CampaignPhase, campaign_phase
from kb4tui.core.status import EnrollmentState, classify

__all__ = ["STATUS_WORDS", "TYPE_WORDS", "RecordFilter", "filter_problem", "normalize_label"]

_SEPARATORS = re.compile(r"[\s_\-]+")

# The words each kind's --status understands (any case; `_` or `-` for spaces), as the
# API sends them. The product's words work too: completed = Passed, past_due = Past Due.
_ENROLLMENT_WORDS = ("Not Started", "In Progress", "Passed", "Past Due", "Exempted")
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "enrollments": _ENROLLMENT_WORDS,
    "overdue": _ENROLLMENT_WORDS,
    "campaigns": (
        "Created",
        "Scheduled",
        "In Progress",
        "Completed",
        "Closed",
        "Cancelled",
        "Archived",
    ),
    "users": ("active", "archived"),
}
_CONTENT_KINDS = ("Store Purchase", "Uploaded Policy")
TYPE_WORDS: tuple[str, ...] = (*CONTENT_TYPES, *_CONTENT_KINDS)


def normalize_label(text: str) -> str:
    """`Past Due`, `past_due`, `PAST-DUE` and ` past  due ` all read as `past due`."""
    return _SEPARATORS.sub(" ", text).strip().casefold()


def _known_status(kind: str, value: str) -> bool:
    if kind in ("enrollments", "overdue"):
        return classify(value) is not EnrollmentState.UNKNOWN
    if kind == "campaigns":
        return campaign_phase(value) is not CampaignPhase.UNKNOWN
    return normalize_label(value) in {normalize_label(w) for w in STATUS_WORDS.get(kind, ())}


def _known_type(value: str) -> bool:
    label = normalize_label(value)
    return canonical_content_type(value) is not None or label in {
        normalize_label(w) for w in _CONTENT_KINDS
    }


def filter_problem(kind: str, status: str | None, content_type: str | None) -> str | None:
    """A sentence naming the valid words when --status or --type means nothing for `kind`."""
    if status is not None and not _known_status(kind, status):
        words = ", ".join(STATUS_WORDS.get(kind, ()))
        extra = " (completed means Passed)" if kind in ("enrollments", "overdue") else ""
        return (
            f"--status {status!r} is not a status of {kind}; use one of {words}{extra}, "
            "in any case, with `_` or `-` for spaces."
        )
    if content_type is not None and not _known_type(content_type):
        return (
            f"--type {content_type!r} is not a content type; use one of "
            f"{', '.join(TYPE_WORDS)}, in any case, with `_` or `-` for spaces."
        )
    return None


@dataclass(frozen=True, slots=True)
class RecordFilter:
    """Keeps a record when every given criterion matches it.

    `status` matches by meaning where the word has one: for enrollments "completed",
    "Passed" and "PASSED" are one state, for campaigns "Active" and "In Progress" one
    phase; other words (users' active/archived, a status kb4tui does not know) match the
    status as sent, ignoring case and separators. `content_type` matches a library item's
    type (Training Module, Video, ..., Policy; "quiz" is an Assessment) or its
    `content_type` (Store Purchase, Uploaded Policy).
    """

    status: str | None = None
    content_type: str | None = None

    def __post_init__(self) -> None:
        # Normalise once, not per record.
        if self.status is not None:
            object.__setattr__(self, "status", normalize_label(self.status))
        if self.content_type is not None:
            object.__setattr__(self, "content_type", normalize_label(self.content_type))

    @property
    def is_empty(self) -> bool:
        return self.status is None and self.content_type is None

    def matches(self, record: object) -> bool:
        if self.status is not None and not self._status_matches(record, self.status):
            return False
        return self.content_type is None or self._type_matches(record, self.content_type)

    @staticmethod
    def _status_matches(record: object, wanted: str) -> bool:
        if isinstance(record, Enrollment):
            state = classify(wanted)
            if state is not EnrollmentState.UNKNOWN:
                return classify(record.status) is state
        elif isinstance(record, Campaign):
            phase = campaign_phase(wanted)
            if phase is not CampaignPhase.UNKNOWN:
                return campaign_phase(record.status) is phase
        status = record.status if isinstance(record, Campaign | Enrollment | User) else None
        return status is not None and normalize_label(status) == wanted

    @staticmethod
    def _type_matches(record: object, wanted: str) -> bool:
        if not isinstance(record, StorePurchase | Policy):
            return False
        canonical = canonical_content_type(wanted)
        if canonical is not None and canonical_content_type(record.type_label) == canonical:
            return True
        labels = (record.type_label, record.content_type)
        return any(label and normalize_label(label) == wanted for label in labels)
