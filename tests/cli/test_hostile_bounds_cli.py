"""The command line against hostile servers on 127.0.0.1 (issue 20 items 8, 10, 11 and
12; issue 12 items 20, 27 and 30): one sentence and exit 3 instead of millions of empty
rows, a list without end, a storm of retries or a hang; a connection that cannot be made
fails within seconds; enrollments that share an id are all exported, and the summary
says so."""

from __future__ import annotations

import csv
import io
import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from hostile_http import Canned, hostile_server

from kb4tui.api import client as client_module
from kb4tui.api.retry import RetryPolicy
from kb4tui.cli import main

KEY = "kb4tui-hostile-bounds-cli-key-7a7a"

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)


def quick_retries(monkeypatch: pytest.MonkeyPatch, **options: float) -> None:
    """Real retry logic with short waits (and whatever windows the test shrinks)."""

    def policy(budget: float, **_backoff: float) -> RetryPolicy:
        return RetryPolicy(**{"budget": 2.0, "base_delay": 0.005, "max_delay": 0.02, **options})

    monkeypatch.setattr(client_module, "RetryPolicy", policy)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_sentence(err: str) -> None:
    assert err.startswith("kb4tui: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and KEY not in err


def paged(pages: dict[int, list[dict[str, Any]]]) -> Any:
    def answer(path: str, query: dict[str, str]) -> Canned:
        return Canned(body=json.dumps(pages.get(int(query.get("page", "1")), [])).encode())

    return answer


def test_empty_records_are_not_exported_as_rows(capsys: pytest.CaptureFixture[str]) -> None:
    """6,990,507 empty CSV rows exited 0; the TUI showed "699,050 campaigns"."""
    body = b"[" + b"{}," * 200_000 + b"{}]"
    with hostile_server(Canned(body=body)) as hostile:
        code, out, err = run(capsys, "export", "campaigns", "--base-url", hostile.base_url)
    assert code == 3 and out == ""
    assert_one_sentence(err)
    assert "on one page where at most" in err


def test_a_page_of_garbage_is_a_clear_failure(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"name": f"no id {i}"} for i in range(10)]
    # A plain list export (users reads campaigns and enrollments first, for its training).
    with hostile_server(paged({1: rows})) as hostile:
        code, out, err = run(capsys, "export", "policies", "--base-url", hostile.base_url)
    assert code == 3 and out == ""
    assert_one_sentence(err)
    assert "none of which has its policy_id" in err


def test_a_list_that_repeats_itself_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = [{"id": i, "email": f"u{i}@example.com"} for i in range(500)]
    target = tmp_path / "users.csv"
    with hostile_server(Canned(body=json.dumps(page).encode())) as hostile:
        code, out, err = run(
            capsys, "export", "users", "-o", str(target), "--base-url", hostile.base_url
        )
    assert code == 3 and out == "" and not target.exists()
    assert_one_sentence(err)
    assert "with nothing new on it" in err and "stopped" in err
    assert hostile.count("/v1/users") <= 9  # page 2 proves it, plus what was requested ahead


