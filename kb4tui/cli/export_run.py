"""Shared plumbing for `export` and `get`: run against the client, turn failures into one
sentence on stderr and the contract's exit code, and never leave a partial file."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable

from kb4tui.api.errors import APIError, CommandDeadlineError
from kb4tui.cli.common import fail
from kb4tui.cli.stop_signals import raise_on_stop_signals
from kb4tui.exitcodes import ExitCode
from kb4tui.exporting.output import Output


def run_to_output(
    output: Output, job: Callable[[], Awaitable[object]], *, deadline_minutes: float | None = None
) -> int:
    """Run `job` (which writes to `output`), then commit the output, or abort it and fail.

    `deadline_minutes` bounds the whole command (`--deadline`): past it the job is
    cancelled and the command fails with exit 3, whatever the server does.
    Only the exception's type name is shown for unexpected errors: their text could carry
    request details, and the contract says no tracebacks. SIGTERM and SIGHUP abort the
    output as Ctrl-C does (see stop_signals.py), so no temporary file is left behind.
    """
    with raise_on_stop_signals():
        return _run(output, job, deadline_minutes)


def _run(
    output: Output, job: Callable[[], Awaitable[object]], deadline_minutes: float | None
) -> int:
    try:
        asyncio.run(_await(job, deadline_minutes))
    except APIError as exc:
        output.abort()
        return fail(_failure_message(exc.sentence, output), exc.exit_code)
    except BrokenPipeError:
        # `kb4tui export users | head`: the reader left. Not an error worth a message.
        output.abort()
        _silence_stdout()
        return ExitCode.OK
    except OSError as exc:
        output.abort()
        return fail(_write_failure(exc, output), ExitCode.API)
    except Exception as exc:
        output.abort()
        message = f"Unexpected error ({type(exc).__name__}); report it with the command you ran."
        return fail(_failure_message(message, output), ExitCode.API)
    except BaseException:
        output.abort()
        raise
    try:
        output.commit()
    except BrokenPipeError:
        _silence_stdout()
    except OSError as exc:
        output.abort()
        return fail(_write_failure(exc, output), ExitCode.API)
    except BaseException:  # a stop signal while the file is being put in place
        output.abort()
        raise
    return ExitCode.OK


async def _await(job: Callable[[], Awaitable[object]], deadline_minutes: float | None) -> None:
    if deadline_minutes is None:
        await job()
        return
    limit = asyncio.timeout(deadline_minutes * 60)
    try:
        async with limit:
            await job()
    except TimeoutError:
        if not limit.expired():
            raise
        raise CommandDeadlineError(
            f"The command did not finish within its deadline of {deadline_minutes:g} minutes"
        ) from None


def _failure_message(sentence: str, output: Output) -> str:
    """The error's sentence, extended (still one sentence) with what became of the output."""
    if output.target is not None:
        return f"{sentence.rstrip('.')}; nothing was written to {output.target}."
    if output.bytes_written:
        return f"{sentence.rstrip('.')}; the output above is incomplete."
    return sentence


def _write_failure(exc: OSError, output: Output) -> str:
    where = str(output.target) if output.target else "standard output"
    reason = exc.strerror or type(exc).__name__
    return f"Could not write {where}: {reason}. Check the path and free space."


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush
    does not print a second error (the recipe in Python's signal docs)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
