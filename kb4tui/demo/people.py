"""The people of the demo organisation: users, groups and the account, as the API sends them."""

from __future__ import annotations

import functools
import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any

from kb4tui.demo import vocab
from kb4tui.demo.timefmt import DAY, HOUR, date_only, iso_z, iso_z_or_none

JSON = dict[str, Any]

# Symbolic group keys that campaigns target; department groups are "dept:<name>".
EMEA = "emea"
CONTRACTORS = "contractors"
CHAMPIONS = "champions"
NEW_HIRES = "new_hires"
PHISH_PRONE = "phish_prone"
MANAGERS = "managers"
LEGACY = "legacy"


@dataclass(slots=True)
class Person:
    """Everything the generator knows about one user, including what the API never shows."""

    id: int
    first_name: str
    last_name: str
    email: str
    employee_number: str | None
    department: str
    job_title: str
    location: str
    country: str
    joined: float
    archived: float | None
    # 0..1: how promptly this person finishes training; drives enrollment statuses.
    diligence: float
    phish_prone: float
    contractor: bool
    # Deleted people never appear in /v1/users; their enrollments carry `user: null`.
    deleted: bool = False
    group_keys: set[str] = field(default_factory=set)
    manager: Person | None = None
    # Campaign names this person is left out of although targeted (see demo/cases.py).
    left_out_of: set[str] = field(default_factory=set)

    def active_at(self, epoch: float) -> bool:
        return self.joined <= epoch and (self.archived is None or self.archived > epoch)


@dataclass(slots=True)
class GroupInfo:
    key: str
    id: int
    name: str
    group_type: str
    status: str
    provisioning_guid: str | None
    risk_score: float
    member_ids: list[int] = field(default_factory=list)


@functools.cache
def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _weighted_departments(rng: random.Random, count: int) -> list[str]:
    names = list(vocab.DEPARTMENT_WEIGHTS)
    weights = [vocab.DEPARTMENT_WEIGHTS[n] for n in names]
    chosen = rng.choices(names, weights=weights, k=count)
    # Every department exists even in a tiny organisation.
    for index, name in enumerate(names[: min(count, len(names))]):
        chosen[index] = name
    return chosen


