"""Pilot tests of the TUI on the in-process fake API: what the screen shows after each key."""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textual.command import CommandPalette
from textual.content import Content
from textual.widgets import Input, Static
from ui_support import MARKUP_NAME, current, demo_app, main, open_campaign, plain, settle

from kb4tui.api.models import Campaign, ContentItem, Enrollment, Policy
from kb4tui.core.hints import HintKind, enrollment_hints
from kb4tui.core.status import EnrollmentState, classify
from kb4tui.session.datasets import ACCOUNT, CAMPAIGNS
from kb4tui.ui.app import KB4App
from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.panes.compliance import CompliancePane
from kb4tui.ui.panes.library import LibraryPane
from kb4tui.ui.screens.enrollment_detail import EnrollmentDetailScreen
from kb4tui.ui.screens.enrollments import EnrollmentsScreen
from kb4tui.ui.screens.help import HelpScreen
from kb4tui.ui.screens.main import MainScreen
from kb4tui.ui.widgets.browse_pane import BrowsePane
from kb4tui.ui.widgets.header import AppHeader

SIZE = (120, 40)


def focused(app: KB4App) -> object:
    """The focused widget, read afresh (keeps mypy from carrying narrowing across keys)."""
    return app.focused


def names(pane: BrowsePane[Any]) -> list[str]:
    return [getattr(item, "name", None) or "" for item in pane.table.visible_items]


async def test_opens_on_campaigns_with_header_and_detail() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        header = screen.query_one(AppHeader).render().plain
        assert "Fabrikam Manufacturing" in header
        assert "profile demo (us)" in header
        account = app.session.cached(ACCOUNT)
        assert account is not None
        assert f"/{2000 + (account.number_of_seats or 0):,} today" in header
        assert "fetched just now" in header
        pane = screen.pane(CampaignsPane)
        assert plain(pane.summary).startswith("25 campaigns")
        assert pane.table.row_count == 25
        first = pane.table.highlighted
        assert isinstance(first, Campaign) and first.name
        detail = plain(pane.detail)
        assert first.name in detail and "Completion" in detail and "Groups" in detail
        assert focused(app) is pane.table


async def test_markup_campaign_name_is_shown_literally() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = main(app).pane(CampaignsPane)
        campaign = next(c for c in pane.table.visible_items if c.name == MARKUP_NAME)
        assert pane.table.scroll_to_item(campaign)
        await pilot.pause()
        assert plain(pane.detail).startswith(MARKUP_NAME)
        # The row as painted: the cell starts with the literal characters.
        row = pane.table.render_line(1 + pane.table.cursor_index - pane.table.scroll_offset.y)
        assert row.text.startswith("[/Q3] Phish")
        screen = await open_campaign(pilot, MARKUP_NAME)
        assert plain(screen.breadcrumb) == f"Campaigns > {MARKUP_NAME}"
        await pilot.press("question_mark")  # its name becomes the help dialog's title
        help_body = app.screen.query_one("#help-body")
        # Textual hands the title back as markup; read as markup it is the literal name.
        assert MARKUP_NAME in Content.from_markup(str(help_body.border_title)).plain


async def test_filter_as_you_type_then_enter_keeps_and_escape_clears() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = main(app).pane(CampaignsPane)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"gdpr")
        assert names(pane) == ["GDPR Essentials"]
        assert "1 of 25 campaigns" in plain(pane.summary)
        await pilot.press("enter")
        assert focused(app) is pane.table
        assert names(pane) == ["GDPR Essentials"]
        # By group and by module too: "Contractors" is a group, "Phish Hunter" a module.
        await pilot.press("slash", *["backspace"] * 4, *"hunter")
        await pilot.pause()
        assert MARKUP_NAME in names(pane)
        await pilot.press("escape")
        assert pane.table.row_count == 25
        assert not pane.filter_input.display
        assert focused(app) is pane.table


async def test_status_filter_and_sort_cycle() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = main(app).pane(CampaignsPane)
        await pilot.press("f")  # first status in alphabetical order
        statuses = {c.status for c in pane.table.visible_items}
        assert len(statuses) == 1 and "status" in plain(pane.summary)
        while pane.table.row_count != 25:  # cycles back to all
            await pilot.press("f")
        await pilot.press("s")  # sort by name
        shown = names(pane)
        assert shown == sorted(shown, key=str.casefold)
        assert "sorted by name ↑" in plain(pane.summary)
        await pilot.press("S")
        assert names(pane) == sorted(shown, key=str.casefold, reverse=True)
        await pilot.press("s", "s", "s", "s", "s", "s")  # ... to completion %
        done = [c.completion_percentage for c in pane.table.visible_items]
        known = [d for d in done if d is not None]
        assert known == sorted(known)
        assert "sorted by completion" in plain(pane.summary)


