"""Timers for the supervisor: the event loop's in the app, a fake clock's in tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

__all__ = ["LoopScheduler", "Scheduler", "TimerHandle"]


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        """Call `callback()` once, `delay` seconds from now (0: soon, not now)."""
        ...


class LoopScheduler:
    """The running asyncio loop's timers."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        return asyncio.get_running_loop().call_later(delay, callback)
