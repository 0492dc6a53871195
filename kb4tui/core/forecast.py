"""Will a campaign make its deadline? A forecast from the pace of its last 14 days.

Decisions (pinned by tests/unit/core/test_core_forecast.py):

- Pace: completions that carry a date, over the last PACE_WINDOW_DAYS days (today
  included), per day. A campaign younger than that uses the days it has, at least one, and
  says so (`window_days`). Passed rows with no completion date never count towards it.
- Done is passed + exempted (the completion %), against everyone enrolled today: the
  forecast assumes nobody else is enrolled.
- At a pace of p a day, done at the end of day today+k is done_now + p x k (the rest of
  today is not counted, so the projection errs late). A target (95%, 100%) is reached on
  the first such day with done x 100 >= target x enrolled; a target already met gives the
  day it was met; one further than MAX_FORECAST_DAYS away, or a pace of zero, gives None:
  "not at this pace".
- Expected at the deadline: the projection on the deadline's day (capped at 100%). A
  deadline already passed reports what was done by the end of its day instead. For a
  relative duration the deadline is the latest one among the rows still owing work.
- Too early: a campaign younger than RECENT_START_DAYS (a week, as the "zero completion"
  hint) with no dated completion yet is not judged behind; its pace says nothing yet.
- Cancelled and archived campaigns ask nothing more of anyone: no forecast (INACTIVE).
- Stalling: a campaign not finished (completed, closed, cancelled, archived), at least
  PACE_WINDOW_DAYS old, with work left, whose last 14 days cleared less than 1% of the work
  left (with fewer than 100 left: nothing at all).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import Enum

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.campaign_index import CampaignIndex
from kb4tui.core.hints import RECENT_START_DAYS
from kb4tui.core.lifecycle import CampaignPhase
from kb4tui.core.progress import ProgressSeries, local_date, progress_series

__all__ = [
    "MAX_FORECAST_DAYS",
    "PACE_WINDOW_DAYS",
    "CampaignProgress",
    "Forecast",
    "Outlook",
    "TargetDay",
    "campaign_progress",
    "forecast",
    "format_percent",
    "progress_of_campaigns",
]

PACE_WINDOW_DAYS = 14
# Beyond ten years a projected date means nothing: "not at this pace".
MAX_FORECAST_DAYS = 3650
TARGETS = (95, 100)


class Outlook(Enum):
    """The forecast in one word; `label` is what the UI prints beside a symbol."""

    NO_ENROLLMENTS = "no enrollments"
    INACTIVE = "cancelled or archived"
    TOO_EARLY = "too early to tell"
    DONE = "done"
    MISSED = "deadline missed"
    STALLING = "stalling"
    ON_TRACK = "on track"
    CLOSE = "close"
    BEHIND = "behind"
    NO_DEADLINE = "no deadline"

    @property
    def label(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class TargetDay:
    """When `percent` completion is (or was) reached; day None: not at this pace."""

    percent: int
    day: date | None
    reached: bool


@dataclass(frozen=True, slots=True)
class Forecast:
    enrolled: int
    done: int
    window_days: int
    completed_in_window: int
    deadline: datetime | None
    deadline_day: date | None
    deadline_passed: bool
    # A relative duration: `deadline` is the latest one among rows still owing work.
    relative: bool
    # Percent done expected at the deadline (or done by it, once passed); None: no deadline.
    expected_at_deadline: float | None
    targets: tuple[TargetDay, ...]
    stalling: bool
    outlook: Outlook

    @property
    def pace_per_day(self) -> float:
        return self.completed_in_window / self.window_days if self.window_days else 0.0

    @property
    def percent_now(self) -> float | None:
        return None if self.enrolled == 0 else 100.0 * self.done / self.enrolled

    @property
    def remaining(self) -> int:
        return self.enrolled - self.done

    def target(self, percent: int) -> TargetDay | None:
        return next((t for t in self.targets if t.percent == percent), None)

    def sentence(self) -> str:
        """The forecast line of the detail pane and the chart, in plain text."""
        if self.outlook is Outlook.NO_ENROLLMENTS:
            return "No enrollments yet: nothing to forecast."
        full = self.target(100)
        if self.outlook is Outlook.DONE and full is not None and full.day is not None:
            return f"Done: 100% since {full.day.isoformat()}."
        if self.outlook is Outlook.INACTIVE:
            done = format_percent(self.percent_now or 0.0)
            return f"Cancelled or archived: nothing more is expected ({done} done)."
        deadline = self._deadline_text()
        if self.outlook is Outlook.TOO_EARLY:
            return " ".join(["Too early to tell: no completions yet.", deadline]).strip()
        window = f"the last {self.window_days} day{'' if self.window_days == 1 else 's'}"
        parts = [f"Pace of {window}: {_pace_text(self.completed_in_window, self.window_days)}."]
        if deadline:
            parts.append(deadline)
        parts.append("; ".join(_target_text(t) for t in self.targets) + ".")
        if self.stalling:
            parts.append("Stalling: under 1% of the open work done in that time.")
        return " ".join(parts)

    def _deadline_text(self) -> str:
        if self.deadline_day is None:
            return ""
        when = self.deadline_day.isoformat()
        what = "The last open deadline" if self.relative else "The deadline"
        if self.expected_at_deadline is None or self.outlook is Outlook.TOO_EARLY:
            return f"{what} is {when}."
        percent = format_percent(self.expected_at_deadline)
        if self.deadline_passed:
            return f"{what} {when} passed at {percent}."
        return f"{what} {when}: {percent} expected."

    def at_deadline_text(self) -> str:
        """A table cell: "87%" expected, "was 91%" once the deadline has passed, "" for
        nothing to say (no deadline, no enrollments, too early)."""
        if self.expected_at_deadline is None or self.outlook in (
            Outlook.NO_ENROLLMENTS,
            Outlook.INACTIVE,
            Outlook.TOO_EARLY,
        ):
            return ""
        percent = format_percent(self.expected_at_deadline)
        return f"was {percent}" if self.deadline_passed else percent


def _pace_text(completed: int, days: int) -> str:
    if completed == 0:
        return "no completions"
    per_day = completed / days
    shown = f"{per_day:.1f}" if per_day < 10 else f"{per_day:.0f}"
    return f"{completed} completed, {shown} a day"


def _target_text(target: TargetDay) -> str:
    if target.day is None:
        return f"{target.percent}% not at this pace"
    if target.reached:
        return f"{target.percent}% reached {target.day.isoformat()}"
    return f"{target.percent}% by {target.day.isoformat()}"


def format_percent(percent: float) -> str:
    """Whole percent rounded down, so 99.7% never reads as done."""
    return f"{math.floor(percent + 1e-9)}%"


def forecast(series: ProgressSeries) -> Forecast:
    """The forecast for one campaign's series (see the module notes)."""
    last = series.last
    today = series.today
    deadline = series.open_deadline
    deadline_day = _local_day(deadline, series) if deadline is not None else None
    relative = series.deadlines is not None and series.deadlines.relative
    if last is None or last.enrolled == 0:
        return Forecast(
            enrolled=0,
            done=0,
            window_days=0,
            completed_in_window=0,
            deadline=deadline,
            deadline_day=deadline_day,
            deadline_passed=deadline is not None and deadline <= series.now,
            relative=relative,
            expected_at_deadline=None,
            targets=(),
            stalling=False,
            outlook=Outlook.NO_ENROLLMENTS,
        )
    enrolled, done = last.enrolled, last.done
    age = (today - series.points[0].day).days
    window = max(1, min(PACE_WINDOW_DAYS, age))
    dated = series.dated_passed
    before = dated[-1 - window] if len(dated) > window else 0
    completed = dated[-1] - before
    pace = completed / window
    targets = tuple(_target_day(series, percent, pace) for percent in TARGETS)
    expected: float | None = None
    passed_deadline = deadline is not None and deadline <= series.now
    if deadline_day is not None:
        if passed_deadline:
            point = series.point_on(deadline_day)
            expected = 0.0 if point is None else 100.0 * point.done / enrolled
        else:
            ahead = max(0, (deadline_day - today).days)
            expected = 100.0 * min(enrolled, done + pace * ahead) / enrolled
    remaining = enrolled - done
    stalling = (
        remaining > 0
        and not series.phase.is_finished
        and age >= PACE_WINDOW_DAYS
        and completed * 100 < remaining
    )
    return Forecast(
        enrolled=enrolled,
        done=done,
        window_days=window,
        completed_in_window=completed,
        deadline=deadline,
        deadline_day=deadline_day,
        deadline_passed=passed_deadline,
        relative=relative,
        expected_at_deadline=expected,
        targets=targets,
        stalling=stalling,
        outlook=_outlook(
            remaining,
            passed_deadline,
            stalling,
            expected,
            too_early=age < RECENT_START_DAYS and dated[-1] == 0,
            inactive=series.phase in (CampaignPhase.CANCELLED, CampaignPhase.ARCHIVED),
        ),
    )


