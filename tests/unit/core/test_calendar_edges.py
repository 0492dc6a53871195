"""Dates at the edges of the calendar (issue 20 item 15): counting days to 9999-12-31 in a
zone east of UTC, or to 0001-01-01 west of it, never raises, and agrees with the ordinary
count wherever that one works."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb4tui.api.models import Campaign
from kb4tui.core.deadlines import DayCounter, days_left

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ZONES = ["Asia/Tokyo", "Pacific/Kiritimati", "America/New_York", "Pacific/Pago_Pago", "UTC"]


@pytest.mark.parametrize("zone", ZONES)
def test_the_last_and_first_moments_of_the_calendar_are_counted(zone: str) -> None:
    counter = DayCounter(NOW, ZoneInfo(zone))
    last = counter.days_to(datetime.max.replace(tzinfo=UTC))
    first = counter.days_to(datetime.min.replace(tzinfo=UTC))
    today = NOW.astimezone(ZoneInfo(zone)).date()
    assert last - (datetime.max.date() - today).days in (0, 1)
    assert first - (datetime.min.date() - today).days in (-1, 0)


def test_9999_12_31_in_tokyo_is_the_day_after_in_utc() -> None:
    deadline = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    tokyo = days_left(deadline, NOW, ZoneInfo("Asia/Tokyo"))
    assert tokyo == days_left(deadline, NOW, UTC) + 1


@given(
    st.datetimes(min_value=datetime(9999, 12, 1), max_value=datetime(9999, 12, 30, 23, 59, 59)),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_the_edge_count_matches_the_ordinary_one_where_both_work(
    moment: datetime, minutes: int
) -> None:
    zone = timezone(timedelta(minutes=minutes))
    deadline = moment.replace(tzinfo=UTC)
    counter = DayCounter(NOW, zone)
    # Up to 9999-12-30 the local date exists in every zone: days_to counts the usual way.
    assert counter._days_at_calendar_edge(deadline) == counter.days_to(deadline)


def test_a_timestamp_before_the_calendar_in_utc_reads_as_missing() -> None:
    campaign = Campaign.from_api({"campaign_id": 1, "end_date": "0001-01-01T00:00:00+05:00"})
    assert campaign.campaign_id == 1 and campaign.end_date is None
