"""When to try a failed request again, and how long to wait first.

Retried: 429, 500, 502, 503, 504, timeouts and dropped connections. Never retried: other
4xx (a wrong key or id does not get better by asking again). Every request is bounded:

- at most `max_attempts` (8) attempts, whatever fails;
- 5xx and network failures: exponential backoff with full jitter, or the server's
  Retry-After when it is a positive number of seconds or a future date (0, negative, past
  or unreadable values mean "no advice": the backoff applies, never an immediate retry),
  all within `budget` (60 s) of failing;
- 429: waits that grow faster (so few requests go out while the per-minute window
  clears), never shorter than a positive Retry-After. A 429 that lasts `rate_window`
  (60 s), or a Retry-After longer than that, is no longer the per-minute limit: the day's
  quota is likely spent, and the request stops (`rate_limited_for` tells the client why);
- a connection that cannot be made for good (a name that does not resolve, nothing
  listening on a loopback port) is tried `quick_attempts` (2) times, not for a minute;
- everything within `request_deadline` (120 s): the last attempt is cut there, which also
  ends a server that trickles its answer a byte at a time.

Time queued for the rate limiter does not count: pacing is not failing.
"""

from __future__ import annotations

import asyncio
import math
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

    Returns None when the header is absent, unreadable, zero, negative or a date in the
    past, so the caller falls back to its own backoff: such a value is no advice, and
    taking it as "retry at once" lets a server make kb4tui hammer it.
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
        if not math.isfinite(seconds) or seconds <= 0:
            return None
        return seconds
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    reference = now or datetime.now(UTC)
    seconds = (when - reference).total_seconds()
    return seconds if seconds > 0 else None


@dataclass
class RetryPolicy:
    """Backoff settings and the bounds of one request (see the module docstring). Tests
    shrink the delays and windows or inject `clock` and `sleep`."""

    budget: float = 60.0
    base_delay: float = 0.5
    max_delay: float = 15.0
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    max_attempts: int = 8
    rate_window: float = 60.0
    rate_max_delay: float = 30.0
    quick_attempts: int = 2
    request_deadline: float = 120.0

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max_delay, base_delay * 2**attempt)]."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** min(attempt, 30)))
        return self.rng.uniform(0.0, ceiling)

    def rate_limit_backoff(self, attempt: int) -> float:
        """After a 429: equal jitter in [c/2, c], c = min(rate_max_delay, 4 * base_delay *
        2**attempt). With the defaults (2, 4, 8, 16, 30 s...) the waits of `max_attempts`
        attempts add up to at least the 60 s window, in 7 or 8 requests."""
        ceiling: float = min(self.rate_max_delay, 4 * self.base_delay * 2.0 ** min(attempt, 30))
        return ceiling / 2 + self.rng.uniform(0.0, ceiling / 2)

    def next_delay(
        self,
        attempt: int,
        elapsed: float,
        retry_after: float | None,
        *,
        rate_limited_for: float | None = None,
        quick: bool = False,
    ) -> float | None:
        """The wait before attempt `attempt + 1` (`attempt` counts from 0), or None to stop.

        `elapsed` is the time since the first attempt started (without time queued for
        the rate limiter). `rate_limited_for` is set for a 429: how long this request has
        been answered 429. `quick` marks a failure that will not get better soon (see
        the module docstring). A Retry-After longer than what the bounds leave ends the
        retries at once rather than sleeping in vain.
        """
        if attempt + 1 >= (self.quick_attempts if quick else self.max_attempts):
            return None
        if rate_limited_for is not None:
            if self.gave_up_on_quota(rate_limited_for, retry_after):
                return None
            delay = max(retry_after or 0.0, self.rate_limit_backoff(attempt))
            # The last wait ends just past the window (never before a Retry-After, which
            # fits in it): one more answer says whether the 429 outlasted the minute.
            delay = min(delay, self.rate_window - rate_limited_for + 0.01)
        else:
            delay = retry_after if retry_after is not None else self.backoff(attempt)
            if elapsed + delay > self.budget:
                return None
        if elapsed + delay >= self.request_deadline:
            return None
        return delay

    def gave_up_on_quota(self, rate_limited_for: float, retry_after: float | None) -> bool:
        """Whether 429s that began `rate_limited_for` ago (and the server's Retry-After)
        outlast the per-minute window: then the day's quota is likely spent."""
        if rate_limited_for >= self.rate_window:
            return True
        return retry_after is not None and rate_limited_for + retry_after > self.rate_window


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
