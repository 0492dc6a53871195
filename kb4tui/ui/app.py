"""The Textual app: owns the repository, the header facts and navigation between screens.

Screens ask the app to open things (`open_campaign`, `open_module`, `open_user`,
`open_enrollment`) so the palette and the tables share one way in. Data comes only from
`kb4tui.repository.Repository`; API errors are shown as their one-sentence resolution.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from kb4tui.api.errors import APIError
from kb4tui.api.models import Campaign, ContentItem, Enrollment, Policy
from kb4tui.repository import EnrollmentQuery, Repository
from kb4tui.sanitize import clean_text
from kb4tui.ui.commands import CampaignJump, ModuleJump, ProfileSwitch, UserJump
from kb4tui.ui.profiles import ProfileSwitcher
from kb4tui.ui.safety import TerminalWatch, install_render_guard, watch_terminal
from kb4tui.ui.screens.enrollment_detail import EnrollmentDetailScreen
from kb4tui.ui.screens.enrollments import EnrollmentsScreen
from kb4tui.ui.screens.help import HelpScreen, help_text
from kb4tui.ui.screens.main import MainScreen
from kb4tui.ui.widgets.header import AppHeader, HeaderInfo
from kb4tui.ui.widgets.library_pane import campaigns_using

__all__ = ["KB4App", "RepositoryFactory", "SignInFlow"]

# Opens the connection inside the app's event loop (an httpx client must be created and
# closed on the loop that uses it) and closes it when the app exits.
RepositoryFactory = Callable[[], AbstractAsyncContextManager[Repository]]


@dataclass(frozen=True, slots=True)
class SignInFlow:
    """No key was found: show `screen()`, then open the repository `connect(result)` gives.

    The screen dismisses with None when the user cancels, which quits with exit code 2.
    """

    screen: Callable[[], Screen[Any]]
    connect: Callable[[Any], RepositoryFactory]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ConnectionFailedScreen(Screen[None]):
    """Shown when the repository cannot be opened at all (e.g. the key is rejected)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape", "quit", "Quit", id="connection.quit"),
    ]

    def __init__(self, sentence: str, exit_code: int) -> None:
        super().__init__()
        self.sentence = sentence
        self.exit_code = exit_code

    def action_quit(self) -> None:
        """Quit with the command line's exit code for this error (2 auth, 3 network)."""
        self.app.exit(return_code=self.exit_code)

    def compose(self) -> ComposeResult:
        text = Text("kb4tui could not connect\n\n", style="bold")
        text.append(self.sentence)
        text.append("\n\nPress q to quit.", style="dim")
        yield Static(text, id="connection-error", markup=False)


