"""The three tables of the Compliance pane: deadlines, people at risk, content at risk.

Each is a `BrowsePane` (filter, sort, detail) over rows that `kb4tui.core.compliance`
computes; these classes only decide how a row is drawn. All API text goes into cells as
plain `str` (the table never reads it as markup) or into `Text` objects.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import BindingType

from kb4tui.core.compliance import ContentRisk, DeadlineRow, PersonAtRisk, RiskItem
from kb4tui.core.content import content_type_of
from kb4tui.core.deadlines import NO_DEADLINE_TEXT, describe_days_left
from kb4tui.core.status import EnrollmentState
from kb4tui.exporting.views import CONTENT_RISK_EXPORT, DEADLINES_EXPORT, PEOPLE_EXPORT
from kb4tui.ui import formatting as fmt
from kb4tui.ui.details import SafeText, campaign_status_text
from kb4tui.ui.progress_text import forecast_cell, outlook_text
from kb4tui.ui.table import Column
from kb4tui.ui.widgets.browse_pane import BrowsePane, SortSpec, browse_bindings

__all__ = [
    "ContentSection",
    "DeadlinesSection",
    "PeopleSection",
    "deadline_cell",
    "short_days",
]


def short_days(days: int | None) -> str:
    """Days left in a table cell: "3 d left", "today", "12 d over", or a dash."""
    if days is None:
        return fmt.DASH
    if days == 0:
        return "today"
    return f"{days} d left" if days > 0 else f"{-days} d over"


def _when(days: int) -> str:
    """Content dates, which are not deadlines: "in 5 d", "today", "400 d ago"."""
    if days == 0:
        return "today"
    return f"in {days} d" if days > 0 else f"{-days} d ago"


def _days_style(days: int | None, open_work: bool) -> str:
    if days is None or not open_work:
        return ""
    if days < 0:
        return "bold red"
    return "yellow" if days <= 7 else ""


def deadline_cell(row: DeadlineRow) -> str:
    """The end date, "+2 weeks" (after each user's enrollment), or "no deadline known"."""
    if row.campaign.end_date is not None:
        return fmt.day(row.campaign.end_date)
    if row.relative_duration is not None:
        return f"+{row.relative_duration}"
    return NO_DEADLINE_TEXT


def _count_cell(value: int, style: str) -> Text:
    return Text(f"{value:,}", style=style if value else "dim")


class DeadlinesSection(BrowsePane[DeadlineRow]):
    """Campaigns with a deadline, most urgent first; enter opens the incomplete enrollments."""

    HELP_TITLE: ClassVar[str] = "Compliance: deadlines"
    BINDINGS: ClassVar[list[BindingType]] = browse_bindings("compliance.deadlines")
    COLUMNS = (
        # 20: at 80 columns the counts give way (DROP_ORDER) before the name is cut short.
        Column("campaign", "Campaign", min_width=20, flex=3),
        Column("status", "Status", width=11),
        # Sized to its cells: 10 for dates and "+2 weeks", so the campaign name gets the
        # room; wider only when some campaign sent a duration that could not be read.
        Column("deadline", "Deadline", min_width=10),
        Column("days", "Days", width=10),
        # 5 wide for at most "100%": a gap after "285 d over" whatever the percentage.
        Column("done", "Done", width=5, justify="right"),
        Column("not_started", "NotSt", width=5, justify="right"),
        Column("in_progress", "InPrg", width=5, justify="right"),
        Column("past_due", "PstDu", width=5, justify="right"),
        # At the pace of the last 14 days; "✗ 73%" once missed: what was done by then.
        Column("forecast", "Forecast", width=8, justify="right"),
    )
    SORTS: ClassVar[Sequence[SortSpec[Any]]] = (
        SortSpec("campaign", "campaign", lambda r: r.name.casefold() or None),
        SortSpec("deadline", "deadline", lambda r: r.deadline),
        SortSpec("days", "days left", lambda r: r.days_left),
        SortSpec("done", "completion", lambda r: r.completion.percent),
        SortSpec("not_started", "not started", lambda r: r.not_started),
        SortSpec("in_progress", "in progress", lambda r: r.in_progress),
        SortSpec("past_due", "past due", lambda r: r.past_due),
        SortSpec(
            "forecast",
            "forecast at deadline",
            lambda r: r.forecast.expected_at_deadline if r.forecast else None,
        ),
    )
    # At 80 columns the counts go first (the detail pane has them), then the status.
    DROP_ORDER = ("in_progress", "not_started", "status")
    HAS_DETAIL = True
    NOUN = "campaigns with a deadline"
    EMPTY_TEXT = "No campaign has a deadline"
    EXPORT = DEADLINES_EXPORT

    def cells(self, item: DeadlineRow) -> Sequence[str | Text]:
        open_work = item.counts.incomplete > 0 and not item.phase.is_finished
        return (
            item.name,
            campaign_status_text(item.campaign.status),
            deadline_cell(item),
            Text(short_days(item.days_left), style=_days_style(item.days_left, open_work)),
            fmt.percent(item.completion.percent),
            _count_cell(item.not_started, "yellow"),
            _count_cell(item.in_progress, "cyan"),
            _count_cell(item.past_due, "bold red"),
            forecast_cell(item.forecast),
        )

    def search_text(self, item: DeadlineRow) -> str:
        return f"{item.name} {item.campaign.status or ''}"

    def item_key(self, item: DeadlineRow) -> Hashable:
        cid = item.campaign.campaign_id
        return cid if cid is not None else id(item.campaign)

    def render_detail(self, item: DeadlineRow | None) -> Text:
        if item is None:
            return Text("Nothing selected." if self._loaded else "Loading deadlines…")
        text = SafeText()  # API text, cleaned as appended
        text.append(item.name or "(unnamed campaign)", style="bold")
        text.append(f"\nStatus: {item.campaign.status or fmt.DASH}")
        if item.campaign.end_date is not None:
            text.append(f"\nEnds: {fmt.stamp(item.campaign.end_date)}")
        elif item.relative_duration is not None:
            text.append(f"\nDue {item.relative_duration} after each user's enrollment")
            if item.deadline is not None:
                text.append(f"\nEarliest open deadline: {fmt.day(item.deadline)}")
        else:
            raw = item.campaign.relative_duration
            text.append(f"\nDeadline: {NO_DEADLINE_TEXT}")
            if raw:
                text.append(f"\n(duration sent as {raw!r})")
        text.append(f"\n{describe_days_left(item.days_left)}")
        figure = item.completion
        source = {"api": "from the API", "computed": "computed"}.get(figure.source, "")
        text.append(f"\n\nCompletion {fmt.percent(figure.percent)} {source}\n")
        text.append(fmt.bar(figure.percent, 24))
        counts = item.counts
        text.append("\n")
        for label, value, style in (
            ("Not Started", counts.not_started, "yellow"),
            ("In Progress", counts.in_progress, "cyan"),
            ("Past Due", counts.past_due, "bold red"),
            ("Completed", counts.completed, "green"),
            ("Exempted", counts.exempted, "bright_blue"),
        ):
            text.append(f"\n{label:<12}", style=style)
            text.append(f"{value:>7,}")
        if counts.unknown:
            text.append(f"\n{'Other':<12}{counts.unknown:>7,}", style="magenta")
        if item.forecast is not None:
            text.append("\n\nForecast\n", style="bold")
            text.append_text(outlook_text(item.forecast.outlook))
            text.append(f"\n{item.forecast.sentence()}")
        text.append("\n\nenter: incomplete enrollments", style="dim")
        return text


def _campaign_names(person: PersonAtRisk) -> list[str]:
    names: dict[str, None] = {}
    for item in person.items:
        names.setdefault(item.campaign_name or fmt.DASH, None)
    return list(names)


def _earliest_deadline(person: PersonAtRisk) -> datetime | None:
    known = [item.deadline for item in person.items if item.deadline is not None]
    return min(known) if known else None


class PeopleSection(BrowsePane[PersonAtRisk]):
    """Users past due anywhere, or with incomplete work due within N days."""

    HELP_TITLE: ClassVar[str] = "Compliance: people at risk"
    BINDINGS: ClassVar[list[BindingType]] = browse_bindings("compliance.people")
    COLUMNS = (
        Column("name", "User", min_width=12, flex=2),
        Column("email", "Email", min_width=12, flex=2),
        Column("items", "Open", width=4, justify="right"),
        Column("past_due", "Late", width=4, justify="right"),
        Column("worst", "Worst", width=10),
        Column("deadline", "Next due", width=10),
        Column("campaigns", "Campaigns", min_width=10, flex=2),
    )
    SORTS: ClassVar[Sequence[SortSpec[Any]]] = (
        SortSpec("name", "user", lambda p: p.name.casefold() or None),
        SortSpec("email", "email", lambda p: p.email.casefold() or None),
        SortSpec("items", "open items", lambda p: len(p.items)),
        SortSpec("past_due", "past due", lambda p: p.past_due_count),
        SortSpec("worst", "days left", lambda p: p.worst_days_left),
        SortSpec("deadline", "next deadline", _earliest_deadline),
    )
    HAS_DETAIL = True
    NOUN = "people at risk"
    EMPTY_TEXT = "Nobody is past due or due soon"
    EXPORT = PEOPLE_EXPORT

    def cells(self, item: PersonAtRisk) -> Sequence[str | Text]:
        worst = item.worst_days_left
        return (
            item.name or "(no user)",
            item.email or fmt.DASH,
            f"{len(item.items):,}",
            _count_cell(item.past_due_count, "bold red"),
            Text(short_days(worst), style=_days_style(worst, True)),
            fmt.day(_earliest_deadline(item)),
            ", ".join(_campaign_names(item)),
        )

    def search_text(self, item: PersonAtRisk) -> str:
        modules = " ".join(i.module for i in item.items)
        return f"{item.name} {item.email} {' '.join(_campaign_names(item))} {modules}"

    def item_key(self, item: PersonAtRisk) -> Hashable:
        return item.user_id if item.user_id is not None else id(item)

    def render_detail(self, item: PersonAtRisk | None) -> Text:
        if item is None:
            return Text("Nobody selected." if self._loaded else "Loading people at risk…")
        text = SafeText()  # API text, cleaned as appended
        text.append(item.name or "(no user)", style="bold")
        text.append(f"\n{item.email or fmt.DASH}")
        if item.user_id is not None:
            text.append(f"\nuser id {item.user_id}", style="dim")
        text.append(f"\n\n{len(item.items):,} incomplete, {item.past_due_count:,} past due")
        for risk in item.items:
            _append_risk_item(text, risk)
        text.append("\n\nenter: all of this user's enrollments", style="dim")
        return text


def _append_risk_item(text: Text, risk: RiskItem) -> None:
    late = risk.state is EnrollmentState.PAST_DUE
    text.append("\n\n• ")
    text.append(risk.module or "(no module)", style="bold")
    text.append(f"\n  {risk.campaign_name or fmt.DASH}")
    text.append("\n  ")
    text.append(risk.status or "(none)", style="bold red" if late else "yellow")
    text.append(f" · due {fmt.day(risk.deadline)} · {describe_days_left(risk.days_left)}")


class ContentSection(BrowsePane[ContentRisk]):
    """Store purchases retired, retiring within 30 days, or with a licence ending."""

    HELP_TITLE: ClassVar[str] = "Compliance: content at risk"
    BINDINGS: ClassVar[list[BindingType]] = browse_bindings("compliance.content")
    COLUMNS = (
        Column("name", "Store purchase", min_width=14, flex=3),
        Column("type", "Type", width=15),
        Column("reason", "Why", width=16),
        Column("days", "Days", width=10),
        Column("used_by", "Used by", min_width=10, flex=2),
    )
    SORTS: ClassVar[Sequence[SortSpec[Any]]] = (
        SortSpec("name", "name", lambda r: r.name.casefold() or None),
        SortSpec("type", "type", lambda r: content_type_of(r.purchase)),
        SortSpec("days", "days left", lambda r: r.days_left),
        SortSpec("used_by", "campaigns", lambda r: len(r.campaigns)),
    )
    HAS_DETAIL = True
    NOUN = "store purchases"
    EMPTY_TEXT = "No store purchase is retired or retiring"
    EXPORT = CONTENT_RISK_EXPORT

    def cells(self, item: ContentRisk) -> Sequence[str | Text]:
        used = ", ".join(c.name or "(unnamed)" for c in item.campaigns)
        return (
            item.name or "(unnamed)",
            content_type_of(item.purchase),
            ", ".join(reason.value for reason in item.reasons),
            Text(
                fmt.DASH if item.days_left is None else _when(item.days_left),
                style=_days_style(item.days_left, bool(item.campaigns)),
            ),
            Text(used) if used else Text("no open campaign", style="dim"),
        )

    def search_text(self, item: ContentRisk) -> str:
        used = " ".join(c.name or "" for c in item.campaigns)
        return f"{item.name} {content_type_of(item.purchase)} {used}"

    def item_key(self, item: ContentRisk) -> Hashable:
        sid = item.purchase.store_purchase_id
        return sid if sid is not None else id(item.purchase)

    def render_detail(self, item: ContentRisk | None) -> Text:
        if item is None:
            return Text("Nothing selected." if self._loaded else "Loading the library…")
        purchase = item.purchase
        text = SafeText()  # API text, cleaned as appended
        text.append(item.name or "(unnamed)", style="bold")
        text.append(f"\n{content_type_of(purchase)}")
        text.append(f"\n\n{', '.join(reason.value for reason in item.reasons)}", style="bold")
        text.append(f"\nRetired: {fmt.yes_no(purchase.retired)}")
        text.append(f"\nRetirement date: {fmt.day(purchase.retirement_date)}")
        expiry = purchase.expiration_date
        text.append(f"\nLicence expires: {fmt.day(expiry) if expiry else 'not given by the API'}")
        if item.days_left is not None:
            days = item.days_left
            text.append(f"\n{'Today' if days == 0 else _when(days).replace(' d', ' days')}")
        text.append("\n\nStill used by open campaigns:")
        if not item.campaigns:
            text.append("\nnone", style="dim")
        for campaign in item.campaigns:
            text.append(f"\n• {campaign.name or '(unnamed)'}")
            text.append(f" ({campaign.status or fmt.DASH})", style="dim")
        text.append("\n\nenter: enrollments in this module", style="dim")
        return text
