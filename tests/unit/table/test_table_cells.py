"""Cell text: cleaned of terminal controls and fitted to its column, whatever the API sent."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.text import Text

from kb4tui.ui.table.cells import fit, fit_text, plain, sanitize_cell


@given(st.text(), st.integers(min_value=1, max_value=30), st.sampled_from(["left", "right"]))
def test_fitted_cells_have_exact_width_and_no_controls(value: str, width: int, how: Any) -> None:
    clean = sanitize_cell(value)
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in clean)
    assert "\u202e" not in clean
    assert cell_len(fit(clean, width, how)) == width


@given(st.text(), st.integers(min_value=1, max_value=30), st.sampled_from(["left", "center"]))
def test_fitted_styled_cells_have_exact_width_and_no_controls(
    value: str, width: int, how: Any
) -> None:
    text = fit_text(Text(value, style="bold"), width, how)
    assert text.cell_len == width
    assert sanitize_cell(text.plain) == text.plain


def test_sanitize_keeps_ordinary_text_and_removes_escapes() -> None:
    assert sanitize_cell("Phishing [Q3] – 研修 😀") == "Phishing [Q3] – 研修 😀"
    assert sanitize_cell("a\x1b[1;31mb\x1b[0m") == "ab"
    assert sanitize_cell("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b") == "alinkb"
    assert sanitize_cell("line1\nline2\ttab\r") == "line1 line2 tab "
    # NEL (\x85) is a line break, so a space; \x9b is an 8-bit CSI whose final byte is "y".
    assert sanitize_cell("x\x00\x07\x08\x7f\x85\x9by") == "x "
    assert sanitize_cell("x\x00\x07\x08\x7fy") == "xy"
    assert sanitize_cell("abc\u202edcba\u2066") == "abcdcba"


def test_a_cell_that_is_not_text_reads_as_text() -> None:
    assert [plain(cell) for cell in ("a", Text("b"), None, 3)] == ["a", "b", "", "3"]


def test_cropped_cells_end_with_an_ellipsis_and_short_ones_are_justified() -> None:
    assert fit("abcdef", 4, "left") == "abc…"
    assert fit("研修研修", 5, "left") == "研修…"
    assert fit("ab", 4, "right") == "  ab"
    assert fit("ab", 5, "center") == " ab  "
