"""A small in-test KnowBe4 API for httpx.MockTransport, plus a fake clock.

Only what the client tests need: page/per_page and cursor paging over in-memory rows,
the 10-row campaign cap without exclude_percentages, and a hook to inject failures.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from kb4tui.api.client import KnowBe4Client
from kb4tui.api.ratelimit import RateLimiter, UsageCounter
from kb4tui.api.retry import RetryPolicy

API_KEY = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2VuLWZvci10ZXN0cw.Zm9vYmFy"

Row = dict[str, Any]
Hook = Callable[[httpx.Request, int], Awaitable[httpx.Response | None] | httpx.Response | None]


class FakeClock:
    """Monotonic time that moves only when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


async def list_raw(client: KnowBe4Client, kind: str, **options: Any) -> list[Row]:
    """Every row of `kind` as the API sent it (`KnowBe4Client.iter_raw_pages`, collected)."""
    return [row async for page in client.iter_raw_pages(kind, **options) for row in page]


def json_response(body: Any, status: int = 200, /, **headers: str) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json", "x-request-id": "req-1234", **headers},
    )


@dataclass
class FakeAPI:
    """Rows per list path; objects by `path/id`. Records every request it sees."""

    lists: dict[str, list[Row]] = field(default_factory=dict)
    objects: dict[str, Row] = field(default_factory=dict)
    campaign_cap: int | None = 10
    cursor_wrapper: bool = False
    page_wrapper: bool = False
    latency: Callable[[int], float] | None = None  # page number -> seconds (real sleep)
    hook: Hook | None = None
    clock: Callable[[], float] | None = None
    requests: list[httpx.Request] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client(self, **options: Any) -> KnowBe4Client:
        options.setdefault("limiter", RateLimiter([(10_000, 1.0)], margin=0.0))
        options.setdefault("usage", UsageCounter())
        options.setdefault(
            "retry_policy", RetryPolicy(budget=5.0, base_delay=0.001, max_delay=0.01)
        )
        return KnowBe4Client(API_KEY, transport=self.transport(), **options)

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.url.path == path)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.clock is not None:
            self.times.append(self.clock())
        if self.hook is not None:
            injected = self.hook(request, len(self.requests))
            if isinstance(injected, Awaitable):
                injected = await injected
            if injected is not None:
                return injected
        path = request.url.path
        params = request.url.params
        if path in self.objects:
            return json_response(self.objects[path])
        if path not in self.lists:
            return json_response({"message": "Not Found"}, 404)
        rows = self.lists[path]
        if path == "/v1/training/campaigns" and params.get("exclude_percentages") == "true":
            rows = [{k: v for k, v in r.items() if k != "completion_percentage"} for r in rows]
        per_page = int(params.get("per_page", "100"))
        if (
            path == "/v1/training/campaigns"
            and params.get("exclude_percentages") != "true"
            and self.campaign_cap is not None
        ):
            per_page = min(per_page, self.campaign_cap)
        if "cursor" in params:
            cursor = params["cursor"]
            start = 0 if cursor == "true" else int(cursor.removeprefix("c"))
            chunk = rows[start : start + per_page]
            end = start + len(chunk)
            headers = {"x-next-cursor": f"c{end}" if end < len(rows) else ""}
            body: Any = {"data": chunk} if self.cursor_wrapper else chunk
            return json_response(body, **headers)
        page = int(params.get("page", "1"))
        if self.latency is not None:
            await asyncio.sleep(self.latency(page))
        chunk = rows[(page - 1) * per_page : page * per_page]
        return json_response({"data": chunk} if self.page_wrapper else chunk)


def enrollment_rows(count: int, *, start: int = 1) -> list[Row]:
    return [
        {
            "enrollment_id": start + i,
            "content_type": "Store Purchase",
            "module_name": "Security Awareness Basics 2026",
            "user": {"id": 900 + i, "first_name": "Dana", "last_name": f"[/Q{i}]", "email": None},
            "campaign_name": "2026 Annual",
            "campaign_id": 51234,
            "enrollment_date": "2026-01-12T14:00:05.000Z",
            "status": "Passed" if i % 3 else "Past Due",
            "time_spent": i,
        }
        for i in range(count)
    ]


def campaign_rows(count: int) -> list[Row]:
    return [
        {
            "campaign_id": 1000 + i,
            "name": f"Campaign {i}",
            "status": "In Progress",
            "groups": [{"group_id": 0, "name": "All Users"}],
            "content": [],
            "completion_percentage": (i * 7) % 101,
        }
        for i in range(count)
    ]
