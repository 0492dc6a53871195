"""Time kb4tui.core over 100,000 enrollments (a benchmark, not a test).

Run: .venv/bin/python benchmarks/bench_core.py [N] [--freeze]
"""

from __future__ import annotations

import gc
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from kb4tui.api.models import Campaign, Enrollment, StorePurchase, User
from kb4tui.core.compliance import content_at_risk, deadline_rows, overdue_rows, people_at_risk
from kb4tui.core.duplicates import find_duplicates
from kb4tui.core.not_enrolled import not_enrolled_in
from kb4tui.core.person_training import training_by_user
from kb4tui.core.summaries import count_by_status, counts_by_campaign, counts_by_user
from kb4tui.demo import generate_org
from kb4tui.sanitize import clean_text

STATUSES = ["Passed", "Not Started", "In Progress", "Past Due", "Exempted", "past_due", "Odd"]
NOW = datetime(2026, 2, 20, 15, tzinfo=UTC)


def build(n: int) -> tuple[list[Campaign], list[Enrollment], list[StorePurchase]]:
    rng = random.Random(7)
    start = NOW - timedelta(days=60)
    campaigns = [
        Campaign.from_api(
            {
                "campaign_id": c,
                "name": f"Campaign {c}",
                "status": "In Progress",
                "end_date": None if c % 2 else (NOW + timedelta(days=c - 25)).isoformat(),
                "relative_duration": "2 weeks" if c % 2 else None,
                "content": [{"store_purchase_id": 1000 + c % 40, "name": f"Module {c % 40}"}],
            }
        )
        for c in range(50)
    ]
    purchases = [
        StorePurchase.from_api(
            {
                "store_purchase_id": 1000 + p,
                "name": f"Module {p}",
                "retirement_date": (NOW + timedelta(days=p)).isoformat(),
            }
        )
        for p in range(400)
    ]
    enrollments = [
        Enrollment.from_api(
            {
                "enrollment_id": i,
                "user": None if i % 997 == 0 else {"id": rng.randrange(20_000), "email": "x@y"},
                "campaign_id": None if i % 5 == 0 else i % 50,
                "campaign_name": f"Campaign {i % 50}",
                "store_purchase_id": 1000 + (i % 50) % 40,
                "module_name": f"Module {(i % 50) % 40}",
                "status": rng.choice(STATUSES),
                "enrollment_date": (start + timedelta(minutes=i)).isoformat(),
            }
        )
        for i in range(n)
    ]
    return campaigns, enrollments, purchases


def timed(label: str, fn: Callable[[], Any]) -> None:
    # CPU time, best of 5: the machine is shared, wall time measures the neighbours.
    best = float("inf")
    for _ in range(5):
        began = time.process_time()
        result = fn()
        best = min(best, time.process_time() - began)
    size = len(result) if hasattr(result, "__len__") else "-"
    print(f"{label:<32} {best * 1000:8.1f} ms   ({size} results)")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 100_000
    campaigns, enrollments, purchases = build(n)
    if "--freeze" in sys.argv:
        # What a long-running app can do once its data is loaded: keep the cyclic GC from
        # rescanning 100k long-lived models on every allocation burst.
        gc.collect()
        gc.freeze()
    print(f"{n} enrollments, {len(campaigns)} campaigns, {len(purchases)} purchases")
    # Reference point on a shared machine: the cheapest possible pass over the rows.
    timed("baseline: read every .status", lambda: [e.status for e in enrollments])
    timed("count_by_status", lambda: count_by_status(enrollments).by_state)
    timed("counts_by_campaign", lambda: counts_by_campaign(enrollments))
    timed("counts_by_user", lambda: counts_by_user(enrollments))
    timed("find_duplicates", lambda: find_duplicates(enrollments))
    timed("deadline_rows", lambda: deadline_rows(campaigns, enrollments, NOW))
    timed("people_at_risk", lambda: people_at_risk(enrollments, campaigns, NOW))
    timed("overdue_rows(within_days=7)", lambda: overdue_rows(enrollments, campaigns, NOW, 7))
    timed("content_at_risk", lambda: content_at_risk(purchases, campaigns, NOW))
    # The People pane: everyone's training, and one campaign's missing people with reasons.
    timed("training_by_user", lambda: training_by_user(enrollments, campaigns, NOW))
    users = [
        User.from_api({"id": u, "status": "active", "groups": [u % 9], "joined_on": "2025-01-01"})
        for u in range(20_000)
    ]
    targeted = Campaign.from_api(
        {
            "campaign_id": 0,
            "name": "Campaign 0",
            "status": "In Progress",
            "groups": [{"group_id": 3, "name": "Group 3"}],
            "start_date": "2025-06-01T00:00:00.000Z",
            "auto_enroll": False,
            "content": [{"store_purchase_id": 1000, "name": "Module 0"}],
        }
    )
    timed("not_enrolled_in (20k users)", lambda: not_enrolled_in(targeted, users, enrollments, NOW))
    names = [f"Security Awareness {i} — Q{i % 4} 2026 🛡️" for i in range(n)]
    timed("clean_text, plain names", lambda: [clean_text(name) for name in names])
    dirty = [f"\x1b[31mName {i}\x1b[0m\r" for i in range(n)]
    timed("clean_text, escapes and CR", lambda: [clean_text(name) for name in dirty])
    # The demo organisation `kb4tui --demo` builds at start (1,500 users, ~24k enrollments).
    timed("demo org: generate + enrollments", lambda: generate_org(now=NOW).enrollments())


if __name__ == "__main__":
    main()