def _local_day(moment: datetime, series: ProgressSeries) -> date:
    return local_date(moment, series.zone)


def _target_day(series: ProgressSeries, percent: int, pace: float) -> TargetDay:
    last = series.points[-1]
    needed = -(-percent * last.enrolled // 100)  # ceil, in integers
    if last.done >= needed:
        # Since when it has held: later enrollments can pull a campaign back below a target.
        since = last.day
        for point in reversed(series.points):
            if point.done * 100 < percent * point.enrolled:
                break
            since = point.day
        return TargetDay(percent, since, reached=True)
    if pace <= 0:
        return TargetDay(percent, None, reached=False)
    days = math.ceil((needed - last.done) / pace - 1e-9)
    if days > MAX_FORECAST_DAYS:
        return TargetDay(percent, None, reached=False)
    return TargetDay(percent, series.today + timedelta(days=days), reached=False)


def _outlook(
    remaining: int,
    deadline_passed: bool,
    stalling: bool,
    expected: float | None,
    *,
    too_early: bool,
    inactive: bool,
) -> Outlook:
    if remaining <= 0:
        return Outlook.DONE
    if inactive:
        return Outlook.INACTIVE
    if deadline_passed:
        return Outlook.MISSED
    if stalling:
        return Outlook.STALLING
    if too_early:
        return Outlook.TOO_EARLY
    if expected is None:
        return Outlook.NO_DEADLINE
    if expected >= 100:
        return Outlook.ON_TRACK
    if expected >= 95:
        return Outlook.CLOSE
    return Outlook.BEHIND


@dataclass(frozen=True, slots=True)
class CampaignProgress:
    """One campaign's daily series and its forecast."""

    campaign: Campaign | None
    series: ProgressSeries
    forecast: Forecast


def campaign_progress(
    campaign: Campaign | None,
    enrollments: Iterable[Enrollment],
    now: datetime,
    *,
    tz: tzinfo | None = None,
) -> CampaignProgress:
    """Series and forecast of one campaign from its own enrollments."""
    series = progress_series(campaign, enrollments, now, tz=tz)
    return CampaignProgress(campaign, series, forecast(series))


def progress_of_campaigns(
    campaigns: Iterable[Campaign],
    enrollments: Iterable[Enrollment],
    now: datetime,
    *,
    tz: tzinfo | None = None,
) -> list[CampaignProgress]:
    """Every campaign's progress from a mixed list (all enrollments), in campaign order.
    Rows are matched to campaigns as everywhere else (`CampaignIndex`: id, else a unique
    name); rows of no known campaign are left out."""
    index = CampaignIndex(campaigns)
    rows: dict[int, list[Enrollment]] = {id(c): [] for c in index.campaigns}
    for enrollment in enrollments:
        campaign = index.campaign_for(enrollment)
        if campaign is not None:
            rows[id(campaign)].append(enrollment)
    return [campaign_progress(c, rows[id(c)], now, tz=tz) for c in index.campaigns]
