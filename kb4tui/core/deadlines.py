"""Deadlines. The API has no due date: an enrollment is due at the campaign `end_date`, or
at `enrollment_date` + the campaign's `relative_duration` ("2 weeks", "30 days", "1 month").

Decisions (pinned by tests/test_core_deadlines.py):

- `parse_relative_duration` accepts a whole number (digits or "a"/"one".."twelve") and a
  unit: days (d, day, days, calendar days), business/working days (Mon-Fri, no holiday
  calendar), weeks (w, wk, week), months (mo, mth, month) and years (y, yr, year); any case,
  any spacing, "2w" and "2-week" too. A bare number is days (the spec describes the field as
  "days from enrollment"). Zero, negative, fractional, compound ("1 month 2 weeks") and
  anything else give None, never an exception.
- Arithmetic is done on the UTC timestamp, the API's own zone. Months follow the calendar:
  Jan 31 + 1 month is Feb 28 (29 in a leap year), the time of day is kept.
- Business days starting on a weekend count from the Friday before, so Saturday + 1 business
  day is Monday.
- `days_left` counts calendar dates in the viewer's time zone, not 24-hour periods: a
  deadline at 2026-02-27T04:59Z is "due today" all of Feb 26 in New York. Negative means
  overdue by that many days.
"""

from __future__ import annotations

import math
import re
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from enum import Enum
from functools import lru_cache

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.clock import as_aware

__all__ = [
    "NO_DEADLINE_TEXT",
    "DayCounter",
    "DurationUnit",
    "RelativeDuration",
    "campaign_deadline",
    "days_left",
    "describe_days_left",
    "enrollment_deadline",
    "parse_relative_duration",
]

NO_DEADLINE_TEXT = "no deadline known"

# Beyond this a "duration" is garbage rather than a training window (and would overflow).
_MAX_AMOUNT = 10_000
# Days in a unit on average (Gregorian calendar; five business days to the week), to compare
# durations whose exact length depends on the start date.
_DAYS_PER_UNIT = {
    "day": 1.0,
    "business day": 7 / 5,
    "week": 7.0,
    "month": 365.2425 / 12,
    "year": 365.2425,
}


class DurationUnit(Enum):
    DAY = "day"
    BUSINESS_DAY = "business day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class RelativeDuration:
    """A per-user completion window, such as 2 weeks from enrollment."""

    amount: int
    unit: DurationUnit
    # Days and weeks as one timedelta, computed once: add_to runs per enrollment.
    _fixed: timedelta | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        if self.unit is DurationUnit.DAY and self.amount <= _MAX_AMOUNT:
            object.__setattr__(self, "_fixed", timedelta(days=self.amount))
        elif self.unit is DurationUnit.WEEK and self.amount <= _MAX_AMOUNT:
            object.__setattr__(self, "_fixed", timedelta(weeks=self.amount))

    def __str__(self) -> str:
        plural = "" if self.amount == 1 else "s"
        return f"{self.amount} {self.unit.value}{plural}"

    @property
    def nominal_days(self) -> float:
        """The length in days on average (a month is 30.44 days, a business day 1.4), for
        ordering durations: "1 month" is longer than "4 weeks" and shorter than "31 days"."""
        return self.amount * _DAYS_PER_UNIT[self.unit.value]

    def add_to(self, start: datetime) -> datetime | None:
        """`start` + this duration, in UTC; None if the result is out of datetime's range."""
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        elif start.utcoffset():
            start = start.astimezone(UTC)
        try:
            if self._fixed is not None:
                return start + self._fixed
            if self.unit is DurationUnit.DAY:
                return start + timedelta(days=self.amount)
            if self.unit is DurationUnit.WEEK:
                return start + timedelta(weeks=self.amount)
            if self.unit is DurationUnit.BUSINESS_DAY:
                return _add_business_days(start, self.amount)
            months = self.amount * (12 if self.unit is DurationUnit.YEAR else 1)
            return _add_months(start, months)
        except (OverflowError, ValueError):
            return None


def _add_months(start: datetime, months: int) -> datetime:
    years, month_index = divmod(start.month - 1 + months, 12)
    year = start.year + years
    month = month_index + 1
    day = min(start.day, monthrange(year, month)[1]) if year <= 9999 else start.day
    return start.replace(year=year, month=month, day=day)  # ValueError past year 9999


def _add_business_days(start: datetime, days: int) -> datetime:
    # Count from the Friday before a weekend start, so Sat + 1 business day is Monday.
    if start.weekday() >= 5:
        start -= timedelta(days=start.weekday() - 4)
    weeks, rest = divmod(days, 5)
    result = start + timedelta(weeks=weeks)
    while rest:
        result += timedelta(days=1)
        if result.weekday() < 5:
            rest -= 1
    return result


