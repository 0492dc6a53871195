"""What a hostile server on 127.0.0.1 can make the client hold or spend (issue 20 items
8, 9, 11 and 12): bodies past the caps, a gzip bomb, encodings not asked for, a server
trickling its answer, `Retry-After: 0` and endless 429s. The real client over a real
socket; the limits are shrunk so a few MB show what would otherwise grow without bound,
and memory is measured with tracemalloc."""

from __future__ import annotations

import gzip
import json
import time
import tracemalloc
import zlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from hostile_http import Canned, hostile_server

from kb4tui.api.bounded_body import BodyLimits
from kb4tui.api.client import KnowBe4Client
from kb4tui.api.errors import (
    NetworkError,
    QuotaSpentError,
    ResponseFormatError,
    ResponseTooLargeError,
    ServerError,
)
from kb4tui.api.ratelimit import RateLimiter, UsageCounter
from kb4tui.api.retry import RetryPolicy

KEY = "kb4tui-hostile-bounds-key-5e5e5e"
MIB = 1024 * 1024
SMALL = BodyLimits(sent=1 * MIB, decoded=1 * MIB)

pytestmark = pytest.mark.timeout(60)

T = TypeVar("T")


def client_for(base_url: str, **options: Any) -> KnowBe4Client:
    options.setdefault("limiter", RateLimiter([(10_000, 1.0)], margin=0.0))
    options.setdefault("usage", UsageCounter())
    options.setdefault("retry_policy", RetryPolicy(budget=2.0, base_delay=0.01, max_delay=0.05))
    return KnowBe4Client(KEY, base_url=base_url, **options)


async def peak_while(action: Callable[[], Awaitable[T]]) -> tuple[T | BaseException, float]:
    """What `action` returned (or raised), and the peak of traced memory meanwhile, MiB."""
    tracemalloc.start()
    try:
        try:
            result: T | BaseException = await action()
        except Exception as exc:
            result = exc
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak / MIB


async def test_a_body_without_end_stops_at_the_cap_while_reading() -> None:
    """No Content-Length and 6 MB of `[{},{},...]`: read only up to the cap."""
    body = b"[" + b"{}," * (2 * MIB) + b"{}]"
    with hostile_server(Canned(body=body, content_length=False)) as hostile:
        async with client_for(hostile.base_url, body_limits=SMALL) as client:
            error, peak = await peak_while(lambda: client.account())
    assert isinstance(error, ResponseTooLargeError), error
    assert "larger than the 1 MB kb4tui reads" in error.sentence
    assert peak < 4, f"{peak:.1f} MiB"


async def list_campaigns(client: KnowBe4Client) -> int:
    rows = 0
    async for page in client.iter_raw_pages("campaigns", exclude_percentages=True):
        rows += len(page)
    return rows


