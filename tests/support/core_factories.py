"""Builders for kb4tui.core tests: real models parsed from API-shaped dicts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kb4tui.api.models import Campaign, Enrollment, StorePurchase, User

NOW = datetime(2026, 2, 20, 15, 0, tzinfo=UTC)


def ts(text: str) -> str:
    """An API timestamp from '2026-02-27T04:59' style text."""
    return f"{text}:00.000Z"


def campaign(campaign_id: int = 1, **fields: Any) -> Campaign:
    data: dict[str, Any] = {
        "campaign_id": campaign_id,
        "name": f"Campaign {campaign_id}",
        "status": "In Progress",
        "groups": [{"group_id": 0, "name": "All Users"}],
        "content": [],
        "start_date": ts("2026-01-12T14:00"),
        "end_date": ts("2026-02-27T04:59"),
        "relative_duration": None,
        "auto_enroll": True,
        "allow_multiple_enrollments": False,
    }
    data.update(fields)
    return Campaign.from_api(data)


def enrollment(
    enrollment_id: int = 1,
    *,
    user_id: int | None = 100,
    status: str | None = "Not Started",
    campaign_id: int | None = 1,
    campaign_name: str | None = None,
    module: str = "Basics",
    store_purchase_id: int | None = 8123,
    **fields: Any,
) -> Enrollment:
    data: dict[str, Any] = {
        "enrollment_id": enrollment_id,
        "content_type": "Store Purchase",
        "module_name": module,
        "user": None
        if user_id is None
        else {
            "id": user_id,
            "first_name": f"User{user_id}",
            "last_name": "Test",
            "email": f"u{user_id}@example.com",
        },
        "campaign_name": campaign_name if campaign_name is not None else f"Campaign {campaign_id}",
        "enrollment_date": ts("2026-01-12T14:00"),
        "status": status,
    }
    if campaign_id is not None:
        data["campaign_id"] = campaign_id
    if store_purchase_id is not None:
        data["store_purchase_id"] = store_purchase_id
    data.update(fields)
    return Enrollment.from_api(data)


def purchase(store_purchase_id: int = 8123, **fields: Any) -> StorePurchase:
    data: dict[str, Any] = {
        "store_purchase_id": store_purchase_id,
        "content_type": "Store Purchase",
        "name": "Basics",
        "type": "Training Module",
        "duration": 25,
        "retired": False,
        "retirement_date": None,
    }
    data.update(fields)
    return StorePurchase.from_api(data)


def user(user_id: int = 100, groups: list[int] | None = None, **fields: Any) -> User:
    data: dict[str, Any] = {"id": user_id, "groups": groups or [], "status": "active"}
    data.update(fields)
    return User.from_api(data)
