"""The API key: from KNOWBE4_API_KEY, else the OS keyring, else the sign-in screen.

Three rules shape this module:

- The key is never shown. It travels inside `ResolvedKey`, whose repr and str show at
  most its last 4 characters, and is revealed only inline where the client is built or
  the keyring is written, so no local variable in our frames holds it (Textual's crash
  report prints locals).
- The key is never written to a file. Backends that keep secrets in a local file
  (keyrings.alt's plaintext or file keyrings, also inside a chain) and the fail/null
  backends are refused with a `KeyringUnavailableError` that says what to do instead.
- Keyring calls block (D-Bus, Keychain), so the UI uses the `a*` coroutines
  (`aresolve_key`, `KeyStore.acheck`), which run them in a thread. A keyring that never
  answers (a D-Bus service that hangs) gets one bounded wait per run, `KEYRING_TIMEOUT`,
  after which every call fails at once with the clear message: libsecret's own timeout
  is two minutes a call.

No textual here.
"""

from __future__ import annotations

import asyncio
import enum
import hmac
import os
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from kb4tui.api.errors import APIError, AuthError
from kb4tui.store.config import ConfigError, Profile, load_settings
from kb4tui.store.config_file import SavedConfig, save_profile
from kb4tui.store.paths import config_path

if TYPE_CHECKING:
    import httpx

    from kb4tui.api.models import Account
    from kb4tui.api.ratelimit import UsageCounter

__all__ = [
    "ENV_API_KEY",
    "KEYRING_TIMEOUT",
    "SERVICE",
    "ConfigNotWritableError",
    "KeyChecker",
    "KeySource",
    "KeyStore",
    "KeyringProblem",
    "KeyringUnavailableError",
    "MissingKeyError",
    "RegionProbe",
    "ResolvedKey",
    "aresolve_key",
    "check_key",
    "describe_key_source",
    "mask_key",
    "normalise_key",
    "probe_regions",
    "require_writable_config",
    "resolve_key",
    "save_profile_and_key",
]

SERVICE = "kb4tui"
ENV_API_KEY = "KNOWBE4_API_KEY"


class KeySource(enum.Enum):
    """Where the key in use came from."""

    ENVIRONMENT = "environment"
    KEYRING = "keyring"
    SESSION = "session"
    DEMO = "demo"

    @property
    def description(self) -> str:
        return {
            KeySource.ENVIRONMENT: f"environment variable {ENV_API_KEY}",
            KeySource.KEYRING: "OS keyring",
            KeySource.SESSION: "entered for this session only (kept in memory)",
            KeySource.DEMO: "built-in demo organisation (no key needed)",
        }[self]


def mask_key(secret: str) -> str:
    """'…abcd' for a key long enough that 4 characters give nothing away, else '…'."""
    return f"…{secret[-4:]}" if len(secret) >= 16 else "…"


def describe_key_source(key: ResolvedKey) -> str:
    """The key as a user finds it again, for "check <this>" after a 401."""
    if key.source is KeySource.ENVIRONMENT:
        return f"the key in {ENV_API_KEY}"
    if key.source is KeySource.KEYRING:
        option = "" if key.profile == "default" else f" --profile {key.profile}"
        return (
            f"the key stored in the OS keyring for profile {key.profile!r} "
            f"(`kb4tui auth login{option}` replaces it)"
        )
    if key.source is KeySource.SESSION:
        return "the key entered at sign-in"
    return "the demo key"


def normalise_key(text: str) -> str:
    """The key as typed or piped: surrounding whitespace dropped, nothing else accepted.

    Raises ValueError (with a message that does not contain the text) for an empty key
    or one with spaces or control characters inside, which is always a paste mistake.
    """
    secret = text.strip()
    if not secret:
        raise ValueError("The API key is empty.")
    if any(ch.isspace() or not ch.isprintable() for ch in secret):
        raise ValueError("The API key contains spaces or control characters; paste it again.")
    return secret


