"""Run the Textual app (`kb4tui`, `kb4tui --demo`)."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from kb4tui.api.client import KnowBe4Client
    from kb4tui.cli.common import Connection
    from kb4tui.session.wiring import SessionFactory
    from kb4tui.store.config import Settings
    from kb4tui.ui.app import SignInFlow
    from kb4tui.ui.safety import CrashGuard


def run_tui(args: argparse.Namespace) -> int:
    """Resolve the connection and key before the app starts (keyring calls block), then run.

    `--demo` uses the in-process demo API (no key, no network). With no key anywhere and a
    terminal to ask on, the app opens on the sign-in screen. Other errors before the app
    starts are one sentence on stderr with the contract's exit code. The data cache and
    the quota meter of the profile (the demo's are its own, see `Connection.store_name`)
    are opened with the connection. The config is read once, here, and passed down: its
    keymap to the app, `cache_ttl_minutes` to the connection, `escape_delay_ms` to the
    terminal settings. An unusable config is one sentence and exit 1, before anything starts.
    """
    from kb4tui.gcpause import pause_collection, resume_collection

    pause_collection()  # until the first screen has data: see kb4tui.gcpause
    try:
        return _run_tui(args)
    finally:
        resume_collection()


def _run_tui(args: argparse.Namespace) -> int:
    from kb4tui.api.errors import APIError
    from kb4tui.cli.common import fail, load_settings

    try:
        settings = load_settings()
    except APIError as error:
        return fail(error.sentence, error.exit_code)

    from kb4tui.ui.safety import prepare_environment

    # ESCDELAY for slow links, before textual reads it.
    prepare_environment(escape_delay_ms=settings.escape_delay_ms)

    from kb4tui.api.client import KnowBe4Client
    from kb4tui.cli.common import demo_transport, resolve_api_key, resolve_connection
    from kb4tui.credentials import KeyringUnavailableError, MissingKeyError

    sign_in: SignInFlow | None = None
    factory: SessionFactory | None = None
    secrets: list[str] = []
    guards: list[CrashGuard] = []  # filled below; the sign-in flow adds its key to it
    try:
        connection = resolve_connection(args, settings=settings)
        ttl = _cache_ttl(settings, connection)
        key = resolve_api_key(connection)
        secrets.append(key.reveal())
        client = KnowBe4Client(
            key.reveal(),
            region=connection.region,
            base_url=connection.base_url,
            transport=demo_transport(args) if connection.demo else None,
        )
        factory = _session_factory(
            client, connection.profile, ttl, store_name=connection.store_name
        )
    except (MissingKeyError, KeyringUnavailableError) as error:
        if not sys.stdin.isatty():
            return fail(error.sentence, error.exit_code)
        # The sign-in screen finds an unusable keyring itself; say only what it cannot know.
        reason = error.sentence if isinstance(error, MissingKeyError) else None
        sign_in = _sign_in_flow(connection, reason, guards, ttl=ttl)
    except APIError as error:
        return fail(error.sentence, error.exit_code)

    from kb4tui.ui.app import KB4App
    from kb4tui.ui.profiles import ProfileSwitcher
    from kb4tui.ui.safety import install_crash_guard
    from kb4tui.ui.signal_exit import exit_cleanly_on_signals

    app = KB4App(factory, sign_in=sign_in, keymap=settings.keys)
    guard = install_crash_guard(app, secrets)
    guards.append(guard)
    # Keys of profiles switched to from the palette are redacted from crash output too.
    app.profile_switcher = ProfileSwitcher(settings=settings, remember_secret=guard.add)
    secrets.clear()
    exit_cleanly_on_signals(app)  # SIGTERM/SIGHUP/SIGQUIT give the terminal back too
    app.run()
    return app.return_code or 0


def _cache_ttl(settings: Settings, connection: Connection) -> timedelta:
    """The profile's cache lifetime; the demo takes only the file-wide one (a real profile
    named "demo" has settings of its own)."""
    return settings.cache_ttl(None if connection.demo else connection.profile)


def _session_factory(
    client: KnowBe4Client, profile: str, ttl: timedelta, *, store_name: str | None = None
) -> SessionFactory:
    """Opens the client, the profile's cache (keyed by the base URL) and its quota meter
    (under `store_name`: the demo's are its own)."""
    from kb4tui.session.wiring import session_factory

    return session_factory(lambda: client, profile, ttl, store_name=store_name)


def _sign_in_flow(
    connection: Connection,
    reason: str | None,
    guards: list[CrashGuard],
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    ttl: timedelta = timedelta(minutes=15),
) -> SignInFlow:
    """`transport` (tests: the demo's FakeKnowBe4Transport) serves the key check and the
    connection opened after it."""
    from functools import partial

    from kb4tui.api.client import KnowBe4Client
    from kb4tui.credentials import check_key
    from kb4tui.ui.app import SignInFlow
    from kb4tui.ui.screens.signin import SignInResult, SignInScreen

    def screen() -> SignInScreen:
        return SignInScreen(
            partial(check_key, transport=transport),
            profile=connection.profile,
            region=connection.region,
            base_url=connection.base_url,
            reason=reason,
        )

    def connect(result: Any) -> SessionFactory:
        assert isinstance(result, SignInResult)
        for guard in guards:
            guard.add(result.key.reveal())  # a key typed now is redacted from crash output too
        client = KnowBe4Client(
            result.key.reveal(),
            region=result.region,
            base_url=result.base_url,
            transport=transport,
        )
        return _session_factory(client, getattr(result, "profile", connection.profile), ttl)

    return SignInFlow(screen=screen, connect=connect)
