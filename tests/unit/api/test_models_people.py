"""Users and groups as the API sends them (knowbe4-api.md §4.1-4.2): realistic records keep
their values, and nulls, missing keys, renamed fields and odd types never break a record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb4tui.api.models import Group, User

# The documented user sample's shape, with every key.
USER: dict[str, Any] = {
    "id": 667542,
    "employee_number": "19425",
    "first_name": "William",
    "last_name": "Marcoux",
    "job_title": "VP of Sales",
    "email": "wmarcoux@kb4-demo.com",
    "phish_prone_percentage": 14.235,
    "phone_number": "555-554-2222",
    "extension": "1234",
    "mobile_phone_number": "555-553-4422",
    "location": "Office A",
    "division": "Sales",
    "manager_name": "Michael Scott",
    "manager_email": "mscott@kb4-demo.com",
    "provisioning_managed": False,
    "provisioning_guid": None,
    "groups": [3264],
    "current_risk_score": 45.742,
    "aliases": ["alias_email@kb4-demo.com"],
    "joined_on": "2019-04-02T15:02:38.000Z",
    "last_sign_in": "2019-04-02T15:02:38.000Z",
    "status": "active",
    "organization": "KB4-Demo",
    "department": "Sales",
    "language": "English - United States",
    "comment": "Low PPP",
    "employee_start_date": "2019-04-02T15:02:38.000Z",
    "archived_at": None,
    "custom_field_1": "Building 1",
    "custom_field_2": None,
    "custom_field_3": None,
    "custom_field_4": None,
    "custom_date_1": "1986-11-28",
    "custom_date_2": None,
}

GROUP: dict[str, Any] = {
    "id": 3264,
    "name": "Sales [/Q3]",
    "group_type": "console_group",
    "provisioning_guid": "abc12345-6789-0abc-def1-234567890abc",
    "member_count": 42,
    "current_risk_score": 45.742,
    "status": "active",
}


def test_the_documented_user_keeps_every_value() -> None:
    user = User.from_api(USER)
    assert (user.id, user.employee_number, user.full_name) == (667542, "19425", "William Marcoux")
    assert user.groups == [3264]
    assert (user.manager_name, user.manager_email) == ("Michael Scott", "mscott@kb4-demo.com")
    assert (user.department, user.phish_prone_percentage) == ("Sales", 14.235)
    assert user.current_risk_score == 45.742
    assert user.joined_on == datetime(2019, 4, 2, 15, 2, 38, tzinfo=UTC)
    assert user.employee_start_date == user.joined_on
    assert user.archived_at is None and not user.is_archived


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ([], []),
        ([1, 2], [1, 2]),
        ([{"group_id": 5, "name": "x"}, {"id": 6}], [5, 6]),  # expand=group shapes
        (["7", 8, None, True, 2.5, "x"], [7, 8]),  # unreadable ids cost only themselves
        (None, None),  # null: not reported, which is not "in no group"
        ("3264", None),
        ({"group_id": 1}, None),
    ],
)
def test_groups_null_or_odd_is_not_reported_rather_than_empty(
    groups: Any, expected: list[int] | None
) -> None:
    assert User.from_api({**USER, "groups": groups}).groups == expected


def test_missing_groups_key_is_not_reported() -> None:
    data = {k: v for k, v in USER.items() if k != "groups"}
    assert User.from_api(data).groups is None


def test_renamed_provisioning_fields_and_an_archived_user() -> None:
    old = {k: v for k, v in USER.items() if not k.startswith("provisioning")}
    user = User.from_api(
        {
            **old,
            "adi_manageable": True,
            "adi_guid": "g-1",
            "status": "archived",
            "archived_at": "2026-01-03T10:00:00.000Z",
        }
    )
    assert (user.provisioning_managed, user.provisioning_guid) == (True, "g-1")
    assert user.is_archived
    assert User.from_api({"id": 1, "archived_at": "2026-01-03T10:00:00.000Z"}).is_archived
    assert User.from_api({"id": 1, "status": "ARCHIVED"}).is_archived


def test_a_user_with_nothing_but_nulls() -> None:
    user = User.from_api(dict.fromkeys(USER))
    assert user.id is None and user.groups is None and user.aliases == []
    assert user.full_name == "" and not user.is_archived


def test_groups_keep_values_and_accept_old_names() -> None:
    group = Group.from_api(GROUP)
    assert (group.id, group.label, group.member_count) == (3264, "Sales [/Q3]", 42)
    legacy = Group.from_api({"group_id": 9, "adi_guid": "g", "member_count": None})
    assert (legacy.id, legacy.provisioning_guid, legacy.label) == (9, "g", "group 9")


user_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.lists(st.one_of(st.integers(), st.text(max_size=4), st.none()), max_size=4),
    st.sampled_from(["2026-01-12T14:00:05.000Z", "2026-13-45T99:99:99Z", "[/Q3]", "1e400"]),
)


@given(
    changes=st.dictionaries(st.sampled_from(sorted(USER)), user_values, max_size=8),
    dropped=st.sets(st.sampled_from(sorted(USER)), max_size=8),
)
def test_a_damaged_user_keeps_its_readable_fields(
    changes: dict[str, Any], dropped: set[str]
) -> None:
    data = {k: v for k, v in {**USER, **changes}.items() if k not in dropped}
    user = User.from_api(data)
    untouched = set(USER) - set(changes) - dropped
    if "email" in untouched:
        assert user.email == USER["email"]
    if "manager_name" in untouched:
        assert user.manager_name == "Michael Scott"
    if "groups" in untouched:
        assert user.groups == [3264]
    if "groups" in dropped:
        assert user.groups is None
    assert user.groups is None or all(isinstance(g, int) for g in user.groups)
    user.model_dump()


@given(
    page=st.lists(
        st.fixed_dictionaries(
            {"id": st.integers(1, 10**6), "name": st.one_of(st.none(), st.text(max_size=20))},
            optional={
                "member_count": st.one_of(st.none(), st.integers(), st.text(max_size=3)),
                "group_type": st.one_of(st.none(), st.text(max_size=10)),
                "current_risk_score": st.one_of(st.none(), st.floats(), st.text(max_size=3)),
            },
        ),
        max_size=10,
    )
)
def test_group_pages_parse_whole(page: list[dict[str, Any]]) -> None:
    groups = Group.from_api_list(page)
    assert [g.id for g in groups] == [row["id"] for row in page]
    assert all(g.label for g in groups)
