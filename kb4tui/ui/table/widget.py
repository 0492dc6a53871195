"""The virtual table widget: draws a `TableModel` through Textual's line API and turns keys,
clicks and scrolling into calls on it.

The stock DataTable measures every row when rows are added, which takes seconds for tens of
thousands of rows. This widget keeps the caller's item objects (in its model) and renders
only the rows on screen (``render_line``), like toolong's ``LogLines``. Rendered lines are
cached by item, so rows seen before need no new rendering after a filter or a scroll.

The cursor is a reactive: `validate_cursor` keeps it on a visible row, and `watch_cursor`
repaints the old and new rows, scrolls the new one into view and announces the highlighted
item. Every change to the rows goes through the model first, which decides where the cursor
goes (it keeps the highlighted item), and then the widget publishes the model's cursor.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, ClassVar, Generic, Literal, TypeVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kb4tui.ui.compat import update_virtual_size_quietly
from kb4tui.ui.table.cells import MAX_CHARS_PER_CELL, Cell, fit, fit_text, plain, sanitize_cell
from kb4tui.ui.table.columns import Column, ColumnLayout
from kb4tui.ui.table.model import ScanProgress, TableModel

__all__ = ["VirtualTable"]

T = TypeVar("T")


class _TableMessage(Message):
    """Base of the table's messages: the posting ``table``, also exposed as ``control``."""

    def __init__(self, table: VirtualTable[Any]) -> None:
        super().__init__()
        self.table = table

    @property
    def control(self) -> VirtualTable[Any]:
        return self.table


