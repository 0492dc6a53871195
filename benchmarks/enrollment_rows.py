"""100,000 realistic enrollment rows for the table and memory benchmarks.

The demo organisation's biggest campaign (the API's JSON, every `include_*` field) repeated
under fresh enrollment ids until there are enough rows: the shapes, string lengths and
value mix are the fake API's, which follows recorded real responses.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb4tui.demo import generate_org

USERS = 7000
CAMPAIGN = 51638  # 19,896 rows with seed 7


def raw_enrollments(count: int = 100_000) -> list[dict[str, Any]]:
    """`count` API rows, as `Enrollment.from_api_list` receives them."""
    template = generate_org(seed=7, users=USERS).campaign_enrollments(CAMPAIGN)
    rows: list[dict[str, Any]] = []
    while len(rows) < count:
        copy = len(rows) // len(template)
        for row in template[: count - len(rows)]:
            user = dict(row["user"]) if row.get("user") else row.get("user")
            rows.append(
                {**row, "enrollment_id": row["enrollment_id"] + copy * 10_000_000, "user": user}
            )
    return rows
