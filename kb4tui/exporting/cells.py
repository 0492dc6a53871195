"""One CSV cell from one model value, the same way everywhere, safe to open and to print.

Two dangers come with text typed by people (or synced from a directory employees can
edit): a spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` as a formula
(`=HYPERLINK(...)`, `=cmd|'/C calc'!A0`), and a terminal runs escape sequences. Every cell
is cleaned of control characters (tab and newline stay, inside quotes), and text that
would start a formula gets a leading `'` (OWASP's advice), which spreadsheets show as text.
Numbers kb4tui writes from numeric fields (days overdue, percentages, risk scores) are
left as numbers: `-3` is a value, not a formula, and prefixing it would turn it into text
that no longer sorts or sums.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, date, datetime

from kb4tui.sanitize import clean_field

__all__ = ["FORMULA_TRIGGERS", "LIST_SEPARATOR", "cell", "csv_cell"]

LIST_SEPARATOR = "; "
# OWASP "CSV Injection": the characters a spreadsheet may read as the start of a formula
# (a CR is cleaned into a line break before the check, so that counts too).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Below this a whole float is written as an integer; above it, in exponent form (a
# 309-digit integer from 1e308 helps nobody).
_WHOLE_FLOAT_LIMIT = 1e15


def cell(value: object) -> str:
    """Text for a CSV cell.

    None is empty, booleans are `true`/`false` (as in the API's JSON), timestamps are UTC
    ISO 8601 with `Z`, whole floats lose their `.0` (the API sends `62`, the model holds
    62.0), NaN and infinities are empty (the API cannot mean them), and lists are joined
    with "; ", a missing entry left empty so that parallel lists (`group_ids` and
    `group_names`) keep their positions (JSON export is the lossless format).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        if value.is_integer() and abs(value) < _WHOLE_FLOAT_LIMIT:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable):
        return LIST_SEPARATOR.join(cell(item) for item in value)
    return str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def csv_cell(value: object, *, neutralise: bool = True) -> str:
    """`cell(value)` without control characters, and with a `'` before text that would
    start a formula unless `neutralise` is False (`--csv-raw`, for pipelines that want the
    text as sent). A number from a numeric field is never prefixed."""
    text = clean_field(cell(value))
    if neutralise and text.startswith(FORMULA_TRIGGERS) and not _is_number(value):
        return "'" + text
    return text
