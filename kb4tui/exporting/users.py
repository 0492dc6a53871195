"""`kb4tui export users`: every user, with their training at a glance.

The user's own fields come as the API sent them; the training columns (enrollments by
status, earliest open deadline, days overdue) are computed by kb4tui.core.person_training
from every campaign and every enrollment, read once (no request per user). In JSON, each
user object is the API's own, plus one key added by kb4tui, `kb4tui_training`, holding the
training columns under the same names as in CSV.

Exporting only active users (`--status active`) reads only active users' enrollments
(the API's exclude_archived_users=true), which costs fewer requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kb4tui.api.models import Campaign, Enrollment, User
from kb4tui.core.person_training import PersonTraining, training_by_user
from kb4tui.exporting.cells import cell
from kb4tui.exporting.columns import USER_COLUMNS, USER_TRAINING_COLUMNS, Column
from kb4tui.exporting.filters import RecordFilter, normalize_label
from kb4tui.exporting.reading import read_models
from kb4tui.exporting.runner import RawSource
from kb4tui.exporting.writers import RecordWriter

__all__ = ["TRAINING_KEY", "USERS_EXPORT_COLUMNS", "UserTraining", "export_users"]

TRAINING_KEY = "kb4tui_training"


@dataclass(frozen=True, slots=True)
class UserTraining:
    """One exported row: the user and their training summary."""

    user: User
    training: PersonTraining


def _of_user(column: Column[User]) -> Column[UserTraining]:
    get = column.get
    return Column(column.name, lambda row: get(row.user))


def _of_training(column: Column[PersonTraining]) -> Column[UserTraining]:
    get = column.get
    return Column(column.name, lambda row: get(row.training))


USERS_EXPORT_COLUMNS: tuple[Column[UserTraining], ...] = (
    *(_of_user(c) for c in USER_COLUMNS),
    *(_of_training(c) for c in USER_TRAINING_COLUMNS),
)


def training_record(training: PersonTraining) -> dict[str, Any]:
    """The training columns as JSON values (numbers as numbers, the deadline as CSV has it)."""
    record: dict[str, Any] = {}
    for column in USER_TRAINING_COLUMNS:
        value = column.get(training)
        record[column.name] = cell(value) if isinstance(value, datetime) else value
    return record


async def export_users(
    source: RawSource,
    writer: RecordWriter,
    *,
    record_filter: RecordFilter,
    enrollment_params: Mapping[str, Any],
    now: datetime | None = None,
) -> int:
    """Write every user passing `record_filter` with their training; return how many."""
    active_only = record_filter.status == normalize_label("active")
    # Percentages are not needed: skip the slow, 10-a-page campaign listing.
    campaigns = await read_models(source, "campaigns", Campaign, exclude_percentages=True)
    enrollments = await read_models(
        source,
        "enrollments",
        Enrollment,
        **enrollment_params,
        exclude_archived_users=True if active_only else None,
    )
    training = training_by_user(enrollments, campaigns, now or datetime.now(UTC))
    del enrollments
    async with aclosing(source.iter_raw_pages("users")) as pages:
        async for page in pages:
            raw = [record for record in page if isinstance(record, dict)]
            rows = [
                UserTraining(user, training.get(user.id or -1) or PersonTraining())
                for user in User.from_api_list(raw)
            ]
            kept = [i for i, row in enumerate(rows) if record_filter.matches(row.user)]
            writer.write(
                [{**raw[i], TRAINING_KEY: training_record(rows[i].training)} for i in kept],
                [rows[i] for i in kept],
            )
    writer.finish()
    return writer.records_written
