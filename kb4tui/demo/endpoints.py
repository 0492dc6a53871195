"""The fake API's routes: which data each documented GET path returns, with its filters.

A route answers with one object, a list to paginate (plus a per-row view applied only to
the page being sent, so percentages and `include_*` keys cost nothing for other pages), or
None for "Not Found". Pagination, auth and faults live in `handler`.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kb4tui.demo.org import DemoOrg

JSON = dict[str, Any]
Query = Mapping[str, str]

# Without exclude_percentages=true the campaigns endpoint caps each page at 10 rows.
CAMPAIGN_PAGE_CAP = 10


@dataclass(frozen=True, slots=True)
class ListResult:
    rows: list[JSON]
    view: Callable[[JSON], JSON] | None = None
    page_cap: int | None = None


@dataclass(frozen=True, slots=True)
class ObjectResult:
    data: JSON


Result = ListResult | ObjectResult | None


def flag(query: Query, name: str) -> bool:
    """The API's booleans: only `true` counts (the docs: "anything other than true")."""
    return query.get(name, "").strip().lower() == "true"


def parse_int(text: str) -> int | None:
    """A whole number written in ASCII digits, else None (`"²".isdigit()` is True, but
    `int("²")` raises)."""
    digits = text.strip()
    if digits.startswith("-"):
        digits = digits[1:]
    return int(text) if digits.isascii() and digits.isdigit() else None


def int_param(query: Query, name: str) -> int | None:
    value = parse_int(query.get(name, ""))
    return value if value is not None and value >= 0 else None


