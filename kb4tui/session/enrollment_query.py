"""`EnrollmentQuery`: which enrollments a view asks for (a campaign's, a user's, a store
purchase's or a policy's), what the API can filter for it, and its cache kind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kb4tui.api.models import Enrollment

__all__ = ["ENROLLMENT_FILTERS", "EnrollmentQuery"]

# What every enrollment listing asks for: which campaign and module each row belongs to,
# and no archived users (they are not anyone's to chase).
ENROLLMENT_FILTERS: dict[str, Any] = {
    "exclude_archived_users": True,
    "include_campaign_id": True,
    "include_store_purchase_id": True,
}


@dataclass(frozen=True, slots=True)
class EnrollmentQuery:
    """Which enrollments: of one campaign, one user, one store purchase or one policy.

    `module_name` lets a policy (which the API cannot filter by) match rows that carry
    no policy id.
    """

    campaign_id: int | None = None
    user_id: int | None = None
    store_purchase_id: int | None = None
    policy_id: int | None = None
    module_name: str | None = None

    @property
    def memo_key(self) -> str:
        return (
            f"enrollments:c={self.campaign_id}:u={self.user_id}:"
            f"s={self.store_purchase_id}:p={self.policy_id}:m={self.module_name}"
        )

    @property
    def api_filters(self) -> dict[str, Any]:
        """The listing's query parameters (the ids the API itself can filter by)."""
        return {
            **ENROLLMENT_FILTERS,
            "campaign_id": self.campaign_id,
            "user_id": self.user_id,
            "store_purchase_id": self.store_purchase_id,
        }

    @property
    def needs_all(self) -> bool:
        """Policies and module names cannot be filtered by the API: such a query is
        answered from all enrollments."""
        return (
            self.campaign_id is None
            and self.user_id is None
            and self.store_purchase_id is None
            and (self.policy_id is not None or self.module_name is not None)
        )

    @property
    def cache_kind(self) -> str | None:
        """The cache kind of a query the API filters by one id (None: not cached alone)."""
        ids = [
            (label, value)
            for label, value in (
                ("campaign", self.campaign_id),
                ("user", self.user_id),
                ("store_purchase", self.store_purchase_id),
            )
            if value is not None
        ]
        if len(ids) != 1:
            return None
        label, value = ids[0]
        return f"enrollments:{label}={value}"

    def matches(self, row: Enrollment) -> bool:
        if self.campaign_id is not None and row.campaign_id != self.campaign_id:
            return False
        if self.user_id is not None and row.user_id != self.user_id:
            return False
        if self.store_purchase_id is not None and row.store_purchase_id != self.store_purchase_id:
            return False
        if self.policy_id is not None or (
            self.module_name is not None and self.store_purchase_id is None
        ):
            by_id = self.policy_id is not None and row.policy_id == self.policy_id
            by_name = self.module_name is not None and row.module == self.module_name
            return by_id or by_name
        return True
