"""Pilot tests of the Compliance pane on the in-process fake API.

Two hosts: `PaneHost`, a tiny app with only the pane (recording the messages it posts),
and `ComplianceScreen` inside the real `KB4App`, which routes them (so `enter` really opens
the enrollments screen).
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, cast

import httpx
from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import ContentSwitcher, Footer, Static
from ui_support import (
    FROZEN_NOW,
    MARKUP_NAME,
    demo_api,
    demo_app,
    demo_session,
    settle,
    wait_until,
)

from kb4tui.api.errors import PermissionDeniedError
from kb4tui.api.ratelimit import RateLimiter
from kb4tui.api.retry import RetryPolicy
from kb4tui.core.compliance import ContentRisk, DeadlineRow, PersonAtRisk
from kb4tui.core.status import INCOMPLETE_STATES, classify
from kb4tui.demo import FakeKnowBe4API, FakeKnowBe4Transport, generate_org
from kb4tui.demo.org import DemoOrg
from kb4tui.session.enrollment_query import EnrollmentQuery
from kb4tui.session.session import Session
from kb4tui.ui.app import KB4App
from kb4tui.ui.messages import LoadFailed, OpenCampaign, OpenModule, OpenUser
from kb4tui.ui.panes.compliance import PENDING, CompliancePane
from kb4tui.ui.screens.base import ScreenContext, SessionScreen
from kb4tui.ui.screens.enrollments import EnrollmentsScreen, IncompleteEnrollmentsScreen
from kb4tui.ui.screens.help import HelpScreen
from kb4tui.ui.widgets.browse_pane import BrowsePane
from kb4tui.ui.widgets.header import AppHeader

WIDE = (120, 40)
NARROW = (80, 24)
ENROLLMENTS_PATH = "/v1/training/enrollments"


# -- hosts and fixtures ---------------------------------------------------------------------


class PaneHost(App[None]):
    """The pane alone, in UTC; records the pane's messages."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.pane = CompliancePane(session, tz=UTC, id="compliance")
        self.opened: list[Message] = []
        self.failures: list[LoadFailed] = []

    def compose(self) -> ComposeResult:
        yield self.pane

    def on_mount(self) -> None:
        self.pane.start()
        self.pane.table.focus()

    @on(OpenCampaign)
    @on(OpenUser)
    @on(OpenModule)
    def _record(self, message: Message) -> None:
        self.opened.append(message)

    @on(LoadFailed)
    def _failed(self, message: LoadFailed) -> None:
        self.failures.append(message)  # the app would report it


