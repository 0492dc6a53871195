"""The datasets' typed keys: where each is kept on disk (the names the offline export
reads), what the API is asked for, and what a refetch costs."""

from __future__ import annotations

from typing import Any

from kb4tui.session.datasets import (
    ACCOUNT,
    ALL_ENROLLMENTS,
    ARCHIVED_USERS,
    CAMPAIGNS,
    GROUPS,
    LIBRARY,
    USERS,
    EnrollmentSubset,
    GroupMembers,
    cache_kinds,
    estimate_requests,
    first_fill_requests,
)
from kb4tui.session.enrollment_query import EnrollmentQuery


def subset(**query: Any) -> EnrollmentSubset:
    return EnrollmentSubset(EnrollmentQuery(**query))


def test_each_listing_has_its_cache_kind() -> None:
    assert cache_kinds(ACCOUNT) == ("account",)
    assert cache_kinds(CAMPAIGNS) == ("campaigns",)
    assert cache_kinds(LIBRARY) == ("store_purchases", "policies")
    assert cache_kinds(ALL_ENROLLMENTS) == ("enrollments:all",)
    # One id the API filters by: kept on its own (what `export --offline` looks for).
    assert cache_kinds(subset(campaign_id=7)) == ("enrollments:campaign=7",)
    assert cache_kinds(subset(user_id=3)) == ("enrollments:user=3",)
    assert cache_kinds(subset(store_purchase_id=5)) == ("enrollments:store_purchase=5",)
    # Two ids: fetched with both filters, kept in memory only.
    assert cache_kinds(subset(campaign_id=7, user_id=3)) == ()


def test_enrollment_listings_ask_for_ids_and_leave_archived_users_out() -> None:
    [listing] = subset(campaign_id=7).listings
    assert listing.kind == "enrollments"
    assert listing.params() == {
        "exclude_archived_users": True,
        "include_campaign_id": True,
        "include_store_purchase_id": True,
        "campaign_id": 7,
    }
    [everything] = ALL_ENROLLMENTS.listings
    assert "campaign_id" not in everything.params() and everything.params()["include_campaign_id"]


def test_a_policy_has_no_listing_and_is_picked_from_all_enrollments() -> None:
    policy = subset(policy_id=9, module_name="Acceptable Use")
    assert policy.listings == () and policy.in_all_enrollments
    assert subset(campaign_id=7).in_all_enrollments
    assert not CAMPAIGNS.in_all_enrollments and not ALL_ENROLLMENTS.in_all_enrollments


def test_memo_keys_tell_datasets_apart() -> None:
    keys = [
        d.memo_key
        for d in (
            ACCOUNT,
            CAMPAIGNS,
            LIBRARY,
            ALL_ENROLLMENTS,
            subset(campaign_id=7),
            subset(user_id=7),
            subset(policy_id=7),
        )
    ]
    assert len(keys) == len(set(keys))
    assert subset(campaign_id=7) == subset(campaign_id=7)  # a typed key, usable in sets


def test_a_refetch_costs_a_request_per_page_known_and_one_per_listing_at_least() -> None:
    assert estimate_requests(ACCOUNT, None) == 1
    assert estimate_requests(LIBRARY, None) == 2
    assert estimate_requests(CAMPAIGNS, [object()] * 25) == 1
    assert estimate_requests(ALL_ENROLLMENTS, [object()] * 1001) == 3


def test_people_datasets_ask_for_users_by_status_groups_and_one_groups_members() -> None:
    [active] = USERS.listings
    [archived] = ARCHIVED_USERS.listings
    assert (active.kind, active.params()) == ("users", {"status": "active"})
    assert (archived.kind, archived.params()) == ("users", {"status": "archived"})
    assert cache_kinds(USERS) == ("users:active",) and cache_kinds(GROUPS) == ("groups",)
    assert USERS.parse_in_thread and not USERS.capped
    [members] = GroupMembers(41).listings
    assert (members.kind, members.params()) == ("group_members", {"group_id": 41})
    assert cache_kinds(GroupMembers(41)) == ("group_members:41",)
    # One of many: capped in the memo, not refetched by `R`, and its own key.
    assert GroupMembers(41).capped and GroupMembers(41) == GroupMembers(41)
    keys = {d.memo_key for d in (USERS, ARCHIVED_USERS, GROUPS, GroupMembers(41), GroupMembers(42))}
    assert len(keys) == 5


def test_a_first_fill_costs_a_request_per_page_expected() -> None:
    assert first_fill_requests(USERS, 1650) == 4  # seats / 500, rounded up
    assert first_fill_requests(USERS, None) == 1
    assert first_fill_requests(LIBRARY, 10) == 2
    assert first_fill_requests(ALL_ENROLLMENTS, 28_469) == 57
