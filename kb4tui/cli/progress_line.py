"""What a command is doing, on one line of stderr, while it runs.

Only when stderr is a terminal and `--quiet` was not given: a pipe or a log file gets
nothing, and stdout never does (it carries the export). The line says how far the listing
is ("enrollments: 6,000 records, page 12") and why nothing arrives: the transport's pushed
status says when a request is being retried and why; the rate limiter says when the next
request must wait. It is cleared when the command ends, so the final sentence (or the
shell prompt) starts on a clean line, and before each write of an export to the same
terminal (`Output.before_write`), so rows never run into it. It is drawn with a carriage
return and spaces only: no escape sequence, whatever the terminal.

`WatchedSource` wraps the client as a `RawSource` and tells the line every page; it also
counts the records that share an id with another one (enrollments may), for the export's
summary.
"""

from __future__ import annotations

import asyncio
import math
import shutil
import sys
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import aclosing, asynccontextmanager
from typing import Any, TextIO

from kb4tui.api.raw_source import RawSource, Row
from kb4tui.api.resources import resource
from kb4tui.api.retry import RetryStatus
from kb4tui.sanitize import clean_text

__all__ = ["ProgressLine", "WatchedSource"]

# Below this, a rate-limit wait is the normal pace (4 a second), not worth a word.
_WAIT_WORTH_SAYING = 1.0
_TICK = 0.5


class ProgressLine:
    """The progress line (see the module docstring). Disabled: every call does nothing."""

    def __init__(self, stream: TextIO | None, *, clock: Callable[[], float] = time.monotonic):
        self._stream = stream
        self._clock = clock
        self._what = "connecting…"
        self._retrying: str | None = None
        self._rate_wait: Callable[[float], float] | None = None
        self._drawn = 0  # characters on the line now

    @classmethod
    def for_run(cls, *, quiet: bool, stream: TextIO | None = None) -> ProgressLine:
        stream = stream or sys.stderr
        try:
            shown = not quiet and stream.isatty()
        except (AttributeError, ValueError):
            shown = False
        return cls(stream if shown else None)

    @property
    def enabled(self) -> bool:
        return self._stream is not None

    @asynccontextmanager
    async def running(self, client: Any) -> AsyncIterator[None]:
        """Shown while the block runs: follows `client`'s transport status and rate
        limiter (a KnowBe4Client), redrawn on every change and every half second."""
        if self._stream is None:
            yield
            return
        stop = client.transport.observe(self.on_status)
        limiter = client.limiter
        self._rate_wait = limiter.delay
        ticker = asyncio.ensure_future(self._tick())
        self.draw()
        try:
            yield
        finally:
            stop()
            ticker.cancel()
            await asyncio.gather(ticker, return_exceptions=True)
            self.clear()

    def on_status(self, status: RetryStatus) -> None:
        if status.waiting and status.last_failure:
            self._retrying = clean_text(status.last_failure)
        else:
            self._retrying = None
        self.draw()

    def listing(self, kind: str, pages: int, rows: int) -> None:
        self._what = f"{resource(kind).plural}: {rows:,} records, page {pages}"
        self.draw()

    def text(self) -> str:
        text = f"kb4tui: {self._what}"
        if self._retrying:
            return f"{text} · retrying after: {self._retrying}"
        wait = self._rate_wait(self._clock()) if self._rate_wait is not None else 0.0
        if wait >= _WAIT_WORTH_SAYING:
            return f"{text} · waiting for the rate limit ({math.ceil(wait)} s)"
        return text

    def draw(self) -> None:
        if self._stream is None:
            return
        width = shutil.get_terminal_size((80, 24)).columns
        line = self.text()
        if len(line) >= width:
            line = line[: max(0, width - 2)] + "…"
        # Rewritten in place: back to the start, spaces over what is left of the last one.
        self._stream.write("\r" + line + " " * max(0, self._drawn - len(line)))
        self._stream.flush()
        self._drawn = len(line)

    def clear(self) -> None:
        if self._stream is not None and self._drawn:
            self._stream.write("\r" + " " * self._drawn + "\r")
            self._stream.flush()
            self._drawn = 0

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(_TICK)
            self.draw()


class WatchedSource:
    """`source` as a RawSource that reports each page to `progress` and counts records
    sharing an id (`shared`, by kind: records whose id an earlier record already had)."""

    def __init__(self, source: RawSource, progress: ProgressLine) -> None:
        self.source = source
        self.progress = progress
        self.shared: dict[str, int] = {}

    async def iter_raw_pages(self, kind: str, **filters: Any) -> AsyncGenerator[list[Row], None]:
        res = resource(kind)
        ids: set[int] | None = set() if res.shared_ids else None
        pages = rows = 0
        async with aclosing(self.source.iter_raw_pages(kind, **filters)) as listing:
            async for page in listing:
                pages += 1
                rows += len(page)
                if ids is not None:
                    for row in page:
                        key = res.row_id(row)
                        if key in ids:
                            self.shared[kind] = self.shared.get(kind, 0) + 1
                        elif key is not None:
                            ids.add(key)
                self.progress.listing(kind, pages, rows)
                yield page

    async def get_raw(self, kind: str, item_id: int) -> Row:
        return await self.source.get_raw(kind, item_id)
