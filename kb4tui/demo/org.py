"""`generate_org`: a deterministic demo organisation, with enrollments built on demand.

Users, groups, content and campaigns are cheap and built up front. Enrollments (tens of
thousands of rows) are generated per campaign the first time something needs them (a
campaign's completion percentage, an enrollments request), each campaign from its own
seeded RNG and its own block of ids, so the result does not depend on the order of requests.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from kb4tui.demo import vocab
from kb4tui.demo.campaigns import CampaignInfo, make_campaigns
from kb4tui.demo.cases import plant_left_out, plant_people
from kb4tui.demo.catalog import make_policies, make_store_purchases
from kb4tui.demo.enrollments import (
    Outcome,
    completion_percentage,
    id_budget,
    outcome_rows,
    plan_outcomes,
)
from kb4tui.demo.people import (
    GroupInfo,
    Person,
    account_json,
    group_json,
    make_groups,
    make_people,
    user_json,
)
from kb4tui.demo.timefmt import to_epoch

__all__ = ["DemoOrg", "generate_org"]

JSON = dict[str, Any]


class DemoOrg:
    """One generated organisation. Every dict is exactly what the API would send.

    The lists returned are shared: treat them as read-only.
    """

    def __init__(
        self,
        *,
        seed: int,
        now: float,
        account: JSON,
        people: list[Person],
        org_name: str,
        groups: list[GroupInfo],
        store_purchases: list[JSON],
        policies: list[JSON],
        campaigns: list[CampaignInfo],
        first_enrollment_id: int,
    ) -> None:
        self.seed = seed
        self.now = datetime.fromtimestamp(now, UTC)
        self.account = account
        self.store_purchases = store_purchases
        self.policies = policies
        self._now = now
        self._people = people
        self._group_infos = groups
        self._campaigns = campaigns
        self._lock = threading.RLock()
        self._outcomes: dict[int, list[Outcome]] = {}
        self._rows: dict[int, list[JSON]] = {}
        self._enrollment_index: dict[int, JSON] | None = None
        self._first_ids: dict[int, int] = {}
        next_id = first_enrollment_id
        for campaign in campaigns:
            self._first_ids[campaign.id] = next_id
            next_id += id_budget(campaign, len(people))
        self._org_name = org_name
        # User dicts are built on first use: `kb4tui --demo` paints campaigns without them.
        self._users: list[JSON] | None = None
        self._users_by_id: dict[int, JSON] = {}
        self._members: dict[int, list[JSON]] = {}
        active = {p.id for p in people if not p.deleted and p.archived is None}
        self.groups = [group_json(g, sum(1 for i in g.member_ids if i in active)) for g in groups]
        self._groups_by_id = {g["id"]: g for g in self.groups}
        self._campaigns_by_id = {c.id: c for c in campaigns}
        self._purchases_by_id = {p["store_purchase_id"]: p for p in store_purchases}
        self._policies_by_id = {p["policy_id"]: p for p in policies}
        self.archived_user_ids = frozenset(
            p.id for p in people if not p.deleted and p.archived is not None
        )

    # -- simple lookups -------------------------------------------------------------------

    @property
    def users(self) -> list[JSON]:
        """Every `/v1/users` object (active and archived), ids ascending."""
        users = self._users
        if users is None:
            with self._lock:
                users = self._users
                if users is None:
                    users = self._build_users()
                    self._users = users
        return users

    def _build_users(self) -> list[JSON]:
        rng = random.Random(f"{self.seed}:details")
        group_ids = {g.key: g.id for g in self._group_infos}
        users: list[JSON] = []
        for person in self._people:
            if person.deleted:
                continue
            data = user_json(person, rng, self._now, self._org_name)
            data["groups"] = sorted(group_ids[k] for k in person.group_keys)
            users.append(data)
        self._users_by_id = {u["id"]: u for u in users}
        self._members = {
            g.id: [
                self._users_by_id[i]
                for i in g.member_ids
                if self._users_by_id[i]["status"] == "active"
            ]
            for g in self._group_infos
        }
        return users

    def user(self, user_id: int) -> JSON | None:
        self.users  # noqa: B018 - builds the index on first use
        return self._users_by_id.get(user_id)

    def group(self, group_id: int) -> JSON | None:
        return self._groups_by_id.get(group_id)

    def group_members(self, group_id: int) -> list[JSON]:
        """Active users in a group (what `/v1/groups/{id}/members` lists)."""
        self.users  # noqa: B018 - builds the index on first use
        return self._members.get(group_id, [])

    def store_purchase(self, store_purchase_id: int) -> JSON | None:
        return self._purchases_by_id.get(store_purchase_id)

    def policy(self, policy_id: int) -> JSON | None:
        return self._policies_by_id.get(policy_id)

    @property
    def campaign_ids(self) -> list[int]:
        return [c.id for c in self._campaigns]

    def campaign(self, campaign_id: int, *, with_percentage: bool = True) -> JSON | None:
        info = self._campaigns_by_id.get(campaign_id)
        if info is None:
            return None
        data = dict(info.json)
        if with_percentage:
            data["completion_percentage"] = completion_percentage(self._outcomes_for(info))
        return data

    def campaigns(self, *, with_percentage: bool = True) -> list[JSON]:
        """All campaigns in id order; percentages need that campaign's enrollments."""
        return [
            c
            for c in (self.campaign(i, with_percentage=with_percentage) for i in self.campaign_ids)
            if c is not None
        ]

    # -- enrollments ----------------------------------------------------------------------

    @property
    def enrollments_generated(self) -> int:
        """How many campaigns' enrollment dicts exist so far (for start-up measurements)."""
        return len(self._rows)

    def _outcomes_for(self, info: CampaignInfo) -> list[Outcome]:
        outcomes = self._outcomes.get(info.id)
        if outcomes is None:
            with self._lock:
                outcomes = self._outcomes.get(info.id)
                if outcomes is None:
                    outcomes = plan_outcomes(info, self._people, self.seed, self._now)
                    self._outcomes[info.id] = outcomes
        return outcomes

    def campaign_enrollments(self, campaign_id: int) -> list[JSON]:
        """One campaign's rows in id order, in full form (all `include_*` keys present)."""
        rows = self._rows.get(campaign_id)
        if rows is not None:
            return rows
        info = self._campaigns_by_id.get(campaign_id)
        if info is None:
            return []
        with self._lock:
            rows = self._rows.get(campaign_id)
            if rows is None:
                outcomes = self._outcomes_for(info)
                rows = outcome_rows(info, outcomes, self._first_ids[campaign_id])
                self._rows[campaign_id] = rows
        return rows

    def enrollments(self) -> list[JSON]:
        """Every enrollment, ordered by id."""
        return [row for cid in self.campaign_ids for row in self.campaign_enrollments(cid)]

    def iter_enrollments(self) -> Iterator[JSON]:
        for cid in self.campaign_ids:
            yield from self.campaign_enrollments(cid)

    def enrollment(self, enrollment_id: int) -> JSON | None:
        index = self._enrollment_index
        if index is None:
            with self._lock:
                index = {row["enrollment_id"]: row for row in self.iter_enrollments()}
                self._enrollment_index = index
        return index.get(enrollment_id)

    def __repr__(self) -> str:
        return (
            f"DemoOrg(name={self.account['name']!r}, seed={self.seed}, "
            f"people={len(self._people)}, "
            f"campaigns={len(self._campaigns)})"
        )


