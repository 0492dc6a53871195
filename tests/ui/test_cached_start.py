"""The TUI on the disk cache: a second launch within the TTL asks the API nothing,
stale data is shown at once and refreshed in place, the quota meter counts across runs, a
corrupt cache is rebuilt with a notice, and the files are private."""

from __future__ import annotations

import stat
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from session_support import Cable
from ui_support import (
    FROZEN_NOW,
    TTL,
    demo_api,
    demo_session,
    demo_session_factory,
    settle,
    wait_until,
)

from kb4tui.api.client import KnowBe4Client
from kb4tui.api.retry import RetryPolicy
from kb4tui.demo import (
    DEMO_API_KEY,
    FakeKnowBe4API,
    FakeKnowBe4Transport,
)
from kb4tui.session.datasets import ACCOUNT, CAMPAIGNS
from kb4tui.store.cache import Cache, account_key, cache_path
from kb4tui.store.quota import QuotaMeter, quota_path
from kb4tui.ui.app import KB4App
from kb4tui.ui.compat import notifications
from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.panes.compliance import CompliancePane
from kb4tui.ui.panes.library import LibraryPane
from kb4tui.ui.screens.confirm_quota import ConfirmQuotaScreen
from kb4tui.ui.screens.connection_failed import ConnectionFailedScreen
from kb4tui.ui.screens.enrollments import EnrollmentsScreen
from kb4tui.ui.screens.main import MainScreen
from kb4tui.ui.widgets.header import AppHeader

SIZE = (140, 40)
PROFILE = "acme"