_UNITS: dict[str, DurationUnit] = {}
for _unit, _spellings in {
    DurationUnit.DAY: ("d", "day", "days", "calendar day", "calendar days", "dy", "dys"),
    DurationUnit.BUSINESS_DAY: (
        "bd",
        "business day",
        "business days",
        "working day",
        "working days",
        "workday",
        "workdays",
        "weekday",
        "weekdays",
    ),
    DurationUnit.WEEK: ("w", "wk", "wks", "week", "weeks"),
    DurationUnit.MONTH: ("mo", "mos", "mth", "mths", "mon", "month", "months"),
    DurationUnit.YEAR: ("y", "yr", "yrs", "year", "years"),
}.items():
    for _spelling in _spellings:
        _UNITS[_spelling] = _unit

_WORDS: dict[str, int] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}

_PATTERN = re.compile(r"(?P<amount>[0-9]+|[a-z]+)[\s-]*(?P<unit>[a-z][a-z\s]*)?", re.ASCII)


def parse_relative_duration(text: str | None) -> RelativeDuration | None:
    """Read a `relative_duration` string; None when absent or not understood. Never raises."""
    if not isinstance(text, str):
        return None
    return _parse_cached(text)


@lru_cache(maxsize=512)
def _parse_cached(text: str) -> RelativeDuration | None:
    cleaned = " ".join(text.casefold().replace("(s)", "s").replace(".", " ").split())
    match = _PATTERN.fullmatch(cleaned)
    if match is None:
        return None
    raw_amount = match["amount"]
    amount = int(raw_amount) if raw_amount.isdigit() else _WORDS.get(raw_amount)
    if amount is None or not 0 < amount <= _MAX_AMOUNT:
        return None
    raw_unit = " ".join((match["unit"] or "").split())
    unit = _UNITS.get(raw_unit) if raw_unit else DurationUnit.DAY
    if unit is None:
        return None
    return RelativeDuration(amount, unit)


def campaign_deadline(campaign: Campaign) -> datetime | None:
    """The campaign-wide deadline: its end date. Relative-duration campaigns have none;
    each user's deadline depends on when they were enrolled."""
    return campaign.end_date


def enrollment_deadline(enrollment: Enrollment, campaign: Campaign | None) -> datetime | None:
    """When this enrollment is due: the campaign end date, else enrollment date + relative
    duration, else None (no deadline known)."""
    if campaign is None:
        return None
    if campaign.end_date is not None:
        return campaign.end_date
    if enrollment.enrollment_date is None:
        return None
    duration = parse_relative_duration(campaign.relative_duration)
    return duration.add_to(enrollment.enrollment_date) if duration else None


def days_left(deadline: datetime, now: datetime, tz: tzinfo | None = None) -> int:
    """Whole calendar days from `now` to `deadline` as dated in `tz` (default: now's own
    zone, else UTC). 0 is due today, negative is overdue by that many days."""
    return DayCounter(now, tz).days_to(deadline)


class DayCounter:
    """`days_left` for many deadlines against one `now`: today's date is computed once."""

    __slots__ = ("today", "zone")

    def __init__(self, now: datetime, tz: tzinfo | None = None) -> None:
        now = as_aware(now)
        self.zone: tzinfo = tz or now.tzinfo or UTC
        self.today = now.astimezone(self.zone).date()

    def days_to(self, deadline: datetime) -> int:
        if deadline.tzinfo is None:
            deadline = deadline.replace(tzinfo=UTC)
        try:
            local = deadline.astimezone(self.zone).date()
        except OverflowError:
            return self._days_at_calendar_edge(deadline)
        return (local - self.today).days

    def _days_at_calendar_edge(self, deadline: datetime) -> int:
        """`days_to` for a moment whose date in this zone lies outside the calendar
        (9999-12-31T23:59:59Z is in the year 10000 in Tokyo): both offsets are applied to
        the count of days instead of to a date, so nothing out of range is built."""
        wall = deadline.replace(tzinfo=None)
        zone_offset = self.zone.utcoffset(wall) or timedelta(0)
        own_offset = deadline.utcoffset() or timedelta(0)
        seconds = wall.hour * 3600 + wall.minute * 60 + wall.second
        seconds += (zone_offset - own_offset) // timedelta(seconds=1)
        return (wall.date() - self.today).days + math.floor(seconds / 86400)


def describe_days_left(days: int | None) -> str:
    """ "3 days left", "due today", "1 day overdue", or "no deadline known"."""
    if days is None:
        return NO_DEADLINE_TEXT
    if days == 0:
        return "due today"
    if days > 0:
        return f"{days} day{'' if days == 1 else 's'} left"
    return f"{-days} day{'' if days == -1 else 's'} overdue"
