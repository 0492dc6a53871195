"""The Compliance pane's rows and `export overdue`."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from core_factories import NOW, campaign, enrollment, purchase, ts, user

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.compliance import (
    OVERDUE_COLUMNS,
    ContentRiskReason,
    content_at_risk,
    deadline_rows,
    overdue_rows,
    people_at_risk,
)
from kb4tui.core.lifecycle import CampaignPhase

NEW_YORK = ZoneInfo("America/New_York")


def campaigns() -> list[Campaign]:
    return [
        campaign(1, end_date=ts("2026-02-27T04:59"), completion_percentage=62),
        campaign(2, end_date=None, relative_duration="2 weeks"),
        campaign(3, end_date=None, relative_duration=None),
        campaign(4, status="Closed", end_date=ts("2025-12-01T00:00")),
        campaign(5, end_date=None, relative_duration="string"),
        campaign(6, status="Cancelled", end_date=ts("2026-01-01T00:00")),
    ]


def enrollments() -> list[Enrollment]:
    return [
        enrollment(1, user_id=1, campaign_id=1, status="Past Due"),
        enrollment(2, user_id=1, campaign_id=1, status="Not Started", store_purchase_id=9),
        enrollment(3, user_id=4, campaign_id=1, status="Passed"),
        enrollment(4, user_id=5, campaign_id=1, status="In Progress"),
        # Campaign 2 rows carry only the campaign name (no include_campaign_id).
        enrollment(
            5,
            user_id=None,
            campaign_id=None,
            campaign_name="campaign 2",
            status="Past Due",
            enrollment_date=ts("2026-02-01T10:00"),
        ),
        enrollment(
            6,
            user_id=2,
            campaign_id=None,
            campaign_name="campaign 2",
            status="not_started",
            enrollment_date=ts("2026-02-10T10:00"),
        ),
        enrollment(
            7,
            user_id=3,
            campaign_id=None,
            campaign_name="campaign 2",
            status="In Progress",
            enrollment_date=ts("2026-02-18T10:00"),
        ),
        enrollment(
            8,
            user_id=8,
            campaign_id=None,
            campaign_name="campaign 2",
            status="Not Started",
            enrollment_date=ts("2026-02-01T11:00"),
        ),
        enrollment(
            9,
            user_id=10,
            campaign_id=None,
            campaign_name="campaign 2",
            status="Passed",
            enrollment_date=ts("2026-01-01T10:00"),
        ),
        enrollment(10, user_id=9, campaign_id=3, status="Past Due"),
        enrollment(11, user_id=4, campaign_id=4, status="Passed"),
        enrollment(12, user_id=6, campaign_id=6, status="Past Due"),
        enrollment(13, user_id=7, campaign_id=1, status="Past Due", store_purchase_id=9),
        enrollment(14, user_id=11, campaign_id=77, status="Past Due"),  # unknown campaign
    ]


ROWS = enrollments()


# --- deadlines ---------------------------------------------------------------------------


def test_deadline_rows_most_urgent_first_and_undated_last() -> None:
    rows = deadline_rows(campaigns(), ROWS, NOW)
    names = [r.campaign.campaign_id for r in rows]
    # Open work by deadline (2 is relative: earliest open 02-15), then campaigns with
    # nothing left to ask (closed 4; cancelled 6 despite its past-due row), then undated.
    assert names == [2, 1, 6, 4, 3, 5]
    by_id = {r.campaign.campaign_id: r for r in rows}
    assert by_id[2].deadline == datetime(2026, 2, 15, 10, tzinfo=UTC)
    assert by_id[2].days_left == -5
    assert by_id[2].is_relative and by_id[2].deadline_text == "2 weeks after enrollment"
    assert (by_id[2].not_started, by_id[2].in_progress, by_id[2].past_due) == (2, 1, 1)
    assert by_id[1].days_left == 7
    assert by_id[1].deadline_text == "2026-02-27"
    assert (by_id[1].completion.percent, by_id[1].completion.source) == (62, "api")
    assert by_id[2].completion.source == "computed"
    assert by_id[2].completion.percent == 20.0  # 1 passed of 5
    assert by_id[4].phase is CampaignPhase.CLOSED
    for undated in (by_id[3], by_id[5]):
        assert undated.deadline is None and undated.days_left is None
        assert undated.deadline_text == "no deadline known"


def test_deadline_rows_days_left_in_the_viewers_zone() -> None:
    (row,) = deadline_rows([campaign(1)], [], NOW, tz=NEW_YORK)
    assert row.days_left == 6  # 04:59Z on the 27th is the 26th in New York


def test_deadline_rows_with_nothing_loaded() -> None:
    assert deadline_rows([], ROWS, NOW) == []
    rows = deadline_rows(campaigns(), [], NOW)
    assert len(rows) == 6
    assert {r.campaign.campaign_id for r in rows if r.deadline is None} == {2, 3, 5}


# --- people at risk ---------------------------------------------------------------------


def test_people_at_risk_worst_first() -> None:
    people = people_at_risk(ROWS, campaigns(), NOW, users=[user(7, status="archived")])
    ids = [p.user_id for p in people]
    # Past due first: the null-user row (5 days overdue), users 11 and 9 (no deadline
    # known, ranked as due today), user 1 (due in 7); then overdue by date, then due soon.
    assert ids == [None, 11, 9, 1, 8, 2, 5]
    first, user1 = people[0], people[3]
    assert first.name == "" and first.items[0].days_left == -5
    assert user1.past_due_count == 1 and len(user1.items) == 2
    assert user1.items[0].status == "Past Due"  # past due item first
    assert user1.email == "u1@example.com"
    user2 = next(p for p in people if p.user_id == 2)
    assert user2.items[0].status == "not_started"  # shown as sent
    assert user2.worst_days_left == 4
    assert user2.items[0].campaign_name == "campaign 2"


def test_people_at_risk_window_and_exclusions() -> None:
    people = people_at_risk(ROWS, campaigns(), NOW, within_days=3)
    ids = {p.user_id for p in people}
    assert 2 not in ids and 5 not in ids  # due in 4 and 7 days
    assert 8 in ids  # its deadline has passed though the status still says Not Started
    assert 6 not in ids  # cancelled campaign
    assert 7 in ids  # archived only when users are given
    assert 11 in ids  # past due in a campaign we do not know


# --- overdue export ---------------------------------------------------------------------


def test_overdue_rows_past_due_and_passed_deadlines() -> None:
    rows = overdue_rows(ROWS, campaigns(), NOW, users=[user(7, status="archived")])
    assert [r.enrollment_id for r in rows] == [5, 8, 1, 10, 14]
    null_row = rows[0]
    assert null_row.user_id is None and null_row.name == "" and null_row.days_overdue == 5
    assert null_row.campaign == "campaign 2" and null_row.campaign_id == 2
    assert rows[2].days_overdue == -7 and rows[2].status == "Past Due"
    assert rows[3].deadline is None and rows[3].days_overdue is None


def test_overdue_rows_within_days_adds_due_soon() -> None:
    rows = overdue_rows(ROWS, campaigns(), NOW, within_days=7)
    ids = [r.enrollment_id for r in rows]
    assert set(ids) == {5, 8, 1, 13, 6, 2, 4, 10, 14}
    assert ids[:2] == [5, 8] and ids[-2:] == [10, 14]
    soon = next(r for r in rows if r.enrollment_id == 6)
    assert soon.days_overdue == -4


def test_overdue_record_shape() -> None:
    (row, *_) = overdue_rows(ROWS, campaigns(), NOW)
    record = row.as_record()
    assert tuple(record) == OVERDUE_COLUMNS
    assert record["deadline"] == "2026-02-15T10:00:00Z"
    assert record["status"] == "Past Due"


def test_overdue_employee_number_from_the_user_object() -> None:
    row = enrollment(1, user_id=None, status="Past Due", user={"id": 5, "employee_number": 40417})
    (out,) = overdue_rows([row], [campaign(1)], NOW)
    assert out.employee_number == "40417" and out.user_id == 5


# --- content at risk --------------------------------------------------------------------


def test_content_at_risk() -> None:
    camps = [
        campaign(1, content=[{"store_purchase_id": 1, "name": "Old"}]),
        campaign(2, content=[{"name": "Retiring soon"}]),  # no id: matched by name
        campaign(3, status="Closed", content=[{"store_purchase_id": 6, "name": "Gone"}]),
    ]
    purchases = [
        purchase(1, name="Old", retired=True),
        purchase(2, name="Retiring soon", retirement_date=ts("2026-02-25T00:00")),
        purchase(3, name="Licence", expiration_date=ts("2026-03-10T00:00")),
        purchase(4, name="Expired", expiration_date=ts("2026-02-01T00:00")),
        purchase(
            5,
            name="Fine",
            retirement_date=ts("2026-04-30T00:00"),
            expiration_date=ts("2027-01-01T00:00"),
        ),
        purchase(6, name="Gone", retired=True),
        purchase(7, name="Past retirement", retired=False, retirement_date=ts("2026-02-01T00:00")),
    ]
    risks = content_at_risk(purchases, camps, NOW)
    assert [r.purchase.store_purchase_id for r in risks] == [1, 6, 4, 7, 2, 3]
    by_id = {r.purchase.store_purchase_id: r for r in risks}
    assert by_id[1].reasons == (ContentRiskReason.RETIRED,)
    assert [c.campaign_id for c in by_id[1].campaigns] == [1]
    assert by_id[6].campaigns == ()  # only a closed campaign used it
    assert by_id[2].reasons == (ContentRiskReason.RETIRING,) and by_id[2].days_left == 5
    assert [c.campaign_id for c in by_id[2].campaigns] == [2]
    assert by_id[3].reasons == (ContentRiskReason.LICENCE_EXPIRING,) and by_id[3].days_left == 18
    assert by_id[4].reasons == (ContentRiskReason.LICENCE_EXPIRED,)
    assert by_id[7].reasons == (ContentRiskReason.RETIRED,)
    assert 3 not in {
        r.purchase.store_purchase_id for r in content_at_risk(purchases, camps, NOW, 10)
    }
