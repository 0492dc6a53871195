"""Reading a response body within bounds, so a broken or hostile server cannot make kb4tui
hold more than a known amount of memory for one answer.

- At most `BodyLimits.sent` bytes as sent (64 MiB); a Content-Length above it is refused
  before anything is read.
- At most `BodyLimits.decoded` bytes once decoded (64 MiB). kb4tui asks only for gzip
  and deflate (`ACCEPT_ENCODING`) and inflates them here, at most `PIECE` (64 KiB) of
  output per step, so a 2 MB gzip bomb stops at the cap instead of becoming 8 GB. httpx's
  own decoders inflate each network chunk in one call with no output limit (one 64 KiB
  chunk can become 66 MB, and brotli far more), which is why zlib is used directly.
- Any other content encoding (br, zstd, several at once) was not asked for: refused.

The largest real page is about 1-2 MB (500 enrollments); 64 MiB leaves room for a
Diamond account's whole library in one page and still bounds a response.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from kb4tui.api.errors import ResponseFormatError, ResponseTooLargeError

__all__ = [
    "ACCEPT_ENCODING",
    "MAX_BODY_BYTES",
    "MAX_DECODED_BYTES",
    "PIECE",
    "BodyLimits",
    "read_body",
]

MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_DECODED_BYTES = 64 * 1024 * 1024
PIECE = 64 * 1024
ACCEPT_ENCODING = "gzip, deflate"
_GZIP = frozenset({"gzip", "x-gzip"})


@dataclass(frozen=True, slots=True)
class BodyLimits:
    sent: int = MAX_BODY_BYTES
    decoded: int = MAX_DECODED_BYTES


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def finish(self) -> bytes:
        return b""


class _Inflater:
    """gzip or deflate (zlib-wrapped, or raw as some servers send it, like httpx accepts),
    inflated at most `PIECE` bytes of output per step."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in _GZIP
        self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)
        self._first = not self._gzip  # deflate: the first data tells zlib from raw

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            out = self._step(data)
            if out:
                yield out
            data = self._inflate.unconsumed_tail
            # Less than a full piece with nothing left over: zlib holds nothing more.
            if not data and len(out) < PIECE:
                return

    def _step(self, data: bytes) -> bytes:
        if self._first and data:
            self._first = False
            try:
                return self._inflate.decompress(data, PIECE)
            except zlib.error:  # no zlib header: raw deflate
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._inflate.decompress(data, PIECE)

    def finish(self) -> bytes:
        return self._inflate.flush()


def _encoding(headers: httpx.Headers) -> str:
    """The one content encoding kb4tui can read ("" for none), or ValueError naming it."""
    declared: str = headers.get("content-encoding", "")
    names = [name.strip().lower() for name in declared.split(",")]
    names = [name for name in names if name and name != "identity"]
    if not names:
        return ""
    if len(names) == 1 and (names[0] in _GZIP or names[0] == "deflate"):
        return names[0]
    raise ValueError(", ".join(names))


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB"


async def read_body(
    stream: httpx.AsyncByteStream,
    *,
    status: int,
    headers: httpx.Headers,
    request: httpx.Request,
    limits: BodyLimits,
) -> bytes:
    """The decoded body, or a ResponseFormatError (ResponseTooLargeError past a limit).

    The caller closes `stream`; reading stops at the first byte past a limit.
    """
    context = {
        "status": status,
        "request_id": headers.get("x-request-id"),
        "path": request.url.path,
    }
    try:
        encoding = _encoding(headers)
    except ValueError as exc:
        raise ResponseFormatError(
            f"The KnowBe4 API sent a body in an encoding kb4tui did not ask for ({exc})",
            **context,
        ) from None
    declared = headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limits.sent:
        raise ResponseTooLargeError(
            f"The KnowBe4 API announced a response of {int(declared):,} bytes, more than "
            f"the {_megabytes(limits.sent)} kb4tui reads",
            **context,
        )
    decoder: _Identity | _Inflater = _Inflater(encoding) if encoding else _Identity()
    parts: list[bytes] = []
    sent = decoded = 0

    def keep(piece: bytes) -> None:
        nonlocal decoded
        decoded += len(piece)
        if decoded > limits.decoded:
            raise ResponseTooLargeError(
                f"The KnowBe4 API sent a response that decodes to more than the "
                f"{_megabytes(limits.decoded)} kb4tui reads",
                **context,
            )
        parts.append(piece)

    try:
        async for chunk in stream:
            sent += len(chunk)
            if sent > limits.sent:
                raise ResponseTooLargeError(
                    f"The KnowBe4 API sent a response larger than the "
                    f"{_megabytes(limits.sent)} kb4tui reads",
                    **context,
                )
            for piece in decoder.feed(chunk):
                keep(piece)
        keep(decoder.finish())
    except zlib.error:
        raise ResponseFormatError(
            "The KnowBe4 API sent a body that could not be decoded", **context
        ) from None
    return b"".join(parts)
