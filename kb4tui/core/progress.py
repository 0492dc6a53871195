"""A campaign's progress over time: one point a day of enrolled, started, passed, past due.

The API keeps no history of statuses. What it does keep is on every enrollment:
`enrollment_date`, `start_date` and `completion_date`; the daily series is rebuilt from
those and today's status. Decisions (pinned by tests/unit/core/test_core_progress.py):

- Days are calendar dates in the viewer's zone, as in `deadlines.days_left`. The series runs
  from the campaign's start or its first enrollment, whichever is earlier, to today; at most
  MAX_SERIES_DAYS long (anything earlier is counted on the first day). No enrollments, no
  series. A date after `now` is counted today: the API says it happened.
- Every count is cumulative except past due. A row counts as enrolled from the earliest date
  it carries (enrollment, start or completion; the first day when it has none), as started
  from its start or completion date (for an In Progress or Passed row with neither: its
  latest known date), and as passed (status Passed or Completed) from its completion date.
  A Passed row without a completion date is counted from its latest known date, and left
  out of the pace (`dated_passed`), so that a missing date cannot fake a burst of progress.
  So each day enrolled >= started >= passed, and the last day equals today's counts.
- Exempted rows count as done (compliant by exemption, as in the completion %) from their
  enrollment, but never as passed or past due (as started only if they carry a start date).
  Unknown statuses are enrolled (and started, if dated) only.
- Past due over time is *derived*, since no status history exists: a row is past due on a
  day when its deadline (the campaign end date, or enrollment + relative duration) had
  passed by the end of that day (for today: by `now`) and it was not completed by then.
  Only rows still owing work or completed count (not Exempted, not unknown statuses), and
  none in cancelled or archived campaigns, which ask nothing of anyone. It can differ from
  today's Past Due status count, which KnowBe4 sets on its own schedule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from itertools import accumulate

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.clock import as_aware
from kb4tui.core.deadlines import parse_relative_duration
from kb4tui.core.lifecycle import CampaignPhase, campaign_phase
from kb4tui.core.status import EnrollmentState, classify

__all__ = [
    "MAX_SERIES_DAYS",
    "SERIES_COLUMNS",
    "DayPoint",
    "DeadlineSpread",
    "LocalDays",
    "ProgressSeries",
    "local_date",
    "progress_series",
]

# Three years of days: enough for any campaign, and a bad date cannot make a huge series.
MAX_SERIES_DAYS = 1096

# `kb4tui export progress` columns, in order (JSON objects use the same keys).
SERIES_COLUMNS: tuple[str, ...] = ("date", "enrolled", "started", "passed", "past_due")

_ZERO = timedelta(0)
# A row with no date at all is counted on the first day: any day number before it will do.
_NO_DATE = -1

_DORMANT = (CampaignPhase.CANCELLED, CampaignPhase.ARCHIVED)
_BEGUN = frozenset({EnrollmentState.IN_PROGRESS, EnrollmentState.COMPLETED})
# Rows that can be past due: those owing work, and completed ones (until they completed).
_CAN_BE_LATE = frozenset(
    {
        EnrollmentState.NOT_STARTED,
        EnrollmentState.IN_PROGRESS,
        EnrollmentState.PAST_DUE,
        EnrollmentState.COMPLETED,
    }
)


@dataclass(frozen=True, slots=True)
class DayPoint:
    """The counts at the end of one day (for today: now)."""

    day: date
    enrolled: int
    started: int
    passed: int
    past_due: int
    exempted: int

    @property
    def done(self) -> int:
        """Passed or exempted: what the completion % counts."""
        return self.passed + self.exempted

    def as_record(self) -> dict[str, str | int]:
        """The `export progress` row: SERIES_COLUMNS, the date as YYYY-MM-DD."""
        return {
            "date": self.day.isoformat(),
            "enrolled": self.enrolled,
            "started": self.started,
            "passed": self.passed,
            "past_due": self.past_due,
        }


@dataclass(frozen=True, slots=True)
class DeadlineSpread:
    """When the enrollments are due: one date for a campaign end date; for a relative
    duration, the earliest and latest per-enrollment deadlines."""

    earliest: datetime
    latest: datetime
    relative: bool

    @property
    def is_single(self) -> bool:
        return self.earliest == self.latest


@dataclass(frozen=True, slots=True)
class ProgressSeries:
    """A campaign's daily series, oldest day first, and what the forecast needs beside it."""

    points: tuple[DayPoint, ...]
    today: date
    now: datetime
    zone: tzinfo  # the zone the days are dated in
    # Completions that carry their date, cumulative per day (the pace counts these only).
    dated_passed: tuple[int, ...]
    # Passed rows with no completion date, and rows with no date at all.
    undated_passed: int
    undated_rows: int
    deadlines: DeadlineSpread | None
    # The deadline still ahead of whoever owes work: the end date, or the latest
    # per-enrollment deadline among rows not done. None when no deadline is known.
    open_deadline: datetime | None
    phase: CampaignPhase

    @property
    def is_empty(self) -> bool:
        return not self.points

    @property
    def first_day(self) -> date | None:
        return self.points[0].day if self.points else None

    @property
    def last(self) -> DayPoint | None:
        return self.points[-1] if self.points else None

    def point_on(self, day: date) -> DayPoint | None:
        """The counts at the end of `day`; None before the series or when it is empty.
        Days after today get today's counts."""
        if not self.points or day < self.points[0].day:
            return None
        index = min((day - self.points[0].day).days, len(self.points) - 1)
        return self.points[index]

    def records(self) -> list[dict[str, str | int]]:
        return [point.as_record() for point in self.points]


