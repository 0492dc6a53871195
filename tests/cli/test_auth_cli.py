"""`kb4tui auth login|logout|status` against fake KnowBe4 hosts and an in-memory keyring."""

from __future__ import annotations

import io
from typing import Any

import pytest
from credentials_fakes import (
    FakeHosts,
    FakeTenant,
    MemoryKeyring,
    new_key,
    no_keyring,
    quicken_key_checks,
    region_host,
)

from kb4tui.cli import auth, build_parser, main
from kb4tui.credentials import SERVICE
from kb4tui.store.config import load_settings
from kb4tui.store.paths import config_path


@pytest.fixture(autouse=True)
def _quick_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    quicken_key_checks(monkeypatch)


def eu_tenant(key: str, **extra: Any) -> FakeTenant:
    account = {"name": "Acme [/EU] GmbH", "subscription_level": "Platinum", "number_of_seats": 250}
    return FakeTenant(key=key, account=account, **extra)


def login(argv: list[str], key: str, hosts: FakeHosts, **inject: Any) -> int:
    args = build_parser().parse_args(["auth", "login", "--key-stdin", *argv])
    return auth.handle_login(
        args, stdin=io.StringIO(key + "\n"), transport=hosts.transport(), **inject
    )


def status(argv: list[str], hosts: FakeHosts | None = None) -> int:
    args = build_parser().parse_args(["auth", "status", *argv])
    return auth.handle_status(args, transport=hosts.transport() if hosts else None)


def logout(argv: list[str]) -> int:
    args = build_parser().parse_args(["auth", "logout", *argv])
    return auth.handle_logout(args)