class ResolvedKey:
    """An API key and where it came from. Its repr and str never contain the key."""

    __slots__ = ("_secret", "profile", "source")

    def __init__(self, secret: str, source: KeySource, profile: str) -> None:
        self._secret = secret
        self.source = source
        self.profile = profile

    def reveal(self) -> str:
        """The key itself: pass it straight to the client, never store it in a variable."""
        return self._secret

    @property
    def hint(self) -> str:
        """At most the last 4 characters, for `auth status` and the header."""
        return mask_key(self._secret)

    def __repr__(self) -> str:
        return f"ResolvedKey(source={self.source.value}, profile={self.profile!r}, key={self.hint})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ResolvedKey):
            return NotImplemented
        return hmac.compare_digest(self._secret.encode(), other._secret.encode())

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> NoReturn:
        raise TypeError("ResolvedKey cannot be pickled: the key must not leave memory.")


class KeyringProblem(enum.Enum):
    NO_BACKEND = "no-backend"
    LOCKED = "locked"
    FILE_BACKEND = "file-backend"
    UNAVAILABLE = "unavailable"
    NO_ANSWER = "no-answer"


# Seconds one keyring call may take before the keyring counts as not answering.
KEYRING_TIMEOUT = 5.0


_KEYRING_HELP = (
    f"set {ENV_API_KEY} instead, or get a keyring: run under `dbus-run-session` with "
    "`gnome-keyring-daemon --unlock`, log in to a desktop session, or install another "
    "keyring backend"
)


class KeyringUnavailableError(AuthError):
    """The OS keyring cannot be used. Exit code 2, like any other reason for no key."""

    resolution = _KEYRING_HELP

    def __init__(self, problem: KeyringProblem, backend_name: str) -> None:
        self.problem = problem
        self.backend_name = backend_name
        message = {
            KeyringProblem.NO_BACKEND: (
                "No usable OS keyring was found (common on a headless SSH host), so the "
                "API key cannot be stored or read there"
            ),
            KeyringProblem.LOCKED: (
                "The OS keyring is locked and could not be unlocked, so the API key cannot "
                "be stored or read there"
            ),
            KeyringProblem.FILE_BACKEND: (
                f"The keyring backend ({backend_name}) is not an OS keyring (it keeps secrets "
                "in a local file or similar), which kb4tui refuses to use for the API key"
            ),
            KeyringProblem.UNAVAILABLE: (
                f"The OS keyring ({backend_name}) did not answer (is there a D-Bus session?), "
                "so the API key cannot be stored or read there"
            ),
            KeyringProblem.NO_ANSWER: (
                f"The OS keyring ({backend_name}) did not answer within "
                f"{KEYRING_TIMEOUT:g} s, so the API key cannot be stored or read there"
            ),
        }[problem]
        super().__init__(message)

    def __repr__(self) -> str:
        return (
            f"KeyringUnavailableError(problem={self.problem.value}, backend={self.backend_name!r})"
        )


