"""The UI's only door to data: fetch from the client, remember results, say how old they are.

No textual here. Every result carries the time it was fetched so the header can say
"fetched 2 min ago". Results are memoised in memory behind a small `Memo` seam; the
SQLite cache (issue 6) plugs in by providing another `Memo`.

Enrollments are the expensive part (one row per user x module x campaign, 500 a page at
4 requests/s). The first time someone asks for a user's or a module's enrollments we
fetch *all* enrollments once (include_campaign_id, exclude_archived_users) and answer
campaign, user and module questions from that list while it is fresh. A campaign's
enrollments on their own are streamed page by page so the first page can be shown at once.

With a `Cache` (issue 6) every result is also kept on disk as the API's raw JSON, one
kind per list ("campaigns", "store_purchases", "policies", "enrollments:all",
"enrollments:campaign=42", ...), and read back on the next start. With
`stale_while_revalidate=True` a result older than `max_age` is still served at once and
its key is queued: the app takes the queue (`take_stale`) and fetches each one again in
the background (`revalidate`), then redraws the views from the memo.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from kb4tui.api.models import Account, Campaign, ContentItem, Enrollment, Policy, StorePurchase
from kb4tui.store.cache import Cache, enrollments_kind
from kb4tui.store.quota_feed import QuotaFeed

__all__ = [
    "EnrollmentIndex",
    "EnrollmentPage",
    "EnrollmentQuery",
    "Fetched",
    "KnowBe4Source",
    "Memo",
    "RawSource",
    "Repository",
    "cache_kinds",
]

T = TypeVar("T")


class KnowBe4Source(Protocol):
    """What the repository needs from `kb4tui.api.client.KnowBe4Client`."""

    async def account(self) -> Account: ...
    async def campaigns(self) -> list[Campaign]: ...
    def iter_campaign_pages(self) -> AsyncIterator[list[Campaign]]: ...
    async def store_purchases(self) -> list[StorePurchase]: ...
    async def policies(self) -> list[Policy]: ...
    def iter_enrollment_pages(
        self,
        *,
        campaign_id: int | None = None,
        user_id: int | None = None,
        store_purchase_id: int | None = None,
        exclude_archived_users: bool | None = None,
        include_campaign_id: bool = True,
    ) -> AsyncIterator[list[Enrollment]]: ...


Row = dict[str, Any]


@runtime_checkable
class RawSource(Protocol):
    """The client's raw pages (the API's JSON objects), which is what the cache stores."""

    def iter_raw_pages(self, kind: str, **filters: Any) -> AsyncIterator[list[Row]]: ...


@dataclass(frozen=True, slots=True)
class Fetched(Generic[T]):
    """A value and when it came from the API (UTC)."""

    value: T
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class EnrollmentQuery:
    """Which enrollments: of one campaign, one user, one store purchase or one policy.

    `module_name` lets a policy (which the API cannot filter by) match rows that carry
    no policy id.
    """

    campaign_id: int | None = None
    user_id: int | None = None
    store_purchase_id: int | None = None
    policy_id: int | None = None
    module_name: str | None = None

    @property
    def memo_key(self) -> str:
        return (
            f"enrollments:c={self.campaign_id}:u={self.user_id}:"
            f"s={self.store_purchase_id}:p={self.policy_id}:m={self.module_name}"
        )

    def matches(self, row: Enrollment) -> bool:
        if self.campaign_id is not None and row.campaign_id != self.campaign_id:
            return False
        if self.user_id is not None and row.user_id != self.user_id:
            return False
        if self.store_purchase_id is not None and row.store_purchase_id != self.store_purchase_id:
            return False
        if self.policy_id is not None or (
            self.module_name is not None and self.store_purchase_id is None
        ):
            by_id = self.policy_id is not None and row.policy_id == self.policy_id
            by_name = self.module_name is not None and row.module == self.module_name
            return by_id or by_name
        return True


@dataclass(frozen=True, slots=True)
class EnrollmentPage:
    """One step of a stream: the new rows, how many so far, and whether it is the last."""

    rows: list[Enrollment]
    page: int
    total: int
    fetched_at: datetime
    done: bool
    from_memo: bool = False


@dataclass(slots=True)
class Memo:
    """In-memory memo of fetched results keyed by name. The SQLite cache replaces this."""

    entries: dict[str, Fetched[Any]] = field(default_factory=dict)

    def get(self, key: str) -> Fetched[Any] | None:
        return self.entries.get(key)

    def put(self, key: str, value: Fetched[Any]) -> None:
        self.entries[key] = value

    def drop(self, key: str) -> None:
        self.entries.pop(key, None)

    def clear(self) -> None:
        self.entries.clear()


ALL_ENROLLMENTS = "enrollments:all"
LIBRARY_KINDS = ("store_purchases", "policies")
# Enrollment subsets fetched on their own (a campaign's, a user's...) kept in memory at
# most: the oldest used is dropped, so browsing for a day does not grow without bound.
SUBSET_MEMO_LIMIT = 8


@dataclass(frozen=True, slots=True)
class EnrollmentIndex:
    """The all-enrollments list by campaign, user and store purchase, built once per list
    (in a worker thread) so a cursor move or the palette need not scan 100k rows."""

    by_campaign: dict[int, list[Enrollment]]
    by_user: dict[int, list[Enrollment]]
    by_purchase: dict[int, list[Enrollment]]
    # One row per user id (its first): the palette's "User: ..." entries.
    users: dict[int, Enrollment]

    @classmethod
    def build(cls, rows: list[Enrollment]) -> EnrollmentIndex:
        by_campaign: dict[int, list[Enrollment]] = {}
        by_user: dict[int, list[Enrollment]] = {}
        by_purchase: dict[int, list[Enrollment]] = {}
        for row in rows:
            if row.campaign_id is not None:
                by_campaign.setdefault(row.campaign_id, []).append(row)
            if row.user_id is not None:
                by_user.setdefault(row.user_id, []).append(row)
            if row.store_purchase_id is not None:
                by_purchase.setdefault(row.store_purchase_id, []).append(row)
        users = {user_id: found[0] for user_id, found in by_user.items()}
        return cls(by_campaign, by_user, by_purchase, users)

    def candidates(self, query: EnrollmentQuery) -> list[Enrollment] | None:
        """The rows `query` can only be among (still to be matched); None: no index fits."""
        if query.campaign_id is not None:
            return self.by_campaign.get(query.campaign_id, [])
        if query.user_id is not None:
            return self.by_user.get(query.user_id, [])
        if query.store_purchase_id is not None:
            return self.by_purchase.get(query.store_purchase_id, [])
        return None


def _parse_indexed(records: list[Row]) -> tuple[list[Enrollment], EnrollmentIndex]:
    rows = Enrollment.from_api_list(records)
    return rows, EnrollmentIndex.build(rows)


def _users_of(rows: list[Enrollment]) -> dict[int, Enrollment]:
    users: dict[int, Enrollment] = {}
    for row in rows:
        if row.user_id is not None:
            users.setdefault(row.user_id, row)
    return users


def _enrollment_filters(query: EnrollmentQuery | None) -> dict[str, Any]:
    """The API filters for a query (None: all enrollments); what the typed stream sends."""
    filters: dict[str, Any] = {
        "exclude_archived_users": True,
        "include_campaign_id": True,
        "include_store_purchase_id": True,
    }
    if query is not None:
        filters.update(
            campaign_id=query.campaign_id,
            user_id=query.user_id,
            store_purchase_id=query.store_purchase_id,
        )
    return filters


def _query_kind(query: EnrollmentQuery) -> str | None:
    """The cache kind of an enrollment query the API filters itself (None: not cached alone)."""
    if query.campaign_id is not None and query.user_id is None:
        return enrollments_kind(query.campaign_id) if query.store_purchase_id is None else None
    if query.user_id is not None and query.campaign_id is None and query.store_purchase_id is None:
        return f"enrollments:user={query.user_id}"
    if query.store_purchase_id is not None and query.campaign_id is None and query.user_id is None:
        return f"enrollments:store_purchase={query.store_purchase_id}"
    return None


def cache_kinds(memo_key: str, query: EnrollmentQuery | None = None) -> tuple[str, ...]:
    """The cache kinds that hold a memo key's result (empty: kept in memory only)."""
    if memo_key in ("account", "campaigns", ALL_ENROLLMENTS):
        return (memo_key,)
    if memo_key == "library":
        return LIBRARY_KINDS
    if query is not None:
        kind = _query_kind(query)
        return (kind,) if kind is not None else ()
    return ()


