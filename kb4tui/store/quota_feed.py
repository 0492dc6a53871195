"""Feed the client's request count into the persisted quota meter without blocking.

The client's `UsageCounter` tells its observers the count on the event loop for every HTTP
attempt that may have reached the server (retries included: the server counts those too;
a connection that was never made is not counted). Writing a SQLite row for each
would stall the loop, so `QuotaFeed` only adds to a pending number there and `flush()`
(run in a worker thread, e.g. every half second) records the batch and reads the status.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from kb4tui.store.quota import QuotaMeter, QuotaStatus

__all__ = ["QuotaFeed", "RequestCounter"]


class RequestCounter(Protocol):
    """What the feed needs of `kb4tui.api.ratelimit.UsageCounter`."""

    @property
    def count(self) -> int: ...

    def observe(self, observer: Callable[[int], None]) -> Callable[[], None]: ...


class QuotaFeed:
    """Pending requests for one meter; `attach(usage)` hooks a client's counter."""

    def __init__(self, meter: QuotaMeter) -> None:
        self.meter = meter
        self._lock = threading.Lock()
        self._pending = 0
        self._last_count: int | None = None
        self.status: QuotaStatus = meter.status()

    def attach(self, usage: RequestCounter) -> Callable[[], None]:
        """Count what `usage` counts from now on; returns what detaches it."""
        with self._lock:
            self._last_count = usage.count
        return usage.observe(self.observe)

    def observe(self, count: int) -> None:
        """The counter now says `count`: the growth since last time is new requests."""
        with self._lock:
            last = self._last_count if self._last_count is not None else count - 1
            self._pending += max(0, count - last)
            self._last_count = count

    @property
    def pending(self) -> int:
        with self._lock:
            return self._pending

    def flush(self) -> QuotaStatus:
        """Record what is pending and return the meter's status (blocking: use a thread)."""
        with self._lock:
            batch, self._pending = self._pending, 0
        if batch:
            self.meter.record(batch)
        self.status = self.meter.status()
        return self.status

    def set_seats(self, seats: int | None) -> None:
        """Blocking as well: the limit is 2,000 + seats."""
        self.meter.set_seats(seats)
        self.status = self.meter.status()

    def would_exceed(self, requests: int) -> bool:
        """From the last status read (no I/O): whether `requests` more go past the limit."""
        status = self.status
        return status.used + self.pending + requests > status.limit
