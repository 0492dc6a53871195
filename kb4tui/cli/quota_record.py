"""Every request a command makes counts in the profile's quota meter, the same persisted
meter the TUI shows (kb4tui.store.quota): KnowBe4 counts a script's requests against the
same daily quota as the TUI's, so the header and `kb4tui cache info` must too.

The client's `UsageCounter` tells a `QuotaFeed` of each request on the event loop; the feed
is written to SQLite in a worker thread every few seconds and when the command ends (also
on Ctrl-C and the stop signals, which unwind through here), so a TUI open beside a long
export sees the count grow.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from kb4tui.api.ratelimit import UsageCounter
from kb4tui.store.quota import QuotaMeter
from kb4tui.store.quota_feed import QuotaFeed

__all__ = ["recording_quota"]

FLUSH_EVERY = 5.0


def _close(feed: QuotaFeed, seats: int | None) -> list[str]:
    """In a thread: write what is pending, remember the seats (the limit is 2,000 + seats),
    close; returns what the meter has to say (a damaged file rebuilt)."""
    try:
        feed.flush()
        if seats is not None:
            feed.set_seats(seats)
        return feed.meter.pop_notices()
    finally:
        feed.meter.close()


async def _flush_every(feed: QuotaFeed, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        if feed.pending:
            await asyncio.to_thread(feed.flush)


@asynccontextmanager
async def recording_quota(
    store_name: str,
    usage: UsageCounter,
    *,
    seats: Callable[[], int | None] = lambda: None,
    directory: Path | None = None,
    every: float = FLUSH_EVERY,
) -> AsyncIterator[QuotaFeed]:
    """Count `usage`'s requests in the meter of `store_name` while the block runs.

    `seats` is asked at the end (the account's seats if the command learnt them). A meter
    that cannot be opened runs in memory (the store says so): it never stops a command.
    """
    meter = await asyncio.to_thread(QuotaMeter.open, directory, store_name)
    feed = QuotaFeed(meter)
    detach = feed.attach(usage)
    flusher = asyncio.ensure_future(_flush_every(feed, every))
    try:
        yield feed
    finally:
        detach()
        flusher.cancel()
        await asyncio.gather(flusher, return_exceptions=True)
        for notice in await asyncio.to_thread(_close, feed, seats()):
            print(f"kb4tui: {notice}", file=sys.stderr)
