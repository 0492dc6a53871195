"""The local data cache: the API's records per kind, with when they were fetched.

One SQLite file per profile and account, `<cache dir>/<profile>-<account key>.sqlite3`,
mode 0600 in a 0700 directory. Each kind ("campaigns", "enrollments:all",
"enrollments:campaign=42", ...) is one row holding the raw API JSON array, zlib-compressed:
the models re-parse it and exports keep the API's field names. One blob per kind, because
parsing one JSON array is several times faster than 100,000 rows of JSON (see the tests'
timing), and a kind is always replaced as a whole.

The file never holds the API key: the schema has no column for it (see `_SCHEMA`) and the
account key in the file name is a hash of the base URL or account name, not of the key.

Storage trouble never raises: a bad file is moved aside and rebuilt, a failed write is
dropped, and each such event leaves a sentence in `pop_notices()` for the UI to show.

How the Repository uses it: open `Cache.open(None, profile, account_key(base_url))` at
start; for each view `get(kind)` (in a worker thread: 100k records take about half a
second) and show it with `fetched_at`, then refetch when `not is_fresh(kind, ttl)` and
`put(kind, raw_records, fetched_at)`. A campaign's enrollments come from
`enrollments:all` filtered by campaign_id while that is fresh. When the API is
unreachable, `latest_fetch()` dates the "offline: data from <time>" banner.
"""

from __future__ import annotations

import gc
import hashlib
import json
import re
import sqlite3
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import platformdirs

from kb4tui.store import dbfile

__all__ = [
    "ACCOUNT_KEY_LENGTH",
    "Cache",
    "CacheFile",
    "CachedSet",
    "KindInfo",
    "account_key",
    "cache_path",
    "default_cache_dir",
    "list_cache_files",
]

ACCOUNT_KEY_LENGTH = 12

# Data fetched "in the future" by more than this means the clock was turned back; treat it
# as stale rather than fresh forever.
_CLOCK_SKEW = timedelta(minutes=1)

_SCHEMA = dbfile.Schema(
    version=1,
    label="cache",
    create_sql="""
        CREATE TABLE datasets (
            kind TEXT PRIMARY KEY,
            fetched_at INTEGER NOT NULL,   -- microseconds since the Unix epoch, UTC
            record_count INTEGER NOT NULL,
            payload BLOB NOT NULL          -- zlib(JSON array of the API's records)
        )
    """,
    columns={"datasets": ("kind", "fetched_at", "record_count", "payload")},
)

T = TypeVar("T")


def default_cache_dir() -> Path:
    """The platform's cache directory for kb4tui (honours XDG_CACHE_HOME on Linux)."""
    return platformdirs.user_cache_path("kb4tui")


def account_key(identity: str) -> str:
    """A short, stable, non-secret tag for an account: hash its base URL or its name.

    Never pass the API key. The base URL is the better input because it is known before
    the first request (the account's name is itself in the cache).
    """
    normal = identity.strip().rstrip("/").lower()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:ACCOUNT_KEY_LENGTH]


def cache_path(profile: str, account: str, directory: Path | None = None) -> Path:
    """Where the cache for `profile` and `account` (an `account_key()`) lives."""
    if not re.fullmatch(rf"[0-9a-f]{{{ACCOUNT_KEY_LENGTH}}}", account):
        raise ValueError("account must be an account_key() value")
    base = directory if directory is not None else default_cache_dir()
    return base / f"{dbfile.file_slug(profile)}-{account}.sqlite3"


_FILE_NAME = re.compile(rf"(?P<slug>.+)-(?P<account>[0-9a-f]{{{ACCOUNT_KEY_LENGTH}}})\.sqlite3")


class CacheFile(NamedTuple):
    path: Path
    profile_slug: str
    account: str


def list_cache_files(directory: Path | None = None, profile: str | None = None) -> list[CacheFile]:
    """The cache databases in `directory`, optionally only those of one profile."""
    base = directory if directory is not None else default_cache_dir()
    if not base.is_dir():
        return []
    wanted = dbfile.file_slug(profile) if profile is not None else None
    found = []
    for path in sorted(base.iterdir()):
        match = _FILE_NAME.fullmatch(path.name)
        if match and (wanted is None or match["slug"] == wanted):
            found.append(CacheFile(path, match["slug"], match["account"]))
    return found


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    # A naive time is read as UTC, as the API models do.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _to_micros(moment: datetime) -> int:
    """Exact integer microseconds: a float timestamp could shift a fetch time by 1 µs."""
    return (_utc(moment) - _EPOCH) // _MICROSECOND


