"""The table's row model on its own (no Textual): filter, predicate, sort, appends and the
cursor, against a plain reference, with filters scanned a few rows at a time as on the
slowest machine; and the scan's own rules (the row looked for, what finishes a scan)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kb4tui.ui.table.model import ScanProgress, TableModel


@dataclass(frozen=True)
class Item:
    name: str
    score: int | None


def cells(item: Item) -> tuple[str]:
    return (item.name,)


def search_text(item: Item) -> str:
    return item.name


PREDICATES: dict[str, Callable[[Item], bool] | None] = {
    "none": None,
    "has score": lambda i: i.score is not None,
    "even": lambda i: (i.score or 0) % 2 == 0,
}
SORT_KEYS: dict[str, Callable[[Item], Any]] = {
    "name": lambda i: i.name.lower(),
    "score": lambda i: i.score,
    "length": lambda i: len(i.name),
}

# Short names over few letters and short queries: most queries match some rows, not all.
items_st = st.lists(
    st.builds(
        Item,
        st.text(alphabet="aabB\n", min_size=1, max_size=3),
        st.none() | st.integers(min_value=-3, max_value=3),
    ),
    max_size=16,
)
QUERIES = ["", "a", "b", "ab", "ba", " A", "aa"]
# Weighted towards what interleaves: typing (often narrowing) while earlier filters scan.
ops_st = st.lists(
    st.one_of(
        st.tuples(st.just("filter"), st.sampled_from(QUERIES)),
        st.tuples(st.just("filter"), st.sampled_from(QUERIES)),
        st.tuples(st.just("filter"), st.sampled_from(QUERIES)),
        st.tuples(st.just("predicate"), st.sampled_from(sorted(PREDICATES))),
        st.tuples(st.just("sort"), st.sampled_from(sorted(SORT_KEYS)), st.booleans()),
        st.tuples(st.just("clear_sort")),
        st.tuples(st.just("append"), items_st),
        st.tuples(st.just("set_rows"), items_st),
        st.tuples(st.just("move"), st.integers(min_value=-2, max_value=20)),
        st.tuples(st.just("move"), st.integers(min_value=-2, max_value=20)),
        st.tuples(st.just("frame")),  # one chunk of a pending filter, between two frames
        st.tuples(st.just("frame")),
        st.tuples(st.just("finish")),
        st.tuples(st.just("index"), st.integers(min_value=1, max_value=5)),
    ),
    min_size=4,
    max_size=30,
)


def expected(
    items: list[Item],
    query: str,
    predicate: Callable[[Item], bool] | None,
    sort: tuple[Callable[[Item], Any], bool] | None,
) -> list[Item]:
    order = list(range(len(items)))
    if sort is not None:
        key, reverse = sort
        present = [i for i in order if key(items[i]) is not None]
        present.sort(key=lambda i: key(items[i]), reverse=reverse)
        order = present + [i for i in order if key(items[i]) is None]
    query = query.strip().lower()
    return [
        items[i]
        for i in order
        if (predicate is None or predicate(items[i]))
        and query in items[i].name.lower().replace("\n", " ")
    ]


def shown(model: TableModel[Item]) -> list[Item]:
    """The rows in the view now, without finishing a pending scan."""
    return [model.items[model.row_index(p)] for p in range(model.row_count)]


def contains(rows: Sequence[Item], item: Item) -> bool:
    return any(row is item for row in rows)


@settings(max_examples=1000, deadline=None)
@given(items_st, ops_st, st.integers(min_value=1, max_value=3))
def test_the_view_and_the_cursor_match_a_plain_model_while_filters_scan_in_chunks(
    initial: list[Item], ops: list[tuple[Any, ...]], chunk: int
) -> None:
    progress: list[ScanProgress] = []
    model: TableModel[Item] = TableModel(on_scan=progress.append)
    model.FILTER_CHUNK = chunk
    model.set_rows(initial, cells, search_text=search_text)
    items = list(initial)
    query = ""
    predicate: Callable[[Item], bool] | None = None
    sort: tuple[Callable[[Item], Any], bool] | None = None
    # The item the cursor must be on once every row is scanned (None: whichever row is
    # highlighted when the next change comes).
    anchor: Item | None = None
    for op in ops:
        if anchor is None and op[0] not in ("move", "set_rows"):
            anchor = model.highlighted
        pending_before = model.filter_pending
        progress.clear()
        if op[0] == "filter":
            query = op[1]
            model.set_filter(query, budget=0.0)  # one chunk now, the rest in "frames"
        elif op[0] == "predicate":
            predicate = PREDICATES[op[1]]
            model.set_predicate(predicate)
        elif op[0] == "sort":
            sort = (SORT_KEYS[op[1]], op[2])
            model.sort_by(op[1], SORT_KEYS[op[1]], reverse=op[2])
        elif op[0] == "clear_sort":
            sort = None
            model.clear_sort()
        elif op[0] == "append":
            items = items + op[1]
            model.append_rows(op[1])
        elif op[0] == "set_rows":
            items = list(op[1])
            model.set_rows(items, cells, search_text=search_text)
            anchor = None  # kept by position: there is no key
        elif op[0] == "move":
            model.move_cursor(op[1])
            anchor = model.highlighted  # the user's choice, even a row a scan put there
        elif op[0] == "frame":
            model.scan(0.0)
        elif op[0] == "finish":
            model.finish_scan()
        else:
            model.index_step(op[1])

        visible = expected(items, query, predicate, sort)
        rows = shown(model)
        # Rows are found in display order: what a pending scan has found is a prefix.
        assert rows == visible[: len(rows)]
        if not model.filter_pending:
            assert rows == visible
        assert model.total_count == len(items)
        if rows:
            assert 0 <= model.cursor < len(rows)
            assert model.highlighted is rows[model.cursor]
        else:
            assert model.cursor == 0 and model.highlighted is None
        if anchor is not None and not contains(visible, anchor):
            anchor = None  # gone (or never there): the cursor goes where the model puts it
        if anchor is not None and not model.filter_pending:
            assert model.highlighted is anchor
        # A scan that was pending and is now complete said so (unless a new filter replaced
        # it); a new filter's first chunk is not reported.
        if op[0] != "filter":
            finished = [p for p in progress if p.finished]
            assert len(finished) == (1 if pending_before and not model.filter_pending else 0)
        else:
            assert progress == []
    assert list(model.visible_items) == expected(items, query, predicate, sort)


def people(n: int) -> list[Item]:
    return [Item(f"user{i:03d}", i) for i in range(n)]


def scanning(n: int, chunk: int) -> tuple[TableModel[Item], list[ScanProgress]]:
    progress: list[ScanProgress] = []
    model: TableModel[Item] = TableModel(on_scan=progress.append)
    model.FILTER_CHUNK = chunk
    model.set_rows(people(n), cells, search_text=search_text)
    return model, progress


def test_the_highlighted_row_found_late_by_a_scan_gets_the_cursor_back() -> None:
    model, progress = scanning(100, 10)
    rows = list(model.items)
    model.move_cursor(55)
    model.set_filter("user0", budget=0.0)  # every row matches; 10 scanned so far
    assert model.filter_pending and model.row_count == 10
    assert model.highlighted is rows[0] and model.wanted == 55  # a stand-in meanwhile
    while model.scan(0.0):
        pass
    assert model.highlighted is rows[55] and model.cursor == 55
    assert [p.wanted_found for p in progress].count(True) == 1
    assert progress[-1].finished and model.wanted is None


def test_moving_the_cursor_during_a_scan_keeps_it_where_the_user_put_it() -> None:
    model, _ = scanning(100, 10)
    rows = list(model.items)
    model.move_cursor(55)
    model.set_filter("user0", budget=0.0)
    model.move_cursor(3)
    assert model.wanted is None
    model.finish_scan()
    assert model.highlighted is rows[3]


def test_what_needs_every_row_finishes_the_scan_and_says_so() -> None:
    model, progress = scanning(100, 10)
    model.set_filter("user0", budget=0.0)
    assert progress == []  # the keystroke's own chunk is not progress between frames
    model.sort_by("score", lambda i: i.score, reverse=True)
    assert not model.filter_pending
    assert [p.finished for p in progress] == [True]
    model.set_filter("user00", budget=0.0)
    assert model.filter_pending
    assert len(model.visible_items) == 100 - 90  # users 009..000, sorted by score down
    assert [p.finished for p in progress] == [True, True]


def test_a_new_filter_replaces_a_pending_scan_without_reporting_it() -> None:
    model, progress = scanning(100, 10)
    model.set_filter("user0", budget=0.0)
    generation = model.scan_generation
    model.set_filter("user1", budget=0.0)  # not a narrowing: a scan from the start
    assert model.scan_generation != generation
    assert progress == []
    model.finish_scan()
    assert model.row_count == 0 and [p.finished for p in progress] == [True]


def test_without_a_budget_a_filter_scans_every_row_at_once() -> None:
    model, progress = scanning(100, 10)
    model.set_filter("user09")
    assert not model.filter_pending and model.row_count == 10 and progress == []


def test_the_search_text_is_indexed_in_steps() -> None:
    model, _ = scanning(12, 5)
    assert model.indexed_count == 0
    assert model.index_step(5) and model.indexed_count == 5
    assert model.index_step(5) and not model.index_step(5)
    assert model.indexed_count == 12
    model.set_filter("USER01")
    assert [item.score for item in model.visible_items] == [10, 11]


def test_appended_rows_join_a_sorted_filtered_view_and_the_cursor_keeps_its_item() -> None:
    model, _ = scanning(10, 4)
    model.sort_by("score", lambda i: i.score, reverse=True)
    model.set_predicate(lambda i: (i.score or 0) % 2 == 0)
    model.move_cursor(2)  # score 4
    item = model.highlighted
    model.append_rows([Item("user100", 100), Item("user101", 101), Item("late", None)])
    assert [i.score for i in model.visible_items] == [100, 8, 6, 4, 2, 0, None]  # None last
    assert model.highlighted is item and model.cursor == 3


def test_set_rows_keeps_the_cursor_on_the_item_with_the_same_key() -> None:
    model, _ = scanning(50, 10)
    model.move_cursor(30)
    fresh = [item for item in people(50) if item.score != 10]
    model.set_rows(fresh, cells, search_text=search_text, key=lambda i: i.score)
    assert model.highlighted == Item("user030", 30) and model.cursor == 29
    model.set_rows(people(5), cells, keep_cursor=False)
    assert model.cursor == 0


def test_position_of_finds_an_item_a_scan_has_not_reached() -> None:
    model, _ = scanning(100, 10)
    rows = list(model.items)
    model.set_filter("user0", budget=0.0)
    assert model.position_of(rows[90]) == 90
    assert not model.filter_pending
    model.set_filter("user00")
    assert model.position_of(rows[90]) is None
    assert model.position_of(Item("nobody", None)) is None


def test_narrowing_during_a_scan_keeps_rows_from_both_sides_in_order() -> None:
    model, _ = scanning(100, 10)
    model.set_filter("user0", budget=0.0)  # rows 0-9 found, 10-99 still to scan
    model.set_filter("user00", budget=0.0)  # narrows those found, then scans the rest
    assert [i.score for i in shown(model)] == list(range(10))
    model.set_filter("user05", budget=0.0)
    model.finish_scan()
    assert [i.score for i in shown(model)] == list(range(50, 60))


def test_a_row_that_no_longer_matches_is_not_looked_for() -> None:
    model, _ = scanning(100, 10)
    rows = list(model.items)
    model.move_cursor(75)
    model.set_filter("user0", budget=0.0)
    assert model.wanted == 75
    model.set_filter("user07", budget=0.0)  # rows 70-79, none scanned yet
    assert model.filter_pending and model.wanted == 75
    model.set_filter("user09", budget=0.0)  # row 75 does not match
    assert model.wanted is None
    model.finish_scan()
    assert model.highlighted is rows[90]
