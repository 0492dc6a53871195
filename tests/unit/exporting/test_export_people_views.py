"""What `e` writes from the People pane, a person's "not enrolled" list and a group's view:
the columns as documented, training left empty (not zero) where it is not known."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from core_factories import NOW, campaign, enrollment

from kb4tui.api.models import Group, User
from kb4tui.core.not_enrolled import enrollments_by_user, why_not_enrolled
from kb4tui.core.people_view import group_names, group_progress, people_rows
from kb4tui.core.person_training import training_by_user
from kb4tui.exporting.views import (
    GROUP_MEMBERS_EXPORT,
    NOT_ENROLLED_EXPORT,
    PERSONS_EXPORT,
    write_view,
)

ANN = User.from_api(
    {"id": 1, "first_name": "Ann", "email": "ann@x", "status": "active", "groups": [7]}
)
BOB = User.from_api({"id": 2, "first_name": "Bob", "status": "archived", "groups": None})
SALES = [Group.from_api({"id": 7, "name": "Sales, EMEA"})]


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_people_rows_export_with_training_known_or_not(tmp_path: Path) -> None:
    rows = [enrollment(1, user_id=1, status="Past Due"), enrollment(2, user_id=1)]
    training = training_by_user(rows, [campaign(1)], NOW)
    active = people_rows([ANN], training, group_names(SALES))
    archived = people_rows([BOB], None, {})
    target = write_view(PERSONS_EXPORT, [*active, *archived], "csv", str(tmp_path / "p.csv"))
    ann, bob = read_csv(target)
    assert (ann["name"], ann["groups"], ann["training_past_due"]) == ("Ann", "Sales, EMEA", "1")
    assert ann["training_not_started"] == "1" and ann["earliest_open_deadline"].endswith("Z")
    assert bob["training_past_due"] == "" and bob["days_overdue"] == ""  # not known, not 0
    records = json.loads(
        write_view(PERSONS_EXPORT, active, "json", str(tmp_path / "p.json")).read_text()
    )
    assert records[0]["groups"] == ["Sales, EMEA"] and records[0]["training_enrollments"] == 2


def test_not_enrolled_and_group_members_export_the_reason(tmp_path: Path) -> None:
    target = campaign(3, name="Annual [/Q3]", groups=[{"group_id": 9, "name": "IT"}])
    missing = why_not_enrolled(ANN, target, [], NOW)
    path = write_view(NOT_ENROLLED_EXPORT, [missing], "csv", str(tmp_path / "n.csv"))
    [row] = read_csv(path)
    assert (row["campaign"], row["reason"], row["target_groups"]) == (
        "Annual [/Q3]",
        "not_in_target_group",
        "IT",
    )
    members = group_progress(
        [ANN],
        campaign(1),
        enrollments_by_user([enrollment(1, user_id=1, status="Passed")]),
        NOW,
    )
    path = write_view(GROUP_MEMBERS_EXPORT, members, "csv", str(tmp_path / "g.csv"))
    [member] = read_csv(path)
    assert (member["standing"], member["completed"], member["reason"]) == ("Completed", "1", "")
