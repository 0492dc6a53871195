"""The async KnowBe4 Reporting API client.

    async with KnowBe4Client(api_key, region="eu") as client:
        account = await client.account()
        async for page in client.iter_enrollment_pages(campaign_id=51234):
            ...

The client is endpoints and paging. Every request goes through one `ReliableTransport`
(`transport.py`): the key's shared `RateLimiter`, a `UsageCounter`, retries on
429/5xx/dropped connections within the bounds of `retry.py`, bodies within the limits of
`bounded_body.py`; what it is retrying is pushed to observers (`client.transport.observe`).
Every list is checked page by page by a `ListingGuard` (`listing_guard.py`): page size,
records without an id, repeats, and a page cap from the account's size. Failures surface as
`kb4tui.api.errors.APIError` subclasses, whose messages never contain the key: the key
lives only in the httpx client's default headers (httpx masks it in reprs) and is never
stored on this object.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import aclosing
from types import TracebackType
from typing import Any, Literal, Self, TypedDict, TypeVar, Unpack

import httpx

from kb4tui import __version__
from kb4tui.api.bounded_body import ACCEPT_ENCODING, BodyLimits
from kb4tui.api.errors import (
    APIError,
    AuthError,
    EndlessListingError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    QuotaSpentError,
    RateLimitedError,
    RedirectedError,
    ResponseFormatError,
    ServerError,
)
from kb4tui.api.listing_guard import AccountScale, ListingGuard, ListingTally, PageCap
from kb4tui.api.models import (
    Account,
    Campaign,
    Enrollment,
    Group,
    KBModel,
    Policy,
    StorePurchase,
    User,
)
from kb4tui.api.pagination import DEFAULT_WINDOW, PER_PAGE, Row, ordered_pages
from kb4tui.api.proxies import check_proxy_environment
from kb4tui.api.ratelimit import RateLimiter, UsageCounter, shared_limiter, shared_usage
from kb4tui.api.regions import base_url_for
from kb4tui.api.resources import RESOURCES, Resource, query_params, resource
from kb4tui.api.responses import (
    decode_json,
    next_cursor,
    object_from_body,
    redirect_target,
    rows_from_body,
)
from kb4tui.api.retry import RetryPolicy, RetryStatus
from kb4tui.api.transport import (
    RATE_LIMITED_FOR,
    ClientTransport,
    DeadlineExceeded,
    ReliableTransport,
    certificate_rejected,
    describe_transport_error,
)

__all__ = ["CAMPAIGN_PERCENTAGE_PAGE", "EnrollmentFilters", "KnowBe4Client", "Pagination"]

log = logging.getLogger(__name__)

# Without exclude_percentages=true the API returns at most 10 campaigns a page.
CAMPAIGN_PERCENTAGE_PAGE = 10
Pagination = Literal["page", "cursor"]
USER_AGENT = f"kb4tui/{__version__} (+python-httpx)"
# Reporting API tokens are JWT-like: letters, digits and a little punctuation. Anything
# else (spaces, newlines) would break or smuggle headers, so it is refused up front.
_KEY_SHAPE = re.compile(r"[\x21-\x7e]+")

M = TypeVar("M", bound=KBModel)
T = TypeVar("T")


class EnrollmentFilters(TypedDict, total=False):
    """The enrollment endpoint's own query parameters."""

    campaign_id: int | None
    user_id: int | None
    store_purchase_id: int | None
    exclude_archived_users: bool | None
    include_campaign_id: bool
    include_store_purchase_id: bool
    include_employee_number: bool


_ENROLLMENT_DEFAULTS: EnrollmentFilters = {
    "include_campaign_id": True,
    "include_store_purchase_id": True,
}


def _parse_rows(model: type[M], rows: list[Row]) -> list[M]:
    try:
        return model.from_api_list(rows)
    except (TypeError, ValueError, RecursionError):
        raise ResponseFormatError(f"The KnowBe4 API sent an unreadable {model.__name__}") from None


def _parse_one(model: type[M], row: Row) -> M:
    try:
        return model.from_api(row)
    except (TypeError, ValueError, RecursionError):
        raise ResponseFormatError(f"The KnowBe4 API sent an unreadable {model.__name__}") from None


