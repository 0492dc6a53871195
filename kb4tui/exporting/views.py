"""What `e` in a TUI table writes: exactly the rows on screen, to a CSV or JSON file.

The API lists (campaigns, library, enrollments) use the CLI export's documented columns
(`kb4tui.exporting.columns`), so a file from the TUI and one from `kb4tui export` read the
same. The Compliance tables are computed rows, so their columns are defined here. JSON
holds each model's fields under the API's names (the TUI keeps parsed models, not the raw
pages). `write_view` blocks: the export dialog runs it in a worker thread.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kb4tui.core.compliance import ContentRisk, DeadlineRow, PersonAtRisk
from kb4tui.core.content import content_type_of
from kb4tui.core.not_enrolled import NotEnrolled
from kb4tui.core.people_view import MemberProgress, PersonRow
from kb4tui.exporting.cells import cell
from kb4tui.exporting.columns import (
    CAMPAIGN_COLUMNS,
    ENROLLMENT_COLUMNS,
    MODULE_COLUMNS,
    USER_TRAINING_COLUMNS,
    Column,
)
from kb4tui.exporting.output import open_output
from kb4tui.exporting.writers import FORMATS, make_writer

__all__ = [
    "CAMPAIGNS_EXPORT",
    "CONTENT_RISK_EXPORT",
    "DEADLINES_EXPORT",
    "ENROLLMENTS_EXPORT",
    "FORMATS",
    "GROUP_MEMBERS_EXPORT",
    "LIBRARY_EXPORT",
    "NOT_ENROLLED_EXPORT",
    "PEOPLE_EXPORT",
    "PERSONS_EXPORT",
    "ExportSpec",
    "default_filename",
    "write_view",
]


def _whole(percent: float | None) -> int | None:
    """A percentage as the table shows it: whole, rounded down (99.7% is not done)."""
    return None if percent is None else math.floor(percent + 1e-9)


@dataclass(frozen=True, slots=True)
class ExportSpec:
    """What one table exports: a name for the file, the CSV columns, the JSON record."""

    kind: str
    columns: Sequence[Column[Any]]
    record: Callable[[Any], dict[str, Any]]


def _model_record(item: Any) -> dict[str, Any]:
    """An API model as the API names its fields (unknown fields were not kept)."""
    if isinstance(item, BaseModel):
        dumped: dict[str, Any] = item.model_dump(mode="json", by_alias=True)
        return dumped
    raise TypeError(f"not an API model: {type(item).__name__}")


def _columns_record(columns: Sequence[Column[Any]]) -> Callable[[Any], dict[str, Any]]:
    """A computed row as JSON: the CSV columns as keys, JSON types as values."""

    def record(item: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for column in columns:
            value = column.get(item)
            if value is None or isinstance(value, bool | int | float | str):
                out[column.name] = value
            elif isinstance(value, list | tuple):
                out[column.name] = [cell(v) for v in value]
            else:
                out[column.name] = cell(value)
        return out

    return record


DEADLINE_COLUMNS: tuple[Column[DeadlineRow], ...] = (
    Column("campaign_id", lambda r: r.campaign.campaign_id),
    Column("campaign", lambda r: r.name),
    Column("status", lambda r: r.campaign.status),
    Column("deadline", lambda r: r.deadline_text),
    Column("days_left", lambda r: r.days_left),
    Column("completion_percentage", lambda r: r.completion.percent),
    Column("not_started", lambda r: r.not_started),
    Column("in_progress", lambda r: r.in_progress),
    Column("past_due", lambda r: r.past_due),
    # Percent expected at the deadline at the pace of the last 14 days (once it passed:
    # done by then); empty when no deadline or no enrollments.
    Column(
        "forecast_at_deadline",
        lambda r: None if r.forecast is None else _whole(r.forecast.expected_at_deadline),
    ),
)

PEOPLE_COLUMNS: tuple[Column[PersonAtRisk], ...] = (
    Column("user_id", lambda p: p.user_id),
    Column("name", lambda p: p.name),
    Column("email", lambda p: p.email),
    Column("incomplete", lambda p: len(p.items)),
    Column("past_due", lambda p: p.past_due_count),
    Column("worst_days_left", lambda p: p.worst_days_left),
    Column("campaigns", lambda p: sorted({i.campaign_name for i in p.items})),
    Column("modules", lambda p: sorted({i.module for i in p.items})),
)

CONTENT_RISK_COLUMNS: tuple[Column[ContentRisk], ...] = (
    Column("store_purchase_id", lambda c: c.purchase.store_purchase_id),
    Column("name", lambda c: c.name),
    Column("content_type", lambda c: content_type_of(c.purchase)),
    Column("reasons", lambda c: [r.value for r in c.reasons]),
    Column("days_left", lambda c: c.days_left),
    Column("retirement_date", lambda c: c.purchase.retirement_date),
    Column("expiration_date", lambda c: c.purchase.expiration_date),
    Column("campaigns", lambda c: [k.name for k in c.campaigns]),
)


def _training_of(column: Column[Any]) -> Column[PersonRow]:
    """A training column for a People row: empty when the person's training is unknown."""
    get = column.get
    return Column(column.name, lambda r: None if r.training is None else get(r.training))


