"""The user's time zone comes with its DST rules."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from kb4tui.core.clock import as_aware, local_timezone, utc_now


def test_tz_environment_variable_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    zone = local_timezone()
    assert zone == ZoneInfo("America/New_York")
    # Real rules, not today's offset: winter and summer differ.
    assert (
        datetime(2026, 1, 15, tzinfo=zone).utcoffset()
        != datetime(2026, 7, 15, tzinfo=zone).utcoffset()
    )


def test_bad_tz_falls_back_without_raising(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Not/AZone")
    zone = local_timezone()
    assert datetime(2026, 1, 15, tzinfo=zone).utcoffset() is not None


def test_as_aware_reads_naive_as_utc() -> None:
    assert as_aware(datetime(2026, 1, 1)) == datetime(2026, 1, 1, tzinfo=UTC)
    plus = datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert as_aware(plus) is plus
    assert utc_now().tzinfo is UTC
