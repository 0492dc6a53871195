"""Property tests: the table's filter/predicate/sort/append bookkeeping against a plain model,
and the cell sanitiser/fitter on arbitrary text. No App needed: the data side is pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from kb4tui.ui.widgets.virtual_table import Column, VirtualTable, _fit, sanitize_cell


@dataclass(frozen=True)
class Item:
    name: str
    score: int | None


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

items_st = st.lists(
    st.builds(
        Item,
        st.text(alphabet="abAB\n", max_size=4),
        st.none() | st.integers(min_value=-3, max_value=3),
    ),
    max_size=12,
)
ops_st = st.lists(
    st.one_of(
        st.tuples(st.just("filter"), st.text(alphabet="abAB", max_size=3)),
        st.tuples(st.just("predicate"), st.sampled_from(sorted(PREDICATES))),
        st.tuples(st.just("sort"), st.sampled_from(sorted(SORT_KEYS)), st.booleans()),
        st.tuples(st.just("clear_sort")),
        st.tuples(st.just("append"), items_st),
        st.tuples(st.just("set_rows"), items_st),
        st.tuples(st.just("move"), st.integers(min_value=-2, max_value=20)),
    ),
    max_size=25,
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
    return [
        items[i]
        for i in order
        if (predicate is None or predicate(items[i]))
        and query.lower() in items[i].name.lower().replace("\n", " ")
    ]


@settings(max_examples=150, deadline=None)
@given(items_st, ops_st)
def test_view_matches_a_plain_model(initial: list[Item], ops: list[tuple[Any, ...]]) -> None:
    table: VirtualTable[Item] = VirtualTable()
    table.set_columns([Column("name", "Name")])
    table.set_rows(initial, lambda i: (i.name,), search_text=lambda i: i.name)
    items = list(initial)
    query = ""
    predicate: Callable[[Item], bool] | None = None
    sort: tuple[Callable[[Item], Any], bool] | None = None
    for op in ops:
        before = table.highlighted
        if op[0] == "filter":
            query = op[1]
            table.set_filter(query)
        elif op[0] == "predicate":
            predicate = PREDICATES[op[1]]
            table.set_predicate(predicate)
        elif op[0] == "sort":
            sort = (SORT_KEYS[op[1]], op[2])
            table.sort_by(op[1], SORT_KEYS[op[1]], reverse=op[2])
        elif op[0] == "clear_sort":
            sort = None
            table.clear_sort()
        elif op[0] == "append":
            items = items + op[1]
            table.append_rows(op[1])
            # Streaming never moves the highlight to another item.
            if before is not None:
                assert table.highlighted is before
        elif op[0] == "set_rows":
            items = list(op[1])
            table.set_rows(items, lambda i: (i.name,), search_text=lambda i: i.name)
        else:
            table.move_cursor(op[1])
        visible = expected(items, query, predicate, sort)
        assert list(table.visible_items) == visible
        assert table.row_count == len(visible)
        assert table.total_count == len(items)
        if visible:
            assert 0 <= table.cursor_index < len(visible)
            assert table.highlighted is visible[table.cursor_index]
        else:
            assert table.highlighted is None


@given(st.text(), st.integers(min_value=1, max_value=30), st.sampled_from(["left", "right"]))
def test_fitted_cells_have_exact_width_and_no_controls(value: str, width: int, how: Any) -> None:
    clean = sanitize_cell(value)
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in clean)
    assert "\u202e" not in clean
    assert cell_len(_fit(clean, width, how)) == width


def test_sanitize_keeps_ordinary_text_and_removes_escapes() -> None:
    assert sanitize_cell("Phishing [Q3] – 研修 😀") == "Phishing [Q3] – 研修 😀"
    assert sanitize_cell("a\x1b[1;31mb\x1b[0m") == "ab"
    assert sanitize_cell("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b") == "alinkb"
    assert sanitize_cell("line1\nline2\ttab\r") == "line1 line2 tab "
    # NEL (\x85) is a line break, so a space; \x9b is an 8-bit CSI whose final byte is "y".
    assert sanitize_cell("x\x00\x07\x08\x7f\x85\x9by") == "x "
    assert sanitize_cell("x\x00\x07\x08\x7fy") == "xy"
    assert sanitize_cell("abc\u202edcba\u2066") == "abcdcba"
