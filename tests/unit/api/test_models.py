"""Models and client parsing under realistic and hostile JSON (hypothesis).

from_api/from_api_list must never raise on any JSON object; a client listing hostile pages
must raise nothing but APIError subclasses.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from client_fakes import FakeAPI, json_response, list_raw
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb4tui.api.errors import APIError
from kb4tui.api.models import (
    Account,
    Campaign,
    Enrollment,
    Group,
    GroupRef,
    KBModel,
    Policy,
    StorePurchase,
    User,
    parse_content_item,
)

MODELS: list[type[KBModel]] = [
    Account,
    Campaign,
    Enrollment,
    Group,
    GroupRef,
    Policy,
    StorePurchase,
    User,
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "2026-01-12T14:00:05.000Z",
            "2026-01-12",
            "2026-13-45T99:99:99Z",
            "Passed",
            "past_due",
            "[/Q3]",
            "[bold red]x",
            "\u202e\u0000\ud7ff",
            "1e400",
            "x" * 5000,
        ]
    ),
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)

FIELD_NAMES = sorted(
    {name for model in MODELS for name in model.model_fields}
    | {
        "id",
        "user_id",
        "group_id",
        "store_purchased_id",
        "adi_guid",
        "adi_manageable",
        "content_name",
        "data",
        "message",
    }
)

# Objects whose keys are the real field names (so validation paths are exercised) with
# any JSON value, plus arbitrary extra keys.
hostile_objects = st.dictionaries(
    st.sampled_from(FIELD_NAMES) | st.text(max_size=8), json_values, max_size=25
)


def realistic_enrollment(i: int, user: Any, status: str) -> dict[str, Any]:
    return {
        "enrollment_id": i,
        "content_type": "Store Purchase",
        "module_name": "Basics [/Q3]",
        "user": user,
        "campaign_name": "2026 Annual",
        "campaign_id": 51234,
        "enrollment_date": "2026-01-12T14:00:05.000Z",
        "start_date": None,
        "completion_date": None,
        "status": status,
        "time_spent": 610,
        "policy_acknowledged": False,
    }


realistic_enrollments = st.builds(
    realistic_enrollment,
    st.integers(min_value=1, max_value=10**9),
    st.one_of(
        st.none(),
        st.fixed_dictionaries(
            {
                "id": st.integers(min_value=1),
                "first_name": st.text(max_size=20),
                "last_name": st.text(max_size=20),
                "email": st.emails(),
                "employee_number": st.one_of(st.integers(), st.text(max_size=8), st.none()),
            }
        ),
    ),
    st.sampled_from(["Passed", "In Progress", "Not Started", "Past Due", "Exempted", "Weird"]),
)


@settings(max_examples=150, deadline=None)
@given(data=hostile_objects)
def test_from_api_never_raises_on_any_object(data: dict[str, Any]) -> None:
    for model in MODELS:
        parsed = model.from_api(data)
        assert isinstance(parsed, model)
        parsed.model_dump()  # and the result is usable
    item = parse_content_item(data)
    assert isinstance(item, StorePurchase | Policy)


@settings(max_examples=80, deadline=None)
@given(page=st.lists(json_values, max_size=8))
def test_from_api_list_never_raises_and_skips_non_objects(page: list[Any]) -> None:
    for model in MODELS:
        parsed = model.from_api_list(page)
        assert len(parsed) == sum(isinstance(item, dict) for item in page)


@settings(max_examples=80, deadline=None)
@given(row=realistic_enrollments)
def test_realistic_enrollments_keep_their_values(row: dict[str, Any]) -> None:
    enrollment = Enrollment.from_api(row)
    assert enrollment.enrollment_id == row["enrollment_id"]
    assert enrollment.status == row["status"]  # unknown statuses survive as sent
    assert enrollment.module_name == "Basics [/Q3]"
    assert enrollment.enrollment_date == datetime(2026, 1, 12, 14, 0, 5, tzinfo=UTC)
    if row["user"] is None:
        assert enrollment.user is None and enrollment.user_name == ""
    else:
        assert enrollment.user is not None and enrollment.user.id == row["user"]["id"]
        number = row["user"]["employee_number"]
        assert enrollment.user.employee_number == (None if number is None else str(number))


def test_nested_content_and_legacy_names() -> None:
    campaign = Campaign.from_api(
        {
            "campaign_id": 1,
            "content": [[{"store_purchased_id": 5, "name": "A"}, {"policy_id": 6, "published": 1}]],
            "groups": None,
            "completion_percentage": "62",
        }
    )
    assert [type(c).__name__ for c in campaign.content] == ["StorePurchase", "Policy"]
    assert campaign.groups == [] and campaign.completion_percentage == 62.0
    user = User.from_api({"id": 1, "adi_guid": "g", "groups": [1, "2", {"group_id": 3}, True]})
    assert user.provisioning_guid == "g" and user.groups == [1, 2, 3]
    # One unreadable id ("²" passes str.isdigit, not int) costs only itself, not the list.
    assert User.from_api({"id": 1, "groups": [4, "\u00b2", "5"]}).groups == [4, 5]


hostile_bodies = st.one_of(
    json_values.map(lambda v: json_response(v)),
    st.lists(hostile_objects, max_size=5).map(lambda rows: json_response(rows)),
    st.binary(max_size=50).map(lambda b: httpx.Response(200, content=b)),
    st.sampled_from(
        [
            json_response({"message": "Invalid Token"}),
            json_response({"data": None}),
            json_response({"data": [1, 2]}),
            httpx.Response(200, content=b"[" * 50_000),
            httpx.Response(200, content=json.dumps([{"id": 1}] * 3).encode()[:-1]),
        ]
    ),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=hostile_bodies, second=hostile_bodies)
async def test_client_parsing_hostile_pages_raises_only_api_errors(
    first: httpx.Response, second: httpx.Response
) -> None:
    bodies = [first, second]

    def hook(request: httpx.Request, n: int) -> httpx.Response:
        if n <= len(bodies):
            source = bodies[n - 1]
            return httpx.Response(
                source.status_code, content=source.content, headers=source.headers
            )
        return json_response([])

    for call in ("users", "campaigns", "account", "enrollment", "raw"):
        api = FakeAPI(hook=hook)
        async with api.client() as client:
            try:
                if call == "users":
                    result: Any = await client.users()
                elif call == "campaigns":
                    result = await client.campaigns()
                elif call == "account":
                    result = await client.account()
                elif call == "enrollment":
                    result = await client.enrollment(1)
                else:
                    result = await list_raw(client, "enrollments")
            except APIError:
                continue
        assert result is not None


@pytest.mark.parametrize("model", MODELS)
def test_from_api_refuses_non_objects_with_type_error(model: type[KBModel]) -> None:
    with pytest.raises(TypeError):
        model.from_api([1, 2])


@pytest.mark.parametrize("model", MODELS)
def test_deeply_nested_values_do_not_exhaust_the_stack(model: type[KBModel]) -> None:
    deep: Any = []
    for _ in range(1500):
        deep = [deep, {"x": None}]
    data = {name: deep for name in model.model_fields}
    data["id"] = data["campaign_id"] = 7
    parsed = model.from_api(data)
    assert isinstance(parsed, model)
