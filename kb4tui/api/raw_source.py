"""`RawSource`: the API's records as it sent them, page by page. `KnowBe4Client` is one;
the offline export's cache reader (`kb4tui.exporting.offline.CachedSource`) is another.

The session's repository and the exports read through this and nothing else, so JSON
keeps the API's own field names and values, and the cache stores exactly what came in.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any, Protocol

__all__ = ["RawSource", "Row"]

Row = dict[str, Any]


class RawSource(Protocol):
    def iter_raw_pages(self, kind: str, **filters: Any) -> AsyncGenerator[list[Row], None]:
        """Every page of `kind` (a key of `kb4tui.api.resources.RESOURCES`) in order, each
        row once; `filters` are the API's own query parameters. Raises APIError when a page
        fails for good."""
        ...

    async def get_raw(self, kind: str, item_id: int) -> Row:
        """One record of `kind` by id; NotFoundError names it."""
        ...
