"""The cyclic collector is paused for start-up and resumed once the campaigns are drawn."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from ui_support import demo_app, main, settle, wait_until

from kb4tui import gcpause
from kb4tui.ui import app as app_module
from kb4tui.ui.panes.campaigns import CampaignsPane


@pytest.fixture
def collector() -> Iterator[None]:
    """Whatever a test does, the collector is on again afterwards (and nothing stays paused)."""
    was_enabled = gc.isenabled()
    yield
    gcpause._paused = False
    gc.unfreeze()  # the rest of the session collects as usual
    if was_enabled:
        gc.enable()


def test_resume_undoes_only_our_own_pause(collector: None) -> None:
    gc.disable()  # someone else's choice (a profiler, an embedding app): not ours to undo
    gcpause.pause_collection()
    gcpause.resume_collection()
    assert not gc.isenabled()
    gc.enable()
    gcpause.pause_collection()
    assert not gc.isenabled()
    gcpause.resume_collection()
    assert gc.isenabled()
    gcpause.resume_collection()  # twice is harmless
    assert gc.isenabled()


async def test_the_collector_resumes_when_the_campaigns_are_drawn(
    collector: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the campaign list can end the pause here: the fallback timer is out of reach.
    monkeypatch.setattr(app_module, "GC_RESUME_FALLBACK_SECONDS", 600.0)
    collecting_when_drawn: list[bool] = []
    set_items = CampaignsPane.set_items

    def recording(self: CampaignsPane, items: Any) -> None:
        collecting_when_drawn.append(gc.isenabled())
        set_items(self, items)

    monkeypatch.setattr(CampaignsPane, "set_items", recording)
    gcpause.pause_collection()
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: main(app).pane(CampaignsPane).table.row_count > 0)
        assert collecting_when_drawn[0] is False  # paused until the first rows arrive
        await wait_until(pilot, gc.isenabled)  # then resumed, after the refresh drew them
        await settle(pilot)


def test_run_tui_resumes_the_collector_even_when_it_fails_early(
    collector: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kb4tui.cli import main as cli_main

    monkeypatch.setenv("KNOWBE4_REGION", "mars")  # a config error before the app exists
    assert cli_main([]) == 1  # usage error, per the command line contract
    assert gc.isenabled()
