"""TLS verification against a live HTTPS server on 127.0.0.1 with a self-signed certificate:
the client refuses it at once (no retries, the key never sent), and trusts it only when the
certificate is given through SSL_CERT_FILE (as for a proxy that inspects TLS)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tls_support import Server, self_signed

from kb4tui.api.client import KnowBe4Client
from kb4tui.api.errors import NetworkError
from kb4tui.api.retry import RetryPolicy
from kb4tui.cli import main

KEY = "kb4tui-tls-test-key-9f8e7d6c"


PROXY_VARIABLES = [f"{name}_proxy" for name in ("https", "http", "all", "no")]


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    # https honours the environment's proxies (a loopback http URL does not): none here.
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    running = Server(*self_signed(tmp_path))
    yield running
    running.stop()


def client(url: str) -> KnowBe4Client:
    # A minute of retries, as configured for real: a certificate error must not use them.
    return KnowBe4Client(KEY, base_url=url, retry_policy=RetryPolicy(budget=60.0))


async def test_an_untrusted_certificate_is_refused_at_once(server: Server) -> None:
    started = time.monotonic()
    async with client(server.url) as kb:
        with pytest.raises(NetworkError) as caught:
            await kb.account()
    assert "TLS certificate could not be verified" in caught.value.sentence
    assert KEY not in caught.value.sentence
    assert time.monotonic() - started < 10  # refused, not retried for a minute
    assert server.requests == []  # the handshake failed: no request, so no key, was sent


async def test_the_certificate_is_trusted_when_given_in_ssl_cert_file(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(server.cert))
    async with client(server.url) as kb:
        account = await kb.account()
    assert account.name == "Acme over TLS"
    assert server.requests == ["/v1/account"]


def test_the_command_line_exits_3_with_the_sentence(
    server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    assert main(["export", "campaigns", "--base-url", server.url]) == 3
    err = capsys.readouterr().err
    assert "TLS certificate could not be verified" in err and KEY not in err
    assert server.requests == []
