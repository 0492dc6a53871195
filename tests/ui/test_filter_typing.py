"""Typing in a pane's filter box: the table narrows with the keystroke, and no keystroke
lays out the screen (the cost that dominated a keystroke over 100,000 rows)."""

from __future__ import annotations

from ui_support import demo_app, main, open_campaign, settle

from kb4tui.ui.compat import count_layouts
from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.widgets.browse_pane import FilterInput

SIZE = (120, 40)


async def test_the_table_narrows_as_the_value_changes_not_a_message_later() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = main(app).pane(CampaignsPane)
        await pilot.press("slash")
        pane.filter_input.value = "gdpr"
        # No await: Input.Changed has not been handled yet, and the table is already done.
        assert [c.name for c in pane.table.visible_items] == ["GDPR Essentials"]
        assert "1 of 25 campaigns" in str(pane.summary.render())
        await pilot.pause()
        assert [c.name for c in pane.table.visible_items] == ["GDPR Essentials"]


async def test_typing_a_search_lays_out_the_screen_only_when_the_box_opens() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_campaign(pilot, "GDPR Essentials")
        table = screen.pane.table
        email = next(iter(table.visible_items)).user_email
        assert email
        await pilot.press("slash")  # the box appears and the footer changes: a layout
        await pilot.pause()
        with count_layouts(screen) as layouts:
            # The mail domain: every row keeps matching, so the scrollbar stays (when it goes,
            # the table must lay out, and does).
            domain = email.split("@")[1][:6]
            await pilot.press(*domain)
            await pilot.pause()
            assert isinstance(app.focused, FilterInput)
            assert app.focused.value == domain
            assert table.row_count > table.size.height
            assert table.show_vertical_scrollbar
            assert layouts.count == 0
            await pilot.press("escape")  # the box closes: now the screen lays out again
            await pilot.pause()
            assert table.row_count == table.total_count
            assert layouts.count >= 1
