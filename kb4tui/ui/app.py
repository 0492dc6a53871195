"""The Textual app: a thin shell around one session at a time.

It composes the screens, routes what they ask for (`kb4tui.ui.messages`: open a campaign,
a module, a user or an enrollment; confirm a refresh past the quota; export rows), turns
the session's events (`kb4tui.session.events`) into header updates, notifications and
view reloads, reports every failed load in one place, and switches profile. Everything
about data, the connection, the quota and revalidation lives in the session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.filter import LineFilter
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from kb4tui.api.errors import APIError
from kb4tui.api.models import Policy
from kb4tui.core.content import campaigns_using
from kb4tui.exitcodes import ExitCode
from kb4tui.gcpause import resume_collection
from kb4tui.sanitize import clean_text
from kb4tui.session.datasets import CAMPAIGNS
from kb4tui.session.enrollment_query import EnrollmentQuery
from kb4tui.session.events import (
    BackOnline,
    CannotStart,
    Notice,
    QuotaWarning,
    Revalidated,
    SessionEvent,
    StatusChanged,
)
from kb4tui.session.session import Session
from kb4tui.session.wiring import SessionFactory
from kb4tui.ui.commands import CampaignJump, GroupJump, ModuleJump, ProfileSwitch, UserJump
from kb4tui.ui.data_view import DataView
from kb4tui.ui.messages import (
    ConfirmFirstFill,
    ConfirmRefresh,
    DataRefreshed,
    ExportRows,
    LoadFailed,
    OpenCampaign,
    OpenEnrollment,
    OpenGroup,
    OpenModule,
    OpenPerson,
    OpenUser,
    SwitchProfile,
)
from kb4tui.ui.profiles import ProfileSwitcher
from kb4tui.ui.safety import (
    ControlCharacterFilter,
    TerminalWatch,
    guarded_line_filters,
    watch_terminal,
)
from kb4tui.ui.screens.base import ScreenContext, SessionScreen
from kb4tui.ui.screens.confirm_fill import ConfirmFillScreen
from kb4tui.ui.screens.confirm_quota import ConfirmQuotaScreen
from kb4tui.ui.screens.connection_failed import ConnectionFailedScreen
from kb4tui.ui.screens.enrollment_detail import EnrollmentDetailScreen
from kb4tui.ui.screens.enrollments import EnrollmentsScreen, IncompleteEnrollmentsScreen
from kb4tui.ui.screens.export import ExportDone, ExportScreen
from kb4tui.ui.screens.group import GroupScreen
from kb4tui.ui.screens.help import HelpScreen, help_text
from kb4tui.ui.screens.main import MainScreen
from kb4tui.ui.screens.person import PersonScreen
from kb4tui.ui.widgets.header import AppHeader

__all__ = ["KB4App", "SignInFlow", "binding_ids"]

# The cyclic collector (paused by `run_tui`) resumes at the latest this long after mount.
GC_RESUME_FALLBACK_SECONDS = 2.0
# How often the header is redrawn for the age of the data ("fetched 2 min ago").
HEADER_SECONDS = 1.0


# Said when the sign-in screen is cancelled: the demo needs no key, and a first-time user
# who has none yet should not leave thinking there is nothing to see.
SIGNED_OUT = (
    "Signed out: no API key was given; `kb4tui --demo` shows the product on a built-in "
    "demo organisation without one."
)


@dataclass(frozen=True, slots=True)
class SignInFlow:
    """No key was found: show `screen()`, then open the session `connect(result)` gives.

    The screen dismisses with None when the user cancels, which quits with exit code 2.
    """

    screen: Callable[[], Screen[Any]]
    connect: Callable[[Any], SessionFactory]


@dataclass
class SessionEventMessage(Message):
    """A session's event, handed to the app's message queue."""

    event: SessionEvent
    session: Session


def binding_ids() -> set[str]:
    """Every binding id declared by a loaded screen or widget (what [keys] may remap)."""
    ids: set[str] = set()
    classes: list[type[DOMNode]] = [DOMNode]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


class KB4App(App[int]):
    """`KB4App(session_factory=...)`, or `sign_in=` to ask for a key first."""

    TITLE = "kb4tui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {CampaignJump, ModuleJump, UserJump, GroupJump, ProfileSwitch}
    # The palette's "Profile: <name>" (run_tui gives it the crash guard; tests a transport).
    profile_switcher: ProfileSwitcher = ProfileSwitcher()
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012 (Textual's type)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding(
            "R", "refresh_all", "Refresh all", show=False, key_display="R", id="app.refresh_all"
        ),
    ]

    def __init__(
        self,
        session_factory: SessionFactory | None = None,
        *,
        sign_in: SignInFlow | None = None,
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        if session_factory is None and sign_in is None:
            raise ValueError("KB4App needs a session_factory or sign_in")
        # The config's [keys] table: binding id -> keys (the settings are read by the CLI).
        self.config_keymap: Mapping[str, str] = keymap or {}
        self.session_factory = session_factory
        self.sign_in = sign_in
        self._session: Session | None = None
        self._exit_stack = AsyncExitStack()
        self._terminal_watch: TerminalWatch | None = None
        # Last line of defence for API text: no control character reaches the terminal.
        self.render_guard = ControlCharacterFilter()

    def get_line_filters(self) -> Sequence[LineFilter]:
        return guarded_line_filters(super().get_line_filters(), self.render_guard)

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the session is not open yet")
        return self._session

    # -- lifecycle -------------------------------------------------------------------------

    async def on_mount(self) -> None:
        # The campaign list resumes the collector once drawn; this covers every other start
        # (sign-in, a connection error, a slow first page).
        self.set_timer(GC_RESUME_FALLBACK_SECONDS, resume_collection)
        # Over SSH: exit cleanly when the terminal goes away (None when there is none).
        self._terminal_watch = watch_terminal(self)
        self._apply_keymap()
        if self.session_factory is None and self.sign_in is not None:
            await self.push_screen(self.sign_in.screen(), self._signed_in)
            return
        self.set_interval(HEADER_SECONDS, self._redraw_header)
        await self._open(self.session_factory)

    def _apply_keymap(self) -> None:
        """Remap keys from the config's [keys] table (binding id -> keys); ids no binding
        has are ignored with a notice, so a typo does not pass silently."""
        if not self.config_keymap:
            return
        known = binding_ids()
        unknown = sorted(set(self.config_keymap) - known)
        if unknown:
            self.notify(
                clean_text(
                    "Unknown binding id in [keys], ignored: " + ", ".join(unknown) + ". "
                    "The help screen (?) lists each key's id."
                ),
                title="Keys",
                severity="warning",
                markup=False,
            )
        self.set_keymap({i: keys for i, keys in self.config_keymap.items() if i in known})

    async def _signed_in(self, result: Any) -> None:
        if result is None or self.sign_in is None:
            self.exit(return_code=ExitCode.AUTH, message=SIGNED_OUT)
            return
        self.set_interval(HEADER_SECONDS, self._redraw_header)
        await self._open(self.sign_in.connect(result))

    async def _open(self, factory: SessionFactory | None) -> None:
        """Open a session and show it, or say on the whole screen why it cannot open."""
        if factory is None:
            return
        self.session_factory = factory
        try:
            session = await self._exit_stack.enter_async_context(factory())
        except APIError as error:
            await self.push_screen(ConnectionFailedScreen(error.sentence, error.exit_code))
            return
        self._session = session

        def hand_over(event: SessionEvent) -> None:
            self.post_message(SessionEventMessage(event, session))

        session.subscribe(hand_over)
        await self.push_screen(MainScreen(self._screen_context(session)))
        session.start()

    def _screen_context(self, session: Session) -> ScreenContext:
        return ScreenContext(session, self.profile_switcher.profiles)

    async def on_unmount(self) -> None:
        if self._terminal_watch is not None:
            self._terminal_watch.stop()
        await self._exit_stack.aclose()

    async def switch_session(self, factory: SessionFactory) -> None:
        """Start again on another profile's session (the palette's "Profile: ...").

        The old profile's screens, workers and session (its client and everything it
        memoised) all go first, so no data crosses from one account to another.
        """
        self.workers.cancel_node(self)
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        old, self._exit_stack = self._exit_stack, AsyncExitStack()
        self._session = None
        await old.aclose()
        await self._open(factory)

    # -- the session's events --------------------------------------------------------------

    @on(SessionEventMessage)
    async def _session_event(self, message: SessionEventMessage) -> None:
        event = message.event
        if message.session is not self._session:
            return  # queued before a profile switch: that session is gone
        if isinstance(event, StatusChanged):
            self._redraw_header()
        elif isinstance(event, BackOnline):
            if event.announce:
                self.notify("The KnowBe4 API can be reached again.", markup=False)
            # Views that could not load meanwhile load now, without waiting for `r` (not
            # those that failed otherwise: a 403 would only fail again).
            for view in self._views():
                if view.failed_offline:
                    view.reload()
        elif isinstance(event, Revalidated):
            for view in self._views():
                if view.fetched_at is not None and view.shows_any(event.datasets):
                    view.reload()
        elif isinstance(event, QuotaWarning):
            self.notify(
                f"{event.used:,} of today's {event.limit:,} API requests are used (80% or more).",
                title="API quota",
                severity="warning",
                markup=False,
            )
        elif isinstance(event, Notice):
            self.notify(
                clean_text(event.text), title=event.title, severity=event.severity, markup=False
            )
        elif isinstance(event, CannotStart):
            # Nothing cached and no API: nothing to browse, say so on the whole screen.
            await self.push_screen(ConnectionFailedScreen(event.sentence, event.exit_code))

    def _views(self) -> Iterator[DataView]:
        """Every view that shows session data, on every screen of the stack."""
        for screen in self.screen_stack:
            for node in screen.walk_children(with_self=True):
                if isinstance(node, DataView):
                    yield node

    def _redraw_header(self) -> None:
        for screen in self.screen_stack[-1:]:  # none while the app shuts down
            for header in screen.query(AppHeader):
                header.refresh()

    # -- what screens and panes ask for ----------------------------------------------------

    @on(DataRefreshed)
    def _data_refreshed(self) -> None:
        self._redraw_header()

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        """The one place a failed load is reported (the view shows it in place too)."""
        self._report(message.error, message.while_loading)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's own workers (a profile switch) fail through the same route."""
        worker: Worker[Any] = event.worker
        if event.state is WorkerState.ERROR and worker.error is not None:
            self._report(worker.error, worker.group)

    def _report(self, error: BaseException, while_loading: str) -> None:
        if self._session is not None:
            self._session.report_failure(error, while_loading)
            return
        self.notify(
            clean_text(f"Unexpected {type(error).__name__} while loading {while_loading}: {error}"),
            title="Something went wrong",
            severity="error",
            markup=False,
        )

    @on(ConfirmRefresh)
    def _confirm_refresh(self, message: ConfirmRefresh) -> None:
        used, limit = self.session.quota_usage()

        def answered(answer: bool | None) -> None:
            if answer:
                message.proceed()

        self.push_screen(ConfirmQuotaScreen(message.needed, used, limit), answered)

    @on(ConfirmFirstFill)
    def _confirm_first_fill(self, message: ConfirmFirstFill) -> None:
        used, limit = self.session.quota_usage()

        def answered(answer: bool | None) -> None:
            message.answer(bool(answer))

        self.push_screen(ConfirmFillScreen(message.needed, message.what, used, limit), answered)

    def action_refresh_all(self) -> None:
        """`R`: fetch everything shown again (asks first if it would pass the quota)."""
        session = self._session
        if session is None:
            return
        shown = [
            d for view in self._views() if view.fetched_at is not None for d in view.datasets()
        ]
        datasets = session.everything(shown)
        needed = session.refresh_cost(datasets)
        if session.quota_would_pass(needed):
            used, limit = session.quota_usage()

            def answered(answer: bool | None) -> None:
                if answer:
                    session.refresh_now(datasets)

            self.push_screen(ConfirmQuotaScreen(needed, used, limit), answered)
            return
        session.refresh_now(datasets)

    @on(ExportRows)
    def _export(self, message: ExportRows) -> None:
        """Ask for a format and a file, then write the rows the view gave."""
        screen = self.screen
        crumbs = screen.crumbs if isinstance(screen, SessionScreen) else []
        context = str(crumbs[-1]) if crumbs else None  # pushed screens name what they show
        today = self.session.clock().date()
        export = ExportScreen(message.spec, message.items, context=context, today=today)
        self.push_screen(export, self._exported)

    def _exported(self, result: ExportDone | None) -> None:
        if result is None:
            return
        rows = "row" if result.rows == 1 else "rows"
        self.notify(
            f"Exported {result.rows:,} {rows} to {result.path}", title="Export", markup=False
        )

    @on(SwitchProfile)
    def _switch_profile(self, message: SwitchProfile) -> None:
        self.run_worker(
            self.profile_switcher.switch(self, message.profile),
            group="profile",
            exclusive=True,
            exit_on_error=False,
        )

    # -- navigation ------------------------------------------------------------------------

    @on(OpenCampaign)
    def _open_campaign(self, message: OpenCampaign) -> None:
        campaign = message.campaign
        if campaign.campaign_id is None:
            self.notify("This campaign has no id, so its enrollments cannot be fetched.")
            return
        crumbs = [message.origin, campaign.name or str(campaign.campaign_id)]
        query = EnrollmentQuery(campaign_id=campaign.campaign_id)
        context = self._screen_context(self.session)
        if message.incomplete_only:
            self.push_screen(IncompleteEnrollmentsScreen(context, query, crumbs))
        else:
            self.push_screen(EnrollmentsScreen(context, query, crumbs))

    @on(OpenModule)
    def _open_module(self, message: OpenModule) -> None:
        item = message.item
        campaigns = self.session.cached(CAMPAIGNS) or []
        used = campaigns_using(item, campaigns)
        note = "Used by: " + (", ".join(c.name or "?" for c in used) or "no campaign")
        if isinstance(item, Policy):
            query = EnrollmentQuery(policy_id=item.policy_id, module_name=item.name)
        elif item.store_purchase_id is not None:
            query = EnrollmentQuery(store_purchase_id=item.store_purchase_id)
        else:
            query = EnrollmentQuery(module_name=item.name)
        crumbs = ["Library", item.name or "?"]
        self.push_screen(
            EnrollmentsScreen(self._screen_context(self.session), query, crumbs, note=note)
        )

    @on(OpenUser)
    def _open_user(self, message: OpenUser) -> None:
        query = EnrollmentQuery(user_id=message.user_id)
        crumbs = [*message.crumbs, message.name]
        self.push_screen(EnrollmentsScreen(self._screen_context(self.session), query, crumbs))

    @on(OpenPerson)
    def _open_person(self, message: OpenPerson) -> None:
        user = message.user
        crumbs = [*message.crumbs, user.full_name or f"user {user.id}"]
        self.push_screen(PersonScreen(self._screen_context(self.session), user, crumbs))

    @on(OpenGroup)
    def _open_group(self, message: OpenGroup) -> None:
        crumbs = [*message.crumbs, message.name]
        context = self._screen_context(self.session)
        self.push_screen(GroupScreen(context, message.group_id, crumbs, message.campaign_id))

    @on(OpenEnrollment)
    def _open_enrollment(self, message: OpenEnrollment) -> None:
        enrollment = message.enrollment
        label = f"{enrollment.user_name or '(no user)'} · {enrollment.module or '?'}"
        crumbs = [*message.crumbs, label]
        context = self._screen_context(self.session)
        self.push_screen(EnrollmentDetailScreen(context, enrollment, crumbs, message.fetched_at))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        screen = self.screen
        crumbs = screen.crumbs if isinstance(screen, SessionScreen) else []
        title = "Keys: " + (" > ".join(crumbs) if crumbs else "main screen")
        self.push_screen(HelpScreen(help_text(self.screen), title))
