"""A thread-safe log of every request the fake API answered, for tests to count.

Never holds the API key: entries name the organisation the key mapped to, if any.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    at: float  # monotonic seconds
    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    status: int = 0  # 0 when the connection was dropped or left hanging
    outcome: str = "ok"  # "ok", "drop" or "timeout"
    org: str | None = None  # the account name the key belongs to
    request_id: str = ""


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[LoggedRequest]:
        """A snapshot, oldest first."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def count(self, path_prefix: str = "", *, status: int | None = None) -> int:
        """Requests whose path starts with `path_prefix` (and had `status`, if given)."""
        with self._lock:
            return sum(
                1
                for e in self._entries
                if e.path.startswith(path_prefix) and (status is None or e.status == status)
            )

    def statuses(self, path_prefix: str = "") -> list[int]:
        with self._lock:
            return [e.status for e in self._entries if e.path.startswith(path_prefix)]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
