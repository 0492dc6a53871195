"""Loading, streaming, cancellation, errors and big lists in the TUI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from textual.widgets import Static
from textual.worker import WorkerState
from ui_support import FROZEN_NOW, demo_api, demo_app, settle, wait_until

from kb4tui.api.errors import AuthError
from kb4tui.api.models import StorePurchase
from kb4tui.api.regions import base_url_for
from kb4tui.demo import generate_org
from kb4tui.session.datasets import CAMPAIGNS
from kb4tui.session.session import Session
from kb4tui.store.cache import Cache, account_key
from kb4tui.ui.app import KB4App
from kb4tui.ui.compat import notifications
from kb4tui.ui.messages import OpenCampaign
from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.panes.library import LibraryPane
from kb4tui.ui.screens.enrollments import EnrollmentsScreen
from kb4tui.ui.screens.help import HelpScreen
from kb4tui.ui.screens.main import MainScreen
from kb4tui.ui.widgets.header import AppHeader

SIZE = (120, 40)


def plain(widget: Static) -> str:
    return str(widget.render()).replace("\u00a0", " ")


def main_screen(app: KB4App) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


async def test_keys_work_while_the_api_takes_a_second_per_request() -> None:
    app = demo_app(latency=1.0)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        [campaigns] = [w for w in app.workers if w.group == "campaigns"]
        assert "loading…" in plain(screen.pane(CampaignsPane).summary)
        await pilot.press("2")
        assert screen.pane(LibraryPane).display and not screen.pane(CampaignsPane).display
        assert campaigns.state is WorkerState.RUNNING  # the key did not wait for it
        # The library takes two requests, so at least two seconds: keys keep working.
        [library] = [w for w in app.workers if w.group == "library"]
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "1")
        assert screen.pane(CampaignsPane).display
        assert library.state is WorkerState.RUNNING
        await wait_until(pilot, lambda: screen.pane(CampaignsPane).table.total_count == 25)
        assert plain(screen.pane(CampaignsPane).summary).startswith("25 campaigns")


async def test_first_page_shows_while_the_rest_streams_and_leaving_cancels() -> None:
    api = demo_api()
    app = demo_app(api=api)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # From now on the second page of a list takes a minute: the first must not wait.
        api.config.later_pages_latency = 60.0
        campaigns = app.session.cached(CAMPAIGNS) or []
        campaign = next(c for c in campaigns if c.name == "2026 Annual Security Awareness Training")
        app.post_message(OpenCampaign(campaign))
        await wait_until(pilot, lambda: isinstance(app.screen, EnrollmentsScreen))
        screen = app.screen
        assert isinstance(screen, EnrollmentsScreen)
        await wait_until(pilot, lambda: screen.pane.table.total_count == 500)
        assert plain(screen.progress_line).startswith("loading… 500 rows, page 1")
        assert not screen.loading_done
        [worker] = [w for w in app.workers if w.group == "enrollments"]
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await wait_until(pilot, lambda: worker.state is WorkerState.CANCELLED)
        # A cancelled stream leaves nothing half-fetched behind.
        assert app.session.peek(screen.subset) is None


async def test_api_error_is_shown_with_its_resolution_and_r_retries() -> None:
    app = demo_app(forbidden=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        pane = app.screen.query_one("#campaigns")
        error = plain(pane.query_one(".pane-error", Static))
        assert "403" in error and "Training permissions" in error
        assert any("403" in str(n.message) for n in notifications(app))
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)  # still running, still explaining
        assert "Training permissions" in plain(pane.query_one(".pane-error", Static))


async def test_rejected_key_shows_the_sentence_not_a_traceback() -> None:
    app = demo_app(invalid_token=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = app.screen.query_one("#campaigns")
        error = plain(pane.query_one(".pane-error", Static))
        # The TUI does not say where the key came from here: no "KNOWBE4_API_KEY" guess.
        assert "401" in error and "Reporting API token" in error and "Traceback" not in error
        assert app.return_code is None


def _many_enrollments(count: int, campaign_id: int) -> list[dict[str, Any]]:
    """`count` enrollments of one campaign, as the API sends them."""
    statuses = ("Passed", "Not Started", "In Progress", "Past Due", "Exempted")
    return [
        {
            "enrollment_id": i,
            "module_name": f"Module {i % 40}",
            "campaign_id": campaign_id,
            "campaign_name": "Big",
            "status": statuses[i % 5],
            "user": {
                "id": i,
                "first_name": "User",
                "last_name": str(i),
                "email": f"user{i}@big.example",
            },
        }
        for i in range(count)
    ]


async def test_100k_enrollments_open_and_filter_without_freezing() -> None:
    # An earlier run cached a campaign of 100,000 enrollments (fresh: no request is made).
    campaign_id = generate_org(users=300, now=FROZEN_NOW).campaign_ids[0]
    with Cache.open(None, "demo", account_key(base_url_for("us", None))) as cache:
        rows = _many_enrollments(100_000, campaign_id)
        cache.put(f"enrollments:campaign={campaign_id}", rows, FROZEN_NOW)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        campaign = next(
            c for c in app.session.cached(CAMPAIGNS) or [] if c.campaign_id == campaign_id
        )
        app.post_message(OpenCampaign(campaign))
        await wait_until(pilot, lambda: isinstance(app.screen, EnrollmentsScreen))
        screen = app.screen
        assert isinstance(screen, EnrollmentsScreen)
        await wait_until(pilot, lambda: screen.loading_done, limit=60)
        assert screen.pane.table.total_count == 100_000
        assert "all 100,000" in plain(screen.counts_line)
        assert "Past Due 20,000" in plain(screen.counts_line)
        # A slow machine scans 100k rows over several frames: the summary says so meanwhile.
        pane = screen.pane
        pane.table.FILTER_BUDGET = 0.0
        pane.table.set_filter("4")
        pane.update_summary()
        assert pane.table.filter_pending
        assert "+ of 100,000 enrollments (filtering…)" in plain(pane.summary)
        matching = sum("4" in f"user {i} user{i}@big.example" for i in range(100_000))
        final = f"{matching:,} of 100,000 enrollments · filter"  # FilterFinished updates it
        await wait_until(pilot, lambda: final in plain(pane.summary))
        assert not pane.table.filter_pending
        pane.table.set_filter("")
        await pilot.press("slash", *"user4242")
        assert [e.enrollment_id for e in screen.pane.table.visible_items] == [
            4242,
            *range(42420, 42430),
        ]
        await pilot.press("escape", "d")
        assert screen.pane.table.row_count == 20_000
        await pilot.press("G")
        assert screen.pane.table.cursor_index == 19_999


async def test_a_key_rejected_at_start_shows_the_connection_screen() -> None:
    @asynccontextmanager
    async def refused() -> AsyncIterator[Session]:
        raise AuthError()
        yield  # pragma: no cover - a generator that never gets this far

    app = KB4App(refused)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = plain(app.screen.query_one("#connection-error", Static))
        assert "could not connect" in text and "Reporting API token" in text
        await pilot.press("q")
        await wait_until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 2  # the command line's code for an auth failure


async def test_an_unexpected_worker_error_becomes_a_message_not_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(records: Any) -> list[StorePurchase]:
        raise RuntimeError("bug in the data layer [/oops]")

    monkeypatch.setattr(StorePurchase, "from_api_list", broken)
    app = demo_app(users=200)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await wait_until(pilot, lambda: bool(notifications(app)))
        [note] = notifications(app)
        assert "RuntimeError" in note.message and "[/oops]" in note.message
        assert note.severity == "error"
        shown = plain(main_screen(app).pane(LibraryPane).query_one(".pane-error", Static))
        assert "RuntimeError" in shown and "r retries" in shown
        await pilot.press("1")
        assert app.return_code is None
        assert main_screen(app).pane(CampaignsPane).table.total_count == 25


async def test_header_says_retrying_while_the_client_backs_off() -> None:
    app = demo_app(fault_rate=1.0, fault_kinds=("503",))
    async with app.run_test(size=SIZE) as pilot:
        header = app.screen.query_one(AppHeader)
        await wait_until(pilot, lambda: "retrying…" in header.render().plain, limit=15)
        assert "503" in header.render().plain or "server" in header.render().plain.lower()


async def test_escape_sequences_in_api_text_never_reach_the_detail_pane() -> None:
    org = generate_org(users=200, now=FROZEN_NOW)
    org._campaigns[0].json["name"] = "\x1b]52;c;ZXZpbA==\x07Evil \x1b[2J[/Q3] name"
    app = demo_app(org=org)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = main_screen(app).pane(CampaignsPane)
        detail = plain(pane.detail)
        assert detail.startswith("Evil [/Q3] name")
        assert "\x1b" not in detail and "\x07" not in detail
        assert "\x1b" not in app.export_screenshot()
