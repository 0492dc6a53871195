"""What the command line says when a request fails: one sentence on stderr, right for the
resource, naming what to check next, and nothing on stdout before the first page came in.
Hostile and broken servers run on 127.0.0.1 only."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from credentials_fakes import MemoryKeyring, no_keyring
from hostile_http import Canned, hostile_server
from loopback_support import quicken_clients, reset_fake, run_cli, serve_org

from kb4tui.cli import main
from kb4tui.credentials import SERVICE, KeyringUnavailableError, resolve_key
from kb4tui.demo import FakeKnowBe4API, LoopbackServer, generate_org
from kb4tui.store.config import Profile
from kb4tui.store.config_file import save_profile

KEY = "kb4tui-error-sentences-key-3c3c3c3c"

pytestmark = pytest.mark.timeout(60)


def assert_one_sentence(err: str) -> None:
    assert err.startswith("kb4tui: ") and err.count("\n") == 1
    line = err.removeprefix("kb4tui: ").rstrip("\n")
    assert line.endswith(".") and ". " not in line, line
    assert KEY not in err and "Traceback" not in err


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    yield from serve_org(KEY, generate_org(seed=11, users=40))


@pytest.fixture
def api(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> FakeKnowBe4API:
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    quicken_clients(monkeypatch, retry_budget=0.3, base_delay=0.002, max_delay=0.02)
    return reset_fake(server)


# ---- redirects ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_says_where_and_that_it_is_not_followed(
    status: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    location = f"https://evil.example/steal/v1?token={KEY}&x=1#{KEY}"
    with hostile_server(Canned(status, {"Location": location}, b"")) as hostile:
        code = main(["export", "policies", "--base-url", hostile.base_url])
        # Not followed, not retried: only the first pages asked for, all of them here.
        paths = [p for p, _ in hostile.requests]
        assert paths and all(p.startswith("/v1/training/policies?") for p in paths)
        assert len({p for p, _ in hostile.requests}) == len(hostile.requests)
    out, err = capsys.readouterr()
    assert (code, out) == (3, "")
    assert f"redirected the request (HTTP {status}) to evil.example/steal/v1" in err
    assert "does not follow redirects" in err
    assert "token=" not in err and "Try again later" not in err
    assert_one_sentence(err)


def test_a_redirect_without_location_still_says_it_was_redirected(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    with hostile_server(Canned(302, {}, b"")) as hostile:
        code = main(["get", "campaign", "5", "--base-url", hostile.base_url])
    out, err = capsys.readouterr()
    assert (code, out) == (3, "")
    assert "redirected the request (HTTP 302)" in err and "no Location" in err
    assert_one_sentence(err)


# ---- 401: nothing on stdout, and the key's real source -----------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_rejected_key_writes_nothing_to_stdout(
    fmt: str, api: FakeKnowBe4API, server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    api.config.invalid_token = True
    code, out, err = run_cli(server, capsys, "export", "campaigns", "--format", fmt)
    assert (code, out) == (2, "")  # no CSV header, no "[" before the error
    assert_one_sentence(err)


def test_a_rejected_key_from_the_environment_names_the_variable(
    api: FakeKnowBe4API, server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    api.config.invalid_token = True
    code, _, err = run_cli(server, capsys, "export", "users")
    assert code == 2
    assert "check the key in KNOWBE4_API_KEY" in err
    assert_one_sentence(err)


def test_a_rejected_key_from_the_keyring_names_the_profile_not_the_variable(
    api: FakeKnowBe4API,
    server: LoopbackServer,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("KNOWBE4_API_KEY")
    memory_keyring.set_password(SERVICE, "acme", KEY)
    save_profile(Profile("acme", base_url=server.base_url))
    api.config.invalid_token = True
    code = main(["export", "campaigns", "--profile", "acme"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert "OS keyring for profile 'acme'" in err and "auth login --profile acme" in err
    assert "KNOWBE4_API_KEY" not in err
    assert_one_sentence(err)
    # `auth status` says the same.
    assert main(["auth", "status", "--profile", "acme"]) == 2
    assert "OS keyring for profile 'acme'" in capsys.readouterr().out


# ---- not found, 406, unreachable ---------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "label", "listed_by"),
    [
        ("campaign", "Campaign", "campaigns"),
        ("purchase", "Store purchase", "purchases"),
        ("policy", "Policy", "policies"),
        ("user", "User", "users"),
        ("enrollment", "Enrollment", "enrollments"),
    ],
)
def test_not_found_is_one_sentence_right_for_the_resource(
    kind: str,
    label: str,
    listed_by: str,
    api: FakeKnowBe4API,
    server: LoopbackServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli(server, capsys, "get", kind, "999999")
    assert (code, out) == (4, "")
    assert f"{label} 999999 not found; check the id (`kb4tui export {listed_by}` lists them)" in err
    assert "campaign_id" not in err and "Verify the id exists" not in err
    assert_one_sentence(err)


def test_406_says_what_kb4tui_asked_for_not_try_again_later(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    body = b'{"message": "Not Acceptable"}'
    with hostile_server(Canned(406, {"Content-Type": "application/json"}, body)) as hostile:
        code = main(["export", "policies", "--base-url", hostile.base_url])
    out, err = capsys.readouterr()
    assert (code, out) == (3, "")
    assert "406" in err and "asks for JSON" in err and "--base-url" in err
    assert "try again later" not in err.lower()
    assert_one_sentence(err)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_refused_base_url_is_blamed_not_the_region(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    quicken_clients(monkeypatch, retry_budget=0.2, base_delay=0.002, max_delay=0.02)
    base_url = f"http://127.0.0.1:{_closed_port()}"
    code = main(["export", "campaigns", "--base-url", base_url])
    out, err = capsys.readouterr()
    assert (code, out) == (3, "")
    assert f"check that the server at {base_url} is running" in err
    assert "--region" not in err
    assert_one_sentence(err)


def test_the_missing_keyring_message_is_one_sentence(
    install_keyring: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert callable(install_keyring)
    install_keyring(no_keyring())
    with pytest.raises(KeyringUnavailableError) as info:
        resolve_key("default", env={})
    sentence = info.value.sentence
    assert sentence.endswith(".") and ". " not in sentence
    assert "KNOWBE4_API_KEY" in sentence