def generate_org(seed: int = 7, users: int = 1500, now: datetime | None = None) -> DemoOrg:
    """A demo organisation, identical for the same (seed, users, now).

    `now` anchors every date (deadlines, "started today"); it defaults to the current time.
    """
    if users < 20:
        raise ValueError("the demo organisation needs at least 20 users")
    epoch = to_epoch(now)
    org_name, *domains = vocab.ORGANISATIONS[seed % len(vocab.ORGANISATIONS)]
    # Separate streams, so that e.g. the user count does not reshuffle content ids.
    people_rng = random.Random(f"{seed}:people")
    people = make_people(people_rng, users, epoch, domains[0])
    plant_people(people, epoch)
    groups = make_groups(people_rng, people, epoch)
    plant_left_out(people, epoch)
    catalog_rng = random.Random(f"{seed}:catalog")
    purchases = make_store_purchases(catalog_rng, epoch, domains[0])
    policies = make_policies(catalog_rng)
    campaign_rng = random.Random(f"{seed}:campaigns")
    campaigns = make_campaigns(campaign_rng, epoch, groups, purchases, policies)
    return DemoOrg(
        seed=seed,
        now=epoch,
        account=account_json(campaign_rng, org_name, list(domains), people, epoch),
        people=people,
        org_name=org_name,
        groups=groups,
        store_purchases=purchases,
        policies=policies,
        campaigns=campaigns,
        first_enrollment_id=2_290_000 + campaign_rng.randrange(10_000),
    )
