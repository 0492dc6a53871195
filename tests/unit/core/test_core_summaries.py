"""Status counts, completion %, duplicates."""

from __future__ import annotations

from datetime import UTC, datetime

from core_factories import campaign, enrollment

from kb4tui.api.models import Enrollment
from kb4tui.core.duplicates import find_duplicates, most_relevant
from kb4tui.core.status import EnrollmentState
from kb4tui.core.summaries import (
    StatusCounts,
    campaign_completion,
    count_by_status,
    counts_by_campaign,
    counts_by_module,
    counts_by_user,
)


def _rows(*statuses: str) -> list[Enrollment]:
    return [enrollment(i, user_id=i, status=s) for i, s in enumerate(statuses)]


def test_count_by_status_keeps_unknown_labels() -> None:
    counts = count_by_status(
        _rows("Passed", "Completed", "past_due", "Not Started", "In Progress", "Exempted", "Failed")
    )
    assert counts.completed == 2
    assert counts.past_due == 1
    assert counts.not_started == 1
    assert counts.in_progress == 1
    assert counts.exempted == 1
    assert counts.unknown == 1
    assert counts.unknown_labels == {"Failed": 1}
    assert counts.total == 7
    assert counts.compliant == 3
    assert counts.incomplete == 3
    assert counts[EnrollmentState.PAST_DUE] == 1


def test_completion_percent_counts_exempted_as_compliant_and_unknown_against() -> None:
    counts = count_by_status(_rows("Passed", "Exempted", "Not Started", "Mystery"))
    assert counts.completion_percent == 50.0
    assert StatusCounts().completion_percent is None


def test_campaign_completion_prefers_the_api_figure() -> None:
    counts = count_by_status(_rows("Passed", "Not Started"))
    api = campaign_completion(campaign(completion_percentage=62), counts)
    assert (api.percent, api.source) == (62, "api")
    zero = campaign_completion(campaign(completion_percentage=0), counts)
    assert (zero.percent, zero.source) == (0, "api")
    ours = campaign_completion(campaign(), counts)
    assert (ours.percent, ours.source) == (50.0, "computed")
    none = campaign_completion(campaign(), StatusCounts())
    assert (none.percent, none.source) == (None, "none")


def test_counts_by_campaign_module_and_user() -> None:
    rows = [
        enrollment(1, user_id=1, campaign_id=1, status="Passed", store_purchase_id=5),
        enrollment(2, user_id=1, campaign_id=2, status="Past Due", store_purchase_id=5),
        enrollment(3, user_id=2, campaign_id=None, campaign_name="Old  ", status="Passed"),
        enrollment(4, user_id=None, campaign_id=2, status="Not Started", store_purchase_id=6),
    ]
    by_campaign = counts_by_campaign(rows)
    assert set(by_campaign) == {1, 2, "old"}
    assert by_campaign[2].total == 2 and by_campaign[2].past_due == 1
    by_module = counts_by_module(rows)
    assert by_module[("store_purchase", 5)].total == 2
    by_user = counts_by_user(rows)
    assert by_user[1].total == 2 and by_user[None].not_started == 1


def test_find_duplicates_same_user_and_module() -> None:
    rows = [
        enrollment(1, user_id=1, campaign_id=1, store_purchase_id=5),
        enrollment(2, user_id=1, campaign_id=2, store_purchase_id=5),
        enrollment(3, user_id=2, campaign_id=1, store_purchase_id=5),
        enrollment(4, user_id=1, campaign_id=1, store_purchase_id=6),
        enrollment(5, user_id=None, store_purchase_id=5),
        enrollment(6, user_id=None, store_purchase_id=5),
        enrollment(7, user_id=3, store_purchase_id=None, module="Phish 101"),
        enrollment(8, user_id=3, store_purchase_id=None, module="phish 101 "),
    ]
    found = find_duplicates(rows)
    assert set(found) == {(1, ("store_purchase", 5)), (3, ("name", "phish 101"))}
    assert [e.enrollment_id for e in found[(1, ("store_purchase", 5))]] == [1, 2]


def test_most_relevant_prefers_latest_completion_then_start() -> None:
    done = enrollment(1, completion_date="2026-01-05T00:00:00Z")
    later_done = enrollment(2, completion_date="2026-02-05T00:00:00Z")
    started = enrollment(3, start_date="2026-03-01T00:00:00Z")
    assert most_relevant([done, later_done, started]) is later_done
    assert most_relevant([started, enrollment(4)]) is started
    assert most_relevant([]) is None
    assert later_done.completion_date == datetime(2026, 2, 5, tzinfo=UTC)
