"""The progress of a campaign as text: the outlook's glyph and word, the compact sparkline,
the detail pane's block and the table cells. Plain `rich.text.Text` built with `append`:
no markup, and nothing from the API (the sentences are kb4tui's own).

Each outlook has a glyph as well as a colour, so that "stalling" reads in 16 colours and
under NO_COLOR; the sparkline is Textual's own Sparkline renderable, turned into text so
that it can sit in a detail pane or a table cell.
"""

from __future__ import annotations

import io

from rich.color import Color
from rich.console import Console
from rich.text import Text
from textual.renderables.sparkline import Sparkline

from kb4tui.core.forecast import CampaignProgress, Forecast, Outlook, format_percent

__all__ = [
    "OUTLOOK_GLYPHS",
    "TREND_WIDTH",
    "forecast_cell",
    "outlook_text",
    "progress_block",
    "sparkline_text",
    "trend_cell",
]

# A shape per outlook (styles are ANSI names: they hold in 16 colours).
OUTLOOK_GLYPHS: dict[Outlook, tuple[str, str]] = {
    Outlook.NO_ENROLLMENTS: ("·", "dim"),
    Outlook.INACTIVE: ("-", "dim"),
    Outlook.TOO_EARLY: ("○", "dim"),
    Outlook.DONE: ("✓", "green"),
    Outlook.ON_TRACK: ("✓", "green"),
    Outlook.CLOSE: ("~", "yellow"),
    Outlook.BEHIND: ("!", "yellow"),
    Outlook.STALLING: ("‖", "bold red"),
    Outlook.MISSED: ("✗", "red"),
    Outlook.NO_DEADLINE: ("?", "dim"),
}
# The campaigns table's Trend column: the glyph, a space and at most 7 letters.
TREND_WIDTH = 9
_SHORT_LABELS: dict[Outlook, str] = {
    Outlook.NO_ENROLLMENTS: "",
    Outlook.INACTIVE: "ended",
    Outlook.TOO_EARLY: "early",
    Outlook.DONE: "done",
    Outlook.ON_TRACK: "on time",
    Outlook.CLOSE: "close",
    Outlook.BEHIND: "behind",
    Outlook.STALLING: "stalled",
    Outlook.MISSED: "missed",
    Outlook.NO_DEADLINE: "no date",
}
_SPARK_LOW = Color.parse("green")
_SPARK_HIGH = Color.parse("bright_green")


def outlook_text(outlook: Outlook) -> Text:
    """ "‖ stalling": the outlook's glyph and word, styled."""
    glyph, style = OUTLOOK_GLYPHS[outlook]
    return Text(f"{glyph} {outlook.label}", style=style)


def sparkline_text(values: list[int], width: int) -> Text:
    """`values` as one line of bars (▁..█), `width` cells, through Textual's Sparkline."""
    console = Console(
        file=io.StringIO(), width=width, color_system="standard", legacy_windows=False
    )
    spark = Sparkline(values, width=width, min_color=_SPARK_LOW, max_color=_SPARK_HIGH)
    text = Text(no_wrap=True)
    for segment in console.render(spark, console.options.update_width(width)):
        if segment.text and segment.text != "\n":
            text.append(segment.text, segment.style)
    return text


def progress_block(progress: CampaignProgress, width: int) -> Text:
    """The detail pane's "Progress" lines: the sparkline of cumulative passed over the
    campaign's days, the outlook and the forecast sentence."""
    text = Text()
    series, forecast = progress.series, progress.forecast
    if not series.is_empty:
        first, last = series.points[0], series.points[-1]
        text.append_text(sparkline_text([p.passed for p in series.points], width))
        text.append(f"\npassed {last.passed:,} of {last.enrolled:,} since ")
        text.append(first.day.strftime("%b %d"))
        text.append("\n")
    text.append_text(outlook_text(forecast.outlook))
    text.append("\n")
    text.append(forecast.sentence())
    text.append("\n")
    return text


def trend_cell(forecast: Forecast | None) -> Text:
    """The campaigns table's Trend cell: "‖ stalled", "! behind"; empty while unknown."""
    if forecast is None or forecast.outlook is Outlook.NO_ENROLLMENTS:
        return Text("")
    glyph, style = OUTLOOK_GLYPHS[forecast.outlook]
    return Text(f"{glyph} {_SHORT_LABELS[forecast.outlook]}", style=style)


def forecast_cell(forecast: Forecast | None) -> Text:
    """Compliance's "Forecast" cell: the completion expected at the deadline with the
    outlook's glyph ("! 64%"); for a deadline passed, what was done by then ("✗ 73%")."""
    if forecast is None or forecast.expected_at_deadline is None:
        return Text("")
    if forecast.outlook in (Outlook.NO_ENROLLMENTS, Outlook.INACTIVE, Outlook.TOO_EARLY):
        glyph, style = OUTLOOK_GLYPHS[forecast.outlook]
        return Text(glyph, style=style)
    glyph, style = OUTLOOK_GLYPHS[forecast.outlook]
    return Text(f"{glyph} {format_percent(forecast.expected_at_deadline)}", style=style)
