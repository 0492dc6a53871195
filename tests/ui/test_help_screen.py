"""The help screen: titles, wrapped tooltips, scroll keys and where to remap."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widgets import Static
from ui_support import demo_app, settle

from kb4tui.ui.app import KB4App
from kb4tui.ui.screens.help import HelpScreen

SIZE = (120, 40)


def help_lines(app: KB4App) -> list[str]:
    """The help text as painted, one string per screen row."""
    widget = app.screen.query_one("#help-text", Static)
    return [strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, *widget.size))]


async def test_help_titles_wrapped_tooltips_scroll_keys_and_where_to_remap() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("enter")  # a deadline: the "incomplete only" enrollments
        await settle(pilot)
        assert type(app.screen).__name__ == "IncompleteEnrollmentsScreen"
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        lines = help_lines(app)
        titles = [line for line in lines if line and not line.startswith(" ")]
        assert "Enrollments" in titles and "Everywhere" in titles
        assert not any("IncompleteEnrollments" in line for line in lines)
        # The export tooltip is longer than the room left of the description column.
        start = next(i for i, line in enumerate(lines) if "Write the rows shown" in line)
        assert lines[start + 1].startswith(" " * 20) and lines[start + 1].strip()
        assert "CSV or JSON" in lines[start + 1]
        assert any(
            "Remap keys in the [keys] table of config.toml by binding id" in line for line in lines
        )

        body = app.screen.query_one("#help-body", VerticalScroll)
        assert body.max_scroll_y > 0
        await pilot.press("G")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("g")
        await pilot.pause()
        assert body.scroll_y == 0
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y


async def test_help_titles_compliance_sections_in_words() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        titles = [line for line in help_lines(app) if line and not line.startswith(" ")]
        assert "Compliance: deadlines" in titles and "Main screen" in titles
        assert not any("Section" in title for title in titles)