class KB4App(App[int]):
    """`KB4App(repository)` for an open repository, or `repository_factory=` to open one."""

    TITLE = "kb4tui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {CampaignJump, ModuleJump, UserJump, ProfileSwitch}
    # The palette's "Profile: <name>" (run_tui gives it the crash guard; tests a transport).
    profile_switcher: ProfileSwitcher = ProfileSwitcher()
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012 (Textual's type)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
    ]

    def __init__(
        self,
        repository: Repository | None = None,
        *,
        repository_factory: RepositoryFactory | None = None,
        sign_in: SignInFlow | None = None,
        profile: str | None = None,
        region: str = "us",
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        super().__init__()
        if repository is None and repository_factory is None and sign_in is None:
            raise ValueError("KB4App needs a repository, a repository_factory or sign_in")
        self._repository = repository
        self._factory = repository_factory
        self._sign_in = sign_in
        self._exit_stack = AsyncExitStack()
        self._terminal_watch: TerminalWatch | None = None
        self.clock = clock
        self.header_info = HeaderInfo(profile=profile, region=region)
        # Last line of defence for API text: no control character reaches the terminal.
        install_render_guard(self)

    @property
    def repository(self) -> Repository:
        if self._repository is None:
            raise RuntimeError("the repository is not open yet")
        return self._repository

    # -- lifecycle -------------------------------------------------------------------------

    async def on_mount(self) -> None:
        # Over SSH: exit cleanly when the terminal goes away (None when there is none).
        self._terminal_watch = watch_terminal(self)
        if self._repository is None and self._factory is None and self._sign_in is not None:
            await self.push_screen(self._sign_in.screen(), self._signed_in)
            return
        await self._start()

    async def _signed_in(self, result: Any) -> None:
        if result is None or self._sign_in is None:
            self.exit(return_code=2, message="Signed out: no API key was given.")
            return
        self._factory = self._sign_in.connect(result)
        self.header_info.profile = getattr(result, "profile", self.header_info.profile)
        self.header_info.region = getattr(result, "region", self.header_info.region)
        await self._start()

    async def _start(self) -> None:
        if self._repository is None and self._factory is not None:
            try:
                self._repository = await self._exit_stack.enter_async_context(self._factory())
            except APIError as error:
                await self.push_screen(ConnectionFailedScreen(error.sentence, error.exit_code))
                return
        await self.push_screen(MainScreen())
        self.load_account()
        # Often enough to show "retrying…" while the client backs off; one line to redraw.
        self.set_interval(0.5, self.refresh_header)

    async def on_unmount(self) -> None:
        if self._terminal_watch is not None:
            self._terminal_watch.stop()
        await self._exit_stack.aclose()

    @work(group="account", exclusive=True, exit_on_error=False)
    async def load_account(self, refresh: bool = False) -> None:
        """The account name and seat count for the header; failures are reported once."""
        try:
            account = (await self.repository.account(refresh=refresh)).value
        except APIError as error:
            self.report_error(error)
            return
        self.header_info.account = account.name
        self.header_info.daily_quota = account.daily_quota
        self.refresh_header()

    def refresh_header(self) -> None:
        if self._repository is not None:
            self.header_info.requests_today = self._repository.requests_today
            self.header_info.retrying, self.header_info.last_failure = self._repository.retrying
        for header in self.screen.query(AppHeader):
            header.refresh()

    def report_error(self, error: APIError) -> None:
        """An API error as a toast; the screen that failed also shows it in place."""
        self.notify(clean_text(error.sentence), title="KnowBe4 API", severity="error", markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.worker_failed(event.worker)

    def worker_failed(self, worker: Worker[Any]) -> None:
        """The safety net: anything a worker did not expect becomes a message, not a crash.

        Worker.StateChanged does not bubble, so the widgets that own workers forward theirs
        here (BrowsePane, EnrollmentsScreen).
        """
        if worker.state is not WorkerState.ERROR or worker.error is None:
            return
        error = worker.error
        if isinstance(error, APIError):
            self.report_error(error)
            return
        self.notify(
            clean_text(f"Unexpected {type(error).__name__} while loading {worker.group}: {error}"),
            title="Something went wrong",
            severity="error",
            markup=False,
        )

    # -- navigation ------------------------------------------------------------------------

    def open_campaign(self, campaign: Campaign) -> None:
        if campaign.campaign_id is None:
            self.notify("This campaign has no id, so its enrollments cannot be fetched.")
            return
        self.push_screen(
            EnrollmentsScreen(
                EnrollmentQuery(campaign_id=campaign.campaign_id),
                ["Campaigns", campaign.name or str(campaign.campaign_id)],
            )
        )

    def open_module(self, item: ContentItem) -> None:
        used = campaigns_using(item, self.repository.cached_campaigns())
        context = "Used by: " + (", ".join(c.name or "?" for c in used) or "no campaign")
        if isinstance(item, Policy):
            query = EnrollmentQuery(policy_id=item.policy_id, module_name=item.name)
        elif item.store_purchase_id is not None:
            query = EnrollmentQuery(store_purchase_id=item.store_purchase_id)
        else:
            query = EnrollmentQuery(module_name=item.name)
        self.push_screen(EnrollmentsScreen(query, ["Library", item.name or "?"], context=context))

    def open_user(self, enrollment: Enrollment, crumbs: Sequence[str]) -> None:
        if enrollment.user_id is None:
            self.notify("This enrollment has no user id.", severity="warning")
            return
        name = enrollment.user_name or enrollment.user_email or str(enrollment.user_id)
        self.push_screen(
            EnrollmentsScreen(EnrollmentQuery(user_id=enrollment.user_id), [*crumbs, name])
        )

    def open_enrollment(self, enrollment: Enrollment, crumbs: Sequence[str]) -> None:
        label = f"{enrollment.user_name or '(no user)'} · {enrollment.module or '?'}"
        self.push_screen(EnrollmentDetailScreen(enrollment, [*crumbs, label]))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        crumbs = getattr(self.screen, "crumbs", None)
        title = "Keys: " + (" > ".join(crumbs) if crumbs else "main screen")
        self.push_screen(HelpScreen(help_text(self.screen), title))

    async def switch_repository(
        self, factory: RepositoryFactory, *, profile: str, region: str
    ) -> None:
        """Start again on another profile's connection (the palette's "Profile: ...").

        The old profile's screens, workers and repository (its client and everything it
        memoised) all go first, so no data crosses from one account to another.
        """
        self.workers.cancel_node(self)
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        old, self._exit_stack = self._exit_stack, AsyncExitStack()
        self._repository = None
        self._factory = factory
        self.header_info = HeaderInfo(profile=profile, region=region)
        await old.aclose()
        try:
            self._repository = await self._exit_stack.enter_async_context(factory())
        except APIError as error:
            await self.push_screen(ConnectionFailedScreen(error.sentence, error.exit_code))
            return
        await self.push_screen(MainScreen())
        self.load_account()
