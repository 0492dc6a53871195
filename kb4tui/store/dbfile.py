"""Private SQLite files that heal themselves: 0600 files in 0700 directories, WAL, and a
corrupt or unreadable file moved aside and rebuilt instead of crashing the app.

Shared by the data cache (`cache.py`) and the quota meter (`quota.py`). Everything here
returns notices (plain sentences for the UI) rather than raising on a bad file; only
programming errors escape.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "Schema",
    "UnusableDatabase",
    "connect",
    "ensure_private_dir",
    "file_slug",
    "is_corruption",
    "move_aside",
    "open_private_db",
    "replace_corrupt",
]

# Another kb4tui on the same profile may hold the write lock for a moment (a big put).
BUSY_TIMEOUT_SECONDS = 5.0

# Error codes that mean "this file is not a sound database", as opposed to "busy" or
# "disk full", which a later attempt may get past.
_CORRUPT_CODES = frozenset(
    {
        sqlite3.SQLITE_CORRUPT,
        sqlite3.SQLITE_NOTADB,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PERM,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_AUTH,
    }
)

_SLUG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")


class UnusableDatabase(Exception):
    """The file exists but cannot serve as this database (wrong kind of file or schema)."""


@dataclass(frozen=True)
class Schema:
    """What a database must look like: its version and the columns each table needs."""

    version: int
    create_sql: str
    columns: dict[str, Sequence[str]]
    label: str  # "cache" or "quota meter", for notices


def file_slug(profile: str) -> str:
    """A file-name-safe form of a profile name, stable across runs.

    Plain names (the ones config.py accepts) are kept so users can recognise their files;
    anything else (slashes, spaces, a leading dot) becomes a hash.
    """
    if _SLUG.fullmatch(profile):
        return profile
    return "p_" + hashlib.sha256(profile.encode("utf-8")).hexdigest()[:16]


def ensure_private_dir(directory: Path) -> str | None:
    """Create `directory` as 0700, or tighten it to 0700; a notice if that fails."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = stat.S_IMODE(directory.stat().st_mode)
    if mode & 0o077:
        try:
            directory.chmod(0o700)
        except OSError:
            return (
                f"The directory {directory} is readable by other users; "
                "kb4tui could not make it private."
            )
    return None


def move_aside(path: Path, now: datetime | None = None) -> Path:
    """Rename `path` (and its -wal/-shm companions) to `<path>.corrupt-<UTC timestamp>`."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        # A stale WAL beside a fresh file would be replayed into it.
        companion = path.with_name(path.name + suffix)
        with contextlib.suppress(FileNotFoundError):
            os.replace(companion, target.with_name(target.name + suffix))
    return target


def is_corruption(exc: BaseException) -> bool:
    """Whether an error means the file itself is bad (so moving it aside can help)."""
    if isinstance(exc, UnusableDatabase):
        return True
    if isinstance(exc, sqlite3.DatabaseError):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is None:
            return False
        return (code & 0xFF) in _CORRUPT_CODES
    return isinstance(exc, PermissionError | IsADirectoryError | NotADirectoryError)


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), usable from workers.

    Callers serialise access with their own lock, hence check_same_thread=False.
    """
    return sqlite3.connect(
        path,
        timeout=BUSY_TIMEOUT_SECONDS,
        isolation_level=None,
        check_same_thread=False,
    )


def _create_private_file(path: Path) -> None:
    """Create the file as 0600 before SQLite touches it; tighten a pre-existing one."""
    if path.exists() and not path.is_file():
        raise UnusableDatabase(f"{path} is not a regular file")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) != 0o600:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _prepare(conn: sqlite3.Connection, schema: Schema) -> str | None:
    """Set pragmas, create or rebuild the schema, check it; a notice on rebuild.

    Raises sqlite3.DatabaseError or UnusableDatabase when the file cannot be used.
    """
    # WAL lets a reader and a writer (two kb4tui windows) work at once. On file systems
    # without shared memory (some NFS homes) SQLite keeps its old mode; that still works.
    conn.execute("PRAGMA journal_mode=WAL").fetchone()
    # A cache can afford to lose the last transaction on power loss; not the file.
    conn.execute("PRAGMA synchronous=NORMAL")
    notice = None
    if _needs_schema(conn, schema):
        # Only now take the write lock, so opening beside a busy kb4tui does not wait.
        conn.execute("BEGIN IMMEDIATE")
        try:
            tables = _tables(conn)
            version = _user_version(conn)
            if version != schema.version or not tables:
                if tables:
                    notice = (
                        f"The {schema.label} was written by another kb4tui version "
                        f"(format {version}, expected {schema.version}); it was rebuilt."
                    )
                for table in tables:
                    conn.execute(f'DROP TABLE "{table}"')
                for statement in _statements(schema.create_sql):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version={int(schema.version)}")
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
    for table, columns in schema.columns.items():
        try:
            # Preparing the statement fails if a table or column is missing.
            conn.execute(f'SELECT {", ".join(columns)} FROM "{table}" LIMIT 0').fetchall()
        except sqlite3.OperationalError as exc:
            raise UnusableDatabase(f"unexpected tables ({exc})") from exc
    result = conn.execute("PRAGMA quick_check").fetchall()
    if result != [("ok",)]:
        raise UnusableDatabase(f"integrity check failed: {result[0][0]}")
    return notice


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [str(row[0]) for row in rows]


