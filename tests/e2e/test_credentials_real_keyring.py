"""Against a real Secret Service (gnome-keyring in a private D-Bus session).

Run as CI does (see scripts/test), or by hand:

    dbus-run-session -- bash -c 'export HOME=$(mktemp -d); echo -n pw |
      gnome-keyring-daemon --unlock --components=secrets >/dev/null;
      .venv/bin/pytest tests/test_credentials_real_keyring.py'

Without a reachable Secret Service these tests skip, unless KB4TUI_REAL_KEYRING=1 says
one must be there (CI), in which case they fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from kb4tui.credentials import SERVICE
from kb4tui.demo import FakeKnowBe4API, LoopbackServer, generate_org


def _secret_service_problem() -> str | None:
    try:
        from keyring.backends import SecretService

        SecretService.Keyring.priority  # noqa: B018  (raises when unusable)
        SecretService.Keyring().get_password("kb4tui-probe", "probe")
    except Exception as exc:
        return f"no Secret Service reachable ({type(exc).__name__}: {exc})"
    return None


@pytest.fixture
def secret_service(
    install_keyring: Callable[[KeyringBackend], KeyringBackend],
) -> KeyringBackend:
    problem = _secret_service_problem()
    if problem:
        if os.environ.get("KB4TUI_REAL_KEYRING") == "1":
            pytest.fail(f"KB4TUI_REAL_KEYRING=1 but {problem}")
        pytest.skip(f"{problem}; run under dbus-run-session with gnome-keyring (see module doc)")
    from keyring.backends import SecretService

    return install_keyring(SecretService.Keyring())


@pytest.fixture
def profile(secret_service: KeyringBackend) -> Iterator[str]:
    # A fresh name, so a rerun against a long-lived keyring never sees old entries.
    name = "e2e-" + secrets.token_hex(4)
    yield name
    with contextlib.suppress(Exception):
        secret_service.delete_password(SERVICE, name)


def _files_containing(roots: list[Path], needle: bytes) -> list[Path]:
    hits: list[Path] = []
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                path = Path(dirpath) / name
                try:
                    small = path.is_file() and path.stat().st_size < 50_000_000
                    if small and needle in path.read_bytes():
                        hits.append(path)
                except OSError:
                    continue
    return hits


def kb4tui(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The real command line in its own process, with this test's environment."""
    return subprocess.run(
        [sys.executable, "-m", "kb4tui", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_login_status_export_logout_with_no_env_var_and_no_key_on_disk(
    secret_service: KeyringBackend,
    profile: str,
    _isolated_environment: Path,
    tmp_path: Path,
) -> None:
    key = "kb4-" + secrets.token_urlsafe(32)
    api = FakeKnowBe4API({key: lambda: generate_org(seed=3, users=30)})
    assert "KNOWBE4_API_KEY" not in os.environ
    with LoopbackServer(api) as server:
        where = ["--profile", profile]

        # auth login --key-stdin: checked, then stored in the Secret Service.
        login = kb4tui(
            "auth", "login", "--key-stdin", *where, "--base-url", server.base_url, stdin=key + "\n"
        )
        assert login.returncode == 0, login.stderr
        assert secret_service.get_password(SERVICE, profile) == key

        # auth status finds it there (and the profile's base URL in the config).
        status = kb4tui("auth", "status", *where)
        assert status.returncode == 0, status.stdout + status.stderr
        assert "OS keyring" in status.stdout and "SecretService" in status.stdout
        assert server.base_url in status.stdout

        # kb4tui export campaigns works with no env var.
        exported = tmp_path / "campaigns.json"
        export = kb4tui("export", "campaigns", *where, "--format", "json", "-o", str(exported))
        assert export.returncode == 0, export.stderr
        assert len(json.loads(exported.read_text())) > 0

        # auth logout removes it; afterwards export has no key.
        logout = kb4tui("auth", "logout", *where)
        assert logout.returncode == 0, logout.stderr
        assert secret_service.get_password(SERVICE, profile) is None
        again = kb4tui("export", "campaigns", *where, "--format", "json")
        assert again.returncode == 2 and "No API key for profile" in again.stderr

    outputs = "".join(r.stdout + r.stderr for r in (login, status, export, logout, again))
    assert key not in outputs
    assert key[:-4] not in outputs
    roots = [Path(os.environ["HOME"]), _isolated_environment, tmp_path]
    assert _files_containing(roots, key.encode()) == []


@pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="needs dbus-run-session and gnome-keyring-daemon",
)
def test_a_locked_real_keyring_gives_the_locked_message(tmp_path: Path) -> None:
    """Its own D-Bus session and daemon, so locking cannot disturb other tests."""
    script = textwrap.dedent(
        """
        import secretstorage
        from kb4tui.credentials import KeySource, KeyStore, ResolvedKey
        from kb4tui.cli import main
        store = KeyStore()
        store.set("locked", ResolvedKey("kb4-" + "x" * 30, KeySource.SESSION, "locked"))
        with secretstorage.dbus_init() as connection:
            secretstorage.get_default_collection(connection).lock()
        raise SystemExit(main(["auth", "status", "--profile", "locked", "--no-check"]))
        """
    )
    home = tmp_path / "home"
    home.mkdir()
    config = home / ".config" / "kb4tui"
    config.mkdir(parents=True)
    (config / "config.toml").write_text('[profiles.locked]\nregion = "us"\n')
    shell = (
        "echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; "
        f'exec "{sys.executable}" -c "$KB4TUI_SCRIPT"'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "DBUS_", "GNOME_"))}
    env.update(HOME=str(home), KB4TUI_SCRIPT=script, PYTHONPATH=str(Path.cwd()))
    result = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", shell],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "The OS keyring is locked and could not be unlocked" in result.stdout
    assert "KNOWBE4_API_KEY" in result.stdout
