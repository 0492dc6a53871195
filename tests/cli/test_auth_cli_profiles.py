"""Two profiles against two fake APIs with different data never mix their data or keys."""

from __future__ import annotations

import argparse
import io

import pytest
from credentials_fakes import FakeHosts, FakeTenant, MemoryKeyring, new_key

from kb4tui.cli import auth, build_parser, common
from kb4tui.credentials import KeySource

ACME_HOST, GLOBEX_HOST = "127.0.0.1:9101", "127.0.0.1:9102"


def tenant(name: str, key: str, campaign_ids: list[int]) -> FakeTenant:
    campaigns = [
        {"campaign_id": cid, "name": f"{name} campaign {cid}", "status": "In Progress"}
        for cid in campaign_ids
    ]
    return FakeTenant(key=key, account={"name": name}, campaigns=campaigns)


@pytest.fixture
def two_accounts(memory_keyring: MemoryKeyring) -> tuple[FakeHosts, str, str]:
    acme_key, globex_key = new_key(), new_key()
    hosts = FakeHosts(
        {
            ACME_HOST: tenant("Acme", acme_key, [1, 2, 3]),
            GLOBEX_HOST: tenant("Globex", globex_key, [7]),
        }
    )
    for profile, host, key in (("acme", ACME_HOST, acme_key), ("globex", GLOBEX_HOST, globex_key)):
        args = build_parser().parse_args(
            ["auth", "login", "--key-stdin", "--profile", profile, "--base-url", f"http://{host}"]
        )
        assert auth.handle_login(args, stdin=io.StringIO(key), transport=hosts.transport()) == 0
    hosts.requests.clear()
    return hosts, acme_key, globex_key


def parse(argv: list[str]) -> argparse.Namespace:
    return build_parser().parse_args(argv)


async def test_each_profile_gets_its_own_key_host_and_data(
    two_accounts: tuple[FakeHosts, str, str],
) -> None:
    hosts, acme_key, globex_key = two_accounts
    seen: dict[str, tuple[str, list[str]]] = {}
    for profile in ("acme", "globex"):
        args = parse(["--profile", profile, "auth", "status", "--no-check"])
        async with common.open_client(args, transport=hosts.transport()) as client:
            account = await client.account()
            campaigns = await client.campaigns()
        seen[profile] = (account.name or "", [c.name or "" for c in campaigns])

    assert seen["acme"] == ("Acme", ["Acme campaign 1", "Acme campaign 2", "Acme campaign 3"])
    assert seen["globex"] == ("Globex", ["Globex campaign 7"])
    # Every request carried the key of the host it went to, never the other one.
    expected = {ACME_HOST: f"Bearer {acme_key}", GLOBEX_HOST: f"Bearer {globex_key}"}
    assert hosts.requests
    for request in hosts.requests:
        assert request.headers["authorization"] == expected[request.url.netloc.decode()]

    acme = common.resolve_connection(parse(["--profile", "acme"]))
    globex = common.resolve_connection(parse(["--profile", "globex"]))
    assert acme.data_dir != globex.data_dir
    assert not acme.data_dir.is_relative_to(globex.data_dir)
    assert common.resolve_api_key(acme).source is KeySource.KEYRING


def test_the_default_profile_is_the_first_logged_in_and_options_pick_another(
    two_accounts: tuple[FakeHosts, str, str],
) -> None:
    _, acme_key, globex_key = two_accounts
    default = common.resolve_connection(parse([]))
    assert (default.profile, default.api_base_url) == ("acme", f"http://{ACME_HOST}")
    assert common.resolve_api_key(default).reveal() == acme_key
    other = common.resolve_connection(parse(["export", "campaigns", "--profile", "globex"]))
    assert (other.profile, other.api_base_url) == ("globex", f"http://{GLOBEX_HOST}")
    assert common.resolve_api_key(other).reveal() == globex_key


def test_environment_key_wins_for_whichever_profile_is_used(
    two_accounts: tuple[FakeHosts, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    env_key = new_key()
    monkeypatch.setenv("KNOWBE4_API_KEY", env_key)
    key = common.resolve_api_key(common.resolve_connection(parse(["--profile", "globex"])))
    assert (key.source, key.reveal()) == (KeySource.ENVIRONMENT, env_key)


async def test_demo_client_needs_no_key_and_no_profile(memory_keyring: MemoryKeyring) -> None:
    connection = common.resolve_connection(parse(["--demo", "--profile", "acme"]))
    assert connection.profile == "demo" and connection.demo
    async with common.open_client(parse(["--demo", "--demo-users", "30"])) as client:
        account = await client.account()
    assert account.name
    assert memory_keyring.entries == {}
