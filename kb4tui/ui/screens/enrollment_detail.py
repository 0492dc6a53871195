"""One enrollment: every field, what its status means, and hints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from kb4tui.api.models import Campaign, Enrollment, StorePurchase
from kb4tui.core.campaign_index import CampaignIndex
from kb4tui.core.content import content_item_for
from kb4tui.core.deadlines import enrollment_deadline
from kb4tui.core.hints import Hint, enrollment_hints
from kb4tui.sanitize import clean_text
from kb4tui.session.datasets import CAMPAIGNS, LIBRARY, EnrollmentSubset
from kb4tui.session.enrollment_query import EnrollmentQuery
from kb4tui.ui.details import enrollment_detail
from kb4tui.ui.messages import OpenUser
from kb4tui.ui.screens.base import ScreenContext, SessionScreen
from kb4tui.ui.screens.enrollments import EnrollmentsScreen, user_label
from kb4tui.ui.widgets.footer import AppFooter

__all__ = ["EnrollmentDetailScreen"]


class EnrollmentDetailScreen(SessionScreen):
    HELP_TITLE: ClassVar[str] = "Enrollment"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="enrollment.back"),
        Binding("q", "back", "Back", show=False, id="enrollment.back_q"),
        Binding(
            "u",
            "user",
            "User",
            tooltip="This user's enrollments in every campaign",
            id="enrollment.user",
        ),
        Binding("j,down", "scroll_down", "Scroll down", show=False, id="enrollment.down"),
        Binding("k,up", "scroll_up", "Scroll up", show=False, id="enrollment.up"),
    ]

    DEFAULT_CSS = """
    EnrollmentDetailScreen > .breadcrumb {
        height: 1;
        padding: 0 1;
        text-style: bold;
    }
    EnrollmentDetailScreen > VerticalScroll {
        padding: 1 2;
    }
    """

    def __init__(
        self,
        context: ScreenContext,
        enrollment: Enrollment,
        crumbs: Sequence[str],
        fetched_at: datetime | None = None,
    ) -> None:
        """`fetched_at`: the age of the list the enrollment was picked from."""
        super().__init__(context, crumbs)
        self.enrollment = enrollment
        self._fetched_at = fetched_at

    @property
    def data_fetched_at(self) -> datetime | None:
        return self._fetched_at

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Static(Text(clean_text(" > ".join(self.crumbs))), classes="breadcrumb", markup=False)
        with VerticalScroll(id="enrollment-body"):
            yield Static(self._detail(), id="enrollment-detail", markup=False)
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#enrollment-body").focus()

    def _detail(self) -> Text:
        """Fields, deadline and hints from what is already known: no request is made."""
        session = self.session
        campaigns = session.cached(CAMPAIGNS) or []
        index = CampaignIndex(campaigns)
        campaign = index.campaign_for(self.enrollment)
        purchases = {
            item.store_purchase_id: item
            for item in session.cached(LIBRARY) or []
            if isinstance(item, StorePurchase) and item.store_purchase_id is not None
        }
        return enrollment_detail(
            self.enrollment,
            self._hints(index, campaign, purchases),
            content=content_item_for(self.enrollment, campaign, purchases),
            deadline=enrollment_deadline(self.enrollment, campaign),
            now=session.clock(),
        )

    def _hints(
        self,
        index: CampaignIndex,
        campaign: Campaign | None,
        purchases: dict[int, StorePurchase],
    ) -> list[Hint]:
        user_rows: list[Enrollment] = []
        if self.enrollment.user_id is not None:
            query = EnrollmentQuery(user_id=self.enrollment.user_id)
            user_rows = self.session.peek(EnrollmentSubset(query)) or []
        return enrollment_hints(
            self.enrollment,
            campaign,
            user_enrollments=user_rows,
            purchases_by_id=purchases,
            campaigns=index,
        )

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_user(self) -> None:
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        if isinstance(below, EnrollmentsScreen) and below.shows_user(self.enrollment.user_id):
            self.app.pop_screen()  # that user's enrollments are right underneath
            return
        user_id = self.enrollment.user_id
        if user_id is None:
            self.notify("This enrollment has no user id.", severity="warning")
            return
        self.post_message(OpenUser(user_id, user_label(self.enrollment), self.crumbs[:-1]))

    def action_scroll_down(self) -> None:
        self.query_one("#enrollment-body", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#enrollment-body", VerticalScroll).scroll_up()
