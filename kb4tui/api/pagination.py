"""Walking the API's page-numbered lists quickly, in order, and without losing rows.

The API gives no totals; the end of a list is the first empty page (a short page is not
proof, because some endpoints cap the page size below what was asked). To go faster than
one page per round trip, `ordered_pages` asks for several pages ahead at once. The rate
limiter, not this module, decides how many requests are really in flight; this module only
decides how far ahead it is worth asking, so that few requests are spent past the end.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

__all__ = ["DEFAULT_WINDOW", "PER_PAGE", "Row", "ordered_pages", "planned_pages"]

PER_PAGE = 500
DEFAULT_WINDOW = 8
Row = dict[str, Any]
PageFetcher = Callable[[int], Awaitable[list[Row]]]


def planned_pages(expected_rows: int, per_page: int) -> int:
    """Pages that hold `expected_rows` (without the empty page that confirms the end)."""
    return max(0, math.ceil(max(0, expected_rows) / per_page))


async def ordered_pages(
    fetch: PageFetcher,
    *,
    per_page: int = PER_PAGE,
    window: int = DEFAULT_WINDOW,
    expected_rows: int | Callable[[], int | None] | None = None,
) -> AsyncGenerator[list[Row], None]:
    """Yield pages 1, 2, 3, ... in order until the first empty page (not yielded).

    Up to `window` pages are requested ahead of the one being waited for. How far ahead:
    - without a hint, start with 2 pages and double the lookahead after each full page
      (a one-page list costs the same two requests as a sequential pager);
    - with `expected_rows`, ask at once for the pages it implies plus the empty one, and
      go beyond only if the list turns out longer;
    - after a short page, ask only for the next one (almost surely the empty end);
    - `expected_rows` may be a function that answers None until the count is known
      (another listing still running): until then one page at a time, doubling as above.
    Pages beyond the end are cancelled (those still waiting for the rate limiter cost
    nothing) and their results discarded. An error fetching any page that is needed
    propagates; errors of discarded pages are ignored.
    """
    if window < 1:
        raise ValueError("window must be at least 1")
    hint: Callable[[], int | None] | None = None
    known: int | None
    if callable(expected_rows):
        hint = expected_rows
        known = hint()
    else:
        known = expected_rows
    plan = planned_pages(known, per_page) if known is not None else None
    if plan is not None:
        lookahead = min(window, plan + 1)
    else:
        lookahead = 1 if hint is not None else min(window, 2)
    tasks: dict[int, asyncio.Task[list[Row]]] = {}
    next_launch = 1
    current = 1
    stop_after: int | None = None  # launch nothing beyond this page
    withdrawn: list[asyncio.Task[list[Row]]] = []  # cancelled, awaited only at the end

    try:
        while True:
            if plan is None and hint is not None:
                known = hint()
                if known is not None:
                    plan = planned_pages(known, per_page)
                    lookahead = max(lookahead, min(window, plan + 1))
            last = current + max(lookahead, 1) - 1
            if plan is not None and current <= plan:
                last = min(last, plan + 1)
            if stop_after is not None:
                last = min(last, stop_after)
            while next_launch <= last:
                tasks[next_launch] = asyncio.ensure_future(fetch(next_launch))
                next_launch += 1
            rows = await tasks.pop(current)
            if not rows:
                return
            if len(rows) < per_page:
                # Almost surely the end: withdraw what lies beyond the next page before
                # the caller even sees this one, while it may still be queued in the rate
                # limiter (free), not once the empty page confirms it (by then, sent).
                stop_after = current + 1
                withdrawn.extend(_cancel_beyond(tasks, stop_after))
                next_launch = min(next_launch, stop_after + 1)
            yield rows
            if len(rows) >= per_page:
                stop_after = None
                if plan is None or current >= plan:
                    lookahead = min(window, lookahead * 2)
            current += 1
    finally:
        withdrawn.extend(_cancel_beyond(tasks, 0))
        if withdrawn:
            await asyncio.gather(*withdrawn, return_exceptions=True)


def _cancel_beyond(
    tasks: dict[int, asyncio.Task[list[Row]]], last: int
) -> list[asyncio.Task[list[Row]]]:
    """Cancel and remove the requests for pages after `last` (a short page may not be the
    end after all; then those pages are asked again). Their results and errors are unwanted."""
    beyond = [page for page in tasks if page > last]
    for page in beyond:
        tasks[page].cancel()
    return [tasks.pop(page) for page in beyond]
