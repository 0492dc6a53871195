"""Client-side pacing for the KnowBe4 rate limits, and a counter of requests made.

KnowBe4 allows 4 requests a second and 50 a minute per API key.
Every request of every client using one key goes through that key's `RateLimiter`, so a
screen loading enrollments and another loading users share one budget instead of each
believing it owns it.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

__all__ = [
    "DEFAULT_LIMITS",
    "RateLimiter",
    "Slot",
    "UsageCounter",
    "key_fingerprint",
    "shared_limiter",
    "shared_usage",
]

# (requests, seconds): at most `requests` in any sliding window of `seconds`.
DEFAULT_LIMITS: tuple[tuple[int, float], ...] = ((4, 1.0), (50, 60.0))

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Slot:
    """One granted request. `mark_sent()` moves its time to when the bytes really left
    (after connecting and the TLS handshake), which is closer to what the server counts."""

    __slots__ = ("_clock", "at")

    def __init__(self, at: float, clock: Clock) -> None:
        self.at = at
        self._clock = clock

    def __repr__(self) -> str:
        return f"Slot(at={self.at:.3f})"

    def mark_sent(self) -> None:
        self.at = max(self.at, self._clock())


class RateLimiter:
    """Sliding-window limiter: `await acquire()` before every HTTP request.

    Waiters are served first come, first served (an asyncio.Lock is FIFO), and a waiter
    sleeps exactly until the oldest request in a full window leaves it: no polling.
    `margin` widens each window a little because the server counts arrivals, which lag our
    send times by a varying delay (network, and our own event loop busy parsing a page).
    Measured against the demo server at 1 s latency: 0.05 s still drew a few 429s, 0.1 s
    none or one in 40 requests, for about 10% less throughput than no margin.
    """

    def __init__(
        self,
        limits: Sequence[tuple[int, float]] = DEFAULT_LIMITS,
        *,
        margin: float = 0.1,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not limits or any(count < 1 or period <= 0 for count, period in limits):
            raise ValueError("each limit needs a positive count and period")
        self.limits: tuple[tuple[int, float], ...] = tuple(
            (int(count), float(period) + margin) for count, period in limits
        )
        # Twice the largest count: `mark_sent` can reorder slots a little, and trimming
        # the oldest-granted must never drop one that still counts.
        self._history_size = 2 * max(count for count, _ in self.limits)
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[Slot] = deque()
        # Locks bind to one event loop; a limiter shared across loops (CLI run, then the
        # TUI) makes a fresh lock per loop while keeping the shared send history.
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"RateLimiter(limits={self.limits!r}, recent={len(self._sent)})"

    def _current_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock = asyncio.Lock()
            self._lock_loop = loop
        return self._lock

    def delay(self, now: float) -> float:
        """Seconds until one more request fits in every window (0 when it fits now)."""
        # Slots are granted in order but `mark_sent` may move them later, so sort the
        # (at most ~50) times rather than trust the deque's order.
        times = sorted(slot.at for slot in self._sent)
        wait = 0.0
        for count, period in self.limits:
            if len(times) >= count:
                oldest_in_window = times[-count]
                wait = max(wait, oldest_in_window + period - now)
        return wait

    async def acquire(self) -> Slot:
        """Wait for a slot and claim it. Cancelling a waiter claims nothing."""
        async with self._current_lock():
            while True:
                wait = self.delay(self._clock())
                if wait <= 0:
                    break
                await self._sleep(wait)
            slot = Slot(self._clock(), self._clock)
            self._sent.append(slot)
            while len(self._sent) > self._history_size:
                self._sent.popleft()
            return slot


class UsageCounter:
    """Requests sent. Observers (`observe`) are told the new count after every change.

    Persistence across runs belongs to the quota meter (`kb4tui.store.quota_feed`); this
    only counts and notifies. One counter is shared by every client of a key.
    """

    def __init__(self, count: int = 0) -> None:
        self.count = count
        self._observers: list[Callable[[int], None]] = []

    def __repr__(self) -> str:
        return f"UsageCounter(count={self.count})"

    def observe(self, observer: Callable[[int], None]) -> Callable[[], None]:
        """Call `observer(count)` after every change; returns what stops it."""
        self._observers.append(observer)

        def stop() -> None:
            if observer in self._observers:
                self._observers.remove(observer)

        return stop

    def record(self, requests: int = 1) -> None:
        self.count += requests
        self._notify()

    def reset(self, count: int = 0) -> None:
        self.count = count
        self._notify()

    def _notify(self) -> None:
        for observer in list(self._observers):
            observer(self.count)


def key_fingerprint(api_key: str) -> str:
    """A stable, non-reversible name for a key: registries are keyed by this, never the key."""
    return hashlib.sha256(b"kb4tui-key:" + api_key.encode("utf-8")).hexdigest()[:32]


_registry_lock = threading.Lock()
_limiters: dict[str, RateLimiter] = {}
_usage: dict[str, UsageCounter] = {}


def shared_limiter(api_key: str) -> RateLimiter:
    """The one limiter for this key in this process."""
    fingerprint = key_fingerprint(api_key)
    with _registry_lock:
        limiter = _limiters.get(fingerprint)
        if limiter is None:
            limiter = _limiters[fingerprint] = RateLimiter()
        return limiter


def shared_usage(api_key: str) -> UsageCounter:
    """The one usage counter for this key in this process."""
    fingerprint = key_fingerprint(api_key)
    with _registry_lock:
        usage = _usage.get(fingerprint)
        if usage is None:
            usage = _usage[fingerprint] = UsageCounter()
        return usage
