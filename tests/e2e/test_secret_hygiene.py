"""The API key never leaks: not to disk, logs, messages, reprs, screenshots, proxies or
plain http, and TLS verification is always on.

The last test runs a whole CLI session (login, status, exports, get, errors, logout) and
the TUI against the fake API on 127.0.0.1 with a distinctive key, then scans HOME, the
config/cache/data/state directories, the outputs and everything captured for it.
"""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import socket
import ssl
import threading
import traceback
from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from loopback_support import quicken_clients, reset_fake, serve_org
from ui_support import TTL, settle

from kb4tui.api.client import KnowBe4Client
from kb4tui.api.errors import APIError, InsecureURLError
from kb4tui.api.ratelimit import RateLimiter, UsageCounter
from kb4tui.api.retry import RetryPolicy
from kb4tui.api.transport import ClientTransport
from kb4tui.cli import main
from kb4tui.credentials import KeySource, ResolvedKey
from kb4tui.demo import FakeAPIConfig, FakeKnowBe4API, LoopbackServer, generate_org
from kb4tui.session.wiring import session_factory
from kb4tui.store.cache import Cache, account_key
from kb4tui.ui.app import KB4App

KEY = "kb4tui-SECRET-hygiene-Zq81Xv0Tn5Wr"
PACKAGE = Path(__file__).resolve().parents[2] / "kb4tui"

pytestmark = pytest.mark.timeout(60)


def encodings(secret: str) -> list[bytes]:
    """The key as it could appear in a file: plain, UTF-16, base64, hex."""
    raw = secret.encode()
    return [
        raw,
        secret.encode("utf-16-le"),
        base64.b64encode(raw),
        base64.b64encode(raw).rstrip(b"="),
        raw.hex().encode(),
    ]


def assert_no_key(blob: bytes | str, where: str) -> None:
    data = blob.encode() if isinstance(blob, str) else blob
    for form in encodings(KEY):
        assert form not in data, f"the key is in {where}"
    assert KEY[4:20].encode() not in data, f"part of the key is in {where}"


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    yield from serve_org(KEY, generate_org(seed=3, users=150))


@pytest.fixture
def api(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> FakeKnowBe4API:
    quicken_clients(monkeypatch, retry_budget=0.5, base_delay=0.002, max_delay=0.02)
    return reset_fake(server)


def fast_client(server: LoopbackServer, **options: Any) -> KnowBe4Client:
    return KnowBe4Client(
        KEY,
        base_url=server.base_url,
        limiter=RateLimiter([(500, 1.0)]),
        usage=UsageCounter(),
        retry_policy=RetryPolicy(budget=0.5, base_delay=0.002, max_delay=0.02),
        **options,
    )


# ---- plain http, TLS, proxies -----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",
        "HTTP://us.api.knowbe4.com",
        "http://127.0.0.1@evil.example/",  # userinfo trick: the host is evil.example
        "http://evil.example/#@127.0.0.1",
        "http://127.0.0.1.nip.io",
        "http://0.0.0.0:8080",
        "http://10.0.0.1",
        "ws://127.0.0.1",
        "https://",
    ],
)
def test_plain_http_or_odd_urls_to_other_hosts_are_refused(url: str) -> None:
    with pytest.raises(InsecureURLError) as info:
        KnowBe4Client(KEY, base_url=url)
    assert KEY not in str(info.value) and KEY not in repr(info.value)
    assert info.value.exit_code == 1


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9", "HTTP://LOCALHOST:9", "http://[::1]:9", "https://x.example"]
)
def test_loopback_http_and_any_https_are_allowed(url: str) -> None:
    KnowBe4Client(KEY, base_url=url)


