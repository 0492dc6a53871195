"""Parsed pages share what their rows have in common, so 100,000 enrollments fit (issue 7)."""

from __future__ import annotations

import json
from typing import Any

from kb4tui.api.models import Enrollment


def page(count: int) -> list[dict[str, Any]]:
    rows = [
        {
            "enrollment_id": i,
            "content_type": "Store Purchase",
            "module_name": "2026 Security Awareness Training",
            "user": {"id": i % 7, "first_name": "Ada", "last_name": "Lovelace", "email": "a@x.io"},
            "campaign_name": "Annual [/Q3]",
            "campaign_id": 5,
            "enrollment_date": "2026-10-13T13:00:00.000Z",
            "status": "Passed" if i % 2 else "Not Started",
            "time_spent": i,
        }
        for i in range(count)
    ]
    return json.loads(json.dumps(rows))  # every row its own strings, as from the wire


def test_rows_of_a_page_share_field_sets_and_repeated_text() -> None:
    models = Enrollment.from_api_list(page(50))
    assert len({id(m.__pydantic_fields_set__) for m in models}) == 1
    assert len({id(m.user.__pydantic_fields_set__) for m in models if m.user}) == 1
    assert len({id(m.module_name) for m in models}) == 1
    assert len({id(m.status) for m in models}) == 2
    assert len({id(m.user.email) for m in models if m.user}) == 1


def test_slimmed_models_equal_plain_ones_and_stay_mutable() -> None:
    rows = page(10)
    models = Enrollment.from_api_list(rows)
    plain = [Enrollment.model_validate(row) for row in rows]
    assert models == plain
    assert [m.model_dump(exclude_unset=True) for m in models] == [
        m.model_dump(exclude_unset=True) for m in plain
    ]
    models[0].status = "Past Due"  # a shared field set must not break assignment
    assert models[0].status == "Past Due" and models[1].status == "Passed"


def test_rows_with_other_fields_keep_their_own_field_set() -> None:
    rows = page(3)
    del rows[1]["status"]
    models = Enrollment.from_api_list(rows)
    assert "status" not in models[1].model_fields_set
    assert "status" in models[0].model_fields_set and "status" in models[2].model_fields_set
