"""The question before a refresh that would go past the day's API quota."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["ConfirmQuotaScreen"]


class ConfirmQuotaScreen(ModalScreen[bool]):
    """Asks before a refresh that would go past the day's API quota."""

    DEFAULT_CSS = """
    ConfirmQuotaScreen { align: center middle; }
    ConfirmQuotaScreen > Vertical {
        width: 64; height: auto; padding: 1 2;
        border: thick $warning; background: $surface;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Refresh anyway", id="quota.confirm"),
        Binding("n,escape", "answer(False)", "Keep cached data", id="quota.cancel"),
    ]

    def __init__(self, needed: int, used: int, limit: int) -> None:
        super().__init__()
        self.needed, self.used, self.limit = needed, used, limit

    def compose(self) -> ComposeResult:
        text = Text("Refresh past the daily API quota?\n\n", style="bold")
        text.append(
            f"This refresh needs about {self.needed:,} requests; {self.used:,} of "
            f"{self.limit:,} are used in the last 24 hours. Requests past the quota are "
            "refused until the day rolls over.\n\n"
        )
        text.append("y: refresh anyway   n: keep the cached data", style="dim")
        with Vertical():
            yield Static(text, id="quota-confirm", markup=False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
