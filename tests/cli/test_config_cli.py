"""The config file through the command line: read once per run and passed down, a broken
one is one sentence and exit 1 for every command, a key put into it is never echoed, is
warned about, and is dropped when `auth login` rewrites the file (comments kept)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from credentials_fakes import (
    FakeHosts,
    FakeTenant,
    MemoryKeyring,
    new_key,
    quicken_key_checks,
    region_host,
)

import kb4tui.store.config as config_module
from kb4tui.cli import auth, build_parser, main
from kb4tui.store.paths import config_path
from kb4tui.ui.app import KB4App

SECRET = "KB4SECRET-0123456789abcdef"

# Every way in that reads the config; none of them may start the app or the network.
COMMANDS = [
    pytest.param([], id="tui"),
    pytest.param(["--demo"], id="tui-demo"),
    pytest.param(["auth", "status", "--no-check"], id="auth-status"),
    pytest.param(["auth", "login", "--key-stdin"], id="auth-login"),
    pytest.param(["export", "campaigns", "-o", "-"], id="export"),
]


@pytest.fixture(autouse=True)
def _nothing_starts(monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring) -> None:
    """A key in the environment and a dead loopback host: past the config, every command
    would fail quickly on the network, and the TUI would fail the test."""
    quicken_key_checks(monkeypatch)
    monkeypatch.setenv("KNOWBE4_API_KEY", new_key())
    monkeypatch.setenv("KNOWBE4_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setattr("sys.stdin", io.StringIO(new_key() + "\n"))

    def run_instead(self: KB4App, *args: object, **kwargs: object) -> int:
        raise AssertionError("the app started")

    monkeypatch.setattr(KB4App, "run", run_instead)


def write_config(text: str) -> None:
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text(text, encoding="utf-8")


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("argv", COMMANDS)
@pytest.mark.parametrize(
    "text",
    [
        "cache_ttl_minutes = inf\n",
        "cache_ttl_minutes = nan\n",
        "cache_ttl_minutes = 1e308\n",
        "[profiles.default]\ncache_ttl_minutes = inf\n",
    ],
)
def test_an_unusable_cache_lifetime_is_one_sentence_and_a_usage_error(
    capsys: pytest.CaptureFixture[str], argv: list[str], text: str
) -> None:
    write_config(text)
    code, out, err = run(capsys, argv)
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"kb4tui: {config_path()}: " in err
    assert "cache_ttl_minutes must be a number of minutes from 0 to 525,600 (a year)." in err


@pytest.mark.parametrize("argv", COMMANDS)
@pytest.mark.parametrize(
    "text",
    [
        f'[profiles.default]\nregion = "{SECRET}"\n',
        f'[profiles.default]\nbase_url = "{SECRET}"\n',
        f'[profiles.default]\nbase_url = "ftp://admin:{SECRET}@x"\n',
        f'[profiles.default]\nbase_url = "https://admin:{SECRET}@us.api.knowbe4.com"\n',
        f'default_profile = "{SECRET} with a space"\n',
        f'[profiles."{SECRET}!"]\nregion = "us"\n',
        f'default_profile = "{SECRET}"\n',  # a valid name, but no such profile
    ],
)
def test_a_key_in_the_wrong_line_is_never_echoed(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    text: str,
) -> None:
    write_config(text)
    # The demo uses no profile: an unknown (but well-formed) default_profile is no error.
    demo_runs = argv == ["--demo"] and text == f'default_profile = "{SECRET}"\n'
    if demo_runs:
        monkeypatch.setattr(KB4App, "run", lambda self, *a, **k: 0)
    code, out, err = run(capsys, argv)
    assert "SECRET" not in out + err and "0123" not in out + err
    if demo_runs:
        assert (code, err) == (0, "")
    else:
        assert code == 1
        assert err.count("\n") == 1 and str(config_path()) in err


def test_a_key_like_entry_draws_a_warning_and_the_command_still_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_config(f'api_key = "{SECRET}"\n[profiles.default]\nregion = "eu"\n')
    code, out, err = run(capsys, ["auth", "status", "--no-check"])
    assert code == 0
    assert "eu (from profile)" in out
    assert "looks like an API key (api_key)" in err and "kb4tui auth login" in err
    assert SECRET not in out + err


def test_auth_login_drops_a_key_like_entry_and_keeps_the_comments(
    capsys: pytest.CaptureFixture[str],
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KNOWBE4_BASE_URL")
    original = (
        "# my customers\n"
        'default_profile = "acme"\n\n'
        "[profiles.acme]\n"
        'region = "eu"   # Frankfurt\n'
        f'api_key = "{SECRET}"\n\n'
        "# keys I like\n"
        "[keys]\n"
        '"main.library" = "l"          # library pane on l instead of 2\n'
    )
    write_config(original)
    key = new_key()
    account = {"name": "Acme", "subscription_level": "Platinum", "number_of_seats": 9}
    hosts = FakeHosts({region_host("eu"): FakeTenant(key=key, account=account)})
    args = build_parser().parse_args(["auth", "login", "--key-stdin", "--profile", "acme"])
    code = auth.handle_login(args, stdin=io.StringIO(key + "\n"), transport=hosts.transport())
    _, err = capsys.readouterr()
    assert code == 0
    assert "Removed what looked like an API key" in err and "(profiles.acme.api_key)" in err
    assert SECRET not in err
    assert config_path().read_text(encoding="utf-8") == original.replace(
        f'api_key = "{SECRET}"\n', ""
    )


def test_the_tui_reads_the_config_once_and_passes_it_down(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        'cache_ttl_minutes = 7\nescape_delay_ms = 40\n[keys]\n"main.library" = "l"\n'
        '[profiles.default]\nregion = "eu"\n'
    )
    monkeypatch.delenv("ESCDELAY", raising=False)
    monkeypatch.setattr("textual.constants.ESCAPE_DELAY", 0.1)  # restored after the test
    reads: list[Any] = []
    original = config_module.load_settings

    def counted(*args: Any, **kwargs: Any) -> config_module.Settings:
        reads.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(config_module, "load_settings", counted)
    started: list[KB4App] = []

    def run_instead(self: KB4App, *args: object, **kwargs: object) -> int:
        started.append(self)
        return 0

    monkeypatch.setattr(KB4App, "run", run_instead)
    factories: list[Any] = []
    import kb4tui.session.wiring as wiring

    original_factory = wiring.session_factory

    def recording(make_client: Any, profile: str, ttl: Any, **options: Any) -> Any:
        factories.append((profile, ttl, make_client().region))  # the client, already made
        return original_factory(make_client, profile, ttl, **options)

    monkeypatch.setattr(wiring, "session_factory", recording)
    try:
        assert main([]) == 0
        (app,) = started
        assert len(reads) == 1
        assert app.config_keymap == {"main.library": "l"}
        assert [(p, t.total_seconds(), r) for p, t, r in factories] == [("default", 420.0, "eu")]
        assert app.profile_switcher.settings.cache_ttl_minutes == 7
        import os

        import textual.constants

        assert os.environ["ESCDELAY"] == "40"
        assert textual.constants.ESCAPE_DELAY == 0.04
    finally:
        monkeypatch.delenv("ESCDELAY", raising=False)
