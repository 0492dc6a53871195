"""`kb4tui auth login|logout|status`: store, remove and show (never print) a profile's key.

login checks the key against /v1/account before storing anything, and on a 401 tries
the other regions at once, since a key for another region is the common mistake.
Exit codes (kb4tui.exitcodes): 2 auth includes "no usable keyring".
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

from kb4tui.api.errors import APIError, AuthError
from kb4tui.cli import common
from kb4tui.exitcodes import ExitCode
from kb4tui.sanitize import clean_text

if TYPE_CHECKING:
    import httpx

    from kb4tui.api.models import Account
    from kb4tui.credentials import KeyStore, ResolvedKey


PROMPT = "KnowBe4 Reporting API key (input hidden): "


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "auth",
        help="store, remove or show the API key for a profile",
        description=(
            "Manage the Reporting API key of a profile. The key lives in the OS keyring "
            "(service 'kb4tui', one entry per profile) and is never printed."
        ),
    )
    common.add_connection_options(parser)
    actions = parser.add_subparsers(dest="auth_action", metavar="ACTION", required=True)

    login = actions.add_parser(
        "login",
        help="check a key against the API, then store it and the profile",
        description=(
            "Read the key hidden from the terminal (or one line from stdin with "
            "--key-stdin), check it against /v1/account, then store it in the OS keyring "
            "and the profile's region and base URL in the config file."
        ),
    )
    common.add_connection_options(login)
    login.add_argument(
        "--key-stdin", action="store_true", help="read the key as one line from stdin"
    )
    login.set_defaults(handler=handle_login)

    logout = actions.add_parser("logout", help="remove the profile's key from the OS keyring")
    common.add_connection_options(logout)
    logout.set_defaults(handler=handle_logout)

    status = actions.add_parser(
        "status",
        help="show profile, region, key source and keyring; check the key",
        description="Show where the key comes from (never the key) and check it.",
    )
    common.add_connection_options(status)
    status.add_argument(
        "--no-check", action="store_true", help="do not call the API to check the key"
    )
    status.set_defaults(handler=handle_status)


def _describe_account(account: Account) -> str:
    details = [
        part
        for part in (
            account.subscription_level,
            f"{account.number_of_seats:,} seats" if account.number_of_seats else None,
        )
        if part
    ]
    name = account.name or "(unnamed account)"
    return clean_text(f"{name} ({', '.join(details)})" if details else name)


def _read_key(args: argparse.Namespace, stdin: TextIO) -> str:
    """The key from stdin (--key-stdin) or typed without echo. Raises ValueError."""
    if args.key_stdin:
        return stdin.readline()
    if not stdin.isatty():
        raise ValueError("stdin is not a terminal: pipe the key in with --key-stdin.")
    return getpass.getpass(PROMPT)


def handle_login(
    args: argparse.Namespace,
    *,
    stdin: TextIO | None = None,
    store: KeyStore | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    from kb4tui.credentials import (
        ConfigNotWritableError,
        KeyringUnavailableError,
        KeySource,
        KeyStore,
        ResolvedKey,
        normalise_key,
        require_writable_config,
        save_profile_and_key,
    )
    from kb4tui.store.config import ConfigError, Profile

    if getattr(args, "demo", False):
        return common.fail("The demo needs no key; run `kb4tui --demo`.", ExitCode.USAGE)
    try:
        connection = common.resolve_connection(args, require_profile=False)
        require_writable_config()  # before the key is asked for, checked or stored
    except APIError as exc:
        return common.fail(exc.sentence, exc.exit_code)
    except ConfigError as exc:
        return common.fail(str(exc), ExitCode.USAGE)
    try:
        key = ResolvedKey(
            normalise_key(_read_key(args, stdin or sys.stdin)),
            KeySource.SESSION,
            connection.profile,
        )
    except (ValueError, EOFError) as exc:
        return common.fail(str(exc) or "No key was read.", ExitCode.USAGE)

    try:
        account = asyncio.run(_counted_check(connection, key, transport))
    except AuthError as exc:
        hint = None
        if exc.status == 401 and connection.base_url is None:
            hint = _other_region_hint(connection.region, key, transport)
        return common.fail(f"{exc.sentence} {hint}" if hint else exc.sentence, exc.exit_code)
    except APIError as exc:
        return common.fail(exc.sentence, exc.exit_code)
    print(f"The key works: account {_describe_account(account)}.")

    store = store or KeyStore()
    profile = Profile(connection.profile, connection.region, connection.base_url)
    try:
        saved = save_profile_and_key(profile, key, store=store)
    except KeyringUnavailableError as exc:
        return common.fail(exc.sentence, exc.exit_code)
    except ConfigNotWritableError as exc:
        return common.fail(str(exc), ExitCode.USAGE)
    except ConfigError as exc:
        return common.fail(
            f"The key was stored, but the config was not saved: {exc}", ExitCode.USAGE
        )
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        return common.fail(
            f"The key was stored, but the config was not saved ({reason}); run this again "
            "once the config directory is writable.",
            ExitCode.USAGE,
        )
    print(
        f"Stored the key for profile {connection.profile!r} (region {connection.region}) "
        f"in the OS keyring ({store.backend_name()})."
    )
    notice = saved.removal_notice()
    if notice:
        print(f"kb4tui: {notice}", file=sys.stderr)
    return ExitCode.OK


async def _counted_check(
    connection: common.Connection, key: ResolvedKey, transport: httpx.AsyncBaseTransport | None
) -> Account:
    """`check_key`, its requests counted in the profile's quota meter like every command's
    (the probes of other regions after a 401 are other accounts: not counted here)."""
    from kb4tui.api.ratelimit import UsageCounter
    from kb4tui.cli.quota_record import recording_quota
    from kb4tui.credentials import check_key

    usage = UsageCounter()
    seats: list[int | None] = [None]
    async with recording_quota(connection.store_name, usage, seats=lambda: seats[0]):
        account = await check_key(
            connection.region, connection.base_url, key, transport=transport, usage=usage
        )
        seats[0] = account.number_of_seats
    return account


def _other_region_hint(
    tried: str, key: ResolvedKey, transport: httpx.AsyncBaseTransport | None
) -> str | None:
    """After a 401: try the key in the other regions at once; name one that accepts it."""
    from functools import partial

    from kb4tui.api.region_hosts import REGION_NAMES
    from kb4tui.credentials import check_key, probe_regions

    others = [region for region in REGION_NAMES if region != tried]
    checker = partial(check_key, transport=transport)
    probes = asyncio.run(probe_regions(checker, key, others))
    working = [probe.region for probe in probes if probe.account is not None]
    if not working:
        return None
    return f"The key works in region {working[0]}: run `kb4tui auth login --region {working[0]}`."


def handle_logout(args: argparse.Namespace, *, store: KeyStore | None = None) -> int:
    from kb4tui.credentials import ENV_API_KEY, KeyringUnavailableError, KeyStore

    if getattr(args, "demo", False):
        return common.fail("The demo has no stored key.", ExitCode.USAGE)
    try:
        connection = common.resolve_connection(args, require_profile=False)
    except APIError as exc:
        return common.fail(exc.sentence, exc.exit_code)
    store = store or KeyStore()
    try:
        removed = store.delete(connection.profile)
    except KeyringUnavailableError as exc:
        return common.fail(exc.sentence, exc.exit_code)
    where = f"profile {connection.profile!r}"
    if removed:
        print(f"Removed the key for {where} from the OS keyring.")
    else:
        print(f"There was no key for {where} in the OS keyring.")
    if os.environ.get(ENV_API_KEY, "").strip():
        print(f"Note: {ENV_API_KEY} is set in this environment and is still used.")
    return ExitCode.OK


def handle_status(
    args: argparse.Namespace,
    *,
    store: KeyStore | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    from kb4tui.credentials import (
        ENV_API_KEY,
        KeyringUnavailableError,
        KeyStore,
        MissingKeyError,
        describe_key_source,
    )
    from kb4tui.store.paths import config_path

    try:
        connection = common.resolve_connection(args)
    except APIError as exc:
        return common.fail(exc.sentence, exc.exit_code)
    store = store or KeyStore()
    path = config_path()
    rows: list[tuple[str, str]] = [
        ("Profile", connection.profile),
        ("Config file", f"{path}" + ("" if path.exists() else " (not created yet)")),
        ("Region", f"{connection.region} (from {connection.settings.region_source})"),
        (
            "Base URL",
            "none: the demo API runs inside kb4tui" if connection.demo else connection.api_base_url,
        ),
    ]
    if connection.demo:
        rows.append(("Keyring backend", "not used by the demo"))
    else:
        try:
            store.check()
            rows.append(("Keyring backend", store.backend_name()))
        except KeyringUnavailableError as exc:
            rows.append(("Keyring backend", f"unusable: {exc.sentence}"))

    key: ResolvedKey | None = None
    problem: APIError | None = None
    try:
        key = common.resolve_api_key(connection, store=store)
        rows.append(("Key source", f"{key.source.description} (key {key.hint})"))
    except MissingKeyError as exc:
        problem = exc
        rows.append(("Key source", f"none: {exc.sentence}"))
    except KeyringUnavailableError as exc:
        problem = exc
        rows.append(("Key source", f"none: {ENV_API_KEY} is not set and the keyring is unusable"))

    if key is not None and not args.no_check:
        if connection.demo and transport is None:
            transport = common.demo_transport(args)
        try:
            account = asyncio.run(_counted_check(connection, key, transport))
            rows.append(("Account", _describe_account(account)))
        except APIError as exc:
            if isinstance(exc, AuthError) and exc.status in (200, 401):
                exc.key_source = describe_key_source(key)
            problem = exc
            rows.append(("Account", f"check failed: {exc.sentence}"))
    width = max(len(label) for label, _ in rows) + 1
    for label, value in rows:
        print(f"{label + ':':<{width}} {value}")
    return problem.exit_code if problem is not None else ExitCode.OK