def make_people(rng: random.Random, count: int, now: float, domain: str) -> list[Person]:
    """`count` users (some archived) plus a few deleted people, sorted by id."""
    deleted_count = max(2, count // 250)
    departments = _weighted_departments(rng, count + deleted_count)
    emails: set[str] = set()
    people: list[Person] = []
    next_id = 9_010_000 + rng.randrange(1000)
    next_employee = 10_000 + rng.randrange(500)
    for index, department in enumerate(departments):
        next_id += rng.randint(1, 9)
        next_employee += rng.randint(1, 4)
        first = rng.choice(vocab.FIRST_NAMES)
        last = rng.choice(vocab.LAST_NAMES)
        base = f"{_ascii(first)}.{_ascii(last)}"
        email = f"{base}@{domain}"
        suffix = 2
        while email in emails:
            email = f"{base}{suffix}@{domain}"
            suffix += 1
        emails.add(email)
        roll = rng.random()
        if roll < 0.06:
            joined = now - rng.uniform(1, 90) * DAY  # recent hires
        elif roll < 0.16:
            joined = now - rng.uniform(90, 330) * DAY
        else:
            joined = now - rng.uniform(330, 8 * 365) * DAY
        joined -= joined % HOUR
        deleted = index >= count
        archived: float | None = None
        if deleted or rng.random() < 0.06:
            earliest = joined + 20 * DAY
            archived = rng.uniform(earliest, max(earliest, now - DAY)) if earliest < now else None
        contractor = department not in ("Executive", "Security") and rng.random() < 0.06
        titles = vocab.DEPARTMENTS[department][0]
        location, country = rng.choice(vocab.LOCATIONS)
        people.append(
            Person(
                id=next_id,
                first_name=first,
                last_name=last,
                email=email,
                employee_number=None if contractor else str(next_employee),
                department=department,
                job_title=rng.choice(titles),
                location=location,
                country=country,
                joined=joined,
                archived=archived,
                diligence=rng.betavariate(2.2, 1.2),
                phish_prone=round(min(60.0, rng.expovariate(1 / 11)), 3),
                contractor=contractor,
                deleted=deleted,
            )
        )
    _assign_managers(rng, people)
    return people


def _assign_managers(rng: random.Random, people: list[Person]) -> None:
    """One head per department, a lead per ~25 staff, everyone else reports to a lead."""
    by_department: dict[str, list[Person]] = {}
    for person in people:
        if not person.deleted:
            by_department.setdefault(person.department, []).append(person)
    ceo = by_department["Executive"][0]
    ceo.job_title = "Chief Executive Officer"
    for staff in by_department.values():
        head = staff[0]
        if head is not ceo:
            head.manager = ceo
        leads = staff[1 : 1 + max(1, len(staff) // 25)]
        for lead in leads:
            lead.manager = head
        for person in staff[1 + len(leads) :]:
            person.manager = rng.choice(leads) if leads else head


def user_json(person: Person, rng: random.Random, now: float, org_name: str) -> JSON:
    """One `/v1/users` object with every documented key, nulls included."""
    provisioned = rng.random() < 0.7
    signed_in = rng.random() < 0.75
    manager = person.manager
    alias_roll = rng.random()
    return {
        "id": person.id,
        "employee_number": person.employee_number,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "job_title": person.job_title,
        "email": person.email,
        "phish_prone_percentage": person.phish_prone,
        "phone_number": f"+1 312-555-{rng.randrange(100, 200):04d}",
        "extension": str(rng.randrange(2000, 7999)) if rng.random() < 0.4 else None,
        "mobile_phone_number": f"+1 773-555-{rng.randrange(100, 200):04d}"
        if rng.random() < 0.2
        else None,
        "location": person.location,
        "division": vocab.DEPARTMENTS[person.department][1],
        "manager_name": f"{manager.first_name} {manager.last_name}" if manager else None,
        "manager_email": manager.email if manager else None,
        "provisioning_managed": provisioned,
        "provisioning_guid": str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if provisioned
        else None,
        "groups": [],  # filled in once groups exist
        "current_risk_score": round(rng.uniform(5, 75), 1),
        "aliases": [person.email.replace("@", "@mail.")] if alias_roll < 0.05 else [],
        "joined_on": iso_z(person.joined),
        "last_sign_in": iso_z(rng.uniform(person.joined, person.archived or now))
        if signed_in
        else None,
        "status": "archived" if person.archived is not None else "active",
        "organization": org_name,
        "department": person.department,
        "language": "English - United Kingdom"
        if person.country in vocab.EMEA_COUNTRIES
        else "English - United States",
        "comment": "Joined through the 2023 Tailspin acquisition" if rng.random() < 0.02 else None,
        "employee_start_date": iso_z(person.joined - rng.randrange(0, 14) * DAY),
        "archived_at": iso_z_or_none(person.archived),
        "custom_field_1": f"CC-{rng.randrange(1000, 1100)}" if rng.random() < 0.8 else None,
        "custom_field_2": "Contractor" if person.contractor else None,
        "custom_field_3": None,
        "custom_field_4": None,
        "custom_date_1": date_only(now + rng.uniform(30, 400) * DAY) if person.contractor else None,
        "custom_date_2": None,
    }


def make_groups(rng: random.Random, people: list[Person], now: float) -> list[GroupInfo]:
    """Department groups, a few console groups and smart groups; ids ascending."""
    specs: list[tuple[str, str, str, str]] = [
        (f"dept:{d}", "Executives" if d == "Executive" else d, "console_group", "active")
        for d in vocab.DEPARTMENTS
    ]
    specs += [
        (EMEA, "All Staff - EMEA", "console_group", "active"),
        (CONTRACTORS, "Contractors", "console_group", "active"),
        (CHAMPIONS, "Security Champions [pilot]", "console_group", "active"),
        (NEW_HIRES, "New Hires (last 90 days)", "smart_group", "active"),
        (PHISH_PRONE, "Phish-prone > 20%", "smart_group", "active"),
        (MANAGERS, "People Managers", "smart_group", "active"),
        (LEGACY, "Legacy - Tailspin Acquisition 2023", "console_group", "archived"),
    ]
    managers = {p.manager.id for p in people if p.manager is not None}
    groups: list[GroupInfo] = []
    next_id = 4_120_000 + rng.randrange(100)
    for key, name, group_type, status in specs:
        next_id += rng.randint(3, 40)
        provisioned = group_type == "console_group" and rng.random() < 0.5
        groups.append(
            GroupInfo(
                key=key,
                id=next_id,
                name=name,
                group_type=group_type,
                status=status,
                provisioning_guid=str(uuid.UUID(int=rng.getrandbits(128), version=4))
                if provisioned
                else None,
                risk_score=round(rng.uniform(10, 60), 1),
            )
        )
    for person in people:
        keys = {f"dept:{person.department}"}
        if person.country in vocab.EMEA_COUNTRIES:
            keys.add(EMEA)
        if person.contractor:
            keys.add(CONTRACTORS)
        if rng.random() < 0.025:
            keys.add(CHAMPIONS)
        if person.joined >= now - 90 * DAY:
            keys.add(NEW_HIRES)
        if person.phish_prone > 20:
            keys.add(PHISH_PRONE)
        if person.id in managers:
            keys.add(MANAGERS)
        person.group_keys = keys
    by_key = {g.key: g for g in groups}
    for person in people:
        if person.deleted:
            continue
        for key in sorted(person.group_keys):
            by_key[key].member_ids.append(person.id)
    return groups


def group_json(group: GroupInfo, active_members: int) -> JSON:
    return {
        "id": group.id,
        "name": group.name,
        "group_type": group.group_type,
        "provisioning_guid": group.provisioning_guid,
        "member_count": active_members,
        "current_risk_score": group.risk_score,
        "status": group.status,
    }


def account_json(
    rng: random.Random, name: str, domains: list[str], people: list[Person], now: float
) -> JSON:
    staff = [p for p in people if not p.deleted]
    admins = [p for p in staff if p.department in ("IT", "Security") and p.archived is None][:3]
    seats = ((len(staff) * 11 // 10) // 50 + 1) * 50
    return {
        "name": name,
        "type": "paid",
        "domains": domains,
        "admins": [
            {"id": p.id, "first_name": p.first_name, "last_name": p.last_name, "email": p.email}
            for p in admins
        ],
        "subscription_level": "Diamond",
        "subscription_end_date": date_only(now + rng.uniform(60, 300) * DAY),
        "number_of_seats": seats,
        "current_risk_score": round(rng.uniform(20, 45), 3),
    }
