"""Fakes for the credentials tests: an in-memory keyring, fake KnowBe4 hosts, new keys."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from kb4tui.api.ratelimit import RateLimiter


def new_key() -> str:
    """A fresh key in the shape `normalise_key` and the client accept."""
    return "kb4-" + secrets.token_urlsafe(24)


def no_keyring() -> KeyringBackend:
    """keyring's own "no backend" stand-in (untyped in keyring, typed here)."""
    return fail.Keyring()  # type: ignore[no-untyped-call]


def quicken_key_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Key checks fail at once on "no network" instead of after their retry budget, and
    probing five regions does not wait for the 4/s limiter (not under test here)."""
    monkeypatch.setattr("kb4tui.credentials.CHECK_RETRY_BUDGET", 0.0)
    monkeypatch.setattr(
        "kb4tui.api.client.shared_limiter", lambda key: RateLimiter([(1000, 1.0)], margin=0.0)
    )


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring for tests.

    Priority 0 and not viable, so keyring never picks it on its own; install it only
    with `keyring.set_keyring()` (the `memory_keyring` fixture does, and restores).
    """

    priority = 0  # type: ignore[assignment]
    viable = False  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.entries[(service, username)]


@dataclass
class FakeTenant:
    """One KnowBe4 account behind one host: its key, its account and its campaigns."""

    key: str
    account: dict[str, Any]
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    forbidden: bool = False  # a key without Reporting API access: 403


@dataclass
class FakeHosts:
    """Several fake KnowBe4 APIs, one per host (regions, or loopback base URLs).

    A request goes to the tenant of the host it was sent to; a host with no tenant
    refuses the connection, like a network that is down.
    """

    tenants: dict[str, FakeTenant]
    requests: list[httpx.Request] = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        tenant = self.tenants.get(request.url.netloc.decode())
        if tenant is None:
            raise httpx.ConnectError("connection refused", request=request)
        if request.headers.get("authorization") != f"Bearer {tenant.key}":
            return _json({"message": "Invalid Token"}, 401)
        if tenant.forbidden:
            return _json({"message": "Forbidden"}, 403)
        if request.url.path == "/v1/account":
            return _json(tenant.account)
        if request.url.path == "/v1/training/campaigns":
            page = int(request.url.params.get("page", "1"))
            return _json(tenant.campaigns if page == 1 else [])
        return _json({"message": "Not Found"}, 404)


def _json(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json", "x-request-id": "req-fake"},
    )


def region_host(region: str) -> str:
    return f"{region}.api.knowbe4.com"
