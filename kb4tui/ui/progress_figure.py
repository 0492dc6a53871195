"""What the progress chart draws, worked out without Textual or the plotting library.

A `ProgressFigure` holds the lines in day numbers from the series' first day (x = 0): the
enrolled, passed and derived past-due counts up to today, the forecast of passed from today
at the pace of the last 14 days, the deadline marks (one end date, or the earliest and
latest per-enrollment deadlines of a relative duration) and the ticks. The x axis runs past
today to the deadline when one is ahead, but never more than FUTURE_DAYS_MAX further (nor
more than the days already drawn, when that is more): a deadline a year away must not
squeeze months of history into a few columns. A deadline beyond the axis is named in the
caption instead.

Each line has a marker of its own shape as well as a colour, so that the chart reads in 16
colours and under NO_COLOR (see MARKERS).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kb4tui.core.forecast import CampaignProgress
from kb4tui.core.progress import local_date

__all__ = ["FUTURE_DAYS_MAX", "MARKERS", "ProgressFigure", "progress_figure"]

FUTURE_DAYS_MAX = 45

# Line -> (marker, colour). Markers differ in shape; colours are numbers of the 16 ANSI
# colours (1 red, 2 green, 3 yellow, 5 magenta, 12 bright blue: plain blue is unreadable on
# black), which every terminal has, and which plotext and Rich number alike (plotext's
# colour names do not match Rich's: it has no "yellow").
MARKERS: dict[str, tuple[str, int]] = {
    "enrolled": ("·", 12),
    "passed": ("hd", 2),
    "forecast": ("+", 3),
    "past due": ("x", 1),
    "deadline": ("│", 5),
}
# The marker as a legend shows it ("hd" draws half blocks).
LEGEND_GLYPHS = {"hd": "▄"}


@dataclass(frozen=True, slots=True)
class ProgressFigure:
    first_day: date
    last_day: date  # the right end of the x axis (today or later)
    today: int
    enrolled: tuple[int, ...]
    passed: tuple[int, ...]
    past_due: tuple[int, ...]
    forecast: tuple[tuple[int, float], ...]  # (x, passed) from today on; empty: no pace
    deadlines: tuple[int, ...]  # x of each deadline mark inside the axis
    deadline_beyond: date | None  # a deadline past the axis's right end
    y_max: int
    x_ticks: tuple[int, ...]
    x_labels: tuple[str, ...]
    y_ticks: tuple[int, ...]

    @property
    def x_max(self) -> int:
        return (self.last_day - self.first_day).days

    def legend(self) -> list[tuple[str, int, str]]:
        """(glyph, colour, label) for each line drawn, in drawing order."""
        shown = ["enrolled", "passed"]
        if self.forecast:
            shown.append("forecast")
        if any(self.past_due):
            shown.append("past due")
        if self.deadlines:
            shown.append("deadline")
        items = []
        for name in shown:
            marker, colour = MARKERS[name]
            label = name
            if name == "deadline" and len(self.deadlines) > 1:
                label = "first and last deadline"  # a relative duration's spread
            items.append((LEGEND_GLYPHS.get(marker, marker), colour, label))
        return items


def progress_figure(progress: CampaignProgress) -> ProgressFigure | None:
    """The figure for one campaign; None when it has no series (no enrollments yet)."""
    series, forecast = progress.series, progress.forecast
    if series.is_empty:
        return None
    points = series.points
    first, today = points[0].day, points[-1].day
    drawn = len(points) - 1
    room = max(FUTURE_DAYS_MAX, drawn)
    marks = _deadline_days(progress)
    ahead = [d for d in marks if d > today]
    last = today
    if ahead:
        last = min(max(ahead), today + timedelta(days=room))
    elif forecast.deadline_day is None:
        last = today + timedelta(days=min(room, max(7, drawn // 4)))
    inside = tuple(sorted({(d - first).days for d in marks if first <= d <= last}))
    beyond = max(ahead) if ahead and max(ahead) > last else None
    x_end = (last - first).days
    passed = tuple(p.passed for p in points)
    cap = points[-1].enrolled - points[-1].exempted
    projection: tuple[tuple[int, float], ...] = ()
    if forecast.pace_per_day > 0 and x_end > drawn:
        pace = forecast.pace_per_day
        projection = tuple(
            (x, min(float(cap), passed[-1] + pace * (x - drawn))) for x in range(drawn, x_end + 1)
        )
    y_max = max(1, points[-1].enrolled, max(p.enrolled for p in points))
    x_ticks = _x_ticks(x_end)
    return ProgressFigure(
        first_day=first,
        last_day=last,
        today=drawn,
        enrolled=tuple(p.enrolled for p in points),
        passed=passed,
        past_due=tuple(p.past_due for p in points),
        forecast=projection,
        deadlines=inside,
        deadline_beyond=beyond,
        y_max=y_max,
        x_ticks=x_ticks,
        x_labels=tuple((first + timedelta(days=x)).strftime("%b %d") for x in x_ticks),
        y_ticks=_y_ticks(y_max),
    )


def _deadline_days(progress: CampaignProgress) -> list[date]:
    series = progress.series
    spread = series.deadlines
    if spread is None:
        return []
    zone = series.zone
    return sorted({local_date(spread.earliest, zone), local_date(spread.latest, zone)})


def _x_ticks(x_end: int) -> tuple[int, ...]:
    """About five dates along the axis, the ends included."""
    if x_end <= 0:
        return (0,)
    step = max(1, round(x_end / 4))
    ticks = list(range(0, x_end, step))
    if x_end - ticks[-1] < step / 2 and len(ticks) > 1:
        ticks.pop()
    return (*ticks, x_end)


def _y_ticks(y_max: int) -> tuple[int, ...]:
    """0, the middle and the top: whole numbers (counts of people)."""
    if y_max <= 2:
        return tuple(range(y_max + 1))
    return (0, y_max // 2, y_max)
