"""What the Compliance pane's three tables show, computed in one go from fetched data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from kb4tui.api.models import Campaign, ContentItem, Enrollment, StorePurchase
from kb4tui.core.compliance import (
    ContentRisk,
    DeadlineRow,
    PersonAtRisk,
    content_at_risk,
    deadline_rows,
    people_at_risk,
)
from kb4tui.core.forecast import progress_of_campaigns

__all__ = ["CONTENT_WITHIN_DAYS", "ComplianceRows", "compute_rows", "preview_deadlines"]

# Store purchases retiring within this many days are content at risk.
CONTENT_WITHIN_DAYS = 30


def _has_deadline(row: DeadlineRow) -> bool:
    """An end date or a relative duration was sent (parseable or not)."""
    return row.campaign.end_date is not None or bool(row.campaign.relative_duration)


@dataclass(frozen=True, slots=True)
class ComplianceRows:
    deadlines: list[DeadlineRow]
    without_deadline: int
    people: list[PersonAtRisk]
    within_days: int
    content: list[ContentRisk]


def compute_rows(
    campaigns: Sequence[Campaign],
    enrollments: Sequence[Enrollment],
    library: Sequence[ContentItem],
    now: datetime,
    tz: tzinfo,
    within_days: int,
) -> ComplianceRows:
    """Deadlines (campaigns with one, with the forecast at the deadline), people at risk
    within `within_days`, and store purchases retired or retiring within 30 days. Pure:
    runs in a thread."""
    every = deadline_rows(campaigns, enrollments, now, tz=tz)
    with_deadline = [row for row in every if _has_deadline(row)]
    # The forecast at the deadline (from the same enrollments: no request of its own).
    forecasts = {
        id(p.campaign): p.forecast
        for p in progress_of_campaigns(campaigns, enrollments, now, tz=tz)
    }
    for row in with_deadline:
        row.forecast = forecasts.get(id(row.campaign))
    people = people_at_risk(enrollments, campaigns, now, within_days, tz=tz)
    purchases = [item for item in library if isinstance(item, StorePurchase)]
    content = content_at_risk(purchases, campaigns, now, CONTENT_WITHIN_DAYS, tz=tz)
    return ComplianceRows(
        with_deadline, len(every) - len(with_deadline), people, within_days, content
    )


def preview_deadlines(
    campaigns: Sequence[Campaign], now: datetime, tz: tzinfo
) -> list[DeadlineRow]:
    """The deadline rows the campaigns alone give (status, end date, days, the API's done %);
    cheap: no enrollment is looked at."""
    return [row for row in deadline_rows(campaigns, (), now, tz=tz) if _has_deadline(row)]
