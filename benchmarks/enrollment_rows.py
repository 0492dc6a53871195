"""100,000 realistic enrollment rows for the table and memory benchmarks.

The demo organisation's biggest campaign (the API's JSON, every `include_*` field) repeated
under fresh enrollment ids until there are enough rows: the shapes, string lengths and
value mix are the fake API's, which follows recorded real responses.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb4tui.demo import generate_org

USERS = 7000
CAMPAIGN = 51638  # 19,896 rows with seed 7


def raw_pages(count: int = 100_000, per_page: int = 500) -> Iterator[list[dict[str, Any]]]:
    """`count` API rows in pages, each decoded from JSON as the client receives it, so that
    every row has its own strings, as after a real fetch."""
    template = generate_org(seed=7, users=USERS).campaign_enrollments(CAMPAIGN)
    for start in range(0, count, per_page):
        page = []
        for n in range(start, min(count, start + per_page)):
            row = template[n % len(template)]
            copy = n // len(template)
            page.append({**row, "enrollment_id": row["enrollment_id"] + copy * 10_000_000})
        yield json.loads(json.dumps(page))


def raw_enrollments(count: int = 100_000) -> list[dict[str, Any]]:
    """`count` API rows, as `Enrollment.from_api_list` receives them."""
    return [row for page in raw_pages(count) for row in page]
