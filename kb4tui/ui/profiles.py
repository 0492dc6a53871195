"""Switching profile inside the TUI: one palette command per configured profile.

MSPs keep one profile per customer account. Choosing "Profile: <name>" looks the key up
(KNOWBE4_API_KEY, then the keyring, in a thread: keyring calls block on D-Bus), and then
the app starts again on a new session for that profile, with that profile's own cache
file and quota meter, so nothing fetched for one account is ever shown under another. A
profile without a key gets the sign-in screen.

The switcher starts from the settings the command line read. Opening the palette reads
the file again (in a thread): a profile added meanwhile, by the sign-in screen or by
`kb4tui auth login` in another terminal, is offered at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from kb4tui.api.client import KnowBe4Client
from kb4tui.credentials import (
    KeyringUnavailableError,
    MissingKeyError,
    aresolve_key,
    check_key,
)
from kb4tui.session.wiring import SessionFactory, session_factory
from kb4tui.store.config import ConfigError, Profile, Settings, load_settings
from kb4tui.ui.screens.signin import SignInResult, SignInScreen

if TYPE_CHECKING:
    from kb4tui.ui.app import KB4App

__all__ = ["ProfileSwitcher", "configured_profiles"]


def configured_profiles(settings: Settings) -> list[Profile]:
    """The config's profiles, the default one first, then by name."""
    return settings.profile_list()


@dataclass(slots=True)
class ProfileSwitcher:
    """How the palette reaches another profile.

    `settings` are the run's (each palette opening refreshes them from `config_file`);
    `transport` replaces the network (tests: the demo's FakeKnowBe4Transport);
    `remember_secret` is told every key used, so the crash guard can redact it.
    """

    settings: Settings = field(default_factory=Settings)
    transport: httpx.AsyncBaseTransport | None = None
    config_file: Path | None = None
    remember_secret: Callable[[str], None] | None = None

    async def profiles(self) -> list[Profile]:
        """The configured profiles, read again in a thread; when the file has become
        unusable meanwhile, the ones known before."""
        with contextlib.suppress(ConfigError):
            self.settings = await asyncio.to_thread(load_settings, self.config_file)
        return configured_profiles(self.settings)

    def connect(self, profile: str, region: str, base_url: str | None, key: str) -> SessionFactory:
        """A session factory for this key, as `kb4tui` opens one: the client (opened on
        the app's loop), the profile's own cache file and quota meter."""
        if self.remember_secret is not None:
            self.remember_secret(key)
        transport = self.transport
        return session_factory(
            lambda: KnowBe4Client(key, region=region, base_url=base_url, transport=transport),
            profile,
            self.settings.cache_ttl(profile),
        )

    async def switch(self, app: KB4App, profile: Profile) -> None:
        """Start `app` again on `profile`, or ask for its key first."""
        try:
            key = await aresolve_key(profile.name)
        except (MissingKeyError, KeyringUnavailableError) as error:
            reason = error.sentence if isinstance(error, MissingKeyError) else None
            screen = SignInScreen(
                partial(check_key, transport=self.transport),
                profile=profile.name,
                region=profile.region,
                base_url=profile.base_url,
                reason=reason,
                config_file=self.config_file,
            )
            app.push_screen(screen, partial(self._signed_in, app))
            return
        factory = self.connect(profile.name, profile.region, profile.base_url, key.reveal())
        app.call_later(app.switch_session, factory)

    def _signed_in(self, app: KB4App, result: Any) -> None:
        if not isinstance(result, SignInResult):
            return  # cancelled: stay on the current profile
        factory = self.connect(result.profile, result.region, result.base_url, result.key.reveal())
        app.call_later(app.switch_session, factory)
