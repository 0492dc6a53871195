"""A virtual table for very long lists (100k+ rows).

The stock DataTable measures every row when rows are added, which takes seconds for tens of
thousands of rows. This widget keeps the caller's item objects and renders only the rows on
screen, through Textual's line API (``render_line``), like toolong's ``LogLines``.

Cells are given as ``str`` (rendered literally after stripping control characters and escape
sequences, never parsed as markup) or as ``rich.text.Text`` (the caller's own styling).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import contains, is_, is_not
from typing import Any, ClassVar, Generic, Literal, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kb4tui.sanitize import clean_text
from kb4tui.ui.compat import update_virtual_size_quietly

T = TypeVar("T")

Justify = Literal["left", "right", "center"]
Cell = str | Text

__all__ = ["Column", "VirtualTable", "sanitize_cell"]


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


@dataclass(slots=True)
class _Segment:
    """Candidates a filter still has to scan: item indices with their aligned search text."""

    indices: Sequence[int]
    haystacks: list[str]
    use_mask: bool
    position: int = 0


# Longest slice of a cell value worth measuring: enough characters for any column width
# (wide characters take two cells, combining marks none), so a 10,000-character value is cut
# before any per-character work.
_MAX_CHARS_PER_CELL = 4


def sanitize_cell(value: str) -> str:
    """Return ``value`` without control characters or terminal escape sequences."""
    if value.isprintable():  # fast path: the usual case, checked at C speed
        return value
    return clean_text(value)


def _plain(cell: object) -> str:
    """A cell's text. Besides str and Text, tolerates a caller's slip (None, a number)."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, Text):
        return cell.plain
    return "" if cell is None else str(cell)


