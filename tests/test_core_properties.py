"""Property tests: parsers never raise, classification is total, deadlines are monotonic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from core_factories import campaign, enrollment
from hypothesis import given, settings
from hypothesis import strategies as st

from kb4tui.core.deadlines import (
    DurationUnit,
    RelativeDuration,
    days_left,
    enrollment_deadline,
    parse_relative_duration,
)
from kb4tui.core.lifecycle import CampaignPhase, campaign_phase
from kb4tui.core.status import EnrollmentState, classify

FAST = settings(max_examples=200, deadline=None)

units = st.sampled_from(
    [
        "d",
        "day",
        "days",
        "week",
        "weeks",
        "wk",
        "month",
        "months",
        "mo",
        "year",
        "yrs",
        "business days",
        "working day",
        "fortnight",
        "",
        "hours",
    ]
)
duration_like = st.builds(
    lambda n, sep, unit, pad: f"{pad}{n}{sep}{unit}{pad}",
    st.integers(min_value=-5, max_value=20_000),
    st.sampled_from(["", " ", "  ", "-", "\t"]),
    units,
    st.sampled_from(["", " ", "\n"]),
)
moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
)
durations = st.builds(
    RelativeDuration, st.integers(min_value=1, max_value=400), st.sampled_from(DurationUnit)
)


@FAST
@given(st.one_of(st.text(), duration_like, st.none()))
def test_parse_relative_duration_never_raises(text: str | None) -> None:
    result = parse_relative_duration(text)
    assert result is None or (result.amount > 0 and isinstance(result.unit, DurationUnit))


@FAST
@given(duration_like)
def test_parsed_durations_round_trip_through_their_text(text: str) -> None:
    parsed = parse_relative_duration(text)
    if parsed is not None:
        assert parse_relative_duration(str(parsed)) == parsed


@FAST
@given(st.one_of(st.text(), st.none()))
def test_classify_and_phase_are_total(text: str | None) -> None:
    assert isinstance(classify(text), EnrollmentState)
    assert isinstance(campaign_phase(text), CampaignPhase)


@FAST
@given(
    st.sampled_from(["Not Started", "In Progress", "Passed", "Past Due", "Exempted"]),
    st.sampled_from([" ", "_", "-", "", "  "]),
    st.booleans(),
)
def test_classify_ignores_case_and_separators(label: str, sep: str, upper: bool) -> None:
    variant = label.replace(" ", sep)
    variant = variant.upper() if upper else variant.lower()
    assert classify(variant) is classify(label) is not EnrollmentState.UNKNOWN


@FAST
@given(durations, moments, moments)
def test_deadline_is_monotonic_in_start(
    duration: RelativeDuration, first: datetime, second: datetime
) -> None:
    early, late = sorted((first, second))
    a, b = duration.add_to(early), duration.add_to(late)
    assert a is not None and b is not None
    assert early < a and a <= b


@FAST
@given(
    st.sampled_from(["1 week", "30 days", "1 month", "3 months", "10 business days"]),
    moments,
    moments,
)
def test_enrollment_deadline_is_monotonic_in_enrollment_date(
    text: str, first: datetime, second: datetime
) -> None:
    early, late = sorted((first, second))
    c = campaign(end_date=None, relative_duration=text)
    a = enrollment_deadline(enrollment(enrollment_date=early.isoformat()), c)
    b = enrollment_deadline(enrollment(enrollment_date=late.isoformat()), c)
    assert a is not None and b is not None and a <= b


@FAST
@given(
    moments,
    moments,
    st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"]),
)
def test_days_left_is_antisymmetric_and_ordered(a: datetime, b: datetime, zone: str) -> None:
    tz = ZoneInfo(zone)
    assert days_left(a, b, tz) == -days_left(b, a, tz)
    if a <= b:
        assert days_left(a, b, tz) <= 0
    assert abs(days_left(a, b, tz) - (a - b) / timedelta(days=1)) <= 1
