"""People, a person and a group with hostile users and groups: Rich markup, escape
sequences, bidi controls, nulls and wrong types in every field shown. Nothing crashes,
nothing reaches the terminal as a control character (the render guard off, so the
widgets' own cleaning is what is tested), and markup is shown as text."""

from __future__ import annotations

import re
from typing import Any

from ui_support import FROZEN_NOW, current, demo_app, main, settle

from kb4tui.demo import generate_org
from kb4tui.demo.org import DemoOrg
from kb4tui.ui.app import KB4App
from kb4tui.ui.compat import notifications, screen_lines
from kb4tui.ui.panes.people import PeoplePane
from kb4tui.ui.screens.group import GroupScreen
from kb4tui.ui.screens.person import PersonScreen

HOSTILE = (
    "[/Q3] Phish [bold]drill[/bold]",
    "\x1b]52;c;ZXZpbA==\x07Eve",
    "\x1b[2J\x1b[HClear",
    "\u202eevil\u202c RLO",
    "[link=https://x.invalid]click[/link]",
)
_BAD = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile_people() -> DemoOrg:
    org = generate_org(seed=5, users=80, now=FROZEN_NOW)
    for i, user in enumerate(org.users):
        user["first_name"] = HOSTILE[i % len(HOSTILE)]
        user["department"] = HOSTILE[(i + 1) % len(HOSTILE)]
        user["manager_name"] = HOSTILE[(i + 2) % len(HOSTILE)]
        user["job_title"] = HOSTILE[(i + 3) % len(HOSTILE)]
    for i, group in enumerate(org.groups):
        group["name"] = HOSTILE[i % len(HOSTILE)] + f" G{i}"
    first = null_user(org)
    for field in list(first):
        if field not in ("id", "status"):
            first[field] = None  # groups null: "not reported"
    active = [u for u in org.users if u["status"] == "active"]
    active[1].update(groups="nope", joined_on=7, phish_prone_percentage="high", email=["x"])
    return org


def null_user(org: DemoOrg) -> dict[str, Any]:
    """The first active user: every field but id and status made null."""
    return next(u for u in org.users if u["status"] == "active")


def leaks(app: KB4App) -> list[str]:
    found = []
    for line in screen_lines(app.screen):
        for segment in line:
            if not segment.control and _BAD.search(segment.text):
                found.append(segment.text[:40])
    return found


def text_of(app: KB4App) -> str:
    return "\n".join("".join(s.text for s in line) for line in screen_lines(app.screen))


async def test_hostile_people_groups_and_reasons_are_shown_literally() -> None:
    app = demo_app(org=hostile_people())
    app.render_guard.enabled = False
    seen: dict[str, list[str]] = {}
    async with app.run_test(size=(120, 40)) as pilot:

        async def look(step: str, *keys: str) -> None:
            if keys:
                await pilot.press(*keys)
            await settle(pilot)
            if found := leaks(app):
                seen[step] = found

        await settle(pilot)
        await look("people", "4")
        pane = main(app).pane(PeoplePane)
        assert pane.table.total_count > 0
        for row in range(3):  # the null user, the wrong types, a hostile one
            await look(f"people row {row}", *(["j"] if row else []))
        assert "[/Q3] Phish [bo" in text_of(app)  # a name cut to its column, as sent
        await look("person", "enter")
        assert isinstance(current(app), PersonScreen)
        await look("not enrolled", "n")
        await look("groups", "m")
        await pilot.press("escape")
        await look("people row 4", "j", "j")
        await look("person 2", "enter")
        await look("groups 2", "m")
        await look("group", "enter")
        group = current(app)
        if isinstance(group, GroupScreen):  # a person in no group opens none
            await look("group row 2", "j")
            await look("campaign picker", "c")
            await look("picked", "down", "enter")
        errors = [n.message for n in notifications(app) if n.severity == "error"]
    assert seen == {}
    assert errors == []


async def test_a_user_whose_groups_are_not_reported_is_not_said_to_be_in_none() -> None:
    org = hostile_people()
    first = null_user(org)
    app = demo_app(org=org)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        pane = main(app).pane(PeoplePane)
        row = next(r for r in pane.table.visible_items if r.user.id == first["id"])
        pane.table.scroll_to_item(row)
        await pilot.pause()
        assert "Groups: not reported by the API" in text_of(app).replace("\n", " ")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        screen = current(app)
        assert isinstance(screen, PersonScreen)
        reasons = {n.reason.code for n in screen.missing.table.visible_items}
    # With no groups and no join date reported, nothing can be ruled in or out by groups.
    assert "not_in_target_group" not in reasons
