"""The People pane's rows, a group's progress in one campaign, the campaigns offered for a
group, and the estimate of how many enrollments a first fill reads."""

from __future__ import annotations

from typing import Any

import pytest
from core_factories import NOW, campaign, enrollment, ts

from kb4tui.api.models import Group, User
from kb4tui.core.not_enrolled import Reason, enrollments_by_user
from kb4tui.core.people_view import (
    Standing,
    campaigns_for_group,
    estimate_enrollment_rows,
    group_names,
    group_progress,
    people_rows,
)
from kb4tui.core.person_training import training_by_user

SALES = {"group_id": 7, "name": "Sales"}


def person(user_id: int, **fields: Any) -> User:
    data: dict[str, Any] = {
        "id": user_id,
        "first_name": f"User{user_id}",
        "status": "active",
        "groups": [7],
        "joined_on": ts("2025-01-01T09:00"),
    }
    data.update(fields)
    return User.from_api(data)


def test_people_rows_name_groups_and_tell_unknown_training_from_none() -> None:
    users = [person(1, groups=[7, 99]), person(2, groups=None), person(3)]
    training = training_by_user([enrollment(1, user_id=1)], [campaign(1)], NOW)
    names = group_names([Group.from_api({"id": 7, "name": "Sales [/Q3]"})])
    rows = people_rows(users, training, names)
    assert [r.groups for r in rows] == [("Sales [/Q3]", "group 99"), (), ("Sales [/Q3]",)]
    assert rows[0].training is not None and rows[0].training.counts.not_started == 1
    # No enrollment at all is an empty summary; enrollments not fetched is None.
    assert rows[2].training is not None and rows[2].training.counts.total == 0
    assert all(r.training is None for r in people_rows(users, None, names))


@pytest.mark.parametrize(
    ("statuses", "standing", "done"),
    [
        (["Passed", "Exempted"], Standing.COMPLETED, "2/2"),
        (["Passed", "Not Started"], Standing.IN_PROGRESS, "1/2"),
        (["In Progress"], Standing.IN_PROGRESS, "0/1"),
        (["Not Started", "Not Started"], Standing.NOT_STARTED, "0/2"),
        (["Passed", "Past Due"], Standing.PAST_DUE, "1/2"),
    ],
)
def test_a_members_standing_in_the_campaign(
    statuses: list[str], standing: Standing, done: str
) -> None:
    target = campaign(1, groups=[SALES])
    rows = [enrollment(i, user_id=1, campaign_id=1, status=s) for i, s in enumerate(statuses)]
    rows.append(enrollment(9, user_id=1, campaign_id=2, status="Past Due"))  # elsewhere
    [progress] = group_progress([person(1)], target, enrollments_by_user(rows), NOW)
    assert (progress.standing, progress.done_text, progress.missing) == (standing, done, None)


def test_members_not_enrolled_carry_the_reason() -> None:
    target = campaign(1, groups=[SALES], auto_enroll=False)
    members = [person(1, joined_on=ts("2026-02-01T09:00")), person(2)]
    found = group_progress(members, target, {}, NOW)
    assert [m.standing for m in found] == [Standing.NOT_ENROLLED] * 2
    assert [m.missing.reason for m in found if m.missing] == [
        Reason.JOINED_AFTER_START,
        Reason.UNKNOWN,
    ]
    assert found[0].done_text == ""


def test_campaigns_for_a_group_put_its_own_first_then_all_users_and_only_active_ones() -> None:
    campaigns = [
        campaign(1, groups=[{"group_id": 8, "name": "IT"}]),
        campaign(2, groups=[SALES], status="Closed"),
        campaign(3, groups=[SALES]),
        campaign(4, groups=[{"group_id": 0, "name": "All Users"}], status="Active"),
        campaign(5, groups=[{"group_id": 8, "name": "IT"}, SALES]),
    ]
    assert [c.campaign_id for c in campaigns_for_group(campaigns, 7)] == [3, 5, 4, 1]


def test_enrollments_are_estimated_from_targets_and_content() -> None:
    groups = [Group.from_api({"id": 7, "member_count": 40}), Group.from_api({"id": 8})]
    items = [{"store_purchase_id": 1, "name": "A"}, {"store_purchase_id": 2, "name": "B"}]
    campaigns = [
        campaign(1, groups=[{"group_id": 0, "name": "All Users"}], content=items),
        campaign(2, groups=[SALES], content=items[:1]),
        campaign(3, groups=[SALES], status="Scheduled", content=items),  # nobody yet
    ]
    assert estimate_enrollment_rows(campaigns, groups, 100) == 100 * 2 + 40
    assert estimate_enrollment_rows(campaigns, groups, None) is None
    unknown = campaign(4, groups=[{"group_id": 8, "name": "IT"}])
    assert estimate_enrollment_rows([unknown], groups, 100) is None
