"""Render the README screenshots from the built-in demo organisation.

    .venv/bin/python scripts/screenshots.py [--out screenshots] [--size 120x40] [--only NAME]

At another size than 120x40 the files are named with it (progress-80x24.png).

Runs the real app headless (Textual's run_test) on the in-process fake API, with a
throwaway cache, walks through the main screens and saves an SVG of each into the output
directory, plus a PNG next to it when `rsvg-convert` is installed. The demo data and the
session's clock are pinned, so running it twice gives the same pictures (but for the
header's request count).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from kb4tui.api.client import KnowBe4Client
from kb4tui.api.ratelimit import RateLimiter, UsageCounter
from kb4tui.demo import (
    DEMO_API_KEY,
    FakeAPIConfig,
    FakeKnowBe4API,
    FakeKnowBe4Transport,
    generate_org,
)
from kb4tui.demo.cases import LATE_JOINER_CAMPAIGN
from kb4tui.session.datasets import CAMPAIGNS
from kb4tui.session.wiring import session_factory
from kb4tui.ui.app import KB4App
from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.panes.people import PeoplePane
from kb4tui.ui.screens.main import MainScreen
from kb4tui.ui.screens.person import PersonScreen

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DRILL_CAMPAIGN = "2025 Annual Security Awareness Training"


def _clock() -> datetime:
    return NOW


def build_app(directory: Path) -> KB4App:
    """The app on the demo org, answered in-process with no pacing (pictures, not timing),
    its cache and quota meter in `directory`."""
    api = FakeKnowBe4API(
        {DEMO_API_KEY: partial(generate_org, now=NOW)}, FakeAPIConfig(rate_limit=False)
    )

    def client() -> KnowBe4Client:
        return KnowBe4Client(
            DEMO_API_KEY,
            transport=FakeKnowBe4Transport(api),
            limiter=RateLimiter([(100_000, 1.0)]),
            usage=UsageCounter(),
        )

    return KB4App(
        session_factory(
            client,
            "demo",
            timedelta(minutes=15),
            clock=_clock,
            cache_dir=directory,
            quota_dir=directory,
        )
    )


async def _settle(pilot: Pilot[Any]) -> None:
    """Until no worker runs and the session has nothing left to fetch in the background."""
    app = pilot.app
    assert isinstance(app, KB4App)
    async with asyncio.timeout(60):
        while True:
            await pilot.pause()
            running = [w for w in app.workers if w.is_running]
            if running:
                await asyncio.gather(*(w.wait() for w in running), return_exceptions=True)
            elif app.session.supervisor.idle:
                break
    await pilot.pause()


async def _main(pilot: Pilot[Any]) -> None:
    await _settle(pilot)


async def _enrollments(pilot: Pilot[Any]) -> None:
    await _settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    table = screen.pane(CampaignsPane).table
    table.scroll_to_item(next(c for c in table.visible_items if c.name == DRILL_CAMPAIGN))
    await pilot.press("enter")
    await _settle(pilot)
    await pilot.press("d")  # past due first: what people open this screen for


async def _enrollment_detail(pilot: Pilot[Any]) -> None:
    await _enrollments(pilot)
    await pilot.press("enter")
    await pilot.pause()


async def _library(pilot: Pilot[Any]) -> None:
    await _settle(pilot)
    await pilot.press("2")
    await _settle(pilot)


async def _compliance(pilot: Pilot[Any]) -> None:
    await _settle(pilot)
    await pilot.press("3")
    await _settle(pilot)


STALLED_CAMPAIGN = "Customer Support: Vishing Defence"


async def _campaigns_progress(pilot: Pilot[Any]) -> None:
    """The campaign list once every enrollment is known (Compliance fetched them): the
    Trend column, and the stalling campaign's Progress in the detail pane."""
    await _settle(pilot)
    await pilot.press("3")
    await _settle(pilot)
    await pilot.press("1")
    await _settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    pane = screen.pane(CampaignsPane)
    pane.table.scroll_to_item(
        next(c for c in pane.table.visible_items if c.name == STALLED_CAMPAIGN)
    )
    await _settle(pilot)
    # The Progress section sits under the completion figures: scroll the detail to it.
    await pilot.press("ctrl+d", "ctrl+d")
    await pilot.pause()


