"""One way to open a Repository for the app: the client on the app's loop, then the
profile's cache file and quota meter (keyed by the client's base URL), closed together.

Used by `kb4tui` at start (kb4tui.cli.tui), after the sign-in screen, and by the palette's
profile switch (kb4tui.ui.profiles). No textual here: it only wires data objects.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from functools import partial

from kb4tui.api.client import KnowBe4Client
from kb4tui.repository import Repository
from kb4tui.store.local import open_local_stores

__all__ = ["repository_factory"]


def repository_factory(
    make_client: Callable[[], KnowBe4Client],
    profile: str,
    ttl: timedelta,
) -> Callable[[], AbstractAsyncContextManager[Repository]]:
    """A factory for `KB4App(repository_factory=...)`.

    `make_client` is called on the app's loop (an httpx client must be opened and closed on
    the loop that uses it); `profile` names the stores (the demo's: DEMO_STORE_NAME); `ttl`
    is the cache lifetime from the run's settings.
    """

    @asynccontextmanager
    async def open_repository() -> AsyncIterator[Repository]:
        async with make_client() as client:
            stores = await asyncio.to_thread(
                partial(open_local_stores, profile, client.base_url, ttl=ttl)
            )
            try:
                yield Repository(
                    client,
                    cache=stores.cache,
                    quota=stores.quota,
                    max_age=stores.ttl,
                    stale_while_revalidate=True,
                )
            finally:
                await asyncio.to_thread(stores.close)

    return open_repository
