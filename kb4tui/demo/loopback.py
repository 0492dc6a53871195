"""`LoopbackServer`: the fake API as a real HTTP/1.1 server on 127.0.0.1.

A small asyncio server (keep-alive, Content-Length) on its own thread and event loop, so it
works the same from sync and async tests:

    with LoopbackServer() as server:
        httpx.get(f"{server.base_url}/v1/account", headers={"Authorization": f"Bearer {key}"})

Written by hand rather than on uvicorn so that a "drop" fault really closes the socket
without a byte of response, and a "timeout" fault really leaves the client waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from http import HTTPStatus
from types import TracebackType
from typing import Self
from urllib.parse import unquote, urlsplit

from kb4tui.api.regions import is_loopback_host
from kb4tui.demo.handler import FakeKnowBe4API

__all__ = ["LoopbackServer"]

_MAX_LINE = 16_384
_MAX_HEADERS = 100


class LoopbackServer:
    """Serves `api` (a default demo one if not given) on `host:port`; port 0 picks a free one."""

    def __init__(
        self, api: FakeKnowBe4API | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        if not is_loopback_host(host):
            raise ValueError(f"the fake API only listens on loopback addresses, not {host!r}")
        self.api = api if api is not None else FakeKnowBe4API()
        self.host = host
        self._requested_port = port
        self.port = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._connections: set[asyncio.Task[None]] = set()

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def __repr__(self) -> str:
        return f"LoopbackServer({self.base_url})"

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> Self:
        if self._thread is not None:
            return self
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name="kb4tui-fake-api", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout=10):
            raise RuntimeError("the fake API server did not start within 10 s")
        if self._startup_error is not None:
            self._thread.join(timeout=5)
            self._thread = None
            raise self._startup_error
        return self

    def stop(self) -> None:
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None:
            return
        if loop is not None and stopping is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop already finished
                loop.call_soon_threadsafe(stopping.set)
        thread.join(timeout=10)
        self._thread = None

    def serve_forever(self) -> None:
        """Block until interrupted (the `demo-server` command); stops cleanly on Ctrl-C."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            self.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported to start(); the thread must not die silently
            self._startup_error = exc
            self._ready.set()
        finally:
            loop.close()

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        server = await asyncio.start_server(
            self._connection, self.host, self._requested_port, limit=_MAX_LINE
        )
        self.port = int(server.sockets[0].getsockname()[1])
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            server.close()
            for task in list(self._connections):
                task.cancel()
            if self._connections:
                await asyncio.gather(*self._connections, return_exceptions=True)
            await server.wait_closed()

    # -- HTTP/1.1 -------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            pass  # server shutting down
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Answer one request; False when the connection should close."""
        request_line = await reader.readline()
        if not request_line.strip():
            return False
        try:
            method, target, version = request_line.decode("latin-1").split()
        except ValueError:
            await self._write(writer, 400, [], b"", keep_alive=False)
            return False
        headers: dict[str, str] = {}
        for _ in range(_MAX_HEADERS):
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _sep, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        if length:
            await reader.readexactly(length)
        connection = headers.get("connection", "").lower()
        keep_alive = connection != "close" and (version == "HTTP/1.1" or connection == "keep-alive")
        parts = urlsplit(target)
        try:
            reply = self.api.handle(method, unquote(parts.path), parts.query, headers)
        except Exception:  # a bug in the fake must look like a server error, not a hang
            body = b'{"message": "Internal Server Error"}'
            await self._write(
                writer, 500, [("Content-Type", "application/json")], body, keep_alive=False
            )
            return False
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.action == "drop":
            return False
        if reply.action == "hang":
            await asyncio.sleep(reply.hang)
            return False
        body = b"" if method.upper() == "HEAD" else reply.body
        await self._write(
            writer, reply.status, reply.headers, body, keep_alive=keep_alive, length=len(reply.body)
        )
        return keep_alive

    @staticmethod
    async def _write(
        writer: asyncio.StreamWriter,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        keep_alive: bool,
        length: int | None = None,
    ) -> None:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        lines = [f"HTTP/1.1 {status} {reason}"]
        lines += [f"{name}: {value}" for name, value in headers]
        lines.append(f"Content-Length: {len(body) if length is None else length}")
        lines.append(f"Connection: {'keep-alive' if keep_alive else 'close'}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        writer.write(head + body)
        await writer.drain()
