"""The user view and the enrollment detail: what the screen shows after each key."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widgets import Static
from ui_support import current, demo_app, open_campaign, plain, settle

from kb4tui.api.models import Enrollment
from kb4tui.core.hints import HintKind, enrollment_hints
from kb4tui.session.datasets import CAMPAIGNS
from kb4tui.ui.compat import notifications
from kb4tui.ui.screens.enrollment_detail import EnrollmentDetailScreen
from kb4tui.ui.screens.enrollments import EnrollmentsScreen

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
        messages = [n.message for n in notifications(app)]
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
        campaigns = app.session.cached(CAMPAIGNS) or []
        owner = next(c for c in campaigns if c.name == target)
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
