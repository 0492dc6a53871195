"""Columns and their widths: auto widths measured from a sample of rows, flex columns
sharing what is left of the table's width.

Pure (Rich only, no Textual): the widget asks for a layout when its width changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len

from kb4tui.ui.table.cells import Cell, Justify, plain, sanitize_cell

__all__ = ["Column", "ColumnLayout"]


@dataclass(frozen=True, slots=True)
class Column:
    """One table column.

    ``width`` fixes the width; otherwise the width is measured from the label and the first
    rows. A column with ``flex > 0`` shares the spare width (in proportion to ``flex``).
    """

    key: str
    label: str
    width: int | None = None
    min_width: int = 4
    flex: int = 0
    justify: Justify = "left"


class ColumnLayout:
    """The columns, their measured auto widths, and their widths at one table width."""

    # Rows measured to size auto-width columns: enough to look right, cheap at any row count.
    MEASURE_SAMPLE: ClassVar[int] = 200
    # Auto-width columns never grow past this; flex columns take the rest.
    MAX_AUTO_WIDTH: ClassVar[int] = 40

    def __init__(self) -> None:
        self.columns: tuple[Column, ...] = ()
        self._auto_widths: list[int] = []
        self._measured_rows = 0
        self.widths: list[int] = []  # at `width`, one per column
        self.content_width = 0  # sum of the column widths and the one-cell gaps
        self.width = -1  # the width laid out for; -1: not laid out since the last change

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.columns = tuple(columns)

    def measure(self, items: Sequence[Any], cells: Callable[[Any], Sequence[Cell]]) -> None:
        """Measure auto-width columns on the first and last rows: cheap at any size, and the
        last rows tend to hold the longest values of counters and ids."""
        half = self.MEASURE_SAMPLE // 2
        sample = items if len(items) <= self.MEASURE_SAMPLE else [*items[:half], *items[-half:]]
        sample_cells = [cells(item) for item in sample]
        widths: list[int] = []
        for column_index, column in enumerate(self.columns):
            if column.width is not None:
                widths.append(column.width)
                continue
            widest = cell_len(column.label) + 1  # room for the sort arrow
            for row in sample_cells:
                if column_index < len(row):
                    text = plain(row[column_index])
                    widest = max(widest, cell_len(sanitize_cell(text[:200])))
            widths.append(max(column.min_width, min(widest, self.MAX_AUTO_WIDTH)))
        self._auto_widths = widths
        self._measured_rows = len(sample)
        self.width = -1

    def measured_enough(self, row_count: int) -> bool:
        """Whether the last measure saw as many rows as a measure of ``row_count`` would."""
        return self._measured_rows >= min(row_count, self.MEASURE_SAMPLE)

    def layout(self, width: int) -> bool:
        """Give each column its width for a table ``width`` cells wide; flex columns share
        what is left. Return whether anything was recomputed."""
        if width == self.width:
            return False
        columns = self.columns
        widths = list(self._auto_widths)
        for i, column in enumerate(columns):
            if column.flex:
                widths[i] = column.min_width
        gaps = max(len(columns) - 1, 0)
        spare = width - sum(widths) - gaps
        total_flex = sum(column.flex for column in columns)
        if spare > 0 and total_flex:
            given = 0
            flex_seen = 0
            for i, column in enumerate(columns):
                if column.flex:
                    flex_seen += column.flex
                    # Cumulative rounding so the flex columns fill the width exactly.
                    share = spare * flex_seen // total_flex - given
                    widths[i] += share
                    given += share
        self.widths = widths
        self.content_width = sum(widths) + gaps
        self.width = width
        return True

    def column_at(self, x: int) -> Column | None:
        """The column under cell ``x`` of a line (None on a gap or past the last)."""
        start = 0
        for column, width in zip(self.columns, self.widths, strict=True):
            if start <= x < start + width:
                return column
            start += width + 1
        return None
