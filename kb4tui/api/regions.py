"""Which host a KnowBe4 account lives on, and whether a base URL is safe to send a key to."""

from __future__ import annotations

import ipaddress

import httpx

from kb4tui.api.errors import CredentialsInURLError, InsecureURLError, InvalidURLError
from kb4tui.api.region_hosts import REGIONS

__all__ = ["REGIONS", "base_url_for", "is_loopback_host", "require_safe_url"]

_MAX_PORT = 65535


def base_url_for(region: str = "us", base_url: str | None = None) -> str:
    """The API root for `region`, or `base_url` when given (after the safety check).

    Raises `ValueError` for an unknown region, `InsecureURLError` for a base URL that
    would send the key in clear text or with other credentials, and `InvalidURLError` for
    one that cannot be connected to.
    """
    if base_url:
        require_safe_url(base_url)
        return base_url.rstrip("/")
    key = region.strip().lower()
    if key not in REGIONS:
        raise ValueError(f"unknown KnowBe4 region {region!r}; use one of {', '.join(REGIONS)}")
    return REGIONS[key]


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 and localhost: traffic that never leaves this machine.

    Only the name `localhost` exactly and literal loopback addresses. Names under it
    (`demo.localhost`) and the fully qualified `localhost.` are not looked up in
    /etc/hosts by every resolver: they can go to DNS, which may answer any address."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def require_safe_url(url: str) -> None:
    """https anywhere; plain http only to loopback (the demo server, tests); never user
    info (`user:password@`), which httpx would send as Basic credentials instead of the
    key; a port from 1 to 65535. Messages never repeat the URL: it may hold a password."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise InvalidURLError() from None
    if parsed.userinfo:
        raise CredentialsInURLError()
    if parsed.port is not None and not 1 <= parsed.port <= _MAX_PORT:
        raise InvalidURLError(f"The base URL's port {parsed.port} is not between 1 and 65535")
    if parsed.scheme == "https" and parsed.host:
        return
    if parsed.scheme == "http" and parsed.host and is_loopback_host(parsed.host):
        return
    if parsed.scheme == "http":
        raise InsecureURLError()
    raise InsecureURLError("The base URL must start with https://")
