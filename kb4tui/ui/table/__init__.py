"""The virtual table: a pure row model (`TableModel`: items, sort, filter, predicate, the
progressive filter scan, the cursor's place) and the widget that draws it and handles keys
(`VirtualTable`).

The widget is imported on first use, so that the model and its tests never import Textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kb4tui.ui.table.cells import Cell, sanitize_cell
from kb4tui.ui.table.columns import Column
from kb4tui.ui.table.model import ScanProgress, TableModel
from kb4tui.ui.table.sort_keys import SortKeyError

if TYPE_CHECKING:
    from kb4tui.ui.table.widget import VirtualTable

__all__ = [
    "Cell",
    "Column",
    "ScanProgress",
    "SortKeyError",
    "TableModel",
    "VirtualTable",
    "sanitize_cell",
]


def __getattr__(name: str) -> Any:
    if name == "VirtualTable":
        from kb4tui.ui.table.widget import VirtualTable

        return VirtualTable
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
