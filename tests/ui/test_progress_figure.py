"""What the progress chart draws (kb4tui.ui.progress_figure), without Textual."""

from __future__ import annotations

from datetime import UTC, date
from typing import Any
from zoneinfo import ZoneInfo

from core_factories import NOW, campaign, enrollment, ts

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.forecast import campaign_progress
from kb4tui.ui.progress_figure import FUTURE_DAYS_MAX, MARKERS, ProgressFigure, progress_figure


def row(enrollment_id: int, status: str, **dates: str | None) -> Enrollment:
    fields: dict[str, Any] = {"enrollment_date": None, "start_date": None, "completion_date": None}
    fields.update({k: (ts(v) if v else None) for k, v in dates.items()})
    return enrollment(enrollment_id, user_id=enrollment_id, status=status, **fields)


def figure_of(c: Campaign, rows: list[Enrollment]) -> ProgressFigure:
    figure = progress_figure(campaign_progress(c, rows, NOW, tz=UTC))
    assert figure is not None
    return figure


def steady_rows() -> list[Enrollment]:
    """Ten enrolled on Feb 1, one completion a day from Feb 11 to Feb 15 (pace 5/14)."""
    rows = [
        row(i, "Passed", enrollment_date="2026-02-01T09:00", completion_date=f"2026-02-1{i}T10:00")
        for i in range(1, 6)
    ]
    return rows + [row(i, "Not Started", enrollment_date="2026-02-01T09:00") for i in range(6, 11)]


def test_lines_run_to_today_and_the_axis_to_a_deadline_ahead() -> None:
    ends = campaign(start_date=ts("2026-02-01T08:00"), end_date=ts("2026-03-02T12:00"))
    figure = figure_of(ends, steady_rows())
    assert figure.first_day == date(2026, 2, 1)
    assert figure.today == 19 and len(figure.passed) == len(figure.enrolled) == 20
    assert figure.last_day == date(2026, 3, 2) and figure.x_max == 29
    assert figure.deadlines == (29,) and figure.deadline_beyond is None
    assert figure.passed[-1] == 5 and figure.enrolled[-1] == 10
    assert figure.y_max == 10 and figure.y_ticks == (0, 5, 10)
    assert figure.x_ticks[0] == 0 and figure.x_ticks[-1] == 29
    assert figure.x_labels[0] == "Feb 01" and figure.x_labels[-1] == "Mar 02"


def test_the_forecast_starts_at_today_and_never_passes_those_who_can_pass() -> None:
    ends = campaign(start_date=ts("2026-02-01T08:00"), end_date=ts("2026-06-01T12:00"))
    figure = figure_of(ends, steady_rows())
    xs = [x for x, _ in figure.forecast]
    assert xs[0] == figure.today and xs[-1] == figure.x_max
    assert figure.forecast[0][1] == 5
    assert figure.forecast[14][1] == 10  # 5 completions in 14 days: 5 more in 14
    assert max(y for _, y in figure.forecast) == 10


def test_a_deadline_far_ahead_is_named_rather_than_squeezing_the_history() -> None:
    far = campaign(start_date=ts("2026-02-01T08:00"), end_date=ts("2027-02-01T12:00"))
    figure = figure_of(far, steady_rows())
    assert figure.x_max == figure.today + FUTURE_DAYS_MAX
    assert figure.deadlines == ()
    assert figure.deadline_beyond == date(2027, 2, 1)


def test_relative_durations_mark_the_earliest_and_latest_deadline() -> None:
    two_weeks = campaign(end_date=None, relative_duration="2 weeks")
    rows = [
        row(1, "Not Started", enrollment_date="2026-01-20T10:00"),  # due Feb 03
        row(2, "In Progress", enrollment_date="2026-02-15T10:00"),  # due Mar 01
    ]
    figure = figure_of(two_weeks, rows)
    assert [figure.first_day.toordinal() + x for x in figure.deadlines] == [
        date(2026, 2, 3).toordinal(),
        date(2026, 3, 1).toordinal(),
    ]


def test_no_pace_means_no_forecast_line_and_no_deadline_a_short_look_ahead() -> None:
    open_ended = campaign(start_date=ts("2026-01-20T08:00"), end_date=None, relative_duration=None)
    rows = [row(i, "Not Started", enrollment_date="2026-01-20T09:00") for i in range(3)]
    figure = figure_of(open_ended, rows)
    assert figure.forecast == () and figure.deadlines == ()
    assert figure.today < figure.x_max <= figure.today + FUTURE_DAYS_MAX


def test_the_legend_lists_only_what_is_drawn_each_with_its_own_glyph() -> None:
    ends = campaign(start_date=ts("2026-02-01T08:00"), end_date=ts("2026-03-02T12:00"))
    names = [name for _, _, name in figure_of(ends, steady_rows()).legend()]
    assert names == ["enrolled", "passed", "forecast", "deadline"]
    late = campaign(start_date=ts("2026-02-01T08:00"), end_date=ts("2026-02-10T12:00"))
    names = [name for _, _, name in figure_of(late, steady_rows()).legend()]
    assert "past due" in names
    glyphs = [marker for marker, _ in MARKERS.values()]
    assert len(set(glyphs)) == len(glyphs)  # shapes, not only colours, tell lines apart


def test_a_campaign_without_enrollments_has_no_figure() -> None:
    progress = campaign_progress(campaign(status="Scheduled"), [], NOW, tz=UTC)
    assert progress_figure(progress) is None


def test_a_single_day_series_still_has_an_axis() -> None:
    today = campaign(start_date=ts("2026-02-20T09:00"), end_date=None, relative_duration=None)
    figure = figure_of(today, [row(1, "Not Started", enrollment_date="2026-02-20T09:00")])
    assert figure.today == 0 and figure.x_max >= 1
    assert figure.y_ticks == (0, 1)


def test_a_deadline_at_the_end_of_the_calendar_is_named_beyond_the_axis() -> None:
    edge = campaign(start_date=ts("2026-02-01T08:00"), end_date="9999-12-31T23:59:59.000Z")
    figure = progress_figure(
        campaign_progress(edge, steady_rows(), NOW, tz=ZoneInfo("Pacific/Chatham"))
    )
    assert figure is not None
    assert figure.deadline_beyond is not None and figure.deadline_beyond.year == 9999