class ComplianceScreen(SessionScreen):
    """Pane `3` on a screen of its own, as the main screen shows it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "app.quit", "Quit", id="test.quit"),
    ]

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self.pane = CompliancePane(self.session, tz=UTC, id="compliance")

    @property
    def data_fetched_at(self) -> datetime | None:
        return self.pane.fetched_at

    def compose(self) -> ComposeResult:
        yield self.header()
        yield self.pane
        yield Footer()

    def on_mount(self) -> None:
        self.pane.start()
        self.pane.table.focus()


def compliance_screen(app: KB4App) -> ComplianceScreen:
    return ComplianceScreen(ScreenContext(app.session, app.profile_switcher.profiles))


@dataclass
class Fake:
    """The fake API (with its request log), its organisation and a session over it."""

    api: FakeKnowBe4API
    session: Session

    @property
    def org(self) -> DemoOrg:
        return self.api.org()

    def enrollment_requests(self) -> list[dict[str, str]]:
        return [dict(e.query) for e in self.api.log.entries() if e.path == ENROLLMENTS_PATH]


@asynccontextmanager
async def fake_api(
    *,
    users: int = 120,
    org: DemoOrg | None = None,
    limiter: RateLimiter | None = None,
    retry_policy: RetryPolicy | None = None,
    wrap: Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport] = lambda inner: inner,
    **config: Any,
) -> AsyncIterator[Fake]:
    """A session on the fake API, not started (the pane's host has no header to fill);
    `wrap` puts something between the client and the fake API."""
    api = demo_api(users=users, org=org, **config)
    async with demo_session(
        transport=wrap(FakeKnowBe4Transport(api)),
        limiter=limiter,
        retry_policy=retry_policy,
        start=False,
    ) as session:
        yield Fake(api, session)


def plain(widget: Static) -> str:
    content = widget.render()
    return content.plain if isinstance(content, Text) else str(content)


def shown(section: BrowsePane[Any]) -> list[list[str]]:
    """Every visible row of a section as the strings its cells show."""
    rows = []
    for item in section.table.visible_items:
        cells = section.cells(item)
        rows.append([c.plain if isinstance(c, Text) else c for c in cells])
    return rows


def column(section: BrowsePane[Any], key: str) -> int:
    return [c.key for c in section.COLUMNS].index(key)


def active_raw_enrollments(org: DemoOrg) -> list[dict[str, Any]]:
    archived = org.archived_user_ids
    return [r for r in org.enrollments() if (r.get("user") or {}).get("id") not in archived]


# -- economy --------------------------------------------------------------------------------


async def test_all_enrollments_are_fetched_once_and_keys_cost_no_request() -> None:
    async with fake_api() as fake:
        app = PaneHost(fake.session)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            requests = fake.enrollment_requests()
            # One listing of every enrollment, not one per campaign or per user.
            assert requests and all(
                q.get("include_campaign_id") == "true"
                and q.get("exclude_archived_users") == "true"
                and not {"campaign_id", "user_id", "store_purchase_id"} & q.keys()
                for q in requests
            )
            pages = [int(q["page"]) for q in requests]
            per_page = int(requests[0]["per_page"])
            needed = math.ceil(len(active_raw_enrollments(fake.org)) / per_page)
            assert sorted(pages) == list(range(1, len(pages) + 1))  # each page once
            assert (
                needed > 1 and needed <= len(pages) < needed + 10
            )  # only the client's look-ahead beyond
            assert len(pages) < len(fake.org.campaigns())
            paths = Counter(e.path for e in fake.api.log.entries())
            assert set(paths) == {
                ENROLLMENTS_PATH,
                "/v1/training/campaigns",
                "/v1/training/store_purchases",
                "/v1/training/policies",
            }
            before = len(fake.api.log)
            # Switching sections, changing N, filtering and sorting are answered from memory.
            await pilot.press("p", "plus", "plus", "minus", "c", "s", "d", "slash", "x")
            await pilot.press("escape", "right_square_bracket", "left_square_bracket")
            await settle(pilot)
            assert len(fake.api.log) == before
            # `r` fetches everything again, once.
            await pilot.press("r")
            await settle(pilot)
            again = fake.enrollment_requests()[len(requests) :]
            again_pages = sorted(int(q["page"]) for q in again)
            assert again_pages == list(range(1, len(again_pages) + 1))
            assert needed <= len(again_pages) < needed + 10


# -- counts match the data ------------------------------------------------------------------


async def test_deadline_counts_match_the_fake_orgs_enrollments() -> None:
    async with fake_api() as fake:
        app = PaneHost(fake.session)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            pane = app.pane
            org = fake.org
            expected: dict[str, Counter[str]] = {}
            by_id = {c["campaign_id"]: c for c in org.campaigns()}
            for row in active_raw_enrollments(org):
                name = by_id[row["campaign_id"]]["name"]
                expected.setdefault(name, Counter())[row["status"]] += 1
            with_deadline = {
                c["name"]
                for c in org.campaigns()
                if c.get("end_date") or c.get("relative_duration")
            }
            rows = shown(pane.deadlines)
            assert {r[0] for r in rows} == with_deadline
            ns, ip, pd = (
                column(pane.deadlines, k) for k in ("not_started", "in_progress", "past_due")
            )
            for cells in rows:
                counts = expected.get(cells[0], Counter())
                assert cells[ns] == f"{counts['Not Started']:,}", cells[0]
                assert cells[ip] == f"{counts['In Progress']:,}", cells[0]
                assert cells[pd] == f"{counts['Past Due']:,}", cells[0]
            assert f"d Deadlines {len(with_deadline)}" in plain(pane.sections_line)
            total = len(active_raw_enrollments(org))
            assert f"{total:,} enrollments of active users" in plain(pane.progress_line)
            # End dates and days left, in UTC on the frozen clock (2026-11-20 12:00).
            days = column(pane.deadlines, "days")
            finance = next(r for r in rows if r[0] == "Finance: Business Email Compromise")
            assert finance[column(pane.deadlines, "deadline")] == "2026-11-23"
            assert finance[days] == "3 d left"
            relative = next(r for r in rows if r[0] == "Phishing Fundamentals (Quarterly)")
            assert relative[column(pane.deadlines, "deadline")] == "+3 months"
            # Most urgent first: the first row is overdue and still has open work.
            first = pane.deadlines.table.visible_items[0]
            assert isinstance(first, DeadlineRow)
            assert first.days_left is not None and first.days_left < 0
            assert first.counts.incomplete > 0


def _expected_people(org: DemoOrg, within: int) -> tuple[set[int], set[int]]:
    """(users past due anywhere, users with open work in an end-date campaign due within
    `within` days), from the raw JSON; cancelled and archived campaigns ask nothing."""
    campaigns = {c["campaign_id"]: c for c in org.campaigns()}
    today = FROZEN_NOW.date()
    past_due: set[int] = set()
    soon: set[int] = set()
    for row in active_raw_enrollments(org):
        campaign = campaigns[row["campaign_id"]]
        if campaign["status"] in ("Cancelled", "Archived"):
            continue
        user = (row.get("user") or {}).get("id")
        if user is None:
            continue  # a null user is listed on a row of its own, without an id
        if row["status"] == "Past Due":
            past_due.add(user)
        elif row["status"] in ("Not Started", "In Progress") and campaign.get("end_date"):
            end = datetime.fromisoformat(campaign["end_date"].replace("Z", "+00:00"))
            if (end.date() - today).days <= within:
                soon.add(user)
    return past_due, soon


async def test_people_at_risk_match_the_data_and_plus_minus_change_the_window() -> None:
    async with fake_api() as fake:
        app = PaneHost(fake.session)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            pane = app.pane
            await pilot.press("p")
            assert pane.section == "people" and app.focused is pane.people.table

            def ids() -> set[int]:
                items = pane.people.table.visible_items
                return {p.user_id for p in items if isinstance(p, PersonAtRisk) and p.user_id}

            past_due, soon = _expected_people(fake.org, 7)
            at_seven = ids()
            assert past_due | soon <= at_seven
            people = pane.people.table.total_count
            assert len(at_seven) <= people <= len(at_seven) + 1  # + one row for null users
            assert f"p People at risk {people} (≤7 d)" in plain(pane.sections_line)
            # Everyone shown is past due or has an item due within 7 days.
            for someone in pane.people.table.visible_items:
                assert (
                    someone.past_due_count
                    or min(i.days_left for i in someone.items if i.days_left is not None) <= 7
                )
            await pilot.press(*["minus"] * 5)
            await settle(pilot)
            assert pane.within_days == 2
            past_due2, soon2 = _expected_people(fake.org, 2)
            at_two = ids()
            assert past_due2 | soon2 <= at_two < at_seven
            assert "(≤2 d)" in plain(pane.sections_line)
            assert "due within 2 d" in plain(pane.people.summary)
            await pilot.press(*["plus"] * 5)
            await settle(pilot)
            assert ids() == at_seven
            # The detail lists the person's incomplete items with campaigns and deadlines.
            person = pane.people.table.highlighted
            assert isinstance(person, PersonAtRisk)
            detail = plain(pane.people.detail)
            first = person.items[0]
            assert person.name in detail and first.module in detail
            assert first.campaign_name in detail and first.status in detail


async def test_content_lists_retired_and_retiring_purchases_with_their_campaigns() -> None:
    async with fake_api() as fake:
        app = PaneHost(fake.session)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await pilot.press("c")
            pane = app.pane
            horizon = FROZEN_NOW + timedelta(days=30)
            expected = set()
            for purchase in fake.org.store_purchases:
                raw = purchase.get("retirement_date")
                date = datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else None
                if purchase.get("retired") or (date is not None and date <= horizon):
                    expected.add(purchase["name"])
            rows = {r[0]: r for r in shown(pane.content)}
            assert set(rows) == expected
            used_by = rows["Phishing IQ Check"][column(pane.content, "used_by")]
            assert MARKUP_NAME in used_by  # API text shown literally
            assert rows["Clean Desk Poster"][column(pane.content, "reason")] == "Retiring"
            assert rows["Clean Desk Poster"][column(pane.content, "days")] == "in 5 d"
            assert (
                rows["Cyber Safe at Home Newsletter"][column(pane.content, "days")] == "400 d ago"
            )
            item = next(
                i for i in pane.content.table.visible_items if i.name == "Phishing IQ Check"
            )
            pane.content.table.scroll_to_item(item)
            await pilot.pause()
            detail = plain(pane.content.detail)
            assert MARKUP_NAME in detail and "Licence expires: not given by the API" in detail
            await pilot.press("enter")
            assert [type(m) for m in app.opened] == [OpenModule]


async def test_unparseable_relative_duration_shows_no_deadline_known() -> None:
    org = generate_org(users=60, now=FROZEN_NOW)
    odd = org._campaigns[0].json
    odd.update(end_date=None, relative_duration="until further notice")
    async with fake_api(org=org) as fake:
        app = PaneHost(fake.session)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            pane = app.pane
            row = next(r for r in shown(pane.deadlines) if r[0] == odd["name"])
            assert row[column(pane.deadlines, "deadline")] == "no deadline known"
            item = next(i for i in pane.deadlines.table.visible_items if i.name == odd["name"])
            pane.deadlines.table.scroll_to_item(item)
            await pilot.pause()
            detail = plain(pane.deadlines.detail)
            assert "no deadline known" in detail and "'until further notice'" in detail


# -- loading, errors, retry -----------------------------------------------------------------


async def test_progress_is_shown_while_enrollments_stream_in() -> None:
    async with fake_api(users=300, latency=0.05) as fake:
        app = PaneHost(fake.session)
        async with app.run_test(size=WIDE) as pilot:
            pane = app.pane
            await wait_until(pilot, lambda: "so far (page 2)" in plain(pane.progress_line))
            assert "1,000 so far" in plain(pane.progress_line)
            assert "loading…" in plain(pane.deadlines.summary)
            assert pane.is_loading
            await settle(pilot)
            assert not pane.is_loading
            assert "enrollments of active users" in plain(pane.progress_line)
            assert "loading" not in plain(pane.deadlines.summary)


async def test_deadline_rows_show_from_the_campaigns_before_the_enrollments_finish() -> None:
    async with fake_api(latency=0.2) as fake:
        app = PaneHost(fake.session)
        async with app.run_test(size=WIDE) as pilot:
            pane = app.pane
            table = pane.deadlines.table
            await wait_until(pilot, lambda: table.total_count > 0)
            # The enrollments are still coming: the rows came from the campaigns alone.
            assert pane.is_loading and pane.fetched_at is None
            assert "loading" in plain(pane.progress_line)
            with_deadline = {
                c["name"]
                for c in fake.org.campaigns()
                if c.get("end_date") or c.get("relative_duration")
            }
            rows = shown(pane.deadlines)
            assert {r[0] for r in rows} == with_deadline
            for key in ("not_started", "in_progress", "past_due"):
                assert {r[column(pane.deadlines, key)] for r in rows} == {PENDING}
            finance = next(r for r in rows if r[0] == "Finance: Business Email Compromise")
            assert finance[column(pane.deadlines, "deadline")] == "2026-11-23"
            assert finance[column(pane.deadlines, "days")] == "3 d left"
            # On screen, not only in the model; and the section line counts them already.
            screen_text = [table.render_line(y).text for y in range(1, 4)]
            assert any(PENDING in line for line in screen_text)
            assert f"d Deadlines {len(with_deadline)}" in plain(pane.sections_line)
            assert "waiting for the enrollments" in plain(pane.deadlines.detail)
            # The cursor stays on its campaign when the counts arrive (rows may re-sort).
            await pilot.press("down", "down")
            chosen = table.highlighted
            assert isinstance(chosen, DeadlineRow)
            await settle(pilot)
            assert pane.fetched_at is not None
            after = table.highlighted
            assert isinstance(after, DeadlineRow) and after is not chosen
            assert after.campaign.campaign_id == chosen.campaign.campaign_id
            assert all(PENDING not in cell for row in shown(pane.deadlines) for cell in row)
            assert sum(row.counts.total for row in table.visible_items) > 0
            assert "waiting for the enrollments" not in plain(pane.deadlines.detail)


async def test_progress_says_when_the_client_waits_for_the_rate_limit() -> None:
    # Two requests per 2 s: the third waits, and the progress line says why.
    async with fake_api(limiter=RateLimiter([(2, 2.0)], margin=0.0)) as fake:
        app = PaneHost(fake.session)
        async with app.run_test(size=WIDE) as pilot:
            pane = app.pane
            await wait_until(pilot, lambda: "rate limit" in plain(pane.progress_line))
            assert "waiting for the API's rate limit (next request in" in plain(pane.progress_line)
            assert pane.is_loading


async def test_progress_says_when_the_client_retries() -> None:
    release = asyncio.Event()

    async def held_sleep(delay: float) -> None:
        await release.wait()  # the retry waits until the test has looked

    policy = RetryPolicy(sleep=held_sleep)
    async with fake_api(retry_policy=policy, fault_rate=1.0, fault_kinds=("503",)) as fake:
        app = PaneHost(fake.session)
        async with app.run_test(size=WIDE) as pilot:
            pane = app.pane
            await wait_until(pilot, lambda: "retrying" in plain(pane.progress_line))
            assert "loading campaigns… · retrying after an error" in plain(pane.progress_line)
            fake.api.config.fault_rate = 0.0
            release.set()
            await settle(pilot)
            assert "retrying" not in plain(pane.progress_line)
            assert pane.deadlines.table.total_count > 0 and not pane.failed


async def test_api_error_shows_its_resolution_and_r_retries() -> None:
    async with fake_api(forbidden=True) as fake:
        app = PaneHost(fake.session)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            pane = app.pane
            error = plain(pane.error_line)
            assert "Press r to retry" in error
            assert pane.error_line.has_class("-shown") and pane.failed
            assert pane.deadlines.table.total_count == 0
            assert [type(f.error) for f in app.failures] == [PermissionDeniedError]
            fake.api.config.forbidden = False
            await pilot.press("r")
            await settle(pilot)
            assert not pane.error_line.has_class("-shown") and not pane.failed
            assert pane.deadlines.table.total_count > 0


class SecondPageFailsOnce(httpx.AsyncBaseTransport):
    """The second page of all enrollments fails once with a 503."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.failed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if (
            not self.failed
            and request.url.path == ENROLLMENTS_PATH
            and request.url.params.get("page") == "2"
        ):
            self.failed = True
            return httpx.Response(503, headers={"X-Request-Id": "req-42"}, json={})
        return await self.inner.handle_async_request(request)


