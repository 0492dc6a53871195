"""`kb4tui export progress --campaign ID`: a campaign's daily series, from the API (the fake,
over HTTP on 127.0.0.1) or from the cache with --offline."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from loopback_support import quicken_clients, reset_fake, run_cli, serve_org

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.api.regions import base_url_for
from kb4tui.cli import common, main
from kb4tui.core.progress import SERIES_COLUMNS, progress_series
from kb4tui.demo import DemoOrg, FakeKnowBe4API, LoopbackServer, generate_org
from kb4tui.store.local import open_local_stores
from kb4tui.store.paths import DEMO_STORE_NAME

KEY = "kb4tui-progress-test-key-7e21"
STALLED = "Customer Support: Vishing Defence"

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def org() -> DemoOrg:
    return generate_org(seed=7, users=400)


@pytest.fixture(scope="module")
def server(org: DemoOrg) -> Iterator[LoopbackServer]:
    yield from serve_org(KEY, org)


@pytest.fixture
def api(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeKnowBe4API]:
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    # The series is dated in the local zone: pin it, and check a zone that is not UTC.
    monkeypatch.setenv("TZ", "America/New_York")
    quicken_clients(monkeypatch, retry_budget=1.5, base_delay=0.002, max_delay=0.05)
    yield reset_fake(server)


def campaign_named(org: DemoOrg, name: str) -> dict[str, object]:
    return next(c for c in org.campaigns() if c["name"] == name)


def expected_series(org: DemoOrg, campaign: dict[str, object]) -> list[dict[str, object]]:
    """What the export must hold: core's series of the active users' rows, in New York."""
    campaign_id = campaign["campaign_id"]
    assert isinstance(campaign_id, int)
    active = [
        r
        for r in org.campaign_enrollments(campaign_id)
        if r["user"] is None or r["user"]["id"] not in org.archived_user_ids
    ]
    series = progress_series(
        Campaign.from_api(campaign),
        Enrollment.from_api_list(active),
        datetime.now(UTC),
        tz=ZoneInfo("America/New_York"),
    )
    return [dict(r) for r in series.records()]


def test_json_and_csv_hold_the_series_of_the_active_users_rows(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = campaign_named(org, STALLED)
    argv = ["export", "progress", "--campaign", str(campaign["campaign_id"])]
    code, out, err = run_cli(server, capsys, *argv, "--format", "json")
    assert (code, err) == (0, "")
    exported = json.loads(out)
    assert exported == expected_series(org, campaign)
    assert len(exported) > 30 and list(exported[0]) == list(SERIES_COLUMNS)
    # Completions stopped 17 days ago in this demo campaign: the passed line is flat since.
    assert exported[-1]["passed"] == exported[-16]["passed"] > 0

    code, out, err = run_cli(server, capsys, *argv)  # CSV is the default
    assert (code, err) == (0, "")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == list(SERIES_COLUMNS)
    assert rows[1:] == [[str(v) for v in record.values()] for record in exported]

    queries = [e.query for e in api.log.entries() if e.path == "/v1/training/enrollments"]
    assert queries and all(q.get("exclude_archived_users") == "true" for q in queries)
    assert all(q.get("campaign_id") == str(campaign["campaign_id"]) for q in queries)


def test_a_campaign_with_no_enrollments_is_a_header_alone(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    scheduled = campaign_named(org, "Social Engineering Deep Dive")
    argv = ["export", "progress", "--campaign", str(scheduled["campaign_id"])]
    code, out, err = run_cli(server, capsys, *argv)
    assert (code, out, err) == (0, ",".join(SERIES_COLUMNS) + "\n", "")
    code, out, err = run_cli(server, capsys, *argv, "--format", "json")
    assert (code, json.loads(out), err) == (0, [], "")


def test_an_unknown_campaign_exits_4_with_nothing_on_stdout(
    api: FakeKnowBe4API, server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(server, capsys, "export", "progress", "--campaign", "1")
    assert (code, out) == (4, "")
    assert err.startswith("kb4tui: ") and err.count("\n") == 1
    assert "not found" in err and KEY not in err


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ([], "needs --campaign ID"),
        (["--campaign", "5", "--status", "Passed"], "--status does not apply"),
        (["--campaign", "5", "--user", "7"], "--user does not apply"),
    ],
)
def test_usage_errors_exit_1_before_any_request(
    extra: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["export", "progress", *extra, "--demo"])
    captured = capsys.readouterr()
    assert (code, captured.out) == (1, "")
    assert says in captured.err and captured.err.count("\n") == 1


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("--offline opened a client")

    monkeypatch.setattr(common, "open_client", refuse)


def test_offline_reads_the_campaign_and_its_enrollments_from_the_cache(
    org: DemoOrg,
    no_network: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    campaign = campaign_named(org, STALLED)
    campaign_id = campaign["campaign_id"]
    assert isinstance(campaign_id, int)
    active = [
        r
        for r in org.campaign_enrollments(campaign_id)
        if r["user"] is None or r["user"]["id"] not in org.archived_user_ids
    ]
    # What the TUI caches for --demo: the campaign list, this campaign's enrollments, and
    # all enrollments (here only this campaign's, to keep it small).
    stores = open_local_stores(DEMO_STORE_NAME, base_url_for("us", None))
    try:
        stores.cache.put("campaigns", org.campaigns(), datetime.now(UTC))
        stores.cache.put(f"enrollments:campaign={campaign_id}", active, datetime.now(UTC))
        stores.cache.put("enrollments:all", active, datetime.now(UTC))
    finally:
        stores.close()

    argv = ["export", "progress", "--demo", "--offline", "--format", "json"]
    code = main([*argv, "--campaign", str(campaign_id)])
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    assert json.loads(captured.out) == expected_series(org, campaign)

    code = main([*argv, "--campaign", "1"])
    captured = capsys.readouterr()
    assert (code, captured.out) == (4, "")
    assert "not among the cached campaigns" in captured.err


def test_offline_with_nothing_cached_exits_3(
    no_network: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["export", "progress", "--demo", "--offline", "--campaign", "5"])
    captured = capsys.readouterr()
    assert (code, captured.out) == (3, "")
    assert "no cached data for profile demo" in captured.err
