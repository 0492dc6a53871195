"""Base URLs on the command line, in the environment and in a profile: refused before
anything is sent or printed when they would leak the key or cannot work."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from loopback_support import serve_org

from kb4tui.cli import main
from kb4tui.demo import LoopbackServer, generate_org
from kb4tui.store.paths import config_path

KEY = "kb4tui-base-url-cli-key-5e5e5e5e"


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    yield from serve_org(KEY, generate_org(seed=5, users=40))


def test_auth_status_to_a_fully_qualified_localhost_sends_nothing(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    server.api.log.clear()
    code = main(["auth", "status", "--base-url", f"http://localhost.:{server.port}"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == "" and err.count("\n") == 1
    assert "plain http" in err
    assert server.api.log.entries() == []


@pytest.mark.parametrize("where", ["option", "environment", "profile"])
def test_user_info_in_a_base_url_is_refused_and_never_printed(
    where: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "http://admin:Hunter2-pw@127.0.0.1:9"
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    argv = ["auth", "status", "--no-check"]
    if where == "option":
        argv += ["--base-url", url]
    elif where == "environment":
        monkeypatch.setenv("KNOWBE4_BASE_URL", url)
    else:
        write_profile("lab", url)
        argv += ["--profile", "lab"]
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 1
    assert "Hunter2" not in out + err
    assert "user name or password" in err and err.count("\n") == 1


def write_profile(name: str, base_url: str) -> None:
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text(f'[profiles.{name}]\nbase_url = "{base_url}"\n')


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("ftp://admin:Hunter2-pw@files.example", "must be an http:// or https:// URL"),
        ("https://admin:Hunter2-pw@us.api.knowbe4.com", "must not contain a user name or"),
        ("https://Hunter2-pw@us.api.knowbe4.com/", "must not contain a user name or"),
    ],
)
@pytest.mark.parametrize(
    "argv",
    [
        ["auth", "status", "--no-check", "--profile", "lab"],
        ["export", "users", "--profile", "lab"],
        ["--profile", "lab"],  # the TUI: refused before it starts
        ["auth", "status", "--no-check"],  # another profile: the file is refused whole
    ],
)
def test_a_profile_base_url_with_user_info_or_a_bad_scheme_is_refused_unechoed(
    url: str,
    rule: str,
    argv: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The config file is read once, before anything prints a profile's base URL (`auth
    status`, the palette's profile list): the file is refused in one sentence naming the
    file and the key, never the value."""
    from kb4tui.ui.app import KB4App

    def run_instead(self: KB4App, *args: object, **kwargs: object) -> int:
        raise AssertionError("the app started")

    monkeypatch.setattr(KB4App, "run", run_instead)
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    write_profile("lab", url)
    code = main(argv)
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert "Hunter2" not in err and "admin" not in err
    assert err.startswith(f"kb4tui: {config_path()}: [profiles.lab] base_url {rule}")
    assert err.count("\n") == 1


async def test_the_palette_never_offers_a_profile_whose_base_url_holds_a_password() -> None:
    from kb4tui.store.config import Settings
    from kb4tui.ui.profiles import ProfileSwitcher

    write_profile("lab", "https://admin:Hunter2-pw@us.api.knowbe4.com")
    switcher = ProfileSwitcher(settings=Settings())
    assert await switcher.profiles() == []  # the file is unusable: nothing new is offered


def test_a_port_out_of_range_is_one_sentence_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    code = main(["--base-url", "http://127.0.0.1:99999", "auth", "status"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.startswith("kb4tui: ") and err.count("\n") == 1
    assert "between 1 and 65535" in err


@pytest.mark.parametrize("host", ["localhost.", "localhost.example.com"])
def test_the_demo_server_refuses_a_fully_qualified_localhost(
    host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo-server", "--host", host, "--port", "0"]) == 1
    assert "only listens on loopback" in capsys.readouterr().err
