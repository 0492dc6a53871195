"""Compliance at 80 columns, and a deadline opening its incomplete enrollments."""

from __future__ import annotations

import re
from itertools import pairwise

from textual.widgets import Footer
from ui_support import current, demo_app, plain, settle

from kb4tui.core.compliance import DeadlineRow
from kb4tui.ui.compat import footer_keys
from kb4tui.ui.panes.compliance import CompliancePane
from kb4tui.ui.screens.enrollments import EnrollmentsScreen
from kb4tui.ui.screens.main import MainScreen

SIZE = (120, 40)


async def test_compliance_deadline_opens_incomplete_only_and_one_escape_goes_back() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        main_screen = current(app)
        assert isinstance(main_screen, MainScreen)
        row = main_screen.pane(CompliancePane).deadlines.highlighted
        assert isinstance(row, DeadlineRow) and row.counts.incomplete > 0

        await pilot.press("enter")
        await settle(pilot)
        screen = current(app)
        assert isinstance(screen, EnrollmentsScreen)
        assert screen.pane.table.row_count == row.counts.incomplete
        assert "incomplete only" in plain(screen.counts_line)
        await pilot.press("escape")
        assert current(app) is main_screen

        await pilot.press("enter")
        await settle(pilot)
        screen = current(app)
        assert isinstance(screen, EnrollmentsScreen)
        await pilot.press("slash", "x", "enter", "escape")  # escape clears the typed filter
        assert current(app) is screen and "incomplete only" in plain(screen.counts_line)
        assert screen.pane.table.row_count == row.counts.incomplete
        await pilot.press("a")
        assert screen.pane.table.row_count == row.counts.total
        assert "incomplete only" not in plain(screen.counts_line)
        await pilot.press("d", "escape")  # a status choice: escape clears it first
        assert current(app) is screen and screen.pane.table.row_count == row.counts.total
        await pilot.press("escape")
        assert current(app) is main_screen


async def test_deadlines_at_80_columns_give_the_name_room_and_days_a_gap() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        main_screen = current(app)
        assert isinstance(main_screen, MainScreen)
        table = main_screen.pane(CompliancePane).deadlines.table
        widths = dict(zip([c.key for c in table.columns], table.column_widths, strict=True))
        assert widths["deadline"] == 10  # "2026-05-24", "+2 weeks"
        assert widths["campaign"] >= 20  # was 14 beside a 17-wide Deadline
        lines = [table.render_line(y).text for y in range(1, min(10, table.row_count) + 1)]
        dated = [line for line in lines if re.search(r"\d d (over|left)", line)]
        assert dated and all(re.search(r"d (over|left) {2,}\d+%", line) for line in dated)
        assert not any(re.search(r"\d%\S", line) or "over1" in line for line in lines)


async def test_compliance_footer_fits_80_columns() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        footer = app.screen.query_one(Footer)
        keys = sorted(footer_keys(footer), key=lambda k: k.region.x)
        descriptions = [k.description for k in keys]
        assert "Next section" not in descriptions and "Previous section" not in descriptions
        assert "Refresh / retry" in descriptions  # the pane's own keys are still there
        assert all(k.region.width and k.region.right <= 80 for k in keys)
        assert all(a.region.right <= b.region.x for a, b in pairwise(keys))
