"""The forecast: completion expected at the deadline, when 95% and 100% are reached, stalls."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from core_factories import NOW, campaign, enrollment, ts

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.forecast import (
    MAX_FORECAST_DAYS,
    Forecast,
    Outlook,
    campaign_progress,
    format_percent,
    progress_of_campaigns,
)

TODAY = date(2026, 2, 20)


def row(enrollment_id: int, status: str, campaign_id: int = 1, **dates: str | None) -> Enrollment:
    fields: dict[str, Any] = {"enrollment_date": None, "start_date": None, "completion_date": None}
    fields.update({k: (ts(v) if v else None) for k, v in dates.items()})
    return enrollment(
        enrollment_id, user_id=enrollment_id, status=status, campaign_id=campaign_id, **fields
    )


def predict(c: Campaign, rows: list[Enrollment], now: datetime = NOW) -> Forecast:
    return campaign_progress(c, rows, now, tz=UTC).forecast


def hand_computed_rows() -> list[Enrollment]:
    """20 enrolled on Feb 1: 4 passed on Feb 3, 7 passed between Feb 10 and Feb 19 (inside the
    14-day window, which starts after the end of Feb 6), 1 exempted, 8 still to do."""
    rows = [
        row(i, "Passed", enrollment_date="2026-02-01T09:00", completion_date="2026-02-03T10:00")
        for i in range(1, 5)
    ]
    rows += [
        row(
            i,
            "Passed",
            enrollment_date="2026-02-01T09:00",
            completion_date=f"2026-02-{i + 5}T10:00",
        )
        for i in range(5, 12)
    ]  # Feb 10 .. Feb 16
    rows.append(row(12, "Exempted", enrollment_date="2026-02-01T09:00"))
    rows += [row(i, "Not Started", enrollment_date="2026-02-01T09:00") for i in range(13, 21)]
    return rows


def test_hand_computed_forecast() -> None:
    # done = 4 + 7 + 1 = 12 of 20; pace = 7 completions / 14 days = 0.5 a day.
    # Deadline Mar 2 is 10 days after today: 12 + 0.5 x 10 = 17 of 20 = 85%.
    # 95% needs 19: (19 - 12) / 0.5 = 14 days -> Mar 6. 100% needs 20: 16 days -> Mar 8.
    due = campaign(end_date=ts("2026-03-02T23:59"))
    f = predict(due, hand_computed_rows())
    assert (f.enrolled, f.done, f.remaining) == (20, 12, 8)
    assert (f.window_days, f.completed_in_window) == (14, 7)
    assert f.pace_per_day == pytest.approx(0.5)
    assert f.deadline_day == date(2026, 3, 2) and not f.deadline_passed
    assert f.expected_at_deadline == pytest.approx(85.0)
    ninety_five, hundred = f.targets
    assert (ninety_five.percent, ninety_five.day, ninety_five.reached) == (
        95,
        date(2026, 3, 6),
        False,
    )
    assert (hundred.percent, hundred.day, hundred.reached) == (100, date(2026, 3, 8), False)
    assert f.outlook is Outlook.BEHIND and not f.stalling
    assert f.percent_now == pytest.approx(60.0)
    assert f.sentence() == (
        "Pace of the last 14 days: 7 completed, 0.5 a day. "
        "The deadline 2026-03-02: 85% expected. 95% by 2026-03-06; 100% by 2026-03-08."
    )
    assert f.at_deadline_text() == "85%"


def test_on_track_and_nearly_there() -> None:
    rows = hand_computed_rows()
    on_track = predict(campaign(end_date=ts("2026-03-10T12:00")), rows)  # 18 days: 12 + 9
    assert on_track.expected_at_deadline == pytest.approx(100.0)
    assert on_track.outlook is Outlook.ON_TRACK
    nearly = predict(campaign(end_date=ts("2026-03-06T12:00")), rows)  # 14 days: 19 of 20
    assert nearly.expected_at_deadline == pytest.approx(95.0)
    assert nearly.outlook is Outlook.CLOSE


def test_a_campaign_with_no_completions_has_a_pace_of_zero() -> None:
    rows = [row(i, "Not Started", enrollment_date="2026-01-20T09:00") for i in range(1, 11)]
    f = predict(campaign(start_date=ts("2026-01-20T08:00")), rows)
    assert f.completed_in_window == 0 and f.pace_per_day == 0
    assert [t.day for t in f.targets] == [None, None]
    assert f.expected_at_deadline == pytest.approx(0.0)
    assert "95% not at this pace; 100% not at this pace." in f.sentence()
    assert f.stalling and f.outlook is Outlook.STALLING


def test_a_pace_of_zero_after_earlier_progress_keeps_todays_figure_at_the_deadline() -> None:
    rows = [
        row(1, "Passed", enrollment_date="2026-01-13T09:00", completion_date="2026-01-14T09:00"),
        row(2, "Not Started", enrollment_date="2026-01-13T09:00"),
    ]
    f = predict(campaign(), rows)
    assert f.pace_per_day == 0
    assert f.expected_at_deadline == pytest.approx(50.0)
    assert f.target(100) is not None and f.target(100).day is None  # type: ignore[union-attr]
    assert f.sentence().startswith("Pace of the last 14 days: no completions.")


def test_all_done_says_since_when() -> None:
    rows = [
        row(1, "Passed", enrollment_date="2026-02-01T09:00", completion_date="2026-02-03T09:00"),
        row(2, "Passed", enrollment_date="2026-02-01T09:00", completion_date="2026-02-05T09:00"),
        row(3, "Exempted", enrollment_date="2026-02-01T09:00"),
    ]
    f = predict(campaign(), rows)
    assert f.outlook is Outlook.DONE and f.remaining == 0
    assert [(t.day, t.reached) for t in f.targets] == [
        (date(2026, 2, 5), True),
        (date(2026, 2, 5), True),
    ]
    assert f.sentence() == "Done: 100% since 2026-02-05."
    assert not f.stalling


def test_a_target_met_once_then_lost_to_new_enrollments_counts_from_when_it_held_again() -> None:
    rows = [
        row(1, "Passed", enrollment_date="2026-02-01T09:00", completion_date="2026-02-02T09:00"),
        row(2, "Passed", enrollment_date="2026-02-10T09:00", completion_date="2026-02-12T09:00"),
    ]
    f = predict(campaign(), rows)
    assert f.target(100) is not None
    assert f.target(100).day == date(2026, 2, 12)  # type: ignore[union-attr]


def test_a_campaign_not_started_yet_has_nothing_to_forecast() -> None:
    scheduled = campaign(status="Scheduled", start_date=ts("2026-03-01T09:00"))
    f = predict(scheduled, [])
    assert f.outlook is Outlook.NO_ENROLLMENTS
    assert f.targets == () and f.expected_at_deadline is None and f.percent_now is None
    assert f.sentence() == "No enrollments yet: nothing to forecast."
    assert f.at_deadline_text() == ""


def test_a_campaign_started_days_ago_with_no_completion_is_too_early_to_judge() -> None:
    fresh = campaign(start_date=ts("2026-02-18T09:00"), end_date=ts("2026-03-20T00:00"))
    rows = [row(i, "Not Started", enrollment_date="2026-02-18T09:00") for i in range(1, 6)]
    f = predict(fresh, rows)
    assert f.window_days == 2
    assert f.outlook is Outlook.TOO_EARLY and not f.stalling
    assert f.sentence() == "Too early to tell: no completions yet. The deadline is 2026-03-20."
    assert f.at_deadline_text() == ""


def test_a_young_campaign_measures_its_pace_over_the_days_it_has() -> None:
    young = campaign(start_date=ts("2026-02-15T09:00"), end_date=ts("2026-03-20T00:00"))
    rows = [
        row(1, "Passed", enrollment_date="2026-02-15T09:00", completion_date="2026-02-16T09:00"),
        row(2, "Passed", enrollment_date="2026-02-15T09:00", completion_date="2026-02-19T09:00"),
        row(3, "Not Started", enrollment_date="2026-02-15T09:00"),
    ]
    f = predict(young, rows)
    assert f.window_days == 5 and f.completed_in_window == 2
    assert f.sentence().startswith("Pace of the last 5 days: 2 completed, 0.4 a day.")


def test_a_campaign_started_today_has_a_one_day_window() -> None:
    today = campaign(start_date=ts("2026-02-20T09:00"))
    rows = [
        row(1, "Passed", enrollment_date="2026-02-20T09:00", completion_date="2026-02-20T10:00"),
        row(2, "Not Started", enrollment_date="2026-02-20T09:00"),
    ]
    f = predict(today, rows)
    assert f.window_days == 1 and f.completed_in_window == 1
    assert f.target(100) is not None
    assert f.target(100).day == date(2026, 2, 21)  # type: ignore[union-attr]


def test_completions_without_a_date_are_done_but_not_pace() -> None:
    rows = [
        row(1, "Passed", enrollment_date="2026-02-15T09:00"),
        row(2, "Passed", enrollment_date="2026-02-16T09:00"),
        row(3, "Not Started", enrollment_date="2026-02-16T09:00"),
    ]
    f = predict(campaign(), rows)
    assert f.done == 2 and f.completed_in_window == 0


def test_a_missed_deadline_reports_what_was_done_by_its_end() -> None:
    past = campaign(end_date=ts("2026-02-10T12:00"))
    rows = [
        row(1, "Passed", enrollment_date="2026-02-01T09:00", completion_date="2026-02-05T09:00"),
        row(2, "Passed", enrollment_date="2026-02-01T09:00", completion_date="2026-02-15T09:00"),
        row(3, "Not Started", enrollment_date="2026-02-01T09:00"),
        row(4, "Past Due", enrollment_date="2026-02-01T09:00"),
    ]
    f = predict(past, rows)
    assert f.deadline_passed and f.outlook is Outlook.MISSED
    assert f.expected_at_deadline == pytest.approx(25.0)
    assert "The deadline 2026-02-10 passed at 25%." in f.sentence()
    assert f.at_deadline_text() == "was 25%"


def test_no_deadline_known() -> None:
    open_ended = campaign(end_date=None, relative_duration=None)
    f = predict(open_ended, hand_computed_rows())
    assert f.deadline is None and f.expected_at_deadline is None
    assert f.outlook is Outlook.NO_DEADLINE
    assert f.at_deadline_text() == ""
    assert "deadline" not in f.sentence().lower()


def test_relative_durations_forecast_for_the_last_open_deadline() -> None:
    two_weeks = campaign(end_date=None, relative_duration="2 weeks")
    rows = [
        row(1, "Passed", enrollment_date="2026-02-02T10:00", completion_date="2026-02-10T10:00"),
        row(2, "Passed", enrollment_date="2026-02-09T10:00", completion_date="2026-02-12T10:00"),
        row(3, "In Progress", enrollment_date="2026-02-13T10:00"),  # due 02-27
        row(4, "Not Started", enrollment_date="2026-02-11T10:00"),  # due 02-25
    ]
    f = predict(two_weeks, rows)
    assert f.relative and f.deadline_day == date(2026, 2, 27)
    # 2 completions in 14 days; 7 days to go: 2 + 1 = 3 of 4.
    assert f.expected_at_deadline == pytest.approx(75.0)
    assert "The last open deadline 2026-02-27: 75% expected." in f.sentence()


def test_stalling_needs_a_campaign_old_enough_unfinished_and_with_work_left() -> None:
    rows = [row(i, "Not Started", enrollment_date="2026-01-20T09:00") for i in range(1, 6)]
    assert predict(campaign(start_date=ts("2026-01-20T09:00")), rows).stalling
    young = campaign(start_date=ts("2026-02-10T09:00"))
    young_rows = [row(i, "Not Started", enrollment_date="2026-02-10T09:00") for i in range(1, 6)]
    assert not predict(young, young_rows).stalling
    closed = campaign(status="Closed", start_date=ts("2026-01-20T09:00"))
    assert not predict(closed, rows).stalling


def test_stalling_means_under_one_percent_of_the_open_work_in_the_window() -> None:
    start = datetime(2026, 1, 10, 9, tzinfo=UTC)
    c = campaign(start_date=ts("2026-01-10T09:00"), end_date=ts("2026-06-01T00:00"))

    def rows_with(recent: int) -> list[Enrollment]:
        done_recently = [
            Enrollment.from_api(
                {
                    "enrollment_id": i,
                    "campaign_id": 1,
                    "status": "Passed",
                    "enrollment_date": start.isoformat(),
                    "completion_date": (NOW - timedelta(days=1)).isoformat(),
                }
            )
            for i in range(recent)
        ]
        open_rows = [
            Enrollment.from_api(
                {
                    "enrollment_id": 1000 + i,
                    "campaign_id": 1,
                    "status": "Not Started",
                    "enrollment_date": start.isoformat(),
                }
            )
            for i in range(300)
        ]
        return done_recently + open_rows

    assert predict(c, rows_with(2)).stalling  # 2 of 300 left: under 1%
    assert not predict(c, rows_with(3)).stalling  # 3 of 300: 1%


def test_a_target_too_far_away_is_not_at_this_pace() -> None:
    c = campaign(start_date=ts("2025-12-01T09:00"), end_date=None, relative_duration=None)
    rows = [
        row(1, "Passed", enrollment_date="2025-12-01T09:00", completion_date="2026-02-19T09:00")
    ]
    rows += [row(i, "Not Started", enrollment_date="2025-12-01T09:00") for i in range(2, 4000)]
    f = predict(c, rows)
    # One completion in 14 days; 3,999 to go would take ~150 years.
    assert f.pace_per_day * MAX_FORECAST_DAYS < f.remaining
    assert [t.day for t in f.targets] == [None, None]


def test_format_percent_rounds_down() -> None:
    assert format_percent(99.7) == "99%"
    assert format_percent(100.0) == "100%"
    assert format_percent(85.0) == "85%"
    assert format_percent(0.0) == "0%"


def test_every_campaign_of_a_mixed_list_gets_its_own_forecast() -> None:
    campaigns = [
        campaign(1, end_date=ts("2026-03-02T23:59")),
        campaign(2, name="By Name Only", end_date=None, relative_duration="2 weeks"),
        campaign(3, status="Scheduled", start_date=ts("2026-03-01T09:00")),
    ]
    rows = hand_computed_rows()
    rows.append(
        enrollment(
            99,
            campaign_id=None,
            campaign_name="by name only",
            status="Not Started",
            enrollment_date=ts("2026-02-10T09:00"),
        )
    )
    rows.append(enrollment(100, campaign_id=77, campaign_name="Unknown", status="Passed"))
    progress = progress_of_campaigns(campaigns, rows, NOW, tz=UTC)
    assert [p.campaign.campaign_id for p in progress if p.campaign] == [1, 2, 3]
    assert progress[0].forecast.expected_at_deadline == pytest.approx(85.0)
    assert progress[1].forecast.enrolled == 1
    assert progress[2].forecast.outlook is Outlook.NO_ENROLLMENTS


def test_cancelled_and_archived_campaigns_have_no_forecast() -> None:
    rows = hand_computed_rows()
    for status in ("Cancelled", "Archived"):
        f = predict(campaign(status=status, end_date=ts("2026-03-02T23:59")), rows)
        assert f.outlook is Outlook.INACTIVE and not f.stalling
        assert f.sentence() == "Cancelled or archived: nothing more is expected (60% done)."
        assert f.at_deadline_text() == ""
