"""Column widths: auto widths from a sample of rows, flex columns sharing the rest."""

from __future__ import annotations

from collections.abc import Sequence

from kb4tui.ui.table.columns import Column, ColumnLayout


def laid_out(columns: list[Column], rows: Sequence[tuple[str, ...]], width: int) -> ColumnLayout:
    layout = ColumnLayout()
    layout.set_columns(columns)
    layout.measure(rows, lambda row: row)
    layout.layout(width)
    return layout


def test_flex_columns_share_the_spare_width_exactly() -> None:
    columns = [
        Column("a", "A", min_width=5, flex=1),
        Column("b", "B", min_width=5, flex=2),
        Column("c", "C", width=7),
    ]
    layout = laid_out(columns, [], 60)
    assert sum(layout.widths) + 2 == layout.content_width == 60
    # Each flex column has its minimum, and the 41 cells left are shared 1:2.
    assert layout.widths == [5 + 13, 5 + 28, 7]


def test_auto_widths_fit_the_longest_sampled_value_up_to_a_limit() -> None:
    columns = [Column("name", "Name"), Column("id", "Id")]
    rows = [("ada", "1"), ("研修キャンペーン", "22"), ("x" * 500, "333")]
    layout = laid_out(columns, rows, 100)
    assert layout.widths == [ColumnLayout.MAX_AUTO_WIDTH, 4]  # "Id" + arrow < min_width 4
    assert layout.column_at(0) == columns[0]
    assert layout.column_at(ColumnLayout.MAX_AUTO_WIDTH) is None  # the gap
    assert layout.column_at(ColumnLayout.MAX_AUTO_WIDTH + 1) == columns[1]


def test_the_last_rows_are_sampled_too_and_a_longer_table_is_measured_again() -> None:
    columns = [Column("id", "Id")]
    rows = [("1",)] * 1000 + [("1234567890",)]
    layout = laid_out(columns, rows, 100)
    assert layout.widths == [10]
    small = laid_out(columns, rows[:5], 100)
    assert small.measured_enough(5) and not small.measured_enough(6)
    assert small.measured_enough(0)


def test_a_layout_is_recomputed_only_when_the_width_or_the_measure_changes() -> None:
    layout = laid_out([Column("a", "A", flex=1)], [("a",)], 30)
    assert not layout.layout(30)
    assert layout.layout(31) and layout.widths == [31]
    layout.measure([("b",)], lambda row: row)
    assert layout.layout(31)
