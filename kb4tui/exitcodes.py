"""The exit codes of every kb4tui command: one table, so the CLI, the TUI and the error
classes cannot drift apart. Scripts rely on them (design.md, "Command line").

No imports: the error classes of `kb4tui.api` use it as well as the command line.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ExitCode", "contract_summary"]


class ExitCode(IntEnum):
    """What a kb4tui process exits with. An IntEnum, so it is returned where an int is."""

    OK = 0
    """Done."""
    USAGE = 1
    """A bad option, argument, setting or config file: fix the command or the file."""
    AUTH = 2
    """No key, a rejected key (401/403) or no usable keyring."""
    API = 3
    """The API or the network failed after retries, or the output could not be written."""
    NOT_FOUND = 4
    """The record asked for does not exist (404)."""
    TERMINAL_LOST = 129
    """The terminal went away (128 + SIGHUP, as a shell reports a hung-up process)."""
    INTERRUPTED = 130
    """Interrupted with ctrl+c (128 + SIGINT)."""
    QUIT = 131
    """The TUI was stopped by SIGQUIT (128 + SIGQUIT), the terminal given back first."""
    TERMINATED = 143
    """Stopped by SIGTERM (128 + SIGTERM): `kill`, systemd, `timeout`."""

    @classmethod
    def for_signal(cls, signum: int) -> ExitCode:
        """The shell's status for a process ended by signal `signum` (128 + its number):
        SIGHUP is TERMINAL_LOST, SIGINT INTERRUPTED, SIGQUIT QUIT, SIGTERM TERMINATED."""
        return cls(128 + signum)

    @property
    def meaning(self) -> str:
        """One line for help texts: "2 auth"."""
        return f"{self.value} {_WORDS[self]}"


_WORDS = {
    ExitCode.OK: "ok",
    ExitCode.USAGE: "usage",
    ExitCode.AUTH: "auth",
    ExitCode.API: "API or network failure",
    ExitCode.NOT_FOUND: "not found",
    ExitCode.TERMINAL_LOST: "terminal lost",
    ExitCode.INTERRUPTED: "interrupted",
    ExitCode.QUIT: "quit by a signal",
    ExitCode.TERMINATED: "terminated",
}


def contract_summary() -> str:
    """ "Exit codes: 0 ok, 1 usage, 2 auth, 3 API or network failure, 4 not found." for the
    epilogs of --help (the codes a script checks; 129 and up are the shell's convention,
    128 + the signal)."""
    codes = (ExitCode.OK, ExitCode.USAGE, ExitCode.AUTH, ExitCode.API, ExitCode.NOT_FOUND)
    return "Exit codes: " + ", ".join(code.meaning for code in codes) + "."
