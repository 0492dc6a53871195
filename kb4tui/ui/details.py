"""The text of the detail panes: a campaign, a library item, one enrollment.

Pure functions returning `rich.text.Text` built with `append` (never markup), so a name
like "[/Q3] Phish [bold]drill[/bold]" is shown exactly as sent; API strings pass through
`clean_text` so no control character or escape sequence reaches the terminal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from rich.text import Text

from kb4tui.api.models import Campaign, ContentItem, Enrollment, Policy, StorePurchase
from kb4tui.core.content import content_type_of
from kb4tui.core.deadlines import days_left, describe_days_left
from kb4tui.core.hints import Hint, Severity
from kb4tui.core.lifecycle import CampaignPhase, campaign_phase, how_enrolled
from kb4tui.core.status import EnrollmentState, classify
from kb4tui.sanitize import clean_text
from kb4tui.ui import formatting as fmt

__all__ = [
    "STATE_ORDER",
    "STATE_STYLE",
    "campaign_detail",
    "campaign_end",
    "campaign_status_text",
    "enrollment_detail",
    "library_detail",
]

# Order in which states are counted and listed everywhere.
STATE_ORDER: tuple[EnrollmentState, ...] = (
    EnrollmentState.NOT_STARTED,
    EnrollmentState.IN_PROGRESS,
    EnrollmentState.COMPLETED,
    EnrollmentState.PAST_DUE,
    EnrollmentState.EXEMPTED,
    EnrollmentState.UNKNOWN,
)


# Enrollment states by colour (the text is always the status as sent); ANSI names only.
STATE_STYLE: dict[EnrollmentState, str] = {
    EnrollmentState.NOT_STARTED: "yellow",
    EnrollmentState.IN_PROGRESS: "cyan",
    EnrollmentState.COMPLETED: "green",
    EnrollmentState.PAST_DUE: "bold red",
    EnrollmentState.EXEMPTED: "bright_blue",  # plain blue is unreadable on black in 16 colours
    EnrollmentState.UNKNOWN: "magenta",
}


def _heading(text: Text, title: str) -> None:
    if text:
        text.append("\n")
    text.append(title, style="bold underline")
    text.append("\n")


def _field(text: Text, label: str, value: str, *, width: int = 14, style: str = "") -> None:
    text.append(f"{label:<{width}}", style="dim")
    text.append(clean_text(value), style=style)
    text.append("\n")


def _hints(text: Text, hints: Sequence[Hint]) -> None:
    if not hints:
        return
    _heading(text, "Hints")
    for hint in hints:
        style = "bold yellow" if hint.severity is Severity.WARNING else "bold"
        text.append("• ", style=style)
        text.append(clean_text(hint.title), style=style)
        text.append("\n  ")
        text.append(clean_text(hint.explanation))
        if hint.resolution:
            text.append("\n  → ", style="dim")
            text.append(clean_text(hint.resolution))
        text.append("\n")


# Campaign lifecycle by colour (the text is always the status as sent): running cyan,
# not started yet yellow, finished dim. Plain ANSI names, so 16-colour terminals show them.
_PHASE_STYLE: dict[CampaignPhase, str] = {
    CampaignPhase.CREATED: "yellow",
    CampaignPhase.SCHEDULED: "yellow",
    CampaignPhase.ACTIVE: "cyan",
    CampaignPhase.COMPLETED: "green",
    CampaignPhase.CLOSED: "green",
    CampaignPhase.CANCELLED: "dim",
    CampaignPhase.ARCHIVED: "dim",
    CampaignPhase.UNKNOWN: "magenta",
}


def campaign_status_text(status: str | None) -> Text:
    """A campaign status exactly as sent, coloured by its lifecycle phase."""
    if not status:
        return Text(fmt.DASH)
    return Text(status, style=_PHASE_STYLE[campaign_phase(status)])


def campaign_end(campaign: Campaign) -> str:
    """The end date, or the relative duration users get from their enrollment."""
    if campaign.end_date is not None:
        return fmt.day(campaign.end_date)
    if campaign.relative_duration:
        return f"+{campaign.relative_duration}"
    return fmt.DASH


def campaign_detail(
    campaign: Campaign,
    breakdown: Mapping[EnrollmentState, int] | None = None,
    hints: Sequence[Hint] = (),
) -> Text:
    """Everything about one campaign; the status breakdown once its enrollments are known."""
    text = Text(no_wrap=False)
    text.append(clean_text(campaign.name or "(unnamed campaign)"), style="bold")
    text.append("\n")
    _field(text, "Status", campaign.status or fmt.DASH)
    _field(text, "Campaign id", str(campaign.campaign_id) if campaign.campaign_id else fmt.DASH)
    _field(text, "Starts", fmt.day(campaign.start_date))
    if campaign.end_date is not None:
        _field(text, "Ends", fmt.day(campaign.end_date))
    if campaign.relative_duration:
        _field(text, "Users get", f"{campaign.relative_duration} from enrollment")
    if campaign.duration_type:
        _field(text, "Duration", campaign.duration_type)
    # Under a heading, not as label + value: the sentences are too long for the column.
    _heading(text, "How people get enrolled")
    text.append(f"{how_enrolled(campaign)}\n")
    retakes = {True: "allowed", False: "not allowed", None: "not reported"}
    text.append("Multiple enrollments ", style="dim")
    text.append(f"{retakes[campaign.allow_multiple_enrollments]}\n")
    _heading(text, "Completion")
    text.append(fmt.bar(campaign.completion_percentage), style="green")
    text.append(f" {fmt.percent(campaign.completion_percentage)}\n")
    if breakdown:
        total = sum(breakdown.values())
        for state in STATE_ORDER:
            count = breakdown.get(state, 0)
            if count or state is not EnrollmentState.UNKNOWN:
                _field(text, state.label, f"{count:>6,}  {count / total:>4.0%}" if total else "0")
    else:
        text.append("Status breakdown: open the campaign (enter) to load it.\n", style="dim")
    _heading(text, f"Content ({len(campaign.content_items)})")
    for item in campaign.content_items:
        text.append("• ")
        text.append(clean_text(item.name or "(unnamed)"))
        text.append(" ")
        text.append(f"· {content_type_of(item)}", style="dim")
        text.append("\n")
    _heading(text, f"Groups ({len(campaign.groups)})")
    for group in campaign.groups:
        text.append("• ")
        text.append(clean_text(group.name or f"group {group.group_id}"))
        text.append("\n")
    _hints(text, hints)
    return text


def library_detail(item: ContentItem, used_by: Sequence[str] = ()) -> Text:
    """A store purchase or an uploaded policy, and the campaigns that use it."""
    text = Text(no_wrap=False)
    text.append(clean_text(item.name or "(unnamed)"), style="bold")
    text.append("\n")
    _field(text, "Type", content_type_of(item))
    _field(text, "Duration", fmt.minutes(item.minutes))
    if isinstance(item, StorePurchase):
        _field(text, "Publisher", item.publisher or fmt.DASH)
        _field(text, "Published", fmt.day(item.publish_date))
        _field(text, "Purchased", fmt.day(item.purchase_date))
        if item.expiration_date is not None:
            _field(text, "Expires", fmt.day(item.expiration_date))
        _field(text, "Retired", fmt.yes_no(item.retired))
        _field(text, "Retirement", fmt.day(item.retirement_date))
        _field(text, "Purchase id", str(item.store_purchase_id or fmt.DASH))
    elif isinstance(item, Policy):
        _field(text, "Published", fmt.yes_no(item.is_published))
        _field(text, "Language", item.default_language or fmt.DASH)
        _field(text, "Policy id", str(item.policy_id or fmt.DASH))
    if item.description:
        _heading(text, "Description")
        text.append(clean_text(item.description, multiline=True))
        text.append("\n")
    _heading(text, f"Used by campaigns ({len(used_by)})")
    for name in used_by:
        text.append("• ")
        text.append(clean_text(name))
        text.append("\n")
    return text


def enrollment_detail(
    enrollment: Enrollment,
    hints: Sequence[Hint] = (),
    *,
    content: ContentItem | None = None,
    deadline: datetime | None = None,
    now: datetime | None = None,
) -> Text:
    """Every field of one enrollment, its status's meaning, its deadline, and hints.

    `content` is the library or campaign item it is for (the enrollment itself says only
    "Store Purchase"); `deadline` comes from its campaign (end date or relative duration).
    """
    state = classify(enrollment.status)
    text = Text(no_wrap=False)
    text.append(clean_text(enrollment.user_name or "(no user)"), style="bold")
    if enrollment.user_email:
        text.append("  ")
        text.append(clean_text(enrollment.user_email), style="dim")
    text.append("\n")
    _field(text, "Status", enrollment.status or fmt.DASH, width=20, style=STATE_STYLE[state])
    _field(text, "Meaning", state.meaning, width=20, style=STATE_STYLE[state])
    # Hints next, not last: at 80x24 they were below the fold ("Past due but completed").
    if hints:
        _hints(text, hints)
        _heading(text, "Enrollment")
    _field(text, "Module", enrollment.module or fmt.DASH, width=20)
    _field(text, "Content type", content_type_of(enrollment, content), width=20)
    _field(text, "Campaign", enrollment.campaign_name or fmt.DASH, width=20)
    due = fmt.day(deadline) if deadline else "no deadline known"
    if deadline is not None and now is not None and state.is_incomplete:
        due += f" ({describe_days_left(days_left(deadline, now))})"
    _field(text, "Deadline", due, width=20)
    _field(text, "Enrolled", fmt.stamp(enrollment.enrollment_date), width=20)
    _field(text, "Started", fmt.stamp(enrollment.start_date), width=20)
    _field(text, "Completed", fmt.stamp(enrollment.completion_date), width=20)
    _field(text, "Time spent", fmt.seconds(enrollment.time_spent), width=20)
    _field(text, "Policy acknowledged", fmt.yes_no(enrollment.policy_acknowledged), width=20)
    _field(text, "Current module", enrollment.current_module or fmt.DASH, width=20)
    if enrollment.score is not None:
        _field(text, "Score", f"{enrollment.score:g}", width=20)
    _heading(text, "Identifiers")
    user = enrollment.user
    _field(text, "Enrollment id", str(enrollment.enrollment_id or fmt.DASH), width=20)
    _field(text, "Campaign id", str(enrollment.campaign_id or fmt.DASH), width=20)
    _field(text, "Store purchase id", str(enrollment.store_purchase_id or fmt.DASH), width=20)
    if enrollment.policy_id is not None:
        _field(text, "Policy id", str(enrollment.policy_id), width=20)
    _field(text, "User id", str(user.id if user and user.id else fmt.DASH), width=20)
    employee = enrollment.employee_number or (user.employee_number if user else None)
    _field(text, "Employee number", employee or fmt.DASH, width=20)
    return text
