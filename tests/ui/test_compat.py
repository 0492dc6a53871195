"""Each of kb4tui.ui.compat's hooks into Textual's private names, checked against the
installed Textual. When one of these fails after a Textual upgrade, the function it names
in kb4tui/ui/compat.py needs updating before the pin moves."""

from __future__ import annotations

import asyncio
import inspect
import io
from typing import Any, ClassVar

import pytest
from rich.console import Console
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.filter import LineFilter
from textual.geometry import Size
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.widget import Widget
from textual.widgets import Footer, Static

from kb4tui.ui import compat

pytestmark = pytest.mark.timeout(30)


class Shouting(LineFilter):
    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(s.text.upper(), s.style, s.control) for s in segments]


class Small(App[None]):
    """A footer with two keys and a line of text."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "bell", "Ring", id="small.ring"),
        Binding("y", "quit", "Also", id="small.also"),
    ]

    def __init__(self, what: str = "") -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        yield Static("hello compat", id="text")
        yield Footer()

    def on_mount(self) -> None:
        if self.what:
            self.call_later(getattr(self, f"do_{self.what}"))

    def do_raise(self) -> None:
        raise RuntimeError("boom")

    def do_exit(self) -> None:
        self.exit(message="bye")


async def run_headless(app: App[Any]) -> str:
    printed = io.StringIO()
    app.error_console = Console(file=printed, width=80, color_system=None, markup=False)
    await asyncio.wait_for(app.run_async(headless=True, size=(80, 24)), 20)
    return printed.getvalue()


# ---- the crash guard ----


async def test_replace_crash_report_prints_our_report_instead_of_the_traceback() -> None:
    app = Small("raise")
    compat.replace_crash_report(app, lambda: "our report")
    assert (await run_headless(app)).strip() == "our report"
    assert app.return_code == 1  # Textual still ends the app as a crash


async def test_filter_exit_output_sees_everything_printed_on_exit() -> None:
    app = Small("exit")
    compat.filter_exit_output(app, lambda item: str(item).upper())
    assert (await run_headless(app)).strip() == "BYE"


def test_exit_output_is_what_print_exit_output_prints() -> None:
    app = Small()
    printed = io.StringIO()
    app.error_console = Console(file=printed, width=80, color_system=None, markup=False)
    compat.exit_output(app).append("left behind")
    compat.print_exit_output(app)
    assert printed.getvalue().strip() == "left behind"
    assert compat.exit_output(app) == []  # printed once


def test_an_app_without_the_internals_is_refused_by_name() -> None:
    with pytest.raises(RuntimeError, match=r"no _fatal_error: update kb4tui\.ui\.compat"):
        compat.replace_crash_report(object(), lambda: "")  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match=r"update kb4tui\.ui\.compat"):
        compat.filter_exit_output(object(), str)  # type: ignore[arg-type]


# ---- the footer ----

# What AppFooter.bindings_changed copies (kb4tui/ui/widgets/footer.py).
FOOTER_BINDINGS_CHANGED = """
def bindings_changed(self, screen: Screen) -> None:
    self._bindings_ready = True
    if not screen.app.app_focus:
        return
    if self.is_attached and screen is self.screen:
        self.call_after_refresh(self.recompose)
