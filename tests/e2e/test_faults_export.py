"""Exports under injected faults, against the fake API on a real 127.0.0.1 socket.

20% of requests fail with a mix of 500, 503, dropped connections, timeouts and bursts of
429 without Retry-After. Every export must then return exactly the server's records, or
exit 3 with one clear sentence: never a silent partial result. The client keeps its real
retry logic; only its waits, rate limiter and timeout are shrunk so the file runs in
seconds (a "timeout" fault hangs 1 s; the client gives up after 0.3 s; a request is
retried for at most 1.5 s).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from loopback_support import quicken_clients, reset_fake, run_cli, serve_org

from kb4tui.api import client as client_module
from kb4tui.api.client import KnowBe4Client
from kb4tui.demo import DemoOrg, FakeAPIConfig, FakeKnowBe4API, LoopbackServer, generate_org
from kb4tui.demo.handler import FakeResponse

KEY = "kb4tui-faults-test-key-c41d7e"
ALL_FAULTS = ("500", "503", "drop", "timeout", "429")
CLIENT_TIMEOUT = 0.3

pytestmark = pytest.mark.timeout(90)


@pytest.fixture(scope="module")
def org() -> DemoOrg:
    return generate_org(seed=7, users=600)


@pytest.fixture(scope="module")
def server(org: DemoOrg) -> Iterator[LoopbackServer]:
    yield from serve_org(KEY, org)


def faulty(seed: int, rate: float = 0.2, kinds: tuple[str, ...] = ALL_FAULTS) -> FakeAPIConfig:
    return FakeAPIConfig(
        rate_limit=False,
        fault_rate=rate,
        fault_kinds=kinds,
        fault_seed=seed,
        hang_seconds=1.0,
        burst_length=3,
    )


@pytest.fixture
def api(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> FakeKnowBe4API:
    """A clean fake, and the real client with quick waits and a short timeout."""
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    quicken_clients(monkeypatch, retry_budget=1.5, base_delay=0.005, max_delay=0.05)

    class QuickTimeoutClient(KnowBe4Client):
        def __init__(self, api_key: str, **options: Any) -> None:
            super().__init__(api_key, **{**options, "timeout": CLIENT_TIMEOUT})

    monkeypatch.setattr(client_module, "KnowBe4Client", QuickTimeoutClient)
    return reset_fake(server)


def biggest_campaign(org: DemoOrg) -> int:
    return max(org.campaign_ids, key=lambda cid: len(org.campaign_enrollments(cid)))


def canonical(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True) for row in rows)


def assert_clear_failure(code: int, err: str) -> None:
    assert code == 3, err
    assert err.startswith("kb4tui: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and KEY not in err


EXPORTS: dict[str, Callable[[DemoOrg], tuple[list[str], list[dict[str, Any]] | None]]] = {
    # argv after `export`, and the server's records (None: compare with a fault-free run)
    "campaigns": lambda org: (["campaigns"], org.campaigns(with_percentage=True)),
    "enrollments": lambda org: (
        ["enrollments", "--campaign", str(biggest_campaign(org))],
        org.campaign_enrollments(biggest_campaign(org)),
    ),
    "modules": lambda org: (["modules"], [*org.store_purchases, *org.policies]),
    # Users carry computed training columns: compared with a fault-free run (which
    # test_cli_export_people.py checks against the raw data).
    "users": lambda org: (["users"], None),
    "overdue": lambda org: (["overdue"], None),
}


@pytest.mark.parametrize("kind", list(EXPORTS))
def test_every_export_is_exact_under_20_percent_mixed_faults(
    kind: str,
    api: FakeKnowBe4API,
    server: LoopbackServer,
    org: DemoOrg,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv, expected = EXPORTS[kind](org)
    if expected is None:
        code, out, err = run_cli(server, capsys, "export", *argv, "--format", "json")
        assert (code, err) == (0, "")
        expected = json.loads(out)
    if kind == "enrollments":
        assert len(expected) > 1000
    assert expected, kind
    api.log.clear()

    outcomes: set[str] = set()
    for seed in (1, 2):
        server.api.config = faulty(seed)
        server.api.reset_rate_limits()
        code, out, err = run_cli(server, capsys, "export", *argv, "--format", "json")
        if code == 0:
            assert err == ""
            exported = json.loads(out)
            assert canonical(exported) == canonical(expected), f"{kind}: records differ"
            if kind == "enrollments":
                assert exported == expected  # in the API's order too
        else:
            assert_clear_failure(code, err)
            assert "incomplete" in err or out == "", "partial output without a warning"
        outcomes.add("ok" if code == 0 else "failed")
    entries = api.log.entries()
    seen = {e.outcome for e in entries} | {str(e.status) for e in entries}
    assert len(entries) > 0 and seen & {"drop", "timeout", "500", "503", "429"}, seen
    # 20% faults with retries should not defeat a whole export.
    assert "ok" in outcomes


def test_the_fault_mix_really_covers_every_kind(
    api: FakeKnowBe4API, server: LoopbackServer, org: DemoOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    """The test above is only meaningful if the client survived every fault kind."""
    # Seed 20 draws every kind within its first 22 requests (the export makes ~40).
    server.api.config = faulty(seed=20, rate=0.3)
    code, out, err = run_cli(server, capsys, "export", "enrollments", "--format", "json")
    assert (code, err) == (0, "")
    assert canonical(json.loads(out)) == canonical(list(org.iter_enrollments()))
    entries = api.log.entries()
    assert {e.outcome for e in entries} >= {"ok", "drop", "timeout"}
    assert {e.status for e in entries} >= {200, 500, 503, 429}


@pytest.mark.parametrize(
    ("kind", "needle"),
    [("500", "HTTP 500"), ("503", "HTTP 503"), ("drop", "dropped"), ("timeout", "timed out")],
)
def test_faults_for_good_exit_3_with_one_sentence_and_no_file(
    kind: str,
    needle: str,
    api: FakeKnowBe4API,
    server: LoopbackServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.api.config = faulty(seed=0, rate=1.0, kinds=(kind,))
    target = tmp_path / "users.json"
    code, out, err = run_cli(
        server, capsys, "export", "users", "--format", "json", "-o", str(target)
    )
    assert_clear_failure(code, err)
    assert needle in err
    assert f"nothing was written to {target}" in err
    assert out == "" and list(tmp_path.iterdir()) == []


def test_endless_429s_without_retry_after_exit_3(
    api: FakeKnowBe4API, server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.api.config = faulty(seed=0, rate=1.0, kinds=("429",))
    server.api.config.burst_length = 10_000
    code, out, err = run_cli(server, capsys, "export", "campaigns")
    assert_clear_failure(code, err)
    assert "429" in err
    # At most the CSV header reached stdout, and then the sentence says so.
    assert out.count("\n") <= 1
    assert out == "" or "the output above is incomplete" in err
    assert api.log.count("/v1/training/campaigns", status=429) > 3  # it did retry


def fail_after(api: FakeKnowBe4API, good_requests: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Serve `good_requests` requests normally, then fail every one with a 503."""
    api.config = FakeAPIConfig(rate_limit=False)
    original: Callable[..., FakeResponse] = FakeKnowBe4API.handle.__get__(api)
    served = 0

    def handle(*args: Any, **kwargs: Any) -> FakeResponse:
        nonlocal served
        served += 1
        if served > good_requests:
            api.config = faulty(seed=0, rate=1.0, kinds=("503",))
        return original(*args, **kwargs)

    monkeypatch.setattr(api, "handle", handle)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_failure_mid_export_is_never_a_silent_partial(
    fmt: str,
    api: FakeKnowBe4API,
    server: LoopbackServer,
    org: DemoOrg,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    campaign = str(biggest_campaign(org))
    argv = ["export", "enrollments", "--campaign", campaign, "--format", fmt]

    fail_after(api, 1, monkeypatch)  # the first page arrives, then the server breaks
    code, out, err = run_cli(server, capsys, *argv)
    assert_clear_failure(code, err)
    if out:  # something was streamed to stdout: the sentence must say it is incomplete
        assert "the output above is incomplete" in err
    if fmt == "json" and out:
        with pytest.raises(json.JSONDecodeError):
            json.loads(out)  # an unterminated array, never a valid short one

    fail_after(api, 1, monkeypatch)
    target = tmp_path / f"enrollments.{fmt}"
    code, out, err = run_cli(server, capsys, *argv, "-o", str(target))
    assert_clear_failure(code, err)
    assert out == "" and not target.exists()
