"""A list with filter-as-you-type, sorting, a choice filter and an optional detail pane.

Used for campaigns, the library and enrollments. Rows live in a `VirtualTable`; the pane
adds the `/` filter input, `s`/`S` sort cycling, a one-line summary and an error line.
Subclasses give the columns, how to draw a row, its search text and its sort keys.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input, Static

from kb4tui.exporting.views import ExportSpec
from kb4tui.ui.details import clean_detail
from kb4tui.ui.messages import ExportRows
from kb4tui.ui.table import Column, VirtualTable

__all__ = ["BrowsePane", "PaneTable", "SortSpec", "browse_bindings", "next_choice"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SortSpec(Generic[T]):
    """A sortable column: its key in the table and how to get a sortable value."""

    column: str
    label: str
    key: Callable[[T], Any]


def browse_bindings(prefix: str) -> list[BindingType]:
    """The pane keys, with ids under `prefix` so users can remap each pane's keys."""
    return [
        Binding("slash", "start_filter", "Filter", id=f"{prefix}.filter"),
        Binding("s", "cycle_sort", "Sort", id=f"{prefix}.sort"),
        Binding(
            "S",
            "reverse_sort",
            "Reverse sort",
            show=False,
            key_display="S",
            id=f"{prefix}.sort_reverse",
        ),
        Binding(
            "escape",
            "clear_filter",
            "Clear filter",
            tooltip="Clears the typed filter and the status/type choice; then escape goes back",
            id=f"{prefix}.clear_filter",
        ),
        Binding(
            "e",
            "export",
            "Export",
            tooltip="Write the rows shown (filter, sort and choice applied) to CSV or JSON",
            id=f"{prefix}.export",
        ),
        # lazygit / gh-dash: ctrl+d / ctrl+u scroll the detail pane, the table keeps focus.
        Binding(
            "ctrl+d", "scroll_detail(1)", "Detail down", show=False, id=f"{prefix}.detail_down"
        ),
        Binding("ctrl+u", "scroll_detail(-1)", "Detail up", show=False, id=f"{prefix}.detail_up"),
    ]


def next_choice(choices: Sequence[str | None], current: str | None) -> str | None:
    """The choice after `current` in `choices`, wrapping round (the first if `current` is gone)."""
    index = choices.index(current) if current in choices else 0
    return choices[(index + 1) % len(choices)]


