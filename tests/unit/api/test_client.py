"""KnowBe4Client against httpx.MockTransport: URLs, headers, typed and raw access, errors."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from client_fakes import API_KEY, FakeAPI, enrollment_rows, json_response, list_raw

from kb4tui import __version__
from kb4tui.api.client import KnowBe4Client
from kb4tui.api.errors import (
    APIError,
    AuthError,
    InsecureURLError,
    NotFoundError,
    PermissionDeniedError,
    ResponseFormatError,
)
from kb4tui.api.models import Account, Campaign, Enrollment, Policy, StorePurchase, User
from kb4tui.api.ratelimit import RateLimiter, UsageCounter, key_fingerprint, shared_limiter
from kb4tui.api.regions import REGIONS, is_loopback_host
from kb4tui.api.retry import RetryPolicy

ENROLLMENTS = "/v1/training/enrollments"


@pytest.mark.parametrize("region", ["us", "eu", "ca", "uk", "de", "EU"])
async def test_region_picks_host(region: str) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response({"name": "Acme"})

    transport = httpx.MockTransport(handler)
    unlimited = RateLimiter([(1000, 1.0)])
    async with KnowBe4Client(
        API_KEY, region=region, transport=transport, limiter=unlimited
    ) as client:
        await client.account()
    assert str(seen[0].url) == f"https://{region.lower()}.api.knowbe4.com/v1/account"
    assert REGIONS[region.lower()] == f"https://{region.lower()}.api.knowbe4.com"


def test_unknown_region_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown KnowBe4 region"):
        KnowBe4Client(API_KEY, region="mars")


async def test_headers_and_base_url_override() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response({"name": "Acme", "number_of_seats": 10})

    transport = httpx.MockTransport(handler)
    async with KnowBe4Client(
        API_KEY,
        base_url="https://proxy.example/kb4/",
        transport=transport,
        region="eu",
        limiter=RateLimiter([(1000, 1.0)]),
    ) as client:
        account = await client.account()
    assert isinstance(account, Account) and account.daily_quota == 2010
    request = seen[0]
    assert str(request.url) == "https://proxy.example/kb4/v1/account"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"] == f"kb4tui/{__version__} (+python-httpx)"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",
        "http://10.0.0.1:8080",
        "ftp://127.0.0.1/",
        "http://127.evil.com",
        "http://demo.localhost:8080",
    ],
)
def test_insecure_base_url_refused(url: str) -> None:
    with pytest.raises(InsecureURLError) as info:
        KnowBe4Client(API_KEY, base_url=url)
    assert info.value.exit_code == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://127.1.2.3",
        "http://[::1]:9000",
        "http://localhost:1234",
        "https://example.com",
    ],
)
def test_loopback_http_and_any_https_allowed(url: str) -> None:
    assert KnowBe4Client(API_KEY, base_url=url).base_url == url


def test_loopback_detection() -> None:
    assert is_loopback_host("127.0.0.1") and is_loopback_host("::1")
    assert not is_loopback_host("128.0.0.1") and not is_loopback_host("example.com")
    assert is_loopback_host("LOCALHOST") and is_loopback_host("[::1]")
    # A name under localhost may reach a resolver that sends it to the network.
    assert not is_loopback_host("demo.localhost")
    assert not is_loopback_host("localhost.example.com")


@pytest.mark.parametrize("key", ["", "   ", "abc def", "abc\r\nX-Evil: 1"])
def test_unusable_key_refused_without_echoing_it(key: str) -> None:
    with pytest.raises(AuthError) as info:
        KnowBe4Client(key)
    if key.strip():
        assert key.strip() not in str(info.value)


def test_repr_hides_key() -> None:
    client = KnowBe4Client(API_KEY)
    for text in (repr(client), str(client), repr(client.limiter), repr(client.usage)):
        assert API_KEY not in text
        assert "Bearer" not in text
    assert API_KEY not in repr(vars(client))


def test_shared_limiter_per_key_and_keyed_by_fingerprint() -> None:
    assert shared_limiter(API_KEY) is shared_limiter(API_KEY)
    assert shared_limiter(API_KEY) is not shared_limiter(API_KEY + "x")
    assert KnowBe4Client(API_KEY).limiter is shared_limiter(API_KEY)
    fingerprint = key_fingerprint(API_KEY)
    assert API_KEY not in fingerprint and len(fingerprint) == 32


async def test_typed_methods_use_the_documented_paths() -> None:
    api = FakeAPI(
        lists={
            "/v1/training/store_purchases": [{"store_purchase_id": 1, "name": "Basics"}],
            "/v1/training/policies": [{"policy_id": 2, "name": "AUP", "status": 1}],
            "/v1/users": [{"id": 3, "first_name": "Ann", "status": "active"}],
            "/v1/groups": [{"id": 4, "name": "IT"}],
            "/v1/groups/4/members": [{"id": 3}, {"id": 5}],
        },
        objects={
            "/v1/training/campaigns/7": {"campaign_id": 7, "name": "[bold]Q3[/]"},
            "/v1/training/enrollments/8": {"enrollment_id": 8, "user": None},
            "/v1/training/store_purchases/1": {"store_purchased_id": 1},
            "/v1/training/policies/2": {"policy_id": 2, "published": True},
            "/v1/users/3": {"id": 3},
            "/v1/groups/4": {"id": 4},
        },
    )
    async with api.client() as client:
        assert [p.store_purchase_id for p in await client.store_purchases()] == [1]
        assert [p.policy_id for p in await client.policies()] == [2]
        assert [u.id for u in await client.users(status="active")] == [3]
        assert [g.id for g in await client.groups()] == [4]
        assert [u.id for u in await client.group_members(4)] == [3, 5]
        campaign = await client.campaign(7)
        assert isinstance(campaign, Campaign) and campaign.name == "[bold]Q3[/]"
        enrollment = await client.enrollment(8)
        assert isinstance(enrollment, Enrollment) and enrollment.user is None
        assert isinstance(await client.store_purchase(1), StorePurchase)
        assert (await client.policy(2)).is_published is True
        assert isinstance(await client.user(3), User)
        assert (await client.group(4)).id == 4
    users_request = next(r for r in api.requests if r.url.path == "/v1/users")
    assert users_request.url.params["status"] == "active"
    enrollment_request = next(r for r in api.requests if r.url.path.endswith("/enrollments/8"))
    assert enrollment_request.url.params["include_campaign_id"] == "true"
    assert isinstance(Policy.from_api({"policy_id": 2}), Policy)


async def test_enrollment_filters_become_query_params() -> None:
    api = FakeAPI(lists={ENROLLMENTS: enrollment_rows(3)})
    async with api.client() as client:
        rows = await client.enrollments(
            campaign_id=51234,
            user_id=9,
            store_purchase_id=8123,
            exclude_archived_users=True,
            include_employee_number=True,
        )
    assert len(rows) == 3
    params = api.requests[0].url.params
    assert params["campaign_id"] == "51234" and params["user_id"] == "9"
    assert params["store_purchase_id"] == "8123"
    assert params["exclude_archived_users"] == "true"
    assert params["include_campaign_id"] == "true"
    assert params["include_store_purchase_id"] == "true"
    assert params["include_employee_number"] == "true"
    assert params["per_page"] == "500"


async def test_raw_rows_are_exactly_what_the_api_sent() -> None:
    rows = enrollment_rows(4)
    rows[0]["status"] = "past_due"  # unknown spellings survive
    rows[1]["surprise_field"] = {"nested": [1, None, "x"]}
    api = FakeAPI(lists={ENROLLMENTS: rows})
    async with api.client() as client:
        assert await list_raw(client, "enrollments", include_campaign_id=True) == rows
        pages = [page async for page in client.iter_raw_pages("enrollments")]
    assert pages == [rows]


async def test_raw_kind_and_filter_validation() -> None:
    async with FakeAPI().client() as client:
        with pytest.raises(ValueError, match="unknown kind"):
            await list_raw(client, "phishing")
        with pytest.raises(ValueError, match="unknown filter"):
            await list_raw(client, "users", campaign_id=1)
        with pytest.raises(ValueError):
            await client.get_raw("users", "3")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "path", "message"),
    [
        ("campaigns", "/v1/training/campaigns/123", "Campaign 123 not found"),
        ("enrollments", "/v1/training/enrollments/55", "Enrollment 55 not found"),
        ("users", "/v1/users/9", "User 9 not found"),
    ],
)
async def test_404_names_the_kind_and_carries_request_id(
    kind: str, path: str, message: str
) -> None:
    api = FakeAPI()
    async with api.client() as client:
        with pytest.raises(NotFoundError) as info:
            await client.get_raw(kind, int(path.rsplit("/", 1)[1]))
    assert message in str(info.value)
    assert info.value.request_id == "req-1234" and "req-1234" in str(info.value)
    assert info.value.exit_code == 4
    assert api.count(path) == 1  # never retried


async def test_group_members_404_names_the_group() -> None:
    async with FakeAPI().client() as client:
        with pytest.raises(NotFoundError, match="Group 77 not found"):
            await client.group_members(77)


@pytest.mark.parametrize(
    ("status", "error", "exit_code"),
    [(401, AuthError, 2), (403, PermissionDeniedError, 2), (400, APIError, 3), (406, APIError, 3)],
)
async def test_client_errors_are_not_retried(
    status: int, error: type[APIError], exit_code: int
) -> None:
    api = FakeAPI(hook=lambda request, n: json_response({"message": "no"}, status))
    async with api.client() as client:
        with pytest.raises(error) as info:
            await client.account()
    assert len(api.requests) == 1
    assert info.value.status == status and info.value.exit_code == exit_code
    assert info.value.request_id == "req-1234"


@pytest.mark.parametrize(
    "body",
    [{"message": "Invalid Token"}, {"message": "Unauthorized"}, {"error": "invalid api key"}],
)
async def test_invalid_token_with_200_is_an_auth_error(body: dict[str, Any]) -> None:
    api = FakeAPI(hook=lambda request, n: json_response(body))
    async with api.client() as client:
        with pytest.raises(AuthError) as list_error:
            await client.campaigns()
        with pytest.raises(AuthError):
            await client.account()
    assert list_error.value.exit_code == 2


@pytest.mark.parametrize(
    "response",
    [
        json_response({"message": "Something odd"}),
        json_response({"unexpected": "object"}),
        json_response("a string"),
        json_response([1, 2, 3]),
        json_response([{"id": 1}, None]),
        httpx.Response(200, content=b"<html>proxy error</html>"),
        httpx.Response(200, content=b""),
        httpx.Response(200, content=b"[" * 100_000),
    ],
)
async def test_unreadable_list_bodies_are_format_errors(response: httpx.Response) -> None:
    api = FakeAPI(hook=lambda request, n: response)
    async with api.client() as client:
        with pytest.raises(ResponseFormatError):
            await client.users()


async def test_non_object_single_body_is_format_error() -> None:
    api = FakeAPI(hook=lambda request, n: json_response([{"name": "x"}]))
    async with api.client() as client:
        with pytest.raises(ResponseFormatError):
            await client.account()


async def test_data_wrapper_for_single_object() -> None:
    api = FakeAPI(hook=lambda request, n: json_response({"data": {"name": "Acme"}}))
    async with api.client() as client:
        assert (await client.account()).name == "Acme"


async def test_usage_counter_counts_every_request_and_notifies() -> None:
    seen: list[int] = []
    usage = UsageCounter()
    usage.observe(seen.append)
    api = FakeAPI(lists={"/v1/users": [{"id": 1}]})
    async with api.client(usage=usage) as client:
        await client.users()
    assert usage.count == len(api.requests) == 2  # page 1 and the empty page 2
    assert seen == [1, 2]


async def test_key_never_in_errors_reprs_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    responses = iter(
        [
            json_response({"message": "Invalid Token"}, 401),
            json_response({}, 403),
            json_response({}, 404),
            json_response({}, 429),
            json_response({}, 503),
            httpx.Response(200, content=b"not json"),
            json_response({"message": "Invalid Token"}),
        ]
    )
    errors: list[BaseException] = []

    def hook(request: httpx.Request, n: int) -> httpx.Response:
        try:
            return next(responses)
        except StopIteration:
            raise httpx.ConnectError("boom", request=request) from None

    api = FakeAPI(hook=hook)
    no_retries = RetryPolicy(budget=0.0, base_delay=1.0)
    async with api.client(retry_policy=no_retries) as client:
        for _ in range(8):
            try:
                await client.account()
            except APIError as exc:
                errors.append(exc)
    assert len(errors) == 8
    for error in errors:
        for text in (
            str(error),
            repr(error),
            str(error.args),
            repr(error.__cause__),
            repr(error.__context__),
        ):
            assert API_KEY not in text
    assert API_KEY not in caplog.text


async def test_a_groups_members_as_raw_pages_with_the_id_in_the_path() -> None:
    api = FakeAPI(lists={"/v1/groups/4/members": [{"id": 3}, {"id": 5}]})
    async with api.client() as client:
        pages = [page async for page in client.iter_raw_pages("group_members", group_id=4)]
        assert [row["id"] for page in pages for row in page] == [3, 5]
        with pytest.raises(NotFoundError, match="Group 9 not found"):
            [page async for page in client.iter_raw_pages("group_members", group_id=9)]
        # The id goes into the path, so only a whole number is accepted.
        for bad in ("4/../../account", True, None):
            with pytest.raises(ValueError, match="group_id as an int"):
                [page async for page in client.iter_raw_pages("group_members", group_id=bad)]
    assert all("group_id" not in r.url.params for r in api.requests)
