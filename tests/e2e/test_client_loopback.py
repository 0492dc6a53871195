"""KnowBe4Client against the demo fake API served on a real 127.0.0.1 socket."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from client_fakes import list_raw

from kb4tui.api.client import KnowBe4Client
from kb4tui.api.errors import AuthError, NetworkError, NotFoundError, PermissionDeniedError
from kb4tui.api.ratelimit import RateLimiter, Slot, UsageCounter
from kb4tui.api.retry import RetryPolicy
from kb4tui.demo import DEMO_API_KEY, FakeAPIConfig, FakeKnowBe4API, LoopbackServer, generate_org

ORG = generate_org(seed=11, users=200)


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    api = FakeKnowBe4API({DEMO_API_KEY: ORG})
    with LoopbackServer(api) as running:
        yield running


@pytest.fixture
def api(server: LoopbackServer) -> FakeKnowBe4API:
    """The server's handler with a fresh config (no server-side rate limit unless asked)."""
    server.api.config = FakeAPIConfig(rate_limit=False)
    server.api.reset_rate_limits()
    server.api.log.clear()
    return server.api


def make_client(server: LoopbackServer, **options: object) -> KnowBe4Client:
    options.setdefault("limiter", RateLimiter([(1000, 1.0)], margin=0.0))
    options.setdefault("usage", UsageCounter())
    options.setdefault("retry_policy", RetryPolicy(budget=20.0, base_delay=0.01, max_delay=0.05))
    return KnowBe4Client(DEMO_API_KEY, base_url=server.base_url, **options)  # type: ignore[arg-type]


def busiest_campaign() -> int:
    return max(ORG.campaign_ids, key=lambda cid: len(ORG.campaign_enrollments(cid)))


async def test_account_campaigns_and_percentages(
    server: LoopbackServer, api: FakeKnowBe4API
) -> None:
    async with make_client(server) as client:
        account = await client.account()
        campaigns = await client.campaigns()
        raw = await list_raw(client, "campaigns")
    assert account.name == ORG.account["name"]
    expected = ORG.campaigns(with_percentage=True)
    assert raw == expected
    assert [c.campaign_id for c in campaigns] == [c["campaign_id"] for c in expected]
    assert all(c.completion_percentage is not None for c in campaigns)


@pytest.mark.parametrize("mode", ["page", "cursor", "wrapper"])
async def test_enrollments_exact_in_every_pagination_mode(
    server: LoopbackServer, api: FakeKnowBe4API, mode: str
) -> None:
    api.config.cursor_pagination = mode == "cursor"
    api.config.data_wrapper = mode == "wrapper"
    everything = ORG.enrollments()
    async with make_client(server, pagination="cursor" if mode == "cursor" else "page") as client:
        rows = await list_raw(
            client,
            "enrollments",
            include_campaign_id=True,
            include_store_purchase_id=True,
            include_employee_number=True,
        )
        cid = busiest_campaign()
        typed = await client.enrollments(campaign_id=cid)
    assert [r["enrollment_id"] for r in rows] == [r["enrollment_id"] for r in everything]
    assert [e.enrollment_id for e in typed] == [
        r["enrollment_id"] for r in ORG.campaign_enrollments(cid)
    ]
    assert all(e.campaign_id == cid for e in typed)


async def test_users_groups_library_and_lookups(
    server: LoopbackServer, api: FakeKnowBe4API
) -> None:
    async with make_client(server) as client:
        users = await client.users()
        active = await client.users(status="active")
        groups = await client.groups()
        purchases = await client.store_purchases()
        policies = await client.policies()
        first = ORG.users[0]["id"]
        assert (await client.user(first)).id == first
        with pytest.raises(NotFoundError, match="Campaign 999999999 not found"):
            await client.campaign(999_999_999)
    assert len(users) == len(ORG.users)
    assert {u.status for u in active} == {"active"}
    assert len(groups) == len(ORG.groups)
    assert len(purchases) == len(ORG.store_purchases) and len(policies) == len(ORG.policies)


