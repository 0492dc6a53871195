"""`MainPane`: what the main screen needs of a pane (see `kb4tui.ui.panes.registry`)."""

from __future__ import annotations

from kb4tui.ui.data_view import DataView

__all__ = ["MainPane"]


class MainPane(DataView):
    """A pane of the main screen: built with the session, started on first show.

    Mixed in after the pane's container class, like `DataView`.
    """

    def start(self) -> None:
        """Load on first show (later calls do nothing): a pane nobody opens costs nothing."""
        raise NotImplementedError(f"{type(self).__name__} must say how it starts")

    def refresh_data(self) -> None:
        """`r` on the main screen: fetch what the pane shows again."""
        raise NotImplementedError(f"{type(self).__name__} must say how it refreshes")

    def focus_table(self) -> None:
        """Give the keys to the pane's table."""
        raise NotImplementedError(f"{type(self).__name__} must say what has the keys")

    def refresh_detail(self) -> None:
        """Back from a drill-down: redraw what it may have taught (a status breakdown)."""