class KnowBe4Client:
    """Async client for the KnowBe4 Reporting API (read-only).

    `base_url` overrides `region` (https anywhere, plain http only to loopback).
    `pagination="cursor"` uses the cursor protocol (`cursor=true`, `X-Next-Cursor`)
    instead of page numbers where the API documents it (enrollments). `backoff_base`/
    `backoff_max` (or a whole `retry_policy`) let tests shrink the waits; `window` is how
    many pages list calls may request ahead; `page_cap` and `body_limits` bound a list and
    a response (tests shrink them). `tally` counts what listings set aside; `scale` is what
    the client has learnt of the account's size (for the page cap).
    """

    def __init__(
        self,
        api_key: str,
        *,
        region: str = "us",
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        limiter: RateLimiter | None = None,
        timeout: float = 30.0,
        retry_budget: float = 60.0,
        usage: UsageCounter | None = None,
        pagination: Pagination = "page",
        backoff_base: float = 0.5,
        backoff_max: float = 15.0,
        retry_policy: RetryPolicy | None = None,
        window: int = DEFAULT_WINDOW,
        page_cap: PageCap | None = None,
        body_limits: BodyLimits | None = None,
    ) -> None:
        api_key = (api_key or "").strip()
        if not api_key:
            raise AuthError("No API key was given")
        if not _KEY_SHAPE.fullmatch(api_key):
            raise AuthError("The API key contains characters an API token cannot have")
        if pagination not in ("page", "cursor"):
            raise ValueError("pagination must be 'page' or 'cursor'")
        if window < 1:
            raise ValueError("window must be at least 1")
        self.base_url = base_url_for(region, base_url)
        self.region = region.lower()
        self.pagination: Pagination = pagination
        self.window = window
        self.page_cap = page_cap or PageCap()
        self.tally = ListingTally()
        self.scale = AccountScale()
        self._asked_scale: set[str] = set()
        self.limiter = limiter if limiter is not None else shared_limiter(api_key)
        self.usage = usage if usage is not None else shared_usage(api_key)
        self.retry = retry_policy or RetryPolicy(
            budget=retry_budget, base_delay=backoff_base, max_delay=backoff_max
        )
        # Plain http is allowed only to loopback; an HTTP_PROXY from the environment
        # would otherwise receive the key in clear text.
        trust_env = httpx.URL(self.base_url).scheme != "http"
        if trust_env:
            check_proxy_environment()  # one sentence naming a variable httpx cannot use
        if transport is None:
            transport = ClientTransport(
                httpx.AsyncClient(verify=True, follow_redirects=False, trust_env=trust_env)
            )
        self.transport = ReliableTransport(
            transport,
            limiter=self.limiter,
            usage=self.usage,
            retry=self.retry,
            explain=lambda response: self._status_error(response, "", None).message,
            body_limits=body_limits,
        )
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={
                "Authorization": f"Bearer {api_key}",
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,  # the encodings read within bounds
                "User-Agent": USER_AGENT,
            },
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=self.transport,
            follow_redirects=False,  # a redirect could carry the key somewhere else
            trust_env=False,  # the transport's own client applies the environment
        )
        del api_key  # keep it out of this frame's locals in any crash report

    def __repr__(self) -> str:
        return f"KnowBe4Client(base_url={self.base_url!r}, pagination={self.pagination!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def retry_status(self) -> RetryStatus:
        """What the transport is retrying now, and whether the API can be reached."""
        return self.transport.status

    # ---- one GET: the transport paces, counts and retries; errors are mapped here ----

    async def _get(
        self, path: str, params: Mapping[str, str], *, not_found: str | None = None
    ) -> httpx.Response:
        """GET `path`; returns a 2xx response or raises an APIError subclass.

        `not_found` is the message for a 404 ("Campaign 123 not found").
        """
        failure: APIError | None = None
        try:
            response = await self._http.get(path, params=params)
        except httpx.HTTPError as exc:
            failure = self._request_error(exc, path)
        if failure is not None:
            # Raised outside the handler: no httpx exception is chained, so its frames
            # (and their locals) stay out of tracebacks.
            raise failure
        if response.is_success:
            log.debug("GET %s %s -> %s", path, dict(params), response.status_code)
            return response
        raise self._status_error(response, path, not_found)

    @staticmethod
    def _request_error(exc: httpx.HTTPError, path: str) -> APIError:
        """The error for a request that got no usable answer (retries already spent)."""
        if isinstance(exc, httpx.UnsupportedProtocol):
            return NetworkError("The base URL uses an unsupported protocol", path=path)
        if isinstance(exc, DeadlineExceeded):
            return NetworkError(
                f"The KnowBe4 API did not finish answering within {exc.seconds:g} s", path=path
            )
        if isinstance(exc, httpx.TransportError):
            if certificate_rejected(exc):
                return NetworkError(
                    "The server's TLS certificate could not be verified "
                    "(a proxy inspecting TLS needs its CA in SSL_CERT_FILE)",
                    path=path,
                )
            return NetworkError(
                f"Could not reach the KnowBe4 API: {describe_transport_error(exc)}", path=path
            )
        if isinstance(exc, httpx.DecodingError):
            return ResponseFormatError(
                "The KnowBe4 API sent a body that could not be decoded", path=path
            )
        return NetworkError("The request to the KnowBe4 API failed", path=path)

    @staticmethod
    def _status_error(response: httpx.Response, path: str, not_found: str | None) -> APIError:
        status = response.status_code
        request_id = response.headers.get("x-request-id")
        common: dict[str, Any] = {"status": status, "request_id": request_id, "path": path}
        if status == 401:
            return AuthError(**common)
        if status == 403:
            return PermissionDeniedError(**common)
        if status == 404:
            return NotFoundError(not_found or f"Not found (404) at {path}", **common)
        if status == 429:
            _lasted, quota = response.extensions.get(RATE_LIMITED_FOR, (0.0, False))
            if quota:
                return QuotaSpentError(**common)
            return RateLimitedError(**common)
        if status >= 500:
            return ServerError(f"The KnowBe4 API failed with HTTP {status}", **common)
        if 300 <= status < 400:  # never followed: a redirect could carry the key elsewhere
            where = redirect_target(response)
            return RedirectedError(
                f"The API redirected the request (HTTP {status}) to {where}", **common
            )
        if status == 406:
            return ResponseFormatError("The KnowBe4 API refused to answer in JSON (406)", **common)
        return APIError(f"The KnowBe4 API rejected the request (HTTP {status})", **common)

    async def _get_object(
        self, path: str, params: Mapping[str, str] | None = None, *, not_found: str | None = None
    ) -> Row:
        response = await self._get(path, params or {}, not_found=not_found)
        row = object_from_body(
            decode_json(response), request_id=response.headers.get("x-request-id"), path=path
        )
        if path == RESOURCES["account"].path:
            self.scale.note_account(row)
        return row

    async def _get_rows(
        self, path: str, params: Mapping[str, str], *, not_found: str | None
    ) -> tuple[list[Row], str | None]:
        response = await self._get(path, params, not_found=not_found)
        body = decode_json(response)
        rows = rows_from_body(body, request_id=response.headers.get("x-request-id"), path=path)
        return rows, next_cursor(body, response.headers)

    # ---- pagination ----

    def _pages(
        self,
        res: Resource,
        path: str,
        params: Mapping[str, str],
        *,
        per_page: int = PER_PAGE,
        window: int | None = None,
        expected_rows: int | Callable[[], int | None] | None = None,
        not_found: str | None = None,
    ) -> AsyncGenerator[list[Row], None]:
        """The pages of one list of `res` at `path`, checked by a ListingGuard."""
        if self.pagination == "cursor" and res.cursor:
            raw = self._cursor_pages(path, params, per_page=per_page, not_found=not_found)
        else:

            async def fetch(page: int) -> list[Row]:
                query = {**params, "page": str(page), "per_page": str(per_page)}
                rows, _ = await self._get_rows(path, query, not_found=not_found)
                return rows

            raw = ordered_pages(
                fetch,
                per_page=per_page,
                window=window or self.window,
                expected_rows=expected_rows,
            )
        return self._guarded(res, path, raw, per_page)

    async def _guarded(
        self, res: Resource, path: str, pages: AsyncGenerator[list[Row], None], per_page: int
    ) -> AsyncGenerator[list[Row], None]:
        guard = ListingGuard(res, per_page=per_page, path=path, tally=self.tally)
        async with aclosing(pages):
            async for rows in pages:
                fresh, ended = guard.admit(rows)
                await self._check_page_cap(guard, res.kind, per_page)
                if fresh:
                    yield fresh
                if ended:
                    return

    async def _check_page_cap(self, guard: ListingGuard, kind: str, per_page: int) -> None:
        cap = self.page_cap.max_pages(kind, per_page, self.scale)
        if guard.pages <= cap:
            return
        if self.page_cap.needs(kind, self.scale):
            # Past what the floors allow: worth a request or two to know the account.
            await self._learn_scale(kind)
            cap = self.page_cap.max_pages(kind, per_page, self.scale)
        guard.check_cap(cap, self.scale)

    async def _learn_scale(self, kind: str) -> None:
        """The facts the page cap needs, fetched once per client: seats, and for the
        enrollments the content items of every campaign."""
        if self.scale.seats is None and "seats" not in self._asked_scale:
            self._asked_scale.add("seats")
            await self._get_object(RESOURCES["account"].path)
        wants_content = kind == "enrollments" and self.scale.content is None
        if wants_content and "content" not in self._asked_scale:
            self._asked_scale.add("content")
            campaigns = RESOURCES["campaigns"]
            listing = self._pages(campaigns, campaigns.path, {"exclude_percentages": "true"})
            self.scale.note_campaigns(await self._collect(listing))

    async def _cursor_pages(
        self, path: str, params: Mapping[str, str], *, per_page: int, not_found: str | None
    ) -> AsyncGenerator[list[Row], None]:
        """Cursor protocol: start with cursor=true, follow X-Next-Cursor until it is
        absent or empty, or a page is empty. Necessarily one page at a time."""
        cursor = "true"
        used: set[str] = set()
        while True:
            query = {**params, "cursor": cursor, "per_page": str(per_page)}
            rows, following = await self._get_rows(path, query, not_found=not_found)
            if not rows:
                return
            yield rows
            if not following:
                return
            if following in used:
                raise ResponseFormatError(
                    "The KnowBe4 API sent the same page cursor twice", path=path
                )
            used.add(following)
            cursor = following

    async def _campaign_pages_with_percentages(
        self, res: Resource, *, window: int | None
    ) -> AsyncGenerator[list[Row], None]:
        """All campaigns with `completion_percentage`, none lost, none twice.

        The API returns at most 10 campaigns a page unless exclude_percentages=true, and
        then leaves the percentage out. So two listings run side by side:
        1. the authoritative set: exclude_percentages=true, per_page=500 (usually one
           page plus the empty one);
        2. the percentage pages: per_page=10, requested ahead concurrently and yielded in
           order as they arrive, so the first rows show after one round trip.
        Rows are de-duplicated by campaign_id. Any campaign of listing 1 that listing 2
        did not return (the cap is smaller than 10, or the order shifted between
        requests) is then fetched by id, which includes its percentage; if it has
        disappeared meanwhile (404) its row from listing 1 is kept as it was. Listing 2
        may not run far past what listing 1 holds, and a failure of listing 1 stops both.
        """
        label = res.label
        full_listing = asyncio.ensure_future(
            self._collect(
                self._pages(res, res.path, {"exclude_percentages": "true"}, window=window)
            )
        )

        def listed_count() -> int | None:
            # Once listing 1 is in, the capped pages needed are known: no requests wasted.
            finished = full_listing.done() and not full_listing.cancelled()
            if finished and full_listing.exception() is None:
                return len(full_listing.result())
            return None

        seen: set[int] = set()
        try:
            capped_pages = self._pages(
                res,
                res.path,
                {},
                per_page=CAMPAIGN_PERCENTAGE_PAGE,
                window=window,
                expected_rows=listed_count,
            )
            pages = 0
            async with aclosing(capped_pages) as capped:
                async for rows in capped:
                    pages += 1
                    if full_listing.done() and full_listing.exception() is not None:
                        break  # raised below
                    listed = listed_count()
                    if listed is not None and pages > 2 * (listed // CAMPAIGN_PERCENTAGE_PAGE + 2):
                        raise EndlessListingError(
                            f"The KnowBe4 API sent {pages} pages of 10 campaigns for a list of "
                            f"{listed:,}",
                            path=res.path,
                        )
                    fresh = [r for r in rows if self._first_time(res, r, seen)]
                    if fresh:
                        yield fresh
            full = await full_listing
        finally:
            # On an error or an early stop, do not leave listing 1 running or unread.
            full_listing.cancel()
            await asyncio.gather(full_listing, return_exceptions=True)
        missing = [row for row in full if self._first_time(res, row, seen)]
        if not missing:
            return

        async def refetch(row: Row) -> Row:
            key = res.row_id(row)
            try:
                return await self._get_object(
                    f"{res.path}/{key}", not_found=f"{label} {key} not found"
                )
            except NotFoundError:
                return row

        yield list(await asyncio.gather(*(refetch(row) for row in missing)))

    @staticmethod
    def _first_time(res: Resource, row: Row, seen: set[int]) -> bool:
        key = res.row_id(row)
        if key is None or key in seen:
            return False
        seen.add(key)
        return True

    @staticmethod
    async def _collect(pages: AsyncGenerator[list[T], None]) -> list[T]:
        rows: list[T] = []
        async with aclosing(pages):
            async for page in pages:
                rows.extend(page)
        return rows

    # ---- raw access (JSON export keeps the API's field names and values) ----

    async def iter_raw_pages(
        self,
        kind: str,
        *,
        window: int | None = None,
        expected_rows: int | None = None,
        **filters: Any,
    ) -> AsyncGenerator[list[Row], None]:
        """Pages of `kind` as the API sent them, in order, each record once.

        `kind` is a key of `kb4tui.api.resources.RESOURCES`; `filters` are the API's own
        query parameters for that kind (e.g. campaign_id=..., exclude_archived_users=True).
        `expected_rows` (for example a campaign's known enrollment count) lets the pager
        request all the pages at once; `window` caps how many pages are requested ahead. Campaigns
        without exclude_percentages=True come with their completion_percentage (see
        `_campaign_pages_with_percentages`); `expected_rows` does not apply to them.
        "Once": see `ListingGuard` (records without an id are set aside and counted in
        `tally`; enrollments that share an id are all kept unless identical).
        """
        res = resource(kind)
        path, rest = res.list_path(filters)
        params = query_params(res, rest)
        if res.single:
            yield [await self._get_object(path, params)]
            return
        if kind == "campaigns" and "exclude_percentages" not in params:
            pages = self._campaign_pages_with_percentages(res, window=window)
        else:
            pages = self._pages(
                res,
                path,
                params,
                window=window,
                expected_rows=expected_rows,
                not_found=res.not_found(filters),
            )
        listed: list[Row] | None = [] if kind == "campaigns" else None
        async with aclosing(pages):
            async for rows in pages:
                if listed is not None:
                    listed.extend(rows)
                yield rows
        if listed is not None:
            self.scale.note_campaigns(listed)  # the content count, for the page cap

    async def get_raw(self, kind: str, item_id: int) -> Row:
        """One object of `kind` by id, as the API sent it; NotFoundError names it."""
        res = resource(kind)
        if res.single:
            raise ValueError(f"{kind} is one object, not a list: use iter_raw_pages")
        if isinstance(item_id, bool) or not isinstance(item_id, int):
            raise ValueError("item_id must be an int")
        # The enrollment endpoint adds the campaign id only when asked.
        params = {"include_campaign_id": "true"} if kind == "enrollments" else {}
        return await self._get_object(
            res.item_path(item_id), params, not_found=f"{res.label} {item_id} not found"
        )

    # ---- typed access ----

    async def _typed_pages(
        self, model: type[M], pages: AsyncGenerator[list[Row], None]
    ) -> AsyncGenerator[list[M], None]:
        async with aclosing(pages):
            async for rows in pages:
                yield _parse_rows(model, rows)

    async def account(self) -> Account:
        return _parse_one(Account, await self._get_object("/v1/account"))

    def iter_campaign_pages(
        self, *, with_percentages: bool = True, window: int | None = None
    ) -> AsyncGenerator[list[Campaign], None]:
        """Campaign pages as they arrive (see `_campaign_pages_with_percentages`)."""
        filters = {} if with_percentages else {"exclude_percentages": True}
        return self._typed_pages(
            Campaign, self.iter_raw_pages("campaigns", window=window, **filters)
        )

    async def campaigns(self, *, with_percentages: bool = True) -> list[Campaign]:
        return await self._collect(self.iter_campaign_pages(with_percentages=with_percentages))

    async def campaign(self, campaign_id: int) -> Campaign:
        return _parse_one(Campaign, await self.get_raw("campaigns", campaign_id))

    def iter_enrollment_pages(
        self,
        *,
        window: int | None = None,
        expected_rows: int | None = None,
        **filters: Unpack[EnrollmentFilters],
    ) -> AsyncGenerator[list[Enrollment], None]:
        """Enrollment pages in order as they arrive, several requested ahead at once.

        `include_campaign_id` and `include_store_purchase_id` default to True, so every
        enrollment says which campaign and module it belongs to.
        """
        query: EnrollmentFilters = {**_ENROLLMENT_DEFAULTS, **filters}
        raw = self.iter_raw_pages(
            "enrollments", window=window, expected_rows=expected_rows, **query
        )
        return self._typed_pages(Enrollment, raw)

    async def enrollments(
        self,
        *,
        window: int | None = None,
        expected_rows: int | None = None,
        **filters: Unpack[EnrollmentFilters],
    ) -> list[Enrollment]:
        """Every enrollment matching `filters` (see `iter_enrollment_pages`)."""
        return await self._collect(
            self.iter_enrollment_pages(window=window, expected_rows=expected_rows, **filters)
        )

    async def enrollment(self, enrollment_id: int) -> Enrollment:
        return _parse_one(Enrollment, await self.get_raw("enrollments", enrollment_id))

    async def store_purchases(self) -> list[StorePurchase]:
        return await self._collect(
            self._typed_pages(StorePurchase, self.iter_raw_pages("store_purchases"))
        )

    async def store_purchase(self, store_purchase_id: int) -> StorePurchase:
        return _parse_one(StorePurchase, await self.get_raw("store_purchases", store_purchase_id))

    async def policies(self) -> list[Policy]:
        return await self._collect(self._typed_pages(Policy, self.iter_raw_pages("policies")))

    async def policy(self, policy_id: int) -> Policy:
        return _parse_one(Policy, await self.get_raw("policies", policy_id))

    def iter_user_pages(
        self, *, status: str | None = None, group_id: int | None = None
    ) -> AsyncGenerator[list[User], None]:
        return self._typed_pages(
            User, self.iter_raw_pages("users", status=status, group_id=group_id)
        )

    async def users(self, *, status: str | None = None, group_id: int | None = None) -> list[User]:
        return await self._collect(self.iter_user_pages(status=status, group_id=group_id))

    async def user(self, user_id: int) -> User:
        return _parse_one(User, await self.get_raw("users", user_id))

    async def groups(self, *, status: str | None = None) -> list[Group]:
        return await self._collect(
            self._typed_pages(Group, self.iter_raw_pages("groups", status=status))
        )

    async def group(self, group_id: int) -> Group:
        return _parse_one(Group, await self.get_raw("groups", group_id))

    async def group_members(self, group_id: int) -> list[User]:
        if isinstance(group_id, bool) or not isinstance(group_id, int):
            raise ValueError("group_id must be an int")
        pages = self.iter_raw_pages("group_members", group_id=group_id)
        return await self._collect(self._typed_pages(User, pages))
