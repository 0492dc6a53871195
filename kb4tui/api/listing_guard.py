"""What a paged list may contain, checked page by page as it arrives (no I/O here).

The API gives no totals, so a broken or hostile server could send pages without end, or
pages of anything. Each listing gets a `ListingGuard`; for every page it:

- refuses a page with more records than `per_page` asked for (a format error);
- sets aside records without their id (`{}` is not a campaign), counting them in the
  `ListingTally`: one bad record among good ones is skipped, the rest are kept (the
  client is tolerant); a page where no record has an id is garbage, a format error;
- drops records seen before: by id (each campaign, user... has its own), except for
  enrollments, whose distinct records may share an id (KnowBe4's own samples do):
  there only a record identical to one of the previous page is dropped, the repeat an
  offset shift makes at a page boundary;
- stops a list that does not end: a full page with nothing new is the server repeating
  itself (`EndlessListingError`), a short one is the end; and no list may have more
  pages than `PageCap` allows for the account's size.

`PageCap`: no list can hold more records than the account's seats times the content a
user can be enrolled in (enrollments, the longest list, are at most one per user and
content item of each campaign), with a margin. Both facts are learnt from what the client
has fetched (`/v1/account`'s `number_of_seats`, the campaigns' content); until they are
known the floors apply, which already allow 200,000 enrollments, and the client asks for
the facts only when a list reaches that.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from kb4tui.api.errors import EndlessListingError, ResponseFormatError
from kb4tui.api.raw_source import Row
from kb4tui.api.resources import Resource

__all__ = ["AccountScale", "ListingGuard", "ListingTally", "PageCap"]


@dataclass(slots=True)
class ListingTally:
    """What the client set aside while listing, for a summary ("3 records without an id
    were skipped"). One per client, added to by every listing."""

    without_id: int = 0
    repeats: int = 0  # identical records at page boundaries, dropped

    def copy(self) -> ListingTally:
        return ListingTally(self.without_id, self.repeats)


@dataclass(slots=True)
class AccountScale:
    """The account's size as far as the client has seen it (None: not yet known)."""

    seats: int | None = None
    content: int | None = None  # content items over all campaigns

    def note_account(self, row: Row) -> None:
        seats = row.get("number_of_seats")
        if isinstance(seats, int) and not isinstance(seats, bool) and seats >= 0:
            self.seats = seats

    def note_campaigns(self, rows: Iterable[Row]) -> None:
        total = 0
        for row in rows:
            items = row.get("content", row.get("modules"))
            if isinstance(items, list):
                total += len(items)
        self.content = total


@dataclass(frozen=True, slots=True)
class PageCap:
    """How many pages a list may have (see the module docstring). Tests shrink it."""

    margin: int = 2
    min_seats: int = 1_000
    min_content: int = 100
    rows_per_seat: int = 10  # every list but enrollments: users (archived too), groups...

    def max_rows(self, kind: str, scale: AccountScale) -> int:
        seats = max(scale.seats or 0, self.min_seats)
        if kind == "enrollments":
            return self.margin * seats * max(scale.content or 0, self.min_content)
        return self.margin * seats * self.rows_per_seat

    def max_pages(self, kind: str, per_page: int, scale: AccountScale) -> int:
        """Pages of records that hold `max_rows` (the empty page that ends a list is not
        counted)."""
        return math.ceil(self.max_rows(kind, scale) / per_page)

    def needs(self, kind: str, scale: AccountScale) -> bool:
        """Whether a fact that would raise the cap is still unknown."""
        return scale.seats is None or (kind == "enrollments" and scale.content is None)


class ListingGuard:
    """The checks of one listing of `res` (see the module docstring)."""

    def __init__(self, res: Resource, *, per_page: int, path: str, tally: ListingTally) -> None:
        self.res = res
        self.per_page = per_page
        self.path = path
        self.tally = tally
        self.pages = 0
        self.rows = 0
        self._seen: set[int] = set()
        self._previous: dict[int, list[Row]] = {}  # shared ids: the last page, by id

    def admit(self, rows: list[Row]) -> tuple[list[Row], bool]:
        """The page's new records, and whether the list has ended with this page."""
        self.pages += 1
        res = self.res
        if len(rows) > self.per_page:
            raise ResponseFormatError(
                f"The KnowBe4 API sent {len(rows):,} {res.plural} on one page where at most "
                f"{self.per_page} were asked for",
                path=self.path,
            )
        keyed: list[tuple[int, Row]] = []
        for row in rows:
            key = res.row_id(row)
            if key is not None:
                keyed.append((key, row))
        missing = len(rows) - len(keyed)
        if missing and not keyed:
            raise ResponseFormatError(
                f"The KnowBe4 API sent a page of {len(rows):,} {res.plural} none of which has "
                f"its {res.id_field}",
                path=self.path,
            )
        self.tally.without_id += missing
        fresh = self._fresh(keyed) if res.shared_ids else self._unseen(keyed)
        self.rows += len(fresh)
        if rows and not fresh:
            if len(rows) < self.per_page:
                return [], True  # a short page of repeats: the end, shifted
            raise EndlessListingError(
                f"The KnowBe4 API sent page {self.pages} of the {res.plural} with nothing "
                f"new on it (all {len(rows):,} records already sent)",
                path=self.path,
            )
        return fresh, False

    def check_cap(self, cap: int, scale: AccountScale) -> None:
        if self.pages <= cap:
            return
        seats = f"{scale.seats:,} seats" if scale.seats is not None else "unknown seats"
        raise EndlessListingError(
            f"The KnowBe4 API sent more than {cap:,} pages of {self.res.plural} "
            f"({self.rows:,} records), more than an account of {seats} can have",
            path=self.path,
        )

    def _unseen(self, keyed: list[tuple[int, Row]]) -> list[Row]:
        fresh: list[Row] = []
        seen = self._seen
        for key, row in keyed:
            if key not in seen:
                seen.add(key)
                fresh.append(row)
        return fresh

    def _fresh(self, keyed: list[tuple[int, Row]]) -> list[Row]:
        """Records sharing ids: drop only one identical to a record of the previous page
        (each matched once), the repeat an offset shift makes."""
        previous = self._previous
        current: dict[int, list[Row]] = {}
        fresh: list[Row] = []
        for key, row in keyed:
            current.setdefault(key, []).append(row)
            candidates = previous.get(key)
            if candidates:
                for index, earlier in enumerate(candidates):
                    if earlier == row:
                        del candidates[index]
                        self.tally.repeats += 1
                        break
                else:
                    fresh.append(row)
                continue
            fresh.append(row)
        self._previous = current
        return fresh
