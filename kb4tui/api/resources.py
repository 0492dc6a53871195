"""The endpoints the client knows: paths, id fields, filters, names for messages.

Most are lists (paged) with a get-by-id; `single` ones are one object (the account),
which `KnowBe4Client.iter_raw_pages` hands back as a one-row page so that every dataset
is fetched the same way.
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
    id_field: str
    label: str  # for messages: "Campaign 123 not found"
    filters: frozenset[str]
    single: bool = False  # one object, not a list

    def item_path(self, item_id: int) -> str:
        return f"{self.path}/{int(item_id)}"


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
            "campaign_id",
            "Campaign",
            frozenset({"exclude_percentages"}),
        ),
        Resource(
            "enrollments",
            "/v1/training/enrollments",
            "enrollment_id",
            "Enrollment",
            _ENROLLMENT_FILTERS,
        ),
        Resource(
            "store_purchases",
            "/v1/training/store_purchases",
            "store_purchase_id",
            "Store purchase",
            frozenset(),
        ),
        Resource("policies", "/v1/training/policies", "policy_id", "Policy", frozenset()),
        Resource("users", "/v1/users", "id", "User", frozenset({"status", "group_id", "expand"})),
        Resource("groups", "/v1/groups", "id", "Group", frozenset({"status"})),
        Resource("account", "/v1/account", "", "Account", frozenset(), single=True),
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
