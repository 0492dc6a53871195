"""run_export streams pages into the writer and propagates failures unchanged.

Uses a small in-memory page source with the client's iter_raw_pages/get_raw shape; the
end-to-end tests against the fake HTTP API are in test_cli_export.py.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

import pytest

from kb4tui.api.errors import ServerError
from kb4tui.core.compliance import OVERDUE_COLUMNS
from kb4tui.exporting.filters import RecordFilter
from kb4tui.exporting.kinds import EXPORT_KINDS, enrollment_params
from kb4tui.exporting.output import Output
from kb4tui.exporting.overdue import OVERDUE_CSV_COLUMNS, export_overdue
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


async def test_overdue_reads_campaigns_cheaply_and_active_users_only() -> None:
    campaigns = [
        {
            "campaign_id": 1,
            "name": "Annual",
            "status": "In Progress",
            "end_date": "2026-01-31T00:00:00.000Z",
        },
        {
            "campaign_id": 2,
            "name": "Later",
            "status": "In Progress",
            "end_date": "2026-03-10T00:00:00.000Z",
        },
    ]

    def enrollment(eid: int, cid: int, status: str, user_id: int | None) -> dict[str, Any]:
        user = (
            None
            if user_id is None
            else {"id": user_id, "first_name": f"U{user_id}", "email": f"u{user_id}@example.com"}
        )
        return {
            "enrollment_id": eid,
            "campaign_id": cid,
            "module_name": "Basics",
            "status": status,
            "user": user,
            "enrollment_date": "2026-01-01T00:00:00.000Z",
        }

    rows = [
        enrollment(10, 1, "Past Due", 100),
        enrollment(11, 1, "Passed", 101),
        enrollment(12, 2, "Not Started", 102),  # due in 8 days
        enrollment(13, 1, "past_due", None),  # null user: still reported
    ]
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    results = {}
    for within in (None, 10):
        sink = io.BytesIO()
        source = PagedSource({"campaigns": [campaigns], "enrollments": [rows]}, sink)
        writer = make_writer("json", Output(sink), OVERDUE_CSV_COLUMNS)
        await export_overdue(
            source, writer, enrollment_params={"campaign_id": None}, within_days=within, now=now
        )
        assert source.calls[0] == ("campaigns", {"exclude_percentages": True})
        assert source.calls[1][1]["exclude_archived_users"] is True
        results[within] = json.loads(sink.getvalue())
    assert {r["enrollment_id"] for r in results[None]} == {10, 13}
    assert {r["enrollment_id"] for r in results[10]} == {10, 12, 13}
    soon = next(r for r in results[10] if r["enrollment_id"] == 12)
    assert soon["days_overdue"] == -8
    assert soon["deadline"] == "2026-03-10T00:00:00Z"
    assert set(soon) == set(OVERDUE_COLUMNS)

    sink = io.BytesIO()
    source = PagedSource({"campaigns": [campaigns], "enrollments": [rows]}, sink)
    writer = make_writer("csv", Output(sink), OVERDUE_CSV_COLUMNS)
    await export_overdue(source, writer, enrollment_params={}, status="PAST-DUE", now=now)
    lines = sink.getvalue().decode().splitlines()
    assert lines[0] == ",".join(OVERDUE_COLUMNS)
    assert len(lines) == 3
