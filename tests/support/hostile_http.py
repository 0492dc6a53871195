"""A tiny hostile HTTP server on 127.0.0.1: every GET gets the same canned answer.

For the tests of what a broken or malicious server can make kb4tui do (redirects, 406,
odd bodies). It records each request's path and headers so a test can check what was
sent, and never listens on anything but loopback.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Canned:
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b"[]"


@dataclass
class HostileServer:
    answer: Canned
    base_url: str = ""
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client hanging up mid-answer is expected here, not a test failure


@contextmanager
def hostile_server(answer: Canned) -> Iterator[HostileServer]:
    state = HostileServer(answer)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append((self.path, dict(self.headers.items())))
            canned = state.answer
            self.send_response(canned.status)
            for name, value in canned.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(canned.body)))
            self.end_headers()
            self.wfile.write(canned.body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output quiet

    server = _QuietServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
