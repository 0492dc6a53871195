"""Switching profile inside the TUI (issue 3): one palette command per configured profile.

MSPs keep one profile per customer account. Choosing "Profile: <name>" looks the key up
(KNOWBE4_API_KEY, then the keyring, in a thread: keyring calls block on D-Bus), and then
the app starts again on a new Repository for that profile, with that profile's own cache
file and quota meter, so nothing fetched for one account is ever shown under another. A
profile without a key gets the sign-in screen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
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
from kb4tui.store.config import (
    DEFAULT_CACHE_TTL_MINUTES,
    Config,
    ConfigError,
    Profile,
    cache_ttl,
    load_config,
)
from kb4tui.ui.connect import repository_factory
from kb4tui.ui.screens.signin import SignInResult, SignInScreen

if TYPE_CHECKING:
    from kb4tui.ui.app import KB4App, RepositoryFactory

__all__ = ["ProfileSwitcher", "configured_profiles"]


def _profile_ttl(profile: str, config_file: Path | None) -> timedelta:
    """The profile's cache lifetime from the config (blocking: called in a thread)."""
    try:
        return cache_ttl(load_config(config_file), profile)
    except ConfigError:
        return timedelta(minutes=DEFAULT_CACHE_TTL_MINUTES)


def configured_profiles(config: Config) -> list[Profile]:
    """The config's profiles, the default one first, then by name."""
    return sorted(
        config.profiles.values(),
        key=lambda p: (p.name != config.default_profile, p.name.casefold()),
    )


@dataclass(frozen=True, slots=True)
class ProfileSwitcher:
    """How the palette reaches another profile.

    `transport` replaces the network (tests: the demo's FakeKnowBe4Transport);
    `remember_secret` is told every key used, so the crash guard can redact it.
    """

    transport: httpx.AsyncBaseTransport | None = None
    config_file: Path | None = None
    remember_secret: Callable[[str], None] | None = None

    async def profiles(self) -> list[Profile]:
        """The configured profiles (read in a thread); none when the config is unusable."""
        try:
            config = await asyncio.to_thread(load_config, self.config_file)
        except ConfigError:
            return []
        return configured_profiles(config)

    def connect(
        self, profile: str, region: str, base_url: str | None, key: str
    ) -> RepositoryFactory:
        """A repository factory for this key, as `kb4tui` opens one: the client (opened on
        the app's loop), the profile's own cache file and quota meter."""
        if self.remember_secret is not None:
            self.remember_secret(key)
        transport, config_file = self.transport, self.config_file
        return repository_factory(
            lambda: KnowBe4Client(key, region=region, base_url=base_url, transport=transport),
            profile,
            partial(_profile_ttl, profile, config_file),
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
        app.call_later(app.switch_repository, factory, profile=profile.name, region=profile.region)

    def _signed_in(self, app: KB4App, result: Any) -> None:
        if not isinstance(result, SignInResult):
            return  # cancelled: stay on the current profile
        factory = self.connect(result.profile, result.region, result.base_url, result.key.reveal())
        app.call_later(app.switch_repository, factory, profile=result.profile, region=result.region)
