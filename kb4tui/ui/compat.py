"""Every use of Textual's private names, in one module.

Textual is pinned exactly (pyproject.toml) because of what is here: each function reaches
into something Textual does not promise to keep. tests/ui/test_compat.py checks each one
against the installed Textual and fails loudly, naming the function, when an upgrade moves
or changes what it relies on; tests/ui/test_private_textual_names.py fails when a private
name is used anywhere else. Where Textual has a public hook (`App.get_line_filters`, the
iteration of a `Strip`) the code uses it and nothing is needed here.

Sections: the crash guard, the footer, the virtual table, and read-only views of Textual
state for tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import RenderableType
from rich.segment import Segment
from textual.app import App
from textual.geometry import Size
from textual.notifications import Notification
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

__all__ = [
    "FooterKey",
    "LayoutCounter",
    "count_layouts",
    "exit_output",
    "filter_exit_output",
    "footer_keys",
    "mark_footer_bindings_ready",
    "notifications",
    "print_exit_output",
    "replace_crash_report",
    "screen_lines",
    "timer_running",
    "update_virtual_size_quietly",
]


def _require(app: object, names: tuple[str, ...]) -> None:
    for name in names:
        if not hasattr(app, name):
            raise RuntimeError(f"textual App has no {name}: update kb4tui.ui.compat")


# ---- the crash guard (kb4tui.ui.safety) -----------------------------------------------------
# App._fatal_error: on an unhandled exception, rings the bell, appends a rich traceback
#   (with locals) to App._exit_renderables and closes the message queue.
# App._print_error_renderables: prints App._exit_renderables on exit (crash report, panic,
#   exit(message=...)) to the error console, then clears them.


def replace_crash_report(app: App[Any], report: Callable[[], RenderableType]) -> None:
    """On an unhandled exception, print `report()` on exit instead of Textual's traceback
    (which shows every frame's locals); the bell and the shutdown stay as Textual does them."""
    _require(app, ("_fatal_error", "_exit_renderables", "_close_messages_no_wait"))

    def fatal_error() -> None:
        app.bell()
        app._exit_renderables.append(report())
        app._close_messages_no_wait()

    app._fatal_error = fatal_error  # type: ignore[method-assign]


def filter_exit_output(app: App[Any], transform: Callable[[Any], Any]) -> None:
    """Pass every renderable the app prints on exit through `transform` first."""
    _require(app, ("_print_error_renderables", "_exit_renderables"))
    print_original = app._print_error_renderables

    def print_error_renderables() -> None:
        app._exit_renderables[:] = [transform(item) for item in app._exit_renderables]
        print_original()

    app._print_error_renderables = print_error_renderables  # type: ignore[method-assign]


def exit_output(app: App[Any]) -> list[RenderableType]:
    """What the app will print on exit (the live list: appending adds to it)."""
    _require(app, ("_exit_renderables",))
    return app._exit_renderables


def print_exit_output(app: App[Any]) -> None:
    """Print (and clear) what the app prints on exit, as Textual does when it ends."""
    _require(app, ("_print_error_renderables",))
    app._print_error_renderables()


# ---- the footer (kb4tui.ui.widgets.footer) --------------------------------------------------
# Footer.bindings_changed sets the private reactive `_bindings_ready` (compose shows no key
# until it is True) and then recomposes; AppFooter does the first part and recomposes less.


def mark_footer_bindings_ready(footer: Footer) -> None:
    """Let `Footer.compose` show the keys: the first step of `Footer.bindings_changed`."""
    footer._bindings_ready = True


def footer_keys(footer: Widget) -> list[FooterKey]:
    """The key widgets a footer shows, in order (FooterKey lives in a private module)."""
    return list(footer.query(FooterKey))


# ---- the virtual table (kb4tui.ui.table.widget) ---------------------------------------------
# Widget.virtual_size is a reactive with layout=True: assigning it lays out the screen.
# Widget._refresh_scrollbars decides which scrollbars show from the virtual size.
# Widget._scroll_update sizes the scrollbars' windows and clamps the scroll offset.


def update_virtual_size_quietly(widget: Widget, size: Size) -> bool:
    """Give ``widget`` a new virtual size without laying out its screen, and return whether
    a scrollbar appeared or disappeared (the caller must then lay out after all).

    For a table whose own size is fixed by its container, a new row count changes only its
    scrollbars, and the layout an assignment triggers was most of a filter keystroke's time
    at 100,000 rows."""
    shown = (widget.show_vertical_scrollbar, widget.show_horizontal_scrollbar)
    widget.set_reactive(Widget.virtual_size, size)  # no watcher: no layout
    widget._refresh_scrollbars()
    if (widget.show_vertical_scrollbar, widget.show_horizontal_scrollbar) != shown:
        return True
    widget._scroll_update(size)
    return False


# ---- read-only views of Textual state, for tests ---------------------------------------------


def notifications(app: App[Any]) -> list[Notification]:
    """The toasts the app is showing or about to show, oldest first."""
    return list(app._notifications)


def screen_lines(screen: Screen[Any]) -> list[list[Segment]]:
    """What the screen paints, one list of segments per line (the compositor's full update:
    exactly what reaches the terminal, line filters included)."""
    update: Any = screen._compositor.render_update(full=True)
    return [[segment for strip in line for segment in strip] for line in update.strips]


class LayoutCounter:
    """How many times a screen laid itself out while counted (`count_layouts`)."""

    def __init__(self) -> None:
        self.count = 0


@contextmanager
def count_layouts(screen: Screen[Any]) -> Iterator[LayoutCounter]:
    """Count the screen's layout passes (Screen._refresh_layout) inside the block."""
    counter = LayoutCounter()
    original = screen._refresh_layout

    def counting(*args: Any, **kwargs: Any) -> None:
        counter.count += 1
        original(*args, **kwargs)

    screen._refresh_layout = counting  # type: ignore[method-assign]
    try:
        yield counter
    finally:
        del screen._refresh_layout  # the class's method again


def timer_running(timer: Timer) -> bool:
    """False once the timer is stopped (its task is gone)."""
    return timer._task is not None
