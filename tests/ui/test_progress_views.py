"""Progress over time in the app, on the production path (the real client over the demo's
fake API, the real session): the chart above a campaign's enrollments (`c`), the campaign
detail's Progress section and Trend column, and Compliance's Forecast column."""

from __future__ import annotations

from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import Footer
from ui_support import (
    FROZEN_NOW,
    MARKUP_NAME,
    current,
    demo_app,
    main,
    open_campaign,
    plain,
    settle,
    wait_until,
)

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.compliance import deadline_rows
from kb4tui.core.compliance_rows import compute_rows
from kb4tui.core.forecast import Outlook, campaign_progress
from kb4tui.demo import generate_org
from kb4tui.exporting.views import DEADLINES_EXPORT
from kb4tui.ui.compat import footer_keys, screen_lines
from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.panes.compliance import CompliancePane
from kb4tui.ui.progress_text import forecast_cell, trend_cell
from kb4tui.ui.screens.enrollments import EnrollmentsScreen
from kb4tui.ui.screens.help import help_text
from kb4tui.ui.widgets.progress_chart import ProgressChart

STALLED = "Customer Support: Vishing Defence"
UTC_ZONE = ZoneInfo("UTC")


@pytest.fixture(autouse=True)
def utc_days(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app dates the days in the local zone: make it one the expectations use."""
    monkeypatch.setenv("TZ", "UTC")


def expected(name: str) -> Any:
    """The campaign's progress worked out here, from the demo's raw records (active users'
    rows, as the app fetches them)."""
    org = generate_org(users=300, now=FROZEN_NOW)
    raw = next(c for c in org.campaigns() if c["name"] == name)
    rows = [
        r
        for r in org.campaign_enrollments(raw["campaign_id"])
        if r["user"] is None or r["user"]["id"] not in org.archived_user_ids
    ]
    return campaign_progress(
        Campaign.from_api(raw), Enrollment.from_api_list(rows), FROZEN_NOW, tz=UTC_ZONE
    )


def screen_text(app: Any) -> str:
    return "\n".join("".join(s.text for s in line) for line in screen_lines(app.screen))


async def chart_drawn(pilot: Any, screen: EnrollmentsScreen) -> None:
    chart = screen.chart.query_one(ProgressChart)
    await wait_until(pilot, lambda: chart.figure is not None and chart.size.height > 0)
    await pilot.pause()


async def test_c_shows_the_chart_of_the_campaign_and_hides_it_again() -> None:
    progress = expected(STALLED)
    async with demo_app().run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_campaign(pilot, STALLED)
        assert not screen.chart.display
        await pilot.press("c")
        await chart_drawn(pilot, screen)
        assert screen.campaign_progress is not None
        assert screen.campaign_progress.series.points == progress.series.points
        assert screen.campaign_progress.forecast == progress.forecast
        words = " ".join(screen_text(pilot.app).split())
        assert "‖ stalling" in words
        assert " ".join(progress.forecast.sentence().split()) in words
        assert "first and last deadline" in words  # a relative duration: its spread
        assert "xx past due" in words
        assert screen.pane.table.total_count == progress.series.points[-1].enrolled
        await pilot.press("c")
        await pilot.pause()
        assert not screen.chart.display


async def test_the_chart_keeps_the_table_usable_at_80x24() -> None:
    async with demo_app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_campaign(pilot, "2026 Annual Security Awareness Training")
        await pilot.press("c")
        await chart_drawn(pilot, screen)
        chart = screen.chart.query_one(ProgressChart)
        assert chart.size.height >= 5
        table = screen.pane.table
        assert table.size.height >= 4  # header and at least three rows
        await pilot.press("j", "j")
        assert table.cursor_index == 2
        assert "c chart" in plain(screen.counts_line)  # the footer has no room at 80
        keys = sorted(footer_keys(screen.query_one(Footer)), key=lambda k: k.region.x)
        assert "Help" in [k.description for k in keys]
        assert all(k.region.right <= 80 for k in keys)
        assert all(a.region.right <= b.region.x for a, b in pairwise(keys))  # none hidden


async def test_a_campaign_named_in_markup_draws_its_chart() -> None:
    async with demo_app().run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_campaign(pilot, MARKUP_NAME)
        await pilot.press("c")
        await chart_drawn(pilot, screen)
        assert MARKUP_NAME in screen_text(pilot.app)


async def test_a_users_enrollments_have_no_chart() -> None:
    async with demo_app().run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_campaign(pilot, STALLED)
        await pilot.press("u")
        await settle(pilot)
        screen = current(pilot.app)
        assert isinstance(screen, EnrollmentsScreen) and not screen.is_campaign
        assert "c chart" not in plain(screen.counts_line)
        await pilot.press("c")
        await pilot.pause()
        assert not screen.chart.display


async def test_the_campaign_detail_shows_progress_once_its_enrollments_are_known() -> None:
    progress = expected(STALLED)
    async with demo_app().run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = main(pilot.app).pane(CampaignsPane)
        pane.table.scroll_to_item(next(c for c in pane.table.visible_items if c.name == STALLED))
        await pilot.pause()
        assert "progress: open the campaign" in plain(pane.detail)
        assert "trend" in pane.hidden_columns
        await open_campaign(pilot, STALLED)
        await pilot.press("escape")
        await settle(pilot)
        detail = plain(pane.detail)
        assert "Progress" in detail and "‖ stalling" in detail
        last = progress.series.points[-1]
        assert f"passed {last.passed:,} of {last.enrolled:,}" in detail
        assert " ".join(progress.forecast.sentence().split()) in " ".join(detail.split())
        assert "trend" not in pane.hidden_columns
        row = next(c for c in pane.table.visible_items if c.name == STALLED)
        assert pane.cells(row)[-1].plain == "‖ stalled"


async def test_every_campaign_with_enrollments_gets_a_trend_once_all_are_fetched() -> None:
    async with demo_app().run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")  # Compliance fetches every enrollment
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        pane = main(pilot.app).pane(CampaignsPane)
        trends = {c.name: pane.cells(c)[-1] for c in pane.table.visible_items}
        for name in ("2026 Annual Security Awareness Training", STALLED, MARKUP_NAME):
            assert trends[name].plain == trend_cell(expected(name).forecast).plain
        assert trends[STALLED].plain == "‖ stalled"
        assert trends["Cloud Security Basics"].plain == ""  # scheduled: nobody enrolled
        text = screen_text(pilot.app)
        assert "Trend" in text and "‖ stalled" in text


async def test_compliance_deadlines_have_the_forecast_at_the_deadline() -> None:
    async with demo_app().run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        pane = main(pilot.app).pane(CompliancePane)
        rows = {r.name: r for r in pane.deadlines.table.visible_items}
        stalled = rows[STALLED]
        forecast = expected(STALLED).forecast
        assert stalled.forecast is not None
        assert stalled.forecast.outlook is Outlook.STALLING
        assert stalled.forecast.expected_at_deadline == forecast.expected_at_deadline
        assert pane.deadlines.cells(stalled)[-1].plain == forecast_cell(forecast).plain
        assert "Forecast" in screen_text(pilot.app)
        pane.deadlines.table.scroll_to_item(stalled)
        await pilot.pause()
        assert "Stalling" in plain(pane.deadlines.detail)


async def test_help_says_what_the_chart_is_drawn_from() -> None:
    async with demo_app().run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_campaign(pilot, STALLED)
        words = " ".join(help_text(screen).plain.split())
    assert "enrollments.chart" in words
    assert "past due is derived: deadline passed and not completed by then" in words
    assert "pace of the last 14 days" in words


def test_the_deadlines_export_has_the_forecast_at_the_deadline() -> None:
    org = generate_org(users=300, now=FROZEN_NOW)
    campaigns = Campaign.from_api_list(org.campaigns())
    rows = compute_rows(
        campaigns, Enrollment.from_api_list(org.enrollments()), [], FROZEN_NOW, UTC_ZONE, 7
    )
    stalled = next(r for r in rows.deadlines if r.name == STALLED)
    record = DEADLINES_EXPORT.record(stalled)
    assert stalled.forecast is not None and stalled.forecast.expected_at_deadline is not None
    assert record["forecast_at_deadline"] == int(stalled.forecast.expected_at_deadline)
    assert deadline_rows(campaigns, [], FROZEN_NOW)[0].forecast is None  # only compute_rows