class LocalDays:
    """Calendar days in one zone as day numbers (proleptic ordinals), memoised per quarter of
    an hour: UTC offsets and their changes fall on quarter hours (Nepal +5:45, Chatham
    +12:45), so every instant of one quarter has the same local date. 20,000 enrollments
    carry ~60,000 timestamps and far fewer distinct quarters."""

    __slots__ = ("_memo", "_utc", "zone")

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self._memo: dict[int, int] = {}
        self._utc: tzinfo = UTC  # the last tzinfo seen to be UTC (the models share one)

    def of(self, moment: datetime) -> int:
        zone = moment.tzinfo
        if zone is not self._utc:
            if zone is not None and zone.utcoffset(None) == _ZERO:
                self._utc = zone
            else:  # naive (read as UTC, as the models do), or another zone
                moment = moment.replace(tzinfo=UTC) if zone is None else moment.astimezone(UTC)
        # Fields, not timestamp(): three times faster, and this runs ~60,000 times.
        quarter = moment.toordinal() * 96 + moment.hour * 4 + moment.minute // 15
        day = self._memo.get(quarter)
        if day is None:
            day = self._memo[quarter] = local_date(moment, self.zone).toordinal()
        return day


def local_date(moment: datetime, zone: tzinfo) -> date:
    """The calendar date of `moment` in `zone`; never raises. A timestamp at the very edge of
    datetime's range (year 1 or 9999: garbage from the API) keeps its own date instead."""
    try:
        return moment.astimezone(zone).date()
    except (OverflowError, ValueError):
        return moment.date()


def _zone_of(now: datetime, tz: tzinfo | None) -> tzinfo:
    return tz or now.tzinfo or UTC