class MissingKeyError(AuthError):
    """Neither KNOWBE4_API_KEY nor the keyring has a key for this profile."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        option = "" if profile == "default" else f" --profile {profile}"
        self.resolution = (
            f"run `kb4tui auth login{option}` to store one in the OS keyring, or set {ENV_API_KEY}"
        )
        super().__init__(f"No API key for profile {profile!r}")


def _backend_label(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _keeps_secrets_in_a_file(backend: KeyringBackend) -> bool:
    # Every keyrings.alt backend ("alternate, less secure": plaintext files, "encrypted"
    # files that prompt on the terminal, the registry) and anything named plaintext.
    label = _backend_label(backend)
    return "plaintext" in label.lower() or label.startswith("keyrings.alt.")


def _choose_backend(backend: KeyringBackend) -> KeyringBackend:
    """The backend to use, or KeyringUnavailableError naming the one refused.

    A chain is unwrapped to its best acceptable member: the chain itself would fall back
    to a plaintext file when the real keyring is locked.
    """
    members: list[KeyringBackend] = (
        list(backend.backends) if isinstance(backend, chainer.ChainerBackend) else [backend]
    )
    for member in members:
        if not isinstance(member, fail.Keyring | null.Keyring) and not (
            _keeps_secrets_in_a_file(member)
        ):
            return member
    for member in members:
        if _keeps_secrets_in_a_file(member):
            raise KeyringUnavailableError(KeyringProblem.FILE_BACKEND, _backend_label(member))
    raise KeyringUnavailableError(KeyringProblem.NO_BACKEND, _backend_label(backend))


class KeyStore:
    """The OS keyring, one entry per profile (service "kb4tui", username = profile name).

    Blocking methods; the UI calls `acheck` and `aresolve_key`, which run in a thread.
    """

    def __init__(self, backend: KeyringBackend | None = None, *, service: str = SERVICE) -> None:
        self._backend = backend
        self.service = service

    def _raw_backend(self) -> KeyringBackend:
        return self._backend if self._backend is not None else keyring.get_keyring()

    def backend_name(self) -> str:
        """The module path of the backend in use (after unwrapping a chain), for status."""
        raw = self._raw_backend()
        try:
            return _backend_label(_choose_backend(raw))
        except KeyringUnavailableError:
            return _backend_label(raw)

    def backend(self) -> KeyringBackend:
        """The acceptable backend, or KeyringUnavailableError."""
        return _choose_backend(self._raw_backend())

    def check(self) -> None:
        """Raise KeyringUnavailableError unless the keyring can be read right now."""
        self.get("__kb4tui_probe__")

    def get(self, profile: str) -> str | None:
        backend = self.backend()
        try:
            value: str | None = _bounded(backend, backend.get_password, self.service, profile)
        except KeyringUnavailableError:
            raise
        except Exception as exc:
            _raise_unavailable(exc, backend)
        return value

    def set(self, profile: str, key: ResolvedKey) -> None:
        backend = self.backend()
        try:
            _bounded(backend, backend.set_password, self.service, profile, key.reveal())
        except KeyringUnavailableError:
            raise
        except Exception as exc:
            _raise_unavailable(exc, backend)

    def delete(self, profile: str) -> bool:
        """Remove the profile's key; False if there was none."""
        backend = self.backend()
        try:
            if _bounded(backend, backend.get_password, self.service, profile) is None:
                return False
            _bounded(backend, backend.delete_password, self.service, profile)
        except keyring.errors.PasswordDeleteError:
            return False
        except KeyringUnavailableError:
            raise
        except Exception as exc:
            _raise_unavailable(exc, backend)
        return True

    async def acheck(self) -> None:
        """`check` off the event loop (the sign-in screen)."""
        await asyncio.to_thread(self.check)


# Backends that did not answer in time during this run: asked again, they fail at once.
_NOT_ANSWERING: set[str] = set()


def _bounded(backend: KeyringBackend, call: Callable[..., Any], *args: str) -> Any:
    """`call(*args)` in a daemon thread, waiting at most KEYRING_TIMEOUT for it.

    A daemon thread, not an executor: a call that never returns must not keep the
    process from exiting (executors join their threads at exit). Raises what the call
    raised, or KeyringUnavailableError (NO_ANSWER) when it did not answer in time.
    """
    label = _backend_label(backend)
    if label in _NOT_ANSWERING:
        raise KeyringUnavailableError(KeyringProblem.NO_ANSWER, label)
    outcome: list[Any] = []
    failure: list[BaseException] = []
    done = threading.Event()

    def run() -> None:
        try:
            outcome.append(call(*args))
        except BaseException as exc:  # handed to the waiting thread, which re-raises it
            failure.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, name="kb4tui-keyring", daemon=True).start()
    if not done.wait(KEYRING_TIMEOUT):
        _NOT_ANSWERING.add(label)
        raise KeyringUnavailableError(KeyringProblem.NO_ANSWER, label)
    if failure:
        raise failure[0]
    return outcome[0]


def _raise_unavailable(exc: Exception, backend: KeyringBackend) -> NoReturn:
    """Translate whatever the backend raised (keyring, secretstorage, jeepney, dbus, OS).

    `from None`: the backend's frames hold the key as a local, and a chained traceback
    would show them.
    """
    if isinstance(exc, keyring.errors.NoKeyringError):
        problem = KeyringProblem.NO_BACKEND
    elif isinstance(exc, keyring.errors.KeyringLocked):
        problem = KeyringProblem.LOCKED
    else:
        problem = KeyringProblem.UNAVAILABLE
    raise KeyringUnavailableError(problem, _backend_label(backend)) from None


