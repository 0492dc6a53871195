"""What a paged list may hold (issue 20 items 8 and 10, issue 12 item 27): pages no larger
than asked, records with their id (or set aside and counted), enrollments that share an
id all kept, and a list that does not end stopped with one sentence."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from client_fakes import FakeAPI, enrollment_rows, json_response, list_raw

from kb4tui.api.errors import EndlessListingError, ResponseFormatError
from kb4tui.api.listing_guard import AccountScale, PageCap

ENROLLMENTS = "/v1/training/enrollments"
CAMPAIGNS = "/v1/training/campaigns"
USERS = "/v1/users"
ACCOUNT = "/v1/account"


def pages_of(pages: dict[int, list[dict[str, Any]]]) -> FakeAPI:
    """Answers `page=N` from `pages` (missing pages are empty), any path."""

    def hook(request: httpx.Request, n: int) -> httpx.Response | None:
        if request.url.path == ACCOUNT:
            return None
        page = int(request.url.params.get("page", "1"))
        return json_response(pages.get(page, []))

    return FakeAPI(hook=hook)


async def test_a_page_larger_than_per_page_is_refused() -> None:
    api = pages_of({1: [{"id": i} for i in range(501)]})
    async with api.client() as client:
        with pytest.raises(ResponseFormatError, match="501 users on one page where at most 500"):
            await list_raw(client, "users")


async def test_records_without_their_id_are_skipped_and_counted() -> None:
    """6,990,507 `{}` rows exited 0 as records. A bad record among good ones is set aside
    (and counted, for the export's summary); the good ones are kept."""
    rows = [{"campaign_id": 1, "name": "A"}, {}, {"name": "no id"}, {"campaign_id": 2}]
    api = pages_of({1: rows})
    async with api.client() as client:
        got = await list_raw(client, "campaigns", exclude_percentages=True)
        assert got == [rows[0], rows[3]]
        assert client.tally.without_id == 2


async def test_a_page_where_no_record_has_an_id_is_a_format_error() -> None:
    api = pages_of({1: [{} for _ in range(500)], 2: [{} for _ in range(500)]})
    async with api.client() as client:
        with pytest.raises(ResponseFormatError, match="none of which has its campaign_id"):
            await list_raw(client, "campaigns", exclude_percentages=True)


@pytest.mark.parametrize(
    ("kind", "row"),
    [
        ("store_purchases", {"store_purchased_id": 7}),
        ("store_purchases", {"id": 7}),
        ("policies", {"id": 7}),
        ("users", {"user_id": 7}),
        ("groups", {"group_id": 7}),
        ("enrollments", {"id": 7}),
        ("campaigns", {"campaign_id": "7"}),
    ],
)
async def test_ids_under_the_names_older_api_versions_used_count(
    kind: str, row: dict[str, Any]
) -> None:
    api = pages_of({1: [row]})
    async with api.client() as client:
        options = {"exclude_percentages": True} if kind == "campaigns" else {}
        assert await list_raw(client, kind, **options) == [row]
        assert client.tally.without_id == 0


async def test_enrollments_that_share_an_id_are_all_kept() -> None:
    """A third party's 5-row fixture repeats one enrollment_id on three rows of two
    campaigns: de-duplication by id made it 3 rows and lost the only Passed row."""
    fixture = [
        {"enrollment_id": 1, "campaign_id": 10, "status": "Not Started", "user": {"id": 1}},
        {"enrollment_id": 1, "campaign_id": 10, "status": "In Progress", "user": {"id": 2}},
        {"enrollment_id": 1, "campaign_id": 11, "status": "Passed", "user": {"id": 3}},
        {"enrollment_id": 2, "campaign_id": 11, "status": "Past Due", "user": {"id": 4}},
        {"enrollment_id": 3, "campaign_id": 11, "status": "Not Started", "user": {"id": 5}},
    ]
    api = pages_of({1: fixture[:2], 2: fixture[2:]})
    async with api.client() as client:
        got = await list_raw(client, "enrollments")
    assert got == fixture
    assert [row["status"] for row in got].count("Passed") == 1


async def test_only_a_record_repeated_at_a_page_boundary_is_dropped() -> None:
    """An offset shift between requests sends the last record of a page again at the
    start of the next: that identical record goes, a distinct one with its id stays."""
    rows = enrollment_rows(1000)
    page1, page2 = rows[:500], rows[500:]
    twin = {**page1[-1], "status": "Passed", "campaign_id": 999}  # same id, distinct
    api = pages_of({1: page1, 2: [page1[-1], twin, *page2[:498]], 3: page2[498:]})
    async with api.client() as client:
        got = await list_raw(client, "enrollments")
        assert got == [*page1, twin, *page2]
        assert client.tally.repeats == 1


async def test_a_server_repeating_one_page_is_stopped_at_the_second_page() -> None:
    """A server answering page 1 for every page kept an export running at 50 requests a
    minute until the quota was gone."""
    page = enrollment_rows(500)
    api = FakeAPI(hook=lambda request, n: json_response(page))
    async with api.client(window=1) as client:
        with pytest.raises(EndlessListingError, match="page 2 of the enrollments with nothing"):
            await list_raw(client, "enrollments")
    assert len(api.requests) == 2


async def test_a_server_repeating_one_page_of_users_is_stopped() -> None:
    page = [{"id": i} for i in range(500)]
    api = FakeAPI(hook=lambda request, n: json_response(page))
    async with api.client() as client:
        with pytest.raises(EndlessListingError):
            await list_raw(client, "users")
    assert len(api.requests) <= 8


async def test_a_short_page_of_repeats_is_the_end_of_the_list() -> None:
    """A record inserted at the front while listing pushes one record onto page 2."""
    rows = [{"id": i} for i in range(500)]
    api = pages_of({1: rows, 2: [rows[-1]], 3: [{"id": 9999}]})
    async with api.client(window=1) as client:
        assert await list_raw(client, "users") == rows
    assert len(api.requests) == 2


async def test_a_list_inventing_new_ids_stops_at_the_page_cap_of_the_account() -> None:
    """Seats x content (per_page 500, margin 2): an account of 3 seats and 5 content items
    may have at most 30 enrollments, one page; the server invents pages forever."""
    campaigns = [{"campaign_id": 1, "content": [{"store_purchase_id": i} for i in range(5)]}]

    def endless(request: httpx.Request, n: int) -> httpx.Response:
        if request.url.path == ACCOUNT:
            return json_response({"name": "Acme", "number_of_seats": 3})
        if request.url.path == CAMPAIGNS:
            page = int(request.url.params["page"])
            return json_response(campaigns if page == 1 else [])
        page = int(request.url.params["page"])
        return json_response(enrollment_rows(500, start=page * 1000))

    api = FakeAPI(hook=endless)
    cap = PageCap(min_seats=1, min_content=1)
    async with api.client(page_cap=cap, window=1) as client:
        with pytest.raises(EndlessListingError) as info:
            await list_raw(client, "enrollments")
    assert "more than 1 pages of enrollments" in info.value.sentence
    assert "3 seats" in info.value.sentence and info.value.exit_code == 3
    # The facts were asked once each, only when the floors were passed.
    assert api.count(ACCOUNT) == 1 and api.count(CAMPAIGNS) == 2
    assert api.count(ENROLLMENTS) == 2


async def test_the_page_cap_uses_what_the_client_already_knows() -> None:
    """An account fetched earlier (the TUI's header, `auth status`) sets the cap: no
    extra request."""

    def endless(request: httpx.Request, n: int) -> httpx.Response:
        if request.url.path == ACCOUNT:
            return json_response({"name": "Acme", "number_of_seats": 2})
        return json_response([{"id": n * 1000 + i} for i in range(500)])

    api = FakeAPI(hook=endless)
    async with api.client(page_cap=PageCap(min_seats=1, rows_per_seat=500), window=1) as client:
        await client.account()
        with pytest.raises(EndlessListingError, match="more than 4 pages of users"):
            await list_raw(client, "users")
    assert api.count(ACCOUNT) == 1 and api.count(USERS) == 5


async def test_the_default_cap_leaves_room_for_a_big_account() -> None:
    """The floors alone (1,000 seats, 100 content items, margin 2) allow 200,000
    enrollments before the account is even asked."""
    assert PageCap().max_pages("enrollments", 500, AccountScale()) == 400
    assert PageCap().max_pages("users", 500, AccountScale()) == 40
    big = AccountScale(seats=20_000, content=300)
    assert PageCap().max_rows("enrollments", big) == 12_000_000


async def test_endless_percentage_pages_of_campaigns_are_bounded() -> None:
    """The 10-a-page campaign listing may not run far past the authoritative list."""
    listed = [{"campaign_id": i} for i in range(3)]

    def hook(request: httpx.Request, n: int) -> httpx.Response:
        page = int(request.url.params["page"])
        if request.url.params.get("exclude_percentages") == "true":
            return json_response(listed if page == 1 else [])
        return json_response([{"campaign_id": 1000 * page + i} for i in range(10)])

    api = FakeAPI(hook=hook)
    async with api.client(window=1) as client:
        with pytest.raises(EndlessListingError, match="pages of 10 campaigns"):
            await list_raw(client, "campaigns")
    assert api.count(CAMPAIGNS) < 15
