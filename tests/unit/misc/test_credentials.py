"""The key's sources, its masking, and every way the keyring can be unusable."""

from __future__ import annotations

import asyncio
import pickle
import threading
from collections.abc import Callable

import keyring.errors
import pytest
from credentials_fakes import MemoryKeyring, new_key, no_keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, null

from kb4tui.api.errors import AuthError
from kb4tui.api.models import Account
from kb4tui.credentials import (
    SERVICE,
    KeyringProblem,
    KeyringUnavailableError,
    KeySource,
    KeyStore,
    MissingKeyError,
    ResolvedKey,
    aresolve_key,
    normalise_key,
    probe_regions,
    resolve_key,
    save_profile_and_key,
)
from kb4tui.store.config import Profile, load_settings
from kb4tui.store.paths import config_path

Install = Callable[[KeyringBackend], KeyringBackend]


# ---- ResolvedKey never shows the key ----


def test_repr_str_and_format_show_at_most_the_last_four_characters() -> None:
    secret = new_key()
    key = ResolvedKey(secret, KeySource.KEYRING, "acme")
    for text in (repr(key), str(key), f"{key}", f"{key!r}", repr([key]), key.hint):
        assert secret not in text
        assert secret[:-4] not in text
    assert key.hint == "…" + secret[-4:]
    assert "keyring" in repr(key) and "acme" in repr(key)
    assert key.reveal() == secret


def test_short_keys_show_nothing_at_all() -> None:
    key = ResolvedKey("abcd1234", KeySource.SESSION, "p")
    assert key.hint == "…"
    assert "1234" not in repr(key)


def test_a_key_cannot_be_pickled() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(ResolvedKey(new_key(), KeySource.SESSION, "p"))


def test_normalise_key_strips_and_rejects_paste_mistakes_without_echoing() -> None:
    secret = new_key()
    assert normalise_key(f"  {secret}\n") == secret
    for bad in ("", "   \n", f"{secret} {secret}", f"{secret}\x1b[A"):
        with pytest.raises(ValueError) as info:
            normalise_key(bad)
        assert secret not in str(info.value)


# ---- where the key comes from ----


def test_environment_wins_over_the_keyring(memory_keyring: MemoryKeyring) -> None:
    stored, from_env = new_key(), new_key()
    memory_keyring.set_password(SERVICE, "default", stored)
    key = resolve_key("default", env={"KNOWBE4_API_KEY": from_env})
    assert (key.reveal(), key.source) == (from_env, KeySource.ENVIRONMENT)
    key = resolve_key("default", env={"KNOWBE4_API_KEY": "  "})
    assert (key.reveal(), key.source) == (stored, KeySource.KEYRING)


def test_keyring_entries_are_per_profile(memory_keyring: MemoryKeyring) -> None:
    acme, lab = new_key(), new_key()
    store = KeyStore()
    store.set("acme", ResolvedKey(acme, KeySource.SESSION, "acme"))
    store.set("lab", ResolvedKey(lab, KeySource.SESSION, "lab"))
    assert memory_keyring.entries == {(SERVICE, "acme"): acme, (SERVICE, "lab"): lab}
    assert resolve_key("acme", env={}).reveal() == acme
    assert resolve_key("lab", env={}).reveal() == lab
    assert store.delete("acme") is True
    assert store.delete("acme") is False
    with pytest.raises(MissingKeyError) as info:
        resolve_key("acme", env={})
    assert isinstance(info.value, AuthError) and info.value.exit_code == 2
    assert "kb4tui auth login --profile acme" in info.value.sentence
    assert "KNOWBE4_API_KEY" in info.value.sentence


