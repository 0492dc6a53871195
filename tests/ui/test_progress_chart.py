"""The progress chart on screen with its forecast and legend, readable at 80x24 and under
NO_COLOR (shapes, not only colour); and the compact forms as text (kb4tui.ui.progress_text)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from typing import Any

import pytest
from core_factories import NOW, campaign, enrollment, ts
from rich.color import ColorType
from textual.app import App, ComposeResult
from ui_support import wait_until

from kb4tui.api.models import Enrollment
from kb4tui.core.forecast import CampaignProgress, Forecast, Outlook, campaign_progress
from kb4tui.ui.compat import screen_lines
from kb4tui.ui.progress_text import (
    TREND_WIDTH,
    forecast_cell,
    progress_block,
    sparkline_text,
    trend_cell,
)
from kb4tui.ui.widgets.progress_chart import ProgressChart, ProgressPanel

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
        yield ProgressPanel()

    def on_mount(self) -> None:
        self.query_one(ProgressPanel).show(self.progress, "no campaign")


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


async def test_nothing_to_draw_without_a_series() -> None:
    async with ChartApp(None).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert pilot.app.query_one(ProgressChart).figure is None
        assert "no campaign" in screen_text(pilot.app)
    progress = campaign_progress(campaign(status="Scheduled"), [], NOW, tz=UTC)
    async with ChartApp(progress).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert pilot.app.query_one(ProgressChart).figure is None
        assert "No enrollments yet: nothing to forecast." in screen_text(pilot.app)


def test_the_sparkline_is_textuals_bars_scaled_to_the_values() -> None:
    spark = sparkline_text([0, 1, 2, 3, 4, 5, 6, 7], 8)
    assert spark.plain == "▁▂▃▄▅▆▇█"
    flat_tail = sparkline_text([0, 10, 20, 20, 20, 20], 6).plain
    assert flat_tail[2:] == "████"  # a stall reads as a flat top
    assert len(sparkline_text(list(range(100)), 30).plain) == 30


def test_the_detail_block_has_the_sparkline_the_outlook_and_the_sentence() -> None:
    progress = steady_campaign()
    block = progress_block(progress, 30).plain.splitlines()
    assert len(block[0]) == 30 and set(block[0]) <= set("▁▂▃▄▅▆▇█ ")
    assert block[1] == "passed 5 of 10 since Jan 20"
    assert block[2] == "! behind"
    assert block[3] == progress.forecast.sentence()


def test_cells_carry_a_glyph_as_well_as_a_colour() -> None:
    progress = steady_campaign()
    assert trend_cell(progress.forecast).plain == "! behind"
    assert forecast_cell(progress.forecast).plain == "! 82%"
    assert trend_cell(None).plain == forecast_cell(None).plain == ""
    empty = campaign_progress(campaign(status="Scheduled"), [], NOW, tz=UTC).forecast
    assert empty.outlook is Outlook.NO_ENROLLMENTS
    assert trend_cell(empty).plain == ""
    for outlook in Outlook:
        assert len(trend_cell(_with_outlook(progress, outlook)).plain) <= TREND_WIDTH


def _with_outlook(progress: CampaignProgress, outlook: Outlook) -> Forecast:
    return replace(progress.forecast, outlook=outlook)