def test_the_cli_refuses_plain_http_with_one_clear_sentence(
    api: FakeKnowBe4API, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    code = main(["export", "users", "--base-url", "http://kb4.example.com"])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert "https://" in err and err.count("\n") == 1
    assert_no_key(err, "stderr")


def _ssl_contexts(client: KnowBe4Client) -> list[ssl.SSLContext]:
    """The TLS contexts of every connection pool: the client's transport layer sends
    through an httpx client of its own, which routes to a proxy from the environment."""
    routing = client.transport.inner
    assert isinstance(routing, ClientTransport)
    http = routing.client
    transports = [http._transport, *http._mounts.values()]
    contexts = []
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        context = getattr(pool, "_ssl_context", None)
        if isinstance(context, ssl.SSLContext):
            contexts.append(context)
    return contexts


@pytest.mark.parametrize("region", ["us", "eu", "ca", "uk", "de"])
def test_tls_verification_is_always_on(region: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # proxies get verified TLS too
    client = KnowBe4Client(KEY, region=region)
    contexts = _ssl_contexts(client)
    assert contexts
    for context in contexts:
        assert context.verify_mode == ssl.CERT_REQUIRED
        assert context.check_hostname
    assert client._http.follow_redirects is False


def test_no_code_turns_verification_off() -> None:
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ("verify=False", "CERT_NONE", "check_hostname = False", "_create_unverified"):
            assert needle not in text, f"{needle} in {path}"


class RecordingListener:
    """A TCP listener that records every byte it is sent (a stand-in for a proxy)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.1)
        self.received = b""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(0.5)
                with suppress(OSError):
                    self.received += conn.recv(65536)

    def __enter__(self) -> RecordingListener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


async def test_an_environment_proxy_never_gets_the_key_over_plain_http(
    api: FakeKnowBe4API, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jump hosts often set http_proxy: a plain-http request would hand it the key."""
    with RecordingListener() as proxy:
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with fast_client(server) as client:
            account = await client.account()
    assert account.name
    assert proxy.received == b""
    assert len(api.log) == 1


# ---- messages, reprs, logs ---------------------------------------------------------------


def test_reprs_never_show_the_key() -> None:
    client = KnowBe4Client(KEY, base_url="https://kb4.example.com")
    resolved = ResolvedKey(KEY, KeySource.ENVIRONMENT, "default")
    for name, obj in [
        ("client", client),
        ("httpx client headers", client._http.headers),
        ("httpx client", client._http),
        ("resolved key", resolved),
        ("limiter", client.limiter),
        ("usage", client.usage),
        ("retry", client.retry),
    ]:
        assert_no_key(repr(obj), f"repr({name})")
        assert_no_key(str(obj), f"str({name})")
    assert KEY not in repr(vars(client))


MODES: list[tuple[str, dict[str, Any], str]] = [
    ("401", {"invalid_token": True}, "account"),
    ("legacy 401", {"invalid_token": True, "legacy_invalid_token": True}, "account"),
    ("403", {"forbidden": True}, "account"),
    ("404", {}, "missing"),
    ("500", {"fault_rate": 1.0, "fault_kinds": ("500",)}, "account"),
    ("drop", {"fault_rate": 1.0, "fault_kinds": ("drop",)}, "account"),
    ("timeout", {"fault_rate": 1.0, "fault_kinds": ("timeout",), "hang_seconds": 1}, "account"),
    ("429", {"fault_rate": 1.0, "fault_kinds": ("429",), "burst_length": 999}, "account"),
]


@pytest.mark.parametrize(("label", "config", "call"), MODES, ids=[m[0] for m in MODES])
async def test_errors_and_debug_logs_never_show_the_key(
    label: str,
    config: dict[str, Any],
    call: str,
    api: FakeKnowBe4API,
    server: LoopbackServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.api.config = FakeAPIConfig(rate_limit=False, **config)
    caplog.set_level(logging.DEBUG)
    async with fast_client(server, timeout=0.3) as client:
        with pytest.raises(APIError) as info:
            if call == "account":
                await client.account()
            else:
                await client.campaign(987654321)
    error = info.value
    texts = [
        str(error),
        repr(error),
        error.sentence,
        "".join(traceback.format_exception(error)),
        repr(error.__cause__),
        repr(error.__context__),
    ]
    for text in texts:
        assert_no_key(text, f"the {label} error")
    assert caplog.records, "the client logged nothing at DEBUG: this check saw nothing"
    assert_no_key(caplog.text, "the debug log")


# ---- a whole session -------------------------------------------------------------------


def scan_tree(root: Path) -> int:
    """Assert no file under `root` holds the key; return how many files were read."""
    files = 0
    for path in root.rglob("*"):
        if path.is_file():
            files += 1
            assert_no_key(path.read_bytes(), str(path))
    return files


async def tui_screenshot(server: LoopbackServer) -> str:
    """The TUI as `kb4tui --profile acme` runs it: it fills its cache and quota meter."""
    app = KB4App(session_factory(lambda: fast_client(server), "acme", TTL))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        return app.export_screenshot()


def test_a_full_session_leaves_the_key_nowhere(
    api: FakeKnowBe4API,
    server: LoopbackServer,
    _isolated_environment: Path,
    memory_keyring: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(home)
    caplog.set_level(logging.DEBUG)
    url = server.base_url
    org = server.api.org(KEY)
    outputs: list[str] = []

    def cli(*argv: str, stdin: str | None = None) -> int:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(argv))
        out, err = capsys.readouterr()
        outputs.extend([out, err])
        return code

    # Key in the keyring, profile in the config file.
    login = ("auth", "login", "--profile", "acme", "--base-url", url, "--key-stdin")
    assert cli(*login, stdin=KEY + "\n") == 0
    assert cli("auth", "status", "--profile", "acme") == 0
    assert cli("export", "campaigns", "--profile", "acme", "-o", str(home / "c.csv")) == 0
    # Key from the environment.
    monkeypatch.setenv("KNOWBE4_API_KEY", KEY)
    monkeypatch.setenv("KNOWBE4_BASE_URL", url)
    campaign = org.campaign_ids[0]
    assert cli("export", "enrollments", "--campaign", str(campaign), "--format", "json") == 0
    assert cli("export", "users", "-o", str(home / "users.json"), "--format", "json") == 0
    assert cli("get", "campaign", str(campaign)) == 0
    assert cli("get", "campaign", "999999") == 4
    assert cli("auth", "status") == 0
    server.api.config = FakeAPIConfig(rate_limit=False, fault_rate=1.0, fault_kinds=("503",))
    assert cli("export", "policies") == 3
    server.api.config = FakeAPIConfig(rate_limit=False, invalid_token=True)
    assert cli("export", "modules", "-o", str(home / "m.csv")) == 2
    server.api.config = FakeAPIConfig(rate_limit=False)

    # The TUI on the same key: what it shows, as a screenshot.
    screenshot = asyncio.run(tui_screenshot(server))
    assert "Campaigns" in screenshot
    outputs.append(screenshot)

    # The cache, as a later run adds to it.
    with Cache.open(None, "acme", account_key(url)) as cache:
        cache.put("campaigns", org.campaigns(), datetime.now(UTC))

    assert cli("auth", "logout", "--profile", "acme") == 0
    assert memory_keyring.get_password("kb4tui", "acme") is None

    for i, text in enumerate(outputs):
        assert_no_key(text, f"captured output #{i}")
    assert_no_key(caplog.text, "the logs")
    files = scan_tree(home) + scan_tree(_isolated_environment)
    assert files >= 4  # config file, cache file, exports: the scan read real files
