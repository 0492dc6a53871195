"""run_export streams pages into the writer and propagates failures unchanged.

Uses a small in-memory page source with the client's iter_raw_pages/get_raw shape; the
end-to-end tests against the fake HTTP API are in test_cli_export.py.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from kb4tui.api.errors import ServerError
from kb4tui.exporting.filters import RecordFilter
from kb4tui.exporting.kinds import EXPORT_KINDS, enrollment_params
from kb4tui.exporting.output import Output
from kb4tui.exporting.runner import run_export
from kb4tui.exporting.writers import make_writer


class PagedSource:
    """Serves fixed pages per kind; records what was asked and how much was written."""

    def __init__(self, pages: dict[str, list[list[dict[str, Any]]]], sink: io.BytesIO) -> None:
        self.pages = pages
        self.sink = sink
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.bytes_seen_before_page: list[int] = []
        self.fail_at: tuple[str, int] | None = None

    async def iter_raw_pages(
        self, kind: str, **filters: Any
    ) -> AsyncGenerator[list[dict[str, Any]], None]:
        self.calls.append((kind, filters))
        for number, page in enumerate(self.pages.get(kind, []), start=1):
            self.bytes_seen_before_page.append(len(self.sink.getvalue()))
            if self.fail_at == (kind, number):
                raise ServerError(status=503, request_id="req-1")
            yield page

    async def get_raw(self, kind: str, item_id: int) -> dict[str, Any]:
        raise NotImplementedError


def enrollments(first: int, count: int, status: str = "Passed") -> list[dict[str, Any]]:
    return [{"enrollment_id": i, "status": status} for i in range(first, first + count)]


async def test_pages_are_written_as_they_arrive() -> None:
    sink = io.BytesIO()
    source = PagedSource({"enrollments": [enrollments(1, 500), enrollments(501, 3)]}, sink)
    kind = EXPORT_KINDS["enrollments"]
    count = await run_export(source, kind, make_writer("json", Output(sink), kind.columns))
    assert count == 503
    assert [r["enrollment_id"] for r in json.loads(sink.getvalue())] == list(range(1, 504))
    # Page one was already in the output when page two was requested.
    assert source.bytes_seen_before_page[0] == 0
    assert source.bytes_seen_before_page[1] > 0


async def test_server_filters_and_include_flags_reach_the_client() -> None:
    sink = io.BytesIO()
    source = PagedSource({}, sink)
    kind = EXPORT_KINDS["enrollments"]
    params = enrollment_params({"campaign": 7, "user": None, "module": 9})
    await run_export(
        source, kind, make_writer("csv", Output(sink), kind.columns), server_params=params
    )
    assert source.calls == [
        (
            "enrollments",
            {
                "include_campaign_id": True,
                "include_store_purchase_id": True,
                "include_employee_number": True,
                "campaign_id": 7,
                "store_purchase_id": 9,
            },
        )
    ]
    assert sink.getvalue().decode().startswith("enrollment_id,campaign_id,")


async def test_status_filter_keeps_raw_records_and_rows_in_step() -> None:
    pages = [
        enrollments(1, 3, "Past Due") + enrollments(4, 2, "passed"),
        enrollments(6, 1, "past_due"),
    ]
    for fmt in ("json", "csv"):
        sink = io.BytesIO()
        kind = EXPORT_KINDS["enrollments"]
        count = await run_export(
            PagedSource({"enrollments": pages}, sink),
            kind,
            make_writer(fmt, Output(sink), kind.columns),
            record_filter=RecordFilter(status="PAST DUE"),
        )
        assert count == 4
        text = sink.getvalue().decode()
        if fmt == "json":
            assert [r["status"] for r in json.loads(text)] == ["Past Due"] * 3 + ["past_due"]
        else:
            assert [line.split(",")[0] for line in text.splitlines()[1:]] == ["1", "2", "3", "6"]


async def test_modules_are_purchases_then_policies_filtered_by_type() -> None:
    sink = io.BytesIO()
    source = PagedSource(
        {
            "store_purchases": [
                [
                    {"store_purchase_id": 1, "type": "Video", "name": "V"},
                    {"store_purchase_id": 2, "type": "Game", "name": "G"},
                ]
            ],
            "policies": [[{"policy_id": 3, "content_type": "Uploaded Policy", "name": "P"}]],
        },
        sink,
    )
    kind = EXPORT_KINDS["modules"]
    writer = make_writer("json", Output(sink), kind.columns)
    await run_export(source, kind, writer, record_filter=RecordFilter(content_type="policy"))
    assert [kind for kind, _ in source.calls] == ["store_purchases", "policies"]
    assert json.loads(sink.getvalue()) == [
        {"policy_id": 3, "content_type": "Uploaded Policy", "name": "P"}
    ]


async def test_a_failing_page_propagates_and_the_array_stays_open() -> None:
    sink = io.BytesIO()
    source = PagedSource({"enrollments": [enrollments(1, 2), enrollments(3, 2)]}, sink)
    source.fail_at = ("enrollments", 2)
    kind = EXPORT_KINDS["enrollments"]
    with pytest.raises(ServerError):
        await run_export(source, kind, make_writer("json", Output(sink), kind.columns))
    with pytest.raises(json.JSONDecodeError):
        json.loads(sink.getvalue())
