"""`?`: every key that works on the screen underneath, generated from its active bindings."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from kb4tui.sanitize import clean_text
from kb4tui.ui.widgets.virtual_table import VirtualTable

__all__ = ["HelpScreen", "help_text"]


def _where(active: ActiveBinding) -> str:
    """A readable name for where a binding lives: the app, a screen, a pane, the table."""
    node = active.node
    if isinstance(node, VirtualTable):
        return "Table"
    if isinstance(node, App):
        return "Everywhere"
    name = type(node).__name__
    return name.removesuffix("Screen").removesuffix("Pane") or name


def help_text(screen: Screen[object]) -> Text:
    """One line per binding (keys sharing an action are joined), grouped by where they live."""
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
            text.append(f"  {' / '.join(dict.fromkeys(keys)):<18}", style="bold")
            text.append(f"{label:<22} ")
            if binding_id:
                text.append(binding_id, style="dim")
            text.append("\n")
            if tooltip:
                text.append(" " * 20)
                text.append(tooltip, style="italic")
                text.append("\n")
        text.append("\n")
    text.append(
        "Binding ids can be remapped. ctrl+p: jump to a campaign, module or user; themes.",
        style="dim",
    )
    return text


class HelpScreen(ModalScreen[None]):
    """Shows `help_text` for the screen that was active when `?` was pressed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss_help", "Close", id="help.close"),
        Binding("j,down", "scroll('down')", "Scroll", show=False, id="help.down"),
        Binding("k,up", "scroll('up')", "Scroll", show=False, id="help.up"),
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
        else:
            body.scroll_up()
