"""The Compliance pane with dates at the edges of the calendar (issue 20 item 15): a
campaign ending 9999-12-31T23:59:59Z, viewed in Tokyo, made the day counter raise
OverflowError and the pane die silently. The real app on the production path (real
client over the fake API, the session wiring): the rows now show, and any error of a
worker still reaches the one route (`DataView` -> `LoadFailed` -> the session) and the
screen."""

from __future__ import annotations

from datetime import datetime, tzinfo

import pytest
from textual.widgets import Static
from ui_support import FROZEN_NOW, demo_app, settle, wait_until

from kb4tui.core import deadlines
from kb4tui.demo import generate_org
from kb4tui.demo.org import DemoOrg
from kb4tui.ui.app import KB4App
from kb4tui.ui.compat import notifications
from kb4tui.ui.panes.compliance import CompliancePane
from kb4tui.ui.screens.main import MainScreen

SIZE = (120, 40)
END_OF_TIME = "9999-12-31T23:59:59Z"
NAME = "Forever compliance"


def org_with_a_campaign_ending_at_the_end_of_time() -> DemoOrg:
    org = generate_org(users=80, now=FROZEN_NOW)
    info = org._campaigns[0]
    info.json.update(name=NAME, end_date=END_OF_TIME, relative_duration=None, status="Active")
    return org


def pane_of(app: KB4App) -> CompliancePane:
    assert isinstance(app.screen, MainScreen)
    return app.screen.pane(CompliancePane)


def plain(widget: Static) -> str:
    return str(widget.render())


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Pacific/Kiritimati", "America/New_York"])
async def test_a_campaign_ending_at_the_end_of_time_shows_in_any_time_zone(
    zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", zone)
    app = demo_app(org=org_with_a_campaign_ending_at_the_end_of_time())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("3")
        pane = pane_of(app)
        await wait_until(pilot, lambda: pane.fetched_at is not None or pane.failed)
        await settle(pilot)
        assert not pane.failed, plain(pane.error_line)
        assert not notifications(app)
        row = next(r for r in pane.deadlines.table.visible_items if r.name == NAME)
        assert row.days_left is not None and row.days_left > 2_900_000


async def test_an_error_in_the_pane_reaches_the_one_route_and_the_screen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same data with the day counter as it was before the fix: its OverflowError
    (not an APIError) is shown in the pane and told by the app, and the app runs on."""

    def days_to_before_the_fix(self: deadlines.DayCounter, deadline: datetime) -> int:
        zone: tzinfo = self.zone
        return (deadline.astimezone(zone).date() - self.today).days

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    monkeypatch.setattr(deadlines.DayCounter, "days_to", days_to_before_the_fix)
    app = demo_app(org=org_with_a_campaign_ending_at_the_end_of_time())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("3")
        pane = pane_of(app)
        await wait_until(pilot, lambda: pane.failed)
        await wait_until(pilot, lambda: bool(notifications(app)))
        shown = plain(pane.error_line)
        assert "OverflowError" in shown and "r retries" in shown
        assert pane.error_line.has_class("-shown")
        [note] = notifications(app)
        assert "Unexpected OverflowError while loading compliance" in str(note.message)
        assert note.severity == "error"
        await pilot.press("1")
        assert app.return_code is None and isinstance(app.screen, MainScreen)
