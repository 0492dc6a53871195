"""Neutralise text from the API before it reaches a terminal.

KnowBe4 names, descriptions and emails are typed by people (or imported from HR systems)
and can hold anything. Printed raw, `\\x1b[2J` clears the screen, `\\x1b]52;c;...\\x07`
writes the admin's clipboard, `\\r` and backspaces overwrite what is already on the line,
and bidi overrides make a name read backwards. `clean_text` removes all of that and keeps
every printable character (any script, emoji, wide characters) exactly as sent.

Never imports textual: the CLI and the exporters may use it too.
"""

from __future__ import annotations

import re

__all__ = ["clean_field", "clean_text", "is_clean", "strip_controls"]

# Whole escape sequences go in one piece, so that no half of one is left to show as
# garbage: CSI (ESC [ or the 8-bit 0x9b) up to its final byte; OSC, DCS, SOS, PM and APC
# (7- or 8-bit introducers) up to BEL or ST, or to the end of the string as a terminal
# would; any other ESC plus its intermediate and final bytes.
_SEQUENCE = re.compile(
    r"""
      (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) .*? (?:\x07|\x1b\\|\x9c|\Z)
    | \x1b [\x20-\x2f]* [\x30-\x7e]?
    """,
    re.VERBOSE | re.DOTALL,
)

# Anything that needs work. Plain text (the usual case) is returned after one search.
_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

_WHITESPACE = "\t\n\v\f\r\x85\u2028\u2029"
# Line breaks and tabs become a space (a table cell is one line); other C0/C1 controls,
# DEL and bidi embeddings/overrides/isolates are dropped; lone surrogates (JSON "\ud800"
# decodes to one, and it cannot be encoded to UTF-8 for the terminal) become U+FFFD.
_ONE_LINE = {
    **{code: None for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))},
    **{code: None for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
    **{code: "\ufffd" for code in range(0xD800, 0xE000)},
    **{ord(char): " " for char in _WHITESPACE},
}
_MULTI_LINE = {**_ONE_LINE, ord("\n"): "\n"}
_FIELD = {**_MULTI_LINE, ord("\t"): "\t"}


def clean_text(text: str, *, multiline: bool = False) -> str:
    """`text` with escape sequences and control characters removed, safe to print.

    Line breaks and tabs become spaces, or with `multiline` newlines are kept (`\\r\\n`
    and a lone `\\r` become `\\n`). Printable characters of any script are kept as they are.
    """
    if not _SUSPECT.search(text):
        return text
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SEQUENCE.sub("", text)
    return text.translate(_MULTI_LINE if multiline else _ONE_LINE)


def clean_field(text: str) -> str:
    """`text` for a data file (a CSV cell): like `clean_text` with `multiline`, and tabs
    kept too, so the only control characters left are tab and newline.

    A file read by `cat`, `less` or a spreadsheet is a terminal's input as much as a
    screen is, and a pipe ends on one more often than not.
    """
    if not _SUSPECT.search(text):
        return text
    text = _SEQUENCE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.translate(_FIELD)


# Every character here is zero cells wide to Rich, so dropping them keeps a laid-out line's
# width; a lone surrogate is one cell, and so is U+FFFD.
_ZERO_WIDTH_CONTROLS = {
    **{code: None for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))},
    **{code: None for code in (0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))},
    **{code: "\ufffd" for code in range(0xD800, 0xE000)},
}


def strip_controls(text: str) -> str:
    """`text` without control characters, keeping its width on screen.

    For text already laid out in cells (a rendered line): only the zero-width controls go,
    so the printable rest of an escape sequence (`[2J`) stays as inert text. Use
    `clean_text` for text that is yet to be laid out.
    """
    if not _SUSPECT.search(text):
        return text
    return text.translate(_ZERO_WIDTH_CONTROLS)


def is_clean(text: str, *, multiline: bool = False) -> bool:
    """True if `text` holds nothing `clean_text` would change (for tests and asserts)."""
    return clean_text(text, multiline=multiline) == text
