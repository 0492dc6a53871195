"""One layer around the HTTP transport: pacing, retries, usage counting and reachability.

`ReliableTransport` wraps any `httpx.AsyncBaseTransport` (the network, or the demo's fake
API) and turns one request into as many attempts as it takes:

- every attempt waits for a slot of the key's shared `RateLimiter` (4/s, 50/min), and the
  slot is stamped when the request headers really leave (`Slot.mark_sent`);
- 429, 5xx, timeouts and dropped connections are retried with full-jitter backoff or the
  server's Retry-After, within a time budget that excludes time queued for the limiter;
  a TLS verification failure is never retried (it cannot get better);
- every attempt that may have reached the server is counted in the `UsageCounter` (a
  connection that was never made is not: KnowBe4 counts what reaches it);
- what is being retried and whether the API can be reached at all is kept in a
  `RetryStatus` and pushed to observers on every change (the session's offline banner).

The last answer (or transport error) is handed back unchanged: turning it into an
`APIError` with its resolution is the client's job (`kb4tui.api.client`).
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from kb4tui.api.ratelimit import RateLimiter, Slot, UsageCounter
from kb4tui.api.retry import RETRYABLE_STATUSES, RetryPolicy, RetryStatus, parse_retry_after

__all__ = [
    "ClientTransport",
    "ReliableTransport",
    "StatusObserver",
    "certificate_rejected",
    "describe_transport_error",
]

log = logging.getLogger(__name__)

StatusObserver = Callable[[RetryStatus], None]


def describe_transport_error(exc: httpx.TransportError) -> str:
    """A short cause without the exception text (which may quote the request)."""
    if isinstance(exc, httpx.TimeoutException):
        return "the request timed out"
    if isinstance(exc, httpx.ConnectError):
        return "the connection failed"
    if isinstance(exc, httpx.ProxyError):
        return "the proxy failed"
    return "the connection dropped"


def certificate_rejected(exc: BaseException) -> bool:
    """Whether a connection failed because TLS verification failed (anywhere in the chain)."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _http_status_text(response: httpx.Response) -> str:
    return f"The KnowBe4 API answered HTTP {response.status_code}"


def _sent_marker(slot: Slot) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
    """An httpcore trace hook that stamps the slot when the request headers go out, so
    time spent connecting (TLS handshakes on a cold start) does not count as pacing."""

    async def trace(event: str, info: dict[str, Any]) -> None:
        if event.endswith("send_request_headers.started"):
            slot.mark_sent()

    return trace


class _LostRequest:
    """Keeps `RetryStatus.unreachable` and `unreachable_retrying` for one request."""

    def __init__(self, transport: ReliableTransport) -> None:
        self._transport = transport
        self._counted = False

    def no_server(self) -> None:
        status = self._transport.status
        status.unreachable = True
        if not self._counted:
            self._counted = True
            status.unreachable_retrying += 1
        self._transport.changed()

    def answered(self) -> None:
        status = self._transport.status
        was = status.unreachable
        status.unreachable = False
        if not self.ended() and was:
            self._transport.changed()

    def ended(self) -> bool:
        """Given up, answered or cancelled; True when the status changed (and was pushed)."""
        if not self._counted:
            return False
        self._counted = False
        self._transport.status.unreachable_retrying -= 1
        self._transport.changed()
        return True


class ReliableTransport(httpx.AsyncBaseTransport):
    """Pacing, retries, usage counting and reachability around `inner` (see the module).

    `explain(response)` words a retryable answer for "retrying… <why>" (the client passes
    the message of the error it would raise for it).
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        limiter: RateLimiter,
        usage: UsageCounter,
        retry: RetryPolicy,
        explain: Callable[[httpx.Response], str] = _http_status_text,
    ) -> None:
        self.inner = inner
        self.limiter = limiter
        self.usage = usage
        self.retry = retry
        self.explain = explain
        self.status = RetryStatus()
        self._observers: list[StatusObserver] = []

    def __repr__(self) -> str:
        return f"ReliableTransport({self.inner!r}, status={self.status!r})"

    def observe(self, observer: StatusObserver) -> Callable[[], None]:
        """Call `observer(status)` after every change; returns what stops it."""
        self._observers.append(observer)

        def stop() -> None:
            if observer in self._observers:
                self._observers.remove(observer)

        return stop

    def changed(self) -> None:
        for observer in list(self._observers):
            observer(self.status)

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        lost = _LostRequest(self)
        try:
            return await self._with_retries(request, lost)
        finally:
            lost.ended()  # answered, given up, or cancelled with the view that wanted it

    async def _with_retries(self, request: httpx.Request, lost: _LostRequest) -> httpx.Response:
        clock = self.retry.clock
        started = clock()
        queued = 0.0
        attempt = 0
        while True:
            before = clock()
            slot = await self.limiter.acquire()
            queued += clock() - before
            request.extensions["trace"] = _sent_marker(slot)
            failure: httpx.TransportError | httpx.Response
            retry_after: float | None = None
            # Counted against the day's quota unless it never left: KnowBe4 counts what
            # reaches it, and a refused connection retried offline would fill the meter.
            reached = True
            try:
                response = await self._attempt(request)
            except httpx.UnsupportedProtocol:
                reached = False
                raise
            except httpx.TransportError as exc:
                reached = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                if certificate_rejected(exc):  # permanent: retrying cannot help
                    raise
                failure = exc
                why = f"Could not reach the KnowBe4 API: {describe_transport_error(exc)}"
                lost.no_server()
            else:
                lost.answered()  # an answer, whatever it says
                if response.is_success or response.status_code not in RETRYABLE_STATUSES:
                    return response
                failure = response
                why = self.explain(response)
                retry_after = parse_retry_after(response.headers.get("retry-after"))
            finally:
                if reached:
                    self.usage.record()
            delay = self.retry.next_delay(attempt, clock() - started - queued, retry_after)
            if delay is None:
                if isinstance(failure, httpx.Response):
                    return failure
                raise failure
            log.debug(
                "%s %s failed (%s); retry %d in %.2fs",
                request.method,
                request.url.path,
                why,
                attempt,
                delay,
            )
            await self._wait_to_retry(delay, why)
            attempt += 1

    async def _attempt(self, request: httpx.Request) -> httpx.Response:
        """One attempt, its body read in full: a connection dropped mid-body is retried
        like any other. The body stays encoded as sent (the client decodes it)."""
        response = await self.inner.handle_async_request(request)
        stream = response.stream
        if not isinstance(stream, httpx.AsyncByteStream):
            raise TypeError("ReliableTransport needs an async transport")
        try:
            body = b"".join([chunk async for chunk in stream])
        finally:
            await stream.aclose()
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(body),
            extensions=response.extensions,
            request=request,
        )

    async def _wait_to_retry(self, delay: float, why: str) -> None:
        status = self.status
        status.waiting += 1
        status.retries += 1
        status.last_failure = why
        self.changed()
        try:
            await self.retry.sleep(delay)
        finally:
            status.waiting -= 1
            self.changed()


class ClientTransport(httpx.AsyncBaseTransport):
    """Sends through an `httpx.AsyncClient` of its own, for its routing: proxies from the
    environment (HTTPS_PROXY, ALL_PROXY, NO_PROXY) apply exactly as httpx applies them,
    which they would not to a transport handed to the outer client."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    def __repr__(self) -> str:
        return "ClientTransport()"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.client.send(request, stream=True)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=response.stream,
            extensions=response.extensions,
            request=request,
        )

    async def aclose(self) -> None:
        await self.client.aclose()
