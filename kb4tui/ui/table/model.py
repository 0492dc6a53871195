"""The table's rows without the widget: items, sort, text filter, predicate mask, the view
(which items show, in which order) and the cursor's place in it.

Pure Python, no Textual (an import-linter contract keeps it so): the widget draws what this
says and turns keys into calls, and the model is tested on its own.

Built for 100,000 rows and a keystroke under a frame:
- Only references to the caller's items are kept; cells are drawn by the widget when a row
  is on screen. The lower-cased search text of each item (its "haystack") is indexed in
  chunks (`index_step`), which the widget drives between frames after the first paint.
- Sort keys are computed once per item and kept, so appended rows are sorted in at about
  O(n): Timsort finds the run that is already in order.
- A filter scans rows in chunks for at most a time budget (`set_filter(query, budget)`),
  and what is left is scanned by later calls (`scan(budget)`, `finish_scan()`) between
  frames. Meanwhile `filter_pending` is true and `row_count` counts what was found so far.
  Anything that needs every row (new rows, a sort, a predicate, `visible_items`) finishes
  the scan first. Progress is reported through `on_scan`.
- The highlighted item stays highlighted across new rows, sorts and filters. When a filter
  scan has not reached it yet, it is "wanted": the cursor moves to it when the scan finds
  it, unless the user has moved the cursor since.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import contains, is_, is_not
from typing import Any, Generic, TypeVar

from kb4tui.ui.table.cells import Cell, plain
from kb4tui.ui.table.sort_keys import SortKeyError, key_kind, without_nan

__all__ = ["ScanProgress", "SortKeyError", "TableModel"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ScanProgress:
    """What one step of a filter's scan between frames did."""

    found_from: int  # rows in the view before the step: rows from here on are new
    wanted_found: bool  # the wanted item turned up: the cursor is on it now
    finished: bool  # every row is scanned: `row_count` is final


@dataclass(slots=True)
class _Segment:
    """Candidates a filter still has to scan: item indices with their aligned search text."""

    indices: Sequence[int]
    haystacks: list[str]
    use_mask: bool
    position: int = 0


@dataclass(frozen=True, slots=True)
class _Sort(Generic[T]):
    """What the rows are sorted by."""

    column: str
    key: Callable[[T], Any]
    reverse: bool


@dataclass(frozen=True, slots=True)
class _SortState:
    """A sort applied to the items so far: a key per item, the indices in order."""

    keys: list[Any]  # by item index; None: missing
    sorted: list[int]  # indices with a key, in order
    missing: list[int]  # indices without one: always last, in the order given
    kind: type | None  # the type of the keys so far (see sort_keys.key_kind)


def _no_cells(item: object) -> Sequence[Cell]:
    return ()