async def _progress(pilot: Pilot[Any]) -> None:
    """The stalling campaign's enrollments with the chart shown (`c`)."""
    await _settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    table = screen.pane(CampaignsPane).table
    table.scroll_to_item(next(c for c in table.visible_items if c.name == STALLED_CAMPAIGN))
    await pilot.press("enter")
    await _settle(pilot)
    await pilot.press("c")
    await _settle(pilot)


async def _people(pilot: Pilot[Any]) -> None:
    await _settle(pilot)
    await pilot.press("4")
    await _settle(pilot)
    await pilot.press("s", "s", "s", "S", "g")  # most past due first: who to chase


async def _person(pilot: Pilot[Any]) -> None:
    """A late joiner: enrolled in most things, not in the attestation they joined after."""
    await _settle(pilot)
    await pilot.press("4")
    await _settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    table = screen.pane(PeoplePane).table
    campaigns = pilot.app.session.cached(CAMPAIGNS) or []  # type: ignore[attr-defined]
    start = next(c.start_date for c in campaigns if c.name == LATE_JOINER_CAMPAIGN)
    late = next(r for r in table.visible_items if r.user.joined_on and r.user.joined_on > start)
    table.scroll_to_item(late)
    await pilot.press("enter")
    await _settle(pilot)
    await pilot.press("n")
    await pilot.pause()
    person = pilot.app.screen
    assert isinstance(person, PersonScreen)
    rows = person.missing.table
    rows.scroll_to_item(
        next(n for n in rows.visible_items if n.campaign_name == LATE_JOINER_CAMPAIGN)
    )
    await pilot.pause()


async def _help(pilot: Pilot[Any]) -> None:
    await _settle(pilot)
    await pilot.press("question_mark")
    await pilot.pause()


SHOTS: dict[str, Callable[[Pilot[Any]], Awaitable[None]]] = {
    "campaigns": _main,
    "enrollments": _enrollments,
    "enrollment-detail": _enrollment_detail,
    "library": _library,
    "compliance": _compliance,
    "people": _people,
    "person": _person,
    "help": _help,
    "campaigns-progress": _campaigns_progress,
    "progress": _progress,
}


async def shoot(
    name: str, steps: Callable[[Pilot[Any]], Awaitable[None]], out: Path, size: tuple[int, int]
) -> Path:
    with tempfile.TemporaryDirectory() as directory:
        app = build_app(Path(directory))
        async with app.run_test(size=size) as pilot:
            await steps(pilot)
            svg = out / f"{name}.svg"
            app.save_screenshot(filename=svg.name, path=str(out))
    return svg


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--size", default="120x40", help="terminal size, COLSxROWS")
    parser.add_argument("--only", action="append", choices=list(SHOTS), help="this one only")
    args = parser.parse_args(argv)
    cols, rows = (int(part) for part in args.size.lower().split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    converter = shutil.which("rsvg-convert")
    suffix = "" if (cols, rows) == (120, 40) else f"-{cols}x{rows}"
    for name, steps in SHOTS.items():
        if args.only and name not in args.only:
            continue
        svg = asyncio.run(shoot(name + suffix, steps, args.out, (cols, rows)))
        # Without it rsvg drops the spaces that open a run of text ("! behind  Pace" read
        # "! behindPace").
        svg.write_text(svg.read_text().replace("<svg ", '<svg xml:space="preserve" ', 1))
        made = [svg.name]
        if converter:
            png = svg.with_suffix(".png")
            subprocess.run([converter, str(svg), "-o", str(png)], check=True)
            made.append(png.name)
        print(f"{args.out}/{', '.join(made)}")
    if not converter:
        print("rsvg-convert not found: SVGs only", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
