"""`kb4tui export` and `kb4tui get` end to end: the CLI in-process (and once as a real
subprocess) against the fake KnowBe4 API served over HTTP on 127.0.0.1.

The client's own rate limiter and backoff are shrunk for speed (the fake's rate limiting is
off, except where 429s are the point); everything else is the real stack: argument
parsing, key from KNOWBE4_API_KEY, KnowBe4Client over a socket, writers, exit codes.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from loopback_support import quicken_clients, reset_fake, run_cli, serve_org

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.compliance import OVERDUE_COLUMNS, overdue_rows
from kb4tui.demo import DemoOrg, FakeKnowBe4API, LoopbackServer, generate_org
from kb4tui.exporting.columns import (
    CAMPAIGN_COLUMNS,
    ENROLLMENT_COLUMNS,
    MODULE_COLUMNS,
    POLICY_COLUMNS,
    PURCHASE_COLUMNS,
    header,
)
from kb4tui.exporting.not_enrolled import NOT_ENROLLED_COLUMNS
from kb4tui.exporting.users import TRAINING_KEY, USERS_EXPORT_COLUMNS

KEY = "kb4tui-export-test-key-5f3a9c"
REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def org() -> DemoOrg:
    return generate_org(seed=7, users=600)


@pytest.fixture(scope="module")
def server(org: DemoOrg) -> Iterator[LoopbackServer]:
    yield from serve_org(KEY, org)


@pytest.fixture
def api(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> FakeKnowBe4API:
    """A clean fake (default config, empty log) and a fast client for each test."""
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    quicken_clients(monkeypatch, retry_budget=1.5, base_delay=0.002, max_delay=0.05)
    return reset_fake(server)


def by_id(rows: list[dict[str, Any]], field: str) -> dict[Any, dict[str, Any]]:
    return {row[field]: row for row in rows}


def biggest_campaign(org: DemoOrg) -> int:
    return max(org.campaign_ids, key=lambda cid: len(org.campaign_enrollments(cid)))


def busy_campaign(org: DemoOrg) -> int:
    """A campaign with a few hundred enrollments, some of them past due."""
    return min(
        (
            cid
            for cid in org.campaign_ids
            if 100 < len(org.campaign_enrollments(cid)) < 1500
            and any(r["status"] == "Past Due" for r in org.campaign_enrollments(cid))
        ),
        key=lambda cid: len(org.campaign_enrollments(cid)),
    )


def assert_one_plain_sentence(err: str) -> None:
    assert err.startswith("kb4tui: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert KEY not in err


# --- completeness -----------------------------------------------------------------------


def test_campaigns_json_has_every_campaign_despite_the_10_row_cap(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(server, capsys, "export", "campaigns", "--format", "json")
    assert (code, err) == (0, "")
    exported = json.loads(out)
    expected = org.campaigns(with_percentage=True)
    assert len(expected) > 10
    assert len(exported) == len(expected)
    # Exactly the API's records, percentages included, each once.
    assert by_id(exported, "campaign_id") == by_id(expected, "campaign_id")
    capped = [
        e
        for e in api.log.entries()
        if e.path == "/v1/training/campaigns" and "exclude_percentages" not in e.query
    ]
    assert capped, "the capped (percentage) listing was not exercised"


def test_enrollments_of_a_big_campaign_survive_429s(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign_id = biggest_campaign(org)
    expected = org.campaign_enrollments(campaign_id)
    assert len(expected) > 1000
    api.config.fault_rate = 0.3
    api.config.fault_kinds = ("429",)
    # Seed 1 faults the 1st and 4th requests, so 429s happen however few requests the
    # pager needs (a page count of ~5 leaves no room for a later first fault).
    api.config.fault_seed = 1
    code, out, err = run_cli(
        server, capsys, "export", "enrollments", "--campaign", str(campaign_id), "--format", "json"
    )
    assert (code, err) == (0, "")
    exported = json.loads(out)
    ids = [row["enrollment_id"] for row in exported]
    assert len(ids) == len(set(ids)) == len(expected)
    assert exported == expected  # none missing, none twice, in the API's order, as sent
    assert api.log.count("/v1/training/enrollments", status=429) > 0


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("modes", "exit_code", "needle"),
    [
        (("invalid_token",), 2, "401"),
        # The API's old habit: 200 with {"message": "Invalid Token"} instead of a 401.
        (("invalid_token", "legacy_invalid_token"), 2, "Reporting API token"),
        (("forbidden",), 2, "403"),
    ],
)
def test_auth_failures_exit_2_with_one_sentence_and_no_file(
    modes: tuple[str, ...],
    exit_code: int,
    needle: str,
    api: FakeKnowBe4API,
    server: LoopbackServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for mode in modes:
        setattr(api.config, mode, True)
    target = tmp_path / "campaigns.json"
    code, out, err = run_cli(server, capsys, "export", "campaigns", "-o", str(target))
    assert code == exit_code
    assert out == ""
    assert needle in err
    assert_one_plain_sentence(err)
    assert list(tmp_path.iterdir()) == []


def test_unknown_id_exits_4(
    api: FakeKnowBe4API, server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(server, capsys, "get", "campaign", "999999")
    assert (code, out) == (4, "")
    assert "Campaign 999999 not found" in err
    assert_one_plain_sentence(err)


def test_server_failing_for_good_exits_3_and_keeps_the_previous_file(
    api: FakeKnowBe4API, server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "users.csv"
    target.write_text("yesterday's export\n")
    api.config.fault_rate = 1.0
    api.config.fault_kinds = ("503",)
    code, out, err = run_cli(server, capsys, "export", "users", "-o", str(target))
    assert (code, out) == (3, "")
    assert "HTTP 503" in err
    assert f"nothing was written to {target}" in err
    assert_one_plain_sentence(err)
    assert target.read_text() == "yesterday's export\n"
    assert list(tmp_path.iterdir()) == [target]


def test_no_key_exits_2(
    api: FakeKnowBe4API,
    server: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: object,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("KNOWBE4_API_KEY")
    code, out, err = run_cli(server, capsys, "export", "campaigns")
    assert (code, out) == (2, "")
    assert_one_plain_sentence(err)
    assert len(api.log) == 0


# --- every kind, both formats -------------------------------------------------------------


def expected_records(org: DemoOrg, kind: str) -> list[dict[str, Any]] | None:
    """What the API holds for kinds exported verbatim (None: computed kinds). Users come
    with one added key, checked in test_cli_export_people.py."""
    return {
        "campaigns": org.campaigns(with_percentage=True),
        "modules": [*org.store_purchases, *org.policies],
        "purchases": org.store_purchases,
        "policies": org.policies,
        "users": org.users,
    }.get(kind)


def as_sent(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != TRAINING_KEY}


KIND_COLUMNS = {
    "campaigns": header(CAMPAIGN_COLUMNS),
    "enrollments": header(ENROLLMENT_COLUMNS),
    "modules": header(MODULE_COLUMNS),
    "purchases": header(PURCHASE_COLUMNS),
    "policies": header(POLICY_COLUMNS),
    "users": header(USERS_EXPORT_COLUMNS),
    "overdue": list(OVERDUE_COLUMNS),
    "not-enrolled": list(NOT_ENROLLED_COLUMNS),
}


@pytest.mark.parametrize("kind", list(KIND_COLUMNS))
def test_every_kind_in_csv_and_json(
    kind: str,
    api: FakeKnowBe4API,
    server: LoopbackServer,
    org: DemoOrg,
    capsys: pytest.CaptureFixture[str],
) -> None:
    extra: list[str] = []
    if kind in ("enrollments", "overdue", "not-enrolled"):  # one campaign keeps it quick
        extra = ["--campaign", str(busy_campaign(org))]
    code, out, err = run_cli(server, capsys, "export", kind, "--format", "json", *extra)
    assert (code, err) == (0, "")
    records = json.loads(out)
    expected = expected_records(org, kind)
    if expected is not None:
        exported = [as_sent(r) for r in records]
        assert sorted(map(json.dumps, exported)) == sorted(map(json.dumps, expected))
    assert records, f"the demo org should have some {kind}"

    code, out, err = run_cli(server, capsys, "export", kind, *extra)  # csv is the default
    assert (code, err) == (0, "")
    reader = csv.reader(io.StringIO(out))
    assert next(reader) == KIND_COLUMNS[kind]
    rows = list(reader)
    assert len(rows) == len(records)
    assert all(len(row) == len(KIND_COLUMNS[kind]) for row in rows)


def test_overdue_matches_core_for_active_users(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign_id = str(busy_campaign(org))
    now = datetime.now(UTC)
    active = [
        r
        for r in org.campaign_enrollments(int(campaign_id))
        if r["user"] is None or r["user"]["id"] not in org.archived_user_ids
    ]
    campaigns = Campaign.from_api_list(org.campaigns())
    for within in (None, 30):
        argv = ["export", "overdue", "--campaign", campaign_id, "--format", "json"]
        if within is not None:
            argv += ["--within", str(within)]
        code, out, err = run_cli(server, capsys, *argv)
        assert (code, err) == (0, "")
        expected = overdue_rows(Enrollment.from_api_list(active), campaigns, now, within)
        exported = json.loads(out)
        assert [r["enrollment_id"] for r in exported] == [r.enrollment_id for r in expected]
        assert exported
    queries = [e.query for e in api.log.entries() if e.path == "/v1/training/enrollments"]
    assert all(q.get("exclude_archived_users") == "true" for q in queries)
    assert all(q.get("campaign_id") == campaign_id for q in queries)


# --- filters ------------------------------------------------------------------------------


def test_status_filter_is_case_and_snake_case_insensitive(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign_id = org.campaign_ids[3]
    expected = [r for r in org.campaign_enrollments(campaign_id) if r["status"] == "Past Due"]
    for spelling in ("past_due", "PAST DUE"):
        code, out, _ = run_cli(
            server,
            capsys,
            "export",
            "enrollments",
            "--campaign",
            str(campaign_id),
            "--status",
            spelling,
            "--format",
            "json",
        )
        assert code == 0
        assert json.loads(out) == expected
    assert expected


def test_user_and_module_filters_go_to_the_api(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = org.campaign_enrollments(biggest_campaign(org))[0]
    user_id, module_id = sample["user"]["id"], sample["store_purchase_id"]
    everything = list(org.iter_enrollments())
    mine = [r for r in everything if r["user"] and r["user"]["id"] == user_id]
    code, out, _ = run_cli(
        server, capsys, "export", "enrollments", "--user", str(user_id), "--format", "json"
    )
    assert code == 0
    assert json.loads(out) == mine
    code, out, _ = run_cli(
        server,
        capsys,
        "export",
        "enrollments",
        "--user",
        str(user_id),
        "--module",
        str(module_id),
        "--format",
        "json",
    )
    assert code == 0
    assert json.loads(out) == [r for r in mine if r["store_purchase_id"] == module_id]
    queries = [e.query for e in api.log.entries() if e.path == "/v1/training/enrollments"]
    assert all(q.get("user_id") == str(user_id) for q in queries)


def test_type_filter_on_library_kinds(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        server, capsys, "export", "modules", "--type", "video", "--format", "json"
    )
    assert code == 0
    videos = [p for p in org.store_purchases if p["type"] == "Video"]
    assert json.loads(out) == videos and videos
    code, out, _ = run_cli(
        server, capsys, "export", "modules", "--type", "Policy", "--format", "json"
    )
    assert json.loads(out) == org.policies


def test_empty_result_is_a_header_and_exit_0(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    # A filter that matches nothing (an unknown word is a usage error instead: see
    # test_export_filter_words.py).
    nobody = ["--user", "999999999"]
    code, out, err = run_cli(server, capsys, "export", "enrollments", *nobody)
    assert (code, err) == (0, "")
    assert out == ",".join(header(ENROLLMENT_COLUMNS)) + "\n"
    code, out, _ = run_cli(server, capsys, "export", "enrollments", *nobody, "--format", "json")
    assert (code, out) == (0, "[]\n")


def test_output_file(
    api: FakeKnowBe4API,
    server: LoopbackServer,
    org: DemoOrg,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "policies.json"
    code, out, err = run_cli(
        server, capsys, "export", "policies", "--format", "json", "-o", str(target)
    )
    assert (code, out, err) == (0, "", "")
    assert json.loads(target.read_text(encoding="utf-8")) == org.policies
    code, out, _ = run_cli(server, capsys, "export", "policies", "-o", "-")
    assert code == 0 and out.startswith("policy_id,name,")


# --- get ----------------------------------------------------------------------------------


def test_get_each_kind(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    enrollment = org.campaign_enrollments(org.campaign_ids[3])[0]
    user = org.users[5]
    cases = {
        "campaign": (org.campaign_ids[0], org.campaign(org.campaign_ids[0])),
        "purchase": (org.store_purchases[2]["store_purchase_id"], org.store_purchases[2]),
        "policy": (org.policies[1]["policy_id"], org.policies[1]),
        "user": (user["id"], user),
        "enrollment": (enrollment["enrollment_id"], None),
    }
    for kind, (item_id, expected) in cases.items():
        code, out, err = run_cli(server, capsys, "get", kind, str(item_id))
        assert (code, err) == (0, ""), kind
        record = json.loads(out)
        if expected is not None:
            assert record == expected, kind
        else:
            assert record["enrollment_id"] == item_id
            assert record["campaign_id"] == enrollment["campaign_id"]
    code, out, _ = run_cli(server, capsys, "get", "users", str(user["id"]), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 1
    assert rows[0]["email"] == user["email"]


# --- a real process -----------------------------------------------------------------------


def test_python_m_kb4tui_subprocess(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "KNOWBE4_API_KEY": KEY,
        "KNOWBE4_BASE_URL": server.base_url,
        "PYTHONPATH": str(REPO),
    }
    done = subprocess.run(
        [sys.executable, "-m", "kb4tui", "export", "campaigns", "--format", "json"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=30,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, b"")
    assert len(json.loads(done.stdout)) == len(org.campaign_ids)

    api.config.invalid_token = True
    done = subprocess.run(
        [sys.executable, "-m", "kb4tui", "get", "campaign", str(org.campaign_ids[0])],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=30,
        check=False,
    )
    err = done.stderr.decode()
    assert (done.returncode, done.stdout) == (2, b"")
    assert_one_plain_sentence(err)
