"""`kb4tui export ... --offline`: the same export, read from the local cache.

`CachedSource` answers `iter_raw_pages` the way the client does, from the raw API records
the TUI cached (kb4tui.store.cache), so JSON keeps the records exactly as the API sent
them. Enrollments come from the kind cached for that one campaign, user or store purchase,
else from all enrollments filtered here. Nothing cached for what is asked is a plain
sentence and exit 3, never an empty export passed off as complete.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator, Mapping
from pathlib import Path
from typing import Any

from kb4tui.api.errors import APIError, NotFoundError
from kb4tui.api.models import Campaign, Enrollment
from kb4tui.api.regions import base_url_for
from kb4tui.exitcodes import ExitCode
from kb4tui.store.cache import Cache, account_key, cache_path

__all__ = ["CacheUnreadableError", "CachedSource", "NotCachedError", "open_cached_source"]

Row = dict[str, Any]

# How many records to hand the writer at a time, as an API page would.
_CHUNK = 500

_ENROLLMENT_IDS = (
    ("campaign_id", "campaign"),
    ("user_id", "user"),
    ("store_purchase_id", "store_purchase"),
)


class NotCachedError(APIError):
    """What `--offline` was asked for is not in the cache (exit 3, like no network)."""

    exit_code = ExitCode.API

    @property
    def sentence(self) -> str:
        return self.message


class CacheUnreadableError(NotCachedError):
    """The cache directory or file cannot be read at all (permissions): exit 1, a local
    problem to fix, not a missing download."""

    exit_code = ExitCode.USAGE


# How kb4tui.store.dbfile says a damaged file was moved aside.
_MOVED_TO = re.compile(r"moved to (?P<name>\S+?) and a fresh one")
_FETCH_ONCE = (
    "run kb4tui, or this export without --offline, once while the KnowBe4 API can be reached"
)


def _not_cached(what: str, profile: str) -> NotCachedError:
    return NotCachedError(f"kb4tui has no cached {what} for profile {profile}; {_FETCH_ONCE}.")


def open_cached_source(
    profile: str,
    region: str,
    base_url: str | None,
    directory: Path | None = None,
    *,
    store_name: str | None = None,
) -> CachedSource:
    """The cache of `profile` at the account its connection points to (never created here).

    An unreadable cache says so (not "could not write standard output"), and a damaged
    one, which opening moves aside, says it was damaged and set aside rather than that
    nothing was ever cached. `store_name` is the name its files go under when it is not
    the profile's (the demo's).
    """
    path = cache_path(store_name or profile, account_key(base_url_for(region, base_url)), directory)
    try:
        if not path.is_file():
            raise _not_cached("data", profile)
        cache = Cache.open_path(path)
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise CacheUnreadableError(
            f"Cannot read the cache in {path.parent} ({reason}); check that this user can "
            "read that directory (kb4tui keeps it readable only by its owner)."
        ) from None
    moved = [m for notice in cache.pop_notices() if (m := _MOVED_TO.search(notice))]
    if moved:
        cache.close()
        raise NotCachedError(
            f"The cache of profile {profile} was damaged and has been set aside as "
            f"{moved[0]['name']}, so nothing cached is left to export; {_FETCH_ONCE}."
        )
    return CachedSource(cache, profile)


class CachedSource:
    """A `RawSource` (see exporting/runner.py) over one profile's cache."""

    def __init__(self, cache: Cache, profile: str) -> None:
        self.cache = cache
        self.profile = profile

    def close(self) -> None:
        self.cache.close()

    async def iter_raw_pages(self, kind: str, **filters: Any) -> AsyncGenerator[list[Row], None]:
        records = await asyncio.to_thread(self.records, kind, filters)
        for start in range(0, len(records), _CHUNK):
            yield records[start : start + _CHUNK]

    async def get_raw(self, kind: str, item_id: int) -> Row:
        """A campaign from the cached list (what `export progress` reads first); no other
        single record is cached on its own."""
        if kind != "campaigns":
            raise _not_cached(f"single {kind} record", self.profile)
        for record in await asyncio.to_thread(self.records, kind, {}):
            if Campaign.from_api(record).campaign_id == item_id:
                return record
        raise NotFoundError(f"Campaign {item_id} is not among the cached campaigns")

    def require(self, kind: str, filters: Mapping[str, Any]) -> None:
        """Raise NotCachedError now, before the writer puts a CSV header on stdout."""
        if kind in ("campaigns", "store_purchases", "policies"):
            if self.cache.fetched_at(kind) is None:
                raise _not_cached(kind.replace("_", " "), self.profile)
            return
        if kind != "enrollments":
            raise _not_cached(kind, self.profile)
        own = self._own_kind(filters)
        if self.cache.fetched_at("enrollments:all") is None and (
            own is None or self.cache.fetched_at(own) is None
        ):
            raise _not_cached("enrollments", self.profile)

    @staticmethod
    def _own_kind(filters: Mapping[str, Any]) -> str | None:
        """The kind cached for one campaign's, user's or store purchase's enrollments."""
        wanted = [(label, filters[name]) for name, label in _ENROLLMENT_IDS if filters.get(name)]
        return f"enrollments:{wanted[0][0]}={wanted[0][1]}" if len(wanted) == 1 else None

    def records(self, kind: str, filters: Mapping[str, Any]) -> list[Row]:
        """The cached records of `kind` matching the enrollment id filters (blocking)."""
        if kind in ("campaigns", "store_purchases", "policies"):
            found = self.cache.get(kind)
            if found is None:
                raise _not_cached(kind.replace("_", " "), self.profile)
            return found.records
        if kind != "enrollments":
            raise _not_cached(kind, self.profile)
        wanted = {name: filters[name] for name, _ in _ENROLLMENT_IDS if filters.get(name)}
        own = self._own_kind(filters)
        one = self.cache.get(own) if own is not None else None
        if one is not None:
            return one.records
        everything = self.cache.get("enrollments:all")
        if everything is None:
            raise _not_cached("enrollments", self.profile)
        if not wanted:
            return everything.records
        return [row for row in everything.records if _matches(row, wanted)]


def _matches(row: Row, wanted: Mapping[str, Any]) -> bool:
    parsed = Enrollment.from_api(row)
    return all(getattr(parsed, name) == value for name, value in wanted.items())
