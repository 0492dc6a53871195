"""Each person's training at a glance: counts by status, earliest open deadline, lateness."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from core_factories import NOW, campaign, enrollment, ts
from hypothesis import given
from hypothesis import strategies as st

from kb4tui.api.models import Campaign
from kb4tui.core.campaign_index import CampaignIndex
from kb4tui.core.deadlines import enrollment_deadline
from kb4tui.core.lifecycle import campaign_phase
from kb4tui.core.person_training import training_by_user
from kb4tui.core.status import EnrollmentState, classify

ANNUAL = campaign(1, end_date=ts("2026-02-27T04:59"))  # 7 days after NOW
ONBOARDING = campaign(2, end_date=None, relative_duration="2 weeks")
CANCELLED = campaign(3, status="Cancelled", end_date=ts("2026-01-20T04:59"))
CLOSED = campaign(4, status="Closed", end_date=ts("2026-02-01T04:59"))
CAMPAIGNS = [ANNUAL, ONBOARDING, CANCELLED, CLOSED]


def test_counts_every_enrollment_by_status_and_skips_null_users() -> None:
    rows = [
        enrollment(1, user_id=1, status="Passed"),
        enrollment(2, user_id=1, status="past_due"),
        enrollment(3, user_id=1, status="Not Started", campaign_id=3),
        enrollment(4, user_id=1, status="Awaiting review"),
        enrollment(5, user_id=2, status="Exempted"),
        enrollment(6, user_id=None, status="Not Started"),
    ]
    found = training_by_user(rows, CAMPAIGNS, NOW)
    assert set(found) == {1, 2}
    one = found[1].counts
    assert (one.completed, one.past_due, one.not_started, one.unknown) == (1, 1, 1, 1)
    assert one.unknown_labels == {"Awaiting review": 1}
    # The cancelled campaign's row is counted, but asks nothing: it is not open work.
    assert found[1].open_items == 1
    assert found[2].counts.exempted == 1 and found[2].open_items == 0
    assert found[2].earliest_open_deadline is None and found[2].days_overdue is None


def test_earliest_open_deadline_across_campaign_kinds() -> None:
    rows = [
        enrollment(1, user_id=1, campaign_id=1, status="In Progress"),
        # Enrolled Feb 1 with 2 weeks: due Feb 15, five days ago.
        enrollment(
            2,
            user_id=1,
            campaign_id=2,
            status="Not Started",
            enrollment_date=ts("2026-02-01T10:00"),
        ),
        enrollment(
            3, user_id=1, campaign_id=2, status="Passed", enrollment_date=ts("2026-01-01T10:00")
        ),
    ]
    person = training_by_user(rows, CAMPAIGNS, NOW)[1]
    assert person.earliest_open_deadline == datetime.fromisoformat("2026-02-15T10:00:00+00:00")
    assert (person.days_left, person.days_overdue) == (-5, 5)
    assert person.open_items == 2 and person.open_without_deadline == 0


def test_closed_campaigns_still_ask_cancelled_ones_do_not() -> None:
    rows = [
        enrollment(1, user_id=1, campaign_id=4, status="Past Due"),
        enrollment(2, user_id=1, campaign_id=3, status="Past Due"),
    ]
    person = training_by_user(rows, CAMPAIGNS, NOW)[1]
    assert person.earliest_open_deadline == CLOSED.end_date
    assert person.days_overdue == 19


def test_open_work_without_a_deadline_is_counted_apart() -> None:
    rows = [
        enrollment(1, user_id=1, campaign_id=99, campaign_name="Gone", status="Not Started"),
        enrollment(2, user_id=1, campaign_id=2, status="In Progress", enrollment_date=None),
    ]
    person = training_by_user(rows, CAMPAIGNS, NOW)[1]
    assert (person.open_items, person.open_without_deadline) == (2, 2)
    assert person.earliest_open_deadline is None and person.days_left is None


def test_days_left_counts_dates_in_the_viewers_zone() -> None:
    rows = [enrollment(1, user_id=1, campaign_id=1, status="Not Started")]
    # 2026-02-27T04:59Z is still Feb 26 in New York.
    utc = training_by_user(rows, CAMPAIGNS, NOW)[1]
    new_york = training_by_user(rows, CAMPAIGNS, NOW, tz=ZoneInfo("America/New_York"))[1]
    assert (utc.days_left, new_york.days_left) == (7, 6)


statuses = st.sampled_from(["Not Started", "In Progress", "Past Due", "Passed", "Exempted", "?"])
dates = st.sampled_from(["2026-01-05T10:00", "2026-02-01T10:00", "2026-02-19T23:00", None])


@given(
    picks=st.lists(
        st.tuples(st.integers(1, 4), st.sampled_from([1, 2, 3, 4, 50]), statuses, dates),
        max_size=30,
    )
)
def test_matches_the_deadline_rule_row_by_row(
    picks: list[tuple[int, int, str, str | None]],
) -> None:
    rows = [
        enrollment(
            i,
            user_id=user_id,
            campaign_id=campaign_id,
            status=status,
            enrollment_date=ts(when) if when else None,
        )
        for i, (user_id, campaign_id, status, when) in enumerate(picks)
    ]
    found = training_by_user(rows, CAMPAIGNS, NOW)
    index = CampaignIndex(CAMPAIGNS)
    for user_id in {e.user_id for e in rows}:
        assert user_id is not None
        own = [e for e in rows if e.user_id == user_id]
        open_rows = [
            (e, index.campaign_for(e))
            for e in own
            if classify(e.status)
            in (EnrollmentState.NOT_STARTED, EnrollmentState.IN_PROGRESS, EnrollmentState.PAST_DUE)
        ]
        open_rows = [(e, c) for e, c in open_rows if not _cancelled(c)]
        deadlines = [d for e, c in open_rows if (d := enrollment_deadline(e, c)) is not None]
        person = found[user_id]
        assert person.counts.total == len(own)
        assert person.open_items == len(open_rows)
        assert person.open_without_deadline == len(open_rows) - len(deadlines)
        assert person.earliest_open_deadline == (min(deadlines) if deadlines else None)


def _cancelled(campaign: Campaign | None) -> bool:
    return campaign is not None and campaign_phase(campaign).label in ("Cancelled", "Archived")