def test_enrollments_sharing_an_id_are_all_exported_and_counted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A 5-row fixture (one enrollment_id on three rows of two campaigns) exported 3 rows
    and lost the only Passed one."""
    fixture = [
        {"enrollment_id": 1, "campaign_id": 10, "status": "Not Started", "user": {"id": 1}},
        {"enrollment_id": 1, "campaign_id": 10, "status": "In Progress", "user": {"id": 2}},
        {"enrollment_id": 1, "campaign_id": 11, "status": "Passed", "user": {"id": 3}},
        {"enrollment_id": 2, "campaign_id": 11, "status": "Past Due", "user": {"id": 4}},
        {"enrollment_id": 3, "campaign_id": 11, "status": "Not Started", "user": {"id": 5}},
    ]
    with hostile_server(paged({1: fixture[:3], 2: fixture[3:]})) as hostile:
        code, out, err = run(capsys, "export", "enrollments", "--base-url", hostile.base_url)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["status"] for row in rows] == [row["status"] for row in fixture]
    assert err == (
        "kb4tui: Exported 5 records (enrollments); 2 enrollments share an enrollment_id "
        "with another one and were kept, as they differ.\n"
    )


def test_records_without_an_id_are_skipped_and_said(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"id": 1, "email": "a@example.com"}, {}, {"id": 2, "email": "b@example.com"}]
    users = paged({1: rows})

    def answer(path: str, query: dict[str, str]) -> Canned:
        # The users; the campaigns and enrollments `export users` also reads are empty.
        return users(path, query) if path == "/v1/users" else Canned(body=b"[]")

    with hostile_server(answer) as hostile:
        code, out, err = run(
            capsys, "export", "users", "--format", "json", "--base-url", hostile.base_url
        )
    assert code == 0, err
    # Each user as sent, plus the training columns kb4tui adds under one key.
    exported = [{k: v for k, v in r.items() if k != "kb4tui_training"} for r in json.loads(out)]
    assert exported == [rows[0], rows[2]]
    assert "1 records without their id were skipped" in err


def test_retry_after_zero_does_not_storm_the_server(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    quick_retries(monkeypatch, budget=30.0)
    with hostile_server(Canned(503, {"Retry-After": "0"}, b"{}")) as hostile:
        code, _, err = run(capsys, "get", "campaign", "5", "--base-url", hostile.base_url)
    assert code == 3
    assert_one_sentence(err)
    assert len(hostile.requests) == 8


def test_429_with_retry_after_1_says_the_quota_is_likely_spent(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`get` sent 60 requests in 71 s; now a few over the minute (2 s here), then one
    sentence that says the day's quota is likely used up."""
    quick_retries(monkeypatch, budget=30.0, rate_window=2.0)
    with hostile_server(Canned(429, {"Retry-After": "1"}, b"{}")) as hostile:
        code, out, err = run(capsys, "get", "campaign", "5", "--base-url", hostile.base_url)
    assert code == 3 and out == ""
    assert_one_sentence(err)
    assert "for over a minute" in err and "today's quota" in err
    assert len(hostile.requests) <= 4


def test_a_trickling_server_ends_at_the_request_deadline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One byte every 0.05 s hung `export` for good; the request deadline (1 s here)
    ends it, and the export says so with exit 3."""
    quick_retries(monkeypatch, request_deadline=1.0)
    body = json.dumps([{"campaign_id": 1, "name": "x" * 3000}]).encode()
    with hostile_server(Canned(body=body, drip=0.05)) as hostile:
        started = time.monotonic()
        code, out, err = run(capsys, "export", "campaigns", "--base-url", hostile.base_url)
        took = time.monotonic() - started
    assert code == 3 and out == ""
    assert "did not finish answering within 1 s" in err
    assert took < 5


def test_a_command_has_an_overall_deadline(capsys: pytest.CaptureFixture[str]) -> None:
    body = json.dumps([{"campaign_id": 1, "name": "x" * 3000}]).encode()
    with hostile_server(Canned(body=body, drip=0.05)) as hostile:
        started = time.monotonic()
        code, out, err = run(
            capsys, "export", "campaigns", "--deadline", "0.02", "--base-url", hostile.base_url
        )
        took = time.monotonic() - started
    assert code == 3 and out == ""
    assert_one_sentence(err)
    assert "deadline of 0.02 minutes" in err and "--deadline" in err
    assert took < 5


def test_a_refused_loopback_port_fails_within_seconds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--base-url http://127.0.0.1:9` retried for 57 s in silence. Real retry policy."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    code, out, err = run(capsys, "export", "campaigns", "--base-url", f"http://127.0.0.1:{port}")
    assert time.monotonic() - started < 5
    assert code == 3 and out == ""
    assert_one_sentence(err)
    assert f"127.0.0.1:{port} is running" in err


def test_an_unresolvable_host_fails_within_seconds(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name that does not resolve (the resolver is faked: no DNS in tests)."""
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "kb4tui-test.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    started = time.monotonic()
    code, _, err = run(capsys, "export", "campaigns", "--base-url", "https://kb4tui-test.invalid")
    assert time.monotonic() - started < 5
    assert code == 3
    assert_one_sentence(err)
    assert "host name could not be resolved" in err
