"""`--status` and `--type` take the API's words in any spelling (and the product's:
completed = Passed, past_due = Past Due); a word that means nothing for the kind is a
usage error naming the valid ones, before any request, never an empty export with exit 0."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from loopback_support import quicken_clients, reset_fake, run_cli, serve_org

from kb4tui.demo import DemoOrg, FakeKnowBe4API, LoopbackServer, generate_org

KEY = "kb4tui-filter-words-key-2b2b2b2b"

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def org() -> DemoOrg:
    return generate_org(seed=7, users=200)


@pytest.fixture(scope="module")
def server(org: DemoOrg) -> Iterator[LoopbackServer]:
    yield from serve_org(KEY, org)


@pytest.fixture
def api(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> FakeKnowBe4API:
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    quicken_clients(monkeypatch, retry_budget=1.0, base_delay=0.002, max_delay=0.05)
    return reset_fake(server)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["campaigns", "--status", "bogus"], ["In Progress", "Closed", "Archived"]),
        (["enrollments", "--status", "done-ish"], ["Not Started", "Passed", "Exempted"]),
        (["overdue", "--status", "late"], ["Past Due", "completed means Passed"]),
        (["users", "--status", "enabled"], ["active", "archived"]),
        (["modules", "--type", "webinar"], ["Training Module", "Poster", "Uploaded Policy"]),
        (["purchases", "--type", "vid"], ["Video", "Store Purchase"]),
    ],
)
def test_an_unknown_word_is_a_usage_error_naming_the_valid_ones(
    argv: list[str],
    words: list[str],
    api: FakeKnowBe4API,
    server: LoopbackServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli(server, capsys, "export", *argv)
    assert (code, out) == (1, "")
    assert all(word in err for word in words), err
    assert err.count("\n") == 1
    assert api.log.entries() == []  # refused before any request


def test_the_products_words_find_the_apis_statuses(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    every = list(org.iter_enrollments())
    passed = [r["enrollment_id"] for r in every if r["status"] == "Passed"]
    assert passed
    for word in ("completed", "Passed", "PASSED", "complete"):
        code, out, _ = run_cli(
            server, capsys, "export", "enrollments", "--status", word, "--format", "json"
        )
        assert code == 0
        assert [r["enrollment_id"] for r in json.loads(out)] == passed, word


def test_campaign_phases_and_user_statuses_in_any_case(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(server, capsys, "export", "campaigns", "--status", "in_progress")
    running = {r["status"] for r in csv.DictReader(io.StringIO(out))}
    assert code == 0 and running and running <= {"In Progress", "Active"}  # one phase
    code, out, _ = run_cli(server, capsys, "export", "users", "--status", "ACTIVE")
    assert code == 0 and {r["status"] for r in csv.DictReader(io.StringIO(out))} == {"active"}
