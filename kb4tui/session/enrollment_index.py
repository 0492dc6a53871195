"""`EnrollmentIndex`: the all-enrollments list by campaign, user and store purchase."""

from __future__ import annotations

from dataclasses import dataclass

from kb4tui.api.models import Enrollment
from kb4tui.session.enrollment_query import EnrollmentQuery

__all__ = ["EnrollmentIndex", "users_of"]


def users_of(rows: list[Enrollment]) -> dict[int, Enrollment]:
    """One row per user id (its first)."""
    users: dict[int, Enrollment] = {}
    for row in rows:
        if row.user_id is not None:
            users.setdefault(row.user_id, row)
    return users


@dataclass(frozen=True, slots=True)
class EnrollmentIndex:
    """Built once per list (in a worker thread), so that a cursor move or the palette need
    not scan 100,000 rows."""

    by_campaign: dict[int, list[Enrollment]]
    by_user: dict[int, list[Enrollment]]
    by_purchase: dict[int, list[Enrollment]]
    # One row per user id (its first): the palette's "User: ..." entries.
    users: dict[int, Enrollment]

    @classmethod
    def build(cls, rows: list[Enrollment]) -> EnrollmentIndex:
        by_campaign: dict[int, list[Enrollment]] = {}
        by_user: dict[int, list[Enrollment]] = {}
        by_purchase: dict[int, list[Enrollment]] = {}
        for row in rows:
            if row.campaign_id is not None:
                by_campaign.setdefault(row.campaign_id, []).append(row)
            if row.user_id is not None:
                by_user.setdefault(row.user_id, []).append(row)
            if row.store_purchase_id is not None:
                by_purchase.setdefault(row.store_purchase_id, []).append(row)
        users = {user_id: found[0] for user_id, found in by_user.items()}
        return cls(by_campaign, by_user, by_purchase, users)

    def candidates(self, query: EnrollmentQuery) -> list[Enrollment] | None:
        """The rows `query` can only be among (still to be matched); None: no index fits."""
        if query.campaign_id is not None:
            return self.by_campaign.get(query.campaign_id, [])
        if query.user_id is not None:
            return self.by_user.get(query.user_id, [])
        if query.store_purchase_id is not None:
            return self.by_purchase.get(query.store_purchase_id, [])
        return None
