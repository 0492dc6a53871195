"""`kb4tui export progress --campaign ID`: the daily series a campaign's chart is drawn from.

Computed, like `overdue`: the campaign (for its start, deadline and status) and its
enrollments of active users (`exclude_archived_users=true`, as the TUI shows them) are read
whole, then kb4tui.core.progress rebuilds one row a day from the enrollments' dates: date,
enrolled, started, passed, past_due (derived: deadline passed and not completed by then).
Days are calendar dates in the local time zone ($TZ), as in the TUI.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from operator import attrgetter

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.clock import local_timezone, utc_now
from kb4tui.core.progress import SERIES_COLUMNS, DayPoint, progress_series
from kb4tui.exporting.columns import Column
from kb4tui.exporting.kinds import enrollment_params
from kb4tui.exporting.reading import read_models
from kb4tui.exporting.runner import RawSource
from kb4tui.exporting.writers import RecordWriter

# date (YYYY-MM-DD), enrolled, started, passed, past_due. Same keys in JSON.
PROGRESS_CSV_COLUMNS: tuple[Column[DayPoint], ...] = tuple(
    Column(name, attrgetter("day" if name == "date" else name)) for name in SERIES_COLUMNS
)


async def export_progress(
    source: RawSource,
    open_writer: Callable[[], RecordWriter],
    *,
    campaign_id: int,
    now: datetime | None = None,
    tz: tzinfo | None = None,
) -> int:
    """Write the campaign's daily series, oldest day first; return how many days. A campaign
    with no enrollments yet has none (a CSV header alone). The writer is opened only once
    everything is read, so an unknown id (NotFoundError) leaves stdout empty."""
    campaign = Campaign.from_api(await source.get_raw("campaigns", campaign_id))
    enrollments = await read_models(
        source,
        "enrollments",
        Enrollment,
        exclude_archived_users=True,
        **enrollment_params({"campaign": campaign_id}),
    )
    series = progress_series(
        campaign, enrollments, now or utc_now(), tz=tz if tz is not None else local_timezone()
    )
    writer = open_writer()
    writer.write(series.records(), series.points)
    writer.finish()
    return writer.records_written
