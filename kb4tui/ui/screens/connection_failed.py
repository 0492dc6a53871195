"""Shown when the session cannot be opened at all (the key is rejected, or neither the API
nor a cache has anything to show)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

__all__ = ["ConnectionFailedScreen"]


class ConnectionFailedScreen(Screen[None]):
    """Shown when the session cannot be opened at all (e.g. the key is rejected)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape", "quit", "Quit", id="connection.quit"),
    ]

    def __init__(self, sentence: str, exit_code: int) -> None:
        super().__init__()
        self.sentence = sentence
        self.exit_code = exit_code

    def action_quit(self) -> None:
        """Quit with the command line's exit code for this error (2 auth, 3 network)."""
        self.app.exit(return_code=self.exit_code)

    def compose(self) -> ComposeResult:
        text = Text("kb4tui could not connect\n\n", style="bold")
        text.append(self.sentence)
        text.append("\n\nPress q to quit.", style="dim")
        yield Static(text, id="connection-error", markup=False)
