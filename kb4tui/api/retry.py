"""When to try a failed request again, and how long to wait first.

Retried: 429, 500, 502, 503, 504, timeouts and dropped connections. Never retried: other
4xx (a wrong key or id does not get better by asking again). Waits use exponential
backoff with full jitter, or the server's Retry-After when it sends one, and all waits and
attempts together stay inside a time budget (about a minute) before the error surfaces.
Time queued for the rate limiter does not count: pacing is not failing.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["RETRYABLE_STATUSES", "RetryPolicy", "RetryStatus", "parse_retry_after"]

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date).

    Returns None when the header is absent or unreadable, so the caller falls back to its
    own backoff; a date in the past means "now" (0.0).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if seconds != seconds or seconds in (float("inf"), float("-inf")):
            return None
        return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    reference = now or datetime.now(UTC)
    return max(0.0, (when - reference).total_seconds())


@dataclass
class RetryPolicy:
    """Backoff settings. Tests shrink `base_delay`/`max_delay` or inject `sleep`."""

    budget: float = 60.0
    base_delay: float = 0.5
    max_delay: float = 15.0
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max_delay, base_delay * 2**attempt)]."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** min(attempt, 30)))
        return self.rng.uniform(0.0, ceiling)

    def next_delay(self, attempt: int, elapsed: float, retry_after: float | None) -> float | None:
        """The wait before attempt `attempt + 1`, or None when the budget is spent.

        `elapsed` is the time since the first attempt started. A Retry-After longer than
        what is left of the budget ends the retries at once rather than sleeping in vain.
        """
        delay = retry_after if retry_after is not None else self.backoff(attempt)
        if elapsed + delay > self.budget:
            return None
        return delay


@dataclass
class RetryStatus:
    """What a client is retrying now, for a "retrying…" indicator in the UI.

    `waiting` counts requests sleeping before another attempt; `last_failure` is the
    latest failure's message (never contains the key); `retries` counts every retry.
    `unreachable` is true from an attempt that could not reach the server (no connection,
    a timeout) until the next response of any kind: offline, long before retries give up;
    `unreachable_retrying` counts the requests still trying whose last attempt found no
    server (a request leaves it with an answer, or when it ends: given up or cancelled).
    """

    waiting: int = 0
    retries: int = 0
    last_failure: str | None = None
    unreachable: bool = False
    unreachable_retrying: int = 0
