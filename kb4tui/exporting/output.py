"""Where an export goes: stdout, or a file written atomically.

A file export writes to a temporary file beside the target and renames it into place only
when the export finished, so a failed export never leaves a partial (or truncated
previous) file behind. The temporary file is created before any API request, so an
unwritable path fails fast without spending rate-limit budget. Everything is UTF-8
whatever the locale says: exports are data, often produced over SSH with LANG=C. The
writers make the text safe for a terminal whatever the destination (a pipe ends on one
as often as not), so the bytes of an export do not depend on where it goes.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Protocol, Self

STDOUT = "-"


class ByteSink(Protocol):
    def write(self, data: bytes, /) -> object: ...
    def flush(self) -> None: ...


class Output:
    """A UTF-8 text sink. Use as a context manager: commit on success, abort on error."""

    def __init__(
        self,
        stream: ByteSink,
        *,
        file: IO[bytes] | None = None,
        target: Path | None = None,
    ) -> None:
        self._stream = stream
        self._file = file
        self._target = target
        self._finished = False
        self.bytes_written = 0
        # Called before each write: the CLI clears its progress line from a terminal.
        self.before_write: Callable[[], None] | None = None

    @property
    def target(self) -> Path | None:
        """The file being written, or None for stdout."""
        return self._target

    def write(self, text: str) -> None:
        if self.before_write is not None:
            self.before_write()
        data = text.encode("utf-8")
        self._stream.write(data)
        self.bytes_written += len(data)

    def commit(self) -> None:
        """Make the output final: flush stdout, or fsync and rename the file into place."""
        if self._finished:
            return
        self._stream.flush()
        if self._file is not None and self._target is not None:
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self._file.name, self._target)
        # Only now: until the rename, abort() must still be able to remove the temp file.
        self._finished = True

    def abort(self) -> None:
        """Drop a file export's temporary file; stdout keeps what was already written."""
        if self._finished:
            return
        self._finished = True
        if self._file is None:
            with contextlib.suppress(OSError):
                self._stream.flush()
            return
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._file.name)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def open_output(path: str | None) -> Output:
    """`None` or "-" is stdout; anything else a file replaced atomically on commit.

    The file gets owner-only permissions (0600): exports hold names and email addresses.
    Raises OSError when the directory cannot be written.
    """
    if path is None or path == STDOUT:
        sys.stdout.flush()  # text already printed must come before our bytes
        buffer = getattr(sys.stdout, "buffer", None)
        stream: ByteSink = buffer if buffer is not None else _TextAsBinary()
        return Output(stream)
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by commit()/abort()
        mode="wb", dir=directory, prefix=f".{target.name}.", suffix=".part", delete=False
    )
    return Output(handle, file=handle, target=target)


class _TextAsBinary:
    """For a replaced sys.stdout without `.buffer` (some test runners, IDEs)."""

    def write(self, data: bytes) -> int:
        return sys.stdout.write(data.decode("utf-8"))

    def flush(self) -> None:
        sys.stdout.flush()
