"""Property tests of the daily series and the forecast, on arbitrary enrollments."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.forecast import forecast
from kb4tui.core.progress import progress_series
from kb4tui.core.status import EnrollmentState, classify

FAST = settings(max_examples=100, deadline=None)
NOW = datetime(2026, 2, 20, 15, 0, tzinfo=UTC)

stamps = st.one_of(
    st.none(),
    st.datetimes(
        min_value=datetime(2025, 6, 1), max_value=datetime(2026, 4, 1), timezones=st.just(UTC)
    ),
)
statuses = st.sampled_from(
    ["Passed", "Completed", "In Progress", "Not Started", "Past Due", "Exempted", "past_due", "?"]
)
rows = st.lists(
    st.builds(
        lambda i, status, e, s, c: Enrollment.from_api(
            {
                "enrollment_id": i,
                "campaign_id": 1,
                "status": status,
                "enrollment_date": e.isoformat() if e else None,
                "start_date": s.isoformat() if s else None,
                "completion_date": c.isoformat() if c else None,
            }
        ),
        st.integers(min_value=1, max_value=10**6),
        statuses,
        stamps,
        stamps,
        stamps,
    ),
    max_size=40,
)
campaigns = st.builds(
    lambda status, end, relative, start: Campaign.from_api(
        {
            "campaign_id": 1,
            "status": status,
            "start_date": start.isoformat() if start else None,
            "end_date": end.isoformat() if end else None,
            "relative_duration": relative,
        }
    ),
    st.sampled_from(["In Progress", "Closed", "Cancelled", "Scheduled"]),
    stamps,
    st.sampled_from([None, "2 weeks", "30 days", "1 month", "string"]),
    stamps,
)
zones = st.sampled_from([UTC, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kathmandu")])


@FAST
@given(campaigns, rows, zones)
def test_cumulative_counts_never_fall_and_end_at_todays_counts(
    campaign: Campaign, enrollments: list[Enrollment], zone: ZoneInfo
) -> None:
    series = progress_series(campaign, enrollments, NOW, tz=zone)
    if not enrollments:
        assert series.is_empty
        return
    points = series.points
    for before, after in pairwise(points):
        assert after.day - before.day == timedelta(days=1)
        assert before.enrolled <= after.enrolled
        assert before.started <= after.started
        assert before.passed <= after.passed
        assert before.exempted <= after.exempted
    for point in points:
        assert point.enrolled >= point.started >= point.passed >= 0
        assert point.enrolled >= point.done
        assert 0 <= point.past_due <= point.enrolled
    states = Counter(classify(e.status) for e in enrollments)
    last = points[-1]
    assert last.day == NOW.astimezone(zone).date()
    assert last.enrolled == len(enrollments)
    assert last.passed == states[EnrollmentState.COMPLETED]
    assert last.exempted == states[EnrollmentState.EXEMPTED]
    began = sum(
        1
        for e in enrollments
        if e.start_date
        or e.completion_date
        or classify(e.status) in (EnrollmentState.IN_PROGRESS, EnrollmentState.COMPLETED)
    )
    assert last.started == began
    assert series.dated_passed[-1] == sum(
        1
        for e in enrollments
        if e.completion_date and classify(e.status) is EnrollmentState.COMPLETED
    )


@FAST
@given(campaigns, rows, st.randoms(use_true_random=False))
def test_the_series_does_not_depend_on_row_order(
    campaign: Campaign, enrollments: list[Enrollment], rng: object
) -> None:
    shuffled = list(enrollments)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert (
        progress_series(campaign, enrollments, NOW).points
        == progress_series(campaign, shuffled, NOW).points
    )


@FAST
@given(campaigns, rows, zones)
def test_the_forecast_is_always_a_sane_answer(
    campaign: Campaign, enrollments: list[Enrollment], zone: ZoneInfo
) -> None:
    series = progress_series(campaign, enrollments, NOW, tz=zone)
    result = forecast(series)
    assert result.sentence()
    if result.expected_at_deadline is not None:
        assert 0.0 <= result.expected_at_deadline <= 100.0
    today = series.today
    for target in result.targets:
        if target.day is None:
            continue
        assert (target.day <= today) == target.reached
    assert result.completed_in_window <= result.done


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)
date_like = st.one_of(
    json_values,
    st.sampled_from(
        ["2026-02-03", "2026-02-03T10:00:00Z", "2026-02-30T10:00:00.000Z", "0001-01-01T00:00:00Z",
         "9999-12-31T23:59:59.000Z", "1970-01-01T00:00:00+14:00", "yesterday", ""]
    ),
)  # fmt: skip


@FAST
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "campaign_id": st.one_of(st.just(1), json_values),
                "status": st.one_of(statuses, json_values),
                "enrollment_date": date_like,
                "start_date": date_like,
                "completion_date": date_like,
            }
        ),
        max_size=12,
    ),
    st.fixed_dictionaries(
        {"end_date": date_like, "start_date": date_like, "relative_duration": json_values}
    ),
)
def test_hostile_records_still_give_a_series_and_a_forecast(
    records: list[dict[str, object]], campaign_record: dict[str, object]
) -> None:
    campaign = Campaign.from_api({"campaign_id": 1, **campaign_record})
    enrollments = Enrollment.from_api_list(records)
    series = progress_series(campaign, enrollments, NOW, tz=ZoneInfo("Pacific/Chatham"))
    assert len(series.points) <= 1096
    if enrollments:
        assert series.points[-1].enrolled == len(enrollments)
    assert forecast(series).sentence()
