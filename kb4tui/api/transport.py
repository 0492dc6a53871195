"""One layer around the HTTP transport: pacing, retries, usage counting and reachability.

`ReliableTransport` wraps any `httpx.AsyncBaseTransport` (the network, or the demo's fake
API) and turns one request into as many attempts as it takes:

- every attempt waits for a slot of the key's shared `RateLimiter` (4/s, 50/min), and the
  slot is stamped when the request headers really leave (`Slot.mark_sent`);
- 429, 5xx, timeouts and dropped connections are retried within the bounds of the
  `RetryPolicy` (`retry.py`: attempts, time failing, how long a 429 may last, a deadline
  for the whole request that also cuts a server trickling its answer); a TLS verification
  failure is never retried (it cannot get better), and a connection that cannot be made
  for good (a name that does not resolve, a refused loopback port) only once more;
- every body is read within the limits of `bounded_body.py` (64 MiB as sent and decoded)
  and handed on decoded;
- every attempt that may have reached the server is counted in the `UsageCounter` (a
  connection that was never made is not: KnowBe4 counts what reaches it);
- what is being retried and whether the API can be reached at all is kept in a
  `RetryStatus` and pushed to observers on every change (the session's offline banner).

The last answer (or transport error) is handed back: turning it into an `APIError` with
its resolution is the client's job (`kb4tui.api.client`), told by `RATE_LIMITED_FOR` how
long a final 429 lasted. A body past its limits is already an `APIError`.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from kb4tui.api.bounded_body import BodyLimits, read_body
from kb4tui.api.errors import APIError
from kb4tui.api.ratelimit import RateLimiter, Slot, UsageCounter
from kb4tui.api.regions import is_loopback_host
from kb4tui.api.retry import RETRYABLE_STATUSES, RetryPolicy, RetryStatus, parse_retry_after

__all__ = [
    "RATE_LIMITED_FOR",
    "ClientTransport",
    "DeadlineExceeded",
    "ReliableTransport",
    "StatusObserver",
    "certificate_rejected",
    "describe_transport_error",
    "unreachable_for_good",
]

# Response extension on a final 429: (seconds it lasted, whether the quota is likely spent).
RATE_LIMITED_FOR = "kb4tui.rate_limited_for"


class DeadlineExceeded(httpx.TimeoutException):
    """The request (every attempt and wait) passed `RetryPolicy.request_deadline`."""

    def __init__(self, seconds: float, request: httpx.Request) -> None:
        super().__init__(f"no complete answer within {seconds:g} s", request=request)
        self.seconds = seconds


log = logging.getLogger(__name__)

StatusObserver = Callable[[RetryStatus], None]


def describe_transport_error(exc: httpx.TransportError) -> str:
    """A short cause without the exception text (which may quote the request)."""
    if isinstance(exc, DeadlineExceeded):
        return f"it did not finish answering within {exc.seconds:g} s"
    if isinstance(exc, httpx.ConnectError) and _in_chain(exc, socket.gaierror):
        return "its host name could not be resolved"
    if isinstance(exc, httpx.TimeoutException):
        return "the request timed out"
    if isinstance(exc, httpx.ConnectError):
        return "the connection failed"
    if isinstance(exc, httpx.ProxyError):
        return "the proxy failed"
    return "the connection dropped"


def _in_chain(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def certificate_rejected(exc: BaseException) -> bool:
    """Whether a connection failed because TLS verification failed (anywhere in the chain)."""
    return _in_chain(exc, ssl.SSLCertVerificationError)


def unreachable_for_good(exc: httpx.TransportError, host: str) -> bool:
    """A connection that will not be made by trying for a minute: the name does not
    resolve, or nothing listens on a loopback port (no network lies in between)."""
    if not isinstance(exc, httpx.ConnectError):
        return False
    return is_loopback_host(host) or _in_chain(exc, socket.gaierror)


def _http_status_text(response: httpx.Response) -> str:
    return f"The KnowBe4 API answered HTTP {response.status_code}"


def _sent_marker(slot: Slot, sent: list[bool]) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
    """An httpcore trace hook that stamps the slot when the request headers go out, so
    time spent connecting (TLS handshakes on a cold start) does not count as pacing, and
    notes (`sent[0]`) that they are going out: the server may have the request."""

    async def trace(event: str, info: dict[str, Any]) -> None:
        if event.endswith("send_request_headers.started"):
            slot.mark_sent()
            sent[0] = True

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
        body_limits: BodyLimits | None = None,
    ) -> None:
        self.inner = inner
        self.limiter = limiter
        self.usage = usage
        self.retry = retry
        self.explain = explain
        self.body_limits = body_limits or BodyLimits()
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
        policy = self.retry
        clock = policy.clock
        started = clock()
        queued = 0.0
        attempt = 0
        limited_since: float | None = None  # when this request's 429s began (active time)

        def active() -> float:
            """Time since the first attempt, without time queued for the rate limiter."""
            return clock() - started - queued

        while True:
            before = clock()
            slot = await self.limiter.acquire()
            queued += clock() - before
            sent = [False]
            request.extensions["trace"] = _sent_marker(slot, sent)
            failure: httpx.TransportError | httpx.Response
            retry_after: float | None = None
            quick = False
            # Counted against the day's quota unless it never left: KnowBe4 counts what
            # reaches it, and a refused connection retried offline would fill the meter.
            reached = True
            try:
                response = await self._attempt(request, policy.request_deadline - active())
            except (httpx.UnsupportedProtocol, DeadlineExceeded) as exc:
                reached = isinstance(exc, DeadlineExceeded)
                raise
            except asyncio.CancelledError:
                # A look-ahead page withdrawn, a view closed: counted if it went out (a
                # transport that does not say when it sends is taken to have sent it).
                reached = sent[0] or not getattr(self.inner, "reports_sending", False)
                raise
            except APIError:  # an answer kb4tui will not read (too large, undecodable)
                lost.answered()
                raise
            except httpx.TransportError as exc:
                reached = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                if certificate_rejected(exc):  # permanent: retrying cannot help
                    raise
                failure = exc
                quick = unreachable_for_good(exc, request.url.host)
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
            limited_for: float | None = None
            if isinstance(failure, httpx.Response) and failure.status_code == 429:
                if limited_since is None:
                    limited_since = active()
                limited_for = active() - limited_since
            else:
                limited_since = None  # a 429 streak is broken by any other answer
            delay = policy.next_delay(
                attempt, active(), retry_after, rate_limited_for=limited_for, quick=quick
            )
            if delay is None:
                if isinstance(failure, httpx.Response):
                    if limited_for is not None:
                        quota = policy.gave_up_on_quota(limited_for, retry_after)
                        failure.extensions[RATE_LIMITED_FOR] = (limited_for, quota)
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

    async def _attempt(self, request: httpx.Request, remaining: float) -> httpx.Response:
        """One attempt, its body read in full within the body limits and decoded, cut at
        `remaining` seconds (the request's deadline). A connection dropped mid-body is
        retried like any other failure."""
        deadline = self.retry.request_deadline
        if remaining <= 0:
            raise DeadlineExceeded(deadline, request)
        try:
            async with asyncio.timeout(remaining):
                return await self._read(request)
        except TimeoutError:
            raise DeadlineExceeded(deadline, request) from None

    async def _read(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        stream = response.stream
        if not isinstance(stream, httpx.AsyncByteStream):
            raise TypeError("ReliableTransport needs an async transport")
        try:
            body = await read_body(
                stream,
                status=response.status_code,
                headers=response.headers,
                request=request,
                limits=self.body_limits,
            )
        finally:
            await stream.aclose()
        headers = response.headers.copy()
        headers.pop("content-encoding", None)  # decoded above
        headers["content-length"] = str(len(body))
        return httpx.Response(
            response.status_code,
            headers=headers,
            stream=httpx.ByteStream(body),
            extensions=dict(response.extensions),
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

    reports_sending = True  # httpcore calls the trace hook of `_sent_marker`

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
