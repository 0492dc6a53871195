"""Time a campaign's progress chart at 20,000 enrollments (a benchmark, not a test).

    .venv/bin/python benchmarks/bench_progress.py [N]

- computation: the daily series and the forecast from N enrollments of one campaign
  (CPU time, best of 5), dated in UTC and in a zone with daylight saving time;
- the same for every campaign of 100,000 enrollments (the Compliance deadlines column);
- the figure (what the chart draws) and the chart's first paint: from the data in memory
  to the end of the chart's first render, in a bare app at 120x40 and 80x24 (median of 5);
- the real enrollments screen of the 20,000-row campaign (`KB4App` on the demo API, the
  rows in its disk cache): from the last row in to the progress worked out (in a thread),
  and from `c` to the chart drawn.

Target (issue 15): no visible pause, taken as under 100 ms for computation + first paint.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tempfile

from cached_campaign import cached_campaign_app, campaign_screen
from enrollment_rows import CAMPAIGN, USERS, raw_enrollments
from textual.app import (
    App,
    ComposeResult,
    RenderResult,
)

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.forecast import campaign_progress, progress_of_campaigns
from kb4tui.demo import generate_org
from kb4tui.session.datasets import CAMPAIGNS
from kb4tui.ui.app import KB4App
from kb4tui.ui.progress_figure import progress_figure
from kb4tui.ui.screens import enrollments as enrollments_screen
from kb4tui.ui.screens.main import MainScreen
from kb4tui.ui.widgets.progress_chart import ProgressChart, ProgressPanel

NEW_YORK = ZoneInfo("America/New_York")


def cpu_best(fn: Callable[[], Any], runs: int = 5) -> float:
    # CPU time, best of `runs`: the machine is shared, wall time measures the neighbours.
    best = float("inf")
    for _ in range(runs):
        began = time.process_time()
        fn()
        best = min(best, time.process_time() - began)
    return best


def line(label: str, seconds: float, target: str = "") -> None:
    print(f"  {label:<58}{seconds * 1000:8.1f} ms   {target}", flush=True)


# When the chart last finished rendering (plotext builds the whole picture in render()).
rendered: list[float] = []
_render = ProgressChart.render


def _recording_render(self: ProgressChart) -> RenderResult:
    result = _render(self)
    if self.figure is not None:
        rendered.append(time.perf_counter())
    return result


ProgressChart.render = _recording_render  # type: ignore[method-assign]


class ChartApp(App[None]):
    CSS = "ProgressPanel { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield ProgressPanel()


async def first_paint(
    campaign: Campaign,
    rows: list[Enrollment],
    size: tuple[int, int],
    now: datetime,
    *,
    computed: bool,
) -> float:
    """Seconds to the end of the chart's first render, from the enrollments in memory (or,
    `computed`, from the progress already worked out, as when `c` shows the chart)."""
    app = ChartApp()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        panel = app.query_one(ProgressPanel)
        progress = campaign_progress(campaign, rows, now, tz=NEW_YORK) if computed else None
        started = time.perf_counter()
        panel.show(progress or campaign_progress(campaign, rows, now, tz=NEW_YORK))
        while not [at for at in rendered if at > started]:
            await pilot.pause()
        return next(at for at in rendered if at > started) - started


# When the enrollments screen's worker worked out the progress (start, end), in its thread.
worked: list[tuple[float, float]] = []
_screen_progress = enrollments_screen.campaign_progress


def _recording_progress(*args: Any, **kwargs: Any) -> Any:
    began = time.perf_counter()
    result = _screen_progress(*args, **kwargs)
    worked.append((began, time.perf_counter()))
    return result


enrollments_screen.campaign_progress = _recording_progress  # type: ignore[assignment]


async def real_screen(count: int, size: tuple[int, int]) -> tuple[float, float]:
    """(progress worked out in the screen's thread, `c` -> chart drawn) on the real screen."""
    worked.clear()
    with tempfile.TemporaryDirectory() as directory:
        app: KB4App = cached_campaign_app(count, Path(directory))
        async with app.run_test(size=size) as pilot:
            while not (isinstance(app.screen, MainScreen) and app.session.peek(CAMPAIGNS)):
                await pilot.pause()
            screen = campaign_screen(app)
            app.push_screen(screen)
            while screen.campaign_progress is None:
                await pilot.pause()
            await pilot.pause()
            pressed = time.perf_counter()
            screen.action_chart()
            while not [at for at in rendered if at > pressed]:
                await pilot.pause()
            began, ended = worked[-1]
            return ended - began, next(at for at in rendered if at > pressed) - pressed


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(args[0]) if args else 20_000
    org = generate_org(seed=7, users=USERS)
    now = org.now
    raw_campaign = org.campaign(CAMPAIGN)
    assert raw_campaign is not None
    campaign = Campaign.from_api(raw_campaign)
    rows = Enrollment.from_api_list(raw_enrollments(count))
    print(f"== progress chart: one campaign of {len(rows):,} enrollments ({campaign.name})")
    line(
        "series + forecast, days in UTC (CPU, best of 5)",
        cpu_best(lambda: campaign_progress(campaign, rows, now, tz=UTC)),
    )
    line(
        "series + forecast, days in America/New_York",
        cpu_best(lambda: campaign_progress(campaign, rows, now, tz=NEW_YORK)),
    )
    progress = campaign_progress(campaign, rows, now, tz=NEW_YORK)
    line("figure (what the chart draws)", cpu_best(lambda: progress_figure(progress)))
    for size in ((120, 40), (80, 24)):
        for computed, label in ((True, "computed"), (False, "in memory")):
            paints = [
                asyncio.run(first_paint(campaign, rows, size, now, computed=computed))
                for _ in range(5)
            ]
            line(
                f"{label} -> chart drawn, {size[0]}x{size[1]} (median of 5)",
                statistics.median(paints),
                "< 100 ms",
            )
    for size in ((120, 40), (80, 24)):
        worked_out, drawn = asyncio.run(real_screen(count, size))
        line(f"real screen {size[0]}x{size[1]}: progress worked out (thread)", worked_out)
        line(f"real screen {size[0]}x{size[1]}: c -> chart drawn", drawn, "< 100 ms")
    everything = Enrollment.from_api_list(org.enrollments())
    campaigns = Campaign.from_api_list(org.campaigns(with_percentage=False))
    line(
        f"every campaign's forecast, {len(everything):,} enrollments (Compliance)",
        cpu_best(lambda: progress_of_campaigns(campaigns, everything, now, tz=NEW_YORK), 3),
    )


if __name__ == "__main__":
    main()
