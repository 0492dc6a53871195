"""`kb4tui export not-enrolled` and the training columns of `kb4tui export users`, end to
end over the fake API on 127.0.0.1, checked against independent counts from the raw demo
data (never through kb4tui.core)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from loopback_support import quicken_clients, reset_fake, run_cli, serve_org

from kb4tui.demo import DemoOrg, FakeKnowBe4API, LoopbackServer, generate_org
from kb4tui.demo.cases import LATE_JOINER_CAMPAIGN, SAME_CONTENT_CAMPAIGN, UNEXPLAINED_CAMPAIGN
from kb4tui.exporting.not_enrolled import NOT_ENROLLED_COLUMNS
from kb4tui.exporting.users import TRAINING_KEY

KEY = "kb4tui-people-export-key-7d21"

pytestmark = pytest.mark.timeout(90)

REASONS = {
    "archived",
    "campaign_not_started",
    "not_in_target_group",
    "joined_after_start",
    "joined_after_end",
    "enrolled_in_same_content_elsewhere",
    "unknown",
}


@pytest.fixture(scope="module")
def org() -> DemoOrg:
    return generate_org(seed=7, users=500)


@pytest.fixture(scope="module")
def server(org: DemoOrg) -> Iterator[LoopbackServer]:
    yield from serve_org(KEY, org)


@pytest.fixture
def api(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> FakeKnowBe4API:
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    quicken_clients(monkeypatch, retry_budget=1.5, base_delay=0.002, max_delay=0.05)
    return reset_fake(server)


def campaign_id(org: DemoOrg, name: str) -> int:
    (found,) = [c["campaign_id"] for c in org.campaigns(with_percentage=False) if c["name"] == name]
    return int(found)


def missing_people(org: DemoOrg, cid: int) -> list[int]:
    """Active users with no row among the campaign's enrollments, from the raw data."""
    enrolled = {r["user"]["id"] for r in org.campaign_enrollments(cid) if r["user"] is not None}
    return [u["id"] for u in org.users if u["status"] == "active" and u["id"] not in enrolled]


