"""Asking before a view's first load costs many requests: the rule, in one place.

A view works out what its first load would cost (`kb4tui.session.datasets.first_fill_
requests`) and awaits `may_load`: under `LARGE_FIRST_FILL` requests, and within the day's
quota, it goes ahead at once; otherwise the app shows the question (`ConfirmFirstFill`)
and the answer comes back here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from textual.widget import Widget

from kb4tui.api.models import Campaign, Group
from kb4tui.core.people_view import estimate_enrollment_rows
from kb4tui.session.datasets import ACCOUNT, ALL_ENROLLMENTS, Dataset, first_fill_requests
from kb4tui.session.session import Session
from kb4tui.ui.messages import ConfirmFirstFill

__all__ = ["LARGE_FIRST_FILL", "FillPart", "enrollments_part", "fill_cost", "may_load", "seats"]

# A dataset to load, about how many rows it holds (None: unknown), and what to call it.
FillPart = tuple[Dataset[Any], int | None, str]

# Two minutes of requests at the API's 50 a minute.
LARGE_FIRST_FILL = 100


async def may_load(view: Widget, session: Session, needed: int, what: str) -> bool:
    """Whether to go ahead with a first load of about `needed` requests (`what` lists them)."""
    if needed <= LARGE_FIRST_FILL and not session.quota_would_pass(needed):
        return True
    answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def answered(yes: bool) -> None:
        if not answer.done():
            answer.set_result(yes)

    view.post_message(ConfirmFirstFill(needed, what, answered))
    return await answer


def seats(session: Session) -> int | None:
    """The account's licensed seats, if the account is loaded (the header loads it)."""
    account = session.cached(ACCOUNT)
    return account.number_of_seats if account is not None else None


def enrollments_part(
    session: Session, campaigns: Sequence[Campaign], groups: Sequence[Group]
) -> FillPart:
    """All enrollments, with their size estimated from the campaigns' targets."""
    rows = estimate_enrollment_rows(campaigns, groups, seats(session))
    label = f"~{rows:,} enrollments" if rows is not None else "the enrollments"
    return (ALL_ENROLLMENTS, rows, label)


async def fill_cost(session: Session, parts: Sequence[FillPart]) -> tuple[int, str]:
    """About how many requests loading the parts not at hand costs, and of what ("users 4,
    ~28,469 enrollments 57"); (0, "") when all of them are cached."""
    costs: list[tuple[int, str]] = []
    for dataset, rows, label in parts:
        if not await session.available(dataset):
            costs.append((first_fill_requests(dataset, rows), label))
    return sum(n for n, _ in costs), ", ".join(f"{label} {n:,}" for n, label in costs)
