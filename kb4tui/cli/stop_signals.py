"""SIGTERM and SIGHUP during a command: stop the way Ctrl-C does, cleaning up on the way.

By default those signals end Python at once, so `export -o FILE` left its temporary
`.FILE.xxxx.part` behind (owner-only, but full of names and emails). Inside
`raise_on_stop_signals()` they raise `StopSignal` instead, a BaseException like
KeyboardInterrupt, so every `finally` and abort runs; `kb4tui.cli.main` turns it into
the shell's exit status for that signal (128 + its number, `ExitCode.for_signal`). A
signal the caller chose to ignore (`nohup` ignores SIGHUP) stays ignored.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from kb4tui.exitcodes import ExitCode

# What signal.getsignal returns: a handler, SIG_DFL/SIG_IGN, or None (set outside Python).
_Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None

__all__ = ["STOP_SIGNALS", "StopSignal", "raise_on_stop_signals"]

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class StopSignal(BaseException):
    """SIGTERM or SIGHUP arrived: unwind like KeyboardInterrupt does."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.name}")

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.for_signal(self.signum)


def _raise(signum: int, frame: FrameType | None) -> None:
    raise StopSignal(signum)


@contextmanager
def raise_on_stop_signals() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise StopSignal; afterwards, as before.

    Only the main thread can set handlers (tests call `main` from others): elsewhere this
    does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[signal.Signals, _Handler] = {}
    for stop in STOP_SIGNALS:
        handler = signal.getsignal(stop)
        if handler is signal.SIG_IGN or handler is None:  # ignored, or not ours to restore
            continue
        previous[stop] = handler
        signal.signal(stop, _raise)
    try:
        yield
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)
