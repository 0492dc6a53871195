"""The repository: one path for every dataset, raw pages -> parse -> memo and cache.

No textual here. Every result carries the time it was fetched, so the header can say
"fetched 2 min ago". A dataset (`kb4tui.session.datasets`) says what to fetch and how to
parse it; the repository fetches its raw pages from a `RawSource` (the client), parses
them (in a thread for the big ones), memoises the result and keeps the API's raw records
in the disk cache, one cache kind per listing ("campaigns", "store_purchases",
"enrollments:all", "enrollments:campaign=42", ...). The cache is read once per run per
dataset, off the event loop.

Enrollments are the expensive part (one row per user x module x campaign, 500 a page at
4 requests/s). Once the all-enrollments list is known and fresh, a campaign's, a user's
or a module's enrollments are answered from it through its `EnrollmentIndex`, without a
request; policies, which the API cannot filter by, are always picked from it. A
campaign's own enrollments are streamed page by page so the first page shows at once.

With `stale_while_revalidate` a result older than `max_age` is still served at once and
queued; the session's supervisor takes the queue (`take_stale`) and fetches each one again
in the background, then the views redraw from the memo.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncGenerator, Callable, Iterable
from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from kb4tui.api.models import Enrollment
from kb4tui.api.raw_source import RawSource, Row
from kb4tui.session.datasets import (
    ACCOUNT,
    ALL_ENROLLMENTS,
    Dataset,
    Fetched,
    cache_kinds,
    estimate_requests,
)
from kb4tui.session.enrollment_index import EnrollmentIndex, users_of
from kb4tui.store.cache import Cache

__all__ = ["SUBSET_MEMO_LIMIT", "Page", "Repository"]

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 (an item type)

# Enrollment subsets fetched on their own (a campaign's, a user's...) kept in memory at
# most: the oldest used is dropped, so browsing for a day does not grow without bound.
SUBSET_MEMO_LIMIT = 8


@dataclass(frozen=True, slots=True)
class Page(Generic[I]):
    """One step of a stream: the new rows, how many so far, and whether it is the last."""

    rows: list[I]
    page: int
    total: int
    fetched_at: datetime
    done: bool
    from_memo: bool = False


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _parse(dataset: Dataset[T], records: list[list[Row]]) -> tuple[T, EnrollmentIndex | None]:
    """Models from raw records, and the index of an indexed dataset (may run in a thread)."""
    parsed = [listing.parse(part) for listing, part in zip(dataset.listings, records, strict=True)]
    value = dataset.assemble(parsed)
    rows = dataset.enrollments(value) if dataset.indexed else None
    return value, EnrollmentIndex.build(rows) if rows is not None else None


class Repository:
    """Datasets, memoised, each with its fetch time (see the module docstring).

    `clock` is injectable so tests can freeze "now". `max_age` is how long a result is
    served without asking the API again (the cache TTL). `on_stale` is told when a result
    is served stale, `on_notice` gets sentences about cache trouble (a corrupt file rebuilt).
    """

    def __init__(
        self,
        source: RawSource,
        *,
        cache: Cache | None = None,
        clock: Callable[[], datetime] = _utcnow,
        max_age: timedelta = timedelta(minutes=15),
        stale_while_revalidate: bool = False,
    ) -> None:
        self.source = source
        self.cache = cache
        self.clock = clock
        self.max_age = max_age
        self.stale_while_revalidate = stale_while_revalidate
        self.on_stale: Callable[[], None] | None = None
        self.on_notice: Callable[[str], None] | None = None
        self._memo: dict[str, tuple[Dataset[Any], Fetched[Any]]] = {}
        self._stale: dict[str, Dataset[Any]] = {}
        self._read_from_cache: set[str] = set()
        # The all-enrollments memo entry and its index (rebuilt if the entry is replaced).
        self._all_index: tuple[Fetched[Any], EnrollmentIndex] | None = None
        # Each memoised enrollment list's users, built once per stored list.
        self._users: dict[str, tuple[Fetched[Any], dict[int, Enrollment]]] = {}
        self._subsets: OrderedDict[str, None] = OrderedDict()  # least recently used first
        # The newest fetch time known, so the offline banner never waits on SQLite.
        self._latest: datetime | None = None
        self._disk_latest_read = False

    # -- reading -------------------------------------------------------------------------

    async def get(
        self,
        dataset: Dataset[T],
        *,
        refresh: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> Fetched[T]:
        """The dataset, from memory or the disk cache while fresh, else from the API.

        `progress(pages, rows)` is called after each page fetched (not when served).
        """
        if not refresh:
            served = await self._served(dataset)
            if served is not None:
                return served
        if not dataset.listings:
            return await self._derived(dataset, refresh)
        started = self.clock()
        records: list[list[Row]] = []
        pages = rows = 0
        for listing in dataset.listings:
            part: list[Row] = []
            async with aclosing(
                self.source.iter_raw_pages(listing.kind, **listing.params())
            ) as raw:
                async for page in raw:
                    part.extend(page)
                    pages += 1
                    rows += len(page)
                    if progress is not None:
                        progress(pages, rows)
            records.append(part)
        if dataset.parse_in_thread:
            value, index = await asyncio.to_thread(_parse, dataset, records)
        else:
            value, index = _parse(dataset, records)
        result = Fetched(value, started)
        self._remember(dataset, result, index)
        await self._store(dataset, records, started)
        return result

    async def stream(
        self, dataset: Dataset[list[I]], *, refresh: bool = False
    ) -> AsyncGenerator[Page[I], None]:
        """The dataset page by page as the API sends it (the first after one round trip),
        then a last empty page with `done`; from memory or cache, one page.

        The result is memoised only once the stream completes: a stream left early (its
        view closed) leaves nothing half-fetched behind.
        """
        if not refresh:
            served = await self._served(dataset)
            if served is not None:
                rows = list(served.value)
                yield Page(rows, 1, len(rows), served.fetched_at, True, True)
                return
        if not dataset.listings:
            found = await self._derived(dataset, refresh)
            yield Page(found.value, 1, len(found.value), found.fetched_at, True)
            return
        started = self.clock()
        records: list[list[Row]] = []
        parsed: list[list[Any]] = []
        number = total = 0
        for listing in dataset.listings:
            part: list[Row] = []
            models: list[Any] = []
            async with aclosing(
                self.source.iter_raw_pages(listing.kind, **listing.params())
            ) as raw:
                async for page in raw:
                    number += 1
                    part.extend(page)
                    found_rows = listing.parse(page)
                    models.extend(found_rows)
                    total += len(found_rows)
                    yield Page(found_rows, number, total, started, False)
            records.append(part)
            parsed.append(models)
        self._remember(dataset, Fetched(dataset.assemble(parsed), started))
        await self._store(dataset, records, started)
        yield Page([], number, total, started, True)

    async def available(self, dataset: Dataset[Any]) -> bool:
        """Whether `get` would answer now without a request (memory or the disk cache;
        with stale-while-revalidate also an old answer): a view's first load asks before
        fetching only what is not."""
        return await self._served(dataset) is not None

    def peek(self, dataset: Dataset[T]) -> T | None:
        """The dataset if known and fresh (no I/O), else None: a campaign's status counts,
        a user's other enrollments."""
        hit = self._fresh(dataset) or self._fresh_from_all(dataset)
        return None if hit is None else hit.value

    def cached(self, dataset: Dataset[T]) -> T | None:
        """Whatever is memoised for `dataset`, fresh or not, without I/O (the palette)."""
        entry = self._memo.get(dataset.memo_key)
        return None if entry is None else entry[1].value

    def cached_users(self) -> list[Enrollment]:
        """One row per user id (its first) in any memoised enrollment list, without I/O: for
        the user palette. Each list's users are found once per stored list, not per call."""
        users: dict[int, Enrollment] = {}
        for key, (dataset, hit) in list(self._memo.items()):
            rows = dataset.enrollments(hit.value)
            if rows is not None:
                for user_id, row in self._users_in(key, dataset, hit, rows).items():
                    users.setdefault(user_id, row)
        return list(users.values())

    # -- what the supervisor needs -------------------------------------------------------

    def take_stale(self) -> list[Dataset[Any]]:
        """The datasets served stale since the last call (to be fetched again)."""
        stale, self._stale = self._stale, {}
        return list(stale.values())

    def requeue(self, datasets: Iterable[Dataset[Any]]) -> None:
        """Queue datasets to be fetched again (revalidation that could not run, `R`)."""
        queued = False
        for dataset in datasets:
            if dataset.memo_key not in self._stale:
                self._stale[dataset.memo_key] = dataset
                queued = True
        if queued and self.on_stale is not None:
            self.on_stale()

    @property
    def has_stale(self) -> bool:
        return bool(self._stale)

    def known_datasets(self) -> list[Dataset[Any]]:
        """What `R` fetches again besides the open views: the account and every shared list
        known (not the per-campaign or per-user subsets, which only open views need)."""
        known: dict[str, Dataset[Any]] = {ACCOUNT.memo_key: ACCOUNT}
        for key, (dataset, _) in self._memo.items():
            if not dataset.capped:
                known[key] = dataset
        return list(known.values())

    def estimate_requests(self, datasets: Iterable[Dataset[Any]]) -> int:
        """Roughly how many requests fetching `datasets` again costs: one per 500 rows
        known, at least one per listing. A subset picked from all enrollments costs all
        of them."""
        total = 0
        for dataset in {d.memo_key: d for d in datasets}.values():
            fetched: Dataset[Any] = dataset if dataset.listings else ALL_ENROLLMENTS
            known = self.cached(fetched)
            if known is None and fetched is dataset:
                known = self.peek(dataset)
            total += estimate_requests(fetched, known)
        return total

    def latest_fetch(self) -> datetime | None:
        """The newest fetch of anything known, memo or disk: "offline: data from <time>".

        No I/O: the disk's newest is read once in a thread (the first cache read) and every
        fetch or cache write since is noted in memory."""
        times = [hit.fetched_at for _, hit in self._memo.values()]
        if self._latest is not None:
            times.append(self._latest)
        return max(times) if times else None

    async def read_latest_fetch(self) -> None:
        """Read the disk cache's newest fetch time (once, in a thread)."""
        if self.cache is not None and not self._disk_latest_read:
            self._disk_latest_read = True
            self._note_fetch(await asyncio.to_thread(self.cache.latest_fetch))
            self.forward_notices()

    # -- freshness -----------------------------------------------------------------------

    def _fresh(self, dataset: Dataset[T]) -> Fetched[T] | None:
        key = dataset.memo_key
        entry = self._memo.get(key)
        if entry is None or self.clock() - entry[1].fetched_at > self.max_age:
            return None
        if key in self._subsets:
            self._subsets.move_to_end(key)  # used: the last to be dropped
        hit: Fetched[T] = entry[1]
        return hit

    def _fresh_from_all(self, dataset: Dataset[T]) -> Fetched[T] | None:
        if not dataset.in_all_enrollments:
            return None
        everything = self._fresh(ALL_ENROLLMENTS)
        if everything is None:
            return None
        return dataset.from_all(everything, self._index_of(everything))

    async def _served(self, dataset: Dataset[T]) -> Fetched[T] | None:
        """What answers without a request: the same dataset while fresh, or a subset of the
        all-enrollments list while that is fresh (from memory or, once per run, from the
        disk cache); with stale-while-revalidate also an old answer, queued."""
        served = self._fresh(dataset) or self._fresh_from_all(dataset)
        if served is not None:
            return served
        if self.cache is not None:
            await self._warm(dataset)
            if dataset.in_all_enrollments:
                # The all-enrollments list is big: read it only when it can answer.
                await self._warm(ALL_ENROLLMENTS, only_if_fresh=True)
            served = self._fresh(dataset) or self._fresh_from_all(dataset)
            if served is not None:
                return served
        return self._stale_answer(dataset)

    def _stale_answer(self, dataset: Dataset[T]) -> Fetched[T] | None:
        if not self.stale_while_revalidate:
            return None
        entry = self._memo.get(dataset.memo_key)
        if entry is None:
            return None
        self.requeue([dataset])
        hit: Fetched[T] = entry[1]
        return hit

    async def _derived(self, dataset: Dataset[T], refresh: bool) -> Fetched[T]:
        """A dataset with no listing of its own, picked from all enrollments (not memoised:
        the list it comes from is)."""
        everything = await self.get(ALL_ENROLLMENTS, refresh=refresh)
        found = dataset.from_all(everything, self._index_of(everything))
        if found is None:
            raise TypeError(f"{dataset.memo_key} has no listing and is not part of another")
        return found

    def _index_of(self, hit: Fetched[list[Enrollment]]) -> EnrollmentIndex:
        """The index of the all-enrollments entry `hit` (built here if it came another way)."""
        if self._all_index is None or self._all_index[0] is not hit:
            self._all_index = (hit, EnrollmentIndex.build(hit.value))
        return self._all_index[1]

    def _users_in(
        self, key: str, dataset: Dataset[Any], hit: Fetched[Any], rows: list[Enrollment]
    ) -> dict[int, Enrollment]:
        known = self._users.get(key)
        if known is not None and known[0] is hit:
            return known[1]
        users = self._index_of(hit).users if dataset.indexed else users_of(rows)
        self._users[key] = (hit, users)
        return users

    # -- the disk cache ------------------------------------------------------------------

    async def _warm(self, dataset: Dataset[Any], *, only_if_fresh: bool = False) -> None:
        """Load `dataset` from the disk cache into the memo, once per run (off the loop).

        `only_if_fresh`: read it only if the disk copy is within `max_age` (the big
        all-enrollments list is read only when it can answer); the check runs in the thread.
        """
        if self.cache is None:
            return
        await self.read_latest_fetch()
        key = dataset.memo_key
        if key in self._read_from_cache or key in self._memo:
            return
        self._read_from_cache.add(key)
        kinds = cache_kinds(dataset)
        if not kinds:
            return
        fresh_at = self.clock() if only_if_fresh else None
        read = await asyncio.to_thread(self._read_cached, dataset, kinds, fresh_at)
        self.forward_notices()
        if read is None:
            self._read_from_cache.discard(key)  # not fresh on disk: may be read later
            return
        found, index = read
        if found is not None and key not in self._memo:
            self._remember(dataset, found, index)

    def _read_cached(
        self, dataset: Dataset[T], kinds: tuple[str, ...], fresh_at: datetime | None
    ) -> tuple[Fetched[T] | None, EnrollmentIndex | None] | None:
        """In a worker thread: the cached value (and its index); None when `fresh_at` is
        given and the disk copy is not fresh then."""
        cache = self.cache
        assert cache is not None
        if fresh_at is not None and not all(
            cache.is_fresh(kind, self.max_age, fresh_at) for kind in kinds
        ):
            return None
        sets = [cache.get(kind) for kind in kinds]
        present = [s for s in sets if s is not None]
        if len(present) != len(kinds):
            return None, None
        try:
            value, index = _parse(dataset, [s.records for s in present])
        except ValueError:  # e.g. an empty account record
            return None, None
        return Fetched(value, min(s.fetched_at for s in present)), index

    async def _store(self, dataset: Dataset[Any], records: list[list[Row]], at: datetime) -> None:
        self._note_fetch(at)
        if self.cache is None:
            return
        for kind, part in zip(cache_kinds(dataset), records, strict=False):
            await asyncio.to_thread(self.cache.put, kind, part, at)
        self.forward_notices()

    def forward_notices(self) -> None:
        """Hand what the cache has to say (a corrupt file rebuilt) to `on_notice`."""
        if self.cache is not None and self.on_notice is not None:
            for notice in self.cache.pop_notices():
                self.on_notice(notice)

    # -- the memo ------------------------------------------------------------------------

    def _note_fetch(self, moment: datetime | None) -> None:
        if moment is not None and (self._latest is None or moment > self._latest):
            self._latest = moment

    def _remember(
        self, dataset: Dataset[Any], result: Fetched[Any], index: EnrollmentIndex | None = None
    ) -> None:
        """Memoise `result`; keep the latest fetch time, the all-enrollments index and the
        cap on separately fetched enrollment subsets."""
        key = dataset.memo_key
        self._memo[key] = (dataset, result)
        self._note_fetch(result.fetched_at)
        if dataset.indexed:
            self._all_index = (result, index or EnrollmentIndex.build(result.value))
        if dataset.capped:
            self._subsets[key] = None
            self._subsets.move_to_end(key)
            while len(self._subsets) > SUBSET_MEMO_LIMIT:
                oldest, _ = self._subsets.popitem(last=False)
                self._memo.pop(oldest, None)
                self._users.pop(oldest, None)
