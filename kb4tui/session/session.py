"""`Session`: what the UI holds for one profile's account, without Textual.

The data (through the repository), the clock, the header facts and the supervisor's
events, handed down to every screen and pane. `kb4tui.session.wiring` builds one from
settings; closing it stops its background work.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from kb4tui.api.models import Enrollment
from kb4tui.session.datasets import Dataset, Fetched
from kb4tui.session.events import HeaderFacts
from kb4tui.session.repository import Page, Repository
from kb4tui.session.supervisor import Listener, Supervisor

__all__ = ["Session"]

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 (an item type)


class Session:
    def __init__(
        self,
        repository: Repository,
        supervisor: Supervisor,
        *,
        on_close: Iterable[Callable[[], None]] = (),
    ) -> None:
        self.repository = repository
        self.supervisor = supervisor
        self._on_close = list(on_close)

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.repository.clock

    @property
    def facts(self) -> HeaderFacts:
        return self.supervisor.facts

    @property
    def profile(self) -> str | None:
        return self.supervisor.facts.profile

    # -- data ----------------------------------------------------------------------------

    async def get(
        self,
        dataset: Dataset[T],
        *,
        refresh: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> Fetched[T]:
        return await self.repository.get(dataset, refresh=refresh, progress=progress)

    def stream(
        self, dataset: Dataset[list[I]], *, refresh: bool = False
    ) -> AsyncGenerator[Page[I], None]:
        return self.repository.stream(dataset, refresh=refresh)

    async def available(self, dataset: Dataset[Any]) -> bool:
        return await self.repository.available(dataset)

    def peek(self, dataset: Dataset[T]) -> T | None:
        return self.repository.peek(dataset)

    def cached(self, dataset: Dataset[T]) -> T | None:
        return self.repository.cached(dataset)

    def cached_users(self) -> list[Enrollment]:
        return self.repository.cached_users()

    # -- connection, quota, refreshes ----------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        return self.supervisor.subscribe(listener)

    def start(self) -> None:
        self.supervisor.start()

    def report_failure(self, error: BaseException, while_loading: str) -> None:
        self.supervisor.report_failure(error, while_loading)

    def refresh_account(self) -> None:
        self.supervisor.refresh_account(refresh=True)

    def refresh_cost(self, datasets: Iterable[Dataset[Any]]) -> int:
        return self.supervisor.refresh_cost(datasets)

    def quota_would_pass(self, requests: int) -> bool:
        return self.supervisor.quota_would_pass(requests)

    def quota_usage(self) -> tuple[int, int]:
        return self.supervisor.quota_usage()

    def refresh_now(self, datasets: Iterable[Dataset[Any]]) -> None:
        self.supervisor.refresh_now(datasets)

    def everything(self, shown: Iterable[Dataset[Any]]) -> list[Dataset[Any]]:
        """What `R` fetches again: the account, every shared list known, and `shown`."""
        chosen = {d.memo_key: d for d in self.repository.known_datasets()}
        chosen.update({d.memo_key: d for d in shown})
        return list(chosen.values())

    def rate_limit_wait(self) -> float:
        """Seconds before the rate limiter lets the next request go."""
        return self.supervisor.rate_limit_wait()

    async def aclose(self) -> None:
        for stop in self._on_close:
            stop()
        await self.supervisor.aclose()
