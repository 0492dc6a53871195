"""Which base URLs the client accepts: plain http only to `localhost` exactly or a literal
loopback address, never user info (Basic credentials instead of the key), ports 1-65535.
No message repeats the URL, which may hold a password."""

from __future__ import annotations

import pytest

from kb4tui.api.client import KnowBe4Client
from kb4tui.api.errors import CredentialsInURLError, InsecureURLError, InvalidURLError
from kb4tui.api.regions import is_loopback_host, require_safe_url

KEY = "kb4tui-base-url-safety-key-7f7f7f"


@pytest.mark.parametrize("host", ["localhost.", "LOCALHOST.", "localhost..", "localhost%2e"])
def test_a_fully_qualified_localhost_is_not_loopback(host: str) -> None:
    # `localhost.` skips /etc/hosts on many resolvers: DNS may answer any address.
    assert not is_loopback_host(host)


@pytest.mark.parametrize("url", ["http://localhost.:8765", "http://LocalHost.:9/v1"])
def test_plain_http_to_a_fully_qualified_localhost_is_refused(url: str) -> None:
    with pytest.raises(InsecureURLError):
        KnowBe4Client(KEY, base_url=url)


@pytest.mark.parametrize(
    "url",
    [
        "http://user:secret-pw@127.0.0.1:8765",
        "https://user:secret-pw@us.api.knowbe4.com",
        "https://secret-pw@eu.api.knowbe4.com/",
        "https://:secret-pw@ca.api.knowbe4.com",
    ],
)
def test_user_info_is_refused_without_repeating_it(url: str) -> None:
    with pytest.raises(CredentialsInURLError) as info:
        KnowBe4Client(KEY, base_url=url)
    error = info.value
    assert error.exit_code == 1
    assert "secret-pw" not in error.sentence and "secret-pw" not in repr(error)
    assert "user:password@" in error.sentence


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999", "https://example.com:65536"])
def test_a_port_out_of_range_is_refused_in_one_sentence(url: str) -> None:
    with pytest.raises(InvalidURLError) as info:
        require_safe_url(url)
    assert info.value.exit_code == 1
    assert "between 1 and 65535" in info.value.sentence


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "https://example.com:65535"])
def test_ports_in_range_are_fine(url: str) -> None:
    require_safe_url(url)
