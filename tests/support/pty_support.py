"""A real kb4tui (or any Python) process on a pseudo-terminal, for the terminal tests."""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass

PYTHON = sys.executable


@dataclass
class PtyChild:
    pid: int
    master: int
    output: bytes = b""
    status: int | None = None  # the wait status once reaped

    def read_until(self, marker: bytes, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while marker not in self.output and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.output += os.read(self.master, 65536)
                except OSError:
                    break
        assert marker in self.output, f"never painted {marker!r}: {self.output[-300:]!r}"

    def wait_exit(self, timeout: float) -> int | None:
        """The child's wait status, or None if it is still running after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                return status
            time.sleep(0.05)
        return None

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def pty_child(argv: list[str], env: Mapping[str, str], *, ignore_hup: bool) -> Iterator[PtyChild]:
    pid, master = pty.fork()
    if pid == 0:  # the child: never return into pytest
        try:
            if ignore_hup:
                signal.signal(signal.SIGHUP, signal.SIG_IGN)
            os.execve(PYTHON, [PYTHON, *argv], {**os.environ, **env})
        finally:
            os._exit(127)
    child = PtyChild(pid, master)
    try:
        yield child
    finally:
        with suppress(OSError):
            os.close(master)
        if child.status is None and os.waitpid(pid, os.WNOHANG) == (0, 0):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
