"""`kb4tui export overdue`: people past due (or due within N days), from kb4tui.core.

Unlike the other kinds this is computed, not streamed: the deadline of an enrollment needs
its campaign, so every campaign and every matching enrollment is read first (as models
only; the raw pages are dropped as they are parsed). Archived users are left out by the
API itself (exclude_archived_users=true), which saves reading the user list.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.compliance import OVERDUE_COLUMNS, OverdueRow, overdue_rows
from kb4tui.exporting.columns import Column
from kb4tui.exporting.filters import RecordFilter
from kb4tui.exporting.reading import read_models
from kb4tui.exporting.runner import RawSource
from kb4tui.exporting.writers import RecordWriter

# user_id, name, email, employee_number, campaign_id, campaign, module, status, deadline,
# days_overdue (negative: days left), enrollment_id. Same keys in JSON.
OVERDUE_CSV_COLUMNS: tuple[Column[OverdueRow], ...] = tuple(
    Column(name, attrgetter(name)) for name in OVERDUE_COLUMNS
)


async def export_overdue(
    source: RawSource,
    writer: RecordWriter,
    *,
    enrollment_params: Mapping[str, Any],
    status: str | None = None,
    within_days: int | None = None,
    now: datetime | None = None,
) -> int:
    """Write the overdue rows; return how many. `status` keeps rows whose enrollment status
    matches, as `--status` does for enrollments (RecordFilter)."""
    # Percentages are not needed here: skip the slow, 10-a-page campaign listing.
    campaigns = await read_models(source, "campaigns", Campaign, exclude_percentages=True)
    enrollments = await read_models(
        source, "enrollments", Enrollment, exclude_archived_users=True, **enrollment_params
    )
    rows = overdue_rows(enrollments, campaigns, now or datetime.now(UTC), within_days)
    if status is not None:
        keep = RecordFilter(status=status)
        rows = [row for row in rows if keep.matches(Enrollment(status=row.status))]
    writer.write([row.as_record() for row in rows], rows)
    writer.finish()
    return writer.records_written
