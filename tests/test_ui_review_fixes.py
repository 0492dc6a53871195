"""Pilot tests for the review fixes: what the screen shows after each key."""

from __future__ import annotations

import re
from itertools import pairwise

from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey
from ui_support import current, demo_app, open_campaign, plain, settle

from kb4tui.api.models import Enrollment
from kb4tui.core.compliance import DeadlineRow
from kb4tui.core.hints import HintKind, enrollment_hints
from kb4tui.ui.app import KB4App
from kb4tui.ui.screens.enrollment_detail import EnrollmentDetailScreen
from kb4tui.ui.screens.enrollments import EnrollmentsScreen
from kb4tui.ui.screens.help import HelpScreen
from kb4tui.ui.screens.main import MainScreen

SIZE = (120, 40)


async def test_u_on_a_users_enrollments_stays_and_says_so() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_campaign(pilot, "GDPR Essentials")
        await pilot.press("u")
        await settle(pilot)
        user_screen = current(app)
        assert isinstance(user_screen, EnrollmentsScreen)
        first = user_screen.pane.highlighted
        assert isinstance(first, Enrollment) and first.user_name
        crumb = f"Campaigns > GDPR Essentials > {first.user_name}"
        assert plain(user_screen.breadcrumb) == crumb
        depth = len(app.screen_stack)

        await pilot.press("u")
        await settle(pilot)
        assert current(app) is user_screen and len(app.screen_stack) == depth
        assert plain(user_screen.breadcrumb) == crumb
        messages = [n.message for n in app._notifications]
        assert f"Already showing {first.user_name}'s enrollments" in messages

        # From one of that user's enrollments, u goes back down to the same screen.
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(current(app), EnrollmentDetailScreen)
        await pilot.press("u")
        await settle(pilot)
        assert current(app) is user_screen and len(app.screen_stack) == depth


async def test_enrollment_hints_are_on_screen_at_80x24() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        target = "Sales Travel Security Briefing"
        screen = await open_campaign(pilot, target)
        owner = next(c for c in app.repository.cached_campaigns() if c.name == target)
        late = next(
            e
            for e in screen.pane.table.visible_items
            if any(h.kind is HintKind.PAST_DUE_COMPLETED for h in enrollment_hints(e, owner))
        )
        screen.pane.table.scroll_to_item(late)
        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen.query_one("#enrollment-detail", Static)
        body = app.screen.query_one("#enrollment-body", VerticalScroll)
        lines = [strip.text for strip in detail.render_lines(Region(0, 0, *detail.size))]
        row = next(i for i, line in enumerate(lines) if "Past due but completed" in line)
        assert detail.region.y + row < body.region.bottom  # painted without scrolling
        meaning = next(i for i, line in enumerate(lines) if line.startswith("Meaning"))
        assert lines[meaning + 2].startswith("Hints")
        assert any(line.startswith("Enrollment id") for line in lines[row:])


async def test_compliance_deadline_opens_incomplete_only_and_one_escape_goes_back() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        main_screen = current(app)
        assert isinstance(main_screen, MainScreen)
        row = main_screen.compliance.deadlines.highlighted
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


async def test_deadlines_at_80_columns_give_the_name_room_and_days_a_gap() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        main_screen = current(app)
        assert isinstance(main_screen, MainScreen)
        table = main_screen.compliance.deadlines.table
        widths = dict(zip([c.key for c in table.columns], table._widths, strict=True))
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
        keys = sorted(footer.query(FooterKey), key=lambda k: k.region.x)
        descriptions = [k.description for k in keys]
        assert "Next section" not in descriptions and "Previous section" not in descriptions
        assert "Refresh / retry" in descriptions  # the pane's own keys are still there
        assert all(k.region.width and k.region.right <= 80 for k in keys)
        assert all(a.region.right <= b.region.x for a, b in pairwise(keys))