async def test_drill_into_enrollments_detail_user_and_back() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_campaign(pilot, "GDPR Essentials")
        assert plain(screen.breadcrumb) == "Campaigns > GDPR Essentials"
        rows = list(screen.pane.table.visible_items)
        assert rows and all(isinstance(r, Enrollment) for r in rows)
        assert screen.loading_done and not screen.progress_line.display
        counts = plain(screen.counts_line)
        assert f"all {len(rows):,}" in counts
        past_due = sum(classify(r.status) is EnrollmentState.PAST_DUE for r in rows)
        assert f"Past Due {past_due:,}" in counts

        await pilot.press("d")  # past due only
        assert screen.pane.table.row_count == past_due
        await pilot.press("a")
        assert screen.pane.table.row_count == len(rows)

        first = screen.pane.highlighted
        assert isinstance(first, Enrollment)
        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, EnrollmentDetailScreen)
        text = plain(detail.query_one("#enrollment-detail", Static))
        assert first.user_name in text and (first.status or "") in text
        assert "Policy acknowledged" in text and "Time spent" in text and "Deadline" in text
        assert classify(first.status).meaning in text

        await pilot.press("u")
        await settle(pilot)
        user_screen = app.screen
        assert isinstance(user_screen, EnrollmentsScreen)
        assert plain(user_screen.breadcrumb) == f"Campaigns > GDPR Essentials > {first.user_name}"
        user_rows = list(user_screen.pane.table.visible_items)
        assert user_rows and {r.user_id for r in user_rows} == {first.user_id}
        assert len({r.campaign_id for r in user_rows}) >= 1

        await pilot.press("q")  # q goes back on pushed screens
        assert isinstance(app.screen, EnrollmentDetailScreen)
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, MainScreen)


async def test_enrollment_search_by_email() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_campaign(pilot, "GDPR Essentials")
        target = list(screen.pane.table.visible_items)[3]
        local = target.user_email.split("@")[0]
        await pilot.press("slash", *local)
        await pilot.pause()
        shown = list(screen.pane.table.visible_items)
        assert target in shown and len(shown) < screen.pane.table.total_count
        assert all(local in f"{r.user_name} {r.user_email}".lower() for r in shown)
        await pilot.press("escape")  # clears the search
        assert isinstance(app.screen, EnrollmentsScreen)
        await pilot.press("escape")  # then goes back
        assert isinstance(app.screen, MainScreen)


async def test_library_pane_type_filter_detail_and_module_enrollments() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = main(app)
        pane = screen.pane(LibraryPane)
        assert pane.display and not screen.pane(CampaignsPane).display
        items: list[ContentItem] = list(pane.table.visible_items)
        assert any(isinstance(i, Policy) for i in items)
        assert any(not isinstance(i, Policy) for i in items)
        assert focused(app) is pane.table
        await pilot.press("t")  # Training Module
        assert {type(i).__name__ for i in pane.table.visible_items} == {"StorePurchase"}
        assert "type Training Module" in plain(pane.summary)
        for _ in range(4):
            await pilot.press("t")  # Video, Game, Assessment, Policy
        assert pane.table.visible_items
        assert all(isinstance(i, Policy) for i in pane.table.visible_items)
        policy = pane.highlighted
        assert isinstance(policy, Policy)
        assert "Used by campaigns" in plain(pane.detail)
        await pilot.press("enter")
        await settle(pilot)
        module = app.screen
        assert isinstance(module, EnrollmentsScreen)
        assert plain(module.breadcrumb) == f"Library > {policy.name}"
        assert module.pane.table.row_count > 0
        assert {r.module for r in module.pane.table.visible_items} == {policy.name}
        await pilot.press("tab")  # nothing to switch here; still on the pushed screen
        await pilot.press("escape")
        await pilot.press("tab")  # back on main: tab goes to the next pane
        assert screen.pane(CompliancePane).display and not screen.pane(LibraryPane).display
        await pilot.press("shift+tab", "shift+tab")
        assert screen.pane(CampaignsPane).display


async def test_help_lists_every_binding_of_the_screen() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        expected = {
            a.binding.id for a in app.screen.active_bindings.values() if a.binding.id is not None
        }
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        text = plain(help_screen.query_one("#help-text", Static))
        for binding_id in expected:
            assert binding_id in text
        assert "campaigns.status_filter" in text and "One status at a time" in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        screen = await open_campaign(pilot, "GDPR Essentials")
        await pilot.press("question_mark")
        text = plain(app.screen.query_one("#help-text", Static))
        assert "enrollments.status_d" in text and "Past Due" in text
        assert "enrollments.user" in text
        await pilot.press("q")
        assert current(app) is screen


async def test_palette_jumps_to_a_campaign_without_network() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        used = app.session.quota_usage()[0]
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"gdpr ess")
        await pilot.pause()
        assert app.session.quota_usage()[0] == used  # typing made no request
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EnrollmentsScreen)
        assert plain(app.screen.breadcrumb) == "Campaigns > GDPR Essentials"


async def test_markup_name_in_palette_does_not_crash() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"q3 ph")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EnrollmentsScreen)
        assert plain(app.screen.breadcrumb).endswith(MARKUP_NAME)


