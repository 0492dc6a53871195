"""Benchmark (not a test): resident memory with 100,000 enrollments loaded.

In a fresh process (so nothing else inflates the figure), step by step:
1. kb4tui's UI imported (the baseline);
2. 10,000 API rows as JSON dicts, for scale (freed again: the client holds one page);
3. 100,000 rows parsed page by page into `Enrollment` models (what the repository keeps);
4. the real EnrollmentsScreen showing them headless, search index built (models + table):
   step 3's models are handed to the session's repository as a fetch leaves them (its
   memo, reached here for the benchmark only), so the figure holds one copy and no raw
   JSON (a fetch or a cache read also holds the raw records for a while).
RSS is read from /proc/self/status after a gc.collect(). Target: < 300 MB at step 4.

    .venv/bin/python benchmarks/bench_memory.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cached_campaign import QUERY, bench_app, campaign_screen
from enrollment_rows import raw_enrollments, raw_pages

from kb4tui.api.models import Enrollment
from kb4tui.session.datasets import EnrollmentSubset, Fetched
from kb4tui.ui.screens.main import MainScreen


def rss_mb(hold: Callable[[], object] | None = None) -> float:
    """RSS now, or while `hold()`'s result is alive."""
    kept = hold() if hold is not None else None
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            del kept
            return int(line.split()[1]) / 1024
    return float("nan")


def show(label: str, mb: float, base: float | None = None, target: str = "") -> None:
    extra = f" (+{mb - base:.0f} MB)" if base is not None else ""
    print(f"  {label:<52}{mb:7.0f} MB{extra}   {target}", flush=True)


async def run(count: int) -> None:
    print(f"== memory: resident set size with {count:,} enrollments")
    base = rss_mb()
    show("kb4tui UI imported", base)
    page_dicts = rss_mb(lambda: raw_enrollments(10_000))
    show("10,000 API rows as dicts (for scale)", page_dicts, base)
    models = [model for page in raw_pages(count) for model in Enrollment.from_api_list(page)]
    parsed = rss_mb()
    show(f"{count:,} Enrollment models, parsed page by page", parsed, base)
    print(f"  {'':<52}~{(parsed - base) * 1024 * 1024 / count:.0f} bytes a row")

    with tempfile.TemporaryDirectory() as directory:
        app = bench_app(Path(directory))
        async with app.run_test(size=(120, 40)) as pilot:
            while not isinstance(app.screen, MainScreen):
                await pilot.pause()
            repository = app.session.repository
            subset = EnrollmentSubset(QUERY)
            repository._remember(subset, Fetched(models, repository.clock()))  # as fetched
            del models
            screen = campaign_screen(app)
            await app.push_screen(screen)
            while screen.pane.table.row_count < count:
                await pilot.pause()
            indexing = [w for w in app.workers if w.group == "virtual-table-index"]
            if indexing:
                await app.workers.wait_for_complete(indexing)
            await pilot.pause()
            show("+ the app and EnrollmentsScreen showing them", rss_mb(), base, "target < 300 MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(run(args.rows))
