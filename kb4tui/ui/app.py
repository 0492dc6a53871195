"""The Textual app: owns the repository, the header facts and navigation between screens.

Screens ask the app to open things (`open_campaign`, `open_module`, `open_user`,
`open_enrollment`) so the palette and the tables share one way in. Data comes only from
`kb4tui.repository.Repository`; API errors are shown as their one-sentence resolution.

With the disk cache the views show cached data at once; the app then revalidates whatever
was served stale in the background and redraws those views from the memo (cursor and
filter kept). When the API cannot be reached the header says "offline: data from <time>"
and the app quietly tries again every `offline_retry_seconds`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.actions import ActionParseResult
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.filter import LineFilter
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from kb4tui.api.errors import APIError, NetworkError
from kb4tui.api.models import Campaign, ContentItem, Enrollment, Policy
from kb4tui.core.content import campaigns_using
from kb4tui.exitcodes import ExitCode
from kb4tui.gcpause import resume_collection
from kb4tui.repository import ALL_ENROLLMENTS, EnrollmentQuery, Repository
from kb4tui.sanitize import clean_text
from kb4tui.ui.commands import CampaignJump, ModuleJump, ProfileSwitch, UserJump
from kb4tui.ui.profiles import ProfileSwitcher
from kb4tui.ui.safety import (
    ControlCharacterFilter,
    TerminalWatch,
    guarded_line_filters,
    watch_terminal,
)
from kb4tui.ui.screens.enrollment_detail import EnrollmentDetailScreen
from kb4tui.ui.screens.enrollments import EnrollmentsScreen
from kb4tui.ui.screens.help import HelpScreen, help_text
from kb4tui.ui.screens.main import MainScreen
from kb4tui.ui.widgets.campaigns_pane import CampaignsPane
from kb4tui.ui.widgets.compliance_pane import CompliancePane
from kb4tui.ui.widgets.header import AppHeader, HeaderInfo
from kb4tui.ui.widgets.library_pane import LibraryPane

__all__ = ["ConfirmQuotaScreen", "KB4App", "RepositoryFactory", "SignInFlow", "binding_ids"]

# Opens the connection inside the app's event loop (an httpx client must be created and
# closed on the loop that uses it) and closes it when the app exits.
RepositoryFactory = Callable[[], AbstractAsyncContextManager[Repository]]

# The cyclic collector (paused by `run_tui`) resumes at the latest this long after mount.
GC_RESUME_FALLBACK_SECONDS = 2.0


# Said when the sign-in screen is cancelled: the demo needs no key, and a first-time user
# who has none yet should not leave thinking there is nothing to see.
SIGNED_OUT = (
    "Signed out: no API key was given; `kb4tui --demo` shows the product on a built-in "
    "demo organisation without one."
)


@dataclass(frozen=True, slots=True)
class SignInFlow:
    """No key was found: show `screen()`, then open the repository `connect(result)` gives.

    The screen dismisses with None when the user cancels, which quits with exit code 2.
    """

    screen: Callable[[], Screen[Any]]
    connect: Callable[[Any], RepositoryFactory]


def _utcnow() -> datetime:
    return datetime.now(UTC)


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


class ConfirmQuotaScreen(ModalScreen[bool]):
    """Asks before a refresh that would go past the day's API quota."""

    DEFAULT_CSS = """
    ConfirmQuotaScreen { align: center middle; }
    ConfirmQuotaScreen > Vertical {
        width: 64; height: auto; padding: 1 2;
        border: thick $warning; background: $surface;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Refresh anyway", id="quota.confirm"),
        Binding("n,escape", "answer(False)", "Keep cached data", id="quota.cancel"),
    ]

    def __init__(self, needed: int, used: int, limit: int) -> None:
        super().__init__()
        self.needed, self.used, self.limit = needed, used, limit

    def compose(self) -> ComposeResult:
        text = Text("Refresh past the daily API quota?\n\n", style="bold")
        text.append(
            f"This refresh needs about {self.needed:,} requests; {self.used:,} of "
            f"{self.limit:,} are used in the last 24 hours. Requests past the quota are "
            "refused until the day rolls over.\n\n"
        )
        text.append("y: refresh anyway   n: keep the cached data", style="dim")
        with Vertical():
            yield Static(text, id="quota-confirm", markup=False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


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
        Binding(
            "R", "refresh_all", "Refresh all", show=False, key_display="R", id="app.refresh_all"
        ),
    ]
    # How long to wait before trying the API again while offline.
    offline_retry_seconds: float = 30.0

    def __init__(
        self,
        repository: Repository | None = None,
        *,
        repository_factory: RepositoryFactory | None = None,
        sign_in: SignInFlow | None = None,
        profile: str | None = None,
        region: str = "us",
        clock: Callable[[], datetime] = _utcnow,
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        # The config's [keys] table: binding id -> keys (the settings are read by the CLI).
        self.config_keymap: Mapping[str, str] = keymap or {}
        if repository is None and repository_factory is None and sign_in is None:
            raise ValueError("KB4App needs a repository, a repository_factory or sign_in")
        self._repository = repository
        self._factory = repository_factory
        self._sign_in = sign_in
        self._exit_stack = AsyncExitStack()
        self._terminal_watch: TerminalWatch | None = None
        self.clock = clock
        self.header_info = HeaderInfo(profile=profile, region=region)
        self._retry_timer: Timer | None = None
        self._revalidating = False
        self._flushing = False
        self._quota_warned = False
        self._offline_wait = False  # offline: wait for the retry timer, not every tick
        self._offline_early = False  # the banner is up while the client still retries
        # Last line of defence for API text: no control character reaches the terminal.
        self.render_guard = ControlCharacterFilter()

    def get_line_filters(self) -> Sequence[LineFilter]:
        return guarded_line_filters(super().get_line_filters(), self.render_guard)

    @property
    def repository(self) -> Repository:
        if self._repository is None:
            raise RuntimeError("the repository is not open yet")
        return self._repository

    # -- lifecycle -------------------------------------------------------------------------

    async def on_mount(self) -> None:
        # The campaign list resumes the collector once drawn; this covers every other start
        # (sign-in, a connection error, a slow first page).
        self.set_timer(GC_RESUME_FALLBACK_SECONDS, resume_collection)
        # Over SSH: exit cleanly when the terminal goes away (None when there is none).
        self._terminal_watch = watch_terminal(self)
        self._apply_keymap()
        if self._repository is None and self._factory is None and self._sign_in is not None:
            await self.push_screen(self._sign_in.screen(), self._signed_in)
            return
        await self._start()

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
        if result is None or self._sign_in is None:
            self.exit(return_code=ExitCode.AUTH, message=SIGNED_OUT)
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
        self.set_interval(0.5, self._tick)

    async def on_unmount(self) -> None:
        if self._terminal_watch is not None:
            self._terminal_watch.stop()
        await self._exit_stack.aclose()

    @work(group="account", exclusive=True, exit_on_error=False)
    async def load_account(self, refresh: bool = False) -> None:
        """The account name and seat count for the header; failures are reported once."""
        repository = self.repository
        try:
            account = (await repository.account(refresh=refresh)).value
        except NetworkError as error:
            if repository.cache is not None and repository.latest_fetch() is None:
                # Nothing cached and no API: nothing to browse, say so on the whole screen.
                await self.push_screen(
                    ConnectionFailedScreen(
                        f"{error.sentence} There is no cached data for profile "
                        f"{self.header_info.profile or 'default'} yet, so there is nothing "
                        "to show offline.",
                        error.exit_code,
                    )
                )
                return
            self._went_offline(None)
            return
        except APIError as error:
            self.report_error(error)
            return
        self.header_info.account = account.name
        self.header_info.daily_quota = account.daily_quota
        if repository.quota is not None:
            await asyncio.to_thread(repository.quota.set_seats, account.number_of_seats)
        self.refresh_header()

    def refresh_header(self) -> None:
        repository = self._repository
        if repository is not None:
            if repository.quota is not None:
                status = repository.quota.status
                self.header_info.requests_today = status.used + repository.quota.pending
                self.header_info.daily_quota = status.limit
                self.header_info.quota_warning = status.warning
            else:
                self.header_info.requests_today = repository.requests_today
            self.header_info.retrying, self.header_info.last_failure = repository.retrying
            self._track_reachability(repository)
        for header in self.screen.query(AppHeader):
            header.refresh()

    # -- cache, quota and offline ------------------------------------------------------------

    def _tick(self) -> None:
        """Every half second: header, cache notices, quota batch, background revalidation."""
        self.refresh_header()
        repository = self._repository
        if repository is None:
            return
        for notice in repository.pop_notices():
            self.notify(clean_text(notice), title="Cache", severity="warning", markup=False)
        if repository.quota is not None and not self._flushing:
            self._flushing = True
            self.flush_quota()
        if repository.has_stale and not self._revalidating and not self._offline_wait:
            self._revalidating = True
            self.revalidate()

    @work(group="quota", thread=True, exit_on_error=False)
    def flush_quota(self) -> None:
        """Write the batched request count (sqlite) off the event loop."""
        try:
            quota = self.repository.quota
            if quota is not None:
                status = quota.flush()
                self.call_from_thread(self._quota_flushed, status.warning)
        finally:
            self._flushing = False

    def _quota_flushed(self, warning: bool) -> None:
        if warning and not self._quota_warned:
            self._quota_warned = True
            quota = self.repository.quota
            used, limit = (quota.status.used, quota.status.limit) if quota else (0, 0)
            self.notify(
                f"{used:,} of today's {limit:,} API requests are used (80% or more).",
                title="API quota",
                severity="warning",
                markup=False,
            )
        self.refresh_header()

    @work(group="revalidate", exclusive=True, exit_on_error=False)
    async def revalidate(self, force: bool = False) -> None:
        """Fetch again what was served stale, then redraw those views in place.

        In the background a refetch that would pass the day's quota is skipped (`force`:
        the user said yes to it)."""
        repository = self.repository
        stale = repository.take_stale()
        try:
            if (
                not force
                and repository.quota is not None
                and repository.quota.would_exceed(repository.estimate_requests(list(stale)))
            ):
                return  # not in the background: `R` asks before spending past the quota
            done: dict[str, EnrollmentQuery | None] = {}
            for key, query in stale.items():
                try:
                    await repository.revalidate(key, query)
                except NetworkError:
                    repository.requeue({k: q for k, q in stale.items() if k not in done})
                    self._went_offline(repository.latest_fetch())
                    return
                except APIError as error:
                    self.report_error(error)
                    continue
                done[key] = query
            self._back_online()
            self.reload_views(set(done))
        finally:
            self._revalidating = False

    def _track_reachability(self, repository: Repository) -> None:
        """Say "offline" as soon as a request cannot reach the API, not when the client
        gives up on it (its retries last up to a minute); take the banner down when an
        answer comes back before then. Requests that stop trying without an answer (given
        up, or cancelled with their view) leave the app offline proper, whose quiet probe
        decides when the API is back: nothing else might ask again. With nothing cached,
        the loading views say what failed."""
        if self._offline_early:
            if not repository.unreachable:  # an answer came back
                self._offline_early = False
                self.header_info.offline_since = None
            elif not repository.retrying_unreachable:  # they stopped trying, unanswered
                self._went_offline(self.header_info.offline_since)
            return
        if not repository.unreachable or self.header_info.offline_since is not None:
            return
        data_from = repository.latest_fetch()
        if data_from is None:
            return
        if repository.retrying_unreachable:
            self.header_info.offline_since = data_from
            self._offline_early = True
        else:
            # Found no server and stopped without anyone saying so (a cancelled view, a
            # pane that shows its own error, retries shorter than a tick).
            self._went_offline(data_from)

    def _went_offline(self, data_from: datetime | None) -> None:
        """Show the banner and try again quietly later (the timer dies with the app)."""
        self._offline_early = False  # offline proper: the banner stays until `_back_online`
        repository = self.repository
        moment = data_from or repository.latest_fetch()
        self.header_info.offline_since = moment or self.clock()
        self._offline_wait = True
        if not repository.has_stale:
            # Something to try when the timer fires: the account costs one request.
            repository.requeue({"account": None})
        if self._retry_timer is not None:
            self._retry_timer.stop()
        self._retry_timer = self.set_timer(self.offline_retry_seconds, self._retry_offline)
        self.refresh_header()

    def _retry_offline(self) -> None:
        self._retry_timer = None
        self._offline_wait = False  # the banner stays until a request gets through
        if self._repository is not None and not self._revalidating:
            self._revalidating = True
            self.revalidate()

    def _back_online(self) -> None:
        if self.header_info.offline_since is not None:
            self.header_info.offline_since = None
            if not self._offline_early:  # a blip while retrying needs no announcement
                self.notify("The KnowBe4 API can be reached again.", markup=False)
            self._offline_early = False
            self._reload_failed_views()
        self.refresh_header()

    def _reload_failed_views(self) -> None:
        """Views that could not load while offline load now, without waiting for `r`
        (not those that failed otherwise: a 403 would only fail again)."""
        for screen in self.screen_stack:
            for pane in screen.query(CampaignsPane):
                if pane.failed_offline:
                    pane.load()
            for library in screen.query(LibraryPane):
                if library.failed_offline:
                    library.load()
            for compliance in screen.query(CompliancePane):
                if compliance.failed_offline:
                    compliance.load()
            if isinstance(screen, EnrollmentsScreen) and screen.pane.failed_offline:
                screen.load()

    def reload_views(self, keys: set[str]) -> None:
        """Redraw every open view that shows one of `keys` from the (now fresh) memo."""
        if "account" in keys:
            self.load_account()
        enrollments = {k for k in keys if k.startswith("enrollments:")}
        for screen in self.screen_stack:
            if "campaigns" in keys:
                for pane in screen.query(CampaignsPane):
                    pane.load()
            if "library" in keys:
                for library in screen.query(LibraryPane):
                    if library.fetched_at is not None:
                        library.load()
            if keys & {"campaigns", "library", ALL_ENROLLMENTS}:
                for compliance in screen.query(CompliancePane):
                    if compliance.fetched_at is not None:
                        compliance.load()
            if isinstance(screen, EnrollmentsScreen) and (
                ALL_ENROLLMENTS in enrollments or screen.query_spec.memo_key in enrollments
            ):
                screen.load()

    # The screens' and panes' own refresh keys (`r`): what each refetches.
    _VIEW_REFRESH_ACTIONS = frozenset({"refresh", "reload"})

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """`r` on a screen or pane asks first when its refetch would pass the day's quota."""
        keys = self._view_refresh_keys(action, default_namespace)
        quota = self._repository.quota if self._repository is not None else None
        if keys and quota is not None:
            needed = self.repository.estimate_requests(keys)
            if quota.would_exceed(needed):
                status = quota.status

                async def answered(answer: bool | None) -> None:
                    if answer:
                        await super(KB4App, self).run_action(action, default_namespace, namespaces)

                screen = ConfirmQuotaScreen(needed, status.used + quota.pending, status.limit)
                await self.push_screen(screen, answered)
                return True
        return await super().run_action(action, default_namespace, namespaces)

    def _view_refresh_keys(
        self, action: str | ActionParseResult, namespace: DOMNode | None
    ) -> list[str]:
        """The memo keys a view's refresh action refetches (empty: not a refresh)."""
        if not isinstance(action, str) or action not in self._VIEW_REFRESH_ACTIONS:
            return []
        compliance = ["campaigns", ALL_ENROLLMENTS, "library"]
        if isinstance(namespace, EnrollmentsScreen):
            return [namespace.query_spec.memo_key]
        if isinstance(namespace, CompliancePane):
            return compliance
        if isinstance(namespace, MainScreen):
            pane = namespace.active_pane
            if isinstance(pane, CompliancePane):
                return compliance
            return ["account", "library" if isinstance(pane, LibraryPane) else "campaigns"]
        return []

    def _everything(self) -> dict[str, EnrollmentQuery | None]:
        """What `R` refetches: the account, the shared lists known, and open enrollment views."""
        shared = ("campaigns", "library", ALL_ENROLLMENTS)
        keys: dict[str, EnrollmentQuery | None] = {"account": None}
        keys.update({k: None for k in shared if self.repository.memo.get(k) is not None})
        for screen in self.screen_stack:
            if isinstance(screen, EnrollmentsScreen):
                keys[screen.query_spec.memo_key] = screen.query_spec
        return keys

    def action_refresh_all(self) -> None:
        """`R`: fetch everything shown again (asks first if it would pass the quota)."""
        repository = self._repository
        if repository is None:
            return
        keys = self._everything()
        needed = repository.estimate_requests(list(keys))
        quota = repository.quota
        if quota is not None and quota.would_exceed(needed):
            status = quota.status
            screen = ConfirmQuotaScreen(needed, status.used + quota.pending, status.limit)
            self.push_screen(screen, lambda answer: self._refresh_all(keys, bool(answer)))
            return
        self._refresh_all(keys, True)

    def _refresh_all(self, keys: dict[str, EnrollmentQuery | None], go: bool) -> None:
        if not go:
            return
        self.repository.requeue(keys)
        self._offline_wait = False
        self._revalidating = True
        self.revalidate(force=True)  # exclusive: replaces a background run in progress

    def report_error(self, error: APIError) -> None:
        """An API error as a toast; the screen that failed also shows it in place."""
        repository = self._repository
        if (
            isinstance(error, NetworkError)
            and repository is not None
            and repository.cache is not None
            and repository.latest_fetch() is not None
        ):
            self._went_offline(None)  # the cached data stays browsable: say so, retry quietly
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

    def _reset_connection_state(self) -> None:
        """Forget the old profile's offline retry, quota warning and background run: the new
        profile starts online, unwarned and idle (its header is built anew too)."""
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None
        self._offline_wait = False
        self._offline_early = False
        self._quota_warned = False
        self._revalidating = False
        self._flushing = False
        self.header_info.offline_since = None

    async def switch_repository(
        self, factory: RepositoryFactory, *, profile: str, region: str
    ) -> None:
        """Start again on another profile's connection (the palette's "Profile: ...").

        The old profile's screens, workers and repository (its client and everything it
        memoised) all go first, so no data crosses from one account to another.
        """
        self.workers.cancel_node(self)
        self._reset_connection_state()
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
