"""The current time and the user's time zone: the only impure helpers in kb4tui.core.

Everything else in core takes `now` and `tz` as parameters; callers (UI, CLI) get them
here once and pass them down, so tests can pin both.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["as_aware", "local_timezone", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_aware(moment: datetime) -> datetime:
    """A naive datetime is read as UTC, as the models read the API's timestamps."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local_timezone() -> tzinfo:
    """The user's zone with its DST rules: $TZ, then /etc/localtime, then the current offset.

    A fixed offset (what `datetime.now().astimezone()` gives) would put a winter deadline
    on the wrong day when viewed in summer, hence the effort to get real rules.
    """
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    try:
        with open("/etc/localtime", "rb") as handle:
            return ZoneInfo.from_file(handle, key="localtime")
    except (OSError, ValueError):
        pass
    return datetime.now().astimezone().tzinfo or UTC
