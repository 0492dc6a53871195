"""The TUI against a faulty fake API on a real 127.0.0.1 socket: it ends with all the data,
or with a clear error that `r` recovers from; no worker exception reaches a crash screen.

The client is the real one with a short timeout (0.3 s, the fake hangs 1 s) and a short
retry budget (3 s), so each test takes seconds.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Static
from ui_support import FROZEN_NOW, TTL, frozen_clock, settle, wait_until

from kb4tui.api.client import KnowBe4Client
from kb4tui.api.ratelimit import RateLimiter, UsageCounter
from kb4tui.api.retry import RetryPolicy
from kb4tui.demo import DemoOrg, FakeAPIConfig, FakeKnowBe4API, LoopbackServer, generate_org
from kb4tui.session.wiring import session_factory
from kb4tui.ui.app import KB4App
from kb4tui.ui.compat import notifications, screen_lines
from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.panes.library import LibraryPane
from kb4tui.ui.screens.enrollments import EnrollmentsScreen
from kb4tui.ui.screens.main import MainScreen

KEY = "kb4tui-faults-tui-key-88e1f0"
ALL_FAULTS = ("500", "503", "drop", "timeout", "429")
SIZE = (120, 36)

pytestmark = pytest.mark.timeout(90)


@pytest.fixture(scope="module")
def org() -> DemoOrg:
    return generate_org(seed=5, users=150, now=FROZEN_NOW)


@pytest.fixture(scope="module")
def server(org: DemoOrg) -> Iterator[LoopbackServer]:
    api = FakeKnowBe4API({KEY: org}, FakeAPIConfig(rate_limit=False))
    with LoopbackServer(api) as running:
        yield running


@pytest.fixture
def api(server: LoopbackServer) -> FakeKnowBe4API:
    server.api.config = FakeAPIConfig(rate_limit=False)
    server.api.log.clear()
    server.api.reset_rate_limits()
    return server.api


def faulty(seed: int, rate: float, kinds: tuple[str, ...] = ALL_FAULTS) -> FakeAPIConfig:
    return FakeAPIConfig(
        rate_limit=False, fault_rate=rate, fault_kinds=kinds, fault_seed=seed, hang_seconds=1.0
    )


def app_for(server: LoopbackServer) -> KB4App:
    """The app as `kb4tui --base-url` opens it, with a short timeout and retry budget (the
    waits are so short that 8 attempts would pass in a blink: the 3 s bound the screens
    are watched in is the budget, so attempts are not capped here)."""

    def client() -> KnowBe4Client:
        return KnowBe4Client(
            KEY,
            base_url=server.base_url,
            limiter=RateLimiter([(500, 1.0)]),
            usage=UsageCounter(),
            timeout=0.3,
            retry_policy=RetryPolicy(
                budget=3.0, base_delay=0.005, max_delay=0.05, max_attempts=10_000
            ),
        )

    return KB4App(session_factory(client, "t", TTL, clock=frozen_clock))


def main_screen(app: KB4App) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen), type(screen).__name__
    return screen


def unexpected(app: KB4App) -> list[str]:
    """Notifications from the app's safety net: a worker raised something unexpected."""
    return [n.message for n in notifications(app) if "Unexpected" in n.message]


async def test_under_20_percent_faults_the_tui_ends_with_all_the_data(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg
) -> None:
    server.api.config = faulty(seed=4, rate=0.2)
    app = app_for(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.pane(CampaignsPane).table.row_count == len(org.campaign_ids)
        await pilot.press("2")
        await settle(pilot)
        library = screen.pane(LibraryPane).table
        assert library.row_count == len(org.store_purchases) + len(org.policies)
        await pilot.press("1", "enter")
        await settle(pilot)
        enrollments = app.screen
        assert isinstance(enrollments, EnrollmentsScreen)
        campaign_id = enrollments.query_spec.campaign_id
        assert campaign_id is not None
        assert enrollments.pane.table.row_count == len(org.campaign_enrollments(campaign_id))
        assert unexpected(app) == []
    outcomes = {e.outcome for e in api.log.entries()} | {e.status for e in api.log.entries()}
    assert outcomes & {"drop", "timeout", 500, 503, 429}, "no fault was injected"


async def test_a_failing_server_gives_a_clear_error_and_r_recovers(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg
) -> None:
    server.api.config = faulty(seed=0, rate=1.0, kinds=("503",))
    app = app_for(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)  # not a crash screen, not a connection-failed screen
        error_line = screen.pane(CampaignsPane).query_one(".pane-error", Static)
        assert error_line.display and "HTTP 503" in str(error_line.render())
        assert screen.pane(CampaignsPane).table.row_count == 0
        assert unexpected(app) == []

        server.api.config = FakeAPIConfig(rate_limit=False)
        await pilot.press("r")
        await settle(pilot)
        await wait_until(pilot, lambda: screen.pane(CampaignsPane).table.row_count > 0)
        assert screen.pane(CampaignsPane).table.row_count == len(org.campaign_ids)
        assert "503" not in str(error_line.render())
        assert unexpected(app) == []


async def test_the_tui_shows_that_it_is_retrying(
    api: FakeKnowBe4API, server: LoopbackServer
) -> None:
    server.api.config = faulty(seed=0, rate=1.0, kinds=("503",))
    app = app_for(server)
    async with app.run_test(size=SIZE) as pilot:
        # Inside the 3 s retry budget: the client is retrying, and the screen says so.
        await wait_until(pilot, lambda: app.session.facts.retrying > 0)
        await pilot.pause()
        painted = "\n".join("".join(s.text for s in line) for line in screen_lines(app.screen))
        assert "retry" in painted.lower()
