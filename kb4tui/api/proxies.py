"""Proxies from the environment (HTTPS_PROXY, ALL_PROXY, ...), checked before httpx sees them.

httpx uses the proxy variables for https base URLs (a loopback http one ignores them, see
client.py). It can speak http, https and SOCKS5 proxies (`socks5://`, and `socks5h://`
with the name resolved by the proxy, common on jump hosts: the `httpx[socks]` extra). Any
other scheme makes it raise a bare ValueError when the client is built; this says which
variable is wrong instead, without repeating its value (a proxy URL can hold a password).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from kb4tui.api.errors import ProxySettingError

__all__ = ["PROXY_SCHEMES", "check_proxy_environment"]

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
# The variables httpx reads (either case), in the order it prefers them.
_VARIABLES = ("https_proxy", "http_proxy", "all_proxy")


def check_proxy_environment(env: Mapping[str, str] | None = None) -> None:
    """Raise ProxySettingError (naming the variable) for a proxy httpx cannot use."""
    env = os.environ if env is None else env
    for name in (*_VARIABLES, *(v.upper() for v in _VARIABLES)):
        value = env.get(name, "").strip()
        if not value:
            continue
        # httpx reads a value without a scheme ("proxy:3128") as http://.
        scheme = value.split("://", 1)[0].lower() if "://" in value else "http"
        if scheme not in PROXY_SCHEMES:
            raise ProxySettingError(
                f"The proxy in {name} uses {scheme}://, which kb4tui cannot use"
            )
