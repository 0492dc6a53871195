"""The endpoints the client knows: paths, id fields, filters, names for messages.

Most are lists (paged) with a get-by-id; `single` ones are one object (the account),
which `KnowBe4Client.iter_raw_pages` hands back as a one-row page so that every dataset
is fetched the same way. `id_fields` are the names a record's id has gone by (the first
is today's; older API versions used the others, as the models accept them).
`shared_ids`: distinct records may share an id (enrollments do in KnowBe4's own samples).
`cursor`: the documented cursor pagination applies (only enrollments, knowbe4-api.md §2.2).
`path_params`: a list whose path holds an id (a group's members) names it here; it is
given like a filter and goes into the path, not the query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["RESOURCES", "Resource", "query_params", "resource"]


@dataclass(frozen=True)
class Resource:
    kind: str
    path: str
    id_fields: tuple[str, ...]
    label: str  # for messages: "Campaign 123 not found"
    filters: frozenset[str]
    single: bool = False  # one object, not a list
    shared_ids: bool = False
    cursor: bool = False
    path_params: tuple[str, ...] = ()  # ids in `path`, e.g. "/v1/groups/{group_id}/members"

    @property
    def id_field(self) -> str:
        return self.id_fields[0] if self.id_fields else ""

    @property
    def plural(self) -> str:
        """For messages: "store purchases"."""
        return self.kind.replace("_", " ")

    def item_path(self, item_id: int) -> str:
        return f"{self.path}/{int(item_id)}"

    def row_id(self, row: Mapping[str, Any]) -> int | None:
        """The record's id under any of its names, or None: an int, or digits in a string
        (as the models read it); never a bool."""
        for name in self.id_fields:
            value = row.get(name)
            if isinstance(value, bool):
                continue
            if isinstance(value, int):
                return value
            if isinstance(value, str) and value.isascii() and value.strip().isdigit():
                return int(value)
        return None

    def list_path(self, filters: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """The list's path with its ids filled in, and the filters left for the query.

        Each path id must be a whole number (never text: it would change the path)."""
        rest = dict(filters)
        ids: dict[str, int] = {}
        for name in self.path_params:
            value = rest.pop(name, None)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{self.kind} needs {name} as an int")
            ids[name] = value
        return self.path.format(**ids), rest

    def not_found(self, filters: Mapping[str, Any]) -> str | None:
        """ "Group 5 not found" for a list under one item's path (None for the others)."""
        if not self.path_params:
            return None
        return f"{self.label} {filters.get(self.path_params[0])} not found"


_ENROLLMENT_FILTERS = frozenset(
    {
        "campaign_id",
        "user_id",
        "store_purchase_id",
        "exclude_archived_users",
        "include_campaign_id",
        "include_store_purchase_id",
        "include_employee_number",
    }
)

RESOURCES: dict[str, Resource] = {
    r.kind: r
    for r in (
        Resource(
            "campaigns",
            "/v1/training/campaigns",
            ("campaign_id", "id"),
            "Campaign",
            frozenset({"exclude_percentages"}),
        ),
        Resource(
            "enrollments",
            "/v1/training/enrollments",
            ("enrollment_id", "id"),
            "Enrollment",
            _ENROLLMENT_FILTERS,
            shared_ids=True,
            cursor=True,
        ),
        Resource(
            "store_purchases",
            "/v1/training/store_purchases",
            ("store_purchase_id", "store_purchased_id", "id"),
            "Store purchase",
            frozenset(),
        ),
        Resource("policies", "/v1/training/policies", ("policy_id", "id"), "Policy", frozenset()),
        Resource(
            "users",
            "/v1/users",
            ("id", "user_id"),
            "User",
            frozenset({"status", "group_id", "expand"}),
        ),
        Resource("groups", "/v1/groups", ("id", "group_id"), "Group", frozenset({"status"})),
        Resource(
            "group_members",
            "/v1/groups/{group_id}/members",
            ("id", "user_id"),
            "Group",
            frozenset(),
            path_params=("group_id",),
        ),
        Resource("account", "/v1/account", (), "Account", frozenset(), single=True),
    )
}


def resource(kind: str) -> Resource:
    """The endpoint for `kind`; ValueError names the valid kinds."""
    try:
        return RESOURCES[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(RESOURCES)}") from None


def query_params(res: Resource, filters: Mapping[str, Any]) -> dict[str, str]:
    """API query parameters from keyword filters: None dropped, booleans as true/false.

    A False boolean is left out (the API's default) so the request matches what the
    documentation shows; unknown filter names are a programming error (ValueError).
    """
    unknown = set(filters) - res.filters
    if unknown:
        raise ValueError(f"unknown filter(s) for {res.kind}: {', '.join(sorted(unknown))}")
    params: dict[str, str] = {}
    for name, value in filters.items():
        if value is None or value is False:
            continue
        if value is True:
            params[name] = "true"
        elif isinstance(value, int | str):
            params[name] = str(value)
        else:
            raise ValueError(f"filter {name} must be a bool, int or str")
    return params
