"""SIGTERM, SIGHUP or SIGQUIT to `kb4tui --demo` on a pseudo-terminal: the last thing it
writes leaves the alternate screen and turns mouse reporting off, and it exits with the
shell's status for the signal. Without that the shell came back on a blank screen that
printed garbage at every mouse move."""

from __future__ import annotations

import os
import signal

import pytest
from pty_support import pty_child

pytestmark = pytest.mark.timeout(60)

ENV = {"TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
PAINTED = b"palette"  # the footer's last binding: the first screen is on
ALT_SCREEN_ON, ALT_SCREEN_OFF = b"\x1b[?1049h", b"\x1b[?1049l"
MOUSE_OFF = (b"\x1b[?1000l", b"\x1b[?1003l", b"\x1b[?1006l")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT])
def test_a_stop_signal_gives_the_terminal_back(stop: signal.Signals) -> None:
    argv = ["-m", "kb4tui", "--demo", "--demo-users", "200"]
    with pty_child(argv, ENV, ignore_hup=False) as child:
        child.read_until(PAINTED, timeout=30)
        os.kill(child.pid, stop)
        status = child.wait_exit(timeout=15)
        with_tail = child.output
        try:  # what it wrote on the way out
            while chunk := os.read(child.master, 65536):
                with_tail += chunk
        except OSError:  # EIO: the child has closed the terminal
            pass
    assert status is not None, "still running 15 s after the signal"
    assert os.WIFEXITED(status), "killed by the signal: the terminal was never restored"
    assert os.WEXITSTATUS(status) == 128 + stop
    after = with_tail[with_tail.rindex(ALT_SCREEN_ON) :]
    assert ALT_SCREEN_OFF in after, "left in the alternate screen"
    assert all(sequence in after for sequence in MOUSE_OFF), "mouse reporting left on"
