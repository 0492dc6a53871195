"""Plain-text formatting shared by the screens: dates, ages, durations, bars.

Everything returns `str`; screens wrap API text in `rich.text.Text` so nothing from the
API is ever read as markup.
"""

from __future__ import annotations

from datetime import datetime

__all__ = [
    "age",
    "bar",
    "day",
    "minutes",
    "percent",
    "seconds",
    "short_seconds",
    "stamp",
    "yes_no",
]

DASH = "–"


def day(value: datetime | None) -> str:
    """A date as 2026-03-01, or a dash when unknown."""
    return value.strftime("%Y-%m-%d") if value else DASH


def stamp(value: datetime | None) -> str:
    """A timestamp to the minute, in UTC (the API's zone)."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else DASH


def age(then: datetime | None, now: datetime) -> str:
    """How long ago, in the words the header uses: "just now", "2 min ago", "3 h ago"."""
    if then is None:
        return "not fetched yet"
    seconds_ago = max(0, int((now - then).total_seconds()))
    if seconds_ago < 60:
        return "just now"
    if seconds_ago < 3600:
        return f"{seconds_ago // 60} min ago"
    if seconds_ago < 86400:
        return f"{seconds_ago // 3600} h ago"
    return f"{seconds_ago // 86400} d ago"


def percent(value: float | None) -> str:
    return DASH if value is None else f"{value:.0f}%"


def bar(value: float | None, width: int = 20) -> str:
    """A completion bar from 0-100 in block characters (no colour needed)."""
    if value is None:
        return "░" * width
    filled = round(max(0.0, min(100.0, value)) / 100 * width)
    return "█" * filled + "░" * (width - filled)


def minutes(value: int | None) -> str:
    return DASH if value is None else f"{value} min"


def seconds(value: int | None) -> str:
    """Time spent, given in seconds by the API, as 1 h 05 min / 12 min / 40 s."""
    if value is None:
        return DASH
    if value < 60:
        return f"{value} s"
    mins = value // 60
    if mins < 60:
        return f"{mins} min"
    return f"{mins // 60} h {mins % 60:02d} min"


def short_seconds(value: int | None) -> str:
    """Time spent for a narrow table column: 40 s / 12 min / 70 min."""
    if value is None:
        return DASH
    return f"{value} s" if value < 60 else f"{value // 60} min"


def yes_no(value: bool | None) -> str:
    if value is None:
        return DASH
    return "yes" if value else "no"
