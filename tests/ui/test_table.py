"""Pilot tests for the virtual table: rendering, keys, messages, filter, sort, streaming."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from kb4tui.ui.compat import count_layouts
from kb4tui.ui.table import Column, SortKeyError, TableModel, VirtualTable

SIZE = (100, 30)


@dataclass
class Row:
    id: int
    name: str
    status: str
    score: int | None = None


def cells(row: Row) -> tuple[str, str, str]:
    return (row.name, row.status, "" if row.score is None else str(row.score))


COLUMNS = [
    Column("name", "Name", flex=1),
    Column("status", "Status", width=12),
    Column("score", "Score", width=6, justify="right"),
]


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.highlighted: list[Any] = []
        self.selected: list[Any] = []
        self.selected_by_id: list[Any] = []
        self.headers: list[str] = []
        self.filters_finished = 0

    def compose(self) -> ComposeResult:
        table: VirtualTable[Row] = VirtualTable(id="people")
        table.set_columns(COLUMNS)
        yield table

    @property
    def table(self) -> VirtualTable[Row]:
        return self.query_one(VirtualTable)

    def on_virtual_table_highlighted(self, message: VirtualTable.Highlighted) -> None:
        self.highlighted.append(message.item)

    def on_virtual_table_selected(self, message: VirtualTable.Selected) -> None:
        self.selected.append(message.item)

    def on_virtual_table_filter_finished(self, message: VirtualTable.FilterFinished) -> None:
        self.filters_finished += 1

    def on_virtual_table_header_selected(self, message: VirtualTable.HeaderSelected) -> None:
        self.headers.append(message.column_key)

    @on(VirtualTable.Selected, "#people")
    def people_selected(self, message: VirtualTable.Selected) -> None:
        self.selected_by_id.append(message.item)


def make_rows(n: int) -> list[Row]:
    statuses = ["Passed", "Not Started", "Past Due", "In Progress"]
    return [Row(i, f"user{i:06d}", statuses[i % 4], i) for i in range(n)]


def screen_lines(table: VirtualTable[Any]) -> list[str]:
    return [table.render_line(y).text for y in range(table.scrollable_content_region.height)]


def first_cells(table: VirtualTable[Any]) -> list[str]:
    """The first word of each data row on screen."""
    return [line.split()[0] for line in screen_lines(table)[1:] if line.strip()]


async def loaded(pilot: Pilot[None], rows: list[Row], **kwargs: Any) -> VirtualTable[Row]:
    app = pilot.app
    assert isinstance(app, TableApp)
    table = app.table
    table.set_rows(rows, cells, search_text=lambda r: f"{r.name} {r.status}", **kwargs)
    table.focus()
    await pilot.pause()
    return table


async def test_header_and_rows_render() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, make_rows(100))
        lines = screen_lines(table)
        assert lines[0].split() == ["Name", "Status", "Score"]
        assert lines[1].split() == ["user000000", "Passed", "0"]
        assert lines[2].split() == ["user000001", "Not", "Started", "1"]
        # 30 lines: the header plus 29 rows.
        assert first_cells(table)[-1] == "user000028"
        width = table.scrollable_content_region.width
        assert all(cell_len(line) == width for line in lines)
        # Right-justified column ends at the right edge.
        assert lines[1].endswith(" 0")


async def test_keys_move_cursor_and_emit_messages() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = make_rows(1000)
        table = await loaded(pilot, rows)
        assert app.highlighted[-1] is rows[0]
        await pilot.press("j", "down", "j")
        assert table.cursor_index == 3
        assert app.highlighted[-1] is rows[3]
        await pilot.press("k", "up")
        assert table.cursor_index == 1
        await pilot.press("pagedown")
        assert table.cursor_index == 1 + 29
        assert table.scroll_offset.y == 29
        await pilot.press("ctrl+b")
        assert table.cursor_index == 1
        await pilot.press("G")
        assert table.highlighted is rows[-1]
        assert first_cells(table)[-1] == "user000999"
        await pilot.press("g")
        assert table.cursor_index == 0
        await pilot.press("end", "up", "enter")
        assert app.selected == [rows[998]]
        assert app.selected_by_id == [rows[998]]
        await pilot.press("home")
        assert app.highlighted[-1] is rows[0]
        assert first_cells(table)[0] == "user000000"


async def test_cursor_row_is_styled_from_the_theme() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, make_rows(10))
        await pilot.press("j")
        cursor_style = next(iter(table.render_line(2))).style
        plain_style = next(iter(table.render_line(3))).style
        assert cursor_style is not None and plain_style is not None
        assert cursor_style.bgcolor != plain_style.bgcolor


async def test_no_color_marks_cursor_with_reverse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, make_rows(10))
        style = next(iter(table.render_line(1))).style
        assert style is not None and style.reverse
        other = next(iter(table.render_line(2))).style
        assert other is not None and not other.reverse


async def test_click_moves_cursor_then_selects() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = make_rows(50)
        table = await loaded(pilot, rows)
        await pilot.click(VirtualTable, offset=(3, 4))
        assert table.highlighted is rows[3]
        assert app.selected == []
        await pilot.click(VirtualTable, offset=(3, 4))
        assert app.selected == [rows[3]]


async def test_filter_is_case_insensitive_and_narrows_as_you_type() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, make_rows(1000))
        for query in ("P", "PA", "PAS", "PASS"):
            table.set_filter(query)
        await pilot.pause()
        assert table.row_count == 250
        assert table.total_count == 1000
        lines = screen_lines(table)[1:]
        assert all("Passed" in line for line in lines)
        table.set_filter("past due")
        await pilot.pause()
        assert {line.split()[1] for line in screen_lines(table)[1:]} == {"Past"}
        table.set_filter("user00012")
        await pilot.pause()
        assert first_cells(table) == [f"user00012{i}" for i in range(10)]
        table.set_filter("")
        assert table.row_count == 1000


async def test_filter_keeps_highlighted_item_when_still_visible() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = make_rows(1000)
        table = await loaded(pilot, rows)
        table.move_cursor(500)
        table.set_filter("user0005")
        await pilot.pause()
        assert table.highlighted is rows[500]
        assert table.cursor_index == 0
        table.set_filter("user0006")
        await pilot.pause()
        assert table.highlighted is rows[600]
        assert app.highlighted[-1] is rows[600]


async def test_empty_states_render_literally() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, [])
        assert screen_lines(table)[1].strip() == "No rows"
        assert table.highlighted is None
        await pilot.press("j", "enter", "G", "pagedown")
        assert app.selected == []
        table = await loaded(pilot, make_rows(10))
        table.set_filter("[/Q3] [bold]x")
        await pilot.pause()
        assert screen_lines(table)[1].strip() == "No rows match '[/q3] [bold]x'"


async def test_predicate_combines_with_filter() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, make_rows(1000))
        table.set_predicate(lambda r: r.status == "Past Due")
        await pilot.pause()
        assert table.row_count == 250
        assert all(r.status == "Past Due" for r in table.visible_items)
        table.set_filter("user0001")
        await pilot.pause()
        # user000100..user000199 with i % 4 == 2
        assert [r.id for r in table.visible_items] == list(range(102, 200, 4))
        assert first_cells(table)[:2] == ["user000102", "user000106"]
        table.set_predicate(None)
        assert table.row_count == 100
        table.set_filter("")
        table.set_predicate(lambda r: False)
        await pilot.pause()
        assert screen_lines(table)[1].strip() == "No rows match the filter"


async def test_sort_puts_none_last_and_marks_the_header() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = [Row(0, "a", "Passed", 5), Row(1, "b", "Passed", None), Row(2, "c", "x", 9)]
        rows += [Row(3, "d", "x", 1)]
        table = await loaded(pilot, rows)
        table.sort_by("score", lambda r: r.score)
        await pilot.pause()
        assert first_cells(table) == ["d", "a", "c", "b"]
        assert screen_lines(table)[0].split()[-1] == "Score▲"
        table.sort_by("score", lambda r: r.score, reverse=True)
        await pilot.pause()
        assert first_cells(table) == ["c", "a", "d", "b"]
        assert screen_lines(table)[0].split()[-1] == "Score▼"
        # Sorting keeps the filter and the highlighted item.
        table.move_cursor(1)
        table.set_filter("passed")
        assert first_cells(table) == ["a", "b"]
        assert table.highlighted is rows[0]
        table.sort_by("name", lambda r: r.name, reverse=True)
        assert first_cells(table) == ["b", "a"]
        assert table.highlighted is rows[0]
        assert screen_lines(table)[0].split()[0] == "Name▼"


async def test_a_sort_key_of_mixed_types_is_refused_and_the_table_stays_as_it_was() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = [Row(0, "a", "s", 5), Row(1, "b", "s", None), Row(2, "c", "s", 1)]
        table = await loaded(pilot, rows)
        table.sort_by("score", lambda r: r.score, reverse=True)
        table.move_cursor(1)
        with pytest.raises(SortKeyError, match=r"'mixed'.*int and str"):
            table.sort_by("mixed", lambda r: "text" if r.id == 2 else r.score)
        await pilot.pause()
        assert first_cells(table) == ["a", "c", "b"]
        assert (table.sort_column, table.sort_reverse) == ("score", True)
        assert screen_lines(table)[0].split()[-1] == "Score▼"
        assert table.highlighted is rows[2]


async def test_streaming_append_keeps_cursor_and_scroll() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = make_rows(3000)
        table = await loaded(pilot, rows[:500])
        await pilot.press("pagedown", "j", "j")
        cursor, scroll = table.cursor_index, table.scroll_offset.y
        before = screen_lines(table)
        highlighted_events = len(app.highlighted)
        table.append_rows(rows[500:1000])
        await pilot.pause()
        assert (table.cursor_index, table.scroll_offset.y) == (cursor, scroll)
        assert screen_lines(table) == before
        assert len(app.highlighted) == highlighted_events
        assert table.total_count == 1000
        await pilot.press("G")
        assert table.highlighted is rows[999]
        # With a filter and a sort, appended matches join in order, cursor stays on its item.
        table.set_filter("passed")
        table.sort_by("score", lambda r: r.score, reverse=True)
        table.move_cursor(0)
        table.move_cursor(3)
        await pilot.pause()
        assert first_cells(table)[:4] == ["user000996", "user000992", "user000988", "user000984"]
        item = table.highlighted
        table.append_rows(rows[1000:3000])
        await pilot.pause()
        assert table.highlighted is item
        assert table.row_count == 750
        # The highlighted row stays on the same screen line; newer, higher scores above it.
        assert first_cells(table)[:4] == ["user000996", "user000992", "user000988", "user000984"]
        await pilot.press("g")
        assert first_cells(table)[0] == "user002996"


async def test_set_rows_keeps_cursor_by_key() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, make_rows(500))
        table.move_cursor(300)
        scroll = table.scroll_offset.y
        # A refresh: new objects, one removed before the cursor.
        fresh = [r for r in make_rows(500) if r.id != 10]
        table.set_rows(fresh, cells, key=lambda r: r.id)
        await pilot.pause()
        assert table.highlighted is not None and table.highlighted.id == 300
        assert table.cursor_index == 299
        assert table.scroll_offset.y == scroll
        table.set_rows(make_rows(5), cells, keep_cursor=False)
        await pilot.pause()
        assert table.cursor_index == 0
        assert table.scroll_offset.y == 0


async def test_scroll_to_item() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = make_rows(2000)
        table = await loaded(pilot, rows)
        assert table.scroll_to_item(rows[1500])
        await pilot.pause()
        assert table.highlighted is rows[1500]
        assert "user001500" in first_cells(table)
        table.set_filter("user0000")
        assert not table.scroll_to_item(rows[1500])


async def test_markup_in_cells_is_literal() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        name = "[/Q3] Phish [bold]drill[/bold]"
        rows = [Row(0, name, "[red]Passed", 1)]
        table = await loaded(pilot, rows)
        table.set_rows(rows, lambda r: (r.name, Text(r.status), "[/]"))
        await pilot.pause()
        line = screen_lines(table)[1]
        assert name in line
        assert "[red]Passed" in line
        assert line.rstrip().endswith("[/]")
        # The header label is literal too.
        table.set_columns([Column("n", "[b]Name[/b]", flex=1)])
        await pilot.pause()
        assert screen_lines(table)[0].startswith("[b]Name[/b]")


async def test_escape_sequences_are_neutralised() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        evil = "A\x1b[2J\x1b]0;pwned\x07B\rC\nD\tE\x00F\x9bG\u202eH\x7f"
        rows = [Row(0, evil, "ok\x1b[31m", 1)]
        table = await loaded(pilot, rows)
        line = screen_lines(table)[1]
        # \x9b is an 8-bit CSI: as on a terminal, it swallows "G" as its final byte.
        assert line.split()[:5] == ["AB", "C", "D", "EFH", "ok"]
        segments = list(table.render_line(1))
        assert not any(ch in seg.text for seg in segments for ch in "\x1b\r\n\t\x00\x9b\x7f")
        assert cell_len(line) == table.scrollable_content_region.width


async def test_wide_characters_keep_columns_aligned() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = [
            Row(0, "ascii", "Passed", 1),
            Row(1, "研修キャンペーン" * 20, "合格した😀😀😀😀😀😀", 2),
            Row(2, "x" * 10_000, "y" * 10_000, 3),
        ]
        table = await loaded(pilot, rows)
        lines = screen_lines(table)[1:4]
        width = table.scrollable_content_region.width
        assert all(cell_len(line) == width for line in lines)
        # The status column starts at the same cell in every row: measure the prefix before it.
        name_width = width - 12 - 6 - 2
        for line, status in zip(lines, ["Passed", "合格", "y"], strict=True):
            prefix_cells = 0
            for index in range(len(line)):
                if line[index:].startswith(status):
                    break
                prefix_cells += cell_len(line[index])
            assert prefix_cells == name_width + 1, line
        assert "…" in lines[1] and "…" in lines[2]


async def test_text_cells_keep_their_style() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, make_rows(3))
        table.set_rows(
            make_rows(3), lambda r: (r.name, Text(r.status, style="bold red"), str(r.score))
        )
        styled = [s for s in list(table.render_line(2)) if s.text.startswith("Not")]
        assert styled and styled[0].style is not None and styled[0].style.bold
        # Spans inside a Text survive too.
        table.set_rows(make_rows(3), lambda r: (Text.assemble(("x", "italic"), r.name), "", ""))
        italic = [s for s in list(table.render_line(1)) if s.text == "x"]
        assert italic and italic[0].style is not None and italic[0].style.italic


async def test_resize_relayouts_flex_column() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, make_rows(100))
        wide = screen_lines(table)[1]
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        narrow = screen_lines(table)[1]
        assert cell_len(narrow) == table.scrollable_content_region.width < cell_len(wide)
        assert narrow.split() == ["user000000", "Passed", "0"]
        await pilot.press("pagedown")
        assert table.cursor_index == 20 - 1


async def test_hundred_thousand_rows_filter_page_and_sort() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = make_rows(100_000)
        table = await loaded(pilot, rows)
        assert first_cells(table)[0] == "user000000"
        for query in ("u", "us", "use", "user", "user0", "user09"):
            table.set_filter(query)
            await pilot.pause()
        await filter_finished(pilot, table)  # a slow machine scans 100k rows between frames
        assert table.row_count == 10_000
        for _ in range(5):
            table.action_page_down()
            await pilot.pause()
        assert table.cursor_index == 5 * 29
        assert first_cells(table)[-1] == "user090173"
        # Timings are benchmarks/bench_tables.py's job; this checks behaviour at 100k rows.
        item = table.highlighted
        table.sort_by("score", lambda r: r.score, reverse=True)
        await pilot.pause()
        assert table.highlighted is item
        await pilot.press("home")
        assert first_cells(table)[0] == "user099999"


async def test_clear_sort_restores_given_order() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, make_rows(5))
        table.sort_by("score", lambda r: r.score, reverse=True)
        await pilot.pause()
        assert first_cells(table)[0] == "user000004"
        table.clear_sort()
        await pilot.pause()
        assert first_cells(table)[0] == "user000000"
        assert table.sort_column is None
        assert "▲" not in screen_lines(table)[0] and "▼" not in screen_lines(table)[0]


async def test_emptying_the_table_highlights_nothing() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, make_rows(5))
        app.table.set_filter("no such user")
        await pilot.pause()
        assert app.highlighted[-1] is None
        app.table.set_filter("")
        await pilot.pause()
        assert app.highlighted[-1] is not None


async def test_cursor_colours_follow_focus_and_theme() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, make_rows(5))

        def cursor_bg() -> Any:
            style = next(iter(table.render_line(1))).style
            assert style is not None
            return style.bgcolor

        focused = cursor_bg()
        table.blur()
        await pilot.pause()
        blurred = cursor_bg()
        assert blurred != focused
        table.focus()
        await pilot.pause()
        assert cursor_bg() == focused
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        assert cursor_bg() != focused


async def test_search_index_is_built_in_the_background() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, make_rows(12_000))
        workers = [w for w in app.workers if w.group == "virtual-table-index"]
        if workers:
            await app.workers.wait_for_complete(workers)
        assert table.model.indexed_count == 12_000  # before the filter needed it
        table.set_filter("USER01199")
        assert [r.id for r in table.visible_items] == list(range(11_990, 12_000))


async def test_header_click_names_the_column() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, make_rows(5))
        width = table.scrollable_content_region.width
        await pilot.click(VirtualTable, offset=(0, 0))
        await pilot.click(VirtualTable, offset=(width - 1, 0))
        await pilot.click(VirtualTable, offset=(width - 8, 0))  # "Status"
        assert app.headers == ["name", "score", "status"]
        assert app.selected == []


async def test_ansi_theme_renders_with_a_visible_cursor() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "ansi-dark"
        table = await loaded(pilot, make_rows(5))
        await pilot.pause()
        cursor = next(iter(table.render_line(1))).style
        other = next(iter(table.render_line(2))).style
        assert cursor is not None and other is not None
        assert (cursor.bgcolor, cursor.color, cursor.reverse) != (
            other.bgcolor,
            other.color,
            other.reverse,
        )


@pytest.mark.parametrize("border", [False, True])
async def test_cursor_repaints_the_right_lines_when_scrolled(border: bool) -> None:
    """What Textual actually composites (its line cache), not just render_line."""
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, make_rows(500))
        if border:
            table.styles.border = ("round", "white")
            await pilot.pause()
        await pilot.press("pagedown", "pagedown", "j", "j", "k")
        await pilot.pause()
        strips = table.render_lines(table.outer_size.region)
        y = table.cursor_index - table.scroll_offset.y + 1
        expected_style = next(iter(table.render_line(y))).style
        assert expected_style is not None
        marked = [
            row
            for row, strip in enumerate(strips)
            if any(seg.style and seg.style.bgcolor == expected_style.bgcolor for seg in strip)
        ]
        assert marked == [y + table.gutter.top]


async def test_first_page_streamed_into_an_empty_table_shows() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, [])
        assert screen_lines(table)[1].strip() == "No rows"
        rows = make_rows(40)
        table.append_rows(rows[:20])
        await pilot.pause()
        assert first_cells(table)[:2] == ["user000000", "user000001"]
        assert app.highlighted[-1] is rows[0]
        table.append_rows(rows[20:])
        await pilot.pause()
        assert first_cells(table)[-1] == "user000028"
        assert table.highlighted is rows[0]


async def test_non_string_cells_do_not_crash() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, make_rows(2))
        bad: Any = lambda r: (r.name, None, r.score)  # noqa: E731 - a caller's typing slip
        table.set_rows(make_rows(2), bad)
        await pilot.pause()
        assert screen_lines(table)[2].split() == ["user000001", "1"]


async def test_row_count_changes_update_the_scrollbar_without_a_screen_layout() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, make_rows(1000))
        assert table.show_vertical_scrollbar
        with count_layouts(app.screen) as layouts:
            for query in ("user0", "user00", "user000"):  # 1000 -> 1000 -> 1000 -> 1000 rows
                table.set_filter(query)
                await pilot.pause()
            table.set_filter("user0001")  # 100 rows: still more than a screen
            await pilot.pause()
            assert layouts.count == 0
            assert table.vertical_scrollbar.window_virtual_size == 101  # the header line too
            assert first_cells(table)[0] == "user000100"
            table.set_filter("user00012")  # 10 rows: the scrollbar goes, the table lays out
            await pilot.pause()
            assert not table.show_vertical_scrollbar
            assert layouts.count >= 1
        assert first_cells(table) == [f"user00012{i}" for i in range(10)]
        table.set_filter("")
        await pilot.pause()
        assert table.show_vertical_scrollbar
        assert table.vertical_scrollbar.window_virtual_size == 1001
        await pilot.press("G")
        assert first_cells(table)[-1] == "user000999"


async def test_a_word_every_row_has_keeps_every_row_and_later_rows_still_join() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = make_rows(2000)
        table = await loaded(pilot, rows[:1000])
        table.set_filter("us")
        table.set_filter("use")  # narrowing where nothing drops out
        table.set_filter("user")
        assert table.row_count == 1000
        table.append_rows(rows[1000:])  # extends the view's own lists, not the index
        await pilot.pause()
        assert table.row_count == 2000
        assert table.total_count == 2000
        assert table.model.indexed_count == 2000  # the search index did not grow twice
        table.set_filter("user0019")
        assert table.row_count == 100
        table.set_filter("user")
        assert table.row_count == 2000
        await pilot.press("G")
        assert table.highlighted is rows[1999]


async def filter_finished(pilot: Pilot[None], table: VirtualTable[Any]) -> None:
    async with asyncio.timeout(30):
        while table.filter_pending:
            await pilot.pause()
    await pilot.pause()  # FilterFinished, posted by the last chunk, is handled


def small_chunks(table: VirtualTable[Any], rows: int) -> None:
    """Scan `rows` rows per keystroke and per frame, as on the slowest machine."""
    table.FILTER_BUDGET = 0.0
    table.model.FILTER_CHUNK = rows


async def test_a_filter_over_many_rows_paints_its_first_rows_then_scans_between_frames() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = make_rows(100_000)
        table = await loaded(pilot, rows)
        table.FILTER_BUDGET = 0.0  # one chunk per frame, as on the slowest machine
        table.set_filter("user0")  # every row matches
        assert table.filter_pending
        assert table.row_count == TableModel.FILTER_CHUNK  # what the keystroke scanned
        assert table.total_count == 100_000
        await pilot.pause()
        assert first_cells(table)[0] == "user000000"  # on screen before the scan is done
        await filter_finished(pilot, table)
        assert table.row_count == 100_000
        assert app.filters_finished == 1  # handled: filter_finished lets messages drain
        assert [row.id for row in table.visible_items] == list(range(100_000))


async def test_narrowing_while_a_filter_is_still_scanning_keeps_the_rows_in_order() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = make_rows(100_000)
        table = await loaded(pilot, rows)
        table.FILTER_BUDGET = 0.0
        table.set_filter("user0")
        await pilot.pause()  # part of the rows scanned with "user0"
        table.set_filter("user09")  # narrows what was found; the rest is scanned anew
        table.set_filter("user095")
        await filter_finished(pilot, table)
        assert [row.id for row in table.visible_items] == list(range(95_000, 96_000))
        table.set_filter("user01")  # not a narrowing: a scan from the start
        await filter_finished(pilot, table)
        assert [row.id for row in table.visible_items] == list(range(10_000, 20_000))


async def test_the_highlighted_row_found_late_in_a_scan_keeps_the_cursor() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = make_rows(100_000)
        table = await loaded(pilot, rows)
        table.move_cursor(95_005)
        table.FILTER_BUDGET = 0.0
        table.set_filter("user09")  # the first chunk holds none of its rows
        assert table.row_count == 0
        assert "Filtering…" in screen_lines(table)[1]  # not "No rows match"
        await filter_finished(pilot, table)
        assert table.highlighted is rows[95_005]
        assert table.cursor_index == 5_005
        assert app.highlighted[-1] is rows[95_005]
        await pilot.pause()
        assert first_cells(table)[-1] == "user095005"  # scrolled to, at the bottom edge
        # Once the user moves, the scan no longer moves the cursor for them.
        table.set_filter("user0")
        assert table.filter_pending
        table.move_cursor(3)
        await filter_finished(pilot, table)
        assert table.highlighted is rows[3]


async def test_what_needs_every_row_finishes_a_pending_filter() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = make_rows(100_000)
        table = await loaded(pilot, rows[:60_000])
        table.FILTER_BUDGET = 0.0
        table.set_filter("user0")
        assert table.filter_pending
        table.append_rows(rows[60_000:])  # streamed rows go after those still to scan
        assert not table.filter_pending
        assert [row.id for row in table.visible_items] == list(range(100_000))
        table.set_filter("user00")
        table.set_filter("user0")  # wider again: a scan from the start
        assert table.filter_pending
        await pilot.press("G")  # the last row is the last match, not the last one found
        assert table.highlighted is rows[-1]
        table.set_filter("user1")
        assert table.filter_pending
        table.sort_by("score", lambda r: r.score, reverse=True)  # a sort is never partial
        assert not table.filter_pending
        assert table.row_count == 0  # no "user1..." among user000000..user099999
        table.set_filter("user00001")
        assert [row.id for row in table.visible_items] == list(range(19, 9, -1))


async def test_narrowing_during_a_scan_keeps_matches_from_both_sides_in_order() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await loaded(pilot, make_rows(100))
        small_chunks(table, 10)
        table.set_filter("p")
        table.set_filter("pa")  # Passed and Past Due: every other row
        assert table.filter_pending and table.row_count == 5  # rows 0, 2, 4, 6, 8 so far
        table.set_filter("pass")  # Passed only, from what was found and from the rest
        await filter_finished(pilot, table)
        assert [row.id for row in table.visible_items] == list(range(0, 100, 4))


async def test_the_row_looked_for_is_kept_through_more_typing_and_a_sort() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = make_rows(100)
        table = await loaded(pilot, rows)
        small_chunks(table, 10)
        table.move_cursor(55)
        table.set_filter("user0")
        assert table.filter_pending and table.highlighted is rows[0]  # a stand-in
        table.set_filter("user00")  # typed before the scan reached row 55
        await filter_finished(pilot, table)
        assert table.highlighted is rows[55]
        table.move_cursor(75)
        table.set_filter("user000")
        assert table.filter_pending
        table.sort_by("score", lambda r: r.score, reverse=True)  # finishes the scan first
        assert not table.filter_pending
        assert table.highlighted is rows[75]
        table.set_filter("user00007")  # rows 79..70, after the first chunk (99..90)
        assert table.filter_pending and table.model.wanted == 75
        table.set_filter("user00009")  # row 75 no longer matches: nothing to look for
        assert table.filter_pending and table.model.wanted is None
        await filter_finished(pilot, table)
        assert table.highlighted is rows[99]


async def test_scroll_to_item_finds_a_row_the_scan_has_not_reached() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = make_rows(100)
        table = await loaded(pilot, rows)
        small_chunks(table, 10)
        table.set_filter("user0")
        assert table.filter_pending
        assert table.scroll_to_item(rows[90])
        assert table.highlighted is rows[90] and table.cursor_index == 90
        assert not table.filter_pending


async def scrolled_down(pilot: Pilot[None], rows: list[Row], cursor: int) -> VirtualTable[Row]:
    """A table scrolled down to `cursor`, scanning 10 rows per keystroke and frame."""
    table = await loaded(pilot, rows)
    table.move_cursor(cursor)
    await pilot.pause()
    assert table.scroll_offset.y > cursor - SIZE[1]
    small_chunks(table, 10)
    return table


async def test_the_first_rows_found_for_an_empty_view_are_scrolled_to() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = make_rows(100)
        table = await scrolled_down(pilot, rows, 80)
        table.set_filter("user00009")  # rows 90-99; row 80 is not among them
        assert table.filter_pending and table.row_count == 0
        await filter_finished(pilot, table)
        assert table.highlighted is rows[90]
        assert table.scroll_offset.y == 0
        assert first_cells(table)[0] == "user000090"


async def test_a_view_cut_below_a_screen_scrolls_back_to_its_cursor() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await scrolled_down(pilot, make_rows(200), 150)
        table.set_filter("user0000")  # rows 0-99, of which 10 found: no scrollbar for now
        assert table.row_count == 10 and table.cursor_index == 0
        table.append_rows(make_rows(201)[200:])  # finishes the scan in the same frame
        assert table.row_count == 100
        await pilot.pause()
        assert table.scroll_offset.y == 0
        assert first_cells(table)[0] == "user000000"


async def test_the_cursor_is_a_reactive_that_clamps_scrolls_and_announces() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        rows = make_rows(100)
        table = await loaded(pilot, rows)
        table.cursor = 500  # past the end: validate_cursor clamps it
        assert table.cursor == table.cursor_index == 99
        assert table.highlighted is rows[99]
        await pilot.pause()
        assert app.highlighted[-1] is rows[99]
        assert first_cells(table)[-1] == "user000099"  # watch_cursor scrolled to it
        table.cursor = -3
        await pilot.pause()
        assert table.cursor == 0 and app.highlighted[-1] is rows[0]
        assert first_cells(table)[0] == "user000000"
        # Set during a filter's scan, it is the user's choice: the scan no longer moves it.
        table.move_cursor(55)
        small_chunks(table, 10)
        table.set_filter("user0")
        assert table.model.wanted == 55
        table.cursor = 3
        assert table.model.wanted is None
        await filter_finished(pilot, table)
        assert table.highlighted is rows[3]
