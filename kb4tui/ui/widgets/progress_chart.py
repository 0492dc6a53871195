"""A campaign's progress chart (textual-plotext), for the enrollments screen.

`ProgressChart` draws a `ProgressFigure` (kb4tui.ui.progress_figure) with plotext, through
textual-plotext's widget: enrolled, passed, the forecast from today, derived past due and
the deadline marks, each with a marker of its own shape. `ProgressPanel` puts the forecast
sentence above it and a legend in the same glyphs and colours below. (The compact form, for
a detail pane, is text: kb4tui.ui.progress_text.)

plotext builds the whole picture on each render, in about 10 ms at 120x40 (measured in
benchmarks/bench_progress.py); the figure itself is worked out once per campaign.
"""

from __future__ import annotations

from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import Plot, PlotextPlot

from kb4tui.core.forecast import CampaignProgress
from kb4tui.ui.progress_figure import MARKERS, ProgressFigure, progress_figure
from kb4tui.ui.progress_text import outlook_text

__all__ = ["ProgressChart", "ProgressPanel"]


class ProgressChart(PlotextPlot):
    """The plot alone; `show` gives it a figure (None: nothing to draw)."""

    DEFAULT_CSS = """
    ProgressChart {
        height: 1fr;
        min-height: 6;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.figure: ProgressFigure | None = None

    def show(self, figure: ProgressFigure | None) -> None:
        self.figure = figure
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if figure is not None:
            _draw(plt, figure)
        self.refresh()


def _draw(plt: Plot, figure: ProgressFigure) -> None:
    days = list(range(figure.today + 1))
    marker, colour = MARKERS["enrolled"]
    plt.plot(days, list(figure.enrolled), marker=marker, color=colour)
    if any(figure.past_due):
        marker, colour = MARKERS["past due"]
        plt.plot(days, list(figure.past_due), marker=marker, color=colour)
    if figure.forecast:
        marker, colour = MARKERS["forecast"]
        xs = [x for x, _ in figure.forecast]
        plt.plot(xs, [y for _, y in figure.forecast], marker=marker, color=colour)
    marker, colour = MARKERS["passed"]
    plt.plot(days, list(figure.passed), marker=marker, color=colour)
    for x in figure.deadlines:
        plt.vline(x, MARKERS["deadline"][1])
    plt.xlim(0, max(1, figure.x_max))
    plt.ylim(0, figure.y_max)
    plt.xticks(list(figure.x_ticks), list(figure.x_labels))
    plt.yticks(list(figure.y_ticks), [f"{y:,}" for y in figure.y_ticks])


class ProgressPanel(Vertical):
    """The forecast sentence, the chart and its legend, for the enrollments screen."""

    DEFAULT_CSS = """
    ProgressPanel {
        height: auto;
    }
    ProgressPanel > .progress-forecast {
        height: auto;
    }
    ProgressPanel > .progress-legend {
        height: 1;
        color: $text-muted;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("", classes="progress-forecast", markup=False)
        yield ProgressChart()
        yield Static("", classes="progress-legend", markup=False)

    def show(self, progress: CampaignProgress | None, note: str = "") -> None:
        """Draw `progress`; None: no chart, `note` says why (loading, not a campaign)."""
        figure = progress_figure(progress) if progress is not None else None
        sentence = self.query_one(".progress-forecast", Static)
        legend = self.query_one(".progress-legend", Static)
        self.query_one(ProgressChart).show(figure)
        if progress is None:
            sentence.update(Text(note))
            legend.update("")
            return
        sentence.update(
            Text.assemble(
                outlook_text(progress.forecast.outlook), "  ", progress.forecast.sentence()
            )
        )
        legend.update(_legend(figure) if figure is not None else "")


def _legend(figure: ProgressFigure) -> Text:
    text = Text()
    for glyph, colour, label in figure.legend():
        text.append(glyph * 2, Style(color=Color.from_ansi(colour)))
        text.append(f" {label}   ")
    if figure.deadline_beyond is not None:
        text.append(f"deadline → {figure.deadline_beyond.isoformat()}")
    text.rstrip()
    return text
