"""The key footer, rebuilt once per burst of binding changes.

Textual's Footer answers every `bindings_updated` signal with a full recompose (each key
widget removed, mounted and styled again, then a layout), queued once per signal. Start-
up, opening a screen and opening the filter box each send three or four in a row, and
every one rebuilt the footer, mostly into what it already showed: about 70 ms of start-up
and about 100 ms each time a campaign is opened (measured headless). Here one pending
rebuild serves a burst, and it is skipped when the keys to show (and how) are the ones
already shown.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer

from kb4tui.ui.compat import mark_footer_bindings_ready

__all__ = ["AppFooter"]


class AppFooter(Footer):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(**kwargs)
        self._rebuild_pending = False
        self._shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        # As Textual's Footer.bindings_changed (tests/ui/test_compat.py checks it has not
        # changed), with one rebuild per burst.
        mark_footer_bindings_ready(self)
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached:
            return
        wanted = self._keys_to_show()
        if wanted == self._shown:
            return
        self._shown = wanted
        await self.recompose()

    def _keys_to_show(self) -> tuple[object, ...]:
        """Everything `Footer.compose` reads, so equal tuples compose equal footers."""
        app = self.app
        palette = app.COMMAND_PALETTE_BINDING
        keys = tuple(
            (
                key,
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                enabled,
                tooltip,
                None
                if binding.group is None
                else (binding.group.description, binding.group.compact),
            )
            for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == palette
        )
        return keys, self.show_command_palette, app.ENABLE_COMMAND_PALETTE, self.compact