@pytest.mark.parametrize(
    ("name", "planted"),
    [
        (LATE_JOINER_CAMPAIGN, "joined_after_start"),
        (SAME_CONTENT_CAMPAIGN, "enrolled_in_same_content_elsewhere"),
        (UNEXPLAINED_CAMPAIGN, "unknown"),
        ("Finance: Business Email Compromise", "not_in_target_group"),
    ],
)
def test_not_enrolled_is_every_active_user_without_a_row_with_a_reason(
    name: str,
    planted: str,
    api: FakeKnowBe4API,
    server: LoopbackServer,
    org: DemoOrg,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cid = campaign_id(org, name)
    code, out, err = run_cli(
        server, capsys, "export", "not-enrolled", "--campaign", str(cid), "--format", "json"
    )
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [r["user_id"] for r in rows] == missing_people(org, cid)
    assert all(r["reason"] in REASONS and r["reason_text"] for r in rows)
    assert all(r["campaign_id"] == cid and r["campaign"] == name for r in rows)
    assert planted in {r["reason"] for r in rows}
    for row in rows:
        if row["reason"] == "not_in_target_group":
            assert row["in_target_group"] is False
            assert row["target_groups"] == [g["name"] for g in org.campaign(cid)["groups"]]
        if row["reason"] == "enrolled_in_same_content_elsewhere":
            assert row["other_campaigns"] and name not in row["other_campaigns"]

    code, out, err = run_cli(server, capsys, "export", "not-enrolled", "--campaign", str(cid))
    assert (code, err) == (0, "")
    table = list(csv.DictReader(io.StringIO(out)))
    assert list(table[0]) == list(NOT_ENROLLED_COLUMNS)
    assert [int(r["user_id"]) for r in table] == [r["user_id"] for r in rows]
    assert [r["reason"] for r in table] == [r["reason"] for r in rows]


def test_not_enrolled_names_the_late_joiners_dates(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    cid = campaign_id(org, LATE_JOINER_CAMPAIGN)
    start = str(org.campaign(cid)["start_date"])
    code, out, _ = run_cli(
        server, capsys, "export", "not-enrolled", "--campaign", str(cid), "--format", "json"
    )
    late = [r for r in json.loads(out) if r["reason"] == "joined_after_start"]
    users = {u["id"]: u for u in org.users}
    assert code == 0 and late
    for row in late:
        joined = str(users[row["user_id"]]["joined_on"])
        assert joined > start
        assert f"Joined {joined[:10]}" in row["reason_text"]
        assert f"started {start[:10]}" in row["reason_text"]


def test_not_enrolled_costs_a_fixed_number_of_listings(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    cid = campaign_id(org, SAME_CONTENT_CAMPAIGN)
    code, _, _ = run_cli(server, capsys, "export", "not-enrolled", "--campaign", str(cid))
    assert code == 0
    paths = Counter(e.path for e in api.log.entries())
    assert not any(p.startswith("/v1/users/") for p in paths)  # no request per user
    assert paths[f"/v1/training/campaigns/{cid}"] == 1
    queries = [e.query for e in api.log.entries() if e.path == "/v1/training/enrollments"]
    assert queries and all(q.get("exclude_archived_users") == "true" for q in queries)
    users = [e.query for e in api.log.entries() if e.path == "/v1/users"]
    assert users and all(q.get("status") == "active" for q in users)


def test_not_enrolled_usage_and_unknown_campaign(
    api: FakeKnowBe4API, server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(server, capsys, "export", "not-enrolled")
    assert (code, out) == (1, "")
    assert "needs --campaign ID" in err and err.count("\n") == 1
    code, out, err = run_cli(
        server, capsys, "export", "not-enrolled", "--campaign", "1", "--user", "2"
    )
    assert (code, out) == (1, "")
    assert "--user does not apply to `export not-enrolled`" in err
    code, out, err = run_cli(server, capsys, "export", "not-enrolled", "--campaign", "999999")
    assert (code, out) == (4, "")
    assert "Campaign 999999 not found" in err and err.count("\n") == 1


def independent_training(org: DemoOrg) -> dict[int, Counter[str]]:
    counts: dict[int, Counter[str]] = {}
    for row in org.enrollments():
        if row["user"] is not None:
            counts.setdefault(row["user"]["id"], Counter())[row["status"]] += 1
    return counts


COUNT_COLUMNS = {
    "training_not_started": "Not Started",
    "training_in_progress": "In Progress",
    "training_past_due": "Past Due",
    "training_passed": "Passed",
    "training_exempted": "Exempted",
}


def test_users_export_adds_training_counts_to_the_users_own_fields(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(server, capsys, "export", "users", "--format", "json")
    assert (code, err) == (0, "")
    records = json.loads(out)
    expected = independent_training(org)
    assert [{k: v for k, v in r.items() if k != TRAINING_KEY} for r in records] == org.users
    for record in records:
        training: dict[str, Any] = record[TRAINING_KEY]
        counts = expected.get(record["id"], Counter())
        assert training["training_enrollments"] == sum(counts.values())
        for column, status in COUNT_COLUMNS.items():
            assert training[column] == counts[status], (record["id"], column)
        assert training["training_other"] == 0
        if training["days_overdue"] is not None:
            assert training["earliest_open_deadline"].endswith("Z")
    assert any(
        r[TRAINING_KEY]["days_overdue"] and r[TRAINING_KEY]["days_overdue"] > 0 for r in records
    )
    queries = [e.query for e in api.log.entries() if e.path == "/v1/training/enrollments"]
    assert queries and not any("exclude_archived_users" in q for q in queries)

    code, out, _ = run_cli(server, capsys, "export", "users")
    rows = list(csv.DictReader(io.StringIO(out)))
    by_id = {r["id"]: r[TRAINING_KEY] for r in records}
    for row in rows:
        training = by_id[int(row["id"])]
        assert int(row["training_past_due"]) == training["training_past_due"]
        assert row["days_overdue"] == (
            "" if training["days_overdue"] is None else str(training["days_overdue"])
        )


def test_users_export_of_active_users_reads_only_their_enrollments(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        server, capsys, "export", "users", "--status", "active", "--format", "json"
    )
    assert code == 0
    assert [r["id"] for r in json.loads(out)] == [
        u["id"] for u in org.users if u["status"] == "active"
    ]
    queries = [e.query for e in api.log.entries() if e.path == "/v1/training/enrollments"]
    assert queries and all(q.get("exclude_archived_users") == "true" for q in queries)
