"""Sort keys are typed: one comparable type per column, None (or NaN) last in either
direction, and a key of mixed types is refused with a clear error instead of an order by
text. Also: the model and its pure helpers import no Textual."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from kb4tui.ui.table.model import TableModel
from kb4tui.ui.table.sort_keys import SortKeyError


@dataclass(frozen=True)
class Row:
    name: str
    value: Any


def model_of(*values: Any) -> TableModel[Row]:
    model: TableModel[Row] = TableModel()
    rows = [Row(f"r{i}", value) for i, value in enumerate(values)]
    model.set_rows(rows, lambda row: (row.name,), key=lambda row: row.name)
    return model


def names(model: TableModel[Row]) -> list[str]:
    return [row.name for row in model.visible_items]


def test_missing_values_come_last_in_either_direction() -> None:
    model = model_of(2, None, 1, None, 3)
    model.sort_by("value", lambda row: row.value)
    assert names(model) == ["r2", "r0", "r4", "r1", "r3"]
    model.sort_by("value", lambda row: row.value, reverse=True)
    assert names(model) == ["r4", "r0", "r2", "r1", "r3"]


def test_int_and_float_are_one_kind_and_nan_counts_as_missing() -> None:
    model = model_of(2.5, float("nan"), 1, 3)
    model.sort_by("value", lambda row: row.value)
    assert names(model) == ["r2", "r0", "r3", "r1"]
    model.sort_by("value", lambda row: row.value, reverse=True)
    assert names(model) == ["r3", "r0", "r2", "r1"]


def test_a_key_of_mixed_types_is_refused_naming_the_column_and_the_types() -> None:
    end = datetime(2026, 3, 3, tzinfo=UTC)
    model = model_of(end, "+1 month", None)
    with pytest.raises(SortKeyError) as raised:
        model.sort_by("end", lambda row: row.value)
    assert str(raised.value) == (
        "The sort key of column 'end' returned datetime and str values; a column's sort key"
        " must return one type (None for a missing value)."
    )
    assert isinstance(raised.value, TypeError)
    assert model.sort_column is None and names(model) == ["r0", "r1", "r2"]  # as it was


def test_booleans_are_not_numbers_and_dates_are_not_datetimes() -> None:
    with pytest.raises(SortKeyError, match="bool and int"):
        model_of(True, 2).sort_by("flag", lambda row: row.value)
    with pytest.raises(SortKeyError, match="date and datetime"):
        day = datetime(2026, 1, 1, tzinfo=UTC)
        model_of(day, day.date()).sort_by("day", lambda row: row.value)


def test_keys_of_one_type_that_do_not_order_are_refused_too() -> None:
    naive, aware = datetime(2026, 1, 1), datetime(2026, 1, 2, tzinfo=UTC)
    with pytest.raises(SortKeyError, match="'when' do not order"):
        model_of(naive, aware).sort_by("when", lambda row: row.value)
    with pytest.raises(SortKeyError, match="'pair' do not order"):
        model_of((1, "a"), (1, 2)).sort_by("pair", lambda row: row.value)


def test_rows_whose_key_breaks_the_column_type_are_refused_and_change_nothing() -> None:
    model = model_of(3, 1)
    model.sort_by("value", lambda row: row.value)
    model.move_cursor(1)
    with pytest.raises(SortKeyError, match="int and str"):
        model.append_rows([Row("late", "soon")])
    assert names(model) == ["r1", "r0"] and model.total_count == 2
    assert model.highlighted == Row("r0", 3)
    with pytest.raises(SortKeyError, match="int and str"):
        model.set_rows([Row("a", 1), Row("b", "x")], lambda row: (row.name,))
    assert names(model) == ["r1", "r0"] and model.sort_column == "value"
    model.append_rows([Row("r2", 2), Row("r3", None)])  # the same type: sorted in
    assert names(model) == ["r1", "r2", "r0", "r3"]


def test_the_row_model_imports_no_textual() -> None:
    code = (
        "import sys, kb4tui.ui.table.model, kb4tui.ui.table.columns;"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'textual'], 'textual'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
