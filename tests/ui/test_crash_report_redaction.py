"""Textual's crash report must not show the API key (kb4tui.ui.safety.install_crash_guard).

Textual prints a rich traceback with show_locals=True when a handler raises: a frame that
holds the key in a local prints it. Each test first shows the unguarded App leaking, so the
guarded assertion cannot pass by accident.
"""

from __future__ import annotations

import asyncio
import io
import pickle

import pytest
from rich.console import Console
from rich.panel import Panel
from textual.app import App

from kb4tui.ui.compat import exit_output, print_exit_output
from kb4tui.ui.safety import REDACTED, CrashGuard, install_crash_guard

KEY = "kb4tui-crash-key-7Hq2xWm9Lp3vZ8"
pytestmark = pytest.mark.timeout(30)


class Crashy(App[None]):
    """On mount, does one bad thing (`what`) with the key in a local or a message."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def on_mount(self) -> None:
        self.call_later(getattr(self, f"do_{self.what}"))

    def do_raise(self) -> None:
        api_key = KEY
        raise RuntimeError(f"request failed for {api_key}")

    def do_wrap(self) -> None:
        api_key = KEY
        # Long enough that the rendered message wraps, possibly inside the key.
        raise ValueError("x" * 67 + api_key + " trailing words" * 10)

    def do_panic(self) -> None:
        self.panic(Panel(f"panic with {KEY}"))

    def do_exit(self) -> None:
        self.exit(message=f"bye {KEY}")


async def crash_output(what: str, *, guard: bool) -> str:
    """What the app prints to its error console as it ends (headless, real run loop)."""
    app = Crashy(what)
    printed = io.StringIO()
    # Textual's own error console is markup=False, stderr; only the file differs.
    app.error_console = Console(file=printed, width=80, color_system=None, markup=False)
    if guard:
        install_crash_guard(app, [KEY])
    await asyncio.wait_for(app.run_async(headless=True, size=(80, 24)), 20)
    return printed.getvalue()


@pytest.mark.parametrize(("what", "error"), [("raise", RuntimeError), ("wrap", ValueError)])
async def test_crash_report_has_no_key_and_no_locals(what: str, error: type[Exception]) -> None:
    leaked = await crash_output(what, guard=False)
    assert f"api_key = '{KEY}'" in leaked  # Textual's default report shows the local

    report = await crash_output(what, guard=True)
    assert "Traceback" in report
    assert error.__name__ in report  # still a useful report
    flat = "".join(report.split())  # catches a key wrapped over two lines
    assert KEY not in flat
    assert KEY[:12] not in flat
    assert "locals" not in report
    assert REDACTED in flat


async def test_panic_renderables_are_redacted() -> None:
    assert KEY in await crash_output("panic", guard=False)
    report = await crash_output("panic", guard=True)
    assert KEY not in report
    assert f"panic with {REDACTED}" in report


async def test_exit_message_is_redacted() -> None:
    assert KEY in await crash_output("exit", guard=False)
    report = await crash_output("exit", guard=True)
    assert report.strip() == f"bye {REDACTED}"


def test_guard_keeps_its_secrets_to_itself() -> None:
    guard = CrashGuard([KEY, "short"])
    assert KEY not in repr(guard)
    assert guard.redact(f"a {KEY} b short") == f"a {REDACTED} b short"  # short ones ignored
    with pytest.raises(TypeError):
        pickle.dumps(guard)
    guard.add(None)
    guard.add(KEY)
    assert repr(guard) == "CrashGuard(secrets=1)"


def test_install_refuses_an_app_without_the_internals() -> None:
    with pytest.raises(RuntimeError, match=r"update kb4tui\.ui\.compat"):
        install_crash_guard(object(), [KEY])


def test_run_tui_installs_both_guards_with_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """`kb4tui` (run_tui) builds the app with the render guard and a crash guard that
    knows the key in use."""
    from kb4tui.cli import main
    from kb4tui.ui.app import KB4App
    from kb4tui.ui.safety import ControlCharacterFilter

    started: list[KB4App] = []

    def run_instead(self: KB4App, *args: object, **kwargs: object) -> int:
        started.append(self)
        return 0

    monkeypatch.setattr(KB4App, "run", run_instead)
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    monkeypatch.setenv("KNOWBE4_BASE_URL", "http://127.0.0.1:9")
    assert main([]) == 0
    (app,) = started
    assert any(isinstance(f, ControlCharacterFilter) for f in app.get_line_filters())
    printed = io.StringIO()
    app.error_console = Console(file=printed, width=80, color_system=None, markup=False)
    exit_output(app).append(f"exit with {KEY}")
    print_exit_output(app)
    assert printed.getvalue().strip() == f"exit with {REDACTED}"