def progress_series(
    campaign: Campaign | None,
    enrollments: Iterable[Enrollment],
    now: datetime,
    *,
    tz: tzinfo | None = None,
) -> ProgressSeries:
    """The daily series of one campaign from its enrollments (see the module notes).

    `enrollments` are that campaign's rows; `campaign` gives the start, the deadline and the
    phase (None: no deadline known, no start)."""
    now = as_aware(now)
    zone = _zone_of(now, tz)
    days = LocalDays(zone)
    today = days.of(now)
    phase = campaign_phase(campaign) if campaign is not None else CampaignPhase.UNKNOWN
    rows = _rows(campaign, enrollments, days, today, now, phase)
    if not rows.enrolled_at:
        return ProgressSeries(
            points=(),
            today=date.fromordinal(today),
            now=now,
            zone=zone,
            dated_passed=(),
            undated_passed=0,
            undated_rows=0,
            deadlines=rows.spread(),
            open_deadline=rows.open_deadline(campaign),
            phase=phase,
        )
    known_days = [d for d in (rows.min_day, rows.start_day) if d is not None]
    earliest = min([*known_days, today])
    first = max(earliest, today - MAX_SERIES_DAYS + 1)
    length = today - first + 1

    def cumulative(event_days: Sequence[int | None]) -> list[int]:
        per_day = [0] * (length + 1)  # the extra slot takes "never" (None)
        last = length - 1
        for day in event_days:
            if day is None:
                per_day[length] += 1
            elif day <= first:
                per_day[0] += 1
            else:
                per_day[min(day - first, last)] += 1
        return list(accumulate(per_day[:length]))

    enrolled = cumulative(rows.enrolled_at)
    started = cumulative(rows.started_at)
    passed = cumulative(rows.passed_at)
    exempted = cumulative(rows.exempted_at)
    dated = cumulative(rows.dated_passed_at)
    late = [0] * (length + 1)
    for due, ends in rows.late:
        begins = max(due, first) - first
        ends = length if ends is None else min(max(ends, first) - first, length)
        if begins < ends:
            late[begins] += 1
            late[ends] -= 1
    past_due = list(accumulate(late[:length]))
    points = tuple(
        DayPoint(date.fromordinal(first + i), *counts)
        for i, counts in enumerate(zip(enrolled, started, passed, past_due, exempted, strict=True))
    )
    return ProgressSeries(
        points=points,
        today=date.fromordinal(today),
        now=now,
        zone=zone,
        dated_passed=tuple(dated),
        undated_passed=rows.undated_passed,
        undated_rows=rows.undated_rows,
        deadlines=rows.spread(),
        open_deadline=rows.open_deadline(campaign),
        phase=phase,
    )


class _Rows:
    """Each row's event days (day numbers; None: never), gathered in one pass."""

    __slots__ = (
        "dated_passed_at",
        "deadline_max",
        "deadline_min",
        "enrolled_at",
        "exempted_at",
        "late",
        "min_day",
        "open_max",
        "passed_at",
        "relative",
        "start_day",
        "started_at",
        "undated_passed",
        "undated_rows",
    )

    def __init__(self) -> None:
        self.enrolled_at: list[int] = []
        self.started_at: list[int | None] = []
        self.passed_at: list[int | None] = []
        self.dated_passed_at: list[int | None] = []
        self.exempted_at: list[int | None] = []
        self.late: list[tuple[int, int | None]] = []
        self.undated_passed = 0
        self.undated_rows = 0
        self.start_day: int | None = None
        self.min_day: int | None = None  # the earliest dated event of any row
        self.relative = False
        self.deadline_min: datetime | None = None
        self.deadline_max: datetime | None = None
        self.open_max: datetime | None = None

    def note_deadline(self, deadline: datetime, still_open: bool) -> None:
        if self.deadline_min is None or deadline < self.deadline_min:
            self.deadline_min = deadline
        if self.deadline_max is None or deadline > self.deadline_max:
            self.deadline_max = deadline
        if still_open and (self.open_max is None or deadline > self.open_max):
            self.open_max = deadline

    def spread(self) -> DeadlineSpread | None:
        if self.deadline_min is None or self.deadline_max is None:
            return None
        return DeadlineSpread(self.deadline_min, self.deadline_max, relative=self.relative)

    def open_deadline(self, campaign: Campaign | None) -> datetime | None:
        if campaign is not None and campaign.end_date is not None:
            return campaign.end_date
        return self.open_max if self.open_max is not None else self.deadline_max