async def test_async_calls_run_off_the_event_loop(install_keyring: Install) -> None:
    seen: list[int] = []

    class Recording(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            seen.append(threading.get_ident())
            return super().get_password(service, username)

    backend = install_keyring(Recording())
    assert isinstance(backend, Recording)
    backend.entries[(SERVICE, "p")] = secret = new_key()
    key = await aresolve_key("p", env={})
    assert key.reveal() == secret
    await KeyStore().acheck()
    assert seen and threading.get_ident() not in seen


# ---- unusable keyrings: one sentence, what to do, never a file ----


def _assert_helpful(error: KeyringUnavailableError, fragment: str) -> None:
    sentence = error.sentence
    assert fragment in sentence
    assert "KNOWBE4_API_KEY" in sentence
    assert "dbus-run-session" in sentence and "gnome-keyring-daemon --unlock" in sentence
    assert "another keyring backend" in sentence
    assert error.exit_code == 2


def test_no_backend_headless_host(install_keyring: Install) -> None:
    install_keyring(no_keyring())
    store = KeyStore()
    with pytest.raises(KeyringUnavailableError) as info:
        resolve_key("default", env={})
    assert info.value.problem is KeyringProblem.NO_BACKEND
    _assert_helpful(info.value, "No usable OS keyring was found")
    with pytest.raises(KeyringUnavailableError):
        store.set("default", ResolvedKey(new_key(), KeySource.SESSION, "default"))
    # The environment variable still works without any keyring.
    assert resolve_key("default", env={"KNOWBE4_API_KEY": "k" * 20}).source is KeySource.ENVIRONMENT


def test_null_backend_is_no_backend_not_a_silent_sink(install_keyring: Install) -> None:
    install_keyring(_null_keyring())
    with pytest.raises(KeyringUnavailableError) as info:
        KeyStore().set("default", ResolvedKey(new_key(), KeySource.SESSION, "default"))
    assert info.value.problem is KeyringProblem.NO_BACKEND


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


def test_locked_keyring(install_keyring: Install) -> None:
    install_keyring(LockedKeyring())
    with pytest.raises(KeyringUnavailableError) as info:
        resolve_key("default", env={})
    assert info.value.problem is KeyringProblem.LOCKED
    _assert_helpful(info.value, "The OS keyring is locked")


def test_dbus_failures_become_unavailable_without_the_key_in_the_traceback(
    install_keyring: Install,
) -> None:
    class Broken(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise RuntimeError(
                f"org.freedesktop.DBus.Error.ServiceUnknown while storing {password}"
            )

    install_keyring(Broken())
    secret = new_key()
    with pytest.raises(KeyringUnavailableError) as info:
        KeyStore().set("default", ResolvedKey(secret, KeySource.SESSION, "default"))
    error = info.value
    assert error.problem is KeyringProblem.UNAVAILABLE
    assert "did not answer" in error.sentence
    # Chained context suppressed: crash reports would print the backend's frames.
    assert error.__suppress_context__ and error.__cause__ is None
    assert secret not in str(error) and secret not in repr(error)


def _file_backend(module: str, name: str) -> type[MemoryKeyring]:
    cls = type(name, (MemoryKeyring,), {"__module__": module})
    return cls


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("keyrings.alt.file", "PlaintextKeyring"),
        ("keyrings.alt.file", "EncryptedKeyring"),
        ("keyrings.alt.Windows", "RegistryKeyring"),
        ("somewhere.else", "PlaintextKeyring"),
    ],
)
def test_file_backends_are_refused_and_never_written(
    install_keyring: Install, module: str, name: str
) -> None:
    backend = install_keyring(_file_backend(module, name)())
    assert isinstance(backend, MemoryKeyring)
    with pytest.raises(KeyringUnavailableError) as info:
        KeyStore().set("default", ResolvedKey(new_key(), KeySource.SESSION, "default"))
    assert info.value.problem is KeyringProblem.FILE_BACKEND
    assert f"{module}.{name}" in info.value.sentence
    assert backend.entries == {}


# keyring's own stand-in backends are untyped; this gives mypy --strict its type.
def _null_keyring() -> KeyringBackend:
    return null.Keyring()  # type: ignore[no-untyped-call]


def _chain(*members: KeyringBackend) -> chainer.ChainerBackend:
    # Not viable: keyring registers every subclass, and must never pick this one itself.
    attrs = {"backends": list(members), "viable": False}
    cls = type("TestChain", (chainer.ChainerBackend,), attrs)
    backend: chainer.ChainerBackend = cls()
    return backend


