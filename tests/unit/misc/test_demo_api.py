"""The fake API's request handler: routes, pagination, filters, auth, rate limits, faults."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from kb4tui.demo import DEMO_API_KEY, DemoOrg, FakeAPIConfig, FakeKnowBe4API, generate_org
from kb4tui.demo.handler import FakeResponse

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ORG = generate_org(seed=9, users=150, now=NOW)
OTHER_KEY = "second-tenant-key"
OTHER = generate_org(seed=10, users=60, now=NOW)
AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(clock: Clock) -> FakeKnowBe4API:
    return FakeKnowBe4API(
        {DEMO_API_KEY: ORG, OTHER_KEY: OTHER}, FakeAPIConfig(rate_limit=False), clock=clock
    )


def get(
    api: FakeKnowBe4API, path: str, headers: dict[str, str] | None = None, **query: Any
) -> FakeResponse:
    params = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in query.items()}
    return api.handle("GET", path, params, AUTH if headers is None else headers)


def all_pages(api: FakeKnowBe4API, path: str, **query: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for page in range(1, 1000):
        batch = get(api, path, page=page, **query).json()
        if not batch:
            return rows
        rows.extend(batch)
    raise AssertionError("never reached an empty page")


# -- shapes and headers ------------------------------------------------------------------


def test_wire_headers_and_bare_array(api: FakeKnowBe4API) -> None:
    response = get(api, "/v1/training/store_purchases")
    assert response.status == 200
    assert response.header("content-type") == "application/json; charset=utf-8"
    assert response.header("cache-control") == "no-cache, no-store"
    uuid.UUID(response.header("x-request-id") or "")
    assert (response.header("etag") or "").startswith('W/"')
    assert response.json() == ORG.store_purchases
    assert get(api, "/v1/account").json() == ORG.account


def test_single_objects_and_404s(api: FakeKnowBe4API) -> None:
    user = ORG.users[3]
    assert get(api, f"/v1/users/{user['id']}").json() == user
    group = ORG.groups[0]
    assert get(api, f"/v1/groups/{group['id']}").json() == group
    purchase, policy = ORG.store_purchases[0], ORG.policies[0]
    assert (
        get(api, f"/v1/training/store_purchases/{purchase['store_purchase_id']}").json() == purchase
    )
    assert get(api, f"/v1/training/policies/{policy['policy_id']}").json() == policy
    cid = ORG.campaign_ids[0]
    assert get(api, f"/v1/training/campaigns/{cid}").json() == ORG.campaign(cid)
    for path in (
        "/v1/users/1",
        "/v1/groups/1/members",
        "/v1/training/campaigns/1",
        "/v1/training/enrollments/1",
        "/v1/training/store_purchases/abc",
        "/v1/nope",
    ):
        response = get(api, path)
        assert (response.status, response.json()) == (404, {"message": "Not Found"}), path


def test_digits_only_ascii_ones_count(api: FakeKnowBe4API) -> None:
    # "²" passes str.isdigit() but int() refuses it: a 404 or the default, never a crash.
    assert get(api, "/v1/users/\u00b2").status == 404
    assert get(api, "/v1/users", page="\u00b2", per_page="\u00b2").json() == ORG.users[:100]
    enrollments = get(api, "/v1/training/enrollments", campaign_id="\u00b2", per_page=5)
    assert enrollments.status == 200 and len(enrollments.json()) == 5


def test_enrollment_by_id_honours_include_flags(api: FakeKnowBe4API) -> None:
    row = ORG.campaign_enrollments(ORG.campaign_ids[0])[0]
    plain = get(api, f"/v1/training/enrollments/{row['enrollment_id']}").json()
    assert "campaign_id" not in plain and "store_purchase_id" not in plain
    assert "employee_number" not in plain["user"]
    full = get(
        api, f"/v1/training/enrollments/{row['enrollment_id']}", include_campaign_id=True
    ).json()
    assert full["campaign_id"] == row["campaign_id"]


# -- pagination --------------------------------------------------------------------------


def test_campaigns_capped_at_ten_rows_without_exclude_percentages(api: FakeKnowBe4API) -> None:
    first = get(api, "/v1/training/campaigns", per_page=500).json()
    assert len(first) == 10
    assert all("completion_percentage" in c for c in first)
    pages = [get(api, "/v1/training/campaigns", per_page=500, page=p).json() for p in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [10, 10, 5, 0]
    assert [c for p in pages for c in p] == ORG.campaigns()
    excluded = get(api, "/v1/training/campaigns", per_page=500, exclude_percentages=True).json()
    assert len(excluded) == 25
    assert all("completion_percentage" not in c for c in excluded)
    # Anything other than `true` keeps the cap.
    assert len(get(api, "/v1/training/campaigns", exclude_percentages="1").json()) == 10


def test_page_sizes_default_max_and_past_the_end(api: FakeKnowBe4API) -> None:
    assert len(get(api, "/v1/users").json()) == 100
    assert len(get(api, "/v1/training/enrollments", per_page=1000).json()) == 500
    assert len(get(api, "/v1/training/enrollments", per_page=0).json()) == 100
    response = get(api, "/v1/users", page=99)
    assert (response.status, response.body) == (200, b"[]")


def test_pages_are_stable_and_complete(api: FakeKnowBe4API) -> None:
    rows = all_pages(api, "/v1/training/enrollments", per_page=500, include_campaign_id=True)
    assert [r["enrollment_id"] for r in rows] == [r["enrollment_id"] for r in ORG.enrollments()]
    again = all_pages(api, "/v1/training/enrollments", per_page=500, include_campaign_id=True)
    assert rows == again


def test_cursor_mode_follows_x_next_cursor(api: FakeKnowBe4API) -> None:
    api.config.cursor_pagination = True
    seen: list[int] = []
    cursor = "true"
    for _ in range(200):
        response = get(api, "/v1/users", cursor=cursor, per_page=40)
        assert isinstance(response.json(), list)
        seen += [u["id"] for u in response.json()]
        next_cursor = response.header("x-next-cursor")
        if next_cursor is None:
            break
        cursor = next_cursor
    assert seen == [u["id"] for u in ORG.users]
    bad = get(api, "/v1/users", cursor="not-a-cursor")
    assert (bad.status, bad.json()) == (400, {"message": "Invalid cursor"})
    # A cursor from one endpoint is not valid on another.
    first = get(api, "/v1/users", cursor="true", per_page=10).header("x-next-cursor")
    assert get(api, "/v1/groups", cursor=first or "").status == 400


def test_cursor_ignored_when_not_enabled_and_data_wrapper(api: FakeKnowBe4API) -> None:
    response = get(api, "/v1/users", cursor="true", per_page=10)
    assert response.header("x-next-cursor") is None
    assert len(response.json()) == 10
    api.config.data_wrapper = True
    wrapped = get(api, "/v1/training/policies").json()
    assert wrapped == {"data": ORG.policies}
    assert get(api, "/v1/account").json() == ORG.account  # objects are never wrapped


# -- filters -----------------------------------------------------------------------------


def test_enrollment_filters_combine_with_and(api: FakeKnowBe4API) -> None:
    everything = ORG.enrollments()
    cid = ORG.campaign_ids[1]
    purchase_id = next(r["store_purchase_id"] for r in everything if r["store_purchase_id"])
    user_id = next(r["user"]["id"] for r in everything if r["user"])

    def ids(rows: list[dict[str, Any]]) -> list[int]:
        return [r["enrollment_id"] for r in rows]

    assert ids(all_pages(api, "/v1/training/enrollments", campaign_id=cid)) == ids(
        ORG.campaign_enrollments(cid)
    )
    by_user = all_pages(api, "/v1/training/enrollments", user_id=user_id)
    assert by_user and all(r["user"]["id"] == user_id for r in by_user)
    by_module = all_pages(
        api,
        "/v1/training/enrollments",
        store_purchase_id=purchase_id,
        include_store_purchase_id=True,
    )
    assert by_module and all(r["store_purchase_id"] == purchase_id for r in by_module)
    both = all_pages(
        api, "/v1/training/enrollments", campaign_id=cid, store_purchase_id=purchase_id
    )
    expected = [
        r for r in everything if r["campaign_id"] == cid and r["store_purchase_id"] == purchase_id
    ]
    assert ids(both) == ids(expected)
    kept = all_pages(api, "/v1/training/enrollments", exclude_archived_users=True)
    archived = ORG.archived_user_ids
    assert not any(r["user"] and r["user"]["id"] in archived for r in kept)
    assert len(kept) < len(everything)


def test_include_flags_add_keys_only_when_true(api: FakeKnowBe4API) -> None:
    plain = get(api, "/v1/training/enrollments", per_page=50).json()
    assert all("campaign_id" not in r and "store_purchase_id" not in r for r in plain)
    assert all("employee_number" not in r["user"] for r in plain if r["user"])
    full = get(
        api,
        "/v1/training/enrollments",
        per_page=50,
        include_campaign_id=True,
        include_store_purchase_id=True,
        include_employee_number=True,
    ).json()
    assert all(isinstance(r["campaign_id"], int) and "store_purchase_id" in r for r in full)
    numbers = [r["user"]["employee_number"] for r in full if r["user"]]
    assert any(isinstance(n, int) for n in numbers)


def test_user_and_group_filters(api: FakeKnowBe4API) -> None:
    archived = all_pages(api, "/v1/users", status="archived")
    assert archived and all(u["status"] == "archived" for u in archived)
    active = all_pages(api, "/v1/users", status="active")
    assert len(active) + len(archived) == len(ORG.users)
    group = max(ORG.groups, key=lambda g: g["member_count"])
    in_group = all_pages(api, "/v1/users", group_id=group["id"])
    assert in_group and all(group["id"] in u["groups"] for u in in_group)
    members = all_pages(api, f"/v1/groups/{group['id']}/members")
    assert len(members) == group["member_count"]
    assert all_pages(api, "/v1/groups", status="archived") == [
        g for g in ORG.groups if g["status"] == "archived"
    ]
    # Trailing slashes, as old PowerShell clients send them.
    assert get(api, "/v1/training/policies/").json() == ORG.policies


# -- auth --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-key"},
        {"Authorization": f"Bearer: {DEMO_API_KEY}"},
        {"Authorization": f"Token {DEMO_API_KEY}"},
    ],
)
def test_bad_or_missing_key_is_401(api: FakeKnowBe4API, headers: dict[str, str]) -> None:
    response = get(api, "/v1/account", headers=headers)
    assert (response.status, response.json()) == (401, {"message": "Invalid Token"})


def test_auth_modes(api: FakeKnowBe4API) -> None:
    api.config.legacy_invalid_token = True
    legacy = get(api, "/v1/training/campaigns", headers={"Authorization": "Bearer nope"})
    assert (legacy.status, legacy.json()) == (200, {"message": "Invalid Token"})
    assert get(api, "/v1/account").status == 200
    api.config.invalid_token = True
    assert get(api, "/v1/account").json() == {"message": "Invalid Token"}
    api.config.invalid_token = api.config.legacy_invalid_token = False
    api.config.forbidden = True
    assert get(api, "/v1/account").status == 403


def test_each_key_sees_its_own_organisation(api: FakeKnowBe4API) -> None:
    mine = get(api, "/v1/account").json()
    theirs = get(api, "/v1/account", headers={"Authorization": f"Bearer {OTHER_KEY}"}).json()
    assert mine["name"] == ORG.account["name"]
    assert theirs["name"] == OTHER.account["name"] != mine["name"]


def test_accept_must_allow_json(api: FakeKnowBe4API) -> None:
    html = get(api, "/v1/account", headers={**AUTH, "Accept": "text/html"})
    assert html.status == 406
    ok = get(api, "/v1/account", headers={**AUTH, "Accept": "application/json"})
    assert ok.status == 200


def test_key_never_in_repr_or_log(api: FakeKnowBe4API) -> None:
    get(api, "/v1/account")
    get(api, "/v1/account", headers={"Authorization": f"Bearer {OTHER_KEY}x"})
    text = repr(api) + repr(api.log.entries())
    assert DEMO_API_KEY not in text and OTHER_KEY not in text


# -- rate limits -------------------------------------------------------------------------


def test_four_per_second_then_429(api: FakeKnowBe4API, clock: Clock) -> None:
    api.config.rate_limit = True
    statuses = [get(api, "/v1/account").status for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    limited = get(api, "/v1/account")
    assert limited.json() == {"message": "Too Many Requests"}
    assert limited.header("retry-after") is None
    # Another key has its own budget.
    assert get(api, "/v1/account", headers={"Authorization": f"Bearer {OTHER_KEY}"}).status == 200
    clock.now += 1.0
    assert get(api, "/v1/account").status == 200
    api.config.retry_after = True
    for _ in range(4):
        get(api, "/v1/account")
    assert get(api, "/v1/account").header("retry-after") == "1"


def test_fifty_per_minute(api: FakeKnowBe4API, clock: Clock) -> None:
    api.config.rate_limit = True
    statuses = []
    for _ in range(60):
        statuses.append(get(api, "/v1/account").status)
        clock.now += 0.3  # 3.3/s: under the per-second limit
    assert statuses[:50] == [200] * 50
    assert 429 in statuses[50:]
    clock.now += 60
    assert get(api, "/v1/account").status == 200


def test_daily_quota_is_2000_plus_seats(api: FakeKnowBe4API, clock: Clock) -> None:
    seats = ORG.account["number_of_seats"]
    api.config = FakeAPIConfig(daily_base=5 - seats, per_second=10**6, per_minute=10**6)
    statuses = [get(api, "/v1/account").status for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert api.requests_today() == 5
    clock.now += 86_400
    assert get(api, "/v1/account").status == 200


# -- faults ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "action"),
    [("500", 500, "respond"), ("503", 503, "respond"), ("drop", 0, "drop"), ("timeout", 0, "hang")],
)
def test_fault_kinds(api: FakeKnowBe4API, kind: str, status: int, action: str) -> None:
    api.config.fault_rate = 1.0
    api.config.fault_kinds = (kind,)
    api.config.hang_seconds = 3.0
    response = get(api, "/v1/account")
    assert (response.status, response.action) == (status, action)
    if action == "hang":
        assert response.hang == 3.0
    assert (
        api.log.entries()[-1].outcome
        == {"respond": "ok", "drop": "drop", "hang": "timeout"}[action]
    )


def test_429_burst_without_retry_after(api: FakeKnowBe4API) -> None:
    api.config.fault_rate = 1.0
    api.config.fault_kinds = ("429",)
    api.config.retry_after = True
    api.config.burst_length = 3
    first = get(api, "/v1/account")
    api.config.fault_rate = 0.0
    rest = [get(api, "/v1/account") for _ in range(3)]
    assert [r.status for r in [first, *rest]] == [429, 429, 429, 200]
    assert all(r.header("retry-after") is None for r in [first, *rest])


def test_faults_are_seeded_and_roughly_at_the_rate(api: FakeKnowBe4API) -> None:
    def run(seed: int) -> list[int]:
        api.config = FakeAPIConfig(
            rate_limit=False, fault_rate=0.2, fault_kinds=("500", "503"), fault_seed=seed
        )
        return [get(api, "/v1/account").status for _ in range(300)]

    first, again, other = run(1), run(1), run(2)
    assert first == again != other
    assert 30 <= sum(s != 200 for s in first) <= 90


def test_latency_is_reported_for_the_front_ends(api: FakeKnowBe4API) -> None:
    api.config.latency = 0.25
    assert get(api, "/v1/account").delay == 0.25


def test_log_counts_by_path_and_status(api: FakeKnowBe4API) -> None:
    get(api, "/v1/training/campaigns")
    get(api, "/v1/training/campaigns", page=2)
    get(api, "/v1/training/enrollments")
    get(api, "/v1/users/1")
    assert api.log.count("/v1/training/") == 3
    assert api.log.count("/v1/training/campaigns") == 2
    assert api.log.count(status=404) == 1
    entry = api.log.entries()[1]
    assert entry.query == {"page": "2"} and entry.org == ORG.account["name"]
    api.log.clear()
    assert len(api.log) == 0


def test_default_api_serves_the_demo_key_lazily() -> None:
    api = FakeKnowBe4API(config=FakeAPIConfig(rate_limit=False))
    assert api.handle("GET", "/v1/account", "", AUTH).status == 200
    assert isinstance(api.org(), DemoOrg)
    assert api.org().enrollments_generated == 0


def test_rate_limit_counts_arrivals_not_the_end_of_slow_work(clock: Clock) -> None:
    """A client that paces its sends at 4/s must not be refused because the server was
    slow (here: generating the organisation) on an earlier request."""

    def slow_generation() -> DemoOrg:
        clock.now += 0.9
        return ORG

    api = FakeKnowBe4API({DEMO_API_KEY: slow_generation}, clock=clock)
    sent_at = clock.now
    assert get(api, "/v1/account").status == 200
    assert [get(api, "/v1/account").status for _ in range(3)] == [200, 200, 200]
    clock.now = sent_at + 1.0
    assert get(api, "/v1/account").status == 200
    assert api.log.entries()[0].at == sent_at
