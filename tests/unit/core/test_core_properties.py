"""Property tests: parsers never raise, classification is total, deadlines are monotonic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from core_factories import campaign, enrollment
from hypothesis import given, settings
from hypothesis import strategies as st

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.campaign_index import CampaignIndex
from kb4tui.core.compliance import deadline_rows, overdue_rows, people_at_risk
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
    # Calendar days in the zone: at most a day off the elapsed time, plus the zone's
    # offset change between the two moments (a DST switch moves local midnight by an hour).
    shift = abs(
        (a.astimezone(tz).utcoffset() or timedelta())
        - (b.astimezone(tz).utcoffset() or timedelta())
    )
    assert abs(days_left(a, b, tz) - (a - b) / timedelta(days=1)) <= 1 + shift / timedelta(days=1)


statuses = st.sampled_from(
    ["Passed", "Not Started", "In Progress", "Past Due", "past_due", "Exempted", "Odd", None]
)


@st.composite
def organisations(draw: st.DrawFn) -> tuple[list[Campaign], list[Enrollment]]:
    n_campaigns = draw(st.integers(min_value=0, max_value=4))
    camps = [
        campaign(
            c,
            status=draw(st.sampled_from(["In Progress", "Closed", "Cancelled", None])),
            end_date=draw(st.one_of(st.none(), moments.map(datetime.isoformat))),
            relative_duration=draw(st.sampled_from([None, "2 weeks", "1 month", "garbage"])),
        )
        for c in range(n_campaigns)
    ]
    rows = [
        enrollment(
            i,
            user_id=draw(st.one_of(st.none(), st.integers(min_value=1, max_value=5))),
            status=draw(statuses),
            campaign_id=draw(st.one_of(st.none(), st.integers(min_value=0, max_value=5))),
            campaign_name=draw(st.sampled_from(["Campaign 0", "Campaign 1", "Nope", ""])),
            enrollment_date=draw(st.one_of(st.none(), moments.map(datetime.isoformat))),
        )
        for i in range(draw(st.integers(min_value=0, max_value=12)))
    ]
    return camps, rows


@settings(max_examples=50, deadline=None)
@given(organisations(), moments, st.one_of(st.none(), st.integers(min_value=-3, max_value=40)))
def test_compliance_rows_never_raise_and_keep_every_past_due(
    org: tuple[list[Campaign], list[Enrollment]], now: datetime, within: int | None
) -> None:
    camps, rows = org
    overdue = overdue_rows(rows, camps, now, within)
    people = people_at_risk(rows, camps, now, within if within is not None else 7)
    deadlines = deadline_rows(camps, rows, now)
    assert len(deadlines) == len(camps)
    index = CampaignIndex(camps)
    expected_past_due = {
        e.enrollment_id
        for e in rows
        if classify(e.status) is EnrollmentState.PAST_DUE
        and campaign_phase(index.campaign_for(e) or campaign(99, status=None))
        is not CampaignPhase.CANCELLED
    }
    reported = {r.enrollment_id for r in overdue}
    assert expected_past_due <= reported
    at_risk = {item.enrollment.enrollment_id for p in people for item in p.items}
    assert expected_past_due <= at_risk
    # Everything reported is incomplete; nothing is reported twice.
    assert len(reported) == len(overdue)
    assert all(classify(r.status).is_incomplete for r in overdue)
    # The scan's fast deadline rule is the documented one.
    by_id = {e.enrollment_id: e for e in rows}
    for row in overdue:
        e = by_id[row.enrollment_id]
        assert row.deadline == enrollment_deadline(e, index.campaign_for(e))