def _user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _needs_schema(conn: sqlite3.Connection, schema: Schema) -> bool:
    return _user_version(conn) != schema.version or not _tables(conn)


def _statements(script: str) -> list[str]:
    """Split a schema script into statements (executescript would commit our transaction)."""
    return [part.strip() for part in script.split(";") if part.strip()]


def _open_once(path: Path, schema: Schema) -> tuple[sqlite3.Connection, str | None]:
    _create_private_file(path)
    conn = connect(path)
    try:
        notice = _prepare(conn, schema)
    except BaseException:
        conn.close()
        raise
    return conn, notice


def _describe(exc: BaseException) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    text = str(exc) or type(exc).__name__
    return text.rstrip(".")


def open_private_db(path: Path, schema: Schema) -> tuple[sqlite3.Connection, list[str]]:
    """Open (creating if needed) a private database at `path`; never raises on a bad file.

    A corrupt, truncated, foreign or unreadable file is moved aside and a fresh one made.
    If even that fails, the connection is to an in-memory database, so the app runs
    without persistence; the notices say which of these happened.
    """
    notices: list[str] = []
    try:
        dir_notice = ensure_private_dir(path.parent)
    except OSError as exc:
        return _in_memory(schema, notices, f"{path.parent} cannot be created ({_describe(exc)})")
    if dir_notice:
        notices.append(dir_notice)
    try:
        conn, notice = _open_once(path, schema)
    except (sqlite3.Error, OSError, UnusableDatabase) as exc:
        if not is_corruption(exc):
            # Busy (another kb4tui mid-write), disk full, I/O: the file may be fine, so
            # leave it alone and run without it this time.
            return _in_memory(schema, notices, f"{path} cannot be opened ({_describe(exc)})")
        first_error = _describe(exc)
    else:
        notices.extend([notice] if notice else [])
        return conn, notices
    try:
        moved = move_aside(path)
    except OSError as exc:
        return _in_memory(
            schema,
            notices,
            f"{path} is unusable ({first_error}) and cannot be moved ({_describe(exc)})",
        )
    notices.append(
        f"The {schema.label} file {path} could not be used ({first_error}); "
        f"it was moved to {moved.name} and a fresh one started."
    )
    try:
        conn, _ = _open_once(path, schema)
    except (sqlite3.Error, OSError, UnusableDatabase) as exc:
        return _in_memory(schema, notices, f"{path} cannot be created ({_describe(exc)})")
    return conn, notices


def _in_memory(
    schema: Schema, notices: list[str], reason: str
) -> tuple[sqlite3.Connection, list[str]]:
    conn = connect(":memory:")
    _prepare(conn, schema)
    notices.append(f"The {schema.label} is not saved this session: {reason}.")
    return conn, notices


def replace_corrupt(
    path: Path, conn: sqlite3.Connection, schema: Schema, reason: str
) -> tuple[sqlite3.Connection, list[str]]:
    """After `conn` hit corruption mid-session: close it, move the file aside, start afresh."""
    conn.close()
    try:
        moved: Path | None = move_aside(path)
    except OSError:
        moved = None
    new_conn, notices = open_private_db(path, schema)
    where = f"; it was moved to {moved.name}" if moved else ""
    notices.insert(
        0, f"The {schema.label} file {path} was damaged ({reason}){where} and a fresh one started."
    )
    return new_conn, notices
