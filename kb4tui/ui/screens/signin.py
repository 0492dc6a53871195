"""The sign-in screen: region, masked key, a check against /v1/account, then save or not.

Self-contained: the app pushes it with a checker (region, base_url, key -> Account,
normally `kb4tui.credentials.check_key`) and gets a `SignInResult` (or None when the
user cancels) through `dismiss`. Nothing is saved before the account has been shown.
Every message is plain text: account names and errors never pass through markup.

Keyboard only: tab between fields and buttons, enter in the key field checks the key,
escape cancels. The key field never lets its text out (no copy, cut or selection).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from kb4tui.api.errors import (
    APIError,
    AuthError,
    NetworkError,
    PermissionDeniedError,
)
from kb4tui.api.models import Account
from kb4tui.api.region_hosts import REGIONS as REGION_BASE_URLS
from kb4tui.credentials import (
    ConfigNotWritableError,
    KeyChecker,
    KeyringUnavailableError,
    KeySource,
    KeyStore,
    ResolvedKey,
    normalise_key,
    probe_regions,
    save_profile_and_key,
)
from kb4tui.store.config import ConfigError, Profile
from kb4tui.ui.widgets.secret_input import SecretInput

__all__ = ["CUSTOM_URL", "SignInResult", "SignInScreen"]

CUSTOM_URL = "custom"

REGION_LABELS = {
    "us": "US",
    "eu": "EU",
    "ca": "Canada",
    "uk": "UK",
    "de": "Germany",
}

REPORTING_KEY_HELP = (
    "Reporting API tokens are made in the KnowBe4 console under Account Settings > "
    "Account Integrations > API > Reporting API; the User Event API key does not work here."
)


@dataclass(frozen=True, slots=True)
class SignInResult:
    """What the user signed in with. `key.source` is KEYRING if saved, else SESSION."""

    profile: str
    region: str
    base_url: str | None
    key: ResolvedKey
    account: Account
    saved: bool


@dataclass(frozen=True, slots=True)
class _Verified:
    region: str
    base_url: str | None
    key: ResolvedKey
    account: Account


def describe_account(account: Account) -> str:
    parts = [f"Account: {account.name or '(unnamed account)'}"]
    parts.append(f"subscription: {account.subscription_level or 'not stated'}")
    if account.number_of_seats:
        parts.append(f"{account.number_of_seats:,} seats")
    if account.subscription_end_date:
        parts.append(f"until {account.subscription_end_date.isoformat()}")
    return " · ".join(parts)


def _region_name(region: str) -> str:
    return f"{REGION_LABELS.get(region, region)} ({region})"


class SignInScreen(ModalScreen[SignInResult | None]):
    """Ask for a Reporting API key, check it, then save it or use it for this session."""

    DEFAULT_CSS = """
    SignInScreen {
        align: center middle;
    }
    SignInScreen #signin-dialog {
        width: 78;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
        overflow-y: auto;
    }
    SignInScreen .signin-title {
        text-style: bold;
    }
    SignInScreen .signin-note {
        color: $warning;
    }
    SignInScreen #signin-status.-error {
        color: $error;
    }
    SignInScreen #signin-status.-ok, SignInScreen #signin-account {
        color: $success;
    }
    SignInScreen Horizontal {
        height: auto;
        margin: 1 0 0 0;
    }
    SignInScreen Button {
        margin-right: 2;
    }
    SignInScreen Input {
        background: $boost;
    }
    SignInScreen Label {
        margin: 1 0 0 0;
    }
    SignInScreen #signin-status, SignInScreen #signin-account {
        margin: 1 0 0 0;
    }
    SignInScreen .-hidden {
        display: none;
    }
    """

    AUTO_FOCUS = "#signin-key"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="signin.cancel"),
    ]

    def __init__(
        self,
        check: KeyChecker,
        *,
        profile: str = "default",
        region: str = "us",
        base_url: str | None = None,
        reason: str | None = None,
        store: KeyStore | None = None,
        config_file: Path | None = None,
    ) -> None:
        super().__init__()
        self._check = check
        self._profile = profile
        self._region = region if region in REGION_BASE_URLS else "us"
        self._base_url = base_url
        self._reason = reason
        self._store = store or KeyStore()
        self._config_file = config_file
        self._verified: _Verified | None = None
        self._keyring_ok = True
        self._busy = False

    # ---- layout ----

    def compose(self) -> ComposeResult:
        options: list[tuple[str, str]] = [
            (f"{_region_name(r)}  {url}", r) for r, url in REGION_BASE_URLS.items()
        ]
        options.append(("Custom URL (proxy, test server)", CUSTOM_URL))
        start = CUSTOM_URL if self._base_url else self._region
        with Vertical(id="signin-dialog"):
            yield Static(
                Text(f"Sign in to KnowBe4 (profile {self._profile})"), classes="signin-title"
            )
            yield Static(
                Text(self._reason or ""),
                id="signin-reason",
                classes="signin-note" if self._reason else "signin-note -hidden",
            )
            yield Static(Text(""), id="signin-keyring", classes="signin-note -hidden")
            yield Label("Region")
            yield Select(options, value=start, allow_blank=False, id="signin-region", compact=True)
            yield Input(
                self._base_url or "",
                placeholder="https://… (custom API base URL)",
                id="signin-url",
                classes="" if self._base_url else "-hidden",
                compact=True,
            )
            yield Label("Reporting API key")
            yield SecretInput(
                placeholder="Reporting API token (hidden as you type)",
                id="signin-key",
                compact=True,
            )
            with Horizontal():
                yield Button("Check key", id="signin-check", variant="primary", compact=True)
                yield Button(
                    "Try other regions", id="signin-probe", classes="-hidden", compact=True
                )
            yield Static(Text(REPORTING_KEY_HELP), id="signin-status")
            yield Static(Text(""), id="signin-account")
            with Horizontal():
                yield Button(
                    "Save to keyring",
                    id="signin-save",
                    variant="success",
                    disabled=True,
                    compact=True,
                )
                yield Button(
                    "Use for this session only", id="signin-session", disabled=True, compact=True
                )
                yield Button("Cancel", id="signin-cancel", compact=True)

    def on_mount(self) -> None:
        self.check_keyring()

    # ---- small helpers ----

    def _say(self, message: str, kind: str = "info") -> None:
        status = self.query_one("#signin-status", Static)
        status.update(Text(message))
        status.set_class(kind == "error", "-error")
        status.set_class(kind == "ok", "-ok")

    def _show(self, selector: str, visible: bool) -> None:
        self.query_one(selector).set_class(not visible, "-hidden")

    def _chosen(self) -> tuple[str, str | None]:
        """(region, base_url) as selected; base_url only for a custom URL."""
        choice = self.query_one("#signin-region", Select).value
        if choice == CUSTOM_URL:
            url = self.query_one("#signin-url", Input).value.strip()
            return self._region, url or None
        return str(choice), None

    def _set_verified(self, verified: _Verified | None) -> None:
        self._verified = verified
        account = self.query_one("#signin-account", Static)
        account.update(Text(describe_account(verified.account) if verified else ""))
        save = self.query_one("#signin-save", Button)
        session = self.query_one("#signin-session", Button)
        save.disabled = verified is None or not self._keyring_ok
        session.disabled = verified is None
        if verified is not None:
            (save if not save.disabled else session).focus()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for selector in ("#signin-check", "#signin-probe"):
            self.query_one(selector, Button).disabled = busy

    # ---- keyring availability, known before anything is typed ----

    @work(exclusive=True, group="signin-keyring")
    async def check_keyring(self) -> None:
        try:
            await self._store.acheck()
        except KeyringUnavailableError as exc:
            self._keyring_unusable(exc)

    def _keyring_unusable(self, exc: KeyringUnavailableError) -> None:
        self._keyring_ok = False
        note = self.query_one("#signin-keyring", Static)
        note.update(Text(f"{exc.sentence} You can still use the key for this session only."))
        self._show("#signin-keyring", True)
        self.query_one("#signin-save", Button).disabled = True

    # ---- events ----

    @on(Select.Changed, "#signin-region")
    def _region_changed(self, event: Select.Changed) -> None:
        custom = event.value == CUSTOM_URL
        self._show("#signin-url", custom)
        self._show("#signin-probe", False)
        self._set_verified(None)
        # Select also reports its initial value; only a user's choice moves the focus.
        if custom and event.select.has_focus:
            self.query_one("#signin-url", Input).focus()

    @on(Input.Changed, "#signin-key, #signin-url")
    def _typed(self) -> None:
        if self._verified is not None:
            self._set_verified(None)

    @on(Input.Submitted, "#signin-key, #signin-url")
    @on(Button.Pressed, "#signin-check")
    def _check_pressed(self) -> None:
        if not self._busy:
            self.check_key()

    @on(Button.Pressed, "#signin-probe")
    def _probe_pressed(self) -> None:
        if not self._busy:
            self.try_other_regions()

    @on(Button.Pressed, "#signin-save")
    def _save_pressed(self) -> None:
        if self._verified is not None and self._keyring_ok:
            self.save_key()

    @on(Button.Pressed, "#signin-session")
    def _session_pressed(self) -> None:
        verified = self._verified
        if verified is not None:
            key = ResolvedKey(verified.key.reveal(), KeySource.SESSION, self._profile)
            self.dismiss(self._result(verified, key, saved=False))

    @on(Button.Pressed, "#signin-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def _result(self, verified: _Verified, key: ResolvedKey, *, saved: bool) -> SignInResult:
        return SignInResult(
            profile=self._profile,
            region=verified.region,
            base_url=verified.base_url,
            key=key,
            account=verified.account,
            saved=saved,
        )

    def _typed_key(self) -> ResolvedKey | None:
        try:
            return ResolvedKey(
                normalise_key(self.query_one("#signin-key", Input).value),
                KeySource.SESSION,
                self._profile,
            )
        except ValueError as exc:
            self._say(str(exc), "error")
            self.query_one("#signin-key", Input).focus()
            return None

    # ---- the check ----

    @work(exclusive=True, group="signin-check")
    async def check_key(self) -> None:
        key = self._typed_key()
        if key is None:
            return
        region, base_url = self._chosen()
        if self.query_one("#signin-region", Select).value == CUSTOM_URL and not base_url:
            self._say("Enter the custom API base URL (https://…).", "error")
            self.query_one("#signin-url", Input).focus()
            return
        where = base_url or REGION_BASE_URLS[region]
        self._show("#signin-probe", False)
        self._set_verified(None)
        self._set_busy(True)
        self._say(f"Checking the key against {where}/v1/account …")
        try:
            account = await self._check(region, base_url, key)
        except APIError as exc:
            self._say(self._explain(exc, region, base_url), "error")
            if isinstance(exc, AuthError) and exc.status == 401 and base_url is None:
                self._show("#signin-probe", True)
                self.query_one("#signin-probe", Button).focus()
            else:
                self.query_one("#signin-key", Input).focus()
            return
        finally:
            self._set_busy(False)
        self._say("The key works. Save it, or use it for this session only.", "ok")
        self._set_verified(_Verified(region, base_url, key, account))

    def _explain(self, exc: APIError, region: str, base_url: str | None) -> str:
        where = f"at {base_url}" if base_url else f"in region {_region_name(region)}"
        if isinstance(exc, AuthError) and exc.status == 401:
            text = (
                f"The key was rejected {where} (401): it is a wrong key or a User Event API "
                "key, or the account lives in another region. "
            )
            if base_url is None:
                text += "Choose 'Try other regions' to test the others at once. "
            return text + REPORTING_KEY_HELP
        if isinstance(exc, PermissionDeniedError):
            return (
                f"The key is valid {where} but the account has no Reporting API access (403): "
                "the Reporting API needs a Platinum or Diamond subscription with "
                "'Enable Reporting API Access' turned on, and a token with Training permissions."
            )
        if isinstance(exc, NetworkError):
            target = base_url or REGION_BASE_URLS[region]
            return f"Could not reach {target}: check the network connection and proxy settings" + (
                ", and the custom URL." if base_url else "."
            )
        return exc.sentence

    @work(exclusive=True, group="signin-check")
    async def try_other_regions(self) -> None:
        key = self._typed_key()
        if key is None:
            return
        tried, _ = self._chosen()
        others = [r for r in REGION_BASE_URLS if r != tried]
        self._set_busy(True)
        self._say(f"Trying the key in {', '.join(_region_name(r) for r in others)} …")
        try:
            probes = await probe_regions(self._check, key, others)
        finally:
            self._set_busy(False)
        working = [(p.region, p.account) for p in probes if p.account is not None]
        if working:
            region, account = working[0]
            with self.prevent(Select.Changed):
                self.query_one("#signin-region", Select).value = region
            self._show("#signin-probe", False)
            self._say(
                f"The key works in region {_region_name(region)}, not "
                f"{_region_name(tried)}. Save it, or use it for this session only.",
                "ok",
            )
            self._set_verified(_Verified(region, None, key, account))
            return
        forbidden = [p for p in probes if isinstance(p.error, PermissionDeniedError)]
        if forbidden and forbidden[0].error is not None:
            self._say(self._explain(forbidden[0].error, forbidden[0].region, None), "error")
        else:
            unreachable = [p.region for p in probes if isinstance(p.error, NetworkError)]
            text = (
                "The key was rejected in every region (401): it is a wrong key or a User Event "
                f"API key. {REPORTING_KEY_HELP}"
            )
            if unreachable:
                text += f" ({', '.join(unreachable)} could not be reached.)"
            self._say(text, "error")
        self.query_one("#signin-key", Input).focus()

    # ---- saving ----

    @work(exclusive=True, group="signin-save")
    async def save_key(self) -> None:
        verified = self._verified
        if verified is None:
            return
        profile = Profile(self._profile, region=verified.region, base_url=verified.base_url)
        key = ResolvedKey(verified.key.reveal(), KeySource.KEYRING, self._profile)
        self.query_one("#signin-save", Button).disabled = True
        self._say("Saving the key in the OS keyring …")
        try:
            await asyncio.to_thread(
                save_profile_and_key,
                profile,
                key,
                store=self._store,
                config_file=self._config_file,
            )
        except KeyringUnavailableError as exc:
            self._keyring_unusable(exc)
            self._say("The key was not saved.", "error")
            self.query_one("#signin-session", Button).focus()
            return
        except ConfigNotWritableError as exc:  # checked first: nothing was stored
            self._say(f"{exc} You can still use the key for this session only.", "error")
            self.query_one("#signin-session", Button).focus()
            return
        except (ConfigError, OSError) as exc:
            # The key is in the keyring; only the profile's region could not be written.
            self._say(f"The key was saved, but the config file was not: {exc}", "error")
            self.dismiss(self._result(verified, key, saved=True))
            return
        self.dismiss(self._result(verified, key, saved=True))
