"""A campaign's progress: the full chart (textual-plotext) and the compact sparkline.

`ProgressChart` draws a `ProgressFigure` (kb4tui.ui.progress_figure) with plotext, through
textual-plotext's widget: enrolled, passed, the forecast from today, derived past due and
the deadline marks, each with a marker of its own shape. Above it, the forecast sentence;
below, a legend in the same glyphs and colours. `ProgressSpark` is the compact form for a
detail pane: Textual's own Sparkline of cumulative passed, and the forecast sentence.

plotext builds the whole picture on each render, in about 10 ms at 120x40 (measured in
benchmarks/bench_progress.py); the figure itself is worked out once per campaign.
"""

from __future__ import annotations

from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static
from textual_plotext import Plot, PlotextPlot

from kb4tui.core.forecast import CampaignProgress, Outlook
from kb4tui.ui.progress_figure import MARKERS, ProgressFigure, progress_figure

__all__ = ["OUTLOOK_GLYPHS", "ProgressChart", "ProgressPanel", "ProgressSpark", "outlook_text"]

# A shape per outlook, so the word is not carried by colour alone.
OUTLOOK_GLYPHS: dict[Outlook, tuple[str, str]] = {
    Outlook.NO_ENROLLMENTS: ("·", "dim"),
    Outlook.TOO_EARLY: ("…", "dim"),
    Outlook.DONE: ("✓", "green"),
    Outlook.ON_TRACK: ("✓", "green"),
    Outlook.CLOSE: ("~", "yellow"),
    Outlook.BEHIND: ("!", "yellow"),
    Outlook.STALLING: ("‖", "red"),
    Outlook.MISSED: ("✗", "red"),
    Outlook.NO_DEADLINE: ("?", "dim"),
}


def outlook_text(outlook: Outlook) -> Text:
    """ "‖ stalling": the outlook's glyph and word, styled."""
    glyph, style = OUTLOOK_GLYPHS[outlook]
    return Text(f"{glyph} {outlook.label}", style=style)


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

    def show(self, progress: CampaignProgress | None) -> None:
        figure = progress_figure(progress) if progress is not None else None
        sentence = self.query_one(".progress-forecast", Static)
        legend = self.query_one(".progress-legend", Static)
        self.query_one(ProgressChart).show(figure)
        if progress is None:
            sentence.update("")
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


class ProgressSpark(Vertical):
    """The compact form: cumulative passed as a sparkline, and the forecast sentence."""

    DEFAULT_CSS = """
    ProgressSpark {
        height: auto;
    }
    ProgressSpark > Sparkline {
        height: 1;
    }
    ProgressSpark > Static {
        height: auto;
    }
    """

    def compose(self) -> ComposeResult:
        yield Sparkline([])
        yield Static("", markup=False)

    def show(self, progress: CampaignProgress | None) -> None:
        spark = self.query_one(Sparkline)
        sentence = self.query_one(Static)
        if progress is None or progress.series.is_empty:
            spark.data = []
            spark.display = False
            sentence.update(progress.forecast.sentence() if progress is not None else "")
            return
        spark.display = True
        spark.data = [p.passed for p in progress.series.points]
        sentence.update(
            Text.assemble(
                outlook_text(progress.forecast.outlook), "  ", progress.forecast.sentence()
            )
        )
