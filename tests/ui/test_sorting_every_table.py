"""Every sortable column of every table sorts the demo organisation with `s`: its sort key
returns one type (the table refuses mixed types), and the rows follow the key."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from ui_support import current, demo_app, main, plain, settle

from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.panes.compliance import CompliancePane
from kb4tui.ui.panes.library import LibraryPane
from kb4tui.ui.screens.enrollments import EnrollmentsScreen
from kb4tui.ui.widgets.browse_pane import BrowsePane

SIZE = (120, 40)


async def sort_by_every_column(pilot: Pilot[Any], pane: BrowsePane[Any]) -> list[str]:
    """Press `s` through the pane's sorts (and `S` on the last); check each order."""
    sorted_by = []
    for _ in pane.SORTS:
        await pilot.press("s")
        spec = next(s for s in pane.SORTS if s.column == pane.table.sort_column)
        assert f"sorted by {spec.label} ↑" in plain(pane.summary)
        keys = [spec.key(item) for item in pane.table.visible_items]
        present = [key for key in keys if key is not None]
        assert present == sorted(present)
        assert keys[len(present) :] == [None] * (len(keys) - len(present))  # missing last
        sorted_by.append(spec.column)
    await pilot.press("S")
    keys = [spec.key(item) for item in pane.table.visible_items]
    present = [key for key in keys if key is not None]
    assert present == sorted(present, reverse=True) and keys[len(present) :] == [None] * (
        len(keys) - len(present)
    )
    return sorted_by


async def test_every_column_of_every_table_sorts_the_demo_data() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        campaigns = await sort_by_every_column(pilot, screen.pane(CampaignsPane))
        assert campaigns == [s.column for s in screen.pane(CampaignsPane).SORTS]

        await pilot.press("g", "enter")
        await settle(pilot)
        enrollments = current(app)
        assert isinstance(enrollments, EnrollmentsScreen)
        assert enrollments.pane.table.row_count > 0
        await sort_by_every_column(pilot, enrollments.pane)
        await pilot.press("escape", "escape")
        await settle(pilot)

        await pilot.press("2")
        await settle(pilot)
        assert screen.pane(LibraryPane).table.row_count > 0
        await sort_by_every_column(pilot, screen.pane(LibraryPane))

        await pilot.press("3")
        await settle(pilot)
        sections = []
        for _ in range(3):
            section = screen.pane(CompliancePane).active
            assert section.table.row_count > 0, type(section).__name__
            await sort_by_every_column(pilot, section)
            sections.append(type(section).__name__)
            await pilot.press("right_square_bracket")
        assert len(set(sections)) == 3  # deadlines, people, content
