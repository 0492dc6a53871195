"""The daily quota meter: API requests per profile over the rolling 24 hours, persisted.

KnowBe4 allows 2,000 requests a day plus one per licensed seat (`number_of_seats` from
`/v1/account`). Every kb4tui process of a profile records into the same SQLite file, so the
count survives restarts and adds up across windows. One row per `record()` call with its
time and count: exact at the window's edge, and a day holds at most a few thousand rows.

The file lives in the platform's *state* directory, not the cache directory: wiping caches
(or `kb4tui cache clear`) must not make the meter forget requests the server still counts.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple, TypeVar

import platformdirs

from kb4tui.store import dbfile

__all__ = [
    "BASE_DAILY_QUOTA",
    "QUOTA_SUFFIX",
    "WARNING_FRACTION",
    "WINDOW",
    "QuotaMeter",
    "QuotaStatus",
    "default_quota_dir",
    "quota_file_for",
    "quota_path",
]

BASE_DAILY_QUOTA = 2000
WARNING_FRACTION = 0.8
WINDOW = timedelta(hours=24)

_SCHEMA = dbfile.Schema(
    version=1,
    label="quota meter",
    create_sql="""
        CREATE TABLE requests (
            at REAL NOT NULL,              -- Unix seconds, UTC
            n INTEGER NOT NULL CHECK (n > 0)
        );
        CREATE INDEX requests_at ON requests (at);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER)
    """,
    columns={"requests": ("at", "n"), "meta": ("key", "value")},
)

T = TypeVar("T")


def default_quota_dir() -> Path:
    return platformdirs.user_state_path("kb4tui")


def quota_path(profile: str, directory: Path | None = None) -> Path:
    return quota_file_for(dbfile.file_slug(profile), directory)


QUOTA_SUFFIX = ".quota.sqlite3"


def quota_file_for(profile_slug: str, directory: Path | None = None) -> Path:
    """The meter file of a profile known only by its file slug (as `cache info` knows it)."""
    base = directory if directory is not None else default_quota_dir()
    return base / f"{profile_slug}{QUOTA_SUFFIX}"


class QuotaStatus(NamedTuple):
    """What the header shows: used / limit, and whether to warn."""

    used: int
    limit: int
    warning: bool


def _seconds(moment: datetime | None) -> float:
    if moment is None:
        return datetime.now(UTC).timestamp()
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).timestamp()


class QuotaMeter:
    """The request count of one profile. Safe to call from worker threads."""

    def __init__(self, path: Path, conn: sqlite3.Connection, notices: list[str]) -> None:
        self.path = path
        self._conn = conn
        self._notices = notices
        self._lock = threading.Lock()

    @classmethod
    def open(cls, directory: Path | None, profile: str) -> QuotaMeter:
        """Open or create the meter of `profile`; `directory=None` is the platform's."""
        return cls.open_path(quota_path(profile, directory))

    @classmethod
    def open_path(cls, path: Path) -> QuotaMeter:
        conn, notices = dbfile.open_private_db(path, _SCHEMA)
        return cls(path, conn, notices)

    def pop_notices(self) -> list[str]:
        with self._lock:
            notices, self._notices = self._notices, []
        return notices

    @property
    def seats(self) -> int | None:
        def read(conn: sqlite3.Connection) -> int | None:
            row = conn.execute("SELECT value FROM meta WHERE key = 'seats'").fetchone()
            return None if row is None or row[0] is None else int(row[0])

        return self._run(read, None)

    def set_seats(self, seats: int | None) -> None:
        """Remember `number_of_seats` so the limit is right before the account is refetched."""

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('seats', ?)",
                (None if seats is None else max(0, int(seats)),),
            )

        self._run(write, None)

    @property
    def limit(self) -> int:
        """2,000 + seats; a trial account that reports no seats gets the base 2,000."""
        return BASE_DAILY_QUOTA + (self.seats or 0)

    def record(self, n: int = 1, at: datetime | None = None) -> None:
        """Count `n` requests sent at `at` (default now)."""
        if n <= 0:
            return
        moment = _seconds(at)

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("INSERT INTO requests (at, n) VALUES (?, ?)", (moment, n))
                # Rows older than the window never count again.
                conn.execute(
                    "DELETE FROM requests WHERE at <= ?", (moment - WINDOW.total_seconds(),)
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

        self._run(write, None)

    def used(self, now: datetime | None = None) -> int:
        """Requests in the 24 hours before `now` (a request exactly 24 h old has expired)."""
        since = _seconds(now) - WINDOW.total_seconds()

        def read(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "SELECT COALESCE(SUM(n), 0) FROM requests WHERE at > ?", (since,)
            ).fetchone()
            return int(row[0])

        return self._run(read, 0)

    def remaining(self, now: datetime | None = None) -> int:
        return max(0, self.limit - self.used(now))

    def warning(self, now: datetime | None = None) -> bool:
        """Whether 80% or more of the day's quota is used."""
        return self.used(now) >= WARNING_FRACTION * self.limit

    def would_exceed(self, n: int = 1, now: datetime | None = None) -> bool:
        """Whether `n` more requests would go past the limit (ask the user first)."""
        return self.used(now) + n > self.limit

    def status(self, now: datetime | None = None) -> QuotaStatus:
        used, limit = self.used(now), self.limit
        return QuotaStatus(used, limit, used >= WARNING_FRACTION * limit)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> QuotaMeter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, action: Callable[[sqlite3.Connection], T], fallback: T) -> T:
        """Run `action`; a corrupt file is rebuilt (the count restarts), never raised."""
        with self._lock:
            try:
                return action(self._conn)
            except sqlite3.Error as exc:
                if dbfile.is_corruption(exc):
                    self._conn, notices = dbfile.replace_corrupt(
                        self.path, self._conn, _SCHEMA, str(exc)
                    )
                    self._notices.extend(notices)
                else:
                    self._notices.append(f"The quota meter could not be used just now ({exc}).")
                return fallback
