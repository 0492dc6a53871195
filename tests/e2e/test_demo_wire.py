"""The fake API's two front ends with plain httpx: the in-process transport and the real
loopback HTTP server (dropped connections really drop, hangs really hang)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from kb4tui.demo import (
    DEMO_API_KEY,
    DemoOrg,
    FakeAPIConfig,
    FakeKnowBe4API,
    FakeKnowBe4Transport,
    LoopbackServer,
    generate_org,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ORG = generate_org(seed=21, users=80, now=NOW)
AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}


@pytest.fixture
def api() -> FakeKnowBe4API:
    return FakeKnowBe4API({DEMO_API_KEY: ORG}, FakeAPIConfig(rate_limit=False))


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(FakeKnowBe4API({DEMO_API_KEY: ORG})) as running:
        yield running


@pytest.fixture
def served(server: LoopbackServer) -> FakeKnowBe4API:
    server.api.config = FakeAPIConfig(rate_limit=False)
    server.api.log.clear()
    return server.api


# -- in-process transport ----------------------------------------------------------------


async def test_transport_answers_an_async_client(api: FakeKnowBe4API) -> None:
    transport = FakeKnowBe4Transport(api)
    async with httpx.AsyncClient(transport=transport, base_url="https://demo.invalid") as client:
        account = await client.get("/v1/account", headers=AUTH)
        campaigns = await client.get(
            "/v1/training/campaigns", params={"exclude_percentages": "true"}, headers=AUTH
        )
        missing = await client.get("/v1/account")
    assert account.json() == ORG.account
    assert account.headers["content-type"] == "application/json; charset=utf-8"
    assert len(campaigns.json()) == 25
    assert missing.status_code == 401


def test_transport_answers_a_sync_client(api: FakeKnowBe4API) -> None:
    with httpx.Client(transport=FakeKnowBe4Transport(api), base_url="https://x.invalid") as client:
        response = client.get("/v1/training/policies", headers=AUTH)
    assert response.json() == ORG.policies


async def test_transport_drop_raises_a_transport_error(api: FakeKnowBe4API) -> None:
    api.config.fault_rate, api.config.fault_kinds = 1.0, ("drop",)
    async with httpx.AsyncClient(transport=FakeKnowBe4Transport(api)) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("https://demo.invalid/v1/account", headers=AUTH)


async def test_transport_hang_times_out_at_the_client_timeout(api: FakeKnowBe4API) -> None:
    api.config.fault_rate, api.config.fault_kinds = 1.0, ("timeout",)
    api.config.hang_seconds = 30.0
    started = time.monotonic()
    async with httpx.AsyncClient(transport=FakeKnowBe4Transport(api), timeout=0.2) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get("https://demo.invalid/v1/account", headers=AUTH)
    assert time.monotonic() - started < 5


async def test_transport_latency(api: FakeKnowBe4API) -> None:
    api.config.latency = 0.2
    async with httpx.AsyncClient(transport=FakeKnowBe4Transport(api)) as client:
        started = time.monotonic()
        await client.get("https://demo.invalid/v1/account", headers=AUTH)
    assert time.monotonic() - started >= 0.2


async def test_transport_defaults_to_the_demo_org_with_options() -> None:
    transport = FakeKnowBe4Transport(users=50, seed=3, latency=0.0)
    transport.api.config.rate_limit = False
    async with httpx.AsyncClient(transport=transport) as client:
        users = await client.get(
            "https://demo.invalid/v1/users", params={"per_page": 500}, headers=AUTH
        )
    assert len(users.json()) == 50


# -- loopback server ---------------------------------------------------------------------


def test_loopback_serves_real_http_with_keep_alive(
    server: LoopbackServer, served: FakeKnowBe4API
) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=server.base_url, headers=AUTH) as client:
        first = client.get("/v1/training/store_purchases", params={"per_page": 5})
        second = client.get("/v1/training/store_purchases", params={"per_page": 5, "page": 2})
        missing = client.get("/v1/users/1")
    assert first.json() == ORG.store_purchases[:5]
    assert second.json() == ORG.store_purchases[5:10]
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    assert missing.status_code == 404 and missing.json() == {"message": "Not Found"}
    assert served.log.count("/v1/training/store_purchases") == 2


async def test_loopback_from_an_async_client_with_cursor(
    server: LoopbackServer, served: FakeKnowBe4API
) -> None:
    served.config.cursor_pagination = True
    ids: list[int] = []
    async with httpx.AsyncClient(base_url=server.base_url, headers=AUTH) as client:
        params = {"cursor": "true", "per_page": "500"}
        while True:
            response = await client.get("/v1/training/enrollments", params=params)
            ids += [r["enrollment_id"] for r in response.json()]
            cursor = response.headers.get("x-next-cursor")
            if not cursor:
                break
            params = {"cursor": cursor, "per_page": "500"}
    assert ids == [r["enrollment_id"] for r in ORG.enrollments()]


def test_loopback_drop_really_drops(server: LoopbackServer, served: FakeKnowBe4API) -> None:
    served.config.fault_rate, served.config.fault_kinds = 1.0, ("drop",)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server.base_url}/v1/account", headers=AUTH)
    served.config.fault_rate = 0.0
    assert httpx.get(f"{server.base_url}/v1/account", headers=AUTH).status_code == 200
    assert [e.outcome for e in served.log.entries()] == ["drop", "ok"]


def test_loopback_hang_hits_the_client_timeout(
    server: LoopbackServer, served: FakeKnowBe4API
) -> None:
    served.config.fault_rate, served.config.fault_kinds = 1.0, ("timeout",)
    served.config.hang_seconds = 10.0
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{server.base_url}/v1/account", headers=AUTH, timeout=0.3)
    assert time.monotonic() - started < 3


def test_loopback_stops_cleanly_while_a_connection_hangs() -> None:
    api = FakeKnowBe4API({DEMO_API_KEY: ORG}, FakeAPIConfig(rate_limit=False))
    api.config.fault_rate, api.config.fault_kinds, api.config.hang_seconds = 1.0, ("timeout",), 30
    server = LoopbackServer(api).start()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{server.base_url}/v1/account", headers=AUTH, timeout=0.2)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 3
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.base_url}/v1/account", headers=AUTH, timeout=1)


async def test_loopback_as_an_async_context_manager() -> None:
    api = FakeKnowBe4API({DEMO_API_KEY: ORG}, FakeAPIConfig(rate_limit=False, latency=0.05))
    async with LoopbackServer(api) as server, httpx.AsyncClient() as client:
        response = await client.get(f"{server.base_url}/v1/account", headers=AUTH)
    assert response.json()["name"] == ORG.account["name"]


def test_loopback_refuses_other_hosts() -> None:
    with pytest.raises(ValueError, match="loopback"):
        LoopbackServer(host="0.0.0.0")


def test_loopback_turns_a_handler_crash_into_a_500() -> None:
    def broken() -> DemoOrg:
        raise RuntimeError("generator bug")

    api = FakeKnowBe4API({DEMO_API_KEY: broken}, FakeAPIConfig(rate_limit=False))
    with LoopbackServer(api) as server:
        response = httpx.get(f"{server.base_url}/v1/account", headers=AUTH)
    assert response.status_code == 500