def _parse_cached(memo_key: str, records: list[list[Row]]) -> Any:
    """Models from cached raw records (runs in a worker thread: 100k rows take a while)."""
    if memo_key == "account":
        return Account.from_api(records[0][0]) if records[0] else None
    if memo_key == "campaigns":
        return Campaign.from_api_list(records[0])
    if memo_key == "library":
        items: list[ContentItem] = [*StorePurchase.from_api_list(records[0])]
        items.extend(Policy.from_api_list(records[1]))
        return items
    return Enrollment.from_api_list(records[0])


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Repository:
    """Account, campaigns, library and enrollments, memoised, each with its fetch time.

    `clock` is injectable so snapshot tests can freeze "now". `max_age` is how long a
    memoised result is served without asking the API again (the cache TTL). `cache` keeps
    results on disk across runs; `quota` counts every request against the daily quota.
    """

    def __init__(
        self,
        client: KnowBe4Source,
        *,
        memo: Memo | None = None,
        clock: Callable[[], datetime] = _utcnow,
        max_age: timedelta = timedelta(minutes=15),
        cache: Cache | None = None,
        stale_while_revalidate: bool = False,
        quota: QuotaFeed | None = None,
    ) -> None:
        self.client = client
        self.memo = memo if memo is not None else Memo()
        self.clock = clock
        self.max_age = max_age
        # Only a client with raw pages can fill the cache (it stores the API's JSON).
        self.cache = cache if isinstance(client, RawSource) else None
        self.stale_while_revalidate = stale_while_revalidate
        self._stale: dict[str, EnrollmentQuery | None] = {}
        self._read_from_cache: set[str] = set()
        # The all-enrollments memo entry and its index (rebuilt if the entry is replaced).
        self._all_index: tuple[Fetched[Any], EnrollmentIndex] | None = None
        # Each memoised enrollment list's users, built once per stored list.
        self._users: dict[str, tuple[Fetched[Any], dict[int, Enrollment]]] = {}
        self._subsets: OrderedDict[str, None] = OrderedDict()  # least recently used first
        # The newest fetch time known, so the offline banner never waits on SQLite.
        self._latest: datetime | None = None
        self._disk_latest_read = False
        # Every HTTP attempt of the client is counted against the persisted daily quota.
        self.quota = quota
        usage = getattr(client, "usage", None)
        if quota is not None and usage is not None:
            quota.attach(usage)

    # -- freshness -----------------------------------------------------------------------

    def _fresh(self, key: str) -> Fetched[Any] | None:
        hit = self.memo.get(key)
        if hit is None or self.clock() - hit.fetched_at > self.max_age:
            return None
        if key in self._subsets:
            self._subsets.move_to_end(key)  # used: the last to be dropped
        return hit

    def _usable(self, key: str, query: EnrollmentQuery | None = None) -> Fetched[Any] | None:
        """A fresh memo entry, or a stale one (queued for revalidation) when serving stale."""
        hit = self._fresh(key)
        if hit is not None or not self.stale_while_revalidate:
            return hit
        stale = self.memo.get(key)
        if stale is not None:
            self._stale.setdefault(key, query)
        return stale

    async def _warm(
        self, key: str, query: EnrollmentQuery | None = None, *, only_if_fresh: bool = False
    ) -> None:
        """Load `key` from the disk cache into the memo, once per run (off the event loop).

        `only_if_fresh`: read it only if the disk copy is within `max_age` (the big
        all-enrollments list is read only when it can answer); the check runs in the thread.
        """
        if self.cache is None:
            return
        if not self._disk_latest_read:
            self._disk_latest_read = True
            self._note_fetch(await asyncio.to_thread(self.cache.latest_fetch))
        if key in self._read_from_cache or self.memo.get(key) is not None:
            return
        self._read_from_cache.add(key)
        kinds = cache_kinds(key, query)
        if not kinds:
            return
        fresh_at = self.clock() if only_if_fresh else None
        read = await asyncio.to_thread(self._read_cached, key, kinds, fresh_at)
        if read is None:
            self._read_from_cache.discard(key)  # not fresh on disk: may be read later
            return
        found, index = read
        if found is not None and self.memo.get(key) is None:
            self._remember(key, found, index)

    def _read_cached(
        self, key: str, kinds: tuple[str, ...], fresh_at: datetime | None
    ) -> tuple[Fetched[Any] | None, EnrollmentIndex | None] | None:
        """In a worker thread: the cached value (and its index for all enrollments); None
        when `fresh_at` is given and the disk copy is not fresh then."""
        assert self.cache is not None
        if fresh_at is not None and not all(
            self.cache.is_fresh(kind, self.max_age, fresh_at) for kind in kinds
        ):
            return None
        sets = [self.cache.get(kind) for kind in kinds]
        present = [s for s in sets if s is not None]
        if len(present) != len(kinds):
            return None, None
        value = _parse_cached(key, [s.records for s in present])
        if value is None:
            return None, None
        index = EnrollmentIndex.build(value) if key == ALL_ENROLLMENTS else None
        return Fetched(value, min(s.fetched_at for s in present)), index

    def _note_fetch(self, moment: datetime | None) -> None:
        if moment is not None and (self._latest is None or moment > self._latest):
            self._latest = moment

    def _remember(
        self, key: str, result: Fetched[Any], index: EnrollmentIndex | None = None
    ) -> None:
        """Memoise `result`; keep the latest fetch time, the all-enrollments index and the
        cap on separately fetched enrollment subsets."""
        self.memo.put(key, result)
        self._note_fetch(result.fetched_at)
        if key == ALL_ENROLLMENTS:
            self._all_index = (result, index or EnrollmentIndex.build(result.value))
        elif key.startswith("enrollments:"):
            self._subsets[key] = None
            self._subsets.move_to_end(key)
            while len(self._subsets) > SUBSET_MEMO_LIMIT:
                oldest, _ = self._subsets.popitem(last=False)
                self.memo.drop(oldest)
                self._users.pop(oldest, None)

    async def _store(self, kind: str, records: list[Row], fetched_at: datetime) -> None:
        self._note_fetch(fetched_at)
        if self.cache is not None:
            await asyncio.to_thread(self.cache.put, kind, records, fetched_at)

    def _raw(self) -> RawSource | None:
        """The client's raw pages when results go to the cache, else None (typed path)."""
        client = self.client
        return client if self.cache is not None and isinstance(client, RawSource) else None

    def take_stale(self) -> dict[str, EnrollmentQuery | None]:
        """The keys served stale since the last call (the app revalidates them)."""
        stale, self._stale = self._stale, {}
        return stale

    def requeue(self, stale: dict[str, EnrollmentQuery | None]) -> None:
        """Put back keys whose revalidation could not run (offline)."""
        for key, query in stale.items():
            self._stale.setdefault(key, query)

    @property
    def has_stale(self) -> bool:
        return bool(self._stale)

    async def revalidate(self, key: str, query: EnrollmentQuery | None = None) -> None:
        """Fetch `key` again from the API (memo and cache updated); APIError propagates."""
        if key == "account":
            await self.account(refresh=True)
        elif key == "campaigns":
            await self.campaigns(refresh=True)
        elif key == "library":
            await self.library(refresh=True)
        elif key == ALL_ENROLLMENTS:
            await self.all_enrollments(refresh=True)
        elif query is not None:
            async for _ in self.enrollment_pages(query, refresh=True):
                pass

    def latest_fetch(self) -> datetime | None:
        """The newest fetch of anything known, memo or disk: "offline: data from <time>".

        No I/O: the disk's newest is read once in a thread (the first cache read) and every
        fetch or cache write since is noted in memory."""
        times = [hit.fetched_at for hit in self.memo.entries.values()]
        if self._latest is not None:
            times.append(self._latest)
        return max(times) if times else None

    def estimate_requests(self, keys: list[str] | None = None) -> int:
        """Roughly how many requests refetching `keys` (default: all memoised) would cost:
        one per 500 rows (the API's page size), at least one each; the library is two."""
        chosen = list(self.memo.entries) if keys is None else keys
        total = 0
        for key in chosen:
            hit = self.memo.get(key)
            rows = len(hit.value) if hit is not None and isinstance(hit.value, list) else 0
            total += max(2 if key == "library" else 1, -(-rows // 500))
        return total

    def pop_notices(self) -> list[str]:
        """Sentences about cache or quota-meter trouble (a corrupt file rebuilt, ...)."""
        notices = self.cache.pop_notices() if self.cache is not None else []
        if self.quota is not None:
            notices.extend(self.quota.meter.pop_notices())
        return notices

    def forget(self, key: str | None = None) -> None:
        """Drop one memoised result, or all of them (a full refresh)."""
        if key is None:
            self.memo.clear()
            self._users.clear()
            self._subsets.clear()
            self._all_index = None
        else:
            self.memo.drop(key)
            self._users.pop(key, None)
            self._subsets.pop(key, None)
            if key == ALL_ENROLLMENTS:
                self._all_index = None

    @property
    def requests_today(self) -> int | None:
        """API requests made today as counted by the client, when it counts them."""
        usage = getattr(self.client, "usage", None)  # KnowBe4Client.usage: a UsageCounter
        count = getattr(usage, "count", None)
        return count if isinstance(count, int) else None

    @property
    def retrying(self) -> tuple[int, str | None]:
        """(requests now waiting to retry, the latest failure) from the client, if it says."""
        status = getattr(self.client, "retry_status", None)  # KnowBe4Client.retry_status
        waiting = getattr(status, "waiting", 0)
        failure = getattr(status, "last_failure", None)
        return (
            waiting if isinstance(waiting, int) else 0,
            failure if isinstance(failure, str) else None,
        )

    @property
    def unreachable(self) -> bool:
        """The client's latest attempt could not reach the API (and none has since)."""
        status = getattr(self.client, "retry_status", None)
        return getattr(status, "unreachable", False) is True

    @property
    def retrying_unreachable(self) -> bool:
        """Some request whose last attempt found no server is still trying."""
        status = getattr(self.client, "retry_status", None)
        count = getattr(status, "unreachable_retrying", 0)
        return isinstance(count, int) and count > 0

    # -- simple lists --------------------------------------------------------------------

    async def account(self, *, refresh: bool = False) -> Fetched[Account]:
        if not refresh:
            await self._warm("account")
            hit = self._usable("account")
            if hit is not None:
                return hit
        result: Fetched[Account] = Fetched(await self.client.account(), self.clock())
        self._remember("account", result)
        # The account endpoint is not a list kind of the raw API: its model is its record.
        await self._store("account", [result.value.model_dump(mode="json")], result.fetched_at)
        return result

    async def campaigns(self, *, refresh: bool = False) -> Fetched[list[Campaign]]:
        if not refresh:
            await self._warm("campaigns")
            hit = self._usable("campaigns")
            if hit is not None:
                return hit
        raw = self._raw()
        if raw is None:
            result: Fetched[list[Campaign]] = Fetched(await self.client.campaigns(), self.clock())
            self._remember("campaigns", result)
            return result
        started = self.clock()
        records: list[Row] = []
        campaigns: list[Campaign] = []
        async for page in raw.iter_raw_pages("campaigns"):
            records.extend(page)
            campaigns.extend(Campaign.from_api_list(page))
        result = Fetched(campaigns, started)
        self._remember("campaigns", result)
        await self._store("campaigns", records, started)
        return result

    async def campaign_pages(
        self, *, refresh: bool = False
    ) -> AsyncIterator[Fetched[list[Campaign]]]:
        """The campaigns page by page (the first after one round trip), each with the time
        the listing started; memoised once complete. From the memo: one page."""
        if not refresh:
            await self._warm("campaigns")
            hit = self._usable("campaigns")
            if hit is not None:
                yield hit
                return
        started = self.clock()
        collected: list[Campaign] = []
        raw = self._raw()
        if raw is None:
            async for page in self.client.iter_campaign_pages():
                collected.extend(page)
                yield Fetched(page, started)
            self._remember("campaigns", Fetched(collected, started))
            return
        records: list[Row] = []
        async for raw_page in raw.iter_raw_pages("campaigns"):
            records.extend(raw_page)
            parsed = Campaign.from_api_list(raw_page)
            collected.extend(parsed)
            yield Fetched(parsed, started)
        self._remember("campaigns", Fetched(collected, started))
        await self._store("campaigns", records, started)

    async def library(self, *, refresh: bool = False) -> Fetched[list[ContentItem]]:
        """Store purchases and uploaded policies in one list."""
        if not refresh:
            await self._warm("library")
            hit = self._usable("library")
            if hit is not None:
                return hit
        raw = self._raw()
        if raw is None:
            purchases = await self.client.store_purchases()
            policies = await self.client.policies()
            items: list[ContentItem] = [*purchases, *policies]
            result: Fetched[list[ContentItem]] = Fetched(items, self.clock())
            self._remember("library", result)
            return result
        started = self.clock()
        found: list[list[Row]] = []
        for kind in LIBRARY_KINDS:
            records: list[Row] = []
            async for page in raw.iter_raw_pages(kind):
                records.extend(page)
            found.append(records)
        result = Fetched(_parse_cached("library", found), started)
        self._remember("library", result)
        for kind, records in zip(LIBRARY_KINDS, found, strict=True):
            await self._store(kind, records, started)
        return result

    def cached_campaigns(self) -> list[Campaign]:
        """Whatever campaigns are memoised (fresh or not), without I/O: for the palette."""
        hit = self.memo.get("campaigns")
        return list(hit.value) if hit else []

    def cached_library(self) -> list[ContentItem]:
        hit = self.memo.get("library")
        return list(hit.value) if hit else []

    def cached_users(self) -> list[Enrollment]:
        """One row per user id (its first) in any memoised enrollment list, without I/O: for
        the user palette. Each list's users are found once per stored list, not per call."""
        users: dict[int, Enrollment] = {}
        for key, hit in list(self.memo.entries.items()):
            if key.startswith("enrollments:"):
                for user_id, row in self._users_in(key, hit).items():
                    users.setdefault(user_id, row)
        return list(users.values())

    def _users_in(self, key: str, hit: Fetched[Any]) -> dict[int, Enrollment]:
        known = self._users.get(key)
        if known is not None and known[0] is hit:
            return known[1]
        users = self._index_of(hit).users if key == ALL_ENROLLMENTS else _users_of(hit.value)
        self._users[key] = (hit, users)
        return users

    def _index_of(self, hit: Fetched[Any]) -> EnrollmentIndex:
        """The index of the all-enrollments entry `hit` (built here if it came another way)."""
        if self._all_index is None or self._all_index[0] is not hit:
            self._all_index = (hit, EnrollmentIndex.build(hit.value))
        return self._all_index[1]

    def peek(self, query: EnrollmentQuery) -> list[Enrollment] | None:
        """The enrollments `query` asks for if already known (no I/O), else None."""
        hit = self._fresh(query.memo_key) or self._fresh_subset(query)
        return None if hit is None else list(hit.value)

    # -- enrollments ---------------------------------------------------------------------

    async def all_enrollments(
        self,
        *,
        refresh: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> Fetched[list[Enrollment]]:
        """Every enrollment of active users, fetched once and reused while fresh.

        `progress(pages, rows)` is called after each page fetched (not when memoised).
        """
        if not refresh:
            await self._warm(ALL_ENROLLMENTS)
            hit = self._usable(ALL_ENROLLMENTS)
            if hit is not None:
                return hit
        rows: list[Enrollment] = []
        pages = 0
        raw = self._raw()
        if raw is None:
            async for page in self.client.iter_enrollment_pages(
                exclude_archived_users=True, include_campaign_id=True
            ):
                rows.extend(page)
                pages += 1
                if progress is not None:
                    progress(pages, len(rows))
            result = Fetched(rows, self.clock())
            index = await asyncio.to_thread(EnrollmentIndex.build, rows)
            self._remember(ALL_ENROLLMENTS, result, index)
            return result
        started = self.clock()
        records: list[Row] = []
        async for raw_page in raw.iter_raw_pages("enrollments", **_enrollment_filters(None)):
            records.extend(raw_page)
            pages += 1
            if progress is not None:
                progress(pages, len(records))
        # Parsing 100k rows takes seconds: not on the event loop (nor is indexing them).
        rows, index = await asyncio.to_thread(_parse_indexed, records)
        result = Fetched(rows, started)
        self._remember(ALL_ENROLLMENTS, result, index)
        await self._store(ALL_ENROLLMENTS, records, started)
        return result

    async def enrollment_pages(
        self, query: EnrollmentQuery, *, refresh: bool = False
    ) -> AsyncGenerator[EnrollmentPage, None]:
        """Stream the enrollments `query` asks for, page by page.

        Served in one page from the memo when the same query, or the all-enrollments list,
        is fresh. Otherwise the client's pages are passed on as they arrive, and the full
        result is memoised only when the stream completes (a cancelled stream leaves no
        partial result behind).
        """
        if not refresh:
            served = await self._served(query)
            if served is not None:
                rows: list[Enrollment] = served.value
                yield EnrollmentPage(rows, 1, len(rows), served.fetched_at, True, True)
                return
        if self._needs_all(query):
            everything = await self.all_enrollments(refresh=refresh)
            # Not memoised: it is derived from the all-enrollments list, which is.
            rows = [row for row in everything.value if query.matches(row)]
            yield EnrollmentPage(rows, 1, len(rows), everything.fetched_at, True)
            return
        collected: list[Enrollment] = []
        started = self.clock()
        page_number = 0
        raw = self._raw()
        kind = _query_kind(query)
        if raw is not None and kind is not None:
            records: list[Row] = []
            async for raw_page in raw.iter_raw_pages("enrollments", **_enrollment_filters(query)):
                page_number += 1
                records.extend(raw_page)
                parsed = Enrollment.from_api_list(raw_page)
                collected.extend(parsed)
                yield EnrollmentPage(parsed, page_number, len(collected), started, False)
            self._remember(query.memo_key, Fetched(collected, started))
            await self._store(kind, records, started)
            yield EnrollmentPage([], page_number, len(collected), started, True)
            return
        async for page in self.client.iter_enrollment_pages(
            campaign_id=query.campaign_id,
            user_id=query.user_id,
            store_purchase_id=query.store_purchase_id,
            exclude_archived_users=True,
            include_campaign_id=True,
        ):
            # The server filtered already; rows may lack the id we asked by, so keep them all.
            page_number += 1
            collected.extend(page)
            yield EnrollmentPage(page, page_number, len(collected), started, False)
        self._remember(query.memo_key, Fetched(collected, started))
        yield EnrollmentPage([], page_number, len(collected), started, True)

    async def _served(self, query: EnrollmentQuery) -> Fetched[list[Enrollment]] | None:
        """What can answer `query` without a request: the same query, or the all-enrollments
        list while it is fresh (from memory or, once per run, from the disk cache); with
        stale-while-revalidate also an old answer to the same query."""
        served = self._fresh(query.memo_key) or self._fresh_subset(query)
        if served is not None or self.cache is None:
            return served if served is not None else self._stale_answer(query)
        await self._warm(query.memo_key, query)
        # The all-enrollments list is big: read it only when it can answer (it is fresh).
        await self._warm(ALL_ENROLLMENTS, only_if_fresh=True)
        served = self._fresh(query.memo_key) or self._fresh_subset(query)
        return served if served is not None else self._stale_answer(query)

    def _stale_answer(self, query: EnrollmentQuery) -> Fetched[list[Enrollment]] | None:
        if not self.stale_while_revalidate:
            return None
        hit = self.memo.get(query.memo_key)
        if hit is not None:
            self._stale.setdefault(query.memo_key, query)
        return hit

    def _fresh_subset(self, query: EnrollmentQuery) -> Fetched[list[Enrollment]] | None:
        everything = self._fresh(ALL_ENROLLMENTS)
        if everything is None:
            return None
        candidates = self._index_of(everything).candidates(query)
        pool: list[Enrollment] = everything.value if candidates is None else candidates
        return Fetched([row for row in pool if query.matches(row)], everything.fetched_at)

    @staticmethod
    def _needs_all(query: EnrollmentQuery) -> bool:
        """Policies cannot be filtered by the API: answer them from all enrollments."""
        return (
            query.campaign_id is None
            and query.user_id is None
            and query.store_purchase_id is None
            and (query.policy_id is not None or query.module_name is not None)
        )