class Clock:
    def __init__(self, now: datetime = FROZEN_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def fake_api(latency: float = 0.0) -> FakeKnowBe4API:
    """A fresh fake API (its own request log) over the same deterministic organisation."""
    return demo_api(users=120, latency=latency)


class Unreachable(httpx.AsyncBaseTransport):
    """Every request fails to connect, as with no network; counts the attempts."""

    def __init__(self) -> None:
        self.attempts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.attempts += 1
        raise httpx.ConnectError("connection refused", request=request)


SHORT_RETRIES = RetryPolicy(budget=0.2, base_delay=0.01, max_delay=0.05)


def make_app(
    transport: httpx.AsyncBaseTransport,
    dirs: Path,
    clock: Clock,
    retry_policy: RetryPolicy = SHORT_RETRIES,
    offline_retry_seconds: float = 30.0,
) -> KB4App:
    """What `kb4tui` opens, with the cache and the meter in `dirs` (short retries unless
    told otherwise)."""
    return KB4App(
        demo_session_factory(
            transport=transport,
            dirs=dirs,
            clock=clock,
            profile=PROFILE,
            retry_policy=retry_policy,
            offline_retry_seconds=offline_retry_seconds,
        )
    )


def main(app: KB4App) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def campaign_names(app: KB4App) -> list[str]:
    return [c.name or "" for c in main(app).pane(CampaignsPane).table.visible_items]


def header_text(app: KB4App) -> str:
    return str(app.screen.query_one(AppHeader).render())


def the_cache(dirs: Path) -> Cache:
    return Cache.open(dirs / "c", PROFILE, account_key(KnowBe4Client(DEMO_API_KEY).base_url))


async def first_run(dirs: Path, clock: Clock) -> tuple[list[str], list[str], int]:
    """Browse campaigns, the library and one campaign's enrollments; the rows seen and the
    number of requests made."""
    api = fake_api()
    app = make_app(FakeKnowBe4Transport(api), dirs, clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: main(app).pane(CampaignsPane).table.total_count == 25)
        await pilot.press("2")
        await wait_until(pilot, lambda: main(app).pane(LibraryPane).fetched_at is not None)
        await settle(pilot)
        names = campaign_names(app)
        library = [i.name or "" for i in main(app).pane(LibraryPane).table.visible_items]
    return names, library, len(api.log.entries())


async def test_second_launch_within_the_ttl_asks_the_api_nothing(tmp_path: Path) -> None:
    clock = Clock()
    names, library, requests = await first_run(tmp_path, clock)
    assert requests > 0
    clock.now += timedelta(minutes=10)  # within the TTL
    api = fake_api()
    app = make_app(FakeKnowBe4Transport(api), tmp_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: main(app).pane(CampaignsPane).table.total_count == 25)
        await pilot.press("2")
        await wait_until(pilot, lambda: main(app).pane(LibraryPane).fetched_at is not None)
        await settle(pilot)  # the session has nothing to revalidate
        assert campaign_names(app) == names
        assert [i.name or "" for i in main(app).pane(LibraryPane).table.visible_items] == library
        assert app.session.facts.account is not None  # the account came from the cache too
        assert "10 min" in header_text(app)
        assert api.log.entries() == []


async def test_stale_data_shows_at_once_then_refreshes_in_place(tmp_path: Path) -> None:
    clock = Clock()
    names, _, _ = await first_run(tmp_path, clock)
    clock.now += TTL + timedelta(minutes=5)  # past the TTL
    api = fake_api(latency=0.8)
    app = make_app(FakeKnowBe4Transport(api), tmp_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        pane = main(app).pane(CampaignsPane)
        await wait_until(pilot, lambda: pane.table.total_count == 25)
        assert pane.fetched_at == FROZEN_NOW  # the cached rows, before any answer
        assert campaign_names(app) == names
        await pilot.press("slash", "s", "e", "c", "enter")  # filter: "sec"
        filtered = pane.table.row_count
        assert 0 < filtered < 25
        await pilot.press("down", "down", "down")
        chosen = pane.highlighted
        assert chosen is not None and chosen is not pane.table.visible_items[0]
        assert pane.fetched_at == FROZEN_NOW  # still the cached rows: the refetch is slow
        await wait_until(pilot, lambda: pane.fetched_at == clock.now, limit=20)
        await settle(pilot)
        assert api.log.count("/v1/training/campaigns") > 0
        highlighted = pane.highlighted
        assert highlighted is not None and highlighted is not chosen  # new objects...
        assert highlighted.campaign_id == chosen.campaign_id  # ...same row under the cursor
        assert (pane.table.filter_text, pane.table.row_count) == ("sec", filtered)
    with the_cache(tmp_path) as cache:
        assert cache.fetched_at("campaigns") == clock.now


async def test_offline_start_shows_cached_data_under_a_banner_and_retries(tmp_path: Path) -> None:
    clock = Clock()
    names, _, _ = await first_run(tmp_path, clock)
    clock.now += TTL * 2
    transport = Unreachable()
    app = make_app(transport, tmp_path, clock, offline_retry_seconds=0.3)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: main(app).pane(CampaignsPane).table.total_count == 25)
        assert campaign_names(app) == names
        await wait_until(pilot, lambda: app.session.facts.offline_since is not None)
        assert "offline: data from 2026-11-20 12:00 UTC" in header_text(app)
        tried = transport.attempts
        await wait_until(pilot, lambda: transport.attempts > tried)  # quietly again
        assert campaign_names(app) == names
        assert not any(n.severity == "error" for n in notifications(app))


async def cache_account_and_campaigns(dirs: Path, clock: Clock) -> None:
    async with demo_session(dirs=dirs, clock=clock, profile=PROFILE, start=False) as session:
        await session.get(ACCOUNT)
        await session.get(CAMPAIGNS)


async def test_a_view_that_fails_to_load_offline_raises_the_banner(tmp_path: Path) -> None:
    clock = Clock()
    await cache_account_and_campaigns(tmp_path, clock)  # the library is not cached
    app = make_app(Unreachable(), tmp_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: main(app).pane(CampaignsPane).table.total_count == 25)
        assert app.session.facts.offline_since is None  # fresh cache: nothing was asked
        await pilot.press("2")
        await wait_until(pilot, lambda: app.session.facts.offline_since == FROZEN_NOW)
        # The banner goes up at the first attempt that finds no server; the pane's error
        # comes only when its retries have run out, so it is waited for, not assumed.
        library = main(app).pane(LibraryPane)
        await wait_until(pilot, lambda: "Could not reach" in str(library.error_line.render()))
        assert main(app).pane(CampaignsPane).table.total_count == 25


async def test_no_cache_and_no_api_says_so_on_the_screen(tmp_path: Path) -> None:
    app = make_app(Unreachable(), tmp_path, Clock())
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectionFailedScreen))
        screen = app.screen
        assert isinstance(screen, ConnectionFailedScreen)
        text = screen.sentence
        assert "Could not reach the KnowBe4 API" in text
        assert f"no cached data for profile {PROFILE}" in text
        await pilot.press("q")
    assert app.return_code == 3