def _rows(
    campaign: Campaign | None,
    enrollments: Iterable[Enrollment],
    days: LocalDays,
    today: int,
    now: datetime,
    phase: CampaignPhase,
) -> _Rows:
    rows = _Rows()
    end_date = campaign.end_date if campaign is not None else None
    duration = (
        parse_relative_duration(campaign.relative_duration)
        if campaign is not None and end_date is None
        else None
    )
    rows.relative = duration is not None
    dormant = phase in _DORMANT
    if campaign is not None and campaign.start_date is not None:
        rows.start_day = days.of(campaign.start_date)
    fixed_due_day = _due_day(end_date, days, today, now) if end_date is not None else None
    states: dict[str | None, EnrollmentState] = {}
    day_of = days.of
    # Locals and appends bound once: this loop runs for every row (20,000 in a big campaign).
    undated_passed = undated_rows = 0
    min_day: int | None = None
    add_enrolled = rows.enrolled_at.append
    add_started = rows.started_at.append
    add_passed = rows.passed_at.append
    add_dated = rows.dated_passed_at.append
    add_exempted = rows.exempted_at.append
    add_late = rows.late.append
    completed_state, exempted_state = EnrollmentState.COMPLETED, EnrollmentState.EXEMPTED
    for enrollment in enrollments:
        status = enrollment.status
        state = states.get(status)
        if state is None:
            state = states[status] = classify(status)
        # Day numbers; a date after today is clamped to today when the days are counted.
        enrolled_on = enrollment.enrollment_date
        e = None if enrolled_on is None else day_of(enrolled_on)
        s = None if enrollment.start_date is None else day_of(enrollment.start_date)
        c = None if enrollment.completion_date is None else day_of(enrollment.completion_date)
        began = s if c is None or (s is not None and s < c) else c  # start, else completion
        found = e if began is None or (e is not None and e < began) else began
        if found is None:
            undated_rows += 1
            earliest = latest = _NO_DATE
        else:
            earliest = latest = found
            for day in (e, s, c):
                if day is not None and day > latest:
                    latest = day
            if min_day is None or earliest < min_day:
                min_day = earliest
        add_enrolled(earliest)
        passed_on: int | None = None
        if state is completed_state:
            passed_on = c if c is not None else latest
            if c is None:
                undated_passed += 1
        add_passed(passed_on)
        add_dated(c if passed_on is not None else None)
        if began is not None:
            add_started(began)
        else:
            add_started(latest if state in _BEGUN else None)
        add_exempted(earliest if state is exempted_state else None)
        # Deadlines: for the spread, the forecast, and past due over time.
        deadline: datetime | None = end_date
        due_day = fixed_due_day
        if duration is not None and enrolled_on is not None:
            deadline = duration.add_to(enrolled_on)
            due_day = _due_day(deadline, days, today, now) if deadline is not None else None
            if deadline is not None:
                rows.note_deadline(deadline, still_open=not state.is_compliant)
        if due_day is not None and not dormant and state in _CAN_BE_LATE:
            # Nobody is late before they are enrolled (a row dated only by its completion).
            add_late((due_day if due_day > earliest else earliest, passed_on))
    rows.undated_passed, rows.undated_rows, rows.min_day = undated_passed, undated_rows, min_day
    if end_date is not None and rows.enrolled_at:
        rows.note_deadline(end_date, still_open=True)
    return rows


def _due_day(deadline: datetime, days: LocalDays, today: int, now: datetime) -> int | None:
    """The first day at whose end the deadline has passed; None while it is still ahead
    (a deadline later today has not passed yet: today's counts are as of now)."""
    day = days.of(deadline)
    if day > today or (day == today and deadline > now):
        return None
    return day