async def test_error_mid_stream_keeps_what_was_fetched_and_retry_continues() -> None:
    no_retries = RetryPolicy(budget=0.0)
    async with fake_api(users=300, retry_policy=no_retries, wrap=SecondPageFailsOnce) as fake:
        app = PaneHost(fake.session)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            pane = app.pane
            assert "X-Request-Id req-42" in plain(pane.error_line)
            assert "try again later" in plain(pane.error_line)
            before = Counter(e.path for e in fake.api.log.entries())
            await pilot.press("r")
            await settle(pilot)
            assert pane.deadlines.table.total_count > 0 and not pane.failed
            # The retry fetched the enrollments (and the library), not the campaigns again.
            after = Counter(e.path for e in fake.api.log.entries())
            pages = math.ceil(len(active_raw_enrollments(fake.org)) / 500)
            assert after["/v1/training/campaigns"] == before["/v1/training/campaigns"]
            assert after[ENROLLMENTS_PATH] - before[ENROLLMENTS_PATH] >= pages
            assert after["/v1/training/store_purchases"] > before["/v1/training/store_purchases"]


# -- following into enrollments, in the real app ---------------------------------------------


async def test_enter_follows_a_deadline_and_a_person_into_their_enrollments() -> None:
    async with fake_api() as fake:
        app = demo_app(api=fake.api)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            screen = compliance_screen(app)
            await app.push_screen(screen)
            await settle(pilot)
            pane = screen.pane
            assert "fetched just now" in plain(cast(Static, screen.query_one(AppHeader)))
            before = len(fake.api.log)
            row = pane.deadlines.highlighted
            assert isinstance(row, DeadlineRow)
            await pilot.press("enter")
            await settle(pilot)
            enrollments = app.screen
            assert isinstance(enrollments, IncompleteEnrollmentsScreen)
            assert enrollments.query_spec == EnrollmentQuery(campaign_id=row.campaign.campaign_id)
            assert enrollments.crumbs == ["Compliance", row.name]
            visible = enrollments.pane.table.visible_items
            assert len(visible) == row.counts.incomplete > 0
            assert all(classify(e.status) in INCOMPLETE_STATES for e in visible)
            assert "incomplete only" in plain(enrollments.pane.summary)
            await pilot.press("a")  # every status of the campaign
            assert enrollments.pane.table.row_count == row.counts.total
            await pilot.press("escape")
            assert app.screen is screen
            await pilot.press("p")
            person = pane.people.highlighted
            assert isinstance(person, PersonAtRisk) and person.user_id is not None
            await pilot.press("enter")
            await settle(pilot)
            user_screen = app.screen
            assert isinstance(user_screen, EnrollmentsScreen)
            assert not isinstance(user_screen, IncompleteEnrollmentsScreen)
            assert user_screen.query_spec == EnrollmentQuery(user_id=person.user_id)
            assert user_screen.crumbs[-1] == person.name
            rows = user_screen.pane.table.visible_items
            assert rows and {e.user_id for e in rows} == {person.user_id}
            assert {(e.module, e.status) for e in rows} >= {
                (i.module, i.status) for i in person.items
            }
            await pilot.press("escape", "c")
            risk = pane.content.highlighted
            assert isinstance(risk, ContentRisk)
            await pilot.press("enter")
            await settle(pilot)
            module_screen = app.screen
            assert isinstance(module_screen, EnrollmentsScreen)
            wanted = risk.purchase.store_purchase_id
            assert module_screen.query_spec == EnrollmentQuery(store_purchase_id=wanted)
            # All three drill-downs were answered from the one all-enrollments fetch.
            assert len(fake.api.log) == before