"""


def test_footer_bindings_changed_is_still_what_app_footer_copies() -> None:
    source = inspect.getsource(Footer.bindings_changed)
    assert source.split() == FOOTER_BINDINGS_CHANGED.split()
    assert "if not self._bindings_ready:" in inspect.getsource(Footer.compose)


class UnreadyFooter(Footer):
    """Recomposes on binding changes without marking the bindings ready."""

    def bindings_changed(self, screen: Any) -> None:
        if self.is_attached:
            self.call_later(self.recompose)


async def test_mark_footer_bindings_ready_lets_the_footer_show_its_keys() -> None:
    app = Small()
    async with app.run_test(size=(80, 24)) as pilot:
        footer = UnreadyFooter()
        await app.screen.mount(footer)
        footer.call_later(footer.recompose)
        await pilot.pause()
        assert compat.footer_keys(footer) == []  # not ready: Footer.compose shows nothing
        compat.mark_footer_bindings_ready(footer)
        footer.call_later(footer.recompose)
        await pilot.pause()
        keys = compat.footer_keys(footer)
        assert [(k.key_display, k.description) for k in keys][:2] == [("x", "Ring"), ("y", "Also")]


# ---- the virtual table ----


class Scroller(ScrollView):
    DEFAULT_CSS = "Scroller { height: 10; overflow-y: auto; overflow-x: hidden; }"


class ScrollerApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Scroller()


def test_virtual_size_is_a_reactive_that_lays_out_the_screen() -> None:
    """Why the quiet path exists, and what `set_reactive` sets: if assigning no longer lays
    out, the table can assign `virtual_size` and drop the hook."""
    descriptor = Widget.__dict__["virtual_size"]
    assert isinstance(descriptor, Reactive)
    assert descriptor.name == "virtual_size"
    assert descriptor._layout is True


def test_the_scrollbar_hooks_keep_their_signatures() -> None:
    assert list(inspect.signature(Widget._refresh_scrollbars).parameters) == ["self"]
    assert list(inspect.signature(Widget._scroll_update).parameters) == ["self", "virtual_size"]


async def test_refresh_scrollbars_shows_the_scrollbar_the_virtual_size_needs() -> None:
    app = ScrollerApp()
    async with app.run_test(size=(40, 20)):
        scroller = app.query_one(Scroller)
        assert not scroller.show_vertical_scrollbar
        scroller.set_reactive(Widget.virtual_size, Size(40, 100))
        scroller._refresh_scrollbars()
        assert scroller.show_vertical_scrollbar


async def test_scroll_update_sizes_the_scrollbar_and_clamps_the_offset() -> None:
    app = ScrollerApp()
    async with app.run_test(size=(40, 20)) as pilot:
        scroller = app.query_one(Scroller)
        scroller.virtual_size = Size(40, 100)
        await pilot.pause()
        scroller.scroll_to(y=80, animate=False, immediate=True)
        scroller.set_reactive(Widget.virtual_size, Size(40, 30))
        scroller._scroll_update(Size(40, 30))
        assert scroller.vertical_scrollbar.window_virtual_size == 30
        assert scroller.scroll_y == 30 - 10


async def test_a_quiet_virtual_size_change_lays_out_only_when_a_scrollbar_comes_or_goes() -> None:
    app = ScrollerApp()
    async with app.run_test(size=(40, 20)) as pilot:
        scroller = app.query_one(Scroller)
        assert compat.update_virtual_size_quietly(scroller, Size(40, 100))  # scrollbar shows
        assert scroller.show_vertical_scrollbar
        scroller.refresh(layout=True)  # as the caller must
        await pilot.pause()
        with compat.count_layouts(app.screen) as layouts:
            assert not compat.update_virtual_size_quietly(scroller, Size(40, 50))
            assert scroller.virtual_size == Size(40, 50)
            assert scroller.vertical_scrollbar.window_virtual_size == 50
            await pilot.pause()
            assert layouts.count == 0
        assert compat.update_virtual_size_quietly(scroller, Size(40, 5))  # the scrollbar goes
        assert not scroller.show_vertical_scrollbar


# ---- views for tests ----


async def test_notifications_lists_the_toasts() -> None:
    app = Small()
    async with app.run_test() as pilot:
        app.notify("first", title="T")
        app.notify("second", severity="error")
        await pilot.pause()
        assert [(n.message, n.severity) for n in compat.notifications(app)] == [
            ("first", "information"),
            ("second", "error"),
        ]


async def test_screen_lines_are_what_reaches_the_terminal_line_filters_included() -> None:
    class Filtered(Small):
        def get_line_filters(self) -> list[LineFilter]:  # Textual's public hook
            return [*super().get_line_filters(), Shouting()]

    app = Filtered()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        lines = compat.screen_lines(app.screen)
    assert len(lines) == 5
    assert "".join(s.text for s in lines[0]).startswith("HELLO COMPAT")


async def test_count_layouts_counts_and_puts_the_method_back() -> None:
    app = Small()
    async with app.run_test() as pilot:
        screen = app.screen
        await pilot.pause()
        with compat.count_layouts(screen) as layouts:
            before = layouts.count
            await screen.mount(Static("more"))
            await pilot.pause()
            assert layouts.count > before
        assert "_refresh_layout" not in vars(screen)


async def test_timer_running_follows_stop() -> None:
    app = Small()
    async with app.run_test():
        timer = app.set_interval(60, lambda: None)
        assert compat.timer_running(timer)
        timer.stop()
        assert not compat.timer_running(timer)


def test_a_strip_iterates_its_segments_publicly() -> None:
    """Tests read a rendered line with `list(strip)`, not `strip._segments`."""
    from textual.strip import Strip

    segments = [Segment("a"), Segment("b")]
    assert list(Strip(segments)) == segments
