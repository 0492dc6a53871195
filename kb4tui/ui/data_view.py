"""`DataView`: the base of every pane and screen that shows session data.

It declares the datasets it shows (`DATASETS`; a screen whose data depends on what it
was opened for overrides `datasets()`), holds the session handed down to it, and turns
any exception of its workers into a bubbling `LoadFailed` message, after showing it in
place (`show_failure`). Textual does not bubble `Worker.StateChanged`, so this is the one
route by which every failure (not only `APIError`) reaches the app.

The app reloads a view whose datasets were fetched again in the background, or that
failed because the API could not be reached, once it can: through `reload()`, without
knowing the view's type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, ClassVar

from textual.widget import Widget
from textual.worker import Worker, WorkerState

from kb4tui.api.errors import APIError, NetworkError
from kb4tui.session.datasets import ALL_ENROLLMENTS, Dataset
from kb4tui.session.session import Session
from kb4tui.ui.messages import ConfirmRefresh, LoadFailed

__all__ = ["DataView", "failure_sentence"]


def failure_sentence(error: BaseException) -> str:
    """What a view shows in place: an API error's resolution, or what went wrong."""
    if isinstance(error, APIError):
        return error.sentence
    return f"Could not load: {type(error).__name__}: {error} (r retries)"


class DataView(Widget):
    """Mixed in after a container or `Screen` (`class X(Vertical, DataView)`), so that
    the container's CSS type still applies."""

    DATASETS: ClassVar[tuple[Dataset[Any], ...]] = ()

    session: Session
    # When the data shown was fetched (None: nothing loaded yet).
    fetched_at: datetime | None = None
    # The last load failed because the API could not be reached: it loads when it can.
    failed_offline: bool = False

    def datasets(self) -> tuple[Dataset[Any], ...]:
        """The datasets this view shows (what `r` fetches again)."""
        return self.DATASETS

    def shows_any(self, datasets: Iterable[Dataset[Any]]) -> bool:
        """Whether fetching `datasets` again changes what this view shows (a subset of the
        enrollments changes with the all-enrollments list it may be served from)."""
        changed = {d.memo_key for d in datasets}
        return any(
            d.memo_key in changed or (d.in_all_enrollments and ALL_ENROLLMENTS.memo_key in changed)
            for d in self.datasets()
        )

    def reload(self) -> None:
        """Load again from the session (fresh data is served from memory)."""
        raise NotImplementedError(f"{type(self).__name__} must say how it loads")

    def show_failure(self, error: BaseException) -> None:
        """Show in place why loading failed (rows already shown stay)."""
        raise NotImplementedError(f"{type(self).__name__} must say how it shows a failure")

    def confirm_refresh(
        self, datasets: Iterable[Dataset[Any]], proceed: Callable[[], object]
    ) -> None:
        """`r`: refetch at once, or first ask when it would pass the day's quota."""
        needed = self.session.refresh_cost(datasets)
        if self.session.quota_would_pass(needed):
            self.post_message(ConfirmRefresh(needed, proceed))
        else:
            proceed()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker: Worker[Any] = event.worker
        if event.state is not WorkerState.ERROR or worker.error is None:
            return
        error = worker.error
        self.failed_offline = isinstance(error, NetworkError)
        self.show_failure(error)
        self.post_message(LoadFailed(error, worker.group))
