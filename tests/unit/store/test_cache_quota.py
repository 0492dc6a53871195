"""The quota meter: requests over the rolling 24 h, across restarts and processes."""

from __future__ import annotations

import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kb4tui.store.quota import QuotaMeter, QuotaStatus, quota_path

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_counts_survive_a_restart(tmp_path: Path) -> None:
    with QuotaMeter.open(tmp_path, "acme") as meter:
        meter.record(at=T0)
        meter.record(5, at=T0 + timedelta(minutes=1))
        assert meter.used(T0 + timedelta(minutes=2)) == 6
    with QuotaMeter.open(tmp_path, "acme") as reopened:
        assert reopened.used(T0 + timedelta(minutes=2)) == 6
        reopened.record(at=T0 + timedelta(minutes=3))
    with QuotaMeter.open(tmp_path, "acme") as again:
        assert again.used(T0 + timedelta(minutes=4)) == 7
        assert again.pop_notices() == []


def test_rolling_24_hour_window(tmp_path: Path) -> None:
    with QuotaMeter.open(tmp_path, "acme") as meter:
        meter.record(10, at=T0)
        meter.record(1, at=T0 + timedelta(hours=12))
        day = timedelta(hours=24)
        assert meter.used(T0 + day - timedelta(seconds=1)) == 11
        assert meter.used(T0 + day) == 1  # exactly 24 h old: expired
        assert meter.used(T0 + timedelta(hours=36) - timedelta(seconds=1)) == 1
        assert meter.used(T0 + timedelta(hours=36)) == 0
        # Not a calendar day: midnight does not reset anything.
        meter.record(2, at=datetime(2026, 11, 27, 23, 59, tzinfo=UTC))
        assert meter.used(datetime(2026, 11, 28, 0, 1, tzinfo=UTC)) == 10 + 1 + 2


def test_old_rows_are_pruned(tmp_path: Path) -> None:
    with QuotaMeter.open(tmp_path, "acme") as meter:
        for hour in range(72):
            meter.record(at=T0 + timedelta(hours=hour))
        rows = meter._conn.execute("SELECT COUNT(*) FROM requests").fetchone()[0]
        assert rows <= 25
        assert meter.used(T0 + timedelta(hours=71, minutes=30)) == 24


def test_limit_is_2000_plus_seats_and_remembered(tmp_path: Path) -> None:
    with QuotaMeter.open(tmp_path, "acme") as meter:
        assert meter.seats is None
        assert meter.limit == 2000  # a trial account reports no seats
        meter.set_seats(430)
        assert meter.limit == 2430
    with QuotaMeter.open(tmp_path, "acme") as reopened:
        assert reopened.seats == 430
        assert reopened.limit == 2430
        reopened.set_seats(None)
        assert reopened.limit == 2000


def test_warning_at_80_percent(tmp_path: Path) -> None:
    with QuotaMeter.open(tmp_path, "acme") as meter:
        meter.set_seats(500)  # limit 2500, warning from 2000
        meter.record(1999, at=T0)
        now = T0 + timedelta(minutes=1)
        assert not meter.warning(now)
        assert meter.status(now) == QuotaStatus(used=1999, limit=2500, warning=False)
        meter.record(at=T0)
        assert meter.warning(now)
        assert meter.status(now) == QuotaStatus(used=2000, limit=2500, warning=True)
        assert meter.remaining(now) == 500


def test_would_exceed(tmp_path: Path) -> None:
    with QuotaMeter.open(tmp_path, "acme") as meter:
        meter.record(1990, at=T0)
        now = T0 + timedelta(seconds=5)
        assert not meter.would_exceed(10, now)
        assert meter.would_exceed(11, now)
        meter.record(10, at=T0)
        assert meter.would_exceed(now=now)
        assert meter.remaining(now) == 0
        # The next day (rolling) the same request is fine again.
        assert not meter.would_exceed(100, T0 + timedelta(hours=24))


def test_non_positive_counts_are_ignored(tmp_path: Path) -> None:
    with QuotaMeter.open(tmp_path, "acme") as meter:
        meter.record(0, at=T0)
        meter.record(-3, at=T0)
        assert meter.used(T0) == 0


def test_profiles_are_counted_apart(tmp_path: Path) -> None:
    with QuotaMeter.open(tmp_path, "acme") as acme, QuotaMeter.open(tmp_path, "globex") as globex:
        acme.record(3, at=T0)
        globex.record(1, at=T0)
        assert acme.used(T0) == 3
        assert globex.used(T0) == 1


def test_two_processes_on_one_profile_add_up(tmp_path: Path) -> None:
    """Two kb4tui windows on the same profile: separate connections, concurrent writes."""
    first = QuotaMeter.open(tmp_path, "acme")
    second = QuotaMeter.open(tmp_path, "acme")
    try:

        def hammer(meter: QuotaMeter) -> None:
            for i in range(100):
                meter.record(at=T0 + timedelta(seconds=i))

        threads = [threading.Thread(target=hammer, args=(m,)) for m in (first, second, first)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert first.used(T0 + timedelta(minutes=5)) == 300
        assert second.used(T0 + timedelta(minutes=5)) == 300
        assert first.pop_notices() == [] and second.pop_notices() == []
    finally:
        first.close()
        second.close()


def test_quota_file_is_private_and_outside_the_cache(tmp_path: Path) -> None:
    with QuotaMeter.open(tmp_path, "acme") as meter:
        meter.record(at=T0)
        assert meter.path == quota_path("acme", tmp_path) == tmp_path / "acme.quota.sqlite3"
        assert stat.S_IMODE(meter.path.stat().st_mode) == 0o600
        assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700


def test_default_location_is_the_state_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert quota_path("acme") == tmp_path / "state" / "kb4tui" / "acme.quota.sqlite3"
