"""Helpers for the UI tests: a demo-backed data source, a frozen clock, worker waits,
and readers of what the screen shows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from functools import partial
from typing import Any

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Static

from kb4tui.api.client import KnowBe4Client
from kb4tui.api.models import Account, Campaign, Enrollment, Policy, StorePurchase
from kb4tui.api.ratelimit import RateLimiter, UsageCounter
from kb4tui.demo import (
    DEMO_API_KEY,
    FakeAPIConfig,
    FakeKnowBe4API,
    FakeKnowBe4Transport,
    generate_org,
)
from kb4tui.demo.org import DemoOrg
from kb4tui.repository import Repository
from kb4tui.ui.app import KB4App
from kb4tui.ui.screens.enrollments import EnrollmentsScreen
from kb4tui.ui.screens.main import MainScreen

FROZEN_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MARKUP_NAME = "[/Q3] Phish [bold]drill[/bold]"


def frozen_clock() -> datetime:
    return FROZEN_NOW


class FrozenUsage(UsageCounter):
    """A request counter that always says 42: for snapshots, where the real count depends
    on what earlier tests in the process left in the demo's caches."""

    def __init__(self) -> None:
        super().__init__(42)

    def record(self, requests: int = 1) -> None:
        return None


def demo_client(
    *,
    latency: float = 0.0,
    users: int = 300,
    usage: UsageCounter | None = None,
    **config: Any,
) -> KnowBe4Client:
    """The real client over the in-process fake API: deterministic org, no pacing.
    `config` sets other `FakeAPIConfig` fields (faults, auth modes)."""
    api = FakeKnowBe4API(
        {DEMO_API_KEY: partial(generate_org, users=users, now=FROZEN_NOW)},
        FakeAPIConfig(latency=latency, rate_limit=False, **config),
    )
    return KnowBe4Client(
        DEMO_API_KEY,
        transport=FakeKnowBe4Transport(api),
        limiter=RateLimiter([(100_000, 1.0)]),
        usage=usage if usage is not None else UsageCounter(),
    )


def demo_repository_factory(
    *, latency: float = 0.0, users: int = 300, **config: Any
) -> Callable[[], AbstractAsyncContextManager[Repository]]:
    """For `KB4App(repository_factory=...)`: opens the client on the app's own loop."""

    @asynccontextmanager
    async def open_repository() -> AsyncIterator[Repository]:
        async with demo_client(latency=latency, users=users, **config) as client:
            yield Repository(client, clock=frozen_clock)

    return open_repository


def demo_app(*, latency: float = 0.0, users: int = 300, **config: Any) -> KB4App:
    return KB4App(
        repository_factory=demo_repository_factory(latency=latency, users=users, **config),
        profile="demo",
        region="us",
        clock=frozen_clock,
    )


class DemoSource:
    """A `KnowBe4Source` straight over a generated organisation (no HTTP), with an
    optional latency per page, and a request counter like the client's."""

    class _Usage:
        count = 0

    def __init__(
        self,
        org: DemoOrg,
        *,
        latency: float = 0.0,
        page_size: int = 500,
        campaigns: Sequence[dict[str, Any]] | None = None,
        enrollments: Sequence[Enrollment] | None = None,
    ) -> None:
        self.org = org
        self.latency = latency
        self.page_size = page_size
        self.usage = self._Usage()
        self._campaigns = campaigns
        self._enrollments = enrollments

    async def _pause(self) -> None:
        self.usage.count += 1
        # Always yield to the loop, as a network read would, so the UI can paint meanwhile.
        await asyncio.sleep(self.latency)

    async def account(self) -> Account:
        await self._pause()
        return Account.from_api(self.org.account)

    async def campaigns(self) -> list[Campaign]:
        await self._pause()
        rows = self._campaigns if self._campaigns is not None else self.org.campaigns()
        return Campaign.from_api_list(rows)

    async def iter_campaign_pages(self) -> AsyncIterator[list[Campaign]]:
        campaigns = await self.campaigns()
        for start in range(0, len(campaigns), 10):  # the API's cap with percentages
            yield campaigns[start : start + 10]

    async def store_purchases(self) -> list[StorePurchase]:
        await self._pause()
        return StorePurchase.from_api_list(self.org.store_purchases)

    async def policies(self) -> list[Policy]:
        await self._pause()
        return Policy.from_api_list(self.org.policies)

    async def iter_enrollment_pages(
        self,
        *,
        campaign_id: int | None = None,
        user_id: int | None = None,
        store_purchase_id: int | None = None,
        exclude_archived_users: bool | None = None,
        include_campaign_id: bool = True,
    ) -> AsyncIterator[list[Enrollment]]:
        if self._enrollments is not None:
            rows: Sequence[Any] = self._enrollments
            parse: Callable[[Sequence[Any]], list[Enrollment]] = list
        else:
            raw = (
                self.org.campaign_enrollments(campaign_id)
                if campaign_id
                else self.org.enrollments()
            )
            archived = self.org.archived_user_ids if exclude_archived_users else frozenset()
            rows = [
                r
                for r in raw
                if (user_id is None or (r.get("user") or {}).get("id") == user_id)
                and (store_purchase_id is None or r.get("store_purchase_id") == store_purchase_id)
                and (r.get("user") or {}).get("id") not in archived
            ]
            parse = Enrollment.from_api_list
        for start in range(0, len(rows), self.page_size):
            await self._pause()
            yield parse(rows[start : start + self.page_size])


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], limit: float = 30.0) -> None:
    """Let the app run until `condition()` holds (checked after each processed batch)."""
    async with asyncio.timeout(limit):
        while not condition():
            await pilot.pause(0.01)


async def settle(pilot: Pilot[Any], limit: float = 30.0) -> None:
    """Wait (bounded) until every worker is done, then let their messages drain."""
    await asyncio.wait_for(pilot.app.workers.wait_for_complete(), limit)
    await pilot.pause()


def plain(widget: Static) -> str:
    """The text a Static shows (its content, as the user reads it)."""
    content = widget.render()
    text = content.plain if isinstance(content, Text) else str(content)
    return text.replace("\u00a0", " ")  # non-breaking spaces read as spaces


def main(app: KB4App) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def current(app: KB4App) -> object:
    """The screen on top, read afresh (keeps mypy from carrying narrowing across keys)."""
    return app.screen


async def open_campaign(pilot: Any, name: str) -> EnrollmentsScreen:
    """Filter the campaigns to `name`, press enter, wait for its enrollments."""
    app: KB4App = pilot.app
    pane = main(app).campaigns
    pane.table.scroll_to_item(next(c for c in pane.table.visible_items if c.name == name))
    await pilot.press("enter")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, EnrollmentsScreen)
    return screen
