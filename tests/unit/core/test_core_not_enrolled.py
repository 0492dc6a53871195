"""Why is this person not enrolled? Each reason, the precedence between them, and the
honest "unknown" when the data shows nothing (or leaves a fact out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from core_factories import NOW, campaign, enrollment, ts
from hypothesis import given, settings
from hypothesis import strategies as st

from kb4tui.api.models import Campaign, Enrollment, User
from kb4tui.core.campaign_index import CampaignIndex
from kb4tui.core.not_enrolled import (
    PRECEDENCE,
    NotEnrolled,
    Reason,
    active_campaigns,
    in_target_group,
    is_enrolled,
    missing_from_active_campaigns,
    not_enrolled_in,
    why_not_enrolled,
)

SALES = {"group_id": 7, "name": "Sales"}
FINANCE = {"group_id": 8, "name": "Finance"}
ALL_USERS = {"group_id": 0, "name": "All Users"}
BASICS = {"store_purchase_id": 8123, "content_type": "Store Purchase", "name": "Basics"}
AUP = {"policy_id": 30, "content_type": "Uploaded Policy", "name": "Acceptable Use"}


def person(user_id: int = 1, *, omit: tuple[str, ...] = (), **fields: Any) -> User:
    """A user who joined long before the default campaign (2026-01-12), in group 7."""
    data: dict[str, Any] = {
        "id": user_id,
        "first_name": f"User{user_id}",
        "email": f"u{user_id}@example.com",
        "status": "active",
        "groups": [7],
        "joined_on": ts("2025-03-01T09:00"),
        "employee_start_date": ts("2025-02-20T00:00"),
        "archived_at": None,
    }
    data.update(fields)
    for key in omit:
        data.pop(key, None)
    return User.from_api(data)


def why(user: User, target: Campaign, held: list[Enrollment] | None = None) -> NotEnrolled:
    return why_not_enrolled(user, target, held or [], NOW)


def elsewhere(module: str = "Basics", **fields: Any) -> Enrollment:
    """The user's enrollment in another campaign (id 2)."""
    fields.setdefault("campaign_name", "Onboarding")
    return enrollment(50, user_id=1, campaign_id=2, module=module, **fields)


@dataclass(frozen=True)
class Case:
    user: dict[str, Any]
    campaign: dict[str, Any]
    held: tuple[dict[str, Any], ...]
    reason: Reason
    says: tuple[str, ...]


