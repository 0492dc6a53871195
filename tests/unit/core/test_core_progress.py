"""A campaign's daily series: enrolled, started, passed and past due per day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core_factories import NOW, campaign, enrollment, ts

from kb4tui.api.models import Enrollment
from kb4tui.core.progress import (
    MAX_SERIES_DAYS,
    SERIES_COLUMNS,
    LocalDays,
    ProgressSeries,
    progress_series,
)

NEW_YORK = ZoneInfo("America/New_York")
TODAY = date(2026, 2, 20)


def row(enrollment_id: int, status: str, **dates: str | None) -> Enrollment:
    """An enrollment with the given dates ('2026-02-03T10:00' style) and nothing else dated."""
    fields: dict[str, Any] = {"enrollment_date": None, "start_date": None, "completion_date": None}
    fields.update({k: (ts(v) if v else None) for k, v in dates.items()})
    return enrollment(enrollment_id, user_id=enrollment_id, status=status, **fields)


def on(series: ProgressSeries, day: str) -> tuple[int, int, int, int]:
    point = series.point_on(date.fromisoformat(day))
    assert point is not None
    return (point.enrolled, point.started, point.passed, point.past_due)


def test_counts_are_cumulative_per_day_from_the_dates() -> None:
    rows = [
        row(1, "Passed", enrollment_date="2026-02-01T09:00", start_date="2026-02-02T09:00",
            completion_date="2026-02-03T09:00"),
        row(2, "In Progress", enrollment_date="2026-02-01T09:00", start_date="2026-02-05T09:00"),
        row(3, "Not Started", enrollment_date="2026-02-04T09:00"),
    ]  # fmt: skip
    series = progress_series(campaign(start_date=ts("2026-02-01T08:00")), rows, NOW, tz=UTC)
    assert series.first_day == date(2026, 2, 1)
    assert series.today == TODAY and series.points[-1].day == TODAY
    assert len(series.points) == 20
    assert on(series, "2026-02-01") == (2, 0, 0, 0)
    assert on(series, "2026-02-02") == (2, 1, 0, 0)
    assert on(series, "2026-02-03") == (2, 1, 1, 0)
    assert on(series, "2026-02-04") == (3, 1, 1, 0)
    assert on(series, "2026-02-05") == (3, 2, 1, 0)
    assert on(series, "2026-02-20") == (3, 2, 1, 0)


def test_series_starts_at_the_campaign_start_when_it_is_earlier() -> None:
    rows = [row(1, "Not Started", enrollment_date="2026-02-10T09:00")]
    series = progress_series(campaign(start_date=ts("2026-02-08T00:00")), rows, NOW, tz=UTC)
    assert series.first_day == date(2026, 2, 8)
    assert on(series, "2026-02-09") == (0, 0, 0, 0)
    assert series.point_on(date(2026, 2, 7)) is None


def test_a_campaign_not_started_yet_has_no_series() -> None:
    scheduled = campaign(status="Scheduled", start_date=ts("2026-03-01T09:00"))
    series = progress_series(scheduled, [], NOW, tz=UTC)
    assert series.is_empty and series.last is None and series.first_day is None
    assert series.records() == []


def test_a_campaign_with_no_completions_has_a_flat_passed_line() -> None:
    rows = [row(i, "Not Started", enrollment_date="2026-02-10T09:00") for i in range(5)]
    series = progress_series(campaign(), rows, NOW, tz=UTC)
    assert {p.passed for p in series.points} == {0}
    assert series.points[-1].enrolled == 5


def test_all_done() -> None:
    rows = [
        row(i, "Passed", enrollment_date="2026-02-01T09:00", completion_date=f"2026-02-0{i}T12:00")
        for i in range(1, 6)
    ]
    series = progress_series(campaign(), rows, NOW, tz=UTC)
    assert series.points[-1].passed == series.points[-1].enrolled == 5
    assert on(series, "2026-02-03")[2] == 3


def test_days_are_dated_in_the_viewers_zone() -> None:
    # 02:00 UTC on the 10th is still the 9th in New York.
    rows = [
        row(1, "Passed", enrollment_date="2026-02-09T15:00", completion_date="2026-02-10T02:00")
    ]
    in_utc = progress_series(campaign(), rows, NOW, tz=UTC)
    in_new_york = progress_series(campaign(), rows, NOW, tz=NEW_YORK)
    assert on(in_utc, "2026-02-09")[2] == 0
    assert on(in_new_york, "2026-02-09")[2] == 1


def test_local_days_agree_with_astimezone_across_dst_and_odd_offsets() -> None:
    zones = [ZoneInfo(n) for n in ("America/New_York", "Asia/Kathmandu", "Pacific/Chatham")]
    start = datetime(2026, 3, 7, tzinfo=UTC)
    for zone in zones:
        days = LocalDays(zone)
        for minutes in range(0, 3 * 24 * 60, 7):
            moment = start + timedelta(minutes=minutes)
            assert days.of(moment) == moment.astimezone(zone).date().toordinal(), (zone, moment)


def test_missing_dates_never_drop_a_row_and_never_count_in_the_pace() -> None:
    rows = [
        # Passed with no completion date: counted from its latest known date, undated.
        row(1, "Passed", enrollment_date="2026-02-01T09:00", start_date="2026-02-12T09:00"),
        # No enrollment date: enrolled from its earliest known date (here its start).
        row(2, "In Progress", start_date="2026-02-15T09:00"),
        # No date at all: counted on the first day.
        row(3, "Not Started"),
        row(4, "Passed"),
        # In Progress without a start date: started from its latest known date.
        row(5, "In Progress", enrollment_date="2026-02-05T09:00"),
    ]
    series = progress_series(campaign(start_date=ts("2026-02-01T08:00")), rows, NOW, tz=UTC)
    assert series.undated_passed == 2
    assert series.undated_rows == 2
    assert on(series, "2026-02-01") == (3, 1, 1, 0)  # rows 1, 3, 4; row 4 undated, passed
    assert on(series, "2026-02-05") == (4, 2, 1, 0)
    assert on(series, "2026-02-12") == (4, 3, 2, 0)
    assert on(series, "2026-02-15") == (5, 4, 2, 0)
    assert series.dated_passed[-1] == 0


def test_garbage_dates_from_the_api_are_missing_dates() -> None:
    hostile = Enrollment.from_api(
        {
            "enrollment_id": 1,
            "campaign_id": 1,
            "status": "Passed",
            "enrollment_date": "yesterday",
            "start_date": 12,
            "completion_date": {"$date": "2026-02-03"},
        }
    )
    series = progress_series(campaign(), [hostile], NOW, tz=UTC)
    assert series.points[-1].passed == 1
    assert series.undated_passed == 1


def test_dates_after_now_count_today() -> None:
    rows = [
        row(1, "Passed", enrollment_date="2026-02-18T09:00", completion_date="2026-03-01T09:00")
    ]
    series = progress_series(campaign(), rows, NOW, tz=UTC)
    assert series.points[-1].day == TODAY
    assert on(series, "2026-02-19")[2] == 0
    assert on(series, "2026-02-20")[2] == 1


def test_a_date_decades_ago_cannot_make_a_huge_series() -> None:
    rows = [
        row(1, "Passed", enrollment_date="1970-01-01T00:00", completion_date="1970-01-02T00:00"),
        row(2, "Not Started", enrollment_date="2026-02-10T00:00"),
    ]
    series = progress_series(campaign(start_date=None), rows, NOW, tz=UTC)
    assert len(series.points) == MAX_SERIES_DAYS
    assert series.points[0].passed == 1 and series.points[0].enrolled == 1


def test_exempted_rows_are_done_but_never_started_passed_or_past_due() -> None:
    rows = [row(1, "Exempted", enrollment_date="2026-02-01T09:00")]
    series = progress_series(campaign(end_date=ts("2026-02-10T00:00")), rows, NOW, tz=UTC)
    last = series.points[-1]
    assert (last.enrolled, last.started, last.passed, last.past_due, last.exempted) == (
        1,
        0,
        0,
        0,
        1,
    )
    assert last.done == 1


def test_unknown_statuses_are_enrolled_only() -> None:
    rows = [row(1, "Failed", enrollment_date="2026-02-01T09:00")]
    series = progress_series(campaign(end_date=ts("2026-02-10T00:00")), rows, NOW, tz=UTC)
    assert on(series, "2026-02-20") == (1, 0, 0, 0)


def test_past_due_over_time_is_derived_from_the_deadline_and_the_completion() -> None:
    due = campaign(end_date=ts("2026-02-10T12:00"))
    rows = [
        row(1, "Not Started", enrollment_date="2026-02-01T09:00"),
        # Completed after the deadline: past due from the 10th until the 14th.
        row(2, "Passed", enrollment_date="2026-02-01T09:00", completion_date="2026-02-14T09:00"),
        # Completed on time: never past due.
        row(3, "Passed", enrollment_date="2026-02-01T09:00", completion_date="2026-02-09T09:00"),
        # Status Past Due: counted by its deadline like the others.
        row(4, "Past Due", enrollment_date="2026-02-01T09:00"),
    ]
    series = progress_series(due, rows, NOW, tz=UTC)
    assert on(series, "2026-02-09")[3] == 0
    assert on(series, "2026-02-10")[3] == 3
    assert on(series, "2026-02-13")[3] == 3
    assert on(series, "2026-02-14")[3] == 2
    assert on(series, "2026-02-20")[3] == 2


def test_a_deadline_later_today_is_not_past_yet() -> None:
    due_tonight = campaign(end_date=ts("2026-02-20T23:00"))  # NOW is 15:00 on the 20th
    rows = [row(1, "Not Started", enrollment_date="2026-02-01T09:00")]
    assert progress_series(due_tonight, rows, NOW, tz=UTC).points[-1].past_due == 0
    due_this_morning = campaign(end_date=ts("2026-02-20T09:00"))
    assert progress_series(due_this_morning, rows, NOW, tz=UTC).points[-1].past_due == 1


def test_cancelled_and_archived_campaigns_have_no_past_due() -> None:
    rows = [row(1, "Not Started", enrollment_date="2026-02-01T09:00")]
    for status in ("Cancelled", "Archived"):
        dormant = campaign(status=status, end_date=ts("2026-02-10T00:00"))
        series = progress_series(dormant, rows, NOW, tz=UTC)
        assert {p.past_due for p in series.points} == {0}


def test_relative_durations_give_per_enrollment_deadlines_and_their_spread() -> None:
    two_weeks = campaign(end_date=None, relative_duration="2 weeks")
    rows = [
        row(1, "Not Started", enrollment_date="2026-01-20T10:00"),  # due 02-03
        row(2, "Passed", enrollment_date="2026-01-25T10:00", completion_date="2026-02-12T10:00"),
        row(3, "In Progress", enrollment_date="2026-02-15T10:00"),  # due 03-01
        row(4, "Passed", enrollment_date="2026-02-18T10:00", completion_date="2026-02-19T10:00"),
        row(5, "Not Started"),  # no enrollment date: no deadline known
    ]
    series = progress_series(two_weeks, rows, NOW, tz=UTC)
    spread = series.deadlines
    assert spread is not None and spread.relative and not spread.is_single
    assert spread.earliest == datetime(2026, 2, 3, 10, tzinfo=UTC)
    assert spread.latest == datetime(2026, 3, 4, 10, tzinfo=UTC)
    # The deadline ahead of those still owing work: row 3's, not row 4's (done).
    assert series.open_deadline == datetime(2026, 3, 1, 10, tzinfo=UTC)
    # Row 1 is past due from 02-03; row 2 from 02-08 until it completed on 02-12.
    assert on(series, "2026-02-02")[3] == 0
    assert on(series, "2026-02-03")[3] == 1
    assert on(series, "2026-02-08")[3] == 2
    assert on(series, "2026-02-12")[3] == 1


def test_a_campaign_end_date_is_one_deadline_for_everyone() -> None:
    ends = campaign(end_date=ts("2026-02-27T04:59"))
    series = progress_series(ends, [row(1, "Not Started", enrollment_date="2026-02-01T09:00")], NOW)
    spread = series.deadlines
    assert spread is not None and spread.is_single and not spread.relative
    assert series.open_deadline == datetime(2026, 2, 27, 4, 59, tzinfo=UTC)


def test_no_campaign_means_no_deadline() -> None:
    rows = [row(1, "Not Started", enrollment_date="2026-02-01T09:00")]
    series = progress_series(None, rows, NOW, tz=UTC)
    assert series.deadlines is None and series.open_deadline is None
    assert series.points[-1].past_due == 0


def test_records_are_the_export_columns() -> None:
    rows = [
        row(1, "Passed", enrollment_date="2026-02-19T09:00", completion_date="2026-02-20T09:00")
    ]
    series = progress_series(campaign(start_date=None), rows, NOW, tz=UTC)
    assert series.records() == [
        {"date": "2026-02-19", "enrolled": 1, "started": 0, "passed": 0, "past_due": 0},
        {"date": "2026-02-20", "enrolled": 1, "started": 1, "passed": 1, "past_due": 0},
    ]
    assert tuple(series.records()[0]) == SERIES_COLUMNS


def test_naive_timestamps_are_read_as_utc() -> None:
    rows = [row(1, "Not Started", enrollment_date="2026-02-19T23:30")]
    naive_now = NOW.replace(tzinfo=None)
    series = progress_series(campaign(start_date=None), rows, naive_now, tz=UTC)
    assert series.first_day == date(2026, 2, 19)


def test_nobody_is_past_due_before_they_are_enrolled() -> None:
    # A row dated only by its start counts as enrolled from then, and late from then too.
    due = campaign(end_date=ts("2026-02-05T12:00"))
    rows = [row(1, "In Progress", start_date="2026-02-08T09:00")]
    series = progress_series(due, rows, NOW, tz=UTC)
    assert series.first_day == date(2026, 1, 12)  # the campaign's start
    assert on(series, "2026-02-07") == (0, 0, 0, 0)
    assert on(series, "2026-02-08") == (1, 1, 0, 1)


def test_timestamps_at_the_edge_of_the_calendar_do_not_overflow() -> None:
    # Year 9999 in UTC is year 10000 east of Greenwich: datetime cannot hold it.
    chatham = ZoneInfo("Pacific/Chatham")
    edge = campaign(start_date="9999-12-31T23:59:59.000Z", end_date="9999-12-31T23:59:59.000Z")
    rows = [row(1, "Not Started", enrollment_date="2026-02-01T09:00")]
    series = progress_series(edge, rows, NOW, tz=chatham)
    assert series.points[-1].enrolled == 1
    early = campaign(start_date="0001-01-01T00:00:00.000Z")
    assert progress_series(early, rows, NOW, tz=NEW_YORK).points[-1].enrolled == 1