def test_a_chain_is_unwrapped_to_its_real_keyring_never_its_file_fallback(
    install_keyring: Install,
) -> None:
    plaintext = _file_backend("keyrings.alt.file", "PlaintextKeyring")()
    real = MemoryKeyring()
    install_keyring(_chain(plaintext, real))
    store = KeyStore()
    store.set("p", ResolvedKey(secret := new_key(), KeySource.SESSION, "p"))
    assert real.entries == {(SERVICE, "p"): secret}
    assert plaintext.entries == {}
    assert store.backend_name() == "credentials_fakes.MemoryKeyring"

    install_keyring(_chain(plaintext))
    with pytest.raises(KeyringUnavailableError) as info:
        KeyStore().check()
    assert info.value.problem is KeyringProblem.FILE_BACKEND


def test_a_refused_chain_names_the_member_that_keeps_secrets_in_a_file(
    install_keyring: Install,
) -> None:
    install_keyring(_chain(no_keyring(), _file_backend("keyrings.alt.file", "PlaintextKeyring")()))
    with pytest.raises(KeyringUnavailableError) as info:
        KeyStore().check()
    assert info.value.problem is KeyringProblem.FILE_BACKEND
    assert info.value.backend_name == "keyrings.alt.file.PlaintextKeyring"


def test_save_writes_key_then_profile_and_nothing_when_the_keyring_fails(
    install_keyring: Install,
) -> None:
    install_keyring(no_keyring())
    with pytest.raises(KeyringUnavailableError):
        save_profile_and_key(
            Profile("acme", "eu"), ResolvedKey(new_key(), KeySource.SESSION, "acme")
        )
    assert not config_path().exists()

    memory = install_keyring(MemoryKeyring())
    assert isinstance(memory, MemoryKeyring)
    secret = new_key()
    save_profile_and_key(Profile("acme", "eu"), ResolvedKey(secret, KeySource.SESSION, "acme"))
    save_profile_and_key(Profile("lab", "us"), ResolvedKey(new_key(), KeySource.SESSION, "lab"))
    config = load_settings()
    assert config.default_profile == "acme"  # the first one saved
    assert set(config.profiles) == {"acme", "lab"}
    assert memory.entries[(SERVICE, "acme")] == secret
    assert secret not in config_path().read_text()


def test_saving_a_profile_again_keeps_its_other_settings(memory_keyring: MemoryKeyring) -> None:
    """Signing in again (new key, maybe a new region) must not drop cache_ttl_minutes."""
    config_path().parent.mkdir(parents=True)
    config_path().write_text('[profiles.acme]\nregion = "us"\ncache_ttl_minutes = 5\n')
    save_profile_and_key(Profile("acme", "eu"), ResolvedKey(new_key(), KeySource.SESSION, "acme"))
    saved = load_settings().profiles["acme"]
    assert (saved.region, saved.cache_ttl_minutes) == ("eu", 5)


# ---- trying the other regions ----


async def test_probe_regions_runs_the_checks_concurrently() -> None:
    regions = ["eu", "ca", "uk", "de"]
    started: list[str] = []
    all_started = asyncio.Event()

    async def check(region: str, base_url: str | None, key: ResolvedKey) -> Account:
        started.append(region)
        if len(started) == len(regions):
            all_started.set()
        # Only returns once every check is in flight: a sequential probe would time out.
        await asyncio.wait_for(all_started.wait(), timeout=2)
        if region == "uk":
            return Account(name="Acme UK")
        raise AuthError(status=401)

    probes = await probe_regions(check, ResolvedKey(new_key(), KeySource.SESSION, "p"), regions)
    assert [p.region for p in probes] == regions
    assert [p.account.name for p in probes if p.account] == ["Acme UK"]
    assert all(isinstance(p.error, AuthError) for p in probes if p.region != "uk")


def test_keys_compare_by_value_even_outside_ascii() -> None:
    one = ResolvedKey("clé-" + "x" * 20, KeySource.SESSION, "a")
    assert one == ResolvedKey("clé-" + "x" * 20, KeySource.KEYRING, "b")
    assert one != ResolvedKey("cle-" + "x" * 20, KeySource.SESSION, "a")