CASES: dict[str, Case] = {
    "archived": Case(
        {"status": "archived", "archived_at": ts("2026-01-03T10:00")},
        {},
        (),
        Reason.ARCHIVED,
        ("archived on 2026-01-03",),
    ),
    "archived comes first": Case(
        {"status": "archived", "groups": [3], "joined_on": ts("2026-02-01T09:00")},
        {"status": "Scheduled", "groups": [SALES], "auto_enroll": False},
        (),
        Reason.ARCHIVED,
        ("archived",),
    ),
    "scheduled campaign": Case(
        {}, {"status": "Scheduled"}, (), Reason.NOT_STARTED, ("has not started",)
    ),
    "start date still ahead": Case(
        {},
        {"start_date": ts("2026-03-01T09:00")},
        (),
        Reason.NOT_STARTED,
        ("starts 2026-03-01",),
    ),
    "in no target group, auto-enrol": Case(
        {"groups": [3]},
        {"groups": [SALES, FINANCE]},
        (),
        Reason.NO_TARGET_GROUP,
        ("(Sales, Finance)", "Adding the user to one of them enrols them"),
    ),
    "in no target group, manual": Case(
        {"groups": []},
        {"groups": [SALES], "auto_enroll": False},
        (),
        Reason.NO_TARGET_GROUP,
        ("(Sales)", "does not enrol them by itself"),
    ),
    "no target group beats a late join": Case(
        {"groups": [3], "joined_on": ts("2026-02-01T09:00")},
        {"groups": [SALES], "auto_enroll": False},
        (),
        Reason.NO_TARGET_GROUP,
        ("Sales",),
    ),
    "All Users covers a user whose groups are not reported": Case(
        {"groups": None},
        {"groups": [ALL_USERS]},
        (),
        Reason.UNKNOWN,
        ("targets All Users", "joined 2025-03-01, before the start 2026-01-12"),
    ),
    "groups not reported is not 'no group'": Case(
        {"groups": None},
        {"groups": [SALES]},
        (),
        Reason.UNKNOWN,
        ("did not report the user's groups",),
    ),
    "campaign without target groups": Case(
        {}, {"groups": []}, (), Reason.UNKNOWN, ("the campaign's target groups",)
    ),
    "a target group known only by name": Case(
        {"groups": [3]},
        {"groups": [{"name": "Interns"}]},
        (),
        Reason.UNKNOWN,
        ("the id of target group 'Interns'",),
    ),
    "joined after the start of a manual campaign": Case(
        {"joined_on": ts("2026-02-02T09:00")},
        {"groups": [SALES], "auto_enroll": False},
        (),
        Reason.JOINED_AFTER_START,
        ("Joined 2026-02-02, after the campaign started 2026-01-12", "does not auto-enrol"),
    ),
    "join date from employee_start_date": Case(
        {"joined_on": None, "employee_start_date": ts("2026-02-02T00:00")},
        {"auto_enroll": False},
        (),
        Reason.JOINED_AFTER_START,
        ("(employee_start_date)",),
    ),
    "joined after the end of an auto-enrol campaign": Case(
        {"joined_on": ts("2026-02-10T09:00")},
        {"auto_enroll": True, "end_date": ts("2026-02-05T23:59")},
        (),
        Reason.JOINED_AFTER_END,
        ("after the campaign ended 2026-02-05", "auto-enrol stops"),
    ),
    "joined late, but the campaign auto-enrols": Case(
        {"joined_on": ts("2026-02-02T09:00")},
        {"auto_enroll": True},
        (),
        Reason.UNKNOWN,
        ("after the start 2026-01-12, and the campaign auto-enrols",),
    ),
    "joined late, auto_enroll not reported": Case(
        {"joined_on": ts("2026-02-02T09:00")},
        {"auto_enroll": None},
        (),
        Reason.UNKNOWN,
        ("whether the campaign auto-enrols",),
    ),
    "no join date at all": Case(
        {"joined_on": None, "employee_start_date": None},
        {},
        (),
        Reason.UNKNOWN,
        ("a join date",),
    ),
    "same module through another campaign": Case(
        {},
        {"content": [BASICS], "allow_multiple_enrollments": False},
        ({"module": "Basics", "store_purchase_id": 8123},),
        Reason.SAME_CONTENT,
        ("Already enrolled in 'Basics' through 'Onboarding'", "does not allow multiple"),
    ),
    "same policy, matched by name": Case(
        {},
        {"content": [AUP], "allow_multiple_enrollments": None},
        ({"module": "acceptable use ", "store_purchase_id": None},),
        Reason.SAME_CONTENT,
        ("'Acceptable Use'", "does not report whether it allows multiple"),
    ),
    "same content, but retakes are allowed": Case(
        {},
        {"content": [BASICS], "allow_multiple_enrollments": True},
        ({"module": "Basics", "store_purchase_id": 8123},),
        Reason.UNKNOWN,
        ("holds 'Basics' through 'Onboarding', but this campaign allows multiple",),
    ),
    "ids decide over names": Case(
        {},
        {"content": [BASICS]},
        ({"module": "Basics", "store_purchase_id": 9999},),
        Reason.UNKNOWN,
        ("no enrollment in its content elsewhere",),
    ),
    "late join beats same content": Case(
        {"joined_on": ts("2026-02-02T09:00")},
        {"content": [BASICS], "auto_enroll": False},
        ({"module": "Basics", "store_purchase_id": 8123},),
        Reason.JOINED_AFTER_START,
        ("after the campaign started",),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_reason(name: str) -> None:
    case = CASES[name]
    held = [elsewhere(**fields) for fields in case.held]
    found = why(person(**case.user), campaign(1, **case.campaign), held)
    assert found.reason is case.reason, found.explanation
    for fragment in case.says:
        assert fragment in found.explanation
    assert "None" not in found.explanation


def test_names_the_groups_that_would_enrol_them() -> None:
    target = campaign(1, groups=[SALES, {"group_id": 9}, {"group_id": 4, "name": "[/Q3] Team"}])
    found = why_not_enrolled(person(groups=[3]), target, [], NOW, group_names={9: "Legal"})
    assert found.reason is Reason.NO_TARGET_GROUP
    assert found.target_groups == ("Sales", "Legal", "[/Q3] Team")


def test_names_the_other_campaign_from_the_index_when_the_row_has_no_name() -> None:
    other = campaign(2, name="Phishing Basics")
    row = enrollment(50, user_id=1, campaign_id=2, campaign_name="", module="Basics")
    found = why_not_enrolled(
        person(), campaign(1, content=[BASICS]), [row], NOW, campaigns=CampaignIndex([other])
    )
    assert found.reason is Reason.SAME_CONTENT
    assert found.other_campaigns == ("Phishing Basics",)


def test_rows_of_the_same_campaign_are_not_elsewhere() -> None:
    own = enrollment(50, user_id=1, campaign_id=1, module="Basics")
    assert why(person(), campaign(1, content=[BASICS]), [own]).reason is Reason.UNKNOWN


def test_is_enrolled_by_id_else_by_name() -> None:
    target = campaign(1, name="Annual 2026")
    assert is_enrolled(target, [enrollment(1, campaign_id=1)])
    assert not is_enrolled(target, [enrollment(1, campaign_id=2, campaign_name="Annual 2026")])
    by_name = enrollment(1, campaign_id=None, campaign_name=" annual 2026")
    assert is_enrolled(target, [by_name])
    assert not is_enrolled(target, [enrollment(1, campaign_id=None, campaign_name="")])


def test_active_campaigns_are_the_running_ones() -> None:
    statuses = ["In Progress", "Active", "Completed", "Closed", "Cancelled", "Archived", "Odd"]
    campaigns = [campaign(i, status=s) for i, s in enumerate(statuses)]
    assert [c.status for c in active_campaigns(campaigns)] == ["In Progress", "Active"]


def test_missing_from_active_campaigns_skips_held_and_finished_ones() -> None:
    campaigns = [
        campaign(1, status="In Progress"),
        campaign(2, status="In Progress", groups=[FINANCE]),
        campaign(3, status="Closed"),
        campaign(4, status="Active", auto_enroll=False, groups=[SALES]),
    ]
    held = [enrollment(1, user_id=1, campaign_id=1)]
    user = person(joined_on=ts("2026-02-01T09:00"))
    found = missing_from_active_campaigns(user, campaigns, held, NOW)
    assert [(n.campaign.campaign_id, n.reason) for n in found] == [
        (2, Reason.NO_TARGET_GROUP),
        (4, Reason.JOINED_AFTER_START),
    ]


def test_not_enrolled_in_lists_active_users_without_a_row_in_order() -> None:
    target = campaign(1, groups=[SALES], content=[BASICS], allow_multiple_enrollments=False)
    users = [
        person(5),
        person(2, groups=[8]),
        person(3, status="archived"),
        person(4),
        User.from_api({"first_name": "No id"}),
        person(6),
    ]
    rows = [
        enrollment(1, user_id=5, campaign_id=1),
        enrollment(2, user_id=6, campaign_id=9, module="Basics"),
        enrollment(3, user_id=None, campaign_id=1),
    ]
    found = not_enrolled_in(target, users, rows, NOW)
    assert [(u.id, n.reason) for u, n in found] == [
        (2, Reason.NO_TARGET_GROUP),
        (4, Reason.UNKNOWN),
        (6, Reason.SAME_CONTENT),
    ]


# --- the precedence, against an independent statement of each reason --------------------

START = datetime(2026, 1, 12, 14, 0, tzinfo=NOW.tzinfo)
# Days from START; NOW is START + 39. Mostly present, so that later checks get reached.
offsets = st.one_of(st.none(), st.integers(min_value=-60, max_value=60), st.integers(-60, 60))


def mostly(value: Any, *others: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from([value, value, value, *others])


def stamp(days: int | None) -> str | None:
    return (
        None if days is None else (START + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    )


group_refs = st.sampled_from([ALL_USERS, SALES, FINANCE, {"name": "By name only"}, {"group_id": 9}])
contents = st.sampled_from([BASICS, AUP, {"store_purchase_id": 77, "name": "Other"}])


@st.composite
def situations(draw: st.DrawFn) -> tuple[User, Campaign, list[Enrollment]]:
    user = User.from_api(
        {
            "id": 1,
            "status": draw(mostly("active", "archived", None, "ACTIVE")),
            "archived_at": stamp(draw(mostly(None, -30, 10))),
            "groups": draw(
                st.one_of(st.none(), st.lists(st.sampled_from([3, 7, 8, 9]), max_size=3))
            ),
            "joined_on": stamp(draw(offsets)),
            "employee_start_date": stamp(draw(offsets)),
        }
    )
    target = campaign(
        1,
        status=draw(mostly("In Progress", "Active", "Scheduled", "Created", "Closed", None)),
        groups=draw(st.lists(group_refs, max_size=3)),
        start_date=stamp(draw(offsets)),
        end_date=stamp(draw(offsets)),
        auto_enroll=draw(st.sampled_from([True, False, None])),
        allow_multiple_enrollments=draw(st.sampled_from([True, False, None])),
        content=draw(st.lists(contents, max_size=2)),
    )
    held = [
        enrollment(
            10 + i,
            user_id=1,
            campaign_id=draw(st.sampled_from([2, 3])),
            module=draw(st.sampled_from(["Basics", "Acceptable Use", "Unrelated"])),
            store_purchase_id=draw(st.sampled_from([8123, 77, None])),
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    return user, target, held


def applicable(user: User, target: Campaign, held: list[Enrollment]) -> list[Reason]:
    """Every reason the data supports, stated directly from the module notes."""
    reasons: list[Reason] = []
    if user.status in ("archived",) or user.archived_at is not None:
        reasons.append(Reason.ARCHIVED)
    start = target.start_date
    if target.status in ("Scheduled", "Created") or (start is not None and start > NOW):
        reasons.append(Reason.NOT_STARTED)
    ids = [g.group_id for g in target.groups]
    groups_known = target.groups and None not in ids and user.groups is not None
    if groups_known and 0 not in ids and not set(ids) & set(user.groups or []):
        reasons.append(Reason.NO_TARGET_GROUP)
    joined = user.joined_on or user.employee_start_date
    if joined is not None and start is not None and joined > start:
        if target.auto_enroll is False:
            reasons.append(Reason.JOINED_AFTER_START)
        if target.auto_enroll is True and target.end_date is not None and joined > target.end_date:
            reasons.append(Reason.JOINED_AFTER_END)

    def same(row: Enrollment, item: dict[str, Any]) -> bool:
        if "store_purchase_id" in item and row.store_purchase_id is not None:
            return item["store_purchase_id"] == row.store_purchase_id
        return row.module.casefold() == str(item["name"]).casefold()

    items = [c.model_dump(exclude_none=True) for c in target.content_items]
    if target.allow_multiple_enrollments is not True and any(
        same(row, item) for row in held for item in items
    ):
        reasons.append(Reason.SAME_CONTENT)
    return reasons


@settings(max_examples=400)
@given(situation=situations())
def test_the_first_applicable_reason_wins(
    situation: tuple[User, Campaign, list[Enrollment]],
) -> None:
    user, target, held = situation
    found = why(user, target, held)
    supported = applicable(user, target, held)
    expected = min(supported, key=PRECEDENCE.index) if supported else Reason.UNKNOWN
    assert found.reason is expected, found.explanation
    assert found.explanation and "\n" not in found.explanation
    if found.reason not in (Reason.ARCHIVED, Reason.NOT_STARTED):
        member = in_target_group(user, target)
        assert (member is False) == (found.reason is Reason.NO_TARGET_GROUP)
    if found.reason is Reason.SAME_CONTENT:
        assert found.other_campaigns and "Campaign 1" not in found.other_campaigns
    assert len(found.target_groups) == len(target.groups)


@given(
    data=st.dictionaries(
        st.sampled_from(["groups", "joined_on", "status", "archived_at", "id"]),
        st.one_of(st.none(), st.text(max_size=5), st.integers(), st.lists(st.integers())),
    ),
    groups=st.lists(st.dictionaries(st.sampled_from(["group_id", "name"]), st.text(max_size=3))),
)
def test_hostile_users_and_groups_never_raise(data: dict[str, Any], groups: list[Any]) -> None:
    found = why(User.from_api(data), campaign(1, groups=groups))
    assert found.reason in Reason
