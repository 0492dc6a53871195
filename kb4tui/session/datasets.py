"""The datasets the UI shows, one small type each: no string dispatch anywhere.

A dataset knows its memo key, the raw listing(s) to fetch (a `RESOURCES` kind and the
API's own filters), the cache kind each listing is kept under on disk, how to parse raw
records into models (in a worker thread when there are many) and how many requests a
refetch costs. The repository does the rest, the same way for all of them:
raw pages -> parse -> memo and cache.

A new dataset is one declaration, e.g. the active users:

    USERS = ListDataset("users:active", (Listing("users", User.from_api_list,
                        filters=(("status", "active"),), cache_kind="users:active"),))
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from kb4tui.api.models import (
    Account,
    Campaign,
    ContentItem,
    Enrollment,
    Group,
    Policy,
    StorePurchase,
    User,
)
from kb4tui.session.enrollment_index import EnrollmentIndex
from kb4tui.session.enrollment_query import ENROLLMENT_FILTERS, EnrollmentQuery

__all__ = [
    "ACCOUNT",
    "ALL_ENROLLMENTS",
    "ARCHIVED_USERS",
    "CAMPAIGNS",
    "GROUPS",
    "LIBRARY",
    "PAGE_ROWS",
    "USERS",
    "AccountDataset",
    "AllEnrollments",
    "Dataset",
    "EnrollmentSubset",
    "Fetched",
    "GroupMembers",
    "ListDataset",
    "Listing",
    "first_fill_requests",
]

Row = dict[str, Any]
T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 (an item type)

# Rows per API page: what a refetch is estimated by.
PAGE_ROWS = 500


@dataclass(frozen=True, slots=True)
class Fetched(Generic[T]):
    """A value and when it came from the API (UTC)."""

    value: T
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class Listing(Generic[I]):
    """One raw listing: a `RESOURCES` kind with the API's filters, how a page of its
    records becomes models, and the cache kind it is kept under (None: memory only)."""

    kind: str
    parse: Callable[[list[Row]], list[I]]
    filters: tuple[tuple[str, Any], ...] = ()
    cache_kind: str | None = None

    def params(self) -> dict[str, Any]:
        return dict(self.filters)


class Dataset(Protocol[T]):
    """What the repository needs to know about a dataset (see the module docstring)."""

    @property
    def memo_key(self) -> str: ...

    @property
    def listings(self) -> tuple[Listing[Any], ...]:
        """The raw listings to fetch, in order (none: the dataset is derived, see
        `from_all`)."""
        ...

    @property
    def parse_in_thread(self) -> bool:
        """Parse off the event loop: 100,000 rows take seconds."""
        ...

    @property
    def capped(self) -> bool:
        """One of many similar subsets: the memo keeps only the last few used."""
        ...

    @property
    def indexed(self) -> bool:
        """The all-enrollments list: its `EnrollmentIndex` is built with it."""
        ...

    @property
    def in_all_enrollments(self) -> bool:
        """Its rows are part of the all-enrollments list (`from_all` can answer it)."""
        ...

    def assemble(self, parsed: list[list[Any]]) -> T:
        """The value from each listing's parsed records."""
        ...

    def from_all(
        self, everything: Fetched[list[Enrollment]], index: EnrollmentIndex
    ) -> Fetched[T] | None:
        """This dataset taken from the all-enrollments list (None: it cannot be)."""
        ...

    def enrollments(self, value: T) -> list[Enrollment] | None:
        """The enrollments the value holds (the palette's users), None if none."""
        ...


def cache_kinds(dataset: Dataset[Any]) -> tuple[str, ...]:
    """The disk cache kinds holding `dataset` (empty: kept in memory only)."""
    kinds = tuple(listing.cache_kind for listing in dataset.listings)
    if not kinds or any(kind is None for kind in kinds):
        return ()
    return tuple(kind for kind in kinds if kind is not None)


def estimate_requests(dataset: Dataset[Any], known: object) -> int:
    """About how many requests fetching `dataset` again costs, given what is known of it:
    a request per `PAGE_ROWS` rows and at least one per listing."""
    rows = len(known) if isinstance(known, list) else 0
    return max(len(dataset.listings), 1, math.ceil(rows / PAGE_ROWS))


def first_fill_requests(dataset: Dataset[Any], expected_rows: int | None) -> int:
    """About how many requests fetching `dataset` the first time costs, when about
    `expected_rows` rows are expected (the users: the seats): a request per `PAGE_ROWS`,
    at least one per listing."""
    rows = expected_rows or 0
    return max(len(dataset.listings), 1, math.ceil(rows / PAGE_ROWS))


@dataclass(frozen=True, slots=True)
class ListDataset(Generic[I]):
    """A list made of one or more listings, concatenated (the library is purchases and
    policies)."""

    name: str
    listings: tuple[Listing[I], ...]
    parse_in_thread: bool = False
    capped: bool = False
    indexed: bool = False
    in_all_enrollments: bool = False

    @property
    def memo_key(self) -> str:
        return self.name

    def assemble(self, parsed: list[list[Any]]) -> list[I]:
        return [item for part in parsed for item in part]

    def from_all(
        self, everything: Fetched[list[Enrollment]], index: EnrollmentIndex
    ) -> Fetched[list[I]] | None:
        return None

    def enrollments(self, value: list[I]) -> list[Enrollment] | None:
        return None


