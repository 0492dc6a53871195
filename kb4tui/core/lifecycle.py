"""Campaign lifecycle (Created -> Scheduled -> Active -> Closed, or Cancelled / Archived)
and how users get enrolled.

The API is seen sending "In Progress", "Completed" and "Closed"; the product lifecycle also
knows Created, Scheduled, Active, Cancelled and Archived. "In Progress" is the API's word for
Active. Unknown values are UNKNOWN and the caller shows the string as sent.
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache

from kb4tui.api.models import Campaign
from kb4tui.core.status import normalise_label

__all__ = [
    "AUTO_ENROLL_TEXT",
    "MANUAL_ENROLL_TEXT",
    "UNKNOWN_ENROLL_TEXT",
    "CampaignPhase",
    "campaign_phase",
    "how_enrolled",
]


class CampaignPhase(Enum):
    CREATED = "Created"
    SCHEDULED = "Scheduled"
    ACTIVE = "Active"
    COMPLETED = "Completed"
    CLOSED = "Closed"
    CANCELLED = "Cancelled"
    ARCHIVED = "Archived"
    UNKNOWN = "Unknown"

    @property
    def label(self) -> str:
        return self.value

    @property
    def is_running(self) -> bool:
        """Users can be working on it now."""
        return self is CampaignPhase.ACTIVE

    @property
    def is_dormant(self) -> bool:
        """Cancelled or archived: it asks nothing more of anyone, whatever its rows say."""
        return self in (CampaignPhase.CANCELLED, CampaignPhase.ARCHIVED)

    @property
    def is_finished(self) -> bool:
        """No further work is expected: completed, closed, cancelled or archived."""
        return self in (
            CampaignPhase.COMPLETED,
            CampaignPhase.CLOSED,
            CampaignPhase.CANCELLED,
            CampaignPhase.ARCHIVED,
        )


_PHASES: dict[str, CampaignPhase] = {
    "created": CampaignPhase.CREATED,
    "draft": CampaignPhase.CREATED,
    "scheduled": CampaignPhase.SCHEDULED,
    "active": CampaignPhase.ACTIVE,
    "inprogress": CampaignPhase.ACTIVE,
    "running": CampaignPhase.ACTIVE,
    "completed": CampaignPhase.COMPLETED,
    "complete": CampaignPhase.COMPLETED,
    "closed": CampaignPhase.CLOSED,
    "ended": CampaignPhase.CLOSED,
    "cancelled": CampaignPhase.CANCELLED,
    "canceled": CampaignPhase.CANCELLED,
    "archived": CampaignPhase.ARCHIVED,
}


def campaign_phase(status: str | Campaign | None) -> CampaignPhase:
    """The lifecycle phase for a campaign or its status string; never raises."""
    if isinstance(status, Campaign):
        status = status.status
    if not status or not isinstance(status, str):
        return CampaignPhase.UNKNOWN
    return _phase_of_text(status)


@lru_cache(maxsize=256)
def _phase_of_text(status: str) -> CampaignPhase:
    return _PHASES.get(normalise_label(status), CampaignPhase.UNKNOWN)


AUTO_ENROLL_TEXT = "Automatic: group membership / new hires"
MANUAL_ENROLL_TEXT = "Manual enrollment only"
UNKNOWN_ENROLL_TEXT = "Not reported by the API"


def how_enrolled(campaign: Campaign) -> str:
    """How users join this campaign, from `auto_enroll` (None when the API omits it)."""
    if campaign.auto_enroll is True:
        return AUTO_ENROLL_TEXT
    if campaign.auto_enroll is False:
        return MANUAL_ENROLL_TEXT
    return UNKNOWN_ENROLL_TEXT
