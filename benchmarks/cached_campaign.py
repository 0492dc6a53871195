"""The app on the demo API (in-process, unpaced), its disk cache already holding one
campaign of N enrollments, as an earlier run leaves it: opening the campaign reads them
from disk (parsed in a thread), and any later opening is served from memory.

The benchmarks open it once, go back, and measure from then on: the rows are in memory,
as after a fetch, on the path production runs.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from enrollment_rows import CAMPAIGN, raw_pages

from kb4tui.api.client import KnowBe4Client
from kb4tui.api.ratelimit import RateLimiter
from kb4tui.demo import (
    DEMO_API_KEY,
    FakeAPIConfig,
    FakeKnowBe4API,
    FakeKnowBe4Transport,
    generate_org,
)
from kb4tui.session.enrollment_query import EnrollmentQuery
from kb4tui.session.wiring import session_factory
from kb4tui.store.cache import Cache, account_key
from kb4tui.ui.app import KB4App
from kb4tui.ui.screens.base import ScreenContext
from kb4tui.ui.screens.enrollments import EnrollmentsScreen

PROFILE = "bench"
QUERY = EnrollmentQuery(campaign_id=CAMPAIGN)


def _client(api: FakeKnowBe4API) -> KnowBe4Client:
    return KnowBe4Client(
        DEMO_API_KEY, transport=FakeKnowBe4Transport(api), limiter=RateLimiter([(100_000, 1.0)])
    )


def cached_campaign_app(count: int, directory: Path) -> KB4App:
    """`KB4App` whose cache (in `directory`) holds `count` enrollments of CAMPAIGN, fresh."""
    records = [row for page in raw_pages(count) for row in page]
    with Cache.open(directory, PROFILE, account_key(_client(demo_api()).base_url)) as cache:
        cache.put(f"enrollments:campaign={CAMPAIGN}", records, datetime.now(UTC))
    del records
    return bench_app(directory)


def demo_api() -> FakeKnowBe4API:
    return FakeKnowBe4API(
        {DEMO_API_KEY: generate_org(seed=7, users=300)}, FakeAPIConfig(rate_limit=False)
    )


def bench_app(directory: Path) -> KB4App:
    """`KB4App` on the demo API, its cache and quota meter in `directory`."""
    api = demo_api()
    factory = session_factory(
        lambda: _client(api),
        PROFILE,
        timedelta(minutes=15),
        cache_dir=directory,
        quota_dir=directory,
    )
    return KB4App(factory)


def campaign_screen(app: KB4App) -> EnrollmentsScreen:
    """A new enrollments screen on the cached campaign, as `enter` opens one."""
    context = ScreenContext(app.session, app.profile_switcher.profiles)
    return EnrollmentsScreen(context, QUERY, ["Campaigns", "benchmark"])