async def test_hints_and_the_status_breakdown_once_known() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = main(app).pane(CampaignsPane)
        fresh = next(c for c in pane.table.visible_items if c.name == "Security Champions Program")
        pane.table.scroll_to_item(fresh)
        await pilot.pause()
        assert "Zero completion rate" in plain(pane.detail)

        target = "Sales Travel Security Briefing"
        pane.table.scroll_to_item(next(c for c in pane.table.visible_items if c.name == target))
        await pilot.pause()
        assert "open the campaign (enter)" in plain(pane.detail)
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
        detail = plain(app.screen.query_one("#enrollment-detail", Static))
        assert "Hints" in detail and "Past due but completed" in detail
        await pilot.press("escape", "escape")
        detail = plain(pane.detail)
        assert "open the campaign (enter)" not in detail
        rows = app.session.peek(screen.subset)
        assert rows is not None
        past_due = sum(classify(e.status) is EnrollmentState.PAST_DUE for e in rows)
        assert re.search(rf"^Past Due +{past_due:,} ", detail, re.MULTILINE)


async def test_80x24_keeps_the_key_columns_and_puts_the_detail_below() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = main(app).pane(CampaignsPane)
        keys = [c.key for c in pane.table.columns]
        assert keys[0] == "name" and "status" in keys and "end" in keys and "done" in keys
        detail = pane.query_one(".pane-detail")
        assert detail.region.y > pane.table.region.y  # under the table, not beside it
        assert pane.table.region.width >= 76
        screen = await open_campaign(pilot, "GDPR Essentials")
        shown = [c.key for c in screen.pane.table.columns]
        assert shown[:4] == ["user", "email", "module", "status"]
        assert "campaign" not in shown  # one campaign: its name would repeat on every row
        assert sum(c.width or c.min_width for c in screen.pane.table.columns) <= 80
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert "enrolled" in [c.key for c in screen.pane.table.columns]


async def test_palette_jumps_to_a_module_and_to_a_user_seen_before() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")  # the library is loaded when first shown
        await settle(pilot)
        await pilot.press("ctrl+p", *"module: phish hun")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        module = app.screen
        assert isinstance(module, EnrollmentsScreen)
        assert plain(module.breadcrumb).startswith("Library > Phish Hunter")
        someone = module.pane.highlighted
        assert isinstance(someone, Enrollment)
        await pilot.press("escape")
        await pilot.press("ctrl+p", *f"user: {someone.user_email[:12]}")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        user = app.screen
        assert isinstance(user, EnrollmentsScreen)
        assert plain(user.breadcrumb) == f"Users > {someone.user_name}"
        assert {r.user_id for r in user.pane.table.visible_items} == {someone.user_id}


async def test_ctrl_d_scrolls_the_detail_pane_while_the_table_keeps_focus() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = main(app).pane(CampaignsPane)
        scroller = pane.query_one(".pane-detail")
        assert scroller.scroll_y == 0 and scroller.max_scroll_y > 0  # 8 lines at 80x24
        await pilot.press("ctrl+d")
        assert scroller.scroll_y > 0 and app.focused is pane.table
        await pilot.press("ctrl+u")
        assert scroller.scroll_y == 0


async def test_escape_clears_the_status_choice_then_goes_back() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = main(app).pane(CampaignsPane)
        await pilot.press("f", "slash", *"a", "enter")  # a status choice and a filter
        assert pane.table.row_count < 25 and "status" in plain(pane.summary)
        await pilot.press("escape")  # one escape clears both
        assert pane.table.row_count == 25 and "status" not in plain(pane.summary)
        await pilot.press("f")  # the cycle starts again from the first status
        assert len({c.status for c in pane.table.visible_items}) == 1
        await pilot.press("escape")

        screen = await open_campaign(pilot, "GDPR Essentials")
        total = screen.pane.table.row_count
        await pilot.press("n")
        assert screen.pane.table.row_count < total
        assert "Not Started = needs reminder" in plain(screen.pane.summary)
        await pilot.press("escape")
        assert app.screen is screen and screen.pane.table.row_count == total
        assert screen.status_filter is None
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_campaign_content_keeps_its_count_visible_and_status_is_coloured() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = main(app).pane(CampaignsPane)
        keys = [c.key for c in pane.table.columns]
        assert keys[:4] == ["name", "status", "content", "more"]
        name_width = pane.table.column_widths[0]
        assert name_width >= 24  # the name gets the groups' room at 120 columns
        campaign = next(c for c in pane.table.visible_items if len(c.content_items) == 2)
        pane.table.scroll_to_item(campaign)
        await pilot.pause()
        row = pane.table.render_line(1 + pane.table.cursor_index - pane.table.scroll_offset.y)
        cells = row.text.split()
        first = campaign.content_items[0].name or ""
        assert first.split()[0] in cells and "+1" in cells
        status = pane.cells(campaign)[1]
        assert isinstance(status, Text) and status.plain == campaign.status and status.style


async def test_counts_line_breaks_between_statuses_at_80_columns() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_campaign(pilot, "GDPR Essentials")
        lines = plain(screen.counts_line).splitlines()
        assert len(lines) == 2 and all(len(line) <= 78 for line in lines)
        joined = "\n".join(lines)
        for label in ("n Not Started", "i In Progress", "p Completed", "d Past Due", "x Exempted"):
            assert label in joined  # never "x" at the end of one line and "Exempted" on the next
