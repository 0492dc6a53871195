"""The CSV columns hold everything KnowBe4's documented samples carry (knowbe4-api.md §3,
§4.1), and parallel lists stay aligned when an entry lacks a value."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from kb4tui.api.models import Campaign, User
from kb4tui.exporting.columns import (
    CAMPAIGN_COLUMNS,
    ENROLLMENT_COLUMNS,
    POLICY_COLUMNS,
    PURCHASE_COLUMNS,
    USER_COLUMNS,
    Column,
    header,
)
from kb4tui.exporting.output import Output
from kb4tui.exporting.writers import CsvWriter

# The user sample of the 2025 docs (§4.1), every field present.
USER_SAMPLE: dict[str, Any] = {
    "id": 667542,
    "employee_number": "19425",
    "first_name": "William",
    "last_name": "Marcoux",
    "job_title": "VP of Sales",
    "email": "wmarcoux@example.com",
    "phish_prone_percentage": 14.235,
    "phone_number": "555-554-2222",
    "extension": "42",
    "mobile_phone_number": "555-553-4422",
    "location": "Office A",
    "division": "Sales",
    "manager_name": "Michael Scott",
    "manager_email": "mscott@example.com",
    "provisioning_managed": False,
    "provisioning_guid": None,
    "groups": [3264],
    "current_risk_score": 45.742,
    "aliases": ["alias_email@example.com"],
    "joined_on": "2019-04-02T15:02:38.000Z",
    "last_sign_in": "2019-04-02T15:02:38.000Z",
    "status": "active",
    "organization": "KB4-Demo",
    "department": "Sales",
    "language": "English - United States",
    "comment": "Is a nice guy",
    "employee_start_date": "2019-04-02T15:02:38.000Z",
    "archived_at": None,
    "custom_field_1": "Building 4",
    "custom_field_2": None,
    "custom_field_3": None,
    "custom_field_4": None,
    "custom_date_1": "1986-11-28",
    "custom_date_2": None,
}

CAMPAIGN_SAMPLE_KEYS = [
    "campaign_id", "name", "groups", "status", "content", "duration_type", "start_date",
    "end_date", "relative_duration", "auto_enroll", "allow_multiple_enrollments",
    "completion_percentage",
]  # fmt: skip
ENROLLMENT_SAMPLE_KEYS = [
    "enrollment_id", "content_type", "module_name", "user", "campaign_name", "campaign_id",
    "store_purchase_id", "enrollment_date", "start_date", "completion_date", "status",
    "time_spent", "policy_acknowledged",
]  # fmt: skip
PURCHASE_SAMPLE_KEYS = [
    "store_purchase_id", "content_type", "name", "description", "type", "duration",
    "retired", "retirement_date", "publish_date", "publisher", "purchase_date", "policy_url",
]  # fmt: skip
POLICY_SAMPLE_KEYS = [
    "policy_id", "content_type", "name", "minimum_time", "default_language", "status",
]  # fmt: skip
# Fields flattened into several columns.
FLATTENED = {
    "groups": ("group_ids", "group_names"),
    "content": ("content_count", "content_ids", "content_names"),
    "user": ("user_id", "user_first_name", "user_last_name", "user_email"),
}


@pytest.mark.parametrize(
    ("keys", "columns"),
    [
        (list(USER_SAMPLE), USER_COLUMNS),
        (CAMPAIGN_SAMPLE_KEYS, CAMPAIGN_COLUMNS),
        (ENROLLMENT_SAMPLE_KEYS, ENROLLMENT_COLUMNS),
        (PURCHASE_SAMPLE_KEYS, PURCHASE_COLUMNS),
        (POLICY_SAMPLE_KEYS, POLICY_COLUMNS),
    ],
    ids=["users", "campaigns", "enrollments", "purchases", "policies"],
)
def test_every_documented_field_has_a_column(
    keys: list[str], columns: tuple[Column[Any], ...]
) -> None:
    names = set(header(columns))
    covered = [k in names or (k in FLATTENED and set(FLATTENED[k]) <= names) for k in keys]
    assert [k for k, ok in zip(keys, covered, strict=True) if not ok] == []


def test_the_users_csv_carries_every_sample_value() -> None:
    sink = io.BytesIO()
    writer = CsvWriter(Output(sink), USER_COLUMNS)
    writer.write([USER_SAMPLE], [User.from_api(USER_SAMPLE)])
    row = next(csv.DictReader(io.StringIO(sink.getvalue().decode())))
    assert row["extension"] == "42"
    assert row["phone_number"] == "555-554-2222" and row["custom_date_1"] == "1986-11-28"
    for key, value in USER_SAMPLE.items():
        if isinstance(value, str) and "T" not in value:
            assert row[key] == value, key


def campaign_row(raw: dict[str, Any]) -> dict[str, str]:
    sink = io.BytesIO()
    writer = CsvWriter(Output(sink), CAMPAIGN_COLUMNS)
    writer.write([raw], [Campaign.from_api(raw)])
    return next(csv.DictReader(io.StringIO(sink.getvalue().decode())))


def test_a_group_without_an_id_keeps_the_lists_aligned() -> None:
    row = campaign_row(
        {
            "campaign_id": 1,
            "groups": [
                {"group_id": 0, "name": "All Users"},
                {"name": "Synced group"},
                {"group_id": 7, "name": "Sales"},
            ],
        }
    )
    ids, names = row["group_ids"].split("; "), row["group_names"].split("; ")
    assert ids == ["0", "", "7"]
    assert names == ["All Users", "Synced group", "Sales"]


def test_a_content_item_with_only_content_id_is_listed_by_it() -> None:
    row = campaign_row(
        {
            "campaign_id": 1,
            "content": [
                {"store_purchase_id": 8123, "content_type": "Store Purchase", "name": "Basics"},
                {"content_id": 555, "content_type": "Store Purchase", "name": "By content id"},
                {"content_type": "Store Purchase", "name": "No id at all"},
                {"policy_id": 3051, "content_type": "Uploaded Policy", "name": "AUP"},
            ],
        }
    )
    assert row["content_ids"].split("; ") == ["8123", "555", "", "3051"]
    assert row["content_names"].split("; ") == ["Basics", "By content id", "No id at all", "AUP"]
    assert row["content_count"] == "4"
