"""An input for a secret (the API key): masked, and nothing in it ever leaves the field.

Textual's `Input(password=True)` only masks what it draws: its `ctrl+c`/`ctrl+x` bindings
still copy the selection (`shift+home` selects the whole key) to the app's clipboard and,
through OSC 52, to the terminal's, where it outlives the session; and `ctrl+c` is many
people's reflex for "quit". Here copy and cut do nothing and the field takes no part in
screen text selection. Paste still works: pasting the key in is how it usually arrives.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.actions import SkipAction
from textual.selection import Selection
from textual.widgets import Input

__all__ = ["SecretInput"]


class SecretInput(Input):
    """A password `Input` whose text cannot be copied, cut or selected out of it."""

    ALLOW_SELECT: ClassVar[bool] = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["password"] = True
        super().__init__(*args, **kwargs)

    def action_copy(self) -> None:
        # Skipped, not swallowed: ctrl+c then reaches the app, which says how to quit.
        raise SkipAction()

    def action_cut(self) -> None:
        raise SkipAction()

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return None
