"""The real app on hostile demo data: escape sequences, OSC 52, C1 controls, bidi
overrides, lone surrogates, Rich markup, wide characters, 10,000-character names, nulls in
every field and wrong types. It must not crash, and nothing it paints may carry a control
character to the terminal.

Each step renders the whole screen as Textual would send it (the compositor's full
update) and looks for control characters in the text segments, naming the widget at that
spot. Cells cleaned by the VirtualTable pass; other widgets that show API text rely on
the render guard (`KB4App.render_guard`, a line filter on every widget).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from ui_support import FROZEN_NOW, demo_app, settle, wait_until

from kb4tui.api.retry import RetryPolicy
from kb4tui.demo.org import DemoOrg, generate_org
from kb4tui.ui.app import KB4App
from kb4tui.ui.compat import notifications, screen_lines
from kb4tui.ui.safety import ControlCharacterFilter

pytestmark = pytest.mark.timeout(90)

HOSTILE = [
    "\x1b[2J\x1b[HCLR",
    "\x1b]52;c;cm0gLXJmIH4=\x07OSC52",
    "\x9b31mCSI8",
    "ok\rEVIL",
    "abc\b\b\bBS",
    "\u202eRLO\u202c",
    "[/Q3] [bold]markup",
    "👩🏽‍💻 训练 ｗｉｄｅ",
    "\x07\x00bell",
    "\ud800SUR",
    "שלום RTL",
    "L" * 10_000,
]
# What must never reach the terminal inside text: C0/C1 controls, DEL, bidi controls,
# lone surrogates.
_BAD = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def hostile(i: int) -> str:
    return HOSTILE[i % len(HOSTILE)]


def hostile_org() -> DemoOrg:
    """A small demo organisation with hostile text in every name-like field, one record
    of each kind with every field null and one with wrong types."""
    org = generate_org(seed=5, users=80, now=FROZEN_NOW)
    org.account["name"] = "\x1b]0;TITLE\x07Acme \x1b[5mCorp"
    for i, info in enumerate(org._campaigns):
        info.json["name"] = f"{hostile(i)} C{i}"
        info.json["relative_duration"] = hostile(i + 1)
        for group in info.json.get("groups") or []:
            group["name"] = hostile(i + 2)
    nulls = org._campaigns[1].json
    for field in list(nulls):
        if field != "campaign_id":
            nulls[field] = None
    org._campaigns[2].json.update(
        name=12345,
        status=["x"],
        groups="nope",
        content={"a": 1},
        start_date="yesterday",
        end_date=7,
        relative_duration=3.5,
        auto_enroll="yes",
    )
    for i, item in enumerate([*org.store_purchases, *org.policies]):
        item["name"] = f"{hostile(i)} P{i}"
        item["description"] = hostile(i + 1)
        if "publisher" in item:
            item["publisher"] = hostile(i + 2)
    for field in list(org.store_purchases[0]):
        if field != "store_purchase_id":
            org.store_purchases[0][field] = None
    for campaign_id in org.campaign_ids:
        rows = org.campaign_enrollments(campaign_id)
        for j, row in enumerate(rows):
            row["module_name"] = hostile(j)
            row["campaign_name"] = hostile(j + 3)
            if row.get("user"):
                row["user"]["first_name"] = hostile(j + 1)
                row["user"]["last_name"] = hostile(j + 5)
                row["user"]["email"] = hostile(j + 2) + "@example.com"
            if j % 5 == 0:
                row["status"] = hostile(j) or "Snoozed"
        if rows:
            for field in list(rows[0]):
                if field != "enrollment_id":
                    rows[0][field] = None
        if len(rows) > 1:
            rows[1].update(
                # Wrong types inside the user (the fake API itself needs a dict here).
                user={"id": "bob", "first_name": 5, "last_name": None, "email": ["x"]},
                status=17,
                time_spent="long",
                enrollment_date="not a date",
                policy_acknowledged="maybe",
            )
    return org


def hostile_app(*, guarded: bool) -> KB4App:
    app = demo_app(
        org=hostile_org(),
        retry_policy=RetryPolicy(budget=1.0, base_delay=0.01, max_delay=0.05),
    )
    # KB4App has the guard itself: turn it off to see what the widgets paint on their own.
    app.render_guard.enabled = guarded
    return app


def leaks_on_screen(app: KB4App) -> dict[str, str]:
    """{widget: sample} for every text segment on screen holding a control character."""
    found: dict[str, str] = {}
    for y, line in enumerate(screen_lines(app.screen)):
        x = 0
        for segment in line:
            if segment.control:
                continue
            match = _BAD.search(segment.text)
            if match:
                offset = x + cell_len(segment.text[: match.start()])
                try:
                    widget, _ = app.screen.get_widget_at(offset, y)
                    name = f"{type(widget).__name__}#{widget.id or ''}"
                except Exception:  # a spot outside any widget
                    name = "?"
                found.setdefault(name, segment.text[:50])
            x += cell_len(segment.text)
    return found


def screen_text(app: KB4App) -> str:
    return "\n".join("".join(s.text for s in line) for line in screen_lines(app.screen))


async def walk(app: KB4App, pilot: Pilot[Any], *, deep: bool = True) -> dict[str, dict[str, str]]:
    """Visit every screen with hostile rows highlighted; {step: leaks} where any leaked.
    `deep=False` opens one campaign and one enrollment instead of three of each."""
    seen: dict[str, dict[str, str]] = {}

    def check(step: str) -> None:
        leaks = leaks_on_screen(app)
        if leaks:
            seen[step] = leaks

    await settle(pilot)
    assert "Loading campaigns" not in screen_text(app), "the hostile campaigns never arrived"
    check("campaigns")
    for i in range(4):
        await pilot.press("j")
        await pilot.pause()
        check(f"campaigns row {i + 2}")
    await pilot.press("2")
    await settle(pilot)
    for i in range(4):
        await pilot.press("j")
        await pilot.pause()
        check(f"library row {i + 2}")
    await pilot.press("1", "home")
    await pilot.pause()
    depth = 3 if deep else 1
    for campaign in range(depth):  # the nulls campaign and the wrong-types one are among these
        await pilot.press("enter")
        await settle(pilot)
        check(f"enrollments of campaign row {campaign + 1}")
        for row in range(depth):
            await pilot.press("enter")
            await settle(pilot)
            check(f"enrollment detail {campaign + 1}.{row + 1}")
            await pilot.press("escape", "j")
            await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        check("help over enrollments")
        await pilot.press("escape", "escape", "j")
        await settle(pilot)
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*"CLR")
    # The palette searches in a worker of its own: wait for what it found.
    palette = app.screen
    assert isinstance(palette, CommandPalette)
    await wait_until(pilot, lambda: palette.query_one(CommandList).option_count > 0)
    check("palette search")
    await pilot.press("escape")
    return seen


async def test_guarded_app_shows_hostile_data_without_escapes_or_crashes() -> None:
    app = hostile_app(guarded=True)
    async with app.run_test(size=(120, 40)) as pilot:
        leaks = await walk(app, pilot)
        errors = [n.message for n in notifications(app) if n.severity == "error"]
        text = screen_text(app)
        screenshot = app.export_screenshot()
    assert leaks == {}
    assert errors == []
    # The header shows the name with the whole title-setting sequence removed, payload too.
    assert "Acme Corp" in text and "TITLE" not in text
    assert "\x1b" not in screenshot


async def test_unguarded_app_leaks_nothing() -> None:
    app = hostile_app(guarded=False)
    async with app.run_test(size=(120, 40)) as pilot:
        leaks = await walk(app, pilot, deep=False)
    assert leaks == {}


def test_filter_keeps_clean_lines_and_widths() -> None:
    line_filter = ControlCharacterFilter()
    clean = [Segment("plain ", Style(bold=True)), Segment("训练 👩🏽‍💻")]
    assert line_filter.apply(clean, Color(0, 0, 0)) is clean
    dirty = [
        Segment("\x1b[2J\x1b[HCLR", Style(bold=True)),
        Segment("\x1b]52;c;ZXZpbA==\x07x"),
        Segment("\u202eRLO\u202c \x9b31m \ud800"),
    ]
    out = line_filter.apply(dirty, Color(0, 0, 0))
    assert [s.text for s in out] == ["[2J[HCLR", "]52;c;ZXZpbA==x", "RLO 31m \ufffd"]
    assert [cell_len(s.text) for s in out] == [cell_len(s.text) for s in dirty]
    assert out[0].style == Style(bold=True)


def test_the_render_guard_is_the_last_line_filter_once_and_can_be_turned_off() -> None:
    app = hostile_app(guarded=True)
    filters = app.get_line_filters()
    assert filters[-1] is app.render_guard
    assert sum(isinstance(f, ControlCharacterFilter) for f in filters) == 1
    app.render_guard.enabled = False
    assert not any(isinstance(f, ControlCharacterFilter) for f in app.get_line_filters())


async def test_help_on_a_markup_named_campaign_does_not_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(globals(), "HOSTILE", ["[/Q3] [bold]drill[/]"])  # every name: markup
    app = hostile_app(guarded=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
