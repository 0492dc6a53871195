"""A keyring that never answers (a hung D-Bus service) costs one bounded wait per run, then
every call fails at once with the clear message, instead of two minutes a call."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from keyring.backend import KeyringBackend

from kb4tui import credentials
from kb4tui.cli import main
from kb4tui.credentials import (
    KeyringProblem,
    KeyringUnavailableError,
    KeyStore,
    resolve_key,
)

WAIT = 0.3  # the bounded wait, shrunk for the test
HANG = 4.0  # how long the fake keyring hangs before it would answer


class HangingKeyring(KeyringBackend):
    """Answers every call only after HANG seconds (or when released)."""

    priority = 0  # type: ignore[assignment]
    viable = False  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        self.release.wait(HANG)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls += 1
        self.release.wait(HANG)

    def delete_password(self, service: str, username: str) -> None:
        self.calls += 1
        self.release.wait(HANG)


@pytest.fixture
def hanging(monkeypatch: pytest.MonkeyPatch) -> Iterator[HangingKeyring]:
    monkeypatch.setattr(credentials, "KEYRING_TIMEOUT", WAIT)
    monkeypatch.setattr(credentials, "_NOT_ANSWERING", set())  # this test's run only
    backend = HangingKeyring()
    yield backend
    backend.release.set()  # let the abandoned threads finish


def test_one_bounded_wait_then_every_call_fails_at_once(hanging: HangingKeyring) -> None:
    store = KeyStore(hanging)
    started = time.monotonic()
    with pytest.raises(KeyringUnavailableError) as first:
        resolve_key("default", env={}, store=store)
    assert time.monotonic() - started < HANG / 2
    assert first.value.problem is KeyringProblem.NO_ANSWER
    assert f"did not answer within {WAIT:g} s" in first.value.sentence
    assert "KNOWBE4_API_KEY" in first.value.sentence  # what to do instead

    started = time.monotonic()
    for call in (store.check, lambda: store.get("acme"), lambda: store.delete("acme")):
        with pytest.raises(KeyringUnavailableError):
            call()
    assert time.monotonic() - started < WAIT  # no second wait in the same run
    assert hanging.calls == 1


def test_the_environment_key_needs_no_keyring(hanging: HangingKeyring) -> None:
    key = resolve_key("default", env={"KNOWBE4_API_KEY": "kb4-env-key-0123456789"})
    assert key.reveal() == "kb4-env-key-0123456789" and hanging.calls == 0


def test_auth_status_with_a_hanging_keyring_answers_within_seconds(
    hanging: HangingKeyring,
    install_keyring: Callable[[KeyringBackend], KeyringBackend],
    capsys: pytest.CaptureFixture[str],
) -> None:
    install_keyring(hanging)
    started = time.monotonic()
    code = main(["auth", "status"])
    elapsed = time.monotonic() - started
    out = capsys.readouterr().out
    assert code == 2
    assert elapsed < HANG / 2, f"auth status took {elapsed:.1f} s"
    assert "did not answer within" in out
    assert hanging.calls == 1
