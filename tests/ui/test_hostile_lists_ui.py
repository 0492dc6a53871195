"""A list that does not end (issue 20 item 10) and pages of garbage (item 8), in the TUI:
the pane says why it stopped, instead of loading at 50 requests a minute until the day's
quota is gone or showing "699,050 campaigns". The real app over the fake API, with the
campaign listing made hostile by a transport in between."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
from textual.widgets import Static
from ui_support import demo_api, demo_app, settle, wait_until

from kb4tui.demo import FakeKnowBe4Transport
from kb4tui.ui.app import KB4App
from kb4tui.ui.compat import notifications
from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.screens.main import MainScreen

SIZE = (120, 40)
CAMPAIGNS = "/v1/training/campaigns"

Body = Callable[[int], list[dict[str, object]]]


class HostileCampaigns(httpx.AsyncBaseTransport):
    """The full campaign listing (exclude_percentages=true) answered by `body(page)`;
    everything else by the fake API."""

    def __init__(self, body: Body) -> None:
        self.inner = FakeKnowBe4Transport(demo_api(users=60))
        self.body = body
        self.pages = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        if request.url.path == CAMPAIGNS and params.get("exclude_percentages") == "true":
            self.pages += 1
            content = json.dumps(self.body(int(params.get("page", "1")))).encode()
            return httpx.Response(200, content=content, headers={"X-Request-Id": "req-7"})
        return await self.inner.handle_async_request(request)


def campaigns_pane(app: KB4App) -> CampaignsPane:
    assert isinstance(app.screen, MainScreen)
    return app.screen.pane(CampaignsPane)


def error_of(pane: CampaignsPane) -> str:
    return str(pane.query_one(".pane-error", Static).render())


async def test_a_campaign_list_repeating_one_page_shows_a_load_error() -> None:
    page = [{"campaign_id": 1000 + i, "name": f"Loop {i}"} for i in range(500)]
    transport = HostileCampaigns(lambda number: page)
    app = demo_app(transport=transport)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        pane = campaigns_pane(app)
        await wait_until(pilot, lambda: "nothing new" in error_of(pane))
        await settle(pilot)
        assert "page 2 of the campaigns with nothing new" in error_of(pane)
        assert any("nothing new" in str(note.message) for note in notifications(app))
        assert transport.pages <= 10  # stopped, not paging on until the quota is gone
        assert app.return_code is None


async def test_a_page_of_empty_records_is_not_shown_as_campaigns() -> None:
    transport = HostileCampaigns(lambda number: [{} for _ in range(500)] if number == 1 else [])
    app = demo_app(transport=transport)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        pane = campaigns_pane(app)
        await wait_until(pilot, lambda: "none of which" in error_of(pane))
        assert "none of which has its campaign_id" in error_of(pane)
