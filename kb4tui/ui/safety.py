"""Protections the app installs around itself: crash reports without the key, a clean exit
when the SSH session behind the terminal goes away, and terminal settings for slow links.

Wiring (in `run_tui` / `KB4App`):

    prepare_environment()                      # before textual is imported or the App built
    app = KB4App(...)
    guard = install_crash_guard(app, [key])    # redact the key from anything printed on exit
    # KB4App.get_line_filters adds a ControlCharacterFilter: no control character reaches
    # the terminal
    # in KB4App.on_mount:  self._terminal_watch = watch_terminal(self)
    # in KB4App.on_unmount: self._terminal_watch.stop()

`guard.add(secret)` registers a key learned later (the sign-in screen).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from rich.segment import Segment, Segments
from rich.text import Text
from textual.color import Color
from textual.filter import LineFilter

from kb4tui.exitcodes import ExitCode
from kb4tui.sanitize import strip_controls
from kb4tui.ui.compat import filter_exit_output, replace_crash_report

if TYPE_CHECKING:  # rich.traceback pulls in pygments: imported only when a crash happens
    from rich.traceback import Trace

__all__ = [
    "ESCDELAY_MS",
    "EXIT_TERMINAL_LOST",
    "REDACTED",
    "ControlCharacterFilter",
    "CrashGuard",
    "TerminalWatch",
    "guarded_line_filters",
    "install_crash_guard",
    "prepare_environment",
    "terminal_alive",
    "watch_terminal",
]

REDACTED = "<redacted>"
# ncurses' convention, in milliseconds. Textual's default (100) splits ESC from the rest
# of an arrow key's sequence when the bytes arrive in separate packets on a slow link.
ESCDELAY_MS = 250
EXIT_TERMINAL_LOST = ExitCode.TERMINAL_LOST
# Keys shorter than this are not redacted: a short string would blank ordinary words.
_MIN_SECRET = 8


def prepare_environment(
    environ: MutableMapping[str, str] | None = None, *, escape_delay_ms: int | None = None
) -> None:
    """Terminal settings for SSH, to run before the App is created.

    Raises ESCDELAY so a lone escape is not mistaken for the start of an arrow key: to
    `escape_delay_ms` (the config's setting) or ESCDELAY_MS, unless ESCDELAY is already
    set in the environment, which wins. Textual reads ESCDELAY when `textual.constants` is
    imported; if that already happened the constant is updated too (the input parser reads
    it per key). NO_COLOR and TERM need nothing here: Textual honours NO_COLOR and Rich
    maps TERM=xterm to 16 colours.
    """
    env = os.environ if environ is None else environ
    env.setdefault("ESCDELAY", str(escape_delay_ms or ESCDELAY_MS))
    constants = sys.modules.get("textual.constants")
    if constants is not None and env is os.environ:
        try:
            delay = max(1, int(env["ESCDELAY"])) / 1000.0
        except ValueError:
            return
        setattr(constants, "ESCAPE_DELAY", delay)  # noqa: B010 (a Final constant to mypy)


# ---- what reaches the terminal ------------------------------------------------------------


class ControlCharacterFilter(LineFilter):
    """Drops control characters from every rendered line, whatever widget made it.

    The safety net under all the places that show API text: a Static built from a name,
    a breadcrumb, a palette hit, a toast. ESC, CSI (0x9b), BEL, bidi overrides and the
    like are zero cells wide, so removing them keeps the layout; what is left of an
    escape sequence (`[2J`) is inert text. Lines without them pass through unchanged.
    """

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if not any(strip_controls(segment.text) is not segment.text for segment in segments):
            return segments
        return [
            segment if segment.control else Segment(strip_controls(segment.text), segment.style)
            for segment in segments
        ]


def guarded_line_filters(
    filters: Sequence[LineFilter], guard: ControlCharacterFilter
) -> list[LineFilter]:
    """Textual's line filters with the guard last (for an `App.get_line_filters` override,
    Textual's public hook); a disabled guard is left out, as Textual leaves out its own."""
    return [*filters, guard] if guard.enabled else list(filters)


# ---- crash reports -------------------------------------------------------------------------


class CrashGuard:
    """Keeps secrets out of what the app prints when it exits or crashes.

    Textual's default crash report is a rich traceback with `show_locals=True`: any frame
    holding the key in a local would print it. The guard replaces that report with one
    without locals, and redacts every registered secret from all exit output (crash
    report, `panic`, `exit(message=...)`) just before it is printed.
    """

    __slots__ = ("_secrets",)

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        for secret in secrets:
            self.add(secret)

    def __repr__(self) -> str:
        return f"CrashGuard(secrets={len(self._secrets)})"

    def __reduce__(self) -> Any:
        raise TypeError("CrashGuard holds secrets and cannot be pickled")

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= _MIN_SECRET and secret not in self._secrets:
            self._secrets.append(secret)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def contains_secret(self, text: str) -> bool:
        return any(secret in text for secret in self._secrets)

    def redact_segments(self, segments: Iterable[Segment]) -> list[Segment]:
        """Segments with the secrets removed, line by line.

        A line without a secret keeps its styles. A line with one (perhaps split across
        segments) is rebuilt as plain redacted text.
        """
        result: list[Segment] = []
        for line in Segment.split_lines(segments):
            plain = "".join(segment.text for segment in line if not segment.control)
            if self.contains_secret(plain):
                result.append(Segment(self.redact(plain)))
            else:
                result.extend(line)
            result.append(Segment.line())
        return result


def _redact_renderable(guard: CrashGuard, renderable: Any, console: Any) -> Any:
    """An exit renderable with the secrets gone (strings and Text stay as they were)."""
    if isinstance(renderable, str):
        return guard.redact(renderable)
    if isinstance(renderable, Text):
        return Text(guard.redact(renderable.plain))
    segments = list(console.render(renderable, console.options))
    return Segments(guard.redact_segments(segments))


def _redact_trace(guard: CrashGuard, trace: Trace) -> None:
    """Redact exception messages and notes in place, before rendering: a rendered message
    may wrap in the middle of the key, where a line-by-line redaction would miss it."""
    for stack in trace.stacks:
        stack.exc_value = guard.redact(stack.exc_value)
        stack.notes = [guard.redact(note) for note in stack.notes]
        if stack.syntax_error is not None:
            stack.syntax_error.msg = guard.redact(stack.syntax_error.msg)
            stack.syntax_error.line = guard.redact(stack.syntax_error.line)
        for frame in stack.frames:
            frame.line = guard.redact(frame.line)
            frame.locals = None
        for group_trace in stack.exceptions:
            _redact_trace(guard, group_trace)


def install_crash_guard(app: Any, secrets: Iterable[str] = ()) -> CrashGuard:
    """Install a `CrashGuard` on a Textual `App` (before `run`) and return it.

    Through two of the App's internals (kb4tui.ui.compat): the crash report is a traceback
    without locals, and the secrets are redacted from everything about to be printed.
    """
    guard = CrashGuard(secrets)

    def report() -> Segments:
        import rich
        from rich.traceback import Traceback

        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        _redact_trace(guard, traceback.trace)
        return Segments(guard.redact_segments(app.console.render(traceback, app.console.options)))

    replace_crash_report(app, report)
    filter_exit_output(app, lambda item: _redact_renderable(guard, item, app.console))
    return guard


# ---- the terminal going away ----------------------------------------------------------------


def terminal_alive(streams: Iterable[TextIO | None] | None = None) -> bool:
    """False once any of the streams is no longer a terminal.

    The default streams are the ones Textual's driver uses, `sys.__stdin__` and
    `sys.__stderr__` (while the app runs, `sys.stdout` is Textual's print capture, which
    has no descriptor). When an SSH session drops, the pseudo-terminal is hung up: its
    descriptors stay open but every terminal ioctl fails, so `isatty` turns False.
    """
    for stream in (sys.__stdin__, sys.__stderr__) if streams is None else streams:
        if stream is None:
            return False
        try:
            if not os.isatty(stream.fileno()):
                return False
        except (OSError, ValueError):  # closed, or not backed by a descriptor any more
            return False
    return True


class TerminalWatch:
    """A daemon thread that ends the app when the terminal it started on goes away.

    A thread rather than an app timer: it still works when the event loop or the input
    thread is stuck on a dead terminal. It asks the app to exit, and if the process is
    still alive `grace` seconds later it ends it with EXIT_TERMINAL_LOST (no orphan left
    spinning at 100% CPU).
    """

    def __init__(
        self,
        on_lost: Callable[[], None],
        *,
        alive: Callable[[], bool] = terminal_alive,
        interval: float = 2.0,
        grace: float = 3.0,
        hard_exit: Callable[[int], object] = os._exit,
    ) -> None:
        self._on_lost = on_lost
        self._alive = alive
        self._interval = interval
        self._grace = grace
        self._hard_exit = hard_exit
        self._stop = threading.Event()
        self.lost = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kb4tui-terminal-watch", daemon=True)

    def start(self) -> TerminalWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching (the app is exiting normally); does not wait for the thread."""
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            if self._alive():
                continue
            self.lost.set()
            # The loop may already be closed: the hard exit below still comes.
            with contextlib.suppress(Exception):
                self._on_lost()
            if not self._stop.wait(self._grace):
                self._hard_exit(EXIT_TERMINAL_LOST)
            return


def watch_terminal(
    app: Any,
    *,
    interval: float = 2.0,
    grace: float = 3.0,
    alive: Callable[[], bool] | None = None,
    hard_exit: Callable[[int], object] = os._exit,
) -> TerminalWatch | None:
    """Start a `TerminalWatch` for a running Textual app (call from `on_mount`).

    The app exits with return code EXIT_TERMINAL_LOST. Returns None, watching nothing,
    when stdin or stdout is not a terminal to begin with (tests, `run_test`, output
    piped): there is no terminal to lose. `alive` and `hard_exit` are for tests.
    """
    check = alive if alive is not None else terminal_alive
    if not check():
        return None
    loop = asyncio.get_running_loop()

    def exit_app() -> None:
        loop.call_soon_threadsafe(app.exit, None, EXIT_TERMINAL_LOST)

    watch = TerminalWatch(
        exit_app, alive=check, interval=interval, grace=grace, hard_exit=hard_exit
    )
    return watch.start()