async def test_quota_counts_every_request_across_restarts(tmp_path: Path) -> None:
    clock = Clock()
    _, _, first = await first_run(tmp_path, clock)
    with QuotaMeter.open(tmp_path / "q", PROFILE) as meter:
        assert meter.used() == first
        seats = meter.seats
    assert seats is not None and seats > 0  # from /v1/account: the limit is 2,000 + seats
    clock.now += TTL * 2
    api = fake_api()
    app = make_app(FakeKnowBe4Transport(api), tmp_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: main(app).pane(CampaignsPane).fetched_at == clock.now)
        await settle(pilot)
        second = len(api.log.entries())
        await wait_until(pilot, lambda: app.session.facts.requests_today == first + second)
        assert f"API {first + second}/{2000 + seats:,} today" in header_text(app)
    with QuotaMeter.open(tmp_path / "q", PROFILE) as meter:
        assert meter.used() == first + second


async def test_a_refresh_past_the_quota_asks_first(tmp_path: Path) -> None:
    clock = Clock()
    await first_run(tmp_path, clock)
    with QuotaMeter.open(tmp_path / "q", PROFILE) as meter:
        meter.record(meter.remaining())  # the day's quota is used up
    api = fake_api()
    app = make_app(FakeKnowBe4Transport(api), tmp_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: main(app).pane(CampaignsPane).table.total_count == 25)
        await wait_until(pilot, lambda: app.session.facts.quota_warning)
        await wait_until(pilot, lambda: any(n.title == "API quota" for n in notifications(app)))
        assert sum(n.title == "API quota" for n in notifications(app)) == 1  # once
        await pilot.press("R")
        assert isinstance(app.screen, ConfirmQuotaScreen)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("r")  # the campaigns pane's own refresh asks too
        assert isinstance(app.screen, ConfirmQuotaScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert api.log.entries() == []
        await pilot.press("R", "y")
        await wait_until(pilot, lambda: api.log.count("/v1/training/campaigns") > 0)
        await settle(pilot)


async def test_a_corrupt_cache_is_rebuilt_with_a_notice(tmp_path: Path) -> None:
    path = cache_path(PROFILE, account_key(KnowBe4Client(DEMO_API_KEY).base_url), tmp_path / "c")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    api = fake_api()
    app = make_app(FakeKnowBe4Transport(api), tmp_path, Clock())
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: main(app).pane(CampaignsPane).table.total_count == 25)
        await wait_until(pilot, lambda: any(n.title == "Cache" for n in notifications(app)))
        [notice] = [n.message for n in notifications(app) if n.title == "Cache"]
        assert "moved to" in notice and "fresh one started" in notice
        await settle(pilot)
    assert list(path.parent.glob("*.corrupt*")) or len(list(path.parent.iterdir())) > 1
    with the_cache(tmp_path) as cache:
        assert cache.get("campaigns") is not None


