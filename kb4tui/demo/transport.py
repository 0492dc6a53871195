"""`FakeKnowBe4Transport`: the fake API inside an httpx client, with no socket at all.

Used by `kb4tui --demo` and unit tests:

    client = httpx.AsyncClient(transport=FakeKnowBe4Transport(), base_url="https://demo.invalid")

Faults behave as they would on the wire: a dropped connection raises
`httpx.RemoteProtocolError`, a hang raises `httpx.ReadTimeout` once the request's read
timeout has passed (httpx does not enforce timeouts for custom transports, so this does).
"""

from __future__ import annotations

import asyncio
import time

import httpx

from kb4tui.demo.config import FakeAPIConfig
from kb4tui.demo.handler import DEMO_API_KEY, FakeKnowBe4API, FakeResponse
from kb4tui.demo.org import generate_org

__all__ = ["FakeKnowBe4Transport"]

_DROPPED = "Server disconnected without sending a response."


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout")
    if isinstance(timeout, dict):
        value = timeout.get("read")
        return float(value) if isinstance(value, int | float) else None
    return None


class FakeKnowBe4Transport(httpx.AsyncBaseTransport, httpx.BaseTransport):
    """Answers httpx requests from a `FakeKnowBe4API`.

    Without `api`, serves the demo organisation (`seed`, `users`) under `DEMO_API_KEY`,
    generated on the first request, with `latency` seconds per request. Works with both
    `httpx.AsyncClient` and `httpx.Client`.
    """

    def __init__(
        self,
        api: FakeKnowBe4API | None = None,
        *,
        users: int = 1500,
        seed: int = 7,
        latency: float = 0.0,
    ) -> None:
        if api is None:
            api = FakeKnowBe4API(
                {DEMO_API_KEY: lambda: generate_org(seed=seed, users=users)},
                FakeAPIConfig(latency=latency),
            )
        self.api = api

    def __repr__(self) -> str:
        return f"FakeKnowBe4Transport({self.api!r})"

    def _call(self, request: httpx.Request) -> FakeResponse:
        return self.api.handle(
            request.method,
            request.url.path,
            request.url.query.decode("ascii", "replace"),
            dict(request.headers),
        )

    @staticmethod
    def _to_httpx(request: httpx.Request, reply: FakeResponse) -> httpx.Response:
        body = b"" if request.method.upper() == "HEAD" else reply.body
        return httpx.Response(reply.status, headers=reply.headers, content=body, request=request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # Off the event loop: the first request may generate a few thousand rows, and the
        # UI should keep painting meanwhile.
        reply = await asyncio.to_thread(self._call, request)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.action == "drop":
            raise httpx.RemoteProtocolError(_DROPPED, request=request)
        if reply.action == "hang":
            timeout = _read_timeout(request)
            if timeout is not None and timeout < reply.hang:
                await asyncio.sleep(timeout)
                raise httpx.ReadTimeout("The read operation timed out", request=request)
            await asyncio.sleep(reply.hang)
            raise httpx.RemoteProtocolError(_DROPPED, request=request)
        return self._to_httpx(request, reply)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        reply = self._call(request)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.action == "drop":
            raise httpx.RemoteProtocolError(_DROPPED, request=request)
        if reply.action == "hang":
            timeout = _read_timeout(request)
            if timeout is not None and timeout < reply.hang:
                time.sleep(timeout)
                raise httpx.ReadTimeout("The read operation timed out", request=request)
            time.sleep(reply.hang)
            raise httpx.RemoteProtocolError(_DROPPED, request=request)
        return self._to_httpx(request, reply)
