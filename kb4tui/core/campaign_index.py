"""Finding an enrollment's campaign, and its deadline, in O(1).

Enrollments carry `campaign_id` only when fetched with include_campaign_id=true; otherwise
we match `campaign_name`. A name shared by two campaigns is ambiguous and matches neither:
a wrong campaign would mean a wrong deadline, and "no deadline known" is the honest answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.deadlines import enrollment_deadline

__all__ = ["CampaignIndex", "campaign_key"]


def _name_key(name: str | None) -> str:
    return (name or "").strip().casefold()


def campaign_key(enrollment: Enrollment) -> int | str:
    """A grouping key for the enrollment's campaign: its id, else its (casefolded) name."""
    if enrollment.campaign_id is not None:
        return enrollment.campaign_id
    return _name_key(enrollment.campaign_name)


class CampaignIndex:
    """Campaigns by id and by unique name."""

    __slots__ = ("_by_id", "_by_name", "campaigns")

    def __init__(self, campaigns: Iterable[Campaign]) -> None:
        self.campaigns: list[Campaign] = list(campaigns)
        self._by_id: dict[int, Campaign] = {}
        self._by_name: dict[str, Campaign | None] = {}
        for campaign in self.campaigns:
            if campaign.campaign_id is not None:
                self._by_id.setdefault(campaign.campaign_id, campaign)
            name = _name_key(campaign.name)
            if name:
                # None marks a name two campaigns share.
                self._by_name[name] = None if name in self._by_name else campaign

    def campaign_for(self, enrollment: Enrollment) -> Campaign | None:
        if enrollment.campaign_id is not None:
            found = self._by_id.get(enrollment.campaign_id)
            if found is not None:
                return found
        name = _name_key(enrollment.campaign_name)
        return self._by_name.get(name) if name else None

    def by_id(self, campaign_id: int) -> Campaign | None:
        return self._by_id.get(campaign_id)

    def deadline_for(
        self, enrollment: Enrollment, campaign: Campaign | None = None
    ) -> datetime | None:
        """`deadlines.enrollment_deadline` with the campaign looked up when not given."""
        return enrollment_deadline(enrollment, campaign or self.campaign_for(enrollment))
