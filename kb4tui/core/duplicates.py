"""Duplicate enrollments: the same user holding the same module more than once.

It happens when several campaigns carry the same content, or when a campaign allows
multiple enrollments (retakes). Enrollments with a null user are skipped: with no user we
cannot say two rows are the same person.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from kb4tui.api.models import Enrollment
from kb4tui.core.content import ModuleKey, module_key

__all__ = ["DuplicateKey", "find_duplicates", "most_relevant"]

# (user id, module key)
DuplicateKey = tuple[int, ModuleKey]


def find_duplicates(enrollments: Iterable[Enrollment]) -> dict[DuplicateKey, list[Enrollment]]:
    """Every (user, module) held more than once, with its enrollments in input order."""
    groups: dict[DuplicateKey, list[Enrollment]] = {}
    for enrollment in enrollments:
        user_id = enrollment.user_id
        module = module_key(enrollment)
        if user_id is None or module is None:
            continue
        groups.setdefault((user_id, module), []).append(enrollment)
    return {key: rows for key, rows in groups.items() if len(rows) > 1}


_EPOCH = datetime.min.replace(tzinfo=UTC)


def most_relevant(enrollments: Sequence[Enrollment]) -> Enrollment | None:
    """The enrollment that best describes a user's standing on a module: the latest
    completion, then the latest start, then the latest enrollment (as JupiterOne does)."""
    if not enrollments:
        return None
    return max(
        enrollments,
        key=lambda e: (
            e.completion_date or _EPOCH,
            e.start_date or _EPOCH,
            e.enrollment_date or _EPOCH,
        ),
    )