def _fit(text: str, width: int, justify: Justify) -> str:
    """Crop (with an ellipsis) or pad plain ``text`` to exactly ``width`` cells."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…"
    if length == width:
        return text
    spare = width - length
    if justify == "right":
        return " " * spare + text
    if justify == "center":
        left = spare // 2
        return " " * left + text + " " * (spare - left)
    return text + " " * spare


def _fit_text(text: Text, width: int, justify: Justify) -> Text:
    """Crop (with an ellipsis) or pad a styled ``Text`` to exactly ``width`` cells."""
    if len(text.plain) > width * _MAX_CHARS_PER_CELL + 8:
        text = text[: width * _MAX_CHARS_PER_CELL + 8]
    else:
        text = text.copy()
    plain = sanitize_cell(text.plain)
    if plain != text.plain:
        # Rare: control characters inside a styled Text. Styling is dropped with them.
        text = Text(plain, style=text.style)
    text.truncate(width, overflow="ellipsis")
    spare = width - text.cell_len
    if spare > 0:
        if justify == "right":
            text.pad_left(spare)
        elif justify == "center":
            text.pad_left(spare // 2)
            text.pad_right(spare - spare // 2)
        else:
            text.pad_right(spare)
    return text


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

    # Rows measured to size auto-width columns: enough to look right, cheap at any row count.
    MEASURE_SAMPLE: ClassVar[int] = 200
    # Auto-width columns never grow past this; flex columns take the rest.
    MAX_AUTO_WIDTH: ClassVar[int] = 40
    # Items whose search text is prepared per event-loop turn by the background indexer.
    INDEX_CHUNK: ClassVar[int] = 5000
    # A filter keystroke scans rows in chunks for at most this long before the screen is
    # painted; what is left is scanned between frames (`filter_pending` until then). Fast
    # machines finish 100k rows within the budget, so the view is complete at once.
    FILTER_CHUNK: ClassVar[int] = 16_384
    FILTER_BUDGET: ClassVar[float] = 0.008

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
        self._columns: list[Column] = []
        self._items: list[T] = []
        self._items_owned = False  # True once we copied the caller's sequence
        self._cells: Callable[[T], Sequence[Cell]] = lambda item: ()
        self._search_text: Callable[[T], str] | None = None
        self._key: Callable[[T], Hashable] | None = None
        self._haystacks: list[str] = []  # lower-cased search text, by item index
        self._query = ""
        self._predicate: Callable[[T], bool] | None = None
        self._mask: list[bool] | None = None  # predicate result, by item index
        self._sort_column: str | None = None
        self._sort_key: Callable[[T], Any] | None = None
        self._sort_reverse = False
        self._sort_keys: list[Any] = []  # sort key by item index
        self._sorted: list[int] = []  # indices with a key, sorted
        self._unsorted: list[int] = []  # indices whose key is None: always last
        self._sort_as_text = False  # keys of mixed types: compare their str()
        self._order: list[int] | None = None  # sorted item indices; None = natural order
        # The search text again, re-allocated in display order: the scan then walks memory
        # in order instead of jumping around the heap (3-4x faster at 100k rows, measured).
        self._order_haystacks: list[str] | None = None
        self._view: list[int] | None = None  # visible item indices; None = all, natural
        self._view_haystacks: list[str] | None = None  # aligned with _view while filtering
        self._natural_indices: list[int] = []  # 0..n-1, see _natural()
        # What a filter keystroke left to scan, in display order (appended to _view).
        self._scan: list[_Segment] = []
        self._scan_generation = 0
        # The item highlighted before the filter, looked for as the scan goes on (until the
        # user moves the cursor), so the cursor stays on it as it does for a complete scan.
        self._scan_wanted: int | None = None
        self._cursor = 0
        # The last (item index, item) announced; the item is held so identity is reliable.
        self._last_highlighted: tuple[int, T] | None = None
        self._widths: list[int] = []
        self._auto_widths: list[int] = []
        self._layout_width = -1
        self._line_cache: LRUCache[tuple[int, int, bool], Strip] = LRUCache(1024)
        self._index_generation = 0
        self._measured_rows = 0
        self._content_width = 0  # sum of column widths and gaps
        self._styles: dict[str, Style] = {}

    # ------------------------------------------------------------------ public API

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Replace the columns (and re-measure auto-width columns)."""
        self._columns = list(columns)
        self._measure_auto_widths()
        self._invalidate()

    def set_rows(
        self,
        items: Sequence[T],
        cells: Callable[[T], Sequence[str | Text]],
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
        self._finish_scan()  # so that the item kept is the one a complete filter highlights
        old_key_value: Hashable | None = None
        had_key = False
        old_item = self.highlighted
        if keep_cursor and old_item is not None and key is not None:
            old_key_value = key(old_item)
            had_key = True
        old_cursor = self._cursor
        old_scroll_y = self.scroll_y

        self._items = items if isinstance(items, list) else list(items)
        self._items_owned = not isinstance(items, list)
        self._cells = cells
        self._search_text = search_text
        self._key = key
        self._haystacks = []
        self._index_generation += 1
        self._mask = self._compute_mask(range(len(self._items))) if self._predicate else None
        self._reset_order()
        self._rebuild_view()
        self._measure_auto_widths()

        if keep_cursor:
            cursor = old_cursor
            if had_key:
                found = self._find_by_key(old_key_value)
                if found is not None:
                    cursor = found
            self._cursor = self._clamp(cursor)
            self._update_virtual_size()
            self._scroll_to_row(old_scroll_y)
        else:
            self._cursor = 0
            self._update_virtual_size()
            self._scroll_to_row(0)
        self._invalidate()
        self._scroll_cursor_into_view()
        self._post_highlighted()
        if self.is_mounted:
            # After the first paint, so that building the index never delays it.
            self.call_after_refresh(self._start_background_index)

    def append_rows(self, items: Iterable[T]) -> None:
        """Add items at the end (streamed pages). The highlighted item and scroll stay put."""
        new = list(items)
        if not new:
            return
        self._finish_scan()  # new rows go after every row the filter still has to scan
        if not self._items_owned:
            self._items = list(self._items)
            self._items_owned = True
        old_item = self._highlighted_index()
        start = len(self._items)
        self._items.extend(new)
        new_range = range(start, len(self._items))
        if self._mask is not None:
            self._mask.extend(self._compute_mask(new_range))
        if len(self._haystacks) == start:
            self._haystacks.extend(self._haystack(item) for item in new)
        if self._query:
            self._ensure_haystacks()
        if self._order is not None:
            self._extend_order(new_range)
            self._rebuild_view()
        elif self._view is not None:
            new_hs = self._haystacks[start:] if self._query else None
            view, view_hs = self._filtered(new_range, new_hs, use_mask=True)
            self._view.extend(view)
            if self._view_haystacks is not None and view_hs is not None:
                self._view_haystacks.extend(view_hs)
        remeasure = not self._columns_measured_enough()
        if remeasure:
            self._measure_auto_widths()
        old_cursor = self._cursor
        if old_item is not None:
            found = self._view_position(old_item)
            if found is not None:
                self._cursor = found
        self._cursor = self._clamp(self._cursor)
        self._update_virtual_size()
        if self._cursor != old_cursor:
            # Rows arrived above the cursor (sorted view): keep its row where it was on screen.
            self._scroll_to_row(self.scroll_offset.y + self._cursor - old_cursor)
        if self._order is None and not remeasure:
            self.refresh()  # rows on screen are unchanged: their cached lines stay valid
        else:
            self._invalidate()
        self._post_highlighted()

    def set_filter(self, query: str) -> None:
        """Show only items whose search text contains ``query`` (case-insensitive)."""
        query = query.strip().lower()
        if query == self._query:
            return
        previous = self._query
        self._query = query
        # Typing narrows: rows matching "phis" are a subset of rows matching "phi".
        narrowing = bool(previous) and previous in query and self._view_haystacks is not None
        # While a scan still looks for the row highlighted before, that row is the one to keep
        # (the cursor sits on a stand-in meanwhile).
        item = self._scan_wanted if self._scan_wanted is not None else self._highlighted_index()
        self._rebuild_view(narrowing, progressive=True)
        self._restore_cursor(item)

    def set_predicate(self, pred: Callable[[T], bool] | None) -> None:
        """Show only items for which ``pred`` is true (combined with the filter by AND)."""
        self._finish_scan()
        self._predicate = pred
        self._mask = self._compute_mask(range(len(self._items))) if pred else None
        self._refilter(False)

    def sort_by(self, column_key: str, key: Callable[[T], Any], reverse: bool = False) -> None:
        """Sort by ``key(item)``; items whose key is None always come last."""
        self._finish_scan()
        item = self._highlighted_index()
        self._sort_column = column_key
        self._sort_key = key
        self._sort_reverse = reverse
        self._reset_order()
        if len(self._haystacks) == len(self._items):
            # Part of the sort the user asked for, rather than a stall on the next keystroke.
            self._build_order_haystacks()
        self._rebuild_view()
        self._restore_cursor(item)

    def clear_sort(self) -> None:
        """Back to the order the items were given in."""
        self._finish_scan()
        item = self._highlighted_index()
        self._sort_column = None
        self._sort_key = None
        self._sort_reverse = False
        self._reset_order()
        self._rebuild_view()
        self._restore_cursor(item)

    @property
    def columns(self) -> Sequence[Column]:
        return tuple(self._columns)

    @property
    def filter_text(self) -> str:
        """The current filter text (lower-cased)."""
        return self._query

    @property
    def sort_column(self) -> str | None:
        return self._sort_column

    @property
    def sort_reverse(self) -> bool:
        return self._sort_reverse

    @property
    def filter_pending(self) -> bool:
        """True while a filter is still scanning rows between frames: ``row_count`` counts
        the matches found so far, and `FilterFinished` is posted when it is final."""
        return bool(self._scan)

    @property
    def row_count(self) -> int:
        """Number of visible rows (after filter and predicate; see ``filter_pending``)."""
        return len(self._items) if self._view is None else len(self._view)

    @property
    def total_count(self) -> int:
        """Number of items, visible or not."""
        return len(self._items)

    @property
    def cursor_index(self) -> int:
        """Position of the highlighted row among the visible rows (0 when empty)."""
        return self._cursor

    @property
    def highlighted(self) -> T | None:
        index = self._highlighted_index()
        return None if index is None else self._items[index]

    @property
    def visible_items(self) -> Sequence[T]:
        """The visible items in display order (all of them: a pending filter finishes)."""
        self._finish_scan()
        if self._view is None:
            return tuple(self._items)
        items = self._items
        return [items[i] for i in self._view]

    def move_cursor(self, index: int) -> None:
        """Highlight the visible row at ``index`` (clamped) and scroll it into view."""
        self._scan_wanted = None  # the user chose a row: a pending filter leaves it be
        new = self._clamp(index)
        if new != self._cursor:
            old = self._cursor
            self._cursor = new
            self._refresh_row(old)
            self._refresh_row(new)
        self._scroll_cursor_into_view()
        self._post_highlighted()

    def scroll_to_item(self, item: T) -> bool:
        """Highlight ``item`` if it is visible; return whether it was found."""
        index = self._item_index(item)
        if index is None:
            return False
        self._finish_scan()
        position = self._view_position(index)
        if position is None:
            return False
        self.move_cursor(position)
        return True

    # ------------------------------------------------------------------ actions

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self._page(-1)

    def action_page_down(self) -> None:
        self._page(1)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self._finish_scan()
        self.move_cursor(self.row_count - 1)

    def action_select(self) -> None:
        item = self.highlighted
        if item is not None:
            self.post_message(self.Selected(self, item))

    def _page(self, direction: int) -> None:
        page = self._page_rows()
        target = self._clamp(self._cursor + direction * page)
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
            column = self._column_at(offset.x)
            if column is not None:
                self.post_message(self.HeaderSelected(self, column.key))
            return
        if self.row_count == 0:
            return
        position = self.scroll_offset.y + offset.y - 1
        if position >= self.row_count:
            return
        if position == self._cursor:
            self.action_select()
        else:
            self.move_cursor(position)

    def _column_at(self, x: int) -> Column | None:
        start = 0
        for column, width in zip(self._columns, self._widths, strict=True):
            if start <= x < start + width:
                return column
            start += width + 1
        return None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._line_cache.clear()

    # ------------------------------------------------------------------ rendering

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        layout_width = self.layout_width
        if layout_width != self._layout_width:
            self._layout(layout_width)
        if y == 0:
            return self._render_header(width)
        if self.row_count == 0:
            if y == 1:
                return self._render_empty(width)
            return Strip.blank(width, self._style("base"))
        position = self.scroll_offset.y + y - 1
        if position >= self.row_count:
            return Strip.blank(width, self._style("base"))
        index = position if self._view is None else self._view[position]
        cursor = position == self._cursor
        cache_key = (index, width, cursor)
        strip = self._line_cache.get(cache_key)
        if strip is None:
            strip = self._render_row(index, width, cursor)
            self._line_cache[cache_key] = strip
        return strip

    def _render_row(self, index: int, width: int, cursor: bool) -> Strip:
        base = self._style("base")
        cells = self._cells(self._items[index])
        segments: list[Segment] = []
        plain: list[str] = []  # consecutive str cells become one segment
        console = self.app.console
        null = Style.null()
        for column_index, (column, column_width) in enumerate(
            zip(self._columns, self._widths, strict=True)
        ):
            if column_index:
                plain.append(" ")
            cell: Cell = cells[column_index] if column_index < len(cells) else ""
            if isinstance(cell, Text):
                if plain:
                    segments.append(Segment("".join(plain), base))
                    plain.clear()
                text = _fit_text(cell, column_width, column.justify)
                if text.spans:
                    segments.extend(Segment.apply_style(text.render(console), base))
                else:
                    # Text.render ignores the base style of a Text without spans.
                    style = console.get_style(text.style, default=null) if text.style else null
                    segments.append(Segment(text.plain, base + style))
            else:
                raw = _plain(cell)[: column_width * _MAX_CHARS_PER_CELL + 8]
                plain.append(_fit(sanitize_cell(raw), column_width, column.justify))
        content_width = self._content_width
        if content_width < width:
            plain.append(" " * (width - content_width))
        if plain:
            segments.append(Segment("".join(plain), base))
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
        pieces: list[str] = []
        for column, column_width in zip(self._columns, self._widths, strict=True):
            label = sanitize_cell(column.label)
            if column.key == self._sort_column and column_width > 1:
                arrow = "▼" if self._sort_reverse else "▲"
                if cell_len(label) >= column_width:
                    label = _fit(label, column_width - 1, "left")
                label += arrow
            pieces.append(_fit(label, column_width, column.justify))
        return Strip([Segment(" ".join(pieces), style)]).crop_extend(0, width, style)

    def _render_empty(self, width: int) -> Strip:
        style = self._style("empty")
        if self._scan:
            message = "Filtering…"
        elif self.total_count and self._query:
            message = f"No rows match '{self._query}'"
        elif self.total_count:
            message = "No rows match the filter"
        else:
            message = self.empty_text
        # Literal text: the query may contain "[" or escape characters.
        text = _fit(sanitize_cell(" " + message), width, "left")
        return Strip([Segment(text, style)], width)

    # ------------------------------------------------------------------ layout

    def _measure_auto_widths(self) -> None:
        widths: list[int] = []
        # The first and last rows: cheap at any size, and the last rows tend to hold the
        # longest values of counters and ids.
        half = self.MEASURE_SAMPLE // 2
        items = self._items
        sample = items if len(items) <= self.MEASURE_SAMPLE else [*items[:half], *items[-half:]]
        sample_cells = [self._cells(item) for item in sample]
        for column_index, column in enumerate(self._columns):
            label_width = cell_len(column.label) + 1  # room for the sort arrow
            if column.width is not None:
                widths.append(column.width)
                continue
            widest = label_width
            for cells in sample_cells:
                if column_index < len(cells):
                    cell = cells[column_index]
                    plain = _plain(cell)
                    widest = max(widest, cell_len(sanitize_cell(plain[:200])))
            widths.append(max(column.min_width, min(widest, self.MAX_AUTO_WIDTH)))
        self._auto_widths = widths
        self._measured_rows = len(sample)
        self._layout_width = -1

    def _columns_measured_enough(self) -> bool:
        return self._measured_rows >= min(len(self._items), self.MEASURE_SAMPLE)

    def _layout(self, width: int) -> None:
        """Give each column its width; flex columns share what is left."""
        columns = self._columns
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
        self._widths = widths
        self._content_width = sum(widths) + gaps
        self._layout_width = width
        self._line_cache.clear()

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

    def _update_virtual_size(self) -> None:
        # One extra line for the header, which render_line draws at y=0 whatever the scroll.
        size = Size(self.scrollable_content_region.width, self.row_count + 1)
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

    # ------------------------------------------------------------------ data

    def _haystack(self, item: T) -> str:
        if self._search_text is not None:
            text = self._search_text(item)
        else:
            text = " ".join(map(_plain, self._cells(item)))
        # One line per item: the display-order copy is made by joining with newlines.
        return text.lower().replace("\n", " ")

    def _ensure_haystacks(self) -> None:
        """Finish the search index now (normally built in the background after set_rows)."""
        haystacks = self._haystacks
        if len(haystacks) < len(self._items):
            haystack = self._haystack
            haystacks.extend(haystack(item) for item in self._items[len(haystacks) :])

    def _start_background_index(self) -> None:
        if len(self._haystacks) < len(self._items):
            self._build_index(self._index_generation)

    @work(exclusive=True, group="virtual-table-index")
    async def _build_index(self, generation: int) -> None:
        while generation == self._index_generation and len(self._haystacks) < len(self._items):
            start = len(self._haystacks)
            chunk = self._items[start : start + self.INDEX_CHUNK]
            self._haystacks.extend(self._haystack(item) for item in chunk)
            await asyncio.sleep(0)  # let the UI paint and take keys between chunks

    def _compute_mask(self, indices: Iterable[int]) -> list[bool]:
        predicate = self._predicate
        assert predicate is not None
        items = self._items
        return [bool(predicate(items[i])) for i in indices]

    def _reset_order(self) -> None:
        self._sort_keys, self._sorted, self._unsorted = [], [], []
        self._sort_as_text = False
        if self._sort_key is None:
            self._order = None
            self._order_haystacks = None
        else:
            self._extend_order(range(len(self._items)))

    def _extend_order(self, indices: range) -> None:
        """Sort in the items at ``indices`` (new ones, appended at the end)."""
        sort_key = self._sort_key
        assert sort_key is not None
        keys = self._sort_keys
        assert indices.start == len(keys) and indices.step == 1  # always the items' tail
        new_keys = list(map(sort_key, self._items[indices.start : indices.stop]))
        keys.extend(new_keys)
        self._sorted.extend(compress(indices, map(is_not, new_keys, repeat(None))))
        self._unsorted.extend(compress(indices, map(is_, new_keys, repeat(None))))
        # Timsort finds the already sorted run, so a streamed page costs about O(n), not
        # O(n log n); the keys are kept so appends never recompute them.
        if not self._sort_as_text:
            try:
                self._sorted.sort(key=keys.__getitem__, reverse=self._sort_reverse)
            except TypeError:
                # Mixed types (e.g. str and int) from a tolerant model: compare as text.
                self._sort_as_text = True
        if self._sort_as_text:
            self._sorted.sort(key=lambda i: str(keys[i]), reverse=self._sort_reverse)
        self._order = self._sorted + self._unsorted
        self._order_haystacks = None  # rebuilt when a filter next needs it

    def _build_order_haystacks(self) -> None:
        # join + split allocates the strings afresh, one after another, in display order.
        haystacks = self._haystacks
        order = self._order
        assert order is not None
        self._order_haystacks = (
            "\n".join(map(haystacks.__getitem__, order)).split("\n") if order else []
        )

    def _natural(self) -> list[int]:
        """0..n-1 as a list kept between filters: compressing it reuses its int objects,
        where compressing a range would allocate one per matching row on each keystroke."""
        natural = self._natural_indices
        if len(natural) != len(self._items):
            if len(natural) > len(self._items):
                del natural[len(self._items) :]
            else:
                natural.extend(range(len(natural), len(self._items)))
        return natural

    def _base(self) -> tuple[Sequence[int], list[str] | None]:
        """All item indices in display order, with their search text when filtering."""
        if not self._query:
            return (self._order if self._order is not None else range(len(self._items))), None
        self._ensure_haystacks()
        if self._order is None:
            return self._natural(), self._haystacks
        if self._order_haystacks is None:
            self._build_order_haystacks()
        assert self._order_haystacks is not None
        return self._order, self._order_haystacks

    def _filtered(
        self, indices: Sequence[int], haystacks: list[str] | None, *, use_mask: bool
    ) -> tuple[list[int], list[str] | None]:
        """The ``indices`` (and their aligned ``haystacks``) that pass predicate and query."""
        # compress/map keep the loops in C: about 3x faster than a comprehension.
        result: Sequence[int] = indices  # copied below only when something filters it
        if use_mask and self._mask is not None:
            keep = list(map(self._mask.__getitem__, result))
            result = list(compress(result, keep))
            if haystacks is not None:
                haystacks = list(compress(haystacks, keep))
        if self._query and haystacks is not None:
            keep = list(map(contains, haystacks, repeat(self._query)))
            # A word every row has (the org's mail domain) drops nothing: copying is then
            # several times cheaper than compressing both lists.
            if keep.count(False):
                result = list(compress(result, keep))
                haystacks = list(compress(haystacks, keep))
            else:
                haystacks = list(haystacks)  # the view owns its lists (appends extend them)
        if not isinstance(result, list) or result is indices:
            result = list(result)
        return result, haystacks if self._query else None

    def _rebuild_view(self, narrowing: bool = False, progressive: bool = False) -> None:
        """Recompute the view. ``progressive`` (a filter keystroke) may leave rows to scan
        between frames; every other change (rows, sort, predicate) completes at once."""
        pending = self._scan
        self._scan = []
        self._scan_generation += 1
        self._scan_wanted = None
        if not self._query and self._mask is None:
            self._view, self._view_haystacks = self._order, None
            return
        if narrowing and self._view is not None and self._view_haystacks is not None:
            # The current view already passed the predicate and the shorter query; rows a
            # pending scan has not reached yet are scanned with the longer query instead.
            segments = [_Segment(self._view, self._view_haystacks, use_mask=False), *pending]
        else:
            base, haystacks = self._base()
            if haystacks is None:  # predicate only: one cheap pass over a precomputed mask
                self._view, self._view_haystacks = self._filtered(base, haystacks, use_mask=True)
                return
            segments = [_Segment(base, haystacks, use_mask=True)]
        self._view, self._view_haystacks = [], []
        self._scan = segments
        self._scan_rows(self.FILTER_BUDGET if progressive and self.is_mounted else None)
        if self._scan:
            self._scan_rest_later()

    def _scan_rows(self, budget: float | None) -> None:
        """Scan pending rows in chunks into the view, for at most ``budget`` seconds."""
        view, view_hs = self._view, self._view_haystacks
        assert view is not None and view_hs is not None
        started = time.perf_counter()
        chunk = self.FILTER_CHUNK
        while self._scan:
            segment = self._scan[0]
            start = segment.position
            stop = min(start + chunk, len(segment.indices))
            rows, rows_hs = self._filtered(
                segment.indices[start:stop],
                segment.haystacks[start:stop],
                use_mask=segment.use_mask,
            )
            view.extend(rows)
            if rows_hs is not None:
                view_hs.extend(rows_hs)
            segment.position = stop
            if stop >= len(segment.indices):
                self._scan.pop(0)
            if budget is not None and time.perf_counter() - started >= budget:
                break

    def _scan_rest_later(self) -> None:
        generation = self._scan_generation
        # After the next paint: the rows found so far are on screen before the scan goes on.
        self.call_after_refresh(self._scan_more, generation)

    def _scan_more(self, generation: int) -> None:
        if generation != self._scan_generation or not self._scan:
            return  # the filter changed (or finished) since
        found_from = self.row_count
        self._scan_rows(self.FILTER_BUDGET)
        self._scan_progressed(found_from)
        if self._scan:
            self._scan_rest_later()

    def _finish_scan(self) -> None:
        """Scan what a filter keystroke left, now (for callers that need every row)."""
        if self._scan:
            found_from = self.row_count
            self._scan_rows(None)
            self._scan_progressed(found_from)

    def _scan_progressed(self, found_from: int) -> None:
        wanted = self._scan_wanted
        cursor_moved = False
        if wanted is not None and self._view is not None:
            try:
                position = self._view.index(wanted, found_from)
            except ValueError:
                position = None
            if position is not None:
                self._scan_wanted = None
                self._cursor = position
                cursor_moved = True
        self._update_virtual_size()  # first: scrolling is clamped to the virtual size
        if cursor_moved or found_from == 0:
            # Also the first rows of a view that was empty: nothing could be scrolled to then.
            self._scroll_cursor_into_view()
        self._post_highlighted()  # also when the first rows turn up in an empty view
        # Rows found below the window change only the scrollbar (refreshed above).
        if cursor_moved or found_from < self.scroll_offset.y + self.size.height:
            self.refresh()
        if not self._scan:
            self._scan_wanted = None
            self.post_message(self.FilterFinished(self))

    def _refilter(self, narrowing: bool) -> None:
        item = self._highlighted_index()
        self._rebuild_view(narrowing)
        self._restore_cursor(item)

    def _restore_cursor(self, item_index: int | None) -> None:
        position = None if item_index is None else self._view_position(item_index)
        if position is None and self._scan and item_index is not None and self._passes(item_index):
            self._scan_wanted = item_index  # it will turn up as the scan goes on
        self._cursor = self._clamp(0 if position is None else position)
        self._update_virtual_size()
        # The items are unchanged (only which rows show, and where): their cached lines,
        # keyed by item index, stay valid, so rows seen before need no new rendering.
        self.refresh()
        self._scroll_cursor_into_view()
        self._post_highlighted()

    def _passes(self, item_index: int) -> bool:
        """Whether the item passes the predicate and the query (so belongs in the view)."""
        if self._mask is not None and not self._mask[item_index]:
            return False
        if not self._query:
            return True
        haystacks = self._haystacks
        return item_index < len(haystacks) and self._query in haystacks[item_index]

    def _view_position(self, item_index: int) -> int | None:
        view = self._view
        if view is None:
            return item_index if 0 <= item_index < len(self._items) else None
        try:
            return view.index(item_index)
        except ValueError:
            return None

    def _item_index(self, item: T) -> int | None:
        for i, candidate in enumerate(self._items):
            if candidate is item:
                return i
        key = self._key
        if key is not None:
            wanted = key(item)
            for i, candidate in enumerate(self._items):
                if key(candidate) == wanted:
                    return i
        return None

    def _find_by_key(self, wanted: Hashable) -> int | None:
        key = self._key
        assert key is not None
        items = self._items
        if self._view is None:
            for i, item in enumerate(items):
                if key(item) == wanted:
                    return i
            return None
        for position, i in enumerate(self._view):
            if key(items[i]) == wanted:
                return position
        return None

    def _highlighted_index(self) -> int | None:
        if self.row_count == 0:
            return None
        position = self._clamp(self._cursor)
        return position if self._view is None else self._view[position]

    def _clamp(self, index: int) -> int:
        return max(0, min(index, self.row_count - 1))

    # ------------------------------------------------------------------ refresh

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
        if self._cursor < top:
            self._scroll_to_row(self._cursor)
        elif self._cursor >= top + page:
            self._scroll_to_row(self._cursor - page + 1)

    def _scroll_to_row(self, y: float) -> None:
        if self.is_mounted:
            # force: without it Textual ignores the call while the scrollbar is hidden, and a
            # view that shrank below one screen keeps its old offset (its rows drawn off
            # screen). The offset is still clamped to the rows there are.
            self.scroll_to(y=y, animate=False, immediate=True, force=True)

    def _post_highlighted(self) -> None:
        index = self._highlighted_index()
        item = None if index is None else self._items[index]
        last = self._last_highlighted
        if last is None and index is None:
            return
        if last is not None and index is not None and last[0] == index and last[1] is item:
            return
        self._last_highlighted = None if index is None else (index, self._items[index])
        self.post_message(self.Highlighted(self, item))
