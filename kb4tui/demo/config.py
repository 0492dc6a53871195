"""`FakeAPIConfig`: the knobs of the fake API. Mutable at runtime: tests flip fields
between requests and the next request sees them."""

from __future__ import annotations

from dataclasses import dataclass

FAULT_KINDS = ("500", "503", "drop", "timeout", "429")


@dataclass
class FakeAPIConfig:
    # Seconds every request waits before it is answered (or dropped).
    latency: float = 0.0
    # More seconds for the pages of a list after its first (page 2 on, or a cursor past
    # the start), as a server slow deep into a big list: holds a stream open after its
    # first page.
    later_pages_latency: float = 0.0

    # Rate limiting per API key, as documented: 4/s, 50/min, 2,000 + seats per day.
    rate_limit: bool = True
    per_second: int = 4
    per_minute: int = 50
    daily_base: int = 2000
    # The real API is not known to send Retry-After; when True, rate-limit 429s carry one.
    retry_after: bool = False

    # Injected faults: each authenticated request fails with probability `fault_rate`,
    # choosing uniformly among `fault_kinds`: "500", "503", "drop" (the connection closes
    # without a response), "timeout" (no answer for `hang_seconds`, then the connection
    # closes) and "429" (a burst of `burst_length` 429s without Retry-After).
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    fault_seed: int = 0
    hang_seconds: float = 35.0
    burst_length: int = 3

    # Authentication modes.
    invalid_token: bool = False  # reject every key, as if it had been revoked
    legacy_invalid_token: bool = False  # reject with 200 + {"message": "Invalid Token"}
    forbidden: bool = False  # accepted keys get 403 (e.g. a subscription without API access)

    # Pagination modes. With `cursor_pagination`, `cursor=true` starts cursor paging and the
    # X-Next-Cursor header carries the next value; without it `cursor` is ignored.
    cursor_pagination: bool = False
    # Wrap list bodies as {"data": [...]} (one client's reading of the new format).
    data_wrapper: bool = False
    # Answer 406 when the Accept header excludes JSON.
    check_accept: bool = True
