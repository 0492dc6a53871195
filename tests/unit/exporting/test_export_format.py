"""CSV cells and columns, filters, and the streaming JSON/CSV writers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from kb4tui.api.models import Campaign, Enrollment, Policy, StorePurchase, User
from kb4tui.exporting.cells import cell
from kb4tui.exporting.columns import (
    CAMPAIGN_COLUMNS,
    ENROLLMENT_COLUMNS,
    MODULE_COLUMNS,
    USER_COLUMNS,
    Column,
    header,
)
from kb4tui.exporting.filters import RecordFilter, normalize_label
from kb4tui.exporting.not_enrolled import NOT_ENROLLED_CSV_COLUMNS
from kb4tui.exporting.output import Output, open_output
from kb4tui.exporting.users import USERS_EXPORT_COLUMNS
from kb4tui.exporting.writers import JsonArrayWriter, make_writer

ENROLLMENT = {
    "enrollment_id": 2290311,
    "content_type": "Store Purchase",
    "module_name": "Security Awareness Basics 2026",
    "user": {
        "id": 901122,
        "first_name": "Dana",
        "last_name": "Ortiz",
        "email": "dortiz@example.com",
        "employee_number": 40417,
    },
    "campaign_name": '2026 Annual, "Security" Awareness',
    "campaign_id": 51234,
    "store_purchase_id": 8123,
    "enrollment_date": "2026-01-12T14:00:05.000Z",
    "start_date": None,
    "completion_date": None,
    "status": "In Progress",
    "time_spent": 610,
    "policy_acknowledged": False,
}

CAMPAIGN = {
    "campaign_id": 51234,
    "name": "[/Q3] Phish [bold]drill[/bold]",
    "groups": [{"group_id": 0, "name": "All Users"}, {"group_id": 7, "name": "Sales"}],
    "status": "In Progress",
    "content": [
        [
            {"store_purchase_id": 8123, "content_type": "Store Purchase", "name": "Basics"},
            {"policy_id": 3051, "content_type": "Uploaded Policy", "name": "AUP"},
        ]
    ],
    "duration_type": "Specific End Date",
    "start_date": "2026-01-12T14:00:00.000Z",
    "end_date": "2026-02-27T04:59:00.000Z",
    "relative_duration": None,
    "auto_enroll": True,
    "allow_multiple_enrollments": False,
    "completion_percentage": 62,
}


def row_of(columns: Sequence[Column[Any]], model: object) -> dict[str, str]:
    out = io.StringIO()
    rows = [header(columns), [cell(c.get(model)) for c in columns]]
    csv.writer(out).writerows(rows)
    return next(csv.DictReader(io.StringIO(out.getvalue())))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (62.0, "62"),
        (14.235, "14.235"),
        (0, "0"),
        (datetime(2026, 2, 27, 4, 59, tzinfo=UTC), "2026-02-27T04:59:00Z"),
        (datetime(2026, 2, 27, 0, 0, tzinfo=timezone(timedelta(hours=-5))), "2026-02-27T05:00:00Z"),
        (date(2026, 3, 1), "2026-03-01"),
        ([1, None, 2], "1; ; 2"),  # positions kept: parallel lists stay aligned
        ([], ""),
        ("[/Q3]", "[/Q3]"),
    ],
)
def test_cell_formats_each_type(value: object, text: str) -> None:
    assert cell(value) == text


def test_enrollment_row_flattens_the_user() -> None:
    row = row_of(ENROLLMENT_COLUMNS, Enrollment.from_api(ENROLLMENT))
    assert row["user_id"] == "901122"
    assert row["user_first_name"] == "Dana"
    assert row["user_last_name"] == "Ortiz"
    assert row["user_email"] == "dortiz@example.com"
    assert row["user_employee_number"] == "40417"
    assert row["campaign_name"] == '2026 Annual, "Security" Awareness'
    assert row["status"] == "In Progress"
    assert row["start_date"] == ""
    assert row["enrollment_date"] == "2026-01-12T14:00:05Z"
    assert row["policy_acknowledged"] == "false"


def test_enrollment_with_null_user_keeps_its_row() -> None:
    row = row_of(ENROLLMENT_COLUMNS, Enrollment.from_api({**ENROLLMENT, "user": None}))
    assert row["enrollment_id"] == "2290311"
    assert row["user_id"] == row["user_email"] == ""


def test_campaign_row_joins_groups_and_nested_content() -> None:
    row = row_of(CAMPAIGN_COLUMNS, Campaign.from_api(CAMPAIGN))
    assert row["name"] == "[/Q3] Phish [bold]drill[/bold]"
    assert row["group_ids"] == "0; 7"
    assert row["group_names"] == "All Users; Sales"
    assert row["content_count"] == "2"
    assert row["content_ids"] == "8123; 3051"
    assert row["content_names"] == "Basics; AUP"
    assert row["completion_percentage"] == "62"
    assert row["end_date"] == "2026-02-27T04:59:00Z"


def test_module_rows_cover_purchases_and_policies() -> None:
    purchase = StorePurchase.from_api(
        {"store_purchased_id": 8, "name": "Phish Game", "type": "Game", "duration": 12}
    )
    policy = Policy.from_api({"policy_id": 3, "name": "AUP", "minimum_time": 3, "status": 1})
    p_row = row_of(MODULE_COLUMNS, purchase)
    assert (p_row["source"], p_row["id"], p_row["type"], p_row["minutes"]) == (
        "store_purchase",
        "8",
        "Game",
        "12",
    )
    q_row = row_of(MODULE_COLUMNS, policy)
    assert (q_row["source"], q_row["id"], q_row["type"], q_row["published"]) == (
        "policy",
        "3",
        "Policy",
        "true",
    )
    assert q_row["publisher"] == ""


def test_column_names_are_unique_per_kind() -> None:
    kinds: tuple[Sequence[Column[Any]], ...] = (
        CAMPAIGN_COLUMNS,
        ENROLLMENT_COLUMNS,
        MODULE_COLUMNS,
        USER_COLUMNS,
        USERS_EXPORT_COLUMNS,
        NOT_ENROLLED_CSV_COLUMNS,
    )
    for columns in kinds:
        names = header(columns)
        assert len(names) == len(set(names))


@pytest.mark.parametrize("given", ["Past Due", "past_due", "PAST-DUE", "  past   due "])
def test_status_filter_ignores_case_and_separators(given: str) -> None:
    keep = RecordFilter(status=given)
    assert keep.matches(Enrollment.from_api({**ENROLLMENT, "status": "Past Due"}))
    assert not keep.matches(Enrollment.from_api({**ENROLLMENT, "status": "Passed"}))
    assert not keep.matches(Enrollment.from_api({**ENROLLMENT, "status": None}))


def test_status_filter_matches_unknown_statuses_as_sent() -> None:
    assert RecordFilter(status="awaiting_review").matches(
        Campaign.from_api({**CAMPAIGN, "status": "Awaiting Review"})
    )
    assert RecordFilter(status="archived").matches(User.from_api({"id": 1, "status": "archived"}))


def test_type_filter_matches_type_or_content_type() -> None:
    video = StorePurchase.from_api({"store_purchase_id": 1, "type": "Video"})
    module = StorePurchase.from_api({"store_purchase_id": 2, "type": "Training Module"})
    policy = Policy.from_api({"policy_id": 3, "content_type": "Uploaded Policy"})
    assert [RecordFilter(content_type="training_module").matches(m) for m in (video, module)] == [
        False,
        True,
    ]
    assert RecordFilter(content_type="policy").matches(policy)
    assert RecordFilter(content_type="Uploaded Policy").matches(policy)
    assert not RecordFilter(content_type="video").matches(policy)
    assert not RecordFilter(content_type="video").matches(Enrollment.from_api(ENROLLMENT))


def test_normalize_label() -> None:
    assert normalize_label("Not_Started") == normalize_label("not started") == "not started"


def _written(tmp_path: Path, fmt: str, pages: list[list[dict[str, object]]]) -> str:
    target = tmp_path / f"out.{fmt}"
    with open_output(str(target)) as out:
        writer = make_writer(fmt, out, ENROLLMENT_COLUMNS)
        for page in pages:
            writer.write(page, [Enrollment.from_api(r) for r in page])
        writer.finish()
    return target.read_text(encoding="utf-8")


def test_json_writer_keeps_the_api_records_exactly(tmp_path: Path) -> None:
    odd = {**ENROLLMENT, "status": "past_due", "unknown_field": {"x": [1, None]}, "name": "Zoë"}
    pages = [[ENROLLMENT, odd], [], [{**ENROLLMENT, "enrollment_id": 3}]]
    text = _written(tmp_path, "json", pages)
    assert json.loads(text) == [ENROLLMENT, odd, {**ENROLLMENT, "enrollment_id": 3}]
    assert "Zoë" in text  # UTF-8, not \u escapes


def test_empty_exports(tmp_path: Path) -> None:
    assert json.loads(_written(tmp_path, "json", [[]])) == []
    assert _written(tmp_path, "csv", []) == ",".join(header(ENROLLMENT_COLUMNS)) + "\n"


def test_csv_writer_rows_round_trip(tmp_path: Path) -> None:
    second = {**ENROLLMENT, "enrollment_id": 9, "module_name": "Line\nbreak, comma"}
    rows = list(csv.DictReader(io.StringIO(_written(tmp_path, "csv", [[ENROLLMENT], [second]]))))
    assert [r["enrollment_id"] for r in rows] == ["2290311", "9"]
    assert rows[1]["module_name"] == "Line\nbreak, comma"


def test_unterminated_json_is_not_valid_json() -> None:
    sink = io.BytesIO()
    writer = JsonArrayWriter(Output(sink))
    writer.write([ENROLLMENT], [])
    # Until finish(), what reached the stream must not parse: a cut export cannot pass as whole.
    with pytest.raises(json.JSONDecodeError):
        json.loads(sink.getvalue())
    writer.finish()
    assert json.loads(sink.getvalue()) == [ENROLLMENT]


def test_make_writer_rejects_unknown_formats() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        make_writer("xml", Output(io.BytesIO()), ENROLLMENT_COLUMNS)


def test_export_code_never_imports_textual() -> None:
    import subprocess
    import sys

    code = (
        "import sys, kb4tui.exporting, kb4tui.exporting.overdue, kb4tui.cli.export_job, "
        "kb4tui.cli.get; print('textual' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_docs_list_every_kinds_csv_columns_in_order() -> None:
    from kb4tui.core.compliance import OVERDUE_COLUMNS
    from kb4tui.exporting.columns import POLICY_COLUMNS, PURCHASE_COLUMNS
    from kb4tui.exporting.not_enrolled import NOT_ENROLLED_COLUMNS
    from kb4tui.exporting.progress import PROGRESS_CSV_COLUMNS

    text = (Path(__file__).resolve().parents[3] / "docs" / "export.md").read_text()
    kinds = {
        "campaigns": header(CAMPAIGN_COLUMNS),
        "enrollments": header(ENROLLMENT_COLUMNS),
        "modules": header(MODULE_COLUMNS),
        "purchases": header(PURCHASE_COLUMNS),
        "policies": header(POLICY_COLUMNS),
        "users": header(USERS_EXPORT_COLUMNS),
        "overdue": list(OVERDUE_COLUMNS),
        "progress": header(PROGRESS_CSV_COLUMNS),
        "not-enrolled": list(NOT_ENROLLED_COLUMNS),
    }
    for kind, names in kinds.items():
        section = text.split(f"\n### {kind}\n", 1)[1].split("\n### ", 1)[0]
        assert "`" + "`, `".join(names) + "`" in section, kind
