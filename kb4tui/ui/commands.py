"""Command palette providers: jump to a campaign, a module, a user or a group; switch
profile.

Each provider snapshots what is already loaded when the palette opens (`startup`), from
the session of the nearest session screen on the stack (the palette may be opened over
the help screen), so typing never waits on the network. Choosing an entry posts the same
message as the tables do (`kb4tui.ui.messages`). Names come from the API, so they are
shown literally: Textual's `Matcher.highlight` and `Hit.help` parse markup, which would
crash or restyle on a campaign called "[/Q3] Phish"; we build the highlighted `Content`
ourselves.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from functools import partial

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape
from textual.message import Message

from kb4tui.api.models import Campaign, ContentItem, Enrollment
from kb4tui.core.content import content_type_of
from kb4tui.sanitize import clean_text
from kb4tui.session.datasets import CAMPAIGNS, GROUPS, LIBRARY
from kb4tui.store.config import Profile
from kb4tui.ui.messages import OpenCampaign, OpenGroup, OpenModule, OpenUser, SwitchProfile
from kb4tui.ui.screens.base import ScreenContext, SessionScreen
from kb4tui.ui.screens.enrollments import user_label

__all__ = [
    "CampaignJump",
    "GroupJump",
    "ModuleJump",
    "ProfileSwitch",
    "UserJump",
    "literal_highlight",
]

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


def screen_context(app: App[object]) -> ScreenContext | None:
    """The context of the nearest session screen on the stack (None before sign-in)."""
    for screen in reversed(app.screen_stack):
        if isinstance(screen, SessionScreen):
            return screen.context
    return None


class _JumpProvider(Provider):
    """Shared search over (title, help, callback) entries built at startup."""

    entries: list[Entry]

    def build(self, context: ScreenContext) -> list[Entry]:
        raise NotImplementedError

    def send(self, message: Message) -> None:
        self.app.post_message(message)

    async def startup(self) -> None:
        context = screen_context(self.app)
        entries = self.build(context) if context is not None else []
        self.entries = [(clean_text(t), clean_text(h), c) for t, h, c in entries]

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

    def build(self, context: ScreenContext) -> list[Entry]:
        return [
            (
                f"Campaign: {campaign.name or campaign.campaign_id}",
                f"{campaign.status or 'status unknown'} · open its enrollments",
                partial(self._open, campaign),
            )
            for campaign in context.session.cached(CAMPAIGNS) or []
        ]

    def _open(self, campaign: Campaign) -> None:
        self.send(OpenCampaign(campaign))


class ModuleJump(_JumpProvider):
    """ "Module: <name>" opens the module's enrollments and the campaigns using it."""

    def build(self, context: ScreenContext) -> list[Entry]:
        return [
            (
                f"Module: {item.name or item.item_id}",
                f"{content_type_of(item)} · enrollments and campaigns using it",
                partial(self._open, item),
            )
            for item in context.session.cached(LIBRARY) or []
        ]

    def _open(self, item: ContentItem) -> None:
        self.send(OpenModule(item))


class UserJump(_JumpProvider):
    """ "User: <name> <email>" for every user seen in loaded enrollments."""

    def build(self, context: ScreenContext) -> list[Entry]:
        # One row per user, from indices the repository builds once per stored list.
        users = context.session.cached_users()
        return [
            (
                f"User: {row.user_name} <{row.user_email}>",
                "all of this user's enrollments",
                partial(self._open, row),
            )
            for row in sorted(users, key=lambda r: r.user_name.casefold())
        ]

    def _open(self, row: Enrollment) -> None:
        if row.user_id is not None:
            self.send(OpenUser(row.user_id, user_label(row), ["Users"]))


class GroupJump(_JumpProvider):
    """ "Group: <name>" opens the group's members and their standing in a campaign (the
    groups are known once the People pane has loaded them)."""

    def build(self, context: ScreenContext) -> list[Entry]:
        groups = [g for g in context.session.cached(GROUPS) or [] if g.id is not None]
        return [
            (
                f"Group: {group.label}",
                f"{_members(group.member_count)} · members and their training",
                partial(self._open, group.id, group.label),
            )
            for group in sorted(groups, key=lambda g: g.label.casefold())
            if group.id is not None
        ]

    def _open(self, group_id: int, name: str) -> None:
        self.send(OpenGroup(group_id, name, ["Groups"]))


def _members(count: int | None) -> str:
    return "members not reported" if count is None else f"{count:,} members"


class ProfileSwitch(_JumpProvider):
    """ "Profile: <name> (<region>)" starts the app again on that profile's account."""

    profiles: list[Profile]

    async def startup(self) -> None:
        # The config file is read off the event loop, once per palette opening.
        context = screen_context(self.app)
        self.profiles = await context.profiles() if context is not None else []
        await super().startup()

    def build(self, context: ScreenContext) -> list[Entry]:
        current = context.session.profile
        entries: list[Entry] = []
        for profile in self.profiles:
            where = profile.base_url or profile.region
            note = "the profile in use" if profile.name == current else "switch to this account"
            entries.append(
                (f"Profile: {profile.name} ({where})", note, partial(self._switch, profile))
            )
        return entries

    def _switch(self, profile: Profile) -> None:
        self.send(SwitchProfile(profile))
