"""Building a session from settings: the client on the app's event loop, the profile's
cache file and quota meter (keyed by the client's base URL), the repository and the
supervisor, all observing each other, and all closed together.

Used by `kb4tui` at start (`kb4tui.cli.tui`), after the sign-in screen, and by the
palette's profile switch (`kb4tui.ui.profiles`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from kb4tui.api.client import KnowBe4Client
from kb4tui.session.repository import Repository
from kb4tui.session.scheduler import Scheduler
from kb4tui.session.session import Session
from kb4tui.session.supervisor import Supervisor
from kb4tui.store.local import open_local_stores

__all__ = ["SessionFactory", "session_factory"]

# Opens a session inside the app's event loop (an httpx client must be created and closed
# on the loop that uses it) and closes it when the app is done with it.
SessionFactory = Callable[[], AbstractAsyncContextManager[Session]]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def session_factory(
    make_client: Callable[[], KnowBe4Client],
    profile: str,
    ttl: timedelta,
    *,
    store_name: str | None = None,
    clock: Callable[[], datetime] = _utcnow,
    offline_retry_seconds: float = 30.0,
    cache_dir: Path | None = None,
    quota_dir: Path | None = None,
    scheduler: Scheduler | None = None,
) -> SessionFactory:
    """A factory for `KB4App(session_factory=...)`.

    `make_client` is called on the app's loop; `profile` is what the header shows and
    `store_name` names the cache file and quota meter (default: the profile; the demo's
    are its own); `ttl` is the cache lifetime from the run's settings. `cache_dir` and
    `quota_dir` default to the platform's directories; `scheduler` to the loop's timers.
    """

    @asynccontextmanager
    async def open_session() -> AsyncIterator[Session]:
        async with make_client() as client:
            stores = await asyncio.to_thread(
                partial(
                    open_local_stores,
                    store_name or profile,
                    client.base_url,
                    ttl=ttl,
                    cache_dir=cache_dir,
                    quota_dir=quota_dir,
                )
            )
            repository = Repository(
                client,
                cache=stores.cache,
                clock=clock,
                max_age=stores.ttl,
                stale_while_revalidate=True,
            )
            limiter = client.limiter
            supervisor = Supervisor(
                repository,
                quota=stores.quota,
                profile=profile,
                region=client.region,
                clock=clock,
                scheduler=scheduler,
                offline_retry_seconds=offline_retry_seconds,
                rate_limit_wait=lambda: limiter.delay(time.monotonic()),
            )
            # The meter hears of each request first, so the supervisor reads it counted.
            detach = [
                stores.quota.attach(client.usage),
                client.usage.observe(supervisor.on_requests),
                client.transport.observe(supervisor.on_transport),
            ]
            session = Session(repository, supervisor, on_close=detach)
            try:
                yield session
            finally:
                await session.aclose()
                await asyncio.to_thread(stores.close)

    return open_session
