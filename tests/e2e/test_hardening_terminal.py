"""Life over SSH: the terminal going away, slow links (ESCDELAY), TERM=xterm, NO_COLOR.

The pty tests run the real `python -m kb4tui --demo` on a pseudo-terminal, read what it
paints, then close the master side as sshd does when a connection drops. The child has
SIGHUP ignored (nohup, some tmux/screen setups, a parent that masks it): without a
terminal watch Textual then stays alive, spinning on the dead terminal.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

import pytest
from pty_support import PtyChild, pty_child

from kb4tui.ui import safety
from kb4tui.ui.safety import (
    ESCDELAY_MS,
    EXIT_TERMINAL_LOST,
    TerminalWatch,
    prepare_environment,
    terminal_alive,
    watch_terminal,
)

pytestmark = pytest.mark.timeout(60)

PYTHON = sys.executable
# The demo app with the watch wired in the way safety.py's docstring tells the lead to.
WATCHED_DEMO = """
import sys
from kb4tui.cli import main
from kb4tui.ui.app import KB4App
from kb4tui.ui.safety import prepare_environment, watch_terminal

original_mount = KB4App.on_mount

async def on_mount(self):
    self._watch = watch_terminal(self, interval=0.5, grace=2.0)
    await original_mount(self)

KB4App.on_mount = on_mount
prepare_environment()
sys.exit(main(["--demo", "--demo-users", "200"]))
"""


# ---- ESCDELAY -------------------------------------------------------------------------------


def test_textual_reads_escdelay_at_import() -> None:
    code = "import textual.constants as c; print(c.ESCAPE_DELAY)"
    env = {**os.environ, "ESCDELAY": str(ESCDELAY_MS)}
    out = subprocess.run([PYTHON, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert float(out.stdout) == ESCDELAY_MS / 1000
    env.pop("ESCDELAY")
    out = subprocess.run([PYTHON, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert float(out.stdout) == 0.1  # Textual's default: too short for a slow SSH link


def test_prepare_environment_raises_escdelay_but_respects_the_user() -> None:
    env: dict[str, str] = {}
    prepare_environment(env)
    assert env == {"ESCDELAY": str(ESCDELAY_MS)}
    mine = {"ESCDELAY": "40", "TERM": "xterm", "NO_COLOR": "1"}
    prepare_environment(mine)
    assert mine == {"ESCDELAY": "40", "TERM": "xterm", "NO_COLOR": "1"}


def test_the_configs_escape_delay_sets_escdelay_and_the_environment_wins() -> None:
    """`escape_delay_ms` in config.toml: a snappier Escape on a fast link, a longer wait on
    a very slow one; ESCDELAY set by the user still decides."""
    env: dict[str, str] = {}
    prepare_environment(env, escape_delay_ms=60)
    assert env == {"ESCDELAY": "60"}
    mine = {"ESCDELAY": "400"}
    prepare_environment(mine, escape_delay_ms=60)
    assert mine == {"ESCDELAY": "400"}
    unset: dict[str, str] = {}
    prepare_environment(unset, escape_delay_ms=None)
    assert unset == {"ESCDELAY": str(ESCDELAY_MS)}


def test_prepare_environment_updates_textual_when_already_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import textual.constants

    monkeypatch.delenv("ESCDELAY", raising=False)
    monkeypatch.setattr(textual.constants, "ESCAPE_DELAY", 0.1)
    prepare_environment()
    assert os.environ["ESCDELAY"] == str(ESCDELAY_MS)
    assert textual.constants.ESCAPE_DELAY == ESCDELAY_MS / 1000


# ---- terminal_alive and TerminalWatch -------------------------------------------------------


def test_terminal_alive_turns_false_when_the_pty_is_hung_up() -> None:
    master, slave = os.openpty()
    with open(slave, closefd=True) as stream:
        assert terminal_alive([stream])
        os.close(master)  # what sshd does when the connection drops
        assert not terminal_alive([stream])
    assert not terminal_alive([stream])  # closed file: no descriptor at all


@dataclass
class WatchRecorder:
    lost_calls: int = 0
    exit_codes: list[int] | None = None
    alive: bool = True

    def __post_init__(self) -> None:
        self.exit_codes = []
        self.exited = threading.Event()

    def on_lost(self) -> None:
        self.lost_calls += 1

    def hard_exit(self, code: int) -> None:
        assert self.exit_codes is not None
        self.exit_codes.append(code)
        self.exited.set()


def test_watch_asks_the_app_to_exit_then_forces_it() -> None:
    rec = WatchRecorder()
    watch = TerminalWatch(
        rec.on_lost, alive=lambda: rec.alive, interval=0.01, grace=0.05, hard_exit=rec.hard_exit
    ).start()
    assert not watch.lost.wait(0.1)  # healthy terminal: nothing happens
    rec.alive = False
    assert watch.lost.wait(5)
    assert rec.exited.wait(5)
    assert (rec.lost_calls, rec.exit_codes) == (1, [EXIT_TERMINAL_LOST])


def test_watch_does_not_force_an_exit_once_stopped() -> None:
    rec = WatchRecorder(alive=False)
    watch = TerminalWatch(
        rec.on_lost, alive=lambda: rec.alive, interval=0.01, grace=30, hard_exit=rec.hard_exit
    ).start()
    assert watch.lost.wait(5)
    watch.stop()  # the app exited normally within the grace period
    watch._thread.join(5)
    assert not watch._thread.is_alive()
    assert rec.exit_codes == []


def test_a_failing_exit_request_still_ends_in_a_hard_exit() -> None:
    rec = WatchRecorder(alive=False)

    def loop_closed() -> None:
        raise RuntimeError("Event loop is closed")

    TerminalWatch(
        loop_closed, alive=lambda: rec.alive, interval=0.01, grace=0.01, hard_exit=rec.hard_exit
    ).start()
    assert rec.exited.wait(5)


async def test_watch_terminal_watches_nothing_without_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(safety, "terminal_alive", lambda: False)
    assert watch_terminal(object()) is None


async def test_watch_terminal_exits_the_app_on_its_own_loop() -> None:
    calls: list[tuple[object, ...]] = []
    on_loop = asyncio.Event()
    rec = WatchRecorder()

    class FakeApp:
        def exit(self, *args: object) -> None:
            calls.append(args)
            on_loop.set()  # asyncio.Event: only safe because we are on the loop

    watch = watch_terminal(
        FakeApp(), alive=lambda: rec.alive, interval=0.01, grace=30, hard_exit=rec.hard_exit
    )
    assert watch is not None
    try:
        rec.alive = False
        await asyncio.wait_for(on_loop.wait(), 5)
        assert calls == [(None, EXIT_TERMINAL_LOST)]
    finally:
        watch.stop()
    assert rec.exit_codes == []


# ---- a real process on a pseudo-terminal ----------------------------------------------------


BASE_ENV = {"TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
PAINTED = b"palette"  # the footer's last binding: the first screen is on


def assert_exits_promptly_after_hangup(child: PtyChild) -> None:
    child.read_until(PAINTED, timeout=20)
    os.close(child.master)
    status = child.wait_exit(timeout=8)
    if status is None:
        before = child.cpu_seconds()
        time.sleep(1)
        spent = child.cpu_seconds() - before
        pytest.fail(f"still running 8 s after the terminal closed ({spent:.0%} of a CPU)")
    # Either the app exited on its own or the watch forced it; never killed by a signal.
    assert os.WIFEXITED(status), status


def test_watched_demo_app_exits_when_the_terminal_goes_away() -> None:
    with pty_child(["-c", WATCHED_DEMO], BASE_ENV, ignore_hup=True) as child:
        assert_exits_promptly_after_hangup(child)


def test_kb4tui_demo_exits_when_the_terminal_goes_away() -> None:
    argv = ["-m", "kb4tui", "--demo", "--demo-users", "200"]
    with pty_child(argv, BASE_ENV, ignore_hup=True) as child:
        assert_exits_promptly_after_hangup(child)


# ---- colours --------------------------------------------------------------------------------

_SGR = re.compile(rb"\x1b\[([0-9;]*)m")
# Greys in the 256-colour palette: the 4 basic greys, the cube's diagonal, the grey ramp.
_GREY_256 = {0, 7, 8, 15, 16, 59, 102, 145, 188, 231, *range(232, 256)}


def colour_params(output: bytes) -> list[tuple[str, tuple[int, ...]]]:
    """(kind, value) for every colour set by an SGR sequence: ("16", (code,)),
    ("256", (index,)) or ("rgb", (r, g, b))."""
    found: list[tuple[str, tuple[int, ...]]] = []
    for match in _SGR.finditer(output):
        params = [int(p) if p else 0 for p in match.group(1).split(b";")]
        i = 0
        while i < len(params):
            p = params[i]
            if p in (38, 48) and i + 1 < len(params) and params[i + 1] == 5:
                found.append(("256", (params[i + 2],)))
                i += 3
            elif p in (38, 48) and i + 1 < len(params) and params[i + 1] == 2:
                found.append(("rgb", tuple(params[i + 2 : i + 5])))
                i += 5
            else:
                if 30 <= p <= 37 or 40 <= p <= 47 or 90 <= p <= 97 or 100 <= p <= 107:
                    found.append(("16", (p,)))
                i += 1
    return found


def painted_output(env: Mapping[str, str]) -> bytes:
    argv = ["-m", "kb4tui", "--demo", "--demo-users", "200"]
    with pty_child(argv, {**BASE_ENV, **env}, ignore_hup=False) as child:
        child.read_until(PAINTED, timeout=20)
        return child.output


def test_term_xterm_paints_in_16_colours() -> None:
    colours = colour_params(painted_output({"TERM": "xterm"}))
    assert colours, "nothing was coloured at all"
    assert {kind for kind, _ in colours} == {"16"}


def test_no_color_paints_only_greys() -> None:
    colours = colour_params(painted_output({"NO_COLOR": "1"}))
    assert colours
    for kind, value in colours:
        if kind == "16":
            assert value[0] % 10 in (0, 7), value  # black, white, bright black/white
        elif kind == "256":
            assert value[0] in _GREY_256, value
        else:
            assert len(set(value)) == 1, value


def test_colour_check_sees_colour_without_no_color() -> None:
    """The NO_COLOR test above can fail: by default the app is in colour."""
    colours = colour_params(painted_output({}))
    assert any(kind == "256" and value[0] not in _GREY_256 for kind, value in colours)
