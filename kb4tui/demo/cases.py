"""People planted in the demo so that every answer to "why is this person not enrolled?"
shows up, whatever the seed or the size of the organisation.

- A late joiner: someone who joined after LATE_JOINER_CAMPAIGN (All Users, no auto-enrol)
  started. A big organisation has some already; a small one gets its newest person moved.
- At least one archived user.
- Same content elsewhere: two people left out of SAME_CONTENT_CAMPAIGN although in its
  target groups, because they already hold one of its modules through another campaign and
  it does not allow multiple enrollments (the troubleshooting table's duplicate row).
- Unknown: one person left out of UNEXPLAINED_CAMPAIGN with nothing in the data to say why
  (in real accounts: removed by hand, which the API does not record).

People in no target group need no planting: most campaigns target a few departments.
Choices are by id order and dates only, so they are deterministic, and they leave everyone
else's data as it was.
"""

from __future__ import annotations

from kb4tui.demo.campaigns import ALL_USERS, PLANS, CampaignPlan
from kb4tui.demo.people import Person
from kb4tui.demo.timefmt import DAY, HOUR

__all__ = [
    "LATE_JOINER_CAMPAIGN",
    "SAME_CONTENT_CAMPAIGN",
    "UNEXPLAINED_CAMPAIGN",
    "plant_left_out",
    "plant_people",
]

LATE_JOINER_CAMPAIGN = "Acceptable Use Policy 2026 Attestation"
SAME_CONTENT_CAMPAIGN = "Data Classification & Handling"
UNEXPLAINED_CAMPAIGN = "Engineering Secure Coding 2026"
SAME_CONTENT_PEOPLE = 2


def _plan(name: str) -> CampaignPlan:
    for plan in PLANS:
        if plan.name == name:
            return plan
    raise LookupError(f"the demo has no campaign plan named {name!r}")


def _start(plan: CampaignPlan, now: float) -> float:
    if plan.start_days is None:
        raise ValueError(f"the demo campaign {plan.name!r} has no start")
    return now + plan.start_days * DAY


def _staff(people: list[Person]) -> list[Person]:
    """People who are in /v1/users and not archived, in id order."""
    return [p for p in people if not p.deleted and p.archived is None]


def plant_people(people: list[Person], now: float) -> None:
    """Dates that decide group membership: call before the groups are made."""
    staff = _staff(people)
    if len(staff) < 2:
        return
    start = _start(_plan(LATE_JOINER_CAMPAIGN), now)
    if not any(p.joined > start + HOUR for p in staff):
        newest = max(staff, key=lambda p: (p.joined, p.id))
        joined = now - 4 * DAY
        newest.joined = joined - joined % HOUR
    if not any(p.archived is not None for p in people if not p.deleted):
        oldest = min(staff[1:], key=lambda p: (p.joined, p.id))  # not the CEO (first)
        oldest.archived = now - 5 * DAY


def plant_left_out(people: list[Person], now: float) -> None:
    """Who is left out of which campaign: call once groups are known."""
    same = _plan(SAME_CONTENT_CAMPAIGN)
    for person in _eligible(people, same, now, same_content=True)[:SAME_CONTENT_PEOPLE]:
        person.left_out_of.add(same.name)
    unexplained = _plan(UNEXPLAINED_CAMPAIGN)
    for person in _eligible(people, unexplained, now, same_content=False)[:1]:
        person.left_out_of.add(unexplained.name)


def _eligible(
    people: list[Person], plan: CampaignPlan, now: float, *, same_content: bool
) -> list[Person]:
    """Active members of the plan's target groups who were there before it started (and
    before any other campaign sharing its content started), with or without that content
    through another campaign."""
    start = _start(plan, now)
    found: list[Person] = []
    for person in _staff(people):
        if person.left_out_of or not _targets(plan, person) or person.joined >= start - DAY:
            continue
        sharing = _sharing_plans(plan, person)
        if same_content:
            wanted = bool(sharing) and all(person.joined < _start(p, now) for p in sharing)
        else:
            wanted = not sharing
        if wanted:
            found.append(person)
    return found


def _targets(plan: CampaignPlan, person: Person) -> bool:
    return ALL_USERS in plan.targets or not person.group_keys.isdisjoint(plan.targets)


def _sharing_plans(plan: CampaignPlan, person: Person) -> list[CampaignPlan]:
    """Other started campaigns that target this person and carry some of the same content."""
    return [
        other
        for other in PLANS
        if other is not plan
        and other.has_enrollments
        and _targets(other, person)
        and not set(other.content).isdisjoint(plan.content)
    ]