async def test_works_at_80x24_keyboard_only_with_literal_markup() -> None:
    async with fake_api() as fake:
        app = demo_app(api=fake.api)
        async with app.run_test(size=NARROW) as pilot:
            await settle(pilot)
            screen = compliance_screen(app)
            await app.push_screen(screen)
            await settle(pilot)
            pane = screen.pane
            table = pane.deadlines.table
            assert table.region.height >= 6 and table.region.width == 80
            assert pane.sections_line.region.width == 80
            # The app's narrow layout puts the detail under the table, full width.
            detail_box = pane.deadlines.query_one(".pane-detail").region
            assert detail_box.width == 80 and detail_box.y > table.region.y
            # Filter to the campaign whose name is markup; it is drawn literally.
            await pilot.press("slash", "Q", "3", "enter")
            target = next(i for i in table.visible_items if i.name == MARKUP_NAME)
            position = list(table.visible_items).index(target)
            await pilot.press(*["j"] * position)
            assert table.highlighted is target
            assert MARKUP_NAME in plain(pane.deadlines.detail)
            line = table.render_line(position - table.scroll_offset.y + 1)
            assert "[/Q3] Phish" in "".join(segment.text for segment in line)
            await pilot.press("right_square_bracket")
            assert pane.section == "people" and app.focused is pane.people.table
            await pilot.press("question_mark")
            help_screen = app.screen
            assert isinstance(help_screen, HelpScreen)
            help_shown = plain(help_screen.query_one(Static))
            assert "compliance.within_more" in help_shown and "Refresh / retry" in help_shown
            await pilot.press("escape")
            await pilot.press("right_square_bracket", "right_square_bracket")
            assert pane.section == "deadlines" and app.focused is pane.deadlines.table


def test_every_binding_has_an_id_and_a_description() -> None:
    from kb4tui.ui.panes.compliance_sections import (
        ContentSection,
        DeadlinesSection,
        PeopleSection,
    )

    ids = []
    for owner in (CompliancePane, DeadlinesSection, PeopleSection, ContentSection):
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding)
            assert binding.id and binding.description, binding
            ids.append(binding.id)
    assert len(ids) == len(set(ids))


class SwitcherHost(App[None]):
    """The pane behind another one, as in the main screen's ContentSwitcher."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.pane = CompliancePane(session, tz=UTC, id="compliance")

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="other"):
            yield Static("campaigns would be here", id="other")
            yield self.pane


async def test_nothing_is_fetched_until_the_pane_is_shown() -> None:
    async with fake_api() as fake:
        app = SwitcherHost(fake.session)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            assert len(fake.api.log) == 0
            assert app.pane.fetched_at is None
            app.query_one(ContentSwitcher).current = "compliance"
            await wait_until(pilot, lambda: app.pane.fetched_at is not None)
            await settle(pilot)
            assert fake.enrollment_requests()
            assert app.pane.deadlines.table.total_count > 0