async def test_5_mb_of_empty_records_is_refused_before_it_is_parsed() -> None:
    """5 MB of `[{},{},...]` took 2.5 GB: 1.7 million values are past the item cap, so
    the body is refused before json makes a dict of each (within the default 64 MB)."""
    body = b"[" + b"{}," * (5 * MIB // 3) + b"{}]"
    with hostile_server(Canned(body=body)) as hostile:
        async with client_for(hostile.base_url) as client:
            error, peak = await peak_while(lambda: list_campaigns(client))
    assert isinstance(error, ResponseTooLargeError), error
    assert "more than 2,000,000 JSON values" in error.sentence
    assert peak < 20, f"{peak:.1f} MiB"


async def test_100_000_empty_records_are_refused_as_a_page_too_large() -> None:
    body = b"[" + b"{}," * 99_999 + b"{}]"
    with hostile_server(Canned(body=body)) as hostile:
        async with client_for(hostile.base_url) as client:
            error, peak = await peak_while(lambda: list_campaigns(client))
    assert isinstance(error, ResponseFormatError), error
    assert "100,000 campaigns on one page where at most 500" in error.sentence
    assert peak < 20, f"{peak:.1f} MiB"


async def test_an_announced_length_past_the_cap_is_refused_before_reading() -> None:
    with hostile_server(
        Canned(body=b"[]", headers={"Content-Length": str(500 * MIB)}, content_length=False)
    ) as hostile:
        async with client_for(hostile.base_url, body_limits=SMALL) as client:
            with pytest.raises(ResponseTooLargeError, match="announced a response of 524,288,000"):
                await client.account()
    assert len(hostile.requests) == 1  # not retried: a too-large answer is no accident


async def test_the_default_cap_is_64_mb() -> None:
    limits = BodyLimits()
    assert limits.sent == limits.decoded == 64 * MIB


async def test_a_gzip_bomb_stops_at_the_decoded_cap() -> None:
    """2 MB of gzip became 8.26 GB: now inflated a piece at a time and stopped at the cap
    (here 1 MiB of 64 MiB of zeros, ~64 KB on the wire)."""
    bomb = gzip.compress(b"[" + b" " * (64 * MIB) + b"]", compresslevel=9)
    assert len(bomb) < 200_000
    headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
    with hostile_server(Canned(body=bomb, headers=headers)) as hostile:
        async with client_for(hostile.base_url, body_limits=SMALL) as client:
            error, peak = await peak_while(lambda: client.account())
    assert isinstance(error, ResponseTooLargeError), error
    assert "decodes to more than the 1 MB" in error.sentence
    assert peak < 4, f"{peak:.1f} MiB"


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as RFC 9110 says
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),  # raw, as IIS
    ],
)
async def test_gzip_and_deflate_bodies_are_read(
    encoding: str, encode: Callable[[bytes], bytes]
) -> None:
    rows = [{"id": i, "first_name": "Zoë " * 40} for i in range(300)]

    def answer(path: str, query: dict[str, str]) -> Canned:
        page = rows if query.get("page") == "1" else []
        return Canned(
            body=encode(json.dumps(page).encode()), headers={"Content-Encoding": encoding}
        )

    with hostile_server(answer) as hostile:
        async with client_for(hostile.base_url) as client:
            got = [row async for page in client.iter_raw_pages("users") for row in page]
    assert got == rows
    assert hostile.requests[0][1]["Accept-Encoding"] == "gzip, deflate"


async def test_an_encoding_kb4tui_did_not_ask_for_is_refused() -> None:
    with hostile_server(
        Canned(body=b"\x0b\x01\x80[]\x03", headers={"Content-Encoding": "br"})
    ) as h:
        async with client_for(h.base_url) as client:
            with pytest.raises(ResponseFormatError, match=r"did not ask for \(br\)"):
                await client.account()


async def test_a_server_trickling_its_answer_is_cut_at_the_request_deadline() -> None:
    """One byte every 0.05 s (the 30 s read timeout never fires) hung an export forever:
    the whole request now has a deadline (120 s; 1 s here)."""
    body = json.dumps({"name": "x" * 4000}).encode()
    policy = RetryPolicy(budget=5.0, base_delay=0.01, request_deadline=1.0)
    with hostile_server(Canned(body=body, drip=0.05)) as hostile:
        async with client_for(hostile.base_url, retry_policy=policy) as client:
            started = time.monotonic()
            with pytest.raises(NetworkError, match="did not finish answering within 1 s") as info:
                await client.account()
            took = time.monotonic() - started
    assert took < 3.0
    assert info.value.exit_code == 3


async def test_retry_after_zero_is_not_a_storm_of_requests() -> None:
    """503 with `Retry-After: 0` on every answer: 200 requests in 200 s before; now the
    attempts per request are capped, with a backoff between them."""
    policy = RetryPolicy(budget=30.0, base_delay=0.01, max_delay=0.02)
    canned = Canned(status=503, headers={"Retry-After": "0"}, body=b"{}")
    with hostile_server(canned) as hostile:
        async with client_for(hostile.base_url, retry_policy=policy) as client:
            with pytest.raises(ServerError):
                await client.get_raw("campaigns", 5)
    assert len(hostile.requests) == policy.max_attempts == 8


async def test_429_with_retry_after_1_ends_with_the_quota_sentence() -> None:
    """`Retry-After: 1` on every 429 (60 requests in 71 s before): a few requests over the
    rate window (60 s; 2.5 s here), then the quota is likely spent, said as such."""
    policy = RetryPolicy(budget=30.0, base_delay=0.01, rate_window=2.5)
    canned = Canned(status=429, headers={"Retry-After": "1"}, body=b"{}")
    with hostile_server(canned) as hostile:
        async with client_for(hostile.base_url, retry_policy=policy) as client:
            started = time.monotonic()
            with pytest.raises(QuotaSpentError) as info:
                await client.get_raw("campaigns", 5)
            took = time.monotonic() - started
    assert len(hostile.requests) <= 4
    assert 1.9 <= took < 5.0  # the next Retry-After would end past the window
    assert "today's quota" in info.value.sentence and info.value.exit_code == 3