class PaneTable(VirtualTable[T]):
    """The pane's table: tells the pane when its own width changes, which a resize of the
    pane does not show (a breakpoint can move the detail pane from beside to below)."""

    def __init__(self, on_resize: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._resized = on_resize

    def on_resize(self, event: events.Resize) -> None:  # after VirtualTable's own handler
        self._resized()


class FilterInput(Input):
    """The pane's filter box, tuned for typing over 100,000 rows.

    - It filters in `watch_value`, while the keystroke itself is handled, so the narrowed
      table is drawn in the same frame as the typed letter. `Input.Changed` arrives one
      message later, after a frame of its own: about 20 ms more per key.
    - Input sets its virtual width to its content's (the text, or the placeholder while
      empty) on every change, and Textual lays out the screen when a virtual size
      changes. The box's width is fixed by the pane (a one-line Input scrolls itself),
      so here that change only repaints it.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, on_value: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_value = on_value

    def watch_value(self, value: str) -> None:
        self._on_value(value)


class BrowsePane(Vertical, Generic[T]):
    """Summary line, hidden filter input, table (+ detail), error line."""

    class ChoiceCleared(Message):
        """escape cleared the status/type choice (the screen may show the choice too)."""

    DEFAULT_CSS = """
    BrowsePane {
        height: 1fr;
    }
    BrowsePane > .pane-summary {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    BrowsePane > .pane-error {
        display: none;
        height: auto;
        max-height: 4;
        padding: 0 1;
        color: $text-error;
        background: $error-muted;
    }
    BrowsePane > .pane-error.-shown {
        display: block;
    }
    BrowsePane > Input.pane-filter {
        display: none;
        height: 1;
        border: none;
        padding: 0 1;
    }
    BrowsePane > Input.pane-filter.-shown {
        display: block;
    }
    BrowsePane > .pane-body {
        height: 1fr;
    }
    BrowsePane .pane-detail {
        border-left: vkey $foreground 30%;
        padding: 0 1;
        width: 36;
    }
    """

    # Subclasses set these.
    COLUMNS: ClassVar[Sequence[Column]] = ()
    SORTS: ClassVar[Sequence[SortSpec[Any]]] = ()
    # Column keys given up first, in this order, when the table is too narrow for all.
    DROP_ORDER: ClassVar[tuple[str, ...]] = ()
    HAS_DETAIL: ClassVar[bool] = False
    NOUN: ClassVar[str] = "rows"
    EMPTY_TEXT: ClassVar[str] = "Nothing here"
    # What `e` writes; None: this table has no export.
    EXPORT: ClassVar[ExportSpec | None] = None

    def __init__(
        self,
        *,
        id: str | None = None,
        classes: str | None = None,
        hidden_columns: Sequence[str] = (),
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.hidden_columns = frozenset(hidden_columns)
        self._shown = [i for i, c in enumerate(self.COLUMNS) if c.key not in self.hidden_columns]
        self.table: VirtualTable[T] = PaneTable(
            self._fit_columns, classes="pane-table", empty_text="Loading…"
        )
        self.filter_input = FilterInput(
            self._filter_typed,
            placeholder="filter: type to narrow, enter to keep, escape to clear",
            classes="pane-filter",
            select_on_focus=False,
        )
        self.summary = Static("", classes="pane-summary", markup=False)
        self.error_line = Static("", classes="pane-error", markup=False)
        self.detail = Static("", classes="pane-detail-text", markup=False)
        self._sort_index = -1
        self._choice_label: str | None = None
        self._choice_active = False  # a choice that hides rows (not just a label)
        self._loaded = False
        self._busy = False

    # -- subclass hooks --------------------------------------------------------------------

    def cells(self, item: T) -> Sequence[str | Text]:
        raise NotImplementedError

    def search_text(self, item: T) -> str:
        raise NotImplementedError

    def item_key(self, item: T) -> Hashable:
        return id(item)

    def render_detail(self, item: T | None) -> Text:
        return Text("")

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield self.summary
        yield self.filter_input
        with Horizontal(classes="pane-body"):
            yield self.table
            if self.HAS_DETAIL:
                detail = VerticalScroll(classes="pane-detail")
                detail.can_focus = False  # keys stay with the table; the pane only shows
                with detail:
                    yield self.detail
        yield self.error_line

    def on_mount(self) -> None:
        self.table.set_columns([self.COLUMNS[i] for i in self._shown])
        self.update_summary()

    def _fit_columns(self) -> None:
        """Show the columns that fit the table's width, dropping DROP_ORDER ones first."""
        width = self.table.scrollable_content_region.width
        if width <= 0:
            return
        keep = [i for i, c in enumerate(self.COLUMNS) if c.key not in self.hidden_columns]

        def needed(indices: list[int]) -> int:
            columns = [self.COLUMNS[i] for i in indices]
            return sum(c.width or c.min_width for c in columns) + len(columns) - 1

        for key in self.DROP_ORDER:
            if needed(keep) <= width:
                break
            keep = [i for i in keep if self.COLUMNS[i].key != key]
        if keep != self._shown:
            self._shown = keep
            self.table.set_columns([self.COLUMNS[i] for i in keep])

    def set_hidden_columns(self, keys: Sequence[str]) -> None:
        """Hide these columns (and show the others again, as far as they fit)."""
        self.hidden_columns = frozenset(keys)
        self._fit_columns()

    def _shown_cells(self, item: T) -> Sequence[str | Text]:
        cells = self.cells(item)
        return [cells[i] for i in self._shown]

    # -- data ------------------------------------------------------------------------------

    def set_items(self, items: Sequence[T]) -> None:
        """Replace the rows, keeping the highlighted item where it still exists."""
        self._loaded = True
        self.table.empty_text = self.EMPTY_TEXT
        self.table.set_rows(
            items,
            self._shown_cells,
            search_text=self.search_text,
            keep_cursor=True,
            key=self.item_key,
        )
        self.update_summary()
        self.show_detail()

    def append_items(self, items: Sequence[T]) -> None:
        if not self._loaded:
            self.set_items(list(items))
            return
        self.table.append_rows(items)
        self.update_summary()

    def set_choice(self, label: str | None, predicate: Callable[[T], bool] | None) -> None:
        """A second filter, e.g. one status or one content type (None shows all)."""
        self._choice_label = label
        self._choice_active = predicate is not None
        self.table.set_predicate(predicate)
        self.update_summary()
        self.show_detail()
        self.refresh_bindings()  # escape now clears the choice, or goes back

    def set_busy(self, busy: bool) -> None:
        """Say "loading…" in the summary line; rows already shown stay usable meanwhile."""
        self._busy = busy
        self.update_summary()

    def show_error(self, message: str | None) -> None:
        """Show (or, with None, hide) an error sentence under the table."""
        self.error_line.update(Text(message or ""))
        self.error_line.set_class(bool(message), "-shown")

    @property
    def highlighted(self) -> T | None:
        return self.table.highlighted

    @property
    def filter_active(self) -> bool:
        return bool(self.table.filter_text) or self.filter_input.has_class("-shown")

    @property
    def choice_active(self) -> bool:
        return self._choice_active

    def clear_choice(self) -> None:
        """Show every row again; subclasses also forget which choice they were on."""
        self.set_choice(None, None)
        self.post_message(self.ChoiceCleared())

    def summary_text(self) -> Text:
        table = self.table
        text = Text(no_wrap=True, overflow="ellipsis")
        if not self._loaded:
            text.append("loading…" if self._busy else "")
            return text
        shown, total = table.row_count, table.total_count
        if table.filter_pending:
            text.append(f"{shown:,}+ of {total:,} {self.NOUN} (filtering…)")
        elif shown != total:
            text.append(f"{shown:,} of {total:,} {self.NOUN}")
        else:
            text.append(f"{total:,} {self.NOUN}")
        if self._choice_label:
            text.append(f" · {self._choice_label}")
        if table.filter_text:
            text.append(" · filter: ")
            text.append(repr(table.filter_text))
        sort = self._current_sort()
        if sort is not None:
            text.append(f" · sorted by {sort.label} {'↓' if table.sort_reverse else '↑'}")
        if self._busy:
            text.append(" · loading…", style="bold")
        return text

    def update_summary(self) -> None:
        # One fixed-height line: no layout pass needed (it costs ms per filter keystroke).
        self.summary.update(self.summary_text(), layout=False)

    def show_detail(self) -> None:
        if self.HAS_DETAIL:
            self.detail.update(clean_detail(self.render_detail(self.table.highlighted)))

    # -- sorting ---------------------------------------------------------------------------

    def _current_sort(self) -> SortSpec[Any] | None:
        if 0 <= self._sort_index < len(self.SORTS):
            return self.SORTS[self._sort_index]
        return None

    def action_cycle_sort(self) -> None:
        """Sort by the next column (ascending); after the last column, back to the first."""
        if not self.SORTS:
            return
        self._sort_index = (self._sort_index + 1) % len(self.SORTS)
        spec = self.SORTS[self._sort_index]
        self.table.sort_by(spec.column, spec.key, reverse=False)
        self.update_summary()

    def action_reverse_sort(self) -> None:
        spec = self._current_sort()
        if spec is None:
            if not self.SORTS:
                return
            self._sort_index = 0
            spec = self.SORTS[0]
        self.table.sort_by(spec.column, spec.key, reverse=not self.table.sort_reverse)
        self.update_summary()

    def sort_label(self) -> str | None:
        spec = self._current_sort()
        return spec.label if spec else None

    # -- filter ----------------------------------------------------------------------------

    def action_start_filter(self) -> None:
        self.filter_input.add_class("-shown")
        self.filter_input.focus()

    def action_clear_filter(self) -> None:
        """k9s: escape clears the filter (and the status/type choice); the next goes back."""
        if self._choice_active:
            self.clear_choice()
        with self.filter_input.prevent(Input.Changed):
            self.filter_input.value = ""
        self.filter_input.remove_class("-shown")
        self.table.set_filter("")
        self.table.focus()
        self.update_summary()
        self.show_detail()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # escape falls through to the screen (go back) when there is no filter to clear.
        if action == "clear_filter":
            return self.filter_active or self._choice_active
        if action == "scroll_detail":
            return self.HAS_DETAIL
        if action == "export":
            return self.EXPORT is not None
        return True

    def action_scroll_detail(self, direction: int) -> None:
        scroller = self.query_one(".pane-detail", VerticalScroll)
        if direction > 0:
            scroller.scroll_page_down(animate=False)
        else:
            scroller.scroll_page_up(animate=False)

    # -- export ----------------------------------------------------------------------------

    def action_export(self) -> None:
        """Ask (the app) for a format and a file, then write exactly the rows shown now."""
        if self.EXPORT is not None:
            self.post_message(ExportRows(self.EXPORT, self.table.visible_items))

    @on(Input.Changed, ".pane-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()  # already applied by `_filter_typed`, as the value changed

    def _filter_typed(self, value: str) -> None:
        was_active = self.filter_active
        self.table.set_filter(value)
        self.update_summary()
        self.show_detail()
        if was_active != self.filter_active:
            # The footer shows what escape does (`check_action`), which changes only when
            # the filter turns on or off: while the box is open it stays on, whatever is
            # typed. Refreshing the bindings recomposes the footer and lays out the screen.
            self.refresh_bindings()

    @on(Input.Submitted, ".pane-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.filter_input.remove_class("-shown")
        self.table.focus()
        self.refresh_bindings()

    @on(VirtualTable.FilterFinished, ".pane-table")
    def _filter_finished(self, event: VirtualTable.FilterFinished) -> None:
        self.update_summary()  # the count is final now

    @on(VirtualTable.Highlighted, ".pane-table")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self.show_detail()
