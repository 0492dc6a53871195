"""SVG snapshots of the main screens at 120x40 on the demo organisation, on the path
production runs (the real client over the fake API, a cache and a quota meter in the
test's own directories).

Stable across runs: the demo org and the session's clock are frozen (FROZEN_NOW), the fake
API answers in-process without pacing, the request count in the header is frozen, and no
text input is focused (no blinking cursor).
Update with `pytest tests/ui/test_snapshots.py --snapshot-update` after reviewing.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from ui_support import FrozenUsage, demo_app, settle

from kb4tui.store.quota import QuotaMeter
from kb4tui.ui.app import KB4App
from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.screens.main import MainScreen

SIZE = (120, 40)


def snapshot_app() -> KB4App:
    # The header's request count is frozen at 42: the meter holds 42 and nothing more is
    # counted (how many requests a load takes is not what these pictures are about).
    with QuotaMeter.open(None, "demo") as meter:
        meter.record(42)
    return demo_app(usage=FrozenUsage())


async def _loaded(pilot: Pilot[Any]) -> None:
    await settle(pilot)


async def _enrollments(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    table = screen.pane(CampaignsPane).table
    table.scroll_to_item(next(c for c in table.visible_items if c.name == "GDPR Essentials"))
    await pilot.press("enter")
    await settle(pilot)


async def _library(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)


def test_main_screen(snap_compare: Any) -> None:
    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=_loaded)


def test_enrollments_screen(snap_compare: Any) -> None:
    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=_enrollments)


def test_library_pane(snap_compare: Any) -> None:
    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=_library)
