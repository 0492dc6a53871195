"""The connection, offline, quota and revalidation state of a session, without Textual.

The supervisor is told what happens (the transport pushes its `RetryStatus`, the usage
counter each request, the repository each dataset served stale, the views each load that
failed) and decides what it means; it says so through events (`kb4tui.session.events`):

- Offline: the banner goes up at the first request that cannot reach the API while it
  still retries ("offline: data from <time>"), and comes down if an answer arrives first.
  When requests stop unanswered (given up, or cancelled with their view) the session is
  offline proper: it tries again quietly every `offline_retry_seconds`, and when a request
  gets through it says so and the views that failed meanwhile load again.
- Revalidation: whatever was served stale is fetched again in the background, then the
  views showing it redraw; a background refetch that would pass the day's quota is skipped
  (`R` and `r` ask the user first instead: `refresh_cost`, `quota_would_pass`).
- Quota: requests are written to the persisted meter in batches, off the event loop; the
  header counts them, and 80% of the day's quota is announced once.

Timers come from a `Scheduler` (the event loop's, or a fake clock's in tests).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from kb4tui.api.errors import APIError, NetworkError
from kb4tui.api.models import Account
from kb4tui.api.retry import RetryStatus
from kb4tui.session.datasets import ACCOUNT, Dataset
from kb4tui.session.events import (
    BackOnline,
    CannotStart,
    HeaderFacts,
    Notice,
    QuotaWarning,
    Revalidated,
    SessionEvent,
    StatusChanged,
    WentOffline,
)
from kb4tui.session.repository import Repository
from kb4tui.session.scheduler import LoopScheduler, Scheduler, TimerHandle
from kb4tui.store.quota_feed import QuotaFeed

__all__ = ["FLUSH_SECONDS", "Listener", "Supervisor"]

log = logging.getLogger(__name__)

Listener = Callable[[SessionEvent], None]

# Requests are written to the quota meter at most this often (a batch per flush).
FLUSH_SECONDS = 0.5
# The meter counts a rolling day: read again now and then so the header's count drops as
# old requests leave the window, even when none are made.
QUOTA_REREAD_SECONDS = 60.0


_UNSET = object()


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Supervisor:
    """See the module docstring. Methods are called on the event loop."""

    def __init__(
        self,
        repository: Repository,
        *,
        quota: QuotaFeed | None = None,
        profile: str | None = None,
        region: str = "us",
        clock: Callable[[], datetime] = _utcnow,
        scheduler: Scheduler | None = None,
        offline_retry_seconds: float = 30.0,
        rate_limit_wait: Callable[[], float] = lambda: 0.0,
    ) -> None:
        self.repository = repository
        self.quota = quota
        self.clock = clock
        self.scheduler: Scheduler = scheduler or LoopScheduler()
        self.offline_retry_seconds = offline_retry_seconds
        self.rate_limit_wait = rate_limit_wait
        self.facts = HeaderFacts(profile=profile, region=region)
        self._listeners: list[Listener] = []
        self._closed = False
        # Reachability, as the transport last pushed it.
        self._unreachable = False
        self._unreachable_retrying = 0
        self._offline_early = False  # the banner is up while requests still retry
        self._offline_wait = False  # offline proper: wait for the retry timer
        self._retry_timer: TimerHandle | None = None
        # Background work.
        self._revalidation: asyncio.Task[None] | None = None
        self._revalidate_timer: TimerHandle | None = None
        self._account_task: asyncio.Task[None] | None = None
        self._flush_task: asyncio.Task[None] | None = None
        self._flush_timer: TimerHandle | None = None  # a batch to write soon
        self._reread_timer: TimerHandle | None = None  # the rolling day's count, later
        self._quota_warned = False
        self._seats: object = _UNSET
        self._requests_counted: int | None = None
        self._status_timer: TimerHandle | None = None
        repository.on_stale = self._stale_queued
        repository.on_notice = self._cache_notice

    # -- what the UI reads ---------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(event)` for every event from now on; returns what stops it."""
        self._listeners.append(listener)

        def stop() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return stop

    @property
    def offline_since(self) -> datetime | None:
        return self.facts.offline_since

    @property
    def waiting_to_retry(self) -> bool:
        """Offline proper: a quiet retry is scheduled."""
        return self._retry_timer is not None

    @property
    def revalidating(self) -> bool:
        return self._revalidation is not None

    @property
    def idle(self) -> bool:
        """No fetch queued, scheduled or running in the background (tests wait for this;
        the quota meter's batched writes do not count)."""
        return not (
            self.repository.has_stale
            or self._revalidation is not None
            or self._revalidate_timer is not None
            or self._account_task is not None
        )

    def refresh_cost(self, datasets: Iterable[Dataset[Any]]) -> int:
        """About how many requests fetching `datasets` again costs."""
        return self.repository.estimate_requests(datasets)

    def quota_would_pass(self, requests: int) -> bool:
        """Whether `requests` more go past the day's quota (from the last status read)."""
        return self.quota is not None and self.quota.would_exceed(requests)

    def quota_usage(self) -> tuple[int, int]:
        """(requests used over the rolling day, the day's limit)."""
        if self.quota is None:
            return (self._requests_counted or 0, self.facts.daily_quota or 0)
        status = self.quota.status
        return status.used + self.quota.pending, status.limit

    # -- life cycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Say what opening the stores found, read the quota, and load the account."""
        self._forward_meter_notices()
        self.repository.forward_notices()
        self._schedule_flush(0.0)
        self.refresh_account(refresh=False)

    @property
    def closed(self) -> bool:
        return self._closed

    async def aclose(self) -> None:
        """Stop every timer and background task (the session is closing)."""
        self._closed = True
        self._listeners.clear()
        for timer in (
            self._retry_timer,
            self._revalidate_timer,
            self._flush_timer,
            self._reread_timer,
            self._status_timer,
        ):
            if timer is not None:
                timer.cancel()
        self._retry_timer = self._revalidate_timer = self._status_timer = None
        self._flush_timer = self._reread_timer = None
        tasks = [t for t in (self._revalidation, self._account_task, self._flush_task) if t]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- what the session is told --------------------------------------------------------

    def on_transport(self, status: RetryStatus) -> None:
        """The transport's status changed (pushed on every change)."""
        self._unreachable = status.unreachable
        self._unreachable_retrying = status.unreachable_retrying
        self._set(retrying=status.waiting, last_failure=status.last_failure)
        self._track_reachability()

    def on_requests(self, count: int) -> None:
        """The usage counter counted a request (`count` so far)."""
        self._requests_counted = count
        self._set(**self._quota_facts())
        self._schedule_flush(FLUSH_SECONDS)

    def report_failure(self, error: BaseException, while_loading: str) -> None:
        """A view could not load: say why; the API being unreachable means offline."""
        if not isinstance(error, APIError):
            self._emit(
                Notice(
                    f"Unexpected {type(error).__name__} while loading {while_loading}: {error}",
                    "Something went wrong",
                    "error",
                )
            )
            return
        if isinstance(error, NetworkError) and self._has_cached_data():
            self._went_offline(None)  # the cached data stays browsable: say so, retry quietly
        self._emit(Notice(error.sentence, "KnowBe4 API", "error"))

    def refresh_account(self, *, refresh: bool = True) -> None:
        """Load the account (name, seats) for the header; replaces a load in progress."""
        if self._account_task is not None:
            self._account_task.cancel()
        self._account_task = self._spawn(partial(self._load_account, refresh), "account")

    def refresh_now(self, datasets: Iterable[Dataset[Any]]) -> None:
        """Fetch `datasets` again now, whatever the quota (the user said yes to it)."""
        self._offline_wait = False
        self.repository.requeue(datasets)
        self._start_revalidation(force=True)

    # -- reachability --------------------------------------------------------------------

    def _has_cached_data(self) -> bool:
        return self.repository.cache is not None and self.repository.latest_fetch() is not None

    def _track_reachability(self) -> None:
        """Say "offline" as soon as a request cannot reach the API, not when the client
        gives up on it (its retries last up to a minute); take the banner down when an
        answer comes back before then. Requests that stop trying without an answer (given
        up, or cancelled with their view) leave the session offline proper, whose quiet
        probe decides when the API is back: nothing else might ask again. With nothing
        cached, the loading views say what failed."""
        if self._offline_early:
            if not self._unreachable:  # an answer came back
                self._offline_early = False
                self._set(offline_since=None)
            elif not self._unreachable_retrying:  # they stopped trying, unanswered
                self._went_offline(self.facts.offline_since)
            return
        if not self._unreachable or self.facts.offline_since is not None:
            return
        data_from = self.repository.latest_fetch()
        if data_from is None:
            return
        if self._unreachable_retrying:
            self._offline_early = True
            self._set(offline_since=data_from)
        else:
            # Found no server and stopped without anyone saying so (a cancelled view, a
            # pane that shows its own error, retries that gave up at once).
            self._went_offline(data_from)

    def _went_offline(self, data_from: datetime | None) -> None:
        """Show the banner and try again quietly later."""
        self._offline_early = False  # offline proper: the banner stays until back online
        moment = data_from or self.repository.latest_fetch() or self.clock()
        self._offline_wait = True
        if not self.repository.has_stale:
            # Something to try when the timer fires: the account costs one request.
            self.repository.requeue([ACCOUNT])
        if self._retry_timer is not None:
            self._retry_timer.cancel()
        self._retry_timer = self.scheduler.call_later(
            self.offline_retry_seconds, self._retry_offline
        )
        self._set(offline_since=moment)
        self._emit(WentOffline(moment))

    def _retry_offline(self) -> None:
        self._retry_timer = None
        self._offline_wait = False  # the banner stays until a request gets through
        if self._revalidation is None:
            self._start_revalidation()

    def _back_online(self) -> None:
        if self.facts.offline_since is None:
            return
        announce = not self._offline_early  # a blip while retrying needs no announcement
        self._offline_early = False
        self._set(offline_since=None)
        self._emit(BackOnline(announce))

    # -- revalidation --------------------------------------------------------------------

    def _stale_queued(self) -> None:
        if self._offline_wait or self._revalidation is not None or self._closed:
            return
        if self._revalidate_timer is None:
            # Soon, not now: what else is served stale in this burst joins the same run.
            self._revalidate_timer = self.scheduler.call_later(0.0, self._start_revalidation)

    def _start_revalidation(self, force: bool = False) -> None:
        if self._revalidate_timer is not None:
            self._revalidate_timer.cancel()
            self._revalidate_timer = None
        if self._closed:
            return
        if self._revalidation is not None:
            if not force:
                return
            self._revalidation.cancel()  # `R` replaces a background run in progress
        self._revalidation = self._spawn(partial(self._revalidate, force), "revalidate")

    async def _revalidate(self, force: bool) -> None:
        """Fetch again what was served stale, then say which datasets changed.

        In the background a refetch that would pass the day's quota is skipped (`force`:
        the user said yes to it)."""
        task = asyncio.current_task()
        repository = self.repository
        stale = repository.take_stale()
        try:
            if not force and self.quota_would_pass(repository.estimate_requests(stale)):
                return  # not in the background: `R` asks before spending past the quota
            done: list[Dataset[Any]] = []
            for dataset in stale:
                try:
                    await repository.get(dataset, refresh=True)
                except NetworkError:
                    repository.requeue(d for d in stale if d not in done)
                    self._went_offline(repository.latest_fetch())
                    return
                except APIError as error:
                    self._emit(Notice(error.sentence, "KnowBe4 API", "error"))
                    continue
                done.append(dataset)
            await self._show_account(repository.cached(ACCOUNT))
            self._back_online()
            if done:
                self._emit(Revalidated(frozenset(done)))
        finally:
            if self._revalidation is task:
                self._revalidation = None
                if repository.has_stale and not self._offline_wait:
                    self._stale_queued()

    # -- the account ---------------------------------------------------------------------

    async def _load_account(self, refresh: bool) -> None:
        task = asyncio.current_task()
        try:
            try:
                account = (await self.repository.get(ACCOUNT, refresh=refresh)).value
            except NetworkError as error:
                if self.repository.cache is not None and self.repository.latest_fetch() is None:
                    profile = self.facts.profile or "default"
                    self._emit(
                        CannotStart(
                            f"{error.sentence} There is no cached data for profile {profile} "
                            "yet, so there is nothing to show offline.",
                            error.exit_code,
                        )
                    )
                    return
                self._went_offline(None)
                return
            except APIError as error:
                self._emit(Notice(error.sentence, "KnowBe4 API", "error"))
                return
            await self._show_account(account)
        finally:
            if self._account_task is task:
                self._account_task = None

    async def _show_account(self, account: Account | None) -> None:
        """The account's name and quota in the header; its seats set the quota's limit."""
        if account is None:
            return
        self._set(account=account.name, daily_quota=account.daily_quota)
        if self.quota is not None and self._seats != account.number_of_seats:
            self._seats = account.number_of_seats
            await asyncio.to_thread(self.quota.set_seats, account.number_of_seats)
            self._forward_meter_notices()
        self._set(**self._quota_facts())

    # -- the quota meter -----------------------------------------------------------------

    def _quota_facts(self) -> dict[str, Any]:
        if self.quota is None:
            return {"requests_today": self._requests_counted}
        status = self.quota.status
        return {
            "requests_today": status.used + self.quota.pending,
            "daily_quota": status.limit,
            "quota_warning": status.warning,
        }

    def _schedule_flush(self, delay: float) -> None:
        if self.quota is None or self._closed or self._flush_task or self._flush_timer:
            return
        self._flush_timer = self.scheduler.call_later(delay, self._start_flush)

    def _start_flush(self) -> None:
        self._flush_timer = None
        if self._reread_timer is not None:
            self._reread_timer.cancel()
            self._reread_timer = None
        if not self._closed and self._flush_task is None:
            self._flush_task = self._spawn(self._flush, "quota")

    async def _flush(self) -> None:
        """Write the batched request count (sqlite) off the event loop, then read the
        status the header shows."""
        quota = self.quota
        assert quota is not None
        try:
            status = await asyncio.to_thread(quota.flush)
        finally:
            self._flush_task = None
        self._forward_meter_notices()
        if status.warning and not self._quota_warned:
            self._quota_warned = True
            self._emit(QuotaWarning(status.used, status.limit))
        self._set(**self._quota_facts())
        if quota.pending:
            self._schedule_flush(FLUSH_SECONDS)
        elif not self._closed:
            self._reread_timer = self.scheduler.call_later(QUOTA_REREAD_SECONDS, self._start_flush)

    def _forward_meter_notices(self) -> None:
        if self.quota is not None:
            for notice in self.quota.meter.pop_notices():
                self._cache_notice(notice)

    def _cache_notice(self, notice: str) -> None:
        self._emit(Notice(notice, "Cache", "warning"))

    # -- plumbing ------------------------------------------------------------------------

    def _spawn(
        self, work: Callable[[], Coroutine[Any, Any, None]], name: str
    ) -> asyncio.Task[None]:
        """A background task running `work()`; anything unexpected becomes a notice. (The
        coroutine is made inside the task: a task cancelled before it starts leaves none
        unawaited.)"""

        async def guarded() -> None:
            try:
                await work()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.debug("background %s failed", name, exc_info=True)
                self._emit(
                    Notice(
                        f"Unexpected {type(error).__name__} while loading {name}: {error}",
                        "Something went wrong",
                        "error",
                    )
                )

        return asyncio.get_running_loop().create_task(guarded(), name=f"kb4tui-{name}")

    def _set(self, **changes: Any) -> None:
        """Change header facts; one StatusChanged per burst of changes."""
        facts = replace(self.facts, **changes)
        if facts == self.facts:
            return
        self.facts = facts
        if self._status_timer is None and not self._closed:
            self._status_timer = self.scheduler.call_later(0.0, self._status_changed)

    def _status_changed(self) -> None:
        self._status_timer = None
        self._emit(StatusChanged(self.facts))

    def _emit(self, event: SessionEvent) -> None:
        for listener in list(self._listeners):
            listener(event)
