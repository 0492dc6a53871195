"""Options and helpers shared by the subcommands: connection settings, error output."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb4tui.api.errors import APIError, AuthError, CredentialsInURLError, NetworkError
from kb4tui.api.region_hosts import REGION_NAMES
from kb4tui.exitcodes import ExitCode

# keyring and httpx cost ~0.4 s to import: only when a command runs, not for --help.
if TYPE_CHECKING:
    import httpx

    from kb4tui.api.client import KnowBe4Client
    from kb4tui.credentials import KeyStore, ResolvedKey
    from kb4tui.store.config import ConnectionSettings, Settings


def add_connection_options(parser: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    """--profile/--region/--base-url/--demo, accepted before or after the subcommand.

    Subcommand copies use SUPPRESS defaults so they do not overwrite a value given at the
    top level.
    """
    default = None if top_level else argparse.SUPPRESS
    group = parser.add_argument_group("connection")
    group.add_argument("--profile", default=default, help="named profile (region + key)")
    group.add_argument("--region", choices=REGION_NAMES, default=default, help="KnowBe4 region")
    group.add_argument("--base-url", default=default, help="override the API host")
    group.add_argument(
        "--demo",
        action="store_true",
        default=False if top_level else argparse.SUPPRESS,
        help="use the built-in demo organisation (no key needed)",
    )
    group.add_argument(
        "--demo-users",
        type=int,
        default=default,
        metavar="N",
        help="size of the demo organisation (default about 1,500 users)",
    )
    group.add_argument(
        "--demo-latency",
        type=float,
        default=default,
        metavar="SECONDS",
        help="simulated latency per demo API request",
    )


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """--quiet and --deadline, for the commands that talk to the API."""
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress line on stderr (shown only when stderr is a terminal)",
    )
    parser.add_argument(
        "--deadline",
        type=deadline_minutes,
        default=DEFAULT_DEADLINE_MINUTES,
        metavar="MINUTES",
        help=f"give up after this long in all (default {DEFAULT_DEADLINE_MINUTES:g} minutes)",
    )


# A command that needs longer would spend more than a day's quota at 50 requests a minute
# for most accounts; --deadline gives it longer.
DEFAULT_DEADLINE_MINUTES = 60.0


def deadline_minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of minutes, got {text!r}") from None
    if not 0 < value <= 7 * 24 * 60:
        raise argparse.ArgumentTypeError(f"expected minutes between 0 and a week, got {text!r}")
    return value


def fail(message: str, code: int) -> int:
    """Print one plain sentence to stderr and return the exit code."""
    print(f"kb4tui: {message}", file=sys.stderr)
    return code


class UsageError(APIError):
    """A bad setting or profile on the command line or in the config file (exit 1)."""

    exit_code = ExitCode.USAGE
    default_message = "The settings are not usable"
    resolution = "see `kb4tui --help` and `kb4tui auth status`"


class SettingsError(UsageError):
    """The config file or a setting from the environment is unusable (exit 1). Its message
    already names the file or variable, the key and the fix: it is the whole sentence."""

    @property
    def sentence(self) -> str:
        return self.message


# The profile name the demo shows; its files go under store.paths.DEMO_STORE_NAME.
DEMO_PROFILE = "demo"


def load_settings(path: Path | None = None) -> Settings:
    """The config file, read once per run. A key-like entry in it is warned about on
    stderr (the file keeps working). Raises UsageError (exit 1) for an unusable file."""
    from kb4tui.store.config import ConfigError
    from kb4tui.store.config import load_settings as read

    try:
        settings = read(path)
    except ConfigError as exc:
        raise SettingsError(str(exc)) from None
    warning = settings.secret_warning()
    if warning:
        print(f"kb4tui: {warning}", file=sys.stderr)
    return settings


@dataclass(frozen=True, slots=True)
class Connection:
    """Where this run connects, before any key is looked up."""

    settings: ConnectionSettings
    demo: bool

    @property
    def profile(self) -> str:
        return self.settings.profile

    @property
    def region(self) -> str:
        return self.settings.region

    @property
    def base_url(self) -> str | None:
        """The explicit override (option, environment or profile); None means the region's."""
        return self.settings.base_url

    @property
    def api_base_url(self) -> str:
        return self.settings.api_base_url

    @property
    def store_name(self) -> str:
        """The name this run's cache and quota meter are filed under: the profile's, or
        for the demo a name no profile can have (so a profile named "demo" is apart)."""
        from kb4tui.store.paths import DEMO_STORE_NAME

        return DEMO_STORE_NAME if self.demo else self.profile

    @property
    def data_dir(self) -> Path:
        """This profile's own data directory (the demo has one too), never shared."""
        from kb4tui.store.paths import profile_data_dir

        return profile_data_dir(self.store_name)


