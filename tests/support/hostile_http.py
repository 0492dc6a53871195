"""A tiny hostile HTTP server on 127.0.0.1: every GET gets a canned answer.

For the tests of what a broken or malicious server can make kb4tui do (redirects, 406,
odd bodies, bodies without end, bombs, trickles, endless lists). The answer is one
`Canned` for every request, or a function of the request's path and query (`Script`).
It records each request's path and headers so a test can check what was sent, and never
listens on anything but loopback.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Canned:
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b"[]"
    # Seconds between bytes of the body: a server that trickles its answer (slowloris).
    drip: float = 0.0
    # Without Content-Length the body ends when the connection closes (HTTP/1.0).
    content_length: bool = True


# (path, query) -> the answer to that request.
Script = Callable[[str, dict[str, str]], Canned]


@dataclass
class HostileServer:
    answer: Canned | Script
    base_url: str = ""
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def answer_to(self, path: str, query: dict[str, str]) -> Canned:
        return self.answer if isinstance(self.answer, Canned) else self.answer(path, query)

    def count(self, path: str) -> int:
        return sum(1 for requested, _ in self.requests if urlsplit(requested).path == path)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client hanging up mid-answer is expected here, not a test failure


@contextmanager
def hostile_server(answer: Canned | Script) -> Iterator[HostileServer]:
    state = HostileServer(answer)
    stopping = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append((self.path, dict(self.headers.items())))
            url = urlsplit(self.path)
            canned = state.answer_to(url.path, dict(parse_qsl(url.query)))
            self.send_response(canned.status)
            for name, value in canned.headers.items():
                self.send_header(name, value)
            if canned.content_length:
                self.send_header("Content-Length", str(len(canned.body)))
            self.end_headers()
            if not canned.drip:
                self.wfile.write(canned.body)
                return
            for index in range(len(canned.body)):
                if stopping.is_set():
                    return
                self.wfile.write(canned.body[index : index + 1])
                self.wfile.flush()
                time.sleep(canned.drip)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output quiet

    server = _QuietServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
