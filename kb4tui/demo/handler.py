"""`FakeKnowBe4API`: the fake Reporting API as a pure request handler.

`handle(method, path, query, headers)` returns a `FakeResponse`: what to send, how long to
wait first, and whether to answer at all ("drop" and "hang" are for the front ends to carry
out: the in-process transport and the loopback HTTP server). It is thread-safe; the loopback
server calls it from its own thread while a test reads the log and flips the config.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import parse_qsl

from kb4tui.demo.config import FakeAPIConfig
from kb4tui.demo.endpoints import ListResult, Routes, parse_int
from kb4tui.demo.org import DemoOrg, generate_org
from kb4tui.demo.ratelimit import RateLimiter, retry_after_header
from kb4tui.demo.requestlog import LoggedRequest, RequestLog

__all__ = ["DEMO_API_KEY", "FakeKnowBe4API", "FakeResponse"]

# Obviously fake, and safe to print: the demo key is a public constant.
DEMO_API_KEY = "kb4tui-demo-key-not-a-secret"

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 500

Action = Literal["respond", "drop", "hang"]
OrgSource = DemoOrg | Callable[[], DemoOrg]


@dataclass(frozen=True, slots=True)
class FakeResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    action: Action = "respond"
    # Seconds to wait before acting (the configured latency).
    delay: float = 0.0
    # For "hang": seconds to stay silent before closing the connection.
    hang: float = 0.0

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None


class _BadRequest(Exception):
    pass


class FakeKnowBe4API:
    """The handler, its request log and its runtime-mutable `config`.

    `orgs` maps API keys to organisations (or to zero-argument factories, called on the
    key's first request so that start-up stays fast). By default the demo key maps to
    `generate_org()`.
    """

    def __init__(
        self,
        orgs: Mapping[str, OrgSource] | None = None,
        config: FakeAPIConfig | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config if config is not None else FakeAPIConfig()
        self.log = RequestLog()
        self._clock = clock
        self._lock = threading.RLock()
        self._sources: dict[str, OrgSource] = dict(orgs or {DEMO_API_KEY: generate_org})
        self._routes: dict[str, Routes] = {}
        self._limiter = RateLimiter()
        self._fault_rng: random.Random | None = None
        self._fault_config: FakeAPIConfig | None = None
        self._fault_seed = 0
        self._bursts: dict[str, int] = {}

    def __repr__(self) -> str:
        # Keys are deliberately absent.
        return f"FakeKnowBe4API(orgs={len(self._sources)}, config={self.config!r})"

    # -- organisations --------------------------------------------------------------------

    def add_org(self, api_key: str, org: OrgSource) -> None:
        with self._lock:
            self._sources[api_key] = org
            self._routes.pop(api_key, None)

    def org(self, api_key: str = DEMO_API_KEY) -> DemoOrg:
        """The organisation behind a key (generating it if needed); KeyError if unknown."""
        return self._routes_for(api_key).org

    def _routes_for(self, api_key: str) -> Routes:
        with self._lock:
            routes = self._routes.get(api_key)
            if routes is None:
                source = self._sources[api_key]
                org = source if isinstance(source, DemoOrg) else source()
                routes = Routes(org)
                self._routes[api_key] = routes
            return routes

    def reset_rate_limits(self) -> None:
        with self._lock:
            self._limiter.reset()
            self._bursts.clear()

    def requests_today(self, api_key: str = DEMO_API_KEY) -> int:
        with self._lock:
            return self._limiter.used_today(api_key)

    # -- the handler ----------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | str = "",
        headers: Mapping[str, str] | None = None,
    ) -> FakeResponse:
        # Limits count arrivals, so the time is taken before any lock or lazy generation.
        arrival = self._clock()
        started = time.perf_counter()
        params = (
            dict(parse_qsl(query, keep_blank_values=True))
            if isinstance(query, str)
            else dict(query)
        )
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        request_id = str(uuid.uuid4())
        config = self.config
        org_name: str | None = None
        with self._lock:
            api_key = _bearer_token(lowered.get("authorization"))
            known = api_key is not None and api_key in self._sources and not config.invalid_token
            if known and api_key is not None:
                routes = self._routes_for(api_key)
                org_name = str(routes.org.account.get("name"))
                status, body, extra, action = self._authorised(
                    api_key, routes, arrival, method, path, params, lowered
                )
            elif config.legacy_invalid_token:
                status, body, extra, action = 200, {"message": "Invalid Token"}, [], "respond"
            else:
                status, body, extra, action = 401, {"message": "Invalid Token"}, [], "respond"
        response = self._response(
            status, body, extra, action, request_id, time.perf_counter() - started
        )
        if config.later_pages_latency and _later_page(params):
            response = replace(response, delay=response.delay + config.later_pages_latency)
        self.log.add(
            LoggedRequest(
                at=arrival,
                method=method.upper(),
                path=path,
                query=params,
                status=0 if action != "respond" else status,
                outcome={"respond": "ok", "drop": "drop", "hang": "timeout"}[action],
                org=org_name,
                request_id=request_id,
            )
        )
        return response

    def _authorised(
        self,
        api_key: str,
        routes: Routes,
        arrival: float,
        method: str,
        path: str,
        params: dict[str, str],
        headers: Mapping[str, str],
    ) -> tuple[int, Any, list[tuple[str, str]], Action]:
        config = self.config
        if config.forbidden:
            return 403, {"message": "Forbidden"}, [], "respond"
        if config.check_accept and not _accepts_json(headers.get("accept")):
            return 406, {"message": "The output must be in JSON format"}, [], "respond"
        if self._bursts.get(api_key, 0) > 0:
            self._bursts[api_key] -= 1
            return 429, {"message": "Too Many Requests"}, [], "respond"
        if config.rate_limit:
            seats = routes.org.account.get("number_of_seats") or 0
            wait = self._limiter.check(
                api_key,
                arrival,
                per_second=config.per_second,
                per_minute=config.per_minute,
                per_day=config.daily_base + int(seats),
            )
            if wait is not None:
                extra = [("Retry-After", retry_after_header(wait))] if config.retry_after else []
                return 429, {"message": "Too Many Requests"}, extra, "respond"
        fault = self._draw_fault()
        if fault == "500":
            return 500, {"message": "Internal Server Error"}, [], "respond"
        if fault == "503":
            return 503, {"message": "Service Unavailable"}, [], "respond"
        if fault == "drop":
            return 0, None, [], "drop"
        if fault == "timeout":
            return 0, None, [], "hang"
        if fault == "429":
            self._bursts[api_key] = max(0, config.burst_length - 1)
            return 429, {"message": "Too Many Requests"}, [], "respond"
        if method.upper() not in ("GET", "HEAD"):
            return 405, {"message": "Method Not Allowed"}, [], "respond"
        result = routes.resolve(path, params)
        if result is None:
            return 404, {"message": "Not Found"}, [], "respond"
        if not isinstance(result, ListResult):
            return 200, result.data, [], "respond"
        try:
            rows, next_cursor = self._page(result, path, params)
        except _BadRequest as exc:
            return 400, {"message": str(exc)}, [], "respond"
        extra = [("X-Next-Cursor", next_cursor)] if next_cursor else []
        body: Any = {"data": rows} if config.data_wrapper else rows
        return 200, body, extra, "respond"

    def _draw_fault(self) -> str | None:
        config = self.config
        if config.fault_rate <= 0 or not config.fault_kinds:
            return None
        # A new config object or a new seed restarts the sequence, so a test that sets
        # either gets the same faults on every run.
        if (
            self._fault_rng is None
            or self._fault_config is not config
            or self._fault_seed != config.fault_seed
        ):
            self._fault_rng = random.Random(config.fault_seed)
            self._fault_config, self._fault_seed = config, config.fault_seed
        if self._fault_rng.random() >= config.fault_rate:
            return None
        return self._fault_rng.choice(config.fault_kinds)

    def _page(
        self, result: ListResult, path: str, params: Mapping[str, str]
    ) -> tuple[list[Any], str | None]:
        """Slice one page: page/per_page, or the cursor when cursor paging is on."""
        per_page = _int_or(params.get("per_page"), DEFAULT_PER_PAGE)
        if per_page < 1:
            per_page = DEFAULT_PER_PAGE
        per_page = min(per_page, MAX_PER_PAGE)
        if result.page_cap is not None:
            per_page = min(per_page, result.page_cap)
        cursor = params.get("cursor", "").strip()
        next_cursor: str | None = None
        if self.config.cursor_pagination and cursor and cursor.lower() not in ("null", "false"):
            offset = 0 if cursor.lower() == "true" else _decode_cursor(cursor, path)
            end = offset + per_page
            if end < len(result.rows):
                next_cursor = _encode_cursor(end, path)
        else:
            page = max(_int_or(params.get("page"), 1), 1)
            offset = (page - 1) * per_page
            end = offset + per_page
        rows = result.rows[offset:end]
        if result.view is not None:
            rows = [result.view(row) for row in rows]
        return rows, next_cursor

    def _response(
        self,
        status: int,
        body: Any,
        extra: list[tuple[str, str]],
        action: Action,
        request_id: str,
        runtime: float,
    ) -> FakeResponse:
        # backslashreplace: a lone surrogate in the data goes out as the JSON escape
        # "\ud800", as a real server would send it, instead of failing the response.
        payload = (
            b""
            if body is None
            else json.dumps(body, ensure_ascii=False).encode("utf-8", "backslashreplace")
        )
        headers = [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Cache-Control", "no-cache, no-store"),
            ("Pragma", "no-cache"),
            ("Expires", "Fri, 01 Jan 1990 00:00:00 GMT"),
            ("ETag", f'W/"{hashlib.md5(payload, usedforsecurity=False).hexdigest()}"'),
            ("X-Request-Id", request_id),
            ("X-Runtime", f"{runtime:.6f}"),
            ("Vary", "Origin"),
            *extra,
        ]
        return FakeResponse(
            status=status,
            headers=headers,
            body=payload,
            action=action,
            delay=max(0.0, self.config.latency),
            hang=max(0.0, self.config.hang_seconds),
        )


def _later_page(params: Mapping[str, str]) -> bool:
    """A page after the first of a list: page 2 on, or a cursor past the start."""
    cursor = params.get("cursor", "").strip().lower()
    return _int_or(params.get("page"), 1) > 1 or cursor not in ("", "true", "null", "false")


def _bearer_token(value: str | None) -> str | None:
    """Only `Bearer <key>` counts; `Bearer: <key>` (one client's bug) does not."""
    if not value or not value.startswith("Bearer "):
        return None
    token = value[len("Bearer ") :].strip()
    return token or None


def _accepts_json(accept: str | None) -> bool:
    if not accept:
        return True
    return any(
        part.split(";")[0].strip() in ("*/*", "application/*", "application/json")
        or part.split(";")[0].strip().endswith("+json")
        for part in accept.split(",")
    )


def _int_or(value: str | None, default: int) -> int:
    number = parse_int(value or "")
    return default if number is None else number


def _encode_cursor(offset: int, path: str) -> str:
    raw = json.dumps({"o": offset, "p": path.rstrip("/")}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, path: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        offset = data["o"]
        same_path = data["p"] == path.rstrip("/")
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise _BadRequest("Invalid cursor") from exc
    if not isinstance(offset, int) or offset < 0 or not same_path:
        raise _BadRequest("Invalid cursor")
    return offset