class Routes:
    """Routes over one organisation, with a small cache of filtered enrollment lists."""

    _CACHE_SIZE = 32

    def __init__(self, org: DemoOrg) -> None:
        self.org = org
        self._filtered: OrderedDict[tuple[Any, ...], list[JSON]] = OrderedDict()
        self._table: list[tuple[re.Pattern[str], Callable[..., Result]]] = [
            (re.compile(r"/v1/account"), self._account),
            (re.compile(r"/v1/users"), self._users),
            (re.compile(r"/v1/users/(\w+)"), self._user),
            (re.compile(r"/v1/groups"), self._groups),
            (re.compile(r"/v1/groups/(\w+)"), self._group),
            (re.compile(r"/v1/groups/(\w+)/members"), self._members),
            (re.compile(r"/v1/training/campaigns"), self._campaigns),
            (re.compile(r"/v1/training/campaigns/(\w+)"), self._campaign),
            (re.compile(r"/v1/training/enrollments"), self._enrollments),
            (re.compile(r"/v1/training/enrollments/(\w+)"), self._enrollment),
            (re.compile(r"/v1/training/store_purchases"), self._purchases),
            (re.compile(r"/v1/training/store_purchases/(\w+)"), self._purchase),
            (re.compile(r"/v1/training/policies"), self._policies),
            (re.compile(r"/v1/training/policies/(\w+)"), self._policy),
        ]

    def resolve(self, path: str, query: Query) -> Result:
        path = path.rstrip("/") or "/"
        for pattern, route in self._table:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            ids = [parse_int(text) for text in match.groups()]
            if any(i is None or i < 0 for i in ids):
                return None
            return route(query, *ids)
        return None

    # -- account, users, groups -----------------------------------------------------------

    def _account(self, query: Query) -> Result:
        return ObjectResult(self.org.account)

    def _users(self, query: Query) -> Result:
        rows = self.org.users
        status = query.get("status", "").lower()
        if status in ("active", "archived"):
            rows = [u for u in rows if u["status"] == status]
        group_id = int_param(query, "group_id")
        if group_id is not None:
            rows = [u for u in rows if group_id in u["groups"]]
        return ListResult(rows)

    def _user(self, query: Query, user_id: int) -> Result:
        user = self.org.user(user_id)
        return None if user is None else ObjectResult(user)

    def _groups(self, query: Query) -> Result:
        rows = self.org.groups
        status = query.get("status", "").lower()
        if status in ("active", "archived"):
            rows = [g for g in rows if g["status"] == status]
        return ListResult(rows)

    def _group(self, query: Query, group_id: int) -> Result:
        group = self.org.group(group_id)
        return None if group is None else ObjectResult(group)

    def _members(self, query: Query, group_id: int) -> Result:
        if self.org.group(group_id) is None:
            return None
        return ListResult(self.org.group_members(group_id))

    # -- training -------------------------------------------------------------------------

    def _campaigns(self, query: Query) -> Result:
        org = self.org
        if flag(query, "exclude_percentages"):
            return ListResult(org.campaigns(with_percentage=False))
        base = org.campaigns(with_percentage=False)

        def with_percentage(row: JSON) -> JSON:
            return org.campaign(row["campaign_id"]) or row

        return ListResult(base, view=with_percentage, page_cap=CAMPAIGN_PAGE_CAP)

    def _campaign(self, query: Query, campaign_id: int) -> Result:
        campaign = self.org.campaign(
            campaign_id, with_percentage=not flag(query, "exclude_percentages")
        )
        return None if campaign is None else ObjectResult(campaign)

    def _enrollments(self, query: Query) -> Result:
        campaign_id = int_param(query, "campaign_id")
        user_id = int_param(query, "user_id")
        purchase_id = int_param(query, "store_purchase_id")
        exclude_archived = flag(query, "exclude_archived_users")
        rows = self._filtered_enrollments(campaign_id, user_id, purchase_id, exclude_archived)
        return ListResult(rows, view=enrollment_view(query))

    def _filtered_enrollments(
        self,
        campaign_id: int | None,
        user_id: int | None,
        purchase_id: int | None,
        exclude_archived: bool,
    ) -> list[JSON]:
        """Filters combine with AND; results are cached so paging a big list stays cheap."""
        if user_id is None and purchase_id is None and not exclude_archived:
            if campaign_id is None:
                key: tuple[Any, ...] = ("all",)
            else:
                return self.org.campaign_enrollments(campaign_id)
        else:
            key = (campaign_id, user_id, purchase_id, exclude_archived)
        cached = self._filtered.get(key)
        if cached is not None:
            self._filtered.move_to_end(key)
            return cached
        if campaign_id is not None:
            source = self.org.campaign_enrollments(campaign_id)
        else:
            source = self.org.enrollments()
        archived = self.org.archived_user_ids
        rows = [
            row
            for row in source
            if (user_id is None or (row["user"] is not None and row["user"]["id"] == user_id))
            and (purchase_id is None or row["store_purchase_id"] == purchase_id)
            and not (exclude_archived and row["user"] is not None and row["user"]["id"] in archived)
        ]
        self._filtered[key] = rows
        while len(self._filtered) > self._CACHE_SIZE:
            self._filtered.popitem(last=False)
        return rows

    def _enrollment(self, query: Query, enrollment_id: int) -> Result:
        row = self.org.enrollment(enrollment_id)
        return None if row is None else ObjectResult(enrollment_view(query)(row))

    def _purchases(self, query: Query) -> Result:
        return ListResult(self.org.store_purchases)

    def _purchase(self, query: Query, purchase_id: int) -> Result:
        purchase = self.org.store_purchase(purchase_id)
        return None if purchase is None else ObjectResult(purchase)

    def _policies(self, query: Query) -> Result:
        return ListResult(self.org.policies)

    def _policy(self, query: Query, policy_id: int) -> Result:
        policy = self.org.policy(policy_id)
        return None if policy is None else ObjectResult(policy)


def enrollment_view(query: Query) -> Callable[[JSON], JSON]:
    """Drop the keys the `include_*` flags did not ask for (stored rows have them all)."""
    drop: set[str] = set()
    if not flag(query, "include_campaign_id"):
        drop.add("campaign_id")
    if not flag(query, "include_store_purchase_id"):
        drop.add("store_purchase_id")
    with_number = flag(query, "include_employee_number")

    def view(row: JSON) -> JSON:
        out = {k: v for k, v in row.items() if k not in drop}
        user = row["user"]
        if user is not None and not with_number:
            out["user"] = {k: v for k, v in user.items() if k != "employee_number"}
        return out

    return view
