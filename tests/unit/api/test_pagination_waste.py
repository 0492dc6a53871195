"""Speculative paging spends few requests past the end of a list (issue 7).

The fetcher models the client: a FIFO gate that lets one request leave per tick (the rate
limiter; waiting there costs nothing) and a round trip after it leaves (latency).
"""

from __future__ import annotations

import asyncio
from typing import Any

from kb4tui.api.pagination import ordered_pages

Row = dict[str, Any]
TICK = 0.002  # one request leaves the limiter per tick
ROUND_TRIP = 0.006  # so about three are in flight at once


class PacedAPI:
    def __init__(self, rows: int, per_page: int = 500) -> None:
        self.rows: list[Row] = [{"id": i} for i in range(rows)]
        self.per_page = per_page
        self.sent: list[int] = []
        self._gate = asyncio.Lock()

    async def fetch(self, page: int) -> list[Row]:
        async with self._gate:
            await asyncio.sleep(TICK)
        self.sent.append(page)
        await asyncio.sleep(ROUND_TRIP)
        return self.rows[(page - 1) * self.per_page : page * self.per_page]


async def test_nothing_queued_is_sent_once_a_short_page_arrives() -> None:
    """4,740 rows: pages 1-9 full, 10 short, 11 empty. Once page 10 is in hand, only page
    11 (and what had already left) may be sent, however long the caller dwells on it."""
    api = PacedAPI(4740)
    got: list[Row] = []
    sent_when_short_page_seen: list[int] = []
    async for page in ordered_pages(api.fetch, window=8):
        got.extend(page)
        if len(page) < 500:
            sent_when_short_page_seen = list(api.sent)
            await asyncio.sleep(10 * TICK)  # a slow consumer (parsing, painting)
    assert got == api.rows
    late = [p for p in api.sent if p not in sent_when_short_page_seen]
    assert late in ([], [11])
    assert sorted(api.sent) == list(range(1, len(api.sent) + 1))
    # Only what was in flight when the short page came back is wasted.
    assert len(api.sent) - 11 <= round(ROUND_TRIP / TICK) + 1


async def test_full_last_page_wastes_at_most_what_is_in_flight() -> None:
    api = PacedAPI(5000)  # ten full pages; page 11 is the empty end
    got = [row async for page in ordered_pages(api.fetch, window=8) for row in page]
    assert got == api.rows
    assert len(api.sent) - 11 <= round(ROUND_TRIP / TICK) + 1


async def test_expected_rows_wastes_nothing() -> None:
    api = PacedAPI(4740)
    pages = ordered_pages(api.fetch, window=8, expected_rows=4740)
    got = [row async for page in pages for row in page]
    assert got == api.rows
    assert sorted(api.sent) == list(range(1, 12))


async def test_capped_short_pages_still_reach_the_end() -> None:
    """Withdrawn pages are asked again when a short page was not the end (a server that
    serves 10 rows whatever per_page says)."""
    api = PacedAPI(95, per_page=10)
    pages = [page async for page in ordered_pages(api.fetch, per_page=500, window=8)]
    assert [len(p) for p in pages] == [10] * 9 + [5]
    assert [row for page in pages for row in page] == api.rows
