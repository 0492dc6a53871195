"""Client-side filters: --status and --type, forgiving about case and spelling."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb4tui.api.models import Campaign, Enrollment, Policy, StorePurchase, User

_SEPARATORS = re.compile(r"[\s_\-]+")


def normalize_label(text: str) -> str:
    """`Past Due`, `past_due`, `PAST-DUE` and ` past  due ` all read as `past due`."""
    return _SEPARATORS.sub(" ", text).strip().casefold()


@dataclass(frozen=True, slots=True)
class RecordFilter:
    """Keeps a record when every given criterion matches it.

    `status` compares against the status the API sent (campaign, enrollment, user), so
    unknown statuses can be filtered too. `content_type` matches a library item's type
    (Training Module, Video, ..., Policy) or its `content_type` (Store Purchase, Uploaded
    Policy).
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
        if self.status is not None and not self._status_matches(record):
            return False
        return self.content_type is None or self._type_matches(record)

    def _status_matches(self, record: object) -> bool:
        status = record.status if isinstance(record, Campaign | Enrollment | User) else None
        return status is not None and normalize_label(status) == self.status

    def _type_matches(self, record: object) -> bool:
        if not isinstance(record, StorePurchase | Policy):
            return False
        labels = (record.type_label, record.content_type)
        return any(label and normalize_label(label) == self.content_type for label in labels)