def resolve_key(
    profile: str, *, env: Mapping[str, str] | None = None, store: KeyStore | None = None
) -> ResolvedKey:
    """KNOWBE4_API_KEY, else the keyring entry for `profile`.

    Raises MissingKeyError when neither has a key, KeyringUnavailableError when the
    keyring cannot be asked (both are AuthError, exit code 2).
    """
    env = os.environ if env is None else env
    from_env = env.get(ENV_API_KEY, "").strip()
    if from_env:
        return ResolvedKey(from_env, KeySource.ENVIRONMENT, profile)
    stored = (store or KeyStore()).get(profile)
    if stored:
        return ResolvedKey(stored, KeySource.KEYRING, profile)
    raise MissingKeyError(profile)


async def aresolve_key(
    profile: str, *, env: Mapping[str, str] | None = None, store: KeyStore | None = None
) -> ResolvedKey:
    """`resolve_key` off the event loop."""
    return await asyncio.to_thread(resolve_key, profile, env=env, store=store)


CHECK_TIMEOUT = 10.0
CHECK_RETRY_BUDGET = 8.0

# (region, base_url, key) -> the account behind the key, or an APIError.
KeyChecker = Callable[[str, str | None, ResolvedKey], Awaitable["Account"]]


async def check_key(
    region: str,
    base_url: str | None,
    key: ResolvedKey,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    usage: UsageCounter | None = None,
) -> Account:
    """GET /v1/account with this key: the check before anything is saved.

    A short retry budget: someone is waiting at a sign-in prompt, and "no network"
    should be said within seconds, not after the client's usual minute of retries.
    `usage` counts the requests (the command line records them in the quota meter).
    """
    from kb4tui.api.client import KnowBe4Client

    async with KnowBe4Client(
        key.reveal(),
        region=region,
        base_url=base_url,
        transport=transport,
        timeout=CHECK_TIMEOUT,
        retry_budget=CHECK_RETRY_BUDGET,
        usage=usage,
    ) as client:
        account: Account = await client.account()
        return account


@dataclass(frozen=True, slots=True)
class RegionProbe:
    region: str
    account: Account | None
    error: APIError | None


async def probe_regions(
    check: KeyChecker, key: ResolvedKey, regions: Iterable[str]
) -> list[RegionProbe]:
    """Try the key in several regions at once (after a 401 that may mean a wrong region).

    Results keep the order of `regions`. Errors other than APIError are bugs and raise.
    """
    names = list(regions)
    outcomes: list[Any] = await asyncio.gather(
        *(check(region, None, key) for region in names), return_exceptions=True
    )
    probes: list[RegionProbe] = []
    for region, outcome in zip(names, outcomes, strict=True):
        if isinstance(outcome, APIError):
            probes.append(RegionProbe(region, None, outcome))
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            probes.append(RegionProbe(region, outcome, None))
    return probes


class ConfigNotWritableError(ConfigError):
    """The config file cannot be written: found out before anything is stored."""


def require_writable_config(config_file: Path | None = None) -> None:
    """Raise ConfigNotWritableError unless a file can be created beside the config file.

    Checked before the key goes to the keyring: a key stored for a profile the config
    never got is an entry nobody knows is there.
    """
    path = config_file or config_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, probe = tempfile.mkstemp(prefix=".kb4tui-write-check-", dir=path.parent)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise ConfigNotWritableError(
            f"Cannot write the config file {path} ({reason}), so nothing was stored; make "
            "its directory writable, or point XDG_CONFIG_HOME at one that is."
        ) from None


def save_profile_and_key(
    profile: Profile,
    key: ResolvedKey,
    *,
    store: KeyStore | None = None,
    config_file: Path | None = None,
) -> SavedConfig:
    """Store the key in the keyring, then the profile in the config.

    The config is read and checked for writing first, then the key goes to the keyring:
    if either refuses, nothing is written anywhere. The first profile saved becomes the
    default. Everything else in the file stays as it was (comments, order,
    `cache_ttl_minutes`, a newer kb4tui's keys), except entries that look like an API
    key, which are dropped (see `SavedConfig.removal_notice`).
    """
    load_settings(config_file)  # a broken file is a ConfigError before anything is stored
    require_writable_config(config_file)
    (store or KeyStore()).set(profile.name, key)
    return save_profile(profile, path=config_file)
