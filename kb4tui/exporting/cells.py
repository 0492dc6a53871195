"""One CSV cell from one model value, the same way everywhere."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

LIST_SEPARATOR = "; "


def cell(value: object) -> str:
    """Text for a CSV cell.

    None is empty, booleans are `true`/`false` (as in the API's JSON), timestamps are UTC
    ISO 8601 with `Z`, whole floats lose their `.0` (the API sends `62`, the model holds
    62.0), and lists are joined with "; " (JSON export is the lossless format).
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
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable):
        return LIST_SEPARATOR.join(cell(item) for item in value if item is not None)
    return str(value)
