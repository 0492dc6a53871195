"""The demo holds every answer to "why is this person not enrolled?", whatever its size,
seed or date, and serves each group's members."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from kb4tui.api.models import Campaign, Enrollment, User
from kb4tui.core.campaign_index import CampaignIndex
from kb4tui.core.not_enrolled import Reason, active_campaigns, not_enrolled_in
from kb4tui.demo import DEMO_API_KEY, FakeAPIConfig, FakeKnowBe4API, generate_org
from kb4tui.demo.cases import LATE_JOINER_CAMPAIGN, SAME_CONTENT_CAMPAIGN, UNEXPLAINED_CAMPAIGN

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def reasons_by_campaign(seed: int, users: int, now: datetime) -> dict[str, Counter[Reason]]:
    org = generate_org(seed=seed, users=users, now=now)
    people = User.from_api_list(org.users)
    campaigns = Campaign.from_api_list(org.campaigns(with_percentage=False))
    rows = Enrollment.from_api_list(org.enrollments())
    index = CampaignIndex(campaigns)
    return {
        campaign.name or "": Counter(
            found.reason
            for _, found in not_enrolled_in(campaign, people, rows, now, campaigns=index)
        )
        for campaign in active_campaigns(campaigns)
    }


@pytest.mark.parametrize(
    ("seed", "users", "now"),
    [(7, 1500, NOW), (7, 25, NOW), (3, 120, datetime(2027, 5, 2, 8, 30, tzinfo=UTC))],
)
def test_every_reason_is_in_the_demo_and_nothing_is_left_unexplained_by_accident(
    seed: int, users: int, now: datetime
) -> None:
    found = reasons_by_campaign(seed, users, now)
    assert found[LATE_JOINER_CAMPAIGN][Reason.JOINED_AFTER_START] >= 1
    assert found[SAME_CONTENT_CAMPAIGN][Reason.SAME_CONTENT] == 2
    assert any(counts[Reason.NO_TARGET_GROUP] for counts in found.values())
    # The one planted unknown; the generator enrols everyone else the rules say it does.
    unknown = {name: n[Reason.UNKNOWN] for name, n in found.items() if n[Reason.UNKNOWN]}
    assert unknown == {UNEXPLAINED_CAMPAIGN: 1}


def test_small_organisations_still_have_archived_people() -> None:
    for seed in range(8):
        org = generate_org(seed=seed, users=20, now=NOW)
        assert any(u["status"] == "archived" for u in org.users), seed


def test_group_members_are_the_active_users_of_the_group() -> None:
    org = generate_org(seed=7, users=300, now=NOW)
    api = FakeKnowBe4API({DEMO_API_KEY: org}, FakeAPIConfig(rate_limit=False))
    auth = {"Authorization": f"Bearer {DEMO_API_KEY}"}
    for group in org.groups:
        path = f"/v1/groups/{group['id']}/members"
        members = api.handle("GET", path, {"per_page": "500"}, auth).json()
        expected = [
            u["id"] for u in org.users if group["id"] in u["groups"] and u["status"] == "active"
        ]
        assert [m["id"] for m in members] == expected
        assert len(members) == group["member_count"]
    assert api.handle("GET", "/v1/groups/1/members", {}, auth).status == 404
