"""Proxies from the environment: a SOCKS5 proxy (ALL_PROXY=socks5h://..., common on jump
hosts) carries the requests, here through a tiny SOCKS5 server on 127.0.0.1 to an HTTPS
server on 127.0.0.1; a proxy scheme kb4tui cannot use is one sentence naming the variable."""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from tls_support import Server, self_signed

from kb4tui.api.client import KnowBe4Client
from kb4tui.cli import main

KEY = "kb4tui-socks-test-key-1a2b3c4d"
PROXY_VARIABLES = [f"{name}_proxy" for name in ("https", "http", "all", "no")]

pytestmark = pytest.mark.timeout(30)


class Socks5Server:
    """SOCKS5, no authentication, CONNECT only; relays bytes and records the targets."""

    def __init__(self) -> None:
        self.targets: list[tuple[str, int]] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url_host = f"127.0.0.1:{self.listener.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self.listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            version, count = conn.recv(2)
            conn.recv(count)  # the methods offered
            conn.sendall(bytes([5, 0]))  # no authentication
            _, command, _, kind = conn.recv(4)
            if kind == 1:
                host = socket.inet_ntoa(conn.recv(4))
            elif kind == 3:
                host = conn.recv(conn.recv(1)[0]).decode()  # socks5h: the proxy resolves
            else:
                host = socket.inet_ntop(socket.AF_INET6, conn.recv(16))
            (port,) = struct.unpack("!H", conn.recv(2))
            assert version == 5 and command == 1
            self.targets.append((host, port))
            with socket.create_connection((host, port), timeout=5) as upstream:
                conn.sendall(bytes([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]))
                self._relay(conn, upstream)

    @staticmethod
    def _relay(a: socket.socket, b: socket.socket) -> None:
        while True:
            ready, _, _ = select.select([a, b], [], [], 5)
            if not ready:
                return
            for source in ready:
                data = source.recv(65536)
                if not data:
                    return
                (b if source is a else a).sendall(data)

    def stop(self) -> None:
        self._stop.set()
        self.listener.close()
        self._thread.join(timeout=5)


@pytest.fixture
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def tls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    running = Server(*self_signed(tmp_path))
    monkeypatch.setenv("SSL_CERT_FILE", str(running.cert))
    yield running
    running.stop()


@pytest.fixture
def socks() -> Iterator[Socks5Server]:
    proxy = Socks5Server()
    yield proxy
    proxy.stop()


@pytest.mark.parametrize("scheme", ["socks5h", "socks5"])
async def test_requests_go_through_a_socks5_proxy_from_the_environment(
    scheme: str,
    no_proxies: None,
    tls_server: Server,
    socks: Socks5Server,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALL_PROXY", f"{scheme}://{socks.url_host}")
    async with KnowBe4Client(KEY, base_url=tls_server.url) as client:
        account = await client.account()
    assert account.name == "Acme over TLS"
    assert tls_server.requests == ["/v1/account"]
    port = int(tls_server.url.rsplit(":", 1)[1])
    assert socks.targets == [("127.0.0.1", port)]  # it came through the proxy


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "HTTP_PROXY"])
def test_a_proxy_scheme_kb4tui_cannot_use_is_one_sentence_naming_the_variable(
    variable: str,
    no_proxies: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    monkeypatch.setenv(variable, "ftp://proxyuser:Proxy-Secret@proxy.example:21")
    code = main(["export", "campaigns", "--base-url", "https://kb4.example"])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert f"The proxy in {variable} uses ftp://" in err
    assert "socks5h://" in err and "ValueError" not in err and "Unexpected" not in err
    assert "Proxy-Secret" not in err and KEY not in err
    assert err.count("\n") == 1