def test_login_checks_then_stores_key_and_profile(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    key = new_key()
    hosts = FakeHosts({region_host("eu"): eu_tenant(key)})
    assert login(["--profile", "acme", "--region", "eu"], key, hosts) == 0
    out, err = capsys.readouterr()
    assert "Acme [/EU] GmbH (Platinum, 250 seats)" in out
    assert "keyring" in out and err == ""
    assert memory_keyring.entries == {(SERVICE, "acme"): key}
    config = load_settings()
    assert config.default_profile == "acme"
    assert (config.profiles["acme"].region, config.profiles["acme"].base_url) == ("eu", None)
    assert key not in config_path().read_text() and key not in out
    assert [r.url.path for r in hosts.requests] == ["/v1/account"]


def test_wrong_key_is_rejected_with_the_user_event_hint_and_nothing_saved(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    right, wrong = new_key(), new_key()
    hosts = FakeHosts({region_host(r): eu_tenant(right) for r in ("us", "eu", "ca", "uk", "de")})
    assert login(["--region", "eu"], wrong, hosts) == 2
    out, err = capsys.readouterr()
    assert "401" in err and "User Event API" in err
    assert "works in region" not in err
    assert wrong not in out + err
    assert memory_keyring.entries == {}
    assert not config_path().exists()


def test_a_key_for_another_region_is_found_by_trying_the_others(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    key = new_key()
    hosts = FakeHosts(
        {
            region_host("us"): eu_tenant(new_key()),
            region_host("eu"): eu_tenant(key),
            region_host("ca"): eu_tenant(new_key()),
            region_host("uk"): eu_tenant(new_key()),
            region_host("de"): eu_tenant(new_key()),
        }
    )
    assert login([], key, hosts) == 2  # default region: us
    err = capsys.readouterr().err
    assert "The key works in region eu: run `kb4tui auth login --region eu`" in err
    assert {r.url.host for r in hosts.requests} == {region_host(r) for r in REGIONS_ALL}
    assert memory_keyring.entries == {}


REGIONS_ALL = ("us", "eu", "ca", "uk", "de")


def test_account_without_reporting_access_is_a_403_message(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    key = new_key()
    hosts = FakeHosts({region_host("us"): eu_tenant(key, forbidden=True)})
    assert login([], key, hosts) == 2
    assert "Reporting API access" in capsys.readouterr().err
    assert memory_keyring.entries == {}


def test_no_network_exits_3(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert login([], new_key(), FakeHosts({})) == 3
    assert "Could not reach the KnowBe4 API" in capsys.readouterr().err


def test_login_without_a_terminal_or_key_stdin_is_a_usage_error(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    args = build_parser().parse_args(["auth", "login"])
    assert auth.handle_login(args, stdin=io.StringIO("")) == 1
    assert "--key-stdin" in capsys.readouterr().err
    args = build_parser().parse_args(["auth", "login", "--key-stdin"])
    assert auth.handle_login(args, stdin=io.StringIO("\n")) == 1
    assert "empty" in capsys.readouterr().err


def test_login_with_no_keyring_says_so_after_the_check(
    install_keyring: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    install_keyring(no_keyring())
    key = new_key()
    hosts = FakeHosts({region_host("us"): eu_tenant(key)})
    assert login([], key, hosts) == 2
    out, err = capsys.readouterr()
    assert "The key works" in out
    assert "No usable OS keyring was found" in err and "KNOWBE4_API_KEY" in err
    assert not config_path().exists()


def test_status_reports_source_backend_and_account_never_the_key(
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = new_key()
    hosts = FakeHosts({region_host("eu"): eu_tenant(key)})
    assert login(["--region", "eu"], key, hosts) == 0
    capsys.readouterr()

    assert status([], hosts) == 0
    out = capsys.readouterr().out
    assert "Profile:" in out and "default" in out
    assert "eu (from profile)" in out
    assert "https://eu.api.knowbe4.com" in out
    assert f"OS keyring (key …{key[-4:]})" in out
    assert "credentials_fakes.MemoryKeyring" in out
    assert "Acme [/EU] GmbH (Platinum, 250 seats)" in out
    assert key[:-4] not in out

    monkeypatch.setenv("KNOWBE4_API_KEY", other := new_key())
    assert status(["--no-check"]) == 0
    out = capsys.readouterr().out
    assert "environment variable KNOWBE4_API_KEY" in out and other[:-4] not in out
    assert "Account" not in out


def test_status_without_a_key_exits_2_and_says_how_to_log_in(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert status([]) == 2
    assert "none: No API key for profile 'default'" in capsys.readouterr().out


def test_logout_removes_only_that_profiles_key(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    acme, lab = new_key(), new_key()
    hosts = FakeHosts({region_host("eu"): eu_tenant(acme), region_host("us"): eu_tenant(lab)})
    assert login(["--profile", "acme", "--region", "eu"], acme, hosts) == 0
    assert login(["--profile", "lab", "--region", "us"], lab, hosts) == 0
    capsys.readouterr()
    assert logout(["--profile", "acme"]) == 0
    assert "Removed the key for profile 'acme'" in capsys.readouterr().out
    assert memory_keyring.entries == {(SERVICE, "lab"): lab}
    assert logout(["--profile", "acme"]) == 0
    assert "There was no key for profile 'acme'" in capsys.readouterr().out


def test_unknown_profile_and_missing_action_are_usage_errors(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert status(["--profile", "nope"]) == 1
    assert "no profile named 'nope'" in capsys.readouterr().err
    assert main(["auth"]) == 1
    assert main(["auth", "status", "--region", "mars"]) == 1


def test_demo_needs_no_key_and_is_checked_against_the_demo_api(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    args = build_parser().parse_args(["--demo", "--demo-users", "30", "auth", "status"])
    assert auth.handle_status(args) == 0
    out = capsys.readouterr().out
    assert "Profile:" in out and "demo" in out
    assert "built-in demo organisation" in out
    assert "Account:" in out and "check failed" not in out
    assert memory_keyring.entries == {}


def test_account_names_cannot_send_escape_sequences_to_the_terminal(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    key = new_key()
    tenant = FakeTenant(key=key, account={"name": "Evil\x1b]0;pwned\x07 Corp"})
    assert login([], key, FakeHosts({region_host("us"): tenant})) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    # The whole sequence goes (kb4tui.sanitize, as everywhere else), not just its controls.
    assert "Evil Corp" in out and "pwned" not in out


def test_status_on_a_host_without_keyring(
    install_keyring: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    install_keyring(no_keyring())
    assert status([]) == 2
    out = capsys.readouterr().out
    assert "Keyring backend: unusable: No usable OS keyring was found" in out
    assert "dbus-run-session" in out
    assert "none: KNOWBE4_API_KEY is not set and the keyring is unusable" in out


def test_login_with_an_unwritable_config_stores_nothing(
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import tempfile

    def read_only(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")  # root ignores chmod: simulate it

    key = new_key()
    hosts = FakeHosts({region_host("eu"): eu_tenant(key)})
    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    code = login(["--profile", "acme", "--region", "eu"], key, hosts)
    out, err = capsys.readouterr()
    assert code == 1
    assert memory_keyring.entries == {}  # no keyring entry without a profile
    assert hosts.requests == []  # found out before the key was even checked
    assert "Cannot write the config file" in err and "permission denied" in err
    assert "nothing was stored" in err
    assert "Errno" not in err and err.count("\n") == 1 and key not in out + err
