"""The demo's 25 training campaigns: every status, both duration types, spread deadlines.

Plans are fixed so that every case the UI must handle is always present (a campaign that
started hours ago with zero completion, one whose completions stopped weeks ago, deadlines
past / within 7 days / far away, a name full of Rich markup); the seed varies people, ids
and enrollment outcomes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from kb4tui.demo import people as ppl
from kb4tui.demo.catalog import policy_in_content
from kb4tui.demo.timefmt import DAY, HOUR, MINUTE, iso_z_or_none, start_of_day

JSON = dict[str, Any]

ALL_USERS = "all"
SPECIFIC = "Specific End Date"
RELATIVE = "Relative Duration"

# How long each relative duration gives a user, in days (a month is taken as 30 days).
RELATIVE_DAYS = {"1 week": 7, "2 weeks": 14, "30 days": 30, "1 month": 30, "3 months": 90}


@dataclass(frozen=True, slots=True)
class CampaignPlan:
    name: str
    status: str
    start_days: float | None  # relative to now; None: not scheduled yet
    end_days: float | None  # Specific End Date campaigns only
    relative: str | None  # Relative Duration campaigns only
    targets: tuple[str, ...]  # group keys, or ALL_USERS
    content: tuple[str, ...]  # "sp<index>" into the store purchases, "pol<index>" policies
    auto_enroll: bool = False
    allow_multiple: bool = False
    # Started so recently that nobody has finished yet.
    fresh: bool = False
    # Nobody has finished anything for this many days (the reminders stopped): a campaign
    # the progress chart and forecast show as stalling.
    stalled_days: float | None = None

    @property
    def has_enrollments(self) -> bool:
        return self.start_days is not None and self.status not in ("Created", "Scheduled")


def _d(*names: str) -> tuple[str, ...]:
    return tuple(f"dept:{n}" for n in names)


PLANS: tuple[CampaignPlan, ...] = (
    CampaignPlan(
        "2025 Annual Security Awareness Training", "Closed", -330, -270, None,
        (ALL_USERS,), ("sp1", "sp3", "pol0"), auto_enroll=True,
    ),
    CampaignPlan(
        "Sales Travel Security Briefing", "Archived", -420, -390, None,
        _d("Sales"), ("sp16", "sp13"),
    ),
    CampaignPlan(
        "GDPR Essentials", "Closed", -240, -180, None, (ppl.EMEA,), ("sp7", "pol3"),
    ),
    CampaignPlan(
        "Remote Work Security", "Closed", -200, None, "2 weeks",
        (ALL_USERS,), ("sp14", "sp25"),
    ),
    CampaignPlan(
        "Password & MFA Hygiene", "Completed", -150, None, "30 days",
        _d("IT", "Engineering", "Security"), ("sp12", "sp19"),
    ),
    CampaignPlan(
        "HIPAA Privacy Refresher", "Completed", -100, -30, None,
        _d("HR", "Legal", "Customer Support"), ("sp6",),
    ),
    CampaignPlan(
        "Insider Threat Awareness", "Completed", -120, -60, None,
        _d("Operations", "Facilities", "Procurement"), ("sp29", "sp11"),
    ),
    CampaignPlan(
        "Mobile Device Security", "Cancelled", -60, -10, None,
        _d("Sales", "Marketing"), ("sp15",),
    ),
    CampaignPlan(
        "New Hire Security Onboarding", "In Progress", -300, None, "2 weeks",
        (ppl.NEW_HIRES,), ("sp1", "sp17", "pol0", "pol1"), auto_enroll=True,
    ),
    CampaignPlan(
        "Phishing Fundamentals (Quarterly)", "In Progress", -70, None, "3 months",
        (ALL_USERS,), ("sp3", "sp20"), auto_enroll=True, allow_multiple=True,
    ),
    CampaignPlan(
        "2026 Annual Security Awareness Training", "In Progress", -45, 5, None,
        (ALL_USERS,), ("sp0", "sp2", "pol0"), auto_enroll=True,
    ),
    CampaignPlan(
        "[/Q3] Phish [bold]drill[/bold]", "In Progress", -20, None, "1 week",
        (ppl.PHISH_PRONE,), ("sp17", "sp21"), auto_enroll=True, allow_multiple=True,
    ),
    CampaignPlan(
        "Finance: Business Email Compromise", "In Progress", -25, 3, None,
        _d("Finance", "Executive"), ("sp4", "sp22"),
    ),
    CampaignPlan(
        "Executive Whaling Awareness", "In Progress", -14, 6, None,
        _d("Executive"), ("sp4", "sp10"),
    ),
    CampaignPlan(
        "Customer Support: Vishing Defence", "In Progress", -40, None, "1 month",
        _d("Customer Support"), ("sp13", "sp3"), auto_enroll=True, stalled_days=17,
    ),
    CampaignPlan(
        "IT Admin Privileged Access", "In Progress", -35, None, "3 months",
        _d("IT", "Security"), ("sp9", "pol2"), auto_enroll=True,
    ),
    CampaignPlan(
        "Engineering Secure Coding 2026", "In Progress", -30, 60, None,
        _d("Engineering"), ("sp5", "sp21"),
    ),
    CampaignPlan(
        "Data Classification & Handling", "In Progress", -10, 21, None,
        _d("Legal", "HR", "Finance"), ("sp22", "pol3"),
    ),
    CampaignPlan(
        "Contractor Security Acknowledgement", "In Progress", -90, None, "1 week",
        (ppl.CONTRACTORS,), ("pol0", "pol2"), auto_enroll=True,
    ),
    CampaignPlan(
        "Acceptable Use Policy 2026 Attestation", "In Progress", -12, 25, None,
        (ALL_USERS,), ("pol0",),
    ),
    CampaignPlan(
        "Security Awareness Month Kickoff", "In Progress", -3 / 24, 30, None,
        (ALL_USERS,), ("sp10", "sp26"), fresh=True,
    ),
    CampaignPlan(
        "Security Champions Program", "Active", -1, 90, None,
        (ppl.CHAMPIONS,), ("sp18", "sp5", "sp27"), auto_enroll=True, allow_multiple=True,
        fresh=True,
    ),
    CampaignPlan(
        "Social Engineering Deep Dive", "Scheduled", 10, 40, None,
        _d("Sales", "Customer Support"), ("sp3", "sp11"),
    ),
    CampaignPlan(
        "Cloud Security Basics", "Scheduled", 3, None, "30 days",
        _d("Engineering", "IT"), ("sp2",), auto_enroll=True,
    ),
    CampaignPlan(
        "PCI DSS Cardholder Data Handling", "Created", None, None, "1 month",
        _d("Finance", "Customer Support"), ("sp8", "pol4"),
    ),
)  # fmt: skip


@dataclass(slots=True)
class CampaignInfo:
    """A campaign as generated: its plan, resolved times, API dict and targeted people."""

    plan: CampaignPlan
    id: int
    start: float | None
    end: float | None
    items: list[JSON]  # content objects exactly as they appear in the campaign's `content`
    json: JSON  # the API object without `completion_percentage` (added per request)

    def deadline_for(self, enrolled: float) -> float | None:
        if self.plan.relative is not None:
            return enrolled + RELATIVE_DAYS[self.plan.relative] * DAY
        return self.end


def _timing(plan: CampaignPlan, now: float) -> tuple[float | None, float | None]:
    if plan.start_days is None:
        return None, None
    start = now + plan.start_days * DAY
    start -= start % HOUR
    end = None
    if plan.end_days is not None:
        end = start_of_day(now + plan.end_days * DAY) + DAY - MINUTE  # 23:59 that day
    return start, end


def _content(plan: CampaignPlan, purchases: list[JSON], policies: list[JSON]) -> list[JSON]:
    items: list[JSON] = []
    for ref in plan.content:
        if ref.startswith("sp"):
            items.append(dict(purchases[int(ref[2:])]))
        else:
            items.append(policy_in_content(policies[int(ref[3:])]))
    return items


def enrolled_people(
    campaign: CampaignInfo, people: list[ppl.Person], now: float
) -> list[tuple[ppl.Person, float]]:
    """Who is enrolled, and when: members at the start, plus later joiners on auto-enroll.

    In enrollment order.
    """
    plan, start = campaign.plan, campaign.start
    if start is None or not plan.has_enrollments:
        return []
    everyone = ALL_USERS in plan.targets
    keys = set(plan.targets)
    enrolled: list[tuple[ppl.Person, float]] = []
    for person in people:
        if plan.targets == (ppl.NEW_HIRES,):
            # The smart group holds whoever is new *at the time*: everyone who joined since.
            member = person.joined >= start
        else:
            member = everyone or not keys.isdisjoint(person.group_keys)
        if not member:
            continue
        if person.active_at(start):
            at = start
        elif plan.auto_enroll and start < person.joined <= min(now, campaign.end or now):
            if person.archived is not None and person.archived <= person.joined:
                continue
            at = person.joined
        else:
            continue
        # Enrollment runs take a little while to work through the organisation.
        enrolled.append((person, at + (person.id % 600)))
    enrolled.sort(key=lambda pair: (pair[1], pair[0].id))
    return enrolled


def make_campaigns(
    rng: random.Random,
    now: float,
    groups: list[ppl.GroupInfo],
    purchases: list[JSON],
    policies: list[JSON],
) -> list[CampaignInfo]:
    """Campaigns in ascending id order; ids follow creation order (start date)."""
    by_key = {g.key: g for g in groups}
    order = sorted(
        PLANS, key=lambda p: (p.start_days is None, p.start_days if p.start_days is not None else 0)
    )
    campaigns: list[CampaignInfo] = []
    next_id = 51_200 + rng.randrange(100)
    for plan in order:
        next_id += rng.randint(3, 60)
        start, end = _timing(plan, now)
        items = _content(plan, purchases, policies)
        groups_json = [
            {"group_id": 0, "name": "All Users"}
            if key == ALL_USERS
            else {"group_id": by_key[key].id, "name": by_key[key].name}
            for key in plan.targets
        ]
        campaign_json: JSON = {
            "campaign_id": next_id,
            "name": plan.name,
            "groups": groups_json,
            "status": plan.status,
            "content": items,
            "duration_type": RELATIVE if plan.relative is not None else SPECIFIC,
            "start_date": iso_z_or_none(start),
            "end_date": iso_z_or_none(end),
            "relative_duration": plan.relative,
            "auto_enroll": plan.auto_enroll,
            "allow_multiple_enrollments": plan.allow_multiple,
        }
        campaigns.append(
            CampaignInfo(
                plan=plan,
                id=next_id,
                start=start,
                end=end,
                items=items,
                json=campaign_json,
            )
        )
    return campaigns