class VirtualTable(ScrollView, Generic[T], can_focus=True):
    """A table of arbitrary items that renders only what is on screen.

    The table never copies item data into cells up front: ``cells(item)`` is called when a row
    is painted, and the result is cached in a small LRU cache of rendered lines.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.cursor_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="table.page_up"),
        Binding(
            "pagedown,ctrl+f,space", "page_down", "Page down", show=False, id="table.page_down"
        ),
        Binding("home,g", "first", "First", show=False, id="table.first"),
        Binding("end,G", "last", "Last", show=False, id="table.last"),
        Binding("enter", "select", "Open", id="table.select"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--empty",
    }

    DEFAULT_CSS = """
    VirtualTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        & > .virtual-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .virtual-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .virtual-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .virtual-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .virtual-table--empty {
            color: $text-muted;
            text-style: italic;
        }
    }
    """

    class Highlighted(_TableMessage):
        """The highlighted item changed (``item`` is None when the table is empty)."""

        def __init__(self, table: VirtualTable[Any], item: Any) -> None:
            super().__init__(table)
            self.item = item

    class Selected(_TableMessage):
        """The user pressed enter on (or clicked the highlighted) ``item``."""

        def __init__(self, table: VirtualTable[Any], item: Any) -> None:
            super().__init__(table)
            self.item = item

    class FilterFinished(_TableMessage):
        """A filter that was still scanning after the keystroke (see ``filter_pending``)
        has scanned every row: ``row_count`` is final."""

    class HeaderSelected(_TableMessage):
        """A column header was clicked (screens use it to sort by that column)."""

        def __init__(self, table: VirtualTable[Any], column_key: str) -> None:
            super().__init__(table)
            self.column_key = column_key

    # Items whose search text is indexed per event-loop turn by the background indexer.
    INDEX_CHUNK: ClassVar[int] = 5000
    # A filter keystroke scans rows for at most this long before the screen is painted;
    # what is left is scanned between frames (`filter_pending` until then). Fast machines
    # finish 100k rows within the budget, so the view is complete at once. (Tests set it per
    # instance to scan as the slowest machine would.)
    FILTER_BUDGET: float = 0.008

    # Position of the highlighted row among the visible rows. `always_update`: a change of
    # rows can put another item under an unchanged position, which must be announced too.
    cursor: var[int] = var(0, init=False, always_update=True)

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
        empty_text: str = "No rows",
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.empty_text = empty_text
        self._model: TableModel[T] = TableModel(on_scan=self._scan_progressed)
        self._column_layout = ColumnLayout()
        self._line_cache: LRUCache[tuple[int, int, bool], Strip] = LRUCache(1024)
        self._styles: dict[str, Style] = {}
        # The last (item index, item) announced; the item is held so identity is reliable.
        self._announced: tuple[int, T] | None = None

    # ------------------------------------------------------------------ public API

    @property
    def model(self) -> TableModel[T]:
        """The rows behind the table. Change them through the table's own methods, which
        also repaint, scroll and announce."""
        return self._model

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Replace the columns (and re-measure auto-width columns)."""
        self._column_layout.set_columns(columns)
        self._column_layout.measure(self._model.items, self._model.cells)
        self._invalidate()

    def set_rows(
        self,
        items: Sequence[T],
        cells: Callable[[T], Sequence[Cell]],
        search_text: Callable[[T], str] | None = None,
        keep_cursor: bool = True,
        key: Callable[[T], Hashable] | None = None,
    ) -> None:
        """Replace the data.

        Only references are kept: no row is rendered or measured beyond a small sample, so
        this is cheap for any row count (except that an active sort or filter is reapplied).
        With ``keep_cursor`` the highlighted item stays highlighted, found by ``key`` (or by
        position when there is no key), and the scroll position is kept. A list is kept by
        reference, not copied: hand over a fresh list, and use ``append_rows`` to add to it.
        """
        scroll_y = self.scroll_y if keep_cursor else 0
        self._model.set_rows(items, cells, search_text, keep_cursor, key)
        self._column_layout.measure(self._model.items, cells)
        self._update_virtual_size()
        self._scroll_to_row(scroll_y)
        self._invalidate()
        self._show_cursor(scroll=True)
        if self.is_mounted:
            # After the first paint, so that building the index never delays it.
            self.call_after_refresh(self._start_background_index)

    def append_rows(self, items: Iterable[T]) -> None:
        """Add items at the end (streamed pages). The highlighted item and scroll stay put."""
        new = list(items)
        if not new:
            return
        self._model.append_rows(new)
        # The model finished a pending filter first, which published its cursor: rows
        # sorted in above the cursor since have moved it down.
        moved = self._model.cursor - self.cursor
        remeasure = not self._column_layout.measured_enough(self._model.total_count)
        if remeasure:
            self._column_layout.measure(self._model.items, self._model.cells)
        self._update_virtual_size()
        if moved:
            # Keep the cursor's row where it was on screen.
            self._scroll_to_row(self.scroll_offset.y + moved)
        if self._model.sort_column is None and not remeasure:
            self.refresh()  # rows on screen are unchanged: their cached lines stay valid
        else:
            self._invalidate()
        self._show_cursor()

    def set_filter(self, query: str) -> None:
        """Show only items whose search text contains ``query`` (case-insensitive)."""
        budget = self.FILTER_BUDGET if self.is_mounted else None
        if not self._model.set_filter(query, budget):
            return
        self._view_changed()
        if self._model.filter_pending:
            self._scan_rest_later()

    def set_predicate(self, pred: Callable[[T], bool] | None) -> None:
        """Show only items for which ``pred`` is true (combined with the filter by AND)."""
        self._model.set_predicate(pred)
        self._view_changed()

    def sort_by(self, column_key: str, key: Callable[[T], Any], reverse: bool = False) -> None:
        """Sort by ``key(item)``; items whose key is None always come last. The keys must be
        of one type: `SortKeyError` otherwise (and the table stays as it was)."""
        self._model.sort_by(column_key, key, reverse)
        self._view_changed()

    def clear_sort(self) -> None:
        """Back to the order the items were given in."""
        self._model.clear_sort()
        self._view_changed()

    @property
    def columns(self) -> Sequence[Column]:
        return self._column_layout.columns

    @property
    def column_widths(self) -> Sequence[int]:
        """The width of each column as last drawn."""
        return tuple(self._column_layout.widths)

    @property
    def filter_text(self) -> str:
        """The current filter text (lower-cased)."""
        return self._model.filter_text

    @property
    def sort_column(self) -> str | None:
        return self._model.sort_column

    @property
    def sort_reverse(self) -> bool:
        return self._model.sort_reverse

    @property
    def filter_pending(self) -> bool:
        """True while a filter is still scanning rows between frames: ``row_count`` counts
        the matches found so far, and `FilterFinished` is posted when it is final."""
        return self._model.filter_pending

    @property
    def row_count(self) -> int:
        """Number of visible rows (after filter and predicate; see ``filter_pending``)."""
        return self._model.row_count

    @property
    def total_count(self) -> int:
        """Number of items, visible or not."""
        return self._model.total_count

    @property
    def cursor_index(self) -> int:
        """Position of the highlighted row among the visible rows (0 when empty)."""
        return self._model.cursor

    @property
    def highlighted(self) -> T | None:
        return self._model.highlighted

    @property
    def visible_items(self) -> Sequence[T]:
        """The visible items in display order (all of them: a pending filter finishes)."""
        return self._model.visible_items

    def move_cursor(self, index: int) -> None:
        """Highlight the visible row at ``index`` (clamped) and scroll it into view."""
        self.cursor = self._model.move_cursor(index)
        self._scroll_cursor_into_view()

    def scroll_to_item(self, item: T) -> bool:
        """Highlight ``item`` if it is visible; return whether it was found."""
        position = self._model.position_of(item)
        if position is None:
            return False
        self.move_cursor(position)
        return True

    # ------------------------------------------------------------------ the cursor

    def validate_cursor(self, position: int) -> int:
        return self._model.clamp(position)

    def watch_cursor(self, old: int, new: int) -> None:
        if new != self._model.cursor:
            self._model.move_cursor(new)  # set from outside (`table.cursor = n`): a choice
        if new != old:
            self._refresh_row(old)
            self._refresh_row(new)
            self._scroll_cursor_into_view()
        self._announce_highlighted()

    def _show_cursor(self, *, scroll: bool = False) -> None:
        """Publish the model's cursor (see `watch_cursor`). ``scroll``: bring it into view
        even when its position is unchanged, because the rows around it changed."""
        self.cursor = self._model.cursor
        if scroll:
            self._scroll_cursor_into_view()

    def _announce_highlighted(self) -> None:
        index = self._model.highlighted_index
        if index is None:
            if self._announced is not None:
                self._announced = None
                self.post_message(self.Highlighted(self, None))
            return
        item = self._model.items[index]
        last = self._announced
        if last is not None and last[0] == index and last[1] is item:
            return
        self._announced = (index, item)
        self.post_message(self.Highlighted(self, item))

    # ------------------------------------------------------------------ actions

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_page_up(self) -> None:
        self._page(-1)

    def action_page_down(self) -> None:
        self._page(1)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self._model.finish_scan()  # the last row is the last match, not the last found yet
        self.move_cursor(self._model.row_count - 1)

    def action_select(self) -> None:
        item = self.highlighted
        if item is not None:
            self.post_message(self.Selected(self, item))

    def _page(self, direction: int) -> None:
        page = self._page_rows()
        target = self._model.clamp(self.cursor + direction * page)
        # Move the window by a page too, so the cursor keeps its place on screen.
        self._scroll_to_row(self.scroll_y + direction * page)
        self.move_cursor(target)

    # ------------------------------------------------------------------ events

    def on_mount(self) -> None:
        self.call_after_refresh(self._start_background_index)

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self._invalidate()
        self._scroll_cursor_into_view()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return  # border or padding
        if offset.y == 0:
            column = self._column_layout.column_at(offset.x)
            if column is not None:
                self.post_message(self.HeaderSelected(self, column.key))
            return
        if self.row_count == 0:
            return
        position = self.scroll_offset.y + offset.y - 1
        if position >= self.row_count:
            return
        if position == self.cursor:
            self.action_select()
        else:
            self.move_cursor(position)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._line_cache.clear()

    # ------------------------------------------------------------------ a filter's scan

    def _scan_rest_later(self) -> None:
        # After the next paint: the rows found so far are on screen before the scan goes on.
        self.call_after_refresh(self._scan_more, self._model.scan_generation)

    def _scan_more(self, generation: int) -> None:
        if generation != self._model.scan_generation:
            return  # another filter replaced this one (and scans on its own)
        if self._model.scan(self.FILTER_BUDGET):
            self._scan_rest_later()

    def _scan_progressed(self, progress: ScanProgress) -> None:
        """The model scanned more of a filter's rows (between frames, or because something
        needed every row)."""
        self._update_virtual_size()  # first: scrolling is clamped to the virtual size
        # The first rows of a view that was empty are scrolled to as well: nothing could be
        # scrolled to before.
        self._show_cursor(scroll=progress.wanted_found or progress.found_from == 0)
        # Rows found below the window change only the scrollbar (refreshed above).
        if progress.wanted_found or progress.found_from < self.scroll_offset.y + self.size.height:
            self.refresh()
        if progress.finished:
            self.post_message(self.FilterFinished(self))

    # ------------------------------------------------------------------ the search index

    def _start_background_index(self) -> None:
        if self._model.indexed_count < self._model.total_count:
            self._build_index()

    @work(exclusive=True, group="virtual-table-index")
    async def _build_index(self) -> None:
        more = True
        while more:
            more = self._model.index_step(self.INDEX_CHUNK)
            await asyncio.sleep(0)  # a turn of the event loop: the UI paints and takes keys

    # ------------------------------------------------------------------ rendering

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if self._column_layout.layout(self.layout_width):
            self._line_cache.clear()
        if y == 0:
            return self._render_header(width)
        model = self._model
        if model.row_count == 0:
            if y == 1:
                return self._render_empty(width)
            return Strip.blank(width, self._style("base"))
        position = self.scroll_offset.y + y - 1
        if position >= model.row_count:
            return Strip.blank(width, self._style("base"))
        index = model.row_index(position)
        cursor = position == model.cursor
        cache_key = (index, width, cursor)
        strip = self._line_cache.get(cache_key)
        if strip is None:
            strip = self._render_row(index, width, cursor)
            self._line_cache[cache_key] = strip
        return strip

    def _render_row(self, index: int, width: int, cursor: bool) -> Strip:
        base = self._style("base")
        cells = self._model.cells(self._model.items[index])
        layout = self._column_layout
        segments: list[Segment] = []
        texts: list[str] = []  # consecutive str cells become one segment
        console = self.app.console
        null = Style.null()
        for column_index, (column, column_width) in enumerate(
            zip(layout.columns, layout.widths, strict=True)
        ):
            if column_index:
                texts.append(" ")
            cell: Cell = cells[column_index] if column_index < len(cells) else ""
            if isinstance(cell, Text):
                if texts:
                    segments.append(Segment("".join(texts), base))
                    texts.clear()
                text = fit_text(cell, column_width, column.justify)
                if text.spans:
                    segments.extend(Segment.apply_style(text.render(console), base))
                else:
                    # Text.render ignores the base style of a Text without spans.
                    style = console.get_style(text.style, default=null) if text.style else null
                    segments.append(Segment(text.plain, base + style))
            else:
                raw = plain(cell)[: column_width * MAX_CHARS_PER_CELL + 8]
                texts.append(fit(sanitize_cell(raw), column_width, column.justify))
        content_width = layout.content_width
        if content_width < width:
            texts.append(" " * (width - content_width))
        if texts:
            segments.append(Segment("".join(texts), base))
        # Every cell was fitted to its column, so the length is known: passing it spares
        # Strip a per-character measurement of the whole line.
        strip = Strip(segments, max(width, content_width))
        if content_width > width:
            strip = strip.crop(0, width)
        if cursor:
            strip = Strip(Segment.apply_style(strip, post_style=self._style("cursor")), width)
        return strip

    def _style(self, name: Literal["base", "header", "cursor", "empty"]) -> Style:
        """Rich styles, looked up once per style change (``rich_style`` is not cheap)."""
        style = self._styles.get(name)
        if style is None:
            if name == "base":
                style = self.rich_style
            else:
                style = self.get_component_rich_style(f"virtual-table--{name}")
                if name == "cursor" and self.app.no_color:
                    # Without colour only attributes survive: reverse video marks the cursor.
                    style += Style(reverse=True)
            self._styles[name] = style
        return style

    def _render_header(self, width: int) -> Strip:
        style = self._style("header")
        layout = self._column_layout
        pieces: list[str] = []
        for column, column_width in zip(layout.columns, layout.widths, strict=True):
            label = sanitize_cell(column.label)
            if column.key == self._model.sort_column and column_width > 1:
                arrow = "▼" if self._model.sort_reverse else "▲"
                if cell_len(label) >= column_width:
                    label = fit(label, column_width - 1, "left")
                label += arrow
            pieces.append(fit(label, column_width, column.justify))
        return Strip([Segment(" ".join(pieces), style)]).crop_extend(0, width, style)

    def _render_empty(self, width: int) -> Strip:
        style = self._style("empty")
        model = self._model
        if model.filter_pending:
            message = "Filtering…"
        elif model.total_count and model.filter_text:
            message = f"No rows match '{model.filter_text}'"
        elif model.total_count:
            message = "No rows match the filter"
        else:
            message = self.empty_text
        # Literal text: the query may contain "[" or escape characters.
        text = fit(sanitize_cell(" " + message), width, "left")
        return Strip([Segment(text, style)], width)

    # ------------------------------------------------------------------ layout and scrolling

    @property
    def layout_width(self) -> int:
        """The width the columns are laid out in: the scrollbar's room stays reserved while
        a filter or predicate hides it, so columns keep their widths while filtering (tables
        whose full data fits on screen never had a scrollbar and use the whole width)."""
        region = self.scrollable_content_region
        if self.show_vertical_scrollbar or self.styles.overflow_y != "auto":
            return region.width
        if self.total_count + 1 <= region.height:  # +1: the header line
            return region.width
        return max(0, region.width - self.styles.scrollbar_size_vertical)

    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _view_changed(self) -> None:
        """Which rows show, or in which order, changed (not the items themselves)."""
        self._update_virtual_size()
        # The items are unchanged: their cached lines, keyed by item index, stay valid, so
        # rows seen before need no new rendering.
        self.refresh()
        self._show_cursor(scroll=True)

    def _update_virtual_size(self) -> None:
        # One extra line for the header, which render_line draws at y=0 whatever the scroll.
        size = Size(self.scrollable_content_region.width, self._model.row_count + 1)
        if size == self.virtual_size:
            return
        if not self.is_mounted or self.styles.auto_dimensions:
            self.virtual_size = size  # our size follows the rows: the screen must lay out
            return
        # The table's own size is fixed by its container: a new row count changes only the
        # scrollbars. Assigning `virtual_size` would lay out the whole screen on every
        # filter keystroke (most of a keystroke's time at 100k rows), so lay out only when
        # a scrollbar appears or disappears.
        if update_virtual_size_quietly(self, size):
            self.refresh(layout=True)
        else:
            self.refresh()

    def _invalidate(self) -> None:
        self._line_cache.clear()
        self.refresh()

    def _refresh_row(self, position: int) -> None:
        y = position - self.scroll_offset.y + 1
        if 1 <= y < self.size.height:
            # Widget coordinates: ScrollView.refresh_line would subtract the scroll again.
            self.refresh(Region(0, y, self.size.width, 1))

    def _scroll_cursor_into_view(self) -> None:
        if not self.is_mounted or self.row_count == 0:
            return
        page = self._page_rows()
        top = self.scroll_offset.y
        cursor = self._model.cursor
        if cursor < top:
            self._scroll_to_row(cursor)
        elif cursor >= top + page:
            self._scroll_to_row(cursor - page + 1)

    def _scroll_to_row(self, y: float) -> None:
        if self.is_mounted:
            # force: without it Textual ignores the call while the scrollbar is hidden, and a
            # view that shrank below one screen keeps its old offset (its rows drawn off
            # screen). The offset is still clamped to the rows there are.
            self.scroll_to(y=y, animate=False, immediate=True, force=True)
