"""Relative durations, calendar months, per-enrollment deadlines, days left by local date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from core_factories import campaign, enrollment, ts

from kb4tui.core.deadlines import (
    DurationUnit,
    RelativeDuration,
    campaign_deadline,
    days_left,
    describe_days_left,
    enrollment_deadline,
    parse_relative_duration,
)

U = DurationUnit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 week", RelativeDuration(1, U.WEEK)),
        ("2 weeks", RelativeDuration(2, U.WEEK)),
        ("30 days", RelativeDuration(30, U.DAY)),
        ("1 day", RelativeDuration(1, U.DAY)),
        ("1 month", RelativeDuration(1, U.MONTH)),
        ("3 months", RelativeDuration(3, U.MONTH)),
        ("1 year", RelativeDuration(1, U.YEAR)),
        ("14 Days", RelativeDuration(14, U.DAY)),
        ("  2   WEEKS  ", RelativeDuration(2, U.WEEK)),
        ("2w", RelativeDuration(2, U.WEEK)),
        ("2-week", RelativeDuration(2, U.WEEK)),
        ("30d", RelativeDuration(30, U.DAY)),
        ("6 mos", RelativeDuration(6, U.MONTH)),
        ("1 yr", RelativeDuration(1, U.YEAR)),
        ("week(s)", None),
        ("2 week(s)", RelativeDuration(2, U.WEEK)),
        ("a month", RelativeDuration(1, U.MONTH)),
        ("two weeks", RelativeDuration(2, U.WEEK)),
        ("10 business days", RelativeDuration(10, U.BUSINESS_DAY)),
        ("5 working days", RelativeDuration(5, U.BUSINESS_DAY)),
        ("14", RelativeDuration(14, U.DAY)),
        ("0 days", None),
        ("-2 weeks", None),
        ("1.5 weeks", None),
        ("1 month 2 weeks", None),
        ("2 fortnights", None),
        ("string", None),
        ("weeks", None),
        ("", None),
        ("   ", None),
        (None, None),
        ("99999999999999999999 days", None),
        ("٣ days", None),
    ],
)
def test_parse_relative_duration(text: str | None, expected: RelativeDuration | None) -> None:
    assert parse_relative_duration(text) == expected


def test_durations_order_by_their_nominal_length() -> None:
    texts = ["1 month", "2 weeks", "10 business days", "31 days", "4 weeks", "1 year", "3 d"]
    durations = [parse_relative_duration(text) for text in texts]
    ordered = sorted((d for d in durations if d is not None), key=lambda d: d.nominal_days)
    assert [str(d) for d in ordered] == [
        "3 days",
        "2 weeks",
        "10 business days",  # two weeks of working days: 14 calendar days too
        "4 weeks",
        "1 month",
        "31 days",
        "1 year",
    ]


def test_duration_str_is_readable() -> None:
    assert str(RelativeDuration(1, U.WEEK)) == "1 week"
    assert str(RelativeDuration(10, U.BUSINESS_DAY)) == "10 business days"


START = datetime(2026, 1, 31, 22, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "start", "expected"),
    [
        ("1 month", START, datetime(2026, 2, 28, 22, 30, tzinfo=UTC)),
        ("1 month", START.replace(year=2028), datetime(2028, 2, 29, 22, 30, tzinfo=UTC)),
        ("2 months", START, datetime(2026, 3, 31, 22, 30, tzinfo=UTC)),
        ("3 months", START, datetime(2026, 4, 30, 22, 30, tzinfo=UTC)),
        ("11 months", START, datetime(2026, 12, 31, 22, 30, tzinfo=UTC)),
        ("13 months", START, datetime(2027, 2, 28, 22, 30, tzinfo=UTC)),
        ("1 year", datetime(2028, 2, 29, tzinfo=UTC), datetime(2029, 2, 28, tzinfo=UTC)),
        ("2 weeks", START, START + timedelta(days=14)),
        ("30 days", START, START + timedelta(days=30)),
        # 2026-01-30 is a Friday.
        (
            "1 business day",
            datetime(2026, 1, 30, 9, tzinfo=UTC),
            datetime(2026, 2, 2, 9, tzinfo=UTC),
        ),
        (
            "5 business days",
            datetime(2026, 1, 30, 9, tzinfo=UTC),
            datetime(2026, 2, 6, 9, tzinfo=UTC),
        ),
        (
            "1 business day",
            datetime(2026, 1, 31, 9, tzinfo=UTC),
            datetime(2026, 2, 2, 9, tzinfo=UTC),
        ),
        (
            "10 business days",
            datetime(2026, 2, 1, 9, tzinfo=UTC),
            datetime(2026, 2, 13, 9, tzinfo=UTC),
        ),
        (
            "3 business days",
            datetime(2026, 2, 4, 9, tzinfo=UTC),
            datetime(2026, 2, 9, 9, tzinfo=UTC),
        ),
    ],
)
def test_add_to_by_calendar(text: str, start: datetime, expected: datetime) -> None:
    duration = parse_relative_duration(text)
    assert duration is not None
    assert duration.add_to(start) == expected


def test_add_to_converts_to_utc_and_reads_naive_as_utc() -> None:
    duration = RelativeDuration(1, U.MONTH)
    plus_five = timezone(timedelta(hours=5))
    # 2026-02-01 02:00 +05:00 is 2026-01-31 21:00 UTC: the month is added in UTC.
    assert duration.add_to(datetime(2026, 2, 1, 2, tzinfo=plus_five)) == datetime(
        2026, 2, 28, 21, tzinfo=UTC
    )
    assert duration.add_to(datetime(2026, 1, 31)) == datetime(2026, 2, 28, tzinfo=UTC)


def test_add_to_out_of_range_is_none_not_an_error() -> None:
    assert RelativeDuration(10_000, U.YEAR).add_to(START) is None
    assert RelativeDuration(5, U.DAY).add_to(datetime(9999, 12, 30, tzinfo=UTC)) is None


def test_enrollment_deadline_prefers_end_date() -> None:
    fixed = campaign(end_date=ts("2026-02-27T04:59"), relative_duration="2 weeks")
    assert enrollment_deadline(enrollment(), fixed) == datetime(2026, 2, 27, 4, 59, tzinfo=UTC)
    assert campaign_deadline(fixed) == datetime(2026, 2, 27, 4, 59, tzinfo=UTC)


def test_enrollment_deadline_from_relative_duration() -> None:
    relative = campaign(end_date=None, relative_duration="2 weeks")
    e = enrollment(enrollment_date=ts("2026-02-01T10:00"))
    assert enrollment_deadline(e, relative) == datetime(2026, 2, 15, 10, tzinfo=UTC)
    assert campaign_deadline(relative) is None


@pytest.mark.parametrize(
    ("fields", "enrollment_date"),
    [
        ({"end_date": None, "relative_duration": None}, ts("2026-02-01T10:00")),
        ({"end_date": None, "relative_duration": "string"}, ts("2026-02-01T10:00")),
        ({"end_date": None, "relative_duration": "2 weeks"}, None),
    ],
)
def test_enrollment_deadline_unknown(
    fields: dict[str, str | None], enrollment_date: str | None
) -> None:
    assert (
        enrollment_deadline(enrollment(enrollment_date=enrollment_date), campaign(1, **fields))
        is None
    )


def test_enrollment_deadline_without_campaign() -> None:
    assert enrollment_deadline(enrollment(), None) is None


NEW_YORK = ZoneInfo("America/New_York")
DEADLINE = datetime(2026, 2, 27, 4, 59, tzinfo=UTC)  # 23:59 on Feb 26 in New York


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        (datetime(2026, 2, 26, 17, 0, tzinfo=NEW_YORK), None, 0),  # due today in New York
        (datetime(2026, 2, 26, 22, 0, tzinfo=UTC), NEW_YORK, 0),
        (datetime(2026, 2, 26, 22, 0, tzinfo=UTC), UTC, 1),  # still the 26th in UTC
        (datetime(2026, 2, 27, 3, 0, tzinfo=UTC), NEW_YORK, 0),  # 22:00 on the 26th locally
        (datetime(2026, 2, 27, 5, 30, tzinfo=UTC), NEW_YORK, -1),  # 00:30 on the 27th locally
        (datetime(2026, 2, 27, 5, 30, tzinfo=UTC), UTC, 0),
        (datetime(2026, 2, 20, 12, 0, tzinfo=UTC), NEW_YORK, 6),
        (datetime(2026, 3, 5, 12, 0, tzinfo=UTC), NEW_YORK, -7),
        (datetime(2026, 2, 26, 12, 0), None, 1),  # naive now is UTC
        (datetime(2026, 2, 27, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo")), None, 0),  # 13:59 Feb 27
    ],
)
def test_days_left_counts_local_calendar_dates(
    now: datetime, tz: ZoneInfo | None, expected: int
) -> None:
    assert days_left(DEADLINE, now, tz) == expected


def test_days_left_across_dst_uses_zone_rules() -> None:
    # A summer "now" must not shift a winter deadline onto the next day (EST is -5, EDT -4).
    summer = datetime(2025, 8, 1, 12, tzinfo=UTC)
    assert (
        days_left(DEADLINE, summer, NEW_YORK) == (datetime(2026, 2, 26) - datetime(2025, 8, 1)).days
    )


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (None, "no deadline known"),
        (0, "due today"),
        (1, "1 day left"),
        (12, "12 days left"),
        (-1, "1 day overdue"),
        (-30, "30 days overdue"),
    ],
)
def test_describe_days_left(days: int | None, text: str) -> None:
    assert describe_days_left(days) == text