def resolve_connection(
    args: argparse.Namespace,
    *,
    env: Mapping[str, str] | None = None,
    settings: Settings | None = None,
    require_profile: bool = True,
) -> Connection:
    """Profile, region and base URL for the parsed options.

    Options win over KNOWBE4_REGION/KNOWBE4_BASE_URL, which win over the profile. With
    `--demo` the profile is always "demo". A profile named with --profile must exist in
    the config unless `require_profile` is False (`auth login` creates it). `settings` are
    the run's (read here when not given). Raises UsageError.
    """
    from kb4tui.api.regions import require_safe_url
    from kb4tui.store.config import (
        ENV_BASE_URL,
        ConfigError,
        ConnectionSettings,
        has_user_info,
        resolve_settings,
    )
    from kb4tui.store.paths import config_path

    if getattr(args, "demo", False):
        demo = ConnectionSettings(
            profile=DEMO_PROFILE,
            region="us",
            base_url=None,
            region_source="default",
            profile_exists=True,
        )
        return Connection(settings=demo, demo=True)
    named = getattr(args, "profile", None)
    given_urls = (
        getattr(args, "base_url", None),
        (os.environ if env is None else env).get(ENV_BASE_URL),
    )
    for given in given_urls:
        if given and has_user_info(given):
            raise CredentialsInURLError()  # before anything can repeat the URL
    settings = load_settings() if settings is None else settings
    try:
        resolved = resolve_settings(
            settings,
            profile=named,
            region=getattr(args, "region", None),
            base_url=getattr(args, "base_url", None),
            env=env,
        )
    except ConfigError as exc:
        raise SettingsError(str(exc)) from None
    if resolved.base_url:
        require_safe_url(resolved.base_url)  # `auth status` prints it: refuse it first
    if require_profile and named and not resolved.profile_exists:
        raise UsageError(
            f"There is no profile named {named!r} in {settings.source or config_path()}; "
            f"create it with `kb4tui auth login --profile {named}`"
        )
    return Connection(settings=resolved, demo=False)


def resolve_api_key(
    connection: Connection,
    *,
    env: Mapping[str, str] | None = None,
    store: KeyStore | None = None,
) -> ResolvedKey:
    """The key for this connection: the demo key, KNOWBE4_API_KEY, or the keyring.

    Raises MissingKeyError or KeyringUnavailableError (AuthError, exit 2).
    """
    from kb4tui.credentials import KeySource, ResolvedKey, resolve_key

    if connection.demo:
        from kb4tui.demo import DEMO_API_KEY

        return ResolvedKey(DEMO_API_KEY, KeySource.DEMO, connection.profile)
    return resolve_key(connection.profile, env=env, store=store)


@asynccontextmanager
async def open_client(
    args: argparse.Namespace,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    env: Mapping[str, str] | None = None,
    store: KeyStore | None = None,
) -> AsyncIterator[KnowBe4Client]:
    """The client for the CLI's options (demo, or region/base URL + resolved key), open
    for the `async with` block and closed after it. Its requests count in the profile's
    quota meter (`quota_record.py`), as the TUI's do.

    `transport` replaces the network (tests); `--demo` uses the demo organisation's fake
    transport. Raises `kb4tui.api.errors.APIError` subclasses: UsageError (exit 1) for
    bad settings, AuthError (exit 2) when there is no key or no usable keyring. Errors
    from the block are told what only the command line knows: a rejected key names
    where it came from, and an unreachable server is the `--base-url` one, not a region.
    """
    from kb4tui.api.client import KnowBe4Client
    from kb4tui.cli.quota_record import recording_quota
    from kb4tui.credentials import describe_key_source

    connection = resolve_connection(args, env=env)
    if connection.demo and transport is None:
        transport = demo_transport(args)
    key = resolve_api_key(connection, env=env, store=store)
    client = KnowBe4Client(
        key.reveal(),
        region=connection.region,
        base_url=connection.base_url,
        transport=transport,
    )
    try:
        async with (
            client,
            recording_quota(connection.store_name, client.usage, seats=lambda: client.scale.seats),
        ):
            yield client
    except AuthError as exc:
        if exc.status in (200, 401):  # 200: the API's old `{"message": "Invalid Token"}`
            exc.key_source = describe_key_source(key)
        raise
    except NetworkError as exc:
        exc.base_url = connection.base_url
        raise


def demo_transport(args: argparse.Namespace) -> httpx.AsyncBaseTransport:
    """The demo organisation's fake API, sized by --demo-users/--demo-latency."""
    from kb4tui.demo import FakeKnowBe4Transport

    options: dict[str, Any] = {}
    if getattr(args, "demo_users", None) is not None:
        options["users"] = args.demo_users
    if getattr(args, "demo_latency", None) is not None:
        options["latency"] = args.demo_latency
    transport: httpx.AsyncBaseTransport = FakeKnowBe4Transport(**options)
    return transport
