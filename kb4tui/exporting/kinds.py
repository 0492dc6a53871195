"""What each `kb4tui export KIND` / `kb4tui get KIND` reads from the API and which
filters it takes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kb4tui.api.models import Campaign, Enrollment, KBModel, Policy, StorePurchase, User
from kb4tui.exporting.columns import (
    CAMPAIGN_COLUMNS,
    ENROLLMENT_COLUMNS,
    MODULE_COLUMNS,
    POLICY_COLUMNS,
    PURCHASE_COLUMNS,
    USER_COLUMNS,
    Column,
)

# Filter option names as the command line spells them (without the dashes).
CAMPAIGN = "campaign"
USER = "user"
MODULE = "module"
STATUS = "status"
TYPE = "type"
WITHIN = "within"

# Enrollment query parameters that add the join keys to every row (knowbe4-api.md §3.4).
ENROLLMENT_INCLUDES: dict[str, Any] = {
    "include_campaign_id": True,
    "include_store_purchase_id": True,
    "include_employee_number": True,
}


@dataclass(frozen=True, slots=True)
class Source:
    """One API list: the client's raw kind, fixed query parameters, and its model."""

    api_kind: str
    parse: Callable[[dict[str, Any]], KBModel]
    params: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class ExportKind:
    name: str
    sources: tuple[Source, ...]
    columns: Sequence[Column[Any]]
    filters: frozenset[str]
    # Filter option -> the API's enrollment query parameter it becomes.
    server_filters: tuple[tuple[str, str], ...] = ()


_CAMPAIGNS = Source("campaigns", Campaign.from_api)
_ENROLLMENTS = Source("enrollments", Enrollment.from_api, tuple(ENROLLMENT_INCLUDES.items()))
_PURCHASES = Source("store_purchases", StorePurchase.from_api)
_POLICIES = Source("policies", Policy.from_api)
_USERS = Source("users", User.from_api)

_ENROLLMENT_FILTERS = (
    (CAMPAIGN, "campaign_id"),
    (USER, "user_id"),
    (MODULE, "store_purchase_id"),
)

EXPORT_KINDS: dict[str, ExportKind] = {
    kind.name: kind
    for kind in (
        ExportKind("campaigns", (_CAMPAIGNS,), CAMPAIGN_COLUMNS, frozenset({STATUS})),
        ExportKind(
            "enrollments",
            (_ENROLLMENTS,),
            ENROLLMENT_COLUMNS,
            frozenset({CAMPAIGN, USER, MODULE, STATUS}),
            _ENROLLMENT_FILTERS,
        ),
        ExportKind("modules", (_PURCHASES, _POLICIES), MODULE_COLUMNS, frozenset({TYPE})),
        ExportKind("purchases", (_PURCHASES,), PURCHASE_COLUMNS, frozenset({TYPE})),
        ExportKind("policies", (_POLICIES,), POLICY_COLUMNS, frozenset({TYPE})),
        ExportKind("users", (_USERS,), USER_COLUMNS, frozenset({STATUS})),
    )
}

# `overdue` is computed by kb4tui.core from enrollments and campaigns (see overdue.py).
OVERDUE = "overdue"
OVERDUE_FILTERS = frozenset({CAMPAIGN, USER, MODULE, STATUS, WITHIN})
# `progress` too, from one campaign and its enrollments (see progress.py); --campaign is
# required.
PROGRESS = "progress"
PROGRESS_FILTERS = frozenset({CAMPAIGN})
# `not-enrolled` is computed too (see not_enrolled.py); its --campaign is required.
NOT_ENROLLED = "not-enrolled"
NOT_ENROLLED_FILTERS = frozenset({CAMPAIGN})
# `users` adds training columns computed from campaigns and enrollments (see users.py).
USERS = "users"
EXPORT_KIND_NAMES: tuple[str, ...] = (*EXPORT_KINDS, OVERDUE, PROGRESS, NOT_ENROLLED)
# Options `--within` belongs to only `overdue`; `export` validates the rest per kind.
ALL_FILTERS = (CAMPAIGN, USER, MODULE, STATUS, TYPE, WITHIN)

# `kb4tui get KIND ID`: singular names, plurals accepted too.
GET_KINDS: dict[str, ExportKind] = {
    "campaign": EXPORT_KINDS["campaigns"],
    "enrollment": EXPORT_KINDS["enrollments"],
    "purchase": EXPORT_KINDS["purchases"],
    "policy": EXPORT_KINDS["policies"],
    "user": EXPORT_KINDS["users"],
}
GET_KIND_ALIASES: dict[str, str] = {
    "campaigns": "campaign",
    "enrollments": "enrollment",
    "purchases": "purchase",
    "store_purchase": "purchase",
    "store_purchases": "purchase",
    "policies": "policy",
    "users": "user",
}


def enrollment_params(filters: dict[str, int | None]) -> dict[str, Any]:
    """The API query for enrollments given --campaign/--user/--module."""
    params = dict(ENROLLMENT_INCLUDES)
    for option, api_name in _ENROLLMENT_FILTERS:
        value = filters.get(option)
        if value is not None:
            params[api_name] = value
    return params
