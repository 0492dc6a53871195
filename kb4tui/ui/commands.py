"""Command palette providers: jump to a campaign, a module or a user; switch profile.

Each provider snapshots what is already loaded when the palette opens (`startup`), so
typing never waits on the network. Names come from the API, so they are shown literally:
Textual's `Matcher.highlight` and `Hit.help` parse markup, which would crash or restyle on
a campaign called "[/Q3] Phish"; we build the highlighted `Content` ourselves.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape

from kb4tui.api.models import Campaign, ContentItem, Enrollment
from kb4tui.core.content import content_type_of
from kb4tui.sanitize import clean_text
from kb4tui.store.config import Profile

if TYPE_CHECKING:
    from kb4tui.ui.app import KB4App

__all__ = ["CampaignJump", "ModuleJump", "ProfileSwitch", "UserJump", "literal_highlight"]

# Enough for the empty-query list; typing searches everything.
DISCOVER_LIMIT = 20


def literal_highlight(matcher: Matcher, candidate: str) -> Content:
    """`candidate` as plain text (never markup) with the fuzzy-matched letters styled."""
    content = Content(candidate)
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    if not score:
        return content
    for offset in offsets:
        if not candidate[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


Entry = tuple[str, str, Callable[[], object]]


class _JumpProvider(Provider):
    """Shared search over (title, help, callback) entries built at startup."""

    entries: list[Entry]

    @property
    def kb(self) -> KB4App:
        return cast("KB4App", self.app)

    def build(self) -> list[Entry]:
        raise NotImplementedError

    async def startup(self) -> None:
        self.entries = [(clean_text(t), clean_text(h), c) for t, h, c in self.build()]

    async def discover(self) -> Hits:
        for title, help_text, callback in self.entries[:DISCOVER_LIMIT]:
            yield DiscoveryHit(Content(title), callback, text=title, help=escape(help_text))

    async def search(self, query: str) -> AsyncGenerator[Hit, None]:
        matcher = self.matcher(query)
        for title, help_text, callback in self.entries:
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    literal_highlight(matcher, title),
                    callback,
                    text=title,
                    help=escape(help_text),
                )


class CampaignJump(_JumpProvider):
    """ "Campaign: <name>" opens the campaign's enrollments."""

    def build(self) -> list[Entry]:
        entries: list[Entry] = []
        for campaign in self.kb.repository.cached_campaigns():
            entries.append(
                (
                    f"Campaign: {campaign.name or campaign.campaign_id}",
                    f"{campaign.status or 'status unknown'} · open its enrollments",
                    partial(self._open, campaign),
                )
            )
        return entries

    def _open(self, campaign: Campaign) -> None:
        self.kb.open_campaign(campaign)


class ModuleJump(_JumpProvider):
    """ "Module: <name>" opens the module's enrollments and the campaigns using it."""

    def build(self) -> list[Entry]:
        return [
            (
                f"Module: {item.name or item.item_id}",
                f"{content_type_of(item)} · enrollments and campaigns using it",
                partial(self._open, item),
            )
            for item in self.kb.repository.cached_library()
        ]

    def _open(self, item: ContentItem) -> None:
        self.kb.open_module(item)


class UserJump(_JumpProvider):
    """ "User: <name> <email>" for every user seen in loaded enrollments."""

    def build(self) -> list[Entry]:
        # One row per user, from indices the repository builds once per stored list.
        users = self.kb.repository.cached_users()
        return [
            (
                f"User: {row.user_name} <{row.user_email}>",
                "all of this user's enrollments",
                partial(self._open, row),
            )
            for row in sorted(users, key=lambda r: r.user_name.casefold())
        ]

    def _open(self, row: Enrollment) -> None:
        self.kb.open_user(row, ["Users"])


class ProfileSwitch(_JumpProvider):
    """ "Profile: <name> (<region>)" starts the app again on that profile's account."""

    profiles: list[Profile]

    async def startup(self) -> None:
        # The config file is read off the event loop, once per palette opening.
        self.profiles = await self.kb.profile_switcher.profiles()
        await super().startup()

    def build(self) -> list[Entry]:
        current = self.kb.header_info.profile
        entries: list[Entry] = []
        for profile in self.profiles:
            where = profile.base_url or profile.region
            note = "the profile in use" if profile.name == current else "switch to this account"
            entries.append(
                (f"Profile: {profile.name} ({where})", note, partial(self._switch, profile))
            )
        return entries

    def _switch(self, profile: Profile) -> None:
        switcher = self.kb.profile_switcher
        self.kb.run_worker(
            switcher.switch(self.kb, profile), group="profile", exclusive=True, exit_on_error=False
        )
