"""The text of the detail panes: a campaign, a library item, one enrollment.

Pure functions returning `rich.text.Text` built with `append` (never markup), so a name
like "[/Q3] Phish [bold]drill[/bold]" is shown exactly as sent. Every text they return,
and every detail a pane shows (`clean_detail`), is cleaned of whole escape sequences:
the render guard (ui/safety.py) can only drop the control characters of a sequence that
got that far, leaving `]52;c;...` or `[2J[H` on screen as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from rich.style import Style
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
    "SafeText",
    "campaign_detail",
    "campaign_end",
    "campaign_status_text",
    "clean_detail",
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


class SafeText(Text):
    """A `Text` that cleans every string appended to it, before Rich sees it.

    Cleaning has to happen here, at the source: Rich's `append` itself drops BEL, the
    usual end of an OSC sequence (`ESC ] 52 ; c ; ... BEL`), and what is left can no
    longer be told apart from the text after it. Line breaks are kept.
    """

    def append(self, text: str | Text, style: str | Style | None = None) -> SafeText:
        if isinstance(text, str):
            text = clean_text(text, multiline=True)
        super().append(text, style)
        return self


def clean_detail(text: Text) -> Text:
    """`text` with every escape sequence and control character removed, styles kept: the
    net under every detail pane, for text not built as a `SafeText`.

    Cut at every style boundary, each piece is cleaned the way `clean_text` cleans (line
    breaks kept): one API value is appended with one style, so a sequence is never split
    across pieces. Clean text (the usual case) is returned as it is after one check.
    """
    plain = text.plain
    if clean_text(plain, multiline=True) == plain:
        return text
    cuts = sorted({offset for span in text.spans for offset in (span.start, span.end)})
    result = text.blank_copy()
    for part in text.divide(cut for cut in cuts if 0 < cut < len(plain)):
        cleaned = clean_text(part.plain, multiline=True)
        if cleaned == part.plain:
            result.append_text(part)
            continue
        piece = Text(cleaned)
        for span in part.spans:  # after the cut, each span covers the whole piece
            piece.stylize(span.style)
        result.append_text(piece)
    return result


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
    return Text(clean_text(status), style=_PHASE_STYLE[campaign_phase(status)])


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
    *,
    progress: Text | None = None,
) -> Text:
    """Everything about one campaign; the status breakdown once its enrollments are known;
    `progress` (kb4tui.ui.progress_text) under a heading of its own."""
    text = SafeText(no_wrap=False)
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
        text.append(
            "Status breakdown and progress: open the campaign (enter) to load them.\n",
            style="dim",
        )
    if progress is not None:
        _heading(text, "Progress")
        text.append_text(progress)
        if not progress.plain.endswith("\n"):
            text.append("\n")
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
    return clean_detail(text)


def library_detail(item: ContentItem, used_by: Sequence[str] = ()) -> Text:
    """A store purchase or an uploaded policy, and the campaigns that use it."""
    text = SafeText(no_wrap=False)
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
    return clean_detail(text)


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
    text = SafeText(no_wrap=False)
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
    return clean_detail(text)
