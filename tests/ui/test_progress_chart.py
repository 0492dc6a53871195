"""The progress widgets on screen: the chart with its forecast and legend, and the compact
sparkline; readable at 80x24 and under NO_COLOR (shapes, not only colour)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest
from core_factories import NOW, campaign, enrollment, ts
from rich.color import ColorType
from textual.app import App, ComposeResult
from textual.widgets import Sparkline
from ui_support import wait_until

from kb4tui.api.models import Enrollment
from kb4tui.core.forecast import CampaignProgress, campaign_progress
from kb4tui.ui.compat import screen_lines
from kb4tui.ui.widgets.progress_chart import ProgressChart, ProgressPanel, ProgressSpark

HALF_BLOCKS = set("▄▀█")


def row(enrollment_id: int, status: str, **dates: str | None) -> Enrollment:
    fields: dict[str, Any] = {"enrollment_date": None, "start_date": None, "completion_date": None}
    fields.update({k: (ts(v) if v else None) for k, v in dates.items()})
    return enrollment(enrollment_id, user_id=enrollment_id, status=status, **fields)


def steady_campaign() -> CampaignProgress:
    """Ten enrolled on Jan 20, due Mar 1; five passed Feb 11-15: enrolled, passed, the
    forecast and the deadline are drawn."""
    rows = [
        row(i, "Passed", enrollment_date="2026-01-20T09:00", completion_date=f"2026-02-1{i}T10:00")
        for i in range(1, 6)
    ]
    rows += [row(i, "Not Started", enrollment_date="2026-01-20T09:00") for i in range(6, 11)]
    due = campaign(start_date=ts("2026-01-20T08:00"), end_date=ts("2026-03-01T12:00"))
    return campaign_progress(due, rows, NOW, tz=UTC)


class ChartApp(App[None]):
    CSS = "ProgressPanel { height: 1fr; }"

    def __init__(self, progress: CampaignProgress | None) -> None:
        super().__init__()
        self.progress = progress

    def compose(self) -> ComposeResult:
        yield ProgressSpark()
        yield ProgressPanel()

    def on_mount(self) -> None:
        self.query_one(ProgressSpark).show(self.progress)
        self.query_one(ProgressPanel).show(self.progress)


def screen_text(app: App[Any]) -> str:
    return "\n".join("".join(s.text for s in line) for line in screen_lines(app.screen))


async def drawn(pilot: Any) -> str:
    chart = pilot.app.query_one(ProgressChart)
    await wait_until(pilot, lambda: chart.figure is not None and chart.size.height > 0)
    await pilot.pause()
    return screen_text(pilot.app)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_chart_shows_its_lines_forecast_and_legend(size: tuple[int, int]) -> None:
    progress = steady_campaign()
    async with ChartApp(progress).run_test(size=size) as pilot:
        text = await drawn(pilot)
    words = " ".join(text.split())  # the sentence wraps at 80 columns
    assert "! behind" in words
    assert "Pace of the last 14 days: 5 completed" in words
    assert "The deadline 2026-03-01: 82% expected." in words  # 5 + 9 days x 5/14
    for label in ("enrolled", "passed", "forecast", "deadline"):
        assert label in text.splitlines()[-1]
    chart_area = "\n".join(text.splitlines()[3:-1])
    assert HALF_BLOCKS & set(chart_area)  # passed
    assert "·" in chart_area and "+" in chart_area and "│" in chart_area
    assert "10" in chart_area and "Mar 01" in chart_area  # y top, and the deadline's date


async def test_past_due_is_drawn_with_its_own_marker() -> None:
    rows = [row(i, "Past Due", enrollment_date="2026-01-20T09:00") for i in range(1, 6)]
    due = campaign(start_date=ts("2026-01-20T08:00"), end_date=ts("2026-02-10T12:00"))
    progress = campaign_progress(due, rows, NOW, tz=UTC)
    async with ChartApp(progress).run_test(size=(80, 24)) as pilot:
        text = await drawn(pilot)
    assert "x past due" in text.replace("xx", "x")
    assert text.count("x") > 10


async def test_under_no_color_the_lines_keep_their_shapes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    async with ChartApp(steady_campaign()).run_test(size=(80, 24)) as pilot:
        await drawn(pilot)
        lines = screen_lines(pilot.app.screen)
    text = "".join(s.text for line in lines for s in line)
    assert HALF_BLOCKS & set(text) and "·" in text and "+" in text and "│" in text
    for line in lines:
        for segment in line:
            color = segment.style.color if segment.style else None
            if color is not None and color.type is ColorType.TRUECOLOR:
                assert color.triplet is not None
                red, green, blue = color.triplet
                assert red == green == blue, (segment.text, color)


async def test_the_sparkline_holds_cumulative_passed() -> None:
    progress = steady_campaign()
    async with ChartApp(progress).run_test(size=(80, 24)) as pilot:
        await drawn(pilot)
        spark = pilot.app.query_one(Sparkline)
        assert list(spark.data or []) == [p.passed for p in progress.series.points]
        assert spark.display


async def test_nothing_to_draw_without_enrollments() -> None:
    progress = campaign_progress(campaign(status="Scheduled"), [], NOW, tz=UTC)
    async with ChartApp(progress).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert pilot.app.query_one(ProgressChart).figure is None
        assert not pilot.app.query_one(Sparkline).display
        assert "No enrollments yet: nothing to forecast." in screen_text(pilot.app)
