"""SIGTERM, SIGHUP and SIGQUIT end the TUI the way `q` does: the terminal is given back.

Python's default for those signals ends the process on the spot, so Textual never leaves
the alternate screen or turns mouse reporting off: the shell comes back on a blank screen
where every mouse move prints garbage (`kill`, a closing tmux pane, systemd, `timeout`).
Here a signal asks the app to exit on its own loop, so Textual restores the terminal as
usual. If the app has not finished within `grace` seconds (a blocked loop), or a second
signal comes, the terminal is restored from here and the process ends at once. The exit
status is the shell's for the signal, 128 + its number (`ExitCode.for_signal`). A signal
ignored when the app starts (`nohup` ignores SIGHUP) stays ignored; once the app is no
longer running, each signal gets the handler it had before.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from types import FrameType
from typing import Any

from textual.app import App

from kb4tui.exitcodes import ExitCode

__all__ = ["RESTORE_TERMINAL", "exit_cleanly_on_signals"]

# What Textual's driver writes when it stops, for when it cannot: mouse reporting off
# (every mode it turns on), bracketed paste and focus events off, the Kitty keyboard
# protocol popped, back to the main screen, cursor shown.
RESTORE_TERMINAL = (
    "\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?1016l"
    "\x1b[?2004l\x1b[?1004l\x1b[<u\x1b[?1049l\x1b[?25h"
)
_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


def _restore_terminal(attributes: list[Any] | None) -> None:
    """Leave the alternate screen, stop mouse reporting, put the tty modes back."""
    with contextlib.suppress(OSError, ValueError):
        os.write(sys.__stdout__.fileno() if sys.__stdout__ else 1, RESTORE_TERMINAL.encode())
    if attributes is not None:
        with contextlib.suppress(Exception):
            import termios

            termios.tcsetattr(sys.__stdin__.fileno(), termios.TCSANOW, attributes)  # type: ignore[union-attr]


def _tty_attributes() -> list[Any] | None:
    """The terminal's modes before Textual makes it raw, to put back on a forced exit."""
    try:
        import termios

        stdin = sys.__stdin__
        if stdin is None or not stdin.isatty():
            return None
        return termios.tcgetattr(stdin.fileno())
    except (ImportError, OSError, ValueError):
        return None


def exit_cleanly_on_signals(app: App[Any], *, grace: float = 3.0) -> None:
    """Make SIGTERM, SIGHUP and SIGQUIT end `app` cleanly (see the module docstring).

    Call it in the main thread, just before `app.run()`.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    attributes = _tty_attributes()
    previous: dict[int, Any] = {}
    received: list[int] = []

    def force_exit(signum: int) -> None:
        _restore_terminal(attributes)
        os._exit(ExitCode.for_signal(signum))

    def on_signal(signum: int, frame: FrameType | None) -> None:
        try:
            loop = asyncio.get_running_loop()  # the app's, when it is running
        except RuntimeError:
            loop = None
        if loop is None or not app.is_running:
            # Not the app's business any more: what this signal did before.
            signal.signal(signum, previous[signum])
            os.kill(os.getpid(), signum)
            return
        if received:  # a second signal: no more waiting
            force_exit(signum)
        received.append(signum)
        loop.call_soon_threadsafe(app.exit, None, ExitCode.for_signal(signum))
        timer = threading.Timer(grace, force_exit, args=(signum,))
        timer.daemon = True  # a clean exit ends the process before it fires
        timer.start()

    for signum in _SIGNALS:
        handler = signal.getsignal(signum)
        if handler is signal.SIG_IGN or handler is None:
            continue
        previous[signum] = handler
        signal.signal(signum, on_signal)
