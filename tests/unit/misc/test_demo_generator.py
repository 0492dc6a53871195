"""The demo organisation: shapes as the API sends them, self-consistent data, determinism."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from kb4tui.api.models import Campaign, Enrollment, Policy, StorePurchase, User
from kb4tui.demo import DemoOrg, generate_org
from kb4tui.demo.campaigns import RELATIVE_DAYS

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$")
DATE = re.compile(r"^\d{4}-\d\d-\d\d$")

USER_KEYS = {
    "id", "employee_number", "first_name", "last_name", "job_title", "email",
    "phish_prone_percentage", "phone_number", "extension", "mobile_phone_number", "location",
    "division", "manager_name", "manager_email", "provisioning_managed", "provisioning_guid",
    "groups", "current_risk_score", "aliases", "joined_on", "last_sign_in", "status",
    "organization", "department", "language", "comment", "employee_start_date", "archived_at",
    "custom_field_1", "custom_field_2", "custom_field_3", "custom_field_4", "custom_date_1",
    "custom_date_2",
}  # fmt: skip
PURCHASE_KEYS = {
    "store_purchase_id", "content_type", "name", "description", "type", "duration", "retired",
    "retirement_date", "publish_date", "publisher", "purchase_date", "policy_url",
}  # fmt: skip
CAMPAIGN_KEYS = {
    "campaign_id", "name", "groups", "status", "content", "duration_type", "start_date",
    "end_date", "relative_duration", "auto_enroll", "allow_multiple_enrollments",
}  # fmt: skip
ENROLLMENT_KEYS = {
    "enrollment_id", "content_type", "module_name", "user", "campaign_name", "campaign_id",
    "store_purchase_id", "enrollment_date", "start_date", "completion_date", "status",
    "time_spent", "policy_acknowledged",
}  # fmt: skip


@pytest.fixture(scope="module")
def org() -> DemoOrg:
    return generate_org(seed=7, users=400, now=NOW)


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def deadline(campaign: dict[str, object], enrolled: str) -> datetime | None:
    if campaign["relative_duration"] is not None:
        days = RELATIVE_DAYS[str(campaign["relative_duration"])]
        return ts(enrolled) + timedelta(days=days)
    return ts(str(campaign["end_date"])) if campaign["end_date"] else None


def test_same_seed_same_data_and_other_seed_other_data() -> None:
    first = generate_org(seed=3, users=120, now=NOW)
    again = generate_org(seed=3, users=120, now=NOW)
    other = generate_org(seed=4, users=120, now=NOW)

    def dump(o: DemoOrg) -> str:
        parts = [o.account, o.users, o.groups, o.store_purchases, o.policies, o.campaigns()]
        return json.dumps([*parts, o.enrollments()])

    assert dump(first) == dump(again)
    assert dump(first) != dump(other)
    assert first.users[0] != other.users[0]


def test_enrollments_do_not_depend_on_request_order() -> None:
    forward = generate_org(seed=5, users=100, now=NOW)
    backward = generate_org(seed=5, users=100, now=NOW)
    for cid in reversed(backward.campaign_ids):
        backward.campaign_enrollments(cid)
    assert forward.enrollments() == backward.enrollments()


def test_users_have_every_field_with_api_types(org: DemoOrg) -> None:
    assert len(org.users) == 400
    for user in org.users:
        assert set(user) == USER_KEYS
        assert isinstance(user["id"], int)
        assert user["employee_number"] is None or isinstance(user["employee_number"], str)
        assert all(isinstance(g, int) for g in user["groups"])
        assert TIMESTAMP.match(user["joined_on"])
        for key in ("last_sign_in", "archived_at", "employee_start_date"):
            assert user[key] is None or TIMESTAMP.match(user[key])
        assert user["custom_date_1"] is None or DATE.match(user["custom_date_1"])
        assert (user["status"] == "archived") == (user["archived_at"] is not None)
    ids = [u["id"] for u in org.users]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert len({u["email"] for u in org.users}) == len(org.users)
    assert any(u["status"] == "archived" for u in org.users)
    assert any(u["provisioning_guid"] is None for u in org.users)
    assert any(u["employee_number"] is None for u in org.users)
    assert all(User.from_api(u).id == u["id"] for u in org.users)


def test_groups_and_account(org: DemoOrg) -> None:
    kinds = {g["group_type"] for g in org.groups}
    assert kinds == {"console_group", "smart_group"}
    for group in org.groups:
        members = org.group_members(group["id"])
        assert group["member_count"] == len(members)
        assert all(m["status"] == "active" and group["id"] in m["groups"] for m in members)
    assert any(g["status"] == "archived" for g in org.groups)
    account = org.account
    assert account["subscription_level"] == "Diamond"
    assert DATE.match(account["subscription_end_date"])
    assert account["number_of_seats"] >= len(org.users)
    assert account["admins"] and account["domains"]


def test_store_purchases_cover_every_type_and_retirement_case(org: DemoOrg) -> None:
    purchases = org.store_purchases
    assert len(purchases) == 30
    assert {p["type"] for p in purchases} == {
        "Training Module", "Video", "Game", "Assessment", "Newsletter", "Poster",
    }  # fmt: skip
    for purchase in purchases:
        assert set(purchase) == PURCHASE_KEYS
        assert purchase["content_type"] == "Store Purchase"
        assert TIMESTAMP.match(purchase["publish_date"])
        assert TIMESTAMP.match(purchase["purchase_date"])
        assert (purchase["duration"] is None) == (purchase["type"] == "Poster")
    retired = [p for p in purchases if p["retired"]]
    soon = [
        p
        for p in purchases
        if not p["retired"]
        and p["retirement_date"]
        and NOW < ts(p["retirement_date"]) <= NOW + timedelta(days=30)
    ]
    assert retired and all(ts(p["retirement_date"]) < NOW for p in retired)
    assert len(soon) >= 2
    assert 0 < sum(p["policy_url"] is not None for p in purchases) <= 5
    assert all(StorePurchase.from_api(p).store_purchase_id for p in purchases)


def test_policies_use_status_but_campaign_content_uses_published(org: DemoOrg) -> None:
    assert len(org.policies) == 5
    assert all(isinstance(p["status"], int) for p in org.policies)
    assert sorted(p["status"] for p in org.policies) == [0, 1, 1, 1, 1]
    in_content = [
        item
        for c in org.campaigns(with_percentage=False)
        for item in c["content"]
        if item["content_type"] == "Uploaded Policy"
    ]
    assert in_content
    assert all("status" not in i and isinstance(i["published"], bool) for i in in_content)
    assert {i["published"] for i in in_content} == {True, False}
    assert all(Policy.from_api(p).is_published is not None for p in org.policies)


def test_campaigns_cover_statuses_durations_and_deadlines(org: DemoOrg) -> None:
    campaigns = org.campaigns()
    assert len(campaigns) == 25
    assert [c["campaign_id"] for c in campaigns] == sorted(c["campaign_id"] for c in campaigns)
    assert {c["status"] for c in campaigns} == {
        "In Progress", "Completed", "Closed", "Created", "Scheduled", "Active", "Cancelled",
        "Archived",
    }  # fmt: skip
    for campaign in campaigns:
        assert set(campaign) == CAMPAIGN_KEYS | {"completion_percentage"}
        if campaign["duration_type"] == "Specific End Date":
            assert campaign["end_date"] and campaign["relative_duration"] is None
        else:
            assert campaign["duration_type"] == "Relative Duration"
            assert campaign["end_date"] is None
            assert campaign["relative_duration"] in RELATIVE_DAYS
        kinds = {i["content_type"] for i in campaign["content"]}
        assert kinds <= {"Store Purchase", "Uploaded Policy"}
    assert {c["relative_duration"] for c in campaigns} >= set(RELATIVE_DAYS)
    assert any({"group_id": 0, "name": "All Users"} in c["groups"] for c in campaigns)
    assert any(len({i["content_type"] for i in c["content"]}) == 2 for c in campaigns)
    assert {c["auto_enroll"] for c in campaigns} == {True, False}
    assert {c["allow_multiple_enrollments"] for c in campaigns} == {True, False}
    assert "[/Q3] Phish [bold]drill[/bold]" in {c["name"] for c in campaigns}
    fresh = [
        c
        for c in campaigns
        if c["start_date"] and NOW - timedelta(days=2) <= ts(c["start_date"]) <= NOW
    ]
    assert fresh and all(c["completion_percentage"] == 0 for c in fresh)
    assert any(org.campaign_enrollments(c["campaign_id"]) for c in fresh)
    ends = [ts(c["end_date"]) for c in campaigns if c["end_date"]]
    assert any(e < NOW for e in ends)
    assert any(NOW < e <= NOW + timedelta(days=7) for e in ends)
    assert any(e > NOW + timedelta(days=30) for e in ends)
    assert all(Campaign.from_api(c).content_items for c in campaigns)


def test_enrollment_rows_are_consistent_with_their_dates(org: DemoOrg) -> None:
    rows = org.enrollments()
    campaigns = {c["campaign_id"]: c for c in org.campaigns()}
    assert [r["enrollment_id"] for r in rows] == sorted({r["enrollment_id"] for r in rows})
    statuses = Counter(r["status"] for r in rows)
    assert set(statuses) == {"Passed", "In Progress", "Not Started", "Past Due", "Exempted"}
    late_completions = 0
    for row in rows:
        assert set(row) == ENROLLMENT_KEYS
        campaign = campaigns[row["campaign_id"]]
        assert row["campaign_name"] == campaign["name"]
        assert TIMESTAMP.match(row["enrollment_date"])
        assert (row["completion_date"] is not None) == (row["status"] == "Passed")
        if row["status"] == "Not Started" or row["status"] == "Exempted":
            assert row["start_date"] is None
        if row["start_date"] is not None:
            assert row["start_date"] >= row["enrollment_date"]
        due = deadline(campaign, row["enrollment_date"])
        if row["status"] == "Past Due":
            assert due is not None and due < NOW
        if row["completion_date"] and due is not None and ts(row["completion_date"]) > due:
            late_completions += 1
        if row["content_type"] == "Uploaded Policy":
            assert row["policy_acknowledged"] == (row["status"] == "Passed")
            assert row["store_purchase_id"] is None
        else:
            assert row["policy_acknowledged"] is False
            assert isinstance(row["store_purchase_id"], int)
        user = row["user"]
        if user is not None:
            assert set(user) == {"id", "first_name", "last_name", "email", "employee_number"}
            assert user["employee_number"] is None or isinstance(user["employee_number"], int)
    assert late_completions > 0  # "past due but completed"
    assert any(r["user"] is None for r in rows)
    assert any(r["user"] and r["user"]["id"] in org.archived_user_ids for r in rows)
    pairs = Counter(
        (r["campaign_id"], r["user"]["id"], r["module_name"]) for r in rows if r["user"]
    )
    assert any(n > 1 for n in pairs.values())  # duplicate enrollments within a campaign
    assert all(Enrollment.from_api(r).enrollment_id == r["enrollment_id"] for r in rows[:500])


def test_completion_percentage_matches_the_rows(org: DemoOrg) -> None:
    for campaign in org.campaigns():
        rows = org.campaign_enrollments(campaign["campaign_id"])
        passed = sum(r["status"] == "Passed" for r in rows)
        expected = round(100 * passed / len(rows)) if rows else 0
        assert campaign["completion_percentage"] == expected
    scheduled = [c for c in org.campaigns() if c["status"] in ("Scheduled", "Created")]
    assert all(not org.campaign_enrollments(c["campaign_id"]) for c in scheduled)


def test_generation_is_lazy_about_enrollments() -> None:
    org = generate_org(seed=7, users=300, now=NOW)
    assert org.enrollments_generated == 0
    org.campaigns(with_percentage=False)
    org.campaign(org.campaign_ids[0])  # a percentage needs outcomes, not row dicts
    assert org.enrollments_generated == 0
    org.campaign_enrollments(org.campaign_ids[0])
    assert org.enrollments_generated == 1


def test_default_org_is_the_right_size() -> None:
    # How long it takes is a benchmark figure (benchmarks/bench_core.py), not a test.
    org = generate_org(now=NOW)
    rows = org.enrollments()
    assert len(org.users) == 1500
    assert 15_000 <= len(rows) <= 40_000


def test_size_grows_with_users() -> None:
    small = generate_org(users=100, now=NOW)
    bigger = generate_org(users=300, now=NOW)
    assert len(bigger.enrollments()) > 2 * len(small.enrollments())
    with pytest.raises(ValueError):
        generate_org(users=5)
