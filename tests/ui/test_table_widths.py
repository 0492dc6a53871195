"""Column widths stay put while a predicate or filter changes which rows are visible."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual.app import App, ComposeResult

from kb4tui.ui.table import Column, VirtualTable

SIZE = (100, 30)


@dataclass(frozen=True)
class Person:
    id: int
    user: str
    email: str
    status: str


def cells(person: Person) -> tuple[str, str, str]:
    return (person.user, person.email, person.status)


class WidthsApp(App[None]):
    def __init__(self, columns: list[Column]) -> None:
        super().__init__()
        self.columns = columns

    def compose(self) -> ComposeResult:
        table: VirtualTable[Person] = VirtualTable()
        table.set_columns(self.columns)
        yield table

    @property
    def table(self) -> VirtualTable[Person]:
        return self.query_one(VirtualTable)


def people(n: int) -> list[Person]:
    return [
        Person(i, f"user{i}", f"u{i}@example.com", "Passed" if i % 50 else "Past Due")
        for i in range(n)
    ]


def label_offsets(table: VirtualTable[Person]) -> list[int]:
    """Where each column's label starts on the header line."""
    header = table.render_line(0).text
    return [header.index(column.label) for column in table.columns]


def status_column_end(table: VirtualTable[Person]) -> int:
    """Cells up to the end of the last column, measured on the first data row."""
    return cell_len(table.render_line(1).text.rstrip())


FLEX = [
    Column("user", "User", min_width=12, flex=2),
    Column("email", "Email", min_width=12, flex=2),
    Column("status", "Status", width=10),
]


async def test_flex_columns_keep_their_width_when_a_predicate_hides_the_scrollbar() -> None:
    app = WidthsApp(FLEX)
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        table.set_rows(people(500), cells, key=lambda p: p.id)
        await pilot.pause()
        assert table.show_vertical_scrollbar
        before = label_offsets(table)

        table.set_predicate(lambda p: p.status == "Past Due")  # 10 rows: no scrollbar
        await pilot.pause()
        assert not table.show_vertical_scrollbar
        assert label_offsets(table) == before
        # The lines still fill the (now wider) region: the scrollbar's room is blank.
        assert cell_len(table.render_line(1).text) == table.scrollable_content_region.width

        table.set_predicate(None)
        await pilot.pause()
        assert table.show_vertical_scrollbar
        assert label_offsets(table) == before


async def test_flex_columns_keep_their_width_when_the_filter_hides_the_scrollbar() -> None:
    app = WidthsApp(FLEX)
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        table.set_rows(people(500), cells)
        await pilot.pause()
        before = label_offsets(table)
        table.set_filter("user49")  # user49, user490..499: fits on one screen
        await pilot.pause()
        assert not table.show_vertical_scrollbar
        assert label_offsets(table) == before


async def test_auto_width_columns_are_sized_from_all_rows_not_the_visible_ones() -> None:
    auto = [Column("user", "User"), Column("email", "Email"), Column("status", "Status")]
    app = WidthsApp(auto)
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        rows = people(500)
        # The longest e-mail is in a row the predicate below hides.
        rows[-1] = Person(499, "user499", "a.much.longer.address@example.com", "Passed")
        table.set_rows(rows, cells)
        await pilot.pause()
        before = label_offsets(table)
        end = status_column_end(table)
        assert before[2] - before[1] > len("a.much.longer.address@example.com")

        table.set_predicate(lambda p: p.status == "Past Due")
        await pilot.pause()
        assert label_offsets(table) == before
        assert status_column_end(table) == end

        table.set_filter("user1")
        await pilot.pause()
        assert label_offsets(table) == before


async def test_a_table_that_fits_on_screen_uses_the_whole_width() -> None:
    app = WidthsApp(FLEX)
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        table.set_rows(people(10), cells)
        await pilot.pause()
        assert not table.show_vertical_scrollbar
        assert table.layout_width == table.scrollable_content_region.width == SIZE[0]
        # The fixed status column ends at the right edge: no room is kept for a scrollbar.
        assert label_offsets(table)[2] == SIZE[0] - 10
