"""The local stores of one run: the data cache of the profile and account, and the
profile's quota meter, opened together and closed together.

The account's identity is its API base URL, never the key (see `cache.account_key`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from kb4tui.store.cache import Cache, account_key
from kb4tui.store.config import DEFAULT_CACHE_TTL_MINUTES
from kb4tui.store.quota import QuotaMeter
from kb4tui.store.quota_feed import QuotaFeed

__all__ = ["LocalStores", "open_local_stores"]


@dataclass(slots=True)
class LocalStores:
    cache: Cache
    quota: QuotaFeed
    ttl: timedelta

    def close(self) -> None:
        """Write what the quota feed still holds, then close both files (blocking)."""
        self.quota.flush()
        self.quota.meter.close()
        self.cache.close()


def open_local_stores(
    profile: str,
    base_url: str,
    *,
    ttl: timedelta = timedelta(minutes=DEFAULT_CACHE_TTL_MINUTES),
    cache_dir: Path | None = None,
    quota_dir: Path | None = None,
) -> LocalStores:
    """Open (or create) both stores; a bad file is rebuilt with a notice, never raised.

    Blocking (sqlite): call it in a thread from the event loop.
    """
    cache = Cache.open(cache_dir, profile, account_key(base_url))
    meter = QuotaMeter.open(quota_dir, profile)
    return LocalStores(cache, QuotaFeed(meter), ttl)
