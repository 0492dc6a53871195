"""Cell text for the table: cleaned of terminal controls, cropped and padded to a width.

Pure (Rich only, no Textual), so the row model and its tests can use it without an app.
Cells are ``str`` (rendered literally, never parsed as markup) or ``rich.text.Text`` (the
caller's own styling).
"""

from __future__ import annotations

from typing import Literal

from rich.cells import cell_len, set_cell_size
from rich.text import Text

from kb4tui.sanitize import clean_text

__all__ = [
    "MAX_CHARS_PER_CELL",
    "Cell",
    "Justify",
    "fit",
    "fit_text",
    "plain",
    "sanitize_cell",
]

Justify = Literal["left", "right", "center"]
Cell = str | Text

# Longest slice of a cell value worth measuring: enough characters for any column width
# (wide characters take two cells, combining marks none), so a 10,000-character value is cut
# before any per-character work.
MAX_CHARS_PER_CELL = 4


def sanitize_cell(value: str) -> str:
    """Return ``value`` without control characters or terminal escape sequences."""
    if value.isprintable():  # fast path: the usual case, checked at C speed
        return value
    return clean_text(value)


def plain(cell: object) -> str:
    """A cell's text. Besides str and Text, tolerates a caller's slip (None, a number)."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, Text):
        return cell.plain
    return "" if cell is None else str(cell)


def fit(text: str, width: int, justify: Justify) -> str:
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


def fit_text(text: Text, width: int, justify: Justify) -> Text:
    """Crop (with an ellipsis) or pad a styled ``Text`` to exactly ``width`` cells."""
    if len(text.plain) > width * MAX_CHARS_PER_CELL + 8:
        text = text[: width * MAX_CHARS_PER_CELL + 8]
    else:
        text = text.copy()
    cleaned = sanitize_cell(text.plain)
    if cleaned != text.plain:
        # Rare: control characters inside a styled Text. Styling is dropped with them.
        text = Text(cleaned, style=text.style)
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
