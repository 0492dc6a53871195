"""Where the Compliance pane's `enter` leads: the existing enrollments screen.

The main screen routes the pane's messages with one handler:

    @on(CompliancePane.OpenCampaignEnrollments)
    @on(CompliancePane.OpenUserEnrollments)
    @on(CompliancePane.OpenContentEnrollments)
    def _open_from_compliance(self, message: Message) -> None:
        open_compliance_target(self.kb, message)

A deadline opens its campaign's enrollments with the "incomplete only" preset (one escape
goes back; the `a` key still shows every status).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.message import Message

from kb4tui.repository import EnrollmentQuery
from kb4tui.ui.screens.enrollments import EnrollmentsScreen, is_incomplete
from kb4tui.ui.widgets.compliance_pane import CompliancePane

if TYPE_CHECKING:
    from kb4tui.ui.app import KB4App

__all__ = ["IncompleteEnrollmentsScreen", "is_incomplete", "open_compliance_target"]


class IncompleteEnrollmentsScreen(EnrollmentsScreen):
    """The enrollments screen, opened with the "incomplete only" preset."""

    def __init__(
        self, query: EnrollmentQuery, crumbs: Sequence[str], *, context: str | None = None
    ) -> None:
        super().__init__(query, crumbs, context=context, incomplete_only=True)


def open_compliance_target(app: KB4App, message: Message) -> None:
    """Push the enrollments screen a Compliance pane message asks for."""
    if isinstance(message, CompliancePane.OpenCampaignEnrollments):
        campaign = message.campaign
        if campaign.campaign_id is None:
            app.notify("This campaign has no id, so its enrollments cannot be fetched.")
            return
        crumbs = ["Compliance", campaign.name or str(campaign.campaign_id)]
        query = EnrollmentQuery(campaign_id=campaign.campaign_id)
        screen_type = IncompleteEnrollmentsScreen if message.incomplete_only else EnrollmentsScreen
        app.push_screen(screen_type(query, crumbs))
    elif isinstance(message, CompliancePane.OpenUserEnrollments):
        crumbs = ["Compliance", "People at risk", message.name or str(message.user_id)]
        app.push_screen(EnrollmentsScreen(EnrollmentQuery(user_id=message.user_id), crumbs))
    elif isinstance(message, CompliancePane.OpenContentEnrollments):
        app.open_module(message.purchase)
