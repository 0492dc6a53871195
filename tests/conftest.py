"""Shared fixtures. Keep this small and generic; area-specific helpers live in their tests.

Every test runs with its own config/cache/data directories (XDG variables pointed into
tmp_path) and without KNOWBE4_* variables, so no test reads or writes the developer's
real config or picks up a real API key by accident.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.core
import pytest
from credentials_fakes import MemoryKeyring
from hypothesis import HealthCheck, settings
from keyring.backend import KeyringBackend

# No per-example deadline and no "too slow" health check anywhere: CI machines are shared
# and slower than this one, and a property test is about behaviour, not speed.
settings.register_profile(
    "kb4tui", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("kb4tui")


@pytest.fixture(autouse=True)
def _isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    root = tmp_path_factory.mktemp("xdg")
    for name, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
    ):
        monkeypatch.setenv(name, str(root / sub))
    for name in ("KNOWBE4_API_KEY", "KNOWBE4_REGION", "KNOWBE4_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return root


@pytest.fixture
def install_keyring(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[[KeyringBackend], KeyringBackend]]:
    """Call with a backend to make it the process's keyring for this test only."""
    # monkeypatch records the current backend (possibly None: not yet chosen) and puts
    # it back afterwards; set_keyring then replaces it.
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.core._keyring_backend)

    def install(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    yield install


@pytest.fixture
def memory_keyring(install_keyring: Callable[[KeyringBackend], KeyringBackend]) -> MemoryKeyring:
    backend = MemoryKeyring()
    install_keyring(backend)
    return backend
