"""Enrollments for one campaign: one row per enrolled user x content item.

Statuses follow from dates so that the data is self-consistent:
- `Passed` rows have a completion date (sometimes after the deadline: "past due but
  completed"); nothing else does.
- `Not Started` rows have no start date.
- `Past Due` appears only once the deadline has passed.
- Archived users' rows froze when they were archived; deleted users' rows have `user: null`.

Generation has two phases so that a campaign's completion percentage (needed by the very
first campaigns request) costs only the cheap one: `plan_outcomes` decides every row's dates
and status; `outcome_rows` turns them into API dicts. Rows are stored in their fullest form
(campaign_id, store_purchase_id and an int employee_number inside `user`); the request
handler removes what the query did not ask for.
"""

from __future__ import annotations

import random
from typing import Any, NamedTuple

from kb4tui.demo.campaigns import CampaignInfo, enrolled_people
from kb4tui.demo.people import Person
from kb4tui.demo.timefmt import DAY, MINUTE, iso_z

JSON = dict[str, Any]

EXEMPT_SHARE = 0.015
# Share of targeted people who get the first item a second time (allow_multiple campaigns).
DUPLICATE_SHARE = 0.04
PASSED = "Passed"


class Outcome(NamedTuple):
    """What happened to one enrollment, before it is formatted for the API."""

    person: Person
    item: int  # index into the campaign's content
    enrolled: float
    started: float | None
    completed: float | None
    status: str
    time_spent: int


def id_budget(campaign: CampaignInfo, people: int) -> int:
    """An upper bound on rows, so each campaign gets its own stable block of ids without
    working out who is enrolled (real ids are global across tenants, so gaps are normal)."""
    rows = people * len(campaign.items)
    # Ids step by 1 or 2; duplicates add at most a few percent of the targets.
    return 2 * (rows + rows // 10 + 10)


def _seconds_for(item: JSON) -> float:
    minutes = item.get("duration") if "duration" in item else item.get("minimum_time")
    return float(minutes if isinstance(minutes, int) else 2) * MINUTE


def plan_outcomes(
    campaign: CampaignInfo, people: list[Person], seed: int, now: float
) -> list[Outcome]:
    """Every row's dates and status, in enrollment order; deterministic per campaign."""
    rand = random.Random(seed * 1_000_003 + campaign.id).random
    plan = campaign.plan
    cancelled_at = campaign.end if plan.status == "Cancelled" else None
    stalled_at = now - plan.stalled_days * DAY if plan.stalled_days is not None else None
    completion_base = 0.93 if plan.status in ("Completed", "Closed", "Archived") else 0.8
    seconds_per_item = [_seconds_for(item) for item in campaign.items]

    def outcome(person: Person, enrolled: float, item: int) -> Outcome:
        seconds = seconds_per_item[item]
        as_of = now
        if person.archived is not None and person.archived < as_of:
            as_of = person.archived
        if cancelled_at is not None and cancelled_at < as_of:
            as_of = cancelled_at
        deadline = campaign.deadline_for(enrolled)
        window = (deadline - enrolled) if deadline is not None else 30 * DAY
        started: float | None = None
        completed: float | None = None
        spent = 0
        if plan.fresh:
            status = "Not Started"
            if rand() < 0.05:
                started = min(as_of, enrolled + rand() * (as_of - enrolled))
                status = "In Progress"
                spent = int(seconds * rand() * 0.5)
        elif rand() < EXEMPT_SHARE:
            status = "Exempted"
        else:
            will_finish = rand() < completion_base * (0.55 + 0.55 * person.diligence)
            # The power pulls most completions early; a tail lands after the deadline.
            finish_at = enrolled + MINUTE * 5 + (rand() ** 1.7) * 1.25 * window
            if stalled_at is not None and finish_at > stalled_at:
                will_finish = False
            if will_finish and finish_at <= as_of:
                completed = finish_at
                started = max(enrolled, finish_at - seconds * (1 + rand()))
                status = PASSED
                spent = int(seconds * (0.7 + 0.9 * rand()))
            else:
                begin = enrolled + rand() * 0.8 * window
                if rand() < 0.55 and begin <= as_of:
                    started = begin
                    spent = int(seconds * rand() * 0.8)
                if deadline is not None and as_of > deadline and cancelled_at is None:
                    status = "Past Due"
                else:
                    status = "In Progress" if started is not None else "Not Started"
        return Outcome(person, item, enrolled, started, completed, status, spent)

    outcomes: list[Outcome] = []
    duplicates: list[tuple[Person, float]] = []
    items = range(len(campaign.items))
    for person, enrolled in enrolled_people(campaign, people, now):
        # Drawn even for someone left out (demo/cases.py), so everyone else's outcome
        # stays what it would be without them.
        drawn = [outcome(person, enrolled, item) for item in items]
        if plan.name not in person.left_out_of:
            outcomes.extend(drawn)
        if plan.allow_multiple and not plan.fresh and rand() < DUPLICATE_SHARE:
            again = enrolled + (5 + rand() * 20) * DAY
            if again < now:
                duplicates.append((person, again))
    # Re-enrollments happened later, so they come later in id order.
    duplicates.sort(key=lambda entry: entry[1])
    outcomes.extend(outcome(person, again, 0) for person, again in duplicates)
    return outcomes


def _user_json(person: Person) -> JSON | None:
    if person.deleted:
        return None
    number = person.employee_number
    return {
        "id": person.id,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        # The enrollments endpoint types this as an int; /v1/users sends a string.
        "employee_number": int(number) if number is not None else None,
    }


def outcome_rows(campaign: CampaignInfo, outcomes: list[Outcome], first_id: int) -> list[JSON]:
    """The API dicts for `outcomes`, ids ascending from `first_id` with small gaps."""
    name = campaign.plan.name
    items = [
        (
            item["content_type"],
            item["name"],
            item.get("store_purchase_id"),
            item["content_type"] == "Uploaded Policy",
        )
        for item in campaign.items
    ]
    users: dict[int, JSON | None] = {}
    rows: list[JSON] = []
    next_id = first_id
    for person, item, enrolled, started, completed, status, spent in outcomes:
        content_type, module_name, purchase_id, is_policy = items[item]
        if person.id not in users:
            users[person.id] = _user_json(person)
        rows.append(
            {
                "enrollment_id": next_id,
                "content_type": content_type,
                "module_name": module_name,
                "user": users[person.id],
                "campaign_name": name,
                "campaign_id": campaign.id,
                "store_purchase_id": purchase_id,
                "enrollment_date": iso_z(enrolled),
                "start_date": None if started is None else iso_z(started),
                "completion_date": None if completed is None else iso_z(completed),
                "status": status,
                "time_spent": spent,
                "policy_acknowledged": is_policy and status == PASSED,
            }
        )
        next_id += 1 + (next_id % 3 == 0)
    return rows


def completion_percentage(outcomes: list[Outcome]) -> int:
    """Whole-number share of rows that are Passed (the docs sample sends an int)."""
    if not outcomes:
        return 0
    passed = sum(1 for o in outcomes if o.status == PASSED)
    return round(100 * passed / len(outcomes))