async def test_cache_and_meter_files_are_private(tmp_path: Path) -> None:
    await first_run(tmp_path, Clock())
    key = account_key(KnowBe4Client(DEMO_API_KEY).base_url)
    for path in (cache_path(PROFILE, key, tmp_path / "c"), quota_path(PROFILE, tmp_path / "q")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert DEMO_API_KEY.encode() not in path.read_bytes()


def switchable() -> Cable:
    """The fake API behind a cable that is pulled out at first."""
    return Cable(FakeKnowBe4Transport(fake_api()), down=True)


async def test_the_banner_goes_up_at_the_first_failure_and_down_at_the_first_answer(
    tmp_path: Path,
) -> None:
    clock = Clock()
    names, _, _ = await first_run(tmp_path, clock)
    clock.now += TTL * 2  # stale: the app revalidates in the background at once
    transport = switchable()
    # A minute of retries, as in real life: the banner must not wait for it.
    minute = RetryPolicy(budget=60.0, base_delay=0.05, max_delay=0.1)
    app = make_app(transport, tmp_path, clock, minute)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: main(app).pane(CampaignsPane).table.total_count == 25)
        await wait_until(pilot, lambda: app.session.facts.offline_since is not None, limit=10)
        assert transport.refused > 0
        await wait_until(pilot, lambda: app.session.facts.retrying > 0)
        # What the 80-column header shows: the banner before anything the cut could take.
        header = app.screen.query_one(AppHeader)
        await wait_until(pilot, lambda: "offline: data" in header.render_line(0).text)  # painted
        shown = header.render_line(0).text
        assert "offline: data from 11-20 12:00" in shown, shown
        assert campaign_names(app) == names  # the cached rows stay browsable meanwhile
        transport.down = False  # the link is back before the client gives up
        await wait_until(pilot, lambda: app.session.facts.offline_since is None, limit=10)
        await settle(pilot)
        assert "offline" not in header_text(app)
        assert not app.session.supervisor.waiting_to_retry  # never went offline proper
        assert campaign_names(app) == names


async def test_a_view_that_failed_offline_loads_by_itself_when_the_api_is_back(
    tmp_path: Path,
) -> None:
    clock = Clock()
    await cache_account_and_campaigns(tmp_path, clock)  # the library is not cached
    transport = switchable()
    app = make_app(transport, tmp_path, clock, offline_retry_seconds=0.3)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: main(app).pane(CampaignsPane).table.total_count == 25)
        await pilot.press("2")
        library = main(app).pane(LibraryPane)
        await wait_until(pilot, lambda: library.failed_offline)
        assert app.session.facts.offline_since is not None
        transport.down = False
        await wait_until(pilot, lambda: library.fetched_at is not None)  # no `r` pressed
        assert not library.failed_offline
        assert library.table.total_count > 0
        assert app.session.facts.offline_since is None


async def test_a_request_left_unanswered_leaves_the_app_offline_until_a_probe_gets_through(
    tmp_path: Path,
) -> None:
    clock = Clock()
    names, _, _ = await first_run(tmp_path, clock)  # no campaign's enrollments cached
    transport = switchable()
    minute = RetryPolicy(budget=60.0, base_delay=0.05, max_delay=0.1)
    app = make_app(transport, tmp_path, clock, minute, offline_retry_seconds=0.3)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: main(app).pane(CampaignsPane).table.total_count == 25)
        await pilot.press("enter")  # its enrollments are not cached: a request, retrying
        await wait_until(pilot, lambda: app.session.facts.offline_since is not None)
        assert not app.session.supervisor.waiting_to_retry  # the request still retries
        # The request that raised the banner ends without an answer: its view is closed.
        # No answer will take the banner down now, so a probe must.
        assert isinstance(app.screen, EnrollmentsScreen)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.session.supervisor.waiting_to_retry)
        assert app.session.facts.offline_since is not None
        transport.down = False
        await wait_until(pilot, lambda: app.session.facts.offline_since is None)
        assert campaign_names(app) == names


@pytest.mark.parametrize(
    "retries",
    [SHORT_RETRIES, RetryPolicy(budget=0.0)],  # the second gives up before any tick sees it
    ids=["short-retries", "no-retries"],
)
async def test_the_compliance_pane_loads_by_itself_when_the_api_is_back(
    tmp_path: Path, retries: RetryPolicy
) -> None:
    # The pane shows its own error and reports nobody: the app must notice it is offline.
    clock = Clock()
    await cache_account_and_campaigns(tmp_path, clock)  # not the enrollments nor the library
    transport = switchable()
    app = make_app(transport, tmp_path, clock, retries, offline_retry_seconds=0.3)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: main(app).pane(CampaignsPane).table.total_count == 25)
        await pilot.press("3")
        compliance = main(app).pane(CompliancePane)
        await wait_until(pilot, lambda: compliance.failed_offline)
        await wait_until(pilot, lambda: app.session.facts.offline_since is not None)
        transport.down = False
        await wait_until(pilot, lambda: compliance.fetched_at is not None)  # no `r` pressed
        assert not compliance.failed
        assert app.session.facts.offline_since is None
