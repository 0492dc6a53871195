"""The People pane, a person's view and a group's view, through the production path: the
real client over the demo's fake API, the real session wiring and a temporary cache.
Expected values come from the raw demo data, never from kb4tui.core."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from ui_support import current, demo_api, demo_app, main, settle, wait_until

from kb4tui.core.not_enrolled import NotEnrolled, Reason
from kb4tui.core.people_view import MemberProgress, PersonRow, Standing
from kb4tui.demo import FakeKnowBe4API
from kb4tui.demo.cases import LATE_JOINER_CAMPAIGN
from kb4tui.demo.org import DemoOrg
from kb4tui.ui import compat, first_fill
from kb4tui.ui.panes.people import PeoplePane
from kb4tui.ui.screens.confirm_fill import ConfirmFillScreen
from kb4tui.ui.screens.group import CampaignPicker, GroupScreen
from kb4tui.ui.screens.person import PersonScreen

SIZE = (120, 40)
SECURE_CODING = "Engineering Secure Coding 2026"


def screen_text(app: Any) -> str:
    return "\n".join("".join(s.text for s in line) for line in compat.screen_lines(app.screen))


def raw_campaign(org: DemoOrg, name: str) -> dict[str, Any]:
    return next(c for c in org.campaigns(with_percentage=False) if c["name"] == name)


async def show_people(pilot: Pilot[Any]) -> PeoplePane:
    await settle(pilot)
    await pilot.press("4")
    await settle(pilot)
    return main(pilot.app).pane(PeoplePane)


async def open_person(pilot: Pilot[Any], pane: PeoplePane, user_id: int) -> PersonScreen:
    row = next(r for r in pane.table.visible_items if r.user.id == user_id)
    pane.table.scroll_to_item(row)
    await pilot.press("enter")
    await settle(pilot)
    screen = current(pilot.app)
    assert isinstance(screen, PersonScreen)
    return screen


def missing_row(screen: PersonScreen, campaign: str) -> NotEnrolled:
    return next(n for n in screen.missing.table.visible_items if n.campaign_name == campaign)


async def test_each_person_shows_their_enrollments_counted_by_status() -> None:
    api = demo_api(users=300)
    org = api.org()
    async with demo_app(api=api).run_test(size=SIZE) as pilot:
        pane = await show_people(pilot)
        rows: list[PersonRow] = list(pane.table.visible_items)
        text = screen_text(pilot.app)
    active = [u for u in org.users if u["status"] == "active"]
    assert [r.user.id for r in rows] == [u["id"] for u in active]
    counts: dict[int, Counter[str]] = {}
    for row in org.enrollments():
        if row["user"] is not None:
            counts.setdefault(row["user"]["id"], Counter())[row["status"]] += 1
    for row in rows:
        assert row.training is not None
        own = counts.get(row.user.id or -1, Counter())
        shown = row.training.counts
        assert (shown.not_started, shown.in_progress, shown.past_due, shown.completed) == (
            own["Not Started"],
            own["In Progress"],
            own["Past Due"],
            own["Passed"],
        ), row.name
    first = rows[0]
    assert first.name in text and "NS  IP  PD Pass" in text
    assert f"{len(active):,} active users (a: archived)" in text


async def test_someone_in_no_target_group_sees_the_campaign_and_the_groups_that_enrol() -> None:
    api = demo_api(users=300)
    org = api.org()
    target = raw_campaign(org, SECURE_CODING)
    target_ids = {g["group_id"] for g in target["groups"]}
    enrolled = {
        r["user"]["id"] for r in org.campaign_enrollments(target["campaign_id"]) if r["user"]
    }
    outsider = next(
        u
        for u in org.users
        if u["status"] == "active" and not target_ids & set(u["groups"]) and u["id"] not in enrolled
    )
    async with demo_app(api=api).run_test(size=SIZE) as pilot:
        pane = await show_people(pilot)
        screen = await open_person(pilot, pane, outsider["id"])
        await pilot.press("n")
        await pilot.pause()
        found = missing_row(screen, SECURE_CODING)
        screen.missing.table.scroll_to_item(found)
        await pilot.pause()
        text = screen_text(pilot.app)
    assert found.reason is Reason.NO_TARGET_GROUP
    assert found.target_groups == tuple(g["name"] for g in target["groups"])
    assert SECURE_CODING[:20] in text and "Not in a target group" in text
    # The detail names the groups that would enrol them.
    assert "Target groups: Engineering" in text
    assert f"People > {outsider['first_name']} {outsider['last_name']}" in text


async def test_a_late_joiner_sees_that_the_campaign_does_not_auto_enrol() -> None:
    api = demo_api(users=300)
    org = api.org()
    campaign = raw_campaign(org, LATE_JOINER_CAMPAIGN)
    assert campaign["auto_enroll"] is False
    late = next(
        u for u in org.users if u["status"] == "active" and u["joined_on"] > campaign["start_date"]
    )
    async with demo_app(api=api).run_test(size=SIZE) as pilot:
        pane = await show_people(pilot)
        screen = await open_person(pilot, pane, late["id"])
        await pilot.press("n")
        await pilot.pause()
        found = missing_row(screen, LATE_JOINER_CAMPAIGN)
        screen.missing.table.scroll_to_item(found)
        await pilot.pause()
        text = screen_text(pilot.app)
    assert found.reason is Reason.JOINED_AFTER_START
    assert "Joined after the start" in text
    assert "does not auto-enrol" in text and f"Joined {late['joined_on'][:10]}" in text


async def test_a_persons_enrollments_have_deadlines_and_their_groups_open_a_group_view() -> None:
    api = demo_api(users=300)
    org = api.org()
    person = next(u for u in org.users if u["status"] == "active" and len(u["groups"]) >= 2)
    names = {g["id"]: g["name"] for g in org.groups}
    async with demo_app(api=api).run_test(size=SIZE) as pilot:
        pane = await show_people(pilot)
        screen = await open_person(pilot, pane, person["id"])
        own = [r for r in org.enrollments() if r["user"] and r["user"]["id"] == person["id"]]
        assert {e.enrollment_id for e in screen.training.table.visible_items} == {
            r["enrollment_id"] for r in own
        }
        assert "Due" in screen_text(pilot.app)
        await pilot.press("m")
        await pilot.pause()
        groups = [g.label for g in screen.groups.table.visible_items]
        assert groups == [names[g] for g in person["groups"]]
        await pilot.press("enter")
        await settle(pilot)
        group = current(pilot.app)
        assert isinstance(group, GroupScreen)
        members: list[MemberProgress] = list(group.table.table.visible_items)
        expected = [m["id"] for m in org.group_members(person["groups"][0])]
        assert [m.user.id for m in members] == expected
        # The members' standing in the chosen campaign agrees with its raw rows.
        chosen = group.campaign
        assert chosen is not None and chosen.campaign_id is not None
        rows = org.campaign_enrollments(chosen.campaign_id)
        with_rows = {r["user"]["id"] for r in rows if r["user"]}
        for member in members:
            enrolled = member.standing is not Standing.NOT_ENROLLED
            assert enrolled == (member.user.id in with_rows), member.user.full_name
        # `c` picks another campaign.
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(current(pilot.app), CampaignPicker)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert group.campaign is not None and group.campaign.campaign_id != chosen.campaign_id
        assert (group.campaign.name or "")[:20] in screen_text(pilot.app)
        # enter on a member opens that person.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(current(pilot.app), PersonScreen)


async def test_the_palette_jumps_to_a_group() -> None:
    api = demo_api(users=300)
    org = api.org()
    group = next(g for g in org.groups if g["name"] == "Security Champions [pilot]")
    app = demo_app(api=api)
    async with app.run_test(size=SIZE) as pilot:
        await show_people(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Group: Security Champ")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        await wait_until(pilot, lambda: palette.query_one(CommandList).option_count > 0)
        await pilot.press("enter")
        await settle(pilot)
        screen = current(app)
        assert isinstance(screen, GroupScreen) and screen.group_id == group["id"]
        assert "Groups > Security Champions [pilot]" in screen_text(app)


async def test_archived_users_show_a_dash_not_zeros() -> None:
    api = demo_api(users=300)
    org = api.org()
    archived = [u["id"] for u in org.users if u["status"] == "archived"]
    async with demo_app(api=api).run_test(size=SIZE) as pilot:
        pane = await show_people(pilot)
        await pilot.press("a")
        await settle(pilot)
        rows: list[PersonRow] = list(pane.table.visible_items)
        text = screen_text(pilot.app)
        assert [r.user.id for r in rows] == archived
        assert all(r.training is None for r in rows)
        assert f"{len(archived):,} archived users (a: active)" in text
        screen = await open_person(pilot, pane, archived[0])
        await pilot.press("n")
        await pilot.pause()
        reasons = {n.reason for n in screen.missing.table.visible_items}
        assert reasons == {Reason.ARCHIVED}
        assert "their enrollments are not fetched" in screen_text(pilot.app)


@pytest.mark.parametrize("answer", ["n", "y"])
async def test_a_large_first_load_says_what_it_costs_and_asks_first(
    answer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(first_fill, "LARGE_FIRST_FILL", 5)  # the 300-user demo needs ~12
    api: FakeKnowBe4API = demo_api(users=300)
    app = demo_app(api=api)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmFillScreen))
        text = screen_text(app)
        assert "about" in text and "API requests (users 1, ~" in text and "enrollments" in text
        paths = [e.path for e in api.log.entries()]
        assert "/v1/users" not in paths and "/v1/training/enrollments" not in paths
        await pilot.press(answer)
        await settle(pilot)
        pane = main(app).pane(PeoplePane)
        paths = [e.path for e in api.log.entries()]
        if answer == "n":
            assert "/v1/users" not in paths and pane.table.total_count == 0
            assert "Not loaded: about" in screen_text(app) and "Press r to load" in screen_text(app)
            await pilot.press("r")
            await settle(pilot)
        assert pane.table.total_count == sum(u["status"] == "active" for u in api.org().users)


async def test_the_pane_fits_80x24_and_keeps_the_training_columns() -> None:
    async with demo_app(users=300).run_test(size=(80, 24)) as pilot:
        pane = await show_people(pilot)
        shown = [c.key for c in pane.table.columns]
        lines = screen_text(pilot.app).splitlines()
    assert {"name", "not_started", "in_progress", "past_due", "passed", "due"} <= set(shown)
    assert "manager" not in shown and "groups" not in shown
    header = next(line for line in lines if line.startswith("Name"))
    assert header.rstrip().endswith("Risk") and len(header) <= 80


async def test_api_text_is_shown_literally_in_the_reasons() -> None:
    api = demo_api(users=300)
    org = api.org()
    drill = "[/Q3] Phish [bold]drill[/bold]"
    target = raw_campaign(org, drill)
    enrolled = {
        r["user"]["id"] for r in org.campaign_enrollments(target["campaign_id"]) if r["user"]
    }
    person = next(u for u in org.users if u["status"] == "active" and u["id"] not in enrolled)
    async with demo_app(api=api).run_test(size=SIZE) as pilot:
        pane = await show_people(pilot)
        screen = await open_person(pilot, pane, person["id"])
        await pilot.press("n")
        await pilot.pause()
        screen.missing.table.scroll_to_item(missing_row(screen, drill))
        await pilot.pause()
        text = screen_text(pilot.app)
    assert drill[:20] in text  # in the table, as sent
    assert drill in text  # and whole in the detail pane