class TableModel(Generic[T]):
    """Items, their order and filters, and the cursor position among the visible rows.

    Positions count visible rows (0 is the first row shown); indices count items in the
    order they were given.
    """

    # Rows a filter scans between two looks at the clock (tests set it per instance).
    FILTER_CHUNK: int = 16_384

    def __init__(self, on_scan: Callable[[ScanProgress], None] | None = None) -> None:
        # Told after each step of a filter's scan that did not happen within the call that
        # started the filter: `scan`, `finish_scan`, and changes that need every row.
        self.on_scan = on_scan
        self._items: list[T] = []
        self._items_owned = False  # True once we copied the caller's sequence
        self._cells: Callable[[T], Sequence[Cell]] = _no_cells
        self._search_text: Callable[[T], str] | None = None
        self._key: Callable[[T], Hashable] | None = None
        self._haystacks: list[str] = []  # lower-cased search text, by item index
        self._query = ""
        self._predicate: Callable[[T], bool] | None = None
        self._mask: list[bool] | None = None  # predicate result, by item index
        self._sort: _Sort[T] | None = None
        self._sorted: _SortState | None = None
        self._order: list[int] | None = None  # sorted item indices; None = natural order
        # The search text again, re-allocated in display order: the scan then walks memory
        # in order instead of jumping around the heap (3-4x faster at 100k rows, measured).
        self._order_haystacks: list[str] | None = None
        self._view: list[int] | None = None  # visible item indices; None = all, natural
        self._view_haystacks: list[str] | None = None  # aligned with _view while filtering
        self._natural_indices: list[int] = []  # 0..n-1, see _natural()
        # What a filter left to scan, in display order (appended to _view as it is scanned).
        self._scan: list[_Segment] = []
        self._scan_generation = 0
        # The item highlighted before the filter, looked for as the scan goes on (until the
        # user moves the cursor), so the cursor lands on it as it would after a full scan.
        self._wanted: int | None = None
        self._cursor = 0

    # ------------------------------------------------------------------ reading

    @property
    def items(self) -> Sequence[T]:
        """Every item, visible or not, in the order given."""
        return self._items

    @property
    def cells(self) -> Callable[[T], Sequence[Cell]]:
        """How an item is drawn: its cells, one per column."""
        return self._cells

    @property
    def row_count(self) -> int:
        """Number of visible rows (after filter and predicate; see ``filter_pending``)."""
        return len(self._items) if self._view is None else len(self._view)

    @property
    def total_count(self) -> int:
        """Number of items, visible or not."""
        return len(self._items)

    @property
    def cursor(self) -> int:
        """Position of the highlighted row among the visible rows (0 when empty)."""
        return self._cursor

    @property
    def highlighted_index(self) -> int | None:
        """The highlighted item's index (None when no row is visible)."""
        if self.row_count == 0:
            return None
        position = self.clamp(self._cursor)
        return position if self._view is None else self._view[position]

    @property
    def highlighted(self) -> T | None:
        index = self.highlighted_index
        return None if index is None else self._items[index]

    @property
    def filter_text(self) -> str:
        """The current filter text (lower-cased, without surrounding spaces)."""
        return self._query

    @property
    def filter_pending(self) -> bool:
        """True while a filter still has rows to scan: ``row_count`` counts the matches
        found so far."""
        return bool(self._scan)

    @property
    def scan_generation(self) -> int:
        """Changes whenever a new scan replaces the one before (a continuation scheduled
        for an older generation has nothing left to do)."""
        return self._scan_generation

    @property
    def wanted(self) -> int | None:
        """The index of the item a pending scan looks for, to put the cursor on it."""
        return self._wanted

    @property
    def indexed_count(self) -> int:
        """How many items (from the first) have their search text indexed."""
        return len(self._haystacks)

    @property
    def sort_column(self) -> str | None:
        return None if self._sort is None else self._sort.column

    @property
    def sort_reverse(self) -> bool:
        return self._sort is not None and self._sort.reverse

    @property
    def visible_items(self) -> Sequence[T]:
        """The visible items in display order (all of them: a pending filter finishes)."""
        self.finish_scan()
        if self._view is None:
            return tuple(self._items)
        items = self._items
        return [items[i] for i in self._view]

    def row_index(self, position: int) -> int:
        """The index of the item shown at visible ``position``."""
        return position if self._view is None else self._view[position]

    def clamp(self, position: int) -> int:
        """``position`` moved onto a visible row (0 when there is none)."""
        return max(0, min(position, self.row_count - 1))

    def position_of(self, item: T) -> int | None:
        """Where ``item`` (the same object, else one with the same key) shows among the
        visible rows; None when it is not visible. A pending filter finishes first."""
        index = self._item_index(item)
        if index is None:
            return None
        self.finish_scan()
        return self._view_position(index)

    # ------------------------------------------------------------------ changes

    def set_rows(
        self,
        items: Sequence[T],
        cells: Callable[[T], Sequence[Cell]],
        search_text: Callable[[T], str] | None = None,
        keep_cursor: bool = True,
        key: Callable[[T], Hashable] | None = None,
    ) -> None:
        """Replace the items; an active sort, predicate and filter apply to the new ones.

        With ``keep_cursor`` the highlighted item stays highlighted, found by ``key`` (or by
        position when there is no key); without it the cursor goes to the first row. A list
        is kept by reference, not copied: hand over a fresh list, and use ``append_rows`` to
        add to it. The search text is indexed later, by `index_step` (or when a filter
        needs it).
        """
        self.finish_scan()  # so that the item kept is the one a complete filter highlights
        new_items = items if isinstance(items, list) else list(items)
        # Sort first: a sort key that fails leaves the table as it was.
        sort = self._sort
        ordered = None if sort is None else self._sorted_in(None, new_items, 0, sort)
        old_key_value: Hashable | None = None
        had_key = False
        old_item = self.highlighted
        if keep_cursor and old_item is not None and key is not None:
            old_key_value = key(old_item)
            had_key = True
        old_cursor = self._cursor

        self._items = new_items
        self._items_owned = not isinstance(items, list)
        self._cells = cells
        self._search_text = search_text
        self._key = key
        self._haystacks = []
        self._mask = self._compute_mask(range(len(new_items))) if self._predicate else None
        self._set_order(ordered)
        self._rebuild_view()

        cursor = 0
        if keep_cursor:
            cursor = old_cursor
            if had_key:
                found = self._find_by_key(old_key_value)
                if found is not None:
                    cursor = found
        self._cursor = self.clamp(cursor)

    def append_rows(self, items: Iterable[T]) -> None:
        """Add items at the end (streamed pages). The highlighted item stays highlighted."""
        new = list(items)
        if not new:
            return
        self.finish_scan()  # new rows go after every row the filter still has to scan
        start = len(self._items)
        sort, state = self._sort, self._sorted
        ordered = None if sort is None else self._sorted_in(state, new, start, sort)
        if not self._items_owned:
            self._items = list(self._items)
            self._items_owned = True
        old_item = self.highlighted_index
        self._items.extend(new)
        new_range = range(start, len(self._items))
        if self._mask is not None:
            self._mask.extend(self._compute_mask(new_range))
        if len(self._haystacks) == start:
            self._haystacks.extend(map(self._haystack, new))
        if self._query:
            self._ensure_haystacks()
        if ordered is not None:
            self._set_order(ordered)
            self._rebuild_view()
        elif self._view is not None:
            new_hs = self._haystacks[start:] if self._query else None
            view, view_hs = self._filtered(new_range, new_hs, use_mask=True)
            self._view.extend(view)
            if self._view_haystacks is not None and view_hs is not None:
                self._view_haystacks.extend(view_hs)
        if old_item is not None:
            found = self._view_position(old_item)
            if found is not None:
                self._cursor = found
        self._cursor = self.clamp(self._cursor)

    def set_filter(self, query: str, budget: float | None = None) -> bool:
        """Show only items whose search text contains ``query`` (case-insensitive).

        Scans for at most ``budget`` seconds (None: every row); what is left is scanned by
        `scan` and `finish_scan`. Return whether the filter changed.
        """
        query = query.strip().lower()
        if query == self._query:
            return False
        previous = self._query
        self._query = query
        # Typing narrows: rows matching "phis" are a subset of rows matching "phi".
        narrowing = bool(previous) and previous in query and self._view_haystacks is not None
        # While a scan still looks for the row highlighted before, that row is the one to keep
        # (the cursor sits on a stand-in meanwhile).
        item = self._wanted if self._wanted is not None else self.highlighted_index
        self._rebuild_view(narrowing, budget)
        self._restore_cursor(item)
        return True

    def set_predicate(self, predicate: Callable[[T], bool] | None) -> None:
        """Show only items for which ``predicate`` is true (combined with the filter by AND)."""
        self.finish_scan()
        item = self.highlighted_index
        self._predicate = predicate
        self._mask = self._compute_mask(range(len(self._items))) if predicate else None
        self._rebuild_view()
        self._restore_cursor(item)

    def sort_by(self, column: str, key: Callable[[T], Any], reverse: bool = False) -> None:
        """Sort by ``key(item)``; items whose key is None come last in either direction.

        The keys of one column must be of one type (int and float count as one; NaN counts
        as missing). Raises `SortKeyError` otherwise, and the table stays as it was.
        """
        self.finish_scan()
        sort = _Sort(column, key, reverse)
        ordered = self._sorted_in(None, self._items, 0, sort)  # may raise: nothing changed yet
        item = self.highlighted_index
        self._sort = sort
        self._set_order(ordered)
        if len(self._haystacks) == len(self._items):
            # Part of the sort the user asked for, rather than a stall on the next keystroke.
            self._build_order_haystacks()
        self._rebuild_view()
        self._restore_cursor(item)

    def clear_sort(self) -> None:
        """Back to the order the items were given in."""
        self.finish_scan()
        item = self.highlighted_index
        self._sort = None
        self._set_order(None)
        self._rebuild_view()
        self._restore_cursor(item)

    def move_cursor(self, position: int) -> int:
        """The user chose the row at ``position`` (moved onto a visible row): a pending scan
        no longer moves the cursor to the row it was looking for. Return the position."""
        self._wanted = None
        self._cursor = self.clamp(position)
        return self._cursor

    # ------------------------------------------------------------------ progressive work

    def index_step(self, count: int) -> bool:
        """Index the search text of up to ``count`` more items; return whether any remain."""
        haystacks = self._haystacks
        start = len(haystacks)
        if start < len(self._items):
            haystacks.extend(map(self._haystack, self._items[start : start + count]))
        return len(haystacks) < len(self._items)

    def scan(self, budget: float | None) -> bool:
        """Scan what a filter left for at most ``budget`` seconds (None: all of it), tell
        `on_scan`, and return whether rows are still left to scan."""
        if not self._scan:
            return False
        found_from = self.row_count
        self._scan_rows(budget)
        self._scan_progressed(found_from)
        return bool(self._scan)

    def finish_scan(self) -> None:
        """Scan what a filter left, now (for whatever needs every row)."""
        self.scan(None)

    # ------------------------------------------------------------------ search text

    def _haystack(self, item: T) -> str:
        if self._search_text is not None:
            text = self._search_text(item)
        else:
            text = " ".join(map(plain, self._cells(item)))
        # One line per item: the display-order copy is made by joining with newlines.
        return text.lower().replace("\n", " ")

    def _ensure_haystacks(self) -> None:
        """Finish the search index now (normally built by `index_step` after set_rows)."""
        self.index_step(len(self._items))

    def _compute_mask(self, indices: Iterable[int]) -> list[bool]:
        predicate = self._predicate
        assert predicate is not None
        items = self._items
        return [bool(predicate(items[i])) for i in indices]

    # ------------------------------------------------------------------ sorting

    def _sorted_in(
        self, state: _SortState | None, new: Sequence[T], start: int, sort: _Sort[T]
    ) -> _SortState:
        """``state`` (None: nothing sorted yet) with the ``new`` items, at indices from
        ``start``, sorted in by ``sort``. Raises `SortKeyError` and leaves ``state``
        untouched when the keys are of mixed types or do not order."""
        new_keys = list(map(sort.key, new))
        kinds = set(map(type, new_keys))
        kinds.discard(type(None))
        kind = key_kind(sort.column, kinds, None if state is None else state.kind)
        if any(issubclass(k, float) for k in kinds):  # NaN would leave the order undefined
            new_keys = without_nan(new_keys)
        indices = range(start, start + len(new))
        if state is None:
            keys, ordered, missing = new_keys, [], []
        else:
            keys = [*state.keys, *new_keys]
            ordered, missing = list(state.sorted), list(state.missing)
        ordered.extend(compress(indices, map(is_not, new_keys, repeat(None))))
        missing.extend(compress(indices, map(is_, new_keys, repeat(None))))
        # Timsort finds the run already in order, so a streamed page costs about O(n), not
        # O(n log n).
        try:
            ordered.sort(key=keys.__getitem__, reverse=sort.reverse)
        except TypeError as error:  # e.g. tuples whose members do not compare
            raise SortKeyError(
                f"The sort keys of column {sort.column!r} do not order: {error}."
            ) from error
        return _SortState(keys, ordered, missing, kind)

    def _set_order(self, state: _SortState | None) -> None:
        self._sorted = state
        self._order = None if state is None else state.sorted + state.missing
        self._order_haystacks = None  # rebuilt when a filter next needs it

    def _build_order_haystacks(self) -> None:
        # join + split allocates the strings afresh, one after another, in display order.
        haystacks = self._haystacks
        order = self._order
        assert order is not None
        self._order_haystacks = (
            "\n".join(map(haystacks.__getitem__, order)).split("\n") if order else []
        )

    # ------------------------------------------------------------------ the view

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

    def _rebuild_view(self, narrowing: bool = False, budget: float | None = None) -> None:
        """Recompute the view, scanning for at most ``budget`` seconds (None: completely)."""
        pending = self._scan
        self._scan = []
        self._scan_generation += 1
        self._wanted = None
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
        self._scan_rows(budget)

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

    def _scan_progressed(self, found_from: int) -> None:
        wanted = self._wanted
        found = False
        if wanted is not None and self._view is not None:
            try:
                position = self._view.index(wanted, found_from)
            except ValueError:
                pass
            else:
                self._wanted = None
                self._cursor = position
                found = True
        finished = not self._scan
        if finished:
            self._wanted = None
        if self.on_scan is not None:
            self.on_scan(ScanProgress(found_from, found, finished))

    # ------------------------------------------------------------------ the cursor

    def _restore_cursor(self, item_index: int | None) -> None:
        """Put the cursor back on ``item_index`` after the view changed: where it shows
        now, else (when a scan has yet to reach it) on the first row until it turns up."""
        position = None if item_index is None else self._view_position(item_index)
        if position is None and self._scan and item_index is not None and self._passes(item_index):
            self._wanted = item_index
        self._cursor = self.clamp(0 if position is None else position)

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
