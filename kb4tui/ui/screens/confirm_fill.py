"""The question before a view's first load when it costs many API requests."""

from __future__ import annotations

import math
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["REQUESTS_PER_MINUTE", "ConfirmFillScreen", "minutes_for"]

# The API's burst limit: what a long fetch is paced by.
REQUESTS_PER_MINUTE = 50


def minutes_for(requests: int) -> int:
    """Whole minutes `requests` take at the API's 50 a minute (at least 1)."""
    return max(1, math.ceil(requests / REQUESTS_PER_MINUTE))


class ConfirmFillScreen(ModalScreen[bool]):
    """Asks before a first load of about `needed` requests (`what` says of what)."""

    DEFAULT_CSS = """
    ConfirmFillScreen { align: center middle; }
    ConfirmFillScreen > Vertical {
        width: 66; max-width: 100%; height: auto; padding: 1 2;
        border: thick $warning; background: $surface;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Load", id="fill.confirm"),
        Binding("n,escape", "answer(False)", "Not now", id="fill.cancel"),
    ]

    def __init__(self, needed: int, what: str, used: int, limit: int) -> None:
        super().__init__()
        self.needed, self.what, self.used, self.limit = needed, what, used, limit

    def compose(self) -> ComposeResult:
        text = Text("Load this view?\n\n", style="bold")
        text.append(
            f"It needs about {self.needed:,} API requests ({self.what}), about "
            f"{minutes_for(self.needed)} min at the API's {REQUESTS_PER_MINUTE} a minute. "
        )
        if self.limit:
            text.append(f"{self.used:,} of today's {self.limit:,} are used. ")
        text.append("What is fetched is cached for the other views.\n\n")
        text.append("y: load   n: not now (r loads later)", style="dim")
        with Vertical():
            yield Static(text, id="fill-confirm", markup=False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