@dataclass(frozen=True, slots=True)
class AccountDataset:
    """The account (name, seats, quota): one object, fetched as a one-row listing."""

    listings: tuple[Listing[Account], ...] = (
        Listing("account", Account.from_api_list, cache_kind="account"),
    )
    parse_in_thread: bool = False
    capped: bool = False
    indexed: bool = False
    in_all_enrollments: bool = False

    @property
    def memo_key(self) -> str:
        return "account"

    def assemble(self, parsed: list[list[Any]]) -> Account:
        found = [item for part in parsed for item in part]
        if not found:
            raise ValueError("the account record is missing")
        account: Account = found[0]
        return account

    def from_all(
        self, everything: Fetched[list[Enrollment]], index: EnrollmentIndex
    ) -> Fetched[Account] | None:
        return None

    def enrollments(self, value: Account) -> list[Enrollment] | None:
        return None


@dataclass(frozen=True, slots=True)
class AllEnrollments:
    """Every enrollment of active users, with campaign and store purchase ids: fetched once
    and reused for every campaign, user and module while it is fresh."""

    listings: tuple[Listing[Enrollment], ...] = (
        Listing(
            "enrollments",
            Enrollment.from_api_list,
            filters=tuple(ENROLLMENT_FILTERS.items()),
            cache_kind="enrollments:all",
        ),
    )
    parse_in_thread: bool = True
    capped: bool = False
    indexed: bool = True
    in_all_enrollments: bool = False  # it is the list itself

    @property
    def memo_key(self) -> str:
        return "enrollments:all"

    def assemble(self, parsed: list[list[Any]]) -> list[Enrollment]:
        return [item for part in parsed for item in part]

    def from_all(
        self, everything: Fetched[list[Enrollment]], index: EnrollmentIndex
    ) -> Fetched[list[Enrollment]] | None:
        return None

    def enrollments(self, value: list[Enrollment]) -> list[Enrollment] | None:
        return value


@dataclass(frozen=True, slots=True)
class EnrollmentSubset:
    """The enrollments a query asks for. Those the API can filter (a campaign, a user, a
    store purchase) have a listing of their own, streamed page by page and capped in the
    memo; policies and module names have none and are picked from all enrollments. Any of
    them is answered from a fresh all-enrollments list without a request."""

    query: EnrollmentQuery
    parse_in_thread: bool = False
    capped: bool = True
    indexed: bool = False
    in_all_enrollments: bool = True

    @property
    def listings(self) -> tuple[Listing[Enrollment], ...]:
        if self.query.needs_all:
            return ()
        filters = tuple((k, v) for k, v in self.query.api_filters.items() if v is not None)
        return (
            Listing(
                "enrollments",
                Enrollment.from_api_list,
                filters=filters,
                cache_kind=self.query.cache_kind,
            ),
        )

    @property
    def memo_key(self) -> str:
        return self.query.memo_key

    def assemble(self, parsed: list[list[Any]]) -> list[Enrollment]:
        # The server filtered already; rows may lack the id asked by, so all are kept.
        return [item for part in parsed for item in part]

    def from_all(
        self, everything: Fetched[list[Enrollment]], index: EnrollmentIndex
    ) -> Fetched[list[Enrollment]] | None:
        candidates = index.candidates(self.query)
        pool = everything.value if candidates is None else candidates
        return Fetched([row for row in pool if self.query.matches(row)], everything.fetched_at)

    def enrollments(self, value: list[Enrollment]) -> list[Enrollment] | None:
        return value


@dataclass(frozen=True, slots=True)
class GroupMembers:
    """One group's members (`/v1/groups/{id}/members`, active users): fetched only when
    the group is opened, capped in the memo like the enrollment subsets."""

    group_id: int
    parse_in_thread: bool = False
    capped: bool = True
    indexed: bool = False
    in_all_enrollments: bool = False

    @property
    def listings(self) -> tuple[Listing[User], ...]:
        return (
            Listing(
                "group_members",
                User.from_api_list,
                filters=(("group_id", self.group_id),),
                cache_kind=f"group_members:{self.group_id}",
            ),
        )

    @property
    def memo_key(self) -> str:
        return f"group_members:{self.group_id}"

    def assemble(self, parsed: list[list[Any]]) -> list[User]:
        return [item for part in parsed for item in part]

    def from_all(
        self, everything: Fetched[list[Enrollment]], index: EnrollmentIndex
    ) -> Fetched[list[User]] | None:
        return None

    def enrollments(self, value: list[User]) -> list[Enrollment] | None:
        return None


def _library(records: list[Row]) -> list[ContentItem]:
    return list(StorePurchase.from_api_list(records))


def _policies(records: list[Row]) -> list[ContentItem]:
    return list(Policy.from_api_list(records))


ACCOUNT = AccountDataset()
CAMPAIGNS: ListDataset[Campaign] = ListDataset(
    "campaigns", (Listing("campaigns", Campaign.from_api_list, cache_kind="campaigns"),)
)
LIBRARY: ListDataset[ContentItem] = ListDataset(
    "library",
    (
        Listing("store_purchases", _library, cache_kind="store_purchases"),
        Listing("policies", _policies, cache_kind="policies"),
    ),
)
ALL_ENROLLMENTS = AllEnrollments()
# The People pane: users by status (20,000 users parse in a thread), and the groups.
USERS: ListDataset[User] = ListDataset(
    "users:active",
    (Listing("users", User.from_api_list, (("status", "active"),), "users:active"),),
    parse_in_thread=True,
)
ARCHIVED_USERS: ListDataset[User] = ListDataset(
    "users:archived",
    (Listing("users", User.from_api_list, (("status", "archived"),), "users:archived"),),
    parse_in_thread=True,
)
GROUPS: ListDataset[Group] = ListDataset(
    "groups", (Listing("groups", Group.from_api_list, cache_kind="groups"),)
)