# The People pane: who each person is, and their training (as `export users` names it).
PERSON_ROW_COLUMNS: tuple[Column[PersonRow], ...] = (
    Column("id", lambda r: r.user.id),
    Column("name", lambda r: r.name),
    Column("email", lambda r: r.user.email),
    Column("status", lambda r: r.user.status),
    Column("department", lambda r: r.user.department),
    Column("manager_name", lambda r: r.user.manager_name),
    Column("groups", lambda r: list(r.groups)),
    Column("phish_prone_percentage", lambda r: r.user.phish_prone_percentage),
    Column("current_risk_score", lambda r: r.user.current_risk_score),
    *(_training_of(c) for c in USER_TRAINING_COLUMNS),
)

NOT_ENROLLED_VIEW_COLUMNS: tuple[Column[NotEnrolled], ...] = (
    Column("campaign_id", lambda n: n.campaign.campaign_id),
    Column("campaign", lambda n: n.campaign_name),
    Column("reason", lambda n: n.reason.code),
    Column("reason_text", lambda n: n.explanation),
    Column("target_groups", lambda n: list(n.target_groups)),
    Column("other_campaigns", lambda n: list(n.other_campaigns)),
)

GROUP_MEMBER_COLUMNS: tuple[Column[MemberProgress], ...] = (
    Column("user_id", lambda m: m.user.id),
    Column("name", lambda m: m.user.full_name),
    Column("email", lambda m: m.user.email),
    Column("department", lambda m: m.user.department),
    Column("standing", lambda m: m.standing.value),
    Column("completed", lambda m: m.counts.compliant),
    Column("enrollments", lambda m: m.counts.total),
    Column("reason", lambda m: m.missing.reason.code if m.missing else None),
    Column("reason_text", lambda m: m.missing.explanation if m.missing else None),
)

CAMPAIGNS_EXPORT = ExportSpec("campaigns", CAMPAIGN_COLUMNS, _model_record)
LIBRARY_EXPORT = ExportSpec("library", MODULE_COLUMNS, _model_record)
ENROLLMENTS_EXPORT = ExportSpec("enrollments", ENROLLMENT_COLUMNS, _model_record)
DEADLINES_EXPORT = ExportSpec("deadlines", DEADLINE_COLUMNS, _columns_record(DEADLINE_COLUMNS))
PEOPLE_EXPORT = ExportSpec("people-at-risk", PEOPLE_COLUMNS, _columns_record(PEOPLE_COLUMNS))
CONTENT_RISK_EXPORT = ExportSpec(
    "content-at-risk", CONTENT_RISK_COLUMNS, _columns_record(CONTENT_RISK_COLUMNS)
)
PERSONS_EXPORT = ExportSpec("people", PERSON_ROW_COLUMNS, _columns_record(PERSON_ROW_COLUMNS))
NOT_ENROLLED_EXPORT = ExportSpec(
    "not-enrolled", NOT_ENROLLED_VIEW_COLUMNS, _columns_record(NOT_ENROLLED_VIEW_COLUMNS)
)
GROUP_MEMBERS_EXPORT = ExportSpec(
    "group", GROUP_MEMBER_COLUMNS, _columns_record(GROUP_MEMBER_COLUMNS)
)

_UNSAFE = re.compile(r"[^a-z0-9]+")


def _slug(text: str, limit: int = 40) -> str:
    """ "[/Q3] Phish drill" -> "q3-phish-drill": safe in any shell and file system."""
    return _UNSAFE.sub("-", text.casefold()).strip("-")[:limit].strip("-")


def default_filename(kind: str, context: str | None, today: date, fmt: str) -> str:
    """kb4tui-enrollments-<campaign>-2026-11-20.csv, in the current directory."""
    parts = ["kb4tui", kind]
    slug = _slug(context) if context else ""
    if slug:
        parts.append(slug)
    parts.append(today.isoformat())
    return "-".join(parts) + f".{fmt}"


def write_view(spec: ExportSpec, items: Sequence[Any], fmt: str, path: str) -> Path:
    """Write `items` to `path` (atomically, 0600) and return the file's absolute path.

    Blocking (fsync): call it from a thread. Raises OSError when the file cannot be written
    and ValueError for an unknown format.
    """
    target = Path(path).expanduser()
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a directory; add a file name")
    with open_output(str(target)) as out:
        writer = make_writer(fmt, out, spec.columns)
        records = [spec.record(item) for item in items] if fmt == "json" else []
        writer.write(records, items)
        writer.finish()
    return target.resolve()