async def test_client_pacing_keeps_the_server_from_ever_answering_429(
    server: LoopbackServer, api: FakeKnowBe4API
) -> None:
    api.config.rate_limit = True
    async with make_client(server, limiter=RateLimiter()) as client:
        campaigns = await client.campaigns()
        await client.store_purchases()
    assert len(campaigns) == len(ORG.campaign_ids)
    assert api.log.count(status=429) == 0
    assert len(api.log) >= 5


@pytest.mark.parametrize(
    ("setting", "key", "error", "status"),
    [
        ("invalid_token", DEMO_API_KEY, AuthError, 401),  # a revoked key
        ("legacy_invalid_token", "not-a-known-key", AuthError, 200),  # 200 + {"message": ...}
        ("forbidden", DEMO_API_KEY, PermissionDeniedError, 403),
    ],
)
async def test_auth_failures(
    server: LoopbackServer,
    api: FakeKnowBe4API,
    setting: str,
    key: str,
    error: type[Exception],
    status: int,
) -> None:
    setattr(api.config, setting, True)
    client = KnowBe4Client(key, base_url=server.base_url, limiter=RateLimiter([(1000, 1.0)]))
    async with client:
        with pytest.raises(error) as info:
            await client.campaigns()
    assert key not in str(info.value) and key not in repr(info.value)
    # Never retried: at most the four first pages the campaign listing asks for at once.
    # Counted by this case's status: a request the previous test's client sent just before
    # closing can reach the server's thread after the log was cleared (seen under load).
    assert 0 < api.log.count(status=status) <= 4


async def test_injected_faults_never_cost_a_row(
    server: LoopbackServer, api: FakeKnowBe4API
) -> None:
    """20% of requests fail (500, 503, dropped connection, 429 bursts): the list is exact."""
    api.config.fault_rate = 0.2
    api.config.fault_kinds = ("500", "503", "drop", "429")
    api.config.fault_seed = 5
    async with make_client(server) as client:
        rows = await list_raw(client, "enrollments")
    assert [r["enrollment_id"] for r in rows] == [r["enrollment_id"] for r in ORG.enrollments()]
    assert api.log.count(status=200) < len(api.log)  # faults really happened


async def test_hanging_server_times_out_into_network_error(
    server: LoopbackServer, api: FakeKnowBe4API
) -> None:
    api.config.fault_rate = 1.0
    api.config.fault_kinds = ("timeout",)
    api.config.hang_seconds = 2.0
    retry = RetryPolicy(budget=0.5, base_delay=0.01, max_delay=0.05)
    async with make_client(server, timeout=0.2, retry_policy=retry) as client:
        with pytest.raises(NetworkError, match="timed out"):
            await client.account()


async def test_key_absent_from_all_logs_on_the_wire(
    server: LoopbackServer, api: FakeKnowBe4API, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx and httpcore included
    api.config.fault_rate = 0.5
    api.config.fault_kinds = ("500", "drop")
    async with make_client(server) as client:
        await client.account()
        await client.users()
    assert "HTTP Request" in caplog.text or "send_request" in caplog.text
    assert DEMO_API_KEY not in caplog.text


class RecordingLimiter(RateLimiter):
    def __init__(self) -> None:
        super().__init__([(1000, 1.0)], margin=0.0)
        self.slots: list[tuple[float, Slot]] = []

    async def acquire(self) -> Slot:
        slot = await super().acquire()
        self.slots.append((slot.at, slot))
        return slot


async def test_slots_are_stamped_when_the_request_really_leaves(
    server: LoopbackServer, api: FakeKnowBe4API
) -> None:
    limiter = RecordingLimiter()
    async with make_client(server, limiter=limiter) as client:
        await client.account()
        await client.users()
    assert len(limiter.slots) == 3
    assert all(slot.at > granted for granted, slot in limiter.slots)
