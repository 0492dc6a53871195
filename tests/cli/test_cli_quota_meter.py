"""Every request of every command counts in the profile's quota meter, the one the TUI's
header shows (issue 12 item 21): after ~50 requests of `export overdue`, `cache info`
still said 7. In-process commands against the fake API on 127.0.0.1; the meter is read
back from its file."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from loopback_support import quicken_clients, reset_fake, run_cli, serve_org

from kb4tui.cli import main
from kb4tui.demo import FakeKnowBe4API, LoopbackServer, generate_org
from kb4tui.store.quota import QuotaMeter

KEY = "kb4tui-quota-meter-key-8c8c8c"

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    yield from serve_org(KEY, generate_org(seed=5, users=120))


@pytest.fixture
def api(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> FakeKnowBe4API:
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    quicken_clients(monkeypatch, retry_budget=1.0, base_delay=0.002, max_delay=0.02)
    return reset_fake(server)


def used(profile: str = "default") -> int:
    with QuotaMeter.open(None, profile) as meter:
        return meter.used()


def test_every_request_of_every_command_counts(
    server: LoopbackServer, api: FakeKnowBe4API, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(server, capsys, "export", "overdue")
    assert code == 0, err
    after_export = len(api.log.entries())
    assert after_export > 3
    assert used() == after_export

    campaign = api.org(KEY).campaign_ids[0]
    code, _, err = run_cli(server, capsys, "get", "campaign", str(campaign))
    assert code == 0, err
    code, _, err = run_cli(server, capsys, "auth", "status")
    assert code == 0, err
    assert used() == len(api.log.entries()) == after_export + 2


def test_retries_count_too(
    server: LoopbackServer, api: FakeKnowBe4API, capsys: pytest.CaptureFixture[str]
) -> None:
    """The server counts every attempt that reaches it, so the meter does."""
    api.config.fault_rate = 0.3
    api.config.fault_kinds = ("500", "503")
    api.config.fault_seed = 2
    code, _, err = run_cli(server, capsys, "export", "enrollments")
    assert code == 0, err
    failed = [entry for entry in api.log.entries() if entry.status >= 500]
    assert failed
    assert used() == len(api.log.entries())


def test_cache_info_shows_the_meter_of_a_profile_that_only_exported(
    server: LoopbackServer, api: FakeKnowBe4API, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(server, capsys, "export", "campaigns")
    assert code == 0, err
    requests = len(api.log.entries())
    assert main(["cache", "info"]) == 0
    out = capsys.readouterr().out
    assert f"Requests in the last 24 h (default): {requests:,} of 2,000" in out


def test_the_demo_counts_in_its_own_meter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["get", "campaign", "1", "--demo", "--demo-users", "30"]) in (0, 4)
    capsys.readouterr()
    from kb4tui.store.paths import DEMO_STORE_NAME

    assert used(DEMO_STORE_NAME) == 1
    assert used("demo") == 0 and used() == 0
