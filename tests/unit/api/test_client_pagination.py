"""Pagination: page mode edge cases, speculative ordered fetching, cursor mode, campaigns."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
import pytest
from client_fakes import FakeAPI, campaign_rows, enrollment_rows, json_response, list_raw

from kb4tui.api.errors import ResponseFormatError, ServerError
from kb4tui.api.pagination import ordered_pages
from kb4tui.api.resources import RESOURCES

ENROLLMENTS = "/v1/training/enrollments"
CAMPAIGNS = "/v1/training/campaigns"


def pages_requested(api: FakeAPI, path: str = ENROLLMENTS) -> list[int]:
    return sorted(int(r.url.params["page"]) for r in api.requests if r.url.path == path)


@pytest.mark.parametrize(
    ("rows", "pages"),
    [(0, [1]), (1, [1, 2]), (499, [1, 2]), (500, [1, 2]), (501, [1, 2, 3]), (1500, [1, 2, 3, 4])],
)
async def test_page_mode_stops_on_first_empty_page(rows: int, pages: list[int]) -> None:
    data = enrollment_rows(rows)
    sequential = FakeAPI(lists={ENROLLMENTS: data})
    async with sequential.client(window=1) as client:
        assert await list_raw(client, "enrollments") == data
    assert pages_requested(sequential) == pages
    assert all(r.url.params["per_page"] == "500" for r in sequential.requests)

    speculative = FakeAPI(lists={ENROLLMENTS: data})
    async with speculative.client(window=8) as client:
        assert await list_raw(client, "enrollments") == data
    requested = pages_requested(speculative)
    assert requested[: len(pages)] == pages
    # Speculation never skips a page and never runs more than a window past the end.
    assert requested == list(range(1, len(requested) + 1))
    assert len(requested) <= len(pages) + 7


async def test_short_page_is_not_the_end() -> None:
    """A server that serves fewer rows than asked per page still yields every row."""
    data = enrollment_rows(45)

    def capped(request: httpx.Request, n: int) -> httpx.Response:
        page = int(request.url.params["page"])
        return json_response(data[(page - 1) * 10 : page * 10])

    api = FakeAPI(hook=capped)
    async with api.client() as client:
        got = await list_raw(client, "enrollments")
    assert got == data
    assert pages_requested(api, ENROLLMENTS)[-1] == 6  # 5 pages of data, then the empty one


async def test_pages_arrive_out_of_order_but_are_yielded_in_order() -> None:
    data = enrollment_rows(20 * 500)
    rng = random.Random(7)
    delays = {page: rng.uniform(0.0, 0.02) for page in range(1, 40)}
    api = FakeAPI(lists={ENROLLMENTS: data}, latency=lambda page: delays[page])
    async with api.client(window=8) as client:
        pages = [p async for p in client.iter_raw_pages("enrollments")]
    assert [len(p) for p in pages] == [500] * 20
    flat = [row for page in pages for row in page]
    ids = [row["enrollment_id"] for row in flat]
    assert ids == sorted(ids) and len(set(ids)) == len(data) == len(ids)
    requested = pages_requested(api)
    assert requested[:21] == list(range(1, 22))
    assert len(requested) <= 21 + 7  # at most a window of pages past the empty one


async def test_expected_rows_hint_requests_exactly_the_needed_pages() -> None:
    data = enrollment_rows(2600)  # 6 pages
    api = FakeAPI(lists={ENROLLMENTS: data})
    async with api.client(window=16) as client:
        got = await client.enrollments(expected_rows=2600)
    assert [e.enrollment_id for e in got] == [r["enrollment_id"] for r in data]
    assert pages_requested(api) == [1, 2, 3, 4, 5, 6, 7]


async def test_hint_too_small_still_fetches_everything() -> None:
    data = enrollment_rows(3100)
    api = FakeAPI(lists={ENROLLMENTS: data})
    async with api.client() as client:
        got = await list_raw(client, "enrollments", expected_rows=600)
    assert got == data


async def test_all_pages_requested_concurrently_within_window() -> None:
    """With a hint the pager has several requests in flight at once."""
    in_flight = 0
    peak = 0
    data = enrollment_rows(4000)

    async def hook(request: httpx.Request, n: int) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1

    api = FakeAPI(lists={ENROLLMENTS: data}, hook=hook)
    async with api.client(window=6) as client:
        assert len(await list_raw(client, "enrollments", expected_rows=4000)) == 4000
    assert peak == 6


async def test_stopping_early_cancels_pages_ahead() -> None:
    started: list[int] = []
    finished: list[int] = []
    data = enrollment_rows(5000)

    async def slow(request: httpx.Request, n: int) -> None:
        page = int(request.url.params["page"])
        started.append(page)
        await asyncio.sleep(0 if page == 1 else 5)
        finished.append(page)

    api = FakeAPI(lists={ENROLLMENTS: data}, hook=slow)
    async with api.client(window=4) as client:
        pages = client.iter_raw_pages("enrollments", expected_rows=5000)
        first = await anext(pages)
        await pages.aclose()
    assert len(first) == 500
    assert finished == [1] and set(started) == {1, 2, 3, 4}


async def test_error_on_a_needed_page_propagates_and_cancels_the_rest() -> None:
    def fail_page_3(request: httpx.Request, n: int) -> httpx.Response | None:
        if request.url.params.get("page") == "3":
            return json_response({}, 501)
        return None

    api = FakeAPI(lists={ENROLLMENTS: enrollment_rows(3000)}, hook=fail_page_3)
    async with api.client() as client:
        with pytest.raises(ServerError, match="HTTP 501"):
            await list_raw(client, "enrollments")


async def test_row_repeated_across_a_page_boundary_is_yielded_once() -> None:
    data = enrollment_rows(1000)

    def shifted(request: httpx.Request, n: int) -> httpx.Response:
        page = int(request.url.params["page"])
        # An enrollment was added at the top between page 1 and page 2: page 2 repeats row 500.
        start = 0 if page == 1 else (page - 1) * 500 - 1
        return json_response(data[start : start + 500] if page <= 3 else [])

    api = FakeAPI(hook=shifted)
    async with api.client() as client:
        got = await list_raw(client, "enrollments")
    assert [r["enrollment_id"] for r in got] == [r["enrollment_id"] for r in data]


async def test_page_mode_tolerates_a_data_wrapper() -> None:
    data = enrollment_rows(700)
    api = FakeAPI(lists={ENROLLMENTS: data}, page_wrapper=True)
    async with api.client() as client:
        assert await list_raw(client, "enrollments") == data


@pytest.mark.parametrize("wrapper", [False, True])
async def test_cursor_mode_follows_x_next_cursor(wrapper: bool) -> None:
    data = enrollment_rows(1234)
    api = FakeAPI(lists={ENROLLMENTS: data}, cursor_wrapper=wrapper)
    async with api.client(pagination="cursor") as client:
        pages = [p async for p in client.iter_enrollment_pages()]
    assert [len(p) for p in pages] == [500, 500, 234]
    cursors = [r.url.params["cursor"] for r in api.requests]
    assert cursors == ["true", "c500", "c1000"]  # header empty on the last page: stop
    assert all("page" not in r.url.params for r in api.requests)


async def test_cursor_mode_stops_on_empty_page_and_absent_header() -> None:
    def empty_with_cursor(request: httpx.Request, n: int) -> httpx.Response:
        return json_response([], **{"x-next-cursor": "again"})

    api = FakeAPI(hook=empty_with_cursor)
    async with api.client(pagination="cursor") as client:
        assert await list_raw(client, "enrollments") == []
    assert len(api.requests) == 1

    api = FakeAPI(hook=lambda request, n: json_response([{"enrollment_id": 1}]))
    async with api.client(pagination="cursor") as client:
        assert await list_raw(client, "enrollments") == [{"enrollment_id": 1}]
    assert len(api.requests) == 1


async def test_cursor_from_wrapper_field_and_repeated_cursor_refused() -> None:
    def wrapped(request: httpx.Request, n: int) -> httpx.Response:
        return json_response({"data": [{"enrollment_id": n}], "next_cursor": "same"})

    api = FakeAPI(hook=wrapped)
    async with api.client(pagination="cursor") as client:
        with pytest.raises(ResponseFormatError, match="same page cursor"):
            await list_raw(client, "enrollments")
    assert [r.url.params["cursor"] for r in api.requests] == ["true", "same"]


@pytest.mark.parametrize("kind", ["users", "groups", "store_purchases", "policies", "campaigns"])
async def test_cursor_mode_asks_only_the_enrollments_for_a_cursor(kind: str) -> None:
    """The docs allow `cursor` only on Get all Training Enrollments (knowbe4-api.md §2.2):
    every other list keeps page numbers in cursor mode."""
    api = FakeAPI(lists={RESOURCES[kind].path: [], ENROLLMENTS: []}, campaign_cap=None)
    async with api.client(pagination="cursor") as client:
        assert await list_raw(client, kind) == []
        assert await list_raw(client, "enrollments") == []
    listed = [r for r in api.requests if r.url.path == RESOURCES[kind].path]
    assert listed and all("cursor" not in r.url.params for r in listed)
    assert all("page" in r.url.params for r in listed)
    enrollments = [r for r in api.requests if r.url.path == ENROLLMENTS]
    assert [r.url.params.get("cursor") for r in enrollments] == ["true"]


@pytest.mark.parametrize("count", [0, 1, 10, 37, 120])
async def test_campaigns_with_percentages_despite_the_10_row_cap(count: int) -> None:
    data = campaign_rows(count)
    api = FakeAPI(lists={CAMPAIGNS: data}, campaign_cap=10)
    async with api.client() as client:
        campaigns = await client.campaigns()
        raw = await list_raw(client, "campaigns")
    assert [c.campaign_id for c in campaigns] == [r["campaign_id"] for r in data]
    assert [c.completion_percentage for c in campaigns] == [
        float(r["completion_percentage"]) for r in data
    ]
    assert raw == data
    capped = [r for r in api.requests if "exclude_percentages" not in r.url.params]
    assert all(r.url.params["per_page"] == "10" for r in capped)
    full = [r for r in api.requests if r.url.params.get("exclude_percentages") == "true"]
    assert full and all(r.url.params["per_page"] == "500" for r in full)


async def test_campaigns_smaller_cap_fills_gaps_by_id() -> None:
    """If the server caps below 10, campaigns missed by the capped pages are fetched by id."""
    data = campaign_rows(23)
    objects = {f"{CAMPAIGNS}/{r['campaign_id']}": r for r in data}
    api = FakeAPI(lists={CAMPAIGNS: data}, objects=objects, campaign_cap=7)
    async with api.client() as client:
        campaigns = await client.campaigns()
    ids = [c.campaign_id or 0 for c in campaigns]
    assert sorted(ids) == [r["campaign_id"] for r in data] and len(set(ids)) == 23
    assert all(c.completion_percentage is not None for c in campaigns)


async def test_campaign_deleted_between_listings_keeps_listed_row() -> None:
    data = campaign_rows(12)

    def drop_last_from_capped(request: httpx.Request, n: int) -> httpx.Response | None:
        if request.url.path == CAMPAIGNS and "exclude_percentages" not in request.url.params:
            page = int(request.url.params["page"])
            return json_response(data[:11][(page - 1) * 10 : page * 10])
        return None

    api = FakeAPI(lists={CAMPAIGNS: data}, hook=drop_last_from_capped)
    async with api.client() as client:
        campaigns = await client.campaigns()
    assert [c.campaign_id for c in campaigns] == [r["campaign_id"] for r in data]
    assert campaigns[-1].completion_percentage is None  # 404 by id: the listed row is kept


async def test_campaigns_without_percentages_is_one_listing() -> None:
    data = campaign_rows(30)
    api = FakeAPI(lists={CAMPAIGNS: data})
    async with api.client() as client:
        pages = [p async for p in client.iter_campaign_pages(with_percentages=False)]
    assert [c.completion_percentage for p in pages for c in p] == [None] * 30
    assert all(r.url.params["exclude_percentages"] == "true" for r in api.requests)
    assert len(api.requests) == 2


async def test_ordered_pages_rejects_bad_window() -> None:
    async def fetch(page: int) -> list[dict[str, Any]]:
        return []

    with pytest.raises(ValueError):
        await anext(ordered_pages(fetch, window=0))


async def test_capped_campaign_pages_follow_the_full_listing_count() -> None:
    """Once the uncapped listing has the count, exactly the needed capped pages are asked."""

    async def slow_first_capped_page(request: httpx.Request, n: int) -> None:
        capped = "exclude_percentages" not in request.url.params
        if capped and request.url.params.get("page") == "1":
            await asyncio.sleep(0.05)

    api = FakeAPI(lists={CAMPAIGNS: campaign_rows(37)}, hook=slow_first_capped_page)
    async with api.client(window=8) as client:
        assert len(await client.campaigns()) == 37
    capped = [r for r in api.requests if "exclude_percentages" not in r.url.params]
    assert sorted(int(r.url.params["page"]) for r in capped) == [1, 2, 3, 4, 5]


async def test_ordered_pages_deferred_hint() -> None:
    rows = [{"id": i} for i in range(25)]
    requested: list[int] = []
    count: int | None = None

    async def fetch(page: int) -> list[dict[str, Any]]:
        nonlocal count
        requested.append(page)
        count = len(rows)  # the hint becomes known while page 1 is in flight
        return rows[(page - 1) * 10 : page * 10]

    pages = [p async for p in ordered_pages(fetch, per_page=10, expected_rows=lambda: count)]
    assert [len(p) for p in pages] == [10, 10, 5]
    assert requested == [1, 2, 3, 4]
