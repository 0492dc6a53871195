"""The CSV columns of every export kind: stable names users and scripts rely on.

Documented for users in docs/export.md (a test keeps the two in step).
Column names follow the API's field names; nested objects are flattened with a prefix
(an enrollment's `user {id, first_name, ...}` becomes `user_id`, `user_first_name`, ...)
and lists are joined with "; ". New columns may be added at the end; existing ones are
never renamed or reordered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from kb4tui.api.models import Campaign, ContentItem, Enrollment, Policy, StorePurchase, User
from kb4tui.core.person_training import PersonTraining

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    """A CSV column: its header and how to read its value from a record."""

    name: str
    get: Callable[[T], object]


def header(columns: Sequence[Column[T]]) -> list[str]:
    return [column.name for column in columns]


def _content_id(item: ContentItem) -> int | None:
    """A store purchase's or policy's id; `content_id` where an item carries only that."""
    if item.item_id is None and isinstance(item, StorePurchase):
        return item.content_id
    return item.item_id


# Parallel lists (`group_ids`/`group_names`, `content_ids`/`content_names`) keep one entry
# per group or item, empty where a value is missing, so position N always means the same one.
CAMPAIGN_COLUMNS: tuple[Column[Campaign], ...] = (
    Column("campaign_id", lambda c: c.campaign_id),
    Column("name", lambda c: c.name),
    Column("status", lambda c: c.status),
    Column("duration_type", lambda c: c.duration_type),
    Column("start_date", lambda c: c.start_date),
    Column("end_date", lambda c: c.end_date),
    Column("relative_duration", lambda c: c.relative_duration),
    Column("auto_enroll", lambda c: c.auto_enroll),
    Column("allow_multiple_enrollments", lambda c: c.allow_multiple_enrollments),
    Column("completion_percentage", lambda c: c.completion_percentage),
    Column("group_ids", lambda c: [g.group_id for g in c.groups]),
    Column("group_names", lambda c: c.group_names),
    Column("content_count", lambda c: len(c.content_items)),
    Column("content_ids", lambda c: [_content_id(item) for item in c.content_items]),
    Column("content_names", lambda c: [item.name for item in c.content_items]),
)


def _employee_number(enrollment: Enrollment) -> str | None:
    """`include_employee_number` puts it inside `user`; some shapes send it beside `user`."""
    if enrollment.user and enrollment.user.employee_number:
        return enrollment.user.employee_number
    return enrollment.employee_number


ENROLLMENT_COLUMNS: tuple[Column[Enrollment], ...] = (
    Column("enrollment_id", lambda e: e.enrollment_id),
    Column("campaign_id", lambda e: e.campaign_id),
    Column("campaign_name", lambda e: e.campaign_name),
    Column("content_type", lambda e: e.content_type),
    Column("module_name", lambda e: e.module),
    Column("store_purchase_id", lambda e: e.store_purchase_id),
    Column("policy_id", lambda e: e.policy_id),
    Column("user_id", lambda e: e.user_id),
    Column("user_first_name", lambda e: e.user.first_name if e.user else None),
    Column("user_last_name", lambda e: e.user.last_name if e.user else None),
    Column("user_email", lambda e: e.user.email if e.user else None),
    Column("user_employee_number", _employee_number),
    Column("status", lambda e: e.status),
    Column("enrollment_date", lambda e: e.enrollment_date),
    Column("start_date", lambda e: e.start_date),
    Column("completion_date", lambda e: e.completion_date),
    Column("time_spent", lambda e: e.time_spent),
    Column("policy_acknowledged", lambda e: e.policy_acknowledged),
    Column("score", lambda e: e.score),
)

PURCHASE_COLUMNS: tuple[Column[StorePurchase], ...] = (
    Column("store_purchase_id", lambda p: p.store_purchase_id),
    Column("name", lambda p: p.name),
    Column("type", lambda p: p.type),
    Column("content_type", lambda p: p.content_type),
    Column("duration", lambda p: p.duration),
    Column("publisher", lambda p: p.publisher),
    Column("publish_date", lambda p: p.publish_date),
    Column("purchase_date", lambda p: p.purchase_date),
    Column("expiration_date", lambda p: p.expiration_date),
    Column("retired", lambda p: p.retired),
    Column("retirement_date", lambda p: p.retirement_date),
    Column("policy_url", lambda p: p.policy_url),
    Column("content_id", lambda p: p.content_id),
    Column("description", lambda p: p.description),
)

POLICY_COLUMNS: tuple[Column[Policy], ...] = (
    Column("policy_id", lambda p: p.policy_id),
    Column("name", lambda p: p.name),
    Column("content_type", lambda p: p.content_type),
    Column("minimum_time", lambda p: p.minimum_time),
    Column("default_language", lambda p: p.default_language),
    Column("status", lambda p: p.status),
    Column("published", lambda p: p.is_published),
    Column("description", lambda p: p.description),
)


def _purchase_only(get: Callable[[StorePurchase], object]) -> Callable[[ContentItem], object]:
    return lambda item: get(item) if isinstance(item, StorePurchase) else None


def _policy_only(get: Callable[[Policy], object]) -> Callable[[ContentItem], object]:
    return lambda item: get(item) if isinstance(item, Policy) else None


# `modules` = store purchases and uploaded policies in one table. `source` says which
# endpoint a row came from; `id` is its store_purchase_id or policy_id.
MODULE_COLUMNS: tuple[Column[ContentItem], ...] = (
    Column("source", lambda m: "policy" if m.is_policy else "store_purchase"),
    Column("id", lambda m: m.item_id),
    Column("name", lambda m: m.name),
    Column("type", lambda m: m.type_label),
    Column("content_type", lambda m: m.content_type),
    Column("minutes", lambda m: m.minutes),
    Column("publisher", _purchase_only(lambda p: p.publisher)),
    Column("publish_date", _purchase_only(lambda p: p.publish_date)),
    Column("purchase_date", _purchase_only(lambda p: p.purchase_date)),
    Column("expiration_date", _purchase_only(lambda p: p.expiration_date)),
    Column("retired", _purchase_only(lambda p: p.retired)),
    Column("retirement_date", _purchase_only(lambda p: p.retirement_date)),
    Column("published", _policy_only(lambda p: p.is_published)),
    Column("default_language", _policy_only(lambda p: p.default_language)),
    Column("description", lambda m: m.description),
)

USER_COLUMNS: tuple[Column[User], ...] = (
    Column("id", lambda u: u.id),
    Column("employee_number", lambda u: u.employee_number),
    Column("first_name", lambda u: u.first_name),
    Column("last_name", lambda u: u.last_name),
    Column("email", lambda u: u.email),
    Column("job_title", lambda u: u.job_title),
    Column("status", lambda u: u.status),
    Column("department", lambda u: u.department),
    Column("division", lambda u: u.division),
    Column("location", lambda u: u.location),
    Column("organization", lambda u: u.organization),
    Column("manager_name", lambda u: u.manager_name),
    Column("manager_email", lambda u: u.manager_email),
    Column("phone_number", lambda u: u.phone_number),
    Column("mobile_phone_number", lambda u: u.mobile_phone_number),
    Column("groups", lambda u: u.groups),
    Column("joined_on", lambda u: u.joined_on),
    Column("last_sign_in", lambda u: u.last_sign_in),
    Column("employee_start_date", lambda u: u.employee_start_date),
    Column("archived_at", lambda u: u.archived_at),
    Column("phish_prone_percentage", lambda u: u.phish_prone_percentage),
    Column("current_risk_score", lambda u: u.current_risk_score),
    Column("language", lambda u: u.language),
    Column("provisioning_managed", lambda u: u.provisioning_managed),
    Column("provisioning_guid", lambda u: u.provisioning_guid),
    Column("aliases", lambda u: u.aliases),
    Column("custom_field_1", lambda u: u.custom_field_1),
    Column("custom_field_2", lambda u: u.custom_field_2),
    Column("custom_field_3", lambda u: u.custom_field_3),
    Column("custom_field_4", lambda u: u.custom_field_4),
    Column("custom_date_1", lambda u: u.custom_date_1),
    Column("custom_date_2", lambda u: u.custom_date_2),
    Column("comment", lambda u: u.comment),
    Column("extension", lambda u: u.extension),
)


# `export users` adds these after USER_COLUMNS (and, in JSON, under one added key): the
# person's enrollments by status, and their earliest open deadline (core.person_training).
USER_TRAINING_COLUMNS: tuple[Column[PersonTraining], ...] = (
    Column("training_enrollments", lambda t: t.counts.total),
    Column("training_not_started", lambda t: t.counts.not_started),
    Column("training_in_progress", lambda t: t.counts.in_progress),
    Column("training_past_due", lambda t: t.counts.past_due),
    Column("training_passed", lambda t: t.counts.completed),
    Column("training_exempted", lambda t: t.counts.exempted),
    Column("training_other", lambda t: t.counts.unknown),
    Column("earliest_open_deadline", lambda t: t.earliest_open_deadline),
    Column("days_overdue", lambda t: t.days_overdue),
)
