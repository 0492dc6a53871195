"""Per-key rate limiting as documented: per second, per minute (burst) and per day.

Windows slide, except the daily one, which starts at a key's first request and lasts 24
hours (the docs anchor it to the first request, not to midnight). Rejected requests do not
count against the limits.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

DAY_SECONDS = 86_400.0


@dataclass
class _KeyWindow:
    recent: deque[float] = field(default_factory=deque)  # times within the last minute
    day_started: float | None = None
    day_count: int = 0


class RateLimiter:
    """Not thread-safe by itself: the request handler calls it under its lock."""

    def __init__(self) -> None:
        self._windows: dict[str, _KeyWindow] = {}

    def reset(self) -> None:
        self._windows.clear()

    def check(
        self, key: str, now: float, *, per_second: int, per_minute: int, per_day: int
    ) -> float | None:
        """Record a request and return None, or refuse it and return seconds to wait."""
        window = self._windows.setdefault(key, _KeyWindow())
        recent = window.recent
        while recent and recent[0] <= now - 60.0:
            recent.popleft()
        if window.day_started is None or now - window.day_started >= DAY_SECONDS:
            window.day_started, window.day_count = now, 0
        if window.day_count >= per_day:
            return window.day_started + DAY_SECONDS - now
        if len(recent) >= per_minute:
            return recent[-per_minute] + 60.0 - now
        last_second = sum(1 for t in reversed(recent) if t > now - 1.0)
        if last_second >= per_second:
            return recent[-per_second] + 1.0 - now
        recent.append(now)
        window.day_count += 1
        return None

    def used_today(self, key: str) -> int:
        window = self._windows.get(key)
        return window.day_count if window else 0


def retry_after_header(wait: float) -> str:
    """Whole seconds, at least 1, as HTTP's Retry-After wants."""
    return str(max(1, math.ceil(wait)))
