"""`?`: every key that works on the screen underneath, generated from its active bindings."""

from __future__ import annotations

import re
import textwrap
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from kb4tui.sanitize import clean_text
from kb4tui.ui.table import VirtualTable

__all__ = ["HelpScreen", "help_text"]

# Keys, description, id: the tooltip goes on the next lines, under the description.
_KEYS_WIDTH = 18
_TOOLTIP_INDENT = 2 + _KEYS_WIDTH
# The help box is 84 wide at most; border and padding take 4, a scrollbar 2 more.
_BOX_WIDTH = 84
_BOX_CHROME = 6
# Screens other modules own, titled here rather than by their class names.
_TITLES = {"MainScreen": "Main screen"}


def _where(active: ActiveBinding) -> str:
    """A readable title for where a binding lives: a class's HELP_TITLE if it has one,
    else its class name in words ("IncompleteEnrollmentsScreen" reads "Incomplete enrollments")."""
    node = active.node
    if isinstance(node, VirtualTable):
        return "Table"
    if isinstance(node, App):
        return "Everywhere"
    title = getattr(type(node), "HELP_TITLE", None)
    if isinstance(title, str) and title:
        return title
    name = type(node).__name__
    if name in _TITLES:
        return _TITLES[name]
    bare = name.removesuffix("Screen").removesuffix("Pane").removesuffix("Section") or name
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", bare) or [bare]
    return " ".join([words[0], *(word.lower() for word in words[1:])])


def help_text(screen: Screen[object], width: int | None = None) -> Text:
    """One line per binding (keys sharing an action are joined), grouped by where they live.

    `width` is the text's width on screen (default: what the help box gets in this
    terminal); tooltips are wrapped to it, indented under the description column.
    """
    if width is None:
        width = min(_BOX_WIDTH, screen.app.size.width) - _BOX_CHROME
    wrap_at = max(20, width - _TOOLTIP_INDENT)
    grouped: dict[str, dict[tuple[str, str, str], list[str]]] = {}
    for active in screen.active_bindings.values():
        binding: Binding = active.binding
        label = binding.description or binding.action
        row = (label, binding.tooltip or "", binding.id or "")
        grouped.setdefault(_where(active), {}).setdefault(row, []).append(
            screen.app.get_key_display(binding)
        )
    text = Text()
    for where, rows in grouped.items():
        text.append(f"{where}\n", style="bold underline")
        for (label, tooltip, binding_id), keys in rows.items():
            start = len(text.plain)
            text.append(f"  {' / '.join(dict.fromkeys(keys)):<{_KEYS_WIDTH}}", style="bold")
            text.append(f"{label:<22} ")
            if binding_id:
                if len(text.plain) - start + len(binding_id) > width:
                    # Too long for the line (80 columns): the id goes under the description,
                    # as tooltips do, rather than wrapping to column 0.
                    text.append("\n" + " " * _TOOLTIP_INDENT)
                text.append(binding_id, style="dim")
            text.append("\n")
            for line in textwrap.wrap(tooltip, wrap_at):
                text.append(" " * _TOOLTIP_INDENT)
                text.append(line, style="italic")
                text.append("\n")
        text.append("\n")
    text.append(
        "Remap keys in the [keys] table of config.toml by binding id (shown here).\n"
        "ctrl+p: jump to a campaign, module or user; themes.",
        style="dim",
    )
    return text


class HelpScreen(ModalScreen[None]):
    """Shows `help_text` for the screen that was active when `?` was pressed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss_help", "Close", id="help.close"),
        Binding("j,down", "scroll('down')", "Scroll", show=False, id="help.down"),
        Binding("k,up", "scroll('up')", "Scroll", show=False, id="help.up"),
        Binding("g,home", "scroll('top')", "Top", show=False, id="help.top"),
        Binding("G,end", "scroll('bottom')", "Bottom", show=False, id="help.bottom"),
    ]

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 84;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        border-title-align: center;
        background: $surface;
        padding: 0 1;
    }
    """

    def __init__(self, text: Text, title: str) -> None:
        super().__init__()
        self.text = text
        self.help_title = title

    def compose(self) -> ComposeResult:
        scroll = VerticalScroll(id="help-body")
        # Content, not str: a str border title is read as markup.
        scroll.border_title = Content(clean_text(self.help_title))
        with scroll:
            yield Static(self.text, id="help-text", markup=False)

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_dismiss_help(self) -> None:
        self.dismiss(None)

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        if direction == "down":
            body.scroll_down()
        elif direction == "up":
            body.scroll_up()
        elif direction == "top":
            body.scroll_home(animate=False)
        else:
            body.scroll_end(animate=False)
