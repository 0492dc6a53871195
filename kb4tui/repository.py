"""The UI's only door to data: fetch from the client, remember results, say how old they are.

No textual here. Every result carries the time it was fetched so the header can say
"fetched 2 min ago". Results are memoised in memory behind a small `Memo` seam; the
SQLite cache (issue 6) plugs in by providing another `Memo`.

Enrollments are the expensive part (one row per user x module x campaign, 500 a page at
4 requests/s). The first time someone asks for a user's or a module's enrollments we
fetch *all* enrollments once (include_campaign_id, exclude_archived_users) and answer
campaign, user and module questions from that list while it is fresh. A campaign's
enrollments on their own are streamed page by page so the first page can be shown at once.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from kb4tui.api.models import Account, Campaign, ContentItem, Enrollment, Policy, StorePurchase

__all__ = [
    "EnrollmentPage",
    "EnrollmentQuery",
    "Fetched",
    "KnowBe4Source",
    "Memo",
    "Repository",
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


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Repository:
    """Account, campaigns, library and enrollments, memoised, each with its fetch time.

    `clock` is injectable so snapshot tests can freeze "now". `max_age` is how long a
    memoised result is served without asking the API again.
    """

    def __init__(
        self,
        client: KnowBe4Source,
        *,
        memo: Memo | None = None,
        clock: Callable[[], datetime] = _utcnow,
        max_age: timedelta = timedelta(minutes=15),
    ) -> None:
        self.client = client
        self.memo = memo if memo is not None else Memo()
        self.clock = clock
        self.max_age = max_age

    # -- freshness -----------------------------------------------------------------------

    def _fresh(self, key: str) -> Fetched[Any] | None:
        hit = self.memo.get(key)
        if hit is None or self.clock() - hit.fetched_at > self.max_age:
            return None
        return hit

    def forget(self, key: str | None = None) -> None:
        """Drop one memoised result, or all of them (a full refresh)."""
        if key is None:
            self.memo.clear()
        else:
            self.memo.drop(key)

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

    # -- simple lists --------------------------------------------------------------------

    async def account(self, *, refresh: bool = False) -> Fetched[Account]:
        hit = None if refresh else self._fresh("account")
        if hit is not None:
            return hit
        result: Fetched[Account] = Fetched(await self.client.account(), self.clock())
        self.memo.put("account", result)
        return result

    async def campaigns(self, *, refresh: bool = False) -> Fetched[list[Campaign]]:
        hit = None if refresh else self._fresh("campaigns")
        if hit is not None:
            return hit
        result: Fetched[list[Campaign]] = Fetched(await self.client.campaigns(), self.clock())
        self.memo.put("campaigns", result)
        return result

    async def campaign_pages(
        self, *, refresh: bool = False
    ) -> AsyncIterator[Fetched[list[Campaign]]]:
        """The campaigns page by page (the first after one round trip), each with the time
        the listing started; memoised once complete. From the memo: one page."""
        hit = None if refresh else self._fresh("campaigns")
        if hit is not None:
            yield hit
            return
        started = self.clock()
        collected: list[Campaign] = []
        async for page in self.client.iter_campaign_pages():
            collected.extend(page)
            yield Fetched(page, started)
        self.memo.put("campaigns", Fetched(collected, started))

    async def library(self, *, refresh: bool = False) -> Fetched[list[ContentItem]]:
        """Store purchases and uploaded policies in one list."""
        hit = None if refresh else self._fresh("library")
        if hit is not None:
            return hit
        purchases = await self.client.store_purchases()
        policies = await self.client.policies()
        items: list[ContentItem] = [*purchases, *policies]
        result: Fetched[list[ContentItem]] = Fetched(items, self.clock())
        self.memo.put("library", result)
        return result

    def cached_campaigns(self) -> list[Campaign]:
        """Whatever campaigns are memoised (fresh or not), without I/O: for the palette."""
        hit = self.memo.get("campaigns")
        return list(hit.value) if hit else []

    def cached_library(self) -> list[ContentItem]:
        hit = self.memo.get("library")
        return list(hit.value) if hit else []

    def cached_enrollments(self) -> list[Enrollment]:
        """Every memoised enrollment row, deduplicated by id: for the user palette."""
        seen: dict[object, Enrollment] = {}
        for key, hit in list(self.memo.entries.items()):
            if key.startswith("enrollments:"):
                for row in hit.value:
                    seen[row.enrollment_id if row.enrollment_id is not None else id(row)] = row
        return list(seen.values())

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
        hit = None if refresh else self._fresh(ALL_ENROLLMENTS)
        if hit is not None:
            return hit
        rows: list[Enrollment] = []
        pages = 0
        async for page in self.client.iter_enrollment_pages(
            exclude_archived_users=True, include_campaign_id=True
        ):
            rows.extend(page)
            pages += 1
            if progress is not None:
                progress(pages, len(rows))
        result = Fetched(rows, self.clock())
        self.memo.put(ALL_ENROLLMENTS, result)
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
            served = self._fresh(query.memo_key) or self._fresh_subset(query)
            if served is not None:
                rows: list[Enrollment] = served.value
                yield EnrollmentPage(rows, 1, len(rows), served.fetched_at, True, True)
                return
        if self._needs_all(query):
            everything = await self.all_enrollments(refresh=refresh)
            rows = [row for row in everything.value if query.matches(row)]
            self.memo.put(query.memo_key, Fetched(rows, everything.fetched_at))
            yield EnrollmentPage(rows, 1, len(rows), everything.fetched_at, True)
            return
        collected: list[Enrollment] = []
        started = self.clock()
        page_number = 0
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
        self.memo.put(query.memo_key, Fetched(collected, started))
        yield EnrollmentPage([], page_number, len(collected), started, True)

    def _fresh_subset(self, query: EnrollmentQuery) -> Fetched[list[Enrollment]] | None:
        everything = self._fresh(ALL_ENROLLMENTS)
        if everything is None:
            return None
        rows = [row for row in everything.value if query.matches(row)]
        return Fetched(rows, everything.fetched_at)

    @staticmethod
    def _needs_all(query: EnrollmentQuery) -> bool:
        """Policies cannot be filtered by the API: answer them from all enrollments."""
        return (
            query.campaign_id is None
            and query.user_id is None
            and query.store_purchase_id is None
            and (query.policy_id is not None or query.module_name is not None)
        )