def _from_micros(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


@dataclass(frozen=True, slots=True)
class CachedSet:
    """One kind's records, exactly as the API sent them, and when they were fetched."""

    kind: str
    records: list[dict[str, Any]]
    fetched_at: datetime

    @property
    def age(self) -> timedelta:
        return self.age_at(None)

    def age_at(self, now: datetime | None) -> timedelta:
        return _utc(now) - self.fetched_at


class KindInfo(NamedTuple):
    kind: str
    record_count: int
    fetched_at: datetime


def _decode(payload: bytes) -> list[dict[str, Any]]:
    raw = zlib.decompress(payload)
    # The cyclic GC would walk the young objects again and again while json builds
    # 100,000 dicts (about half the load time); none of them can be in a cycle.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        records = json.loads(raw)
    finally:
        if was_enabled:
            gc.enable()
    if not isinstance(records, list):
        raise ValueError("payload is not a JSON array")
    return records


def _encode(records: list[dict[str, Any]]) -> bytes:
    text = json.dumps(records, separators=(",", ":"))
    # Level 1: 15-20x smaller than the JSON for API data, and the fastest to write.
    return zlib.compress(text.encode("utf-8"), 1)


class Cache:
    """The cache of one profile and account. Safe to call from worker threads.

    Open with `Cache.open(directory, profile, account)`; `directory=None` means the
    platform's cache directory.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, notices: list[str]) -> None:
        self.path = path
        self._conn = conn
        self._notices = notices
        self._lock = threading.RLock()

    @classmethod
    def open(cls, directory: Path | None, profile: str, account: str) -> Cache:
        """Open or create the cache; a bad file is replaced, never raised."""
        return cls.open_path(cache_path(profile, account, directory))

    @classmethod
    def open_path(cls, path: Path) -> Cache:
        """Open the cache file at `path` (as listed by `list_cache_files`)."""
        conn, notices = dbfile.open_private_db(path, _SCHEMA)
        return cls(path, conn, notices)

    def pop_notices(self) -> list[str]:
        """Sentences about storage trouble since the last call (for the UI's notices)."""
        with self._lock:
            notices, self._notices = self._notices, []
        return notices

    def put(self, kind: str, records: list[dict[str, Any]], fetched_at: datetime) -> None:
        """Replace `kind` with `records` (the API's JSON objects) fetched at `fetched_at`."""
        payload = _encode(records)
        moment = _to_micros(fetched_at)

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(
                    "INSERT OR REPLACE INTO datasets (kind, fetched_at, record_count, payload)"
                    " VALUES (?, ?, ?, ?)",
                    (kind, moment, len(records), payload),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

        self._run(write, None, retry=True)

    def get(self, kind: str) -> CachedSet | None:
        """The cached records of `kind`, or None when there are none (or they are unreadable)."""

        def read(conn: sqlite3.Connection) -> tuple[bytes, int] | None:
            row = conn.execute(
                "SELECT payload, fetched_at FROM datasets WHERE kind = ?", (kind,)
            ).fetchone()
            return None if row is None else (bytes(row[0]), int(row[1]))

        found = self._run(read, None)
        if found is None:
            return None
        payload, fetched_at = found
        try:
            records = _decode(payload)
        except (zlib.error, ValueError, UnicodeDecodeError):
            self._discard(kind)
            return None
        return CachedSet(kind, records, _from_micros(fetched_at))

    def fetched_at(self, kind: str) -> datetime | None:
        """When `kind` was fetched, without loading its records."""

        def read(conn: sqlite3.Connection) -> int | None:
            row = conn.execute("SELECT fetched_at FROM datasets WHERE kind = ?", (kind,)).fetchone()
            return None if row is None else int(row[0])

        micros = self._run(read, None)
        return None if micros is None else _from_micros(micros)

    def age(self, kind: str, now: datetime | None = None) -> timedelta | None:
        fetched = self.fetched_at(kind)
        return None if fetched is None else _utc(now) - fetched

    def is_fresh(self, kind: str, ttl: timedelta, now: datetime | None = None) -> bool:
        """Whether `kind` is cached and younger than `ttl` (so no request is needed)."""
        age = self.age(kind, now)
        return age is not None and -_CLOCK_SKEW <= age < ttl

    def kinds(self) -> list[KindInfo]:
        """Every cached kind with its record count and fetch time, by kind name."""

        def read(conn: sqlite3.Connection) -> list[KindInfo]:
            rows = conn.execute(
                "SELECT kind, record_count, fetched_at FROM datasets ORDER BY kind"
            ).fetchall()
            return [KindInfo(str(k), int(n), _from_micros(int(t))) for k, n, t in rows]

        return self._run(read, [])

    def latest_fetch(self) -> datetime | None:
        """The most recent fetch of anything: the time in "offline: data from <time>"."""

        def read(conn: sqlite3.Connection) -> int | None:
            row = conn.execute("SELECT MAX(fetched_at) FROM datasets").fetchone()
            return None if row is None or row[0] is None else int(row[0])

        micros = self._run(read, None)
        return None if micros is None else _from_micros(micros)

    def clear(self) -> None:
        """Forget every kind and shrink the file, so cached personal data leaves the disk."""

        def wipe(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM datasets")
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

        self._run(wipe, None)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def drop(self, kind: str) -> None:
        """Forget one kind (the next look at it fetches again)."""

        def delete(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM datasets WHERE kind = ?", (kind,))

        self._run(delete, None)

    def _discard(self, kind: str) -> None:
        self.drop(kind)
        with self._lock:
            self._notices.append(f"The cached {kind} could not be read and will be fetched again.")

    def _run(
        self, action: Callable[[sqlite3.Connection], T], fallback: T, *, retry: bool = False
    ) -> T:
        """Run `action`; rebuild a corrupt file (and retry a write); otherwise fall back."""
        with self._lock:
            try:
                return action(self._conn)
            except sqlite3.Error as exc:
                if not dbfile.is_corruption(exc):
                    self._notices.append(f"The cache could not be used just now ({exc}).")
                    return fallback
                self._rebuild(str(exc))
            if not retry:
                return fallback
            try:
                return action(self._conn)
            except sqlite3.Error as exc:
                self._notices.append(f"The cache could not be used just now ({exc}).")
                return fallback

    def _rebuild(self, reason: str) -> None:
        self._conn, notices = dbfile.replace_corrupt(self.path, self._conn, _SCHEMA, reason)
        self._notices.extend(notices)
