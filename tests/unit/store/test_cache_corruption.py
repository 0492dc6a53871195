"""A bad cache or quota file is moved aside and rebuilt with a notice, never a crash."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kb4tui.store import dbfile
from kb4tui.store.cache import Cache, account_key, cache_path
from kb4tui.store.quota import QuotaMeter, quota_path

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ACCOUNT = account_key("https://us.api.knowbe4.com")


def corrupt_copies(directory: Path, path: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.name.startswith(path.name + ".corrupt-"))


def populated(directory: Path, rows: int = 2000) -> Path:
    with Cache.open(directory, "acme", ACCOUNT) as cache:
        cache.put("campaigns", [{"campaign_id": i, "name": f"c{i}"} for i in range(rows)], T0)
        cache.put("users", [{"id": i, "email": f"u{i}@example.com"} for i in range(rows)], T0)
        path = cache.path
    assert not path.with_name(path.name + "-wal").exists()  # checkpointed on close
    return path


def assert_fresh_and_working(cache: Cache) -> None:
    assert cache.kinds() == []
    cache.put("campaigns", [{"campaign_id": 1}], T0)
    got = cache.get("campaigns")
    assert got is not None and got.records == [{"campaign_id": 1}]
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600


def test_garbage_file_is_moved_aside(tmp_path: Path) -> None:
    path = cache_path("acme", ACCOUNT, tmp_path)
    garbage = os.urandom(3000)
    path.write_bytes(garbage)
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        notices = cache.pop_notices()
        assert_fresh_and_working(cache)
    assert len(notices) == 1 and "moved to" in notices[0] and str(path) in notices[0]
    [moved] = corrupt_copies(tmp_path, path)
    assert moved.read_bytes() == garbage


def test_truncated_file_is_moved_aside(tmp_path: Path) -> None:
    path = populated(tmp_path)
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.truncate(size // 2)
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        notices = cache.pop_notices()
        assert_fresh_and_working(cache)
    assert len(notices) == 1 and "moved to" in notices[0]
    assert len(corrupt_copies(tmp_path, path)) == 1


def test_damaged_page_in_the_middle_is_caught_by_the_check(tmp_path: Path) -> None:
    path = populated(tmp_path, rows=20_000)
    with path.open("r+b") as handle:
        handle.seek(4096)  # page 2, the table's root: an invalid b-tree page type
        handle.write(b"\xff" * 8)
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        assert any("moved to" in n for n in cache.pop_notices())
        assert_fresh_and_working(cache)


def test_wrong_user_version_is_rebuilt_in_place(tmp_path: Path) -> None:
    path = populated(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=99")
    conn.close()
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        notices = cache.pop_notices()
        assert_fresh_and_working(cache)
    assert len(notices) == 1 and "format 99, expected 1" in notices[0]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone() == (1,)
    conn.close()


def test_right_version_wrong_tables_is_moved_aside(tmp_path: Path) -> None:
    path = cache_path("acme", ACCOUNT, tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE datasets (kind TEXT PRIMARY KEY, data TEXT)")
    conn.execute("PRAGMA user_version=1")
    conn.close()
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        assert any("moved to" in n for n in cache.pop_notices())
        assert_fresh_and_working(cache)


def test_a_directory_where_the_file_should_be(tmp_path: Path) -> None:
    path = cache_path("acme", ACCOUNT, tmp_path)
    path.mkdir()
    (path / "something").write_text("x")
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        notices = cache.pop_notices()
        assert_fresh_and_working(cache)
    assert path.is_file()
    [moved] = corrupt_copies(tmp_path, path)
    assert (moved / "something").read_text() == "x"
    assert "not a regular file" in notices[0]


def test_stale_wal_files_move_aside_with_the_database(tmp_path: Path) -> None:
    path = cache_path("acme", ACCOUNT, tmp_path)
    path.write_bytes(b"not a database at all" * 100)
    wal = path.with_name(path.name + "-wal")
    wal.write_bytes(b"stale wal")
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        assert_fresh_and_working(cache)
        # SQLite itself may discard a WAL it cannot use; either way the old one is not
        # left beside the fresh file, where it could be replayed into it.
        assert b"stale wal" not in wal.read_bytes()
    assert len(corrupt_copies(tmp_path, path)) >= 1


def test_permission_denied_is_moved_aside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root here, where chmod 000 does not deny; fail the first open instead.
    path = populated(tmp_path)
    real_create = dbfile._create_private_file
    calls: list[Path] = []

    def deny_first(target: Path) -> None:
        calls.append(target)
        if len(calls) == 1:
            raise PermissionError(13, "Permission denied", str(target))
        real_create(target)

    monkeypatch.setattr(dbfile, "_create_private_file", deny_first)
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        notices = cache.pop_notices()
        assert_fresh_and_working(cache)
    assert "permission denied" in notices[0] and "moved to" in notices[0]
    assert len(corrupt_copies(tmp_path, path)) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_moved_aside(tmp_path: Path) -> None:
    path = populated(tmp_path)
    path.chmod(0)
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        assert any("moved to" in n for n in cache.pop_notices())
        assert_fresh_and_working(cache)


def test_no_usable_directory_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    with Cache.open(blocker, "acme", ACCOUNT) as cache:
        notices = cache.pop_notices()
        cache.put("campaigns", [{"campaign_id": 1}], T0)
        got = cache.get("campaigns")
    assert got is not None and got.records == [{"campaign_id": 1}]
    assert len(notices) == 1 and "not saved this session" in notices[0]
    assert blocker.read_text().startswith("a file")


def test_undecodable_payload_drops_that_kind_only(tmp_path: Path) -> None:
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        cache.put("campaigns", [{"campaign_id": 1}], T0)
        cache.put("users", [{"id": 1}], T0)
        path = cache.path
    conn = sqlite3.connect(path)
    conn.execute("UPDATE datasets SET payload = x'00112233' WHERE kind = 'users'")
    conn.commit()
    conn.close()
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        assert cache.get("users") is None
        assert cache.pop_notices() == [
            "The cached users could not be read and will be fetched again."
        ]
        assert [info.kind for info in cache.kinds()] == ["campaigns"]
        assert cache.get("campaigns") is not None


class BrokenConnection:
    """Stands in for a connection whose file went bad after it was opened."""

    def __init__(self, real: sqlite3.Connection, code: int) -> None:
        self.real = real
        self.code = code

    def execute(self, *args: object) -> sqlite3.Cursor:
        error = sqlite3.DatabaseError("database disk image is malformed")
        error.sqlite_errorcode = self.code  # type: ignore[attr-defined]
        raise error

    def close(self) -> None:
        self.real.close()


def test_corruption_found_mid_session_rebuilds_and_retries_the_write(tmp_path: Path) -> None:
    path = populated(tmp_path)
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        cache._conn = BrokenConnection(cache._conn, sqlite3.SQLITE_CORRUPT)  # type: ignore[assignment]
        cache.put("account", [{"name": "Acme"}], T0)
        notices = cache.pop_notices()
        got = cache.get("account")
        assert [info.kind for info in cache.kinds()] == ["account"]
    assert got is not None and got.records == [{"name": "Acme"}]
    assert len(notices) == 1 and "damaged" in notices[0] and "moved to" in notices[0]
    assert len(corrupt_copies(tmp_path, path)) == 1


def test_corruption_found_by_a_read_returns_nothing_and_heals(tmp_path: Path) -> None:
    path = populated(tmp_path)
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        cache._conn = BrokenConnection(cache._conn, sqlite3.SQLITE_NOTADB)  # type: ignore[assignment]
        assert cache.get("campaigns") is None
        assert cache.kinds() == []
        assert any("damaged" in n for n in cache.pop_notices())
    assert len(corrupt_copies(tmp_path, path)) == 1


def test_a_busy_database_is_not_mistaken_for_corruption(tmp_path: Path) -> None:
    path = populated(tmp_path)
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        cache._conn = BrokenConnection(cache._conn, sqlite3.SQLITE_BUSY)  # type: ignore[assignment]
        assert cache.latest_fetch() is None
        notices = cache.pop_notices()
    assert len(notices) == 1 and "could not be used just now" in notices[0]
    assert corrupt_copies(tmp_path, path) == []
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        assert cache.latest_fetch() == T0


def test_quota_file_garbage_restarts_the_count_with_a_notice(tmp_path: Path) -> None:
    path = quota_path("acme", tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00garbage" * 500)
    with QuotaMeter.open(tmp_path, "acme") as meter:
        notices = meter.pop_notices()
        meter.record(3, at=T0)
        assert meter.used(T0) == 3
    assert len(notices) == 1 and "quota meter" in notices[0] and "moved to" in notices[0]
    assert len(corrupt_copies(tmp_path, path)) == 1


def test_a_file_locked_by_another_process_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another kb4tui holding the write lock (through a schema upgrade, say) is not damage."""
    path = cache_path("acme", ACCOUNT, tmp_path)
    path.touch(mode=0o600)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN EXCLUSIVE")  # it is creating the schema: we must wait, then give up
    monkeypatch.setattr(dbfile, "BUSY_TIMEOUT_SECONDS", 0.05)
    try:
        with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
            notices = cache.pop_notices()
            cache.put("campaigns", [{"campaign_id": 1}], T0)  # works, in memory
            assert cache.get("campaigns") is not None
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(notices) == 1 and "not saved this session" in notices[0]
    assert "locked" in notices[0]
    assert corrupt_copies(tmp_path, path) == []
